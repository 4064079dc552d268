/*
 * rule_store.c: versioned cadence rules (table cadence_rule_version).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"

static void
rule_release(void *elem)
{
	struct db_rule *r = elem;

	free(r->id);
	free(r->name);
	free(r->kinds);
	free(r->period);
	free(r->scope);
	free(r->active_from);
	free(r->active_to);
	free(r->actor);
	memset(r, 0, sizeof(*r));
}

static int
rule_row(sqlite3_stmt *st, void *elem)
{
	struct db_rule *r = elem;
	int oom = 0;

	r->version = sqlite3_column_int64(st, 0);
	r->id = db_col_strdup(st, 1, &oom);
	r->name = db_col_strdup(st, 2, &oom);
	r->kinds = db_col_strdup(st, 3, &oom);
	r->period = db_col_strdup(st, 4, &oom);
	r->min_count = sqlite3_column_int64(st, 5);
	r->scope = db_col_strdup(st, 6, &oom);
	r->active_from = db_col_strdup(st, 7, &oom);
	r->active_to = db_col_strdup(st, 8, &oom);
	r->actor = db_col_strdup(st, 9, &oom);
	r->created_utc = sqlite3_column_int64(st, 10);
	return oom ? -ENOMEM : 0;
}

static const struct db_row_type rule_rows = {
	sizeof(struct db_rule), rule_row, rule_release,
};

void
db_rules_free(struct db_rule *r, size_t n)
{
	db_rows_free(&rule_rows, r, n);
}

int
db_rules_list(struct db *db, struct db_rule **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	/* version: the ordinal within the rule, not the row id */
	if (db_prepare(db, "SELECT (SELECT count(*) FROM cadence_rule_version"
	    " p WHERE p.id = v.id AND p.version <= v.version), v.id, v.name,"
	    " v.kinds, v.period, v.min_count, v.scope, v.active_from,"
	    " v.active_to, v.actor, v.created_utc FROM cadence_rule_version v"
	    " ORDER BY (SELECT min(version) FROM cadence_rule_version f"
	    " WHERE f.id = v.id), v.version", &st) != 0)
		return -EIO;
	return db_collect(st, &rule_rows, (void **)out, n);
}

/*
 * Write one version: sql is an INSERT binding the rule id as ?1 and
 * active_from as ?10, or an UPDATE binding the version row id as ?1; both
 * bind r's name, kinds, period, min_count, scope as ?2..?6, r->active_to
 * as ?7, actor ?8 and now_utc ?9. 0, -EINVAL (constraint), -EIO.
 */
static int
write_version(struct db *db, const char *sql, const char *id,
	      int64_t version, const struct db_rule *r,
	      const char *active_from, const char *actor, int64_t now_utc)
{
	sqlite3_stmt *st;

	if (db_prepare(db, sql, &st) != 0)
		return -EIO;
	if (id) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
		db_bind_text_or_null(st, 10, active_from);
	} else {
		sqlite3_bind_int64(st, 1, version);
	}
	sqlite3_bind_text(st, 2, r->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->kinds, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->period, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, r->min_count);
	sqlite3_bind_text(st, 6, r->scope, -1, SQLITE_TRANSIENT);
	db_bind_text_or_null(st, 7, r->active_to);
	sqlite3_bind_text(st, 8, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, now_utc);
	return db_run(st);
}

static int
insert_rule_version(struct db *db, const char *id, const struct db_rule *r,
		    const char *active_from, const char *actor,
		    int64_t now_utc)
{
	return write_version(db, "INSERT INTO cadence_rule_version(id, name,"
			     " kinds, period, min_count, scope, active_to,"
			     " actor, created_utc, active_from) VALUES (?1,"
			     " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", id, 0, r,
			     active_from, actor, now_utc);
}

static int
rewrite_version(struct db *db, int64_t version, const struct db_rule *r,
		const char *actor, int64_t now_utc)
{
	return write_version(db, "UPDATE cadence_rule_version SET name = ?2,"
			     " kinds = ?3, period = ?4, min_count = ?5,"
			     " scope = ?6, active_to = ?7, actor = ?8,"
			     " created_utc = ?9 WHERE version = ?1", NULL,
			     version, r, NULL, actor, now_utc);
}

static int
valid_rule(const struct db_rule *r)
{
	return r && r->name && r->kinds && r->period && r->scope &&
	       r->min_count >= 1;
}

/* The latest version of rule id (?1) that sql selects: its row id and
 * active_from (*from: a new string or NULL). 0, -ENOENT, -ENOMEM, -EIO. */
static int
find_version(struct db *db, const char *sql, const char *id,
	     int64_t *version, char **from)
{
	sqlite3_stmt *st;
	int rc = -EIO, s, oom = 0;

	*from = NULL;
	if (db_prepare(db, sql, &st) != 0)
		return -EIO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	s = sqlite3_step(st);
	if (s == SQLITE_DONE) {
		rc = -ENOENT;
	} else if (s == SQLITE_ROW) {
		*version = sqlite3_column_int64(st, 0);
		*from = db_col_strdup(st, 1, &oom);
		rc = oom ? -ENOMEM : 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* The live version of rule id (active_to NULL). */
static int
live_version(struct db *db, const char *id, int64_t *version, char **from)
{
	return find_version(db, "SELECT version, active_from FROM"
			    " cadence_rule_version WHERE id = ?1 AND"
			    " active_to IS NULL ORDER BY version DESC LIMIT 1",
			    id, version, from);
}

/* Any version of rule id, live or retired. */
static int
any_version(struct db *db, const char *id, int64_t *version, char **from)
{
	return find_version(db, "SELECT version, active_from FROM"
			    " cadence_rule_version WHERE id = ?1 ORDER BY"
			    " version DESC LIMIT 1", id, version, from);
}

/* Set active_to (?2) of version row ?1. 0, -EINVAL, -EIO. */
static int
close_version(struct db *db, int64_t version, const char *active_to)
{
	sqlite3_stmt *st;

	if (db_prepare(db, "UPDATE cadence_rule_version SET active_to = ?2"
	    " WHERE version = ?1", &st) != 0)
		return -EIO;
	sqlite3_bind_int64(st, 1, version);
	db_bind_text_or_null(st, 2, active_to);
	return db_run(st);
}

int
db_rule_create(struct db *db, const struct db_rule *r, const char *actor,
	       int64_t now_utc)
{
	int64_t version = 0;
	char *from = NULL;
	int rc;

	if (!valid_rule(r) || !r->id || !actor)
		return -EINVAL;
	if (db_begin(db) != 0)
		return db_condition_take(-EIO);
	rc = any_version(db, r->id, &version, &from);
	free(from);
	if (rc == 0)
		rc = -EEXIST;		/* taken, even by a retired rule */
	else if (rc == -ENOENT)
		rc = insert_rule_version(db, r->id, r, r->active_from, actor,
					 now_utc);
	return db_finish(db, rc);
}

int
db_rule_change(struct db *db, const char *id, const struct db_rule *r,
	       const char *effective_from, const char *actor, int64_t now_utc)
{
	int64_t version = 0;
	char *from = NULL;
	int rc;

	if (!id || !valid_rule(r) || !effective_from || !actor)
		return -EINVAL;
	if (r->active_to && strcmp(r->active_to, effective_from) <= 0)
		return -EINVAL;
	if (db_begin(db) != 0)
		return db_condition_take(-EIO);
	rc = live_version(db, id, &version, &from);
	if (rc != 0)
		goto out;
	if (from && strcmp(from, effective_from) >= 0) {
		/* the live version starts no earlier: rewrite it in place */
		rc = rewrite_version(db, version, r, actor, now_utc);
		goto out;
	}
	rc = close_version(db, version, effective_from);
	if (rc == 0)
		rc = insert_rule_version(db, id, r, effective_from, actor,
					 now_utc);
out:
	free(from);
	return db_finish(db, rc);
}

int
db_rule_retire(struct db *db, const char *id, const char *active_to,
	       const char *actor, int64_t now_utc)
{
	int64_t version = 0;
	char *from = NULL;
	int rc;

	(void)now_utc;
	if (!id || !active_to || !actor)
		return -EINVAL;
	if (db_begin(db) != 0)
		return db_condition_take(-EIO);
	rc = live_version(db, id, &version, &from);
	if (rc == 0 && from && strcmp(active_to, from) <= 0)
		rc = -EINVAL;
	if (rc == 0)
		rc = close_version(db, version, active_to);
	free(from);
	return db_finish(db, rc);
}
