/*
 * recur.c: recurrence (recur.h): RRULE validation and expansion of a
 * series into occurrences (RFC 5545 §3.3.10, §3.8.5), with libical.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "caltime.h"
#include "recur.h"
#include "rrule_budget.h"

/* Iterations allowed beyond the occurrences returned (skipped ones). */
#define ITERATION_BOUND 20000

/*
 * libical 3.0 reads COUNT and INTERVAL with atoi() into an int and a short,
 * so "COUNT=4294967297" and "INTERVAL=65537" come back as 1. 1 when the
 * text of some name= part of rrule is more than max (max < 0: when there
 * is such a part at all).
 */
static int
part_exceeds(const char *rrule, const char *name, long max)
{
	size_t len = strlen(name);
	const char *p = rrule;
	long v;

	while (p) {
		if (strncasecmp(p, name, len) == 0) {
			if (max < 0)
				return 1;	/* present at all */
			p += len;
			p += strspn(p, " \t+-");
			for (v = 0; isdigit((unsigned char)*p); p++)
				if ((v = v * 10 + (*p - '0')) > max)
					return 1;
		}
		p = strchr(p, ';');
		if (p)
			p++;
	}
	return 0;
}

/*
 * libical 3.0.16 reads RRULE numbers with atoi() into int and short
 * fields, so "BYDAY=99999999MO" silently becomes "-1MO". No legitimate
 * RRULE number outside UNTIL has more than four digits (COUNT and
 * INTERVAL <= 1000, BYxxx <= 366): refuse longer runs before libical sees
 * them. Returns 1 when every run is short.
 */
int
cal_rrule_numbers_ok(const char *rrule)
{
	const char *p = rrule;
	size_t run = 0;
	int in_until = 0;

	for (; p && *p; p++) {
		if (p == rrule || p[-1] == ';')
			in_until = strncasecmp(p, "UNTIL=", 6) == 0;
		if (isdigit((unsigned char)*p)) {
			if (++run > 4 && !in_until)
				return 0;
		} else {
			run = 0;
		}
	}
	return 1;
}

int
cal_rrule_validate(const char *rrule, char *why, size_t size)
{
	struct icalrecurrencetype r;

	if (!rrule || !*rrule || strlen(rrule) > 512) {
		snprintf(why, size, "RRULE must be 1 to 512 octets");
		return -EINVAL;
	}
	if (part_exceeds(rrule, "COUNT=", -1) &&
	    part_exceeds(rrule, "UNTIL=", -1)) {
		snprintf(why, size, "COUNT and UNTIL cannot both be given"
			 " (RFC 5545 §3.3.10): keep one");
		return -EINVAL;
	}
	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(rrule);
	if (r.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		icalerror_clear_errno();
		snprintf(why, size, "not a valid RFC 5545 RRULE value");
		return -EINVAL;
	}
	if (r.freq != ICAL_DAILY_RECURRENCE &&
	    r.freq != ICAL_WEEKLY_RECURRENCE &&
	    r.freq != ICAL_MONTHLY_RECURRENCE &&
	    r.freq != ICAL_YEARLY_RECURRENCE) {
		snprintf(why, size, "FREQ must be DAILY, WEEKLY, MONTHLY or"
			 " YEARLY");
		return -EINVAL;
	}
	/* A series without COUNT or UNTIL runs forever: it is stored as
	 * such and every expansion is bounded by the window asked for. */
	if (r.count > CAL_RECUR_MAX_OCCURRENCES ||
	    part_exceeds(rrule, "COUNT=", CAL_RECUR_MAX_OCCURRENCES)) {
		snprintf(why, size, "COUNT must be at most %d",
			 CAL_RECUR_MAX_OCCURRENCES);
		return -EINVAL;
	}
	if (r.interval < 1 || r.interval > 1000 ||
	    part_exceeds(rrule, "INTERVAL=", 1000)) {
		snprintf(why, size, "INTERVAL must be 1 to 1000");
		return -EINVAL;
	}
	if (!cal_rrule_numbers_ok(rrule)) {
		snprintf(why, size, "a number in the RRULE is out of range");
		return -EINVAL;
	}
	if (cal_rrule_cost_check(rrule, why, size) != 0)
		return -EINVAL;
	return 0;
}

static int
push(int64_t **v, size_t *n, size_t *cap, int64_t t)
{
	int64_t *nv;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		nv = realloc(*v, *cap * sizeof(**v));
		if (!nv)
			return -ENOMEM;
		*v = nv;
	}
	(*v)[(*n)++] = t;
	return 0;
}

static int
by_time(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * RDATE (RFC 5545 §3.8.5.2): add ev's RDATEs (and, for a series without
 * RRULE, its DTSTART) in [from_utc, to_utc) to *starts, then sort, drop
 * duplicates and keep the first max. 0 or -ENOMEM.
 */
static int
merge_rdates(const struct db_event *ev, int64_t from_utc, int64_t to_utc,
	     size_t max, int64_t **starts, size_t *n, size_t *cap)
{
	size_t i, j;
	int rc = 0;

	if (!ev->rrule && ev->start_utc >= from_utc && ev->start_utc < to_utc)
		rc = push(starts, n, cap, ev->start_utc);
	for (i = 0; i < ev->n_rdates && rc == 0; i++)
		if (ev->rdates[i] >= from_utc && ev->rdates[i] < to_utc)
			rc = push(starts, n, cap, ev->rdates[i]);
	if (rc != 0 || *n < 2)
		goto cap;
	qsort(*starts, *n, sizeof(**starts), by_time);
	for (i = 1, j = 1; i < *n; i++)
		if ((*starts)[i] != (*starts)[j - 1])
			(*starts)[j++] = (*starts)[i];
	*n = j;
cap:
	if (*n > max)
		*n = max;
	return rc;
}

int
cal_recur_expand(const struct db_event *ev, int64_t from_utc, int64_t to_utc,
		 size_t max, int64_t **starts, size_t *n)
{
	struct icalrecurrencetype r;
	icalrecur_iterator *it;
	icaltimezone *zone;
	struct icaltimetype dt, next;
	size_t cap = 0, iterations = 0;
	int y, m, d, hh, mm, ss, rc = 0;

	*starts = NULL;
	*n = 0;
	/* A stored rule over the work budget (accepted before there was
	 * one) is never handed to libical: it gives its first start only. */
	if (!ev->rrule || cal_rrule_set_size(ev->rrule) > CAL_RRULE_MAX_SET) {
		if (ev->n_rdates) {
			rc = merge_rdates(ev, from_utc, to_utc, max, starts, n,
					  &cap);
			goto done;
		}
		if (ev->start_utc >= from_utc && ev->start_utc < to_utc && max)
			return push(starts, n, &cap, ev->start_utc);
		return 0;
	}
	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(ev->rrule);
	if (r.freq == ICAL_NO_RECURRENCE) {
		icalerror_clear_errno();
		return -EINVAL;
	}
	zone = strcmp(ev->tzid, "UTC") == 0 ? icaltimezone_get_utc_timezone()
		: icaltimezone_get_builtin_timezone(ev->tzid);
	if (!zone ||
	    cal_utc_to_local(ev->start_utc, ev->tzid, &y, &m, &d, &hh, &mm,
			     &ss) != 0)
		return -EINVAL;
	dt = icaltime_null_time();
	dt.year = y;
	dt.month = m;
	dt.day = d;
	dt.is_date = ev->all_day ? 1 : 0;
	if (!ev->all_day) {
		dt.hour = hh;
		dt.minute = mm;
		dt.second = ss;
	}
	dt.zone = zone;
	it = icalrecur_iterator_new(r, dt);
	if (!it) {
		icalerror_clear_errno();
		return -EINVAL;
	}
	while (*n < max && iterations++ < ITERATION_BOUND) {
		int64_t t;

		next = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(next))
			break;
		next.zone = zone;
		if (next.is_date) {
			if (cal_local_to_utc(next.year, next.month, next.day,
					     0, 0, 0, ev->tzid, &t) != 0)
				break;
		} else {
			t = (int64_t)icaltime_as_timet_with_zone(next, zone);
		}
		if (t >= to_utc)
			break;
		if (t < from_utc)
			continue;
		if ((rc = push(starts, n, &cap, t)) != 0)
			break;
	}
	icalrecur_iterator_free(it);
	icalerror_clear_errno();
	if (rc == 0 && ev->n_rdates)
		rc = merge_rdates(ev, from_utc, to_utc, max, starts, n, &cap);
done:
	if (rc != 0) {
		free(*starts);
		*starts = NULL;
		*n = 0;
	}
	return rc;
}

static int
overlaps(int64_t start, int64_t end, int64_t from, int64_t to)
{
	if (start >= to)
		return 0;
	return end > from || (end == start && start >= from);
}

static int
is_exdate(const struct db_event *ev, int64_t t)
{
	size_t i;

	for (i = 0; i < ev->n_exdates; i++)
		if (ev->exdates[i] == t)
			return 1;
	return 0;
}

static const struct db_override *
override_of(const struct db_event *ev, int64_t t)
{
	size_t i;

	for (i = 0; i < ev->n_overrides; i++)
		if (ev->overrides[i].recurrence_utc == t)
			return &ev->overrides[i];
	return NULL;
}

static int
by_start(const void *a, const void *b)
{
	const struct cal_instance *x = a, *y = b;

	if (x->start_utc != y->start_utc)
		return x->start_utc < y->start_utc ? -1 : 1;
	return x->recurrence_utc < y->recurrence_utc ? -1 :
	       x->recurrence_utc > y->recurrence_utc;
}

static int
push_instance(struct cal_instance **v, size_t *n, size_t *cap,
	      const struct db_event *ev, int64_t rid,
	      const struct db_override *o, int64_t dur)
{
	struct cal_instance *nv, *in;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		nv = realloc(*v, *cap * sizeof(**v));
		if (!nv)
			return -ENOMEM;
		*v = nv;
	}
	in = &(*v)[(*n)++];
	in->recurrence_utc = rid;
	in->override = o;
	in->start_utc = o ? o->start_utc : rid;
	in->end_utc = o ? o->end_utc : rid + dur;
	in->status = o && o->status ? o->status : ev->status;
	return 0;
}

int
cal_event_instances(const struct db_event *ev, int64_t from_utc,
		    int64_t to_utc, size_t max, struct cal_instance **out,
		    size_t *n)
{
	int64_t dur = ev->end_utc - ev->start_utc, *starts = NULL;
	struct cal_instance *v = NULL;
	size_t ns = 0, len = 0, cap = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	if (!ev->rrule && !ev->n_rdates) {
		if (!max || !overlaps(ev->start_utc, ev->end_utc, from_utc,
				      to_utc))
			return 0;
		rc = push_instance(&v, &len, &cap, ev, ev->start_utc, NULL,
				   dur);
		goto done;
	}
	rc = cal_recur_expand(ev, from_utc - dur, to_utc,
			      CAL_RECUR_MAX_OCCURRENCES, &starts, &ns);
	if (rc != 0)
		return rc;
	for (i = 0; i < ns && rc == 0; i++) {
		const struct db_override *o = override_of(ev, starts[i]);

		if (is_exdate(ev, starts[i]))
			continue;
		if (o ? !overlaps(o->start_utc, o->end_utc, from_utc, to_utc)
		      : !overlaps(starts[i], starts[i] + dur, from_utc,
				  to_utc))
			continue;
		rc = push_instance(&v, &len, &cap, ev, starts[i], o, dur);
	}
	/* Occurrences moved into the window from outside it. */
	for (i = 0; i < ev->n_overrides && rc == 0; i++) {
		const struct db_override *o = &ev->overrides[i];
		int64_t rid = o->recurrence_utc;

		if (overlaps(rid, rid + dur, from_utc, to_utc) ||
		    !overlaps(o->start_utc, o->end_utc, from_utc, to_utc) ||
		    is_exdate(ev, rid))
			continue;
		rc = push_instance(&v, &len, &cap, ev, rid, o, dur);
	}
	free(starts);
done:
	if (rc != 0) {
		free(v);
		return rc;
	}
	if (len > 1)
		qsort(v, len, sizeof(*v), by_start);
	if (len > max)
		len = max;
	*out = len ? v : NULL;
	if (!len)
		free(v);
	*n = len;
	return 0;
}

int
cal_recur_too_long(const struct db_event *ev)
{
	int64_t *starts = NULL;
	size_t n = 0;
	int rc, open_ended;

	if (!ev->rrule)
		return 0;
	/* Open-ended (no COUNT, no UNTIL): it must yield a first one. */
	open_ended = !part_exceeds(ev->rrule, "COUNT=", -1) &&
		     !part_exceeds(ev->rrule, "UNTIL=", -1);
	rc = cal_recur_expand(ev, ev->start_utc, INT64_MAX / 4,
			      open_ended ? 1 : CAL_RECUR_MAX_OCCURRENCES + 1,
			      &starts, &n);
	free(starts);
	if (rc != 0)
		return 1;
	return n == 0 || n > CAL_RECUR_MAX_OCCURRENCES;
}

int
cal_recur_is_occurrence(const struct db_event *ev, int64_t t)
{
	int64_t *starts = NULL;
	size_t n = 0;
	int found;

	if (!ev->rrule && !ev->n_rdates)
		return t == ev->start_utc;
	if (cal_recur_expand(ev, t, t + 1, 1, &starts, &n) != 0)
		return 0;
	found = n == 1 && starts[0] == t;
	free(starts);
	return found;
}
