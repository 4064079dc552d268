/*
 * h_console.c: the organisers' console (issue 8) — its embedded pages
 * under /console/, and a small read-only API route the pages use:
 * GET /api/v1/recurrence/preview (the next occurrences of an RRULE being
 * typed, before saving).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "../calendar/recur.h"
#include "assets.h"
#include "console.h"

/* Most occurrences a preview lists. */
#define PREVIEW_MAX 10

static enum MHD_Result
answer_asset(struct svc_request *req, const struct svc_asset *a)
{
	char *copy = malloc(a->len + 1);

	if (copy)
		memcpy(copy, a->data, a->len + 1);
	req->html = 1;		/* security headers on pages and assets */
	return svc_respond_text(req, 200, a->ctype, copy, a->len, a->etag, 0,
				0);
}

/*
 * GET /console and /console/...: an embedded file, or index.html for any
 * other path (deep links: the page routes by path in the browser). A path
 * whose last segment names a file (has a dot) that is not embedded is 404.
 */
enum MHD_Result
svc_h_console(struct svc_request *req)
{
	const struct svc_asset *a = svc_asset_find(req->path);
	const char *last = strrchr(req->path, '/');

	if (a)
		return answer_asset(req, a);
	if (last && strchr(last, '.'))
		return svc_problem(req, SVC_PROB_NOT_FOUND, "no such file in"
				   " the console", NULL);
	a = svc_asset_find("/console/index.html");
	if (!a)
		return svc_respond_errno(req, -EIO, "the console page");
	return answer_asset(req, a);
}

/*
 * GET /api/v1/recurrence/preview?rrule=R&start=RFC3339 (or
 * start_date=YYYY-MM-DD for an all-day series)[&timezone=TZID][&count=N]:
 * {"items": [first N occurrence starts (RFC 3339 in the zone, or dates)],
 * "more": true when the rule yields more}. The rule is checked as the
 * event API checks it (cal_rrule_validate) and expanded with the same
 * bounded iterator, at most PREVIEW_MAX occurrences; nothing is stored.
 */
enum MHD_Result
svc_h_recurrence_preview(struct svc_request *req)
{
	const char *rrule = svc_query(req, "rrule");
	const char *start = svc_query(req, "start");
	const char *start_date = svc_query(req, "start_date");
	const char *tz = svc_query(req, "timezone");
	const char *count_s = svc_query(req, "count");
	struct db_event ev;
	json_t *errors = json_array(), *items;
	int64_t *starts = NULL;
	size_t n = 0, i;
	long count = 5;
	char why[128], buf[32];
	int y, m, d;

	/* the router's gate let only callers with credentials in */
	memset(&ev, 0, sizeof(ev));
	ev.tzid = (char *)(tz ? tz : CAL_DISTRICT_TZID);
	if (!errors)
		return svc_respond_errno(req, -ENOMEM, "");
	if (count_s) {
		char *end;

		count = strtol(count_s, &end, 10);
		if (*end || count < 1 || count > PREVIEW_MAX)
			svc_problem_add(errors, "count", "must be an integer"
					" from 1 to %d", PREVIEW_MAX);
	}
	if (!cal_tz_valid(ev.tzid))
		svc_problem_add(errors, "timezone", "'%s' is not a known"
				" IANA time zone", ev.tzid);
	if (!rrule || !*rrule)
		svc_problem_add(errors, "rrule", "is required");
	else if (cal_rrule_validate(rrule, why, sizeof(why)) != 0)
		svc_problem_add(errors, "rrule", "%s", why);
	if (start_date && !start) {
		ev.all_day = 1;
		if (cal_date_parse(start_date, &y, &m, &d) != 0 ||
		    cal_local_to_utc(y, m, d, 0, 0, 0, ev.tzid,
				     &ev.start_utc) != 0)
			svc_problem_add(errors, "start_date", "must be a date"
					" YYYY-MM-DD");
	} else if (!start || cal_time_parse_rfc3339(start, &ev.start_utc)) {
		svc_problem_add(errors, "start", "must be RFC 3339 with"
				" offset, e.g. 2026-12-20T14:30:00+08:00");
	}
	if (json_array_size(errors))
		return svc_problem_fields(req, SVC_PROB_VALIDATION,
					  "Invalid recurrence", errors);
	json_decref(errors);
	ev.rrule = (char *)rrule;
	ev.end_utc = ev.start_utc;
	if (cal_recur_expand(&ev, ev.start_utc, INT64_MAX, (size_t)count + 1,
			     &starts, &n) != 0) {
		errors = json_array();
		svc_problem_add(errors, "rrule", "cannot be expanded");
		return svc_problem_fields(req, SVC_PROB_VALIDATION,
					  "Invalid recurrence", errors);
	}
	items = json_array();
	for (i = 0; items && i < n && i < (size_t)count; i++) {
		if (ev.all_day ? cal_local_date(starts[i], ev.tzid, buf)
			       : cal_time_format_rfc3339(starts[i], ev.tzid,
							 buf))
			continue;
		json_array_append_new(items, json_string(buf));
	}
	free(starts);
	return svc_respond_json(req, 200, json_pack("{s:o?, s:b}", "items",
				items, "more", n > (size_t)count));
}
