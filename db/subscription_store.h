/*
 * subscription_store: private feed subscriptions (table subscription). A
 * subscription is a feed URL with a secret; only the SHA-256 hex digest of
 * the secret is stored. Errors and units as in db.h.
 */
#ifndef ROADSHOWD_SUBSCRIPTION_STORE_H
#define ROADSHOWD_SUBSCRIPTION_STORE_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* A private feed subscription. Filters are slugs (kind: an event kind),
 * NULL when unused. Strings owned (db_subscription_release()). */
struct db_subscription {
	int64_t id;
	char *label;
	char *kind;
	char *region;
	char *carrier;
	char *partner;
	int64_t created_utc;		/* seconds */
	int64_t revoked_utc;		/* 0 while live */
	int64_t last_fetch_utc;		/* 0 when never fetched */
	char *last_user_agent;		/* NULL when never fetched */
	int64_t fetch_count;		/* fetches recorded */
};

/* Store subscription s (label required; filters; s's id, times and
 * counters are ignored) under the digest hash_hex, created at now_utc.
 * Strings borrowed. Returns 0 and *id_out (id_out may be NULL), -EINVAL
 * (a NULL argument or label), -EEXIST (digest taken), -EIO. */
int db_subscription_insert(struct db *db, const char *hash_hex,
			   const struct db_subscription *s, int64_t now_utc,
			   int64_t *id_out);

/* The live subscription whose secret hashes to hash_hex (borrowed) into
 * *out (zeroed first; release with db_subscription_release()). 0,
 * -ENOENT (unknown or revoked), -ENOMEM, -EIO. */
int db_subscription_lookup(struct db *db, const char *hash_hex,
			   struct db_subscription *out);

/* Record a fetch of subscription id at now_utc with its User-Agent
 * (borrowed, may be NULL; the first 256 characters are kept). An unknown
 * id changes nothing and still returns 0. 0 or -EIO. */
int db_subscription_touch(struct db *db, int64_t id, int64_t now_utc,
			  const char *user_agent);

/* Revoke subscription id at now_utc. 0, -ENOENT (unknown or already
 * revoked), -EIO. */
int db_subscription_revoke(struct db *db, int64_t id, int64_t now_utc);

/* All subscriptions, revoked or not, newest first. On 0, *out is a new
 * array of *n the caller frees with db_subscriptions_free(). 0, -ENOMEM,
 * -EIO. */
int db_subscriptions_list(struct db *db, struct db_subscription **out,
			  size_t *n);
/* Free the strings of s and zero it. NULL is a no-op. */
void db_subscription_release(struct db_subscription *s);
/* Release the n subscriptions of s and free s. NULL is a no-op. */
void db_subscriptions_free(struct db_subscription *s, size_t n);

#endif
