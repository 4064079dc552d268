/*
 * db.c: open and close a connection (pragmas, quick_check, migrations),
 * transactions, and the helpers every store shares (db_internal.h).
 * The schema is in migrations.c, the annex seed in seed.c, each table
 * family in its *_store.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"

int
db_exec(struct db *db, const char *sql)
{
	int rc = sqlite3_exec(db->conn, sql, NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		return 0;
	db_condition_note(rc);
	return -EIO;
}

int
db_begin(struct db *db)
{
	if (db->tx_depth > 0) {
		db->tx_depth++;
		return 0;
	}
	db_condition_take(0);
	if (db_exec(db, "BEGIN IMMEDIATE") != 0)
		return db_condition_peek(-EIO);	/* callers take it */
	db->tx_depth = 1;
	db->tx_failed = 0;
	return 0;
}

int
db_finish(struct db *db, int rc)
{
	if (rc != 0 && db->tx_failed == 0)
		db->tx_failed = rc;
	if (--db->tx_depth > 0)
		return rc;
	if (db->tx_failed == 0 && db_exec(db, "COMMIT") != 0)
		db->tx_failed = -EIO;
	if (db->tx_failed != 0) {
		db_exec(db, "ROLLBACK");
		rc = rc ? rc : db->tx_failed;
		rc = db_condition_take(rc);	/* -EIO: full disk? locked? */
	} else {
		db_condition_committed();
	}
	db->tx_failed = 0;
	return rc;
}

int
db_tx_begin(struct db *db)
{
	return db_begin(db);
}

int
db_tx_end(struct db *db, int rc)
{
	return db_finish(db, rc);
}

int
db_prepare(struct db *db, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(db->conn, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	sqlite3_finalize(*st);
	*st = NULL;
	return -EIO;
}

int
db_run(sqlite3_stmt *st)
{
	int rc;

	if (!st)
		return -EIO;
	rc = db_step_map(sqlite3_step(st));
	sqlite3_finalize(st);
	return rc;
}

int
db_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}

int
db_step_map(int rc)
{
	return db_errno_of(rc);		/* one table: db_errors.c */
}

char *
db_strdup(const char *s, int *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = 1;
	return d;
}

char *
db_col_strdup(sqlite3_stmt *st, int col, int *oom)
{
	return db_strdup((const char *)sqlite3_column_text(st, col), oom);
}

int
db_split_list(const char *list, char ***out, size_t *n)
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
		v[len] = strndup(p, comma ? (size_t)(comma - p) : strlen(p));
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

void
db_rows_free(const struct db_row_type *rt, void *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		rt->release((char *)v + i * rt->size);
	free(v);
}

int
db_collect(sqlite3_stmt *st, const struct db_row_type *rt, void **out,
	   size_t *n)
{
	char *v = NULL, *nv, *elem;
	size_t len = 0, cap = 0;
	int rc = 0, s = SQLITE_ERROR;

	*out = NULL;
	*n = 0;
	while (st && (s = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * rt->size);
			if (!nv) {
				rc = -ENOMEM;
				break;
			}
			v = nv;
		}
		elem = v + len * rt->size;
		memset(elem, 0, rt->size);
		if ((rc = rt->from_row(st, elem)) != 0) {
			rt->release(elem);
			break;
		}
		len++;
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = -EIO;
	sqlite3_finalize(st);
	if (rc != 0) {
		db_rows_free(rt, v, len);
		return rc;
	}
	*out = len ? v : NULL;
	if (!len)
		free(v);
	*n = len;
	return 0;
}

int
db_fetch_one(sqlite3_stmt *st, const struct db_row_type *rt, void *elem)
{
	int rc = -EIO, s;

	memset(elem, 0, rt->size);
	if (!st)
		return -EIO;
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		rc = rt->from_row(st, elem);
		if (rc != 0)
			rt->release(elem);
	} else if (s == SQLITE_DONE) {
		rc = -ENOENT;
	}
	sqlite3_finalize(st);
	return rc;
}

static int
quick_check(struct db *db)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (db_prepare(db, "PRAGMA quick_check", &st) == 0 &&
	    sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0)
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

int
db_open(const char *path, int64_t now_utc, struct db **out)
{
	struct db *db;
	int rc = -EIO;

	(void)now_utc;	/* the seed rows carry no time stamp */
	db_conditions_install();
	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	if (sqlite3_open_v2(path, &db->conn,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(db->conn, 5000);
	sqlite3_extended_result_codes(db->conn, 0);
	if (db_exec(db, "PRAGMA journal_mode = WAL") != 0 &&
	    strcmp(path, ":memory:") != 0)
		goto fail;
	if (db_exec(db, "PRAGMA synchronous = FULL") != 0 ||
	    db_exec(db, "PRAGMA foreign_keys = ON") != 0)
		goto fail;
	if (quick_check(db) != 0)
		goto fail;
	if ((rc = db_migrate(db)) != 0)
		goto fail;
	*out = db;
	return 0;
fail:
	db_close(db);
	return rc == -ENOMEM ? -ENOMEM : -EIO;
}

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

void
db_close(struct db *db)
{
	if (!db)
		return;
	sqlite3_close(db->conn);	/* all statements are finalized */
	free(db);
}

int64_t
db_count_rows(struct db *db, const char *table)
{
	static const char *const known[] = {
		"region", "carrier", "event", "event_partner", "event_history",
		"token", "cadence_rule_version", "annex_total",
		"event_exdate", "event_override", "subscription", "audit",
		"account", "account_carrier", "account_invite",
		"account_session",
	};
	char sql[96];
	sqlite3_stmt *st = NULL;
	int64_t n = -1;
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i], table) == 0)
			break;
	if (i == sizeof(known) / sizeof(known[0]))
		return -1;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", known[i]);
	if (db_prepare(db, sql, &st) == 0 &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}
