/*
 * check_report_range: the cadence report over a range of periods that is
 * not one calendar year (cal_report_build() and the pure
 * cal_cadence_evaluate_range()), with a fixed as_of. Every status, count
 * and row is asserted exactly.
 */
#include "check_util.h"
#include "report_fixture.h"
#include "db/admin_store.h"

#define T_2025_10_20_1000	1760925600	/* 2025-10-20T10:00+08:00 */
#define T_2025_11_01		1761926400	/* 2025-11-01T00:00+08:00 */
#define T_2025_11_10_1000	1762740000	/* 2025-11-10T10:00+08:00 */
#define T_2025_12_01		1764518400	/* 2025-12-01T00:00+08:00 */
#define T_2026_01_05_1000	1767578400	/* 2026-01-05T10:00+08:00 */
#define T_2026_01_15_1200	1768449600	/* 2026-01-15T12:00+08:00 */
#define T_2026_01_20_1000	1768874400	/* 2026-01-20T10:00+08:00 */
#define T_2026_02_01		1769875200	/* 2026-02-01T00:00+08:00 */
#define T_2026_03_01		1772294400	/* 2026-03-01T00:00+08:00 */
#define T_2026_03_02_1000	1772416800	/* 2026-03-02T10:00+08:00 */

/* Build the report of [from, to) as of as_of into rep. */
static void
build_range(int64_t from, int64_t to, int64_t as_of, const char *rule,
	    const char *by)
{
	struct cal_report_query q;

	cal_report_release(&rep);
	memset(&q, 0, sizeof(q));
	q.from_utc = from;
	q.to_utc = to;
	q.as_of_utc = as_of;
	q.rule_id = rule;
	q.by = by;
	ck_assert_int_eq(cal_report_build(db, &q, &rep), 0);
}

/*
 * 2025-11 .. 2026-02 as of 2026-01-15 12:00: November held its roadshow,
 * December had none, January's TENTATIVE roadshow of the 5th has passed
 * (neither held nor scheduled) but a CONFIRMED one comes on the 20th,
 * February has nothing yet. October's and March's events are outside.
 */
START_TEST(test_months_across_new_year)
{
	static const char *const want[4] = {
		"2025-11", "2025-12", "2026-01", "2026-02",
	};
	static const int64_t starts[4] = {
		T_2025_11_01, T_2025_12_01, T_2026_01_01, T_2026_02_01,
	};
	size_t i;

	add_event("oct", "roadshow", T_2025_10_20_1000, NULL);
	add_event("nov", "roadshow", T_2025_11_10_1000, NULL);
	add_event_status("jan-tentative", "roadshow", T_2026_01_05_1000,
			 "TENTATIVE");
	add_event("jan-confirmed", "roadshow", T_2026_01_20_1000, NULL);
	add_event("mar", "roadshow", T_2026_03_02_1000, NULL);

	build_range(T_2025_11_01, T_2026_03_01, T_2026_01_15_1200,
		    "monthly-roadshow", NULL);
	ck_assert_uint_eq(rep.report.n, 4);
	for (i = 0; i < 4; i++) {
		ck_assert_str_eq(rep.report.rows[i].period, want[i]);
		ck_assert_str_eq(rep.report.rows[i].scope, "district");
		ck_assert_int_eq(rep.report.rows[i].start_utc, starts[i]);
	}
	ck_assert_int_eq(rep.report.rows[3].end_utc, T_2026_03_01);
	assert_month("2025-11", "met", 1, 0);
	assert_month("2025-12", "missed", 0, 0);
	assert_month("2026-01", "scheduled", 0, 1);
	assert_month("2026-02", "open", 0, 0);
	ck_assert_str_eq(rep.occ[rep.report.rows[0].events[0]].title, "nov");
	ck_assert_str_eq(rep.occ[rep.report.rows[2].events[0]].title,
			 "jan-confirmed");
	ck_assert_uint_eq(cal_report_missed(&rep), 1);
	ck_assert_int_eq(cal_report_single_year(&rep.q), 0);
	ck_assert_int_eq(cal_report_days_left(&rep.report.rows[2],
					      T_2026_01_15_1200), 17);
}
END_TEST

/* All three default rules over the same range: a period is in the range
 * when it starts there, so Q4 2025 and the year 2025 (begun before
 * 2025-11-01) have no row, Q1 2026 and 2026 have one each. */
START_TEST(test_all_rules_across_new_year)
{
	add_event("nov-salon", "salon", T_2025_11_10_1000, NULL);
	add_event("jan-forum", "forum", T_2026_01_05_1000, NULL);

	build_range(T_2025_11_01, T_2026_03_01, T_2026_01_15_1200, NULL,
		    NULL);
	ck_assert_uint_eq(rep.report.n, 6);
	ck_assert_uint_eq(rows_of("monthly-roadshow"), 4);
	ck_assert_uint_eq(rows_of("quarterly-event"), 1);
	ck_assert_uint_eq(rows_of("yearly-competition"), 1);
	/* rows in rule order (as seeded), then period */
	ck_assert_str_eq(cal_report_rule(&rep, &rep.report.rows[0])->id,
			 "monthly-roadshow");
	ck_assert_str_eq(rep.report.rows[4].period, "2026-Q1");
	ck_assert_str_eq(rep.report.rows[5].period, "2026");
	assert_month("2025-11", "missed", 0, 0);
	assert_month("2025-12", "missed", 0, 0);
	assert_month("2026-01", "at_risk", 0, 0);
	assert_month("2026-02", "open", 0, 0);
	assert_row("quarterly-event", "district", "2026-Q1", "met", 1, 0, 1);
	assert_row("yearly-competition", "district", "2026", "at_risk", 0, 0,
		   1);
	ck_assert_uint_eq(cal_report_missed(&rep), 2);
}
END_TEST

/* A carrier retired from 2026-01-01 is judged up to then: its rows stop
 * at December, while another carrier keeps all four months. */
START_TEST(test_retired_carrier_rows_end)
{
	struct db_carrier c;
	char *keep;
	size_t i, n_retired = 0, n_other = 0;

	ck_assert_int_eq(db_carrier_get(db, "pinghu-maker-space", &c), 0);
	keep = c.retired_from;
	c.retired_from = (char *)"2026-01-01";
	ck_assert_int_eq(db_carrier_update(db, &c), 0);
	c.retired_from = keep;
	db_carrier_release(&c);
	add_event("pinghu-nov", "roadshow", T_2025_11_10_1000,
		  "pinghu-maker-space");

	build_range(T_2025_11_01, T_2026_03_01, T_2026_01_15_1200,
		    "monthly-roadshow", "carrier");
	assert_row("monthly-roadshow", "carrier:pinghu-maker-space",
		   "2025-11", "met", 1, 0, 1);
	assert_row("monthly-roadshow", "carrier:pinghu-maker-space",
		   "2025-12", "missed", 0, 0, 1);
	assert_row("monthly-roadshow", "carrier:longteng-maker-space",
		   "2026-01", "at_risk", 0, 0, 1);
	for (i = 0; i < rep.report.n; i++) {
		if (strcmp(rep.report.rows[i].scope,
			   "carrier:pinghu-maker-space") == 0)
			n_retired++;
		else if (strcmp(rep.report.rows[i].scope,
				"carrier:longteng-maker-space") == 0)
			n_other++;
	}
	ck_assert_uint_eq(n_retired, 2);
	ck_assert_uint_eq(n_other, 4);
}
END_TEST

/* Periods before tracking began that fall short are untracked, not
 * missed; the range's later ones are judged as usual. */
START_TEST(test_tracking_since_in_range)
{
	struct cal_report_query q;

	memset(&q, 0, sizeof(q));
	q.from_utc = T_2025_11_01;
	q.to_utc = T_2026_03_01;
	q.as_of_utc = T_2026_01_15_1200;
	q.rule_id = "monthly-roadshow";
	q.has_tracking = 1;
	ck_assert_int_eq(cal_tracking_since(db, "2025-12-01", NOW,
					    &q.tracking_since_utc), 0);
	ck_assert_int_eq(q.tracking_since_utc, T_2025_12_01);
	ck_assert_int_eq(cal_report_build(db, &q, &rep), 0);
	assert_month("2025-11", "untracked", 0, 0);
	assert_month("2025-12", "missed", 0, 0);
	assert_month("2026-01", "at_risk", 0, 0);
	ck_assert_uint_eq(cal_report_missed(&rep), 1);
}
END_TEST

/* The pure evaluation: rows of two versions of one rule (equal rank)
 * merge into one group in period order; occurrences need not be sorted;
 * a range over 51 years or empty is refused. */
START_TEST(test_evaluate_range_pure)
{
	struct cal_rule rules[2] = {
		{ .id = "r", .kinds = "roadshow", .period = CAL_PERIOD_MONTH,
		  .min_count = 1, .scope = CAL_SCOPE_KIND_DISTRICT,
		  .active_to_utc = T_2026_01_01 },
		{ .id = "r", .kinds = "roadshow", .period = CAL_PERIOD_MONTH,
		  .min_count = 2, .scope = CAL_SCOPE_KIND_DISTRICT,
		  .active_from_utc = T_2026_01_01 },
	};
	static const size_t rank[2] = { 0, 0 };
	struct cal_occurrence occ[2];
	struct cal_cadence_opts opts = { 0, 0, rank };
	struct cal_cadence_report out;

	memset(occ, 0, sizeof(occ));
	occ[0].event_id = 2;
	occ[0].start_utc = T_2026_01_20_1000;
	occ[0].kind = "roadshow";
	occ[0].status = "CONFIRMED";
	occ[1].event_id = 1;
	occ[1].start_utc = T_2025_11_10_1000;
	occ[1].kind = "roadshow";
	occ[1].status = "CONFIRMED";
	ck_assert_int_eq(cal_cadence_evaluate_range(rules, 2, occ, 2, NULL,
			 T_2025_11_01, T_2026_03_01, T_2026_03_01, &opts,
			 &out), 0);
	ck_assert_uint_eq(out.n, 4);
	ck_assert_str_eq(out.rows[0].period, "2025-11");
	ck_assert_uint_eq(out.rows[0].rule, 0);
	ck_assert_str_eq(cal_cadence_status_name(out.rows[0].status), "met");
	ck_assert_uint_eq(out.rows[0].events[0], 1);	/* index into occ */
	ck_assert_str_eq(out.rows[1].period, "2025-12");
	ck_assert_str_eq(cal_cadence_status_name(out.rows[1].status),
			 "missed");
	ck_assert_str_eq(out.rows[2].period, "2026-01");
	ck_assert_uint_eq(out.rows[2].rule, 1);
	ck_assert_int_eq(out.rows[2].held, 1);		/* min 2 now */
	ck_assert_str_eq(cal_cadence_status_name(out.rows[2].status),
			 "missed");
	ck_assert_uint_eq(out.rows[2].events[0], 0);
	ck_assert_str_eq(out.rows[3].period, "2026-02");
	cal_cadence_report_release(&out);

	ck_assert_int_eq(cal_cadence_evaluate_range(rules, 2, occ, 2, NULL,
			 T_2026_03_01, T_2026_03_01, T_2026_03_01, &opts,
			 &out), -EINVAL);
	ck_assert_ptr_null(out.rows);
	ck_assert_int_eq(cal_cadence_evaluate_range(rules, 2, occ, 2, NULL,
			 T_2024_01_01, T_2024_01_01 + (int64_t)53 * 366 * DAY,
			 T_2026_03_01, &opts, &out), -EINVAL);
}
END_TEST

/* A retired carrier's end in the scope set, for the pure evaluation. */
START_TEST(test_evaluate_range_carrier_until)
{
	struct cal_rule rule = {
		.id = "r", .kinds = "roadshow", .period = CAL_PERIOD_MONTH,
		.min_count = 1, .scope = CAL_SCOPE_KIND_CARRIER,
	};
	static const char *const carriers[2] = { "a", "b" };
	static const int64_t until[2] = { T_2025_12_01, INT64_MAX };
	struct cal_scope_set ss;
	struct cal_cadence_report out;

	memset(&ss, 0, sizeof(ss));
	ss.carriers = carriers;
	ss.n_carriers = 2;
	ss.carrier_until_utc = until;
	ck_assert_int_eq(cal_cadence_evaluate_range(&rule, 1, NULL, 0, &ss,
			 T_2025_11_01, T_2026_01_01, T_2026_03_01, NULL,
			 &out), 0);
	ck_assert_uint_eq(out.n, 3);
	ck_assert_str_eq(out.rows[0].scope, "carrier:a");
	ck_assert_str_eq(out.rows[0].period, "2025-11");
	ck_assert_str_eq(out.rows[1].scope, "carrier:b");
	ck_assert_str_eq(out.rows[1].period, "2025-11");
	ck_assert_str_eq(out.rows[2].scope, "carrier:b");
	ck_assert_str_eq(out.rows[2].period, "2025-12");
	cal_cadence_report_release(&out);
}
END_TEST


START_TEST(test_range_rows_match_year)
{
	struct {
		int64_t from, to;
	} ranges[] = {
		{ T_2025_01_01, T_2025_04_01 },		/* Q1 */
		{ T_2025_01_01, T_2025_03_16 },		/* to mid-March */
		{ T_2025_04_01, T_2025_05_01 },		/* April */
	};
	size_t k, i, j;

	add_event("jan-roadshow", "roadshow", T_2025_01_15_1000, NULL);
	add_event("feb-salon", "salon", T_2025_02_20_1000, NULL);
	add_event("mar-roadshow", "roadshow", T_2025_03_31_2359, NULL);
	add_event("jun-competition", "competition", T_2025_06_15_1000,
		  NULL);

	build_year(2025, T_2026_01_10, NULL, NULL);
	assert_row("yearly-competition", "district", "2025", "met", 1, 0, 1);
	assert_row("quarterly-event", "district", "2025-Q1", "met", 1, 0, 1);
	year_rep = rep;			/* keep it; rep is rebuilt below */
	memset(&rep, 0, sizeof(rep));
	for (k = 0; k < sizeof(ranges) / sizeof(ranges[0]); k++) {
		struct cal_report_query q;

		cal_report_release(&rep);
		memset(&q, 0, sizeof(q));
		q.from_utc = ranges[k].from;
		q.to_utc = ranges[k].to;
		q.as_of_utc = T_2026_01_10;
		ck_assert_int_eq(cal_report_build(db, &q, &rep), 0);
		ck_assert_uint_gt(rep.report.n, 0);
		for (i = 0; i < rep.report.n; i++) {
			const struct cal_cadence_row *r = &rep.report.rows[i];
			const struct cal_cadence_row *y = NULL;

			ck_assert_int_ge(r->start_utc, ranges[k].from);
			ck_assert_int_lt(r->start_utc, ranges[k].to);
			for (j = 0; j < year_rep.report.n; j++)
				if (strcmp(year_rep.report.rows[j].period,
					   r->period) == 0 &&
				    strcmp(year_rep.report.rows[j].scope,
					   r->scope) == 0 &&
				    strcmp(cal_report_rule(&year_rep,
					   &year_rep.report.rows[j])->id,
					   cal_report_rule(&rep, r)->id) == 0)
					y = &year_rep.report.rows[j];
			ck_assert_ptr_nonnull(y);
			ck_assert_msg(r->status == y->status &&
				      r->held == y->held &&
				      r->scheduled == y->scheduled,
				      "range %zu, %s %s: %s held %lld sched %lld"
				      " in the range report, %s held %lld sched"
				      " %lld in the year report", k,
				      cal_report_rule(&rep, r)->id, r->period,
				      cal_cadence_status_name(r->status),
				      (long long)r->held,
				      (long long)r->scheduled,
				      cal_cadence_status_name(y->status),
				      (long long)y->held,
				      (long long)y->scheduled);
		}
	}
}
END_TEST

static Suite *
range_suite(void)
{
	Suite *s = suite_create("report_range");

	ck_add(s, "months_across_new_year", test_months_across_new_year, setup,
	       teardown);
	ck_add(s, "all_rules_across_new_year", test_all_rules_across_new_year,
	       setup, teardown);
	ck_add(s, "retired_carrier_rows_end", test_retired_carrier_rows_end,
	       setup, teardown);
	ck_add(s, "tracking_since_in_range", test_tracking_since_in_range,
	       setup, teardown);
	ck_add(s, "evaluate_range_pure", test_evaluate_range_pure, setup,
	       teardown);
	ck_add(s, "evaluate_range_carrier_until",
	       test_evaluate_range_carrier_until, setup, teardown);
	ck_add(s, "range_rows_match_year", test_range_rows_match_year, setup,
	       teardown);
	return s;
}

int
main(void)
{
	int rc;

	cal_init();
	rc = ck_main(range_suite());
	icaltimezone_free_builtin_timezones();	/* quiet valgrind */
	return rc;
}
