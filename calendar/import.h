/*
 * import: read an uploaded iCalendar file (RFC 5545) with libical into
 * events. Uploaded text is hostile: this code runs only in the helper
 * process `roadshowd parse-ics`, under CPU, memory and wall-time limits
 * (DESIGN.md, robustness decisions). It never calls
 * icalcomponent_normalize(), and expands each RRULE once, bounded, to
 * prove it is safe before the server stores it. A TZID (RFC 5545
 * §3.2.19) is read as an IANA zone when it is one, ends in one, is a
 * Windows name (tzresolve.h) or its VTIMEZONE's X-LIC-LOCATION names one;
 * else the file's own VTIMEZONE is used to read the times (see events).
 * The parts: import.c (the file), import_value.c (property values),
 * import_vevent.c (one VEVENT); the server stores the result through
 * import_upsert.h.
 */
#ifndef ROADSHOWD_IMPORT_H
#define ROADSHOWD_IMPORT_H

#include <stddef.h>

#include "../db/db.h"

/* Most VEVENTs (series and overrides together) one file may hold. */
#define CAL_IMPORT_MAX_VEVENTS 10000

/* Title of an event whose SUMMARY is absent or empty (RFC 5545 makes it
 * optional). */
#define CAL_IMPORT_NO_TITLE "（无标题）"

struct cal_import_error {
	int vevent;			/* 1-based VEVENT number; 0: the file */
	int line;			/* 1-based line of its BEGIN:VEVENT, or
					 * 0 when unknown */
	char uid[128];			/* the UID when known, else "" */
	char property[32];		/* the property at fault, or "" */
	char code[32];			/* machine-readable kind of fault:
					 * missing, bad-value, unknown-tzid,
					 * duplicate-uid, too-long, not-utf8,
					 * control-char, bad-rrule, structure,
					 * too-many, ... */
	char detail[256];		/* what is wrong, in our words */
};

struct cal_import {
	struct db_event *events;	/* one per series or single event;
					 * tzid "UTC" when the file's own
					 * VTIMEZONE matched no IANA zone (the
					 * file's TZID is in meta[i]);
					 * kind is a kind slug read from
					 * CATEGORIES, or NULL; carrier and
					 * partner regions are NULL */
	size_t n;
	struct cal_import_meta {
		int vevent;		/* 1-based VEVENT number */
		int line;		/* line of its BEGIN:VEVENT */
		char *tzid_source;	/* NULL, or the file's TZID kept for
					 * display (see events) */
	} *meta;			/* n entries */
	struct cal_import_error *errors;
	size_t n_errors;
};

/*
 * Parse text (len octets; need not be NUL-terminated) into out. Every
 * problem found is listed in out->errors (the file is then to be rejected
 * whole); events are filled only for VEVENTs that were read. Returns 0
 * (check out->n_errors), or -ENOMEM. Release with cal_import_release().
 */
int cal_import_parse(const char *text, size_t len, struct cal_import *out);

/* Free everything im holds (events, meta, errors) and zero it; NULL is a
 * no-op. */
void cal_import_release(struct cal_import *im);

#endif
