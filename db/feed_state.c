/*
 * feed_state.c: what the feeds' cache needs to know about the state of the
 * data (service/feed_cache.h): when the event table last changed, when
 * cancelled events leave the public feeds, and marks that move with every
 * change. Read-only queries over event, event_history and audit.
 */
#include <errno.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"

int
db_feed_leaves(struct db *db, int64_t window_s, int64_t now_utc,
	       int64_t **out, size_t *n)
{
	sqlite3_stmt *st = NULL;
	int64_t *v = NULL, *nv;
	size_t len = 0, cap = 0;
	int rc = -EIO, step;

	*out = NULL;
	*n = 0;
	/* the partial index event_cancelled answers this by range */
	if (db_prepare(db, "SELECT DISTINCT modified_utc + ?1"
	    " AS t FROM event WHERE status = 'CANCELLED' AND"
	    " modified_utc > ?2 - ?1 ORDER BY modified_utc", &st) != 0)
		goto out;
	sqlite3_bind_int64(st, 1, window_s);
	sqlite3_bind_int64(st, 2, now_utc);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? 2 * cap : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				rc = -ENOMEM;
				goto out;
			}
			v = nv;
		}
		v[len++] = sqlite3_column_int64(st, 0);
	}
	if (step != SQLITE_DONE)
		goto out;
	*out = v;
	*n = len;
	v = NULL;
	rc = 0;
out:
	free(v);
	sqlite3_finalize(st);
	return rc;
}

int
db_change_marks(struct db *db, int64_t *history, int64_t *audit)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (db_prepare(db, "SELECT (SELECT coalesce(max(id), 0)"
	    " FROM event_history), (SELECT coalesce(max(id), 0) FROM audit)", &st) == 0 && sqlite3_step(st) == SQLITE_ROW) {
		*history = sqlite3_column_int64(st, 0);
		*audit = sqlite3_column_int64(st, 1);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
db_event_state(struct db *db, int64_t *max_modified, int64_t *changes)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (db_prepare(db, "SELECT (SELECT coalesce("
	    "max(modified_utc), 0) FROM event), (SELECT coalesce(max(id), 0)"
	    " FROM event_history)", &st) == 0 &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*max_modified = sqlite3_column_int64(st, 0);
		*changes = sqlite3_column_int64(st, 1);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
db_feed_last_modified(struct db *db, int64_t window_s, int64_t now_utc,
		      int64_t *out, int64_t *n_at_out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	/* Every change moment (a history row, or a cancelled event leaving
	 * the feeds) as one row; the latest second and how many fall in it. */
	if (db_prepare(db, "WITH m(t) AS (SELECT at_utc FROM"
	    " event_history UNION ALL SELECT modified_utc + ?1 FROM event"
	    " WHERE status = 'CANCELLED' AND modified_utc + ?1 <= ?2)"
	    " SELECT coalesce(max(t), 0), (SELECT count(*) FROM m WHERE"
	    " t = (SELECT max(t) FROM m)) FROM m", &st) == 0) {
		sqlite3_bind_int64(st, 1, window_s);
		sqlite3_bind_int64(st, 2, now_utc);
		if (sqlite3_step(st) == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			*n_at_out = sqlite3_column_int64(st, 1);
			rc = 0;
		}
	}
	sqlite3_finalize(st);
	return rc;
}
