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
#include "report.h"
#include "svc.h"

/* The year of a period label, or -1 when it is not one. */
static int
period_year(const char *p)
{
	size_t n = p ? strlen(p) : 0, i;
	int y;

	if (n != 4 && n != 7)
		return -1;
	for (i = 0; i < 4; i++)
		if (!isdigit((unsigned char)p[i]))
			return -1;
	y = atoi(p);
	if (y < 1970 || y > 9999)
		return -1;
	if (n == 7 && !(p[4] == '-' && ((p[5] == 'Q' && p[6] >= '1' &&
	    p[6] <= '4') || (isdigit((unsigned char)p[5]) &&
	    isdigit((unsigned char)p[6]) && atoi(p + 5) >= 1 &&
	    atoi(p + 5) <= 12))))
		return -1;
	return y;
}

/* The `by` of a scope label ("region:x" -> "region"), or NULL. */
static const char *
scope_by(const char *scope)
{
	static const char *const kinds[] = { "region", "carrier", "partner" };
	size_t i, n;

	if (!scope)
		return NULL;
	if (strcmp(scope, "district") == 0)
		return "district";
	for (i = 0; i < 3; i++) {
		n = strlen(kinds[i]);
		if (strncmp(scope, kinds[i], n) == 0 && scope[n] == ':' &&
		    scope[n + 1])
			return kinds[i];
	}
	return NULL;
}

/* Whether kind is in the comma-separated list kinds. */
static int
kind_in(const char *kinds, const char *kind)
{
	size_t n = strlen(kind);
	const char *p = kinds;

	while (p && *p) {
		while (*p == ' ')
			p++;
		if (strncmp(p, kind, n) == 0 && (p[n] == ',' || p[n] == ' ' ||
						 p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

/* Whether occurrence o falls in the scope label. */
static int
in_scope(const struct cal_occurrence *o, const char *scope)
{
	const char *slug = strchr(scope, ':');
	size_t i;

	if (!slug)
		return 1;	/* district */
	slug++;
	if (strncmp(scope, "region:", 7) == 0)
		return o->region && strcmp(o->region, slug) == 0;
	if (strncmp(scope, "carrier:", 8) == 0)
		return o->carrier && strcmp(o->carrier, slug) == 0;
	for (i = 0; i < o->n_partner_regions; i++)
		if (strcmp(o->partner_regions[i], slug) == 0)
			return 1;
	return 0;
}

static const struct db_event *
event_of(const struct svc_report *r, int64_t id)
{
	size_t i;

	for (i = 0; i < r->events.n; i++)
		if (r->events.items[i].id == id)
			return &r->events.items[i];
	return NULL;
}

static json_t *
occ_json(const struct svc_report *r, const struct cal_occurrence *oc,
	 const struct cal_cadence_row *row)
{
	const struct db_event *ev = event_of(r, oc->event_id);
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
			 svc_recorded_late(oc->placed_utc, row->end_utc),
			 "link", link, "url", ev ? ev->url : NULL);
}

/* The answer for row of r. New reference or NULL. */
static json_t *
cell_json(const struct svc_report *r, const struct cal_cadence_row *row,
	  int public_view)
{
	const struct db_rule *rule = svc_report_rule(r, row);
	json_t *o, *evs = json_array(), *cancelled = json_array();
	char start[32], end[32], as_of[32], since[11], when[32];
	int64_t hidden = 0;
	size_t i;

	if (!evs || !cancelled || !rule) {
		json_decref(evs);
		json_decref(cancelled);
		return NULL;
	}
	for (i = 0; i < row->n_events; i++) {
		const struct cal_occurrence *oc = &r->occ[row->events[i]];

		if (public_view && strcmp(oc->status, "TENTATIVE") == 0) {
			hidden++;
			continue;
		}
		json_array_append_new(evs, occ_json(r, oc, row));
	}
	for (i = 0; i < r->n_occ; i++) {
		const struct cal_occurrence *oc = &r->occ[i];
		const struct db_event *ev;
		json_t *c;

		if (strcmp(oc->status, "CANCELLED") != 0 ||
		    oc->start_utc < row->start_utc ||
		    oc->start_utc >= row->end_utc ||
		    !kind_in(rule->kinds, oc->kind) ||
		    !in_scope(oc, row->scope))
			continue;
		ev = event_of(r, oc->event_id);
		c = occ_json(r, oc, row);
		if (c && ev && cal_time_format_rfc3339(ev->modified_utc,
					CAL_DISTRICT_TZID, when) == 0)
			json_object_set_new(c, "cancelled", json_string(when));
		json_array_append_new(cancelled, c);
	}
	/* occurrences of a series cancelled one by one (EXDATE): their
	 * original start; when they were cancelled is not stored */
	for (i = 0; i < r->events.n; i++) {
		const struct db_event *ev = &r->events.items[i];
		struct cal_occurrence probe;
		size_t k;

		if (!ev->rrule || ev->n_exdates == 0 ||
		    !kind_in(rule->kinds, ev->kind))
			continue;
		memset(&probe, 0, sizeof(probe));
		probe.event_id = ev->id;
		probe.kind = ev->kind;
		probe.status = "CANCELLED";
		probe.title = ev->title;
		probe.carrier = ev->carrier;
		probe.region = ev->region;
		probe.partner_regions = (const char *const *)
					ev->partner_regions;
		probe.n_partner_regions = ev->n_partner_regions;
		if (!in_scope(&probe, row->scope))
			continue;
		for (k = 0; k < ev->n_exdates; k++) {
			json_t *c;

			probe.start_utc = ev->exdates[k];
			if (probe.start_utc < row->start_utc ||
			    probe.start_utc >= row->end_utc)
				continue;
			c = occ_json(r, &probe, row);
			if (c) {
				json_object_set_new(c, "cancelled",
						    json_null());
				json_object_set_new(c, "occurrence",
						    json_true());
			}
			json_array_append_new(cancelled, c);
		}
	}
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
			    json_integer(svc_report_days_left(row,
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
	struct svc_report_query q;
	struct svc_report rep;
	struct svc_auth auth;
	int year = period_year(period), rc;
	const char *by = scope_by(scope);
	size_t i;

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
	    svc_report_query_year(&q, year) != 0)
		svc_problem_add(errors, "period", "is out of range");
	q.as_of_utc = req->svc->clock();
	if (as_of && cal_time_parse_rfc3339(as_of, &q.as_of_utc) != 0)
		svc_problem_add(errors, "as_of", "must be an RFC 3339"
				" date-time with offset");
	if (json_array_size(errors))
		return svc_respond_invalid(req, "invalid-query", "Bad Request",
					   errors);
	q.rule_id = rule;
	q.by = by;
	q.has_tracking = 1;
	q.tracking_since_utc = req->svc->tracking_since_utc;
	q.public_view = svc_auth_resolve(req, &auth) != 0 || !auth.present;
	svc_auth_release(&auth);
	rc = svc_report_build(req->svc->db, &q, &rep);
	if (rc == -ENOENT) {
		svc_problem_add(errors, "rule", "'%s' is not a cadence rule",
				rule);
		return svc_respond_invalid(req, "invalid-query", "Bad Request",
					   errors);
	}
	if (rc != 0) {
		json_decref(errors);
		return svc_respond_errno(req, rc, "the cadence report");
	}
	for (i = 0; i < rep.report.n && !body; i++) {
		const struct cal_cadence_row *row = &rep.report.rows[i];

		if (strcmp(row->scope, scope) == 0 &&
		    strcmp(row->period, period) == 0) {
			body = cell_json(&rep, row, q.public_view);
			if (!body)
				rc = -ENOMEM;
		}
	}
	svc_report_release(&rep);
	if (rc != 0) {
		json_decref(errors);
		return svc_respond_errno(req, rc, "");
	}
	if (!body) {
		json_decref(errors);
		return svc_respond_problem(req, 404, "not-found", "Not Found",
					   "no such cell: the scope is unknown"
					   " or the rule does not judge that"
					   " period", NULL);
	}
	json_decref(errors);
	return svc_respond_json(req, 200, body);
}
