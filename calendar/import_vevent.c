/*
 * import_vevent.c: one uploaded VEVENT -> an event (or an override of a
 * series), with its UID (derived when missing), recurrence and checks,
 * for the iCalendar import (import.h). Runs in the sandboxed helper
 * process only.
 */
#define _GNU_SOURCE		/* strcasestr(3) */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>
#include <openssl/evp.h>

#include "caltime.h"
#include "import_int.h"
#include "kind.h"
#include "recur.h"
#include "rrule_until.h"
#include "tzresolve.h"


static size_t
uid_hash(const char *uid)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *uid; uid++)
		h = (h ^ (unsigned char)*uid) * 1099511628211ULL;
	return (size_t)(h % UID_BUCKETS);
}

/* Index of the series or single event with uid, or -1. */
static long
uid_find(struct ctx *c, const char *uid)
{
	size_t h = uid_hash(uid);

	while (c->uid_index[h]) {
		long i = c->uid_index[h] - 1;

		if (strcmp(c->out->events[i].uid, uid) == 0)
			return i;
		h = (h + 1) % UID_BUCKETS;
	}
	return -1;
}

static void
uid_add(struct ctx *c, const char *uid, size_t index)
{
	size_t h = uid_hash(uid);

	while (c->uid_index[h])
		h = (h + 1) % UID_BUCKETS;
	c->uid_index[h] = (int)index + 1;
}

/* Add the value (and TZID) of the first property of kind to the digest. */
static void
digest_prop(EVP_MD_CTX *md, icalcomponent *vev, icalproperty_kind kind)
{
	icalproperty *p = icalcomponent_get_first_property(vev, kind);
	icalparameter *par;
	const char *v;

	EVP_DigestUpdate(md, "|", 1);
	if (!p)
		return;
	par = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	if (par && (v = icalparameter_get_tzid(par)) != NULL)
		EVP_DigestUpdate(md, v, strlen(v));
	EVP_DigestUpdate(md, ":", 1);
	v = icalproperty_get_value_as_string(p);
	if (v)
		EVP_DigestUpdate(md, v, strlen(v));
}

/*
 * A UID for a VEVENT that has none: "roadshowd-" and the first 32 hex
 * digits of the SHA-256 of its DTSTART, DTEND, DURATION, SUMMARY,
 * LOCATION and RRULE (with their TZIDs), "@import"; "-2", "-3" ... when
 * an earlier VEVENT of the file has the same content. The same file
 * gives the same UIDs, so importing it again changes nothing.
 */
static int
derived_uid(struct ctx *c, icalcomponent *vev, char *out, size_t size)
{
	static const icalproperty_kind kinds[] = {
		ICAL_DTSTART_PROPERTY, ICAL_DTEND_PROPERTY,
		ICAL_DURATION_PROPERTY, ICAL_SUMMARY_PROPERTY,
		ICAL_LOCATION_PROPERTY, ICAL_RRULE_PROPERTY,
	};
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;
	char hex[33];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int k;

	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return -ENOMEM;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		digest_prop(ctx, vev, kinds[i]);
	EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	snprintf(out, size, "roadshowd-%s@import", hex);
	for (k = 2; uid_find(c, out) >= 0 && k < 1000000; k++)
		snprintf(out, size, "roadshowd-%s-%d@import", hex, k);
	return 0;
}

/* Start and end of a VEVENT. The zone of the start is reported in *sv
 * (a file-only zone is settled by settle_zone()). 0 or -EINVAL (error
 * recorded). */
static int
read_span(struct ctx *c, icalcomponent *vev, int n, const char *uid,
	  struct db_event *ev, struct tval *sv, struct tval *ev_end)
{
	icalproperty *ps = icalcomponent_get_first_property(vev,
						ICAL_DTSTART_PROPERTY);
	icalproperty *pe = icalcomponent_get_first_property(vev,
						ICAL_DTEND_PROPERTY);
	icalproperty *pd = icalcomponent_get_first_property(vev,
						ICAL_DURATION_PROPERTY);
	const char *code;
	struct tval e;
	char why[200];

	memset(ev_end, 0, sizeof(*ev_end));
	if (!ps) {
		cal_imp_add_error(c, n, uid, "DTSTART", "missing",
				  "DTSTART is"
				  " missing");
		return -EINVAL;
	}
	/* DATE values are the district's days; floating times are in the
	 * calendar's X-WR-TIMEZONE, else the district's zone. */
	{
		struct icaltimetype t = icalproperty_get_dtstart(ps);

		if (cal_imp_read_time(c, ps, t,
				      t.is_date ? CAL_DISTRICT_TZID
						: c->float_tz,
				      sv, &code, why, sizeof(why)) != 0) {
			cal_imp_add_error(c, n, uid, "DTSTART", code,
					  "DTSTART %s", why);
			return -EINVAL;
		}
	}
	ev->start_utc = sv->utc;
	ev->all_day = sv->is_date;
	ev->tzid = cal_imp_dup_checked(c, sv->iana   ? sv->iana
					  : sv->file ? "UTC"
						     : c->float_tz);
	if (pe) {
		if (cal_imp_read_time(c, pe, icalproperty_get_dtend(pe),
				      sv->is_date ? CAL_DISTRICT_TZID
				      : sv->iana  ? sv->iana
						  : c->float_tz,
				      &e, &code, why, sizeof(why)) != 0) {
			cal_imp_add_error(c, n, uid, "DTEND", code, "DTEND %s",
					  why);
			return -EINVAL;
		}
		if (e.is_date != sv->is_date) {
			cal_imp_add_error(c, n, uid, "DTEND", "bad-value",
					  "DTEND and"
					  " DTSTART must both be dates or both"
					  " date-times (RFC 5545 §3.8.2.2)");
			return -EINVAL;
		}
		ev->end_utc = e.utc;
		*ev_end = e;
	} else if (pd) {
		struct icaldurationtype d = icalproperty_get_duration(pd);
		int secs = icaldurationtype_as_int(d);

		if (icaldurationtype_is_bad_duration(d) || secs < 0 ||
		    secs > MAX_DURATION) {
			cal_imp_add_error(c, n, uid, "DURATION", "bad-value",
					  "DURATION must be 0 to 366 days");
			return -EINVAL;
		}
		ev->end_utc = ev->start_utc + secs;
	} else {
		/* RFC 5545 §3.6.1: a DATE start alone lasts one day, a
		 * DATE-TIME start alone no time at all. */
		ev->end_utc = ev->start_utc + (sv->is_date ? 86400 : 0);
	}
	if (ev->end_utc < ev->start_utc ||
	    (ev->end_utc == ev->start_utc && pe)) {
		cal_imp_add_error(c, n, uid, pe ? "DTEND" : "DURATION",
				  "bad-value", "DTEND must be after DTSTART");
		return -EINVAL;
	}
	if (ev->end_utc - ev->start_utc > MAX_DURATION) {
		cal_imp_add_error(c, n, uid, pe ? "DTEND" : "DURATION",
				  "too-long",
				  "the event lasts more than 366 days");
		return -EINVAL;
	}
	if (sv->is_date && ev->tzid &&
	    (cal_local_date(ev->start_utc, ev->tzid, ev->start_date) != 0 ||
	     cal_local_date(ev->end_utc, ev->tzid, ev->end_date) != 0)) {
		cal_imp_add_error(c, n, uid, "DTSTART", "bad-value",
				  "the dates cannot"
				  " be placed");
		return -EINVAL;
	}
	return 0;
}

/*
 * An event whose DTSTART is in a zone only the file's VTIMEZONE defines:
 * store it with the IANA zone that has the same UTC offsets over the
 * event's dates (its start and end, and the same wall-clock time every
 * other week of the year from its start, so the zone's summer time
 * decides too), else keep the UTC instants (tzid "UTC") and the file's
 * TZID for display (*source).
 */
static void
settle_zone(struct ctx *c, struct db_event *ev, const struct tval *sv,
	    const struct tval *endv, char **source)
{
	int64_t utc[40];
	int off[40];
	size_t n = 0;
	char iana[64];
	int k;

	utc[n] = sv->utc;
	off[n++] = sv->offset_s;
	if (endv->file == sv->file && !endv->is_utc && !endv->is_date &&
	    endv->utc) {
		utc[n] = endv->utc;
		off[n++] = endv->offset_s;
	}
	for (k = 1; k <= 26 && n < 40; k++) {
		struct icaltimetype t = sv->t;
		int64_t naive;

		icaltime_adjust(&t, 14 * k, 0, 0, 0);
		naive = cal_imp_naive_of(t);
		t.zone = sv->file->file_zone;
		utc[n] = (int64_t)icaltime_as_timet_with_zone(t,
						sv->file->file_zone);
		off[n] = (int)(naive - utc[n]);
		n++;
	}
	if (cal_tz_match_offsets(utc, off, n, iana, sizeof(iana)) == 0) {
		free(ev->tzid);
		ev->tzid = cal_imp_dup_checked(c, iana);
		return;
	}
	*source = cal_imp_dup_checked(c, sv->file->tzid);
}

/* A local-time UNTIL of ev's rule, read in zone (a VTIMEZONE of the
 * file), rewritten in UTC; the rule is left as it is otherwise. */
static void
until_in_file_zone(struct db_event *ev, icaltimezone *zone)
{
	struct icalrecurrencetype r;
	char *out = NULL;
	int64_t t;

	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(ev->rrule);
	if (r.freq == ICAL_NO_RECURRENCE || icaltime_is_null_time(r.until) ||
	    r.until.is_date || icaltime_is_utc(r.until)) {
		icalerror_clear_errno();
		return;
	}
	r.until.zone = zone;
	t = (int64_t)icaltime_as_timet_with_zone(r.until, zone);
	if (cal_rrule_set_until_utc(ev->rrule, t, &out) == 0) {
		free(ev->rrule);
		ev->rrule = out;
	}
}

/* An EXDATE or RDATE instant of ev: a DATE value on a timed series means
 * the occurrence on that day, at the start's time of day. */
static int
series_instant(struct ctx *c, icalproperty *p, struct icaltimetype t,
	       const struct db_event *ev, int64_t *out, const char **code,
	       char *why, size_t size)
{
	struct tval v;
	int y, m, d, hh, mm, ss;

	if (cal_imp_read_time(c, p, t, ev->tzid, &v, code, why, size) != 0)
		return -EINVAL;
	*out = v.utc;
	if (!v.is_date || ev->all_day)
		return 0;
	if (cal_utc_to_local(ev->start_utc, ev->tzid, &y, &m, &d, &hh, &mm,
			     &ss) != 0 ||
	    cal_local_to_utc(t.year, t.month, t.day, hh, mm, ss, ev->tzid,
			     out) != 0) {
		*code = "bad-value";
		snprintf(why, size, "cannot be placed in %s", ev->tzid);
		return -EINVAL;
	}
	return 0;
}

/* RRULE (one at most, validated and expanded once, bounded), RDATEs and
 * EXDATEs. */
static int
read_recurrence(struct ctx *c, icalcomponent *vev, int n, const char *uid,
		struct db_event *ev, int zone_pending)
{
	icalproperty *p;
	struct icalrecurrencetype r;
	char why[200], *text, *norm = NULL;
	const char *code;

	p = icalcomponent_get_first_property(vev, ICAL_RRULE_PROPERTY);
	if (!p)
		goto dates;
	if (icalcomponent_count_properties(vev, ICAL_RRULE_PROPERTY) > 1) {
		cal_imp_add_error(c, n, uid, "RRULE", "bad-rrule",
				  "more than one"
				  " RRULE");
		return -EINVAL;
	}
	if ((size_t)n <= c->n_lines && c->bad_rrule_line[n - 1]) {
		cal_imp_add_error(c, n, uid, "RRULE", "bad-rrule",
				  "RRULE (line %d):"
				  " a number is out of range",
				  c->bad_rrule_line[n - 1]);
		return -EINVAL;
	}
	r = icalproperty_get_rrule(p);
	text = icalrecurrencetype_as_string_r(&r);
	/* A zone only the file defines: UNTIL is settled with the zone. */
	if (!text || cal_rrule_validate(text, why, sizeof(why)) != 0 ||
	    (zone_pending ? !(norm = strdup(text)) :
	     cal_rrule_normalize_until(text, ev->tzid, ev->all_day, &norm,
				       why, sizeof(why)) != 0)) {
		cal_imp_add_error(c, n, uid, "RRULE", "bad-rrule", "RRULE: %s",
				  text ? why : "cannot be read");
		free(text);
		return -EINVAL;
	}
	free(text);
	ev->rrule = norm;
	/* Prove the rule expands in bounded work (under the helper's CPU
	 * limit) before the server ever stores it. */
	if (cal_recur_too_long(ev)) {
		cal_imp_add_error(c, n, uid, "RRULE", "bad-rrule",
				  "RRULE must yield 1"
				  " to %d occurrences (or have no end)",
				  CAL_RECUR_MAX_OCCURRENCES);
		return -EINVAL;
	}
dates:
	/* RDATE: DATE, DATE-TIME or PERIOD (its start), in any zone. */
	for (p = icalcomponent_get_first_property(vev, ICAL_RDATE_PROPERTY);
	     p; p = icalcomponent_get_next_property(vev,
						    ICAL_RDATE_PROPERTY)) {
		struct icaldatetimeperiodtype dp = icalproperty_get_rdate(p);
		struct icaltimetype t = icaltime_is_null_time(dp.time) ?
					dp.period.start : dp.time;
		int64_t when;

		if (series_instant(c, p, t, ev, &when, &code, why,
				   sizeof(why)) != 0) {
			cal_imp_add_error(c, n, uid, "RDATE", code, "RDATE %s",
					  why);
			return -EINVAL;
		}
		if (ev->n_rdates >= CAL_RECUR_MAX_OCCURRENCES) {
			cal_imp_add_error(c, n, uid, "RDATE", "too-many",
					  "more than"
					  " %d RDATEs",
					  CAL_RECUR_MAX_OCCURRENCES);
			return -EINVAL;
		}
		if (when != ev->start_utc && db_event_add_rdate(ev, when) != 0)
			return -ENOMEM;
	}
	if (!ev->rrule && !ev->n_rdates)
		return 0;
	for (p = icalcomponent_get_first_property(vev, ICAL_EXDATE_PROPERTY);
	     p; p = icalcomponent_get_next_property(vev,
						    ICAL_EXDATE_PROPERTY)) {
		int64_t t;

		if (series_instant(c, p, icalproperty_get_exdate(p), ev, &t,
				   &code, why, sizeof(why)) != 0) {
			cal_imp_add_error(c, n, uid, "EXDATE", code,
					  "EXDATE %s", why);
			return -EINVAL;
		}
		if (ev->n_exdates >= CAL_RECUR_MAX_OCCURRENCES) {
			cal_imp_add_error(c, n, uid, "EXDATE", "too-many",
					  "more than"
					  " %d EXDATEs",
					  CAL_RECUR_MAX_OCCURRENCES);
			return -EINVAL;
		}
		if (db_event_add_exdate(ev, t) != 0)
			return -ENOMEM;
	}
	return 0;
}

/* A RECURRENCE-ID VEVENT: attach it to its series read earlier. */
static void
read_override(struct ctx *c, icalcomponent *vev, int n, const char *uid,
	      icalproperty *rp)
{
	struct db_event *master = NULL, tmp;
	struct db_override *nv, *o;
	struct tval sv, endv;
	const char *code;
	char why[200];
	int64_t rid;
	long i = uid_find(c, uid);

	if (i >= 0)
		master = &c->out->events[i];
	if (!master || (!master->rrule && !master->n_rdates)) {
		cal_imp_add_error(
			c, n, uid, "RECURRENCE-ID", "no-series",
			"RECURRENCE-ID without a recurring VEVENT of the"
			" same UID before it");
		return;
	}
	if (series_instant(c, rp, icalproperty_get_recurrenceid(rp), master,
			   &rid, &code, why, sizeof(why)) != 0) {
		cal_imp_add_error(c, n, uid, "RECURRENCE-ID", code,
				  "RECURRENCE-ID %s", why);
		return;
	}
	if (!cal_recur_is_occurrence(master, rid)) {
		cal_imp_add_error(
			c, n, uid, "RECURRENCE-ID", "no-occurrence",
			"RECURRENCE-ID names no occurrence of the series");
		return;
	}
	memset(&tmp, 0, sizeof(tmp));
	if (read_span(c, vev, n, uid, &tmp, &sv, &endv) != 0) {
		db_event_release(&tmp);
		return;
	}
	nv = realloc(master->overrides,
		     (master->n_overrides + 1) * sizeof(*nv));
	if (!nv) {
		c->oom = 1;
		db_event_release(&tmp);
		return;
	}
	master->overrides = nv;
	o = &nv[master->n_overrides++];
	memset(o, 0, sizeof(*o));
	o->recurrence_utc = rid;
	o->start_utc = tmp.start_utc;
	o->end_utc = tmp.end_utc > tmp.start_utc ? tmp.end_utc :
		     tmp.start_utc + (master->end_utc - master->start_utc);
	o->title = cal_imp_text_prop(c, vev, ICAL_SUMMARY_PROPERTY, "SUMMARY",
				     MAX_TITLE, n, uid);
	o->venue = cal_imp_text_prop(c, vev, ICAL_LOCATION_PROPERTY, "LOCATION",
				     MAX_VENUE, n, uid);
	o->description = cal_imp_text_prop(c, vev, ICAL_DESCRIPTION_PROPERTY,
					   "DESCRIPTION", MAX_TEXT, n, uid);
	o->status = cal_imp_dup_checked(c, cal_imp_status_of(vev));
	db_event_release(&tmp);
}

static int
push_event(struct ctx *c, struct db_event *ev, char *source, int n)
{
	if (c->out->n == c->cap_events) {
		size_t nc = c->cap_events ? 2 * c->cap_events : 64;
		struct db_event *nv = realloc(c->out->events,
					      nc * sizeof(*nv));
		struct cal_import_meta *ns;

		if (!nv)
			return -ENOMEM;
		c->out->events = nv;
		ns = realloc(c->out->meta, nc * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		c->out->meta = ns;
		c->cap_events = nc;
	}
	c->out->events[c->out->n] = *ev;
	c->out->meta[c->out->n].tzid_source = source;
	c->out->meta[c->out->n].vevent = n;
	c->out->meta[c->out->n].line = n > 0 && (size_t)n <= c->n_lines ?
				       c->vevent_lines[n - 1] : 0;
	uid_add(c, ev->uid, c->out->n);
	c->out->n++;
	return 0;
}

/* The text, URL, STATUS, CATEGORIES and GEO of vev into ev (problems
 * recorded; an absent or empty SUMMARY gets CAL_IMPORT_NO_TITLE unless
 * a problem was found since errors_before). */
static void
read_fields(struct ctx *c, icalcomponent *vev, int n, const char *uid,
	    struct db_event *ev, size_t errors_before)
{
	icalproperty *p;

	ev->title = cal_imp_text_prop(c, vev, ICAL_SUMMARY_PROPERTY, "SUMMARY",
				      MAX_TITLE, n, uid);
	if (ev->title && !*ev->title) {
		free(ev->title);
		ev->title = NULL;
	}
	if (!ev->title && c->out->n_errors == errors_before)
		ev->title = cal_imp_dup_checked(c, CAL_IMPORT_NO_TITLE);
	ev->description = cal_imp_text_prop(c, vev, ICAL_DESCRIPTION_PROPERTY,
					    "DESCRIPTION", MAX_TEXT, n, uid);
	ev->venue = cal_imp_text_prop(c, vev, ICAL_LOCATION_PROPERTY,
				      "LOCATION", MAX_VENUE, n, uid);
	{
		char *u = cal_imp_text_prop(c, vev, ICAL_URL_PROPERTY, "URL",
					    MAX_URL, n, uid);

		if (u &&
		    (strncmp(u, "http://", 7) == 0 ||
		     strncmp(u, "https://", 8) == 0) &&
		    !strchr(u, ' '))
			ev->url = u;
		else
			free(u);
	}
	ev->status = cal_imp_dup_checked(c, cal_imp_status_of(vev));
	ev->kind = cal_imp_dup_checked(c, cal_imp_kind_of(vev));
	p = icalcomponent_get_first_property(vev, ICAL_GEO_PROPERTY);
	if (p) {
		struct icalgeotype g = icalproperty_get_geo(p);

		if (g.lat >= -90 && g.lat <= 90 && g.lon >= -180 &&
		    g.lon <= 180) {
			ev->has_geo = 1;
			ev->geo_lat = g.lat;
			ev->geo_lon = g.lon;
		}
	}
}

void
cal_imp_read_vevent(struct ctx *c, icalcomponent *vev, int n)
{
	const char *uid = icalcomponent_get_uid(vev);
	icalproperty *rid;
	struct db_event ev;
	struct tval sv, endv;
	char derived[96], *source = NULL;
	size_t errors_before = c->out->n_errors;

	rid = icalcomponent_get_first_property(vev,
					       ICAL_RECURRENCEID_PROPERTY);
	if (!uid || !*uid) {
		if (rid) {
			cal_imp_add_error(
				c, n, NULL, "UID", "missing",
				"UID is"
				" missing: a RECURRENCE-ID needs the UID of"
				" its series");
			return;
		}
		if (derived_uid(c, vev, derived, sizeof(derived)) != 0) {
			c->oom = 1;
			return;
		}
		uid = derived;
	}
	cal_imp_lic_errors(c, vev, n, uid);
	if (strlen(uid) > MAX_UID) {
		cal_imp_add_error(c, n, NULL, "UID", "too-long",
				  "UID is longer than"
				  " %d octets",
				  MAX_UID);
		return;
	}
	if (!cal_imp_utf8_ok(uid) || cal_imp_has_control(uid) ||
	    strchr(uid, ' ')) {
		cal_imp_add_error(c, n, NULL, "UID", "bad-value",
				  "UID must be UTF-8"
				  " without spaces or control characters");
		return;
	}
	if (c->out->n_errors != errors_before)
		return;
	if (rid) {
		read_override(c, vev, n, uid, rid);
		return;
	}
	if (uid_find(c, uid) >= 0) {
		cal_imp_add_error(c, n, uid, "UID", "duplicate-uid",
				  "two VEVENTs have"
				  " this UID and neither has RECURRENCE-ID");
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.uid = cal_imp_dup_checked(c, uid);
	if (!ev.uid)
		return;			/* c->oom is set */
	read_fields(c, vev, n, uid, &ev, errors_before);
	if (read_span(c, vev, n, uid, &ev, &sv, &endv) != 0 ||
	    read_recurrence(c, vev, n, uid, &ev, sv.file != NULL) != 0 ||
	    !ev.title ||
	    c->out->n_errors != errors_before) {
		db_event_release(&ev);
		return;
	}
	if (sv.file) {
		settle_zone(c, &ev, &sv, &endv, &source);
		if (ev.rrule) {
			/* UNTIL in the matched zone, else (a local UNTIL)
			 * placed with the file's own VTIMEZONE. */
			char why[200], *norm = NULL;

			if (source)
				until_in_file_zone(&ev, sv.file->file_zone);
			if (cal_rrule_normalize_until(ev.rrule, ev.tzid, 0,
						      &norm, why,
						      sizeof(why)) == 0) {
				free(ev.rrule);
				ev.rrule = norm;
			}
		}
	}
	if (push_event(c, &ev, source, n) != 0) {
		c->oom = 1;
		free(source);
		db_event_release(&ev);
	}
}
