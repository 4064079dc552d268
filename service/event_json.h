/*
 * event_json: a JSON request body (DESIGN.md "JSON event fields") mapped
 * onto a struct db_event field by field (the representation the API
 * answers is event_view.h's). Field errors are appended
 * to a jansson array with svc_problem_add() (field, code, detail), the
 * form svc_problem_fields() sends. The domain rules the mapping applies
 * (limits, times, series checks) are calendar/event_rules.h's.
 */
#ifndef ROADSHOWD_EVENT_JSON_H
#define ROADSHOWD_EVENT_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../db/db.h"

struct svc;

/*
 * Fill ev (zeroed first) with a new event's defaults: a random UID
 * "<32 hex>@roadshowd" (from now_utc, seconds, when no randomness is
 * available), TZID Asia/Shanghai, status CONFIRMED. 0 or -ENOMEM; in both
 * cases release ev with db_event_release().
 */
int svc_event_defaults(struct db_event *ev, int64_t now_utc);

/* How a body applies to an event. */
enum svc_event_write {
	SVC_EVENT_CREATE,	/* POST: uid writable; kind, title, start
				 * (or start_date) required */
	SVC_EVENT_REPLACE,	/* PUT: as create, but id and uid may be
				 * echoed when equal to the stored ones and
				 * the other read-only fields are ignored */
	SVC_EVENT_PATCH,	/* PATCH (merge): only the fields given */
};

/*
 * Apply the fields of obj (a JSON object, borrowed) onto ev: the defaults
 * for CREATE and REPLACE, a copy of stored for PATCH. stored (borrowed)
 * is the event before the change, NULL for CREATE. db (borrowed) checks
 * that carrier and partner regions exist. Each wrong field adds one entry
 * to errors (field names as in the body: an unknown field "is not a field
 * of an event", a read-only one "is read-only", a wrong type "must be a
 * string", a title over CAL_EVENT_MAX_TITLE octets "is N octets; at most
 * 1000"); then the times are placed (cal_event_place()) when the fields
 * had no error. ev is changed only by valid fields; it keeps owning its
 * strings.
 */
void svc_event_apply_json(struct db *db, json_t *obj,
			  enum svc_event_write how,
			  const struct db_event *stored, struct db_event *ev,
			  json_t *errors);

/* cal_event_check() on ev when errors is still empty, its error appended
 * to errors. */
void svc_event_check_json(struct db_event *ev, json_t *errors);

/*
 * Apply obj (borrowed) to override o of series ev (both borrowed; o is
 * one of ev's overrides): title, venue, description, status, and start/end
 * (start_date/end_date for an all-day series; a moved start keeps the
 * duration unless the end is given); then cal_override_check(). Unknown
 * fields and wrong values add entries to errors.
 */
void svc_override_apply_json(json_t *obj, const struct db_event *ev,
			     struct db_override *o, json_t *errors);

/*
 * The checks a POSTed JSON event body goes through, without HTTP (for the
 * fuzzer, tests/fuzz/fuzz_json_body.c): parse body (len octets) as
 * POST /api/v1/events does and apply it onto a new event (svc->db checks
 * carriers, svc->clock seeds a UID). Returns the number of field errors
 * (0: ev is filled; release it with db_event_release()), or -1 when the
 * body is not a JSON object or memory ran out (ev released).
 */
int svc_event_parse_for_create(struct svc *svc, const char *body, size_t len,
			       struct db_event *ev);

#endif
