/*
 * event_store.c: events, their partner regions and their history.
 */
#include <errno.h>
#include <stdio.h>
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

void
db_event_release(struct db_event *ev)
{
	size_t i;

	if (!ev)
		return;
	free(ev->uid);
	free(ev->kind);
	free(ev->title);
	free(ev->description);
	free(ev->venue);
	free(ev->tzid);
	free(ev->status);
	free(ev->carrier);
	free(ev->carrier_name);
	free(ev->region);
	for (i = 0; i < ev->n_partner_regions; i++)
		free(ev->partner_regions[i]);
	free(ev->partner_regions);
	free(ev->rrule);
	free(ev->url);
	free(ev->exdates);
	free(ev->rdates);
	free(ev->tzid_source);
	for (i = 0; i < ev->n_overrides; i++) {
		free(ev->overrides[i].title);
		free(ev->overrides[i].venue);
		free(ev->overrides[i].description);
		free(ev->overrides[i].status);
	}
	free(ev->overrides);
	memset(ev, 0, sizeof(*ev));
}

static char *
dup_or_null(const char *s, int *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = 1;
	return d;
}

int
db_event_add_exdate(struct db_event *ev, int64_t t)
{
	int64_t *nv;
	size_t i;

	for (i = 0; i < ev->n_exdates; i++)
		if (ev->exdates[i] == t)
			return 0;
	nv = realloc(ev->exdates, (ev->n_exdates + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	ev->exdates = nv;
	for (i = ev->n_exdates; i > 0 && nv[i - 1] > t; i--)
		nv[i] = nv[i - 1];
	nv[i] = t;
	ev->n_exdates++;
	return 0;
}

int
db_event_add_rdate(struct db_event *ev, int64_t t)
{
	int64_t *nv;
	size_t i;

	for (i = 0; i < ev->n_rdates; i++)
		if (ev->rdates[i] == t)
			return 0;
	nv = realloc(ev->rdates, (ev->n_rdates + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	ev->rdates = nv;
	for (i = ev->n_rdates; i > 0 && nv[i - 1] > t; i--)
		nv[i] = nv[i - 1];
	nv[i] = t;
	ev->n_rdates++;
	return 0;
}

int
db_event_copy(struct db_event *dst, const struct db_event *src)
{
	int oom = 0;
	size_t i;

	*dst = *src;
	dst->uid = dup_or_null(src->uid, &oom);
	dst->kind = dup_or_null(src->kind, &oom);
	dst->title = dup_or_null(src->title, &oom);
	dst->description = dup_or_null(src->description, &oom);
	dst->venue = dup_or_null(src->venue, &oom);
	dst->tzid = dup_or_null(src->tzid, &oom);
	dst->status = dup_or_null(src->status, &oom);
	dst->carrier = dup_or_null(src->carrier, &oom);
	dst->carrier_name = dup_or_null(src->carrier_name, &oom);
	dst->region = dup_or_null(src->region, &oom);
	dst->rrule = dup_or_null(src->rrule, &oom);
	dst->url = dup_or_null(src->url, &oom);
	dst->tzid_source = dup_or_null(src->tzid_source, &oom);
	dst->rdates = NULL;
	dst->n_rdates = 0;
	if (src->n_rdates) {
		dst->rdates = malloc(src->n_rdates * sizeof(int64_t));
		if (!dst->rdates) {
			oom = 1;
		} else {
			memcpy(dst->rdates, src->rdates,
			       src->n_rdates * sizeof(int64_t));
			dst->n_rdates = src->n_rdates;
		}
	}
	dst->partner_regions = NULL;
	dst->n_partner_regions = 0;
	dst->exdates = NULL;
	dst->n_exdates = 0;
	dst->overrides = NULL;
	dst->n_overrides = 0;
	if (src->n_exdates) {
		dst->exdates = malloc(src->n_exdates * sizeof(int64_t));
		if (!dst->exdates) {
			oom = 1;
		} else {
			memcpy(dst->exdates, src->exdates,
			       src->n_exdates * sizeof(int64_t));
			dst->n_exdates = src->n_exdates;
		}
	}
	if (src->n_overrides) {
		dst->overrides = calloc(src->n_overrides,
					sizeof(*dst->overrides));
		if (!dst->overrides) {
			oom = 1;
		} else {
			dst->n_overrides = src->n_overrides;
			for (i = 0; i < src->n_overrides; i++) {
				const struct db_override *o = &src->overrides[i];
				struct db_override *d = &dst->overrides[i];

				*d = *o;
				d->title = dup_or_null(o->title, &oom);
				d->venue = dup_or_null(o->venue, &oom);
				d->description = dup_or_null(o->description,
							     &oom);
				d->status = dup_or_null(o->status, &oom);
			}
		}
	}
	if (src->n_partner_regions) {
		dst->partner_regions = calloc(src->n_partner_regions,
					      sizeof(char *));
		if (!dst->partner_regions) {
			oom = 1;
		} else {
			dst->n_partner_regions = src->n_partner_regions;
			for (i = 0; i < src->n_partner_regions; i++)
				dst->partner_regions[i] = dup_or_null(
					src->partner_regions[i], &oom);
		}
	}
	if (oom) {
		db_event_release(dst);
		return -ENOMEM;
	}
	return 0;
}

/* Split "a,b,c" into a new array of new strings. */
static int
split_slugs(const char *list, char ***out, size_t *n)
{
	const char *p = list, *comma;
	char **v = NULL, **nv;
	size_t len = 0;

	*out = NULL;
	*n = 0;
	if (!list || !*list)
		return 0;
	for (;;) {
		comma = strchr(p, ',');
		nv = realloc(v, (len + 1) * sizeof(*v));
		if (!nv)
			goto oom;
		v = nv;
		v[len] = comma ? strndup(p, (size_t)(comma - p)) : strdup(p);
		if (!v[len])
			goto oom;
		len++;
		if (!comma)
			break;
		p = comma + 1;
	}
	*out = v;
	*n = len;
	return 0;
oom:
	while (len)
		free(v[--len]);
	free(v);
	return -ENOMEM;
}

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
event_from_row(sqlite3_stmt *st, struct db_event *ev)
{
	int oom = 0;

	memset(ev, 0, sizeof(*ev));
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
	if (!oom && split_slugs((const char *)sqlite3_column_text(st, 23),
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
	if (oom) {
		db_event_release(ev);
		return -ENOMEM;
	}
	return 0;
}

static void
override_release(void *elem)
{
	struct db_override *o = elem;

	free(o->title);
	free(o->venue);
	free(o->description);
	free(o->status);
	memset(o, 0, sizeof(*o));
}

static int
override_row(sqlite3_stmt *st, void *elem)
{
	struct db_override *o = elem;
	int oom = 0;

	o->recurrence_utc = sqlite3_column_int64(st, 0);
	o->start_utc = sqlite3_column_int64(st, 1);
	o->end_utc = sqlite3_column_int64(st, 2);
	o->title = db_col_strdup(st, 3, &oom);
	o->venue = db_col_strdup(st, 4, &oom);
	o->description = db_col_strdup(st, 5, &oom);
	o->status = db_col_strdup(st, 6, &oom);
	if (oom) {
		override_release(o);
		return -ENOMEM;
	}
	return 0;
}

/* Load ev's RECURRENCE-ID overrides. */
static int
load_overrides(struct db *db, struct db_event *ev)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db->conn, "SELECT recurrence_utc, start_utc,"
	    " end_utc, title, venue, description, status FROM event_override"
	    " WHERE event_id = ?1 ORDER BY recurrence_utc", -1, &st,
	    NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, ev->id);
	return db_collect(st, sizeof(*ev->overrides), override_row,
			  override_release, (void **)&ev->overrides,
			  &ev->n_overrides);
}

/* Replace the RDATE, EXDATE and override rows of event id with ev's. */
static int
write_exceptions(struct db *db, int64_t id, const struct db_event *ev)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn, "DELETE FROM event_exdate"
	    " WHERE event_id = ?1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db->conn, "DELETE FROM event_override"
	    " WHERE event_id = ?1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db->conn, "DELETE FROM event_rdate"
	    " WHERE event_id = ?1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db->conn, "INSERT OR IGNORE INTO"
	    " event_rdate(event_id, start_utc) VALUES (?1, ?2)", -1, &st,
	    NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < ev->n_rdates; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, ev->rdates[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db->conn, "INSERT OR IGNORE INTO"
	    " event_exdate(event_id, recurrence_utc) VALUES (?1, ?2)", -1, &st,
	    NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < ev->n_exdates; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, ev->exdates[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db->conn, "INSERT INTO event_override(event_id,"
	    " recurrence_utc, start_utc, end_utc, title, venue, description,"
	    " status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &st,
	    NULL) != SQLITE_OK) {
		st = NULL;
		goto out;
	}
	for (i = 0; i < ev->n_overrides; i++) {
		const struct db_override *o = &ev->overrides[i];

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, o->recurrence_utc);
		sqlite3_bind_int64(st, 3, o->start_utc);
		sqlite3_bind_int64(st, 4, o->end_utc);
		db_bind_text_or_null(st, 5, o->title);
		db_bind_text_or_null(st, 6, o->venue);
		db_bind_text_or_null(st, 7, o->description);
		db_bind_text_or_null(st, 8, o->status);
		rc = db_step_map(sqlite3_step(st));
		if (rc != 0)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
get_one(struct db *db, const char *where, int64_t id, const char *uid,
	struct db_event *out)
{
	sqlite3_stmt *st = NULL;
	char sql[4096];
	int rc = -EIO, s;

	snprintf(sql, sizeof(sql), "SELECT " EVENT_COLS EVENT_FROM " WHERE %s",
		 where);
	if (sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (uid)
		sqlite3_bind_text(st, 1, uid, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 1, id);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		rc = event_from_row(st, out);
	else if (s == SQLITE_DONE)
		rc = -ENOENT;
	if (rc == 0 && out->rrule && (rc = load_overrides(db, out)) != 0)
		db_event_release(out);
out:
	sqlite3_finalize(st);
	return rc;
}

int
db_event_get(struct db *db, int64_t id, struct db_event *out)
{
	return get_one(db, "e.id = ?1", id, NULL, out);
}

int
db_event_get_by_uid(struct db *db, const char *uid, struct db_event *out)
{
	if (!uid)
		return -EINVAL;
	return get_one(db, "e.uid = ?1", 0, uid, out);
}

/* Write event_partner rows for event id; every slug must be a partner
 * region. */
static int
write_partners(struct db *db, int64_t id, const struct db_event *ev)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn, "DELETE FROM event_partner"
	    " WHERE event_id = ?1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db->conn, "INSERT OR IGNORE INTO"
	    " event_partner(event_id, region_id) SELECT ?1, id FROM region"
	    " WHERE slug = ?2 AND partner = 1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < ev->n_partner_regions; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, ev->partner_regions[i], -1,
				  SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
		if (sqlite3_changes(db->conn) != 1) {
			/* unknown, not a partner region, or listed twice */
			sqlite3_stmt *chk = NULL;
			int dup = 0;

			if (sqlite3_prepare_v2(db->conn, "SELECT 1 FROM"
			    " event_partner p JOIN region r ON"
			    " r.id = p.region_id WHERE p.event_id = ?1 AND"
			    " r.slug = ?2", -1, &chk, NULL) == SQLITE_OK) {
				sqlite3_bind_int64(chk, 1, id);
				sqlite3_bind_text(chk, 2, ev->partner_regions[i],
						  -1, SQLITE_TRANSIENT);
				dup = sqlite3_step(chk) == SQLITE_ROW;
			}
			sqlite3_finalize(chk);
			if (!dup) {
				rc = -EINVAL;
				goto out;
			}
		}
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* History row for event id; before is a JSON text or NULL, the after
 * snapshot is read from the event table (NULL once deleted). */
static int
write_history(struct db *db, int64_t id, const char *uid, const char *action,
	      const char *actor, int64_t now_utc, const char *before)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn, "INSERT INTO event_history(event_id,"
	    " uid, action, actor, at_utc, before_json, after_json)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, " SNAPSHOT_SQL ")", -1, &st,
	    NULL) != SQLITE_OK)
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

/* The JSON snapshot of event id, as a new string (caller frees). */
static int
snapshot(struct db *db, int64_t id, char **out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO, oom = 0;

	*out = NULL;
	if (sqlite3_prepare_v2(db->conn, "SELECT " SNAPSHOT_SQL, -1, &st,
			       NULL) != SQLITE_OK)
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
	if (sqlite3_prepare_v2(db->conn, "INSERT INTO event(id, uid, kind,"
	    " title, description, venue, all_day, start_utc, end_utc,"
	    " start_date, end_date, tzid, status, carrier_id, rrule, url,"
	    " capacity, sequence, revision, created_utc, modified_utc,"
	    " geo_lat, geo_lon, tzid_source) VALUES"
	    " (1 + max((SELECT coalesce(max(id), 0) FROM event),"
	    " (SELECT coalesce(max(event_id), 0) FROM event_history)), ?1, ?2,"
	    " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
	    " (SELECT id FROM carrier WHERE slug = ?13), ?14, ?15, ?16, 0,"
	    " 1, ?18, ?18, ?19, ?20, ?21)", -1, &st, NULL) != SQLITE_OK)
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
		rc = write_exceptions(db, id, ev);
	if (rc == 0)
		rc = write_history(db, id, ev->uid, "create", actor, now_utc,
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
		rc = snapshot(db, ev->id, &before);
	if (rc != 0)
		goto out;
	rc = -EIO;
	if (sqlite3_prepare_v2(db->conn, "UPDATE event SET kind = ?2,"
	    " title = ?3, description = ?4, venue = ?5, all_day = ?6,"
	    " start_utc = ?7, end_utc = ?8, start_date = ?9, end_date = ?10,"
	    " tzid = ?11, status = ?12,"
	    " carrier_id = (SELECT id FROM carrier WHERE slug = ?13),"
	    " rrule = ?14, url = ?15, capacity = ?16, sequence = ?17,"
	    " revision = revision + 1, modified_utc = ?18, geo_lat = ?19,"
	    " geo_lon = ?20, tzid_source = ?21 WHERE id = ?1",
	    -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_bind_int64(st, 1, ev->id) != SQLITE_OK ||
	    bind_editable(st, ev) != 0 ||
	    sqlite3_bind_int64(st, 18, now_utc) != SQLITE_OK)
		goto out;
	rc = db_step_map(sqlite3_step(st));
	if (rc == 0)
		rc = write_partners(db, ev->id, ev);
	if (rc == 0)
		rc = write_exceptions(db, ev->id, ev);
	if (rc == 0)
		rc = write_history(db, ev->id, ev->uid, "update", actor,
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
	rc = snapshot(db, id, &before);
	if (rc != 0)
		goto out;
	rc = -EIO;
	if (sqlite3_prepare_v2(db->conn, "DELETE FROM event WHERE id = ?1", -1,
			       &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	rc = db_step_map(sqlite3_step(st));
	if (rc == 0)
		rc = write_history(db, id, cur.uid, "delete", actor, now_utc,
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
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		db_event_release(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static int
event_row(sqlite3_stmt *st, void *elem)
{
	return event_from_row(st, elem);
}

static void
event_release(void *elem)
{
	db_event_release(elem);
}

struct series_ref {
	int64_t id;
	size_t idx;			/* in the list */
};

static int
by_series_id(const void *a, const void *b)
{
	const struct series_ref *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * The RECURRENCE-ID overrides of every series in v[0..n), in one query
 * (not one per series: a feed is one query for its events and one for
 * their overrides, whatever their number).
 */
static int
load_overrides_of(struct db *db, struct db_event *v, size_t n)
{
	struct series_ref *refs = NULL, key, *hit;
	size_t n_refs = 0, i, *cap = NULL;
	sqlite3_stmt *st = NULL;
	char *ids = NULL, *p;
	int rc = -ENOMEM, step;

	for (i = 0; i < n; i++)
		n_refs += v[i].rrule != NULL;
	if (n_refs == 0)
		return 0;
	refs = malloc(n_refs * sizeof(*refs));
	cap = calloc(n, sizeof(*cap));
	ids = malloc(n_refs * 22 + 3);
	if (!refs || !cap || !ids)
		goto out;
	p = ids;
	*p++ = '[';
	for (i = 0, n_refs = 0; i < n; i++) {
		if (!v[i].rrule)
			continue;
		refs[n_refs].id = v[i].id;
		refs[n_refs++].idx = i;
		p += sprintf(p, "%s%lld", n_refs > 1 ? "," : "",
			     (long long)v[i].id);
	}
	*p++ = ']';
	*p = '\0';
	qsort(refs, n_refs, sizeof(*refs), by_series_id);
	rc = -EIO;
	if (sqlite3_prepare_v2(db->conn, "SELECT event_id, recurrence_utc,"
	    " start_utc, end_utc, title, venue, description, status FROM"
	    " event_override WHERE event_id IN (SELECT value FROM"
	    " json_each(?1)) ORDER BY event_id, recurrence_utc", -1, &st,
	    NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, ids, -1, SQLITE_STATIC) != SQLITE_OK)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct db_event *ev;
		struct db_override *o;
		int oom = 0;

		key.id = sqlite3_column_int64(st, 0);
		hit = bsearch(&key, refs, n_refs, sizeof(*refs),
			      by_series_id);
		if (!hit)
			continue;
		ev = &v[hit->idx];
		if (ev->n_overrides == cap[hit->idx]) {
			size_t c = cap[hit->idx] ? 2 * cap[hit->idx] : 4;

			o = realloc(ev->overrides, c * sizeof(*o));
			if (!o) {
				rc = -ENOMEM;
				goto out;
			}
			ev->overrides = o;
			cap[hit->idx] = c;
		}
		o = &ev->overrides[ev->n_overrides];
		memset(o, 0, sizeof(*o));
		o->recurrence_utc = sqlite3_column_int64(st, 1);
		o->start_utc = sqlite3_column_int64(st, 2);
		o->end_utc = sqlite3_column_int64(st, 3);
		o->title = db_col_strdup(st, 4, &oom);
		o->venue = db_col_strdup(st, 5, &oom);
		o->description = db_col_strdup(st, 6, &oom);
		o->status = db_col_strdup(st, 7, &oom);
		if (oom) {
			override_release(o);
			rc = -ENOMEM;
			goto out;
		}
		ev->n_overrides++;
	}
	if (step == SQLITE_DONE)
		rc = 0;
out:
	sqlite3_finalize(st);
	free(refs);
	free(cap);
	free(ids);
	return rc;
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
	if (sqlite3_prepare_v2(db->conn, "SELECT " EVENT_COLS EVENT_FROM
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
	    " ORDER BY e.start_utc, e.id LIMIT ?12", -1, &st, NULL) != SQLITE_OK)
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
	rc = db_collect(st, sizeof(*v), event_row, event_release, (void **)&v,
			&len);
	st = NULL;		/* finalized by db_collect() */
	if (rc != 0)
		goto out;
	if ((rc = load_overrides_of(db, v, len)) != 0)
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

int
db_event_state(struct db *db, int64_t *max_modified, int64_t *changes)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn, "SELECT (SELECT coalesce("
	    "max(modified_utc), 0) FROM event), (SELECT coalesce(max(id), 0)"
	    " FROM event_history)", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*max_modified = sqlite3_column_int64(st, 0);
		*changes = sqlite3_column_int64(st, 1);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int64_t
db_event_history_count(struct db *db, int64_t event_id)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db->conn, "SELECT count(*) FROM event_history"
	    " WHERE event_id = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, event_id);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return n;
}

int
db_feed_last_modified(struct db *db, int64_t window_s, int64_t now_utc,
		      int64_t *out, int64_t *n_at_out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	/* Every change moment (a history row, or a cancelled event leaving
	 * the feeds) as one row; the latest second and how many fall in it. */
	if (sqlite3_prepare_v2(db->conn, "WITH m(t) AS (SELECT at_utc FROM"
	    " event_history UNION ALL SELECT modified_utc + ?1 FROM event"
	    " WHERE status = 'CANCELLED' AND modified_utc + ?1 <= ?2)"
	    " SELECT coalesce(max(t), 0), (SELECT count(*) FROM m WHERE"
	    " t = (SELECT max(t) FROM m)) FROM m", -1, &st, NULL) ==
	    SQLITE_OK) {
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
