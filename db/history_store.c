/*
 * history_store.c: reading event_history (see history.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "db_internal.h"
#include "history.h"

static void
release_row(void *elem)
{
	struct db_history_entry *r = elem;

	free(r->action);
	free(r->actor);
	free(r->before_json);
	free(r->after_json);
}

static int
from_row(sqlite3_stmt *st, void *elem)
{
	struct db_history_entry *r = elem;
	int oom = 0;

	r->id = sqlite3_column_int64(st, 0);
	r->at_utc = sqlite3_column_int64(st, 1);
	r->action = db_col_strdup(st, 2, &oom);
	r->actor = db_col_strdup(st, 3, &oom);
	r->before_json = db_col_strdup(st, 4, &oom);
	r->after_json = db_col_strdup(st, 5, &oom);
	if (oom) {
		release_row(r);
		return -ENOMEM;
	}
	return 0;
}

int
db_history_entries(struct db *db, int64_t event_id, size_t max,
		struct db_history_entry **rows, size_t *n)
{
	sqlite3_stmt *st = NULL;

	*rows = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db->conn, "SELECT id, at_utc, action, actor,"
	    " before_json, after_json FROM event_history WHERE event_id = ?1"
	    " ORDER BY id LIMIT ?2", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_bind_int64(st, 1, event_id) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)max) != SQLITE_OK) {
		sqlite3_finalize(st);
		return -EIO;
	}
	return db_collect(st, sizeof(**rows), from_row, release_row,
			  (void **)rows, n);
}

void
db_history_entries_free(struct db_history_entry *rows, size_t n)
{
	size_t i;

	for (i = 0; rows && i < n; i++)
		release_row(&rows[i]);
	free(rows);
}
