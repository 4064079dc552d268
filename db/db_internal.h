/*
 * db_internal: what db.c and event_store.c share. Not for other modules.
 */
#ifndef ROADSHOWD_DB_INTERNAL_H
#define ROADSHOWD_DB_INTERNAL_H

#include <sqlite3.h>

struct db {
	sqlite3 *conn;
};

/* Run sql (no parameters; our own text only). 0 or -EIO. */
int db_exec(struct db *db, const char *sql);
/* BEGIN IMMEDIATE. 0 or -EIO. */
int db_begin(struct db *db);
/* COMMIT when rc == 0 (returns -EIO if that fails), else ROLLBACK; returns
 * the final rc. */
int db_finish(struct db *db, int rc);
/* strdup of a text column; NULL for SQL NULL; sets *oom on failure. The
 * caller frees with free(). */
char *db_col_strdup(sqlite3_stmt *st, int col, int *oom);
/* Bind s, or NULL when s is NULL. SQLite result code. */
int db_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s);
/* SQLite step result to 0/-EINVAL (constraint)/-ENOMEM/-EIO. */
int db_step_map(int rc);

#endif
