/*
 * import: read an uploaded iCalendar file (RFC 5545) with libical into
 * events. Uploaded text is hostile: this code runs only in the helper
 * process `roadshowd parse-ics`, under CPU, memory and wall-time limits
 * (DESIGN.md, robustness decisions). It never calls
 * icalcomponent_normalize(), never uses the file's VTIMEZONEs (TZIDs must
 * name IANA zones), and expands each RRULE once, bounded, to prove it is
 * safe before the server stores it.
 */
#ifndef ROADSHOWD_IMPORT_H
#define ROADSHOWD_IMPORT_H

#include <stddef.h>

#include "../db/db.h"

/* Most VEVENTs (series and overrides together) one file may hold. */
#define CAL_IMPORT_MAX_VEVENTS 2000

struct cal_import_error {
	int vevent;			/* 1-based VEVENT number; 0: the file */
	int line;			/* 1-based line of its BEGIN:VEVENT, or
					 * 0 when unknown */
	char uid[128];			/* the UID when known, else "" */
	char detail[256];		/* what is wrong */
};

struct cal_import {
	struct db_event *events;	/* one per series or single event;
					 * kind is a kind slug read from
					 * CATEGORIES, or NULL; carrier and
					 * partner regions are NULL */
	size_t n;
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

void cal_import_release(struct cal_import *im);

#endif
