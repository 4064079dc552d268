/*
 * place_store.c: the places events happen in — regions (table region,
 * with the annex's 合计 row in annex_total) and incubation carriers
 * (table carrier): admins' writes, then the reads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

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

	if (db_prepare(db, sql, &st) != 0)
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
	if (db_prepare(db, "INSERT INTO carrier(slug, name, kind,"
	    " level, region_id, name_en, recognised_on, address, geo_lat,"
	    " geo_lon, website, contact, retired_from, annex_order) VALUES"
	    " (?1, ?2, ?3, ?4, " DISTRICT_REGION ", ?6, ?7, ?8, ?9, ?10, ?11,"
	    " ?12, ?13, (SELECT coalesce(max(annex_order), 0) + 1 FROM"
	    " carrier WHERE region_id = " DISTRICT_REGION "))", &st) != 0)
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
	if (db_prepare(db, "UPDATE carrier SET name = ?2,"
	    " kind = ?3, level = ?4, annex_order = CASE WHEN region_id = "
	    DISTRICT_REGION " THEN annex_order ELSE (SELECT"
	    " coalesce(max(annex_order), 0) + 1 FROM carrier WHERE region_id ="
	    " " DISTRICT_REGION ") END, region_id = " DISTRICT_REGION ","
	    " name_en = ?6, recognised_on = ?7, address = ?8, geo_lat = ?9,"
	    " geo_lon = ?10, website = ?11, contact = ?12, retired_from = ?13"
	    " WHERE slug = ?1", &st) != 0)
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
	if (db_prepare(db, "INSERT INTO region(slug, name,"
	    " name_en, kind, partner, area_10k_m2, enterprises_and_teams,"
	    " tech_enterprises, target_year) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	    " ?7, ?8, ?9)", &st) != 0)
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
	if (db_prepare(db, "UPDATE region SET name = ?2,"
	    " name_en = ?3, kind = ?4, area_10k_m2 = ?6,"
	    " enterprises_and_teams = ?7, tech_enterprises = ?8,"
	    " target_year = ?9 WHERE slug = ?1 AND partner = ?5", &st) != 0)
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

/* ---- reading regions ---- */

#define REGION_COLS "id, slug, name, name_en, kind, partner, annex_row," \
	" area_10k_m2, enterprises_and_teams, tech_enterprises," \
	" area_10k_m2 IS NOT NULL, coalesce(target_year, 0)," \
	" annex_area_10k_m2 IS NOT NULL, annex_area_10k_m2," \
	" annex_enterprises_and_teams, annex_tech_enterprises"

static int
region_row(sqlite3_stmt *st, void *elem)
{
	struct db_region *r = elem;
	int oom = 0;

	r->id = sqlite3_column_int64(st, 0);
	r->slug = db_col_strdup(st, 1, &oom);
	r->name = db_col_strdup(st, 2, &oom);
	r->name_en = db_col_strdup(st, 3, &oom);
	r->kind = db_col_strdup(st, 4, &oom);
	r->partner = sqlite3_column_int(st, 5);
	r->annex_row = sqlite3_column_int(st, 6);
	r->area_10k_m2 = sqlite3_column_double(st, 7);
	r->enterprises_and_teams = sqlite3_column_int64(st, 8);
	r->tech_enterprises = sqlite3_column_int64(st, 9);
	r->has_targets = sqlite3_column_int(st, 10);
	r->target_year = sqlite3_column_int(st, 11);
	r->has_annex = sqlite3_column_int(st, 12);
	r->annex_area_10k_m2 = sqlite3_column_double(st, 13);
	r->annex_enterprises_and_teams = sqlite3_column_int64(st, 14);
	r->annex_tech_enterprises = sqlite3_column_int64(st, 15);
	return oom ? -ENOMEM : 0;
}

void
db_region_release(struct db_region *r)
{
	if (!r)
		return;
	free(r->slug);
	free(r->name);
	free(r->name_en);
	free(r->kind);
	memset(r, 0, sizeof(*r));
}

static void
region_release(void *elem)
{
	db_region_release(elem);
}

static const struct db_row_type region_rows = {
	sizeof(struct db_region), region_row, region_release,
};

void
db_regions_free(struct db_region *r, size_t n)
{
	db_rows_free(&region_rows, r, n);
}

int
db_regions_list(struct db *db, int partner, struct db_region **out,
		size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if (db_prepare(db, "SELECT " REGION_COLS " FROM region"
	    " WHERE ?1 < 0 OR partner = ?1"
	    " ORDER BY partner, annex_row = 0, annex_row, id", &st) != 0)
		return -EIO;
	sqlite3_bind_int(st, 1, partner);
	return db_collect(st, &region_rows, (void **)out, n);
}

int
db_region_get(struct db *db, const char *slug, struct db_region *out)
{
	sqlite3_stmt *st;

	if (!slug)
		return -EINVAL;
	if (db_prepare(db, "SELECT " REGION_COLS " FROM region"
	    " WHERE slug = ?1", &st) != 0)
		return -EIO;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
	return db_fetch_one(st, &region_rows, out);
}

int
db_annex_totals(struct db *db, double *area_10k_m2,
		int64_t *enterprises_and_teams, int64_t *tech_enterprises)
{
	sqlite3_stmt *st;
	int rc = -EIO, s;

	if (db_prepare(db, "SELECT area_10k_m2, enterprises_and_teams,"
	    " tech_enterprises FROM annex_total", &st) != 0)
		return -EIO;
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*area_10k_m2 = sqlite3_column_double(st, 0);
		*enterprises_and_teams = sqlite3_column_int64(st, 1);
		*tech_enterprises = sqlite3_column_int64(st, 2);
		rc = 0;
	} else if (s == SQLITE_DONE) {
		rc = -ENOENT;
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- reading carriers ---- */

#define CARRIER_SQL "SELECT c.id, c.slug, c.name, c.kind, c.level, r.slug," \
	" c.name_en, c.recognised_on, c.address, c.geo_lat IS NOT NULL," \
	" c.geo_lat, c.geo_lon, c.website, c.contact, c.retired_from" \
	" FROM carrier c JOIN region r ON r.id = c.region_id"

static int
carrier_row(sqlite3_stmt *st, void *elem)
{
	struct db_carrier *c = elem;
	int oom = 0;

	c->id = sqlite3_column_int64(st, 0);
	c->slug = db_col_strdup(st, 1, &oom);
	c->name = db_col_strdup(st, 2, &oom);
	c->kind = db_col_strdup(st, 3, &oom);
	c->level = db_col_strdup(st, 4, &oom);
	c->region = db_col_strdup(st, 5, &oom);
	c->name_en = db_col_strdup(st, 6, &oom);
	c->recognised_on = db_col_strdup(st, 7, &oom);
	c->address = db_col_strdup(st, 8, &oom);
	c->has_geo = sqlite3_column_int(st, 9);
	c->geo_lat = sqlite3_column_double(st, 10);
	c->geo_lon = sqlite3_column_double(st, 11);
	c->website = db_col_strdup(st, 12, &oom);
	c->contact = db_col_strdup(st, 13, &oom);
	c->retired_from = db_col_strdup(st, 14, &oom);
	return oom ? -ENOMEM : 0;
}

void
db_carrier_release(struct db_carrier *c)
{
	if (!c)
		return;
	free(c->slug);
	free(c->name);
	free(c->kind);
	free(c->level);
	free(c->region);
	free(c->name_en);
	free(c->recognised_on);
	free(c->address);
	free(c->website);
	free(c->contact);
	free(c->retired_from);
	memset(c, 0, sizeof(*c));
}

static void
carrier_release(void *elem)
{
	db_carrier_release(elem);
}

static const struct db_row_type carrier_rows = {
	sizeof(struct db_carrier), carrier_row, carrier_release,
};

void
db_carriers_free(struct db_carrier *c, size_t n)
{
	db_rows_free(&carrier_rows, c, n);
}

int
db_carriers_list(struct db *db, const char *region, struct db_carrier **out,
		 size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	if (db_prepare(db, CARRIER_SQL " WHERE ?1 IS NULL OR r.slug = ?1"
	    " ORDER BY r.annex_row, c.annex_order, c.id", &st) != 0)
		return -EIO;
	db_bind_text_or_null(st, 1, region);
	return db_collect(st, &carrier_rows, (void **)out, n);
}

int
db_carrier_get(struct db *db, const char *slug, struct db_carrier *out)
{
	sqlite3_stmt *st;

	if (!slug)
		return -EINVAL;
	if (db_prepare(db, CARRIER_SQL " WHERE c.slug = ?1", &st) != 0)
		return -EIO;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
	return db_fetch_one(st, &carrier_rows, out);
}
