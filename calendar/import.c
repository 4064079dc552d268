/*
 * import.c: uploaded iCalendar -> events (see import.h): the file, its
 * structure and its VCALENDARs; values and VEVENTs are read by
 * import_value.c and import_vevent.c. Runs in the sandboxed helper
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

#include "caltime.h"
#include "import.h"
#include "import_int.h"
#include "recur.h"
#include "rrule_until.h"
#include "tzresolve.h"

void
cal_imp_add_error(struct ctx *c, int vevent, const char *uid, const char *property,
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
	const char *text = icalproperty_get_xlicerror(p), *p_val;
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
		/* An RRULE libical refused: our own reason when we have one
		 * (e.g. COUNT with UNTIL), read from the value it quotes. */
		if (strcmp(used[i], "RRULE") == 0 && text &&
		    (p_val = strstr(text, "property: ")) != NULL) {
			char why[160];

			if (cal_rrule_validate(p_val + 10, why,
					       sizeof(why)) != 0) {
				cal_imp_add_error(c, n, uid, "RRULE",
						  "bad-rrule", "RRULE: %s",
						  why);
				return;
			}
		}
		cal_imp_add_error(c, n, uid, used[i], "bad-value",
				  "%s: the value is"
				  " not a valid %s",
				  used[i], type[0] ? type : "value");
		return;
	case ICAL_XLICERRORTYPE_COMPONENTPARSEERROR:
		cal_imp_add_error(
			c, n, uid, "", "structure",
			"BEGIN and END lines do"
			" not match (components must nest, RFC 5545 §3.4)");
		return;
	case ICAL_XLICERRORTYPE_PROPERTYPARSEERROR:
		cal_imp_add_error(
			c, n, uid, "", "bad-line",
			"a line is not a property"
			" (NAME:value) nor a folded continuation (which"
			" starts with a space, RFC 5545 §3.1)");
		return;
	default:
		cal_imp_add_error(c, n, uid, "", "unreadable",
				  "a line could not be"
				  " read as iCalendar");
		return;
	}
}

void
cal_imp_lic_errors(struct ctx *c, icalcomponent *comp, int n, const char *uid)
{
	icalproperty *p;

	for (p = icalcomponent_get_first_property(comp,
						  ICAL_XLICERROR_PROPERTY);
	     p; p = icalcomponent_get_next_property(comp,
						    ICAL_XLICERROR_PROPERTY))
		lic_error(c, n, uid, p);
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
	cal_imp_lic_errors(c, cal, 0, NULL);
}

/*
 * Check the raw text before libical reads it: no NUL, components nested
 * sanely, not too many VEVENTs. 1 when it may be parsed, 0 when a
 * problem was recorded, -ENOMEM.
 */
static int
precheck(struct ctx *c, const char *text, size_t len)
{
	if (memchr(text, '\0', len)) {
		cal_imp_add_error(c, 0, NULL, "", "nul",
				  "the file contains a"
				  " NUL octet");
		return 0;
	}
	if (scan_structure(c, text, len) != 0)
		return -ENOMEM;
	if (c->too_deep_line) {
		cal_imp_add_error(c, 0, NULL, "", "structure",
				  "line %d:"
				  " components nested more than %d deep",
				  c->too_deep_line, MAX_DEPTH);
		return 0;
	}
	if (c->nested_line) {
		cal_imp_add_error(c, 0, NULL, "", "structure",
				  "line %d: a"
				  " VEVENT nested inside another component is"
				  " not accepted",
				  c->nested_line);
		return 0;
	}
	if (c->n_lines > CAL_IMPORT_MAX_VEVENTS) {
		cal_imp_add_error(c, 0, NULL, "", "too-many",
				  "the file holds"
				  " %zu VEVENTs; at most %d per import",
				  c->n_lines, CAL_IMPORT_MAX_VEVENTS);
		return 0;
	}
	return 1;
}

/* libical's reading of text (len octets): a VCALENDAR, or an XROOT
 * holding several; NULL (problem recorded) when it is neither, or on
 * -ENOMEM (*rc set). */
static icalcomponent *
parse_root(struct ctx *c, const char *text, size_t len, int *rc)
{
	icalcomponent *root;
	char *copy = malloc(len + 1);

	if (!copy) {
		*rc = -ENOMEM;
		return NULL;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	icalerror_clear_errno();
	root = icalparser_parse_string(copy);
	free(copy);
	/* Several VCALENDARs in one file come back inside an XROOT. */
	if (!root || (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT &&
		      (icalcomponent_isa(root) != ICAL_XROOT_COMPONENT ||
		       !icalcomponent_get_first_component(root,
						ICAL_VCALENDAR_COMPONENT)))) {
		cal_imp_add_error(c, 0, NULL, "", "not-icalendar",
				  "not an"
				  " iCalendar file: no BEGIN:VCALENDAR ..."
				  " END:VCALENDAR object");
		if (root)
			icalcomponent_free(root);
		return NULL;
	}
	return root;
}

/* The VEVENTs libical read in all of root's VCALENDARs. */
static size_t
count_vevents(icalcomponent *root)
{
	icalcomponent *cal;
	size_t n = 0;

	if (icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT)
		return (size_t)icalcomponent_count_components(root,
						ICAL_VEVENT_COMPONENT);
	for (cal = icalcomponent_get_first_component(root,
						ICAL_VCALENDAR_COMPONENT);
	     cal; cal = icalcomponent_get_next_component(root,
						ICAL_VCALENDAR_COMPONENT))
		n += (size_t)icalcomponent_count_components(cal,
						ICAL_VEVENT_COMPONENT);
	return n;
}

/* Read every VEVENT of every VCALENDAR of root, in file order. */
static void
read_all(struct ctx *c, icalcomponent *root)
{
	icalcomponent *cal, *vev;
	int n = 0;

	c->root = root;
	cal = icalcomponent_isa(root) == ICAL_VCALENDAR_COMPONENT ? root :
	      icalcomponent_get_first_component(root,
						ICAL_VCALENDAR_COMPONENT);
	for (; cal && !c->oom; cal = cal == root ? NULL :
	     icalcomponent_get_next_component(root,
					      ICAL_VCALENDAR_COMPONENT)) {
		begin_calendar(c, cal);
		for (vev = icalcomponent_get_first_component(cal,
						ICAL_VEVENT_COMPONENT);
		     vev && !c->oom; vev = icalcomponent_get_next_component(
						cal, ICAL_VEVENT_COMPONENT))
			cal_imp_read_vevent(c, vev, ++n);
	}
	if (n == 0 && c->out->n_errors == 0)
		cal_imp_add_error(c, 0, NULL, "", "no-vevent",
				  "the calendar"
				  " holds no VEVENT");
}

int
cal_import_parse(const char *text, size_t len, struct cal_import *out)
{
	struct ctx c;
	icalcomponent *root = NULL;
	size_t n_read;
	int rc = 0;

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
	rc = precheck(&c, text, len);
	if (rc <= 0)
		goto done;
	rc = 0;
	root = parse_root(&c, text, len, &rc);
	if (!root)
		goto done;
	/* Errors point at BEGIN:VEVENT lines by number: that holds only
	 * when libical read the VEVENTs the line scan found. */
	n_read = count_vevents(root);
	if (n_read != c.n_lines) {
		cal_imp_add_error(&c, 0, NULL, "", "structure",
				  "the file has"
				  " %zu VEVENTs in its VCALENDARs but %zu"
				  " could be read (check the BEGIN and END"
				  " lines)",
				  c.n_lines, n_read);
		goto done;
	}
	read_all(&c, root);
done:
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
