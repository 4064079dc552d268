/*
 * check_event_rules: the domain rules of one event (calendar/event_rules.h)
 * — which changes bump SEQUENCE (RFC 5545 §3.8.7.4), placing an event's
 * times, the series checks, and series exceptions (EXDATE and
 * RECURRENCE-ID overrides) — on plain structs, no database.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "calendar/caltime.h"
#include "calendar/event_rules.h"
#include "check_util.h"

/* 2025-01-09T14:00:00+08:00, a Thursday */
#define THU ((int64_t)1736402400)
#define WEEK ((int64_t)7 * 86400)

static struct db_event a, b;

/* A timed event in Asia/Shanghai at THU for an hour; a series when rrule
 * is given. Strings owned by ev (release with db_event_release()). */
static void
make_event(struct db_event *ev, const char *rrule)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = 7;
	ev->uid = strdup("e7@roadshowd");
	ev->kind = strdup("roadshow");
	ev->title = strdup("项目路演");
	ev->description = strdup("第一期");
	ev->venue = strdup("平湖");
	ev->tzid = strdup("Asia/Shanghai");
	ev->status = strdup("CONFIRMED");
	ev->carrier = strdup("pinghu-maker-space");
	ev->rrule = rrule ? strdup(rrule) : NULL;
	ev->start_utc = THU;
	ev->end_utc = THU + 3600;
	ev->sequence = 4;
	ck_assert_ptr_nonnull(ev->venue);
}

static void
setup(void)
{
	cal_init();
	make_event(&a, NULL);
	make_event(&b, NULL);
}

static void
teardown(void)
{
	db_event_release(&a);
	db_event_release(&b);
}

static void
replace(char **slot, const char *v)
{
	free(*slot);
	*slot = v ? strdup(v) : NULL;
}

/* ---- SEQUENCE ---- */

START_TEST(test_no_change)
{
	ck_assert_int_eq(cal_event_any_change(&a, &b), 0);
	ck_assert_int_eq(cal_event_significant_change(&a, &b), 0);
	ck_assert_int_eq(cal_event_next_sequence(&a, &b), 4);
}
END_TEST

/* Fields attendees must see: SEQUENCE 4 -> 5. */
START_TEST(test_significant_fields)
{
	struct { const char *name; int64_t *t; char **s; const char *v; }
	cases[] = {
		{ "title", NULL, &a.title, "改期路演" },
		{ "venue", NULL, &a.venue, "万州" },
		{ "venue removed", NULL, &a.venue, NULL },
		{ "status", NULL, &a.status, "CANCELLED" },
		{ "tzid", NULL, &a.tzid, "UTC" },
		{ "rrule", NULL, &a.rrule, "FREQ=WEEKLY;COUNT=3" },
		{ "start", &a.start_utc, NULL, NULL },
		{ "end", &a.end_utc, NULL, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		teardown();
		setup();
		if (cases[i].t)
			*cases[i].t += 1800;
		else
			replace(cases[i].s, cases[i].v);
		ck_assert_msg(cal_event_significant_change(&a, &b) == 1,
			      "%s", cases[i].name);
		ck_assert_int_eq(cal_event_any_change(&a, &b), 1);
		ck_assert_int_eq(cal_event_next_sequence(&a, &b), 5);
	}
	teardown();
	setup();
	a.all_day = 1;
	ck_assert_int_eq(cal_event_next_sequence(&a, &b), 5);
}
END_TEST

/* Fields that are stored but do not bump SEQUENCE: 4 stays 4. */
START_TEST(test_insignificant_fields)
{
	struct { const char *name; char **s; const char *v; } cases[] = {
		{ "description", &a.description, "第二期" },
		{ "kind", &a.kind, "salon" },
		{ "url", &a.url, "https://example.org/e7" },
		{ "carrier", &a.carrier, "sanxia-incubation-center" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		teardown();
		setup();
		replace(cases[i].s, cases[i].v);
		ck_assert_msg(cal_event_significant_change(&a, &b) == 0,
			      "%s", cases[i].name);
		ck_assert_int_eq(cal_event_any_change(&a, &b), 1);
		ck_assert_int_eq(cal_event_next_sequence(&a, &b), 4);
	}
	teardown();
	setup();
	a.capacity = 80;
	ck_assert_int_eq(cal_event_significant_change(&a, &b), 0);
	ck_assert_int_eq(cal_event_any_change(&a, &b), 1);
	a.capacity = 0;
	a.has_geo = 1;
	a.geo_lat = 30.8;
	ck_assert_int_eq(cal_event_next_sequence(&a, &b), 4);
	ck_assert_int_eq(cal_event_any_change(&a, &b), 1);
}
END_TEST

/* A cancelled occurrence is significant; an override's description
 * alone is a change but not a significant one. */
START_TEST(test_exceptions_and_sequence)
{
	struct db_override *o;

	teardown();
	make_event(&a, "FREQ=WEEKLY;COUNT=5");
	make_event(&b, "FREQ=WEEKLY;COUNT=5");
	ck_assert_int_eq(cal_event_cancel_occurrence(&a, THU + WEEK), 0);
	ck_assert_int_eq(cal_event_next_sequence(&a, &b), 5);
	db_event_release(&a);
	make_event(&a, "FREQ=WEEKLY;COUNT=5");
	o = cal_event_override_for(&a, THU + WEEK);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(cal_event_next_sequence(&a, &b), 5); /* new one */
	db_event_release(&b);
	ck_assert_int_eq(db_event_copy(&b, &a), 0);
	o->description = strdup("只改说明");
	ck_assert_int_eq(cal_event_significant_change(&a, &b), 0);
	ck_assert_int_eq(cal_event_any_change(&a, &b), 1);
	o->start_utc += 3600;
	ck_assert_int_eq(cal_event_significant_change(&a, &b), 1);
}
END_TEST

/* ---- one occurrence ---- */

START_TEST(test_find_occurrence)
{
	teardown();
	make_event(&a, "FREQ=WEEKLY;BYDAY=TH;COUNT=5");
	make_event(&b, NULL);
	ck_assert_int_eq(cal_event_find_occurrence(&a, THU), 0);
	ck_assert_int_eq(cal_event_find_occurrence(&a, THU + 4 * WEEK), 0);
	/* a Friday, a week past COUNT, a shifted hour: no occurrence */
	ck_assert_int_eq(cal_event_find_occurrence(&a, THU + 86400), -ENOENT);
	ck_assert_int_eq(cal_event_find_occurrence(&a, THU + 5 * WEEK),
			 -ENOENT);
	ck_assert_int_eq(cal_event_find_occurrence(&a, THU + 3600), -ENOENT);
	/* a single event has no occurrences to override */
	ck_assert_int_eq(cal_event_find_occurrence(&b, THU), -ENOENT);
	ck_assert_int_eq(cal_event_cancel_occurrence(&a, THU + WEEK), 0);
	ck_assert_int_eq(cal_event_find_occurrence(&a, THU + WEEK),
			 -EALREADY);
	ck_assert_int_eq(cal_event_has_exdate(&a, THU + WEEK), 1);
	ck_assert_int_eq(cal_event_has_exdate(&a, THU), 0);
}
END_TEST

START_TEST(test_override_for_and_cancel)
{
	struct db_override *o, *again;

	teardown();
	make_event(&a, "FREQ=WEEKLY;COUNT=5");
	make_event(&b, NULL);
	o = cal_event_override_for(&a, THU + 2 * WEEK);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(a.n_overrides, 1);
	ck_assert_int_eq(o->recurrence_utc, THU + 2 * WEEK);
	ck_assert_int_eq(o->start_utc, THU + 2 * WEEK);
	ck_assert_int_eq(o->end_utc, THU + 2 * WEEK + 3600);
	ck_assert_ptr_null(o->title);
	again = cal_event_override_for(&a, THU + 2 * WEEK);
	ck_assert_ptr_eq(again, o);
	ck_assert_int_eq(a.n_overrides, 1);
	/* cancelling the occurrence drops its override */
	ck_assert_int_eq(cal_event_cancel_occurrence(&a, THU + 2 * WEEK), 0);
	ck_assert_int_eq(a.n_overrides, 0);
	ck_assert_int_eq(a.n_exdates, 1);
	ck_assert_int_eq(a.exdates[0], THU + 2 * WEEK);
}
END_TEST

START_TEST(test_override_check)
{
	struct db_override o = { .recurrence_utc = THU, .start_utc = THU,
				 .end_utc = THU };
	struct cal_rule_error err;

	ck_assert_int_eq(cal_override_check(&a, &o, &err), -EINVAL);
	ck_assert_str_eq(err.field, "end");
	ck_assert_str_eq(err.detail, "must be after the start");
	o.end_utc = THU + 60;
	ck_assert_int_eq(cal_override_check(&a, &o, &err), 0);
	o.start_utc = -1;
	ck_assert_int_eq(cal_override_check(&a, &o, &err), -EINVAL);
	ck_assert_str_eq(err.field, "start");
	ck_assert_str_eq(err.detail, "must be between 1970 and 2200");
	a.all_day = 1;
	ck_assert_int_eq(cal_override_check(&a, &o, &err), -EINVAL);
	ck_assert_str_eq(err.field, "start_date");
}
END_TEST

START_TEST(test_parse_recurrence_id)
{
	int64_t t = 0;

	ck_assert_int_eq(cal_event_parse_recurrence_id(&a,
			 "2025-01-16T14:00:00+08:00", &t), 0);
	ck_assert_int_eq(t, THU + WEEK);
	t = 0;
	ck_assert_int_eq(cal_event_parse_recurrence_id(&a,
			 "20250116T060000Z", &t), 0);
	ck_assert_int_eq(t, THU + WEEK);
	/* a date: local midnight in the event's zone */
	ck_assert_int_eq(cal_event_parse_recurrence_id(&a, "2025-01-16",
						       &t), 0);
	ck_assert_int_eq(t, 1736956800);	/* 2025-01-15T16:00:00Z */
	ck_assert_int_eq(cal_event_parse_recurrence_id(&a, "next thursday",
						       &t), -EINVAL);
	ck_assert_int_eq(cal_event_parse_recurrence_id(&a, NULL, &t),
			 -EINVAL);
}
END_TEST

/* ---- exceptions follow the series ---- */

START_TEST(test_keep_exceptions_shift)
{
	struct db_override *moved, *kept;

	teardown();
	make_event(&b, "FREQ=WEEKLY;COUNT=5");
	make_event(&a, "FREQ=WEEKLY;COUNT=5");
	ck_assert_int_eq(cal_event_cancel_occurrence(&a, THU + WEEK), 0);
	moved = cal_event_override_for(&a, THU + 2 * WEEK);
	moved->start_utc += 7200;		/* moved two hours later */
	moved->end_utc += 7200;
	kept = cal_event_override_for(&a, THU + 3 * WEEK);
	kept->title = strdup("第四期");		/* kept its time */
	/* the series moves one hour later */
	a.start_utc += 3600;
	a.end_utc += 3600;
	cal_event_keep_exceptions(&a, &b);
	ck_assert_int_eq(a.n_exdates, 1);
	ck_assert_int_eq(a.exdates[0], THU + WEEK + 3600);
	ck_assert_int_eq(a.n_overrides, 2);
	ck_assert_int_eq(a.overrides[0].recurrence_utc, THU + 2 * WEEK + 3600);
	ck_assert_int_eq(a.overrides[0].start_utc, THU + 2 * WEEK + 7200);
	ck_assert_int_eq(a.overrides[1].recurrence_utc, THU + 3 * WEEK + 3600);
	ck_assert_int_eq(a.overrides[1].start_utc, THU + 3 * WEEK + 3600);
	ck_assert_int_eq(a.overrides[1].end_utc, THU + 3 * WEEK + 7200);
	ck_assert_str_eq(a.overrides[1].title, "第四期");
}
END_TEST

START_TEST(test_keep_exceptions_prune)
{
	teardown();
	make_event(&b, "FREQ=WEEKLY;COUNT=5");
	make_event(&a, "FREQ=WEEKLY;COUNT=5");
	ck_assert_int_eq(cal_event_cancel_occurrence(&a, THU + 4 * WEEK), 0);
	ck_assert_ptr_nonnull(cal_event_override_for(&a, THU + 3 * WEEK));
	ck_assert_ptr_nonnull(cal_event_override_for(&a, THU + WEEK));
	/* COUNT=3: the fourth and fifth occurrences are gone */
	replace(&a.rrule, "FREQ=WEEKLY;COUNT=3");
	cal_event_keep_exceptions(&a, &b);
	ck_assert_int_eq(a.n_exdates, 0);
	ck_assert_int_eq(a.n_overrides, 1);
	ck_assert_int_eq(a.overrides[0].recurrence_utc, THU + WEEK);
	/* no RRULE: no exception is left */
	replace(&a.rrule, NULL);
	cal_event_prune_exceptions(&a);
	ck_assert_int_eq(a.n_overrides, 0);
}
END_TEST

START_TEST(test_copy_exceptions)
{
	teardown();
	make_event(&b, "FREQ=WEEKLY;COUNT=5");
	make_event(&a, "FREQ=WEEKLY;COUNT=5");
	ck_assert_int_eq(cal_event_cancel_occurrence(&b, THU + WEEK), 0);
	ck_assert_ptr_nonnull(cal_event_override_for(&b, THU + 2 * WEEK));
	b.tzid_source = strdup("Custom Zone");
	ck_assert_int_eq(cal_event_copy_exceptions(&a, &b), 0);
	ck_assert_int_eq(a.n_exdates, 1);
	ck_assert_int_eq(a.exdates[0], THU + WEEK);
	ck_assert_int_eq(a.n_overrides, 1);
	ck_assert_ptr_null(a.tzid_source);	/* a is not in UTC */
	replace(&a.tzid, "UTC");
	ck_assert_int_eq(cal_event_copy_exceptions(&a, &b), 0);
	ck_assert_str_eq(a.tzid_source, "Custom Zone");
	ck_assert_int_eq(cal_event_any_change(&a, &b), 1);	/* tzid */
}
END_TEST

/* ---- placing times ---- */

START_TEST(test_place_timed)
{
	struct cal_time_input ti = { .has_start = 1, .start = THU + WEEK };
	struct cal_rule_error err;

	/* create without end: one hour */
	ck_assert_int_eq(cal_event_place(&a, &ti, 1, NULL, &err), 0);
	ck_assert_int_eq(a.start_utc, THU + WEEK);
	ck_assert_int_eq(a.end_utc, THU + WEEK + 3600);
	ck_assert_str_eq(a.start_date, "");
	/* PATCH of a two-hour event moving its start keeps two hours */
	b.end_utc = THU + 7200;
	ck_assert_int_eq(cal_event_place(&a, &ti, 0, &b, &err), 0);
	ck_assert_int_eq(a.end_utc, THU + WEEK + 7200);
	/* end before start */
	ti.has_end = 1;
	ti.end = THU;
	ck_assert_int_eq(cal_event_place(&a, &ti, 0, &b, &err), -EINVAL);
	ck_assert_str_eq(err.field, "end");
	ck_assert_str_eq(err.detail, "must be after start");
	ck_assert_ptr_null(err.code);
	/* create without start */
	memset(&ti, 0, sizeof(ti));
	ck_assert_int_eq(cal_event_place(&a, &ti, 1, NULL, &err), -EINVAL);
	ck_assert_str_eq(err.field, "start");
	ck_assert_str_eq(err.detail, "is required");
	/* dates on a timed event */
	ti.has_end_date = 1;
	strcpy(ti.end_date, "2025-03-02");
	ck_assert_int_eq(cal_event_place(&a, &ti, 1, NULL, &err), -EINVAL);
	ck_assert_str_eq(err.field, "end_date");
	ck_assert_str_eq(err.detail, "only all-day events take dates; set"
			 " all_day to true, or give start and end");
}
END_TEST

START_TEST(test_place_all_day)
{
	struct cal_time_input ti = { .has_start_date = 1 };
	struct cal_rule_error err;

	strcpy(ti.start_date, "2025-03-01");
	a.all_day = 1;
	ck_assert_int_eq(cal_event_place(&a, &ti, 1, NULL, &err), 0);
	ck_assert_str_eq(a.start_date, "2025-03-01");
	ck_assert_str_eq(a.end_date, "2025-03-02");
	ck_assert_int_eq(a.start_utc, 1740758400);	/* 02-28T16:00Z */
	ck_assert_int_eq(a.end_utc, 1740758400 + 86400);
	/* PATCH of a three-day event moving its start keeps three days */
	b.all_day = 1;
	b.start_utc = 1740758400;
	b.end_utc = 1740758400 + 3 * 86400;
	strcpy(ti.start_date, "2025-03-10");
	ck_assert_int_eq(cal_event_place(&a, &ti, 0, &b, &err), 0);
	ck_assert_str_eq(a.end_date, "2025-03-13");
	/* end date not after start date (exclusive) */
	ti.has_end_date = 1;
	strcpy(ti.end_date, "2025-03-10");
	ck_assert_int_eq(cal_event_place(&a, &ti, 0, &b, &err), -EINVAL);
	ck_assert_str_eq(err.field, "end_date");
	ck_assert_str_eq(err.detail, "must be after start_date (the end date"
			 " is exclusive)");
	/* a time on an all-day event */
	ti.has_start = 1;
	ck_assert_int_eq(cal_event_place(&a, &ti, 0, &b, &err), -EINVAL);
	ck_assert_str_eq(err.field, "start");
	ck_assert_str_eq(err.detail, "all-day events take start_date and"
			 " end_date");
	/* switching from timed needs a start date */
	memset(&ti, 0, sizeof(ti));
	b.all_day = 0;
	ck_assert_int_eq(cal_event_place(&a, &ti, 0, &b, &err), -EINVAL);
	ck_assert_str_eq(err.field, "start_date");
	ck_assert_str_eq(err.detail, "is required for an all-day event");
}
END_TEST

/* ---- whole-event checks ---- */

START_TEST(test_check_length)
{
	struct cal_rule_error err;

	a.end_utc = a.start_utc + CAL_EVENT_MAX_SECONDS;
	ck_assert_int_eq(cal_event_check(&a, &err), 0);
	a.end_utc++;
	ck_assert_int_eq(cal_event_check(&a, &err), -EINVAL);
	ck_assert_str_eq(err.field, "end");
	ck_assert_str_eq(err.detail, "an event lasts at most 366 days");
}
END_TEST

START_TEST(test_check_series)
{
	struct cal_rule_error err;

	/* BYDAY=TU from a Thursday: the series must start on a Tuesday */
	replace(&a.rrule, "FREQ=WEEKLY;BYDAY=TU;COUNT=4");
	ck_assert_int_eq(cal_event_check(&a, &err), -EINVAL);
	ck_assert_str_eq(err.field, "start");
	ck_assert_str_eq(err.code, "start_not_in_rule");
	/* a DATE UNTIL on a timed series: the end of that day, in UTC */
	replace(&a.rrule, "FREQ=WEEKLY;UNTIL=20250301");
	ck_assert_int_eq(cal_event_check(&a, &err), 0);
	ck_assert_str_eq(a.rrule, "FREQ=WEEKLY;UNTIL=20250301T155959Z");
	/* DAILY until 2199 is more than CAL_RECUR_MAX_OCCURRENCES */
	replace(&a.rrule, "FREQ=DAILY;UNTIL=21991231T000000Z");
	ck_assert_int_eq(cal_event_check(&a, &err), -EINVAL);
	ck_assert_str_eq(err.field, "rrule");
}
END_TEST

START_TEST(test_limits_and_status)
{
	ck_assert_int_eq(cal_event_instant_ok(-1), 0);
	ck_assert_int_eq(cal_event_instant_ok(0), 1);
	ck_assert_int_eq(cal_event_instant_ok(7289654399LL), 1);
	ck_assert_int_eq(cal_event_instant_ok(7289654400LL), 0);
	ck_assert_int_eq(cal_event_status_valid("TENTATIVE"), 1);
	ck_assert_int_eq(cal_event_status_valid("CONFIRMED"), 1);
	ck_assert_int_eq(cal_event_status_valid("CANCELLED"), 1);
	ck_assert_int_eq(cal_event_status_valid("confirmed"), 0);
	ck_assert_int_eq(cal_event_status_valid("CANCELED"), 0);
	ck_assert_int_eq(cal_event_status_valid(NULL), 0);
}
END_TEST

static Suite *
event_rules_suite(void)
{
	Suite *s = suite_create("event_rules");

	ck_add(s, "no_change", test_no_change, setup, teardown);
	ck_add(s, "significant_fields", test_significant_fields, setup,
	       teardown);
	ck_add(s, "insignificant_fields", test_insignificant_fields, setup,
	       teardown);
	ck_add(s, "exceptions_and_sequence", test_exceptions_and_sequence,
	       setup, teardown);
	ck_add(s, "find_occurrence", test_find_occurrence, setup, teardown);
	ck_add(s, "override_for_and_cancel", test_override_for_and_cancel,
	       setup, teardown);
	ck_add(s, "override_check", test_override_check, setup, teardown);
	ck_add(s, "parse_recurrence_id", test_parse_recurrence_id, setup,
	       teardown);
	ck_add(s, "keep_exceptions_shift", test_keep_exceptions_shift, setup,
	       teardown);
	ck_add(s, "keep_exceptions_prune", test_keep_exceptions_prune, setup,
	       teardown);
	ck_add(s, "copy_exceptions", test_copy_exceptions, setup, teardown);
	ck_add(s, "place_timed", test_place_timed, setup, teardown);
	ck_add(s, "place_all_day", test_place_all_day, setup, teardown);
	ck_add(s, "check_length", test_check_length, setup, teardown);
	ck_add(s, "check_series", test_check_series, setup, teardown);
	ck_add(s, "limits_and_status", test_limits_and_status, setup,
	       teardown);
	return s;
}

int
main(void)
{
	return ck_main(event_rules_suite());
}
