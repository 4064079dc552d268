/*
 * rrule_budget.c: bounded work for recurrence rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "recur.h"
#include "rrule_budget.h"

static uint64_t
count(const short *v, size_t size)
{
	size_t i;

	for (i = 0; i < size && v[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
		;
	return i ? i : 1;
}

uint64_t
cal_rrule_set_size(const char *rrule)
{
	struct icalrecurrencetype r;
	uint64_t n = 1, days = 0;
	size_t i;

	if (!rrule)
		return 0;
	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(rrule);
	icalerror_clear_errno();
	if (r.freq == ICAL_NO_RECURRENCE)
		return 0;
	n *= count(r.by_second, ICAL_BY_SECOND_SIZE);
	n *= count(r.by_minute, ICAL_BY_MINUTE_SIZE);
	n *= count(r.by_hour, ICAL_BY_HOUR_SIZE);
	n *= count(r.by_month_day, ICAL_BY_MONTHDAY_SIZE);
	n *= count(r.by_year_day, ICAL_BY_YEARDAY_SIZE);
	n *= count(r.by_week_no, ICAL_BY_WEEKNO_SIZE);
	n *= count(r.by_month, ICAL_BY_MONTH_SIZE);
	for (i = 0; i < ICAL_BY_DAY_SIZE &&
	     r.by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
		/* "MO" in a month or a year means every Monday of it */
		if (icalrecurrencetype_day_position(r.by_day[i]) != 0 ||
		    r.freq == ICAL_WEEKLY_RECURRENCE ||
		    r.freq == ICAL_DAILY_RECURRENCE)
			days += 1;
		else if (r.freq == ICAL_MONTHLY_RECURRENCE ||
			 r.by_month[0] != ICAL_RECURRENCE_ARRAY_MAX)
			days += 5;
		else
			days += 53;
	}
	return n * (days ? days : 1);
}

int
cal_rrule_cost_check(const char *rrule, char *why, size_t size)
{
	uint64_t n = cal_rrule_set_size(rrule);

	if (n <= CAL_RRULE_MAX_SET)
		return 0;
	snprintf(why, size, "the BYxxx lists give up to %llu candidate"
		 " occurrences in each FREQ period; at most %d are allowed"
		 " (shorten BYDAY, BYHOUR, BYMINUTE or BYSECOND)",
		 (unsigned long long)n, CAL_RRULE_MAX_SET);
	return -E2BIG;
}

static int64_t
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The last occurrence must end before 2201-01-01T00:00:00Z, the end of
 * the span every event keeps to (README: dates 1970-2200). */
static int
series_ends_in_range(const struct db_event *ev, char *why, size_t size)
{
	int64_t *starts = NULL, dur = ev->end_utc - ev->start_utc;
	size_t n = 0;
	int rc;

	rc = cal_recur_expand(ev, ev->start_utc, INT64_MAX / 4,
			      CAL_RECUR_MAX_OCCURRENCES, &starts, &n);
	if (rc == 0 && n && starts[n - 1] + dur >= CAL_RRULE_LATEST_UTC) {
		snprintf(why, size, "the series must end by 2200-12-31");
		rc = -EINVAL;
	}
	free(starts);
	return rc;
}

int
cal_rrule_check_series(const struct db_event *ev, char *why, size_t size)
{
	int64_t t0;
	int too_long;

	if (!ev->rrule)
		return 0;
	if (cal_rrule_cost_check(ev->rrule, why, size) != 0)
		return -E2BIG;
	t0 = cpu_us();
	too_long = cal_recur_too_long(ev);
	if (cpu_us() - t0 > (int64_t)CAL_RRULE_BUDGET_MS * 1000) {
		snprintf(why, size, "expanding the series takes more than"
			 " %d ms; simplify the rule", CAL_RRULE_BUDGET_MS);
		return -E2BIG;
	}
	if (too_long) {
		snprintf(why, size, "the series must have 1 to %d occurrences"
			 " from its start", CAL_RECUR_MAX_OCCURRENCES);
		return -EINVAL;
	}
	return series_ends_in_range(ev, why, size);
}
