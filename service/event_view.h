/*
 * event_view: the JSON representation of an event that the API answers
 * (DESIGN.md "JSON event fields"); the other direction is event_json.h.
 */
#ifndef ROADSHOWD_EVENT_VIEW_H
#define ROADSHOWD_EVENT_VIEW_H

#include <jansson.h>
#include <stdint.h>

#include "../db/db.h"

/*
 * The representation of ev: every field of DESIGN.md's list, plus
 * kind_name, carrier_name, revision, created/updated (RFC 3339 UTC),
 * recorded_late, capacity, geo; rdates and timezone_source when set;
 * exdates and overrides for a series (RRULE or RDATEs).
 * Instants are RFC 3339 in the event's zone, dates for all-day events.
 * New reference (caller json_decref()s), NULL when out of memory. ev
 * borrowed.
 */
json_t *svc_event_json(const struct db_event *ev);

/* svc_event_json() for readers who may not see TENTATIVE events: a
 * series' TENTATIVE overrides are left out, as in the public feeds. New
 * reference or NULL (out of memory). */
json_t *svc_event_public_json(const struct db_event *ev);

/* Instant t (seconds UTC) of ev as JSON: a date YYYY-MM-DD in ev's zone
 * for an all-day event, else RFC 3339 with ev's offset; JSON null when
 * it cannot be formatted. New reference. */
json_t *svc_event_instant_json(const struct db_event *ev, int64_t t);

#endif
