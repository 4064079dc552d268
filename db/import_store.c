/*
 * import_store.c: the light look-ups an import of thousands of events
 * makes per event (one small statement instead of a whole event).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"

int
db_event_host_of_uid(struct db *db, const char *uid, int64_t *id_out,
		     char **carrier_out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO, s, oom = 0;

	*id_out = 0;
	*carrier_out = NULL;
	if (sqlite3_prepare_v2(db->conn, "SELECT e.id, c.slug FROM event e"
			       " LEFT JOIN carrier c ON c.id = e.carrier_id"
			       " WHERE e.uid = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		goto out;
	if (sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT) != SQLITE_OK)
		goto out;
	s = sqlite3_step(st);
	if (s == SQLITE_DONE) {
		rc = -ENOENT;
		goto out;
	}
	if (s != SQLITE_ROW)
		goto out;
	*id_out = sqlite3_column_int64(st, 0);
	*carrier_out = db_col_strdup(st, 1, &oom);
	rc = oom ? -ENOMEM : 0;
out:
	sqlite3_finalize(st);
	return rc;
}
