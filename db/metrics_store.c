/*
 * metrics_store.c: counts for /metrics that anonymous readers may see.
 */
#include <errno.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"

static int64_t
count(struct db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	if (db_prepare(db, sql, &st) == 0 &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int
db_count_public(struct db *db, int64_t *events, int64_t *changes)
{
	*events = count(db, "SELECT count(*) FROM event"
			" WHERE status != 'TENTATIVE'");
	*changes = count(db, "SELECT count(*) FROM event_history h"
			 " LEFT JOIN event e ON e.id = h.event_id"
			 " WHERE e.status IS NULL OR e.status != 'TENTATIVE'");
	return *events < 0 || *changes < 0 ? -EIO : 0;
}
