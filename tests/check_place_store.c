/*
 * check_place_store: admin data in the db module — carriers and regions
 * written by admins (db/place_store.h), token expiry (db/token_store.h),
 * and the read side of the audit trail and event history
 * (db/audit_store.h, db/history_store.h) — against ":memory:" databases
 * opened through db_open(), so the real migrations and the annex seed run
 * for each test.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_util.h"
#include "db/db.h"

#define NOW	((int64_t)1740000000)	/* 2025-02-19T21:20:00Z */
#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static struct db *db;

static void
setup(void)
{
	db = NULL;
	ck_assert_int_eq(db_open(":memory:", NOW, &db), 0);
}

static void
teardown(void)
{
	db_close(db);
	db = NULL;
}

/* A new carrier in 龙驹镇 (longju), borrowed strings. */
static void
longju_carrier(struct db_carrier *c)
{
	memset(c, 0, sizeof(*c));
	c->slug = (char *)"longju-hub";
	c->name = (char *)"龙驹孵化器";
	c->kind = (char *)"incubator";
	c->level = (char *)"district";
	c->region = (char *)"longju";
	c->name_en = (char *)"Longju Incubator";
	c->recognised_on = (char *)"2024-05-01";
	c->has_geo = 1;
	c->geo_lat = 30.5;
	c->geo_lon = 108.25;
	c->website = (char *)"https://longju.example";
}

START_TEST(test_migration_keeps_annex_plan)
{
	struct db_region r;

	ck_assert_int_eq(db_schema_version(db), db_schema_latest());
	ck_assert_int_eq(db_region_get(db, "longju", &r), 0);
	ck_assert_int_eq(r.has_targets, 1);
	ck_assert_int_eq(r.has_annex, 1);
	ck_assert_int_eq(r.target_year, 2025);
	ck_assert(r.annex_area_10k_m2 == r.area_10k_m2);
	ck_assert_int_eq(r.annex_enterprises_and_teams,
			 r.enterprises_and_teams);
	ck_assert_int_eq(r.annex_tech_enterprises, r.tech_enterprises);
	db_region_release(&r);
	ck_assert_int_eq(db_region_get(db, "dazhou", &r), 0);
	ck_assert_int_eq(r.has_annex, 0);
	ck_assert_int_eq(r.target_year, 0);
	db_region_release(&r);
}
END_TEST

START_TEST(test_carrier_insert)
{
	struct db_carrier c, got, *list = NULL;
	size_t n = 0;

	longju_carrier(&c);
	ck_assert_int_eq(db_carrier_insert(db, &c), 0);
	ck_assert_int_eq(db_carrier_get(db, "longju-hub", &got), 0);
	ck_assert_str_eq(got.name, "龙驹孵化器");
	ck_assert_str_eq(got.name_en, "Longju Incubator");
	ck_assert_str_eq(got.kind, "incubator");
	ck_assert_str_eq(got.level, "district");
	ck_assert_str_eq(got.recognised_on, "2024-05-01");
	ck_assert_str_eq(got.region, "longju");
	ck_assert_int_eq(got.has_geo, 1);
	ck_assert(got.geo_lat == 30.5 && got.geo_lon == 108.25);
	ck_assert_str_eq(got.website, "https://longju.example");
	ck_assert_ptr_null(got.address);
	ck_assert_ptr_null(got.contact);
	ck_assert_ptr_null(got.retired_from);
	db_carrier_release(&got);
	/* listed after the annex's carrier of the same region */
	ck_assert_int_eq(db_carriers_list(db, "longju", &list, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(list[0].slug, "longteng-maker-space");
	ck_assert_str_eq(list[1].slug, "longju-hub");
	db_carriers_free(list, n);
	ck_assert_int_eq(db_count_rows(db, "carrier"), 23);
}
END_TEST

START_TEST(test_carrier_insert_rejects)
{
	struct db_carrier c;

	longju_carrier(&c);
	c.slug = (char *)"pinghu-maker-space";	/* the annex's */
	ck_assert_int_eq(db_carrier_insert(db, &c), -EEXIST);
	longju_carrier(&c);
	c.region = (char *)"nowhere";
	ck_assert_int_eq(db_carrier_insert(db, &c), -EINVAL);
	c.region = (char *)"dazhou";		/* a partner region */
	ck_assert_int_eq(db_carrier_insert(db, &c), -EINVAL);
	longju_carrier(&c);
	c.level = (char *)"provincial";
	ck_assert_int_eq(db_carrier_insert(db, &c), -EINVAL);
	longju_carrier(&c);
	c.kind = (char *)"park";
	ck_assert_int_eq(db_carrier_insert(db, &c), -EINVAL);
	longju_carrier(&c);
	c.name = NULL;
	ck_assert_int_eq(db_carrier_insert(db, &c), -EINVAL);
	ck_assert_int_eq(db_count_rows(db, "carrier"), 22);	/* nothing */
}
END_TEST

START_TEST(test_carrier_update)
{
	struct db_carrier c, got;

	longju_carrier(&c);
	ck_assert_int_eq(db_carrier_insert(db, &c), 0);
	c.level = (char *)"municipal";
	c.name = (char *)"龙驹科技孵化器";
	c.has_geo = 0;
	c.retired_from = (char *)"2026-01-01";
	c.region = (char *)"baianba";
	ck_assert_int_eq(db_carrier_update(db, &c), 0);
	ck_assert_int_eq(db_carrier_get(db, "longju-hub", &got), 0);
	ck_assert_str_eq(got.level, "municipal");
	ck_assert_str_eq(got.name, "龙驹科技孵化器");
	ck_assert_int_eq(got.has_geo, 0);
	ck_assert_str_eq(got.retired_from, "2026-01-01");
	ck_assert_str_eq(got.region, "baianba");
	db_carrier_release(&got);

	c.slug = (char *)"no-such-carrier";
	ck_assert_int_eq(db_carrier_update(db, &c), -ENOENT);
	c.slug = (char *)"longju-hub";
	c.level = (char *)"provincial";
	ck_assert_int_eq(db_carrier_update(db, &c), -EINVAL);
	c.level = (char *)"none";
	c.region = (char *)"kaizhou";		/* partner */
	ck_assert_int_eq(db_carrier_update(db, &c), -EINVAL);
	ck_assert_int_eq(db_carrier_get(db, "longju-hub", &got), 0);
	ck_assert_str_eq(got.level, "municipal");	/* unchanged */
	ck_assert_str_eq(got.region, "baianba");
	db_carrier_release(&got);
}
END_TEST

START_TEST(test_region_insert_update)
{
	struct db_region r, got;

	memset(&r, 0, sizeof(r));
	r.slug = (char *)"wuqiao";
	r.name = (char *)"五桥街道";
	r.name_en = (char *)"Wuqiao Street";
	r.kind = (char *)"street";
	r.has_targets = 1;
	r.area_10k_m2 = 1.5;
	r.enterprises_and_teams = 30;
	r.tech_enterprises = 6;
	r.target_year = 2026;
	ck_assert_int_eq(db_region_insert(db, &r), 0);
	ck_assert_int_eq(db_region_insert(db, &r), -EEXIST);
	ck_assert_int_eq(db_region_get(db, "wuqiao", &got), 0);
	ck_assert_int_eq(got.partner, 0);
	ck_assert_int_eq(got.has_annex, 0);	/* no printed plan */
	ck_assert_int_eq(got.target_year, 2026);
	ck_assert_int_eq(got.enterprises_and_teams, 30);
	db_region_release(&got);

	/* an annex region's targets change; the printed plan stays */
	ck_assert_int_eq(db_region_get(db, "longju", &got), 0);
	r = got;
	r.area_10k_m2 = 2.5;
	r.tech_enterprises = 12;
	ck_assert_int_eq(db_region_update(db, &r), 0);
	db_region_release(&got);
	ck_assert_int_eq(db_region_get(db, "longju", &got), 0);
	ck_assert(got.area_10k_m2 == 2.5);
	ck_assert_int_eq(got.tech_enterprises, 12);
	ck_assert(got.annex_area_10k_m2 == 0.5);
	ck_assert_int_eq(got.annex_tech_enterprises, 10);
	/* never across the partner boundary */
	r = got;
	r.kind = (char *)"partner";
	r.has_targets = 0;
	ck_assert_int_eq(db_region_update(db, &r), -EINVAL);
	db_region_release(&got);
	memset(&r, 0, sizeof(r));
	r.slug = (char *)"nowhere";
	r.name = r.name_en = (char *)"x";
	r.kind = (char *)"town";
	ck_assert_int_eq(db_region_update(db, &r), -ENOENT);
	r.kind = (char *)"village";
	ck_assert_int_eq(db_region_insert(db, &r), -EINVAL);
	ck_assert_int_eq(db_count_rows(db, "region"), 14);
}
END_TEST

START_TEST(test_token_expiry)
{
	struct db_token t, *list = NULL;
	int64_t id = 0;
	size_t n = 0;

	ck_assert_int_eq(db_token_insert(db, HASH_A, "admin", NULL, "ops", NOW,
					 &id), 0);
	ck_assert_int_eq(db_token_get(db, id, &t), 0);
	ck_assert_int_eq(t.expires_utc, 0);
	db_token_release(&t);
	ck_assert_int_eq(db_token_set_expiry(db, id, NOW + 3600), 0);
	ck_assert_int_eq(db_token_get(db, id, &t), 0);
	ck_assert_int_eq(t.expires_utc, NOW + 3600);
	ck_assert_str_eq(t.label, "ops");
	ck_assert_str_eq(t.role, "admin");
	db_token_release(&t);
	ck_assert_int_eq(db_tokens_list(db, &list, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(list[0].expires_utc, NOW + 3600);
	db_tokens_free(list, n);
	ck_assert_int_eq(db_token_set_expiry(db, id + 1, NOW), -ENOENT);
	ck_assert_int_eq(db_token_get(db, id + 1, &t), -ENOENT);
}
END_TEST

/* A change and its audit row commit together or not at all. */
START_TEST(test_change_and_audit_one_transaction)
{
	struct db_carrier c;

	longju_carrier(&c);
	ck_assert_int_eq(db_tx_begin(db), 0);
	ck_assert_int_eq(db_carrier_insert(db, &c), 0);
	ck_assert_int_eq(db_audit_add(db, NOW, NULL, "carrier", c.slug,
				      "create", NULL, "{}"), -EINVAL);
	ck_assert_int_eq(db_tx_end(db, -EINVAL), -EINVAL);
	ck_assert_int_eq(db_count_rows(db, "carrier"), 22);
	ck_assert_int_eq(db_count_rows(db, "audit"), 0);

	ck_assert_int_eq(db_tx_begin(db), 0);
	ck_assert_int_eq(db_carrier_insert(db, &c), 0);
	ck_assert_int_eq(db_audit_add(db, NOW, "admin:token-1", "carrier",
				      c.slug, "create", NULL, "{}"), 0);
	ck_assert_int_eq(db_tx_end(db, 0), 0);
	ck_assert_int_eq(db_count_rows(db, "carrier"), 23);
	ck_assert_int_eq(db_count_rows(db, "audit"), 1);
}
END_TEST

START_TEST(test_audit_list)
{
	struct db_audit_filter f;
	struct db_audit_row *rows = NULL;
	size_t n = 0;
	int i;

	for (i = 0; i < 5; i++)
		ck_assert_int_eq(db_audit_add(db, NOW + i, i % 2 ?
			"admin:token-2" : "admin:token-1", i < 3 ? "carrier" :
			"region", i < 3 ? "longju-hub" : "longju", "update",
			"{\"level\":\"none\"}", "{\"level\":\"district\"}"), 0);
	memset(&f, 0, sizeof(f));
	f.limit = 2;
	ck_assert_int_eq(db_audit_list(db, &f, &rows, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(rows[0].id, 5);	/* newest first */
	ck_assert_int_eq(rows[1].id, 4);
	ck_assert_int_eq(rows[0].at_utc, NOW + 4);
	ck_assert_str_eq(rows[0].before_json, "{\"level\":\"none\"}");
	ck_assert_str_eq(rows[0].after_json, "{\"level\":\"district\"}");
	f.before_id = rows[1].id;		/* next page */
	db_audit_rows_free(rows, n);
	ck_assert_int_eq(db_audit_list(db, &f, &rows, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(rows[0].id, 3);
	ck_assert_int_eq(rows[1].id, 2);
	db_audit_rows_free(rows, n);

	memset(&f, 0, sizeof(f));
	f.limit = 100;
	f.object_type = "carrier";
	f.actor = "admin:token-1";
	ck_assert_int_eq(db_audit_list(db, &f, &rows, &n), 0);
	ck_assert_uint_eq(n, 2);		/* rows 3 and 1 */
	ck_assert_int_eq(rows[0].id, 3);
	ck_assert_int_eq(rows[1].id, 1);
	ck_assert_str_eq(rows[1].object_id, "longju-hub");
	db_audit_rows_free(rows, n);
	f.object_type = NULL;
	f.actor = NULL;
	f.object_id = "longju";
	ck_assert_int_eq(db_audit_list(db, &f, &rows, &n), 0);
	ck_assert_uint_eq(n, 2);
	db_audit_rows_free(rows, n);

	f.limit = 0;
	ck_assert_int_eq(db_audit_list(db, &f, &rows, &n), -EINVAL);
	f.limit = 1001;
	ck_assert_int_eq(db_audit_list(db, &f, &rows, &n), -EINVAL);
}
END_TEST

START_TEST(test_event_history_list)
{
	struct db_event ev;
	struct db_history_row *h = NULL;
	int64_t id = 0;
	size_t n = 0;

	memset(&ev, 0, sizeof(ev));
	ev.uid = strdup("h1@roadshowd");
	ev.kind = strdup("salon");
	ev.title = strdup("沙龙");
	ev.tzid = strdup("Asia/Shanghai");
	ev.status = strdup("CONFIRMED");
	ev.carrier = strdup("pinghu-maker-space");
	ev.start_utc = NOW + 86400;
	ev.end_utc = NOW + 90000;
	ck_assert_int_eq(db_event_insert(db, &ev, "organiser:pinghu:token-2",
					 NOW, &id), 0);
	ev.id = id;
	free(ev.title);
	ev.title = strdup("创业沙龙");
	ev.sequence = 1;
	ck_assert_int_eq(db_event_update(db, &ev, 0, "admin:token-1", NOW + 1),
			 0);
	ck_assert_int_eq(db_event_delete(db, id, "admin:token-1", NOW + 2), 0);
	db_event_release(&ev);

	ck_assert_int_eq(db_event_history_list(db, id, &h, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(h[0].action, "create");
	ck_assert_str_eq(h[0].actor, "organiser:pinghu:token-2");
	ck_assert_ptr_null(h[0].before_json);
	ck_assert_ptr_nonnull(strstr(h[0].after_json, "\"title\":\"沙龙\""));
	ck_assert_str_eq(h[1].action, "update");
	ck_assert_int_eq(h[1].at_utc, NOW + 1);
	ck_assert_ptr_nonnull(strstr(h[1].before_json, "\"title\":\"沙龙\""));
	ck_assert_ptr_nonnull(strstr(h[1].after_json,
				     "\"title\":\"创业沙龙\""));
	ck_assert_str_eq(h[2].action, "delete");
	ck_assert_ptr_nonnull(h[2].before_json);
	ck_assert_ptr_null(h[2].after_json);
	ck_assert_str_eq(h[2].uid, "h1@roadshowd");
	db_history_rows_free(h, n);
	ck_assert_int_eq(db_event_history_list(db, id + 100, &h, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(h);
}
END_TEST

static Suite *
place_store_suite(void)
{
	Suite *s = suite_create("place_store");

	ck_add(s, "migration_keeps_annex_plan",
	       test_migration_keeps_annex_plan, setup, teardown);
	ck_add(s, "carrier_insert", test_carrier_insert, setup, teardown);
	ck_add(s, "carrier_insert_rejects", test_carrier_insert_rejects, setup,
	       teardown);
	ck_add(s, "carrier_update", test_carrier_update, setup, teardown);
	ck_add(s, "region_insert_update", test_region_insert_update, setup,
	       teardown);
	ck_add(s, "token_expiry", test_token_expiry, setup, teardown);
	ck_add(s, "change_and_audit_one_transaction",
	       test_change_and_audit_one_transaction, setup, teardown);
	ck_add(s, "audit_list", test_audit_list, setup, teardown);
	ck_add(s, "event_history_list", test_event_history_list, setup,
	       teardown);
	return s;
}

int
main(void)
{
	return ck_main(place_store_suite());
}
