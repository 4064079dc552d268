/*
 * h_events.h: what the event handlers (h_events.c) share with the
 * occurrence handlers (h_occurrences.c). Private to those two files.
 */
#ifndef ROADSHOWD_H_EVENTS_H
#define ROADSHOWD_H_EVENTS_H

#include "svc.h"

/* Most instances one expanded list returns. */
#define SVC_EXPAND_MAX 2000

/*
 * The request body as one JSON object, read by svc_body_read() (body.h;
 * duplicate keys refused) without a field table: the members are
 * event_json.c's to check. The media type was checked by the route's row
 * (router.c). Returns a new reference (caller json_decref()s); NULL after
 * answering 400 invalid-json naming the field "body" (code bad_json) into
 * *ret.
 */
json_t *svc_event_body(struct svc_request *req, enum MHD_Result *ret);

/*
 * Load the event named by the path (req->params[0]) for a write by the
 * caller the router put in req->auth (the route's row needs one, so a
 * request without credentials never gets here): answers 403 (another
 * carrier's event), 404 (unknown, or another carrier's TENTATIVE one),
 * 400 (If-Match not a list of entity-tags) or 412 (stale If-Match,
 * svc_if_match(), RFC 9110 §13.1.1) into *ret and returns -1; on 0,
 * *stored is filled (release with db_event_release()).
 */
int svc_event_load_for_write(struct svc_request *req, struct db_event *stored,
			     enum MHD_Result *ret);

/*
 * Store ev, a changed copy of stored, as the actor of req->auth and
 * answer 200 with the event: nothing is written when nothing changed;
 * SEQUENCE follows cal_event_next_sequence() (RFC 5545 §3.8.7.4); the
 * write is guarded by stored's revision (412 when another write came
 * first). All borrowed.
 */
enum MHD_Result svc_event_save(struct svc_request *req, struct db_event *ev,
			       const struct db_event *stored);

/* Answer status with event id's representation and its ETag "r<rev>". */
enum MHD_Result svc_event_respond(struct svc_request *req,
				  unsigned int status, int64_t id);

/*
 * Answer the list ?expand=true: the occurrences of f's events in f's
 * window (f->from_utc, f->to_utc), one item each, ascending by start, at
 * most limit, with "truncated" when more were found; TENTATIVE ones only
 * for auth's carriers (h_occurrences.c). f and auth borrowed.
 */
enum MHD_Result svc_occurrences_list(struct svc_request *req,
				     struct db_event_filter *f, size_t limit,
				     const struct svc_auth *auth);

#endif
