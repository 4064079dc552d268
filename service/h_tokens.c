/*
 * h_tokens.c: API tokens managed by admins (issue 9).
 *
 *   GET    /api/v1/tokens              every token, never a secret
 *   POST   /api/v1/tokens              {role, carrier?, label?, expires?}
 *                                      201 with the secret, shown once
 *   DELETE /api/v1/tokens/{id}         revoke (204)
 *   POST   /api/v1/tokens/{id}/revoke  revoke (200, the token)
 *
 * Every route is for admins: the router's gate (router.c) checks that
 * before these handlers run, and req->auth is the caller. Expiry and
 * revocation take effect on the next request (401): the token is checked
 * on every request (svc_auth_resolve()). Each change writes an audit row
 * by the real actor in the same transaction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "../db/admin_store.h"
#include "body.h"
#include "svc_admin.h"

/* The members of POST /api/v1/tokens; values are checked below. */
static const struct svc_field token_fields[] = {
	{ "role", SVC_FIELD_STRING, 0, 0, NULL },
	{ "carrier", SVC_FIELD_STRING, SVC_FIELD_NULLABLE, 0, NULL },
	{ "label", SVC_FIELD_STRING, SVC_FIELD_NULLABLE, 200, NULL },
	{ "expires", SVC_FIELD_STRING, SVC_FIELD_NULLABLE, 0, NULL },
	{ NULL, SVC_FIELD_ANY, 0, 0, NULL },
};

static json_t *
token_json(const struct db_token *t, int64_t now_utc)
{
	char created[32], revoked[32] = "", expires[32] = "";

	cal_time_format_rfc3339(t->created_utc, "UTC", created);
	if (t->revoked_utc)
		cal_time_format_rfc3339(t->revoked_utc, "UTC", revoked);
	if (t->expires_utc)
		cal_time_format_rfc3339(t->expires_utc, "UTC", expires);
	return json_pack("{s:I, s:s, s:s?, s:s?, s:s, s:s?, s:s?, s:b}", "id",
			 (json_int_t)t->id, "role", t->role, "carrier",
			 t->carrier, "label", t->label, "created", created,
			 "expires", *expires ? expires : NULL, "revoked",
			 *revoked ? revoked : NULL, "live", !t->revoked_utc &&
			 (!t->expires_utc || now_utc < t->expires_utc));
}

/* The audit representation: the token without its liveness at a moment
 * (that changes with the clock, not with the row). */
static json_t *
token_audit_json(const struct db_token *t)
{
	json_t *o = token_json(t, 0);

	if (o)
		json_object_del(o, "live");
	return o;
}

int
svc_token_store(struct db *db, const char *hash_hex, const char *role,
		const char *carrier, const char *label, int64_t expires_utc,
		const char *actor, int64_t now_utc, int64_t *id_out)
{
	struct db_token t;
	json_t *after = NULL;
	char idstr[24];
	int64_t id = 0;
	int rc;

	if ((rc = db_tx_begin(db)) != 0)
		return rc;
	rc = db_token_insert(db, hash_hex, role, carrier, label, now_utc, &id);
	if (rc == 0 && expires_utc)
		rc = db_token_set_expiry(db, id, expires_utc);
	if (rc == 0 && (rc = db_token_get(db, id, &t)) == 0) {
		after = token_audit_json(&t);
		db_token_release(&t);
		if (!after)
			rc = -ENOMEM;
	}
	snprintf(idstr, sizeof(idstr), "%lld", (long long)id);
	if (rc == 0)
		rc = svc_audit_write_at(db, now_utc, actor, "token", idstr,
					"create", NULL, after);
	json_decref(after);
	rc = db_tx_end(db, rc);
	if (rc == 0 && id_out)
		*id_out = id;
	return rc;
}

int
svc_token_revoke_audited(struct db *db, int64_t id, const char *actor,
			 int64_t now_utc)
{
	struct db_token t;
	json_t *before = NULL, *after = NULL;
	char idstr[24];
	int rc;

	if ((rc = db_tx_begin(db)) != 0)
		return rc;
	if ((rc = db_token_get(db, id, &t)) == 0) {
		before = token_audit_json(&t);
		db_token_release(&t);
	}
	if (rc == 0)
		rc = db_token_revoke(db, id, now_utc);
	if (rc == 0 && (rc = db_token_get(db, id, &t)) == 0) {
		after = token_audit_json(&t);
		db_token_release(&t);
	}
	if (rc == 0 && (!before || !after))
		rc = -ENOMEM;
	snprintf(idstr, sizeof(idstr), "%lld", (long long)id);
	if (rc == 0)
		rc = svc_audit_write_at(db, now_utc, actor, "token", idstr,
					"revoke", before, after);
	json_decref(before);
	json_decref(after);
	return db_tx_end(db, rc);
}

enum MHD_Result
svc_h_tokens_list(struct svc_request *req)
{
	struct db_token *t = NULL;
	json_t *items;
	size_t n = 0, i;
	int rc;

	rc = db_tokens_list(req->svc->db, &t, &n);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the token list");
	items = json_array();
	for (i = 0; items && i < n; i++)
		json_array_append_new(items, token_json(&t[i],
							req->svc->clock()));
	db_tokens_free(t, n);
	return svc_respond_json(req, 200, json_pack("{s:o?}", "items", items));
}

/* Check the values of a token body (types were checked by the body
 * reader); field errors go to errors. */
static void
check_token(struct svc *svc, json_t *obj, const char **role,
	    const char **carrier, const char **label, int64_t *expires,
	    json_t *errors)
{
	json_t *v;

	*role = json_string_value(json_object_get(obj, "role"));
	if (!*role || (strcmp(*role, "admin") && strcmp(*role, "organiser")))
		svc_problem_add(errors, "role", "must be admin or organiser");
	v = json_object_get(obj, "carrier");
	*carrier = json_string_value(v);
	if (*carrier) {
		struct db_carrier c;

		if (db_carrier_get(svc->db, *carrier, &c) != 0)
			svc_problem_add(errors, "carrier", "must be a known"
					" carrier slug");
		else
			db_carrier_release(&c);
	}
	if (*role && strcmp(*role, "organiser") == 0 && !v)
		svc_problem_add(errors, "carrier", "an organiser token needs"
				" its carrier");
	if (*role && strcmp(*role, "admin") == 0 && *carrier)
		svc_problem_add(errors, "carrier", "an admin token has no"
				" carrier");
	*label = json_string_value(json_object_get(obj, "label"));
	if (*label && !**label)
		svc_problem_add(errors, "label", "must be text of 1 to 200"
				" octets");
	v = json_object_get(obj, "expires");
	if (json_is_string(v)) {
		if (cal_time_parse_rfc3339(json_string_value(v), expires) != 0)
			svc_problem_add(errors, "expires", "must be an RFC 3339"
					" time with offset");
		else if (*expires <= svc->clock())
			svc_problem_add(errors, "expires", "must be in the"
					" future");
	}
}

enum MHD_Result
svc_h_tokens_create(struct svc_request *req)
{
	struct svc *svc = req->svc;
	const char *role = NULL, *carrier = NULL, *label = NULL;
	struct db_token stored;
	enum MHD_Result ret;
	json_t *obj = NULL, *errors = json_array(), *body;
	char token[69], hash[65];
	int64_t id = 0, expires = 0;
	int rc, have = 0;

	rc = svc_body_read(req->body, req->body_len, "a token", token_fields,
			   NULL, errors, &obj);
	if (rc == -EBADMSG) {
		ret = svc_problem_fields(req, SVC_PROB_INVALID_JSON, NULL,
					 errors);
		goto out;
	}
	check_token(svc, obj, &role, &carrier, &label, &expires, errors);
	if (json_array_size(errors)) {
		ret = svc_problem_fields(req, SVC_PROB_VALIDATION,
					 "Invalid token", errors);
		goto out;
	}
	json_decref(errors);
	errors = NULL;
	if (svc_token_generate(token, hash) != 0) {
		ret = svc_respond_errno(req, -EIO, "");
		goto out;
	}
	rc = svc_token_store(svc->db, hash, role, carrier, label, expires,
			     req->auth.actor, svc->clock(), &id);
	if (rc == 0 && (rc = db_token_get(svc->db, id, &stored)) == 0)
		have = 1;
	if (rc != 0) {
		ret = svc_respond_errno(req, rc, "the token");
		goto out;
	}
	body = token_json(&stored, svc->clock());
	if (body)
		json_object_set_new(body, "token", json_string(token));
	ret = svc_respond_json(req, 201, body);
out:
	if (have)
		db_token_release(&stored);
	json_decref(obj);
	return ret;
}

enum MHD_Result
svc_h_token_revoke(struct svc_request *req)
{
	struct svc *svc = req->svc;
	struct db_token t;
	enum MHD_Result ret;
	char *end;
	long long id;
	int rc;

	id = strtoll(req->params[0], &end, 10);
	if (*end || id <= 0)
		return svc_respond_errno(req, -ENOENT, "the token");
	rc = db_token_get(svc->db, id, &t);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the token");
	db_token_release(&t);
	rc = svc_token_revoke_audited(svc->db, id, req->auth.actor,
				      svc->clock());
	if (rc == -ENOENT)
		return svc_problem(req, SVC_PROB_ALREADY_REVOKED, "the token is"
				   " already revoked", NULL);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the token");
	if (strcmp(req->method, "DELETE") == 0)
		return svc_respond_text(req, 204, NULL, strdup(""), 0, NULL, 0,
					0);
	rc = db_token_get(svc->db, id, &t);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the token");
	ret = svc_respond_json(req, 200, token_json(&t, svc->clock()));
	db_token_release(&t);
	return ret;
}
