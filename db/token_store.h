/*
 * token_store: bearer tokens for scripts (table token). Only the SHA-256
 * hex digest of a token is stored, never the token. An admin token holds
 * no carrier; an organiser token holds one. Errors and units as in db.h.
 */
#ifndef ROADSHOWD_TOKEN_STORE_H
#define ROADSHOWD_TOKEN_STORE_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* A stored token, without its digest. Strings owned. */
struct db_token {
	int64_t id;
	char *role;			/* admin, organiser */
	char *carrier;			/* organiser's carrier slug or NULL */
	char *label;			/* NULL when none */
	int64_t created_utc;		/* seconds */
	int64_t revoked_utc;		/* 0 while live */
	int64_t expires_utc;		/* seconds; 0: never expires */
};

/*
 * Store the token whose SHA-256 hex digest is hash_hex, with role "admin"
 * (carrier NULL) or "organiser" (carrier: an existing slug), an optional
 * label, created at now_utc. Strings borrowed. Returns 0 and *id_out
 * (id_out may be NULL), -EINVAL (bad role, carrier missing, given to an
 * admin or unknown, or the digest already stored: a UNIQUE constraint),
 * -EIO.
 */
int db_token_insert(struct db *db, const char *hash_hex, const char *role,
		    const char *carrier, const char *label, int64_t now_utc,
		    int64_t *id_out);

/*
 * Look up a token that is not revoked by its digest (borrowed). Expiry is
 * not checked here (see db_token_get()). On 0, *role and *carrier (NULL
 * for an admin) are new strings the caller frees with free(), and *id_out
 * is set (id_out may be NULL). Returns 0, -ENOENT, -ENOMEM, -EIO.
 */
int db_token_lookup(struct db *db, const char *hash_hex, char **role,
		    char **carrier, int64_t *id_out);

/* All tokens, revoked or not, oldest first. On 0, *out is a new array of
 * *n tokens the caller frees with db_tokens_free(). 0, -ENOMEM, -EIO. */
int db_tokens_list(struct db *db, struct db_token **out, size_t *n);
/* Release the n tokens of t and free t. NULL is a no-op. */
void db_tokens_free(struct db_token *t, size_t n);

/* Token id (revoked or not) into *out (zeroed first; release with
 * db_token_release()). 0, -ENOENT, -ENOMEM, -EIO. */
int db_token_get(struct db *db, int64_t id, struct db_token *out);
/* Free the strings of t and zero it. NULL is a no-op. */
void db_token_release(struct db_token *t);

/* Revoke token id at now_utc (seconds UTC). 0, -ENOENT (unknown or
 * already revoked), -EIO. */
int db_token_revoke(struct db *db, int64_t id, int64_t now_utc);

/* Set token id's expiry (seconds UTC; 0: never). 0, -ENOENT, -EIO. */
int db_token_set_expiry(struct db *db, int64_t id, int64_t expires_utc);

#endif
