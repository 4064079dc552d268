/*
 * h_cadence.c: GET /api/v1/cadence?year=YYYY[&as_of=RFC3339][&rule=ID]
 * [&format=json|csv].
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "report.h"
#include "svc.h"

enum MHD_Result
svc_h_cadence(struct svc_request *req)
{
	const char *year_s = svc_query(req, "year");
	const char *as_of_s = svc_query(req, "as_of");
	const char *rule = svc_query(req, "rule");
	const char *format = svc_query(req, "format");
	json_t *errors = json_array();
	struct svc_report rep;
	int64_t as_of = req->svc->clock();
	long year = 0;
	char *end;
	int rc;

	if (!errors)
		return svc_respond_errno(req, -ENOMEM, "");
	if (!year_s) {
		svc_problem_add(errors, "year", "is required (e.g. year=2025)");
	} else {
		year = strtol(year_s, &end, 10);
		if (*end || end == year_s || year < 1970 || year > 9999)
			svc_problem_add(errors, "year", "must be a year from"
					" 1970 to 9999");
	}
	if (as_of_s && cal_time_parse_rfc3339(as_of_s, &as_of) != 0)
		svc_problem_add(errors, "as_of", "must be an RFC 3339"
				" date-time with offset, e.g."
				" 2025-06-30T12:00:00+08:00");
	if (format && strcmp(format, "json") && strcmp(format, "csv"))
		svc_problem_add(errors, "format", "must be json or csv");
	if (json_array_size(errors)) {
		char detail[256];
		json_t *first = json_array_get(errors, 0);

		snprintf(detail, sizeof(detail), "%s: %s",
			 json_string_value(json_object_get(first, "field")),
			 json_string_value(json_object_get(first, "detail")));
		return svc_respond_problem(req, 400, "invalid-query",
					   "Bad Request", detail, errors);
	}
	rc = svc_report_build(req->svc->db, (int)year, as_of, rule, &rep);
	if (rc == -ENOENT) {
		svc_problem_add(errors, "rule", "'%s' is not a cadence rule",
				rule);
		return svc_respond_problem(req, 400, "invalid-query",
					   "Bad Request", "rule: unknown rule",
					   errors);
	}
	json_decref(errors);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the cadence report");
	if (format && strcmp(format, "csv") == 0) {
		char *csv = svc_report_csv(&rep);
		enum MHD_Result ret;

		ret = svc_respond_text(req, 200, "text/csv; charset=utf-8;"
				       " header=present", csv,
				       csv ? strlen(csv) : 0, NULL, 0);
		svc_report_release(&rep);
		return ret;
	}
	{
		json_t *body = svc_report_json(&rep);

		svc_report_release(&rep);
		return svc_respond_json(req, 200, body);
	}
}
