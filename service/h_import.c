/*
 * h_import.c: POST /api/v1/events/import?carrier=SLUG[&kind=KIND] with a
 * text/calendar body. Events are upserted by UID for the carrier; the same
 * file imported twice changes nothing; a broken or hostile file gets a
 * problem naming what is wrong (VEVENT number, line, UID) and nothing from
 * it is stored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../calendar/kind.h"
#include "ics_import.h"
#include "svc.h"

static enum MHD_Result
bad_file(struct svc_request *req, json_t *parse_errors, const char *detail)
{
	json_t *errors = json_array();
	size_t i;
	char first[400];

	for (i = 0; errors && i < json_array_size(parse_errors); i++) {
		json_t *e = json_array_get(parse_errors, i);

		json_array_append_new(errors, json_pack(
			"{s:s, s:O, s:O, s:O, s:O}", "field", "body",
			"vevent", json_object_get(e, "vevent"),
			"line", json_object_get(e, "line"),
			"uid", json_object_get(e, "uid"),
			"detail", json_object_get(e, "detail")));
	}
	if (!detail) {
		json_t *e = json_array_get(parse_errors, 0);
		int line = (int)json_integer_value(json_object_get(e, "line"));
		int vevent = (int)json_integer_value(json_object_get(e,
								   "vevent"));

		if (vevent > 0)
			snprintf(first, sizeof(first), "VEVENT %d (line %d):"
				 " %s", vevent, line,
				 json_string_value(json_object_get(e,
								   "detail")));
		else
			snprintf(first, sizeof(first), "%s",
				 json_string_value(json_object_get(e,
								   "detail")));
		detail = first;
	}
	return svc_respond_problem(req, 400, "invalid-icalendar",
				   "Invalid iCalendar file", detail, errors);
}

enum MHD_Result
svc_h_import(struct svc_request *req)
{
	struct svc *svc = req->svc;
	const char *carrier = svc_query(req, "carrier");
	const char *kind = svc_query(req, "kind");
	const char *ct = svc_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
	const char *dry = svc_query(req, "dry_run");
	struct svc_import_counts counts;
	struct db_carrier c;
	struct svc_auth auth;
	json_t *parsed = NULL, *errors = NULL;
	enum MHD_Result ret;
	char why[200];
	int rc;

	memset(&counts, 0, sizeof(counts));
	rc = svc_auth_resolve(req, &auth);
	if (rc != 0 || !auth.present) {
		svc_auth_release(&auth);
		return svc_respond_unauthorized(req, "importing needs"
						" Authorization: Bearer"
						" <token>");
	}
	errors = json_array();
	if (ct && strncasecmp(ct, "text/calendar", 13) != 0 &&
	    strncasecmp(ct, "application/octet-stream", 24) != 0) {
		ret = svc_respond_problem(req, 415, "unsupported-media-type",
					  "Unsupported Media Type",
					  "send the file as text/calendar",
					  NULL);
		goto out;
	}
	if (!carrier && !auth.admin)
		carrier = svc_auth_default_carrier(&auth);
	if (!carrier) {
		svc_problem_add(errors, "carrier", "is required: the host"
				" carrier's slug (?carrier=SLUG)");
	} else if (db_carrier_get(svc->db, carrier, &c) != 0) {
		svc_problem_add(errors, "carrier", "'%s' is not a known"
				" carrier", carrier);
	} else {
		db_carrier_release(&c);
	}
	if (kind && !cal_kind_find(kind))
		svc_problem_add(errors, "kind", "'%s' is not an event kind",
				kind);
	if (json_array_size(errors)) {
		ret = svc_respond_problem(req, 400, "invalid-query",
					  "Bad Request", "see errors", errors);
		errors = NULL;
		goto out;
	}
	if (!svc_auth_may_write(&auth, carrier)) {
		svc_problem_addc(errors, "carrier", "not_your_carrier",
				 "this %s may import only for carrier%s '%s'",
				 auth.session ? "account" : "token",
				 auth.n_carriers > 1 ? "s" : "",
				 auth.carrier ? auth.carrier : "(none)");
		ret = svc_respond_problem(req, 403, "wrong-carrier",
					  "Forbidden", "wrong carrier", errors);
		errors = NULL;
		goto out;
	}
	if (!req->body || req->body_len == 0) {
		svc_problem_add(errors, "body", "an iCalendar file is"
				" required");
		ret = svc_respond_problem(req, 400, "invalid-icalendar",
					  "Invalid iCalendar file",
					  "empty body", errors);
		errors = NULL;
		goto out;
	}
	/* The parser child needs no lock; others may use the database. */
	pthread_mutex_unlock(&svc->lock);
	rc = svc_ics_parse_isolated(svc->self_exe, req->body, req->body_len,
				    &parsed, why, sizeof(why));
	pthread_mutex_lock(&svc->lock);
	if (rc == -ENOMEM) {
		ret = svc_respond_errno(req, rc, "");
		goto out;
	}
	if (rc != 0) {
		svc_problem_add(errors, "body", "%s", why);
		ret = svc_respond_problem(req, rc == -ETIMEDOUT ? 422 : 400,
					  "invalid-icalendar",
					  "Invalid iCalendar file", why,
					  errors);
		errors = NULL;
		goto out;
	}
	if (dry && (!strcmp(dry, "1") || !strcmp(dry, "true"))) {
		/* ?dry_run=1: the same path, rolled back (import_preview.c) */
		ret = svc_import_dry_run_respond(req, parsed, carrier, kind,
						 auth.actor);
		goto out;
	}
	if (json_array_size(json_object_get(parsed, "errors"))) {
		ret = bad_file(req, json_object_get(parsed, "errors"), NULL);
		goto out;
	}
	rc = svc_import_apply(svc->db, parsed, carrier, kind, auth.actor,
			      svc->clock(), errors, &counts);
	if (rc == -EINVAL && json_array_size(errors)) {
		json_t *first = json_array_get(errors, 0);
		char detail[400];

		snprintf(detail, sizeof(detail), "UID %s: %s",
			 json_string_value(json_object_get(first, "uid")),
			 json_string_value(json_object_get(first, "detail")));
		ret = svc_respond_problem(req, 400, "invalid-icalendar",
					  "Invalid iCalendar file", detail,
					  errors);
		errors = NULL;
		goto out;
	}
	if (rc != 0) {
		ret = svc_respond_errno(req, rc, "the import");
		goto out;
	}
	ret = svc_respond_json(req, 200, json_pack("{s:i, s:i, s:i, s:O}",
				"created", counts.created, "updated",
				counts.updated, "unchanged", counts.unchanged,
				"ids", counts.ids));
out:
	json_decref(counts.ids);
	json_decref(parsed);
	json_decref(errors);
	svc_auth_release(&auth);
	return ret;
}
