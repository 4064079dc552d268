/*
 * subscription_store.c: private feed subscriptions (table subscription).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"

void
db_subscription_release(struct db_subscription *s)
{
	if (!s)
		return;
	free(s->label);
	free(s->kind);
	free(s->region);
	free(s->carrier);
	free(s->partner);
	free(s->last_user_agent);
	memset(s, 0, sizeof(*s));
}

#define SUB_COLS "id, label, kind, region, carrier, partner, created_utc," \
	" coalesce(revoked_utc, 0), coalesce(last_fetch_utc, 0)," \
	" last_user_agent, fetch_count"

static int
sub_row(sqlite3_stmt *st, void *elem)
{
	struct db_subscription *s = elem;
	int oom = 0;

	s->id = sqlite3_column_int64(st, 0);
	s->label = db_col_strdup(st, 1, &oom);
	s->kind = db_col_strdup(st, 2, &oom);
	s->region = db_col_strdup(st, 3, &oom);
	s->carrier = db_col_strdup(st, 4, &oom);
	s->partner = db_col_strdup(st, 5, &oom);
	s->created_utc = sqlite3_column_int64(st, 6);
	s->revoked_utc = sqlite3_column_int64(st, 7);
	s->last_fetch_utc = sqlite3_column_int64(st, 8);
	s->last_user_agent = db_col_strdup(st, 9, &oom);
	s->fetch_count = sqlite3_column_int64(st, 10);
	return oom ? -ENOMEM : 0;
}

static void
sub_release(void *elem)
{
	db_subscription_release(elem);
}

static const struct db_row_type sub_rows = {
	sizeof(struct db_subscription), sub_row, sub_release,
};

void
db_subscriptions_free(struct db_subscription *s, size_t n)
{
	db_rows_free(&sub_rows, s, n);
}

int
db_subscription_insert(struct db *db, const char *hash_hex,
		       const struct db_subscription *s, int64_t now_utc,
		       int64_t *id_out)
{
	sqlite3_stmt *st;
	int rc;

	if (!hash_hex || !s || !s->label)
		return -EINVAL;
	if (db_prepare(db, "INSERT INTO subscription(hash, label, kind,"
	    " region, carrier, partner, created_utc) VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?6, ?7)", &st) != 0)
		return -EIO;
	sqlite3_bind_text(st, 1, hash_hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, s->label, -1, SQLITE_TRANSIENT);
	db_bind_text_or_null(st, 3, s->kind);
	db_bind_text_or_null(st, 4, s->region);
	db_bind_text_or_null(st, 5, s->carrier);
	db_bind_text_or_null(st, 6, s->partner);
	sqlite3_bind_int64(st, 7, now_utc);
	rc = db_run(st);
	if (rc == -EINVAL)
		return -EEXIST;		/* the only constraint: hash UNIQUE */
	if (rc == 0 && id_out)
		*id_out = sqlite3_last_insert_rowid(db->conn);
	return rc;
}

int
db_subscription_lookup(struct db *db, const char *hash_hex,
		       struct db_subscription *out)
{
	sqlite3_stmt *st;

	if (db_prepare(db, "SELECT " SUB_COLS " FROM subscription"
	    " WHERE hash = ?1 AND revoked_utc IS NULL", &st) != 0)
		return -EIO;
	sqlite3_bind_text(st, 1, hash_hex, -1, SQLITE_TRANSIENT);
	return db_fetch_one(st, &sub_rows, out);
}

int
db_subscription_touch(struct db *db, int64_t id, int64_t now_utc,
		      const char *user_agent)
{
	sqlite3_stmt *st;

	if (db_prepare(db, "UPDATE subscription SET last_fetch_utc = ?2,"
	    " last_user_agent = substr(?3, 1, 256),"
	    " fetch_count = fetch_count + 1 WHERE id = ?1", &st) != 0)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now_utc);
	db_bind_text_or_null(st, 3, user_agent);
	return db_run(st);
}

int
db_subscription_revoke(struct db *db, int64_t id, int64_t now_utc)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, "UPDATE subscription SET revoked_utc = ?2"
	    " WHERE id = ?1 AND revoked_utc IS NULL", &st) != 0)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now_utc);
	rc = db_run(st);
	if (rc == 0 && sqlite3_changes(db->conn) != 1)
		rc = -ENOENT;
	return rc;
}

int
db_subscriptions_list(struct db *db, struct db_subscription **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if (db_prepare(db, "SELECT " SUB_COLS " FROM subscription"
	    " ORDER BY id DESC", &st) != 0)
		return -EIO;
	return db_collect(st, &sub_rows, (void **)out, n);
}
