/*
 * h_carriers.c: admins keep carriers current (issue 9).
 *
 *   POST  /api/v1/carriers          {slug, name, kind, region, level?,
 *                                    name_en?, recognised_on?, address?,
 *                                    geo?, website?, contact?,
 *                                    retired_from?}
 *   PATCH /api/v1/carriers/{slug}   any of those but slug (fixed: feed
 *                                    URLs use it)
 *
 * Every change and its audit row (before/after, the real actor) commit in
 * one transaction; a refused request changes nothing. A carrier retired
 * from a date keeps its events and feed but hosts no event starting on or
 * after that date; the date must fall after the carrier's last event.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/retire.h"
#include "../db/admin_store.h"
#include "body.h"
#include "svc_admin.h"

/* The members of a carrier's body; read_carrier() checks each (PATCH
 * takes them from "name" on: the slug is fixed). */
static const struct svc_field carrier_fields[] = {
	{ "slug", SVC_FIELD_ANY, 0, 0, NULL },
	{ "name", SVC_FIELD_ANY, 0, 0, NULL },
	{ "name_en", SVC_FIELD_ANY, 0, 0, NULL },
	{ "kind", SVC_FIELD_ANY, 0, 0, NULL },
	{ "level", SVC_FIELD_ANY, 0, 0, NULL },
	{ "recognised_on", SVC_FIELD_ANY, 0, 0, NULL },
	{ "region", SVC_FIELD_ANY, 0, 0, NULL },
	{ "address", SVC_FIELD_ANY, 0, 0, NULL },
	{ "geo", SVC_FIELD_ANY, 0, 0, NULL },
	{ "website", SVC_FIELD_ANY, 0, 0, NULL },
	{ "contact", SVC_FIELD_ANY, 0, 0, NULL },
	{ "retired_from", SVC_FIELD_ANY, 0, 0, NULL },
	{ NULL, SVC_FIELD_ANY, 0, 0, NULL },
};
static const char *const carrier_kinds[] = {
	"maker_space", "incubator", "accelerator", "platform", NULL,
};
static const char *const carrier_levels[] = {
	"national", "municipal", "district", "none", NULL,
};

/* ---- representations ---- */

json_t *
svc_carrier_json(struct svc *svc, const struct db_carrier *c, int with_feed)
{
	char path[160];
	json_t *o;

	o = json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s?, s:s, s:s?, s:o, s:s?,"
		      " s:s?, s:s?}", "slug", c->slug, "name", c->name,
		      "name_en", c->name_en, "kind", c->kind, "level",
		      c->level, "recognised_on", c->recognised_on, "region",
		      c->region, "address", c->address, "geo", c->has_geo ?
		      json_pack("{s:f, s:f}", "lat", c->geo_lat, "lon",
				c->geo_lon) : json_null(),
		      "website", c->website, "contact", c->contact,
		      "retired_from", c->retired_from);
	if (o && with_feed) {
		snprintf(path, sizeof(path), "/calendars/carriers/%s.ics",
			 c->slug);
		json_object_set_new(o, "feed", svc_feed_links(svc, path));
	}
	return o;
}


int
svc_carrier_retired(struct svc *svc, const char *slug, char day[11])
{
	struct db_carrier c;
	int retired;

	day[0] = '\0';
	if (!slug || db_carrier_get(svc->db, slug, &c) != 0)
		return 0;
	retired = c.retired_from != NULL;
	if (retired)
		snprintf(day, 11, "%s", c.retired_from);
	db_carrier_release(&c);
	return retired;
}

int
svc_event_carrier_closed(struct svc_request *req, const struct db_event *ev,
			 enum MHD_Result *ret)
{
	struct db_carrier c;
	json_t *errors;
	char day[11];
	int rc;

	if (!ev->carrier)
		return 0;
	rc = db_carrier_get(req->svc->db, ev->carrier, &c);
	if (rc == -ENOENT)
		return 0;	/* the caller reports unknown carriers */
	if (rc != 0) {
		*ret = svc_respond_errno(req, rc, "the carrier");
		return 1;
	}
	if (cal_carrier_may_host(&c, ev, day)) {
		db_carrier_release(&c);
		return 0;
	}
	errors = json_array();
	svc_problem_add(errors, "carrier", "'%s' is retired from %s: it hosts"
			" no event on or after that date (this one is on %s)",
			c.slug, c.retired_from, day);
	*ret = svc_problem(req, SVC_PROB_CARRIER_RETIRED, "carrier: the host"
			   " carrier is retired", errors);
	db_carrier_release(&c);
	return 1;
}

/* ---- carriers ---- */

/* Apply obj's carrier fields onto c (strings borrowed from obj). */
static void
read_carrier(struct svc *svc, json_t *obj, struct db_carrier *c,
	     json_t *errors)
{
	const char *s;
	json_t *v;

	if (svc_admin_take_text(obj, "name", 200, 0, &s, errors) == 1)
		c->name = (char *)s;
	if (svc_admin_take_text(obj, "name_en", 200, 1, &s, errors) == 1)
		c->name_en = (char *)s;
	if (svc_admin_take_choice(obj, "kind", carrier_kinds, &s, errors) == 1)
		c->kind = (char *)s;
	if (svc_admin_take_choice(obj, "level", carrier_levels, &s,
				  errors) == 1) {
		c->level = (char *)s;
		if (strcmp(s, "none") == 0 &&
		    !json_object_get(obj, "recognised_on"))
			c->recognised_on = NULL;
	}
	if (svc_admin_take_date(obj, "recognised_on", &s, errors) == 1)
		c->recognised_on = (char *)s;
	if (svc_admin_take_text(obj, "region", SVC_SLUG_MAX, 0, &s,
				errors) == 1) {
		struct db_region r;

		if (db_region_get(svc->db, s, &r) != 0) {
			svc_problem_add(errors, "region", "'%s' is not a known"
					" region (GET /api/v1/regions)", s);
		} else {
			if (r.partner)
				svc_problem_add(errors, "region", "'%s' is a"
						" partner region; carriers"
						" belong to the district's"
						" regions", s);
			db_region_release(&r);
		}
		c->region = (char *)s;
	}
	if (svc_admin_take_text(obj, "address", 500, 1, &s, errors) == 1)
		c->address = (char *)s;
	if (svc_admin_take_text(obj, "contact", 200, 1, &s, errors) == 1)
		c->contact = (char *)s;
	if (svc_admin_take_text(obj, "website", 500, 1, &s, errors) == 1) {
		const char *host = s ? strstr(s, "://") : NULL;

		if (s && ((strncmp(s, "https://", 8) != 0 &&
			   strncmp(s, "http://", 7) != 0) || strchr(s, ' ') ||
			  !host[3] || host[3] == '/'))
			svc_problem_add(errors, "website", "must be an http://"
					" or https:// URL");
		c->website = (char *)s;
	}
	if ((v = json_object_get(obj, "geo"))) {
		json_t *lat = json_object_get(v, "lat"),
		       *lon = json_object_get(v, "lon");

		if (json_is_null(v)) {
			c->has_geo = 0;
		} else if (!json_is_object(v) || json_object_size(v) != 2 ||
			   !json_is_number(lat) || !json_is_number(lon) ||
			   json_number_value(lat) < -90 ||
			   json_number_value(lat) > 90 ||
			   json_number_value(lon) < -180 ||
			   json_number_value(lon) > 180) {
			svc_problem_add(errors, "geo", "must be null or"
					" {\"lat\": -90..90,"
					" \"lon\": -180..180}");
		} else {
			c->has_geo = 1;
			c->geo_lat = json_number_value(lat);
			c->geo_lon = json_number_value(lon);
		}
	}
	if (svc_admin_take_date(obj, "retired_from", &s, errors) == 1)
		c->retired_from = (char *)s;
	if (c->level && strcmp(c->level, "none") == 0 && c->recognised_on)
		svc_problem_add(errors, "recognised_on", "a carrier of level"
				" none has no recognition date");
}

/*
 * The latest live occurrence start (seconds UTC; 0: none) hosted by
 * carrier slug, and that event's id. 0 or -errno.
 */
static int
carrier_last_event(struct svc *svc, const char *slug, int64_t *last,
		   int64_t *id)
{
	struct db_event_filter f;
	struct db_event_list l;
	int64_t t;
	size_t i;
	int rc;

	memset(&f, 0, sizeof(f));
	f.carrier = slug;
	*last = 0;
	*id = 0;
	rc = db_event_list(svc->db, &f, &l);
	if (rc != 0)
		return rc;
	for (i = 0; i < l.n; i++) {
		t = cal_event_last_start(&l.items[i], 1);
		if (t && (!*id || t > *last)) {
			*last = t;
			*id = l.items[i].id;
		}
	}
	db_event_list_free(&l);
	return 0;
}

static enum MHD_Result
invalid(struct svc_request *req, const char *title, json_t *errors)
{
	return svc_problem_fields(req, SVC_PROB_VALIDATION, title, errors);
}

/*
 * Store c (create or update) with its audit row in one transaction and
 * answer with the stored carrier. before: the stored carrier's JSON or NULL
 * (borrowed).
 */
static enum MHD_Result
save_carrier(struct svc_request *req, const struct svc_auth *auth,
	     const struct db_carrier *c, json_t *before, const char *action)
{
	struct svc *svc = req->svc;
	struct db_carrier stored;
	json_t *after = NULL;
	int rc, have = 0;

	rc = db_tx_begin(svc->db);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the carrier");
	rc = before ? db_carrier_update(svc->db, c) : db_carrier_insert(svc->db,
									  c);
	if (rc == 0 && (rc = db_carrier_get(svc->db, c->slug, &stored)) == 0)
		have = 1;
	if (rc == 0 && !(after = svc_carrier_json(svc, &stored, 0)))
		rc = -ENOMEM;
	if (rc == 0)
		rc = svc_audit_write(svc, auth->actor, "carrier", c->slug,
				     action, before, after);
	rc = db_tx_end(svc->db, rc);
	json_decref(after);
	if (rc == -EEXIST) {
		char d[160];

		snprintf(d, sizeof(d), "carrier '%s' exists (slugs are never"
			 " reused)", c->slug);
		if (have)
			db_carrier_release(&stored);
		return svc_admin_conflict(req, "slug", d);
	}
	if (rc != 0) {
		if (have)
			db_carrier_release(&stored);
		return svc_respond_errno(req, rc, "the carrier");
	}
	svc_feed_cache_release(svc);
	after = svc_carrier_json(svc, &stored, 1);
	db_carrier_release(&stored);
	return svc_respond_json(req, before ? 200 : 201, after);
}

enum MHD_Result
svc_h_carriers_create(struct svc_request *req)
{
	struct db_carrier c, old;
	enum MHD_Result ret;
	json_t *errors, *obj;
	const char *slug = NULL;

	errors = json_array();
	if (svc_body_read(req->body, req->body_len, "a carrier",
			  carrier_fields, NULL, errors, &obj) == -EBADMSG)
		return invalid(req, "Invalid carrier", errors);
	memset(&c, 0, sizeof(c));
	c.level = (char *)"none";
	svc_admin_read_slug(obj, &slug, errors);
	c.slug = (char *)slug;
	read_carrier(req->svc, obj, &c, errors);
	if (!json_object_get(obj, "name"))
		svc_problem_add(errors, "name", "is required");
	if (!json_object_get(obj, "kind"))
		svc_problem_add(errors, "kind", "is required: maker_space,"
				" incubator, accelerator or platform");
	if (!json_object_get(obj, "region"))
		svc_problem_add(errors, "region", "is required: a region slug");
	if (json_array_size(errors)) {
		json_decref(obj);
		return invalid(req, "Invalid carrier", errors);
	}
	json_decref(errors);
	if (db_carrier_get(req->svc->db, slug, &old) == 0) {
		char d[160];

		db_carrier_release(&old);
		snprintf(d, sizeof(d), "carrier '%s' exists (slugs are never"
			 " reused)", slug);
		ret = svc_admin_conflict(req, "slug", d);
	} else {
		ret = save_carrier(req, &req->auth, &c, NULL, "create");
	}
	json_decref(obj);
	return ret;
}

enum MHD_Result
svc_h_carrier_patch(struct svc_request *req)
{
	struct db_carrier stored, c;
	enum MHD_Result ret;
	json_t *errors = NULL, *obj = NULL, *before = NULL;
	const char *action = "update";
	int rc;

	rc = db_carrier_get(req->svc->db, req->params[0], &stored);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the carrier");
	errors = json_array();
	svc_body_read(req->body, req->body_len, "a carrier", carrier_fields + 1,
		      NULL, errors, &obj);
	if (obj && json_object_get(obj, "slug")) {
		json_array_clear(errors);	/* say why, once */
		svc_problem_add(errors, "slug", "is fixed once created: feed"
				" URLs use it (rename with name)");
	}
	c = stored;
	if (obj)
		read_carrier(req->svc, obj, &c, errors);
	if (json_array_size(errors)) {
		ret = invalid(req, "Invalid carrier", errors);
		errors = NULL;
		goto out;
	}
	if (c.retired_from && (!stored.retired_from ||
			       strcmp(c.retired_from, stored.retired_from))) {
		char day[11], d[240];
		int64_t id, last;

		rc = carrier_last_event(req->svc, c.slug, &last, &id);
		if (rc != 0) {
			ret = svc_respond_errno(req, rc, "the events");
			goto out;
		}
		if (!cal_retire_date_ok(c.retired_from, last, day)) {
			snprintf(d, sizeof(d), "must be after the carrier's"
				 " last event (event %lld on %s)",
				 (long long)id, day);
			ret = svc_admin_conflict(req, "retired_from", d);
			goto out;
		}
		if (!stored.retired_from)
			action = "retire";
	}
	before = svc_carrier_json(req->svc, &stored, 0);
	if (before && svc_admin_unchanged(before,
					  svc_carrier_json(req->svc, &c, 0)))
		ret = svc_respond_json(req, 200, svc_carrier_json(req->svc,
								  &stored, 1));
	else
		ret = before ? save_carrier(req, &req->auth, &c, before,
					    action)
			     : svc_respond_errno(req, -ENOMEM, "");
out:
	json_decref(before);
	json_decref(errors);
	json_decref(obj);
	db_carrier_release(&stored);
	return ret;
}
