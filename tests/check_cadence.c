/*
 * Unit tests for calendar/cadence.c: periods in Asia/Shanghai, statuses,
 * kinds, scopes, active spans and bad input. Every instant is a literal
 * (its local time in the comment), so a wrong boundary fails the test.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "calendar/cadence.h"
#include "calendar/caltime.h"
#include "check_util.h"

/* Local instants in Asia/Shanghai (UTC+8), seconds since epoch UTC. */
#define T_2024_10_01 1727712000		/* 2024-10-01T00:00+08:00 */
#define T_2024_12_01 1732982400		/* 2024-12-01T00:00+08:00 */
#define T_2024_12_31_2330 1735659000	/* 2024-12-31T23:30+08:00 */
#define T_2025_01_01 1735660800		/* 2025-01-01T00:00+08:00 */
#define T_2025_01_01_0010 1735661400	/* 2025-01-01T00:10+08:00 */
#define T_2025_01_15_1000 1736906400	/* 2025-01-15T10:00+08:00 */
#define T_2025_02_01 1738339200		/* 2025-02-01T00:00+08:00 */
#define T_2025_02_15_1000 1739584800	/* 2025-02-15T10:00+08:00 */
#define T_2025_02_20_1000 1740016800	/* 2025-02-20T10:00+08:00 */
#define T_2025_03_01 1740758400		/* 2025-03-01T00:00+08:00 */
#define T_2025_03_01_0030 1740760200	/* 2025-03-01T00:30+08:00 */
#define T_2025_03_10 1741536000		/* 2025-03-10T00:00+08:00 */
#define T_2025_03_20_1400 1742450400	/* 2025-03-20T14:00+08:00 */
#define T_2025_03_31_1200 1743393600	/* 2025-03-31T12:00+08:00 */
#define T_2025_03_31_2359 1743436740	/* 2025-03-31T23:59+08:00 */
#define T_2025_04_01 1743436800		/* 2025-04-01T00:00+08:00 */
#define T_2025_04_01_1200 1743480000	/* 2025-04-01T12:00+08:00 */
#define T_2025_04_05_0900 1743814800	/* 2025-04-05T09:00+08:00 */
#define T_2025_04_15 1744646400		/* 2025-04-15T00:00+08:00 */
#define T_2025_04_20_0900 1745110800	/* 2025-04-20T09:00+08:00 */
#define T_2025_05_01 1746028800		/* 2025-05-01T00:00+08:00 */
#define T_2025_05_15_0900 1747270800	/* 2025-05-15T09:00+08:00 */
#define T_2025_06_01 1748707200		/* 2025-06-01T00:00+08:00 */
#define T_2025_06_15 1749916800		/* 2025-06-15T00:00+08:00 */
#define T_2025_07_01 1751299200		/* 2025-07-01T00:00+08:00 */
#define T_2025_08_20_0900 1755651600	/* 2025-08-20T09:00+08:00 */
#define T_2025_09_15 1757865600		/* 2025-09-15T00:00+08:00 */
#define T_2025_10_01 1759248000		/* 2025-10-01T00:00+08:00 */
#define T_2025_11_08_0900 1762563600	/* 2025-11-08T09:00+08:00 */
#define T_2025_12_01 1764518400		/* 2025-12-01T00:00+08:00 */
#define T_2026_01_01 1767196800		/* 2026-01-01T00:00+08:00 */

#define QUARTERLY_KINDS "salon,forum,training,seminar,exhibition"

static const struct cal_rule monthly_roadshow = {
	.id = "monthly-roadshow", .kinds = "roadshow",
	.period = CAL_PERIOD_MONTH, .min_count = 1,
	.scope = CAL_SCOPE_KIND_DISTRICT,
};

static const struct cal_rule quarterly_event = {
	.id = "quarterly-event", .kinds = QUARTERLY_KINDS,
	.period = CAL_PERIOD_QUARTER, .min_count = 1,
	.scope = CAL_SCOPE_KIND_DISTRICT,
};

static const struct cal_rule yearly_competition = {
	.id = "yearly-competition", .kinds = "competition",
	.period = CAL_PERIOD_YEAR, .min_count = 1,
	.scope = CAL_SCOPE_KIND_DISTRICT,
};

static const struct cal_scope_set no_scopes;

static struct cal_cadence_report rep;

static void
setup(void)
{
	cal_init();
	memset(&rep, 0, sizeof(rep));
}

static void
teardown(void)
{
	cal_cadence_report_release(&rep);
}

/* A district-hosted occurrence; the caller sets carrier/region/partners. */
static struct cal_occurrence
occ_at(int64_t start, const char *kind, const char *status)
{
	struct cal_occurrence o;

	memset(&o, 0, sizeof(o));
	o.event_id = 1;
	o.start_utc = start;
	o.kind = kind;
	o.status = status;
	o.title = "test";
	return o;
}

/* The row of rule/scope/period in rep; fails the test when absent. */
static const struct cal_cadence_row *
row_for(size_t rule, const char *scope, const char *period)
{
	size_t i;

	for (i = 0; i < rep.n; i++)
		if (rep.rows[i].rule == rule &&
		    strcmp(rep.rows[i].scope, scope) == 0 &&
		    strcmp(rep.rows[i].period, period) == 0)
			return &rep.rows[i];
	ck_abort_msg("no row rule=%zu scope=%s period=%s", rule, scope,
		     period);
	return NULL;
}

/* Status, counts and event count of a row; a macro so that a failure
 * names the caller's line. */
#define assert_row(row_expr, st, held_want, sched_want)			\
	do {								\
		const struct cal_cadence_row *r_ = (row_expr);		\
									\
		ck_assert_str_eq(cal_cadence_status_name(r_->status),	\
				 cal_cadence_status_name(st));		\
		ck_assert_int_eq(r_->held, (held_want));		\
		ck_assert_int_eq(r_->scheduled, (sched_want));		\
		ck_assert_uint_eq(r_->n_events,				\
				  (held_want) + (sched_want));		\
	} while (0)

START_TEST(test_names)
{
	enum cal_period_unit u = CAL_PERIOD_YEAR;

	ck_assert_str_eq(cal_cadence_status_name(CAL_CADENCE_MET), "met");
	ck_assert_str_eq(cal_cadence_status_name(CAL_CADENCE_SCHEDULED),
			 "scheduled");
	ck_assert_str_eq(cal_cadence_status_name(CAL_CADENCE_AT_RISK),
			 "at_risk");
	ck_assert_str_eq(cal_cadence_status_name(CAL_CADENCE_MISSED),
			 "missed");
	ck_assert_str_eq(cal_cadence_status_name(CAL_CADENCE_OPEN), "open");

	ck_assert_int_eq(cal_period_unit_parse("month", &u), 0);
	ck_assert_int_eq(u, CAL_PERIOD_MONTH);
	ck_assert_int_eq(cal_period_unit_parse("quarter", &u), 0);
	ck_assert_int_eq(u, CAL_PERIOD_QUARTER);
	ck_assert_int_eq(cal_period_unit_parse("year", &u), 0);
	ck_assert_int_eq(u, CAL_PERIOD_YEAR);
	ck_assert_int_eq(cal_period_unit_parse("Month", &u), -EINVAL);
	ck_assert_int_eq(cal_period_unit_parse("week", &u), -EINVAL);
	ck_assert_int_eq(cal_period_unit_parse("", &u), -EINVAL);
	ck_assert_int_eq(cal_period_unit_parse(NULL, &u), -EINVAL);
	ck_assert_int_eq(u, CAL_PERIOD_YEAR);	/* unchanged on error */
}
END_TEST

/* 2025-03-01 00:30 +08:00 is 2025-02-28 16:30 UTC: it is March's. */
START_TEST(test_month_starts_at_local_midnight)
{
	struct cal_occurrence occ[] = {
		occ_at(T_2025_03_01_0030, "roadshow", "CONFIRMED"),
	};
	const struct cal_cadence_row *mar, *feb;

	ck_assert_int_eq(cal_cadence_evaluate(&monthly_roadshow, 1, occ, 1,
					      &no_scopes, 2025, T_2025_06_01,
					      &rep), 0);
	ck_assert_uint_eq(rep.n, 12);
	ck_assert_str_eq(rep.rows[0].period, "2025-01");
	ck_assert_str_eq(rep.rows[11].period, "2025-12");

	feb = row_for(0, "district", "2025-02");
	ck_assert_int_eq(feb->start_utc, T_2025_02_01);
	ck_assert_int_eq(feb->end_utc, 1740758400);
	assert_row(feb, CAL_CADENCE_MISSED, 0, 0);
	ck_assert_ptr_null(feb->events);

	mar = row_for(0, "district", "2025-03");
	ck_assert_int_eq(mar->start_utc, 1740758400);
	ck_assert_int_eq(mar->end_utc, 1743436800);
	assert_row(mar, CAL_CADENCE_MET, 1, 0);
	ck_assert_uint_eq(mar->events[0], 0);
	ck_assert_str_eq(mar->scope, "district");
	ck_assert_uint_eq(mar->rule, 0);
}
END_TEST

/* 2025-01-01 00:10 +08:00 is 2024-12-31 16:10 UTC: January and Q1 2025. */
START_TEST(test_new_year_local)
{
	const struct cal_rule rules[] = {
		{ .id = "monthly-forum", .kinds = "forum",
		  .period = CAL_PERIOD_MONTH, .min_count = 1,
		  .scope = CAL_SCOPE_KIND_DISTRICT },
		quarterly_event,
	};
	struct cal_occurrence occ[] = {
		occ_at(T_2025_01_01_0010, "forum", "CONFIRMED"),
	};
	const struct cal_cadence_row *row;

	ck_assert_int_eq(cal_cadence_evaluate(rules, 2, occ, 1, &no_scopes,
					      2025, T_2025_06_01, &rep), 0);
	ck_assert_uint_eq(rep.n, 16);
	row = row_for(0, "district", "2025-01");
	ck_assert_int_eq(row->start_utc, 1735660800);
	assert_row(row, CAL_CADENCE_MET, 1, 0);
	ck_assert_uint_eq(row->events[0], 0);
	row = row_for(1, "district", "2025-Q1");
	ck_assert_int_eq(row->start_utc, 1735660800);
	ck_assert_int_eq(row->end_utc, 1743436800);
	assert_row(row, CAL_CADENCE_MET, 1, 0);
	cal_cadence_report_release(&rep);
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_ptr_null(rep.rows);

	ck_assert_int_eq(cal_cadence_evaluate(rules, 2, occ, 1, &no_scopes,
					      2024, T_2025_06_01, &rep), 0);
	ck_assert_uint_eq(rep.n, 16);
	row = row_for(0, "district", "2024-12");
	ck_assert_int_eq(row->start_utc, T_2024_12_01);
	ck_assert_int_eq(row->end_utc, 1735660800);
	assert_row(row, CAL_CADENCE_MISSED, 0, 0);
	row = row_for(1, "district", "2024-Q4");
	ck_assert_int_eq(row->start_utc, T_2024_10_01);
	assert_row(row, CAL_CADENCE_MISSED, 0, 0);
}
END_TEST

/* The last minute of March is still March. */
START_TEST(test_month_last_minute)
{
	struct cal_occurrence occ[] = {
		occ_at(T_2025_03_31_2359, "roadshow", "CONFIRMED"),
	};

	ck_assert_int_eq(cal_cadence_evaluate(&monthly_roadshow, 1, occ, 1,
					      &no_scopes, 2025, T_2025_06_01,
					      &rep), 0);
	assert_row(row_for(0, "district", "2025-03"), CAL_CADENCE_MET, 1, 0);
	assert_row(row_for(0, "district", "2025-04"), CAL_CADENCE_MISSED,
		   0, 0);
}
END_TEST

START_TEST(test_cancelled_never_counts)
{
	struct cal_occurrence occ[] = {
		occ_at(T_2025_03_20_1400, "roadshow", "CANCELLED"),
		occ_at(T_2025_08_20_0900, "roadshow", "CANCELLED"),
	};
	const struct cal_cadence_row *row;

	ck_assert_int_eq(cal_cadence_evaluate(&monthly_roadshow, 1, occ, 2,
					      &no_scopes, 2025, T_2025_06_01,
					      &rep), 0);
	row = row_for(0, "district", "2025-03");
	assert_row(row, CAL_CADENCE_MISSED, 0, 0);
	ck_assert_ptr_null(row->events);
	row = row_for(0, "district", "2025-08");
	assert_row(row, CAL_CADENCE_OPEN, 0, 0);
	ck_assert_ptr_null(row->events);
}
END_TEST

/* An empty March: at_risk while it runs, missed from April's first second. */
START_TEST(test_empty_month_flips_to_missed)
{
	static const int64_t at_risk_as_of[] = {
		T_2025_03_01, T_2025_03_31_1200, 1743436799,
	};
	static const int64_t missed_as_of[] = {
		1743436800, T_2025_04_01_1200, T_2026_01_01,
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(cal_cadence_evaluate(&monthly_roadshow, 1,
						      NULL, 0, &no_scopes,
						      2025, at_risk_as_of[i],
						      &rep), 0);
		assert_row(row_for(0, "district", "2025-03"),
			   CAL_CADENCE_AT_RISK, 0, 0);
		cal_cadence_report_release(&rep);
	}
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(cal_cadence_evaluate(&monthly_roadshow, 1,
						      NULL, 0, &no_scopes,
						      2025, missed_as_of[i],
						      &rep), 0);
		assert_row(row_for(0, "district", "2025-03"),
			   CAL_CADENCE_MISSED, 0, 0);
		cal_cadence_report_release(&rep);
	}
	/* At 2025-04-01T00:00+08:00 April has begun; a second before, not. */
	ck_assert_int_eq(cal_cadence_evaluate(&monthly_roadshow, 1, NULL, 0,
					      &no_scopes, 2025, 1743436799,
					      &rep), 0);
	assert_row(row_for(0, "district", "2025-04"), CAL_CADENCE_OPEN, 0, 0);
	cal_cadence_report_release(&rep);
	ck_assert_int_eq(cal_cadence_evaluate(&monthly_roadshow, 1, NULL, 0,
					      &no_scopes, 2025, 1743436800,
					      &rep), 0);
	assert_row(row_for(0, "district", "2025-04"), CAL_CADENCE_AT_RISK,
		   0, 0);
}
END_TEST

/* Future CONFIRMED and TENTATIVE occurrences cover min: scheduled. */
START_TEST(test_scheduled)
{
	struct cal_occurrence occ[] = {
		occ_at(T_2025_03_20_1400, "roadshow", "CONFIRMED"),
		occ_at(T_2025_05_15_0900, "roadshow", "TENTATIVE"),
	};
	const struct cal_cadence_row *row;

	ck_assert_int_eq(cal_cadence_evaluate(&monthly_roadshow, 1, occ, 2,
					      &no_scopes, 2025, T_2025_03_10,
					      &rep), 0);
	row = row_for(0, "district", "2025-03");	/* running */
	assert_row(row, CAL_CADENCE_SCHEDULED, 0, 1);
	ck_assert_uint_eq(row->events[0], 0);
	row = row_for(0, "district", "2025-05");	/* not begun */
	assert_row(row, CAL_CADENCE_SCHEDULED, 0, 1);
	ck_assert_uint_eq(row->events[0], 1);
	/* A start exactly at as_of is scheduled, not held. */
	cal_cadence_report_release(&rep);
	ck_assert_int_eq(cal_cadence_evaluate(&monthly_roadshow, 1, occ, 2,
					      &no_scopes, 2025,
					      T_2025_03_20_1400, &rep), 0);
	assert_row(row_for(0, "district", "2025-03"), CAL_CADENCE_SCHEDULED,
		   0, 1);
	cal_cadence_report_release(&rep);
	ck_assert_int_eq(cal_cadence_evaluate(&monthly_roadshow, 1, occ, 2,
					      &no_scopes, 2025,
					      T_2025_03_20_1400 + 1, &rep), 0);
	assert_row(row_for(0, "district", "2025-03"), CAL_CADENCE_MET, 1, 0);
}
END_TEST

/* A period that has not begun, with nothing in it, is open. */
START_TEST(test_open)
{
	struct cal_occurrence occ[] = {
		occ_at(T_2025_02_15_1000, "roadshow", "CONFIRMED"),
	};
	size_t i;

	ck_assert_int_eq(cal_cadence_evaluate(&monthly_roadshow, 1, occ, 1,
					      &no_scopes, 2025, T_2025_03_10,
					      &rep), 0);
	ck_assert_uint_eq(rep.n, 12);
	for (i = 3; i < 12; i++) {
		assert_row(&rep.rows[i], CAL_CADENCE_OPEN, 0, 0);
		ck_assert_ptr_null(rep.rows[i].events);
	}
	assert_row(&rep.rows[2], CAL_CADENCE_AT_RISK, 0, 0);
	/* The whole year ahead: every month open. */
	cal_cadence_report_release(&rep);
	ck_assert_int_eq(cal_cadence_evaluate(&monthly_roadshow, 1, occ, 1,
					      &no_scopes, 2026, T_2025_03_10,
					      &rep), 0);
	ck_assert_uint_eq(rep.n, 12);
	for (i = 0; i < 12; i++)
		assert_row(&rep.rows[i], CAL_CADENCE_OPEN, 0, 0);
	ck_assert_int_eq(rep.rows[0].start_utc, T_2026_01_01);
	ck_assert_str_eq(rep.rows[0].period, "2026-01");
}
END_TEST

/* met needs min held; held + scheduled reaching min is only scheduled. */
START_TEST(test_met)
{
	const struct cal_rule twice = {
		.id = "twice-monthly", .kinds = "roadshow",
		.period = CAL_PERIOD_MONTH, .min_count = 2,
		.scope = CAL_SCOPE_KIND_DISTRICT,
	};
	struct cal_occurrence occ[] = {
		occ_at(T_2025_02_15_1000, "roadshow", "CONFIRMED"),
		occ_at(T_2025_02_20_1000, "roadshow", "CONFIRMED"),
		occ_at(T_2025_03_01_0030, "roadshow", "CONFIRMED"),
		occ_at(T_2025_03_20_1400, "roadshow", "TENTATIVE"),
		occ_at(T_2025_01_15_1000, "roadshow", "CONFIRMED"),
	};

	ck_assert_int_eq(cal_cadence_evaluate(&twice, 1, occ, 5, &no_scopes,
					      2025, T_2025_03_10, &rep), 0);
	assert_row(row_for(0, "district", "2025-01"), CAL_CADENCE_MISSED,
		   1, 0);
	assert_row(row_for(0, "district", "2025-02"), CAL_CADENCE_MET, 2, 0);
	assert_row(row_for(0, "district", "2025-03"), CAL_CADENCE_SCHEDULED,
		   1, 1);
	cal_cadence_report_release(&rep);
	ck_assert_int_eq(cal_cadence_evaluate(&monthly_roadshow, 1, occ, 5,
					      &no_scopes, 2025, T_2025_03_10,
					      &rep), 0);
	assert_row(row_for(0, "district", "2025-01"), CAL_CADENCE_MET, 1, 0);
	assert_row(row_for(0, "district", "2025-02"), CAL_CADENCE_MET, 2, 0);
	assert_row(row_for(0, "district", "2025-03"), CAL_CADENCE_MET, 1, 1);
}
END_TEST

/* events lists held and scheduled occurrences in start order. */
START_TEST(test_events_in_start_order)
{
	struct cal_occurrence occ[] = {
		occ_at(T_2025_04_20_0900, "roadshow", "TENTATIVE"),
		occ_at(T_2025_04_05_0900, "roadshow", "CONFIRMED"),
		occ_at(T_2025_04_15, "roadshow", "CANCELLED"),
		occ_at(T_2025_04_15, "roadshow", "CONFIRMED"),
		occ_at(T_2025_04_01, "roadshow", "TENTATIVE"),
		occ_at(T_2025_04_15, "salon", "CONFIRMED"),
		occ_at(T_2025_04_15, "roadshow", "TENTATIVE"),
	};
	const struct cal_cadence_row *row;

	ck_assert_int_eq(cal_cadence_evaluate(&monthly_roadshow, 1, occ, 7,
					      &no_scopes, 2025, T_2025_04_15,
					      &rep), 0);
	row = row_for(0, "district", "2025-04");
	/* 4 is a past TENTATIVE, 2 cancelled, 5 a salon: left out. 3 and 6
	 * start together (at as_of: scheduled); equal starts keep index
	 * order. */
	assert_row(row, CAL_CADENCE_MET, 1, 3);
	ck_assert_uint_eq(row->events[0], 1);
	ck_assert_uint_eq(row->events[1], 3);
	ck_assert_uint_eq(row->events[2], 6);
	ck_assert_uint_eq(row->events[3], 0);
}
END_TEST

/* A TENTATIVE occurrence whose start has passed is neither. */
START_TEST(test_tentative_past_is_neither)
{
	struct cal_occurrence occ[] = {
		occ_at(T_2025_02_15_1000, "roadshow", "TENTATIVE"),
		occ_at(T_2025_03_01_0030, "roadshow", "TENTATIVE"),
	};
	const struct cal_cadence_row *row;

	ck_assert_int_eq(cal_cadence_evaluate(&monthly_roadshow, 1, occ, 2,
					      &no_scopes, 2025, T_2025_03_10,
					      &rep), 0);
	row = row_for(0, "district", "2025-02");
	assert_row(row, CAL_CADENCE_MISSED, 0, 0);
	ck_assert_ptr_null(row->events);
	row = row_for(0, "district", "2025-03");
	assert_row(row, CAL_CADENCE_AT_RISK, 0, 0);
	ck_assert_ptr_null(row->events);
}
END_TEST

/* The quarterly event rule counts its five kinds, never roadshows. */
START_TEST(test_quarterly_kinds)
{
	struct cal_occurrence occ[] = {
		occ_at(T_2025_01_15_1000, "roadshow", "CONFIRMED"),
		occ_at(T_2025_02_15_1000, "competition", "CONFIRMED"),
		occ_at(T_2025_04_05_0900, "seminar", "CONFIRMED"),
		occ_at(T_2025_08_20_0900, "exhibition", "CONFIRMED"),
		occ_at(T_2025_11_08_0900, "roadshow", "CONFIRMED"),
	};
	const struct cal_cadence_row *row;

	ck_assert_int_eq(cal_cadence_evaluate(&quarterly_event, 1, occ, 5,
					      &no_scopes, 2025, T_2025_06_15,
					      &rep), 0);
	ck_assert_uint_eq(rep.n, 4);
	ck_assert_str_eq(rep.rows[0].period, "2025-Q1");
	ck_assert_str_eq(rep.rows[3].period, "2025-Q4");
	assert_row(&rep.rows[0], CAL_CADENCE_MISSED, 0, 0);
	row = &rep.rows[1];
	ck_assert_str_eq(row->period, "2025-Q2");
	ck_assert_int_eq(row->start_utc, 1743436800);
	ck_assert_int_eq(row->end_utc, 1751299200);
	assert_row(row, CAL_CADENCE_MET, 1, 0);
	ck_assert_uint_eq(row->events[0], 2);
	row = &rep.rows[2];
	ck_assert_int_eq(row->start_utc, T_2025_07_01);
	ck_assert_int_eq(row->end_utc, T_2025_10_01);
	assert_row(row, CAL_CADENCE_SCHEDULED, 0, 1);
	ck_assert_uint_eq(row->events[0], 3);
	row = &rep.rows[3];
	ck_assert_int_eq(row->end_utc, 1767196800);
	assert_row(row, CAL_CADENCE_OPEN, 0, 0);
}
END_TEST

START_TEST(test_yearly_label)
{
	struct cal_occurrence occ[] = {
		occ_at(T_2024_12_31_2330, "competition", "CONFIRMED"),
		occ_at(T_2025_11_08_0900, "competition", "CONFIRMED"),
	};

	ck_assert_int_eq(cal_cadence_evaluate(&yearly_competition, 1, occ, 2,
					      &no_scopes, 2025, T_2025_06_15,
					      &rep), 0);
	ck_assert_uint_eq(rep.n, 1);
	ck_assert_str_eq(rep.rows[0].period, "2025");
	ck_assert_str_eq(rep.rows[0].scope, "district");
	ck_assert_int_eq(rep.rows[0].start_utc, 1735660800);
	ck_assert_int_eq(rep.rows[0].end_utc, 1767196800);
	assert_row(&rep.rows[0], CAL_CADENCE_SCHEDULED, 0, 1);
	ck_assert_uint_eq(rep.rows[0].events[0], 1);
	cal_cadence_report_release(&rep);

	ck_assert_int_eq(cal_cadence_evaluate(&yearly_competition, 1, occ, 2,
					      &no_scopes, 2025, T_2026_01_01,
					      &rep), 0);
	assert_row(&rep.rows[0], CAL_CADENCE_MET, 1, 0);
	cal_cadence_report_release(&rep);

	/* 2024-12-31 23:30 +08:00 is 2024's competition. */
	ck_assert_int_eq(cal_cadence_evaluate(&yearly_competition, 1, occ, 2,
					      &no_scopes, 2024, T_2026_01_01,
					      &rep), 0);
	ck_assert_str_eq(rep.rows[0].period, "2024");
	assert_row(&rep.rows[0], CAL_CADENCE_MET, 1, 0);
	ck_assert_uint_eq(rep.rows[0].events[0], 0);
}
END_TEST

/* The three default rules, district-wide: rule order, then period. */
START_TEST(test_rule_order)
{
	const struct cal_rule rules[] = {
		monthly_roadshow, quarterly_event, yearly_competition,
	};
	size_t i;

	ck_assert_int_eq(cal_cadence_evaluate(rules, 3, NULL, 0, NULL, 2025,
					      T_2025_06_15, &rep), 0);
	ck_assert_uint_eq(rep.n, 17);
	for (i = 0; i < 12; i++)
		ck_assert_uint_eq(rep.rows[i].rule, 0);
	for (i = 12; i < 16; i++)
		ck_assert_uint_eq(rep.rows[i].rule, 1);
	ck_assert_uint_eq(rep.rows[16].rule, 2);
	ck_assert_str_eq(rep.rows[0].period, "2025-01");
	ck_assert_str_eq(rep.rows[9].period, "2025-10");
	ck_assert_str_eq(rep.rows[12].period, "2025-Q1");
	ck_assert_str_eq(rep.rows[15].period, "2025-Q4");
	ck_assert_str_eq(rep.rows[16].period, "2025");
	ck_assert_str_eq(cal_cadence_status_name(rep.rows[16].status),
			 "at_risk");
}
END_TEST

/* Region and carrier scopes: one row per scope and period, events or not. */
START_TEST(test_region_carrier_scopes)
{
	static const char *const regions[] = { "jingkai", "xinqu" };
	static const char *const carriers[] = { "c1", "c2", "c3" };
	const struct cal_scope_set scopes = {
		.regions = regions, .n_regions = 2,
		.carriers = carriers, .n_carriers = 3,
	};
	const struct cal_rule rules[] = {
		{ .id = "region-monthly", .kinds = "roadshow",
		  .period = CAL_PERIOD_MONTH, .min_count = 1,
		  .scope = CAL_SCOPE_KIND_REGION },
		{ .id = "carrier-quarterly", .kinds = QUARTERLY_KINDS,
		  .period = CAL_PERIOD_QUARTER, .min_count = 1,
		  .scope = CAL_SCOPE_KIND_CARRIER },
	};
	struct cal_occurrence occ[] = {
		occ_at(T_2025_03_01_0030, "roadshow", "CONFIRMED"),
		occ_at(T_2025_04_05_0900, "salon", "CONFIRMED"),
		occ_at(T_2025_03_20_1400, "roadshow", "CONFIRMED"),
	};
	size_t i;

	occ[0].carrier = "c1";
	occ[0].region = "jingkai";
	occ[1].carrier = "c3";
	occ[1].region = "xinqu";
	/* occ[2] is hosted by the district: no region, no carrier. */
	ck_assert_int_eq(cal_cadence_evaluate(rules, 2, occ, 3, &scopes,
					      2025, T_2025_06_15, &rep), 0);
	ck_assert_uint_eq(rep.n, 2 * 12 + 3 * 4);
	for (i = 0; i < 12; i++) {
		ck_assert_str_eq(rep.rows[i].scope, "region:jingkai");
		ck_assert_str_eq(rep.rows[12 + i].scope, "region:xinqu");
	}
	ck_assert_str_eq(rep.rows[24].scope, "carrier:c1");
	ck_assert_str_eq(rep.rows[24].period, "2025-Q1");
	ck_assert_str_eq(rep.rows[28].scope, "carrier:c2");
	ck_assert_str_eq(rep.rows[32].scope, "carrier:c3");
	ck_assert_str_eq(rep.rows[35].period, "2025-Q4");

	assert_row(&rep.rows[2], CAL_CADENCE_MET, 1, 0);	/* jingkai 03 */
	ck_assert_uint_eq(rep.rows[2].events[0], 0);
	assert_row(&rep.rows[14], CAL_CADENCE_MISSED, 0, 0);	/* xinqu Mar */
	assert_row(&rep.rows[15], CAL_CADENCE_MISSED, 0, 0);	/* xinqu Apr */
	assert_row(row_for(1, "carrier:c1", "2025-Q1"), CAL_CADENCE_MISSED,
		   0, 0);
	assert_row(row_for(1, "carrier:c2", "2025-Q2"), CAL_CADENCE_AT_RISK,
		   0, 0);
	assert_row(row_for(1, "carrier:c3", "2025-Q2"), CAL_CADENCE_MET,
		   1, 0);
	ck_assert_uint_eq(row_for(1, "carrier:c3", "2025-Q2")->events[0], 1);
	assert_row(row_for(1, "carrier:c3", "2025-Q3"), CAL_CADENCE_OPEN,
		   0, 0);
}
END_TEST

/* A carrier an admin added on 2025-04-05 is not judged before then: its
 * short periods that started earlier are untracked, later ones missed;
 * a carrier without a start (the annex's) is judged all year. */
START_TEST(test_carrier_since)
{
	static const char *const carriers[] = { "annex", "added" };
	static const int64_t since[] = { 0, T_2025_04_05_0900 };
	const struct cal_scope_set scopes = {
		.carriers = carriers, .n_carriers = 2,
		.carrier_since_utc = since,
	};
	const struct cal_rule rules[] = {
		{ .id = "carrier-monthly", .kinds = "roadshow",
		  .period = CAL_PERIOD_MONTH, .min_count = 1,
		  .scope = CAL_SCOPE_KIND_CARRIER },
	};

	ck_assert_int_eq(cal_cadence_evaluate(rules, 1, NULL, 0, &scopes,
					      2025, T_2025_06_15, &rep), 0);
	ck_assert_uint_eq(rep.n, 24);
	assert_row(row_for(0, "carrier:annex", "2025-01"),
		   CAL_CADENCE_MISSED, 0, 0);
	assert_row(row_for(0, "carrier:annex", "2025-04"),
		   CAL_CADENCE_MISSED, 0, 0);
	assert_row(row_for(0, "carrier:added", "2025-01"),
		   CAL_CADENCE_UNTRACKED, 0, 0);
	assert_row(row_for(0, "carrier:added", "2025-04"),
		   CAL_CADENCE_UNTRACKED, 0, 0);	/* began 04-01 */
	assert_row(row_for(0, "carrier:added", "2025-05"),
		   CAL_CADENCE_MISSED, 0, 0);
	assert_row(row_for(0, "carrier:added", "2025-06"),
		   CAL_CADENCE_AT_RISK, 0, 0);
}
END_TEST

/* partner:X counts occurrences with X among their partner regions. */
START_TEST(test_partner_scope)
{
	static const char *const partners[] = { "dazhou", "kaizhou" };
	static const char *const with[] = { "yunyang", "kaizhou" };
	const struct cal_scope_set scopes = {
		.partners = partners, .n_partners = 2,
	};
	const struct cal_rule rule = {
		.id = "partner-monthly", .kinds = "roadshow,salon",
		.period = CAL_PERIOD_MONTH, .min_count = 1,
		.scope = CAL_SCOPE_KIND_PARTNER,
	};
	struct cal_occurrence occ[] = {
		occ_at(T_2025_03_20_1400, "salon", "CONFIRMED"),
	};

	occ[0].partner_regions = with;
	occ[0].n_partner_regions = 2;
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, occ, 1, &scopes, 2025,
					      T_2025_06_15, &rep), 0);
	ck_assert_uint_eq(rep.n, 24);
	ck_assert_str_eq(rep.rows[0].scope, "partner:dazhou");
	ck_assert_str_eq(rep.rows[12].scope, "partner:kaizhou");
	assert_row(row_for(0, "partner:dazhou", "2025-03"),
		   CAL_CADENCE_MISSED, 0, 0);
	assert_row(row_for(0, "partner:kaizhou", "2025-03"), CAL_CADENCE_MET,
		   1, 0);
}
END_TEST

/* A period is judged by the rule version active at its start; periods
 * starting outside [active_from, active_to) get no rows. */
START_TEST(test_active_span)
{
	struct cal_rule rule = monthly_roadshow;

	rule.active_from_utc = T_2025_04_01;	/* March ends there: skipped */
	rule.active_to_utc = T_2025_10_01;	/* October starts there */
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, NULL, 0, NULL, 2025,
					      T_2025_06_15, &rep), 0);
	ck_assert_uint_eq(rep.n, 6);
	ck_assert_str_eq(rep.rows[0].period, "2025-04");
	ck_assert_int_eq(rep.rows[0].start_utc, 1743436800);
	ck_assert_str_eq(rep.rows[5].period, "2025-09");
	ck_assert_int_eq(rep.rows[5].end_utc, 1759248000);
	cal_cadence_report_release(&rep);

	/* Mid-month bounds: April started before the rule (skipped),
	 * September started while it was active (kept). */
	rule.active_from_utc = T_2025_04_15;
	rule.active_to_utc = T_2025_09_15;
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, NULL, 0, NULL, 2025,
					      T_2025_06_15, &rep), 0);
	ck_assert_uint_eq(rep.n, 5);
	ck_assert_str_eq(rep.rows[0].period, "2025-05");
	ck_assert_str_eq(rep.rows[4].period, "2025-09");
	cal_cadence_report_release(&rep);

	/* Only a start bound; quarters. */
	rule = quarterly_event;
	rule.active_from_utc = T_2025_05_01;
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, NULL, 0, NULL, 2025,
					      T_2025_06_15, &rep), 0);
	ck_assert_uint_eq(rep.n, 2);
	ck_assert_str_eq(rep.rows[0].period, "2025-Q3");
	cal_cadence_report_release(&rep);

	/* Retired before the year: no rows at all. */
	rule = yearly_competition;
	rule.active_to_utc = T_2025_01_01;
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, NULL, 0, NULL, 2025,
					      T_2025_06_15, &rep), 0);
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_ptr_null(rep.rows);
}
END_TEST

START_TEST(test_bad_input)
{
	static const char *const regions[] = { "jingkai" };
	const struct cal_scope_set scopes = {
		.regions = regions, .n_regions = 1,
	};
	struct cal_occurrence occ[] = {
		occ_at(T_2025_03_20_1400, "roadshow", "CONFIRMED"),
	};
	struct cal_rule rule = monthly_roadshow;

	/* A failed call leaves the report empty. */
	rep.n = 7;
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, occ, 1, &scopes, 0,
					      T_2025_06_15, &rep), -EINVAL);
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_ptr_null(rep.rows);
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, occ, 1, &scopes, 1969,
					      T_2025_06_15, &rep), -EINVAL);
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, occ, 1, &scopes,
					      10000, T_2025_06_15, &rep),
			 -EINVAL);

	rule.min_count = 0;
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, occ, 1, &scopes, 2025,
					      T_2025_06_15, &rep), -EINVAL);
	rule.min_count = -1;
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, occ, 1, &scopes, 2025,
					      T_2025_06_15, &rep), -EINVAL);

	rule = monthly_roadshow;
	rule.scope = (enum cal_scope_kind)CAL_SCOPE_KIND_N;	/* no such scope */
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, occ, 1, &scopes, 2025,
					      T_2025_06_15, &rep), -EINVAL);
	rule.scope = (enum cal_scope_kind)-1;
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, occ, 1, &scopes, 2025,
					      T_2025_06_15, &rep), -EINVAL);

	rule = monthly_roadshow;
	rule.kinds = "roadshow,party";
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, occ, 1, &scopes, 2025,
					      T_2025_06_15, &rep), -EINVAL);
	rule.kinds = "";
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, occ, 1, &scopes, 2025,
					      T_2025_06_15, &rep), -EINVAL);

	/* A bad second rule fails the whole call. */
	{
		struct cal_rule rules[2] = { monthly_roadshow,
					     monthly_roadshow };

		rules[1].min_count = 0;
		ck_assert_int_eq(cal_cadence_evaluate(rules, 2, occ, 1,
						      &scopes, 2025,
						      T_2025_06_15, &rep),
				 -EINVAL);
		ck_assert_uint_eq(rep.n, 0);
		ck_assert_ptr_null(rep.rows);
	}

	rule = monthly_roadshow;
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, occ, 1, &scopes, 2025,
					      T_2025_06_15, NULL), -EINVAL);
	/* 1970 and 9999 are the ends of the accepted range. */
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, occ, 1, &scopes, 1970,
					      T_2025_06_15, &rep), 0);
	ck_assert_int_eq(rep.rows[0].start_utc, -28800);
	cal_cadence_report_release(&rep);
	ck_assert_int_eq(cal_cadence_evaluate(&rule, 1, occ, 1, &scopes, 9999,
					      T_2025_06_15, &rep), 0);
	ck_assert_str_eq(rep.rows[11].period, "9999-12");
	ck_assert_int_eq(rep.rows[11].end_utc, 253402272000);
}
END_TEST

START_TEST(test_empty_rules)
{
	ck_assert_int_eq(cal_cadence_evaluate(NULL, 0, NULL, 0, NULL, 2025,
					      T_2025_06_15, &rep), 0);
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_ptr_null(rep.rows);
	cal_cadence_report_release(&rep);
	cal_cadence_report_release(NULL);
}
END_TEST

static Suite *
cadence_suite(void)
{
	Suite *s = suite_create("cadence");

	ck_add(s, "names", test_names, setup, teardown);
	ck_add(s, "month_starts_at_local_midnight",
	       test_month_starts_at_local_midnight, setup, teardown);
	ck_add(s, "new_year_local", test_new_year_local, setup, teardown);
	ck_add(s, "month_last_minute", test_month_last_minute, setup,
	       teardown);
	ck_add(s, "cancelled_never_counts", test_cancelled_never_counts, setup,
	       teardown);
	ck_add(s, "empty_month_flips_to_missed",
	       test_empty_month_flips_to_missed, setup, teardown);
	ck_add(s, "scheduled", test_scheduled, setup, teardown);
	ck_add(s, "open", test_open, setup, teardown);
	ck_add(s, "met", test_met, setup, teardown);
	ck_add(s, "events_in_start_order", test_events_in_start_order, setup,
	       teardown);
	ck_add(s, "tentative_past_is_neither", test_tentative_past_is_neither,
	       setup, teardown);
	ck_add(s, "quarterly_kinds", test_quarterly_kinds, setup, teardown);
	ck_add(s, "yearly_label", test_yearly_label, setup, teardown);
	ck_add(s, "rule_order", test_rule_order, setup, teardown);
	ck_add(s, "region_carrier_scopes", test_region_carrier_scopes, setup,
	       teardown);
	ck_add(s, "carrier_since", test_carrier_since, setup,
	       teardown);
	ck_add(s, "partner_scope", test_partner_scope, setup, teardown);
	ck_add(s, "active_span", test_active_span, setup, teardown);
	ck_add(s, "bad_input", test_bad_input, setup, teardown);
	ck_add(s, "empty_rules", test_empty_rules, setup, teardown);
	return s;
}

int
main(void)
{
	return ck_main(cadence_suite());
}
