/*
 * h_cadence_cell.c: why a cadence cell has its colour — one rule, one
 * scope, one period, for the dashboard's panel.
 *
 *   GET /api/v1/cadence/cell?rule=ID&scope=SCOPE&period=PERIOD[&as_of=]
 *
 * SCOPE is district, region:SLUG, carrier:SLUG or partner:SLUG; PERIOD is
 * 2025-03, 2025-Q1 or 2025. The answer: the row (status, held, held_late,
 * scheduled, tentative, min, days_left while the period runs), the rule
 * version that judged it, the qualifying events (TENTATIVE ones only for
 * readers with a token; anonymous readers get their count), and the
 * cancelled ones with the date of cancelling (their last change; null for
 * one occurrence of a series cancelled by EXDATE, whose date is not kept).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "../calendar/types.h"
#include "report.h"
#include "svc.h"

static json_t *
occ_json(const struct cal_report *r, const struct cal_occurrence *oc,
	 const struct cal_cadence_row *row)
{
	const struct db_event *ev = cal_report_event(r, oc->event_id);
	char start[32], link[48];

	cal_time_format_rfc3339(oc->start_utc, CAL_DISTRICT_TZID, start);
	snprintf(link, sizeof(link), "/api/v1/events/%lld",
		 (long long)oc->event_id);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:s?, s:b, s:s,"
			 " s:s?}",
			 "id", (json_int_t)oc->event_id, "title", oc->title,
			 "kind", oc->kind, "start", start, "status",
			 oc->status, "carrier", oc->carrier, "carrier_name",
			 ev ? ev->carrier_name : NULL, "recorded_late",
			 cal_recorded_late(oc->placed_utc, row->end_utc),
			 "link", link, "url", ev ? ev->url : NULL);
}

/* The answer for row of r. New reference or NULL. */
static json_t *
cell_json(const struct cal_report *r, const struct cal_cadence_row *row,
	  int public_view)
{
	const struct db_rule *rule = cal_report_rule(r, row);
	json_t *o, *evs = json_array(), *cancelled = json_array();
	char start[32], end[32], as_of[32], since[11], when[32];
	struct cal_cancelled *cx = NULL;
	int64_t hidden = 0;
	size_t i, n_cx = 0;

	if (!evs || !cancelled || !rule) {
		json_decref(evs);
		json_decref(cancelled);
		return NULL;
	}
	for (i = 0; i < row->n_events; i++) {
		const struct cal_occurrence *oc = &r->occ[row->events[i]];

		if (public_view &&
		    cal_event_status_is(oc->status, CAL_STATUS_TENTATIVE)) {
			hidden++;
			continue;
		}
		json_array_append_new(evs, occ_json(r, oc, row));
	}
	if (cal_report_cancelled(r, row, &cx, &n_cx) != 0) {
		json_decref(evs);
		json_decref(cancelled);
		return NULL;
	}
	for (i = 0; i < n_cx; i++) {
		const struct db_event *ev = cal_report_event(r,
						cx[i].occ.event_id);
		json_t *c = occ_json(r, &cx[i].occ, row);

		if (c && cx[i].exdate) {
			/* one occurrence of a series: its original start;
			 * when it was cancelled is not stored */
			json_object_set_new(c, "cancelled", json_null());
			json_object_set_new(c, "occurrence", json_true());
		} else if (c && ev && cal_time_format_rfc3339(
				ev->modified_utc, CAL_DISTRICT_TZID,
				when) == 0) {
			json_object_set_new(c, "cancelled", json_string(when));
		}
		json_array_append_new(cancelled, c);
	}
	free(cx);
	cal_time_format_rfc3339(row->start_utc, CAL_DISTRICT_TZID, start);
	cal_time_format_rfc3339(row->end_utc, CAL_DISTRICT_TZID, end);
	cal_time_format_rfc3339(r->q.as_of_utc, CAL_DISTRICT_TZID, as_of);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I,"
		      " s:I, s:I, s:o, s:o, s:o}",
		      "rule", rule->id, "scope", row->scope, "period",
		      row->period, "start", start, "end", end, "as_of", as_of,
		      "status", cal_cadence_status_name(row->status),
		      "held", (json_int_t)row->held,
		      "held_late", (json_int_t)row->held_late,
		      "scheduled", (json_int_t)row->scheduled,
		      "tentative", (json_int_t)row->tentative,
		      "tentative_hidden", (json_int_t)hidden,
		      "min", (json_int_t)rule->min_count,
		      "rule_version", svc_report_rule_json(rule),
		      "events", evs, "cancelled", cancelled);
	if (!o)
		return NULL;
	json_object_set_new(o, "days_left", r->q.as_of_utc >= row->start_utc &&
			    r->q.as_of_utc < row->end_utc ?
			    json_integer(cal_report_days_left(row,
						r->q.as_of_utc)) :
			    json_null());
	json_object_set_new(o, "tracking_since",
			    cal_local_date(r->q.tracking_since_utc,
					   CAL_DISTRICT_TZID, since) == 0 ?
			    json_string(since) : json_null());
	return o;
}

enum MHD_Result
svc_h_cadence_cell(struct svc_request *req)
{
	const char *rule = svc_query(req, "rule");
	const char *scope = svc_query(req, "scope");
	const char *period = svc_query(req, "period");
	const char *as_of = svc_query(req, "as_of");
	json_t *errors = json_array(), *body = NULL;
	struct cal_report_query q;
	struct cal_report rep;
	int year = cal_period_label_year(period), rc;
	const char *by = cal_scope_label_by(scope);
	const struct cal_cadence_row *row;

	if (!errors)
		return svc_respond_errno(req, -ENOMEM, "");
	if (!rule || !*rule)
		svc_problem_add(errors, "rule", "is required (a rule id)");
	if (!by)
		svc_problem_add(errors, "scope", "must be district,"
				" region:SLUG, carrier:SLUG or partner:SLUG");
	if (year < 0)
		svc_problem_add(errors, "period", "must be a month 2025-03, a"
				" quarter 2025-Q1 or a year 2025");
	if (json_array_size(errors) == 0 &&
	    cal_report_query_year(&q, year) != 0)
		svc_problem_add(errors, "period", "is out of range");
	q.as_of_utc = req->svc->clock();
	if (as_of && cal_time_parse_rfc3339(as_of, &q.as_of_utc) != 0)
		svc_problem_add(errors, "as_of", "must be an RFC 3339"
				" date-time with offset");
	if (json_array_size(errors))
		return svc_problem_fields(req, SVC_PROB_INVALID_QUERY, NULL,
					  errors);
	q.rule_id = rule;
	q.by = by;
	q.has_tracking = 1;
	q.tracking_since_utc = req->svc->tracking_since_utc;
	/* as for the report: organisers may not see other carriers'
	 * TENTATIVE events, so only admins and viewers get their titles */
	q.public_view = !req->auth.present ||
			(!req->auth.admin && !req->auth.viewer);
	rc = cal_report_build(req->svc->db, &q, &rep);
	if (rc == -ENOENT) {
		svc_problem_add(errors, "rule", "'%s' is not a cadence rule",
				rule);
		return svc_problem_fields(req, SVC_PROB_INVALID_QUERY, NULL,
					  errors);
	}
	if (rc != 0) {
		json_decref(errors);
		return svc_respond_errno(req, rc, "the cadence report");
	}
	row = cal_report_find_row(&rep, scope, period);
	if (row) {
		body = cell_json(&rep, row, q.public_view);
		if (!body)
			rc = -ENOMEM;
	}
	cal_report_release(&rep);
	if (rc != 0) {
		json_decref(errors);
		return svc_respond_errno(req, rc, "");
	}
	if (!body) {
		json_decref(errors);
		return svc_problem(req, SVC_PROB_NOT_FOUND, "no such cell: the"
				   " scope is unknown or the rule does not"
				   " judge that period", NULL);
	}
	json_decref(errors);
	return svc_respond_json(req, 200, body);
}
