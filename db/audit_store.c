/*
 * audit_store.c: the audit trail of changes to carriers, regions, rules,
 * accounts, tokens and subscriptions (events keep event_history).
 */
#include <errno.h>
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
	if (sqlite3_prepare_v2(db->conn, "INSERT INTO audit(at_utc, actor,"
	    " object_type, object_id, action, before, after) VALUES (?1, ?2,"
	    " ?3, ?4, ?5, ?6, ?7)", -1, &st, NULL) != SQLITE_OK)
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
