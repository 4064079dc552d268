/*
 * accounts: what the accounts API and `roadshowd user create` share —
 * creating an account with its invite and audit row, and an account's
 * JSON representation.
 */
#ifndef ROADSHOWD_ACCOUNTS_H
#define ROADSHOWD_ACCOUNTS_H

#include <stdint.h>

#include <jansson.h>

#include "../db/account_store.h"

/* 0 when name is a valid username: 1..64 octets of ASCII letters,
 * digits and . _ - @. -EINVAL otherwise. */
int svc_username_valid(const char *name);

/*
 * {username, role, carriers, disabled, created, last_login} of a (borrowed;
 * times RFC 3339 UTC, last_login null when never). New reference, NULL
 * when out of memory.
 */
json_t *svc_account_json(const struct db_account *a);

/*
 * The invite link of token (borrowed) under base (a URL without trailing
 * slash, borrowed): "<base>/console/invite#token=<token>" (a fragment, so
 * the token reaches neither logs nor Referer). Caller frees with free();
 * NULL when out of memory.
 */
char *svc_invite_url(const char *base, const char *token);

/*
 * In one transaction: a new invite for account (borrowed) valid
 * SVC_INVITE_TTL_S from now_utc, and an audit row by actor (action
 * `action`, e.g. "create" with before NULL, or "invite"). *token_out
 * (65 octets) receives the token. 0, -ENOENT, -EIO.
 */
int svc_account_invite(struct db *db, const struct db_account *account,
		       const char *actor, const char *action,
		       int64_t now_utc, char token_out[65]);

/*
 * Create account a (username, role, carriers) with an audit row, in one
 * transaction. pwhash (a libsodium Argon2id string, the CLI's
 * --password-stdin; NULL: none) becomes its password; with token_out the
 * account also gets an invite whose token *token_out (65 octets)
 * receives (NULL: no invite). *stored (release with db_account_release()) is the account as
 * stored, so the audit row's after shows password_set as it is. Returns
 * 0, -EEXIST (username taken), -EINVAL (unknown carrier or role/carriers
 * mismatch), -ENOMEM, -EIO; nothing is stored on error.
 */
int svc_account_create(struct db *db, const struct db_account *a,
		       const char *pwhash,
		       const char *actor, int64_t now_utc,
		       struct db_account *stored, char token_out[65]);

#endif
