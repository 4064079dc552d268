/*
 * db: roadshowd's SQLite storage.
 *
 * One database file (or ":memory:"), WAL, synchronous=FULL, foreign keys on,
 * busy timeout, numbered migrations applied at open, seeded once with the
 * annex's regions and carriers, the partner regions and the default cadence
 * rules. Every change to an event writes an event_history row in the same
 * transaction.
 *
 * Threading: a struct db is one connection; callers serialise access to it
 * (the service holds one mutex around every request's database work).
 *
 * Errors: functions return 0 or a negative errno: -EINVAL (bad argument),
 * -ENOENT (no such row), -EEXIST (unique key taken), -ESTALE (If-Match
 * revision mismatch), -ENOMEM, -ENOSPC (disk full), -EBUSY (locked by
 * another connection past the busy timeout), -EROFS (read-only file),
 * -EIO (other SQLite failure). An -EIO from a function that does not map
 * these itself can be refined with db_storage_condition().
 *
 * Times are seconds since the epoch, UTC, in int64_t.
 */
#ifndef ROADSHOWD_DB_H
#define ROADSHOWD_DB_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* A region of the district, or a partner region outside it. */
struct db_region {
	int64_t id;
	char *slug;			/* e.g. "wanzhou-jingkaiqu" */
	char *name;			/* Chinese name from the annex */
	char *name_en;			/* English name */
	char *kind;			/* zone, street, town, partner */
	int partner;			/* 1 for a partner region */
	int has_targets;		/* 1 when the annex gives targets */
	int annex_row;			/* 序号 in the annex, 0 if none */
	double area_10k_m2;		/* carrier floor area, 10^4 m^2 */
	int64_t enterprises_and_teams;	/* count */
	int64_t tech_enterprises;	/* count */
	int target_year;		/* year the targets are for; 0: none */
	int has_annex;			/* 1 when the annex printed targets */
	double annex_area_10k_m2;	/* the annex's printed plan, kept */
	int64_t annex_enterprises_and_teams; /* as printed */
	int64_t annex_tech_enterprises;	/* as printed */
};

/* An incubation carrier (孵化载体). */
struct db_carrier {
	int64_t id;
	char *slug;
	char *name;			/* Chinese name from the annex */
	char *kind;			/* maker_space, incubator, accelerator, platform */
	char *level;			/* national, municipal, district, none */
	char *region;			/* region slug */
	char *name_en;			/* English name or NULL */
	char *recognised_on;		/* YYYY-MM-DD the level was granted,
					 * or NULL */
	char *address;			/* NULL when none */
	int has_geo;			/* 1 when geo_lat/geo_lon are set */
	double geo_lat;			/* degrees, WGS 84 */
	double geo_lon;			/* degrees */
	char *website;			/* http(s) URL or NULL */
	char *contact;			/* NULL when none */
	char *retired_from;		/* YYYY-MM-DD (local) from which no
					 * event may start, or NULL */
};

/* One changed occurrence of a series (RFC 5545 RECURRENCE-ID). NULL
 * strings inherit the series' values. */
struct db_override {
	int64_t recurrence_utc;		/* original start, seconds UTC */
	int64_t start_utc;		/* moved start, seconds UTC */
	int64_t end_utc;		/* moved end, seconds UTC */
	char *title;
	char *venue;
	char *description;
	char *status;			/* NULL: the series' status */
};

/* An event, as stored. All strings are owned by the struct. */
struct db_event {
	int64_t id;
	char *uid;			/* RFC 5545 UID, stable for life */
	char *kind;			/* roadshow, salon, ... (calendar/kind.h) */
	char *title;
	char *description;		/* NULL when none */
	char *venue;			/* NULL when none */
	int all_day;			/* 1: DATE values, end exclusive */
	int64_t start_utc;		/* seconds; all-day: local midnight */
	int64_t end_utc;		/* seconds; exclusive */
	char start_date[11];		/* YYYY-MM-DD when all_day, else "" */
	char end_date[11];		/* YYYY-MM-DD exclusive when all_day */
	char *tzid;			/* IANA name, e.g. "Asia/Shanghai" */
	char *status;			/* TENTATIVE, CONFIRMED, CANCELLED */
	char *carrier;			/* host carrier slug; NULL: the district */
	char *carrier_name;		/* read only, from the carrier */
	char *region;			/* read only, derived from the carrier */
	char **partner_regions;		/* region slugs */
	size_t n_partner_regions;
	char *rrule;			/* RFC 5545 RECUR value or NULL */
	char *url;			/* NULL when none */
	int64_t capacity;		/* people; 0 when not set */
	int64_t sequence;		/* RFC 5545 SEQUENCE */
	int64_t revision;		/* grows by one on every write (ETag) */
	int64_t created_utc;		/* seconds */
	int64_t modified_utc;		/* seconds; last change */
	int64_t placed_utc;		/* seconds; read only: created, or
					 * last moved to another month */
	int has_geo;			/* 1 when geo_lat/geo_lon are set */
	double geo_lat;			/* degrees, WGS 84 (RFC 5545 GEO) */
	double geo_lon;			/* degrees */
	int64_t *exdates;		/* EXDATE: cancelled occurrence
					 * starts, seconds UTC, ascending */
	size_t n_exdates;
	struct db_override *overrides;	/* RECURRENCE-ID overrides,
					 * ascending by recurrence_utc */
	size_t n_overrides;
	int64_t *rdates;		/* RDATE: extra occurrence starts,
					 * seconds UTC, ascending (RFC 5545
					 * §3.8.5.2); a series with or without
					 * rrule */
	size_t n_rdates;
	char *tzid_source;		/* NULL, or the TZID an imported file
					 * used when no IANA zone matched its
					 * VTIMEZONE (tzid is then "UTC") */
};

/* A private feed subscription (its secret is never stored, only the
 * SHA-256 of it). Filters are NULL when unused. */
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
	int64_t fetch_count;
};

/*
 * A version of a cadence rule (DESIGN.md: kinds, period, min, scope).
 * Rules are versioned: a change closes the live version (active_to) and
 * opens a new one, so reports for past periods keep the rule as it was.
 */
struct db_rule {
	int64_t version;		/* row id of this version */
	char *id;			/* e.g. "monthly-roadshow" */
	char *name;			/* human name, zh-CN */
	char *kinds;			/* comma-separated event kinds */
	char *period;			/* month, quarter, year */
	int64_t min_count;		/* events per period */
	char *scope;			/* district, region, carrier, partner */
	char *active_from;		/* YYYY-MM-DD or NULL (always) */
	char *active_to;		/* YYYY-MM-DD exclusive, or NULL */
	char *actor;			/* who made this version */
	int64_t created_utc;		/* seconds; 0 for the seed */
};

/* Filters for db_event_list(); zero / NULL fields do not filter. */
struct db_event_filter {
	int64_t from_utc;		/* events ending after this; 0: none */
	int64_t to_utc;			/* events starting before this; 0: none */
	int has_window;			/* 1 when from/to apply */
	const char *kind;		/* kind slugs, comma-separated: any */
	const char *region;		/* host carrier's region slug */
	const char *carrier;		/* carrier slug; "-" for the district */
	const char *partner;		/* partner region slug */
	const char *status;
	const char *q;			/* substring of title/description/venue */
	int exclude_tentative;		/* 1: leave TENTATIVE out, */
	const char *const *tentative_carriers; /* except these carriers' */
	size_t n_tentative_carriers;
	int64_t cancelled_since;	/* leave out CANCELLED modified before */
	int64_t after_id;		/* keyset pagination: rows after
					 * (after_start_utc, after_id) in
					 * (start_utc, id) order; 0: none */
	int64_t after_start_utc;
	int limit;			/* 0: no limit */
};

struct db_event_list {
	struct db_event *items;
	size_t n;
};

/*
 * Open (creating if needed) the database at path, apply migrations, seed a
 * new database, run PRAGMA quick_check. path is borrowed; ":memory:" works.
 * now_utc stamps the seed rows. On success *out is set; free with db_close().
 * Returns 0, -EIO (cannot open, migration failed, quick_check not ok) or
 * -ENOMEM.
 */
int db_open(const char *path, int64_t now_utc, struct db **out);

/* Close the connection and free db. NULL is a no-op. */
void db_close(struct db *db);

/*
 * Group several changes into one transaction: every db_ write between
 * db_tx_begin() and db_tx_end() commits together or not at all. db_tx_end
 * commits when rc == 0 and no change inside failed, else rolls back;
 * returns the final code (rc, or the first failure inside, or -EIO).
 */
int db_tx_begin(struct db *db);
int db_tx_end(struct db *db, int rc);

/* Schema version after migrations (the highest migration number). */
int db_schema_version(struct db *db);

/* The number of migrations this build knows: a migrated database's
 * db_schema_version(). */
int db_schema_latest(void);

/*
 * The database's creation (seconds UTC), the default start of cadence
 * tracking: stored once; when not yet stored (a database older than the
 * db_info table with no events), now_utc is stored and returned.
 * 0 or -EIO. (db/info_store.c)
 */
int db_created_utc(struct db *db, int64_t now_utc, int64_t *out);

/* Count rows of a table, for tests and /metrics. -1 on error. name must be
 * one of our own table names (checked); it is never user input. */
int64_t db_count_rows(struct db *db, const char *table);

/*
 * Regions and carriers, ordered by annex row then slug. The array and its
 * strings are the caller's; free with db_regions_free()/db_carriers_free().
 * partner: -1 all, 0 district regions only, 1 partner regions only.
 */
int db_regions_list(struct db *db, int partner, struct db_region **out,
		    size_t *n);
void db_regions_free(struct db_region *r, size_t n);
int db_region_get(struct db *db, const char *slug, struct db_region *out);
void db_region_release(struct db_region *r);

/* region may be NULL for all carriers. */
int db_carriers_list(struct db *db, const char *region,
		     struct db_carrier **out, size_t *n);
void db_carriers_free(struct db_carrier *c, size_t n);
int db_carrier_get(struct db *db, const char *slug, struct db_carrier *out);
void db_carrier_release(struct db_carrier *c);

/*
 * The annex's 合计 row as printed (area, enterprises and teams, tech
 * enterprises). Returns 0 or -ENOENT when not seeded.
 */
int db_annex_totals(struct db *db, double *area_10k_m2,
		    int64_t *enterprises_and_teams, int64_t *tech_enterprises);

/*
 * Insert ev (uid, kind, title, times, tzid, status, carrier slug or NULL,
 * partner_regions, rrule, ...) with sequence 0, revision 1, created and
 * modified at now_utc, and one history row by actor, in one transaction.
 * Returns 0 and *id_out, -EINVAL (unknown carrier or partner region slug,
 * end before start), -EEXIST (uid taken), -EIO. Nothing is written on error.
 */
int db_event_insert(struct db *db, const struct db_event *ev,
		    const char *actor, int64_t now_utc, int64_t *id_out);

/*
 * Replace the stored event ev->id with ev's editable fields. When
 * if_revision > 0 and differs from the stored revision, -ESTALE. The
 * revision grows by one; sequence is set to ev->sequence (the caller decides
 * what is a significant change); modified_utc = now_utc; a history row with
 * before/after snapshots is written in the same transaction. Returns 0,
 * -ENOENT, -ESTALE, -EINVAL, -EIO.
 */
int db_event_update(struct db *db, const struct db_event *ev,
		    int64_t if_revision, const char *actor, int64_t now_utc);

/* Hard delete (admin). History rows keep the last snapshot. 0 or -ENOENT. */
int db_event_delete(struct db *db, int64_t id, const char *actor,
		    int64_t now_utc);

/* Load one event by id or uid. out is filled; free with db_event_release().
 * Returns 0, -ENOENT, -EIO, -ENOMEM. */
int db_event_get(struct db *db, int64_t id, struct db_event *out);
int db_event_get_by_uid(struct db *db, const char *uid, struct db_event *out);

/* The id and host carrier slug (*carrier_out: a new string, NULL for the
 * district) of the event with uid, without loading it (import_store.c).
 * 0, -ENOENT, -ENOMEM, -EIO. */
int db_event_host_of_uid(struct db *db, const char *uid, int64_t *id_out,
			 char **carrier_out);

/* Events matching f, ordered by start_utc then id. Free with
 * db_event_list_free(). */
int db_event_list(struct db *db, const struct db_event_filter *f,
		  struct db_event_list *out);
void db_event_list_free(struct db_event_list *l);

/* Free every string of ev and zero it. NULL is a no-op. */
void db_event_release(struct db_event *ev);

/* Add t (seconds UTC) to ev->exdates, kept ascending and without
 * duplicates. No database access. 0 or -ENOMEM (ev unchanged). */
int db_event_add_exdate(struct db_event *ev, int64_t t);

/* Add t (seconds UTC) to ev->rdates, kept ascending and without
 * duplicates. No database access. 0 or -ENOMEM (ev unchanged). */
int db_event_add_rdate(struct db_event *ev, int64_t t);

/* Deep copy src into dst (zeroed first). 0 or -ENOMEM. */
int db_event_copy(struct db_event *dst, const struct db_event *src);

/* Greatest modified_utc over all events (0 when none), and the number of
 * history rows: together they identify the state of the event table. */
int db_event_state(struct db *db, int64_t *max_modified, int64_t *changes);

/*
 * Last-Modified of feeds: the latest change to any event (history), or,
 * when later, the moment a CANCELLED event left the public feeds (its
 * change + window, if that is before now_utc). 0 when nothing changed
 * yet. Monotonic as long as the clock is. Seconds since the epoch, UTC.
 * *n_at_out is the number of changes that fall in that second (a client
 * that saw fewer of them holds an older state under the same date; see
 * service/feed_state.c). 0 or -EIO.
 */
int db_feed_last_modified(struct db *db, int64_t window_s, int64_t now_utc,
			  int64_t *out, int64_t *n_at_out);

/* History rows of one event (for tests and audit): count, or -1. */
int64_t db_event_history_count(struct db *db, int64_t event_id);

/*
 * Tokens: store the SHA-256 hex digest of a bearer token (never the token).
 * role: "admin" or "organiser"; carrier: slug (organiser) or NULL.
 * Returns 0 and *id_out, -EINVAL (unknown carrier, bad role), -EIO.
 */
int db_token_insert(struct db *db, const char *hash_hex, const char *role,
		    const char *carrier, const char *label, int64_t now_utc,
		    int64_t *id_out);

/*
 * Look up a live (not revoked) token by its digest. On success *role and
 * *carrier (NULL for admins) are heap strings the caller frees with free().
 * Returns 0, -ENOENT, -EIO, -ENOMEM.
 */
int db_token_lookup(struct db *db, const char *hash_hex, char **role,
		    char **carrier, int64_t *id_out);

/* A stored token, without its digest. */
struct db_token {
	int64_t id;
	char *role;			/* admin, organiser */
	char *carrier;			/* organiser's carrier slug or NULL */
	char *label;			/* NULL when none */
	int64_t created_utc;		/* seconds */
	int64_t revoked_utc;		/* 0 while live */
	int64_t expires_utc;		/* seconds; 0: never expires */
};

/* All tokens, oldest first. Free with db_tokens_free(). */
int db_tokens_list(struct db *db, struct db_token **out, size_t *n);
void db_tokens_free(struct db_token *t, size_t n);

/* Revoke token id from now on. 0, -ENOENT (unknown or revoked). */
int db_token_revoke(struct db *db, int64_t id, int64_t now_utc);

/* Every version of every cadence rule: rules in the order they were first
 * created, each rule's versions oldest first. Free with db_rules_free(). */
int db_rules_list(struct db *db, struct db_rule **out, size_t *n);
void db_rules_free(struct db_rule *r, size_t n);

/*
 * Create rule r (id, name, kinds, period, min_count, scope, active_from,
 * active_to as validated by the caller) as its first version.
 * Returns 0, -EEXIST (the id is taken, even by a retired rule), -EINVAL,
 * -EIO.
 */
int db_rule_create(struct db *db, const struct db_rule *r, const char *actor,
		   int64_t now_utc);

/*
 * Change rule `id` from date effective_from (YYYY-MM-DD, a period start
 * chosen by the caller): the live version (active_to NULL) is closed at
 * effective_from and a new version with r's fields opens there; when the
 * live version itself starts at or after effective_from it is rewritten in
 * place. r->active_to is kept on the new version. Returns 0, -ENOENT (no
 * live version), -EINVAL, -EIO.
 */
int db_rule_change(struct db *db, const char *id, const struct db_rule *r,
		   const char *effective_from, const char *actor,
		   int64_t now_utc);

/* Retire rule `id` from date active_to (YYYY-MM-DD, exclusive). 0,
 * -ENOENT (no live version), -EINVAL (active_to not after the live
 * version's start), -EIO. */
int db_rule_retire(struct db *db, const char *id, const char *active_to,
		   const char *actor, int64_t now_utc);

/* ---- private feed subscriptions ---- */

/* Store a subscription with the SHA-256 hex of its secret. s's id and
 * counters are ignored. Returns 0 and *id_out, -EEXIST, -EIO. */
int db_subscription_insert(struct db *db, const char *hash_hex,
			   const struct db_subscription *s, int64_t now_utc,
			   int64_t *id_out);
/* The live subscription whose secret hashes to hash_hex. 0, -ENOENT. */
int db_subscription_lookup(struct db *db, const char *hash_hex,
			   struct db_subscription *out);
/* Record a fetch: time and User-Agent (may be NULL; cut to 256 octets). */
int db_subscription_touch(struct db *db, int64_t id, int64_t now_utc,
			  const char *user_agent);
/* Revoke. 0, -ENOENT (unknown or already revoked). */
int db_subscription_revoke(struct db *db, int64_t id, int64_t now_utc);
/* All subscriptions, newest first. Free with db_subscriptions_free(). */
int db_subscriptions_list(struct db *db, struct db_subscription **out,
			  size_t *n);
void db_subscription_release(struct db_subscription *s);
void db_subscriptions_free(struct db_subscription *s, size_t n);

/*
 * Append one audit row: at_utc (seconds since the epoch, UTC), actor
 * ("admin:token-7", "user:alice", "cli"), object_type ("carrier", "region",
 * "rule", "account", "token", "subscription"), object_id (its slug or id),
 * action ("create", "update", "retire", "revoke", "delete", ...), and the
 * object before and after as JSON text (NULL where there is none). All
 * strings are borrowed. Call it inside the transaction of the change it
 * records, so both land or neither. 0, -EINVAL (a NULL required string) or
 * -EIO.
 */
int db_audit_add(struct db *db, int64_t at_utc, const char *actor,
		 const char *object_type, const char *object_id,
		 const char *action, const char *before_json,
		 const char *after_json);

/* ---- feed state and parallel readers (db/feed_state.c) ---- */

/*
 * Open a read connection to the existing database file path (borrowed)
 * for one thread: WAL lets it read while the writer writes. It runs no
 * migrations and refuses writes (PRAGMA query_only). Free with
 * db_close(). 0, -ENOMEM or -EIO.
 */
int db_open_reader(const char *path, struct db **out);

/*
 * The moments (seconds UTC, ascending, distinct) after now_utc at which a
 * CANCELLED event leaves the public feeds: its last change + window_s.
 * *out is the caller's (free()); NULL when *n is 0. 0, -ENOMEM or -EIO.
 */
int db_feed_leaves(struct db *db, int64_t window_s, int64_t now_utc,
		   int64_t **out, size_t *n);

/* The latest event_history and audit row ids (0 when none): every change
 * a feed can show moves one of them, whichever process made it. 0 or
 * -EIO. */
int db_change_marks(struct db *db, int64_t *history, int64_t *audit);

/* The latest audit row's time (seconds UTC, 0 when none) and how many
 * rows share that second. 0 or -EIO. */
int db_audit_latest(struct db *db, int64_t *at_out, int64_t *n_at_out);

/*
 * What anonymous readers may count (metrics_store.c): events that are not
 * TENTATIVE, and history rows of events that are not TENTATIVE now (or
 * were deleted). 0 or -EIO.
 */
int db_count_public(struct db *db, int64_t *events, int64_t *changes);

/* ---- db_errors.c: storage conditions ---- */

/*
 * The condition behind this thread's last storage failure: -ENOSPC (disk
 * full), -EBUSY (locked by another connection past the busy timeout),
 * -EROFS (read-only), or 0 when none was seen; clears it.
 */
int db_storage_condition(void);

/*
 * 1 when a write could succeed now: the file is writable and not opened
 * read-only, and its file system has room (64 KiB; 1 MiB after a write
 * failed for lack of space and none has committed since). 0 otherwise.
 */
int db_writable(struct db *db);

#endif
