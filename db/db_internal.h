/*
 * db_internal: what db.c and event_store.c share. Not for other modules.
 */
#ifndef ROADSHOWD_DB_INTERNAL_H
#define ROADSHOWD_DB_INTERNAL_H

#include <sqlite3.h>

struct db {
	sqlite3 *conn;
	int tx_depth;		/* nested db_begin() calls */
	int tx_failed;		/* first error inside the outer transaction */
};

/* Run sql (no parameters; our own text only). 0 or -EIO. */
int db_exec(struct db *db, const char *sql);
/* BEGIN IMMEDIATE, or join the caller's open transaction. 0 or -EIO. */
int db_begin(struct db *db);
/* Leave a transaction: the outermost level COMMITs when every level
 * succeeded (returns -EIO if that fails) and ROLLBACKs otherwise; returns
 * the final rc (for a nested level, its own rc). */
int db_finish(struct db *db, int rc);
/* strdup of a text column; NULL for SQL NULL; sets *oom on failure. The
 * caller frees with free(). */
char *db_col_strdup(sqlite3_stmt *st, int col, int *oom);
/* Bind s, or NULL when s is NULL. SQLite result code. */
int db_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s);
/* SQLite step result to 0/-EINVAL (constraint)/-ENOMEM/-ENOSPC/-EBUSY/
 * -EROFS/-EIO (db_errno_of()). */
int db_step_map(int rc);

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

/* Fill one element from the current row: 0 or -ENOMEM (the element is
 * then left released). */
typedef int (*db_row_fn)(sqlite3_stmt *st, void *elem);
/* Release one element. */
typedef void (*db_release_fn)(void *elem);

/*
 * Step st (prepared and bound by the caller, finalized here) to the end,
 * filling an array of `size`-octet elements with from_row. On 0, *out is a
 * new array the caller frees (elements with release, then free()); NULL
 * when *n == 0. On error nothing is returned: -ENOMEM or -EIO.
 */
int db_collect(sqlite3_stmt *st, size_t size, db_row_fn from_row,
	       db_release_fn release, void **out, size_t *n);

#endif
