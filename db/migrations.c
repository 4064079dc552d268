/*
 * migrations.c: the schema as numbered migrations, applied in order at
 * open; PRAGMA user_version holds the last one applied.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"
#include "seed.h"
#include <stdio.h>

/*
 * Migrations, numbered from 1 in array order; PRAGMA user_version holds
 * the last applied. Each runs in its own transaction. Append only: never
 * edit, reorder or remove one that has shipped (a database out there has
 * run it); add a new one at the end. Tests never hard-code the count:
 * they compare with db_schema_latest().
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
	/* 2: the annex seed, written by db_seed_apply() (seed.c). */
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
	/* 5: accounts (issue 8): people who log in to the console; an
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
	/* 6: admin data (issue 9): carriers' English name, recognition date,
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
	/* 7: RDATE (RFC 5545 §3.8.5.2): extra occurrence starts of an event,
	 * seconds UTC (issue 10) */
	"CREATE TABLE event_rdate("
	" event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,"
	" start_utc INTEGER NOT NULL,"
	" PRIMARY KEY (event_id, start_utc));",
	/* 8: the TZID an imported file gave when its VTIMEZONE matched no IANA
	 * zone: the times are stored as UTC instants, the name is kept for
	 * display (issue 10) */
	"ALTER TABLE event ADD COLUMN tzid_source TEXT;",
	/* 9 (dashboard): when each event was placed in its month (created,
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
	/* 10 (perf): cancelled events by their last change: the moments they
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

static int
apply_migration(struct db *db, int number)
{
	char pragma[64];
	int rc;

	if (db_begin(db) != 0)
		return db_condition_take(-EIO);
	if (number == 2) {
		rc = db_seed_apply(db);
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

	if (db_prepare(db, "PRAGMA user_version", &st) == 0 &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
db_migrate(struct db *db)
{
	int v = db_schema_version(db), rc;

	if (v < 0 || v > (int)N_MIGRATIONS)
		return -EIO;	/* newer than this binary: refuse */
	for (; v < (int)N_MIGRATIONS; v++)
		if ((rc = apply_migration(db, v + 1)) != 0)
			return rc;
	return 0;
}
