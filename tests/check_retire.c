/*
 * check_retire: a retired carrier hosts no new events (calendar/retire.h):
 * the last start of single events and series (EXDATE, cancelled and moved
 * occurrences), local dates in Asia/Shanghai, and the retirement date
 * check.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "calendar/retire.h"
#include "check_util.h"

#define T_0305_1400 ((int64_t)1741154400)	/* 2025-03-05 14:00 +08 */
#define T_0306_0030 ((int64_t)1741192200)	/* 2025-03-06 00:30 +08 */
#define DAY ((int64_t)86400)
#define WEEK (7 * DAY)

static void
event(struct db_event *ev, int64_t start, const char *rrule)
{
	memset(ev, 0, sizeof(*ev));
	ev->start_utc = start;
	ev->end_utc = start + 7200;
	ev->tzid = (char *)"Asia/Shanghai";
	ev->status = (char *)"CONFIRMED";
	ev->rrule = (char *)rrule;
}

static void
carrier(struct db_carrier *c, const char *retired_from)
{
	memset(c, 0, sizeof(*c));
	c->slug = (char *)"pinghu-maker-space";
	c->retired_from = (char *)retired_from;
}

START_TEST(test_single_event)
{
	struct db_event ev;
	struct db_carrier c;
	char day[11];

	event(&ev, T_0305_1400, NULL);
	ck_assert_int_eq(cal_event_last_start(&ev, 0), T_0305_1400);
	carrier(&c, NULL);
	ck_assert_int_eq(cal_carrier_may_host(&c, &ev, day), 1);
	carrier(&c, "2025-03-06");
	ck_assert_int_eq(cal_carrier_may_host(&c, &ev, day), 1);
	carrier(&c, "2025-03-05");		/* from that day on */
	ck_assert_int_eq(cal_carrier_may_host(&c, &ev, day), 0);
	ck_assert_str_eq(day, "2025-03-05");
	ev.status = (char *)"CANCELLED";
	ck_assert_int_eq(cal_event_last_start(&ev, 1), 0);
	ck_assert_int_eq(cal_event_last_start(&ev, 0), T_0305_1400);
}
END_TEST

/* 00:30 on 03-06 in Shanghai is still 03-05 in UTC: the local date counts */
START_TEST(test_local_date)
{
	struct db_event ev;
	struct db_carrier c;
	char day[11];

	event(&ev, T_0306_0030, NULL);
	carrier(&c, "2025-03-06");
	ck_assert_int_eq(cal_carrier_may_host(&c, &ev, day), 0);
	ck_assert_str_eq(day, "2025-03-06");
	ck_assert_int_eq(cal_retire_date_ok("2025-03-06", T_0306_0030, day), 0);
	ck_assert_str_eq(day, "2025-03-06");
	ck_assert_int_eq(cal_retire_date_ok("2025-03-07", T_0306_0030, day), 1);
}
END_TEST

START_TEST(test_series)
{
	struct db_event ev;
	struct db_carrier c;
	struct db_override o;
	int64_t ex[1];
	char day[11];

	/* weekly from 03-05: 03-05, 03-12, 03-19 */
	event(&ev, T_0305_1400, "FREQ=WEEKLY;COUNT=3");
	ck_assert_int_eq(cal_event_last_start(&ev, 0), T_0305_1400 + 2 * WEEK);
	carrier(&c, "2025-03-13");
	ck_assert_int_eq(cal_carrier_may_host(&c, &ev, day), 0);
	ck_assert_str_eq(day, "2025-03-19");
	carrier(&c, "2025-03-20");
	ck_assert_int_eq(cal_carrier_may_host(&c, &ev, day), 1);

	/* the last occurrence cancelled (EXDATE): 03-12 is the last */
	ex[0] = T_0305_1400 + 2 * WEEK;
	ev.exdates = ex;
	ev.n_exdates = 1;
	ck_assert_int_eq(cal_event_last_start(&ev, 1), T_0305_1400 + WEEK);
	ev.exdates = NULL;
	ev.n_exdates = 0;

	/* the second moved past the third, the third cancelled by status */
	memset(&o, 0, sizeof(o));
	o.recurrence_utc = T_0305_1400 + WEEK;
	o.start_utc = T_0305_1400 + 3 * WEEK;
	o.end_utc = o.start_utc + 7200;
	ev.overrides = &o;
	ev.n_overrides = 1;
	ck_assert_int_eq(cal_event_last_start(&ev, 0), T_0305_1400 + 3 * WEEK);
	o.status = (char *)"CANCELLED";
	ck_assert_int_eq(cal_event_last_start(&ev, 1), T_0305_1400 + 2 * WEEK);
	ck_assert_int_eq(cal_event_last_start(&ev, 0), T_0305_1400 + 3 * WEEK);
}
END_TEST

START_TEST(test_retire_date_ok)
{
	char day[11];

	ck_assert_int_eq(cal_retire_date_ok("2025-01-01", 0, day), 1);
	ck_assert_str_eq(day, "");
	ck_assert_int_eq(cal_retire_date_ok("2025-03-05", T_0305_1400, day), 0);
	ck_assert_str_eq(day, "2025-03-05");
	ck_assert_int_eq(cal_retire_date_ok("2025-01-01", T_0305_1400, day), 0);
	ck_assert_int_eq(cal_retire_date_ok("2025-03-06", T_0305_1400, day), 1);
}
END_TEST

static Suite *
retire_suite(void)
{
	Suite *s = suite_create("retire");

	ck_add(s, "single_event", test_single_event, NULL, NULL);
	ck_add(s, "local_date", test_local_date, NULL, NULL);
	ck_add(s, "series", test_series, NULL, NULL);
	ck_add(s, "retire_date_ok", test_retire_date_ok, NULL, NULL);
	return s;
}

int
main(void)
{
	return ck_main(retire_suite());
}
