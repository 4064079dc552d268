/*
 * check_db: the db module (db/db.h) against a real SQLite database.
 *
 * Every fixture opens ":memory:" through db_open(), so the real migrations
 * and the annex seed run for each test. The clock is injected: NOW is the
 * time passed to every call.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "check_util.h"
#include "db/db.h"

#define NOW	((int64_t)1740000000)	/* 2025-02-19T21:20:00Z */
#define T0	((int64_t)1740760200)	/* 2025-02-28T16:30:00Z */
#define HOUR	((int64_t)3600)
#define DAY	((int64_t)86400)

/* Token digests: SHA-256 in hex, 64 characters. */
#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" \
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HASH_C "cccccccccccccccccccccccccccccccc" \
	"cccccccccccccccccccccccccccccccc"

static struct db *db;

static void
setup(void)
{
	db = NULL;
	ck_assert_int_eq(db_open(":memory:", NOW, &db), 0);
	ck_assert_ptr_nonnull(db);
}

static void
teardown(void)
{
	db_close(db);
	db = NULL;
}

static int64_t
count_rows(const char *table)
{
	return db_count_rows(db, table);
}

/* strdup that fails the test on OOM; NULL stays NULL. */
static char *
xstrdup(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	ck_assert_ptr_nonnull(d);
	return d;
}

/*
 * Fill ev (zeroed first) with heap copies, as db_event_release() expects:
 * a timed CONFIRMED event in Asia/Shanghai. carrier may be NULL.
 */
static void
ev_init(struct db_event *ev, const char *uid, const char *kind,
	const char *title, int64_t start, int64_t end, const char *carrier)
{
	memset(ev, 0, sizeof(*ev));
	ev->uid = xstrdup(uid);
	ev->kind = xstrdup(kind);
	ev->title = xstrdup(title);
	ev->start_utc = start;
	ev->end_utc = end;
	ev->tzid = xstrdup("Asia/Shanghai");
	ev->status = xstrdup("CONFIRMED");
	ev->carrier = xstrdup(carrier);
}

/* Replace ev's partner regions with the n slugs that follow. */
static void
ev_set_partners(struct db_event *ev, size_t n, ...)
{
	va_list ap;
	size_t i;

	for (i = 0; i < ev->n_partner_regions; i++)
		free(ev->partner_regions[i]);
	free(ev->partner_regions);
	ev->partner_regions = NULL;
	ev->n_partner_regions = 0;
	if (n == 0)
		return;
	ev->partner_regions = calloc(n, sizeof(char *));
	ck_assert_ptr_nonnull(ev->partner_regions);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		ev->partner_regions[i] = xstrdup(va_arg(ap, const char *));
	va_end(ap);
	ev->n_partner_regions = n;
}

static void
ev_set(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

/* Insert a plain event and return its id. */
static int64_t
insert_simple(const char *uid, const char *carrier)
{
	struct db_event ev;
	int64_t id = 0;

	ev_init(&ev, uid, "roadshow", "项目路演", T0, T0 + 2 * HOUR, carrier);
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	ck_assert_int_gt(id, 0);
	db_event_release(&ev);
	return id;
}

/* The full event of the round-trip tests. */
static void
ev_full(struct db_event *ev)
{
	ev_init(ev, "full-1@roadshowd", "roadshow", "平湖众创空间项目路演",
		T0, T0 + 2 * HOUR, "pinghu-maker-space");
	ev->description = xstrdup("第一期：智能制造与数字经济项目");
	ev->venue = xstrdup("平湖众创空间 2 楼路演厅");
	ev_set_partners(ev, 2, "dazhou", "kaizhou");
	ev->rrule = xstrdup("FREQ=MONTHLY;BYDAY=-1FR;COUNT=10");
	ev->url = xstrdup("https://example.org/roadshow/1");
	ev->capacity = 120;
}

/* ================================ seed ================================ */

START_TEST(test_seed_regions)
{
	struct db_region *r = NULL;
	size_t n = 0, i;
	static const char *const partners[] = {
		"dazhou", "kaizhou", "yunyang", "liangjiang-xinqu",
	};

	ck_assert_int_eq(count_rows("region"), 13);
	ck_assert_int_eq(db_regions_list(db, -1, &r, &n), 0);
	ck_assert_uint_eq(n, 13);
	db_regions_free(r, n);

	ck_assert_int_eq(db_regions_list(db, 0, &r, &n), 0);
	ck_assert_uint_eq(n, 9);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(r[i].partner, 0);
		ck_assert_int_eq(r[i].has_targets, 1);
		ck_assert_int_eq(r[i].annex_row, (int)i + 1);
	}
	ck_assert_str_eq(r[0].slug, "wanzhou-jingkaiqu");
	ck_assert_str_eq(r[8].slug, "longju");
	ck_assert_str_eq(r[8].kind, "town");
	db_regions_free(r, n);

	ck_assert_int_eq(db_regions_list(db, 1, &r, &n), 0);
	ck_assert_uint_eq(n, 4);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(r[i].slug, partners[i]);
		ck_assert_str_eq(r[i].kind, "partner");
		ck_assert_int_eq(r[i].partner, 1);
		ck_assert_int_eq(r[i].has_targets, 0);
		ck_assert_int_eq(r[i].annex_row, 0);
	}
	ck_assert_str_eq(r[0].name, "达州市");
	ck_assert_str_eq(r[3].name, "两江新区");
	db_regions_free(r, n);
}
END_TEST

START_TEST(test_seed_region_get)
{
	struct db_region r;

	ck_assert_int_eq(db_region_get(db, "wanzhou-jingkaiqu", &r), 0);
	ck_assert_str_eq(r.slug, "wanzhou-jingkaiqu");
	ck_assert_str_eq(r.name, "万州经开区");
	ck_assert_str_eq(r.name_en,
			 "Wanzhou Economic and Technological Development Zone");
	ck_assert_str_eq(r.kind, "zone");
	ck_assert_int_eq(r.partner, 0);
	ck_assert_int_eq(r.has_targets, 1);
	ck_assert_int_eq(r.annex_row, 1);
	ck_assert_double_eq_tol(r.area_10k_m2, 2.6, 1e-9);
	ck_assert_int_eq(r.enterprises_and_teams, 400);
	ck_assert_int_eq(r.tech_enterprises, 300);
	db_region_release(&r);

	ck_assert_int_eq(db_region_get(db, "kaizhou", &r), 0);
	ck_assert_str_eq(r.name, "开州区");
	ck_assert_int_eq(r.partner, 1);
	ck_assert_int_eq(r.has_targets, 0);
	db_region_release(&r);

	ck_assert_int_eq(db_region_get(db, "nowhere", &r), -ENOENT);
	ck_assert_int_eq(db_region_get(db, NULL, &r), -EINVAL);
}
END_TEST

START_TEST(test_seed_carriers)
{
	struct db_carrier *c = NULL, one;
	size_t n = 0;

	ck_assert_int_eq(count_rows("carrier"), 22);
	ck_assert_int_eq(db_carriers_list(db, NULL, &c, &n), 0);
	ck_assert_uint_eq(n, 22);
	ck_assert_str_eq(c[0].slug, "pinghu-maker-space");
	ck_assert_str_eq(c[0].region, "wanzhou-jingkaiqu");
	ck_assert_str_eq(c[21].slug, "longteng-maker-space");
	db_carriers_free(c, n);

	ck_assert_int_eq(db_carrier_get(db, "longteng-maker-space", &one), 0);
	ck_assert_str_eq(one.slug, "longteng-maker-space");
	ck_assert_str_eq(one.name, "龙腾众创空间");
	ck_assert_str_eq(one.kind, "maker_space");
	ck_assert_str_eq(one.level, "none");
	ck_assert_str_eq(one.region, "longju");
	db_carrier_release(&one);

	ck_assert_int_eq(db_carrier_get(db, "no-such-carrier", &one), -ENOENT);
}
END_TEST

START_TEST(test_seed_carriers_by_region)
{
	static const char *const want[] = {
		"ctgu-electronics-maker-space", "taiyangniao-maker-space",
		"shennong-yichuang", "sanxia-maker-station",
		"pinghu-yuyue-maker-space",
	};
	struct db_carrier *c = NULL;
	size_t n = 0, i;

	ck_assert_int_eq(db_carriers_list(db, "baianba", &c, &n), 0);
	ck_assert_uint_eq(n, 5);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(c[i].slug, want[i]);
		ck_assert_str_eq(c[i].region, "baianba");
	}
	ck_assert_str_eq(c[0].name, "重庆三峡学院电子系统集成众创空间");
	db_carriers_free(c, n);

	/* A partner region hosts no carrier; an unknown one gives none. */
	ck_assert_int_eq(db_carriers_list(db, "dazhou", &c, &n), 0);
	ck_assert_uint_eq(n, 0);
	db_carriers_free(c, n);
	ck_assert_int_eq(db_carriers_list(db, "nowhere", &c, &n), 0);
	ck_assert_uint_eq(n, 0);
	db_carriers_free(c, n);
}
END_TEST

START_TEST(test_seed_rules)
{
	struct db_rule *r = NULL;
	size_t n = 0;

	ck_assert_int_eq(count_rows("cadence_rule_version"), 3);
	ck_assert_int_eq(db_rules_list(db, &r, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(r[0].id, "monthly-roadshow");
	ck_assert_str_eq(r[1].id, "quarterly-event");
	ck_assert_str_eq(r[2].id, "yearly-competition");

	ck_assert_str_eq(r[0].name, "月月有路演");
	ck_assert_str_eq(r[0].kinds, "roadshow");
	ck_assert_str_eq(r[0].period, "month");
	ck_assert_int_eq(r[0].min_count, 1);
	ck_assert_str_eq(r[0].scope, "district");
	ck_assert_ptr_null(r[0].active_from);
	ck_assert_ptr_null(r[0].active_to);
	ck_assert_str_eq(r[1].kinds,
			 "salon,forum,training,seminar,exhibition");
	ck_assert_str_eq(r[1].period, "quarter");
	ck_assert_str_eq(r[2].kinds, "competition");
	ck_assert_str_eq(r[2].period, "year");
	db_rules_free(r, n);
}
END_TEST

START_TEST(test_seed_annex_totals)
{
	double area = 0;
	int64_t ent = 0, tech = 0;

	ck_assert_int_eq(count_rows("annex_total"), 1);
	ck_assert_int_eq(db_annex_totals(db, &area, &ent, &tech), 0);
	ck_assert_double_eq_tol(area, 7.5, 1e-9);
	ck_assert_int_eq(ent, 1200);
	ck_assert_int_eq(tech, 600);
}
END_TEST

/* An audit row lands whole; a row missing its actor is refused and
 * writes nothing. */
START_TEST(test_audit_add)
{
	ck_assert_int_eq(db_audit_add(db, 1740760200, "admin:token-1",
				      "carrier", "pinghu-maker-space",
				      "update", "{\"level\":\"none\"}",
				      "{\"level\":\"municipal\"}"), 0);
	ck_assert_int_eq(count_rows("audit"), 1);
	ck_assert_int_eq(db_audit_add(db, 1740760200, NULL, "carrier", "x",
				      "create", NULL, "{}"), -EINVAL);
	ck_assert_int_eq(count_rows("audit"), 1);
}
END_TEST

START_TEST(test_schema_version)
{
	ck_assert_int_eq(db_schema_version(db), db_schema_latest());
	ck_assert_int_eq(count_rows("event"), 0);
	ck_assert_int_eq(count_rows("event_history"), 0);
	ck_assert_int_eq(count_rows("token"), 0);
	ck_assert_int_eq(count_rows("no_such_table"), -1);
	ck_assert_int_eq(count_rows("event; DROP TABLE event"), -1);
}
END_TEST

/*
 * The annex's 合计 row against the column sums of its nine rows. Checked
 * against shared/seed/000_ffc6b0016a6a4bb8.txt: 2.6+1.5+1.3+0.4+0.4+0.3+
 * 0.2+0.3+0.5 = 7.5; 400+300+200+6*50 = 1200; 300+200+6*15+10 = 600.
 * All three agree with the printed row; the line printed below names any
 * column that does not, so a transcription change shows up in the log.
 */
START_TEST(test_annex_sums_vs_printed_totals)
{
	struct db_region *r = NULL;
	size_t n = 0, i;
	double area = 0, p_area = 0;
	int64_t ent = 0, tech = 0, p_ent = 0, p_tech = 0;

	ck_assert_int_eq(db_regions_list(db, 0, &r, &n), 0);
	ck_assert_uint_eq(n, 9);
	for (i = 0; i < n; i++) {
		area += r[i].area_10k_m2;
		ent += r[i].enterprises_and_teams;
		tech += r[i].tech_enterprises;
	}
	db_regions_free(r, n);
	ck_assert_int_eq(db_annex_totals(db, &p_area, &p_ent, &p_tech), 0);

	printf("annex 合计 vs column sums of the 9 district rows:"
	       " area %.1f vs printed %.1f (%s),"
	       " enterprises %lld vs printed %lld (%s),"
	       " tech %lld vs printed %lld (%s)\n",
	       area, p_area, area - p_area < 1e-9 && p_area - area < 1e-9 ?
	       "match" : "MISMATCH",
	       (long long)ent, (long long)p_ent,
	       ent == p_ent ? "match" : "MISMATCH",
	       (long long)tech, (long long)p_tech,
	       tech == p_tech ? "match" : "MISMATCH");
	fflush(stdout);

	ck_assert_double_eq_tol(area, 7.5, 1e-9);
	ck_assert_int_eq(ent, 1200);
	ck_assert_int_eq(tech, 600);
	ck_assert_double_eq_tol(area, p_area, 1e-9);
	ck_assert_int_eq(ent, p_ent);
	ck_assert_int_eq(tech, p_tech);
}
END_TEST

/* A file database is seeded once: reopening keeps 13 regions and the data. */
static char tmp_dir[64];
static char tmp_path[128];

static void
setup_file(void)
{
	strcpy(tmp_dir, "/tmp/check_db.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
	snprintf(tmp_path, sizeof(tmp_path), "%s/roadshowd.db", tmp_dir);
}

static void
teardown_file(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char p[160];
	size_t i;

	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", tmp_path, suffix[i]);
		unlink(p);
	}
	rmdir(tmp_dir);
}

START_TEST(test_seed_once)
{
	struct db *fdb = NULL;
	struct db_event ev, got;
	int64_t id = 0;

	ck_assert_int_eq(db_open(tmp_path, NOW, &fdb), 0);
	ck_assert_int_eq(db_count_rows(fdb, "region"), 13);
	ev_init(&ev, "once@roadshowd", "salon", "创业沙龙", T0, T0 + HOUR,
		"longteng-maker-space");
	ck_assert_int_eq(db_event_insert(fdb, &ev, "admin", NOW, &id), 0);
	db_event_release(&ev);
	db_close(fdb);
	fdb = NULL;

	ck_assert_int_eq(db_open(tmp_path, NOW + DAY, &fdb), 0);
	ck_assert_int_eq(db_schema_version(fdb), db_schema_latest());
	ck_assert_int_eq(db_count_rows(fdb, "region"), 13);
	ck_assert_int_eq(db_count_rows(fdb, "carrier"), 22);
	ck_assert_int_eq(db_count_rows(fdb, "cadence_rule_version"), 3);
	ck_assert_int_eq(db_count_rows(fdb, "annex_total"), 1);
	ck_assert_int_eq(db_count_rows(fdb, "event"), 1);
	ck_assert_int_eq(db_event_get(fdb, id, &got), 0);
	ck_assert_str_eq(got.uid, "once@roadshowd");
	ck_assert_str_eq(got.title, "创业沙龙");
	ck_assert_str_eq(got.region, "longju");
	ck_assert_int_eq(got.created_utc, NOW);
	db_event_release(&got);
	ck_assert_int_eq(db_event_history_count(fdb, id), 1);
	db_close(fdb);
}
END_TEST

/* =============================== events =============================== */

START_TEST(test_event_roundtrip)
{
	struct db_event ev, got;
	int64_t id = 0;

	ev_full(&ev);
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	ck_assert_int_eq(id, 1);
	ck_assert_int_eq(db_event_get(db, id, &got), 0);

	ck_assert_int_eq(got.id, id);
	ck_assert_str_eq(got.uid, "full-1@roadshowd");
	ck_assert_str_eq(got.kind, "roadshow");
	ck_assert_str_eq(got.title, "平湖众创空间项目路演");
	ck_assert_str_eq(got.description, "第一期：智能制造与数字经济项目");
	ck_assert_str_eq(got.venue, "平湖众创空间 2 楼路演厅");
	ck_assert_int_eq(got.all_day, 0);
	ck_assert_int_eq(got.start_utc, T0);
	ck_assert_int_eq(got.end_utc, T0 + 2 * HOUR);
	ck_assert_str_eq(got.start_date, "");
	ck_assert_str_eq(got.end_date, "");
	ck_assert_str_eq(got.tzid, "Asia/Shanghai");
	ck_assert_str_eq(got.status, "CONFIRMED");
	ck_assert_str_eq(got.carrier, "pinghu-maker-space");
	ck_assert_str_eq(got.carrier_name, "平湖众创空间");
	ck_assert_str_eq(got.region, "wanzhou-jingkaiqu");
	ck_assert_uint_eq(got.n_partner_regions, 2);
	ck_assert_str_eq(got.partner_regions[0], "dazhou");
	ck_assert_str_eq(got.partner_regions[1], "kaizhou");
	ck_assert_str_eq(got.rrule, "FREQ=MONTHLY;BYDAY=-1FR;COUNT=10");
	ck_assert_str_eq(got.url, "https://example.org/roadshow/1");
	ck_assert_int_eq(got.capacity, 120);
	ck_assert_int_eq(got.sequence, 0);
	ck_assert_int_eq(got.revision, 1);
	ck_assert_int_eq(got.created_utc, NOW);
	ck_assert_int_eq(got.modified_utc, NOW);

	ck_assert_int_eq(count_rows("event"), 1);
	ck_assert_int_eq(count_rows("event_partner"), 2);
	ck_assert_int_eq(count_rows("event_history"), 1);
	ck_assert_int_eq(db_event_history_count(db, id), 1);
	db_event_release(&got);
	db_event_release(&ev);
}
END_TEST

START_TEST(test_event_roundtrip_all_day)
{
	struct db_event ev, got;
	int64_t id = 0;

	/* 2025-03-01..2025-03-03 (exclusive), local midnights in UTC+8. */
	ev_init(&ev, "allday-1@roadshowd", "exhibition", "成果展览",
		1740758400, 1740931200, NULL);
	ev.all_day = 1;
	strcpy(ev.start_date, "2025-03-01");
	strcpy(ev.end_date, "2025-03-03");
	ev_set(&ev.status, "TENTATIVE");
	ck_assert_int_eq(db_event_insert(db, &ev, "organiser:1", NOW, &id), 0);
	ck_assert_int_eq(db_event_get(db, id, &got), 0);
	ck_assert_int_eq(got.all_day, 1);
	ck_assert_str_eq(got.start_date, "2025-03-01");
	ck_assert_str_eq(got.end_date, "2025-03-03");
	ck_assert_int_eq(got.start_utc, 1740758400);
	ck_assert_int_eq(got.end_utc, 1740931200);
	ck_assert_str_eq(got.status, "TENTATIVE");
	/* Hosted by the district: no carrier, no region, no partners. */
	ck_assert_ptr_null(got.carrier);
	ck_assert_ptr_null(got.carrier_name);
	ck_assert_ptr_null(got.region);
	ck_assert_ptr_null(got.description);
	ck_assert_ptr_null(got.venue);
	ck_assert_ptr_null(got.rrule);
	ck_assert_ptr_null(got.url);
	ck_assert_int_eq(got.capacity, 0);
	ck_assert_uint_eq(got.n_partner_regions, 0);
	ck_assert_ptr_null(got.partner_regions);
	db_event_release(&got);

	ck_assert_int_eq(db_event_get_by_uid(db, "allday-1@roadshowd", &got),
			 0);
	ck_assert_int_eq(got.id, id);
	db_event_release(&got);
	ck_assert_int_eq(db_event_get_by_uid(db, "nope@roadshowd", &got),
			 -ENOENT);
	ck_assert_int_eq(db_event_get(db, id + 1, &got), -ENOENT);
	db_event_release(&ev);
}
END_TEST

/* id, sequence, revision, times, carrier_name and region are the store's. */
START_TEST(test_event_insert_ignores_server_fields)
{
	struct db_event ev, got;
	int64_t id = 0;

	ev_init(&ev, "server-1@roadshowd", "salon", "创业沙龙", T0, T0 + HOUR,
		"taiyangniao-maker-space");
	ev.id = 99;
	ev.sequence = 5;
	ev.revision = 9;
	ev.created_utc = 1;
	ev.modified_utc = 2;
	ev.carrier_name = xstrdup("伪造");
	ev.region = xstrdup("longju");
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	ck_assert_int_eq(id, 1);
	ck_assert_int_eq(db_event_get(db, id, &got), 0);
	ck_assert_int_eq(got.sequence, 0);
	ck_assert_int_eq(got.revision, 1);
	ck_assert_int_eq(got.created_utc, NOW);
	ck_assert_int_eq(got.modified_utc, NOW);
	ck_assert_str_eq(got.carrier_name, "太阳鸟众创空间");
	ck_assert_str_eq(got.region, "baianba");
	db_event_release(&got);
	db_event_release(&ev);
}
END_TEST

START_TEST(test_insert_rejects_unknown_carrier)
{
	struct db_event ev;
	int64_t id = 0;

	ev_init(&ev, "e1@roadshowd", "roadshow", "路演", T0, T0 + HOUR,
		"no-such-carrier");
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), -EINVAL);
	ck_assert_int_eq(id, 0);
	ck_assert_int_eq(count_rows("event"), 0);	/* nothing written */
	ck_assert_int_eq(count_rows("event_partner"), 0);
	ck_assert_int_eq(count_rows("event_history"), 0);
	db_event_release(&ev);
}
END_TEST

START_TEST(test_insert_rejects_non_partner_region)
{
	struct db_event ev;
	int64_t id = 0;

	/* longju is a district region, not a partner region. */
	ev_init(&ev, "e1@roadshowd", "roadshow", "路演", T0, T0 + HOUR, NULL);
	ev_set_partners(&ev, 2, "dazhou", "longju");
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), -EINVAL);
	ck_assert_int_eq(count_rows("event"), 0);
	ck_assert_int_eq(count_rows("event_partner"), 0);
	ck_assert_int_eq(count_rows("event_history"), 0);

	ev_set_partners(&ev, 1, "atlantis");
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), -EINVAL);
	ck_assert_int_eq(count_rows("event"), 0);
	ck_assert_int_eq(count_rows("event_partner"), 0);
	ck_assert_int_eq(count_rows("event_history"), 0);

	/* The same event with valid partners (one listed twice) goes in. */
	ev_set_partners(&ev, 3, "yunyang", "dazhou", "yunyang");
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	ck_assert_int_eq(count_rows("event_partner"), 2);
	db_event_release(&ev);
}
END_TEST

START_TEST(test_insert_rejects_end_before_start)
{
	struct db_event ev;
	int64_t id = 0;

	ev_init(&ev, "e1@roadshowd", "roadshow", "路演", 1740760200,
		1740756600, NULL);
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), -EINVAL);
	ck_assert_int_eq(count_rows("event"), 0);	/* nothing written */
	ck_assert_int_eq(count_rows("event_history"), 0);
	db_event_release(&ev);
}
END_TEST

START_TEST(test_insert_rejects_missing_fields)
{
	struct db_event ev;
	int64_t id = 0;

	ev_init(&ev, "e1@roadshowd", "roadshow", "路演", T0, T0 + HOUR, NULL);
	ck_assert_int_eq(db_event_insert(db, &ev, NULL, NOW, &id), -EINVAL);
	ev_set(&ev.status, "POSTPONED");	/* not an RFC 5545 status */
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), -EINVAL);
	ev_set(&ev.status, "CONFIRMED");
	ev_set(&ev.title, NULL);
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), -EINVAL);
	ck_assert_int_eq(db_event_insert(db, NULL, "admin", NOW, &id), -EINVAL);
	ck_assert_int_eq(count_rows("event"), 0);
	ck_assert_int_eq(count_rows("event_history"), 0);
	db_event_release(&ev);
}
END_TEST

START_TEST(test_insert_rejects_duplicate_uid)
{
	struct db_event ev, got;
	int64_t id = 0, id2 = 0;

	ev_full(&ev);
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	ev_set(&ev.title, "另一个标题");
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW + 1, &id2),
			 -EEXIST);
	ck_assert_int_eq(id2, 0);
	ck_assert_int_eq(count_rows("event"), 1);
	ck_assert_int_eq(count_rows("event_partner"), 2);
	ck_assert_int_eq(count_rows("event_history"), 1);
	ck_assert_int_eq(db_event_get(db, id, &got), 0);
	ck_assert_str_eq(got.title, "平湖众创空间项目路演");
	db_event_release(&got);
	db_event_release(&ev);
}
END_TEST

START_TEST(test_update)
{
	struct db_event ev, got;
	int64_t id = 0;

	ev_full(&ev);
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	ev.id = id;
	ev_set(&ev.title, "平湖众创空间项目路演（改期）");
	ev_set(&ev.carrier, "sandu-incubation-center");
	ev_set(&ev.venue, NULL);
	ev_set(&ev.rrule, NULL);
	ev_set_partners(&ev, 1, "liangjiang-xinqu");
	ev.start_utc = T0 + DAY;
	ev.end_utc = T0 + DAY + 3 * HOUR;
	ev.capacity = 80;
	ev.sequence = 1;
	ck_assert_int_eq(db_event_update(db, &ev, 1, "organiser:7",
					 NOW + 60), 0);

	ck_assert_int_eq(db_event_get(db, id, &got), 0);
	ck_assert_str_eq(got.uid, "full-1@roadshowd");
	ck_assert_str_eq(got.title, "平湖众创空间项目路演（改期）");
	ck_assert_str_eq(got.carrier, "sandu-incubation-center");
	ck_assert_str_eq(got.region, "pailou");
	ck_assert_ptr_null(got.venue);
	ck_assert_ptr_null(got.rrule);
	ck_assert_str_eq(got.description, "第一期：智能制造与数字经济项目");
	ck_assert_uint_eq(got.n_partner_regions, 1);
	ck_assert_str_eq(got.partner_regions[0], "liangjiang-xinqu");
	ck_assert_int_eq(got.start_utc, T0 + DAY);
	ck_assert_int_eq(got.end_utc, T0 + DAY + 3 * HOUR);
	ck_assert_int_eq(got.capacity, 80);
	ck_assert_int_eq(got.sequence, 1);
	ck_assert_int_eq(got.revision, 2);
	ck_assert_int_eq(got.created_utc, NOW);
	ck_assert_int_eq(got.modified_utc, NOW + 60);
	db_event_release(&got);
	ck_assert_int_eq(db_event_history_count(db, id), 2);
	ck_assert_int_eq(count_rows("event_partner"), 1);

	/* if_revision 0 skips the check; the revision still grows. */
	ev_set(&ev.status, "CANCELLED");
	ck_assert_int_eq(db_event_update(db, &ev, 0, "admin", NOW + 120), 0);
	ck_assert_int_eq(db_event_get(db, id, &got), 0);
	ck_assert_str_eq(got.status, "CANCELLED");
	ck_assert_int_eq(got.revision, 3);
	db_event_release(&got);
	ck_assert_int_eq(db_event_history_count(db, id), 3);
	db_event_release(&ev);
}
END_TEST

START_TEST(test_update_stale_revision)
{
	struct db_event ev, got;
	int64_t id = 0;

	ev_full(&ev);
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	ev.id = id;
	ev_set(&ev.title, "不该写入");
	ck_assert_int_eq(db_event_update(db, &ev, 2, "admin", NOW + 60),
			 -ESTALE);
	ck_assert_int_eq(db_event_get(db, id, &got), 0);
	ck_assert_str_eq(got.title, "平湖众创空间项目路演");
	ck_assert_int_eq(got.revision, 1);
	ck_assert_int_eq(got.modified_utc, NOW);
	db_event_release(&got);
	ck_assert_int_eq(db_event_history_count(db, id), 1);
	db_event_release(&ev);
}
END_TEST

START_TEST(test_update_unknown_id)
{
	struct db_event ev;

	ev_full(&ev);
	ev.id = 42;
	ck_assert_int_eq(db_event_update(db, &ev, 0, "admin", NOW), -ENOENT);
	ck_assert_int_eq(count_rows("event"), 0);
	ck_assert_int_eq(count_rows("event_history"), 0);
	db_event_release(&ev);
}
END_TEST

START_TEST(test_update_rejects_uid_change)
{
	struct db_event ev, got;
	int64_t id = 0;

	ev_full(&ev);
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	ev.id = id;
	ev_set(&ev.uid, "other@roadshowd");
	ev_set(&ev.title, "不该写入");
	ck_assert_int_eq(db_event_update(db, &ev, 1, "admin", NOW + 60),
			 -EINVAL);
	ck_assert_int_eq(db_event_get(db, id, &got), 0);
	ck_assert_str_eq(got.uid, "full-1@roadshowd");
	ck_assert_str_eq(got.title, "平湖众创空间项目路演");
	ck_assert_int_eq(got.revision, 1);
	db_event_release(&got);
	ck_assert_int_eq(db_event_history_count(db, id), 1);
	db_event_release(&ev);
}
END_TEST

START_TEST(test_update_rejects_bad_refs)
{
	struct db_event ev, got;
	int64_t id = 0;

	ev_full(&ev);
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	ev.id = id;
	ev_set(&ev.title, "不该写入");
	ev_set_partners(&ev, 1, "longju");
	ck_assert_int_eq(db_event_update(db, &ev, 1, "admin", NOW + 60),
			 -EINVAL);
	ev_set_partners(&ev, 0);
	ev_set(&ev.carrier, "no-such-carrier");
	ck_assert_int_eq(db_event_update(db, &ev, 1, "admin", NOW + 60),
			 -EINVAL);
	ev_set(&ev.carrier, "pinghu-maker-space");
	ev.end_utc = ev.start_utc - 1;
	ck_assert_int_eq(db_event_update(db, &ev, 1, "admin", NOW + 60),
			 -EINVAL);

	ck_assert_int_eq(db_event_get(db, id, &got), 0);
	ck_assert_str_eq(got.title, "平湖众创空间项目路演");
	ck_assert_int_eq(got.revision, 1);
	ck_assert_uint_eq(got.n_partner_regions, 2);
	ck_assert_str_eq(got.partner_regions[0], "dazhou");
	ck_assert_str_eq(got.partner_regions[1], "kaizhou");
	db_event_release(&got);
	ck_assert_int_eq(count_rows("event_partner"), 2);
	ck_assert_int_eq(db_event_history_count(db, id), 1);
	db_event_release(&ev);
}
END_TEST

START_TEST(test_delete)
{
	struct db_event ev, got;
	int64_t id = 0;

	ev_full(&ev);
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	ck_assert_int_eq(db_event_delete(db, id, "admin", NOW + 60), 0);
	ck_assert_int_eq(db_event_get(db, id, &got), -ENOENT);
	ck_assert_int_eq(count_rows("event"), 0);
	ck_assert_int_eq(count_rows("event_partner"), 0);	/* cascade */
	ck_assert_int_eq(db_event_history_count(db, id), 2);	/* kept */

	ck_assert_int_eq(db_event_delete(db, id, "admin", NOW + 120),
			 -ENOENT);
	ck_assert_int_eq(db_event_delete(db, id, NULL, NOW + 120), -EINVAL);
	ck_assert_int_eq(db_event_history_count(db, id), 2);
	db_event_release(&ev);
}
END_TEST

/* A deleted event's id is not given to a new event: its history would
 * otherwise read as the new event's. */
START_TEST(test_delete_id_not_reused)
{
	int64_t a, b, c;

	a = insert_simple("a@roadshowd", NULL);
	b = insert_simple("b@roadshowd", NULL);
	ck_assert_int_eq(db_event_delete(db, b, "admin", NOW + 60), 0);
	c = insert_simple("c@roadshowd", NULL);
	ck_assert_int_ne(c, a);
	ck_assert_int_ne(c, b);
	ck_assert_int_gt(c, b);
	ck_assert_int_eq(db_event_history_count(db, b), 2);
	ck_assert_int_eq(db_event_history_count(db, c), 1);
}
END_TEST

/* ================================ list ================================ */

/*
 * Five events, inserted in id order l1..l5; start order l5 l3 l1 l2 l4.
 *   l1 roadshow     pinghu-maker-space (wanzhou-jingkaiqu)  CONFIRMED  T0
 *   l2 salon        taiyangniao-maker-space (baianba)       TENTATIVE  T0+1d
 *   l3 competition  district (no carrier)                   CONFIRMED  T0-10d
 *   l4 training     longteng-maker-space (longju)           CANCELLED  T0+2d
 *   l5 roadshow     sanxia-maker-station (baianba), series  CONFIRMED  T0-60d
 */
static void
setup_list(void)
{
	struct db_event ev;
	int64_t id = 0;

	setup();

	ev_init(&ev, "l1", "roadshow", "平湖众创空间项目路演", T0,
		T0 + 2 * HOUR, "pinghu-maker-space");
	ev_set_partners(&ev, 1, "dazhou");
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	ck_assert_int_eq(id, 1);
	db_event_release(&ev);

	ev_init(&ev, "l2", "salon", "创业沙龙", T0 + DAY, T0 + DAY + 3 * HOUR,
		"taiyangniao-maker-space");
	ev_set(&ev.status, "TENTATIVE");
	ev.venue = xstrdup("太阳鸟众创空间三楼");
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	ck_assert_int_eq(id, 2);
	db_event_release(&ev);

	ev_init(&ev, "l3", "competition", "“高新杯”众创大赛", T0 - 10 * DAY,
		T0 - 9 * DAY, NULL);
	ev_set_partners(&ev, 2, "kaizhou", "yunyang");
	ev.description = xstrdup("面向全区的创新创业大赛");
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	ck_assert_int_eq(id, 3);
	db_event_release(&ev);

	ev_init(&ev, "l4", "training", "创业培训", T0 + 2 * DAY,
		T0 + 2 * DAY + HOUR, "longteng-maker-space");
	ev_set(&ev.status, "CANCELLED");
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	ck_assert_int_eq(id, 4);
	db_event_release(&ev);

	ev_init(&ev, "l5", "roadshow", "月度路演", T0 - 60 * DAY,
		T0 - 60 * DAY + 2 * HOUR, "sanxia-maker-station");
	ev.rrule = xstrdup("FREQ=MONTHLY;COUNT=6");
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	ck_assert_int_eq(id, 5);
	db_event_release(&ev);
}

/* Run the list and compare its uids, comma-joined, with want. */
static void
expect_list(const struct db_event_filter *f, const char *want)
{
	struct db_event_list l = { NULL, 99 };
	char got[256] = "";
	size_t i;

	ck_assert_int_eq(db_event_list(db, f, &l), 0);
	for (i = 0; i < l.n; i++) {
		if (i)
			strcat(got, ",");
		ck_assert_uint_lt(strlen(got) + strlen(l.items[i].uid),
				  sizeof(got));
		strcat(got, l.items[i].uid);
	}
	db_event_list_free(&l);
	ck_assert_ptr_null(l.items);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_str_eq(got, want);
}

START_TEST(test_list_all)
{
	struct db_event_filter f = { 0 };
	struct db_event_list l;

	expect_list(&f, "l5,l3,l1,l2,l4");
	expect_list(NULL, "l5,l3,l1,l2,l4");

	/* Listed items carry every field, partners included. */
	ck_assert_int_eq(db_event_list(db, &f, &l), 0);
	ck_assert_uint_eq(l.n, 5);
	ck_assert_str_eq(l.items[1].uid, "l3");
	ck_assert_ptr_null(l.items[1].carrier);
	ck_assert_uint_eq(l.items[1].n_partner_regions, 2);
	ck_assert_str_eq(l.items[1].partner_regions[0], "kaizhou");
	ck_assert_str_eq(l.items[1].partner_regions[1], "yunyang");
	ck_assert_str_eq(l.items[0].rrule, "FREQ=MONTHLY;COUNT=6");
	ck_assert_str_eq(l.items[0].region, "baianba");
	db_event_list_free(&l);
}
END_TEST

START_TEST(test_list_window)
{
	struct db_event_filter f = { 0 };

	f.has_window = 1;
	/* l1 overlaps, l2 starts inside, l5 is a series begun before. */
	f.from_utc = T0 - HOUR;
	f.to_utc = T0 + DAY + HOUR;
	expect_list(&f, "l5,l1,l2");
	/* Bounds: end == from and start == to are outside. */
	f.from_utc = T0 + 2 * HOUR;
	f.to_utc = T0 + DAY;
	expect_list(&f, "l5");
	/* Before the series began: nothing. */
	f.from_utc = T0 - 100 * DAY;
	f.to_utc = T0 - 60 * DAY;
	expect_list(&f, "");
	/* The window applies only with has_window. */
	f.has_window = 0;
	expect_list(&f, "l5,l3,l1,l2,l4");
}
END_TEST

/* db.h: from_utc and to_utc are each "0: none". */
START_TEST(test_list_window_open_ended)
{
	struct db_event_filter f = { 0 };

	f.has_window = 1;
	f.from_utc = T0 + DAY;
	f.to_utc = 0;
	expect_list(&f, "l5,l2,l4");
	f.from_utc = 0;
	f.to_utc = T0;
	expect_list(&f, "l5,l3");
}
END_TEST

START_TEST(test_list_kind)
{
	struct db_event_filter f = { 0 };

	f.kind = "roadshow";
	expect_list(&f, "l5,l1");
	f.kind = "competition";
	expect_list(&f, "l3");
	f.kind = "forum";
	expect_list(&f, "");
}
END_TEST

START_TEST(test_list_region)
{
	struct db_event_filter f = { 0 };

	f.region = "baianba";
	expect_list(&f, "l5,l2");
	f.region = "wanzhou-jingkaiqu";
	expect_list(&f, "l1");
	f.region = "longju";
	expect_list(&f, "l4");
	f.region = "jiuchi";
	expect_list(&f, "");
	f.region = "baianba";
	f.kind = "roadshow";
	expect_list(&f, "l5");
}
END_TEST

START_TEST(test_list_carrier)
{
	struct db_event_filter f = { 0 };

	f.carrier = "-";
	expect_list(&f, "l3");
	f.carrier = "taiyangniao-maker-space";
	expect_list(&f, "l2");
	f.carrier = "sanxia-maker-station";
	expect_list(&f, "l5");
	f.carrier = "e-wanzhou-maker-space";
	expect_list(&f, "");
}
END_TEST

START_TEST(test_list_partner)
{
	struct db_event_filter f = { 0 };

	f.partner = "dazhou";
	expect_list(&f, "l1");
	f.partner = "kaizhou";
	expect_list(&f, "l3");
	f.partner = "yunyang";
	expect_list(&f, "l3");
	f.partner = "liangjiang-xinqu";
	expect_list(&f, "");
}
END_TEST

START_TEST(test_list_status)
{
	struct db_event_filter f = { 0 };

	f.status = "CANCELLED";
	expect_list(&f, "l4");
	f.status = "TENTATIVE";
	expect_list(&f, "l2");
	f.status = "CONFIRMED";
	expect_list(&f, "l5,l3,l1");
}
END_TEST

START_TEST(test_list_q)
{
	struct db_event_filter f = { 0 };

	f.q = "路演";
	expect_list(&f, "l5,l1");
	f.q = "高新杯";
	expect_list(&f, "l3");
	f.q = "三楼";		/* venue */
	expect_list(&f, "l2");
	f.q = "全区";		/* description */
	expect_list(&f, "l3");
	f.q = "沙龙路演";
	expect_list(&f, "");
	f.q = "";		/* empty: no filter */
	expect_list(&f, "l5,l3,l1,l2,l4");
}
END_TEST

START_TEST(test_list_exclude_tentative)
{
	struct db_event_filter f = { 0 };

	f.exclude_tentative = 1;
	expect_list(&f, "l5,l3,l1,l4");
}
END_TEST

START_TEST(test_list_cancelled_since)
{
	struct db_event_filter f = { 0 };

	f.cancelled_since = NOW;
	expect_list(&f, "l5,l3,l1,l2,l4");
	f.cancelled_since = NOW + 1;
	expect_list(&f, "l5,l3,l1,l2");
}
END_TEST

/* The (start_utc, id) cursor of event id. */
static void
cursor_of(int64_t id, struct db_event_filter *f)
{
	struct db_event ev;

	ck_assert_int_eq(db_event_get(db, id, &ev), 0);
	f->after_start_utc = ev.start_utc;
	f->after_id = id;
	db_event_release(&ev);
}

START_TEST(test_list_pagination)
{
	struct db_event_filter f = { 0 };

	f.limit = 2;
	expect_list(&f, "l5,l3");		/* by start, then id */
	cursor_of(3, &f);
	expect_list(&f, "l1,l2");
	cursor_of(2, &f);
	expect_list(&f, "l4");
	cursor_of(4, &f);
	expect_list(&f, "");
	/* Paging combines with filters. */
	cursor_of(5, &f);
	f.limit = 1;
	f.kind = "roadshow";
	expect_list(&f, "l1");
}
END_TEST

/* =============================== tokens =============================== */

START_TEST(test_token_admin)
{
	char *role = NULL, *carrier = NULL;
	int64_t id = 0, got_id = 0;

	ck_assert_int_eq(db_token_insert(db, HASH_A, "admin", NULL, "ops",
					 NOW, &id), 0);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq(db_token_lookup(db, HASH_A, &role, &carrier, &got_id),
			 0);
	ck_assert_str_eq(role, "admin");
	ck_assert_ptr_null(carrier);
	ck_assert_int_eq(got_id, id);
	free(role);
	free(carrier);
}
END_TEST

START_TEST(test_token_organiser)
{
	char *role = NULL, *carrier = NULL;
	int64_t id = 0, got_id = 0;

	ck_assert_int_eq(db_token_insert(db, HASH_B, "organiser",
					 "pinghu-maker-space", NULL, NOW, &id),
			 0);
	ck_assert_int_eq(db_token_lookup(db, HASH_B, &role, &carrier, &got_id),
			 0);
	ck_assert_str_eq(role, "organiser");
	ck_assert_str_eq(carrier, "pinghu-maker-space");
	ck_assert_int_eq(got_id, id);
	free(role);
	free(carrier);
	ck_assert_int_eq(count_rows("token"), 1);
}
END_TEST

START_TEST(test_token_rejects)
{
	int64_t id = 0;

	ck_assert_int_eq(db_token_insert(db, HASH_A, "organiser",
					 "no-such-carrier", NULL, NOW, &id),
			 -EINVAL);
	ck_assert_int_eq(db_token_insert(db, HASH_A, "admin",
					 "pinghu-maker-space", NULL, NOW, &id),
			 -EINVAL);
	ck_assert_int_eq(db_token_insert(db, HASH_A, "organiser", NULL, NULL,
					 NOW, &id), -EINVAL);
	ck_assert_int_eq(db_token_insert(db, HASH_A, "root", NULL, NULL, NOW,
					 &id), -EINVAL);
	ck_assert_int_eq(db_token_insert(db, NULL, "admin", NULL, NULL, NOW,
					 &id), -EINVAL);
	ck_assert_int_eq(id, 0);
	ck_assert_int_eq(count_rows("token"), 0);	/* nothing written */
}
END_TEST

START_TEST(test_token_lookup_unknown)
{
	char *role = NULL, *carrier = NULL;
	int64_t id = 0;

	ck_assert_int_eq(db_token_insert(db, HASH_A, "admin", NULL, NULL, NOW,
					 &id), 0);
	ck_assert_int_eq(db_token_lookup(db, HASH_C, &role, &carrier, &id),
			 -ENOENT);
	ck_assert_ptr_null(role);
	ck_assert_ptr_null(carrier);
}
END_TEST

/* ============================ copy and state ============================ */

START_TEST(test_event_copy)
{
	struct db_event ev, got, cp;
	int64_t id = 0;

	ev_full(&ev);
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);
	db_event_release(&ev);
	ck_assert_int_eq(db_event_get(db, id, &got), 0);
	memset(&cp, 0xa5, sizeof(cp));
	ck_assert_int_eq(db_event_copy(&cp, &got), 0);

	ck_assert_int_eq(cp.id, got.id);
	ck_assert_str_eq(cp.uid, got.uid);
	ck_assert_ptr_ne(cp.uid, got.uid);
	ck_assert_str_eq(cp.kind, got.kind);
	ck_assert_str_eq(cp.title, got.title);
	ck_assert_ptr_ne(cp.title, got.title);
	ck_assert_str_eq(cp.description, got.description);
	ck_assert_str_eq(cp.venue, got.venue);
	ck_assert_int_eq(cp.all_day, got.all_day);
	ck_assert_int_eq(cp.start_utc, got.start_utc);
	ck_assert_int_eq(cp.end_utc, got.end_utc);
	ck_assert_str_eq(cp.start_date, got.start_date);
	ck_assert_str_eq(cp.end_date, got.end_date);
	ck_assert_str_eq(cp.tzid, got.tzid);
	ck_assert_str_eq(cp.status, got.status);
	ck_assert_str_eq(cp.carrier, got.carrier);
	ck_assert_str_eq(cp.carrier_name, got.carrier_name);
	ck_assert_str_eq(cp.region, got.region);
	ck_assert_uint_eq(cp.n_partner_regions, 2);
	ck_assert_ptr_ne(cp.partner_regions, got.partner_regions);
	ck_assert_str_eq(cp.partner_regions[0], "dazhou");
	ck_assert_str_eq(cp.partner_regions[1], "kaizhou");
	ck_assert_ptr_ne(cp.partner_regions[0], got.partner_regions[0]);
	ck_assert_str_eq(cp.rrule, got.rrule);
	ck_assert_str_eq(cp.url, got.url);
	ck_assert_int_eq(cp.capacity, got.capacity);
	ck_assert_int_eq(cp.sequence, got.sequence);
	ck_assert_int_eq(cp.revision, got.revision);
	ck_assert_int_eq(cp.created_utc, got.created_utc);
	ck_assert_int_eq(cp.modified_utc, got.modified_utc);

	/* Independent: releasing the source leaves the copy intact. */
	db_event_release(&got);
	ck_assert_ptr_null(got.uid);
	ck_assert_str_eq(cp.title, "平湖众创空间项目路演");
	db_event_release(&cp);
	ck_assert_ptr_null(cp.partner_regions);
	ck_assert_uint_eq(cp.n_partner_regions, 0);
	db_event_release(NULL);

	/* NULL strings and no partners copy as NULL. */
	ev_init(&ev, "bare@roadshowd", "salon", "沙龙", T0, T0, NULL);
	ck_assert_int_eq(db_event_copy(&cp, &ev), 0);
	ck_assert_ptr_null(cp.carrier);
	ck_assert_ptr_null(cp.description);
	ck_assert_ptr_null(cp.partner_regions);
	ck_assert_str_eq(cp.uid, "bare@roadshowd");
	db_event_release(&cp);
	db_event_release(&ev);
}
END_TEST

START_TEST(test_event_state)
{
	int64_t max_mod = -1, changes = -1, id;
	struct db_event ev;

	ck_assert_int_eq(db_event_state(db, &max_mod, &changes), 0);
	ck_assert_int_eq(max_mod, 0);
	ck_assert_int_eq(changes, 0);

	id = insert_simple("s@roadshowd", "jinwan-liulian-center");
	ck_assert_int_eq(db_event_state(db, &max_mod, &changes), 0);
	ck_assert_int_eq(max_mod, NOW);
	ck_assert_int_eq(changes, 1);

	ck_assert_int_eq(db_event_get(db, id, &ev), 0);
	ck_assert_int_eq(db_event_update(db, &ev, ev.revision, "admin",
					 NOW + 60), 0);
	db_event_release(&ev);
	ck_assert_int_eq(db_event_state(db, &max_mod, &changes), 0);
	ck_assert_int_eq(max_mod, NOW + 60);
	ck_assert_int_eq(changes, 2);

	/* A delete changes the state even though modified_utc falls. */
	ck_assert_int_eq(db_event_delete(db, id, "admin", NOW + 120), 0);
	ck_assert_int_eq(db_event_state(db, &max_mod, &changes), 0);
	ck_assert_int_eq(max_mod, 0);
	ck_assert_int_eq(changes, 3);

	/* A rejected write leaves it alone. */
	ck_assert_int_eq(db_event_delete(db, id, "admin", NOW + 180), -ENOENT);
	ck_assert_int_eq(db_event_state(db, &max_mod, &changes), 0);
	ck_assert_int_eq(changes, 3);
}
END_TEST

/* ================================ suite ================================ */

static Suite *
db_suite(void)
{
	Suite *s = suite_create("db");

	ck_add(s, "seed_regions", test_seed_regions, setup, teardown);
	ck_add(s, "seed_region_get", test_seed_region_get, setup, teardown);
	ck_add(s, "seed_carriers", test_seed_carriers, setup, teardown);
	ck_add(s, "seed_carriers_by_region", test_seed_carriers_by_region,
	       setup, teardown);
	ck_add(s, "seed_rules", test_seed_rules, setup, teardown);
	ck_add(s, "seed_annex_totals", test_seed_annex_totals, setup,
	       teardown);
	ck_add(s, "schema_version", test_schema_version, setup, teardown);
	ck_add(s, "audit_add", test_audit_add, setup, teardown);
	ck_add(s, "annex_sums_vs_printed_totals",
	       test_annex_sums_vs_printed_totals, setup, teardown);
	ck_add(s, "seed_once", test_seed_once, setup_file, teardown_file);

	ck_add(s, "event_roundtrip", test_event_roundtrip, setup, teardown);
	ck_add(s, "event_roundtrip_all_day", test_event_roundtrip_all_day,
	       setup, teardown);
	ck_add(s, "event_insert_ignores_server_fields",
	       test_event_insert_ignores_server_fields, setup, teardown);
	ck_add(s, "insert_rejects_unknown_carrier",
	       test_insert_rejects_unknown_carrier, setup, teardown);
	ck_add(s, "insert_rejects_non_partner_region",
	       test_insert_rejects_non_partner_region, setup, teardown);
	ck_add(s, "insert_rejects_end_before_start",
	       test_insert_rejects_end_before_start, setup, teardown);
	ck_add(s, "insert_rejects_missing_fields",
	       test_insert_rejects_missing_fields, setup, teardown);
	ck_add(s, "insert_rejects_duplicate_uid",
	       test_insert_rejects_duplicate_uid, setup, teardown);
	ck_add(s, "update", test_update, setup, teardown);
	ck_add(s, "update_stale_revision", test_update_stale_revision, setup,
	       teardown);
	ck_add(s, "update_unknown_id", test_update_unknown_id, setup,
	       teardown);
	ck_add(s, "update_rejects_uid_change", test_update_rejects_uid_change,
	       setup, teardown);
	ck_add(s, "update_rejects_bad_refs", test_update_rejects_bad_refs,
	       setup, teardown);
	ck_add(s, "delete", test_delete, setup, teardown);
	ck_add(s, "delete_id_not_reused", test_delete_id_not_reused, setup,
	       teardown);

	ck_add(s, "list_all", test_list_all, setup_list, teardown);
	ck_add(s, "list_window", test_list_window, setup_list, teardown);
	ck_add(s, "list_window_open_ended", test_list_window_open_ended,
	       setup_list, teardown);
	ck_add(s, "list_kind", test_list_kind, setup_list, teardown);
	ck_add(s, "list_region", test_list_region, setup_list, teardown);
	ck_add(s, "list_carrier", test_list_carrier, setup_list, teardown);
	ck_add(s, "list_partner", test_list_partner, setup_list, teardown);
	ck_add(s, "list_status", test_list_status, setup_list, teardown);
	ck_add(s, "list_q", test_list_q, setup_list, teardown);
	ck_add(s, "list_exclude_tentative", test_list_exclude_tentative,
	       setup_list, teardown);
	ck_add(s, "list_cancelled_since", test_list_cancelled_since,
	       setup_list, teardown);
	ck_add(s, "list_pagination", test_list_pagination, setup_list,
	       teardown);

	ck_add(s, "token_admin", test_token_admin, setup, teardown);
	ck_add(s, "token_organiser", test_token_organiser, setup, teardown);
	ck_add(s, "token_rejects", test_token_rejects, setup, teardown);
	ck_add(s, "token_lookup_unknown", test_token_lookup_unknown, setup,
	       teardown);

	ck_add(s, "event_copy", test_event_copy, setup, teardown);
	ck_add(s, "event_state", test_event_state, setup, teardown);
	return s;
}

int
main(void)
{
	return ck_main(db_suite());
}
