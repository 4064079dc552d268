/*
 * h_audit.c: reading the trails.
 *
 *   GET /api/v1/audit[?object_type=&object_id=&actor=&limit=&cursor=]
 *       admins; newest first, `limit` 1..500 (default 100), `next_cursor`
 *       while more rows exist
 *   GET /api/v1/events/{id}/history
 *       admins, or an organiser of the event's carrier; every change of
 *       the event, oldest first, with before/after (also after a delete)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "../calendar/types.h"
#include "../db/admin_store.h"
#include "svc_admin.h"

#define AUDIT_LIMIT_DEFAULT 100
#define AUDIT_LIMIT_MAX 500

/* Stored JSON text as a value (null for NULL; the text itself if it does
 * not parse, which our own writers never produce). New reference. */
static json_t *
stored_json(const char *text)
{
	json_error_t jerr;
	json_t *v;

	if (!text)
		return json_null();
	v = json_loads(text, JSON_DECODE_ANY, &jerr);
	return v ? v : json_string(text);
}

static int
parse_positive(const char *s, long long max, long long *out)
{
	char *end;
	long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	v = strtoll(s, &end, 10);
	if (*end || v < 1 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

enum MHD_Result
svc_h_audit(struct svc_request *req)
{
	struct db_audit_filter f;
	struct db_audit_row *rows = NULL;
	const char *limit_s = svc_query(req, "limit"),
		   *cursor_s = svc_query(req, "cursor");
	json_t *errors, *items, *body;
	long long v;
	size_t n = 0, i;
	int rc;

	memset(&f, 0, sizeof(f));
	f.object_type = svc_query(req, "object_type");
	f.object_id = svc_query(req, "object_id");
	f.actor = svc_query(req, "actor");
	f.limit = AUDIT_LIMIT_DEFAULT;
	errors = json_array();
	if (limit_s) {
		if (parse_positive(limit_s, AUDIT_LIMIT_MAX, &v) != 0)
			svc_problem_add(errors, "limit", "must be an integer"
					" from 1 to %d", AUDIT_LIMIT_MAX);
		else
			f.limit = (int)v;
	}
	if (cursor_s) {
		if (parse_positive(cursor_s, INT64_MAX, &v) != 0)
			svc_problem_add(errors, "cursor", "must be a"
					" next_cursor from an earlier page");
		else
			f.before_id = v;
	}
	if (json_array_size(errors))
		return svc_problem_fields(req, SVC_PROB_INVALID_QUERY, NULL,
					  errors);
	json_decref(errors);
	f.limit++;		/* one more tells whether a next page exists */
	rc = db_audit_list(req->svc->db, &f, &rows, &n);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the audit trail");
	items = json_array();
	for (i = 0; items && i < n && i < (size_t)f.limit - 1; i++) {
		char at[32];

		cal_time_format_rfc3339(rows[i].at_utc, "UTC", at);
		json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s,"
				      " s:s, s:s, s:o, s:o}", "id",
				      (json_int_t)rows[i].id, "at", at,
				      "actor", rows[i].actor, "object_type",
				      rows[i].object_type, "object_id",
				      rows[i].object_id, "action",
				      rows[i].action, "before",
				      stored_json(rows[i].before_json),
				      "after",
				      stored_json(rows[i].after_json)));
	}
	body = json_pack("{s:o?}", "items", items);
	if (body && n == (size_t)f.limit) {
		char next[24];

		snprintf(next, sizeof(next), "%lld",
			 (long long)rows[n - 2].id);
		json_object_set_new(body, "next_cursor", json_string(next));
	} else if (body) {
		json_object_set_new(body, "next_cursor", json_null());
	}
	db_audit_rows_free(rows, n);
	return svc_respond_json(req, 200, body);
}

/* The host carrier slug of the event as its history last saw it (the
 * latest snapshot), or NULL for the district. Borrowed from snap. */
static const char *
snapshot_carrier(json_t *snap)
{
	return json_string_value(json_object_get(snap, "carrier"));
}

enum MHD_Result
svc_h_event_history(struct svc_request *req)
{
	struct db_history_row *rows = NULL;
	const struct svc_auth *auth = &req->auth;
	json_t *items = NULL, *last = NULL;
	enum MHD_Result ret;
	long long id;
	size_t n = 0, i;
	int rc;

	rc = 0;
	if (parse_positive(req->params[0], INT64_MAX, &id) != 0 ||
	    (rc = db_event_history_list(req->svc->db, id, &rows, &n)) != 0 ||
	    n == 0)
		return svc_respond_errno(req, rc ? rc : -ENOENT, "the event");
	/* An organiser reads the history of its own carrier's events: the
	 * carrier of the latest state (after, or before for a delete). */
	last = stored_json(rows[n - 1].after_json ? rows[n - 1].after_json
			   : rows[n - 1].before_json);
	if (!auth->admin && !auth->viewer &&
	    !svc_auth_holds(auth, snapshot_carrier(last)) &&
	    cal_event_status_is(json_string_value(json_object_get(last,
			"status")), CAL_STATUS_TENTATIVE)) {
		/* another carrier's TENTATIVE event is not even seen (as
		 * GET /api/v1/events/{id} answers) */
		ret = svc_respond_errno(req, -ENOENT, "the event");
		goto out;
	}
	if (!auth->admin && !auth->viewer &&
	    !svc_auth_holds(auth, snapshot_carrier(last))) {
		ret = svc_problem(req, SVC_PROB_WRONG_CARRIER, "an event's"
				  " history is read by admins, viewers and the"
				  " organisers of its carrier", NULL);
		goto out;
	}
	items = json_array();
	for (i = 0; items && i < n; i++) {
		char at[32];

		cal_time_format_rfc3339(rows[i].at_utc, "UTC", at);
		json_array_append_new(items, json_pack("{s:I, s:I, s:s, s:s,"
				      " s:s, s:s, s:o, s:o}", "id",
				      (json_int_t)rows[i].id, "event_id",
				      (json_int_t)rows[i].event_id, "uid",
				      rows[i].uid, "action", rows[i].action,
				      "actor", rows[i].actor, "at", at,
				      "before",
				      stored_json(rows[i].before_json),
				      "after",
				      stored_json(rows[i].after_json)));
	}
	ret = svc_respond_json(req, 200, json_pack("{s:o?}", "items", items));
out:
	json_decref(last);
	db_history_rows_free(rows, n);
	return ret;
}
