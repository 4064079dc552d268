/*
 * event_rules: the domain rules of one event, without HTTP or JSON.
 *
 *  - the limits an event's fields keep (octets, seconds, instants);
 *  - placing its times from what a writer gave (all-day dates, a moved
 *    start keeping its duration);
 *  - the series checks (UNTIL normalised, bounded, DTSTART on an
 *    occurrence);
 *  - SEQUENCE: which changes are significant (RFC 5545 §3.8.7.4);
 *  - series exceptions: EXDATEs and RECURRENCE-ID overrides (RFC 5545
 *    §3.8.5.1, §3.8.4.4) kept, moved or dropped when the series changes,
 *    and the occurrence a change names.
 *
 * Every function takes plain structs from db/db.h; none touches the
 * database. Strings are UTF-8.
 */
#ifndef ROADSHOWD_EVENT_RULES_H
#define ROADSHOWD_EVENT_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "../db/db.h"

/* Longest text fields, octets. */
#define CAL_EVENT_MAX_TITLE 1000
#define CAL_EVENT_MAX_DESCRIPTION 20000
#define CAL_EVENT_MAX_VENUE 500
#define CAL_EVENT_MAX_URL 2048
#define CAL_EVENT_MAX_UID 255
/* Most partner regions one event names. */
#define CAL_EVENT_MAX_PARTNERS 16
/* Longest event, seconds: 366 days (plus an hour for a DST change). */
#define CAL_EVENT_MAX_SECONDS (366 * 86400 + 3600)
/* Instants an event may take, seconds UTC: [1970-01-01, 2201-01-01), the
 * span every calendar client renders (and the importer accepts). */
#define CAL_EVENT_EARLIEST_UTC 0
#define CAL_EVENT_LATEST_UTC 7289654400LL

/* The one error a rule found: the field it names (a JSON field name,
 * static), an optional machine code (static, or NULL) and a sentence. */
struct cal_rule_error {
	const char *field;
	const char *code;
	char detail[200];
};

/* 1 when t (seconds UTC) lies in [CAL_EVENT_EARLIEST_UTC,
 * CAL_EVENT_LATEST_UTC), else 0. */
int cal_event_instant_ok(int64_t t);

/* 1 when s is an RFC 5545 VEVENT status we store (§3.8.1.11: TENTATIVE,
 * CONFIRMED, CANCELLED; exact upper case), else 0 (also for NULL). */
int cal_event_status_valid(const char *s);

/* The times a writer gave, already parsed; has_* say which were given. */
struct cal_time_input {
	int has_start;
	int has_end;
	int has_start_date;
	int has_end_date;
	int64_t start;			/* seconds UTC */
	int64_t end;			/* seconds UTC, exclusive */
	char start_date[11];		/* YYYY-MM-DD, valid date */
	char end_date[11];		/* YYYY-MM-DD, exclusive */
};

/*
 * Place ev's start and end from ti, ev->all_day and ev->tzid being final.
 * creating: a new event or a replacement (PUT), where the start is
 * required; stored: the event before the change (NULL on create).
 * All-day: start_date is required on create or when switching from timed;
 * a missing end_date is start_date + 1 day, or on a PATCH that moves the
 * start, the stored number of days; start/end are refused. Timed: start
 * is required on create or when switching from all-day; a missing end is
 * start + 1 h, or on a PATCH the stored duration; dates are refused.
 * Sets ev->start_utc, end_utc, start_date and end_date (RFC 5545 §3.6.1:
 * DTEND exclusive). Returns 0, or -EINVAL with *err filled (ev may then
 * be partly changed). ev, ti, stored borrowed.
 */
int cal_event_place(struct db_event *ev, const struct cal_time_input *ti,
		    int creating, const struct db_event *stored,
		    struct cal_rule_error *err);

/*
 * The checks a whole event passes before it is stored: it lasts at most
 * CAL_EVENT_MAX_SECONDS; a series' UNTIL is rewritten into RFC 5545
 * §3.3.10's form (UTC for a zoned series, a DATE for an all-day one; the
 * only change made to ev->rrule, which ev keeps owning); the series
 * yields 1 to CAL_RECUR_MAX_OCCURRENCES occurrences by 2200 or is
 * open-ended with a first one (calendar/rrule_budget.h); and a series
 * without RDATEs starts on its own first occurrence (§3.8.5.3, code
 * "start_not_in_rule"). Returns 0, or -EINVAL with *err filled.
 */
int cal_event_check(struct db_event *ev, struct cal_rule_error *err);

/*
 * 1 when changed differs from stored in a way attendees must see, so its
 * SEQUENCE grows (RFC 5545 §3.8.7.4): start, end, all-day, TZID, title,
 * venue, status, RRULE, or any EXDATE, RDATE or override (an override's
 * description alone is not significant). 0 otherwise: kind, description,
 * URL, carrier, capacity, GEO or partner regions alone. Both borrowed.
 */
int cal_event_significant_change(const struct db_event *changed,
				 const struct db_event *stored);

/* 1 when changed differs from stored in any stored field a writer sets
 * (then a write is recorded), 0 when a write would change nothing. Both
 * borrowed. */
int cal_event_any_change(const struct db_event *changed,
			 const struct db_event *stored);

/* The SEQUENCE changed takes when it replaces stored: stored->sequence,
 * plus one on a significant change (RFC 5545 §3.8.7.4). */
int64_t cal_event_next_sequence(const struct db_event *changed,
				const struct db_event *stored);

/*
 * Replace dst's EXDATEs, RDATEs and overrides with copies of src's (a PUT
 * keeps them: they are not fields of the representation); dst takes
 * src's tzid_source while dst's TZID is "UTC", else none. 0, or -ENOMEM
 * (dst unchanged). src borrowed.
 */
int cal_event_copy_exceptions(struct db_event *dst,
			      const struct db_event *src);

/*
 * Move ev's EXDATEs, RDATEs and the RECURRENCE-IDs of its overrides by
 * delta seconds (an override that kept its original time moves too).
 */
void cal_event_shift_exceptions(struct db_event *ev, int64_t delta);

/* Drop EXDATEs and overrides that no longer name an occurrence of ev's
 * RRULE (all of them when ev has no RRULE), as calendar clients do. */
void cal_event_prune_exceptions(struct db_event *ev);

/*
 * After a change of a series (ev, from stored): when both have an RRULE
 * and the start moved, shift the exceptions along with it; then prune
 * those that no longer name an occurrence. stored borrowed.
 */
void cal_event_keep_exceptions(struct db_event *ev,
			       const struct db_event *stored);

/*
 * Read the RECURRENCE-ID a path names for series ev: RFC 3339
 * ("2025-02-13T14:00:00+08:00"), RFC 5545 UTC ("20250213T060000Z") or,
 * as a date "2025-02-13", local midnight in ev's TZID. *t in seconds UTC.
 * 0 or -EINVAL.
 */
int cal_event_parse_recurrence_id(const struct db_event *ev, const char *s,
				  int64_t *t);

/*
 * Whether t (seconds UTC) names a live occurrence of ev: 0 when ev is a
 * series (RRULE) with an occurrence starting at t that is not cancelled;
 * -EALREADY when that occurrence is cancelled (an EXDATE); -ENOENT when ev
 * is no series or t is not one of its occurrences (an override or a
 * cancellation there is refused).
 */
int cal_event_find_occurrence(const struct db_event *ev, int64_t t);

/* 1 when t (seconds UTC) is one of ev's EXDATEs. */
int cal_event_has_exdate(const struct db_event *ev, int64_t t);

/*
 * The override of ev for the occurrence at t (seconds UTC), added with
 * the occurrence's times and no changed field when absent. Borrowed from
 * ev (valid until ev's overrides change); NULL when out of memory.
 */
struct db_override *cal_event_override_for(struct db_event *ev, int64_t t);

/* Cancel ev's occurrence at t: drop its override and add an EXDATE.
 * 0 or -ENOMEM. */
int cal_event_cancel_occurrence(struct db_event *ev, int64_t t);

/*
 * Check override o of series ev after a change: both instants within
 * cal_event_instant_ok(), end after start. Fields are named as an
 * occurrence's JSON names them (start/end, start_date/end_date for an
 * all-day series). 0, or -EINVAL with *err filled.
 */
int cal_override_check(const struct db_event *ev, const struct db_override *o,
		       struct cal_rule_error *err);

#endif
