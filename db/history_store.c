/*
 * history_store.c: event_history — one row per change to an event (who,
 * when, the JSON snapshot before and after), written in the transaction
 * of the change (event_store.c) and read for the history API.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"

/* A JSON snapshot of event ?1 for event_history, built by SQLite. */
#define SNAPSHOT_SQL \
	"(SELECT json_object('id', e.id, 'uid', e.uid, 'kind', e.kind," \
	" 'title', e.title, 'description', e.description, 'venue', e.venue," \
	" 'all_day', e.all_day, 'start_utc', e.start_utc," \
	" 'end_utc', e.end_utc, 'start_date', e.start_date," \
	" 'end_date', e.end_date, 'tzid', e.tzid, 'status', e.status," \
	" 'carrier', (SELECT slug FROM carrier WHERE id = e.carrier_id)," \
	" 'partner_regions', (SELECT json_group_array(r.slug)" \
	"  FROM event_partner p JOIN region r ON r.id = p.region_id" \
	"  WHERE p.event_id = e.id)," \
	" 'rrule', e.rrule, 'url', e.url, 'capacity', e.capacity," \
	" 'sequence', e.sequence, 'revision', e.revision," \
	" 'geo_lat', e.geo_lat, 'geo_lon', e.geo_lon," \
	" 'exdates', (SELECT json_group_array(recurrence_utc)" \
	"  FROM event_exdate x WHERE x.event_id = e.id)," \
	" 'overrides', (SELECT json_group_array(json_object(" \
	"  'recurrence_utc', o.recurrence_utc, 'start_utc', o.start_utc," \
	"  'end_utc', o.end_utc, 'title', o.title, 'venue', o.venue," \
	"  'description', o.description, 'status', o.status))" \
	"  FROM event_override o WHERE o.event_id = e.id)," \
	" 'rdates', (SELECT json_group_array(start_utc)" \
	"  FROM event_rdate x WHERE x.event_id = e.id)," \
	" 'tzid_source', e.tzid_source," \
	" 'modified_utc', e.modified_utc) FROM event e WHERE e.id = ?1)"

int
db_history_write(struct db *db, int64_t id, const char *uid,
		 const char *action, const char *actor, int64_t now_utc,
		 const char *before)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (db_prepare(db, "INSERT INTO event_history(event_id,"
	    " uid, action, actor, at_utc, before_json, after_json)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, " SNAPSHOT_SQL ")", &st) != 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, uid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, now_utc);
	db_bind_text_or_null(st, 6, before);
	if (sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

int
db_history_snapshot(struct db *db, int64_t id, char **out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO, oom = 0;

	*out = NULL;
	if (db_prepare(db, "SELECT " SNAPSHOT_SQL, &st) != 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
		rc = -ENOENT;
		goto out;
	}
	*out = db_col_strdup(st, 0, &oom);
	rc = oom ? -ENOMEM : 0;
out:
	sqlite3_finalize(st);
	return rc;
}

int64_t
db_event_history_count(struct db *db, int64_t event_id)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	if (db_prepare(db, "SELECT count(*) FROM event_history"
	    " WHERE event_id = ?1", &st) == 0) {
		sqlite3_bind_int64(st, 1, event_id);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return n;
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
	return oom ? -ENOMEM : 0;
}

static const struct db_row_type history_rows = {
	sizeof(struct db_history_row), history_row, history_release,
};

void
db_history_rows_free(struct db_history_row *rows, size_t n)
{
	db_rows_free(&history_rows, rows, n);
}

int
db_event_history_list(struct db *db, int64_t event_id,
		      struct db_history_row **out, size_t *n)
{
	sqlite3_stmt *st = NULL;

	*out = NULL;
	*n = 0;
	if (db_prepare(db, "SELECT id, event_id, uid, action,"
	    " actor, at_utc, before_json, after_json FROM event_history"
	    " WHERE event_id = ?1 ORDER BY id", &st) != 0)
		return -EIO;
	sqlite3_bind_int64(st, 1, event_id);
	return db_collect(st, &history_rows, (void **)out, n);
}
