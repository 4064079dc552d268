/*
 * rrule_budget.c: bounded work for recurrence rules.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "caltime.h"
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

/*
 * The probe: the rule expanded in floating time (no zone: nothing shared
 * with other threads) on a thread of its own, counting occurrences up to
 * CAL_RECUR_MAX_OCCURRENCES + 1. Some rules make one libical call search
 * for years (FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30 takes 0.2-0.7 s and
 * cannot be interrupted): the caller waits CAL_RRULE_BUDGET_MS at most and
 * leaves such a probe to finish on its own (libical bounds the search);
 * at most MAX_RUNAWAY probes may be left running at once.
 */
#define MAX_RUNAWAY 2

struct probe {
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	int refs;			/* the thread and the waiter */
	int done;
	int abandoned;			/* the waiter gave up on it */
	size_t count;			/* occurrences found */
	size_t limit;			/* stop counting after this many */
	char rrule[600];
	struct icaltimetype dt;
};

static atomic_int runaway;

static void
probe_put(struct probe *p)
{
	int last;

	pthread_mutex_lock(&p->lock);
	last = --p->refs == 0;
	pthread_mutex_unlock(&p->lock);
	if (last) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->done_cond);
		free(p);
	}
}

static void *
probe_run(void *arg)
{
	struct probe *p = arg;
	struct icalrecurrencetype r;
	icalrecur_iterator *it;
	size_t n = 0, steps = 0;
	int abandoned;

	r = icalrecurrencetype_from_string(p->rrule);
	it = r.freq == ICAL_NO_RECURRENCE ? NULL :
	     icalrecur_iterator_new(r, p->dt);
	while (it && n < p->limit && steps++ < 20000 &&
	       !icaltime_is_null_time(icalrecur_iterator_next(it)))
		n++;
	icalrecur_iterator_free(it);
	icalerror_clear_errno();
	pthread_mutex_lock(&p->lock);
	p->count = n;
	p->done = 1;
	abandoned = p->abandoned;
	pthread_cond_signal(&p->done_cond);
	pthread_mutex_unlock(&p->lock);
	if (abandoned)
		atomic_fetch_sub(&runaway, 1);
	probe_put(p);
	return NULL;
}

/* Occurrences of ev's rule (up to limit) into *count: 0, -E2BIG when not
 * done within the budget, -ENOMEM. */
static int
probe_count(const struct db_event *ev, size_t limit, size_t *count)
{
	struct probe *p;
	struct timespec until;
	pthread_t th;
	pthread_attr_t attr;
	int y, m, d, hh, mm, ss, rc = 0;

	if (atomic_load(&runaway) >= MAX_RUNAWAY)
		return -E2BIG;
	if (strlen(ev->rrule) >= sizeof(p->rrule) ||
	    cal_utc_to_local(ev->start_utc, ev->tzid, &y, &m, &d, &hh, &mm,
			     &ss) != 0)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->done_cond, NULL);
	p->refs = 2;
	p->limit = limit;
	strcpy(p->rrule, ev->rrule);
	p->dt = icaltime_null_time();
	p->dt.year = y;
	p->dt.month = m;
	p->dt.day = d;
	p->dt.is_date = ev->all_day ? 1 : 0;
	if (!ev->all_day) {
		p->dt.hour = hh;
		p->dt.minute = mm;
		p->dt.second = ss;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, probe_run, p) != 0) {
		pthread_attr_destroy(&attr);
		p->refs = 1;
		probe_put(p);
		return -ENOMEM;
	}
	pthread_attr_destroy(&attr);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long)CAL_RRULE_BUDGET_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&p->lock);
	while (!p->done && rc == 0)
		if (pthread_cond_timedwait(&p->done_cond, &p->lock, &until) ==
		    ETIMEDOUT && !p->done) {
			rc = -E2BIG;
			p->abandoned = 1;
			atomic_fetch_add(&runaway, 1);
		}
	*count = p->count;
	pthread_mutex_unlock(&p->lock);
	probe_put(p);
	return rc;
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
	struct icalrecurrencetype r;
	size_t count = 0;
	int rc, open_ended;

	if (!ev->rrule)
		return 0;
	if (cal_rrule_cost_check(ev->rrule, why, size) != 0)
		return -E2BIG;
	/* Open-ended (no COUNT, no UNTIL): it must yield a first one. */
	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(ev->rrule);
	icalerror_clear_errno();
	open_ended = r.count == 0 && icaltime_is_null_time(r.until);
	rc = probe_count(ev, open_ended ? 1 : CAL_RECUR_MAX_OCCURRENCES + 1,
			 &count);
	if (rc == -E2BIG) {
		snprintf(why, size, "expanding the series takes more than"
			 " %d ms; simplify the rule", CAL_RRULE_BUDGET_MS);
		return -E2BIG;
	}
	if (rc == -ENOMEM) {
		snprintf(why, size, "out of memory");
		return -ENOMEM;
	}
	if (rc != 0 || count == 0 || count > CAL_RECUR_MAX_OCCURRENCES ||
	    cal_recur_too_long(ev)) {
		snprintf(why, size, open_ended ? "the series has no occurrence"
			 " from its start" : "the series must have 1 to %d"
			 " occurrences from its start",
			 CAL_RECUR_MAX_OCCURRENCES);
		return -EINVAL;
	}
	return open_ended ? 0 : series_ends_in_range(ev, why, size);
}
