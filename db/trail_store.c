/*
 * trail_store.c: reading the trails — audit rows (written by
 * db_audit_add(), audit_store.c) and event history (written with every
 * event change, event_store.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "admin_store.h"
#include "db.h"
#include "db_internal.h"

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
	if (oom) {
		audit_release(a);
		return -ENOMEM;
	}
	return 0;
}

void
db_audit_rows_free(struct db_audit_row *rows, size_t n)
{
	size_t i;

	for (i = 0; rows && i < n; i++)
		audit_release(&rows[i]);
	free(rows);
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
	if (sqlite3_prepare_v2(db->conn, "SELECT id, at_utc, actor,"
	    " object_type, object_id, action, before, after FROM audit"
	    " WHERE (?1 IS NULL OR object_type = ?1)"
	    " AND (?2 IS NULL OR object_id = ?2)"
	    " AND (?3 IS NULL OR actor = ?3)"
	    " AND (?4 = 0 OR id < ?4)"
	    " ORDER BY id DESC LIMIT ?5", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	db_bind_text_or_null(st, 1, f->object_type);
	db_bind_text_or_null(st, 2, f->object_id);
	db_bind_text_or_null(st, 3, f->actor);
	sqlite3_bind_int64(st, 4, f->before_id);
	sqlite3_bind_int(st, 5, f->limit);
	return db_collect(st, sizeof(**out), audit_row, audit_release,
			  (void **)out, n);
}

static void
history_release(void *elem)
{
	struct db_history_row *h = elem;

	free(h->uid);
	free(h->action);
	free(h->actor);
	free(h->before_json);
	free(h->after_json);
	memset(h, 0, sizeof(*h));
}

static int
history_row(sqlite3_stmt *st, void *elem)
{
	struct db_history_row *h = elem;
	int oom = 0;

	h->id = sqlite3_column_int64(st, 0);
	h->event_id = sqlite3_column_int64(st, 1);
	h->uid = db_col_strdup(st, 2, &oom);
	h->action = db_col_strdup(st, 3, &oom);
	h->actor = db_col_strdup(st, 4, &oom);
	h->at_utc = sqlite3_column_int64(st, 5);
	h->before_json = db_col_strdup(st, 6, &oom);
	h->after_json = db_col_strdup(st, 7, &oom);
	if (oom) {
		history_release(h);
		return -ENOMEM;
	}
	return 0;
}

void
db_history_rows_free(struct db_history_row *rows, size_t n)
{
	size_t i;

	for (i = 0; rows && i < n; i++)
		history_release(&rows[i]);
	free(rows);
}

int
db_event_history_list(struct db *db, int64_t event_id,
		      struct db_history_row **out, size_t *n)
{
	sqlite3_stmt *st = NULL;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db->conn, "SELECT id, event_id, uid, action,"
	    " actor, at_utc, before_json, after_json FROM event_history"
	    " WHERE event_id = ?1 ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, event_id);
	return db_collect(st, sizeof(**out), history_row, history_release,
			  (void **)out, n);
}
