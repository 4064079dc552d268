/*
 * h_accounts.c: console log-in and log-out, the caller's identity, invite
 * acceptance and the admins' accounts API (issue 8; CONSOLE_CONTRACT.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <sodium.h>

#include "../calendar/caltime.h"
#include "body.h"
#include "accounts.h"
#include "session.h"
#include "svc.h"

enum MHD_Result
svc_respond_csrf(struct svc_request *req)
{
	json_t *errors = json_array();

	svc_problem_addc(errors, "X-CSRF-Token", "csrf", "a request made with"
			 " the session cookie needs the session's X-CSRF-Token"
			 " header and a same-origin Origin header");
	return svc_problem(req, SVC_PROB_CSRF, "a request made with the"
			   " session cookie needs the session's X-CSRF-Token"
			   " header and a same-origin Origin header; nothing"
			   " was changed", errors);
}

/* The client's address as text into out (INET6_ADDRSTRLEN octets). */
static void
client_address(struct svc_request *req, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci;

	snprintf(out, size, "-");
	ci = MHD_get_connection_info(req->conn,
				     MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)
			  (const void *)ci->client_addr)->sin_addr, out,
			  (socklen_t)size);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
			  (const void *)ci->client_addr)->sin6_addr, out,
			  (socklen_t)size);
}

/* 303 See Other to location (a static string). */
static enum MHD_Result
see_other(struct svc_request *req, const char *location)
{
	svc_request_add_header(req, MHD_HTTP_HEADER_LOCATION, location);
	svc_request_add_header(req, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return svc_respond_text(req, 303, "text/plain; charset=utf-8",
				strdup(""), 0, NULL, 0, 0);
}

/* ---- POST /console/login ---- */

struct login_form {
	char username[DB_USERNAME_MAX + 1];
	char password[SVC_PASSWORD_MAX + 1];
	int too_long;
};

/* MHD_PostDataIterator: collect username and password (in pieces). */
static enum MHD_Result
login_field(void *cls, enum MHD_ValueKind kind, const char *key,
	    const char *filename, const char *content_type,
	    const char *transfer_encoding, const char *data, uint64_t off,
	    size_t size)
{
	struct login_form *f = cls;
	char *dst = NULL;
	size_t cap = 0;

	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	if (strcmp(key, "username") == 0) {
		dst = f->username;
		cap = sizeof(f->username);
	} else if (strcmp(key, "password") == 0) {
		dst = f->password;
		cap = sizeof(f->password);
	}
	if (!dst)
		return MHD_YES;
	if (off + size >= cap) {
		f->too_long = 1;
		return MHD_YES;
	}
	memcpy(dst + off, data, size);
	dst[off + size] = '\0';
	return MHD_YES;
}

/* A crypto_pwhash_str string of no password, so an unknown username
 * costs as long as a wrong password (made once, under svc->lock). */
static char dummy_hash[128];

static enum MHD_Result
too_many(struct svc_request *req, int64_t wait)
{
	static char retry[24];	/* under svc->lock until queued */

	snprintf(retry, sizeof(retry), "%lld", (long long)wait);
	svc_request_add_header(req, MHD_HTTP_HEADER_RETRY_AFTER, retry);
	return svc_problem(req, SVC_PROB_TOO_MANY_REQUESTS, "too many failed"
			   " log-ins from this address or for this account;"
			   " try again after Retry-After seconds", NULL);
}

enum MHD_Result
svc_h_login(struct svc_request *req)
{
	struct svc *svc = req->svc;
	struct MHD_PostProcessor *pp;
	struct login_form *form;
	struct db_account a;
	char addr[64], key_a[96], key_u[96], *stored = NULL;
	char sid[65], hash[65], csrf[65], cookie[200];
	static char set_cookie[200];	/* under svc->lock until queued */
	int64_t now = svc->clock(), wait, wait_u;
	int ok, rc;
	enum MHD_Result ret;

	/* the router checked the media type (router.c: SVC_ACCEPT_FORM) */
	/* A log-in posted from another site is refused (login CSRF). */
	if (svc_header(req, "Origin") && !svc_origin_ok(req))
		return svc_respond_csrf(req);
	form = calloc(1, sizeof(*form));
	if (!form)
		return svc_respond_errno(req, -ENOMEM, "");
	pp = MHD_create_post_processor(req->conn, 4096, login_field, form);
	if (!pp || (req->body_len &&
		    MHD_post_process(pp, req->body, req->body_len) != MHD_YES)) {
		if (pp)
			MHD_destroy_post_processor(pp);
		free(form);
		return svc_problem(req, SVC_PROB_INVALID_REQUEST, "the log-in"
				   " form could not be read", NULL);
	}
	MHD_destroy_post_processor(pp);
	client_address(req, addr, sizeof(addr));
	snprintf(key_a, sizeof(key_a), "a:%s", addr);
	snprintf(key_u, sizeof(key_u), "u:%s", form->username);
	wait = svc_ratelimit_wait(&svc->login_limit, key_a, now);
	wait_u = svc_ratelimit_wait(&svc->login_limit, key_u, now);
	if (wait_u > wait)
		wait = wait_u;
	if (wait > 0) {
		free(form);
		return too_many(req, wait);
	}
	rc = form->too_long || !*form->username ? -ENOENT :
	     db_account_get(svc->db, form->username, &a, &stored);
	if (rc != 0 && rc != -ENOENT) {
		free(form);
		return svc_respond_errno(req, rc, "the account");
	}
	if (!dummy_hash[0] && svc_password_hash("-", dummy_hash) != 0)
		dummy_hash[0] = '\0';
	{
		/* The slow hash runs without the lock; only local copies
		 * are used meanwhile, and the attempt counts against the
		 * limit until it is decided. */
		const char *check = rc == 0 && stored ? stored : dummy_hash;

		svc_ratelimit_begin(&svc->login_limit, key_a, now);
		svc_ratelimit_begin(&svc->login_limit, key_u, now);
		pthread_mutex_unlock(&svc->lock);
		ok = svc_password_verify(form->password, check);
		pthread_mutex_lock(&svc->lock);
	}
	ok = ok && rc == 0 && stored && !a.disabled;
	svc_ratelimit_end(&svc->login_limit, key_a, now, !ok);
	svc_ratelimit_end(&svc->login_limit, key_u, now, !ok);
	free(stored);
	sodium_memzero(form->password, sizeof(form->password));
	if (!ok) {
		if (rc == 0)
			db_account_release(&a);
		free(form);
		return see_other(req, "/console/?login=failed");
	}
	free(form);
	svc_secret_new(sid);
	svc_secret_new(csrf);
	svc_token_hash(sid, hash);
	rc = db_session_insert(svc->db, hash, a.id, csrf, now);
	if (rc == 0)
		rc = db_account_touch_login(svc->db, a.id, now);
	db_account_release(&a);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the session");
	if (svc_cookie_format(svc_auth_https(svc), sid, cookie,
			      sizeof(cookie)) != 0)
		return svc_respond_errno(req, -ENOMEM, "");
	memcpy(set_cookie, cookie, sizeof(cookie));
	svc_request_add_header(req, MHD_HTTP_HEADER_SET_COOKIE, set_cookie);
	ret = see_other(req, "/console/");
	return ret;
}

/* ---- POST /console/logout ---- */

enum MHD_Result
svc_h_logout(struct svc_request *req)
{
	static char set_cookie[200];	/* under svc->lock until queued */
	char sid[65], hash[65];

	/* Only a request that carries the session (and so passed the CSRF
	 * gate) ends it; a cross-site form without the SameSite=Strict cookie
	 * must not clear it either (logout CSRF). */
	if (svc_session_cookie(req, sid) != 0)
		return see_other(req, "/console/");
	svc_token_hash(sid, hash);
	db_session_delete(req->svc->db, hash);	/* -ENOENT: ended */
	svc_cookie_format(svc_auth_https(req->svc), NULL, set_cookie,
			  sizeof(set_cookie));
	svc_request_add_header(req, MHD_HTTP_HEADER_SET_COOKIE, set_cookie);
	return see_other(req, "/console/");
}

/* ---- GET /api/v1/me ---- */

enum MHD_Result
svc_h_me(struct svc_request *req)
{
	const struct svc_auth *auth = &req->auth;
	json_t *carriers, *body;
	size_t i;

	carriers = json_array();
	for (i = 0; carriers && i < auth->n_carriers; i++)
		json_array_append_new(carriers, json_string(auth->carriers[i]));
	body = json_pack("{s:s?, s:s, s:o?, s:s?}", "username",
			 auth->session ? auth->username : NULL, "role",
			 auth->admin ? "admin" : auth->viewer ? "viewer" :
			 "organiser", "carriers", carriers, "csrf_token",
			 auth->session ? auth->csrf : NULL);
	if (body && !auth->session) {
		json_object_set_new(body, "username", json_null());
		json_object_set_new(body, "csrf_token", json_null());
	}
	svc_request_add_header(req, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return svc_respond_json(req, 200, body);
}

/* ---- JSON bodies ---- */

/* Any member: the handlers check the members they read, and ignore
 * others (the console sends whole forms). */
static const struct svc_field open_object[] = {
	{ NULL, SVC_FIELD_ANY, 0, 0, NULL },
};

/* What POST /api/v1/invites/accept takes (the handler checks each). */
static const struct svc_field invite_fields[] = {
	{ "token", SVC_FIELD_ANY, 0, 0, NULL },
	{ "password", SVC_FIELD_ANY, 0, 0, NULL },
	{ NULL, SVC_FIELD_ANY, 0, 0, NULL },
};

/* The body as a JSON object (new reference), or NULL with the 400 queued
 * in *ret. The media type was checked by the router. */
static json_t *
json_body(struct svc_request *req, enum MHD_Result *ret)
{
	json_t *obj, *errors = json_array();

	if (svc_body_read(req->body, req->body_len, NULL, open_object, NULL,
			  errors, &obj) == -EBADMSG) {
		*ret = svc_problem_fields(req, SVC_PROB_INVALID_JSON, NULL,
					  errors);
		return NULL;
	}
	json_decref(errors);
	return obj;
}

/* Base URL for links: the public URL, or http:// + Host. */
static void
link_base(struct svc_request *req, char *out, size_t size)
{
	const char *host = svc_header(req, MHD_HTTP_HEADER_HOST);

	if (req->svc->public_url_given || !host || strpbrk(host, "/?#@ "))
		snprintf(out, size, "%s", req->svc->public_base);
	else
		snprintf(out, size, "http://%s", host);
}

/* ---- POST /api/v1/invites/accept ---- */

enum MHD_Result
svc_h_invite_accept(struct svc_request *req)
{
	struct svc *svc = req->svc;
	const char *token, *password;
	char hash[65], pwhash[128], actor[96], *after = NULL;
	json_t *obj, *errors;
	struct db_account a;
	int64_t account_id = 0, now = svc->clock();
	int rc;

	memset(&a, 0, sizeof(a));
	errors = json_array();
	if (svc_body_read(req->body, req->body_len, "an invite acceptance",
			  invite_fields, NULL, errors, &obj) == -EBADMSG)
		return svc_problem_fields(req, SVC_PROB_INVALID_JSON, NULL,
					  errors);
	token = json_string_value(json_object_get(obj, "token"));
	password = json_string_value(json_object_get(obj, "password"));
	if (!password)
		svc_problem_addc(errors, "password", "required",
				 "is required");
	else if (svc_password_acceptable(password) != 0)
		svc_problem_addc(errors, "password", "password_too_short",
				 "must be at least %d characters (at most %d"
				 " octets, no control characters)",
				 SVC_PASSWORD_MIN, SVC_PASSWORD_MAX);
	if (!token || strlen(token) != 64)
		svc_problem_addc(errors, "token", "invite_invalid", "is not"
				 " a valid invite (unknown, used or expired)");
	if (json_array_size(errors)) {
		json_decref(obj);
		return svc_problem_fields(req, SVC_PROB_VALIDATION,
					  "Invalid invite", errors);
	}
	svc_token_hash(token, hash);
	/* the slow hash runs without the lock */
	pthread_mutex_unlock(&svc->lock);
	rc = svc_password_hash(password, pwhash);
	pthread_mutex_lock(&svc->lock);
	json_decref(obj);
	if (rc != 0) {
		json_decref(errors);
		return svc_respond_errno(req, rc, "");
	}
	if ((rc = db_tx_begin(svc->db)) == 0) {
		rc = db_invite_take(svc->db, hash, now, &account_id);
		if (rc == 0)
			rc = db_account_set_password(svc->db, account_id,
						     pwhash, now);
		if (rc == 0)
			rc = db_account_get_by_id(svc->db, account_id, &a);
		if (rc == 0) {
			json_t *o = svc_account_json(&a);

			after = o ? json_dumps(o, JSON_COMPACT |
					       JSON_SORT_KEYS) : NULL;
			json_decref(o);
			snprintf(actor, sizeof(actor), "user:%s",
				 a.username);
			rc = after ? db_audit_add(svc->db, now, actor,
						  "account", a.username,
						  "set_password", NULL, after)
				   : -ENOMEM;
		}
		rc = db_tx_end(svc->db, rc);
	}
	free(after);
	db_account_release(&a);
	if (rc == -ENOENT) {
		svc_problem_addc(errors, "token", "invite_invalid", "is not"
				 " a valid invite (unknown, used or expired)");
		return svc_problem_fields(req, SVC_PROB_VALIDATION,
					  "Invalid invite", errors);
	}
	json_decref(errors);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the invite");
	return svc_respond_text(req, 204, NULL, strdup(""), 0, NULL, 0, 0);
}

/* ---- accounts API (admins) ---- */

enum MHD_Result
svc_h_accounts_list(struct svc_request *req)
{
	struct db_account *v = NULL;
	json_t *items;
	size_t n = 0, i;
	int rc;

	rc = db_accounts_list(req->svc->db, &v, &n);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the accounts");
	items = json_array();
	for (i = 0; items && i < n; i++)
		json_array_append_new(items, svc_account_json(&v[i]));
	db_accounts_free(v, n);
	return svc_respond_json(req, 200, json_pack("{s:o?}", "items", items));
}

/*
 * Read role and carriers of obj into a (strings borrowed from obj; the
 * carriers array is the caller's to free). Errors go to errors.
 */
static void
read_role_carriers(json_t *obj, struct db_account *a, int creating,
		   json_t *errors)
{
	json_t *role = json_object_get(obj, "role");
	json_t *cs = json_object_get(obj, "carriers");
	size_t i;

	if (role) {
		const char *r = json_string_value(role);

		if (!r || (strcmp(r, "admin") && strcmp(r, "organiser") &&
			   strcmp(r, "viewer")))
			svc_problem_addc(errors, "role", "bad_role", "must be"
					 " admin, organiser or viewer");
		else
			a->role = (char *)r;
	} else if (creating) {
		svc_problem_addc(errors, "role", "required", "is required");
	}
	if (cs && !json_is_null(cs)) {
		if (!json_is_array(cs) || json_array_size(cs) > 64) {
			svc_problem_addc(errors, "carriers", "bad_type",
					 "must be an array of at most 64"
					 " carrier slugs");
			return;
		}
		a->carriers = calloc(json_array_size(cs) + 1, sizeof(char *));
		if (!a->carriers) {
			svc_problem_add(errors, "carriers", "out of memory");
			return;
		}
		a->n_carriers = 0;
		for (i = 0; i < json_array_size(cs); i++) {
			const char *slug = json_string_value(
						json_array_get(cs, i));

			if (!slug) {
				svc_problem_addc(errors, "carriers",
						 "bad_type", "item %zu is not"
						 " a string", i);
				continue;
			}
			a->carriers[a->n_carriers++] = (char *)slug;
		}
	} else if (cs || (creating && !cs)) {
		a->n_carriers = 0;
	}
	if (!a->role || json_array_size(errors))
		return;
	if (strcmp(a->role, "organiser") == 0 && a->n_carriers == 0)
		svc_problem_addc(errors, "carriers", "carriers_required",
				 "an organiser needs at least one carrier");
	else if (strcmp(a->role, "organiser") != 0 && a->n_carriers)
		svc_problem_addc(errors, "carriers", "carriers_not_allowed",
				 "only organisers hold carriers");
}

/* 400 naming the unknown carriers of a (none known: the first). */
static enum MHD_Result
unknown_carriers(struct svc_request *req, const struct db_account *a,
		 json_t *errors)
{
	size_t i;
	struct db_carrier c;

	for (i = 0; i < a->n_carriers; i++) {
		if (db_carrier_get(req->svc->db, a->carriers[i], &c) == 0) {
			db_carrier_release(&c);
			continue;
		}
		svc_problem_addc(errors, "carriers", "unknown_carrier", "'%s'"
				 " is not a known carrier (GET"
				 " /api/v1/carriers)", a->carriers[i]);
	}
	if (!json_array_size(errors))
		svc_problem_addc(errors, "carriers", "unknown_carrier",
				 "names an unknown carrier");
	return svc_problem_fields(req, SVC_PROB_VALIDATION, "Invalid account",
				  errors);
}

enum MHD_Result
svc_h_accounts_create(struct svc_request *req)
{
	struct svc *svc = req->svc;
	const struct svc_auth *auth = &req->auth;
	struct db_account a, stored;
	char token[65], base[300], *url;
	json_t *obj, *errors, *body;
	enum MHD_Result ret;
	const char *key;
	json_t *v;
	int rc;

	memset(&a, 0, sizeof(a));
	if (!(obj = json_body(req, &ret)))
		return ret;
	errors = json_array();
	a.username = (char *)json_string_value(json_object_get(obj,
							       "username"));
	if (!json_object_get(obj, "username"))
		svc_problem_addc(errors, "username", "required",
				 "is required");
	else if (svc_username_valid(a.username) != 0)
		svc_problem_addc(errors, "username", "bad_username", "must be"
				 " 1 to 64 ASCII letters, digits or . _ - @");
	read_role_carriers(obj, &a, 1, errors);
	json_object_foreach(obj, key, v)
		if (strcmp(key, "username") && strcmp(key, "role") &&
		    strcmp(key, "carriers"))
			svc_problem_add(errors, key, "is not a field of a new"
					" account");
	if (json_array_size(errors)) {
		ret = svc_problem_fields(req, SVC_PROB_VALIDATION,
					 "Invalid account", errors);
		errors = NULL;
		goto out;
	}
	rc = svc_account_create(svc->db, &a, NULL, auth->actor, svc->clock(),
				&stored, token);
	if (rc == -EEXIST) {
		svc_problem_addc(errors, "username", "username_taken", "'%s'"
				 " is taken", a.username);
		ret = svc_problem(req, SVC_PROB_CONFLICT, "username: is taken",
				  errors);
		errors = NULL;
		goto out;
	}
	if (rc == -EINVAL) {
		ret = unknown_carriers(req, &a, errors);
		errors = NULL;
		goto out;
	}
	if (rc != 0) {
		ret = svc_respond_errno(req, rc, "the account");
		goto out;
	}
	link_base(req, base, sizeof(base));
	url = svc_invite_url(base, token);
	body = svc_account_json(&stored);
	if (body && url)
		json_object_set_new(body, "invite_url", json_string(url));
	free(url);
	db_account_release(&stored);
	ret = svc_respond_json(req, 201, body);
out:
	json_decref(errors);
	free(a.carriers);
	json_decref(obj);
	return ret;
}

enum MHD_Result
svc_h_account_patch(struct svc_request *req)
{
	struct svc *svc = req->svc;
	const struct svc_auth *auth = &req->auth;
	struct db_account stored, a;
	json_t *obj = NULL, *errors = NULL, *v, *o;
	char **orig_carriers;
	char *before = NULL, *after = NULL;
	enum MHD_Result ret;
	const char *key;
	int rc;

	rc = db_account_get(svc->db, req->params[0], &stored, NULL);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the account");
	a = stored;		/* shallow: strings stay stored's */
	orig_carriers = NULL;
	if (!(obj = json_body(req, &ret)))
		goto out;
	errors = json_array();
	json_object_foreach(obj, key, v)
		if (strcmp(key, "role") && strcmp(key, "carriers") &&
		    strcmp(key, "disabled"))
			svc_problem_add(errors, key, "is not a field you can"
					" change (role, carriers, disabled)");
	v = json_object_get(obj, "disabled");
	if (v && !json_is_boolean(v))
		svc_problem_addc(errors, "disabled", "bad_boolean",
				 "must be true or false");
	else if (v)
		a.disabled = json_is_true(v);
	/* a role without carriers drops an organiser's carriers */
	if (json_object_get(obj, "role") && !json_object_get(obj, "carriers")
	    && strcmp(json_string_value(json_object_get(obj, "role")) ?
		      json_string_value(json_object_get(obj, "role")) : "",
		      "organiser") != 0)
		a.n_carriers = 0;
	read_role_carriers(obj, &a, 0, errors);
	if (a.carriers != stored.carriers)
		orig_carriers = a.carriers;	/* ours to free */
	if (auth->session && auth->account_id == stored.id &&
	    (a.disabled || strcmp(a.role, "admin") != 0))
		svc_problem_addc(errors, json_object_get(obj, "disabled") ?
				 "disabled" : "role", "self_lockout", "an admin"
				 " cannot disable or demote the account they"
				 " are logged in with");
	if (json_array_size(errors)) {
		ret = svc_problem_fields(req, SVC_PROB_VALIDATION,
					 "Invalid account", errors);
		errors = NULL;
		goto out;
	}
	o = svc_account_json(&stored);
	before = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	if ((rc = db_tx_begin(svc->db)) == 0) {
		struct db_account now_a;

		rc = db_account_update(svc->db, &a, svc->clock());
		if (rc == 0 && (rc = db_account_get_by_id(svc->db, stored.id,
							  &now_a)) == 0) {
			o = svc_account_json(&now_a);
			after = o ? json_dumps(o, JSON_COMPACT |
					       JSON_SORT_KEYS) : NULL;
			json_decref(o);
			db_account_release(&now_a);
			rc = before && after ? db_audit_add(svc->db,
				svc->clock(), auth->actor, "account",
				stored.username, "update", before, after)
				: -ENOMEM;
		}
		rc = db_tx_end(svc->db, rc);
	}
	if (rc == -EINVAL) {
		ret = unknown_carriers(req, &a, errors);
		errors = NULL;
		goto out;
	}
	if (rc != 0) {
		ret = svc_respond_errno(req, rc, "the account");
		goto out;
	}
	ret = svc_respond_json(req, 200, json_loads(after, 0, NULL));
out:
	free(orig_carriers);
	free(before);
	free(after);
	json_decref(errors);
	json_decref(obj);
	db_account_release(&stored);
	return ret;
}

enum MHD_Result
svc_h_account_invite(struct svc_request *req)
{
	struct svc *svc = req->svc;
	const struct svc_auth *auth = &req->auth;
	struct db_account a;
	char token[65], base[300], until[32], *url;
	enum MHD_Result ret;
	int rc;

	rc = db_account_get(svc->db, req->params[0], &a, NULL);
	if (rc == 0)
		rc = svc_account_invite(svc->db, &a, auth->actor, "invite",
					svc->clock(), token);
	if (rc != 0) {
		if (rc != -ENOENT)
			db_account_release(&a);
		return svc_respond_errno(req, rc, "the account");
	}
	db_account_release(&a);
	link_base(req, base, sizeof(base));
	url = svc_invite_url(base, token);
	cal_time_format_rfc3339(svc->clock() + SVC_INVITE_TTL_S, "UTC", until);
	ret = svc_respond_json(req, 200, url ? json_pack("{s:s, s:s}",
			       "invite_url", url, "expires", until) : NULL);
	free(url);
	return ret;
}
