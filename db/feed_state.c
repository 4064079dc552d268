/*
 * feed_state.c: read connections for parallel readers, and the feeds'
 * state that the service keeps in memory (see service/feed_cache.h).
 */
#include <errno.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"

int
db_open_reader(const char *path, struct db **out)
{
	struct db *db = calloc(1, sizeof(*db));

	if (!db)
		return -ENOMEM;
	/* NOMUTEX: one thread uses this connection. No CREATE: the writer
	 * made the file and its schema. */
	if (sqlite3_open_v2(path, &db->conn, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(db->conn, 5000);
	sqlite3_extended_result_codes(db->conn, 0);
	if (db_exec(db, "PRAGMA query_only = ON") != 0 ||
	    db_exec(db, "PRAGMA foreign_keys = ON") != 0)
		goto fail;
	*out = db;
	return 0;
fail:
	db_close(db);
	return -EIO;
}

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
	if (sqlite3_prepare_v2(db->conn, "SELECT DISTINCT modified_utc + ?1"
	    " AS t FROM event WHERE status = 'CANCELLED' AND"
	    " modified_utc > ?2 - ?1 ORDER BY modified_utc", -1, &st,
	    NULL) != SQLITE_OK)
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
db_audit_latest(struct db *db, int64_t *at_out, int64_t *n_at_out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	*at_out = 0;
	*n_at_out = 0;
	if (sqlite3_prepare_v2(db->conn, "SELECT coalesce(max(at_utc), 0),"
	    " (SELECT count(*) FROM audit WHERE at_utc = (SELECT max(at_utc)"
	    " FROM audit)) FROM audit", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*at_out = sqlite3_column_int64(st, 0);
		*n_at_out = sqlite3_column_int64(st, 1);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
db_change_marks(struct db *db, int64_t *history, int64_t *audit)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn, "SELECT (SELECT coalesce(max(id), 0)"
	    " FROM event_history), (SELECT coalesce(max(id), 0) FROM audit)",
	    -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		*history = sqlite3_column_int64(st, 0);
		*audit = sqlite3_column_int64(st, 1);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}
