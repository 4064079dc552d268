/*
 * account_store: people who log in to the console (issue 8), their
 * one-time invites and their sessions.
 *
 * An account has a role (admin, organiser, viewer); an organiser holds one
 * or more carriers. Only digests are stored: the password as a libsodium
 * crypto_pwhash_str() string (made by the caller), invites and sessions as
 * the SHA-256 hex digest of their random secret (made by the caller).
 *
 * Errors as in db.h: 0 or -EINVAL, -ENOENT, -EEXIST, -ENOMEM, -EIO (a
 * write may also answer the storage errnos -ENOSPC, -EBUSY, -EROFS).
 * Times are seconds since the epoch, UTC. Strings passed in are borrowed.
 */
#ifndef ROADSHOWD_ACCOUNT_STORE_H
#define ROADSHOWD_ACCOUNT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* Longest username, octets. */
#define DB_USERNAME_MAX 64

struct db_account {
	int64_t id;
	char *username;			/* 1..64 octets, unique */
	char *role;			/* admin, organiser, viewer */
	char **carriers;		/* carrier slugs, ascending */
	size_t n_carriers;
	int disabled;			/* 1: cannot log in */
	int has_password;		/* 1 once an invite was accepted */
	int64_t created_utc;		/* seconds */
	int64_t updated_utc;		/* seconds */
	int64_t last_login_utc;		/* seconds; 0 when never */
};

/* Free the strings of a and zero it. NULL is a no-op. */
void db_account_release(struct db_account *a);
/* Release the n accounts of a and free a. NULL is a no-op. */
void db_accounts_free(struct db_account *a, size_t n);

/*
 * Insert account a (username, role, carriers; the rest is ignored), with no
 * password, created and updated at now_utc. Returns 0 and *id_out,
 * -EEXIST (username taken), -EINVAL (unknown carrier slug, bad role, an
 * organiser without carriers or another role with some), -EIO. Nothing is
 * written on error. Joins the caller's transaction (db_tx_begin()).
 */
int db_account_insert(struct db *db, const struct db_account *a,
		      int64_t now_utc, int64_t *id_out);

/*
 * Load the account named username (borrowed) into out (release with
 * db_account_release()). When password_hash is not NULL it receives the
 * stored crypto_pwhash_str string (caller frees with free()) or NULL when
 * none is set. Returns 0, -ENOENT, -ENOMEM, -EIO.
 */
int db_account_get(struct db *db, const char *username,
		   struct db_account *out, char **password_hash);
/* The account id into *out (zeroed first; release with
 * db_account_release()). 0, -ENOENT, -ENOMEM, -EIO. */
int db_account_get_by_id(struct db *db, int64_t id, struct db_account *out);

/* Every account, by username. On 0, *out is a new array of *n accounts
 * the caller frees with db_accounts_free(). 0, -ENOMEM, -EIO. */
int db_accounts_list(struct db *db, struct db_account **out, size_t *n);

/*
 * Replace role, carriers and disabled of the account a->id (username is not
 * changed), updated at now_utc; disabling deletes its sessions. Same
 * -EINVAL rules as db_account_insert(); -ENOENT for no such account.
 */
int db_account_update(struct db *db, const struct db_account *a,
		      int64_t now_utc);

/* Set the password digest (a crypto_pwhash_str string, borrowed) of
 * account id and end all its sessions. 0, -ENOENT, -EIO. */
int db_account_set_password(struct db *db, int64_t id, const char *pwhash,
			    int64_t now_utc);

/* Record a successful login at now_utc. 0 or -EIO. */
int db_account_touch_login(struct db *db, int64_t id, int64_t now_utc);

/*
 * Store a new invite for account_id by the SHA-256 hex of its token,
 * valid until expires_utc; earlier unused invites of the account stop
 * working. 0, -ENOENT (no such account), -EIO.
 */
int db_invite_insert(struct db *db, int64_t account_id, const char *hash_hex,
		     int64_t now_utc, int64_t expires_utc);

/*
 * Use the invite whose token hashes to hash_hex: it must exist, be unused,
 * not be expired at now_utc and belong to an enabled account. Marks it used
 * and returns 0 with *account_id; -ENOENT otherwise (nothing changes).
 */
int db_invite_take(struct db *db, const char *hash_hex, int64_t now_utc,
		   int64_t *account_id);

/* Store a session by the SHA-256 hex of its id, with its CSRF token
 * (borrowed), seen at now_utc. 0 or -EIO. */
int db_session_insert(struct db *db, const char *hash_hex,
		      int64_t account_id, const char *csrf, int64_t now_utc);

/*
 * Find the live session whose id hashes to hash_hex: one seen less than
 * idle_s seconds before now_utc, of an enabled account. Fills *account
 * (release with db_account_release()) and csrf (65 octets). A session idle
 * too long is deleted. The session's last-seen time moves to now_utc when
 * it is at least 60 s old (so reads rarely write). Returns 0, -ENOENT,
 * -ENOMEM, -EIO.
 */
int db_session_lookup(struct db *db, const char *hash_hex, int64_t now_utc,
		      int64_t idle_s, struct db_account *account,
		      char csrf[65]);

/* End the session whose id hashes to hash_hex. 0 or -ENOENT. */
int db_session_delete(struct db *db, const char *hash_hex);

#endif
