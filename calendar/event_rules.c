/*
 * event_rules.c: validation, SEQUENCE and series exceptions of one event
 * (see event_rules.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caltime.h"
#include "event_rules.h"
#include "recur.h"
#include "rrule_budget.h"
#include "rrule_until.h"

static int
fail(struct cal_rule_error *err, const char *field, const char *code,
     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
fail(struct cal_rule_error *err, const char *field, const char *code,
     const char *fmt, ...)
{
	va_list ap;

	err->field = field;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int
cal_event_instant_ok(int64_t t)
{
	return t >= CAL_EVENT_EARLIEST_UTC && t < CAL_EVENT_LATEST_UTC;
}

int
cal_event_status_valid(const char *s)
{
	return s && (strcmp(s, "TENTATIVE") == 0 ||
		     strcmp(s, "CONFIRMED") == 0 ||
		     strcmp(s, "CANCELLED") == 0);
}

static int
range_error(struct cal_rule_error *err, const char *field)
{
	return fail(err, field, NULL, "must be between 1970 and 2200");
}

static int
date_to_utc(const char *date, const char *tzid, int64_t *utc)
{
	int y, m, d;

	if (cal_date_parse(date, &y, &m, &d) != 0)
		return -EINVAL;
	return cal_local_to_utc(y, m, d, 0, 0, 0, tzid, utc);
}

/* date + days as a date YYYY-MM-DD into out (date is valid). */
static void
date_plus(const char *date, int days, char out[11])
{
	int y, m, d;

	cal_date_parse(date, &y, &m, &d);
	cal_date_add_days(&y, &m, &d, days);
	cal_date_format(y, m, d, out);
}

static int
place_all_day(struct db_event *ev, const struct cal_time_input *ti,
	      int creating, const struct db_event *stored,
	      struct cal_rule_error *err)
{
	int switched = stored && !stored->all_day;
	char end_date[11];

	if (ti->has_start || ti->has_end)
		return fail(err, ti->has_start ? "start" : "end", NULL,
			    "all-day events take start_date and end_date");
	if (!ti->has_start_date && (creating || switched))
		return fail(err, "start_date", NULL, "is required for an"
			    " all-day event");
	if (ti->has_start_date) {
		memcpy(end_date, ti->end_date, sizeof(end_date));
		if (!ti->has_end_date && !creating && !switched && stored)
			/* moved: keep the number of days */
			date_plus(ti->start_date, (int)((stored->end_utc -
				  stored->start_utc + 43200) / 86400),
				  end_date);
		else if (!ti->has_end_date)
			date_plus(ti->start_date, 1, end_date);
		memcpy(ev->start_date, ti->start_date, 11);
		memcpy(ev->end_date, end_date, 11);
	} else if (ti->has_end_date) {
		memcpy(ev->end_date, ti->end_date, 11);
	}
	if (strcmp(ev->end_date, ev->start_date) <= 0)
		return fail(err, "end_date", NULL, "must be after start_date"
			    " (the end date is exclusive)");
	if (date_to_utc(ev->start_date, ev->tzid, &ev->start_utc) ||
	    date_to_utc(ev->end_date, ev->tzid, &ev->end_utc))
		return fail(err, "start_date", NULL, "cannot be placed in"
			    " timezone %s", ev->tzid);
	if (!cal_event_instant_ok(ev->start_utc))
		return range_error(err, "start_date");
	if (!cal_event_instant_ok(ev->end_utc))
		return range_error(err, "end_date");
	return 0;
}

static int
place_timed(struct db_event *ev, const struct cal_time_input *ti,
	    int creating, const struct db_event *stored,
	    struct cal_rule_error *err)
{
	if (ti->has_start_date || ti->has_end_date)
		return fail(err, ti->has_start_date ? "start_date" :
			    "end_date", NULL, "only all-day events take"
			    " dates; set all_day to true, or give start and"
			    " end");
	if (!ti->has_start && (creating || (stored && stored->all_day)))
		return fail(err, "start", NULL, "is required");
	if (ti->has_start) {
		int64_t dur = 3600;

		if (stored && !stored->all_day && !creating)
			dur = stored->end_utc - stored->start_utc;
		ev->start_utc = ti->start;
		ev->end_utc = ti->has_end ? ti->end : ti->start + dur;
	} else if (ti->has_end) {
		ev->end_utc = ti->end;
	}
	ev->start_date[0] = ev->end_date[0] = '\0';
	if (ev->end_utc <= ev->start_utc)
		return fail(err, "end", NULL, "must be after start");
	return 0;
}

int
cal_event_place(struct db_event *ev, const struct cal_time_input *ti,
		int creating, const struct db_event *stored,
		struct cal_rule_error *err)
{
	if (ev->all_day)
		return place_all_day(ev, ti, creating, stored, err);
	return place_timed(ev, ti, creating, stored, err);
}

int
cal_event_check(struct db_event *ev, struct cal_rule_error *err)
{
	char why[200], *norm = NULL;
	const char *start = ev->all_day ? "start_date" : "start";
	int rc;

	if (ev->end_utc - ev->start_utc > CAL_EVENT_MAX_SECONDS)
		return fail(err, ev->all_day ? "end_date" : "end", NULL,
			    "an event lasts at most 366 days");
	if (!ev->rrule)
		return 0;
	rc = cal_rrule_normalize_until(ev->rrule, ev->tzid ? ev->tzid :
				       CAL_DISTRICT_TZID, ev->all_day, &norm,
				       why, sizeof(why));
	if (rc == -EINVAL)
		return fail(err, "rrule", NULL, "%s", why);
	if (rc == 0) {
		free(ev->rrule);
		ev->rrule = norm;
	}
	if (cal_rrule_check_series(ev, why, sizeof(why)) != 0)
		return fail(err, "rrule", NULL, "%s", why);
	/* RFC 5545 §3.8.5.3: DTSTART should be the first instance of its
	 * RRULE; clients disagree about one that is not (some show it, the
	 * expansion and the cadence do not), and moving a series onto such a
	 * day would drop its cancelled and changed occurrences. */
	if (!ev->n_rdates && !cal_recur_is_occurrence(ev, ev->start_utc))
		return fail(err, start, "start_not_in_rule", "is not an"
			    " occurrence of the rrule (e.g. BYDAY=TU needs a"
			    " Tuesday): the series must start on its first"
			    " occurrence");
	return 0;
}

/* ---- SEQUENCE (RFC 5545 §3.8.7.4) ---- */

static int
str_differ(const char *x, const char *y)
{
	return (x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0);
}

static int
override_differs(const struct db_override *x, const struct db_override *y,
		 int significant)
{
	return x->recurrence_utc != y->recurrence_utc ||
	       x->start_utc != y->start_utc || x->end_utc != y->end_utc ||
	       str_differ(x->title, y->title) ||
	       str_differ(x->venue, y->venue) ||
	       (!significant && str_differ(x->description, y->description)) ||
	       str_differ(x->status, y->status);
}

/* 1 when the exceptions (EXDATE, RDATE, overrides) of a and b differ;
 * with significant set, an override's description alone does not count. */
static int
exceptions_differ(const struct db_event *a, const struct db_event *b,
		  int significant)
{
	size_t i;

	if (a->n_exdates != b->n_exdates || a->n_overrides != b->n_overrides ||
	    a->n_rdates != b->n_rdates)
		return 1;
	for (i = 0; i < a->n_exdates; i++)
		if (a->exdates[i] != b->exdates[i])
			return 1;
	for (i = 0; i < a->n_rdates; i++)
		if (a->rdates[i] != b->rdates[i])
			return 1;
	for (i = 0; i < a->n_overrides; i++)
		if (override_differs(&a->overrides[i], &b->overrides[i],
				     significant))
			return 1;
	return 0;
}

int
cal_event_significant_change(const struct db_event *a,
			     const struct db_event *b)
{
	return a->start_utc != b->start_utc || a->end_utc != b->end_utc ||
	       a->all_day != b->all_day || str_differ(a->tzid, b->tzid) ||
	       str_differ(a->title, b->title) ||
	       str_differ(a->venue, b->venue) ||
	       str_differ(a->status, b->status) ||
	       str_differ(a->rrule, b->rrule) || exceptions_differ(a, b, 1);
}

int
cal_event_any_change(const struct db_event *a, const struct db_event *b)
{
	size_t i;

	if (cal_event_significant_change(a, b) ||
	    exceptions_differ(a, b, 0) || str_differ(a->kind, b->kind) ||
	    str_differ(a->description, b->description) ||
	    str_differ(a->url, b->url) || str_differ(a->carrier, b->carrier) ||
	    a->capacity != b->capacity || a->has_geo != b->has_geo ||
	    a->geo_lat != b->geo_lat || a->geo_lon != b->geo_lon ||
	    a->n_partner_regions != b->n_partner_regions)
		return 1;
	for (i = 0; i < a->n_partner_regions; i++)
		if (strcmp(a->partner_regions[i], b->partner_regions[i]))
			return 1;
	return 0;
}

int64_t
cal_event_next_sequence(const struct db_event *changed,
			const struct db_event *stored)
{
	return stored->sequence +
	       (cal_event_significant_change(changed, stored) ? 1 : 0);
}

/* ---- series exceptions ---- */

static void
override_release(struct db_override *o)
{
	free(o->title);
	free(o->venue);
	free(o->description);
	free(o->status);
}

int
cal_event_copy_exceptions(struct db_event *dst, const struct db_event *src)
{
	struct db_event tmp;
	size_t i;

	if (db_event_copy(&tmp, src) != 0)
		return -ENOMEM;
	free(dst->exdates);
	for (i = 0; i < dst->n_overrides; i++)
		override_release(&dst->overrides[i]);
	free(dst->overrides);
	free(dst->rdates);
	dst->exdates = tmp.exdates;
	dst->n_exdates = tmp.n_exdates;
	dst->overrides = tmp.overrides;
	dst->n_overrides = tmp.n_overrides;
	dst->rdates = tmp.rdates;
	dst->n_rdates = tmp.n_rdates;
	free(dst->tzid_source);
	dst->tzid_source = NULL;
	if (dst->tzid && strcmp(dst->tzid, "UTC") == 0) {
		dst->tzid_source = tmp.tzid_source;
		tmp.tzid_source = NULL;
	}
	tmp.exdates = NULL;
	tmp.n_exdates = 0;
	tmp.overrides = NULL;
	tmp.n_overrides = 0;
	tmp.rdates = NULL;
	tmp.n_rdates = 0;
	db_event_release(&tmp);
	return 0;
}

void
cal_event_shift_exceptions(struct db_event *ev, int64_t delta)
{
	size_t i;

	for (i = 0; i < ev->n_exdates; i++)
		ev->exdates[i] += delta;
	for (i = 0; i < ev->n_rdates; i++)
		ev->rdates[i] += delta;
	for (i = 0; i < ev->n_overrides; i++) {
		struct db_override *o = &ev->overrides[i];

		if (o->start_utc == o->recurrence_utc) {
			o->start_utc += delta;
			o->end_utc += delta;
		}
		o->recurrence_utc += delta;
	}
}

void
cal_event_prune_exceptions(struct db_event *ev)
{
	size_t i, j;

	if (!ev->rrule)
		ev->n_exdates = 0;
	for (i = j = 0; i < ev->n_exdates; i++)
		if (cal_recur_is_occurrence(ev, ev->exdates[i]))
			ev->exdates[j++] = ev->exdates[i];
	ev->n_exdates = j;
	for (i = j = 0; i < ev->n_overrides; i++) {
		struct db_override *o = &ev->overrides[i];

		if (ev->rrule && cal_recur_is_occurrence(ev, o->recurrence_utc))
			ev->overrides[j++] = *o;
		else
			override_release(o);
	}
	ev->n_overrides = j;
}

void
cal_event_keep_exceptions(struct db_event *ev, const struct db_event *stored)
{
	if (ev->rrule && stored->rrule && ev->start_utc != stored->start_utc)
		cal_event_shift_exceptions(ev, ev->start_utc -
					   stored->start_utc);
	cal_event_prune_exceptions(ev);
}

/* ---- one occurrence ---- */

int
cal_event_parse_recurrence_id(const struct db_event *ev, const char *s,
			      int64_t *t)
{
	int y, m, d;

	if (!s)
		return -EINVAL;
	if (cal_time_parse_rfc3339(s, t) == 0)
		return 0;
	if (strlen(s) == 10 && cal_date_parse(s, &y, &m, &d) == 0)
		return cal_local_to_utc(y, m, d, 0, 0, 0, ev->tzid, t);
	return cal_time_parse_ical_utc(s, t);
}

int
cal_event_has_exdate(const struct db_event *ev, int64_t t)
{
	size_t i;

	for (i = 0; i < ev->n_exdates; i++)
		if (ev->exdates[i] == t)
			return 1;
	return 0;
}

int
cal_event_find_occurrence(const struct db_event *ev, int64_t t)
{
	if (!ev->rrule)
		return -ENOENT;
	if (cal_event_has_exdate(ev, t))
		return -EALREADY;
	return cal_recur_is_occurrence(ev, t) ? 0 : -ENOENT;
}

struct db_override *
cal_event_override_for(struct db_event *ev, int64_t t)
{
	struct db_override *nv;
	size_t i;

	for (i = 0; i < ev->n_overrides; i++)
		if (ev->overrides[i].recurrence_utc == t)
			return &ev->overrides[i];
	nv = realloc(ev->overrides, (ev->n_overrides + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	ev->overrides = nv;
	nv = &ev->overrides[ev->n_overrides++];
	memset(nv, 0, sizeof(*nv));
	nv->recurrence_utc = t;
	nv->start_utc = t;
	nv->end_utc = t + (ev->end_utc - ev->start_utc);
	return nv;
}

int
cal_event_cancel_occurrence(struct db_event *ev, int64_t t)
{
	size_t i;

	for (i = 0; i < ev->n_overrides; i++) {
		struct db_override *o = &ev->overrides[i];

		if (o->recurrence_utc != t)
			continue;
		override_release(o);
		memmove(o, o + 1, (ev->n_overrides - i - 1) * sizeof(*o));
		ev->n_overrides--;
		break;
	}
	return db_event_add_exdate(ev, t);
}

int
cal_override_check(const struct db_event *ev, const struct db_override *o,
		   struct cal_rule_error *err)
{
	const char *start = ev->all_day ? "start_date" : "start";
	const char *end = ev->all_day ? "end_date" : "end";

	if (!cal_event_instant_ok(o->start_utc))
		return range_error(err, start);
	if (!cal_event_instant_ok(o->end_utc))
		return range_error(err, end);
	if (o->end_utc <= o->start_utc)
		return fail(err, end, NULL, "must be after the start");
	return 0;
}
