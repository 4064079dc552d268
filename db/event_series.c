/*
 * event_series.c: the exceptions of a series — EXDATE (table
 * event_exdate), RDATE (event_rdate) and RECURRENCE-ID overrides
 * (event_override), all keyed by event id and deleted with their event —
 * read and written for event_store.c (db_internal.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"

/* Columns 1.. of an override row; column 0 is its event_id. */
#define OVERRIDE_SQL "SELECT event_id, recurrence_utc, start_utc, end_utc," \
	" title, venue, description, status FROM event_override"

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

	o->recurrence_utc = sqlite3_column_int64(st, 1);
	o->start_utc = sqlite3_column_int64(st, 2);
	o->end_utc = sqlite3_column_int64(st, 3);
	o->title = db_col_strdup(st, 4, &oom);
	o->venue = db_col_strdup(st, 5, &oom);
	o->description = db_col_strdup(st, 6, &oom);
	o->status = db_col_strdup(st, 7, &oom);
	return oom ? -ENOMEM : 0;
}

static const struct db_row_type override_rows = {
	sizeof(struct db_override), override_row, override_release,
};

int
db_series_load(struct db *db, struct db_event *ev)
{
	sqlite3_stmt *st;

	if (db_prepare(db, OVERRIDE_SQL " WHERE event_id = ?1"
	    " ORDER BY recurrence_utc", &st) != 0)
		return -EIO;
	sqlite3_bind_int64(st, 1, ev->id);
	return db_collect(st, &override_rows, (void **)&ev->overrides,
			  &ev->n_overrides);
}

/* Run sql once for event id (?1) and each instant v[i] (?2), or once
 * with ?2 unbound when n is 0 and v is NULL. 0 or -EIO. */
static int
run_times(struct db *db, const char *sql, int64_t id, const int64_t *v,
	  size_t n)
{
	sqlite3_stmt *st;
	size_t i;
	int rc = 0;

	if (db_prepare(db, sql, &st) != 0)
		return -EIO;
	for (i = 0; rc == 0 && (i < n || (i == 0 && !v)); i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		if (v)
			sqlite3_bind_int64(st, 2, v[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = -EIO;
	}
	sqlite3_finalize(st);
	return rc;
}

static int
write_overrides(struct db *db, int64_t id, const struct db_event *ev)
{
	sqlite3_stmt *st;
	size_t i;
	int rc = 0;

	if (db_prepare(db, "INSERT INTO event_override(event_id,"
	    " recurrence_utc, start_utc, end_utc, title, venue, description,"
	    " status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &st) != 0)
		return -EIO;
	for (i = 0; rc == 0 && i < ev->n_overrides; i++) {
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
	}
	sqlite3_finalize(st);
	return rc;
}

int
db_series_write(struct db *db, int64_t id, const struct db_event *ev)
{
	int rc;

	rc = run_times(db, "DELETE FROM event_exdate WHERE event_id = ?1",
		       id, NULL, 0);
	if (rc == 0)
		rc = run_times(db, "DELETE FROM event_override"
			       " WHERE event_id = ?1", id, NULL, 0);
	if (rc == 0)
		rc = run_times(db, "DELETE FROM event_rdate"
			       " WHERE event_id = ?1", id, NULL, 0);
	if (rc == 0 && ev->n_rdates)
		rc = run_times(db, "INSERT OR IGNORE INTO event_rdate(event_id,"
			       " start_utc) VALUES (?1, ?2)", id, ev->rdates,
			       ev->n_rdates);
	if (rc == 0 && ev->n_exdates)
		rc = run_times(db, "INSERT OR IGNORE INTO event_exdate("
			       "event_id, recurrence_utc) VALUES (?1, ?2)",
			       id, ev->exdates, ev->n_exdates);
	if (rc == 0 && ev->n_overrides)
		rc = write_overrides(db, id, ev);
	return rc;
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

/* Append one override row to ev->overrides (capacity *cap). 0 or
 * -ENOMEM (ev unchanged). */
static int
append_override(sqlite3_stmt *st, struct db_event *ev, size_t *cap)
{
	struct db_override *o;

	if (ev->n_overrides == *cap) {
		size_t c = *cap ? 2 * *cap : 4;

		o = realloc(ev->overrides, c * sizeof(*o));
		if (!o)
			return -ENOMEM;
		ev->overrides = o;
		*cap = c;
	}
	o = &ev->overrides[ev->n_overrides];
	memset(o, 0, sizeof(*o));
	if (override_row(st, o) != 0) {
		override_release(o);
		return -ENOMEM;
	}
	ev->n_overrides++;
	return 0;
}

/*
 * The series of v[0..n) as refs sorted by id, and their ids as a JSON
 * array for json_each() in *ids (a new string). 0 or -ENOMEM.
 */
static int
series_refs(const struct db_event *v, size_t n, struct series_ref **refs,
	    size_t *n_refs, char **ids)
{
	size_t i, k = 0;
	char *p;

	for (i = 0; i < n; i++)
		k += v[i].rrule != NULL;
	*refs = malloc(k * sizeof(**refs));
	*ids = malloc(k * 22 + 3);
	if (!*refs || !*ids)
		return -ENOMEM;
	p = *ids;
	*p++ = '[';
	for (i = 0, k = 0; i < n; i++) {
		if (!v[i].rrule)
			continue;
		(*refs)[k].id = v[i].id;
		(*refs)[k++].idx = i;
		p += sprintf(p, "%s%lld", k > 1 ? "," : "",
			     (long long)v[i].id);
	}
	*p++ = ']';
	*p = '\0';
	qsort(*refs, k, sizeof(**refs), by_series_id);
	*n_refs = k;
	return 0;
}

/*
 * One query for the overrides of every series in the list, not one per
 * series: a feed is one query for its events and one for their
 * overrides, whatever their number.
 */
int
db_series_load_all(struct db *db, struct db_event *v, size_t n)
{
	struct series_ref *refs = NULL, key, *hit;
	size_t n_refs = 0, i, *cap = NULL;
	sqlite3_stmt *st = NULL;
	char *ids = NULL;
	int rc, step;

	for (i = 0; i < n && !v[i].rrule; i++)
		;
	if (i == n)
		return 0;		/* no series */
	rc = series_refs(v, n, &refs, &n_refs, &ids);
	cap = calloc(n, sizeof(*cap));
	if (rc != 0 || !cap) {
		rc = -ENOMEM;
		goto out;
	}
	rc = -EIO;
	if (db_prepare(db, OVERRIDE_SQL " WHERE event_id IN (SELECT value"
	    " FROM json_each(?1)) ORDER BY event_id, recurrence_utc",
	    &st) != 0 ||
	    sqlite3_bind_text(st, 1, ids, -1, SQLITE_STATIC) != SQLITE_OK)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		key.id = sqlite3_column_int64(st, 0);
		hit = bsearch(&key, refs, n_refs, sizeof(*refs),
			      by_series_id);
		if (hit && append_override(st, &v[hit->idx],
					   &cap[hit->idx]) != 0) {
			rc = -ENOMEM;
			goto out;
		}
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
