/*
 * h_events.c: /api/v1/events — list, get, create, patch, put, cancel,
 * delete. The JSON mapping is event_json.c's, the rules (times, series,
 * SEQUENCE) calendar/event_rules.c's; a handler here parses, authorises,
 * calls them and the store, and answers. Nothing is stored unless every
 * field is valid.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "../calendar/event_rules.h"
#include "../calendar/kind.h"
#include "../calendar/recur.h"
#include "../calendar/types.h"
#include "body.h"
#include "event_json.h"
#include "event_view.h"
#include "h_events.h"
#include "http_cond.h"
#include "svc.h"
#include "svc_admin.h"

#define LIST_DEFAULT 100
#define LIST_MAX 500

/* ---- shared steps ---- */

json_t *
svc_event_body(struct svc_request *req, enum MHD_Result *ret)
{
	json_t *obj = NULL, *errors = json_array();
	char detail[300];

	if (!errors) {
		*ret = svc_respond_errno(req, -ENOMEM, "");
		return NULL;
	}
	/* the media type was checked by the route's row (router.c) */
	if (svc_body_read(req->body, req->body_len, "an event", NULL, NULL,
			  errors, &obj) == 0) {
		json_decref(errors);
		return obj;
	}
	snprintf(detail, sizeof(detail), "%s", !req->body ||
		 req->body_len == 0 ? "empty body" :
		 json_string_value(json_object_get(json_array_get(errors, 0),
						   "detail")));
	*ret = svc_problem(req, SVC_PROB_INVALID_JSON, detail, errors);
	return NULL;
}

static enum MHD_Result
invalid(struct svc_request *req, json_t *errors)
{
	return svc_problem_fields(req, SVC_PROB_VALIDATION, "Invalid event",
				  errors);
}

static enum MHD_Result
forbidden_carrier(struct svc_request *req, const struct svc_auth *auth,
		  const char *carrier)
{
	char detail[256], held[160] = "";
	json_t *errors = json_array();
	size_t i;

	for (i = 0; i < auth->n_carriers; i++)
		snprintf(held + strlen(held), sizeof(held) - strlen(held),
			 "%s'%s'", i ? ", " : "", auth->carriers[i]);
	if (auth->viewer)
		snprintf(detail, sizeof(detail), "a viewer may not write"
			 " events");
	else
		snprintf(detail, sizeof(detail), "this %s may write only"
			 " events of carrier%s %s, not '%s'", auth->session ?
			 "account" : "token", auth->n_carriers > 1 ? "s" : "",
			 held, carrier ? carrier : "the district");
	svc_problem_addc(errors, "carrier", "not_your_carrier", "%s", detail);
	return svc_problem(req, SVC_PROB_WRONG_CARRIER, detail, errors);
}

static int
parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0)
		return -EINVAL;
	*id = v;
	return 0;
}

/* A list cursor "<start_utc>.<id>" (the last item of the previous page). */
static int
parse_cursor(const char *s, int64_t *start, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end != '.')
		return -EINVAL;
	*start = v;
	return parse_id(end + 1, id);
}

static void
etag_of_event(const struct db_event *ev, char out[40])
{
	snprintf(out, 40, "\"r%" PRId64 "\"", ev->revision);
}

enum MHD_Result
svc_event_respond(struct svc_request *req, unsigned int status, int64_t id)
{
	struct db_event ev;
	enum MHD_Result ret;
	char etag[40];
	int rc = db_event_get(req->svc->db, id, &ev);

	if (rc != 0)
		return svc_respond_errno(req, rc, "the event");
	etag_of_event(&ev, etag);
	ret = svc_respond_json_etag(req, status, svc_event_json(&ev), etag);
	db_event_release(&ev);
	return ret;
}

/* 403, or 404 for another carrier's TENTATIVE event (not even seen). */
static enum MHD_Result
not_yours(struct svc_request *req, const struct svc_auth *auth,
	  const struct db_event *stored)
{
	if (!svc_auth_sees_tentative(auth, stored->carrier) &&
	    cal_event_status_is(stored->status, CAL_STATUS_TENTATIVE))
		return svc_respond_errno(req, -ENOENT, "the event");
	return forbidden_carrier(req, auth, stored->carrier);
}

int
svc_event_load_for_write(struct svc_request *req, struct db_event *stored,
			 enum MHD_Result *ret)
{
	const struct svc_auth *auth = &req->auth;	/* the router's */
	char etag[40];
	int64_t id;
	int rc;

	memset(stored, 0, sizeof(*stored));
	if (parse_id(req->params[0], &id) != 0) {
		*ret = svc_respond_errno(req, -ENOENT, "the event");
		return -1;
	}
	rc = db_event_get(req->svc->db, id, stored);
	if (rc != 0) {
		*ret = svc_respond_errno(req, rc, "the event");
		goto fail;
	}
	if (!svc_auth_may_write(auth, stored->carrier)) {
		*ret = not_yours(req, auth, stored);
		goto fail;
	}
	etag_of_event(stored, etag);
	rc = svc_if_match(svc_header(req, MHD_HTTP_HEADER_IF_MATCH), etag);
	if (rc == -EINVAL) {
		*ret = svc_problem(req, SVC_PROB_INVALID_REQUEST, "If-Match"
				   " must list quoted ETags of this event, e.g."
				   " \"r3\"", NULL);
		goto fail;
	}
	if (rc == -ESTALE) {
		*ret = svc_respond_errno(req, -ESTALE, "the event");
		goto fail;
	}
	return 0;
fail:
	db_event_release(stored);
	return -1;
}

enum MHD_Result
svc_event_save(struct svc_request *req, struct db_event *ev,
	       const struct db_event *stored)
{
	int rc;

	if (!cal_event_any_change(ev, stored))
		return svc_event_respond(req, 200, stored->id);
	ev->sequence = cal_event_next_sequence(ev, stored);
	rc = db_event_update(req->svc->db, ev, stored->revision,
			     req->auth.actor, req->svc->clock());
	if (rc != 0)
		return svc_respond_errno(req, rc, "the event");
	return svc_event_respond(req, 200, stored->id);
}

/* Replace *slot with a copy of val; 0 or -ENOMEM. */
static int
set_copy(char **slot, const char *val)
{
	char *c = strdup(val);

	if (!c)
		return -ENOMEM;
	free(*slot);
	*slot = c;
	return 0;
}

/*
 * The carrier a new event of an organiser takes when the body names none:
 * its only carrier. 0; -EINVAL (several: the error added); -ENOMEM.
 */
static int
default_carrier(const struct svc_auth *auth, json_t *obj,
		struct db_event *ev, json_t *errors)
{
	const char *only;

	if (auth->admin || auth->viewer || json_object_get(obj, "carrier"))
		return 0;
	only = svc_auth_default_carrier(auth);
	if (!only) {
		svc_problem_addc(errors, "carrier", "required", "is required:"
				 " this account holds several carriers");
		return -EINVAL;
	}
	return set_copy(&ev->carrier, only);
}

static enum MHD_Result
insert_event(struct svc_request *req, const struct svc_auth *auth,
	     const struct db_event *ev)
{
	int64_t id = 0;
	json_t *e;
	int rc;

	rc = db_event_insert(req->svc->db, ev, auth->actor,
			     req->svc->clock(), &id);
	if (rc == -EEXIST) {
		e = json_array();
		svc_problem_add(e, "uid", "an event with UID '%s' exists",
				ev->uid);
		return svc_problem(req, SVC_PROB_CONFLICT, "an event with this"
				   " UID exists", e);
	}
	if (rc != 0)
		return svc_respond_errno(req, rc, "the event");
	return svc_event_respond(req, 201, id);
}

/* ---- handlers ---- */

enum MHD_Result
svc_h_events_create(struct svc_request *req)
{
	struct svc *svc = req->svc;
	const struct svc_auth *auth = &req->auth;	/* the router's */
	struct db_event ev;
	json_t *obj, *errors = NULL;
	enum MHD_Result ret;
	int rc;

	memset(&ev, 0, sizeof(ev));
	if (!(obj = svc_event_body(req, &ret)))
		goto out;
	errors = json_array();
	if (svc_event_defaults(&ev, svc->clock()) != 0 || !errors) {
		ret = svc_respond_errno(req, -ENOMEM, "");
		goto out;
	}
	svc_event_apply_json(svc->db, obj, SVC_EVENT_CREATE, NULL, &ev,
			     errors);
	svc_event_check_json(&ev, errors);
	rc = json_array_size(errors) ? -EINVAL
				     : default_carrier(auth, obj, &ev, errors);
	if (rc == -EINVAL) {
		ret = invalid(req, errors);
		errors = NULL;
	} else if (rc != 0) {
		ret = svc_respond_errno(req, rc, "");
	} else if (!svc_auth_may_write(auth, ev.carrier)) {
		ret = forbidden_carrier(req, auth, ev.carrier);
	} else if (!svc_event_carrier_closed(req, &ev, &ret)) {
		ret = insert_event(req, auth, &ev);
	}
out:
	json_decref(errors);
	json_decref(obj);
	db_event_release(&ev);
	return ret;
}

/* The event a PUT starts from: defaults, the stored UID, and the stored
 * exceptions (cancelled and changed occurrences have their own endpoints:
 * a PUT keeps them). 0 or -ENOMEM. */
static int
replacement_base(struct svc *svc, const struct db_event *stored,
		 struct db_event *ev)
{
	int rc = svc_event_defaults(ev, svc->clock());

	if (rc == 0)
		rc = set_copy(&ev->uid, stored->uid);
	if (rc == 0)
		rc = cal_event_copy_exceptions(ev, stored);
	return rc;
}

/* Apply a PATCH (merge) or PUT (replace) body to stored into ev: 0, or
 * -EINVAL with errors filled, or -ENOMEM. */
static int
changed_event(struct svc_request *req, const struct svc_auth *auth,
	      json_t *obj, int replace, const struct db_event *stored,
	      struct db_event *ev, json_t *errors)
{
	int rc = replace ? replacement_base(req->svc, stored, ev)
			 : db_event_copy(ev, stored);

	if (rc != 0)
		return -ENOMEM;
	ev->id = stored->id;
	svc_event_apply_json(req->svc->db, obj, replace ? SVC_EVENT_REPLACE
			     : SVC_EVENT_PATCH, stored, ev, errors);
	svc_event_check_json(ev, errors);
	if (json_array_size(errors))
		return -EINVAL;
	/* a PUT without carrier keeps the stored one for organisers */
	if (replace && !auth->admin && !json_object_get(obj, "carrier") &&
	    stored->carrier)
		return set_copy(&ev->carrier, stored->carrier);
	return 0;
}

/* Shared body of PATCH (merge) and PUT (replace). */
static enum MHD_Result
update_event(struct svc_request *req, int replace)
{
	const struct svc_auth *auth = &req->auth;	/* the router's */
	struct db_event stored, ev;
	json_t *obj = NULL, *errors = NULL;
	enum MHD_Result ret;
	int rc;

	memset(&ev, 0, sizeof(ev));
	if (svc_event_load_for_write(req, &stored, &ret) != 0)
		return ret;
	if (!(obj = svc_event_body(req, &ret)))
		goto out;
	errors = json_array();
	rc = errors ? changed_event(req, auth, obj, replace, &stored, &ev,
				    errors) : -ENOMEM;
	if (rc == -EINVAL) {
		ret = invalid(req, errors);
		errors = NULL;
	} else if (rc != 0) {
		ret = svc_respond_errno(req, -ENOMEM, "");
	} else if (!svc_auth_may_write(auth, ev.carrier)) {
		ret = forbidden_carrier(req, auth, ev.carrier);
	} else if (!svc_event_carrier_closed(req, &ev, &ret)) {
		cal_event_keep_exceptions(&ev, &stored);
		ret = svc_event_save(req, &ev, &stored);
	}
out:
	json_decref(errors);
	json_decref(obj);
	db_event_release(&ev);
	db_event_release(&stored);
	return ret;
}

enum MHD_Result
svc_h_event_patch(struct svc_request *req)
{
	return update_event(req, 0);
}

enum MHD_Result
svc_h_event_put(struct svc_request *req)
{
	return update_event(req, 1);
}

enum MHD_Result
svc_h_event_cancel(struct svc_request *req)
{
	struct db_event stored, ev;
	enum MHD_Result ret;

	if (svc_event_load_for_write(req, &stored, &ret) != 0)
		return ret;
	if (db_event_copy(&ev, &stored) != 0) {
		ret = svc_respond_errno(req, -ENOMEM, "");
		goto out;
	}
	ret = set_copy(&ev.status, cal_event_status_name(CAL_STATUS_CANCELLED))
	      == 0 ? svc_event_save(req, &ev, &stored)
		   : svc_respond_errno(req, -ENOMEM, "");
	db_event_release(&ev);
out:
	db_event_release(&stored);
	return ret;
}

enum MHD_Result
svc_h_event_delete(struct svc_request *req)
{
	struct db_event stored;
	enum MHD_Result ret;
	int rc;

	if (svc_event_load_for_write(req, &stored, &ret) != 0)
		return ret;
	if (!req->auth.admin) {
		ret = svc_problem(req, SVC_PROB_ADMIN_ONLY, "hard delete is for"
				  " admins; organisers cancel events (POST"
				  " /api/v1/events/{id}/cancel)", NULL);
		goto out;
	}
	rc = db_event_delete(req->svc->db, stored.id, req->auth.actor,
			     req->svc->clock());
	ret = rc ? svc_respond_errno(req, rc, "the event")
		 : svc_respond_text(req, 204, NULL, strdup(""), 0, NULL, 0, 0);
out:
	db_event_release(&stored);
	return ret;
}

enum MHD_Result
svc_h_event_get(struct svc_request *req)
{
	struct db_event ev;
	char etag[40];
	enum MHD_Result ret;
	int64_t id;
	int rc, public_view;

	if (parse_id(req->params[0], &id) != 0)
		return svc_respond_errno(req, -ENOENT, "the event");
	rc = db_event_get(req->svc->db, id, &ev);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the event");
	/* the router resolved the caller (route "optional") */
	public_view = !svc_auth_sees_tentative(&req->auth, ev.carrier);
	if (public_view &&
	    cal_event_status_is(ev.status, CAL_STATUS_TENTATIVE)) {
		db_event_release(&ev);
		return svc_respond_errno(req, -ENOENT, "the event");
	}
	etag_of_event(&ev, etag);
	ret = svc_respond_json_etag(req, 200, public_view ?
				    svc_event_public_json(&ev) :
				    svc_event_json(&ev), etag);
	db_event_release(&ev);
	return ret;
}

/* ---- the list ---- */

/* Check a slug-valued filter names a row; add an error otherwise. */
static void
check_filter(struct db *db, const char *name, const char *value,
	     json_t *errors)
{
	struct db_region r;
	struct db_carrier c;

	if (!value)
		return;
	if (strcmp(name, "kind") == 0) {
		if (!cal_kind_from_name(value))
			svc_problem_add(errors, name, "'%s' is not an event"
					" kind", value);
	} else if (strcmp(name, "status") == 0) {
		if (!cal_event_status_valid(value))
			svc_problem_add(errors, name, "'%s' is not a status",
					value);
	} else if (strcmp(name, "carrier") == 0) {
		if (strcmp(value, "-") == 0)
			return;
		if (db_carrier_get(db, value, &c) != 0)
			svc_problem_add(errors, name, "'%s' is not a known"
					" carrier", value);
		else
			db_carrier_release(&c);
	} else {
		if (db_region_get(db, value, &r) != 0) {
			svc_problem_add(errors, name, "'%s' is not a known"
					" region", value);
			return;
		}
		if ((strcmp(name, "partner") == 0) != r.partner)
			svc_problem_add(errors, name, "'%s' is %s", value,
					r.partner ? "a partner region (use"
					" partner=)" : "not a partner region");
		db_region_release(&r);
	}
}

int
svc_parse_event_filter(struct svc_request *req, struct db_event_filter *f,
		       json_t *errors)
{
	static const char *const slugs[] = {
		"region", "carrier", "partner", "status",
	};
	const char *from = svc_query(req, "from"), *to = svc_query(req, "to");
	size_t i;

	memset(f, 0, sizeof(*f));
	if (svc_query_kinds(req, req->filter_kinds, sizeof(req->filter_kinds),
			    errors) > 0)
		f->kind = req->filter_kinds;	/* "roadshow,salon": any */
	f->region = svc_query(req, "region");
	f->carrier = svc_query(req, "carrier");
	f->partner = svc_query(req, "partner");
	f->status = svc_query(req, "status");
	f->q = svc_query(req, "q");
	for (i = 0; i < sizeof(slugs) / sizeof(slugs[0]); i++)
		check_filter(req->db ? req->db : req->svc->db, slugs[i],
			     svc_query(req, slugs[i]), errors);
	if (f->q && strlen(f->q) > 200)
		svc_problem_add(errors, "q", "at most 200 octets");
	if (from || to) {
		f->has_window = 1;
		f->from_utc = INT64_MIN / 2;
		f->to_utc = INT64_MAX / 2;
		if (from && cal_time_parse_rfc3339(from, &f->from_utc))
			svc_problem_add(errors, "from", "must be RFC 3339 with"
					" offset");
		if (to && cal_time_parse_rfc3339(to, &f->to_utc))
			svc_problem_add(errors, "to", "must be RFC 3339 with"
					" offset");
		if (from && to && f->to_utc <= f->from_utc)
			svc_problem_add(errors, "to", "must be after from");
	}
	return json_array_size(errors) ? -EINVAL : 0;
}

/* The list's own parameters: limit, cursor, expand. */
struct list_query {
	long limit;
	int expand;
};

static void
parse_list_query(struct svc_request *req, struct db_event_filter *f,
		 struct list_query *lq, json_t *errors)
{
	const char *limit_s = svc_query(req, "limit");
	const char *cursor = svc_query(req, "cursor");
	const char *expand_s = svc_query(req, "expand");
	long max;
	char *end;

	svc_parse_event_filter(req, f, errors);
	lq->expand = expand_s && (!strcmp(expand_s, "true") ||
				  !strcmp(expand_s, "1"));
	lq->limit = lq->expand ? SVC_EXPAND_MAX : LIST_DEFAULT;
	max = lq->expand ? SVC_EXPAND_MAX : LIST_MAX;
	if (limit_s) {
		lq->limit = strtol(limit_s, &end, 10);
		if (*end || end == limit_s || lq->limit < 1 || lq->limit > max)
			svc_problem_add(errors, "limit", "must be 1 to %ld%s",
					max, lq->expand ? " when expanded"
					: "");
	}
	if (cursor && parse_cursor(cursor, &f->after_start_utc,
				   &f->after_id) != 0)
		svc_problem_add(errors, "cursor", "is not a cursor this server"
				" gave");
	if (expand_s && strcmp(expand_s, "true") && strcmp(expand_s, "1") &&
	    strcmp(expand_s, "false") && strcmp(expand_s, "0"))
		svc_problem_add(errors, "expand", "must be true or false");
	if (lq->expand && (!svc_query(req, "from") || !svc_query(req, "to")))
		svc_problem_add(errors, "expand", "needs a window: from and"
				" to");
	if (lq->expand && cursor)
		svc_problem_add(errors, "cursor", "does not apply to an"
				" expanded list");
}

/* One page of events (not expanded) as the list's body; NULL on OOM. */
static json_t *
page_json(const struct db_event_filter *f, const struct db_event_list *list,
	  size_t limit, const struct svc_auth *auth)
{
	json_t *items = json_array(), *body;
	size_t i;

	for (i = 0; items && i < list->n && i < limit; i++) {
		const struct db_event *ev = &list->items[i];
		struct cal_instance *in = NULL;
		size_t n = 1;

		/* A series overlaps the window only if an occurrence does
		 * (the query bounds it by its start alone). */
		if (f->has_window && ev->rrule &&
		    cal_event_instances(ev, f->from_utc, f->to_utc, 1, &in,
					&n) == 0) {
			free(in);
			if (n == 0)
				continue;
		}
		json_array_append_new(items, !svc_auth_sees_tentative(auth,
				      ev->carrier) ? svc_event_public_json(ev)
				      : svc_event_json(ev));
	}
	body = json_pack("{s:o?}", "items", items);
	if (body && list->n > limit) {
		char next[48];

		snprintf(next, sizeof(next), "%lld.%lld",
			 (long long)list->items[limit - 1].start_utc,
			 (long long)list->items[limit - 1].id);
		json_object_set_new(body, "next_cursor", json_string(next));
	} else if (body) {
		json_object_set_new(body, "next_cursor", json_null());
	}
	return body;
}

enum MHD_Result
svc_h_events_list(struct svc_request *req)
{
	struct db_event_filter f;
	struct db_event_list list = { 0 };
	struct list_query lq;
	const struct svc_auth *auth = &req->auth;	/* route "optional" */
	json_t *errors = json_array(), *body;
	int rc;

	if (!errors)
		return svc_respond_errno(req, -ENOMEM, "");
	parse_list_query(req, &f, &lq, errors);
	if (json_array_size(errors))
		return svc_problem_fields(req, SVC_PROB_INVALID_QUERY, NULL,
					  errors);
	json_decref(errors);
	/* organisers see TENTATIVE events of their own carriers only */
	f.exclude_tentative = !auth->present || (!auth->admin &&
						 !auth->viewer);
	f.tentative_carriers = (const char *const *)auth->carriers;
	f.n_tentative_carriers = auth->n_carriers;
	if (lq.expand)
		return svc_occurrences_list(req, &f, (size_t)lq.limit, auth);
	f.limit = (int)lq.limit + 1;	/* one more tells if a page follows */
	rc = db_event_list(req->svc->db, &f, &list);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the event list");
	body = page_json(&f, &list, (size_t)lq.limit, auth);
	db_event_list_free(&list);
	return svc_respond_json(req, 200, body);
}
