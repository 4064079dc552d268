/*
 * event_store.c: events (table event) and their partner regions
 * (event_partner): insert, update, delete, get, list. A series'
 * exceptions are written by event_series.c and every change's history
 * row by history_store.c, inside the same transaction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"

#define EVENT_COLS \
	"e.id, e.uid, e.kind, e.title, e.description, e.venue, e.all_day," \
	" e.start_utc, e.end_utc, e.start_date, e.end_date, e.tzid," \
	" e.status, c.slug, c.name, r.slug, e.rrule, e.url, e.capacity," \
	" e.sequence, e.revision, e.created_utc, e.modified_utc," \
	" (SELECT group_concat(slug, ',') FROM (SELECT pr.slug AS slug" \
	"  FROM event_partner p JOIN region pr ON pr.id = p.region_id" \
	"  WHERE p.event_id = e.id ORDER BY pr.id))," \
	" e.geo_lat, e.geo_lon," \
	" (SELECT group_concat(t, ',') FROM (SELECT recurrence_utc AS t" \
	"  FROM event_exdate x WHERE x.event_id = e.id ORDER BY t))," \
	" (SELECT group_concat(t, ',') FROM (SELECT start_utc AS t" \
	"  FROM event_rdate x WHERE x.event_id = e.id ORDER BY t))," \
	" e.tzid_source,"	\
	" coalesce(e.placed_utc, e.created_utc)"

#define EVENT_FROM \
	" FROM event e LEFT JOIN carrier c ON c.id = e.carrier_id" \
	" LEFT JOIN region r ON r.id = c.region_id"

/* Split "1,2,3" (our own integers) into a new array. */
static int
split_ints(const char *list, int64_t **out, size_t *n)
{
	const char *p = list;
	int64_t *v = NULL, *nv;
	size_t len = 0;
	char *end;

	*out = NULL;
	*n = 0;
	if (!list || !*list)
		return 0;
	for (;;) {
		nv = realloc(v, (len + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			return -ENOMEM;
		}
		v = nv;
		v[len++] = strtoll(p, &end, 10);
		if (*end != ',')
			break;
		p = end + 1;
	}
	*out = v;
	*n = len;
	return 0;
}

static void
copy_date(char dst[11], const unsigned char *src)
{
	dst[0] = '\0';
	if (src) {
		strncpy(dst, (const char *)src, 10);
		dst[10] = '\0';
	}
}

static int
event_row(sqlite3_stmt *st, void *elem)
{
	struct db_event *ev = elem;
	int oom = 0;

	ev->id = sqlite3_column_int64(st, 0);
	ev->uid = db_col_strdup(st, 1, &oom);
	ev->kind = db_col_strdup(st, 2, &oom);
	ev->title = db_col_strdup(st, 3, &oom);
	ev->description = db_col_strdup(st, 4, &oom);
	ev->venue = db_col_strdup(st, 5, &oom);
	ev->all_day = sqlite3_column_int(st, 6);
	ev->start_utc = sqlite3_column_int64(st, 7);
	ev->end_utc = sqlite3_column_int64(st, 8);
	copy_date(ev->start_date, sqlite3_column_text(st, 9));
	copy_date(ev->end_date, sqlite3_column_text(st, 10));
	ev->tzid = db_col_strdup(st, 11, &oom);
	ev->status = db_col_strdup(st, 12, &oom);
	ev->carrier = db_col_strdup(st, 13, &oom);
	ev->carrier_name = db_col_strdup(st, 14, &oom);
	ev->region = db_col_strdup(st, 15, &oom);
	ev->rrule = db_col_strdup(st, 16, &oom);
	ev->url = db_col_strdup(st, 17, &oom);
	ev->capacity = sqlite3_column_int64(st, 18);
	ev->sequence = sqlite3_column_int64(st, 19);
	ev->revision = sqlite3_column_int64(st, 20);
	ev->created_utc = sqlite3_column_int64(st, 21);
	ev->modified_utc = sqlite3_column_int64(st, 22);
	if (!oom && db_split_list((const char *)sqlite3_column_text(st, 23),
				&ev->partner_regions,
				&ev->n_partner_regions) != 0)
		oom = 1;
	if (sqlite3_column_type(st, 24) != SQLITE_NULL &&
	    sqlite3_column_type(st, 25) != SQLITE_NULL) {
		ev->has_geo = 1;
		ev->geo_lat = sqlite3_column_double(st, 24);
		ev->geo_lon = sqlite3_column_double(st, 25);
	}
	if (!oom && split_ints((const char *)sqlite3_column_text(st, 26),
			       &ev->exdates, &ev->n_exdates) != 0)
		oom = 1;
	if (!oom && split_ints((const char *)sqlite3_column_text(st, 27),
			       &ev->rdates, &ev->n_rdates) != 0)
		oom = 1;
	ev->tzid_source = db_col_strdup(st, 28, &oom);
	ev->placed_utc = sqlite3_column_int64(st, 29);
	return oom ? -ENOMEM : 0;
}

static void
event_release(void *elem)
{
	db_event_release(elem);
}

static const struct db_row_type event_rows = {
	sizeof(struct db_event), event_row, event_release,
};

/* The event whose id (?1) or, when uid is not NULL, uid (?1) matches,
 * with its overrides. */
static int
get_one(struct db *db, const char *sql, int64_t id, const char *uid,
	struct db_event *out)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, sql, &st) != 0) {
		memset(out, 0, sizeof(*out));
		return -EIO;
	}
	if (uid)
		sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 1, id);
	rc = db_fetch_one(st, &event_rows, out);
	if (rc == 0 && out->rrule && (rc = db_series_load(db, out)) != 0)
		db_event_release(out);
	return rc;
}

int
db_event_get(struct db *db, int64_t id, struct db_event *out)
{
	return get_one(db, "SELECT " EVENT_COLS EVENT_FROM " WHERE e.id = ?1",
		       id, NULL, out);
}

int
db_event_get_by_uid(struct db *db, const char *uid, struct db_event *out)
{
	if (!uid)
		return -EINVAL;
	return get_one(db, "SELECT " EVENT_COLS EVENT_FROM " WHERE e.uid = ?1",
		       0, uid, out);
}

/* 1 when event id already lists partner region slug, else 0. */
static int
partner_listed(struct db *db, int64_t id, const char *slug)
{
	sqlite3_stmt *st;
	int listed;

	if (db_prepare(db, "SELECT 1 FROM event_partner p JOIN region r ON"
	    " r.id = p.region_id WHERE p.event_id = ?1 AND r.slug = ?2",
	    &st) != 0)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, slug, -1, SQLITE_TRANSIENT);
	listed = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return listed;
}

/* Replace the event_partner rows of event id with ev's; every slug must
 * be a partner region (one listed twice counts once). 0, -EINVAL, -EIO. */
static int
write_partners(struct db *db, int64_t id, const struct db_event *ev)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (db_prepare(db, "DELETE FROM event_partner WHERE event_id = ?1",
		       &st) != 0)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_run(st)) != 0)
		return -EIO;
	if (db_prepare(db, "INSERT OR IGNORE INTO event_partner(event_id,"
	    " region_id) SELECT ?1, id FROM region WHERE slug = ?2 AND"
	    " partner = 1", &st) != 0)
		return -EIO;
	for (i = 0; rc == 0 && i < ev->n_partner_regions; i++) {
		const char *slug = ev->partner_regions[i];

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, slug, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = -EIO;
		else if (sqlite3_changes(db->conn) != 1 &&
			 !partner_listed(db, id, slug))
			rc = -EINVAL;	/* unknown or not a partner region */
	}
	sqlite3_finalize(st);
	return rc;
}

/* Resolve the carrier slug (NULL allowed) inside the transaction. */
static int
check_carrier(struct db *db, const char *slug)
{
	struct db_carrier c;
	int rc;

	if (!slug)
		return 0;
	rc = db_carrier_get(db, slug, &c);
	if (rc == 0)
		db_carrier_release(&c);
	return rc == -ENOENT ? -EINVAL : rc;
}

static int
valid_event(const struct db_event *ev)
{
	return ev && ev->uid && ev->kind && ev->title && ev->tzid &&
	       ev->status && ev->end_utc >= ev->start_utc;
}

static int
bind_editable(sqlite3_stmt *st, const struct db_event *ev)
{
	int r = SQLITE_OK;

	r |= sqlite3_bind_text(st, 2, ev->kind, -1, SQLITE_TRANSIENT);
	r |= sqlite3_bind_text(st, 3, ev->title, -1, SQLITE_TRANSIENT);
	r |= db_bind_text_or_null(st, 4, ev->description);
	r |= db_bind_text_or_null(st, 5, ev->venue);
	r |= sqlite3_bind_int(st, 6, ev->all_day ? 1 : 0);
	r |= sqlite3_bind_int64(st, 7, ev->start_utc);
	r |= sqlite3_bind_int64(st, 8, ev->end_utc);
	r |= db_bind_text_or_null(st, 9, ev->all_day ? ev->start_date : NULL);
	r |= db_bind_text_or_null(st, 10, ev->all_day ? ev->end_date : NULL);
	r |= sqlite3_bind_text(st, 11, ev->tzid, -1, SQLITE_TRANSIENT);
	r |= sqlite3_bind_text(st, 12, ev->status, -1, SQLITE_TRANSIENT);
	r |= db_bind_text_or_null(st, 13, ev->carrier);
	r |= db_bind_text_or_null(st, 14, ev->rrule);
	r |= db_bind_text_or_null(st, 15, ev->url);
	r |= sqlite3_bind_int64(st, 16, ev->capacity);
	r |= sqlite3_bind_int64(st, 17, ev->sequence);
	if (ev->has_geo) {
		r |= sqlite3_bind_double(st, 19, ev->geo_lat);
		r |= sqlite3_bind_double(st, 20, ev->geo_lon);
	} else {
		r |= sqlite3_bind_null(st, 19);
		r |= sqlite3_bind_null(st, 20);
	}
	r |= db_bind_text_or_null(st, 21, ev->tzid_source);
	return r == SQLITE_OK ? 0 : -EIO;
}

int
db_event_insert(struct db *db, const struct db_event *ev, const char *actor,
		int64_t now_utc, int64_t *id_out)
{
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	int rc, s;

	if (!valid_event(ev) || !actor)
		return -EINVAL;
	if (db_begin(db) != 0)
		return db_condition_take(-EIO);
	rc = check_carrier(db, ev->carrier);
	if (rc != 0)
		goto out;
	rc = -EIO;
	/*
	 * The id is past every id in event and event_history, so a deleted
	 * event's id (and its history) never passes to a new event. Sequence
	 * starts at 0 whatever ev->sequence says (?17 is bound, unused).
	 */
	if (db_prepare(db, "INSERT INTO event(id, uid, kind,"
	    " title, description, venue, all_day, start_utc, end_utc,"
	    " start_date, end_date, tzid, status, carrier_id, rrule, url,"
	    " capacity, sequence, revision, created_utc, modified_utc,"
	    " geo_lat, geo_lon, tzid_source) VALUES"
	    " (1 + max((SELECT coalesce(max(id), 0) FROM event),"
	    " (SELECT coalesce(max(event_id), 0) FROM event_history)), ?1, ?2,"
	    " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
	    " (SELECT id FROM carrier WHERE slug = ?13), ?14, ?15, ?16, 0,"
	    " 1, ?18, ?18, ?19, ?20, ?21)", &st) != 0)
		goto out;
	if (sqlite3_bind_text(st, 1, ev->uid, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK || bind_editable(st, ev) != 0 ||
	    sqlite3_bind_int64(st, 18, now_utc) != SQLITE_OK)
		goto out;
	s = sqlite3_step(st);
	if (s == SQLITE_CONSTRAINT) {
		struct db_event other;

		rc = -EINVAL;
		if (db_event_get_by_uid(db, ev->uid, &other) == 0) {
			db_event_release(&other);
			rc = -EEXIST;
		}
		goto out;
	}
	if (s != SQLITE_DONE)
		goto out;
	id = sqlite3_last_insert_rowid(db->conn);
	rc = write_partners(db, id, ev);
	if (rc == 0)
		rc = db_series_write(db, id, ev);
	if (rc == 0)
		rc = db_history_write(db, id, ev->uid, "create", actor, now_utc,
				   NULL);
out:
	sqlite3_finalize(st);
	rc = db_finish(db, rc);
	if (rc == 0 && id_out)
		*id_out = id;
	return rc;
}

int
db_event_update(struct db *db, const struct db_event *ev, int64_t if_revision,
		const char *actor, int64_t now_utc)
{
	sqlite3_stmt *st = NULL;
	struct db_event cur;
	char *before = NULL;
	int rc;

	if (!valid_event(ev) || !actor)
		return -EINVAL;
	if (db_begin(db) != 0)
		return db_condition_take(-EIO);
	rc = db_event_get(db, ev->id, &cur);
	if (rc != 0)
		goto out;
	if (if_revision > 0 && cur.revision != if_revision)
		rc = -ESTALE;
	else if (strcmp(cur.uid, ev->uid) != 0)
		rc = -EINVAL;		/* the UID never changes */
	db_event_release(&cur);
	if (rc != 0)
		goto out;
	rc = check_carrier(db, ev->carrier);
	if (rc == 0)
		rc = db_history_snapshot(db, ev->id, &before);
	if (rc != 0)
		goto out;
	rc = -EIO;
	if (db_prepare(db, "UPDATE event SET kind = ?2,"
	    " title = ?3, description = ?4, venue = ?5, all_day = ?6,"
	    " start_utc = ?7, end_utc = ?8, start_date = ?9, end_date = ?10,"
	    " tzid = ?11, status = ?12,"
	    " carrier_id = (SELECT id FROM carrier WHERE slug = ?13),"
	    " rrule = ?14, url = ?15, capacity = ?16, sequence = ?17,"
	    " revision = revision + 1, modified_utc = ?18, geo_lat = ?19,"
	    " geo_lon = ?20, tzid_source = ?21 WHERE id = ?1", &st) != 0)
		goto out;
	if (sqlite3_bind_int64(st, 1, ev->id) != SQLITE_OK ||
	    bind_editable(st, ev) != 0 ||
	    sqlite3_bind_int64(st, 18, now_utc) != SQLITE_OK)
		goto out;
	rc = db_step_map(sqlite3_step(st));
	if (rc == 0)
		rc = write_partners(db, ev->id, ev);
	if (rc == 0)
		rc = db_series_write(db, ev->id, ev);
	if (rc == 0)
		rc = db_history_write(db, ev->id, ev->uid, "update", actor,
				   now_utc, before);
out:
	free(before);
	sqlite3_finalize(st);
	return db_finish(db, rc);
}

int
db_event_delete(struct db *db, int64_t id, const char *actor, int64_t now_utc)
{
	sqlite3_stmt *st = NULL;
	struct db_event cur;
	char *before = NULL;
	int rc;

	if (!actor)
		return -EINVAL;
	memset(&cur, 0, sizeof(cur));
	if (db_begin(db) != 0)
		return db_condition_take(-EIO);
	rc = db_event_get(db, id, &cur);
	if (rc != 0)
		goto out;
	rc = db_history_snapshot(db, id, &before);
	if (rc != 0)
		goto out;
	rc = -EIO;
	if (db_prepare(db, "DELETE FROM event WHERE id = ?1", &st) != 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	rc = db_step_map(sqlite3_step(st));
	if (rc == 0)
		rc = db_history_write(db, id, cur.uid, "delete", actor, now_utc,
				   before);
out:
	db_event_release(&cur);
	free(before);
	sqlite3_finalize(st);
	return db_finish(db, rc);
}

void
db_event_list_free(struct db_event_list *l)
{
	if (!l)
		return;
	db_rows_free(&event_rows, l->items, l->n);
	l->items = NULL;
	l->n = 0;
}

/* A JSON array of slugs ("[\"a\",\"b\"]") for json_each(); slugs with
 * characters JSON would need escaped are left out (slugs are ASCII
 * letters, digits and hyphens). Caller frees with free(); NULL on OOM. */
static char *
slug_json_array(const char *const *slugs, size_t n)
{
	size_t i, len = 3;
	char *list, *o;

	for (i = 0; i < n; i++)
		len += strlen(slugs[i]) + 3;
	list = malloc(len);
	if (!list)
		return NULL;
	o = list;
	*o++ = '[';
	for (i = 0; i < n; i++) {
		const unsigned char *c = (const unsigned char *)slugs[i];
		int plain = 1;

		for (; *c; c++)
			plain &= *c >= 0x20 && *c != '"' && *c != '\\';
		if (!plain)
			continue;
		o += sprintf(o, "%s\"%s\"", o == list + 1 ? "" : ",",
			     slugs[i]);
	}
	*o++ = ']';
	*o = '\0';
	return list;
}

int
db_event_list(struct db *db, const struct db_event_filter *f,
	      struct db_event_list *out)
{
	static const struct db_event_filter none;
	sqlite3_stmt *st = NULL;
	struct db_event *v = NULL;
	size_t len = 0;
	int rc = -EIO;

	if (!f)
		f = &none;
	out->items = NULL;
	out->n = 0;
	/*
	 * One statement; every filter is a bound parameter that is NULL when
	 * unused. A series (rrule) may have occurrences in the window after
	 * its first end, so only its start bounds it.
	 */
	if (db_prepare(db, "SELECT " EVENT_COLS EVENT_FROM
	    " WHERE (?1 IS NULL OR e.rrule IS NOT NULL OR e.end_utc > ?1"
	    "        OR EXISTS (SELECT 1 FROM event_rdate x"
	    "                   WHERE x.event_id = e.id AND x.start_utc >= ?1)"
	    "        OR (e.end_utc = e.start_utc AND e.start_utc >= ?1))"
	    " AND (?2 IS NULL OR e.start_utc < ?2)"
	    " AND (?3 IS NULL OR instr(',' || ?3 || ',', ',' || e.kind || ',') > 0)"
	    " AND (?4 IS NULL OR r.slug = ?4)"
	    " AND (?5 IS NULL OR (?5 = '-' AND e.carrier_id IS NULL)"
	    "      OR c.slug = ?5)"
	    " AND (?6 IS NULL OR EXISTS (SELECT 1 FROM event_partner p"
	    "      JOIN region pr ON pr.id = p.region_id"
	    "      WHERE p.event_id = e.id AND pr.slug = ?6))"
	    " AND (?7 IS NULL OR e.status = ?7)"
	    " AND (?8 IS NULL OR instr(e.title, ?8) > 0"
	    "      OR instr(coalesce(e.description, ''), ?8) > 0"
	    "      OR instr(coalesce(e.venue, ''), ?8) > 0)"
	    " AND (?9 = 0 OR e.status <> 'TENTATIVE'"
	    "      OR c.slug IN (SELECT value FROM json_each(?14)))"
	    " AND (?10 IS NULL OR e.status <> 'CANCELLED'"
	    "      OR e.modified_utc >= ?10)"
	    " AND (?11 = 0 OR e.start_utc > ?13"
	    "      OR (e.start_utc = ?13 AND e.id > ?11))"
	    " ORDER BY e.start_utc, e.id LIMIT ?12", &st) != 0)
		goto out;
	if (f->has_window && f->from_utc)	/* 0: no lower bound */
		sqlite3_bind_int64(st, 1, f->from_utc);
	if (f->has_window && f->to_utc)		/* 0: no upper bound */
		sqlite3_bind_int64(st, 2, f->to_utc);
	db_bind_text_or_null(st, 3, f->kind);
	db_bind_text_or_null(st, 4, f->region);
	db_bind_text_or_null(st, 5, f->carrier);
	db_bind_text_or_null(st, 6, f->partner);
	db_bind_text_or_null(st, 7, f->status);
	if (f->q && *f->q)
		sqlite3_bind_text(st, 8, f->q, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 9, f->exclude_tentative ? 1 : 0);
	if (f->cancelled_since)
		sqlite3_bind_int64(st, 10, f->cancelled_since);
	sqlite3_bind_int64(st, 11, f->after_id);
	sqlite3_bind_int64(st, 12, f->limit > 0 ? f->limit : -1);
	sqlite3_bind_int64(st, 13, f->after_start_utc);
	if (f->n_tentative_carriers) {
		char *list = slug_json_array(f->tentative_carriers,
					     f->n_tentative_carriers);

		if (!list) {
			rc = -ENOMEM;
			goto out;
		}
		sqlite3_bind_text(st, 14, list, -1, free);
	}
	rc = db_collect(st, &event_rows, (void **)&v, &len);
	st = NULL;		/* finalized by db_collect() */
	if (rc != 0)
		goto out;
	if ((rc = db_series_load_all(db, v, len)) != 0)
		goto out;
	out->items = v;
	out->n = len;
	return 0;
out:
	while (len)
		db_event_release(&v[--len]);
	free(v);
	sqlite3_finalize(st);
	return rc;
}

/* The host of an event, for an import's per-event check. */
static int
host_row(sqlite3_stmt *st, void *elem)
{
	struct db_event *ev = elem;
	int oom = 0;

	ev->id = sqlite3_column_int64(st, 0);
	ev->carrier = db_col_strdup(st, 1, &oom);
	return oom ? -ENOMEM : 0;
}

static const struct db_row_type host_rows = {
	sizeof(struct db_event), host_row, event_release,
};

int
db_event_host_of_uid(struct db *db, const char *uid, int64_t *id_out,
		     char **carrier_out)
{
	struct db_event ev;
	sqlite3_stmt *st;
	int rc;

	*id_out = 0;
	*carrier_out = NULL;
	if (db_prepare(db, "SELECT e.id, c.slug FROM event e LEFT JOIN"
	    " carrier c ON c.id = e.carrier_id WHERE e.uid = ?1", &st) != 0)
		return -EIO;
	if (sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK) {
		sqlite3_finalize(st);
		return -EIO;
	}
	rc = db_fetch_one(st, &host_rows, &ev);
	if (rc == 0) {
		*id_out = ev.id;
		*carrier_out = ev.carrier;	/* handed over */
	}
	return rc;
}
