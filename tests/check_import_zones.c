/*
 * check_import_zones: the TZID mapping of imported files (ICU's CLDR data
 * for Windows names, globally unique prefixes, offset matching of zones
 * only a file defines) and RRULE UNTIL normalisation (RFC 5545 §3.3.10).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "calendar/caltime.h"
#include "calendar/recur.h"
#include "calendar/rrule_until.h"
#include "calendar/tzresolve.h"
#include "check_util.h"

#define SH "Asia/Shanghai"
#define T_2025_03_01_0930_SH 1740792600	/* 2025-03-01T09:30+08:00 */

static void
setup(void)
{
	cal_init();
}

#define assert_name(tzid, want)						\
	do {								\
		char out_[64] = "";					\
									\
		ck_assert_int_eq(cal_tz_resolve_name((tzid), out_,	\
						     sizeof(out_)), 0);	\
		ck_assert_str_eq(out_, (want));				\
	} while (0)

#define assert_no_name(tzid)						\
	do {								\
		char out_[64] = "";					\
									\
		ck_assert_int_eq(cal_tz_resolve_name((tzid), out_,	\
						     sizeof(out_)),	\
				 -ENOENT);				\
	} while (0)

START_TEST(test_windows_names)
{
	/* Outlook/Exchange write these; CLDR windowsZones, territory 001. */
	assert_name("China Standard Time", "Asia/Shanghai");
	assert_name("W. Europe Standard Time", "Europe/Berlin");
	assert_name("Pacific Standard Time", "America/Los_Angeles");
	assert_name("Eastern Standard Time", "America/New_York");
	assert_name("Tokyo Standard Time", "Asia/Tokyo");
	assert_name("GMT Standard Time", "Europe/London");
	assert_name("UTC", "UTC");
}
END_TEST

START_TEST(test_unique_prefixes_and_iana)
{
	assert_name("Asia/Shanghai", "Asia/Shanghai");
	assert_name("/mozilla.org/20050126_1/America/New_York",
		    "America/New_York");
	assert_name("/mozilla.org/20070129_1/Asia/Shanghai", "Asia/Shanghai");
	assert_name("/citadel.org/20190914_1/Europe/Berlin", "Europe/Berlin");
	assert_name("/freeassociation.sourceforge.net/Tzfile/Europe/Paris",
		    "Europe/Paris");
	assert_name("/freeassociation.sourceforge.net/Asia/Tokyo",
		    "Asia/Tokyo");
}
END_TEST

START_TEST(test_unknown_names)
{
	assert_no_name("Customized Time Zone");
	assert_no_name("China Standard Time (custom)");
	assert_no_name("/example.org/2025/Mars/Olympus");
	assert_no_name("posixrules");
	assert_no_name("localtime");
	assert_no_name("");
	assert_no_name("Asia/../Shanghai");
	assert_no_name("中国标准时间");
}
END_TEST

#define assert_match(utc, off, want)					\
	do {								\
		char out_[64] = "";					\
									\
		ck_assert_int_eq(cal_tz_match_offsets((utc), (off),	\
				sizeof(utc) / sizeof((utc)[0]), out_,	\
				sizeof(out_)), 0);			\
		ck_assert_str_eq(out_, (want));				\
	} while (0)

START_TEST(test_match_offsets)
{
	/* 2025-01-15 and 2025-07-15, 12:00 UTC. */
	static const int64_t jan_jul[] = { 1736942400, 1752580800 };
	static const int eu[] = { 3600, 7200 };
	static const int cn[] = { 28800, 28800 };
	static const int us_east[] = { -18000, -14400 };
	static const int nepal[] = { 20700, 20700 };
	static const int odd[] = { 11820, 11820 };	/* +03:17 */
	static const int64_t july[] = { 1752580800 };
	static const int eu_summer[] = { 7200 };
	char out[64];

	assert_match(jan_jul, cn, SH);		/* the district first */
	assert_match(jan_jul, eu, "Europe/Berlin");	/* a golden zone */
	assert_match(jan_jul, us_east, "America/New_York");
	/* ICU 72's canonical name (a tzdata link libical also knows). */
	assert_match(jan_jul, nepal, "Asia/Katmandu");
	/* One July instant at +02:00: central European summer time or a
	 * zone at +02:00 all year fit alike; the Windows zone most of the
	 * fitting zones share decides. */
	assert_match(july, eu_summer, "Africa/Johannesburg");
	ck_assert_int_eq(cal_tz_match_offsets(jan_jul, odd, 2, out,
					      sizeof(out)), -ENOENT);
	ck_assert_int_eq(cal_tz_match_offsets(jan_jul, odd, 0, out,
					      sizeof(out)), -EINVAL);
}
END_TEST

#define assert_until(rrule, tzid, all_day, want)			\
	do {								\
		char why_[128] = "", *out_ = NULL;			\
									\
		ck_assert_int_eq(cal_rrule_normalize_until((rrule),	\
				(tzid), (all_day), &out_, why_,		\
				sizeof(why_)), 0);			\
		ck_assert_str_eq(out_, (want));				\
		free(out_);						\
	} while (0)

START_TEST(test_until_timed)
{
	/* Local UNTIL (as some producers and API users write it). */
	assert_until("FREQ=WEEKLY;UNTIL=20250329T093000", SH, 0,
		     "FREQ=WEEKLY;UNTIL=20250329T013000Z");
	/* DATE UNTIL on a timed series: the whole day, in the zone. */
	assert_until("FREQ=WEEKLY;UNTIL=20250329", SH, 0,
		     "FREQ=WEEKLY;UNTIL=20250329T155959Z");
	/* UTC stays as it is. */
	assert_until("FREQ=WEEKLY;UNTIL=20250329T013000Z", SH, 0,
		     "FREQ=WEEKLY;UNTIL=20250329T013000Z");
	/* The other parts keep their text and order. */
	assert_until("FREQ=WEEKLY;BYDAY=SA;UNTIL=20250329T093000;WKST=MO",
		     SH, 0,
		     "FREQ=WEEKLY;BYDAY=SA;UNTIL=20250329T013000Z;WKST=MO");
	assert_until("FREQ=WEEKLY;UNTIL=20250329T093000",
		     "America/New_York", 0,
		     "FREQ=WEEKLY;UNTIL=20250329T133000Z");
	/* No UNTIL: unchanged. */
	assert_until("FREQ=WEEKLY;COUNT=4", SH, 0, "FREQ=WEEKLY;COUNT=4");
	assert_until("FREQ=WEEKLY", SH, 0, "FREQ=WEEKLY");
}
END_TEST

START_TEST(test_until_all_day)
{
	assert_until("FREQ=WEEKLY;UNTIL=20250329", SH, 1,
		     "FREQ=WEEKLY;UNTIL=20250329");
	/* 2025-03-29T16:00Z is 2025-03-30 00:00 in Shanghai. */
	assert_until("FREQ=WEEKLY;UNTIL=20250329T160000Z", SH, 1,
		     "FREQ=WEEKLY;UNTIL=20250330");
	assert_until("FREQ=WEEKLY;UNTIL=20250329T235959", SH, 1,
		     "FREQ=WEEKLY;UNTIL=20250329");
}
END_TEST

START_TEST(test_until_refused)
{
	char why[128] = "", *out = NULL;

	ck_assert_int_eq(cal_rrule_normalize_until(
				"FREQ=WEEKLY;UNTIL=22010101", SH, 0, &out, why,
				sizeof(why)), -EINVAL);
	ck_assert_ptr_null(out);
	ck_assert_str_eq(why, "UNTIL must be a date or date-time between"
			 " 1970 and 2200");
	ck_assert_int_eq(cal_rrule_validate("FREQ=WEEKLY;COUNT=3;"
					    "UNTIL=20250329", why,
					    sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "COUNT and UNTIL cannot both be given (RFC"
			 " 5545 §3.3.10): keep one");
}
END_TEST

START_TEST(test_set_until_utc)
{
	char *out = NULL;

	/* 2025-03-29T01:30:00Z */
	ck_assert_int_eq(cal_rrule_set_until_utc(
			"FREQ=WEEKLY;UNTIL=20250329T093000;BYDAY=SA",
			1743211800, &out), 0);
	ck_assert_str_eq(out, "FREQ=WEEKLY;UNTIL=20250329T013000Z;BYDAY=SA");
	free(out);
	ck_assert_int_eq(cal_rrule_set_until_utc("FREQ=WEEKLY;COUNT=3",
						 1743211800, &out), -ENOENT);
	ck_assert_ptr_null(out);
}
END_TEST

/* Every UNTIL form of the same last day gives the same 5 Saturdays. */
START_TEST(test_until_forms_same_occurrences)
{
	static const char *const forms[] = {
		"FREQ=WEEKLY;UNTIL=20250329T093000",
		"FREQ=WEEKLY;UNTIL=20250329",
		"FREQ=WEEKLY;UNTIL=20250329T013000Z",
	};
	size_t i, k;

	for (i = 0; i < 3; i++) {
		struct db_event ev;
		char why[128], *norm = NULL;
		int64_t *starts = NULL;
		size_t n = 0;

		ck_assert_int_eq(cal_rrule_normalize_until(forms[i], SH, 0,
				 &norm, why, sizeof(why)), 0);
		memset(&ev, 0, sizeof(ev));
		ev.tzid = (char *)SH;
		ev.rrule = norm;
		ev.start_utc = T_2025_03_01_0930_SH;
		ev.end_utc = ev.start_utc + 3600;
		ck_assert_int_eq(cal_recur_expand(&ev, 0, INT64_MAX / 4, 100,
						  &starts, &n), 0);
		ck_assert_uint_eq(n, 5);
		for (k = 0; k < n; k++)
			ck_assert_int_eq(starts[k], T_2025_03_01_0930_SH +
					 (int64_t)k * 7 * 86400);
		free(starts);
		free(norm);
	}
}
END_TEST

/* An open-ended series is accepted; its expansion is bounded by the
 * window asked for. */
START_TEST(test_open_ended_series)
{
	struct db_event ev;
	int64_t *starts = NULL;
	size_t n = 0;

	memset(&ev, 0, sizeof(ev));
	ev.tzid = (char *)SH;
	ev.rrule = (char *)"FREQ=WEEKLY";
	ev.start_utc = T_2025_03_01_0930_SH;
	ev.end_utc = ev.start_utc + 3600;
	ck_assert_int_eq(cal_recur_too_long(&ev), 0);
	/* 2030: 52 Saturdays (2030-01-05 .. 2030-12-28). */
	ck_assert_int_eq(cal_recur_expand(&ev, 1893427200, 1924963200, 1000,
					  &starts, &n), 0);
	ck_assert_uint_eq(n, 52);
	free(starts);
}
END_TEST

static Suite *
zones_suite(void)
{
	Suite *s = suite_create("import_zones");
	TCase *tc = tcase_create("all");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_windows_names);
	tcase_add_test(tc, test_unique_prefixes_and_iana);
	tcase_add_test(tc, test_unknown_names);
	tcase_add_test(tc, test_match_offsets);
	tcase_add_test(tc, test_until_timed);
	tcase_add_test(tc, test_until_all_day);
	tcase_add_test(tc, test_until_refused);
	tcase_add_test(tc, test_set_until_utc);
	tcase_add_test(tc, test_until_forms_same_occurrences);
	tcase_add_test(tc, test_open_ended_series);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return ck_main(zones_suite());
}
