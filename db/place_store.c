/*
 * place_store.c: carriers and regions written by admins, token expiry.
 * Reads are in db.c (db_carrier_get, db_region_get, ...).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "admin_store.h"
#include "db.h"
#include "db_internal.h"

static int
one_of(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static const char *const carrier_kinds[] = {
	"maker_space", "incubator", "accelerator", "platform", NULL,
};
static const char *const carrier_levels[] = {
	"national", "municipal", "district", "none", NULL,
};
static const char *const region_kinds[] = {
	"zone", "street", "town", "partner", NULL,
};

/* 1 when `sql` (?1 = text key) finds a row, 0 when not, -EIO. */
static int
exists(struct db *db, const char *sql, const char *key)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO, s;

	if (sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	s = sqlite3_step(st);
	rc = s == SQLITE_ROW ? 1 : s == SQLITE_DONE ? 0 : -EIO;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
valid_carrier(const struct db_carrier *c)
{
	return c && c->slug && c->name && c->region &&
	       one_of(c->kind, carrier_kinds) &&
	       one_of(c->level, carrier_levels);
}

/* Bind the carrier's fields ?2..?13 (?1 is the slug). */
static int
bind_carrier(sqlite3_stmt *st, const struct db_carrier *c)
{
	int e = 0;

	e |= sqlite3_bind_text(st, 1, c->slug, -1, SQLITE_TRANSIENT);
	e |= sqlite3_bind_text(st, 2, c->name, -1, SQLITE_TRANSIENT);
	e |= sqlite3_bind_text(st, 3, c->kind, -1, SQLITE_TRANSIENT);
	e |= sqlite3_bind_text(st, 4, c->level, -1, SQLITE_TRANSIENT);
	e |= sqlite3_bind_text(st, 5, c->region, -1, SQLITE_TRANSIENT);
	e |= db_bind_text_or_null(st, 6, c->name_en);
	e |= db_bind_text_or_null(st, 7, c->recognised_on);
	e |= db_bind_text_or_null(st, 8, c->address);
	if (c->has_geo) {
		e |= sqlite3_bind_double(st, 9, c->geo_lat);
		e |= sqlite3_bind_double(st, 10, c->geo_lon);
	} else {
		e |= sqlite3_bind_null(st, 9);
		e |= sqlite3_bind_null(st, 10);
	}
	e |= db_bind_text_or_null(st, 11, c->website);
	e |= db_bind_text_or_null(st, 12, c->contact);
	e |= db_bind_text_or_null(st, 13, c->retired_from);
	return e == SQLITE_OK ? 0 : -EIO;
}

/* ?5 names a district (not partner) region. */
#define DISTRICT_REGION "(SELECT id FROM region WHERE slug = ?5 AND" \
	" partner = 0)"

int
db_carrier_insert(struct db *db, const struct db_carrier *c)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (!valid_carrier(c))
		return -EINVAL;
	if (db_begin(db) != 0)
		return -EIO;
	rc = exists(db, "SELECT 1 FROM carrier WHERE slug = ?1", c->slug);
	if (rc != 0) {
		rc = rc > 0 ? -EEXIST : rc;
		goto out;
	}
	rc = exists(db, "SELECT 1 FROM region WHERE slug = ?1 AND partner = 0",
		    c->region);
	if (rc != 1) {
		rc = rc == 0 ? -EINVAL : rc;
		goto out;
	}
	rc = -EIO;
	if (sqlite3_prepare_v2(db->conn, "INSERT INTO carrier(slug, name, kind,"
	    " level, region_id, name_en, recognised_on, address, geo_lat,"
	    " geo_lon, website, contact, retired_from, annex_order) VALUES"
	    " (?1, ?2, ?3, ?4, " DISTRICT_REGION ", ?6, ?7, ?8, ?9, ?10, ?11,"
	    " ?12, ?13, (SELECT coalesce(max(annex_order), 0) + 1 FROM"
	    " carrier WHERE region_id = " DISTRICT_REGION "))", -1, &st,
	    NULL) != SQLITE_OK)
		goto out;
	if ((rc = bind_carrier(st, c)) != 0)
		goto out;
	rc = db_step_map(sqlite3_step(st));
out:
	sqlite3_finalize(st);
	return db_finish(db, rc);
}

int
db_carrier_update(struct db *db, const struct db_carrier *c)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (!valid_carrier(c))
		return -EINVAL;
	if (db_begin(db) != 0)
		return -EIO;
	rc = exists(db, "SELECT 1 FROM carrier WHERE slug = ?1", c->slug);
	if (rc != 1) {
		rc = rc == 0 ? -ENOENT : rc;
		goto out;
	}
	rc = exists(db, "SELECT 1 FROM region WHERE slug = ?1 AND partner = 0",
		    c->region);
	if (rc != 1) {
		rc = rc == 0 ? -EINVAL : rc;
		goto out;
	}
	rc = -EIO;
	/* A carrier moved to another region sorts after that region's
	 * carriers; one that stays keeps its place. */
	if (sqlite3_prepare_v2(db->conn, "UPDATE carrier SET name = ?2,"
	    " kind = ?3, level = ?4, annex_order = CASE WHEN region_id = "
	    DISTRICT_REGION " THEN annex_order ELSE (SELECT"
	    " coalesce(max(annex_order), 0) + 1 FROM carrier WHERE region_id ="
	    " " DISTRICT_REGION ") END, region_id = " DISTRICT_REGION ","
	    " name_en = ?6, recognised_on = ?7, address = ?8, geo_lat = ?9,"
	    " geo_lon = ?10, website = ?11, contact = ?12, retired_from = ?13"
	    " WHERE slug = ?1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	if ((rc = bind_carrier(st, c)) != 0)
		goto out;
	rc = db_step_map(sqlite3_step(st));
out:
	sqlite3_finalize(st);
	return db_finish(db, rc);
}

static int
valid_region(const struct db_region *r)
{
	return r && r->slug && r->name && r->name_en &&
	       one_of(r->kind, region_kinds) &&
	       !(r->has_targets && strcmp(r->kind, "partner") == 0);
}

static int
bind_region(sqlite3_stmt *st, const struct db_region *r)
{
	int e = 0;

	e |= sqlite3_bind_text(st, 1, r->slug, -1, SQLITE_TRANSIENT);
	e |= sqlite3_bind_text(st, 2, r->name, -1, SQLITE_TRANSIENT);
	e |= sqlite3_bind_text(st, 3, r->name_en, -1, SQLITE_TRANSIENT);
	e |= sqlite3_bind_text(st, 4, r->kind, -1, SQLITE_TRANSIENT);
	e |= sqlite3_bind_int(st, 5, strcmp(r->kind, "partner") == 0);
	if (r->has_targets) {
		e |= sqlite3_bind_double(st, 6, r->area_10k_m2);
		e |= sqlite3_bind_int64(st, 7, r->enterprises_and_teams);
		e |= sqlite3_bind_int64(st, 8, r->tech_enterprises);
	} else {
		e |= sqlite3_bind_null(st, 6);
		e |= sqlite3_bind_null(st, 7);
		e |= sqlite3_bind_null(st, 8);
	}
	if (r->target_year)
		e |= sqlite3_bind_int(st, 9, r->target_year);
	else
		e |= sqlite3_bind_null(st, 9);
	return e == SQLITE_OK ? 0 : -EIO;
}

int
db_region_insert(struct db *db, const struct db_region *r)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (!valid_region(r))
		return -EINVAL;
	if (db_begin(db) != 0)
		return -EIO;
	rc = exists(db, "SELECT 1 FROM region WHERE slug = ?1", r->slug);
	if (rc != 0) {
		rc = rc > 0 ? -EEXIST : rc;
		goto out;
	}
	rc = -EIO;
	if (sqlite3_prepare_v2(db->conn, "INSERT INTO region(slug, name,"
	    " name_en, kind, partner, area_10k_m2, enterprises_and_teams,"
	    " tech_enterprises, target_year) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	    " ?7, ?8, ?9)", -1, &st, NULL) != SQLITE_OK)
		goto out;
	if ((rc = bind_region(st, r)) != 0)
		goto out;
	rc = db_step_map(sqlite3_step(st));
out:
	sqlite3_finalize(st);
	return db_finish(db, rc);
}

int
db_region_update(struct db *db, const struct db_region *r)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (!valid_region(r))
		return -EINVAL;
	if (db_begin(db) != 0)
		return -EIO;
	rc = exists(db, "SELECT 1 FROM region WHERE slug = ?1", r->slug);
	if (rc != 1) {
		rc = rc == 0 ? -ENOENT : rc;
		goto out;
	}
	rc = -EIO;
	/* partner stays as it was: feed paths (/calendars/partners/ or
	 * /calendars/regions/) and carriers depend on it. */
	if (sqlite3_prepare_v2(db->conn, "UPDATE region SET name = ?2,"
	    " name_en = ?3, kind = ?4, area_10k_m2 = ?6,"
	    " enterprises_and_teams = ?7, tech_enterprises = ?8,"
	    " target_year = ?9 WHERE slug = ?1 AND partner = ?5", -1, &st,
	    NULL) != SQLITE_OK)
		goto out;
	if ((rc = bind_region(st, r)) != 0)
		goto out;
	rc = db_step_map(sqlite3_step(st));
	if (rc == 0 && sqlite3_changes(db->conn) != 1)
		rc = -EINVAL;
out:
	sqlite3_finalize(st);
	return db_finish(db, rc);
}

int
db_token_set_expiry(struct db *db, int64_t id, int64_t expires_utc)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn, "UPDATE token SET expires_utc = ?2"
	    " WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if (expires_utc)
		sqlite3_bind_int64(st, 2, expires_utc);
	else
		sqlite3_bind_null(st, 2);
	rc = db_step_map(sqlite3_step(st));
	if (rc == 0 && sqlite3_changes(db->conn) != 1)
		rc = -ENOENT;
out:
	sqlite3_finalize(st);
	return rc;
}

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

int
db_token_get(struct db *db, int64_t id, struct db_token *out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO, s, oom = 0;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db->conn, "SELECT t.id, t.role, c.slug,"
	    " t.label, t.created_utc, coalesce(t.revoked_utc, 0),"
	    " coalesce(t.expires_utc, 0) FROM token t LEFT JOIN carrier c"
	    " ON c.id = t.carrier_id WHERE t.id = ?1", -1, &st,
	    NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	s = sqlite3_step(st);
	if (s == SQLITE_DONE) {
		rc = -ENOENT;
		goto out;
	}
	if (s != SQLITE_ROW)
		goto out;
	out->id = sqlite3_column_int64(st, 0);
	out->role = db_col_strdup(st, 1, &oom);
	out->carrier = db_col_strdup(st, 2, &oom);
	out->label = db_col_strdup(st, 3, &oom);
	out->created_utc = sqlite3_column_int64(st, 4);
	out->revoked_utc = sqlite3_column_int64(st, 5);
	out->expires_utc = sqlite3_column_int64(st, 6);
	rc = 0;
	if (oom) {
		db_token_release(out);
		rc = -ENOMEM;
	}
out:
	sqlite3_finalize(st);
	return rc;
}
