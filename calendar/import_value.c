/*
 * import_value.c: property values of an uploaded VEVENT (times and zones,
 * text, CATEGORIES, STATUS) for the iCalendar import (import.h). Runs in
 * the sandboxed helper process only.
 */
#define _GNU_SOURCE		/* strcasestr(3) */
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "caltime.h"
#include "import_int.h"
#include "kind.h"
#include "types.h"
#include "tzresolve.h"


/* Resolve a TZID: IANA, a globally unique name, a Windows name (ICU),
 * X-LIC-LOCATION of the file's VTIMEZONE, else the VTIMEZONE itself.
 * NULL when the TZID is defined nowhere. */
static const struct tz_res *
resolve_tzid(struct ctx *c, const char *tzid)
{
	struct tz_res *r;
	icaltimezone *z;
	size_t i;

	for (i = 0; i < c->n_tz; i++)
		if (strcmp(c->tz[i].tzid, tzid) == 0)
			return c->tz[i].iana[0] || c->tz[i].file_zone ?
			       &c->tz[i] : NULL;
	if (strlen(tzid) >= sizeof(r->tzid) || c->n_tz == MAX_TZ)
		return NULL;
	r = &c->tz[c->n_tz++];
	memset(r, 0, sizeof(*r));
	snprintf(r->tzid, sizeof(r->tzid), "%s", tzid);
	if (cal_tz_resolve_name(tzid, r->iana, sizeof(r->iana)) == 0)
		return r;
	z = c->cal ? icalcomponent_get_timezone(c->cal, tzid) : NULL;
	if (!z && c->root && c->root != c->cal) {
		/* Concatenated files: a VTIMEZONE of another VCALENDAR
		 * (an iterator of our own: the caller walks c->root). */
		icalcompiter it = icalcomponent_begin_component(c->root,
						ICAL_VCALENDAR_COMPONENT);
		icalcomponent *other;

		for (; !z && (other = icalcompiter_deref(&it)) != NULL;
		     icalcompiter_next(&it))
			if (other != c->cal)
				z = icalcomponent_get_timezone(other, tzid);
	}
	if (!z)
		return NULL;
	{
		icalcomponent *vtz = icaltimezone_get_component(z);
		icalproperty *p;

		for (p = vtz ? icalcomponent_get_first_property(vtz,
						ICAL_X_PROPERTY) : NULL;
		     p; p = icalcomponent_get_next_property(vtz,
						ICAL_X_PROPERTY)) {
			const char *name = icalproperty_get_x_name(p);
			const char *v = icalproperty_get_x(p);

			if (name && v && strcmp(name, "X-LIC-LOCATION") == 0 &&
			    cal_tz_resolve_name(v, r->iana,
						sizeof(r->iana)) == 0)
				return r;
		}
	}
	r->file_zone = z;
	return r;
}

/* Naive seconds of t's fields, as if they were UTC. */
int64_t
cal_imp_naive_of(struct icaltimetype t)
{
	int64_t out = 0;

	(void)cal_local_to_utc(t.year, t.month, t.day, t.hour, t.minute,
			       t.second, "UTC", &out);
	return out;
}

/*
 * Read a DATE or DATE-TIME property (DTSTART, DTEND, EXDATE, RDATE,
 * RECURRENCE-ID) as an instant. DATE values and floating times are read
 * in fallback_tzid (IANA). 0 or -EINVAL (code and reason in code/why).
 */
int
cal_imp_read_time(struct ctx *c, icalproperty *p, struct icaltimetype t,
	  const char *fallback_tzid, struct tval *v, const char **code,
	  char *why, size_t size)
{
	icalparameter *par = icalproperty_get_first_parameter(p,
						ICAL_TZID_PARAMETER);
	const char *tzid = par ? icalparameter_get_tzid(par) : NULL;
	const struct tz_res *r = NULL;

	memset(v, 0, sizeof(*v));
	v->t = t;
	*code = "bad-value";
	if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t) ||
	    t.year < 1970 || t.year > 2200 || t.month < 1 || t.month > 12 ||
	    t.day < 1 || t.day > 31 || t.hour > 23 || t.minute > 59 ||
	    t.second > 60) {
		snprintf(why, size, "is not a valid date or date-time between"
			 " 1970 and 2200");
		return -EINVAL;
	}
	{
		char date[11];
		int y, m, d;

		cal_date_format(t.year, t.month, t.day, date);
		if (cal_date_parse(date, &y, &m, &d) != 0) {
			snprintf(why, size, "names a day that does not exist"
				 " (%s)", date);
			return -EINVAL;
		}
	}
	v->is_date = t.is_date;
	if (t.is_date) {
		v->iana = fallback_tzid;
		return cal_local_to_utc(t.year, t.month, t.day, 0, 0, 0,
					fallback_tzid, &v->utc);
	}
	if (icaltime_is_utc(t)) {
		v->is_utc = 1;
		v->utc = (int64_t)icaltime_as_timet(t);
		return 0;
	}
	if (tzid && *tzid) {
		r = resolve_tzid(c, tzid);
		if (!r) {
			*code = "unknown-tzid";
			snprintf(why, size, "has TZID '%.80s', which names no"
				 " time zone we know (IANA or Windows) and no"
				 " VTIMEZONE in the file defines", tzid);
			return -EINVAL;
		}
	}
	if (r && !r->iana[0]) {
		struct icaltimetype lt = t;

		lt.zone = r->file_zone;
		v->file = r;
		v->utc = (int64_t)icaltime_as_timet_with_zone(lt, r->file_zone);
		v->offset_s = (int)(cal_imp_naive_of(t) - v->utc);
		return 0;
	}
	v->floating = !r;
	v->iana = r ? r->iana : fallback_tzid;
	if (cal_local_to_utc(t.year, t.month, t.day, t.hour, t.minute,
			     t.second, v->iana, &v->utc) != 0) {
		snprintf(why, size, "cannot be placed in %s", v->iana);
		return -EINVAL;
	}
	return 0;
}

/* 1 when s is valid UTF-8 (checked by iconv(3), after libical unfolded
 * the lines, so a fold inside a character is fine). */
int
cal_imp_utf8_ok(const char *s)
{
	iconv_t cd;
	char buf[1024], *in = (char *)s, *out;
	size_t inleft = strlen(s), outleft, r;
	int ok = 1;

	cd = iconv_open("UTF-8", "UTF-8");
	if (cd == (iconv_t)-1)
		return 1;
	while (inleft > 0) {
		out = buf;
		outleft = sizeof(buf);
		r = iconv(cd, &in, &inleft, &out, &outleft);
		if (r == (size_t)-1 && errno != E2BIG) {
			ok = 0;
			break;
		}
	}
	iconv_close(cd);
	return ok;
}

int
cal_imp_has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

char *
cal_imp_dup_checked(struct ctx *c, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		c->oom = 1;
	return d;
}

/*
 * A text property value within max octets, as a new string; NULL when
 * absent or refused (error recorded). Line breaks (escaped as "\n" in the
 * file, RFC 5545 §3.3.11) are kept in DESCRIPTION; in the one-line
 * SUMMARY and LOCATION they become a space (", " between the lines of an
 * address). Other control characters (a raw TAB) are refused there.
 */
char *
cal_imp_text_prop(struct ctx *c, icalcomponent *vev, icalproperty_kind kind,
	  const char *name, size_t max, int n, const char *uid)
{
	icalproperty *p = icalcomponent_get_first_property(vev, kind);
	const char *v;
	char *d, *w;
	const char *r;

	if (!p)
		return NULL;
	v = icalproperty_get_value_as_string(p);
	if (kind == ICAL_SUMMARY_PROPERTY)
		v = icalproperty_get_summary(p);
	else if (kind == ICAL_DESCRIPTION_PROPERTY)
		v = icalproperty_get_description(p);
	else if (kind == ICAL_LOCATION_PROPERTY)
		v = icalproperty_get_location(p);
	else if (kind == ICAL_URL_PROPERTY)
		v = icalproperty_get_url(p);
	if (!v)
		return NULL;
	if (strlen(v) > max) {
		cal_imp_add_error(c, n, uid, name, "too-long",
				  "%s is longer than %zu"
				  " octets",
				  name, max);
		return NULL;
	}
	if (!cal_imp_utf8_ok(v)) {
		cal_imp_add_error(c, n, uid, name, "not-utf8",
				  "%s is not valid UTF-8"
				  " (RFC 5545 §3.1.4)",
				  name);
		return NULL;
	}
	d = malloc(2 * strlen(v) + 1);
	if (!d) {
		c->oom = 1;
		return NULL;
	}
	for (r = v, w = d; *r; r++) {
		if (kind != ICAL_DESCRIPTION_PROPERTY &&
		    (*r == '\n' || *r == '\r')) {
			while (w > d && w[-1] == ' ')
				w--;
			if (w > d && w[-1] != ',' && w[-1] != ' ') {
				if (kind == ICAL_LOCATION_PROPERTY)
					*w++ = ',';
				*w++ = ' ';
			}
			continue;
		}
		*w++ = *r;
	}
	while (w > d && (w[-1] == ' ' || w[-1] == ','))
		w--;
	*w = '\0';
	if (cal_imp_has_control(d) && kind != ICAL_DESCRIPTION_PROPERTY) {
		cal_imp_add_error(c, n, uid, name, "control-char",
				  "%s holds a control"
				  " character (tab or line break)",
				  name);
		free(d);
		return NULL;
	}
	return d;
}

/* The kind named by CATEGORIES (slug, Chinese or English name). */
const char *
cal_imp_kind_of(icalcomponent *vev)
{
	icalproperty *p;
	size_t i;

	for (p = icalcomponent_get_first_property(vev, ICAL_CATEGORIES_PROPERTY);
	     p; p = icalcomponent_get_next_property(vev,
						    ICAL_CATEGORIES_PROPERTY)) {
		const char *v = icalproperty_get_categories(p);

		for (i = 0; v && i < CAL_KIND_COUNT; i++) {
			const struct cal_kind *k = &cal_kinds[i];

			if (strstr(v, k->zh) || strcasestr(v, k->en))
				return k->slug;
		}
		for (i = 0; v && i < CAL_KIND_COUNT; i++)
			if (strcasestr(v, cal_kinds[i].slug))
				return cal_kinds[i].slug;
	}
	return NULL;
}

const char *
cal_imp_status_of(icalcomponent *vev)
{
	icalproperty *p = icalcomponent_get_first_property(vev,
						ICAL_STATUS_PROPERTY);

	enum cal_event_status st = CAL_STATUS_CONFIRMED;

	if (p && icalproperty_get_status(p) == ICAL_STATUS_TENTATIVE)
		st = CAL_STATUS_TENTATIVE;
	else if (p && icalproperty_get_status(p) == ICAL_STATUS_CANCELLED)
		st = CAL_STATUS_CANCELLED;
	return cal_event_status_name(st);
}

