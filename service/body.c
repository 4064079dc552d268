/*
 * body.c: the JSON body reader (body.h).
 */
#include <errno.h>
#include <string.h>

#include "body.h"
#include "svc.h"

static const char *const type_words[] = {
	[SVC_FIELD_STRING] = "must be a string",
	[SVC_FIELD_INTEGER] = "must be an integer",
	[SVC_FIELD_BOOLEAN] = "must be true or false",
	[SVC_FIELD_ARRAY] = "must be an array",
	[SVC_FIELD_ANY] = "",
};

static int
type_ok(enum svc_field_type type, const json_t *v)
{
	switch (type) {
	case SVC_FIELD_STRING:
		return json_is_string(v);
	case SVC_FIELD_INTEGER:
		return json_is_integer(v);
	case SVC_FIELD_BOOLEAN:
		return json_is_boolean(v);
	case SVC_FIELD_ARRAY:
		return json_is_array(v);
	default:
		return 1;
	}
}

/* Check one member of the table against the object; 0 or -EINVAL. */
static int
check_field(const struct svc_field *f, json_t *obj, void *dst,
	    json_t *errors)
{
	json_t *v = json_object_get(obj, f->name);

	if (!v || json_is_null(v)) {
		if (f->flags & SVC_FIELD_REQUIRED) {
			svc_problem_addc(errors, f->name, "required",
					 "is required");
			return -EINVAL;
		}
		return 0;
	}
	if (!type_ok(f->type, v)) {
		svc_problem_addc(errors, f->name, "bad_type", "%s",
				 type_words[f->type]);
		return -EINVAL;
	}
	if (json_is_string(v) && f->max_len &&
	    json_string_length(v) > f->max_len) {
		svc_problem_addc(errors, f->name, "too_long", "is %zu octets;"
				 " at most %zu", json_string_length(v),
				 f->max_len);
		return -EINVAL;
	}
	return f->set ? f->set(dst, v, errors) : 0;
}

int
svc_body_read(const char *body, size_t len, const char *noun,
	      const struct svc_field *fields, void *dst, json_t *errors,
	      json_t **out)
{
	const struct svc_field *f;
	json_error_t jerr;
	const char *key;
	json_t *obj, *v;
	int rc = 0;

	*out = NULL;
	obj = body && len ? json_loadb(body, len, JSON_REJECT_DUPLICATES,
				       &jerr) : NULL;
	if (!obj || !json_is_object(obj)) {
		if (!body || !len)
			svc_problem_addc(errors, "body", "bad_json", "a JSON"
					 " object is required");
		else if (obj)
			svc_problem_addc(errors, "body", "bad_json", "must be"
					 " a JSON object");
		else
			svc_problem_addc(errors, "body", "bad_json",
					 "malformed JSON at line %d, column"
					 " %d: %s", jerr.line, jerr.column,
					 jerr.text);
		json_decref(obj);
		return -EBADMSG;
	}
	*out = obj;
	if (!fields)
		return 0;	/* the caller checks the members */
	json_object_foreach(obj, key, v) {
		for (f = fields; f->name; f++)
			if (strcmp(f->name, key) == 0)
				break;
		if (!f->name) {
			svc_problem_addc(errors, key, "unknown_field", "is not a"
					 " field of %s", noun);
			rc = -EINVAL;
		}
	}
	for (f = fields; f->name; f++)
		if (check_field(f, obj, dst, errors) != 0)
			rc = -EINVAL;
	return rc;
}
