/*
 * h_meta.c: /healthz, /metrics, regions, carriers, kinds.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/kind.h"
#include "limits.h"
#include "sbuf.h"
#include "svc.h"
#include "svc_admin.h"

enum MHD_Result
svc_h_healthz(struct svc_request *req)
{
	int64_t n = req->db ? db_count_rows(req->db, "region") : -1;

	if (n < 0)
		return svc_problem(req, SVC_PROB_UNHEALTHY, "the database does"
				   " not answer", NULL);
	/* Reads keep working when writes cannot: still 200, with writable
	 * false for monitoring (disk full, read-only file). */
	return svc_respond_json(req, 200, json_pack("{s:s, s:i, s:b}",
				"status", "ok", "schema_version",
				db_schema_version(req->db), "writable",
				db_writable(req->db)));
}

enum MHD_Result
svc_h_metrics(struct svc_request *req)
{
	struct svc *svc = req->svc;
	struct sbuf sb;
	int64_t events, changes;
	int rc = 0, access;

	/* Without --metrics-token, anyone may read the counters, so they
	 * leave out what only signed-in users see (TENTATIVE events, the
	 * history of changes). With it, the token is required. */
	access = svc_limits_metrics_access(svc_header(req,
				MHD_HTTP_HEADER_AUTHORIZATION));
	if (access == 0)
		return svc_respond_unauthorized(req, "/metrics needs the"
						" metrics token");
	sbuf_init(&sb);
	rc |= sbuf_addf(&sb, "# HELP roadshowd_http_requests_total HTTP"
			" requests handled.\n# TYPE roadshowd_http_requests_total"
			" counter\nroadshowd_http_requests_total %llu\n",
			(unsigned long long)svc->requests);
	rc |= sbuf_addf(&sb, "# HELP roadshowd_http_responses_total"
			" Responses by status class.\n# TYPE"
			" roadshowd_http_responses_total counter\n"
			"roadshowd_http_responses_total{class=\"4xx\"} %llu\n"
			"roadshowd_http_responses_total{class=\"5xx\"} %llu\n",
			(unsigned long long)svc->responses_4xx,
			(unsigned long long)svc->responses_5xx);
	if (access == 2) {
		events = db_count_rows(svc->db, "event");
		changes = db_count_rows(svc->db, "event_history");
	} else if (db_count_public(svc->db, &events, &changes) != 0) {
		events = changes = -1;
	}
	rc |= sbuf_addf(&sb, "# HELP roadshowd_events Events stored%s.\n"
			"# TYPE roadshowd_events gauge\nroadshowd_events %lld\n",
			access == 2 ? "" : " (not TENTATIVE)", (long long)events);
	rc |= sbuf_addf(&sb, "# HELP roadshowd_event_changes_total Event"
			" history rows%s.\n# TYPE roadshowd_event_changes_total"
			" counter\nroadshowd_event_changes_total %lld\n",
			access == 2 ? "" : " (of events not TENTATIVE)",
			(long long)changes);
	rc |= svc_limits_metrics(&sb);
	rc |= sbuf_addf(&sb, "# HELP roadshowd_writable 1 when writes can"
			" succeed (disk not full, file writable).\n# TYPE"
			" roadshowd_writable gauge\nroadshowd_writable %d\n",
			db_writable(svc->db));
	rc |= sbuf_addf(&sb, "# HELP roadshowd_start_time_seconds Start time."
			"\n# TYPE roadshowd_start_time_seconds gauge\n"
			"roadshowd_start_time_seconds %lld\n",
			(long long)svc->started_utc);
	rc |= svc_feed_metrics(svc, &sb);
	if (rc) {
		sbuf_release(&sb);
		return svc_respond_errno(req, -ENOMEM, "");
	}
	{
		size_t len = sb.len;

		return svc_respond_text(req, 200,
					"text/plain; version=0.0.4;"
					" charset=utf-8", sbuf_detach(&sb),
					len, NULL, 0, 0);
	}
}

/* {url, webcal} links of a feed path such as "/calendars/regions/x.ics". */
json_t *
svc_feed_links(struct svc *svc, const char *path)
{
	char url[512], webcal[512];
	const char *base = svc->public_base, *rest;

	snprintf(url, sizeof(url), "%s%s", base, path);
	rest = strstr(base, "://");
	snprintf(webcal, sizeof(webcal), "webcal://%s%s", rest ? rest + 3
		 : base, path);
	return json_pack("{s:s, s:s}", "url", url, "webcal", webcal);
}

static json_t *
region_json(struct svc *svc, const struct db_region *r)
{
	return svc_region_json(svc, r, 1);
}

/* The annex's 合计 row as printed beside the column sums, with every
 * column that does not add up listed (the source is inconsistent). */
static json_t *
annex_totals_json(struct svc *svc, const struct db_region *r, size_t n)
{
	double area = 0, p_area;
	int64_t ent = 0, tech = 0, p_ent, p_tech;
	json_t *o, *mism;
	size_t i;

	if (db_annex_totals(svc->db, &p_area, &p_ent, &p_tech) != 0)
		return json_null();
	for (i = 0; i < n; i++) {
		/* the printed plan, not later changes (svc_h_region_patch) */
		if (!r[i].has_annex)
			continue;
		area += r[i].annex_area_10k_m2;
		ent += r[i].annex_enterprises_and_teams;
		tech += r[i].annex_tech_enterprises;
	}
	area = round(area * 100) / 100;
	mism = json_array();
	if (fabs(area - p_area) > 0.005)
		json_array_append_new(mism, json_pack("{s:s, s:f, s:f}",
				      "field", "area_10k_m2", "printed",
				      p_area, "sum", area));
	if (ent != p_ent)
		json_array_append_new(mism, json_pack("{s:s, s:I, s:I}",
				      "field", "enterprises_and_teams",
				      "printed", (json_int_t)p_ent, "sum",
				      (json_int_t)ent));
	if (tech != p_tech)
		json_array_append_new(mism, json_pack("{s:s, s:I, s:I}",
				      "field", "tech_enterprises", "printed",
				      (json_int_t)p_tech, "sum",
				      (json_int_t)tech));
	o = json_pack("{s:{s:f, s:I, s:I}, s:{s:f, s:I, s:I}, s:o}",
		      "printed", "area_10k_m2", p_area, "enterprises_and_teams",
		      (json_int_t)p_ent, "tech_enterprises", (json_int_t)p_tech,
		      "sum", "area_10k_m2", area, "enterprises_and_teams",
		      (json_int_t)ent, "tech_enterprises", (json_int_t)tech,
		      "mismatches", mism);
	return o ? o : json_null();
}

enum MHD_Result
svc_h_regions(struct svc_request *req)
{
	const char *partner_q = svc_query(req, "partner");
	struct db_region *r = NULL;
	size_t n = 0, i;
	int partner = -1, rc;
	json_t *items, *body;

	if (partner_q) {
		if (strcmp(partner_q, "true") == 0)
			partner = 1;
		else if (strcmp(partner_q, "false") == 0)
			partner = 0;
		else {
			json_t *e = json_array();

			svc_problem_add(e, "partner", "must be true or false");
			return svc_problem_fields(req, SVC_PROB_INVALID_QUERY,
						  NULL, e);
		}
	}
	rc = db_regions_list(req->svc->db, -1, &r, &n);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the region list");
	items = json_array();
	for (i = 0; items && i < n; i++)
		if (partner < 0 || r[i].partner == partner)
			json_array_append_new(items, region_json(req->svc,
								 &r[i]));
	body = json_pack("{s:o?, s:o}", "items", items, "annex_totals",
			 annex_totals_json(req->svc, r, n));
	db_regions_free(r, n);
	return svc_respond_json(req, 200, body);
}

enum MHD_Result
svc_h_region(struct svc_request *req)
{
	struct db_region r;
	int rc = db_region_get(req->svc->db, req->params[0], &r);
	json_t *o;

	if (rc != 0)
		return svc_respond_errno(req, rc, "the region");
	o = region_json(req->svc, &r);
	db_region_release(&r);
	return svc_respond_json(req, 200, o);
}

static json_t *
carrier_json(struct svc *svc, const struct db_carrier *c)
{
	return svc_carrier_json(svc, c, 1);
}

enum MHD_Result
svc_h_carriers(struct svc_request *req)
{
	const char *region = svc_query(req, "region");
	struct db_carrier *c = NULL;
	struct db_region r;
	size_t n = 0, i;
	json_t *items;
	int rc;

	if (region) {
		rc = db_region_get(req->svc->db, region, &r);
		if (rc != 0) {
			json_t *e = json_array();

			svc_problem_add(e, "region", "'%s' is not a known"
					" region", region);
			return svc_problem(req, SVC_PROB_INVALID_QUERY,
					   "region: unknown region", e);
		}
		db_region_release(&r);
	}
	rc = db_carriers_list(req->svc->db, region, &c, &n);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the carrier list");
	items = json_array();
	for (i = 0; items && i < n; i++)
		json_array_append_new(items, carrier_json(req->svc, &c[i]));
	db_carriers_free(c, n);
	return svc_respond_json(req, 200, json_pack("{s:o?}", "items", items));
}

enum MHD_Result
svc_h_carrier(struct svc_request *req)
{
	struct db_carrier c;
	int rc = db_carrier_get(req->svc->db, req->params[0], &c);
	json_t *o;

	if (rc != 0)
		return svc_respond_errno(req, rc, "the carrier");
	o = carrier_json(req->svc, &c);
	db_carrier_release(&c);
	return svc_respond_json(req, 200, o);
}

enum MHD_Result
svc_h_kinds(struct svc_request *req)
{
	json_t *items = json_array();
	char path[96];
	size_t i;

	for (i = 0; items && i < CAL_KIND_COUNT; i++) {
		snprintf(path, sizeof(path), "/calendars/kinds/%s.ics",
			 cal_kinds[i].slug);
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:o}",
				      "slug", cal_kinds[i].slug, "name",
				      cal_kinds[i].zh, "name_en",
				      cal_kinds[i].en, "feed",
				      svc_feed_links(req->svc, path)));
	}
	return svc_respond_json(req, 200, json_pack("{s:o?}", "items", items));
}
