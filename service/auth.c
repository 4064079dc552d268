/*
 * auth.c: bearer tokens (RFC 6750). Only SHA-256 digests are stored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "../db/account_store.h"
#include "../db/admin_store.h"
#include "hex.h"
#include "limits.h"
#include "session.h"
#include "svc.h"

/* The last svc_auth_resolve() in this thread hit the address's budget
 * of failed tokens (for request limited_req): svc_respond_unauthorized()
 * for that request answers 429. */
static _Thread_local int limited;
static _Thread_local const struct svc_request *limited_req;

void
svc_token_hash(const char *token, char hash[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(token, strlen(token), md, &n, EVP_sha256(), NULL);
	svc_hex(md, 32, hash);
}

int
svc_token_generate(char token[69], char hash[65])
{
	unsigned char raw[32];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -EIO;
	memcpy(token, "rsd_", 4);
	svc_hex(raw, sizeof(raw), token + 4);
	svc_token_hash(token, hash);
	return 0;
}

void
svc_auth_release(struct svc_auth *auth)
{
	size_t i;

	for (i = 0; i < auth->n_carriers; i++)
		free(auth->carriers[i]);
	free(auth->carriers);
	free(auth->carrier);
	memset(auth, 0, sizeof(*auth));
}

/* 1 when token id has an expiry at or before now (issue 9: expiry takes
 * effect on the next request), 0 when not, or a storage error. A token
 * gone since its lookup (-ENOENT) counts as expired. */
static int
token_expired(struct svc *svc, int64_t id)
{
	struct db_token t;
	int expired, rc;

	rc = db_token_get(svc->db, id, &t);
	if (rc == -ENOENT)
		return 1;
	if (rc != 0)
		return rc;
	expired = t.expires_utc && svc->clock() >= t.expires_utc;
	db_token_release(&t);
	return expired;
}

/* Count one failed token for the request's address; 1 when that puts
 * it over its budget (svc_limits_auth_failed()). No address: 0. */
static int
auth_failed(struct svc_request *req)
{
	return req->conn ? svc_limits_auth_failed(req->conn) : 0;
}

int
svc_auth_holds(const struct svc_auth *auth, const char *carrier)
{
	size_t i;

	if (!carrier)
		return 0;
	for (i = 0; i < auth->n_carriers; i++)
		if (strcmp(auth->carriers[i], carrier) == 0)
			return 1;
	return 0;
}

int
svc_auth_may_write(const struct svc_auth *auth, const char *carrier)
{
	if (!auth->present || auth->viewer)
		return 0;
	return auth->admin || svc_auth_holds(auth, carrier);
}

int
svc_auth_sees_tentative(const struct svc_auth *auth, const char *carrier)
{
	if (!auth->present)
		return 0;
	return auth->admin || auth->viewer || svc_auth_holds(auth, carrier);
}

const char *
svc_auth_default_carrier(const struct svc_auth *auth)
{
	return auth->n_carriers == 1 ? auth->carriers[0] : NULL;
}

int
svc_auth_https(const struct svc *svc)
{
	return strncmp(svc->public_base, "https://", 8) == 0;
}

int
svc_session_cookie(struct svc_request *req, char value[65])
{
	const char *cookie = svc_header(req, MHD_HTTP_HEADER_COOKIE);

	return svc_cookie_value(cookie, svc_auth_https(req->svc) ?
				SVC_COOKIE_HOST : SVC_COOKIE, value, 65);
}

int
svc_origin_ok(struct svc_request *req)
{
	char own[320];

	if (svc_origin_own(req->svc->public_url_given ? req->svc->public_base
			   : NULL, svc_header(req, MHD_HTTP_HEADER_HOST), own,
			   sizeof(own)) != 0)
		return 0;
	return svc_origin_matches(svc_header(req, "Origin"), own);
}

/* Fill auth from the account a (stolen: its carriers move over). */
static int
auth_from_account(struct svc_auth *auth, struct db_account *a,
		  const char *csrf)
{
	auth->present = 1;
	auth->session = 1;
	auth->account_id = a->id;
	auth->admin = strcmp(a->role, "admin") == 0;
	auth->viewer = strcmp(a->role, "viewer") == 0;
	auth->carriers = a->carriers;
	auth->n_carriers = a->n_carriers;
	a->carriers = NULL;
	a->n_carriers = 0;
	if (auth->n_carriers && !(auth->carrier = strdup(auth->carriers[0])))
		return -ENOMEM;
	snprintf(auth->username, sizeof(auth->username), "%s", a->username);
	snprintf(auth->csrf, sizeof(auth->csrf), "%s", csrf);
	snprintf(auth->actor, sizeof(auth->actor), "user:%s", a->username);
	return 0;
}

/* The session named by the request's cookie, if any and live. */
static int
resolve_session(struct svc_request *req, struct svc_auth *auth)
{
	char id[65], hash[65], csrf[65];
	struct db_account a;
	int rc;

	if (svc_session_cookie(req, id) != 0)
		return 0;		/* anonymous */
	svc_token_hash(id, hash);
	rc = db_session_lookup(req->svc->db, hash, req->svc->clock(),
			       SVC_SESSION_IDLE_S, &a, csrf);
	if (rc == -ENOENT)
		return 0;		/* ended: anonymous */
	if (rc != 0)
		return rc;
	rc = auth_from_account(auth, &a, csrf);
	db_account_release(&a);
	if (rc != 0)
		svc_auth_release(auth);
	return rc;
}

int
svc_csrf_gate(struct svc_request *req)
{
	struct svc_auth auth;
	int rc;

	if (!svc_method_unsafe(req->method) ||
	    svc_header(req, MHD_HTTP_HEADER_AUTHORIZATION))
		return 0;
	memset(&auth, 0, sizeof(auth));
	rc = resolve_session(req, &auth);
	if (rc != 0 || !auth.present) {
		svc_auth_release(&auth);
		return rc;	/* no session: nothing to forge; or an error */
	}
	rc = svc_csrf_decide(req->method, svc_header(req, "X-CSRF-Token"),
			     auth.csrf, svc_origin_ok(req));
	svc_auth_release(&auth);
	return rc;
}

int
svc_auth_resolve(struct svc_request *req, struct svc_auth *auth)
{
	const char *h = svc_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	char hash[65], *role = NULL, *carrier = NULL;
	int64_t id = 0;
	int rc;

	memset(auth, 0, sizeof(*auth));
	limited = 0;
	limited_req = req;
	if (!h)
		return resolve_session(req, auth);
	/* An address that sent too many bad tokens gets no answer about
	 * any token until its window ends (no guessing). */
	if (req->conn && svc_limits_auth_blocked(req->conn)) {
		limited = 1;
		return -EACCES;
	}
	if (strncasecmp(h, "Bearer ", 7) != 0) {
		limited = auth_failed(req);
		return -EACCES;
	}
	h += 7;
	while (*h == ' ' || *h == '\t')
		h++;
	{
		/* RFC 9110 §5.5: whitespace around a field value is not part
		 * of it. */
		size_t n = strlen(h);
		char token[69];

		while (n && (h[n - 1] == ' ' || h[n - 1] == '\t'))
			n--;
		if (n != 68 || strncmp(h, "rsd_", 4) != 0) {
			limited = auth_failed(req);
			return -EACCES;
		}
		memcpy(token, h, n);
		token[n] = '\0';
		svc_token_hash(token, hash);
	}
	rc = db_token_lookup(req->svc->db, hash, &role, &carrier, &id);
	if (rc == -ENOENT) {
		limited = auth_failed(req);
		return -EACCES;
	}
	if (rc != 0)
		return rc;
	if ((rc = token_expired(req->svc, id)) != 0) {
		free(role);
		free(carrier);
		return rc > 0 ? -EACCES : rc;
	}
	auth->present = 1;
	auth->admin = strcmp(role, "admin") == 0;
	auth->carrier = carrier;
	auth->token_id = id;
	if (carrier) {
		auth->carriers = calloc(1, sizeof(char *));
		if (!auth->carriers || !(auth->carriers[0] = strdup(carrier))) {
			free(role);
			svc_auth_release(auth);
			return -ENOMEM;
		}
		auth->n_carriers = 1;
	}
	if (auth->admin)
		snprintf(auth->actor, sizeof(auth->actor), "admin:token-%lld",
			 (long long)id);
	else
		snprintf(auth->actor, sizeof(auth->actor),
			 "organiser:%s:token-%lld", carrier ? carrier : "?",
			 (long long)id);
	free(role);
	return 0;
}

int
svc_auth_gate(struct svc_request *req, enum svc_auth_need need,
	      struct svc_auth *auth)
{
	int rc;

	memset(auth, 0, sizeof(*auth));
	if (need == SVC_AUTH_ANON)
		return 0;
	rc = svc_auth_resolve(req, auth);
	if (need == SVC_AUTH_OPTIONAL && rc == -EACCES)
		rc = 0;			/* a bad token reads as anonymous */
	else if (need == SVC_AUTH_OPTIONAL)
		;			/* a storage error stays one */
	else if (rc == 0 && !auth->present)
		rc = -ENOKEY;
	else if (rc == 0 && need == SVC_AUTH_ADMIN && !auth->admin)
		rc = -EPERM;
	if (rc != 0)
		svc_auth_release(auth);
	return rc;
}

enum MHD_Result
svc_auth_refuse(struct svc_request *req, int rc, const char *what)
{
	char detail[200];

	if (!what)
		what = "this";
	switch (rc) {
	case -ENOKEY:
		snprintf(detail, sizeof(detail), "%s needs credentials: log in"
			 " (POST /console/login) or send Authorization: Bearer"
			 " <token>", what);
		return svc_respond_unauthorized(req, detail);
	case -EACCES:
		return svc_respond_unauthorized(req, "the bearer token is not"
						" valid, has expired or was"
						" revoked");
	case -EPERM:
		snprintf(detail, sizeof(detail), "%s is for admins only",
			 what);
		return svc_problem(req, SVC_PROB_ADMIN_ONLY, detail, NULL);
	default:
		return svc_respond_errno(req, rc, "the credentials");
	}
}

enum MHD_Result
svc_respond_unauthorized(struct svc_request *req, const char *detail)
{
	/* queue() adds WWW-Authenticate: Bearer to every 401. */
	if (limited && limited_req == req) {
		limited = 0;
		return svc_problem(req, SVC_PROB_TOO_MANY_REQUESTS, "too many"
				   " requests with a token that is not valid"
				   " came from this address; try again later",
				   NULL);
	}
	return svc_problem(req, SVC_PROB_UNAUTHORIZED, detail, NULL);
}
