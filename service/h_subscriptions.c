/*
 * h_subscriptions.c: private feeds. A subscription is a secret URL
 * (/calendars/private/<secret>.ics — calendar clients cannot send
 * headers), revocable, that also carries TENTATIVE events. Only the SHA-256
 * of the secret is stored; each fetch records its time and User-Agent so
 * admins see which subscriptions are alive.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "../calendar/kind.h"
#include "body.h"
#include "svc.h"
#include "svc_admin.h"

/* The members of POST /api/v1/subscriptions; the filters' values are
 * checked by take_filter(). */
static const struct svc_field sub_fields[] = {
	{ "label", SVC_FIELD_ANY, 0, 0, NULL },
	{ "kind", SVC_FIELD_ANY, 0, 0, NULL },
	{ "region", SVC_FIELD_ANY, 0, 0, NULL },
	{ "carrier", SVC_FIELD_ANY, 0, 0, NULL },
	{ "partner", SVC_FIELD_ANY, 0, 0, NULL },
	{ NULL, SVC_FIELD_ANY, 0, 0, NULL },
};

static json_t *
sub_json(struct svc *svc, const struct db_subscription *s)
{
	char created[32], fetched[32] = "", revoked[32] = "";

	cal_time_format_rfc3339(s->created_utc, "UTC", created);
	if (s->last_fetch_utc)
		cal_time_format_rfc3339(s->last_fetch_utc, "UTC", fetched);
	if (s->revoked_utc)
		cal_time_format_rfc3339(s->revoked_utc, "UTC", revoked);
	(void)svc;
	return json_pack("{s:I, s:s, s:{s:s?, s:s?, s:s?, s:s?}, s:s, s:s?,"
			 " s:s?, s:s?, s:I}",
			 "id", (json_int_t)s->id, "label", s->label,
			 "filters", "kind", s->kind, "region", s->region,
			 "carrier", s->carrier, "partner", s->partner,
			 "created", created,
			 "revoked", *revoked ? revoked : NULL,
			 "last_fetched", *fetched ? fetched : NULL,
			 "last_user_agent", s->last_user_agent,
			 "fetch_count", (json_int_t)s->fetch_count);
}

enum MHD_Result
svc_h_subscriptions_list(struct svc_request *req)
{
	struct db_subscription *v = NULL;
	json_t *items;
	size_t n = 0, i;
	int rc;

	rc = db_subscriptions_list(req->svc->db, &v, &n);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the subscription list");
	items = json_array();
	for (i = 0; items && i < n; i++)
		json_array_append_new(items, sub_json(req->svc, &v[i]));
	db_subscriptions_free(v, n);
	return svc_respond_json(req, 200, json_pack("{s:o?}", "items", items));
}

/* Check an optional slug filter of a new subscription. */
static const char *
take_filter(struct svc_request *req, json_t *obj, const char *name,
	    json_t *errors)
{
	json_t *v = json_object_get(obj, name);
	const char *s;
	struct db_region r;
	struct db_carrier c;

	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		svc_problem_add(errors, name, "must be a string or null");
		return NULL;
	}
	s = json_string_value(v);
	if (strcmp(name, "kind") == 0) {
		if (!cal_kind_find(s))
			svc_problem_add(errors, name, "'%s' is not an event"
					" kind", s);
	} else if (strcmp(name, "carrier") == 0) {
		if (db_carrier_get(req->svc->db, s, &c) != 0)
			svc_problem_add(errors, name, "'%s' is not a known"
					" carrier", s);
		else
			db_carrier_release(&c);
	} else if (db_region_get(req->svc->db, s, &r) != 0) {
		svc_problem_add(errors, name, "'%s' is not a known region", s);
	} else {
		if (r.partner != (strcmp(name, "partner") == 0))
			svc_problem_add(errors, name, "'%s' is %s", s,
					r.partner ? "a partner region" :
					"not a partner region");
		db_region_release(&r);
	}
	return s;
}

enum MHD_Result
svc_h_subscriptions_create(struct svc_request *req)
{
	struct svc *svc = req->svc;
	struct db_subscription sub, stored;
	enum MHD_Result ret;
	json_t *obj = NULL, *errors = json_array(), *v, *body;
	char secret[69], hash[65], path[128];
	int64_t id = 0;
	int rc;

	memset(&sub, 0, sizeof(sub));
	if (svc_body_read(req->body, req->body_len, "a subscription",
			  sub_fields, NULL, errors, &obj) == -EBADMSG) {
		ret = svc_problem_fields(req, SVC_PROB_INVALID_JSON, NULL,
					 errors);
		errors = NULL;
		goto out;
	}
	v = json_object_get(obj, "label");
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > 200)
		svc_problem_add(errors, "label", "is required: 1 to 200"
				" octets naming who subscribes");
	sub.label = (char *)json_string_value(v);
	sub.kind = (char *)take_filter(req, obj, "kind", errors);
	sub.region = (char *)take_filter(req, obj, "region", errors);
	sub.carrier = (char *)take_filter(req, obj, "carrier", errors);
	sub.partner = (char *)take_filter(req, obj, "partner", errors);
	if (json_array_size(errors)) {
		ret = svc_problem_fields(req, SVC_PROB_VALIDATION,
					 "Invalid subscription", errors);
		errors = NULL;
		goto out;
	}
	if (svc_token_generate(secret, hash) != 0) {
		ret = svc_respond_errno(req, -EIO, "");
		goto out;
	}
	if ((rc = db_tx_begin(svc->db)) != 0) {
		ret = svc_respond_errno(req, rc, "the subscription");
		goto out;
	}
	rc = db_subscription_insert(svc->db, hash, &sub, svc->clock(), &id);
	if (rc == 0)
		rc = db_subscription_lookup(svc->db, hash, &stored);
	if (rc == 0) {
		json_t *after = sub_json(svc, &stored);
		char idstr[24];

		snprintf(idstr, sizeof(idstr), "%lld", (long long)id);
		rc = after ? svc_audit_write(svc, req->auth.actor,
					     "subscription",
					     idstr, "create", NULL, after)
			   : -ENOMEM;
		json_decref(after);
		if (rc != 0)
			db_subscription_release(&stored);
	}
	rc = db_tx_end(svc->db, rc);
	if (rc != 0) {
		ret = svc_respond_errno(req, rc, "the subscription");
		goto out;
	}
	body = sub_json(svc, &stored);
	db_subscription_release(&stored);
	snprintf(path, sizeof(path), "/calendars/private/%s.ics", secret);
	if (body)
		json_object_set_new(body, "feed", svc_feed_links(svc, path));
	ret = svc_respond_json(req, 201, body);
out:
	json_decref(obj);
	json_decref(errors);
	return ret;
}

/* The subscription with this id as JSON (revoked or not), or NULL. */
static json_t *
sub_snapshot(struct svc *svc, int64_t id)
{
	struct db_subscription *v = NULL;
	json_t *o = NULL;
	size_t n = 0, i;

	if (db_subscriptions_list(svc->db, &v, &n) != 0)
		return NULL;
	for (i = 0; i < n; i++)
		if (v[i].id == id)
			o = sub_json(svc, &v[i]);
	db_subscriptions_free(v, n);
	return o;
}

/* Revoke subscription id with its audit row, in one transaction. */
static int
revoke_audited(struct svc *svc, int64_t id, const char *actor,
	       const char *idstr)
{
	json_t *before = sub_snapshot(svc, id), *after = NULL;
	int rc;

	if (!before)
		return -ENOENT;
	if ((rc = db_tx_begin(svc->db)) != 0) {
		json_decref(before);
		return rc;
	}
	rc = db_subscription_revoke(svc->db, id, svc->clock());
	if (rc == 0 && !(after = sub_snapshot(svc, id)))
		rc = -ENOMEM;
	if (rc == 0)
		rc = svc_audit_write(svc, actor, "subscription", idstr,
				     "revoke", before, after);
	json_decref(before);
	json_decref(after);
	return db_tx_end(svc->db, rc);
}

enum MHD_Result
svc_h_subscription_delete(struct svc_request *req)
{
	char *end;
	long long id;
	int rc;

	id = strtoll(req->params[0], &end, 10);
	if (*end || id <= 0)
		return svc_respond_errno(req, -ENOENT, "the subscription");
	rc = revoke_audited(req->svc, id, req->auth.actor, req->params[0]);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the live subscription");
	return svc_respond_text(req, 204, NULL, strdup(""), 0, NULL, 0, 0);
}
