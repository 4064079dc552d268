/*
 * Unit tests for calendar/recur.c: RRULE validation (the limits a user's
 * rule must meet) and bounded expansion of stored events into occurrence
 * starts. Every instant is a literal with its local time in a comment; the
 * literals were computed independently (Python zoneinfo).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "calendar/caltime.h"
#include "calendar/recur.h"
#include "check_util.h"

#define SH "Asia/Shanghai"
#define NY "America/New_York"

#define WHY_LENGTH "RRULE must be 1 to 512 octets"
#define WHY_SYNTAX "not a valid RFC 5545 RRULE value"
#define WHY_FREQ "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY"
#define WHY_COUNT_UNTIL "COUNT and UNTIL cannot both be given (RFC 5545 §3.3.10): keep one"
#define WHY_COUNT "COUNT must be at most 1000"
#define WHY_INTERVAL "INTERVAL must be 1 to 1000"

#define T_2025_01_01_SH 1735660800	/* 2025-01-01T00:00+08:00 */
#define T_2026_01_01_SH 1767196800	/* 2026-01-01T00:00+08:00 */
#define T_2025_03_01_0030_SH 1740760200	/* 2025-03-01T00:30+08:00 */

/* The twelve second Thursdays of 2025 at 14:00+08:00 (06:00Z). */
static const int64_t second_thursdays_2025[12] = {
	1736402400,	/* 2025-01-09T14:00+08:00 */
	1739426400,	/* 2025-02-13 = 2025-02-13T06:00:00Z */
	1741845600,	/* 2025-03-13 */
	1744264800,	/* 2025-04-10 */
	1746684000,	/* 2025-05-08 */
	1749708000,	/* 2025-06-12 */
	1752127200,	/* 2025-07-10 */
	1755151200,	/* 2025-08-14 */
	1757570400,	/* 2025-09-11 */
	1759989600,	/* 2025-10-09 */
	1763013600,	/* 2025-11-13 */
	1765432800,	/* 2025-12-11 */
};

static int64_t *starts;
static size_t n;

static void
setup(void)
{
	cal_init();
	starts = NULL;
	n = 99;
}

static void
teardown(void)
{
	free(starts);
	starts = NULL;
}

/* Free the last expansion before the next one in the same test. */
static void
reset(void)
{
	free(starts);
	starts = NULL;
	n = 99;
}

/* A timed event in tzid starting at start_utc, one hour long. */
static struct db_event
timed(const char *rrule, const char *tzid, int64_t start_utc)
{
	struct db_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.id = 1;
	ev.uid = (char *)"e1@roadshowd";
	ev.kind = (char *)"roadshow";
	ev.title = (char *)"test";
	ev.status = (char *)"CONFIRMED";
	ev.tzid = (char *)tzid;
	ev.rrule = (char *)rrule;
	ev.start_utc = start_utc;
	ev.end_utc = start_utc + 3600;
	return ev;
}

/* A one-day all-day event on local date start_date (start_utc: its local
 * midnight in tzid, end: the next midnight). */
static struct db_event
all_day(const char *rrule, const char *tzid, const char *start_date,
	int64_t start_utc, const char *end_date, int64_t end_utc)
{
	struct db_event ev = timed(rrule, tzid, start_utc);

	ev.all_day = 1;
	ev.end_utc = end_utc;
	memcpy(ev.start_date, start_date, 11);
	memcpy(ev.end_date, end_date, 11);
	return ev;
}

/* rrule must validate. */
#define assert_valid(rrule)						\
	do {								\
		char w_[128] = "";					\
									\
		ck_assert_int_eq(cal_rrule_validate((rrule), w_,	\
						    sizeof(w_)), 0);	\
	} while (0)

/* rrule must be rejected with the reason want (non-empty). */
#define assert_invalid(rrule, want)					\
	do {								\
		char w_[128] = "";					\
									\
		ck_assert_int_eq(cal_rrule_validate((rrule), w_,	\
						    sizeof(w_)), -EINVAL); \
		ck_assert_str_ne(w_, "");				\
		ck_assert_str_eq(w_, (want));				\
	} while (0)

/* The expansion gave exactly the count values of want. */
#define assert_starts(want, count)					\
	do {								\
		size_t i_;						\
									\
		ck_assert_uint_eq(n, (count));				\
		for (i_ = 0; i_ < (size_t)(count); i_++)		\
			ck_assert_int_eq(starts[i_], (want)[i_]);	\
	} while (0)

/* ---- cal_rrule_validate ----------------------------------------------- */

START_TEST(test_validate_accepts)
{
	assert_valid("FREQ=MONTHLY;BYDAY=2TH;COUNT=12");
	assert_valid("FREQ=WEEKLY;UNTIL=20251231T160000Z");
	assert_valid("FREQ=DAILY;UNTIL=20251231");	/* DATE form */
	assert_valid("FREQ=YEARLY;COUNT=3");
	assert_valid("FREQ=DAILY;COUNT=1");
	assert_valid("FREQ=DAILY;COUNT=1000");		/* the limit */
	assert_valid("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=10");
	assert_valid("FREQ=DAILY;COUNT=5;INTERVAL=1000");
	assert_valid("FREQ=MONTHLY;BYDAY=-1FR;COUNT=10");
}
END_TEST

START_TEST(test_validate_rejects_freq)
{
	assert_invalid("FREQ=SECONDLY;COUNT=1000000000", WHY_FREQ);
	assert_invalid("FREQ=SECONDLY;COUNT=10", WHY_FREQ);
	assert_invalid("FREQ=MINUTELY;COUNT=10", WHY_FREQ);
	assert_invalid("FREQ=HOURLY;COUNT=10", WHY_FREQ);
}
END_TEST

/* Open-ended series are stored as such (issue 10); every expansion is
 * bounded by the window asked for. */
START_TEST(test_validate_rejects_unbounded)
{
	assert_valid("FREQ=MONTHLY");
	assert_valid("FREQ=DAILY;INTERVAL=2");
	assert_valid("FREQ=WEEKLY;BYDAY=MO");
}
END_TEST

START_TEST(test_validate_rejects_count)
{
	assert_invalid("FREQ=DAILY;COUNT=1001", WHY_COUNT);
	assert_invalid("FREQ=DAILY;COUNT=99999", WHY_COUNT);
	/* libical's atoi() wraps these to 1; the text is still too big. */
	assert_invalid("FREQ=DAILY;COUNT=4294967297", WHY_COUNT);
	assert_invalid("FREQ=DAILY;count=4294967297", WHY_COUNT);
	assert_invalid("FREQ=DAILY;COUNT=-4294967295", WHY_COUNT);
	/* COUNT without FREQ does not parse at all. */
	assert_invalid("COUNT=1001", WHY_SYNTAX);
	assert_invalid("FREQ=DAILY;COUNT=0", WHY_SYNTAX);
	assert_invalid("FREQ=DAILY;COUNT=-1", WHY_SYNTAX);
}
END_TEST

START_TEST(test_validate_rejects_interval)
{
	assert_invalid("FREQ=DAILY;COUNT=5;INTERVAL=0", WHY_SYNTAX);
	assert_invalid("FREQ=DAILY;COUNT=5;INTERVAL=-1", WHY_SYNTAX);
	assert_invalid("FREQ=DAILY;COUNT=5;INTERVAL=1001", WHY_INTERVAL);
	/* libical keeps INTERVAL in a short: 65537 would become 1. */
	assert_invalid("FREQ=DAILY;COUNT=5;INTERVAL=65537", WHY_INTERVAL);
}
END_TEST

START_TEST(test_validate_rejects_syntax)
{
	char big[600];

	assert_invalid("garbage", WHY_SYNTAX);
	assert_invalid("RRULE:FREQ=DAILY;COUNT=5", WHY_SYNTAX);
	assert_invalid("FREQ=DAILY;COUNT=abc", WHY_SYNTAX);
	assert_invalid("FREQ=DAILY;COUNT=5;FOO=BAR", WHY_SYNTAX);
	assert_invalid("FREQ=DAILY;COUNT=5;BYDAY=XX", WHY_SYNTAX);
	assert_invalid("FREQ=DAILY;UNTIL=garbage", WHY_SYNTAX);
	/* RFC 5545: COUNT and UNTIL MUST NOT both occur. */
	assert_invalid("FREQ=DAILY;COUNT=5;UNTIL=20251231", WHY_COUNT_UNTIL);
	assert_invalid("FREQ=DAILY;UNTIL=20251231T000000Z;count=5",
		       WHY_COUNT_UNTIL);
	assert_invalid("", WHY_LENGTH);
	assert_invalid(NULL, WHY_LENGTH);

	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "FREQ=DAILY;COUNT=5;X-", 21);
	assert_invalid(big, WHY_LENGTH);
}
END_TEST

START_TEST(test_validate_why_truncated)
{
	char why[4] = "xxx";

	ck_assert_int_eq(cal_rrule_validate("garbage", why, sizeof(why)),
			 -EINVAL);
	ck_assert_str_eq(why, "not");	/* cut, NUL-terminated */
}
END_TEST

/* ---- cal_recur_expand: single events ---------------------------------- */

START_TEST(test_expand_single_inside)
{
	struct db_event ev = timed(NULL, SH, T_2025_03_01_0030_SH);
	static const int64_t want[] = { T_2025_03_01_0030_SH };

	ck_assert_int_eq(cal_recur_expand(&ev, T_2025_01_01_SH,
					  T_2026_01_01_SH, 10, &starts, &n),
			 0);
	assert_starts(want, 1);
	reset();

	/* The window is [from, to): the start itself is in. */
	ck_assert_int_eq(cal_recur_expand(&ev, T_2025_03_01_0030_SH,
					  T_2025_03_01_0030_SH + 1, 10,
					  &starts, &n), 0);
	assert_starts(want, 1);
}
END_TEST

START_TEST(test_expand_single_outside)
{
	struct db_event ev = timed(NULL, SH, T_2025_03_01_0030_SH);

	/* to is exclusive. */
	ck_assert_int_eq(cal_recur_expand(&ev, T_2025_01_01_SH,
					  T_2025_03_01_0030_SH, 10, &starts,
					  &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(starts);

	/* Starts before the window (even if it runs into it). */
	reset();
	ck_assert_int_eq(cal_recur_expand(&ev, T_2025_03_01_0030_SH + 1,
					  T_2026_01_01_SH, 10, &starts, &n),
			 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(starts);

	/* max 0: nothing. */
	reset();
	ck_assert_int_eq(cal_recur_expand(&ev, T_2025_01_01_SH,
					  T_2026_01_01_SH, 0, &starts, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(starts);
}
END_TEST

/* ---- cal_recur_expand: series ----------------------------------------- */

START_TEST(test_expand_monthly_second_thursday)
{
	struct db_event ev = timed("FREQ=MONTHLY;BYDAY=2TH;COUNT=12", SH,
				   second_thursdays_2025[0]);
	char b[32];
	size_t i;

	ck_assert_int_eq(cal_recur_expand(&ev, T_2025_01_01_SH,
					  T_2026_01_01_SH, 1000, &starts, &n),
			 0);
	assert_starts(second_thursdays_2025, 12);
	ck_assert_int_eq(starts[1], 1739426400);	/* 2025-02-13T06:00Z */
	ck_assert_int_eq(starts[11], 1765432800);	/* 2025-12-11T06:00Z */
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(cal_time_format_rfc3339(starts[i], SH, b), 0);
		ck_assert_str_eq(b + 10, "T14:00:00+08:00");
	}
	ck_assert_str_eq(b, "2025-12-11T14:00:00+08:00");
}
END_TEST

START_TEST(test_expand_window_clips)
{
	struct db_event ev = timed("FREQ=MONTHLY;BYDAY=2TH;COUNT=12", SH,
				   second_thursdays_2025[0]);

	/* Q2 2025 in Shanghai: April, May, June. */
	ck_assert_int_eq(cal_recur_expand(&ev, 1743436800 /* 04-01 */,
					  1751299200 /* 07-01 */, 1000,
					  &starts, &n), 0);
	assert_starts(second_thursdays_2025 + 3, 3);
	reset();

	/* from inclusive, to exclusive, on the occurrences themselves. */
	ck_assert_int_eq(cal_recur_expand(&ev, second_thursdays_2025[3],
					  second_thursdays_2025[5], 1000,
					  &starts, &n), 0);
	assert_starts(second_thursdays_2025 + 3, 2);
	reset();

	/* A window after the last occurrence. */
	ck_assert_int_eq(cal_recur_expand(&ev, T_2026_01_01_SH,
					  T_2026_01_01_SH + 86400 * 365, 1000,
					  &starts, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(starts);
}
END_TEST

START_TEST(test_expand_max_bound)
{
	struct db_event ev = timed("FREQ=MONTHLY;BYDAY=2TH;COUNT=12", SH,
				   second_thursdays_2025[0]);

	ck_assert_int_eq(cal_recur_expand(&ev, T_2025_01_01_SH,
					  T_2026_01_01_SH, 3, &starts, &n), 0);
	assert_starts(second_thursdays_2025, 3);	/* the first three */
	reset();

	ck_assert_int_eq(cal_recur_expand(&ev, T_2025_01_01_SH,
					  T_2026_01_01_SH, 0, &starts, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(starts);
}
END_TEST

START_TEST(test_expand_until_inclusive)
{
	/* Thursdays at 14:00+08:00 = 06:00Z from 2025-01-09. */
	static const int64_t want[] = {
		1736402400, 1737007200, 1737612000, 1738216800,
	};
	struct db_event ev = timed("FREQ=WEEKLY;UNTIL=20250130T060000Z", SH,
				   want[0]);

	ck_assert_int_eq(cal_recur_expand(&ev, 0, T_2026_01_01_SH, 1000,
					  &starts, &n), 0);
	assert_starts(want, 4);	/* UNTIL is the last start itself */
	reset();

	ev.rrule = (char *)"FREQ=WEEKLY;UNTIL=20250130T055959Z";
	ck_assert_int_eq(cal_recur_expand(&ev, 0, T_2026_01_01_SH, 1000,
					  &starts, &n), 0);
	assert_starts(want, 3);
}
END_TEST

/* UNTIL is an instant: compared in UTC, not with the local wall time. */
START_TEST(test_expand_until_is_utc)
{
	/* Thursdays at 10:00-05:00 = 15:00Z from 2025-01-09. */
	static const int64_t want[] = {
		1736434800, 1737039600, 1737644400, 1738249200,
	};
	struct db_event ev = timed("FREQ=WEEKLY;UNTIL=20250130T150000Z", NY,
				   want[0]);

	ck_assert_int_eq(cal_recur_expand(&ev, 0, T_2026_01_01_SH, 1000,
					  &starts, &n), 0);
	assert_starts(want, 4);
	reset();

	/* 12:00Z is after 10:00 wall time but before 15:00Z. */
	ev.rrule = (char *)"FREQ=WEEKLY;UNTIL=20250130T120000Z";
	ck_assert_int_eq(cal_recur_expand(&ev, 0, T_2026_01_01_SH, 1000,
					  &starts, &n), 0);
	assert_starts(want, 3);
}
END_TEST

START_TEST(test_expand_all_day_local_midnights)
{
	static const int64_t want[] = {
		1740585600,	/* 2025-02-27T00:00+08:00 */
		1740672000,	/* 2025-02-28T00:00+08:00 */
		1740758400,	/* 2025-03-01T00:00+08:00 */
		1740844800,	/* 2025-03-02T00:00+08:00 */
	};
	struct db_event ev = all_day("FREQ=DAILY;COUNT=4", SH, "2025-02-27",
				     want[0], "2025-02-28", want[1]);

	ck_assert_int_eq(cal_recur_expand(&ev, 0, T_2026_01_01_SH, 1000,
					  &starts, &n), 0);
	assert_starts(want, 4);
	reset();

	/* A DATE UNTIL is inclusive of that day. */
	ev.rrule = (char *)"FREQ=DAILY;UNTIL=20250301";
	ck_assert_int_eq(cal_recur_expand(&ev, 0, T_2026_01_01_SH, 1000,
					  &starts, &n), 0);
	assert_starts(want, 3);
	reset();

	/* Window from 2025-03-01 local midnight. */
	ev.rrule = (char *)"FREQ=DAILY;COUNT=4";
	ck_assert_int_eq(cal_recur_expand(&ev, want[2], T_2026_01_01_SH,
					  1000, &starts, &n), 0);
	assert_starts(want + 2, 2);
}
END_TEST

/* Across 2025-03-09 (EST -> EDT) a weekly 10:00 stays 10:00 local. */
START_TEST(test_expand_new_york_dst_spring)
{
	static const int64_t want[] = {
		1741014000,	/* 2025-03-03T10:00-05:00 = 15:00Z */
		1741615200,	/* 2025-03-10T10:00-04:00 = 14:00Z */
		1742220000,	/* 2025-03-17T10:00-04:00 */
		1742824800,	/* 2025-03-24T10:00-04:00 */
	};
	struct db_event ev = timed("FREQ=WEEKLY;COUNT=4", NY, want[0]);
	char b[32];

	ck_assert_int_eq(cal_recur_expand(&ev, 0, T_2026_01_01_SH, 1000,
					  &starts, &n), 0);
	assert_starts(want, 4);
	ck_assert_int_eq(cal_time_format_rfc3339(starts[0], NY, b), 0);
	ck_assert_str_eq(b, "2025-03-03T10:00:00-05:00");
	ck_assert_int_eq(cal_time_format_rfc3339(starts[1], NY, b), 0);
	ck_assert_str_eq(b, "2025-03-10T10:00:00-04:00");
}
END_TEST

/* Across 2025-11-02 (EDT -> EST) a weekly 11:00 stays 11:00 local. */
START_TEST(test_expand_new_york_dst_autumn)
{
	static const int64_t want[] = {
		1761577200,	/* 2025-10-27T11:00-04:00 = 15:00Z */
		1762185600,	/* 2025-11-03T11:00-05:00 = 16:00Z */
		1762790400,	/* 2025-11-10T11:00-05:00 */
		1763395200,	/* 2025-11-17T11:00-05:00 */
	};
	struct db_event ev = timed("FREQ=WEEKLY;COUNT=4", NY, want[0]);

	ck_assert_int_eq(cal_recur_expand(&ev, 0, T_2026_01_01_SH, 1000,
					  &starts, &n), 0);
	assert_starts(want, 4);
}
END_TEST

/* An all-day weekly series in New York: local midnights either side. */
START_TEST(test_expand_new_york_all_day)
{
	static const int64_t want[] = {
		1741323600,	/* 2025-03-07T00:00-05:00 */
		1741924800,	/* 2025-03-14T00:00-04:00 */
		1742529600,	/* 2025-03-21T00:00-04:00 */
	};
	struct db_event ev = all_day("FREQ=WEEKLY;COUNT=3", NY, "2025-03-07",
				     want[0], "2025-03-08", 1741410000);

	ck_assert_int_eq(cal_recur_expand(&ev, 0, T_2026_01_01_SH, 1000,
					  &starts, &n), 0);
	assert_starts(want, 3);
}
END_TEST

/* RFC 5545 §3.3.10: BYMONTHDAY=31 skips months without a 31st. */
START_TEST(test_expand_skips_invalid_dates)
{
	static const int64_t want[] = {
		1738290600,	/* 2025-01-31T10:30+08:00 */
		1743388200,	/* 2025-03-31T10:30+08:00 */
		1748658600,	/* 2025-05-31T10:30+08:00 */
		1753929000,	/* 2025-07-31T10:30+08:00 */
	};
	static const int64_t leap[] = {
		1709208000,	/* 2024-02-29T20:00+08:00 */
		1835438400,	/* 2028-02-29T20:00+08:00 */
		1961668800,	/* 2032-02-29T20:00+08:00 */
	};
	struct db_event ev = timed("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4", SH,
				   want[0]);

	ck_assert_int_eq(cal_recur_expand(&ev, 0, T_2026_01_01_SH, 1000,
					  &starts, &n), 0);
	assert_starts(want, 4);
	reset();

	ev = timed("FREQ=YEARLY;COUNT=3", SH, leap[0]);
	ck_assert_int_eq(cal_recur_expand(&ev, 0, INT64_C(4102444800), 1000,
					  &starts, &n), 0);
	assert_starts(leap, 3);
}
END_TEST

START_TEST(test_expand_utc_zone)
{
	static const int64_t want[] = {
		1740760200,	/* 2025-02-28T16:30Z */
		1740846600,	/* 2025-03-01T16:30Z */
		1740933000,	/* 2025-03-02T16:30Z */
	};
	struct db_event ev = timed("FREQ=DAILY;COUNT=3", "UTC", want[0]);

	ck_assert_int_eq(cal_recur_expand(&ev, 0, T_2026_01_01_SH, 1000,
					  &starts, &n), 0);
	assert_starts(want, 3);
}
END_TEST

START_TEST(test_expand_bad_input)
{
	struct db_event ev = timed("garbage", SH, T_2025_03_01_0030_SH);

	ck_assert_int_eq(cal_recur_expand(&ev, 0, T_2026_01_01_SH, 1000,
					  &starts, &n), -EINVAL);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(starts);

	ev = timed("FREQ=DAILY;COUNT=3", "Mars/Olympus_Mons",
		   T_2025_03_01_0030_SH);
	reset();
	ck_assert_int_eq(cal_recur_expand(&ev, 0, T_2026_01_01_SH, 1000,
					  &starts, &n), -EINVAL);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(starts);
}
END_TEST

static Suite *
recur_suite(void)
{
	Suite *s = suite_create("recur");

	ck_add(s, "validate_accepts", test_validate_accepts, setup, teardown);
	ck_add(s, "validate_rejects_freq", test_validate_rejects_freq, setup,
	       teardown);
	ck_add(s, "validate_rejects_unbounded",
	       test_validate_rejects_unbounded, setup, teardown);
	ck_add(s, "validate_rejects_count", test_validate_rejects_count, setup,
	       teardown);
	ck_add(s, "validate_rejects_interval", test_validate_rejects_interval,
	       setup, teardown);
	ck_add(s, "validate_rejects_syntax", test_validate_rejects_syntax,
	       setup, teardown);
	ck_add(s, "validate_why_truncated", test_validate_why_truncated, setup,
	       teardown);
	ck_add(s, "expand_single_inside", test_expand_single_inside, setup,
	       teardown);
	ck_add(s, "expand_single_outside", test_expand_single_outside, setup,
	       teardown);
	ck_add(s, "expand_monthly_second_thursday",
	       test_expand_monthly_second_thursday, setup, teardown);
	ck_add(s, "expand_window_clips", test_expand_window_clips, setup,
	       teardown);
	ck_add(s, "expand_max_bound", test_expand_max_bound, setup, teardown);
	ck_add(s, "expand_until_inclusive", test_expand_until_inclusive, setup,
	       teardown);
	ck_add(s, "expand_until_is_utc", test_expand_until_is_utc, setup,
	       teardown);
	ck_add(s, "expand_all_day_local_midnights",
	       test_expand_all_day_local_midnights, setup, teardown);
	ck_add(s, "expand_new_york_dst_spring",
	       test_expand_new_york_dst_spring, setup, teardown);
	ck_add(s, "expand_new_york_dst_autumn",
	       test_expand_new_york_dst_autumn, setup, teardown);
	ck_add(s, "expand_new_york_all_day", test_expand_new_york_all_day,
	       setup, teardown);
	ck_add(s, "expand_skips_invalid_dates",
	       test_expand_skips_invalid_dates, setup, teardown);
	ck_add(s, "expand_utc_zone", test_expand_utc_zone, setup, teardown);
	ck_add(s, "expand_bad_input", test_expand_bad_input, setup, teardown);
	return s;
}

int
main(void)
{
	return ck_main(recur_suite());
}
