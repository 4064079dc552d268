/*
 * db.c: open, migrations, seed, regions, carriers, tokens, rules.
 * Events are in event_store.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"
#include "seed.h"

/*
 * Migrations, numbered from 1; PRAGMA user_version holds the last applied.
 * Each runs in its own transaction. Never edit one that has shipped: add a
 * new one.
 */
static const char *const migrations[] = {
	/* 1: schema */
	"CREATE TABLE region("
	" id INTEGER PRIMARY KEY,"
	" slug TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" name_en TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN"
	"  ('zone','street','town','partner')),"
	" partner INTEGER NOT NULL DEFAULT 0,"
	" annex_row INTEGER NOT NULL DEFAULT 0,"
	" area_10k_m2 REAL,"
	" enterprises_and_teams INTEGER,"
	" tech_enterprises INTEGER);"
	"CREATE TABLE annex_total("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" area_10k_m2 REAL NOT NULL,"
	" enterprises_and_teams INTEGER NOT NULL,"
	" tech_enterprises INTEGER NOT NULL);"
	"CREATE TABLE carrier("
	" id INTEGER PRIMARY KEY,"
	" slug TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN"
	"  ('maker_space','incubator','accelerator','platform')),"
	" level TEXT NOT NULL CHECK (level IN"
	"  ('national','municipal','district','none')),"
	" region_id INTEGER NOT NULL REFERENCES region(id),"
	" annex_order INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE event("
	" id INTEGER PRIMARY KEY,"
	" uid TEXT NOT NULL UNIQUE,"
	" kind TEXT NOT NULL,"
	" title TEXT NOT NULL,"
	" description TEXT,"
	" venue TEXT,"
	" all_day INTEGER NOT NULL DEFAULT 0,"
	" start_utc INTEGER NOT NULL,"
	" end_utc INTEGER NOT NULL,"
	" start_date TEXT,"
	" end_date TEXT,"
	" tzid TEXT NOT NULL,"
	" status TEXT NOT NULL CHECK (status IN"
	"  ('TENTATIVE','CONFIRMED','CANCELLED')),"
	" carrier_id INTEGER REFERENCES carrier(id),"
	" rrule TEXT,"
	" url TEXT,"
	" capacity INTEGER NOT NULL DEFAULT 0,"
	" sequence INTEGER NOT NULL DEFAULT 0,"
	" revision INTEGER NOT NULL DEFAULT 1,"
	" created_utc INTEGER NOT NULL,"
	" modified_utc INTEGER NOT NULL,"
	" CHECK (end_utc >= start_utc));"
	"CREATE INDEX event_start ON event(start_utc);"
	"CREATE INDEX event_carrier ON event(carrier_id);"
	"CREATE TABLE event_partner("
	" event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,"
	" region_id INTEGER NOT NULL REFERENCES region(id),"
	" PRIMARY KEY (event_id, region_id));"
	/* No foreign key: history outlives a hard delete. */
	"CREATE TABLE event_history("
	" id INTEGER PRIMARY KEY,"
	" event_id INTEGER NOT NULL,"
	" uid TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" actor TEXT NOT NULL,"
	" at_utc INTEGER NOT NULL,"
	" before_json TEXT,"
	" after_json TEXT);"
	"CREATE INDEX event_history_event ON event_history(event_id);"
	"CREATE TABLE token("
	" id INTEGER PRIMARY KEY,"
	" hash TEXT NOT NULL UNIQUE,"
	" role TEXT NOT NULL CHECK (role IN ('admin','organiser')),"
	" carrier_id INTEGER REFERENCES carrier(id),"
	" label TEXT,"
	" created_utc INTEGER NOT NULL,"
	" revoked_utc INTEGER,"
	" CHECK ((role = 'admin' AND carrier_id IS NULL) OR"
	"  (role = 'organiser' AND carrier_id IS NOT NULL)));"
	"CREATE TABLE cadence_rule("
	" id TEXT PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" kinds TEXT NOT NULL,"
	" period TEXT NOT NULL CHECK (period IN ('month','quarter','year')),"
	" min_count INTEGER NOT NULL CHECK (min_count >= 1),"
	" scope TEXT NOT NULL CHECK (scope IN"
	"  ('district','region','carrier','partner')),"
	" active_from TEXT,"
	" active_to TEXT);",
	/* 2: the annex seed is applied by seed_all() in code (see below). */
	NULL,
	/* 3: recurrence exceptions, GEO, private subscriptions, versioned
	 * cadence rules (a change closes one version and opens the next, so a
	 * past report keeps the rules that were active then). */
	"ALTER TABLE event ADD COLUMN geo_lat REAL;"
	"ALTER TABLE event ADD COLUMN geo_lon REAL;"
	"CREATE TABLE event_exdate("
	" event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,"
	" recurrence_utc INTEGER NOT NULL,"
	" PRIMARY KEY (event_id, recurrence_utc));"
	"CREATE TABLE event_override("
	" event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,"
	" recurrence_utc INTEGER NOT NULL,"
	" start_utc INTEGER NOT NULL,"
	" end_utc INTEGER NOT NULL,"
	" title TEXT,"
	" venue TEXT,"
	" description TEXT,"
	" status TEXT CHECK (status IS NULL OR status IN"
	"  ('TENTATIVE','CONFIRMED','CANCELLED')),"
	" CHECK (end_utc >= start_utc),"
	" PRIMARY KEY (event_id, recurrence_utc));"
	"CREATE TABLE subscription("
	" id INTEGER PRIMARY KEY,"
	" hash TEXT NOT NULL UNIQUE,"
	" label TEXT NOT NULL,"
	" kind TEXT,"
	" region TEXT,"
	" carrier TEXT,"
	" partner TEXT,"
	" created_utc INTEGER NOT NULL,"
	" revoked_utc INTEGER,"
	" last_fetch_utc INTEGER,"
	" last_user_agent TEXT,"
	" fetch_count INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE cadence_rule_version("
	" version INTEGER PRIMARY KEY,"
	" id TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" kinds TEXT NOT NULL,"
	" period TEXT NOT NULL CHECK (period IN ('month','quarter','year')),"
	" min_count INTEGER NOT NULL CHECK (min_count >= 1),"
	" scope TEXT NOT NULL CHECK (scope IN"
	"  ('district','region','carrier','partner')),"
	" active_from TEXT,"
	" active_to TEXT,"
	" actor TEXT NOT NULL DEFAULT 'seed',"
	" created_utc INTEGER NOT NULL DEFAULT 0,"
	" CHECK (active_to IS NULL OR active_from IS NULL OR"
	"  active_to > active_from));"
	"CREATE INDEX cadence_rule_version_id ON cadence_rule_version(id);"
	"INSERT INTO cadence_rule_version(id, name, kinds, period, min_count,"
	" scope, active_from, active_to) SELECT id, name, kinds, period,"
	" min_count, scope, active_from, active_to FROM cadence_rule"
	" ORDER BY rowid;"
	"DROP TABLE cadence_rule;",
	/* 4: audit trail of changes to everything but events (events keep
	 * event_history): carriers, regions, rules, accounts, tokens,
	 * subscriptions */
	"CREATE TABLE audit("
	" id INTEGER PRIMARY KEY,"
	" at_utc INTEGER NOT NULL,"
	" actor TEXT NOT NULL,"
	" object_type TEXT NOT NULL,"
	" object_id TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" before TEXT,"
	" after TEXT);"
	"CREATE INDEX audit_object ON audit(object_type, object_id);"
	"CREATE INDEX audit_actor ON audit(actor);",
	/* accounts (issue 8): people who log in to the console; an
	 * organiser holds one or more carriers; one-time invites and
	 * sessions store only the SHA-256 of their secret */
	"CREATE TABLE account("
	" id INTEGER PRIMARY KEY,"
	" username TEXT NOT NULL UNIQUE,"
	" role TEXT NOT NULL CHECK (role IN ('admin','organiser','viewer')),"
	" password_hash TEXT,"
	" disabled INTEGER NOT NULL DEFAULT 0,"
	" created_utc INTEGER NOT NULL,"
	" updated_utc INTEGER NOT NULL,"
	" last_login_utc INTEGER);"
	"CREATE TABLE account_carrier("
	" account_id INTEGER NOT NULL REFERENCES account(id)"
	"  ON DELETE CASCADE,"
	" carrier_id INTEGER NOT NULL REFERENCES carrier(id),"
	" PRIMARY KEY (account_id, carrier_id));"
	"CREATE TABLE account_invite("
	" id INTEGER PRIMARY KEY,"
	" hash TEXT NOT NULL UNIQUE,"
	" account_id INTEGER NOT NULL REFERENCES account(id)"
	"  ON DELETE CASCADE,"
	" created_utc INTEGER NOT NULL,"
	" expires_utc INTEGER NOT NULL,"
	" used_utc INTEGER);"
	"CREATE TABLE account_session("
	" id INTEGER PRIMARY KEY,"
	" hash TEXT NOT NULL UNIQUE,"
	" account_id INTEGER NOT NULL REFERENCES account(id)"
	"  ON DELETE CASCADE,"
	" csrf TEXT NOT NULL,"
	" created_utc INTEGER NOT NULL,"
	" last_seen_utc INTEGER NOT NULL);"
	"CREATE INDEX account_session_account ON account_session(account_id);",
	/* 5: admin data (issue 9): carriers' English name, recognition date,
	 * address, GEO, website, contact and retirement date; regions' target
	 * year and the annex's printed targets kept beside later changes;
	 * token expiry. */
	"ALTER TABLE carrier ADD COLUMN name_en TEXT;"
	"ALTER TABLE carrier ADD COLUMN recognised_on TEXT;"
	"ALTER TABLE carrier ADD COLUMN address TEXT;"
	"ALTER TABLE carrier ADD COLUMN geo_lat REAL;"
	"ALTER TABLE carrier ADD COLUMN geo_lon REAL;"
	"ALTER TABLE carrier ADD COLUMN website TEXT;"
	"ALTER TABLE carrier ADD COLUMN contact TEXT;"
	"ALTER TABLE carrier ADD COLUMN retired_from TEXT;"
	"ALTER TABLE region ADD COLUMN target_year INTEGER;"
	"ALTER TABLE region ADD COLUMN annex_area_10k_m2 REAL;"
	"ALTER TABLE region ADD COLUMN annex_enterprises_and_teams INTEGER;"
	"ALTER TABLE region ADD COLUMN annex_tech_enterprises INTEGER;"
	"UPDATE region SET target_year = 2025,"
	" annex_area_10k_m2 = area_10k_m2,"
	" annex_enterprises_and_teams = enterprises_and_teams,"
	" annex_tech_enterprises = tech_enterprises"
	" WHERE area_10k_m2 IS NOT NULL AND annex_row > 0;"
	"ALTER TABLE token ADD COLUMN expires_utc INTEGER;",
	/* RDATE (RFC 5545 §3.8.5.2): extra occurrence starts of an event,
	 * seconds UTC (issue 10) */
	"CREATE TABLE event_rdate("
	" event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,"
	" start_utc INTEGER NOT NULL,"
	" PRIMARY KEY (event_id, start_utc));",
	/* The TZID an imported file gave when its VTIMEZONE matched no IANA
	 * zone: the times are stored as UTC instants, the name is kept for
	 * display (issue 10) */
	"ALTER TABLE event ADD COLUMN tzid_source TEXT;",
	/* 5 (dashboard): when each event was placed in its month (created,
	 * or last moved to another local month, Asia/Shanghai = UTC+8 since
	 * 1991), so the report can tell backfilled records (补录) apart;
	 * NULL means its creation. And db_info: the database's creation
	 * (the default start of cadence tracking); a database that predates
	 * this takes its first event's creation, else the first start after
	 * the upgrade (db_created_utc()). */
	"ALTER TABLE event ADD COLUMN placed_utc INTEGER;"
	"CREATE TRIGGER event_placed AFTER UPDATE OF start_utc ON event"
	" WHEN strftime('%Y-%m', NEW.start_utc + 28800, 'unixepoch') <>"
	"  strftime('%Y-%m', OLD.start_utc + 28800, 'unixepoch')"
	" BEGIN UPDATE event SET placed_utc = NEW.modified_utc"
	"  WHERE id = NEW.id; END;"
	"CREATE TABLE db_info(key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
	"INSERT INTO db_info(key, value) SELECT 'created_utc',"
	" min(created_utc) FROM event HAVING count(*) > 0;",
	/* (perf) cancelled events by their last change: the moments they
	 * leave the public feeds are read after every write
	 * (db_feed_leaves()) without scanning every event */
	"CREATE INDEX event_cancelled ON event(modified_utc)"
	" WHERE status = 'CANCELLED';",
};
#define N_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

int
db_schema_latest(void)
{
	return (int)N_MIGRATIONS;
}

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

char *
db_col_strdup(sqlite3_stmt *st, int col, int *oom)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	char *s;

	if (!t)
		return NULL;
	s = strdup((const char *)t);
	if (!s)
		*oom = 1;
	return s;
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

int
db_collect(sqlite3_stmt *st, size_t size, db_row_fn from_row,
	   db_release_fn release, void **out, size_t *n)
{
	char *v = NULL, *nv;
	size_t len = 0, cap = 0, i;
	int rc = 0, s;

	*out = NULL;
	*n = 0;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * size);
			if (!nv) {
				rc = -ENOMEM;
				break;
			}
			v = nv;
		}
		memset(v + len * size, 0, size);
		if ((rc = from_row(st, v + len * size)) != 0)
			break;
		len++;
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = -EIO;
	sqlite3_finalize(st);
	if (rc != 0) {
		for (i = 0; i < len; i++)
			release(v + i * size);
		free(v);
		return rc;
	}
	*out = len ? v : NULL;
	if (!len)
		free(v);
	*n = len;
	return 0;
}

static int
seed_regions(struct db *db)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn,
	    "INSERT INTO region(slug, name, name_en, kind, partner, annex_row,"
	    " area_10k_m2, enterprises_and_teams, tech_enterprises)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &st,
	    NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < db_seed_n_regions; i++) {
		const struct db_seed_region *r = &db_seed_regions[i];
		int partner = strcmp(r->kind, "partner") == 0;

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, r->slug, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->name_en, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->kind, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, partner);
		sqlite3_bind_int(st, 6, r->annex_row);
		if (partner) {
			sqlite3_bind_null(st, 7);
			sqlite3_bind_null(st, 8);
			sqlite3_bind_null(st, 9);
		} else {
			sqlite3_bind_double(st, 7, r->area_10k_m2);
			sqlite3_bind_int64(st, 8, r->enterprises_and_teams);
			sqlite3_bind_int64(st, 9, r->tech_enterprises);
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
seed_carriers(struct db *db)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn,
	    "INSERT INTO carrier(slug, name, kind, level, region_id,"
	    " annex_order) SELECT ?1, ?2, ?3, 'none', id, ?5"
	    " FROM region WHERE slug = ?4", -1, &st, NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < db_seed_n_carriers; i++) {
		const struct db_seed_carrier *c = &db_seed_carriers[i];

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, c->slug, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, c->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, c->region, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, (int)i + 1);
		if (sqlite3_step(st) != SQLITE_DONE ||
		    sqlite3_changes(db->conn) != 1)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
seed_rules_and_totals(struct db *db)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn,
	    "INSERT INTO cadence_rule(id, name, kinds, period, min_count, scope)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &st, NULL) != SQLITE_OK)
		goto out;
	for (i = 0; i < db_seed_n_rules; i++) {
		const struct db_seed_rule *r = &db_seed_rules[i];

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->kinds, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->period, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, r->min_count);
		sqlite3_bind_text(st, 6, r->scope, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db->conn,
	    "INSERT INTO annex_total(id, area_10k_m2, enterprises_and_teams,"
	    " tech_enterprises) VALUES (1, ?1, ?2, ?3)", -1, &st,
	    NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_double(st, 1, db_seed_total_area_10k_m2);
	sqlite3_bind_int64(st, 2, db_seed_total_enterprises_and_teams);
	sqlite3_bind_int64(st, 3, db_seed_total_tech_enterprises);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
apply_migration(struct db *db, int number)
{
	char pragma[64];
	int rc;

	if (db_begin(db) != 0)
		return db_condition_take(-EIO);
	if (number == 2) {
		rc = seed_regions(db);
		if (rc == 0)
			rc = seed_carriers(db);
		if (rc == 0)
			rc = seed_rules_and_totals(db);
	} else {
		rc = db_exec(db, migrations[number - 1]);
	}
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", number);
	if (rc == 0)
		rc = db_exec(db, pragma);
	return db_finish(db, rc);
}

int
db_schema_version(struct db *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(db->conn, "PRAGMA user_version", -1, &st,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
quick_check(struct db *db)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn, "PRAGMA quick_check", -1, &st,
			       NULL) == SQLITE_OK &&
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
	int v, rc = -EIO;

	(void)now_utc;
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
	v = db_schema_version(db);
	if (v < 0 || v > (int)N_MIGRATIONS)
		goto fail;	/* newer than this binary: refuse */
	for (; v < (int)N_MIGRATIONS; v++)
		if ((rc = apply_migration(db, v + 1)) != 0)
			goto fail;
	*out = db;
	return 0;
fail:
	db_close(db);
	return rc == -ENOMEM ? -ENOMEM : -EIO;
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
	if (sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* ---- regions ---- */

#define REGION_COLS "id, slug, name, name_en, kind, partner, annex_row," \
	" area_10k_m2, enterprises_and_teams, tech_enterprises," \
	" area_10k_m2 IS NOT NULL, coalesce(target_year, 0)," \
	" annex_area_10k_m2 IS NOT NULL, annex_area_10k_m2," \
	" annex_enterprises_and_teams, annex_tech_enterprises"

static int
region_from_row(sqlite3_stmt *st, struct db_region *r)
{
	int oom = 0;

	memset(r, 0, sizeof(*r));
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
	if (oom) {
		db_region_release(r);
		return -ENOMEM;
	}
	return 0;
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

void
db_regions_free(struct db_region *r, size_t n)
{
	size_t i;

	for (i = 0; r && i < n; i++)
		db_region_release(&r[i]);
	free(r);
}

static int
region_row(sqlite3_stmt *st, void *elem)
{
	return region_from_row(st, elem);
}

static void
region_release(void *elem)
{
	db_region_release(elem);
}

int
db_regions_list(struct db *db, int partner, struct db_region **out,
		size_t *n)
{
	sqlite3_stmt *st = NULL;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db->conn, "SELECT " REGION_COLS " FROM region"
	    " WHERE ?1 < 0 OR partner = ?1"
	    " ORDER BY partner, annex_row = 0, annex_row, id", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int(st, 1, partner);
	return db_collect(st, sizeof(**out), region_row, region_release,
			  (void **)out, n);
}

int
db_region_get(struct db *db, const char *slug, struct db_region *out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO, s;

	if (!slug)
		return -EINVAL;
	if (sqlite3_prepare_v2(db->conn, "SELECT " REGION_COLS
	    " FROM region WHERE slug = ?1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		rc = region_from_row(st, out);
	else if (s == SQLITE_DONE)
		rc = -ENOENT;
out:
	sqlite3_finalize(st);
	return rc;
}

int
db_annex_totals(struct db *db, double *area_10k_m2,
		int64_t *enterprises_and_teams, int64_t *tech_enterprises)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO, s;

	if (sqlite3_prepare_v2(db->conn, "SELECT area_10k_m2,"
	    " enterprises_and_teams, tech_enterprises FROM annex_total",
	    -1, &st, NULL) != SQLITE_OK)
		goto out;
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*area_10k_m2 = sqlite3_column_double(st, 0);
		*enterprises_and_teams = sqlite3_column_int64(st, 1);
		*tech_enterprises = sqlite3_column_int64(st, 2);
		rc = 0;
	} else if (s == SQLITE_DONE) {
		rc = -ENOENT;
	}
out:
	sqlite3_finalize(st);
	return rc;
}

/* ---- carriers ---- */

#define CARRIER_SQL "SELECT c.id, c.slug, c.name, c.kind, c.level, r.slug," \
	" c.name_en, c.recognised_on, c.address, c.geo_lat IS NOT NULL," \
	" c.geo_lat, c.geo_lon, c.website, c.contact, c.retired_from" \
	" FROM carrier c JOIN region r ON r.id = c.region_id"

static int
carrier_from_row(sqlite3_stmt *st, struct db_carrier *c)
{
	int oom = 0;

	memset(c, 0, sizeof(*c));
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
	if (oom) {
		db_carrier_release(c);
		return -ENOMEM;
	}
	return 0;
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

void
db_carriers_free(struct db_carrier *c, size_t n)
{
	size_t i;

	for (i = 0; c && i < n; i++)
		db_carrier_release(&c[i]);
	free(c);
}

static int
carrier_row(sqlite3_stmt *st, void *elem)
{
	return carrier_from_row(st, elem);
}

static void
carrier_release(void *elem)
{
	db_carrier_release(elem);
}

int
db_carriers_list(struct db *db, const char *region, struct db_carrier **out,
		 size_t *n)
{
	sqlite3_stmt *st = NULL;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db->conn, CARRIER_SQL
	    " WHERE ?1 IS NULL OR r.slug = ?1"
	    " ORDER BY r.annex_row, c.annex_order, c.id", -1, &st,
	    NULL) != SQLITE_OK)
		return -EIO;
	db_bind_text_or_null(st, 1, region);
	return db_collect(st, sizeof(**out), carrier_row, carrier_release,
			  (void **)out, n);
}

int
db_carrier_get(struct db *db, const char *slug, struct db_carrier *out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO, s;

	if (!slug)
		return -EINVAL;
	if (sqlite3_prepare_v2(db->conn, CARRIER_SQL " WHERE c.slug = ?1", -1,
			       &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, slug, -1, SQLITE_TRANSIENT);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		rc = carrier_from_row(st, out);
	else if (s == SQLITE_DONE)
		rc = -ENOENT;
out:
	sqlite3_finalize(st);
	return rc;
}

/* ---- tokens ---- */

int
db_token_insert(struct db *db, const char *hash_hex, const char *role,
		const char *carrier, const char *label, int64_t now_utc,
		int64_t *id_out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (!hash_hex || !role)
		return -EINVAL;
	if (strcmp(role, "admin") == 0 ? carrier != NULL
	    : (strcmp(role, "organiser") != 0 || !carrier))
		return -EINVAL;
	if (db_begin(db) != 0)
		return db_condition_take(-EIO);
	if (carrier) {
		struct db_carrier c;

		rc = db_carrier_get(db, carrier, &c);
		if (rc == -ENOENT)
			rc = -EINVAL;
		if (rc != 0)
			goto out;
		db_carrier_release(&c);
		rc = -EIO;
	}
	if (sqlite3_prepare_v2(db->conn,
	    "INSERT INTO token(hash, role, carrier_id, label, created_utc)"
	    " VALUES (?1, ?2, (SELECT id FROM carrier WHERE slug = ?3), ?4, ?5)",
	    -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, hash_hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, role, -1, SQLITE_TRANSIENT);
	db_bind_text_or_null(st, 3, carrier);
	db_bind_text_or_null(st, 4, label);
	sqlite3_bind_int64(st, 5, now_utc);
	rc = db_step_map(sqlite3_step(st));
	if (rc == 0 && id_out)
		*id_out = sqlite3_last_insert_rowid(db->conn);
out:
	sqlite3_finalize(st);
	return db_finish(db, rc);
}

int
db_token_lookup(struct db *db, const char *hash_hex, char **role,
		char **carrier, int64_t *id_out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO, s, oom = 0;

	*role = NULL;
	*carrier = NULL;
	if (sqlite3_prepare_v2(db->conn,
	    "SELECT t.id, t.role, c.slug FROM token t"
	    " LEFT JOIN carrier c ON c.id = t.carrier_id"
	    " WHERE t.hash = ?1 AND t.revoked_utc IS NULL", -1, &st,
	    NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, hash_hex, -1, SQLITE_TRANSIENT);
	s = sqlite3_step(st);
	if (s == SQLITE_DONE) {
		rc = -ENOENT;
		goto out;
	}
	if (s != SQLITE_ROW)
		goto out;
	if (id_out)
		*id_out = sqlite3_column_int64(st, 0);
	*role = db_col_strdup(st, 1, &oom);
	*carrier = db_col_strdup(st, 2, &oom);
	rc = 0;
	if (oom) {
		free(*role);
		free(*carrier);
		*role = *carrier = NULL;
		rc = -ENOMEM;
	}
out:
	sqlite3_finalize(st);
	return rc;
}

static void
token_release(void *elem)
{
	struct db_token *t = elem;

	free(t->role);
	free(t->carrier);
	free(t->label);
	memset(t, 0, sizeof(*t));
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
	if (oom) {
		token_release(t);
		return -ENOMEM;
	}
	return 0;
}

void
db_tokens_free(struct db_token *t, size_t n)
{
	size_t i;

	for (i = 0; t && i < n; i++)
		token_release(&t[i]);
	free(t);
}

int
db_tokens_list(struct db *db, struct db_token **out, size_t *n)
{
	sqlite3_stmt *st = NULL;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db->conn, "SELECT t.id, t.role, c.slug,"
	    " t.label, t.created_utc, coalesce(t.revoked_utc, 0),"
	    " coalesce(t.expires_utc, 0) FROM token t"
	    " LEFT JOIN carrier c ON c.id = t.carrier_id ORDER BY t.id", -1,
	    &st, NULL) != SQLITE_OK)
		return -EIO;
	return db_collect(st, sizeof(**out), token_row, token_release,
			  (void **)out, n);
}

int
db_token_revoke(struct db *db, int64_t id, int64_t now_utc)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn, "UPDATE token SET revoked_utc = ?2"
	    " WHERE id = ?1 AND revoked_utc IS NULL", -1, &st,
	    NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, now_utc);
		rc = db_step_map(sqlite3_step(st));
		if (rc == 0 && sqlite3_changes(db->conn) != 1)
			rc = -ENOENT;
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- cadence rules ---- */

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

void
db_rules_free(struct db_rule *r, size_t n)
{
	size_t i;

	for (i = 0; r && i < n; i++)
		rule_release(&r[i]);
	free(r);
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
	if (oom) {
		rule_release(r);
		return -ENOMEM;
	}
	return 0;
}

int
db_rules_list(struct db *db, struct db_rule **out, size_t *n)
{
	sqlite3_stmt *st = NULL;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db->conn, "SELECT v.version, v.id, v.name,"
	    " v.kinds, v.period, v.min_count, v.scope, v.active_from,"
	    " v.active_to, v.actor, v.created_utc FROM cadence_rule_version v"
	    " ORDER BY (SELECT min(version) FROM cadence_rule_version f"
	    " WHERE f.id = v.id), v.version", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	return db_collect(st, sizeof(**out), rule_row, rule_release,
			  (void **)out, n);
}

static int
insert_rule_version(struct db *db, const char *id, const struct db_rule *r,
		    const char *active_from, const char *actor,
		    int64_t now_utc)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn, "INSERT INTO cadence_rule_version(id,"
	    " name, kinds, period, min_count, scope, active_from, active_to,"
	    " actor, created_utc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	    " ?10)", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, r->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->kinds, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->period, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 5, r->min_count);
	sqlite3_bind_text(st, 6, r->scope, -1, SQLITE_TRANSIENT);
	db_bind_text_or_null(st, 7, active_from);
	db_bind_text_or_null(st, 8, r->active_to);
	sqlite3_bind_text(st, 9, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 10, now_utc);
	rc = db_step_map(sqlite3_step(st));
out:
	sqlite3_finalize(st);
	return rc;
}

static int
valid_rule(const struct db_rule *r)
{
	return r && r->name && r->kinds && r->period && r->scope &&
	       r->min_count >= 1;
}

int
db_rule_create(struct db *db, const struct db_rule *r, const char *actor,
	       int64_t now_utc)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (!valid_rule(r) || !r->id || !actor)
		return -EINVAL;
	if (db_begin(db) != 0)
		return db_condition_take(-EIO);
	rc = -EIO;
	if (sqlite3_prepare_v2(db->conn, "SELECT 1 FROM cadence_rule_version"
	    " WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, r->id, -1, SQLITE_TRANSIENT);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		rc = -EEXIST;
		goto out;
	case SQLITE_DONE:
		break;
	default:
		goto out;
	}
	rc = insert_rule_version(db, r->id, r, r->active_from, actor, now_utc);
out:
	sqlite3_finalize(st);
	return db_finish(db, rc);
}

/* The live version of rule id: its row id and active_from (a new string
 * or NULL). 0 or -ENOENT. */
static int
live_version(struct db *db, const char *id, int64_t *version, char **from)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO, s, oom = 0;

	*from = NULL;
	if (sqlite3_prepare_v2(db->conn, "SELECT version, active_from FROM"
	    " cadence_rule_version WHERE id = ?1 AND active_to IS NULL"
	    " ORDER BY version DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	s = sqlite3_step(st);
	if (s == SQLITE_DONE) {
		rc = -ENOENT;
	} else if (s == SQLITE_ROW) {
		*version = sqlite3_column_int64(st, 0);
		*from = db_col_strdup(st, 1, &oom);
		rc = oom ? -ENOMEM : 0;
	}
out:
	sqlite3_finalize(st);
	return rc;
}

static int
exec_version(struct db *db, const char *sql, int64_t version,
	     const char *text)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, version);
		db_bind_text_or_null(st, 2, text);
		rc = db_step_map(sqlite3_step(st));
	}
	sqlite3_finalize(st);
	return rc;
}

static int
rewrite_version(struct db *db, int64_t version, const struct db_rule *r,
		const char *actor, int64_t now_utc)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn, "UPDATE cadence_rule_version SET"
	    " name = ?2, kinds = ?3, period = ?4, min_count = ?5, scope = ?6,"
	    " active_to = ?7, actor = ?8, created_utc = ?9 WHERE version = ?1",
	    -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, version);
		sqlite3_bind_text(st, 2, r->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, r->kinds, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, r->period, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 5, r->min_count);
		sqlite3_bind_text(st, 6, r->scope, -1, SQLITE_TRANSIENT);
		db_bind_text_or_null(st, 7, r->active_to);
		sqlite3_bind_text(st, 8, actor, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 9, now_utc);
		rc = db_step_map(sqlite3_step(st));
	}
	sqlite3_finalize(st);
	return rc;
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
	rc = exec_version(db, "UPDATE cadence_rule_version SET active_to = ?2"
			  " WHERE version = ?1", version, effective_from);
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
		rc = exec_version(db, "UPDATE cadence_rule_version SET"
				  " active_to = ?2 WHERE version = ?1",
				  version, active_to);
	free(from);
	return db_finish(db, rc);
}

/* ---- private feed subscriptions ---- */

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

void
db_subscriptions_free(struct db_subscription *s, size_t n)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		db_subscription_release(&s[i]);
	free(s);
}

#define SUB_COLS "id, label, kind, region, carrier, partner, created_utc," \
	" coalesce(revoked_utc, 0), coalesce(last_fetch_utc, 0)," \
	" last_user_agent, fetch_count"

static int
sub_from_row(sqlite3_stmt *st, struct db_subscription *s)
{
	int oom = 0;

	memset(s, 0, sizeof(*s));
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
	if (oom) {
		db_subscription_release(s);
		return -ENOMEM;
	}
	return 0;
}

int
db_subscription_insert(struct db *db, const char *hash_hex,
		       const struct db_subscription *s, int64_t now_utc,
		       int64_t *id_out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO, r;

	if (!hash_hex || !s || !s->label)
		return -EINVAL;
	if (sqlite3_prepare_v2(db->conn, "INSERT INTO subscription(hash,"
	    " label, kind, region, carrier, partner, created_utc) VALUES"
	    " (?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, hash_hex, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, s->label, -1, SQLITE_TRANSIENT);
	db_bind_text_or_null(st, 3, s->kind);
	db_bind_text_or_null(st, 4, s->region);
	db_bind_text_or_null(st, 5, s->carrier);
	db_bind_text_or_null(st, 6, s->partner);
	sqlite3_bind_int64(st, 7, now_utc);
	r = sqlite3_step(st);
	if (r == SQLITE_CONSTRAINT) {
		rc = -EEXIST;
		goto out;
	}
	rc = db_step_map(r);
	if (rc == 0 && id_out)
		*id_out = sqlite3_last_insert_rowid(db->conn);
out:
	sqlite3_finalize(st);
	return rc;
}

int
db_subscription_lookup(struct db *db, const char *hash_hex,
		       struct db_subscription *out)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO, s;

	if (sqlite3_prepare_v2(db->conn, "SELECT " SUB_COLS " FROM subscription"
	    " WHERE hash = ?1 AND revoked_utc IS NULL", -1, &st,
	    NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, hash_hex, -1, SQLITE_TRANSIENT);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		rc = sub_from_row(st, out);
	else if (s == SQLITE_DONE)
		rc = -ENOENT;
out:
	sqlite3_finalize(st);
	return rc;
}

int
db_subscription_touch(struct db *db, int64_t id, int64_t now_utc,
		      const char *user_agent)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn, "UPDATE subscription SET"
	    " last_fetch_utc = ?2, last_user_agent = substr(?3, 1, 256),"
	    " fetch_count = fetch_count + 1 WHERE id = ?1", -1, &st,
	    NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now_utc);
	db_bind_text_or_null(st, 3, user_agent);
	rc = db_step_map(sqlite3_step(st));
out:
	sqlite3_finalize(st);
	return rc;
}

int
db_subscription_revoke(struct db *db, int64_t id, int64_t now_utc)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db->conn, "UPDATE subscription SET"
	    " revoked_utc = ?2 WHERE id = ?1 AND revoked_utc IS NULL", -1, &st,
	    NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now_utc);
	rc = db_step_map(sqlite3_step(st));
	if (rc == 0 && sqlite3_changes(db->conn) != 1)
		rc = -ENOENT;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
sub_row(sqlite3_stmt *st, void *elem)
{
	return sub_from_row(st, elem);
}

static void
sub_release(void *elem)
{
	db_subscription_release(elem);
}

int
db_subscriptions_list(struct db *db, struct db_subscription **out, size_t *n)
{
	sqlite3_stmt *st = NULL;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db->conn, "SELECT " SUB_COLS " FROM subscription"
	    " ORDER BY id DESC", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	return db_collect(st, sizeof(**out), sub_row, sub_release,
			  (void **)out, n);
}
