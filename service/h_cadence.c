/*
 * h_cadence.c: the cadence report and its views.
 *
 *   GET /api/v1/cadence?year=YYYY | from=DATE&to=DATE  [&as_of=RFC3339]
 *       [&rule=ID] [&by=district|region|carrier|partner|all]
 *       [&format=json|csv] [&lang=en|zh]   (zh: CSV for Excel, BOM)
 *       [&events=false]   (periods without their events lists)
 *   GET /api/v1/cadence/matrix?rule=ID&(year|from,to)[&as_of][&by]
 *   GET /api/v1/cadence/summary?(year|from,to)[&as_of][&rule][&by]
 *
 * DATE is YYYY-MM-DD or YYYY-MM (local, Asia/Shanghai); `to` is exclusive.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "report.h"
#include "sbuf.h"
#include "svc.h"

enum view { VIEW_REPORT, VIEW_MATRIX, VIEW_SUMMARY };

/* "YYYY-MM-DD" or "YYYY-MM" (1970..9999) -> local midnight in the
 * district zone. */
static int
parse_day(const char *s, int64_t *utc)
{
	char buf[11];

	if (strlen(s) == 7) {
		snprintf(buf, sizeof(buf), "%s-01", s);
		s = buf;
	}
	return cal_district_day_utc(s, utc);
}

/* Read the report query; field errors go to errors. */
static void
read_query(struct svc_request *req, struct cal_report_query *q,
	   json_t *errors, int need_rule)
{
	const char *year_s = svc_query(req, "year");
	const char *from = svc_query(req, "from"), *to = svc_query(req, "to");
	const char *as_of = svc_query(req, "as_of");
	const char *by = svc_query(req, "by");
	char *end;
	long year;

	memset(q, 0, sizeof(*q));
	if (year_s && (from || to)) {
		svc_problem_add(errors, "year", "give either year or from/to,"
				" not both");
	} else if (year_s) {
		year = strtol(year_s, &end, 10);
		if (*end || end == year_s || !isdigit((unsigned char)*year_s) ||
		    year < 1970 || year > 9999 ||
		    cal_report_query_year(q, (int)year) != 0)
			svc_problem_add(errors, "year", "must be a year from"
					" 1970 to 9999");
	} else if (from || to) {
		if (!from || parse_day(from, &q->from_utc) != 0)
			svc_problem_add(errors, "from", "must be a date"
					" YYYY-MM-DD or a month YYYY-MM, 1970"
					" to 9999");
		if (!to || parse_day(to, &q->to_utc) != 0)
			svc_problem_add(errors, "to", "must be a date"
					" YYYY-MM-DD or a month YYYY-MM"
					" (exclusive), 1970 to 9999");
		if (!json_array_size(errors) && q->to_utc <= q->from_utc)
			svc_problem_add(errors, "to", "must be after from");
		if (!json_array_size(errors) &&
		    q->to_utc - q->from_utc > (int64_t)50 * 366 * 86400)
			svc_problem_add(errors, "to", "the range may span at"
					" most 50 years");
	} else {
		svc_problem_add(errors, "year", "is required (e.g. year=2025),"
				" or give from and to");
	}
	q->as_of_utc = req->svc->clock();
	if (as_of && cal_time_parse_rfc3339(as_of, &q->as_of_utc) != 0)
		svc_problem_add(errors, "as_of", "must be an RFC 3339"
				" date-time with offset, e.g."
				" 2025-06-30T12:00:00+08:00");
	if (!cal_report_by_valid(by))
		svc_problem_add(errors, "by", "must be district, region,"
				" carrier, partner or all");
	q->by = by;
	{
		const char *ev = svc_query(req, "events");

		if (ev && strcmp(ev, "true") && strcmp(ev, "false"))
			svc_problem_add(errors, "events", "must be true or"
					" false");
		q->no_events = ev && strcmp(ev, "false") == 0;
	}
	q->has_tracking = 1;
	q->tracking_since_utc = req->svc->tracking_since_utc;
	q->rule_id = svc_query(req, "rule");
	/* organisers may not see other carriers' TENTATIVE events: their
	 * reports list none (they still count). The router resolved the
	 * caller (optional) and answered a storage error itself. */
	q->public_view = !req->auth.present ||
			 (!req->auth.admin && !req->auth.viewer);
	if (need_rule && !q->rule_id)
		svc_problem_add(errors, "rule", "is required for this view");
}

static enum MHD_Result
bad_query(struct svc_request *req, json_t *errors)
{
	return svc_problem_fields(req, SVC_PROB_INVALID_QUERY, NULL, errors);
}

static enum MHD_Result
serve_view(struct svc_request *req, enum view view)
{
	const char *format = svc_query(req, "format");
	const char *lang = svc_query(req, "lang");
	json_t *errors = json_array(), *body;
	struct cal_report_query q;
	struct cal_report rep;
	int rc;

	if (!errors)
		return svc_respond_errno(req, -ENOMEM, "");
	read_query(req, &q, errors, view == VIEW_MATRIX);
	if (format && (strcmp(format, "json") && (strcmp(format, "csv") ||
						  view != VIEW_REPORT)))
		svc_problem_add(errors, "format", view == VIEW_REPORT ?
				"must be json or csv" : "must be json");
	if (lang && strcmp(lang, "en") && strcmp(lang, "zh"))
		svc_problem_add(errors, "lang", "must be en or zh");
	if (json_array_size(errors))
		return bad_query(req, errors);
	rc = cal_report_build(req->svc->db, &q, &rep);
	if (rc == -ENOENT) {
		svc_problem_add(errors, "rule", "'%s' is not a cadence rule",
				q.rule_id);
		return bad_query(req, errors);
	}
	json_decref(errors);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the cadence report");
	if (format && strcmp(format, "csv") == 0) {
		char *csv = lang && strcmp(lang, "zh") == 0 ?
			    svc_report_csv_zh(&rep) : svc_report_csv(&rep);

		cal_report_release(&rep);
		return svc_respond_text(req, 200, "text/csv; charset=utf-8;"
					" header=present", csv,
					csv ? strlen(csv) : 0, NULL, 0, 0);
	}
	body = view == VIEW_MATRIX ? svc_report_matrix_json(&rep) :
	       view == VIEW_SUMMARY ? svc_report_summary_json(&rep) :
	       svc_report_json(&rep);
	cal_report_release(&rep);
	return svc_respond_json(req, 200, body);
}

enum MHD_Result
svc_h_cadence(struct svc_request *req)
{
	return serve_view(req, VIEW_REPORT);
}

enum MHD_Result
svc_h_cadence_matrix(struct svc_request *req)
{
	return serve_view(req, VIEW_MATRIX);
}

enum MHD_Result
svc_h_cadence_summary(struct svc_request *req)
{
	return serve_view(req, VIEW_SUMMARY);
}
