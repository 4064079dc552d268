/*
 * check_event_json: the JSON mapping of an event (service/event_json.h,
 * service/event_view.h) — a valid body maps to exact struct values; a
 * wrong field gives the exact field, code and detail that the API sends
 * (tests/e2e/test_api.py checks the same answers over HTTP) — against a
 * ":memory:" database with the real migrations and the annex seed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "calendar/caltime.h"
#include "calendar/event_rules.h"
#include "calendar/types.h"
#include "check_util.h"
#include "db/db.h"
#include "service/event_json.h"
#include "service/event_view.h"
#include "service/session.h"
#include "service/svc.h"

#define NOW ((int64_t)1740000000)	/* 2025-02-19T21:20:00Z */
/* 2025-03-01T00:30:00+08:00 */
#define MAR1 ((int64_t)1740760200)

static struct db *db;
static struct db_event ev;
static json_t *errors;

static int64_t
fixed_clock(void)
{
	return NOW;
}

static void
setup(void)
{
	cal_init();
	ck_assert_int_eq(svc_crypto_init(), 0);
	ck_assert_int_eq(db_open(":memory:", NOW, &db), 0);
	ck_assert_int_eq(svc_event_defaults(&ev, NOW), 0);
	errors = json_array();
}

static void
teardown(void)
{
	json_decref(errors);
	db_event_release(&ev);
	db_close(db);
}

/* Apply the JSON text body for how onto ev (stored: NULL or borrowed). */
static void
apply(const char *body, enum svc_event_write how,
      const struct db_event *stored)
{
	json_error_t jerr;
	json_t *obj = json_loads(body, JSON_REJECT_DUPLICATES, &jerr);

	ck_assert_msg(obj != NULL, "test body: %s", jerr.text);
	svc_event_apply_json(db, obj, how, stored, &ev, errors);
	svc_event_check_json(&ev, errors);
	json_decref(obj);
}

/* Error i is {field, code, detail}. */
static void
assert_error(size_t i, const char *field, const char *code,
	     const char *detail)
{
	json_t *e = json_array_get(errors, i);

	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(json_string_value(json_object_get(e, "field")),
			 field);
	ck_assert_str_eq(json_string_value(json_object_get(e, "code")), code);
	ck_assert_str_eq(json_string_value(json_object_get(e, "detail")),
			 detail);
}

#define GOOD "\"kind\": \"roadshow\", \"title\": \"项目路演\"," \
	" \"start\": \"2025-03-01T00:30:00+08:00\""

START_TEST(test_valid_body)
{
	apply("{\"kind\": \"路演\", \"title\": \"春季项目路演\","
	      " \"start\": \"2025-03-01T00:30:00+08:00\","
	      " \"end\": \"2025-03-01T02:30:00+08:00\","
	      " \"description\": \"第一行\\r\\n第二行\","
	      " \"venue\": \"平湖众创空间\", \"carrier\": \"pinghu-maker-space\","
	      " \"partner_regions\": \"dazhou，kaizhou\", \"capacity\": 80,"
	      " \"url\": \"https://example.org/spring\","
	      " \"geo\": {\"lat\": 30.75, \"lon\": 108.5},"
	      " \"status\": \"TENTATIVE\", \"uid\": \"spring@example.org\"}",
	      SVC_EVENT_CREATE, NULL);
	ck_assert_int_eq(json_array_size(errors), 0);
	ck_assert_str_eq(ev.kind, "roadshow");
	ck_assert_str_eq(ev.title, "春季项目路演");
	ck_assert_str_eq(ev.description, "第一行\n第二行");
	ck_assert_str_eq(ev.venue, "平湖众创空间");
	ck_assert_str_eq(ev.carrier, "pinghu-maker-space");
	ck_assert_str_eq(ev.uid, "spring@example.org");
	ck_assert_str_eq(ev.status, "TENTATIVE");
	ck_assert_str_eq(ev.tzid, "Asia/Shanghai");
	ck_assert_str_eq(ev.url, "https://example.org/spring");
	ck_assert_int_eq(ev.start_utc, MAR1);
	ck_assert_int_eq(ev.end_utc, MAR1 + 7200);
	ck_assert_int_eq(ev.all_day, 0);
	ck_assert_str_eq(ev.start_date, "");
	ck_assert_int_eq(ev.capacity, 80);
	ck_assert_int_eq(ev.has_geo, 1);
	ck_assert(ev.geo_lat == 30.75 && ev.geo_lon == 108.5);
	ck_assert_int_eq(ev.n_partner_regions, 2);
	ck_assert_str_eq(ev.partner_regions[0], "dazhou");
	ck_assert_str_eq(ev.partner_regions[1], "kaizhou");
	ck_assert_ptr_null(ev.rrule);
}
END_TEST

START_TEST(test_defaults_and_all_day)
{
	ck_assert_int_eq(strlen(ev.uid), 32 + strlen("@roadshowd"));
	ck_assert_str_eq(ev.uid + 32, "@roadshowd");
	apply("{\"kind\": \"competition\", \"title\": \"创新创业大赛\","
	      " \"all_day\": true, \"start_date\": \"2025-03-01\","
	      " \"rrule\": \"FREQ=YEARLY；COUNT=3\"}", SVC_EVENT_CREATE, NULL);
	ck_assert_int_eq(json_array_size(errors), 0);
	ck_assert_str_eq(ev.status, "CONFIRMED");
	ck_assert_int_eq(ev.all_day, 1);
	ck_assert_str_eq(ev.start_date, "2025-03-01");
	ck_assert_str_eq(ev.end_date, "2025-03-02");
	ck_assert_int_eq(ev.start_utc, 1740758400);
	ck_assert_int_eq(ev.end_utc, 1740758400 + 86400);
	ck_assert_str_eq(ev.rrule, "FREQ=YEARLY;COUNT=3");	/* ASCII ; */
}
END_TEST

START_TEST(test_unknown_field)
{
	apply("{" GOOD ", \"colour\": \"red\"}", SVC_EVENT_CREATE, NULL);
	ck_assert_int_eq(json_array_size(errors), 1);
	assert_error(0, "colour", "unknown_field", "is not a field of an"
		     " event");
}
END_TEST

START_TEST(test_wrong_type)
{
	apply("{\"kind\": \"roadshow\", \"title\": 5,"
	      " \"start\": \"2025-03-01T00:30:00+08:00\"}", SVC_EVENT_CREATE,
	      NULL);
	ck_assert_int_eq(json_array_size(errors), 1);
	assert_error(0, "title", "bad_type", "must be a string");
	json_array_clear(errors);
	apply("{" GOOD ", \"venue\": [\"平湖\"], \"capacity\": \"80\","
	      " \"all_day\": \"no\"}", SVC_EVENT_CREATE, NULL);
	ck_assert_int_eq(json_array_size(errors), 3);
	assert_error(0, "venue", "bad_type", "must be a string or null");
	assert_error(1, "capacity", "bad_capacity", "must be an integer from"
		     " 1 to 1000000, or null");
	assert_error(2, "all_day", "bad_boolean", "must be true or false");
}
END_TEST

START_TEST(test_title_too_long)
{
	char body[1200];

	snprintf(body, sizeof(body), "{\"kind\": \"roadshow\","
		 " \"start\": \"2025-03-01T00:30:00+08:00\", \"title\":"
		 " \"%01001d\"}", 0);
	apply(body, SVC_EVENT_CREATE, NULL);
	ck_assert_int_eq(json_array_size(errors), 1);
	assert_error(0, "title", "too_long", "is 1001 octets; at most 1000");
	ck_assert_ptr_null(ev.title);		/* nothing applied */
	json_array_clear(errors);
	snprintf(body, sizeof(body), "{\"kind\": \"roadshow\","
		 " \"start\": \"2025-03-01T00:30:00+08:00\", \"title\":"
		 " \"%01000d\"}", 0);
	apply(body, SVC_EVENT_CREATE, NULL);
	ck_assert_int_eq(json_array_size(errors), 0);
	ck_assert_int_eq(strlen(ev.title), CAL_EVENT_MAX_TITLE);
}
END_TEST

START_TEST(test_required_and_read_only)
{
	apply("{\"start\": \"2025-03-01T00:30:00+08:00\", \"sequence\": 7}",
	      SVC_EVENT_CREATE, NULL);
	ck_assert_int_eq(json_array_size(errors), 3);
	assert_error(0, "sequence", "read_only", "is read-only");
	assert_error(1, "kind", "required", "is required");
	assert_error(2, "title", "required", "is required");
	json_array_clear(errors);
	apply("{\"kind\": \"roadshow\", \"title\": \"   \","
	      " \"start\": \"2025-03-01T00:30:00+08:00\"}", SVC_EVENT_CREATE,
	      NULL);
	ck_assert_int_eq(json_array_size(errors), 1);
	assert_error(0, "title", "required", "must not be empty");
}
END_TEST

START_TEST(test_bad_values)
{
	apply("{\"kind\": \"party\", \"title\": \"路演\\r\\nX-EVIL:1\","
	      " \"start\": \"2025-03-01 00:30\", \"status\": \"DONE\","
	      " \"carrier\": \"no-such-carrier\","
	      " \"partner_regions\": [\"longju\", \"dazhou\", \"dazhou\"],"
	      " \"timezone\": \"Mars/Olympus\"}", SVC_EVENT_CREATE, NULL);
	ck_assert_int_eq(json_array_size(errors), 8);
	assert_error(0, "kind", "unknown_kind", "'party' is not one of"
		     " roadshow, salon, forum, training, seminar, exhibition,"
		     " competition");
	assert_error(1, "title", "bad_characters", "must not contain control"
		     " characters");
	assert_error(2, "status", "bad_status", "'DONE' is not one of"
		     " TENTATIVE, CONFIRMED, CANCELLED");
	assert_error(3, "carrier", "unknown_carrier", "'no-such-carrier' is"
		     " not a known carrier (GET /api/v1/carriers)");
	assert_error(4, "partner_regions", "unknown_region", "'longju' is a"
		     " district region, not a partner region");
	assert_error(5, "partner_regions", "duplicate", "'dazhou' is listed"
		     " twice");
	assert_error(6, "timezone", "bad_timezone", "'Mars/Olympus' is not an"
		     " IANA timezone name");
	assert_error(7, "start", "bad_datetime", "must be an RFC 3339"
		     " date-time with offset, e.g. 2025-03-01T00:30:00+08:00");
	ck_assert_int_eq(ev.n_partner_regions, 0);
}
END_TEST

START_TEST(test_times_and_series)
{
	apply("{" GOOD ", \"end\": \"2025-03-01T00:00:00+08:00\"}",
	      SVC_EVENT_CREATE, NULL);
	ck_assert_int_eq(json_array_size(errors), 1);
	assert_error(0, "end", "end_before_start", "must be after start");
	json_array_clear(errors);
	apply("{" GOOD ", \"start_date\": \"2025-03-01\"}", SVC_EVENT_CREATE,
	      NULL);
	assert_error(0, "start_date", "all_day_mismatch", "only all-day events"
		     " take dates; set all_day to true, or give start and end");
	json_array_clear(errors);
	/* 2025-03-01 is a Saturday */
	apply("{" GOOD ", \"rrule\": \"FREQ=WEEKLY;BYDAY=TU;COUNT=3\"}",
	      SVC_EVENT_CREATE, NULL);
	ck_assert_int_eq(json_array_size(errors), 1);
	assert_error(0, "start", "start_not_in_rule", "is not an occurrence"
		     " of the rrule (e.g. BYDAY=TU needs a Tuesday): the series"
		     " must start on its first occurrence");
}
END_TEST

/* PATCH names only what changes; PUT may echo id and uid unchanged. */
START_TEST(test_patch_and_put)
{
	struct db_event stored;

	apply("{" GOOD ", \"end\": \"2025-03-01T02:30:00+08:00\"}",
	      SVC_EVENT_CREATE, NULL);
	ck_assert_int_eq(json_array_size(errors), 0);
	ev.id = 12;
	ck_assert_int_eq(db_event_copy(&stored, &ev), 0);
	apply("{\"start\": \"2025-03-08T00:30:00+08:00\"}", SVC_EVENT_PATCH,
	      &stored);
	ck_assert_int_eq(json_array_size(errors), 0);
	ck_assert_int_eq(ev.start_utc, MAR1 + 7 * 86400);
	ck_assert_int_eq(ev.end_utc, MAR1 + 7 * 86400 + 7200);	/* kept */
	ck_assert_str_eq(ev.title, "项目路演");
	apply("{\"id\": 12}", SVC_EVENT_PATCH, &stored);
	assert_error(0, "id", "read_only", "is read-only");
	json_array_clear(errors);
	apply("{" GOOD ", \"id\": 12, \"region\": \"x\", \"uid\": \"other\"}",
	      SVC_EVENT_REPLACE, &stored);
	ck_assert_int_eq(json_array_size(errors), 1);
	assert_error(0, "uid", "read_only", "is read-only and differs from the"
		     " stored value");
	db_event_release(&stored);
}
END_TEST

START_TEST(test_override)
{
	struct db_override *o;
	json_t *obj;

	apply("{" GOOD ", \"rrule\": \"FREQ=WEEKLY;COUNT=4\"}",
	      SVC_EVENT_CREATE, NULL);
	ck_assert_int_eq(json_array_size(errors), 0);
	o = cal_event_override_for(&ev, MAR1 + 7 * 86400);
	ck_assert_ptr_nonnull(o);
	obj = json_pack("{s:s, s:s}", "title", "第二期（改期）", "start",
			"2025-03-08T09:00:00+08:00");
	svc_override_apply_json(obj, &ev, o, errors);
	json_decref(obj);
	ck_assert_int_eq(json_array_size(errors), 0);
	ck_assert_str_eq(o->title, "第二期（改期）");
	ck_assert_int_eq(o->start_utc, 1741395600);
	ck_assert_int_eq(o->end_utc, 1741395600 + 3600);	/* kept */
	obj = json_pack("{s:s, s:s}", "kind", "salon", "start_date",
			"2025-03-08");
	svc_override_apply_json(obj, &ev, o, errors);
	json_decref(obj);
	ck_assert_int_eq(json_array_size(errors), 2);
	assert_error(0, "kind", "unknown_field", "is not a field of an"
		     " occurrence (allowed: start, end, start_date, end_date,"
		     " title, venue, description, status)");
	assert_error(1, "start_date", "all_day_mismatch", "timed series take"
		     " start and end");
}
END_TEST

START_TEST(test_view)
{
	json_t *o;

	apply("{" GOOD ", \"capacity\": 30}", SVC_EVENT_CREATE, NULL);
	ck_assert_int_eq(json_array_size(errors), 0);
	ev.id = 3;
	ev.sequence = 2;
	o = svc_event_json(&ev);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "start")),
			 "2025-03-01T00:30:00+08:00");
	ck_assert_str_eq(json_string_value(json_object_get(o, "end")),
			 "2025-03-01T01:30:00+08:00");
	ck_assert_str_eq(json_string_value(json_object_get(o, "kind_name")),
			 "项目路演");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "sequence")),
			 2);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "capacity")),
			 30);
	ck_assert(json_is_null(json_object_get(o, "geo")));
	ck_assert_ptr_null(json_object_get(o, "overrides"));
	json_decref(o);
}
END_TEST

START_TEST(test_parse_for_create)
{
	struct svc svc;
	const char *good = "{" GOOD "}";
	struct db_event e;

	memset(&svc, 0, sizeof(svc));
	svc.db = db;
	svc.clock = fixed_clock;
	ck_assert_int_eq(svc_event_parse_for_create(&svc, good, strlen(good),
						    &e), 0);
	ck_assert_int_eq(e.start_utc, MAR1);
	db_event_release(&e);
	ck_assert_int_eq(svc_event_parse_for_create(&svc, "[]", 2, &e), -1);
	/* the body reader's refusals: empty, malformed, duplicate names */
	ck_assert_int_eq(svc_event_parse_for_create(&svc, "", 0, &e), -1);
	ck_assert_int_eq(svc_event_parse_for_create(&svc, "{\"title\":", 9,
						    &e), -1);
	ck_assert_int_eq(svc_event_parse_for_create(&svc, "{\"a\":1,\"a\":2}",
						    13, &e), -1);
	/* a status is checked against the closed set (calendar/types.h) */
	ck_assert_int_eq(svc_event_parse_for_create(&svc, "{" GOOD
			 ", \"status\": \"confirmed\"}", strlen("{" GOOD
			 ", \"status\": \"confirmed\"}"), &e), 1);
	ck_assert_int_eq(svc_event_parse_for_create(&svc, "{" GOOD
			 ", \"status\": \"CANCELLED\"}", strlen("{" GOOD
			 ", \"status\": \"CANCELLED\"}"), &e), 0);
	ck_assert(cal_event_status_is(e.status, CAL_STATUS_CANCELLED));
	db_event_release(&e);
	/* title: must be a string; kind: is required */
	ck_assert_int_eq(svc_event_parse_for_create(&svc, "{\"title\": 1}",
						    12, &e), 2);
}
END_TEST

static Suite *
event_json_suite(void)
{
	Suite *s = suite_create("event_json");

	ck_add(s, "valid_body", test_valid_body, setup, teardown);
	ck_add(s, "defaults_and_all_day", test_defaults_and_all_day, setup,
	       teardown);
	ck_add(s, "unknown_field", test_unknown_field, setup, teardown);
	ck_add(s, "wrong_type", test_wrong_type, setup, teardown);
	ck_add(s, "title_too_long", test_title_too_long, setup, teardown);
	ck_add(s, "required_and_read_only", test_required_and_read_only, setup,
	       teardown);
	ck_add(s, "bad_values", test_bad_values, setup, teardown);
	ck_add(s, "times_and_series", test_times_and_series, setup, teardown);
	ck_add(s, "patch_and_put", test_patch_and_put, setup, teardown);
	ck_add(s, "override", test_override, setup, teardown);
	ck_add(s, "view", test_view, setup, teardown);
	ck_add(s, "parse_for_create", test_parse_for_create, setup, teardown);
	return s;
}

int
main(void)
{
	return ck_main(event_json_suite());
}
