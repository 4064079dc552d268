/*
 * accounts.c: account creation shared by the API and the CLI
 * (accounts.h; the command itself is cmd_user.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../calendar/caltime.h"
#include "accounts.h"
#include "session.h"
#include "svc.h"

int
svc_username_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0, i;

	if (n < 1 || n > DB_USERNAME_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-' || c == '@'))
			return -EINVAL;
	}
	return 0;
}

json_t *
svc_account_json(const struct db_account *a)
{
	json_t *carriers = json_array(), *o;
	char created[32], last[32];
	size_t i;

	for (i = 0; carriers && i < a->n_carriers; i++)
		json_array_append_new(carriers, json_string(a->carriers[i]));
	cal_time_format_rfc3339(a->created_utc, "UTC", created);
	if (a->last_login_utc)
		cal_time_format_rfc3339(a->last_login_utc, "UTC", last);
	o = json_pack("{s:s, s:s, s:o?, s:b, s:b, s:s, s:s?}", "username",
		      a->username, "role", a->role, "carriers", carriers,
		      "disabled", a->disabled, "password_set",
		      a->has_password, "created", created, "last_login",
		      a->last_login_utc ? last : NULL);
	if (o && !json_object_get(o, "last_login"))
		json_object_set_new(o, "last_login", json_null());
	return o;
}

char *
svc_invite_url(const char *base, const char *token)
{
	size_t n = strlen(base) + strlen(token) + 32;
	char *url = malloc(n);

	if (url)
		snprintf(url, n, "%s/console/invite#token=%s", base, token);
	return url;
}

/* The audit JSON text of a, or NULL (caller frees with free()). */
static char *
audit_text(const struct db_account *a)
{
	json_t *o = a ? svc_account_json(a) : NULL;
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(o);
	return text;
}

int
svc_account_invite(struct db *db, const struct db_account *account,
		   const char *actor, const char *action, int64_t now_utc,
		   char token_out[65])
{
	char hash[65], *after = audit_text(account);
	int rc;

	if (!after)
		return -ENOMEM;
	svc_secret_new(token_out);
	svc_token_hash(token_out, hash);
	if ((rc = db_tx_begin(db)) != 0) {
		free(after);
		return rc;
	}
	rc = db_invite_insert(db, account->id, hash, now_utc,
			      now_utc + SVC_INVITE_TTL_S);
	if (rc == 0)
		rc = db_audit_add(db, now_utc, actor, "account",
				  account->username, action,
				  strcmp(action, "create") == 0 ? NULL : after,
				  after);
	free(after);
	return db_tx_end(db, rc);
}

int
svc_account_create(struct db *db, const struct db_account *a,
		   const char *pwhash, const char *actor, int64_t now_utc,
		   struct db_account *stored, char token_out[65])
{
	int64_t id = 0;
	int rc;

	memset(stored, 0, sizeof(*stored));
	if ((rc = db_tx_begin(db)) != 0)
		return rc;
	rc = db_account_insert(db, a, now_utc, &id);
	if (rc == 0 && pwhash)
		rc = db_account_set_password(db, id, pwhash, now_utc);
	if (rc == 0)
		rc = db_account_get_by_id(db, id, stored);
	if (rc == 0 && token_out)
		rc = svc_account_invite(db, stored, actor, "create", now_utc,
					token_out);
	else if (rc == 0) {
		char *after = audit_text(stored);

		rc = after ? db_audit_add(db, now_utc, actor, "account",
					  stored->username, "create", NULL,
					  after) : -ENOMEM;
		free(after);
	}
	rc = db_tx_end(db, rc);
	if (rc != 0)
		db_account_release(stored);
	return rc;
}
