/*
 * h_rules.c: cadence rules as data (admins).
 *
 *   GET    /api/v1/rules            every rule with its versions
 *   GET    /api/v1/rules/{id}
 *   POST   /api/v1/rules            {id, name, kinds, period, min, scope,
 *                                    active_from?}
 *   PATCH  /api/v1/rules/{id}       {name?, kinds?, period?, min?, scope?,
 *                                    effective_from?}
 *   DELETE /api/v1/rules/{id}[?effective_to=DATE]   retire
 *
 * A change never rewrites history: it closes the live version at a period
 * start and opens a new one there, so reports on earlier periods keep the
 * rule as it was. Dates are rounded down to the start of the rule's period
 * (month, quarter, year) in Asia/Shanghai; the default is the start of the
 * current period for a change, the start of the next one for retirement.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/cadence.h"
#include "../calendar/cadence_rule.h"
#include "../calendar/caltime.h"
#include "../calendar/kind.h"
#include "../calendar/types.h"
#include "body.h"
#include "report.h"
#include "sbuf.h"
#include "svc.h"
#include "svc_admin.h"

/* The members of a rule's body, checked by read_rule_fields() and the
 * handlers (their codes are errcode.c's: bad_period, unknown_kind, ...). */
static const struct svc_field create_fields[] = {
	{ "id", SVC_FIELD_ANY, 0, 0, NULL },
	{ "name", SVC_FIELD_ANY, 0, 0, NULL },
	{ "kinds", SVC_FIELD_ANY, 0, 0, NULL },
	{ "period", SVC_FIELD_ANY, 0, 0, NULL },
	{ "min", SVC_FIELD_ANY, 0, 0, NULL },
	{ "scope", SVC_FIELD_ANY, 0, 0, NULL },
	{ "active_from", SVC_FIELD_ANY, 0, 0, NULL },
	{ NULL, SVC_FIELD_ANY, 0, 0, NULL },
};
static const struct svc_field patch_fields[] = {
	{ "name", SVC_FIELD_ANY, 0, 0, NULL },
	{ "kinds", SVC_FIELD_ANY, 0, 0, NULL },
	{ "period", SVC_FIELD_ANY, 0, 0, NULL },
	{ "min", SVC_FIELD_ANY, 0, 0, NULL },
	{ "scope", SVC_FIELD_ANY, 0, 0, NULL },
	{ "effective_from", SVC_FIELD_ANY, 0, 0, NULL },
	{ NULL, SVC_FIELD_ANY, 0, 0, NULL },
};

static json_t *
version_json(const struct db_rule *r)
{
	char created[32] = "";

	if (r->created_utc)
		cal_time_format_rfc3339(r->created_utc, "UTC", created);
	return json_pack("{s:I, s:s, s:o, s:s, s:I, s:s, s:s?, s:s?, s:s?,"
			 " s:s?}", "version", (json_int_t)r->version,
			 "name", r->name, "kinds",
			 svc_rule_kinds_json(r->kinds), "period", r->period,
			 "min", (json_int_t)r->min_count, "scope", r->scope,
			 "active_from", r->active_from, "active_to",
			 r->active_to, "actor", r->actor, "created",
			 *created ? created : NULL);
}

/* The rule `id` (its versions are rules[first..first+n)) as JSON. */
static json_t *
rule_json(const struct db_rule *v, size_t n)
{
	const struct db_rule *cur = &v[n - 1];
	json_t *versions = json_array();
	size_t i;

	for (i = 0; versions && i < n; i++)
		json_array_append_new(versions, version_json(&v[i]));
	return json_pack("{s:s, s:s, s:o, s:s, s:I, s:s, s:s?, s:s?, s:b,"
			 " s:o?}", "id", cur->id, "name", cur->name, "kinds",
			 svc_rule_kinds_json(cur->kinds), "period", cur->period,
			 "min", (json_int_t)cur->min_count, "scope",
			 cur->scope, "active_from", v[0].active_from,
			 "active_to", cur->active_to, "live",
			 cur->active_to == NULL, "versions", versions);
}

/* Group versions by rule id (db_rules_list keeps a rule's versions
 * together). Calls fn for each id; stops when fn returns nonzero. */
static json_t *
rules_json(const struct db_rule *v, size_t n, const char *only)
{
	json_t *items = json_array();
	size_t i = 0, j;

	while (items && i < n) {
		for (j = i + 1; j < n && strcmp(v[j].id, v[i].id) == 0; j++)
			;
		if (!only || strcmp(only, v[i].id) == 0)
			json_array_append_new(items, rule_json(&v[i], j - i));
		i = j;
	}
	return items;
}

static enum MHD_Result
respond_rule(struct svc_request *req, unsigned int status, const char *id)
{
	struct db_rule *v = NULL;
	size_t n = 0;
	json_t *items;
	int rc = db_rules_list(req->svc->db, &v, &n);

	if (rc != 0)
		return svc_respond_errno(req, rc, "the rules");
	items = rules_json(v, n, id);
	db_rules_free(v, n);
	if (items && json_array_size(items) == 0) {
		json_decref(items);
		return svc_respond_errno(req, -ENOENT, "the rule");
	}
	if (!id)
		return svc_respond_json(req, status, json_pack("{s:o?}",
					"items", items));
	{
		json_t *one = json_incref(json_array_get(items, 0));

		json_decref(items);
		return svc_respond_json(req, status, one);
	}
}

/* Rule id as JSON (every version), or NULL when it does not exist. */
static json_t *
rule_snapshot(struct db *db, const char *id)
{
	struct db_rule *v = NULL;
	json_t *items, *one = NULL;
	size_t n = 0;

	if (db_rules_list(db, &v, &n) != 0)
		return NULL;
	items = rules_json(v, n, id);
	db_rules_free(v, n);
	if (items && json_array_size(items) == 1)
		one = json_incref(json_array_get(items, 0));
	json_decref(items);
	return one;
}

/* Finish a rule change begun with db_tx_begin(): when rc is 0, write the
 * audit row (before borrowed, NULL for a new rule) and commit. */
static int
audit_rule(struct svc *svc, int rc, const char *actor, const char *id,
	   const char *action, json_t *before)
{
	json_t *after = NULL;

	if (rc == 0 && !(after = rule_snapshot(svc->db, id)))
		rc = -EIO;
	if (rc == 0)
		rc = svc_audit_write(svc, actor, "rule", id, action, before,
				     after);
	json_decref(after);
	return db_tx_end(svc->db, rc);
}

enum MHD_Result
svc_h_rules_list(struct svc_request *req)
{
	return respond_rule(req, 200, NULL);
}

enum MHD_Result
svc_h_rule_get(struct svc_request *req)
{
	return respond_rule(req, 200, req->params[0]);
}

/* Fields shared by create and patch, applied onto r (strings point into
 * obj or into kinds_buf). */
static void
read_rule_fields(json_t *obj, struct db_rule *r, struct sbuf *kinds_buf,
		 json_t *errors)
{
	json_t *v;

	if ((v = json_object_get(obj, "name"))) {
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    json_string_length(v) > 200)
			svc_problem_add(errors, "name", "must be 1 to 200"
					" octets");
		else
			r->name = (char *)json_string_value(v);
	}
	if ((v = json_object_get(obj, "kinds"))) {
		size_t i, j, n = json_array_size(v);

		if (!json_is_array(v) || n == 0 || n > CAL_KIND_COUNT)
			svc_problem_add(errors, "kinds", "must be a non-empty"
					" array of event kinds");
		for (i = 0; json_is_array(v) && i < n; i++) {
			const char *k = json_string_value(json_array_get(v,
									 i));

			if (!k || !cal_kind_find(k)) {
				svc_problem_add(errors, "kinds", "item %zu is"
						" not an event kind", i);
				continue;
			}
			for (j = 0; j < i; j++)
				if (json_string_value(json_array_get(v, j)) &&
				    strcmp(json_string_value(json_array_get(v,
					   j)), k) == 0)
					svc_problem_add(errors, "kinds",
							"'%s' is listed twice",
							k);
			if (i)
				sbuf_adds(kinds_buf, ",");
			sbuf_adds(kinds_buf, k);
		}
		r->kinds = kinds_buf->buf;
	}
	if ((v = json_object_get(obj, "period"))) {
		enum cal_period_unit u;
		const char *p = json_string_value(v);

		if (!p || cal_period_unit_parse(p, &u) != 0)
			svc_problem_add(errors, "period", "must be month,"
					" quarter or year");
		else
			r->period = (char *)p;
	}
	if ((v = json_object_get(obj, "min"))) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 1000)
			svc_problem_add(errors, "min", "must be an integer"
					" from 1 to 1000");
		else
			r->min_count = json_integer_value(v);
	}
	if ((v = json_object_get(obj, "scope"))) {
		const char *sc = json_string_value(v);

		enum cal_scope_kind k;

		if (cal_scope_kind_parse(sc, &k) != 0)
			svc_problem_add(errors, "scope", "must be district,"
					" region, carrier or partner");
		else
			r->scope = (char *)sc;
	}
}

/* The body as a rule's object (new reference), or NULL after a "body"
 * error (svc_body_read()); unknown members are errors too. */
static json_t *
parse_object(struct svc_request *req, const struct svc_field *fields,
	     json_t *errors)
{
	json_t *obj;

	svc_body_read(req->body, req->body_len, "a cadence rule", fields,
		      NULL, errors, &obj);
	return obj;
}

/* A date field rounded down to its period start; "" when absent. */
static void
read_date(json_t *obj, const char *name, enum cal_period_unit unit,
	  char out[11], json_t *errors)
{
	json_t *v = json_object_get(obj, name);

	out[0] = '\0';
	if (!v || json_is_null(v))
		return;
	if (!json_is_string(v) ||
	    cal_period_round_date(unit, json_string_value(v), out) != 0)
		svc_problem_add(errors, name, "must be a date YYYY-MM-DD");
}

static enum MHD_Result
invalid_rule(struct svc_request *req, json_t *errors)
{
	return svc_problem_fields(req, SVC_PROB_VALIDATION,
				  "Invalid cadence rule", errors);
}

enum MHD_Result
svc_h_rules_create(struct svc_request *req)
{
	json_t *errors = json_array(), *obj, *v;
	struct sbuf kinds;
	struct db_rule r;
	enum MHD_Result ret;
	const char *actor = req->auth.actor;
	char from[11];
	const char *id, *p;
	int rc;

	sbuf_init(&kinds);
	memset(&r, 0, sizeof(r));
	obj = parse_object(req, create_fields, errors);
	if (!obj)
		return invalid_rule(req, errors);
	v = json_object_get(obj, "id");
	id = json_string_value(v);
	for (p = id; p && *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '-')
			break;
	if (!id || !*id || *p || strlen(id) > 64)
		svc_problem_add(errors, "id", "is required: 1 to 64 of a-z,"
				" 0-9 and -");
	r.id = (char *)id;
	read_rule_fields(obj, &r, &kinds, errors);
	if (!r.name)
		svc_problem_add(errors, "name", "is required");
	if (!r.kinds && !json_object_get(obj, "kinds"))
		svc_problem_add(errors, "kinds", "is required");
	if (!r.period && !json_object_get(obj, "period"))
		svc_problem_add(errors, "period", "is required");
	if (!r.min_count && !json_object_get(obj, "min"))
		r.min_count = 1;
	if (!r.scope && !json_object_get(obj, "scope"))
		r.scope = (char *)cal_scope_kind_name(CAL_SCOPE_KIND_DISTRICT);
	if (json_array_size(errors)) {
		ret = invalid_rule(req, errors);
		goto out;
	}
	read_date(obj, "active_from", cal_rule_unit(&r), from, errors);
	if (!*from)	/* default: from the current period on */
		cal_period_start_of_utc(cal_rule_unit(&r), req->svc->clock(),
					0, from);
	if (json_array_size(errors)) {
		ret = invalid_rule(req, errors);
		goto out;
	}
	r.active_from = from;
	rc = db_tx_begin(req->svc->db);
	if (rc == 0) {
		rc = db_rule_create(req->svc->db, &r, actor,
				    req->svc->clock());
		rc = audit_rule(req->svc, rc, actor, id, "create", NULL);
	}
	json_decref(errors);
	if (rc == -EEXIST) {
		json_t *e = json_array();

		svc_problem_add(e, "id", "rule '%s' exists (retired rules keep"
				" their id)", id);
		ret = svc_problem(req, SVC_PROB_CONFLICT,
				  "the rule id is taken", e);
	} else if (rc != 0) {
		ret = svc_respond_errno(req, rc, "the rule");
	} else {
		ret = respond_rule(req, 201, id);
	}
	json_decref(obj);
	sbuf_release(&kinds);
	return ret;
out:
	json_decref(obj);
	sbuf_release(&kinds);
	return ret;
}

/* The live version of rule id (copy of pointers into v), or NULL. */
static const struct db_rule *
live_of(const struct db_rule *v, size_t n, const char *id)
{
	const struct db_rule *live = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0 && !v[i].active_to)
			live = &v[i];
	return live;
}

enum MHD_Result
svc_h_rule_patch(struct svc_request *req)
{
	const char *id = req->params[0];
	json_t *errors = json_array(), *obj = NULL;
	struct db_rule *v = NULL, r;
	const struct db_rule *live;
	struct sbuf kinds;
	enum MHD_Result ret;
	const char *actor = req->auth.actor;
	char from[11];
	json_t *before = NULL;
	size_t n = 0;
	int rc;

	sbuf_init(&kinds);
	rc = db_rules_list(req->svc->db, &v, &n);
	if (rc != 0) {
		ret = svc_respond_errno(req, rc, "the rules");
		goto out;
	}
	live = live_of(v, n, id);
	if (!live) {
		ret = svc_respond_errno(req, -ENOENT, "a live rule with this"
					" id");
		goto out;
	}
	obj = parse_object(req, patch_fields, errors);
	if (!obj) {
		ret = invalid_rule(req, errors);
		errors = NULL;
		goto out;
	}
	r = *live;
	r.active_to = NULL;
	read_rule_fields(obj, &r, &kinds, errors);
	read_date(obj, "effective_from", cal_rule_unit(&r), from, errors);
	if (json_array_size(errors)) {
		ret = invalid_rule(req, errors);
		errors = NULL;
		goto out;
	}
	{
		char earliest[11];
		int scheduled;

		/* Ended periods keep the version that judged them. */
		if (!*from)
			cal_period_start_of_utc(cal_rule_unit(&r),
						req->svc->clock(), 0, from);
		if (!cal_rule_change_from_ok(live, cal_rule_unit(&r), from,
					     req->svc->clock(), earliest,
					     &scheduled)) {
			json_decref(errors);
			errors = json_array();
			svc_problem_add(errors, "effective_from", "must be on or"
					" after %s: ended periods keep the rule"
					" that judged them%s", earliest,
					scheduled ? " (a change from that date"
					" is already scheduled)" : "");
			ret = invalid_rule(req, errors);
			errors = NULL;
			goto out;
		}
	}
	before = rule_snapshot(req->svc->db, id);
	rc = before ? db_tx_begin(req->svc->db) : -ENOMEM;
	if (rc == 0) {
		rc = db_rule_change(req->svc->db, id, &r, from, actor,
				    req->svc->clock());
		rc = audit_rule(req->svc, rc, actor, id, "update", before);
	}
	if (rc != 0) {
		ret = svc_respond_errno(req, rc, "the rule");
		goto out;
	}
	ret = respond_rule(req, 200, id);
out:
	json_decref(before);
	json_decref(obj);
	json_decref(errors);
	db_rules_free(v, n);
	sbuf_release(&kinds);
	return ret;
}

enum MHD_Result
svc_h_rule_delete(struct svc_request *req)
{
	const char *id = req->params[0], *to_s = svc_query(req, "effective_to");
	struct db_rule *v = NULL;
	const struct db_rule *live;
	const char *actor = req->auth.actor;
	char to[11];
	json_t *before;
	size_t n = 0;
	int rc;

	rc = db_rules_list(req->svc->db, &v, &n);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the rules");
	live = live_of(v, n, id);
	if (!live) {
		db_rules_free(v, n);
		return svc_respond_errno(req, -ENOENT, "a live rule with this"
					 " id");
	}
	if (to_s) {
		if (cal_period_round_date(cal_rule_unit(live), to_s,
					  to) != 0) {
			json_t *e = json_array();

			db_rules_free(v, n);
			svc_problem_add(e, "effective_to", "must be a date"
					" YYYY-MM-DD");
			return invalid_rule(req, e);
		}
	} else {
		cal_period_start_of_utc(cal_rule_unit(live),
					req->svc->clock(), 1, to);
	}
	{
		char current[11];

		cal_period_start_of_utc(cal_rule_unit(live),
					req->svc->clock(), 0, current);
		if (strcmp(to, current) < 0) {
			json_t *e = json_array();

			db_rules_free(v, n);
			svc_problem_add(e, "effective_to", "must be on or after"
					" %s: ended periods keep the rule that"
					" judged them", current);
			return invalid_rule(req, e);
		}
	}
	db_rules_free(v, n);
	before = rule_snapshot(req->svc->db, id);
	rc = before ? db_tx_begin(req->svc->db) : -ENOMEM;
	if (rc == 0) {
		rc = db_rule_retire(req->svc->db, id, to, actor,
				    req->svc->clock());
		rc = audit_rule(req->svc, rc, actor, id, "retire", before);
	}
	json_decref(before);
	if (rc == -EINVAL) {
		json_t *e = json_array();

		svc_problem_add(e, "effective_to", "must be after the live"
				" version's start");
		return invalid_rule(req, e);
	}
	if (rc != 0)
		return svc_respond_errno(req, rc, "the rule");
	return respond_rule(req, 200, id);
}
