/*
 * import.c: uploaded iCalendar -> events (see import.h). Runs in the
 * sandboxed helper process only.
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
#include <openssl/evp.h>

#include "caltime.h"
#include "import.h"
#include "kind.h"
#include "recur.h"
#include "rrule_until.h"
#include "tzresolve.h"

#define MAX_TITLE 1000
#define MAX_TEXT 20000
#define MAX_VENUE 500
#define MAX_URL 2048
#define MAX_UID 255
#define MAX_DURATION (366 * 86400)

#define MAX_TZ 64			/* TZIDs remembered per VCALENDAR */
#define UID_BUCKETS (2 * CAL_IMPORT_MAX_VEVENTS + 1)

struct tz_res;

struct ctx {
	struct cal_import *out;
	int *vevent_lines;		/* line of each top-level BEGIN:VEVENT */
	int *bad_rrule_line;		/* per top-level VEVENT: line of an
					 * RRULE with wrapping numbers, or 0 */
	size_t n_lines;
	int nested_line;		/* first VEVENT nested elsewhere */
	int too_deep_line;		/* first BEGIN past MAX_DEPTH */
	int oom;
	icalcomponent *cal;		/* the VCALENDAR being read */
	char float_tz[64];		/* zone of floating times: the
					 * calendar's X-WR-TIMEZONE, else the
					 * district's */
	struct tz_res *tz;		/* MAX_TZ resolved TZIDs of cal */
	size_t n_tz;
	int *uid_index;			/* UID_BUCKETS: 1 + index into
					 * out->events, 0 empty */
	size_t cap_events;
};

static void
add_error(struct ctx *c, int vevent, const char *uid, const char *property,
	  const char *code, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void
add_error(struct ctx *c, int vevent, const char *uid, const char *property,
	  const char *code, const char *fmt, ...)
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
	snprintf(e->property, sizeof(e->property), "%s",
		 property ? property : "");
	snprintf(e->code, sizeof(e->code), "%s", code ? code : "invalid");
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

/* How a TZID of the current VCALENDAR resolves (cached per VCALENDAR). */
struct tz_res {
	char tzid[128];			/* as the file writes it */
	char iana[64];			/* the IANA zone, or "" */
	icaltimezone *file_zone;	/* the file's VTIMEZONE when no IANA
					 * name is known; owned by the
					 * VCALENDAR */
};

/* A time read from a property. */
struct tval {
	int64_t utc;			/* the instant, seconds UTC */
	int is_date;			/* a DATE value */
	int is_utc;			/* written in UTC ("Z") */
	int floating;			/* no zone: read in the fallback */
	const char *iana;		/* the zone it was read in, or NULL
					 * (UTC, or a file-only zone) */
	const struct tz_res *file;	/* a file-only zone, or NULL */
	int offset_s;			/* its UTC offset there, seconds */
	struct icaltimetype t;		/* the value as written */
};

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
static int64_t
naive_of(struct icaltimetype t)
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
static int
read_time(struct ctx *c, icalproperty *p, struct icaltimetype t,
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
		v->offset_s = (int)(naive_of(t) - v->utc);
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

/*
 * A text property value within max octets, as a new string; NULL when
 * absent or refused (error recorded). Line breaks (escaped as "\n" in the
 * file, RFC 5545 §3.3.11) are kept in DESCRIPTION; in the one-line
 * SUMMARY and LOCATION they become a space (", " between the lines of an
 * address). Other control characters (a raw TAB) are refused there.
 */
static char *
text_prop(struct ctx *c, icalcomponent *vev, icalproperty_kind kind,
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
		add_error(c, n, uid, name, "too-long", "%s is longer than %zu"
			  " octets", name, max);
		return NULL;
	}
	if (!utf8_ok(v)) {
		add_error(c, n, uid, name, "not-utf8", "%s is not valid UTF-8"
			  " (RFC 5545 §3.1.4)", name);
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
	if (has_control(d) && kind != ICAL_DESCRIPTION_PROPERTY) {
		add_error(c, n, uid, name, "control-char", "%s holds a control"
			  " character (tab or line break)", name);
		free(d);
		return NULL;
	}
	return d;
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

/* Copy the [A-Za-z0-9-] word of text after `after` into out. */
static void
word_after(const char *text, const char *after, char *out, size_t size)
{
	const char *p = text ? strstr(text, after) : NULL;
	size_t k = 0;

	out[0] = '\0';
	if (!p)
		return;
	for (p += strlen(after); *p && k + 1 < size &&
	     (isalnum((unsigned char)*p) || *p == '-'); p++)
		out[k++] = *p;
	out[k] = '\0';
}

/*
 * One of libical's X-LIC-ERROR notes on a component, in our words. Empty
 * values (RFC 5545 allows "LOCATION:") and unreadable parameters are not
 * defects: libical drops the property and we read the rest. A value that
 * cannot be read is a defect only in a property we use; the rest are
 * dropped. libical's own text never reaches the user.
 */
static void
lic_error(struct ctx *c, int n, const char *uid, icalproperty *p)
{
	static const char *const used[] = {
		"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE",
		"RECURRENCE-ID", NULL,
	};
	icalparameter *par = icalproperty_get_first_parameter(p,
					ICAL_XLICERRORTYPE_PARAMETER);
	const char *text = icalproperty_get_xlicerror(p);
	char prop[32], type[32];
	size_t i;

	switch (par ? icalparameter_get_xlicerrortype(par) :
		ICAL_XLICERRORTYPE_NONE) {
	case ICAL_XLICERRORTYPE_PARAMETERNAMEPARSEERROR:
	case ICAL_XLICERRORTYPE_PARAMETERVALUEPARSEERROR:
		return;
	case ICAL_XLICERRORTYPE_VALUEPARSEERROR:
		if (text && strncmp(text, "No value for", 12) == 0)
			return;		/* an empty value */
		word_after(text, " value in ", prop, sizeof(prop));
		word_after(text, "parse as ", type, sizeof(type));
		for (i = 0; used[i]; i++)
			if (strcasecmp(prop, used[i]) == 0)
				break;
		if (!used[i])
			return;
		add_error(c, n, uid, used[i], "bad-value", "%s: the value is"
			  " not a valid %s", used[i], type[0] ? type :
			  "value");
		return;
	case ICAL_XLICERRORTYPE_COMPONENTPARSEERROR:
		add_error(c, n, uid, "", "structure", "BEGIN and END lines do"
			  " not match (components must nest, RFC 5545 §3.4)");
		return;
	case ICAL_XLICERRORTYPE_PROPERTYPARSEERROR:
		add_error(c, n, uid, "", "bad-line", "a line is not a property"
			  " (NAME:value) nor a folded continuation (which"
			  " starts with a space, RFC 5545 §3.1)");
		return;
	default:
		add_error(c, n, uid, "", "unreadable", "a line could not be"
			  " read as iCalendar");
		return;
	}
}

static void
lic_errors(struct ctx *c, icalcomponent *comp, int n, const char *uid)
{
	icalproperty *p;

	for (p = icalcomponent_get_first_property(comp,
						  ICAL_XLICERROR_PROPERTY);
	     p; p = icalcomponent_get_next_property(comp,
						    ICAL_XLICERROR_PROPERTY))
		lic_error(c, n, uid, p);
}

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
		add_error(c, n, uid, "DTSTART", "missing", "DTSTART is"
			  " missing");
		return -EINVAL;
	}
	/* DATE values are the district's days; floating times are in the
	 * calendar's X-WR-TIMEZONE, else the district's zone. */
	{
		struct icaltimetype t = icalproperty_get_dtstart(ps);

		if (read_time(c, ps, t, t.is_date ? CAL_DISTRICT_TZID :
			      c->float_tz, sv, &code, why, sizeof(why)) != 0) {
			add_error(c, n, uid, "DTSTART", code, "DTSTART %s",
				  why);
			return -EINVAL;
		}
	}
	ev->start_utc = sv->utc;
	ev->all_day = sv->is_date;
	ev->tzid = dup_checked(c, sv->iana ? sv->iana : sv->file ? "UTC" :
			       c->float_tz);
	if (pe) {
		if (read_time(c, pe, icalproperty_get_dtend(pe),
			      sv->is_date ? CAL_DISTRICT_TZID : sv->iana ?
			      sv->iana : c->float_tz, &e, &code, why,
			      sizeof(why)) != 0) {
			add_error(c, n, uid, "DTEND", code, "DTEND %s", why);
			return -EINVAL;
		}
		if (e.is_date != sv->is_date) {
			add_error(c, n, uid, "DTEND", "bad-value", "DTEND and"
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
			add_error(c, n, uid, "DURATION", "bad-value",
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
		add_error(c, n, uid, pe ? "DTEND" : "DURATION", "bad-value",
			  "DTEND must be after DTSTART");
		return -EINVAL;
	}
	if (ev->end_utc - ev->start_utc > MAX_DURATION) {
		add_error(c, n, uid, pe ? "DTEND" : "DURATION", "too-long",
			  "the event lasts more than 366 days");
		return -EINVAL;
	}
	if (sv->is_date && ev->tzid &&
	    (cal_local_date(ev->start_utc, ev->tzid, ev->start_date) != 0 ||
	     cal_local_date(ev->end_utc, ev->tzid, ev->end_date) != 0)) {
		add_error(c, n, uid, "DTSTART", "bad-value", "the dates cannot"
			  " be placed");
		return -EINVAL;
	}
	return 0;
}

/*
 * An event whose DTSTART is in a zone only the file's VTIMEZONE defines:
 * store it with the IANA zone that has the same UTC offsets over the
 * event's dates (its start and end, and for a series every other week of
 * its first year), else keep the UTC instants (tzid "UTC") and the file's
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
	for (k = 1; ev->rrule && k <= 26 && n < 40; k++) {
		struct icaltimetype t = sv->t;
		int64_t naive;

		icaltime_adjust(&t, 14 * k, 0, 0, 0);
		naive = naive_of(t);
		t.zone = sv->file->file_zone;
		utc[n] = (int64_t)icaltime_as_timet_with_zone(t,
						sv->file->file_zone);
		off[n] = (int)(naive - utc[n]);
		n++;
	}
	if (cal_tz_match_offsets(utc, off, n, iana, sizeof(iana)) == 0) {
		free(ev->tzid);
		ev->tzid = dup_checked(c, iana);
		return;
	}
	*source = dup_checked(c, sv->file->tzid);
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

	if (read_time(c, p, t, ev->tzid, &v, code, why, size) != 0)
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
		add_error(c, n, uid, "RRULE", "bad-rrule", "more than one"
			  " RRULE");
		return -EINVAL;
	}
	if ((size_t)n <= c->n_lines && c->bad_rrule_line[n - 1]) {
		add_error(c, n, uid, "RRULE", "bad-rrule", "RRULE (line %d):"
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
		add_error(c, n, uid, "RRULE", "bad-rrule", "RRULE: %s", text ?
			  why : "cannot be read");
		free(text);
		return -EINVAL;
	}
	free(text);
	ev->rrule = norm;
	/* Prove the rule expands in bounded work (under the helper's CPU
	 * limit) before the server ever stores it. */
	if (cal_recur_too_long(ev)) {
		add_error(c, n, uid, "RRULE", "bad-rrule", "RRULE must yield 1"
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
			add_error(c, n, uid, "RDATE", code, "RDATE %s", why);
			return -EINVAL;
		}
		if (ev->n_rdates >= CAL_RECUR_MAX_OCCURRENCES) {
			add_error(c, n, uid, "RDATE", "too-many", "more than"
				  " %d RDATEs", CAL_RECUR_MAX_OCCURRENCES);
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
			add_error(c, n, uid, "EXDATE", code, "EXDATE %s", why);
			return -EINVAL;
		}
		if (ev->n_exdates >= CAL_RECUR_MAX_OCCURRENCES) {
			add_error(c, n, uid, "EXDATE", "too-many", "more than"
				  " %d EXDATEs", CAL_RECUR_MAX_OCCURRENCES);
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
		add_error(c, n, uid, "RECURRENCE-ID", "no-series",
			  "RECURRENCE-ID without a recurring VEVENT of the"
			  " same UID before it");
		return;
	}
	if (series_instant(c, rp, icalproperty_get_recurrenceid(rp), master,
			   &rid, &code, why, sizeof(why)) != 0) {
		add_error(c, n, uid, "RECURRENCE-ID", code, "RECURRENCE-ID %s",
			  why);
		return;
	}
	if (!cal_recur_is_occurrence(master, rid)) {
		add_error(c, n, uid, "RECURRENCE-ID", "no-occurrence",
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
	o->title = text_prop(c, vev, ICAL_SUMMARY_PROPERTY, "SUMMARY",
			     MAX_TITLE, n, uid);
	o->venue = text_prop(c, vev, ICAL_LOCATION_PROPERTY, "LOCATION",
			     MAX_VENUE, n, uid);
	o->description = text_prop(c, vev, ICAL_DESCRIPTION_PROPERTY,
				   "DESCRIPTION", MAX_TEXT, n, uid);
	o->status = dup_checked(c, status_of(vev));
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

static void
read_vevent(struct ctx *c, icalcomponent *vev, int n)
{
	const char *uid = icalcomponent_get_uid(vev);
	icalproperty *p, *rid;
	struct db_event ev;
	struct tval sv, endv;
	char derived[96], *source = NULL;
	size_t errors_before = c->out->n_errors;

	rid = icalcomponent_get_first_property(vev,
					       ICAL_RECURRENCEID_PROPERTY);
	if (!uid || !*uid) {
		if (rid) {
			add_error(c, n, NULL, "UID", "missing", "UID is"
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
	lic_errors(c, vev, n, uid);
	if (strlen(uid) > MAX_UID) {
		add_error(c, n, NULL, "UID", "too-long", "UID is longer than"
			  " %d octets", MAX_UID);
		return;
	}
	if (!utf8_ok(uid) || has_control(uid) || strchr(uid, ' ')) {
		add_error(c, n, NULL, "UID", "bad-value", "UID must be UTF-8"
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
		add_error(c, n, uid, "UID", "duplicate-uid", "two VEVENTs have"
			  " this UID and neither has RECURRENCE-ID");
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.uid = dup_checked(c, uid);
	ev.title = text_prop(c, vev, ICAL_SUMMARY_PROPERTY, "SUMMARY",
			     MAX_TITLE, n, uid);
	if (ev.title && !*ev.title) {
		free(ev.title);
		ev.title = NULL;
	}
	if (!ev.title && c->out->n_errors == errors_before)
		ev.title = dup_checked(c, CAL_IMPORT_NO_TITLE);
	ev.description = text_prop(c, vev, ICAL_DESCRIPTION_PROPERTY,
				   "DESCRIPTION", MAX_TEXT, n, uid);
	ev.venue = text_prop(c, vev, ICAL_LOCATION_PROPERTY, "LOCATION",
			     MAX_VENUE, n, uid);
	{
		char *u = text_prop(c, vev, ICAL_URL_PROPERTY, "URL",
				    MAX_URL, n, uid);

		if (u && (strncmp(u, "http://", 7) == 0 ||
			  strncmp(u, "https://", 8) == 0) && !strchr(u, ' '))
			ev.url = u;
		else
			free(u);
	}
	ev.status = dup_checked(c, status_of(vev));
	ev.kind = dup_checked(c, kind_of(vev));
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
			/* UNTIL in the matched zone (else read as UTC). */
			char why[200], *norm = NULL;

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

/* Set up c for the VCALENDAR cal: its X-WR-TIMEZONE, its TZIDs. */
static void
begin_calendar(struct ctx *c, icalcomponent *cal)
{
	icalproperty *p;

	c->cal = cal;
	c->n_tz = 0;
	snprintf(c->float_tz, sizeof(c->float_tz), "%s", CAL_DISTRICT_TZID);
	for (p = icalcomponent_get_first_property(cal, ICAL_X_PROPERTY); p;
	     p = icalcomponent_get_next_property(cal, ICAL_X_PROPERTY)) {
		const char *name = icalproperty_get_x_name(p);
		const char *v = icalproperty_get_x(p);
		char iana[64];

		if (name && v && strcmp(name, "X-WR-TIMEZONE") == 0 &&
		    cal_tz_resolve_name(v, iana, sizeof(iana)) == 0) {
			snprintf(c->float_tz, sizeof(c->float_tz), "%s", iana);
			break;
		}
	}
	lic_errors(c, cal, 0, NULL);
}

int
cal_import_parse(const char *text, size_t len, struct cal_import *out)
{
	struct ctx c;
	icalcomponent *root = NULL, *cal, *vev;
	char *copy = NULL;
	size_t n_read = 0;
	int n = 0, rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.out = out;
	c.tz = calloc(MAX_TZ, sizeof(*c.tz));
	c.uid_index = calloc(UID_BUCKETS, sizeof(*c.uid_index));
	if (!c.tz || !c.uid_index) {
		rc = -ENOMEM;
		goto done;
	}
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;	/* a UTF-8 byte order mark, as some exports add */
		len -= 3;
	}
	if (memchr(text, '\0', len)) {
		add_error(&c, 0, NULL, "", "nul", "the file contains a NUL"
			  " octet");
		goto done;
	}
	if (scan_structure(&c, text, len) != 0) {
		rc = -ENOMEM;
		goto done;
	}
	if (c.too_deep_line) {
		add_error(&c, 0, NULL, "", "structure", "line %d: components"
			  " nested more than %d deep", c.too_deep_line,
			  MAX_DEPTH);
		goto done;
	}
	if (c.nested_line) {
		add_error(&c, 0, NULL, "", "structure", "line %d: a VEVENT"
			  " nested inside another component is not accepted",
			  c.nested_line);
		goto done;
	}
	if (c.n_lines > CAL_IMPORT_MAX_VEVENTS) {
		add_error(&c, 0, NULL, "", "too-many", "the file holds %zu"
			  " VEVENTs; at most %d per import", c.n_lines,
			  CAL_IMPORT_MAX_VEVENTS);
		goto done;
	}
	copy = malloc(len + 1);
	if (!copy) {
		rc = -ENOMEM;
		goto done;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	icalerror_clear_errno();
	root = icalparser_parse_string(copy);
	free(copy);
	copy = NULL;
	/* Several VCALENDARs in one file come back inside an XROOT. */
	if (!root || (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT &&
		      (icalcomponent_isa(root) != ICAL_XROOT_COMPONENT ||
		       !icalcomponent_get_first_component(root,
						ICAL_VCALENDAR_COMPONENT)))) {
		add_error(&c, 0, NULL, "", "not-icalendar", "not an iCalendar"
			  " file: no BEGIN:VCALENDAR ... END:VCALENDAR"
			  " object");
		goto done;
	}
	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT) {
		n_read = (size_t)icalcomponent_count_components(root,
						ICAL_VEVENT_COMPONENT);
	} else {
		for (cal = icalcomponent_get_first_component(root,
						ICAL_VCALENDAR_COMPONENT);
		     cal; cal = icalcomponent_get_next_component(root,
						ICAL_VCALENDAR_COMPONENT))
			n_read += (size_t)icalcomponent_count_components(cal,
						ICAL_VEVENT_COMPONENT);
	}
	/* Errors point at BEGIN:VEVENT lines by number: that holds only
	 * when libical read the VEVENTs the line scan found. */
	if (n_read != c.n_lines) {
		add_error(&c, 0, NULL, "", "structure", "the file has %zu"
			  " VEVENTs in its VCALENDARs but %zu could be read"
			  " (check the BEGIN and END lines)", c.n_lines,
			  n_read);
		goto done;
	}
	cal = icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT ? root :
	      icalcomponent_get_first_component(root,
						ICAL_VCALENDAR_COMPONENT);
	for (; cal && !c.oom; cal = cal == root ? NULL :
	     icalcomponent_get_next_component(root,
					      ICAL_VCALENDAR_COMPONENT)) {
		begin_calendar(&c, cal);
		for (vev = icalcomponent_get_first_component(cal,
						ICAL_VEVENT_COMPONENT);
		     vev && !c.oom; vev = icalcomponent_get_next_component(cal,
						ICAL_VEVENT_COMPONENT))
			read_vevent(&c, vev, ++n);
	}
	if (n == 0 && out->n_errors == 0)
		add_error(&c, 0, NULL, "", "no-vevent", "the calendar holds no"
			  " VEVENT");
done:
	free(copy);
	if (root)
		icalcomponent_free(root);
	icalerror_clear_errno();
	free(c.vevent_lines);
	free(c.bad_rrule_line);
	free(c.tz);
	free(c.uid_index);
	if (c.oom || rc) {
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
	for (i = 0; i < im->n; i++) {
		db_event_release(&im->events[i]);
		if (im->meta)
			free(im->meta[i].tzid_source);
	}
	free(im->events);
	free(im->meta);
	free(im->errors);
	memset(im, 0, sizeof(*im));
}
