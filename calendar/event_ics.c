/*
 * event_ics: render events as an iCalendar feed with libical.
 *
 * Every component, property and parameter is built with libical and the
 * text comes from icalcomponent_as_ical_string_r(); nothing here prints
 * iCalendar text by hand. Facts about Debian 12's libical 3.0.16 that the
 * code relies on (each one is pinned by tests/check_event_ics.c):
 *
 * - Folding: lines are folded at 75 octets and never inside a UTF-8
 *   sequence (libical prefers to break after ';', ':' or ' ', else at a
 *   UTF-8 lead byte), so no refolding pass is needed.
 * - TEXT escaping of ',', ';', '\' and newline is done by libical for
 *   standard properties. X- properties get '\' and newline escaped, not
 *   ',' and ';' (clients read those literally, which is what we want).
 * - icaltime_from_timet_with_zone() returns local wall-clock fields but
 *   leaves .zone set to UTC, so such a value would print as "...Z", a
 *   wrong instant. Local times are therefore built as floating times and
 *   given an explicit TZID parameter.
 * - Builtin zones have TZID "/freeassociation.sourceforge.net/<IANA>";
 *   we rename the cloned VTIMEZONE to the plain IANA name so it equals
 *   the DTSTART/DTEND TZID parameter.
 * - icalcomponent_add_component() puts a VTIMEZONE before every other
 *   child, not after the last one.
 * - icalcomponent_as_ical_string_r() allocates with icalmemory (malloc in
 *   3.0.16); the result is copied so that our caller can use free().
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "caltime.h"
#include "event_ics.h"
#include "kind.h"
#include "types.h"

#define CAL_PRODID		"-//roadshowd//roadshowd 1.0//ZH"
#define CAL_CANCELLED_PREFIX	"[已取消] "
#define CAL_REFRESH_DEFAULT	60	/* minutes */

/* One TZID used by a timed event, in first-use order. */
struct zone_use {
	const char *tzid;		/* borrowed from an event */
	icaltimezone *zone;		/* libical's builtin; not ours */
	int64_t first_utc;		/* earliest DTSTART in it, seconds */
};

struct zone_set {
	struct zone_use *v;
	size_t n;
	size_t alloc;
};

static int
is_utc_tzid(const char *tzid)
{
	return strcmp(tzid, "UTC") == 0 || strcmp(tzid, "Etc/UTC") == 0;
}

/* The event's TZID; the district's zone when none is stored. */
static const char *
event_tzid(const struct db_event *ev)
{
	return ev->tzid && *ev->tzid ? ev->tzid : CAL_DISTRICT_TZID;
}

/*
 * The zone a timed event's local times are written in, or NULL when they
 * are written in UTC ("Z" form): the zone is UTC, or libical does not know
 * it (the instant stays right; only the wall-clock zone is lost).
 */
static icaltimezone *
event_zone(const struct db_event *ev)
{
	const char *tzid = event_tzid(ev);

	if (is_utc_tzid(tzid))
		return NULL;
	return icaltimezone_get_builtin_timezone(tzid);
}

/* Add p to c (c owns it). -ENOMEM when p is NULL (libical's OOM). */
static int
add_prop(icalcomponent *c, icalproperty *p)
{
	if (!p)
		return -ENOMEM;
	icalcomponent_add_property(c, p);
	return 0;
}

/* Add p to c with a parameter (p owns it); frees both on failure. */
static int
add_prop_param(icalcomponent *c, icalproperty *p, icalparameter *par)
{
	if (!p || !par) {
		if (p)
			icalproperty_free(p);
		if (par)
			icalparameter_free(par);
		return -ENOMEM;
	}
	icalproperty_add_parameter(p, par);
	icalcomponent_add_property(c, p);
	return 0;
}

/* A non-standard property NAME:value. name and value are copied. */
static int
add_x(icalcomponent *c, const char *name, const char *value)
{
	icalproperty *p = icalproperty_new_x(value);

	if (!p)
		return -ENOMEM;
	icalproperty_set_x_name(p, name);
	icalcomponent_add_property(c, p);
	return 0;
}

static struct icaltimetype
utc_time(int64_t utc)
{
	return icaltime_from_timet_with_zone((time_t)utc, 0,
					     icaltimezone_get_utc_timezone());
}

/* VERSION ... X-PUBLISHED-TTL, in the order RFC 5545 examples use. */
static int
add_calendar_props(icalcomponent *cal, const struct cal_feed_opts *o)
{
	struct icaldurationtype ttl = icaldurationtype_null_duration();
	char *ttl_text;
	int rc;

	ttl.minutes = (o && o->refresh_minutes > 0) ?
		      (unsigned int)o->refresh_minutes : CAL_REFRESH_DEFAULT;
	if (add_prop(cal, icalproperty_new_version("2.0")) ||
	    add_prop(cal, icalproperty_new_prodid(CAL_PRODID)) ||
	    add_prop(cal, icalproperty_new_calscale("GREGORIAN")) ||
	    add_prop(cal, icalproperty_new_method(ICAL_METHOD_PUBLISH)))
		return -ENOMEM;
	if (o && o->name && *o->name &&
	    (add_x(cal, "X-WR-CALNAME", o->name) ||
	     add_prop(cal, icalproperty_new_name(o->name))))
		return -ENOMEM;
	if (o && o->description && *o->description &&
	    (add_x(cal, "X-WR-CALDESC", o->description) ||
	     add_prop(cal, icalproperty_new_description(o->description))))
		return -ENOMEM;
	if (add_x(cal, "X-WR-TIMEZONE", CAL_DISTRICT_TZID) ||
	    add_prop(cal, icalproperty_new_refreshinterval(ttl)))
		return -ENOMEM;
	/* Same value text for Outlook's TTL, formatted by libical. */
	ttl_text = icaldurationtype_as_ical_string_r(ttl);
	if (!ttl_text)
		return -ENOMEM;
	rc = add_x(cal, "X-PUBLISHED-TTL", ttl_text);
	icalmemory_free_buffer(ttl_text);
	return rc;
}

/* Record the zone of every timed, non-UTC event, in first-use order. */
static int
zones_collect(const struct db_event *events, size_t n, struct zone_set *zs)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct db_event *ev = &events[i];
		const char *tzid = event_tzid(ev);
		icaltimezone *zone;

		if (ev->all_day)
			continue;
		zone = event_zone(ev);
		if (!zone)
			continue;
		for (j = 0; j < zs->n; j++)
			if (strcmp(zs->v[j].tzid, tzid) == 0)
				break;
		if (j < zs->n) {
			if (ev->start_utc < zs->v[j].first_utc)
				zs->v[j].first_utc = ev->start_utc;
			continue;
		}
		if (zs->n == zs->alloc) {
			size_t na = zs->alloc ? 2 * zs->alloc : 4;
			struct zone_use *nv = realloc(zs->v, na * sizeof(*nv));

			if (!nv)
				return -ENOMEM;
			zs->v = nv;
			zs->alloc = na;
		}
		zs->v[zs->n].tzid = tzid;
		zs->v[zs->n].zone = zone;
		zs->v[zs->n].first_utc = ev->start_utc;
		zs->n++;
	}
	return 0;
}

/*
 * A VTIMEZONE for u: libical's builtin definition, cloned, cut to the
 * observances from 1 January (UTC) of the year before u->first_utc on
 * (the earliest event in the zone and every later one are still covered;
 * for events from 1993 on, Asia/Shanghai loses its 1919-1991 summer times
 * and the +080543 LMT offset that some clients reject), with TZID set to
 * the plain name.
 * ms_compatible=1 keeps the DTSTART of open-ended RRULEs, as Outlook
 * wants. Returns a component the caller frees, or NULL (OOM).
 */
static icalcomponent *
vtimezone_new(const struct zone_use *u)
{
	icalcomponent *src = icaltimezone_get_component(u->zone);
	icalcomponent *vtz;
	icalproperty *p;
	struct icaltimetype from = icaltime_null_time();
	struct icaltimetype first = utc_time(u->first_utc);

	if (!src)
		return NULL;
	vtz = icalcomponent_new_clone(src);
	if (!vtz)
		return NULL;
	from.year = first.year - 1;
	from.month = 1;
	from.day = 1;
	(void)icaltime_set_timezone(&from, icaltimezone_get_utc_timezone());
	icaltimezone_truncate_vtimezone(vtz, from, icaltime_null_time(), 1);

	p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
	if (p) {
		icalproperty_set_tzid(p, u->tzid);
	} else if (add_prop(vtz, icalproperty_new_tzid(u->tzid))) {
		icalcomponent_free(vtz);
		return NULL;
	}
	return vtz;
}

/* DATE value from "YYYY-MM-DD"; 0 or -EINVAL. */
static int
date_value(const char *s, struct icaltimetype *t)
{
	int y, m, d;

	if (cal_date_parse(s, &y, &m, &d) != 0)
		return -EINVAL;
	*t = icaltime_null_date();
	t->year = y;
	t->month = m;
	t->day = d;
	return 0;
}

/* DTSTART;VALUE=DATE and DTEND;VALUE=DATE (exclusive, RFC 5545 §3.6.1). */
static int
add_dates(icalcomponent *vev, const struct db_event *ev)
{
	struct icaltimetype start, end;
	int y, m, d, hh, mm, ss;

	if (date_value(ev->start_date, &start) != 0) {
		/* No stored date: the local date of the start instant. */
		if (cal_utc_to_local(ev->start_utc, event_tzid(ev), &y, &m,
				     &d, &hh, &mm, &ss) != 0 &&
		    cal_utc_to_local(ev->start_utc, CAL_DISTRICT_TZID, &y, &m,
				     &d, &hh, &mm, &ss) != 0)
			return -EINVAL;
		start = icaltime_null_date();
		start.year = y;
		start.month = m;
		start.day = d;
	}
	if (date_value(ev->end_date, &end) != 0 ||
	    icaltime_compare_date_only(end, start) <= 0) {
		/* A one-day event. */
		y = start.year;
		m = start.month;
		d = start.day;
		cal_date_add_days(&y, &m, &d, 1);
		end = icaltime_null_date();
		end.year = y;
		end.month = m;
		end.day = d;
	}
	if (add_prop(vev, icalproperty_new_dtstart(start)) ||
	    add_prop(vev, icalproperty_new_dtend(end)))
		return -ENOMEM;
	return 0;
}

/* A floating time holding utc's wall-clock fields in tzid. */
static int
local_time(int64_t utc, const char *tzid, struct icaltimetype *t)
{
	*t = icaltime_null_time();
	if (cal_utc_to_local(utc, tzid, &t->year, &t->month, &t->day,
			     &t->hour, &t->minute, &t->second) != 0)
		return -EINVAL;
	t->is_date = 0;
	t->zone = NULL;
	return 0;
}

/* DTSTART/DTEND;TZID=<tzid>:local, or UTC "Z" form (see event_zone()). */
static int
add_times(icalcomponent *vev, const struct db_event *ev)
{
	const char *tzid = event_tzid(ev);
	int has_end = ev->end_utc > ev->start_utc;	/* RFC: DTEND later */
	struct icaltimetype start, end;

	if (!event_zone(ev)) {
		if (add_prop(vev, icalproperty_new_dtstart(
				utc_time(ev->start_utc))))
			return -ENOMEM;
		if (has_end && add_prop(vev, icalproperty_new_dtend(
				utc_time(ev->end_utc))))
			return -ENOMEM;
		return 0;
	}
	if (local_time(ev->start_utc, tzid, &start) != 0 ||
	    (has_end && local_time(ev->end_utc, tzid, &end) != 0))
		return -EINVAL;
	if (add_prop_param(vev, icalproperty_new_dtstart(start),
			   icalparameter_new_tzid(tzid)))
		return -ENOMEM;
	if (has_end && add_prop_param(vev, icalproperty_new_dtend(end),
				      icalparameter_new_tzid(tzid)))
		return -ENOMEM;
	return 0;
}

/* SUMMARY, with the cancelled prefix when asked for. */
static int
add_summary(icalcomponent *vev, const struct db_event *ev,
	    const struct cal_feed_opts *o)
{
	const char *title = ev->title ? ev->title : "";
	size_t len;
	char *buf;
	int rc;

	if (!(o && o->mark_cancelled && ev->status &&
	      cal_event_status_is(ev->status, CAL_STATUS_CANCELLED)))
		return add_prop(vev, icalproperty_new_summary(title));
	len = strlen(CAL_CANCELLED_PREFIX) + strlen(title) + 1;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	snprintf(buf, len, "%s%s", CAL_CANCELLED_PREFIX, title);
	rc = add_prop(vev, icalproperty_new_summary(buf));
	free(buf);
	return rc;
}

/* CATEGORIES:<zh>,<en>; nothing for an unknown kind. */
static int
add_categories(icalcomponent *vev, const struct db_event *ev)
{
	const struct cal_kind *k = cal_kind_find(ev->kind);
	char buf[128];

	if (!k)
		return 0;
	snprintf(buf, sizeof(buf), "%s,%s", k->zh, k->en);
	return add_prop(vev, icalproperty_new_categories(buf));
}

static int
add_status(icalcomponent *vev, const char *status)
{
	static const enum icalproperty_status to_ical[] = {
		[CAL_STATUS_TENTATIVE] = ICAL_STATUS_TENTATIVE,
		[CAL_STATUS_CONFIRMED] = ICAL_STATUS_CONFIRMED,
		[CAL_STATUS_CANCELLED] = ICAL_STATUS_CANCELLED,
	};
	enum cal_event_status st;

	if (cal_event_status_parse(status, &st) != 0)
		return 0;
	return add_prop(vev, icalproperty_new_status(to_ical[st]));
}

/* RRULE parsed and re-printed by libical; skipped when it does not parse. */
static int
add_rrule(icalcomponent *vev, const char *rrule)
{
	struct icalrecurrencetype r;

	if (!rrule || !*rrule)
		return 0;
	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(rrule);
	if (r.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		icalerror_clear_errno();
		return 0;
	}
	return add_prop(vev, icalproperty_new_rrule(r));
}

/* URI values are not escaped: leave out one holding control characters. */
static int
add_url(icalcomponent *vev, const char *url)
{
	const unsigned char *p;

	if (!url || !*url)
		return 0;
	for (p = (const unsigned char *)url; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return add_prop(vev, icalproperty_new_url(url));
}

/* A date or date-time property value for instant t in the event's form:
 * DATE for all-day events, local time + TZID, or UTC. *tzid_out is the
 * TZID parameter to add (NULL for none). */
static int
instant_value(const struct db_event *ev, int64_t t, struct icaltimetype *v,
	      const char **tzid_out)
{
	int y, m, d, hh, mm, ss;

	*tzid_out = NULL;
	if (ev->all_day) {
		if (cal_utc_to_local(t, event_tzid(ev), &y, &m, &d, &hh, &mm,
				     &ss) != 0)
			return -EINVAL;
		*v = icaltime_null_date();
		v->year = y;
		v->month = m;
		v->day = d;
		return 0;
	}
	if (!event_zone(ev)) {
		*v = utc_time(t);
		return 0;
	}
	*tzid_out = event_tzid(ev);
	return local_time(t, *tzid_out, v);
}

static int
hidden_override(const struct db_override *o, const struct cal_feed_opts *opts)
{
	return opts && opts->hide_tentative && o->status &&
	       cal_event_status_is(o->status, CAL_STATUS_TENTATIVE);
}

/* EXDATE (RFC 5545 §3.8.5.1), one property per excluded start: the
 * cancelled occurrences, and in public feeds the tentative ones. */
static int
add_exdates(icalcomponent *vev, const struct db_event *ev,
	    const struct cal_feed_opts *opts)
{
	struct icaltimetype v;
	const char *tzid;
	size_t i, n = ev->rrule || ev->n_rdates ?
		      ev->n_exdates + ev->n_overrides : 0;

	for (i = 0; i < n; i++) {
		int64_t t;

		if (i < ev->n_exdates) {
			t = ev->exdates[i];
		} else {
			const struct db_override *o =
				&ev->overrides[i - ev->n_exdates];

			if (!hidden_override(o, opts))
				continue;
			t = o->recurrence_utc;
		}
		if (instant_value(ev, t, &v, &tzid) != 0)
			continue;
		if (tzid ? add_prop_param(vev, icalproperty_new_exdate(v),
					  icalparameter_new_tzid(tzid))
			 : add_prop(vev, icalproperty_new_exdate(v)))
			return -ENOMEM;
	}
	return 0;
}

/* RDATE (RFC 5545 §3.8.5.2), one property per extra start, in the form
 * of DTSTART. */
static int
add_rdates(icalcomponent *vev, const struct db_event *ev)
{
	struct icaldatetimeperiodtype dp;
	const char *tzid;
	size_t i;

	for (i = 0; i < ev->n_rdates; i++) {
		memset(&dp, 0, sizeof(dp));
		dp.period = icalperiodtype_null_period();
		if (instant_value(ev, ev->rdates[i], &dp.time, &tzid) != 0)
			continue;
		if (tzid ? add_prop_param(vev, icalproperty_new_rdate(dp),
					  icalparameter_new_tzid(tzid))
			 : add_prop(vev, icalproperty_new_rdate(dp)))
			return -ENOMEM;
	}
	return 0;
}

/* ORGANIZER;CN=<carrier name>:<base>/api/v1/carriers/<slug> (RFC 5545
 * §3.8.4.3); nothing for district-hosted events or without a base URL. */
static int
add_organizer(icalcomponent *vev, const struct db_event *ev,
	      const struct cal_feed_opts *o)
{
	char uri[512];

	if (!o || !o->base_url || !ev->carrier || !ev->carrier_name)
		return 0;
	snprintf(uri, sizeof(uri), "%s/api/v1/carriers/%s", o->base_url,
		 ev->carrier);
	return add_prop_param(vev, icalproperty_new_organizer(uri),
			      icalparameter_new_cn(ev->carrier_name));
}

static int
add_geo(icalcomponent *vev, const struct db_event *ev)
{
	struct icalgeotype g;

	if (!ev->has_geo)
		return 0;
	memset(&g, 0, sizeof(g));
	g.lat = ev->geo_lat;
	g.lon = ev->geo_lon;
	return add_prop(vev, icalproperty_new_geo(g));
}

/* RECURRENCE-ID in the same form as DTSTART (RFC 5545 §3.8.4.4). */
static int
add_recurrence_id(icalcomponent *vev, const struct db_event *ev, int64_t rid)
{
	struct icaltimetype v;
	const char *tzid;

	if (instant_value(ev, rid, &v, &tzid) != 0)
		return -EINVAL;
	if (tzid)
		return add_prop_param(vev, icalproperty_new_recurrenceid(v),
				      icalparameter_new_tzid(tzid));
	return add_prop(vev, icalproperty_new_recurrenceid(v));
}

static int
add_event(icalcomponent *cal, const struct db_event *ev,
	  const struct cal_feed_opts *o, const int64_t *rid)
{
	icalcomponent *vev = icalcomponent_new_vevent();
	int64_t stamp = ev->modified_utc ? ev->modified_utc : ev->created_utc;
	int64_t seq = ev->sequence;
	int rc = -ENOMEM;

	if (!vev)
		return -ENOMEM;
	if (seq < 0)
		seq = 0;
	if (seq > INT_MAX)
		seq = INT_MAX;
	if (ev->uid && add_prop(vev, icalproperty_new_uid(ev->uid)))
		goto fail;
	/* DTSTAMP is the last change, so unchanged data renders the same. */
	if (add_prop(vev, icalproperty_new_dtstamp(utc_time(stamp))))
		goto fail;
	if (ev->created_utc &&
	    add_prop(vev, icalproperty_new_created(utc_time(ev->created_utc))))
		goto fail;
	if (ev->modified_utc &&
	    add_prop(vev, icalproperty_new_lastmodified(
			utc_time(ev->modified_utc))))
		goto fail;
	rc = ev->all_day ? add_dates(vev, ev) : add_times(vev, ev);
	if (rc)
		goto fail;
	rc = -ENOMEM;
	if (add_summary(vev, ev, o))
		goto fail;
	if (ev->description && *ev->description &&
	    add_prop(vev, icalproperty_new_description(ev->description)))
		goto fail;
	if (ev->venue && *ev->venue &&
	    add_prop(vev, icalproperty_new_location(ev->venue)))
		goto fail;
	if (add_geo(vev, ev) || add_organizer(vev, ev, o))
		goto fail;
	if (add_categories(vev, ev) || add_status(vev, ev->status) ||
	    add_prop(vev, icalproperty_new_sequence((int)seq)) ||
	    add_rrule(vev, ev->rrule) || add_rdates(vev, ev) ||
	    add_exdates(vev, ev, o) ||
	    add_url(vev, ev->url))
		goto fail;
	if (rid && (rc = add_recurrence_id(vev, ev, *rid)) != 0)
		goto fail;
	rc = -ENOMEM;
	icalcomponent_add_component(cal, vev);		/* cal owns vev */
	return 0;
fail:
	icalcomponent_free(vev);
	return rc;
}

/* One VEVENT per RECURRENCE-ID override, after its series. */
static int
add_overrides(icalcomponent *cal, const struct db_event *ev,
	      const struct cal_feed_opts *o)
{
	size_t i;

	for (i = 0; (ev->rrule || ev->n_rdates) && i < ev->n_overrides; i++) {
		const struct db_override *ov = &ev->overrides[i];
		struct db_event inst = *ev;	/* shallow: borrows strings */
		int rc;

		if (hidden_override(ov, o))
			continue;
		inst.rrule = NULL;
		inst.n_exdates = 0;
		inst.n_rdates = 0;
		inst.n_overrides = 0;
		inst.start_utc = ov->start_utc;
		inst.end_utc = ov->end_utc;
		if (ov->title)
			inst.title = ov->title;
		if (ov->venue)
			inst.venue = ov->venue;
		if (ov->description)
			inst.description = ov->description;
		if (ov->status)
			inst.status = ov->status;
		if (ev->all_day &&
		    (cal_local_date(ov->start_utc, event_tzid(ev),
				    inst.start_date) != 0 ||
		     cal_local_date(ov->end_utc, event_tzid(ev),
				    inst.end_date) != 0))
			continue;
		rc = add_event(cal, &inst, o, &ov->recurrence_utc);
		if (rc == -ENOMEM)
			return rc;
	}
	return 0;
}

char *
cal_feed_render(const struct db_event *events, size_t n,
		const struct cal_feed_opts *o)
{
	icalcomponent *cal = icalcomponent_new_vcalendar();
	struct zone_set zs = { NULL, 0, 0 };
	char *text = NULL, *out = NULL;
	size_t i;

	if (!cal || (n && !events))
		goto out;
	if (add_calendar_props(cal, o) || zones_collect(events, n, &zs))
		goto out;
	/* libical puts each VTIMEZONE added first in the calendar (before
	 * every other component): add them last-used first. */
	for (i = zs.n; i-- > 0;) {
		icalcomponent *vtz = vtimezone_new(&zs.v[i]);

		if (!vtz)
			goto out;
		icalcomponent_add_component(cal, vtz);	/* cal owns vtz */
	}
	if (n == 0) {
		/* RFC 5545 §3.6: a calendar holds at least one component.
		 * An empty feed carries the district's VTIMEZONE (the zone
		 * X-WR-TIMEZONE names), cut from 2020 on. */
		struct zone_use u = { CAL_DISTRICT_TZID,
			icaltimezone_get_builtin_timezone(CAL_DISTRICT_TZID),
			1577836800 };
		icalcomponent *vtz = u.zone ? vtimezone_new(&u) : NULL;

		if (!vtz)
			goto out;
		icalcomponent_add_component(cal, vtz);
	}
	for (i = 0; i < n; i++) {
		int rc = add_event(cal, &events[i], o, NULL);

		/* -EINVAL: times libical cannot place; leave the event out. */
		if (rc == -ENOMEM || add_overrides(cal, &events[i], o) != 0)
			goto out;
	}
	text = icalcomponent_as_ical_string_r(cal);
	if (text)
		out = strdup(text);
out:
	if (text)
		icalmemory_free_buffer(text);
	free(zs.v);
	if (cal)
		icalcomponent_free(cal);		/* frees its children */
	return out;
}
