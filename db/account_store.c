/*
 * account_store.c: accounts, invites and sessions (account_store.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "account_store.h"
#include "db_internal.h"

#define ACCOUNT_COLS "a.id, a.username, a.role, a.disabled," \
	" a.password_hash IS NOT NULL, a.created_utc, a.updated_utc," \
	" coalesce(a.last_login_utc, 0), (SELECT group_concat(slug, ',')" \
	" FROM (SELECT c.slug FROM account_carrier ac JOIN carrier c" \
	" ON c.id = ac.carrier_id WHERE ac.account_id = a.id" \
	" ORDER BY c.slug))"

void
db_account_release(struct db_account *a)
{
	size_t i;

	if (!a)
		return;
	free(a->username);
	free(a->role);
	for (i = 0; i < a->n_carriers; i++)
		free(a->carriers[i]);
	free(a->carriers);
	memset(a, 0, sizeof(*a));
}

static int
account_row(sqlite3_stmt *st, void *elem)
{
	struct db_account *a = elem;
	int oom = 0;

	a->id = sqlite3_column_int64(st, 0);
	a->username = db_col_strdup(st, 1, &oom);
	a->role = db_col_strdup(st, 2, &oom);
	a->disabled = sqlite3_column_int(st, 3);
	a->has_password = sqlite3_column_int(st, 4);
	a->created_utc = sqlite3_column_int64(st, 5);
	a->updated_utc = sqlite3_column_int64(st, 6);
	a->last_login_utc = sqlite3_column_int64(st, 7);
	if (!oom && db_split_list((const char *)sqlite3_column_text(st, 8),
				  &a->carriers, &a->n_carriers) != 0)
		oom = 1;
	return oom ? -ENOMEM : 0;
}

static void
account_release(void *elem)
{
	db_account_release(elem);
}

static const struct db_row_type account_rows = {
	sizeof(struct db_account), account_row, account_release,
};

void
db_accounts_free(struct db_account *a, size_t n)
{
	db_rows_free(&account_rows, a, n);
}

/* -EINVAL unless role and the number of carriers agree. */
static int
check_shape(const struct db_account *a)
{
	if (!a->role)
		return -EINVAL;
	if (strcmp(a->role, "organiser") == 0)
		return a->n_carriers ? 0 : -EINVAL;
	if (strcmp(a->role, "admin") == 0 || strcmp(a->role, "viewer") == 0)
		return a->n_carriers ? -EINVAL : 0;
	return -EINVAL;
}

/* Replace the carriers of account id with a's. */
static int
set_carriers(struct db *db, int64_t id, const struct db_account *a)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = -EIO;

	if (db_prepare(db, "DELETE FROM account_carrier WHERE"
	    " account_id = ?1", &st) != 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_step_map(sqlite3_step(st))) != 0)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	rc = -EIO;
	if (db_prepare(db, "INSERT OR IGNORE INTO"
	    " account_carrier(account_id, carrier_id) SELECT ?1, id FROM"
	    " carrier WHERE slug = ?2", &st) != 0)
		goto out;
	for (i = 0; i < a->n_carriers; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_bind_text(st, 2, a->carriers[i], -1,
				      SQLITE_TRANSIENT) != SQLITE_OK)
			goto out;
		if ((rc = db_step_map(sqlite3_step(st))) != 0)
			goto out;
		if (sqlite3_changes(db->conn) == 0) {
			/* unknown slug (a repeated one is ignored) */
			int k, dup = 0;

			for (k = 0; k < (int)i; k++)
				dup |= strcmp(a->carriers[k],
					      a->carriers[i]) == 0;
			if (!dup) {
				rc = -EINVAL;
				goto out;
			}
		}
		rc = -EIO;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

int
db_account_insert(struct db *db, const struct db_account *a,
		  int64_t now_utc, int64_t *id_out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (!a->username || !*a->username ||
	    strlen(a->username) > DB_USERNAME_MAX || check_shape(a) != 0)
		return -EINVAL;
	if ((rc = db_begin(db)) != 0)
		return rc;
	rc = -EIO;
	if (db_prepare(db, "INSERT INTO account(username, role,"
	    " created_utc, updated_utc) SELECT ?1, ?2, ?3, ?3 WHERE NOT"
	    " EXISTS (SELECT 1 FROM account WHERE username = ?1)", &st) != 0)
		goto out;
	if (sqlite3_bind_text(st, 1, a->username, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(st, 2, a->role, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK || sqlite3_bind_int64(st, 3, now_utc) != SQLITE_OK)
		goto out;
	if ((rc = db_step_map(sqlite3_step(st))) != 0)
		goto out;
	if (sqlite3_changes(db->conn) == 0) {
		rc = -EEXIST;
		goto out;
	}
	*id_out = sqlite3_last_insert_rowid(db->conn);
	rc = set_carriers(db, *id_out, a);
out:
	sqlite3_finalize(st);
	return db_finish(db, rc);
}

int
db_account_get(struct db *db, const char *username, struct db_account *out,
	       char **password_hash)
{
	sqlite3_stmt *st;
	int rc, s, oom = 0;

	memset(out, 0, sizeof(*out));
	if (password_hash)
		*password_hash = NULL;
	if (db_prepare(db, "SELECT " ACCOUNT_COLS ", a.password_hash"
	    " FROM account a WHERE a.username = ?1", &st) != 0)
		return -EIO;
	rc = -EIO;
	if (sqlite3_bind_text(st, 1, username, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK)
		goto out;
	s = sqlite3_step(st);
	if (s == SQLITE_DONE) {
		rc = -ENOENT;
		goto out;
	}
	if (s != SQLITE_ROW)
		goto out;
	rc = account_row(st, out);
	if (password_hash && rc == 0)
		*password_hash = db_col_strdup(st, 9, &oom);
	if (rc == 0 && oom)
		rc = -ENOMEM;
	if (rc != 0)
		db_account_release(out);
out:
	sqlite3_finalize(st);
	return rc;
}

int
db_account_get_by_id(struct db *db, int64_t id, struct db_account *out)
{
	sqlite3_stmt *st;

	memset(out, 0, sizeof(*out));
	if (db_prepare(db, "SELECT " ACCOUNT_COLS " FROM account a"
	    " WHERE a.id = ?1", &st) != 0)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	return db_fetch_one(st, &account_rows, out);
}

int
db_accounts_list(struct db *db, struct db_account **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if (db_prepare(db, "SELECT " ACCOUNT_COLS " FROM account a"
	    " ORDER BY a.username", &st) != 0)
		return -EIO;
	return db_collect(st, &account_rows, (void **)out, n);
}

/* Run one statement binding id (?1) and now (?2). 0 or -EIO. */
static int
exec_id(struct db *db, const char *sql, int64_t id, int64_t now_utc)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (db_prepare(db, sql, &st) != 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, now_utc);
	rc = db_step_map(sqlite3_step(st));
out:
	sqlite3_finalize(st);
	return rc;
}

int
db_account_update(struct db *db, const struct db_account *a,
		  int64_t now_utc)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (check_shape(a) != 0)
		return -EINVAL;
	if ((rc = db_begin(db)) != 0)
		return rc;
	rc = -EIO;
	if (db_prepare(db, "UPDATE account SET role = ?2,"
	    " disabled = ?3, updated_utc = ?4 WHERE id = ?1", &st) != 0)
		goto out;
	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_text(st, 2, a->role, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, a->disabled ? 1 : 0);
	sqlite3_bind_int64(st, 4, now_utc);
	if ((rc = db_step_map(sqlite3_step(st))) != 0)
		goto out;
	if (sqlite3_changes(db->conn) == 0) {
		rc = -ENOENT;
		goto out;
	}
	rc = set_carriers(db, a->id, a);
	if (rc == 0 && a->disabled)
		rc = exec_id(db, "DELETE FROM account_session WHERE"
			     " account_id = ?1", a->id, 0);
out:
	sqlite3_finalize(st);
	return db_finish(db, rc);
}

int
db_account_set_password(struct db *db, int64_t id, const char *pwhash,
			int64_t now_utc)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (!pwhash)
		return -EINVAL;
	if ((rc = db_begin(db)) != 0)
		return rc;
	rc = -EIO;
	if (db_prepare(db, "UPDATE account SET password_hash ="
	    " ?2, updated_utc = ?3 WHERE id = ?1", &st) != 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, pwhash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now_utc);
	if ((rc = db_step_map(sqlite3_step(st))) != 0)
		goto out;
	if (sqlite3_changes(db->conn) == 0) {
		rc = -ENOENT;
		goto out;
	}
	rc = exec_id(db, "DELETE FROM account_session WHERE account_id = ?1",
		     id, 0);
out:
	sqlite3_finalize(st);
	return db_finish(db, rc);
}

int
db_account_touch_login(struct db *db, int64_t id, int64_t now_utc)
{
	return exec_id(db, "UPDATE account SET last_login_utc = ?2 WHERE"
		       " id = ?1", id, now_utc);
}

/* Bind hash (?1) and run sql with ints ?2.. from v. 0 or -EIO. */
static int
exec_hash(struct db *db, const char *sql, const char *hash_hex,
	  const int64_t *v, int nv)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO, i;

	if (db_prepare(db, sql, &st) != 0 ||
	    sqlite3_bind_text(st, 1, hash_hex, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK)
		goto out;
	for (i = 0; i < nv; i++)
		sqlite3_bind_int64(st, i + 2, v[i]);
	rc = db_step_map(sqlite3_step(st));
out:
	sqlite3_finalize(st);
	return rc;
}

int
db_invite_insert(struct db *db, int64_t account_id, const char *hash_hex,
		 int64_t now_utc, int64_t expires_utc)
{
	int64_t v[3] = { account_id, now_utc, expires_utc };
	struct db_account a;
	int rc;

	if ((rc = db_account_get_by_id(db, account_id, &a)) != 0)
		return rc;
	db_account_release(&a);
	if ((rc = db_begin(db)) != 0)
		return rc;
	rc = exec_id(db, "UPDATE account_invite SET used_utc = ?2 WHERE"
		     " account_id = ?1 AND used_utc IS NULL", account_id,
		     now_utc);
	if (rc == 0)
		rc = exec_hash(db, "INSERT INTO account_invite(hash,"
			       " account_id, created_utc, expires_utc) VALUES"
			       " (?1, ?2, ?3, ?4)", hash_hex, v, 3);
	return db_finish(db, rc);
}

int
db_invite_take(struct db *db, const char *hash_hex, int64_t now_utc,
	       int64_t *account_id)
{
	sqlite3_stmt *st = NULL;
	int64_t invite_id = 0;
	int rc = -EIO, s;

	if (db_prepare(db, "SELECT i.id, i.account_id FROM"
	    " account_invite i JOIN account a ON a.id = i.account_id"
	    " WHERE i.hash = ?1 AND i.used_utc IS NULL AND i.expires_utc > ?2"
	    " AND a.disabled = 0", &st) != 0 ||
	    sqlite3_bind_text(st, 1, hash_hex, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 2, now_utc);
	s = sqlite3_step(st);
	if (s == SQLITE_DONE) {
		rc = -ENOENT;
		goto out;
	}
	if (s != SQLITE_ROW)
		goto out;
	invite_id = sqlite3_column_int64(st, 0);
	*account_id = sqlite3_column_int64(st, 1);
	rc = exec_id(db, "UPDATE account_invite SET used_utc = ?2 WHERE"
		     " id = ?1", invite_id, now_utc);
out:
	sqlite3_finalize(st);
	return rc;
}

int
db_session_insert(struct db *db, const char *hash_hex, int64_t account_id,
		  const char *csrf, int64_t now_utc)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (db_prepare(db, "INSERT INTO account_session(hash,"
	    " account_id, csrf, created_utc, last_seen_utc) VALUES (?1, ?2,"
	    " ?3, ?4, ?4)", &st) != 0 ||
	    sqlite3_bind_text(st, 1, hash_hex, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK ||
	    sqlite3_bind_text(st, 3, csrf, -1, SQLITE_TRANSIENT) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 2, account_id);
	sqlite3_bind_int64(st, 4, now_utc);
	rc = db_step_map(sqlite3_step(st));
out:
	sqlite3_finalize(st);
	return rc;
}

int
db_session_lookup(struct db *db, const char *hash_hex, int64_t now_utc,
		  int64_t idle_s, struct db_account *account, char csrf[65])
{
	sqlite3_stmt *st = NULL;
	int64_t account_id, seen;
	int rc = -EIO, s;
	const unsigned char *t;

	memset(account, 0, sizeof(*account));
	if (db_prepare(db, "SELECT s.account_id,"
	    " s.last_seen_utc, s.csrf FROM account_session s JOIN account a"
	    " ON a.id = s.account_id WHERE s.hash = ?1 AND a.disabled = 0", &st) != 0 ||
	    sqlite3_bind_text(st, 1, hash_hex, -1, SQLITE_TRANSIENT) !=
	    SQLITE_OK)
		goto out;
	s = sqlite3_step(st);
	if (s == SQLITE_DONE) {
		rc = -ENOENT;
		goto out;
	}
	if (s != SQLITE_ROW)
		goto out;
	account_id = sqlite3_column_int64(st, 0);
	seen = sqlite3_column_int64(st, 1);
	t = sqlite3_column_text(st, 2);
	if (!t || strlen((const char *)t) > 64)
		goto out;
	strcpy(csrf, (const char *)t);
	sqlite3_finalize(st);
	st = NULL;
	if (now_utc - seen >= idle_s) {
		db_session_delete(db, hash_hex);
		rc = -ENOENT;
		goto out;
	}
	if (now_utc - seen >= 60 &&
	    exec_hash(db, "UPDATE account_session SET last_seen_utc = ?2"
		      " WHERE hash = ?1", hash_hex, &now_utc, 1) != 0)
		goto out;
	rc = db_account_get_by_id(db, account_id, account);
out:
	sqlite3_finalize(st);
	return rc;
}

int
db_session_delete(struct db *db, const char *hash_hex)
{
	int rc = exec_hash(db, "DELETE FROM account_session WHERE hash = ?1",
			   hash_hex, NULL, 0);

	if (rc == 0 && sqlite3_changes(db->conn) == 0)
		rc = -ENOENT;
	return rc;
}
