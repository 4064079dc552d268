/*
 * import_int.h: what the parts of the iCalendar import share (import.c:
 * the file and its VCALENDARs; import_value.c: property values;
 * import_vevent.c: one VEVENT). Private to calendar/import*.c; all of it
 * runs in the sandboxed parser process only.
 */
#ifndef ROADSHOWD_IMPORT_INT_H
#define ROADSHOWD_IMPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <libical/ical.h>

#include "import.h"

#define MAX_TITLE 1000
#define MAX_TEXT 20000
#define MAX_VENUE 500
#define MAX_URL 2048
#define MAX_UID 255
#define MAX_DURATION (366 * 86400)

#define MAX_TZ 64			/* TZIDs remembered per VCALENDAR */
#define UID_BUCKETS (2 * CAL_IMPORT_MAX_VEVENTS + 1)

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

/* The parse of one file. */
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
	icalcomponent *root;		/* the file: that VCALENDAR, or an
					 * XROOT holding several */
	char float_tz[64];		/* zone of floating times: the
					 * calendar's X-WR-TIMEZONE, else the
					 * district's */
	struct tz_res *tz;		/* MAX_TZ resolved TZIDs of cal */
	size_t n_tz;
	int *uid_index;			/* UID_BUCKETS: 1 + index into
					 * out->events, 0 empty */
	size_t cap_events;
};

/* Record a problem (struct cal_import_error) of VEVENT number vevent
 * (0: the file); uid and property may be NULL / "". Sets c->oom when out
 * of memory. */
void cal_imp_add_error(struct ctx *c, int vevent, const char *uid,
		       const char *property, const char *code,
		       const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Record libical's X-LIC-ERROR notes on comp (VEVENT number n, or 0)
 * in our words (see lic_error() in import.c). */
void cal_imp_lic_errors(struct ctx *c, icalcomponent *comp, int n,
			const char *uid);

/* Read VEVENT number n (1-based) of the current VCALENDAR into c->out,
 * or record why it is refused. */
void cal_imp_read_vevent(struct ctx *c, icalcomponent *vev, int n);

/*
 * Read a DATE or DATE-TIME property (DTSTART, DTEND, EXDATE, RDATE,
 * RECURRENCE-ID) as an instant. DATE values and floating times are read
 * in fallback_tzid (IANA). 0 or -EINVAL (code and reason in code/why).
 */
int cal_imp_read_time(struct ctx *c, icalproperty *p, struct icaltimetype t,
		      const char *fallback_tzid, struct tval *v,
		      const char **code, char *why, size_t size);

/* Seconds of t's fields read as if they were UTC (no zone applied). */
int64_t cal_imp_naive_of(struct icaltimetype t);

/* 1 when s is valid UTF-8, else 0. */
int cal_imp_utf8_ok(const char *s);

/* 1 when s holds a control character other than those text allows. */
int cal_imp_has_control(const char *s);

/* strdup(s), setting c->oom when out of memory; NULL for NULL. */
char *cal_imp_dup_checked(struct ctx *c, const char *s);

/*
 * A text property value within max octets, as a new string; NULL when
 * absent or refused (error recorded). See import_value.c.
 */
char *cal_imp_text_prop(struct ctx *c, icalcomponent *vev,
			icalproperty_kind kind, const char *name, size_t max,
			int n, const char *uid);

/* The kind slug named by CATEGORIES (slug, Chinese or English name), or
 * NULL. Static string. */
const char *cal_imp_kind_of(icalcomponent *vev);

/* The STATUS of vev as stored (RFC 5545 §3.8.1.11): TENTATIVE or
 * CANCELLED as written, else CONFIRMED (absent, or any other value).
 * Static string (cal_event_status_name()). */
const char *cal_imp_status_of(icalcomponent *vev);

#endif
