/*
 * types: the closed sets of the domain and their string forms, in one
 * place. Every other module compares enums; strings appear only at the
 * edges (JSON, iCalendar, SQL rows), converted here.
 *
 *   event status   TENTATIVE, CONFIRMED, CANCELLED (RFC 5545 §3.8.1.11)
 *   feed scope     regions, carriers, kinds, partners (/calendars/{scope}/)
 *   cadence period month, quarter, year
 *   rule scope     district, region, partner, carrier
 *   cadence status met, scheduled, at_risk, missed, open, untracked
 *   event kind     see kind.h (the kinds carry Chinese and English names)
 *
 * Every *_name() returns a static string; every *_parse() takes a
 * borrowed NUL-terminated string, returns 0 or -EINVAL (NULL or not a
 * member, exact case), and leaves *out unchanged on -EINVAL.
 */
#ifndef ROADSHOWD_TYPES_H
#define ROADSHOWD_TYPES_H

#include "kind.h"

/* An event's or an occurrence's STATUS (RFC 5545 §3.8.1.11, VEVENT). */
enum cal_event_status {
	CAL_STATUS_TENTATIVE,
	CAL_STATUS_CONFIRMED,
	CAL_STATUS_CANCELLED,
};

/* "TENTATIVE", "CONFIRMED", "CANCELLED"; "" for a value out of range. */
const char *cal_event_status_name(enum cal_event_status s);

/* The status spelled s (upper case, as stored and in the JSON API). */
int cal_event_status_parse(const char *s, enum cal_event_status *out);

/*
 * 1 when s (borrowed, may be NULL) spells status st, else 0. For the
 * stored strings of struct db_event and struct cal_occurrence.
 */
int cal_event_status_is(const char *s, enum cal_event_status st);

/* The families of per-scope feeds: GET /calendars/{scope}/{slug}.ics. */
enum cal_feed_scope {
	CAL_FEED_REGIONS,
	CAL_FEED_CARRIERS,
	CAL_FEED_KINDS,
	CAL_FEED_PARTNERS,
};

/* "regions", "carriers", "kinds", "partners"; "" when out of range. */
const char *cal_feed_scope_name(enum cal_feed_scope s);

/* The feed scope spelled s (the path segment). */
int cal_feed_scope_parse(const char *s, enum cal_feed_scope *out);

/* The period of a cadence rule (calendar periods in the district zone). */
enum cal_period_unit {
	CAL_PERIOD_MONTH,
	CAL_PERIOD_QUARTER,
	CAL_PERIOD_YEAR,
};

/* "month", "quarter", "year"; "" when out of range. */
const char *cal_period_unit_name(enum cal_period_unit u);

/* "month"/"quarter"/"year" -> unit. */
int cal_period_unit_parse(const char *s, enum cal_period_unit *out);

/* Months in one period of u: 1, 3 or 12; 0 when out of range. */
int cal_period_months(enum cal_period_unit u);

/*
 * The scope a cadence rule is judged per, also the kind of a report row's
 * scope. The order is the report's row order: the district, then
 * regions, partner regions, carriers.
 */
enum cal_scope_kind {
	CAL_SCOPE_KIND_DISTRICT,
	CAL_SCOPE_KIND_REGION,
	CAL_SCOPE_KIND_PARTNER,
	CAL_SCOPE_KIND_CARRIER,
};
#define CAL_SCOPE_KIND_N 4

/* "district", "region", "partner", "carrier" (a rule's `scope`, and the
 * prefix of a row label "region:SLUG"); "" when out of range. */
const char *cal_scope_kind_name(enum cal_scope_kind k);

/* The rule scope spelled s. */
int cal_scope_kind_parse(const char *s, enum cal_scope_kind *out);

/* Status of one cadence row (DESIGN.md "Cadence statuses"). */
enum cal_cadence_status {
	CAL_CADENCE_MET,
	CAL_CADENCE_SCHEDULED,
	CAL_CADENCE_AT_RISK,
	CAL_CADENCE_MISSED,
	CAL_CADENCE_OPEN,
	CAL_CADENCE_UNTRACKED,
};
#define CAL_CADENCE_N_STATUS 6

/* "met", "scheduled", "at_risk", "missed", "open", "untracked";
 * "unknown" when out of range. */
const char *cal_cadence_status_name(enum cal_cadence_status s);

/* The cadence status spelled s (as in the report JSON). */
int cal_cadence_status_parse(const char *s, enum cal_cadence_status *out);

#endif
