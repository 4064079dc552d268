/*
 * import.c: uploaded iCalendar -> events (see import.h). Runs in the
 * sandboxed helper process only.
 */
#define _GNU_SOURCE		/* strcasestr(3) */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "caltime.h"
#include "import.h"
#include "kind.h"
#include "recur.h"

#define MAX_TITLE 1000
#define MAX_TEXT 20000
#define MAX_VENUE 500
#define MAX_URL 2048
#define MAX_UID 255
#define MAX_DURATION (366 * 86400)

struct ctx {
	struct cal_import *out;
	int *vevent_lines;		/* line of each top-level BEGIN:VEVENT */
	int *bad_rrule_line;		/* per top-level VEVENT: line of an
					 * RRULE with wrapping numbers, or 0 */
	size_t n_lines;
	int nested_line;		/* first VEVENT nested elsewhere */
	int too_deep_line;		/* first BEGIN past MAX_DEPTH */
	int oom;
};

static void
add_error(struct ctx *c, int vevent, const char *uid, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
add_error(struct ctx *c, int vevent, const char *uid, const char *fmt, ...)
{
	struct cal_import_error *nv, *e;
	va_list ap;

	if (c->out->n_errors >= 100)
		return;		/* enough to act on */
	nv = realloc(c->out->errors, (c->out->n_errors + 1) * sizeof(*nv));
	if (!nv) {
		c->oom = 1;
		return;
	}
	c->out->errors = nv;
	e = &nv[c->out->n_errors++];
	memset(e, 0, sizeof(*e));
	e->vevent = vevent;
	e->line = vevent > 0 && (size_t)vevent <= c->n_lines ?
		  c->vevent_lines[vevent - 1] : 0;
	if (uid)
		snprintf(e->uid, sizeof(e->uid), "%s", uid);
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
}

/* Line of `p` (len octets) without its CR; 1 when it starts with word
 * (case-insensitive). */
static int
starts(const char *p, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && strncasecmp(p, word, n) == 0;
}

/* The value of a (possibly folded) RRULE content line starting at text+i,
 * unfolded into buf (size octets). Only for the number check below. */
static void
rrule_value(const char *text, size_t len, size_t i, char *buf, size_t size)
{
	size_t k = 0;
	int seen_colon = 0;

	for (; i < len && k + 1 < size; i++) {
		if (text[i] == '\r')
			continue;
		if (text[i] == '\n') {
			if (i + 1 < len && (text[i + 1] == ' ' ||
					    text[i + 1] == '\t')) {
				i++;
				continue;
			}
			break;
		}
		if (!seen_colon) {
			seen_colon = text[i] == ':';
			continue;
		}
		buf[k++] = text[i];
	}
	buf[k] = '\0';
}

/*
 * Walk the BEGIN:/END: lines (a line scan to point errors at lines; the
 * parsing is libical's): record the line of every VEVENT directly in the
 * VCALENDAR, note the first VEVENT nested anywhere else (a VEVENT inside
 * an X- component is ignorable, RFC 5545 §3.6), and mark RRULE lines
 * holding numbers libical would wrap (see cal_rrule_numbers_ok()).
 */
#define MAX_DEPTH 32
static int
scan_structure(struct ctx *c, const char *text, size_t len)
{
	unsigned char kind[MAX_DEPTH];	/* 'C' VCALENDAR, 'E' VEVENT, 'X', 'O' */
	size_t i = 0, start, cap = 0;
	int line = 0, depth = 0, d, in_x;

	while (i < len) {
		const char *p = text + i;
		size_t n;

		start = i;
		line++;
		while (i < len && text[i] != '\n')
			i++;
		n = i - start;
		if (n && p[n - 1] == '\r')
			n--;
		i++;
		if (starts(p, n, "BEGIN:")) {
			if (depth == MAX_DEPTH) {
				c->too_deep_line = line;
				return 0;
			}
			kind[depth] = starts(p, n, "BEGIN:VCALENDAR") ? 'C' :
				      starts(p, n, "BEGIN:VEVENT") ? 'E' :
				      starts(p, n, "BEGIN:X-") ? 'X' : 'O';
			if (kind[depth] == 'E') {
				for (in_x = 0, d = 0; d < depth; d++)
					in_x |= kind[d] == 'X';
				if (depth == 1 && kind[0] == 'C') {
					if (c->n_lines == cap) {
						int *a, *b;

						cap = cap ? cap * 2 : 64;
						a = realloc(c->vevent_lines,
							    cap * sizeof(*a));
						if (a)
							c->vevent_lines = a;
						b = realloc(c->bad_rrule_line,
							    cap * sizeof(*b));
						if (b)
							c->bad_rrule_line = b;
						if (!a || !b)
							return -ENOMEM;
					}
					c->bad_rrule_line[c->n_lines] = 0;
					c->vevent_lines[c->n_lines++] = line;
				} else if (depth > 0 && !in_x &&
					   !c->nested_line) {
					c->nested_line = line;
				}
			}
			depth++;
		} else if (starts(p, n, "END:")) {
			if (depth > 0)
				depth--;
		} else if (depth == 2 && kind[0] == 'C' && kind[1] == 'E' &&
			   (starts(p, n, "RRULE:") || starts(p, n, "RRULE;"))) {
			char buf[1024];

			rrule_value(text, len, start, buf, sizeof(buf));
			if (!cal_rrule_numbers_ok(buf) &&
			    !c->bad_rrule_line[c->n_lines - 1])
				c->bad_rrule_line[c->n_lines - 1] = line;
		}
	}
	return 0;
}

/* IANA name of a TZID parameter; strips libical's own prefixes. */
static const char *
iana_name(const char *tzid)
{
	static const char prefix[] = "/freeassociation.sourceforge.net/";
	const char *p;

	if (!tzid)
		return NULL;
	p = strstr(tzid, prefix);
	if (p) {
		tzid = p + sizeof(prefix) - 1;
		if (strncmp(tzid, "Tzfile/", 7) == 0)
			tzid += 7;
	}
	return tzid;
}

/*
 * Read a DATE or DATE-TIME property (DTSTART, DTEND, EXDATE,
 * RECURRENCE-ID) as an instant. *is_date reports a DATE value; *tzid_out
 * (may be NULL) receives the IANA zone of a local time. Floating times are
 * read in the district zone. 0 or -EINVAL (reason in why).
 */
static int
read_time(icalproperty *p, struct icaltimetype t, const char *fallback_tzid,
	  int64_t *utc, int *is_date, const char **tzid_out, char *why,
	  size_t size)
{
	icalparameter *par = icalproperty_get_first_parameter(p,
						ICAL_TZID_PARAMETER);
	const char *tzid = par ? iana_name(icalparameter_get_tzid(par)) : NULL;

	if (tzid_out)
		*tzid_out = NULL;
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
	*is_date = t.is_date;
	if (t.is_date)
		return cal_local_to_utc(t.year, t.month, t.day, 0, 0, 0,
					fallback_tzid, utc);
	if (icaltime_is_utc(t)) {
		*utc = (int64_t)icaltime_as_timet(t);
		return 0;
	}
	if (tzid && !cal_tz_valid(tzid)) {
		snprintf(why, size, "has TZID '%.80s', which is not an IANA"
			 " timezone name (e.g. Asia/Shanghai)", tzid);
		return -EINVAL;
	}
	if (!tzid)
		tzid = fallback_tzid;
	if (tzid_out)
		*tzid_out = tzid;
	return cal_local_to_utc(t.year, t.month, t.day, t.hour, t.minute,
				t.second, tzid, utc);
}

/* 1 when s is valid UTF-8 (checked by iconv(3), after libical unfolded
 * the lines, so a fold inside a character is fine). */
static int
utf8_ok(const char *s)
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

static int
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static char *
dup_checked(struct ctx *c, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		c->oom = 1;
	return d;
}

/* A text property value within max octets; NULL when absent. */
static const char *
text_prop(struct ctx *c, icalcomponent *vev, icalproperty_kind kind,
	  const char *name, size_t max, int n, const char *uid)
{
	icalproperty *p = icalcomponent_get_first_property(vev, kind);
	const char *v;

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
	if (v && strlen(v) > max) {
		add_error(c, n, uid, "%s is longer than %zu octets", name, max);
		return NULL;
	}
	if (v && !utf8_ok(v)) {
		add_error(c, n, uid, "%s is not valid UTF-8 (RFC 5545 §3.1.4)",
			  name);
		return NULL;
	}
	if (v && kind != ICAL_DESCRIPTION_PROPERTY && has_control(v)) {
		add_error(c, n, uid, "%s holds a control character (tab or"
			  " line break)", name);
		return NULL;
	}
	return v;
}

/* The kind named by CATEGORIES (slug, Chinese or English name). */
static const char *
kind_of(icalcomponent *vev)
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

static const char *
status_of(icalcomponent *vev)
{
	icalproperty *p = icalcomponent_get_first_property(vev,
						ICAL_STATUS_PROPERTY);

	if (!p)
		return "CONFIRMED";
	switch (icalproperty_get_status(p)) {
	case ICAL_STATUS_TENTATIVE:
		return "TENTATIVE";
	case ICAL_STATUS_CANCELLED:
		return "CANCELLED";
	default:
		return "CONFIRMED";
	}
}

/* Start and end of a VEVENT. 0 or -EINVAL (error recorded). */
static int
read_span(struct ctx *c, icalcomponent *vev, int n, const char *uid,
	  struct db_event *ev)
{
	icalproperty *ps = icalcomponent_get_first_property(vev,
						ICAL_DTSTART_PROPERTY);
	icalproperty *pe = icalcomponent_get_first_property(vev,
						ICAL_DTEND_PROPERTY);
	icalproperty *pd = icalcomponent_get_first_property(vev,
						ICAL_DURATION_PROPERTY);
	const char *tzid = NULL;
	char why[160];
	int is_date = 0, end_date = 0;

	if (!ps) {
		add_error(c, n, uid, "DTSTART is missing");
		return -EINVAL;
	}
	if (read_time(ps, icalproperty_get_dtstart(ps), CAL_DISTRICT_TZID,
		      &ev->start_utc, &is_date, &tzid, why, sizeof(why)) != 0) {
		add_error(c, n, uid, "DTSTART %s", why);
		return -EINVAL;
	}
	ev->all_day = is_date;
	ev->tzid = dup_checked(c, tzid ? tzid : CAL_DISTRICT_TZID);
	if (pe) {
		if (read_time(pe, icalproperty_get_dtend(pe), ev->tzid ?
			      ev->tzid : CAL_DISTRICT_TZID, &ev->end_utc,
			      &end_date, NULL, why, sizeof(why)) != 0) {
			add_error(c, n, uid, "DTEND %s", why);
			return -EINVAL;
		}
		if (end_date != is_date) {
			add_error(c, n, uid, "DTEND and DTSTART must both be"
				  " dates or both date-times");
			return -EINVAL;
		}
	} else if (pd) {
		struct icaldurationtype d = icalproperty_get_duration(pd);
		int secs = icaldurationtype_as_int(d);

		if (icaldurationtype_is_bad_duration(d) || secs < 0 ||
		    secs > MAX_DURATION) {
			add_error(c, n, uid, "DURATION must be 0 to 366 days");
			return -EINVAL;
		}
		ev->end_utc = ev->start_utc + secs;
	} else {
		/* RFC 5545 §3.6.1: a DATE start alone lasts one day. */
		ev->end_utc = ev->start_utc + (is_date ? 86400 : 3600);
	}
	if (ev->end_utc <= ev->start_utc) {
		if (pe || pd) {
			add_error(c, n, uid, "DTEND must be after DTSTART");
			return -EINVAL;
		}
	}
	if (ev->end_utc - ev->start_utc > MAX_DURATION) {
		add_error(c, n, uid, "the event lasts more than 366 days");
		return -EINVAL;
	}
	if (is_date && ev->tzid &&
	    (cal_local_date(ev->start_utc, ev->tzid, ev->start_date) != 0 ||
	     cal_local_date(ev->end_utc, ev->tzid, ev->end_date) != 0)) {
		add_error(c, n, uid, "dates cannot be placed");
		return -EINVAL;
	}
	return 0;
}

/* RRULE (one at most, validated and expanded once, bounded) and
 * EXDATEs. */
static int
read_recurrence(struct ctx *c, icalcomponent *vev, int n, const char *uid,
		struct db_event *ev)
{
	icalproperty *p;
	struct icalrecurrencetype r;
	char why[160], *text;

	/* Counted, not iterated: a component has one property iterator. */
	if (icalcomponent_count_properties(vev, ICAL_RDATE_PROPERTY)) {
		add_error(c, n, uid, "RDATE is not supported: give the dates"
			  " as an RRULE (with EXDATE) or as separate events");
		return -EINVAL;
	}
	p = icalcomponent_get_first_property(vev, ICAL_RRULE_PROPERTY);
	if (!p)
		return 0;
	if (icalcomponent_count_properties(vev, ICAL_RRULE_PROPERTY) > 1) {
		add_error(c, n, uid, "more than one RRULE");
		return -EINVAL;
	}
	r = icalproperty_get_rrule(p);
	text = icalrecurrencetype_as_string_r(&r);
	if (!text || cal_rrule_validate(text, why, sizeof(why)) != 0) {
		add_error(c, n, uid, "RRULE: %s", text ? why :
			  "cannot be read");
		free(text);
		return -EINVAL;
	}
	if ((size_t)n <= c->n_lines && c->bad_rrule_line[n - 1]) {
		add_error(c, n, uid, "RRULE (line %d): a number is out of"
			  " range", c->bad_rrule_line[n - 1]);
		free(text);
		return -EINVAL;
	}
	ev->rrule = dup_checked(c, text);
	free(text);
	if (!ev->rrule)
		return -ENOMEM;
	/* Prove the rule expands in bounded work (under the helper's CPU
	 * limit) before the server ever stores it. */
	if (cal_recur_too_long(ev)) {
		add_error(c, n, uid, "RRULE must yield 1 to %d occurrences",
			  CAL_RECUR_MAX_OCCURRENCES);
		return -EINVAL;
	}
	for (p = icalcomponent_get_first_property(vev, ICAL_EXDATE_PROPERTY);
	     p; p = icalcomponent_get_next_property(vev,
						    ICAL_EXDATE_PROPERTY)) {
		int64_t t;
		int is_date;

		if (read_time(p, icalproperty_get_exdate(p), ev->tzid, &t,
			      &is_date, NULL, why, sizeof(why)) != 0) {
			add_error(c, n, uid, "EXDATE %s", why);
			return -EINVAL;
		}
		if (ev->n_exdates >= CAL_RECUR_MAX_OCCURRENCES) {
			add_error(c, n, uid, "too many EXDATEs");
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
	char why[160];
	int64_t rid;
	int is_date;
	size_t i;

	for (i = 0; i < c->out->n; i++)
		if (strcmp(c->out->events[i].uid, uid) == 0)
			master = &c->out->events[i];
	if (!master || !master->rrule) {
		add_error(c, n, uid, "RECURRENCE-ID without a recurring VEVENT"
			  " of the same UID before it");
		return;
	}
	if (read_time(rp, icalproperty_get_recurrenceid(rp), master->tzid,
		      &rid, &is_date, NULL, why, sizeof(why)) != 0) {
		add_error(c, n, uid, "RECURRENCE-ID %s", why);
		return;
	}
	if (!cal_recur_is_occurrence(master, rid)) {
		add_error(c, n, uid, "RECURRENCE-ID names no occurrence of"
			  " the series");
		return;
	}
	memset(&tmp, 0, sizeof(tmp));
	if (read_span(c, vev, n, uid, &tmp) != 0) {
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
	o->title = dup_checked(c, text_prop(c, vev, ICAL_SUMMARY_PROPERTY,
					    "SUMMARY", MAX_TITLE, n, uid));
	o->venue = dup_checked(c, text_prop(c, vev, ICAL_LOCATION_PROPERTY,
					    "LOCATION", MAX_VENUE, n, uid));
	o->description = dup_checked(c, text_prop(c, vev,
					ICAL_DESCRIPTION_PROPERTY,
					"DESCRIPTION", MAX_TEXT, n, uid));
	o->status = dup_checked(c, status_of(vev));
	db_event_release(&tmp);
}

static void
read_vevent(struct ctx *c, icalcomponent *vev, int n)
{
	const char *uid = icalcomponent_get_uid(vev), *s;
	icalproperty *p;
	struct db_event ev, *nv;
	size_t errors_before;

	for (p = icalcomponent_get_first_property(vev, ICAL_XLICERROR_PROPERTY);
	     p; p = icalcomponent_get_next_property(vev,
						    ICAL_XLICERROR_PROPERTY))
		add_error(c, n, uid, "%s", icalproperty_get_xlicerror(p));
	if (!uid || !*uid) {
		add_error(c, n, NULL, "UID is missing");
		return;
	}
	if (strlen(uid) > MAX_UID) {
		add_error(c, n, NULL, "UID is longer than %d octets", MAX_UID);
		return;
	}
	if (!utf8_ok(uid) || has_control(uid) || strchr(uid, ' ')) {
		add_error(c, n, NULL, "UID must be UTF-8 without spaces or"
			  " control characters");
		return;
	}
	p = icalcomponent_get_first_property(vev, ICAL_RECURRENCEID_PROPERTY);
	if (p) {
		read_override(c, vev, n, uid, p);
		return;
	}
	for (size_t i = 0; i < c->out->n; i++)
		if (strcmp(c->out->events[i].uid, uid) == 0) {
			add_error(c, n, uid, "two VEVENTs have this UID and"
				  " neither has RECURRENCE-ID");
			return;
		}
	memset(&ev, 0, sizeof(ev));
	ev.uid = dup_checked(c, uid);
	errors_before = c->out->n_errors;
	s = text_prop(c, vev, ICAL_SUMMARY_PROPERTY, "SUMMARY", MAX_TITLE, n,
		      uid);
	if ((!s || !*s) && c->out->n_errors == errors_before)
		add_error(c, n, uid, "SUMMARY is missing or empty");
	ev.title = dup_checked(c, s);
	ev.description = dup_checked(c, text_prop(c, vev,
					ICAL_DESCRIPTION_PROPERTY,
					"DESCRIPTION", MAX_TEXT, n, uid));
	ev.venue = dup_checked(c, text_prop(c, vev, ICAL_LOCATION_PROPERTY,
					    "LOCATION", MAX_VENUE, n, uid));
	s = text_prop(c, vev, ICAL_URL_PROPERTY, "URL", MAX_URL, n, uid);
	if (s && (strncmp(s, "http://", 7) == 0 ||
		  strncmp(s, "https://", 8) == 0) && !strchr(s, ' '))
		ev.url = dup_checked(c, s);
	ev.status = dup_checked(c, status_of(vev));
	s = kind_of(vev);
	ev.kind = dup_checked(c, s);
	p = icalcomponent_get_first_property(vev, ICAL_GEO_PROPERTY);
	if (p) {
		struct icalgeotype g = icalproperty_get_geo(p);

		if (g.lat >= -90 && g.lat <= 90 && g.lon >= -180 &&
		    g.lon <= 180) {
			ev.has_geo = 1;
			ev.geo_lat = g.lat;
			ev.geo_lon = g.lon;
		}
	}
	if (read_span(c, vev, n, uid, &ev) != 0 ||
	    read_recurrence(c, vev, n, uid, &ev) != 0 || !ev.title) {
		db_event_release(&ev);
		return;
	}
	nv = realloc(c->out->events, (c->out->n + 1) * sizeof(*nv));
	if (!nv) {
		c->oom = 1;
		db_event_release(&ev);
		return;
	}
	c->out->events = nv;
	nv[c->out->n++] = ev;
}

int
cal_import_parse(const char *text, size_t len, struct cal_import *out)
{
	struct ctx c;
	icalcomponent *root = NULL, *vev;
	icalproperty *p;
	char *copy = NULL;
	int n = 0;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.out = out;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;	/* a UTF-8 byte order mark, as some exports add */
		len -= 3;
	}
	if (memchr(text, '\0', len)) {
		add_error(&c, 0, NULL, "the file contains a NUL octet");
		goto done;
	}
	if (scan_structure(&c, text, len) != 0) {
		free(c.vevent_lines);
		free(c.bad_rrule_line);
		return -ENOMEM;
	}
	if (c.too_deep_line) {
		add_error(&c, 0, NULL, "line %d: components nested more than"
			  " %d deep", c.too_deep_line, MAX_DEPTH);
		goto done;
	}
	if (c.nested_line) {
		add_error(&c, 0, NULL, "line %d: a VEVENT nested inside another"
			  " component is not accepted", c.nested_line);
		goto done;
	}
	if (c.n_lines > CAL_IMPORT_MAX_VEVENTS) {
		add_error(&c, 0, NULL, "the file holds %zu VEVENTs; at most"
			  " %d per import", c.n_lines, CAL_IMPORT_MAX_VEVENTS);
		goto done;
	}
	copy = malloc(len + 1);
	if (!copy) {
		free(c.vevent_lines);
		return -ENOMEM;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	icalerror_clear_errno();
	root = icalparser_parse_string(copy);
	free(copy);
	copy = NULL;
	if (!root || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
		add_error(&c, 0, NULL, "not an iCalendar file: no"
			  " BEGIN:VCALENDAR ... END:VCALENDAR object");
		goto done;
	}
	for (p = icalcomponent_get_first_property(root,
						  ICAL_XLICERROR_PROPERTY);
	     p; p = icalcomponent_get_next_property(root,
						    ICAL_XLICERROR_PROPERTY))
		add_error(&c, 0, NULL, "%s", icalproperty_get_xlicerror(p));
	/* Errors point at BEGIN:VEVENT lines by number: that holds only
	 * when libical read the VEVENTs the line scan found. */
	n = icalcomponent_count_components(root, ICAL_VEVENT_COMPONENT);
	if ((size_t)n != c.n_lines) {
		add_error(&c, 0, NULL, "the file has %zu VEVENTs in its"
			  " VCALENDAR but %d could be read", c.n_lines, n);
		goto done;
	}
	n = 0;
	for (vev = icalcomponent_get_first_component(root,
						     ICAL_VEVENT_COMPONENT);
	     vev && !c.oom; vev = icalcomponent_get_next_component(root,
						     ICAL_VEVENT_COMPONENT)) {
		if (++n > CAL_IMPORT_MAX_VEVENTS) {
			add_error(&c, 0, NULL, "more than %d VEVENTs",
				  CAL_IMPORT_MAX_VEVENTS);
			break;
		}
		read_vevent(&c, vev, n);
	}
	if (n == 0 && out->n_errors == 0)
		add_error(&c, 0, NULL, "the calendar holds no VEVENT");
done:
	free(copy);
	if (root)
		icalcomponent_free(root);
	icalerror_clear_errno();
	free(c.vevent_lines);
	free(c.bad_rrule_line);
	if (c.oom) {
		cal_import_release(out);
		return -ENOMEM;
	}
	return 0;
}

void
cal_import_release(struct cal_import *im)
{
	size_t i;

	if (!im)
		return;
	for (i = 0; i < im->n; i++)
		db_event_release(&im->events[i]);
	free(im->events);
	free(im->errors);
	memset(im, 0, sizeof(*im));
}
