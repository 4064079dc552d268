/*
 * h_regions.c: admins keep regions and their targets current (issue 9).
 *
 *   POST  /api/v1/regions           {slug, name, kind, name_en?, targets?,
 *                                    target_year?}
 *   PATCH /api/v1/regions/{slug}    name, name_en, kind, targets (some or
 *                                    all of the three), target_year
 *
 * Every change and its audit row (before/after, the real actor) commit in
 * one transaction; a refused request changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../db/admin_store.h"
#include "body.h"
#include "svc_admin.h"

/* The members of a region's body; read_region() checks each (PATCH
 * takes them from "name" on: the slug is fixed). */
static const struct svc_field region_fields[] = {
	{ "slug", SVC_FIELD_ANY, 0, 0, NULL },
	{ "name", SVC_FIELD_ANY, 0, 0, NULL },
	{ "name_en", SVC_FIELD_ANY, 0, 0, NULL },
	{ "kind", SVC_FIELD_ANY, 0, 0, NULL },
	{ "targets", SVC_FIELD_ANY, 0, 0, NULL },
	{ "target_year", SVC_FIELD_ANY, 0, 0, NULL },
	{ NULL, SVC_FIELD_ANY, 0, 0, NULL },
};
static const char *const region_kinds[] = {
	"zone", "street", "town", "partner", NULL,
};


static json_t *
targets_json(double area, int64_t ent, int64_t tech)
{
	return json_pack("{s:f, s:I, s:I}", "area_10k_m2", area,
			 "enterprises_and_teams", (json_int_t)ent,
			 "tech_enterprises", (json_int_t)tech);
}

json_t *
svc_region_json(struct svc *svc, const struct db_region *r, int with_feed)
{
	char path[160];
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "slug",
		      r->slug, "name", r->name, "name_en", r->name_en, "kind",
		      r->kind, "partner", r->partner, "targets",
		      r->has_targets ? targets_json(r->area_10k_m2,
		      r->enterprises_and_teams, r->tech_enterprises) :
		      json_null(), "target_year", r->target_year ?
		      json_integer(r->target_year) : json_null(),
		      "annex_targets", r->has_annex ?
		      targets_json(r->annex_area_10k_m2,
				   r->annex_enterprises_and_teams,
				   r->annex_tech_enterprises) : json_null());
	if (!o)
		return NULL;
	if (r->annex_row)
		json_object_set_new(o, "annex_row", json_integer(r->annex_row));
	if (with_feed) {
		snprintf(path, sizeof(path), "/calendars/%s/%s.ics",
			 r->partner ? "partners" : "regions", r->slug);
		json_object_set_new(o, "feed", svc_feed_links(svc, path));
	}
	return o;
}

static enum MHD_Result
invalid(struct svc_request *req, const char *title, json_t *errors)
{
	return svc_problem_fields(req, SVC_PROB_VALIDATION, title, errors);
}

/* ---- regions ---- */

/* targets: null, or an object of the three; on patch (merge) some of them
 * may be given when the region already has targets. */
static void
read_targets(json_t *obj, struct db_region *r, int merge, json_t *errors)
{
	json_t *t = json_object_get(obj, "targets"), *v;
	const char *key;
	int had = r->has_targets;

	if (!t)
		return;
	if (json_is_null(t)) {
		r->has_targets = 0;
		return;
	}
	if (!json_is_object(t)) {
		svc_problem_add(errors, "targets", "must be null or an object"
				" {area_10k_m2, enterprises_and_teams,"
				" tech_enterprises}");
		return;
	}
	json_object_foreach(t, key, v) {
		if (strcmp(key, "area_10k_m2") == 0) {
			if (!json_is_number(v) || json_number_value(v) < 0 ||
			    json_number_value(v) > 1e6)
				svc_problem_add(errors, "targets.area_10k_m2",
						"must be a number from 0 to"
						" 1000000 (10^4 m^2)");
			else
				r->area_10k_m2 = json_number_value(v);
		} else if (strcmp(key, "enterprises_and_teams") == 0 ||
			   strcmp(key, "tech_enterprises") == 0) {
			char field[40];

			snprintf(field, sizeof(field), "targets.%s", key);
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > 1000000000)
				svc_problem_add(errors, field, "must be an"
						" integer from 0 to"
						" 1000000000");
			else if (key[0] == 'e')
				r->enterprises_and_teams =
					json_integer_value(v);
			else
				r->tech_enterprises = json_integer_value(v);
		} else {
			char field[80];

			snprintf(field, sizeof(field), "targets.%.60s", key);
			svc_problem_add(errors, field, "is not a target");
		}
	}
	if ((!merge || !had) &&
	    (!json_object_get(t, "area_10k_m2") ||
	     !json_object_get(t, "enterprises_and_teams") ||
	     !json_object_get(t, "tech_enterprises")))
		svc_problem_add(errors, "targets", "needs area_10k_m2,"
				" enterprises_and_teams and tech_enterprises");
	r->has_targets = 1;
}

static void
read_region(json_t *obj, struct db_region *r, int merge, json_t *errors)
{
	const char *s;
	json_t *v;

	if (svc_admin_take_text(obj, "name", 200, 0, &s, errors) == 1)
		r->name = (char *)s;
	if (svc_admin_take_text(obj, "name_en", 200, 0, &s, errors) == 1)
		r->name_en = (char *)s;
	if (svc_admin_take_choice(obj, "kind", region_kinds, &s, errors) == 1) {
		if (merge && (strcmp(s, "partner") == 0) != r->partner)
			svc_problem_add(errors, "kind", "cannot move a region"
					" %s the partner regions (feed URLs"
					" depend on it)", r->partner ?
					"out of" : "into");
		r->kind = (char *)s;
		r->partner = strcmp(s, "partner") == 0;
	}
	read_targets(obj, r, merge, errors);
	if ((v = json_object_get(obj, "target_year"))) {
		if (json_is_null(v))
			r->target_year = 0;
		else if (!json_is_integer(v) || json_integer_value(v) < 2000 ||
			 json_integer_value(v) > 2100)
			svc_problem_add(errors, "target_year", "must be null or"
					" a year from 2000 to 2100");
		else
			r->target_year = (int)json_integer_value(v);
	}
	if (r->partner && r->has_targets)
		svc_problem_add(errors, "targets", "partner regions have no"
				" targets");
	else if (r->has_targets && !r->target_year &&
		 !json_array_size(errors))
		svc_problem_add(errors, "target_year", "is required with"
				" targets");
}

static enum MHD_Result
save_region(struct svc_request *req, const struct svc_auth *auth,
	    const struct db_region *r, json_t *before)
{
	struct svc *svc = req->svc;
	struct db_region stored;
	json_t *after = NULL;
	int rc, have = 0;

	rc = db_tx_begin(svc->db);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the region");
	rc = before ? db_region_update(svc->db, r) : db_region_insert(svc->db,
									r);
	if (rc == 0 && (rc = db_region_get(svc->db, r->slug, &stored)) == 0)
		have = 1;
	if (rc == 0 && !(after = svc_region_json(svc, &stored, 0)))
		rc = -ENOMEM;
	if (rc == 0)
		rc = svc_audit_write(svc, auth->actor, "region", r->slug,
				     before ? "update" : "create", before,
				     after);
	rc = db_tx_end(svc->db, rc);
	json_decref(after);
	if (rc != 0) {
		if (have)
			db_region_release(&stored);
		if (rc == -EEXIST)
			return svc_admin_conflict(req, "slug", "a region with"
						  " this slug exists");
		return svc_respond_errno(req, rc, "the region");
	}
	svc_feed_cache_release(svc);
	after = svc_region_json(svc, &stored, 1);
	db_region_release(&stored);
	return svc_respond_json(req, before ? 200 : 201, after);
}

enum MHD_Result
svc_h_regions_create(struct svc_request *req)
{
	struct db_region r, old;
	enum MHD_Result ret;
	json_t *errors, *obj;
	const char *slug = NULL;

	errors = json_array();
	if (svc_body_read(req->body, req->body_len, "a region", region_fields,
			  NULL, errors, &obj) == -EBADMSG)
		return invalid(req, "Invalid region", errors);
	memset(&r, 0, sizeof(r));
	svc_admin_read_slug(obj, &slug, errors);
	r.slug = (char *)slug;
	if (!json_object_get(obj, "name"))
		svc_problem_add(errors, "name", "is required");
	if (!json_object_get(obj, "kind"))
		svc_problem_add(errors, "kind", "is required: zone, street,"
				" town or partner");
	read_region(obj, &r, 0, errors);
	if (!r.name_en)
		r.name_en = r.name;
	if (json_array_size(errors)) {
		ret = invalid(req, "Invalid region", errors);
	} else if (db_region_get(req->svc->db, slug, &old) == 0) {
		db_region_release(&old);
		json_decref(errors);
		ret = svc_admin_conflict(req, "slug", "a region with this"
					 " slug exists");
	} else {
		json_decref(errors);
		ret = save_region(req, &req->auth, &r, NULL);
	}
	json_decref(obj);
	return ret;
}

enum MHD_Result
svc_h_region_patch(struct svc_request *req)
{
	struct db_region stored, r;
	enum MHD_Result ret;
	json_t *errors, *obj, *before = NULL;
	int rc;

	rc = db_region_get(req->svc->db, req->params[0], &stored);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the region");
	errors = json_array();
	svc_body_read(req->body, req->body_len, "a region", region_fields + 1,
		      NULL, errors, &obj);
	if (obj && json_object_get(obj, "slug")) {
		json_array_clear(errors);
		svc_problem_add(errors, "slug", "is fixed once created: feed"
				" URLs use it (rename with name)");
	}
	r = stored;
	if (obj)
		read_region(obj, &r, 1, errors);
	if (json_array_size(errors)) {
		ret = invalid(req, "Invalid region", errors);
	} else {
		json_decref(errors);
		before = svc_region_json(req->svc, &stored, 0);
		if (before && svc_admin_unchanged(before,
				svc_region_json(req->svc, &r, 0)))
			ret = svc_respond_json(req, 200, svc_region_json(
					       req->svc, &stored, 1));
		else
			ret = before ? save_region(req, &req->auth, &r,
						   before)
				     : svc_respond_errno(req, -ENOMEM, "");
	}
	json_decref(before);
	json_decref(obj);
	db_region_release(&stored);
	return ret;
}
