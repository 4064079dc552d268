/*
 * h_occurrences.c: one occurrence of a series — PATCH
 * /api/v1/events/{id}/occurrences/{recurrence-id} (a RECURRENCE-ID
 * override, RFC 5545 §3.8.4.4), POST .../cancel (an EXDATE, §3.8.5.1) —
 * and the expanded list (GET /api/v1/events?expand=true). The rules are
 * calendar/event_rules.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/event_rules.h"
#include "../calendar/recur.h"
#include "../calendar/types.h"
#include "event_json.h"
#include "event_view.h"
#include "h_events.h"
#include "report.h"
#include "svc.h"
#include "svc_admin.h"

/* ---- the expanded list ---- */

static int
by_instance_start(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t p = json_integer_value(json_object_get(x, "_start")),
		   q = json_integer_value(json_object_get(y, "_start"));

	return p < q ? -1 : p > q;
}

/* The item for instance in of series ev: the series' representation with
 * the occurrence's times, status and changed fields, and its
 * recurrence_id; "_start" holds its start for sorting. NULL on OOM. */
static json_t *
instance_json(const struct db_event *ev, const struct cal_instance *in)
{
	const struct db_override *ov = in->override;
	json_t *o = svc_event_json(ev);

	if (!o)
		return NULL;
	json_object_set_new(o, "recurrence_id", ev->rrule ?
			    svc_event_instant_json(ev, in->recurrence_utc) :
			    json_null());
	json_object_set_new(o, ev->all_day ? "start_date" : "start",
			    svc_event_instant_json(ev, in->start_utc));
	json_object_set_new(o, ev->all_day ? "end_date" : "end",
			    svc_event_instant_json(ev, in->end_utc));
	json_object_set_new(o, "status", json_string(in->status));
	json_object_set_new(o, "recorded_late", json_boolean(
			    cal_recorded_late_month(ev->placed_utc,
						    in->start_utc)));
	if (ov && ov->title)
		json_object_set_new(o, "title", json_string(ov->title));
	if (ov && ov->venue)
		json_object_set_new(o, "venue", json_string(ov->venue));
	if (ov && ov->description)
		json_object_set_new(o, "description",
				    json_string(ov->description));
	json_object_del(o, "exdates");
	json_object_del(o, "overrides");
	json_object_del(o, "rdates");
	json_object_set_new(o, "_start", json_integer(in->start_utc));
	return o;
}

/* A growable array of items. */
struct items {
	json_t **v;
	size_t n;
	size_t cap;
};

static int
items_add(struct items *it, json_t *o)
{
	if (o && it->n == it->cap) {
		size_t nc = it->cap ? it->cap * 2 : 64;
		json_t **nv = realloc(it->v, nc * sizeof(*nv));

		if (nv) {
			it->v = nv;
			it->cap = nc;
		}
	}
	if (!o || it->n == it->cap) {
		json_decref(o);
		return -ENOMEM;
	}
	it->v[it->n++] = o;
	return 0;
}

/* Add the visible instances of ev in f's window to it. 0 or -ENOMEM. */
static int
add_instances(struct items *it, const struct db_event *ev,
	      const struct db_event_filter *f, const struct svc_auth *auth)
{
	struct cal_instance *in = NULL;
	size_t m = 0, k;
	int rc = 0;

	if (cal_event_instances(ev, f->from_utc, f->to_utc, SVC_EXPAND_MAX,
				&in, &m) != 0)
		return 0;
	for (k = 0; k < m && rc == 0; k++) {
		if (!svc_auth_sees_tentative(auth, ev->carrier) &&
		    cal_event_status_is(in[k].status, CAL_STATUS_TENTATIVE))
			continue;
		rc = items_add(it, instance_json(ev, &in[k]));
	}
	free(in);
	return rc;
}

enum MHD_Result
svc_occurrences_list(struct svc_request *req, struct db_event_filter *f,
		     size_t limit, const struct svc_auth *auth)
{
	struct db_event_list list = { 0 };
	struct items it = { 0 };
	json_t *items, *body;
	int rc, truncated = 0;
	size_t i;

	rc = db_event_list(req->svc->db, f, &list);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the event list");
	for (i = 0; i < list.n && rc == 0; i++)
		rc = add_instances(&it, &list.items[i], f, auth);
	db_event_list_free(&list);
	if (rc == 0 && it.n > 1)
		qsort(it.v, it.n, sizeof(*it.v), by_instance_start);
	items = rc == 0 ? json_array() : NULL;
	for (i = 0; i < it.n; i++) {
		json_object_del(it.v[i], "_start");
		if (items && i < limit)
			json_array_append(items, it.v[i]);
		else if (i >= limit)
			truncated = 1;
		json_decref(it.v[i]);
	}
	free(it.v);
	if (!items)
		return svc_respond_errno(req, -ENOMEM, "");
	body = json_pack("{s:o, s:n, s:b}", "items", items, "next_cursor",
			 "truncated", truncated);
	return svc_respond_json(req, 200, body);
}

/* ---- one occurrence ---- */

static enum MHD_Result
no_occurrence(struct svc_request *req)
{
	return svc_problem(req, SVC_PROB_NOT_FOUND, "the series has no"
			   " occurrence starting then (give the original start"
			   " as RFC 3339, e.g. 2025-02-13T14:00:00+08:00)",
			   NULL);
}

/* Apply the PATCH body to ev's occurrence at t, answering 400 on bad
 * fields: 0, or -1 with *ret set. */
static int
override_occurrence(struct svc_request *req, struct db_event *ev,
		    int64_t t, enum MHD_Result *ret)
{
	struct db_override *o;
	json_t *obj, *errors = NULL;
	int rc = -1;

	if (!(obj = svc_event_body(req, ret)))
		return -1;
	errors = json_array();
	o = errors ? cal_event_override_for(ev, t) : NULL;
	if (!o) {
		*ret = svc_respond_errno(req, -ENOMEM, "");
		goto out;
	}
	svc_override_apply_json(obj, ev, o, errors);
	if (json_array_size(errors)) {
		*ret = svc_problem_titled(req, SVC_PROB_VALIDATION,
					  "Invalid occurrence", "see errors",
					  errors);
		errors = NULL;
		goto out;
	}
	rc = svc_event_carrier_closed(req, ev, ret) ? -1 : 0;
out:
	json_decref(errors);
	json_decref(obj);
	return rc;
}

static enum MHD_Result
occurrence_change(struct svc_request *req, int cancel)
{
	struct db_event stored, ev;
	enum MHD_Result ret;
	int64_t t = 0;
	int found;

	memset(&ev, 0, sizeof(ev));
	if (svc_event_load_for_write(req, &stored, &ret) != 0)
		return ret;
	found = cal_event_parse_recurrence_id(&stored, req->params[1], &t)
		== 0 ? cal_event_find_occurrence(&stored, t) : -ENOENT;
	if (cancel && found == -EALREADY) {
		/* cancelled before: nothing to do */
		ret = svc_event_respond(req, 200, stored.id);
		goto out;
	}
	if (found != 0) {
		ret = no_occurrence(req);
		goto out;
	}
	if (db_event_copy(&ev, &stored) != 0 ||
	    (cancel && cal_event_cancel_occurrence(&ev, t) != 0)) {
		ret = svc_respond_errno(req, -ENOMEM, "");
		goto out;
	}
	if (cancel || override_occurrence(req, &ev, t, &ret) == 0)
		ret = svc_event_save(req, &ev, &stored);
out:
	db_event_release(&ev);
	db_event_release(&stored);
	return ret;
}

enum MHD_Result
svc_h_occurrence_patch(struct svc_request *req)
{
	return occurrence_change(req, 0);
}

enum MHD_Result
svc_h_occurrence_cancel(struct svc_request *req)
{
	return occurrence_change(req, 1);
}
