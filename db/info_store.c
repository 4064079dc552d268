/*
 * info_store.c: facts about the database itself (db_info): its creation,
 * the default start of cadence tracking.
 */
#include <errno.h>
#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"

int
db_created_utc(struct db *db, int64_t now_utc, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO, step;

	if (db_prepare(db, "INSERT OR IGNORE INTO db_info(key,"
	    " value) VALUES ('created_utc', ?1)", &st) != 0 ||
	    sqlite3_bind_int64(st, 1, now_utc) != SQLITE_OK)
		goto out;
	step = sqlite3_step(st);
	/* a read-only or busy database still answers what is stored */
	(void)step;
	sqlite3_finalize(st);
	st = NULL;
	if (db_prepare(db, "SELECT value FROM db_info WHERE"
	    " key = 'created_utc'", &st) != 0)
		goto out;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (step == SQLITE_DONE) {
		*out = now_utc;		/* could not store it: use now */
		rc = 0;
	}
out:
	sqlite3_finalize(st);
	return rc;
}
