/*
 * audit_store.c: the audit trail of changes to carriers, regions, rules,
 * accounts, tokens and subscriptions (table audit; events keep
 * event_history, history_store.c): append, list, latest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"

int
db_audit_add(struct db *db, int64_t at_utc, const char *actor,
	     const char *object_type, const char *object_id,
	     const char *action, const char *before_json,
	     const char *after_json)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (!actor || !object_type || !object_id || !action)
		return -EINVAL;
	if (db_prepare(db, "INSERT INTO audit(at_utc, actor,"
	    " object_type, object_id, action, before, after) VALUES (?1, ?2,"
	    " ?3, ?4, ?5, ?6, ?7)", &st) != 0)
		goto out;
	if (sqlite3_bind_int64(st, 1, at_utc) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, actor, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_text(st, 3, object_type, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(st, 4, object_id, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(st, 5, action, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    db_bind_text_or_null(st, 6, before_json) != SQLITE_OK ||
	    db_bind_text_or_null(st, 7, after_json) != SQLITE_OK)
		goto out;
	rc = db_step_map(sqlite3_step(st));
out:
	sqlite3_finalize(st);
	return rc;
}

static void
audit_release(void *elem)
{
	struct db_audit_row *a = elem;

	free(a->actor);
	free(a->object_type);
	free(a->object_id);
	free(a->action);
	free(a->before_json);
	free(a->after_json);
	memset(a, 0, sizeof(*a));
}

static int
audit_row(sqlite3_stmt *st, void *elem)
{
	struct db_audit_row *a = elem;
	int oom = 0;

	a->id = sqlite3_column_int64(st, 0);
	a->at_utc = sqlite3_column_int64(st, 1);
	a->actor = db_col_strdup(st, 2, &oom);
	a->object_type = db_col_strdup(st, 3, &oom);
	a->object_id = db_col_strdup(st, 4, &oom);
	a->action = db_col_strdup(st, 5, &oom);
	a->before_json = db_col_strdup(st, 6, &oom);
	a->after_json = db_col_strdup(st, 7, &oom);
	return oom ? -ENOMEM : 0;
}

static const struct db_row_type audit_rows = {
	sizeof(struct db_audit_row), audit_row, audit_release,
};

void
db_audit_rows_free(struct db_audit_row *rows, size_t n)
{
	db_rows_free(&audit_rows, rows, n);
}

int
db_audit_list(struct db *db, const struct db_audit_filter *f,
	      struct db_audit_row **out, size_t *n)
{
	sqlite3_stmt *st = NULL;

	*out = NULL;
	*n = 0;
	if (!f || f->limit < 1 || f->limit > 1000)
		return -EINVAL;
	if (db_prepare(db, "SELECT id, at_utc, actor,"
	    " object_type, object_id, action, before, after FROM audit"
	    " WHERE (?1 IS NULL OR object_type = ?1)"
	    " AND (?2 IS NULL OR object_id = ?2)"
	    " AND (?3 IS NULL OR actor = ?3)"
	    " AND (?4 = 0 OR id < ?4)"
	    " ORDER BY id DESC LIMIT ?5", &st) != 0)
		return -EIO;
	db_bind_text_or_null(st, 1, f->object_type);
	db_bind_text_or_null(st, 2, f->object_id);
	db_bind_text_or_null(st, 3, f->actor);
	sqlite3_bind_int64(st, 4, f->before_id);
	sqlite3_bind_int(st, 5, f->limit);
	return db_collect(st, &audit_rows, (void **)out, n);
}

int
db_audit_latest(struct db *db, int64_t *at_out, int64_t *n_at_out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	*at_out = 0;
	*n_at_out = 0;
	if (db_prepare(db, "SELECT coalesce(max(at_utc), 0),"
	    " (SELECT count(*) FROM audit WHERE at_utc = (SELECT max(at_utc)"
	    " FROM audit)) FROM audit", &st) == 0 &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*at_out = sqlite3_column_int64(st, 0);
		*n_at_out = sqlite3_column_int64(st, 1);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
db_audit_created_at(struct db *db, const char *object_type,
		    const char *object_id, int64_t *at_out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	*at_out = 0;
	if (db_prepare(db, "SELECT coalesce(min(at_utc), 0) FROM audit"
	    " WHERE object_type = ?1 AND object_id = ?2 AND action = 'create'",
	    &st) == 0 &&
	    sqlite3_bind_text(st, 1, object_type, -1, SQLITE_STATIC) ==
	    SQLITE_OK &&
	    sqlite3_bind_text(st, 2, object_id, -1, SQLITE_STATIC) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		*at_out = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}
