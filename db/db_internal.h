/*
 * db_internal: what the files of db/ share — the connection struct, the
 * transaction primitives, and the few helpers every store uses to run a
 * statement and map its rows. Not for other modules (sqlite3.h stays in
 * db/); tests may include it to reach db_exec() and db_errno_of().
 *
 * Every store follows one pattern, with one cleanup exit:
 *
 *	if (db_prepare(db, "SELECT ... WHERE slug = ?1", &st) != 0)
 *		return -EIO;
 *	sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
 *	return db_fetch_one(st, &region_rows, out);	(or db_collect())
 *
 * and a row type's from_row reads every column with db_col_strdup() and
 * answers -ENOMEM once at the end: the helper releases the element.
 */
#ifndef ROADSHOWD_DB_INTERNAL_H
#define ROADSHOWD_DB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct db_event;

struct db {
	sqlite3 *conn;
	int tx_depth;		/* nested db_begin() calls */
	int tx_failed;		/* first error inside the outer transaction */
};

/* ---- db.c: statements and transactions ---- */

/* Run sql (no parameters; our own text only). 0 or -EIO. */
int db_exec(struct db *db, const char *sql);
/* BEGIN IMMEDIATE, or join the caller's open transaction. 0 or -EIO
 * (or the storage condition seen: -ENOSPC, -EBUSY, -EROFS). */
int db_begin(struct db *db);
/* Leave a transaction: the outermost level COMMITs when every level
 * succeeded (returns -EIO if that fails) and ROLLBACKs otherwise; returns
 * the final rc (for a nested level, its own rc). */
int db_finish(struct db *db, int rc);

/* Prepare sql (our own text; the caller binds every parameter) into *st,
 * which the caller finalizes. 0, or -EIO with *st NULL. */
int db_prepare(struct db *db, const char *sql, sqlite3_stmt **st);
/* Step st to its end and finalize it (NULL: -EIO): 0, or the errno of
 * db_errno_of() (a constraint is -EINVAL). sqlite3_changes() and
 * sqlite3_last_insert_rowid() of the connection still tell what it did. */
int db_run(sqlite3_stmt *st);
/* Bind s, or NULL when s is NULL. SQLite result code. */
int db_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s);
/* SQLite step result to 0/-EINVAL (constraint)/-ENOMEM/-ENOSPC/-EBUSY/
 * -EROFS/-EIO (db_errno_of()). */
int db_step_map(int rc);

/* ---- db.c: mapping rows ---- */

/*
 * The one strdup of db/: a copy of s (borrowed) that the caller frees
 * with free(); NULL for NULL. When out of memory it returns NULL and sets
 * *oom to 1 (never clears it), so a row mapper copies every field and
 * checks once.
 */
char *db_strdup(const char *s, int *oom);
/* db_strdup() of text column col of the current row; NULL for SQL NULL. */
char *db_col_strdup(sqlite3_stmt *st, int col, int *oom);
/*
 * Split "a,b,c" (our own group_concat() of slugs: no empty items, no
 * escaping) into *out, a new array of n new strings; the caller frees
 * each and the array with free(). NULL or "" give *out NULL, *n 0.
 * 0 or -ENOMEM (nothing returned).
 */
int db_split_list(const char *list, char ***out, size_t *n);

/* Fill one zeroed element from the current row: 0 or -ENOMEM (the
 * helper then releases the element). */
typedef int (*db_row_fn)(sqlite3_stmt *st, void *elem);
/* Free what one element owns and zero it. */
typedef void (*db_release_fn)(void *elem);

/* How the rows of one query map to one struct. */
struct db_row_type {
	size_t size;			/* octets of one element */
	db_row_fn from_row;
	db_release_fn release;
};

/*
 * Step st (prepared and bound by the caller, finalized here) to the end,
 * filling an array of rt->size-octet elements. On 0, *out is a new array
 * the caller frees with db_rows_free(); NULL when *n == 0. On error
 * nothing is returned: -ENOMEM or -EIO (a NULL st is -EIO).
 */
int db_collect(sqlite3_stmt *st, const struct db_row_type *rt, void **out,
	       size_t *n);
/*
 * Step st (finalized here; NULL: -EIO) once and fill elem (zeroed first,
 * rt->size octets) from its row: 0, -ENOENT (no row; elem stays zeroed),
 * -ENOMEM or -EIO. The caller releases elem with rt's release function.
 */
int db_fetch_one(sqlite3_stmt *st, const struct db_row_type *rt, void *elem);
/* Release the n elements of v and free v. NULL is a no-op. */
void db_rows_free(const struct db_row_type *rt, void *v, size_t n);

/* ---- migrations.c, seed.c ---- */

/* Apply every migration the database lacks, each in its own transaction.
 * 0, -EIO (a database newer than this binary, or a migration failed),
 * -ENOMEM. */
int db_migrate(struct db *db);
/* Write the annex seed: regions, carriers, default rules, the 合计 row.
 * Inside migration 2's transaction. 0 or -EIO. */
int db_seed_apply(struct db *db);

/* ---- event_series.c, history_store.c: event_store.c's helpers ---- */

/* Load the RECURRENCE-ID overrides of ev (ev->id) into ev. 0, -ENOMEM,
 * -EIO. */
int db_series_load(struct db *db, struct db_event *ev);
/* The same for every series (rrule set) in v[0..n), in one query. */
int db_series_load_all(struct db *db, struct db_event *v, size_t n);
/* Replace the EXDATE, RDATE and override rows of event id with ev's.
 * 0, -EINVAL (constraint), -EIO. Call inside a transaction. */
int db_series_write(struct db *db, int64_t id, const struct db_event *ev);
/* Append the history row of a change to event id: action "create",
 * "update" or "delete", by actor, at now_utc (seconds UTC); before is the
 * JSON snapshot before the change (NULL for a create); the after snapshot
 * is read from the event table (NULL once deleted). 0 or -EIO. */
int db_history_write(struct db *db, int64_t id, const char *uid,
		     const char *action, const char *actor, int64_t now_utc,
		     const char *before);
/* The JSON snapshot of event id as *out, a new string the caller frees
 * with free(). 0, -ENOENT, -ENOMEM, -EIO. */
int db_history_snapshot(struct db *db, int64_t id, char **out);

/* ---- db_errors.c ---- */
/* SQLite result code to 0 or a negative errno: SQLITE_FULL -ENOSPC,
 * SQLITE_BUSY/LOCKED -EBUSY, SQLITE_READONLY -EROFS, SQLITE_CONSTRAINT
 * -EINVAL, SQLITE_NOMEM -ENOMEM, other errors -EIO. */
int db_errno_of(int sqlite_rc);
/* Remember a full-disk, locked or read-only condition seen by this
 * thread. */
void db_condition_note(int sqlite_rc);
/* fallback unless it is -EIO and this thread saw a condition since the
 * last take (then that condition's errno); clears the condition. */
int db_condition_take(int fallback);
/* Like db_condition_take() without clearing. */
int db_condition_peek(int fallback);
/* A write transaction committed: the disk is not full. */
void db_condition_committed(void);
/* Route SQLite's error log to db_condition_note() (once, before the first
 * connection opens). */
void db_conditions_install(void);

#endif
