/*
 * check_body: the JSON body reader (service/body.c): malformed bodies,
 * missing required members, wrong types, too long strings, unknown
 * members, and setters; each error with its exact field and code.
 */
#include <errno.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "check_util.h"
#include "service/body.h"

struct thing {
	const char *name;
	json_int_t size;
};

static int
set_name(void *dst, json_t *v, json_t *errors)
{
	(void)errors;
	((struct thing *)dst)->name = json_string_value(v);
	return 0;
}

static int
set_size(void *dst, json_t *v, json_t *errors)
{
	if (json_integer_value(v) < 0) {
		json_array_append_new(errors, json_pack("{s:s, s:s, s:s}",
				      "field", "size", "code", "out_of_range",
				      "detail", "must not be negative"));
		return -EINVAL;
	}
	((struct thing *)dst)->size = json_integer_value(v);
	return 0;
}

static const struct svc_field fields[] = {
	{ "name", SVC_FIELD_STRING, SVC_FIELD_REQUIRED, 8, set_name },
	{ "size", SVC_FIELD_INTEGER, 0, 0, set_size },
	{ "tags", SVC_FIELD_ARRAY, SVC_FIELD_NULLABLE, 0, NULL },
	{ NULL, SVC_FIELD_ANY, 0, 0, NULL },
};

static json_t *errors;
static json_t *obj;
static struct thing th;

static void
setup(void)
{
	errors = json_array();
	obj = NULL;
	memset(&th, 0, sizeof(th));
}

static void
teardown(void)
{
	json_decref(errors);
	json_decref(obj);
}

static int
rd(const char *text)
{
	return svc_body_read(text, text ? strlen(text) : 0, "a thing", fields,
			     &th, errors, &obj);
}

/* Field and code of error i. */
static void
assert_error(size_t i, const char *field, const char *code)
{
	json_t *e = json_array_get(errors, i);

	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(json_string_value(json_object_get(e, "field")), field);
	ck_assert_str_eq(json_string_value(json_object_get(e, "code")), code);
}

START_TEST(test_good_body)
{
	ck_assert_int_eq(rd("{\"name\":\"abc\",\"size\":4,\"tags\":null}"), 0);
	ck_assert_uint_eq(json_array_size(errors), 0);
	ck_assert_str_eq(th.name, "abc");
	ck_assert_int_eq(th.size, 4);
}
END_TEST

START_TEST(test_not_an_object)
{
	ck_assert_int_eq(rd(NULL), -EBADMSG);
	assert_error(0, "body", "bad_json");
	ck_assert_int_eq(rd("[1]"), -EBADMSG);
	assert_error(1, "body", "bad_json");
	ck_assert_int_eq(rd("{\"name\":"), -EBADMSG);
	assert_error(2, "body", "bad_json");
	ck_assert_int_eq(rd("{\"name\":\"a\",\"name\":\"b\"}"), -EBADMSG);
	assert_error(3, "body", "bad_json");
	ck_assert_ptr_null(obj);
	ck_assert_ptr_null(th.name);		/* nothing set */
}
END_TEST

START_TEST(test_missing_required)
{
	ck_assert_int_eq(rd("{\"size\":1}"), -EINVAL);
	ck_assert_uint_eq(json_array_size(errors), 1);
	assert_error(0, "name", "required");
	ck_assert_int_eq(th.size, 1);	/* the good member still set */
}
END_TEST

START_TEST(test_wrong_type)
{
	ck_assert_int_eq(rd("{\"name\":5,\"size\":\"5\"}"), -EINVAL);
	ck_assert_uint_eq(json_array_size(errors), 2);
	assert_error(0, "name", "bad_type");
	assert_error(1, "size", "bad_type");
	ck_assert_str_eq(json_string_value(json_object_get(
		json_array_get(errors, 1), "detail")), "must be an integer");
}
END_TEST

START_TEST(test_too_long)
{
	ck_assert_int_eq(rd("{\"name\":\"123456789\"}"), -EINVAL);
	assert_error(0, "name", "too_long");
	ck_assert_str_eq(json_string_value(json_object_get(
		json_array_get(errors, 0), "detail")), "is 9 octets; at most 8");
	ck_assert_ptr_null(th.name);
	json_decref(obj);
	obj = NULL;
	ck_assert_int_eq(rd("{\"name\":\"12345678\"}"), 0);	/* at most */
}
END_TEST

START_TEST(test_unknown_field)
{
	ck_assert_int_eq(rd("{\"name\":\"a\",\"colour\":\"red\"}"), -EINVAL);
	ck_assert_uint_eq(json_array_size(errors), 1);
	assert_error(0, "colour", "unknown_field");
	ck_assert_str_eq(json_string_value(json_object_get(
		json_array_get(errors, 0), "detail")),
		"is not a field of a thing");
}
END_TEST

/* A table of names only (SVC_FIELD_ANY, no setter), as the admin and
 * rule handlers use it: any JSON value passes, unknown names are errors,
 * and the object is still handed back for the handler's own checks. */
START_TEST(test_names_only)
{
	static const struct svc_field names[] = {
		{ "slug", SVC_FIELD_ANY, 0, 0, NULL },
		{ "geo", SVC_FIELD_ANY, 0, 0, NULL },
		{ NULL, SVC_FIELD_ANY, 0, 0, NULL },
	};
	const char *one = "{\"slug\":5,\"geo\":null}";
	const char *two = "{\"geo\":{},\"colour\":1}";

	ck_assert_int_eq(svc_body_read(one, strlen(one), "a carrier", names,
				       NULL, errors, &obj), 0);
	ck_assert_uint_eq(json_array_size(errors), 0);
	json_decref(obj);
	ck_assert_int_eq(svc_body_read(two, strlen(two), "a carrier",
				       names + 1, NULL, errors, &obj), -EINVAL);
	ck_assert_uint_eq(json_array_size(errors), 1);
	assert_error(0, "colour", "unknown_field");
	ck_assert_str_eq(json_string_value(json_object_get(
		json_array_get(errors, 0), "detail")),
		"is not a field of a carrier");
	ck_assert_ptr_nonnull(json_object_get(obj, "geo"));
}
END_TEST

START_TEST(test_nul_and_setter_error)
{
	/* jansson refuses \u0000 unless asked: the body is not read */
	ck_assert_int_eq(rd("{\"name\":\"a\\u0000b\"}"), -EBADMSG);
	assert_error(0, "body", "bad_json");
	ck_assert_int_eq(rd("{\"name\":\"a\",\"size\":-1}"), -EINVAL);
	assert_error(1, "size", "out_of_range");
	ck_assert_int_eq(th.size, 0);
}
END_TEST

START_TEST(test_no_table)
{
	/* fields NULL: the object only; its members are the caller's */
	ck_assert_int_eq(svc_body_read("{\"colour\":1}", 12, "a thing", NULL,
				       &th, errors, &obj), 0);
	ck_assert_uint_eq(json_array_size(errors), 0);
	ck_assert_ptr_nonnull(obj);
	ck_assert_int_eq(json_integer_value(json_object_get(obj, "colour")),
			 1);
	json_decref(obj);
	obj = NULL;
	ck_assert_int_eq(svc_body_read("[]", 2, "a thing", NULL, &th, errors,
				       &obj), -EBADMSG);
	assert_error(0, "body", "bad_json");
	ck_assert_ptr_null(obj);
}
END_TEST

static Suite *
body_suite(void)
{
	Suite *s = suite_create("body");
	TCase *tc = tcase_create("reader");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_good_body);
	tcase_add_test(tc, test_not_an_object);
	tcase_add_test(tc, test_missing_required);
	tcase_add_test(tc, test_wrong_type);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_unknown_field);
	tcase_add_test(tc, test_names_only);
	tcase_add_test(tc, test_nul_and_setter_error);
	tcase_add_test(tc, test_no_table);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return ck_main(body_suite());
}
