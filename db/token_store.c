/*
 * token_store.c: bearer tokens for scripts (table token). Only the SHA-256
 * hex digest of a token is stored, never the token.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"

#define TOKEN_SQL "SELECT t.id, t.role, c.slug, t.label, t.created_utc," \
	" coalesce(t.revoked_utc, 0), coalesce(t.expires_utc, 0)" \
	" FROM token t LEFT JOIN carrier c ON c.id = t.carrier_id"

void
db_token_release(struct db_token *t)
{
	if (!t)
		return;
	free(t->role);
	free(t->carrier);
	free(t->label);
	memset(t, 0, sizeof(*t));
}

static void
token_release(void *elem)
{
	db_token_release(elem);
}

static int
token_row(sqlite3_stmt *st, void *elem)
{
	struct db_token *t = elem;
	int oom = 0;

	t->id = sqlite3_column_int64(st, 0);
	t->role = db_col_strdup(st, 1, &oom);
	t->carrier = db_col_strdup(st, 2, &oom);
	t->label = db_col_strdup(st, 3, &oom);
	t->created_utc = sqlite3_column_int64(st, 4);
	t->revoked_utc = sqlite3_column_int64(st, 5);
	t->expires_utc = sqlite3_column_int64(st, 6);
	return oom ? -ENOMEM : 0;
}

static const struct db_row_type token_rows = {
	sizeof(struct db_token), token_row, token_release,
};

void
db_tokens_free(struct db_token *t, size_t n)
{
	db_rows_free(&token_rows, t, n);
}

/* 0 when carrier is NULL or names a carrier; -EINVAL when it names none;
 * else the error of db_carrier_get(). */
static int
check_carrier(struct db *db, const char *carrier)
{
	struct db_carrier c;
	int rc;

	if (!carrier)
		return 0;
	rc = db_carrier_get(db, carrier, &c);
	db_carrier_release(&c);
	return rc == -ENOENT ? -EINVAL : rc;
}

int
db_token_insert(struct db *db, const char *hash_hex, const char *role,
		const char *carrier, const char *label, int64_t now_utc,
		int64_t *id_out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (!hash_hex || !role)
		return -EINVAL;
	if (strcmp(role, "admin") == 0 ? carrier != NULL
	    : (strcmp(role, "organiser") != 0 || !carrier))
		return -EINVAL;
	if (db_begin(db) != 0)
		return db_condition_take(-EIO);
	rc = check_carrier(db, carrier);
	if (rc == 0)
		rc = db_prepare(db, "INSERT INTO token(hash, role, carrier_id,"
				" label, created_utc) VALUES (?1, ?2, (SELECT"
				" id FROM carrier WHERE slug = ?3), ?4, ?5)",
				&st);
	if (rc != 0)
		goto out;
	sqlite3_bind_text(st, 1, hash_hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, role, -1, SQLITE_TRANSIENT);
	db_bind_text_or_null(st, 3, carrier);
	db_bind_text_or_null(st, 4, label);
	sqlite3_bind_int64(st, 5, now_utc);
	rc = db_run(st);
	if (rc == 0 && id_out)
		*id_out = sqlite3_last_insert_rowid(db->conn);
out:
	return db_finish(db, rc);
}

int
db_token_lookup(struct db *db, const char *hash_hex, char **role,
		char **carrier, int64_t *id_out)
{
	struct db_token t;
	sqlite3_stmt *st;
	int rc;

	*role = NULL;
	*carrier = NULL;
	if (db_prepare(db, TOKEN_SQL " WHERE t.hash = ?1"
	    " AND t.revoked_utc IS NULL", &st) != 0)
		return -EIO;
	sqlite3_bind_text(st, 1, hash_hex, -1, SQLITE_TRANSIENT);
	rc = db_fetch_one(st, &token_rows, &t);
	if (rc != 0)
		return rc;
	if (id_out)
		*id_out = t.id;
	*role = t.role;			/* handed over */
	*carrier = t.carrier;
	free(t.label);
	return 0;
}

int
db_tokens_list(struct db *db, struct db_token **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if (db_prepare(db, TOKEN_SQL " ORDER BY t.id", &st) != 0)
		return -EIO;
	return db_collect(st, &token_rows, (void **)out, n);
}

int
db_token_get(struct db *db, int64_t id, struct db_token *out)
{
	sqlite3_stmt *st;

	memset(out, 0, sizeof(*out));
	if (db_prepare(db, TOKEN_SQL " WHERE t.id = ?1", &st) != 0)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	return db_fetch_one(st, &token_rows, out);
}

/* Run sql binding token id (?1) and value (?2; SQL NULL when 0 and
 * null_when_0): 0, -ENOENT (no row changed), or the errno of db_run(). */
static int
update_token(struct db *db, const char *sql, int64_t id, int64_t value,
	     int null_when_0)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, sql, &st) != 0)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	if (value || !null_when_0)
		sqlite3_bind_int64(st, 2, value);
	else
		sqlite3_bind_null(st, 2);
	rc = db_run(st);
	if (rc == 0 && sqlite3_changes(db->conn) != 1)
		rc = -ENOENT;
	return rc;
}

int
db_token_revoke(struct db *db, int64_t id, int64_t now_utc)
{
	return update_token(db, "UPDATE token SET revoked_utc = ?2"
			    " WHERE id = ?1 AND revoked_utc IS NULL", id,
			    now_utc, 0);
}

int
db_token_set_expiry(struct db *db, int64_t id, int64_t expires_utc)
{
	return update_token(db, "UPDATE token SET expires_utc = ?2"
			    " WHERE id = ?1", id, expires_utc, 1);
}
