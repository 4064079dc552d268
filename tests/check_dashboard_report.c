/*
 * check_dashboard_report: what the leaders' dashboard needs from the
 * cadence report (service/report.h, calendar/cadence.h): rows for the
 * district, every region, partner region and carrier for every rule
 * (by=all); backfilled events (补录) counted apart as held_late; periods
 * before tracking_since untracked, not missed; the database's creation as
 * the default start of tracking; the Chinese CSV. A real SQLite database
 * (":memory:" through db_open(), migrations and annex seed applied);
 * every instant a literal with its local time in the comment.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "calendar/cadence.h"
#include "calendar/caltime.h"
#include "check_util.h"
#include "db/db.h"
#include "service/report.h"

#define HOUR	((int64_t)3600)

#define T_2025_01_05_1000	1736042400	/* 2025-01-05T10:00+08:00 */
#define T_2025_02_10_1000	1739152800	/* 2025-02-10T10:00+08:00 */
#define T_2025_02_12_1000	1739325600	/* 2025-02-12T10:00+08:00 */
#define T_2025_03_01		1740758400	/* 2025-03-01T00:00+08:00 */
#define T_2025_03_10_1000	1741572000	/* 2025-03-10T10:00+08:00 */
#define T_2025_04_15_1200	1744689600	/* 2025-04-15T12:00+08:00 */
#define T_2025_05_20_1400	1747720800	/* 2025-05-20T14:00+08:00 */

static struct db *db;
static struct cal_report rep;

static void
setup(void)
{
	cal_init();
	db = NULL;
	memset(&rep, 0, sizeof(rep));
	ck_assert_int_eq(db_open(":memory:", T_2025_01_05_1000, &db), 0);
}

static void
teardown(void)
{
	cal_report_release(&rep);
	db_close(db);
	db = NULL;
}

static char *
xstrdup(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	ck_assert_ptr_nonnull(d);
	return d;
}

/* Insert a two-hour event recorded at `at`; partner NULL or one slug. */
static int64_t
insert(const char *uid, const char *kind, int64_t start, const char *carrier,
       const char *status, const char *partner, int64_t at)
{
	struct db_event ev;
	int64_t id = 0;

	memset(&ev, 0, sizeof(ev));
	ev.uid = xstrdup(uid);
	ev.kind = xstrdup(kind);
	ev.title = xstrdup(uid);
	ev.start_utc = start;
	ev.end_utc = start + 2 * HOUR;
	ev.tzid = xstrdup("Asia/Shanghai");
	ev.status = xstrdup(status);
	ev.carrier = xstrdup(carrier);
	if (partner) {
		ev.partner_regions = calloc(1, sizeof(char *));
		ck_assert_ptr_nonnull(ev.partner_regions);
		ev.partner_regions[0] = xstrdup(partner);
		ev.n_partner_regions = 1;
	}
	ck_assert_int_eq(db_event_insert(db, &ev, "test", at, &id), 0);
	db_event_release(&ev);
	return id;
}

/* Move event id to start at `start`, at `at`. */
static void
move(int64_t id, int64_t start, int64_t at)
{
	struct db_event ev;

	ck_assert_int_eq(db_event_get(db, id, &ev), 0);
	ev.start_utc = start;
	ev.end_utc = start + 2 * HOUR;
	ck_assert_int_eq(db_event_update(db, &ev, 0, "test", at), 0);
	db_event_release(&ev);
}

static void
build(const char *by, int has_tracking, int64_t since, int64_t as_of)
{
	struct cal_report_query q;

	cal_report_release(&rep);
	ck_assert_int_eq(cal_report_query_year(&q, 2025), 0);
	q.as_of_utc = as_of;
	q.by = by;
	q.has_tracking = has_tracking;
	q.tracking_since_utc = since;
	ck_assert_int_eq(cal_report_build(db, &q, &rep), 0);
}

static const struct cal_cadence_row *
row(const char *rule, const char *scope, const char *period)
{
	size_t i;

	for (i = 0; i < rep.report.n; i++) {
		const struct cal_cadence_row *r = &rep.report.rows[i];

		if (strcmp(cal_report_rule(&rep, r)->id, rule) == 0 &&
		    strcmp(r->scope, scope) == 0 &&
		    strcmp(r->period, period) == 0)
			return r;
	}
	ck_abort_msg("no row %s %s %s", rule, scope, period);
	return NULL;
}

/* "met 1/0" : status, held, held_late of a row */
static void
assert_row(const char *rule, const char *scope, const char *period,
	   const char *status, int64_t held, int64_t held_late,
	   int64_t scheduled, int64_t tentative)
{
	const struct cal_cadence_row *r = row(rule, scope, period);

	ck_assert_str_eq(cal_cadence_status_name(r->status), status);
	ck_assert_int_eq(r->held, held);
	ck_assert_int_eq(r->held_late, held_late);
	ck_assert_int_eq(r->scheduled, scheduled);
	ck_assert_int_eq(r->tentative, tentative);
}

/* Created in time vs backfilled after the month ended: held_late. */
START_TEST(test_held_late)
{
	json_t *doc, *p;
	size_t i;

	insert("in-time", "roadshow", T_2025_02_10_1000, "pinghu-maker-space",
	       "CONFIRMED", NULL, T_2025_01_05_1000);
	insert("late", "roadshow", T_2025_03_10_1000, "pinghu-maker-space",
	       "CONFIRMED", NULL, T_2025_04_15_1200);
	build(NULL, 0, 0, T_2025_04_15_1200);
	assert_row("monthly-roadshow", "district", "2025-02", "met", 1, 0, 0,
		   0);
	assert_row("monthly-roadshow", "district", "2025-03", "met", 1, 1, 0,
		   0);
	/* for the quarter, the March record is also late (Q1 ended) */
	build("district", 0, 0, T_2025_04_15_1200);
	ck_assert_int_eq(row("monthly-roadshow", "district", "2025-03")
			 ->held_late, 1);
	doc = svc_report_json(&rep);
	ck_assert_ptr_nonnull(doc);
	json_array_foreach(json_object_get(doc, "periods"), i, p) {
		if (strcmp(json_string_value(json_object_get(p, "period")),
			   "2025-03") == 0) {
			ck_assert_int_eq(json_integer_value(json_object_get(
					 p, "held_late")), 1);
			ck_assert(json_is_true(json_object_get(json_array_get(
				  json_object_get(p, "events"), 0),
				  "recorded_late")));
		}
		if (strcmp(json_string_value(json_object_get(p, "period")),
			   "2025-02") == 0)
			ck_assert(json_is_false(json_object_get(json_array_get(
				  json_object_get(p, "events"), 0),
				  "recorded_late")));
	}
	json_decref(doc);
	ck_assert_int_eq(cal_recorded_late_month(T_2025_04_15_1200,
						 T_2025_03_10_1000), 1);
	ck_assert_int_eq(cal_recorded_late_month(T_2025_03_01,
						 T_2025_02_10_1000), 1);
	ck_assert_int_eq(cal_recorded_late_month(T_2025_03_01 - 1,
						 T_2025_02_10_1000), 0);
}
END_TEST

/* Moving an event into an ended month after it ended makes it late;
 * moving it within its month keeps the record's date. */
START_TEST(test_moved_in_late)
{
	int64_t a, b;
	struct db_event ev;

	a = insert("a", "roadshow", T_2025_05_20_1400, "pinghu-maker-space",
		   "CONFIRMED", NULL, T_2025_01_05_1000);
	b = insert("b", "roadshow", T_2025_02_10_1000, "pinghu-maker-space",
		   "CONFIRMED", NULL, T_2025_01_05_1000);
	move(a, T_2025_03_10_1000, T_2025_04_15_1200);	/* May -> March */
	move(b, T_2025_02_12_1000, T_2025_04_15_1200);	/* within February */
	ck_assert_int_eq(db_event_get(db, a, &ev), 0);
	ck_assert_int_eq(ev.placed_utc, T_2025_04_15_1200);
	db_event_release(&ev);
	ck_assert_int_eq(db_event_get(db, b, &ev), 0);
	ck_assert_int_eq(ev.placed_utc, T_2025_01_05_1000);
	db_event_release(&ev);
	build(NULL, 0, 0, T_2025_04_15_1200);
	assert_row("monthly-roadshow", "district", "2025-02", "met", 1, 0, 0,
		   0);
	assert_row("monthly-roadshow", "district", "2025-03", "met", 1, 1, 0,
		   0);
	assert_row("monthly-roadshow", "district", "2025-05", "open", 0, 0, 0,
		   0);
}
END_TEST

/* Before tracking_since a period that falls short is untracked; a period
 * met by a (backfilled) record stays met; later ones are judged. */
START_TEST(test_untracked)
{
	json_t *doc, *sum;

	insert("feb", "roadshow", T_2025_02_10_1000, NULL, "CONFIRMED", NULL,
	       T_2025_04_15_1200);
	build(NULL, 1, T_2025_03_01, T_2025_04_15_1200);
	assert_row("monthly-roadshow", "district", "2025-01", "untracked", 0,
		   0, 0, 0);
	assert_row("monthly-roadshow", "district", "2025-02", "met", 1, 1, 0,
		   0);
	assert_row("monthly-roadshow", "district", "2025-03", "missed", 0, 0,
		   0, 0);
	assert_row("monthly-roadshow", "district", "2025-04", "at_risk", 0, 0,
		   0, 0);
	/* Q1 began before tracking: untracked; the year is still running */
	assert_row("quarterly-event", "district", "2025-Q1", "untracked", 0,
		   0, 0, 0);
	assert_row("yearly-competition", "district", "2025", "at_risk", 0, 0,
		   0, 0);
	ck_assert_uint_eq(cal_report_missed(&rep), 1);
	doc = svc_report_json(&rep);
	sum = json_object_get(doc, "summary");
	ck_assert_int_eq(json_integer_value(json_object_get(sum, "untracked")),
			 2);
	ck_assert_int_eq(json_integer_value(json_object_get(sum, "missed")),
			 1);
	ck_assert_str_eq(json_string_value(json_object_get(doc,
			 "tracking_since")), "2025-03-01");
	json_decref(doc);
	/* without tracking, the same periods are missed */
	build(NULL, 0, 0, T_2025_04_15_1200);
	assert_row("monthly-roadshow", "district", "2025-01", "missed", 0, 0,
		   0, 0);
	assert_row("quarterly-event", "district", "2025-Q1", "missed", 0, 0,
		   0, 0);
}
END_TEST

/* by=all: every rule judged for the district, each region, each partner
 * region and each carrier, in that order, without extra rules. */
START_TEST(test_rows_per_scope)
{
	const char *order[] = { "district", "region:wanzhou-jingkaiqu",
				"partner:dazhou", "carrier:pinghu-maker-space" };
	size_t i, k = 0, n_district = 0;
	json_t *sum;

	insert("may", "roadshow", T_2025_05_20_1400, "pinghu-maker-space",
	       "CONFIRMED", "dazhou", T_2025_01_05_1000);
	insert("may-t", "roadshow", T_2025_05_20_1400, "taiyangniao-maker-space",
	       "TENTATIVE", NULL, T_2025_01_05_1000);
	build("all", 0, 0, T_2025_04_15_1200);
	/* 3 rules x (1 + 9 regions + 4 partners + 22 carriers) x 17 */
	ck_assert_uint_eq(rep.report.n, 36 * 17);
	for (i = 0; i < rep.report.n; i++) {
		if (k < 4 && strcmp(rep.report.rows[i].scope, order[k]) == 0)
			k++;
		if (strcmp(rep.report.rows[i].scope, "district") == 0)
			n_district++;
	}
	ck_assert_uint_eq(k, 4);		/* in that order */
	ck_assert_uint_eq(n_district, 17);
	ck_assert_str_eq(rep.report.rows[0].scope, "district");
	ck_assert_str_eq(rep.report.rows[12].scope, "region:wanzhou-jingkaiqu");
	ck_assert_int_eq(rep.report.rows[12].scope_kind, CAL_SCOPE_KIND_REGION);
	assert_row("monthly-roadshow", "district", "2025-05", "scheduled", 0,
		   0, 2, 1);
	assert_row("monthly-roadshow", "region:wanzhou-jingkaiqu", "2025-05",
		   "scheduled", 0, 0, 1, 0);
	assert_row("monthly-roadshow", "region:baianba", "2025-05",
		   "scheduled", 0, 0, 1, 1);
	assert_row("monthly-roadshow", "partner:dazhou", "2025-05",
		   "scheduled", 0, 0, 1, 0);
	assert_row("monthly-roadshow", "partner:kaizhou", "2025-05", "open",
		   0, 0, 0, 0);
	assert_row("monthly-roadshow", "carrier:pinghu-maker-space", "2025-05",
		   "scheduled", 0, 0, 1, 0);
	assert_row("monthly-roadshow", "carrier:taiyangniao-maker-space",
		   "2025-05", "scheduled", 0, 0, 1, 1);
	assert_row("monthly-roadshow", "carrier:longteng-maker-space",
		   "2025-05", "open", 0, 0, 0, 0);
	/* each version is listed once among the rules */
	{
		json_t *doc = svc_report_json(&rep);

		ck_assert_uint_eq(json_array_size(json_object_get(doc,
				  "rules")), 3);
		json_decref(doc);
	}
	sum = svc_report_summary_json(&rep);
	ck_assert_uint_eq(json_array_size(json_object_get(sum, "items")),
			  36 * 3);
	json_decref(sum);
}
END_TEST

/* The Chinese CSV: BOM, headers, names, held_late and tentative. */
START_TEST(test_csv_zh)
{
	char *csv;

	insert("feb", "roadshow", T_2025_02_10_1000, "pinghu-maker-space",
	       "CONFIRMED", "dazhou", T_2025_04_15_1200);
	build("all", 1, T_2025_03_01, T_2025_04_15_1200);
	csv = svc_report_csv_zh(&rep);
	ck_assert_ptr_nonnull(csv);
	ck_assert_int_eq(strncmp(csv, "\xEF\xBB\xBF规则,规则名称,范围,范围名称,周期,"
				 "开始,结束,状态,已举办,其中补录,已排期,其中待定,"
				 "至少,剩余天数\r\n", strlen("\xEF\xBB\xBF规则,"
				 "规则名称,范围,范围名称,周期,开始,结束,状态,已举办,"
				 "其中补录,已排期,其中待定,至少,剩余天数\r\n")),
			 0);
	ck_assert_ptr_nonnull(strstr(csv, "\r\nmonthly-roadshow,月月有路演,"
				     "district,全区,2025-01,2025-01-01,"
				     "2025-01-31,无记录,0,0,0,0,1,\r\n"));
	ck_assert_ptr_nonnull(strstr(csv, "\r\nmonthly-roadshow,月月有路演,"
				     "partner:dazhou,达州市,2025-02,2025-02-01,"
				     "2025-02-28,已达成,1,1,0,0,1,\r\n"));
	ck_assert_ptr_nonnull(strstr(csv, "\r\nmonthly-roadshow,月月有路演,"
				     "carrier:pinghu-maker-space,平湖众创空间,"
				     "2025-04,2025-04-01,2025-04-30,有风险,0,0,"
				     "0,0,1,16\r\n"));
	free(csv);
}
END_TEST

/* The database's creation is stored once: the default tracking start. */
START_TEST(test_created_and_tracking_since)
{
	int64_t t = 0;

	ck_assert_int_eq(db_created_utc(db, T_2025_04_15_1200, &t), 0);
	ck_assert_int_eq(t, T_2025_04_15_1200);		/* first call stores */
	ck_assert_int_eq(db_created_utc(db, T_2025_05_20_1400, &t), 0);
	ck_assert_int_eq(t, T_2025_04_15_1200);		/* then it stays */
	ck_assert_int_eq(cal_tracking_since(db, NULL, T_2025_05_20_1400, &t),
			 0);
	ck_assert_int_eq(t, T_2025_04_15_1200);
	ck_assert_int_eq(cal_tracking_since(db, "2025-03-01", 0, &t), 0);
	ck_assert_int_eq(t, T_2025_03_01);
	ck_assert_int_eq(cal_tracking_since(db, "2025-13-01", 0, &t),
			 -EINVAL);
	ck_assert_int_eq(cal_tracking_since(db, "yesterday", 0, &t), -EINVAL);
}
END_TEST

/* One occurrence naming a partner twice counts once for it. */
START_TEST(test_partner_listed_twice)
{
	const char *const partners[] = { "dazhou", "dazhou" };
	const char *const plist[] = { "dazhou", "kaizhou" };
	struct cal_occurrence o = {
		.event_id = 1, .start_utc = T_2025_02_10_1000,
		.kind = "roadshow", .status = "CONFIRMED",
		.partner_regions = partners, .n_partner_regions = 2,
	};
	struct cal_rule r = { .id = "p", .kinds = "roadshow",
			      .period = CAL_PERIOD_MONTH, .min_count = 1,
			      .scope = CAL_SCOPE_KIND_PARTNER };
	struct cal_scope_set ss = { .partners = plist, .n_partners = 2 };
	struct cal_cadence_report out;

	ck_assert_int_eq(cal_cadence_evaluate_opts(&r, 1, &o, 1, &ss, 2025,
						   T_2025_04_15_1200, NULL,
						   &out), 0);
	ck_assert_uint_eq(out.n, 24);
	ck_assert_str_eq(out.rows[1].scope, "partner:dazhou");
	ck_assert_int_eq(out.rows[1].held, 1);
	ck_assert_uint_eq(out.rows[1].n_events, 1);
	ck_assert_str_eq(out.rows[13].scope, "partner:kaizhou");
	ck_assert_int_eq(out.rows[13].held, 0);
	ck_assert_int_eq(out.rows[13].scope_index, 1);
	cal_cadence_report_release(&out);
}
END_TEST

static Suite *
dashboard_report_suite(void)
{
	Suite *s = suite_create("dashboard_report");

	ck_add(s, "held_late", test_held_late, setup, teardown);
	ck_add(s, "moved_in_late", test_moved_in_late, setup, teardown);
	ck_add(s, "untracked", test_untracked, setup, teardown);
	ck_add(s, "rows_per_scope", test_rows_per_scope, setup, teardown);
	ck_add(s, "csv_zh", test_csv_zh, setup, teardown);
	ck_add(s, "created_and_tracking_since",
	       test_created_and_tracking_since, setup, teardown);
	ck_add(s, "partner_listed_twice", test_partner_listed_twice, setup,
	       teardown);
	return s;
}

int
main(void)
{
	return ck_main(dashboard_report_suite());
}
