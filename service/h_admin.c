/*
 * h_admin.c: admins keep carriers and regions current (issue 9).
 *
 *   POST  /api/v1/carriers          {slug, name, kind, region, level?,
 *                                    name_en?, recognised_on?, address?,
 *                                    geo?, website?, contact?,
 *                                    retired_from?}
 *   PATCH /api/v1/carriers/{slug}   any of those but slug (fixed: feed
 *                                    URLs use it)
 *   POST  /api/v1/regions           {slug, name, kind, name_en?, targets?,
 *                                    target_year?}
 *   PATCH /api/v1/regions/{slug}    name, name_en, kind, targets (some or
 *                                    all of the three), target_year
 *
 * Every change and its audit row (before/after, the real actor) commit in
 * one transaction; a refused request changes nothing. A carrier retired
 * from a date keeps its events and feed but hosts no event starting on or
 * after that date; the date must fall after the carrier's last event.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "../calendar/recur.h"
#include "../db/admin_store.h"
#include "svc_admin.h"

#define SLUG_MAX 64

static const char *const carrier_create_fields[] = {
	"slug", "name", "name_en", "kind", "level", "recognised_on", "region",
	"address", "geo", "website", "contact", "retired_from", NULL,
};
static const char *const region_create_fields[] = {
	"slug", "name", "name_en", "kind", "targets", "target_year", NULL,
};
static const char *const carrier_kinds[] = {
	"maker_space", "incubator", "accelerator", "platform", NULL,
};
static const char *const carrier_levels[] = {
	"national", "municipal", "district", "none", NULL,
};
static const char *const region_kinds[] = {
	"zone", "street", "town", "partner", NULL,
};

static int
listed(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

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

/* ---- shared helpers ---- */

int
svc_admin_gate(struct svc_request *req, struct svc_auth *auth,
	       const char *what, enum MHD_Result *ret)
{
	char detail[160];
	int rc = svc_auth_resolve(req, auth);

	if (rc != 0 || !auth->present) {
		svc_auth_release(auth);
		snprintf(detail, sizeof(detail), "%s need an admin's"
			 " credentials", what);
		*ret = rc == 0 || rc == -EACCES ?
		       svc_respond_unauthorized(req, detail) :
		       svc_respond_errno(req, rc, "the credentials");
		return -1;
	}
	if (!auth->admin) {
		svc_auth_release(auth);
		snprintf(detail, sizeof(detail), "%s are changed by admins",
			 what);
		*ret = svc_respond_problem(req, 403, "admin-only", "Forbidden",
					   detail, NULL);
		return -1;
	}
	return 0;
}

int
svc_audit_write_at(struct db *db, int64_t at_utc, const char *actor,
		   const char *object_type, const char *object_id,
		   const char *action, json_t *before, json_t *after)
{
	char *b = NULL, *a = NULL;
	int rc = -ENOMEM;

	if (before && !(b = json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS)))
		goto out;
	if (after && !(a = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS)))
		goto out;
	rc = db_audit_add(db, at_utc, actor, object_type, object_id, action, b,
			  a);
out:
	free(b);
	free(a);
	return rc;
}

int
svc_audit_write(struct svc *svc, const char *actor, const char *object_type,
		const char *object_id, const char *action, json_t *before,
		json_t *after)
{
	return svc_audit_write_at(svc->db, svc->clock(), actor, object_type,
				  object_id, action, before, after);
}

/* Latest start (seconds UTC) of ev's occurrences; with live_only, of those
 * not cancelled (0 when none). A single event is its start. */
static int64_t
last_start(const struct db_event *ev, int live_only)
{
	struct cal_instance *in = NULL;
	int64_t last = 0;
	size_t n = 0, i;

	if (live_only && strcmp(ev->status, "CANCELLED") == 0)
		return 0;
	if (!ev->rrule)
		return ev->start_utc;
	if (cal_event_instances(ev, -(INT64_C(1) << 40), INT64_C(1) << 40,
				CAL_RECUR_MAX_OCCURRENCES + 1, &in, &n) != 0)
		return ev->start_utc;
	for (i = 0; i < n; i++) {
		if (live_only && in[i].status &&
		    strcmp(in[i].status, "CANCELLED") == 0)
			continue;
		if (in[i].start_utc > last || !last)
			last = in[i].start_utc;
	}
	free(in);
	return last;
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
	if (!c.retired_from ||
	    cal_local_date(last_start(ev, 0), CAL_DISTRICT_TZID, day) != 0 ||
	    strcmp(day, c.retired_from) < 0) {
		db_carrier_release(&c);
		return 0;
	}
	errors = json_array();
	svc_problem_add(errors, "carrier", "'%s' is retired from %s: it hosts"
			" no event on or after that date (this one is on %s)",
			c.slug, c.retired_from, day);
	*ret = svc_respond_problem(req, 409, "carrier-retired", "Conflict",
				   "carrier: the host carrier is retired",
				   errors);
	db_carrier_release(&c);
	return 1;
}

/* ---- body reading ---- */

static json_t *
parse_object(struct svc_request *req, const char *const *fields,
	     const char *what, json_t *errors)
{
	json_error_t jerr;
	json_t *obj, *v;
	const char *key;

	obj = req->body ? json_loadb(req->body, req->body_len,
				     JSON_REJECT_DUPLICATES, &jerr) : NULL;
	if (!obj || !json_is_object(obj)) {
		svc_problem_add(errors, "body", obj ? "must be a JSON object" :
				"malformed JSON");
		json_decref(obj);
		return NULL;
	}
	json_object_foreach(obj, key, v)
		if (!listed(fields, key))
			svc_problem_add(errors, key, "is not a field of a%s %s",
					what[0] == 'a' ? "n" : "", what);
	return obj;
}

static int
has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/*
 * Field `name` of obj as text of 1..max octets without control characters.
 * Returns 1 and *out (borrowed from obj; NULL for JSON null when nullable)
 * when present and valid, 0 when absent, -1 after adding an error.
 */
static int
take_text(json_t *obj, const char *name, size_t max, int nullable,
	  const char **out, json_t *errors)
{
	json_t *v = json_object_get(obj, name);
	const char *s;

	*out = NULL;
	if (!v)
		return 0;
	if (json_is_null(v) && nullable)
		return 1;
	s = json_string_value(v);
	if (!s || !*s || json_string_length(v) > max ||
	    strlen(s) != json_string_length(v) || has_control(s)) {
		svc_problem_add(errors, name, "must be %stext of 1 to %zu"
				" octets without control characters",
				nullable ? "null or " : "", max);
		return -1;
	}
	*out = s;
	return 1;
}

static int
take_choice(json_t *obj, const char *name, const char *const *list,
	    const char **out, json_t *errors)
{
	json_t *v = json_object_get(obj, name);
	const char *s = json_string_value(v);

	if (!v)
		return 0;
	if (!s || !listed(list, s)) {
		char choices[160] = "";
		const char *const *p;

		for (p = list; *p; p++) {
			if (*choices)
				strncat(choices, ", ", sizeof(choices) -
					strlen(choices) - 1);
			strncat(choices, *p, sizeof(choices) - strlen(choices) -
				1);
		}
		svc_problem_add(errors, name, "must be one of %s", choices);
		return -1;
	}
	*out = s;
	return 1;
}

static int
take_date(json_t *obj, const char *name, const char **out, json_t *errors)
{
	json_t *v = json_object_get(obj, name);
	int y, m, d;

	*out = NULL;
	if (!v)
		return 0;
	if (json_is_null(v))
		return 1;
	if (!json_is_string(v) ||
	    cal_date_parse(json_string_value(v), &y, &m, &d) != 0 ||
	    y < 1970 || y > 2200) {
		svc_problem_add(errors, name, "must be null or a date"
				" YYYY-MM-DD (1970 to 2200)");
		return -1;
	}
	*out = json_string_value(v);
	return 1;
}

/* An ASCII slug: 1..64 of a-z, 0-9 and '-', not starting or ending with
 * '-'. NULL when valid, else the reason. */
static const char *
slug_problem(const char *s)
{
	size_t i, n;

	if (!s)
		return "is required: a string";
	n = strlen(s);
	if (n == 0 || n > SLUG_MAX)
		return "must be 1 to 64 characters";
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return "must use only ASCII a-z, 0-9 and '-'";
	if (s[0] == '-' || s[n - 1] == '-')
		return "must not start or end with '-'";
	return NULL;
}

static void
read_slug(json_t *obj, const char **out, json_t *errors)
{
	json_t *v = json_object_get(obj, "slug");
	const char *why;

	*out = json_string_value(v);
	if (v && !json_is_string(v))
		why = "is required: a string";
	else
		why = slug_problem(*out);
	if (why)
		svc_problem_add(errors, "slug", "%s", why);
	else if (strlen(*out) != json_string_length(v))
		svc_problem_add(errors, "slug", "must use only ASCII a-z, 0-9"
				" and '-'");
}

/* ---- carriers ---- */

/* Apply obj's carrier fields onto c (strings borrowed from obj). */
static void
read_carrier(struct svc *svc, json_t *obj, struct db_carrier *c,
	     json_t *errors)
{
	const char *s;
	json_t *v;

	if (take_text(obj, "name", 200, 0, &s, errors) == 1)
		c->name = (char *)s;
	if (take_text(obj, "name_en", 200, 1, &s, errors) == 1)
		c->name_en = (char *)s;
	if (take_choice(obj, "kind", carrier_kinds, &s, errors) == 1)
		c->kind = (char *)s;
	if (take_choice(obj, "level", carrier_levels, &s, errors) == 1) {
		c->level = (char *)s;
		if (strcmp(s, "none") == 0 &&
		    !json_object_get(obj, "recognised_on"))
			c->recognised_on = NULL;
	}
	if (take_date(obj, "recognised_on", &s, errors) == 1)
		c->recognised_on = (char *)s;
	if (take_text(obj, "region", SLUG_MAX, 0, &s, errors) == 1) {
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
	if (take_text(obj, "address", 500, 1, &s, errors) == 1)
		c->address = (char *)s;
	if (take_text(obj, "contact", 200, 1, &s, errors) == 1)
		c->contact = (char *)s;
	if (take_text(obj, "website", 500, 1, &s, errors) == 1) {
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
	if (take_date(obj, "retired_from", &s, errors) == 1)
		c->retired_from = (char *)s;
	if (c->level && strcmp(c->level, "none") == 0 && c->recognised_on)
		svc_problem_add(errors, "recognised_on", "a carrier of level"
				" none has no recognition date");
}

/*
 * The local date (YYYY-MM-DD) of the last live occurrence hosted by carrier
 * slug, and that event's id, into day/id; day "" when none. 0 or -errno.
 */
static int
carrier_last_event(struct svc *svc, const char *slug, char day[11],
		   int64_t *id)
{
	struct db_event_filter f;
	struct db_event_list l;
	int64_t last = 0, t;
	size_t i;
	int rc;

	memset(&f, 0, sizeof(f));
	f.carrier = slug;
	day[0] = '\0';
	*id = 0;
	rc = db_event_list(svc->db, &f, &l);
	if (rc != 0)
		return rc;
	for (i = 0; i < l.n; i++) {
		t = last_start(&l.items[i], 1);
		if (t && (!*id || t > last)) {
			last = t;
			*id = l.items[i].id;
		}
	}
	db_event_list_free(&l);
	if (*id)
		cal_local_date(last, CAL_DISTRICT_TZID, day);
	return 0;
}

/* 1 when a PATCH changes nothing (then nothing is written, no audit
 * row). before borrowed, after stolen. */
static int
unchanged(json_t *before, json_t *after)
{
	int same = after && json_equal(before, after);

	json_decref(after);
	return same;
}

static enum MHD_Result
invalid(struct svc_request *req, const char *title, json_t *errors)
{
	return svc_respond_invalid(req, "validation-error", title, errors);
}

static enum MHD_Result
conflict(struct svc_request *req, const char *field, const char *detail)
{
	json_t *e = json_array();
	char text[320];

	svc_problem_add(e, field, "%s", detail);
	snprintf(text, sizeof(text), "%s: %s", field, detail);
	return svc_respond_problem(req, 409, "conflict", "Conflict", text, e);
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
		return conflict(req, "slug", d);
	}
	if (rc != 0) {
		if (have)
			db_carrier_release(&stored);
		return svc_respond_errno(req, rc, "the carrier");
	}
	svc_feed_cache_release(svc);	/* ORGANIZER names may change */
	after = svc_carrier_json(svc, &stored, 1);
	db_carrier_release(&stored);
	return svc_respond_json(req, before ? 200 : 201, after);
}

enum MHD_Result
svc_h_carriers_create(struct svc_request *req)
{
	struct svc_auth auth;
	struct db_carrier c, old;
	enum MHD_Result ret;
	json_t *errors, *obj;
	const char *slug = NULL;

	if (svc_admin_gate(req, &auth, "carriers", &ret) != 0)
		return ret;
	errors = json_array();
	obj = parse_object(req, carrier_create_fields, "carrier", errors);
	if (!obj) {
		ret = invalid(req, "Invalid carrier", errors);
		goto out;
	}
	memset(&c, 0, sizeof(c));
	c.level = (char *)"none";
	read_slug(obj, &slug, errors);
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
		ret = invalid(req, "Invalid carrier", errors);
		json_decref(obj);
		goto out;
	}
	json_decref(errors);
	if (db_carrier_get(req->svc->db, slug, &old) == 0) {
		char d[160];

		db_carrier_release(&old);
		snprintf(d, sizeof(d), "carrier '%s' exists (slugs are never"
			 " reused)", slug);
		ret = conflict(req, "slug", d);
	} else {
		ret = save_carrier(req, &auth, &c, NULL, "create");
	}
	json_decref(obj);
	svc_auth_release(&auth);
	return ret;
out:
	svc_auth_release(&auth);
	return ret;
}

enum MHD_Result
svc_h_carrier_patch(struct svc_request *req)
{
	struct svc_auth auth;
	struct db_carrier stored, c;
	enum MHD_Result ret;
	json_t *errors = NULL, *obj = NULL, *before = NULL;
	const char *action = "update";
	int rc;

	if (svc_admin_gate(req, &auth, "carriers", &ret) != 0)
		return ret;
	rc = db_carrier_get(req->svc->db, req->params[0], &stored);
	if (rc != 0) {
		svc_auth_release(&auth);
		return svc_respond_errno(req, rc, "the carrier");
	}
	errors = json_array();
	obj = parse_object(req, carrier_create_fields + 1, "carrier", errors);
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
		int64_t id;

		rc = carrier_last_event(req->svc, c.slug, day, &id);
		if (rc != 0) {
			ret = svc_respond_errno(req, rc, "the events");
			goto out;
		}
		if (*day && strcmp(c.retired_from, day) <= 0) {
			snprintf(d, sizeof(d), "must be after the carrier's"
				 " last event (event %lld on %s)",
				 (long long)id, day);
			ret = conflict(req, "retired_from", d);
			goto out;
		}
		if (!stored.retired_from)
			action = "retire";
	}
	before = svc_carrier_json(req->svc, &stored, 0);
	if (before && unchanged(before, svc_carrier_json(req->svc, &c, 0)))
		ret = svc_respond_json(req, 200, svc_carrier_json(req->svc,
								  &stored, 1));
	else
		ret = before ? save_carrier(req, &auth, &c, before, action)
			     : svc_respond_errno(req, -ENOMEM, "");
out:
	json_decref(before);
	json_decref(errors);
	json_decref(obj);
	db_carrier_release(&stored);
	svc_auth_release(&auth);
	return ret;
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

	if (take_text(obj, "name", 200, 0, &s, errors) == 1)
		r->name = (char *)s;
	if (take_text(obj, "name_en", 200, 0, &s, errors) == 1)
		r->name_en = (char *)s;
	if (take_choice(obj, "kind", region_kinds, &s, errors) == 1) {
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
			return conflict(req, "slug", "a region with this slug"
					" exists");
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
	struct svc_auth auth;
	struct db_region r, old;
	enum MHD_Result ret;
	json_t *errors, *obj;
	const char *slug = NULL;

	if (svc_admin_gate(req, &auth, "regions", &ret) != 0)
		return ret;
	errors = json_array();
	obj = parse_object(req, region_create_fields, "region", errors);
	if (!obj) {
		ret = invalid(req, "Invalid region", errors);
		svc_auth_release(&auth);
		return ret;
	}
	memset(&r, 0, sizeof(r));
	read_slug(obj, &slug, errors);
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
		ret = conflict(req, "slug", "a region with this slug exists");
	} else {
		json_decref(errors);
		ret = save_region(req, &auth, &r, NULL);
	}
	json_decref(obj);
	svc_auth_release(&auth);
	return ret;
}

enum MHD_Result
svc_h_region_patch(struct svc_request *req)
{
	struct svc_auth auth;
	struct db_region stored, r;
	enum MHD_Result ret;
	json_t *errors, *obj, *before = NULL;
	int rc;

	if (svc_admin_gate(req, &auth, "regions", &ret) != 0)
		return ret;
	rc = db_region_get(req->svc->db, req->params[0], &stored);
	if (rc != 0) {
		svc_auth_release(&auth);
		return svc_respond_errno(req, rc, "the region");
	}
	errors = json_array();
	obj = parse_object(req, region_create_fields + 1, "region", errors);
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
		if (before && unchanged(before, svc_region_json(req->svc, &r,
								0)))
			ret = svc_respond_json(req, 200, svc_region_json(
					       req->svc, &stored, 1));
		else
			ret = before ? save_region(req, &auth, &r, before)
				     : svc_respond_errno(req, -ENOMEM, "");
	}
	json_decref(before);
	json_decref(obj);
	db_region_release(&stored);
	svc_auth_release(&auth);
	return ret;
}
