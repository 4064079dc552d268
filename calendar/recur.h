/*
 * recur: RRULE validation and bounded expansion of our own stored events
 * with libical's recurrence iterator (RFC 5545 §3.3.10, §3.8.5.3).
 */
#ifndef ROADSHOWD_RECUR_H
#define ROADSHOWD_RECUR_H

#include <stddef.h>
#include <stdint.h>

#include "../db/db.h"

/* Most occurrences one series may have; longer rules are rejected. */
#define CAL_RECUR_MAX_OCCURRENCES 1000

/*
 * Check an RRULE value posted by a user: it must parse with libical, use
 * FREQ DAILY, WEEKLY, MONTHLY or YEARLY, have COUNT (at most
 * CAL_RECUR_MAX_OCCURRENCES) or UNTIL or neither (an open-ended series),
 * not both (RFC 5545 §3.3.10). On error writes a one-line reason
 * into why (size octets) and returns -EINVAL; else 0.
 */
int cal_rrule_validate(const char *rrule, char *why, size_t size);

/* 1 when no number outside UNTIL in rrule has more than four digits
 * (libical would wrap it silently). */
int cal_rrule_numbers_ok(const char *rrule);

/* 1 when ev's series yields no occurrence, or (ended by COUNT or UNTIL)
 * more than CAL_RECUR_MAX_OCCURRENCES (e.g. DAILY until 2199), or cannot
 * be expanded; 0 for a single event, a bounded series, or an open-ended
 * one with a first occurrence. */
int cal_recur_too_long(const struct db_event *ev);

/*
 * Occurrence starts of ev in [from_utc, to_utc), ascending, at most max.
 * A single event gives its start when it lies in the window. A series is
 * expanded from DTSTART in the event's timezone (all-day: local dates),
 * with its RDATEs added (an event with RDATEs and no RRULE: DTSTART and
 * the RDATEs).
 * *starts is a new array the caller frees with free() (NULL when *n == 0).
 * Returns 0, -EINVAL (unparsable rule), -ENOMEM.
 */
int cal_recur_expand(const struct db_event *ev, int64_t from_utc,
		     int64_t to_utc, size_t max, int64_t **starts, size_t *n);

/* One occurrence of an event as people see it. */
struct cal_instance {
	int64_t recurrence_utc;		/* original start (RECURRENCE-ID);
					 * the start for a single event */
	int64_t start_utc;		/* seconds since epoch UTC */
	int64_t end_utc;		/* exclusive */
	const struct db_override *override; /* borrowed from the event, or
					 * NULL when not changed */
	const char *status;		/* the override's status, else the
					 * event's; borrowed */
};

/*
 * Instances of ev that overlap [from_utc, to_utc) (start < to and end >
 * from; a zero-length one when from <= start < to), at most max, ascending
 * by start: RRULE occurrences less EXDATEs, with RECURRENCE-ID overrides
 * applied (a moved occurrence is placed by its new start). A single event
 * is one instance. *out is a new array the caller frees with free() (NULL
 * when *n == 0); its pointers borrow from ev. 0, -EINVAL, -ENOMEM.
 */
int cal_event_instances(const struct db_event *ev, int64_t from_utc,
			int64_t to_utc, size_t max, struct cal_instance **out,
			size_t *n);

/* 1 when t is an occurrence start of ev's RRULE or an RDATE (ignoring
 * EXDATE). */
int cal_recur_is_occurrence(const struct db_event *ev, int64_t t);

#endif
