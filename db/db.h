/*
 * db: roadshowd's SQLite storage.
 *
 * One database file (or ":memory:"), WAL, synchronous=FULL, foreign keys on,
 * a 5 s busy timeout, numbered migrations applied at open (migrations.c),
 * seeded once with the annex's regions and carriers, the partner regions
 * and the three default cadence rules (seed.c). Every change to an event
 * writes an event_history row in the same transaction.
 *
 * This header holds the connection's life cycle and includes the header of
 * every store, so `#include "db.h"` reaches the whole module:
 *	place_store.h		regions and carriers
 *	event_store.h		events, their series exceptions
 *	history_store.h		event history (read side)
 *	rule_store.h		versioned cadence rules
 *	token_store.h		bearer tokens
 *	subscription_store.h	private feed subscriptions
 *	audit_store.h		the audit trail
 *	feed_state.h		what the feed cache watches
 * account_store.h (console accounts, sessions) and backup.h are included
 * by the code that needs them.
 *
 * Threading: a struct db is one connection, used by one thread at a time.
 * The service keeps one writer connection (db_open()) and takes its lock
 * around every use of it; feed threads read through their own connection
 * each (db_open_reader()), which WAL lets run beside the writer.
 *
 * Errors: functions return 0 or a negative errno: -EINVAL (bad argument,
 * or a constraint the schema enforces: SQLITE_CONSTRAINT), -ENOENT (no
 * such row), -EEXIST (unique key taken, where a function says so), -ESTALE
 * (If-Match revision mismatch), -ENOMEM, -ENOSPC (disk full:
 * SQLITE_FULL), -EBUSY (SQLITE_BUSY/SQLITE_LOCKED: locked by another
 * connection past the busy timeout), -EROFS (SQLITE_READONLY), -EIO (any
 * other SQLite failure). A function that returns -EIO without mapping
 * these itself can be refined with db_storage_condition().
 *
 * Times are seconds since the epoch, UTC, in int64_t. Strings passed in
 * are borrowed for the call; structs filled by a function own their
 * strings and are released with the function their header names.
 */
#ifndef ROADSHOWD_DB_H
#define ROADSHOWD_DB_H

#include <stddef.h>
#include <stdint.h>

struct db;

/*
 * Open (creating if needed) the database file at path (borrowed;
 * ":memory:" works), run PRAGMA quick_check, apply the migrations this
 * build knows (a new file is seeded by migration 2). now_utc (seconds
 * UTC) is not used: the seed rows carry no time stamp (the seeded rule
 * versions have created_utc 0). On 0, *out is a new connection the
 * caller frees with db_close(). Returns 0, -ENOMEM, or -EIO (cannot open,
 * quick_check not "ok", a schema newer than this build, a migration
 * failed).
 */
int db_open(const char *path, int64_t now_utc, struct db **out);

/*
 * Open a read connection to the existing database file path (borrowed)
 * for one thread: it runs no migrations and refuses writes (PRAGMA
 * query_only); WAL lets it read while the writer writes. On 0, *out is
 * the caller's, freed with db_close(). 0, -ENOMEM or -EIO.
 */
int db_open_reader(const char *path, struct db **out);

/* Close the connection and free db. NULL is a no-op. */
void db_close(struct db *db);

/*
 * Group several changes into one transaction (BEGIN IMMEDIATE): every db_
 * write between db_tx_begin() and db_tx_end() joins it and commits
 * together or not at all; the stores' own transactions nest inside it.
 * db_tx_begin: 0, or -EBUSY / -ENOSPC / -EROFS when SQLite reported that
 * condition, else -EIO.
 * db_tx_end commits when rc == 0 and no change inside failed, else rolls
 * back; it returns rc, or the first failure inside, or the failed
 * COMMIT's -EIO / -ENOSPC / -EBUSY / -EROFS.
 */
int db_tx_begin(struct db *db);
int db_tx_end(struct db *db, int rc);

/* The schema version of the open database (PRAGMA user_version: the last
 * migration applied), or -1 when it cannot be read. */
int db_schema_version(struct db *db);

/* The number of migrations this build knows: the db_schema_version() of
 * a database it opened. Tests compare with this, never with a literal. */
int db_schema_latest(void);

/*
 * The database's creation (seconds UTC), the default start of cadence
 * tracking (table db_info, info_store.c): stored once; when not stored
 * yet (a database older than db_info with no events) now_utc is stored
 * and returned; when it cannot be stored (read-only), now_utc is
 * returned. 0 and *out, or -EIO.
 */
int db_created_utc(struct db *db, int64_t now_utc, int64_t *out);

/* The number of rows of table, for tests and /metrics; -1 on error or
 * when table is not one of our own tables (checked against a list: it is
 * never formatted into SQL unchecked). table is borrowed. */
int64_t db_count_rows(struct db *db, const char *table);

/* ---- storage conditions (db_errors.c) ---- */

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

#include "place_store.h"
#include "event_store.h"
#include "history_store.h"
#include "rule_store.h"
#include "token_store.h"
#include "subscription_store.h"
#include "audit_store.h"
#include "feed_state.h"

#endif
