/*
 * seed.c: the annex of the district's plan as data (seed.h), and writing
 * it into a new database (migration 2, db_seed_apply()).
 */
#include <errno.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "db_internal.h"
#include "seed.h"

const struct db_seed_region db_seed_regions[] = {
	{ 1, "wanzhou-jingkaiqu", "万州经开区",
	  "Wanzhou Economic and Technological Development Zone", "zone",
	  2.6, 400, 300 },
	{ 2, "yudong-xinqu", "渝东新区", "Yudong New Area", "zone",
	  1.5, 300, 200 },
	{ 3, "baianba", "百安坝街道", "Bai'anba Subdistrict", "street",
	  1.3, 200, 15 },
	{ 4, "pailou", "牌楼街道", "Pailou Subdistrict", "street",
	  0.4, 50, 15 },
	{ 5, "longdu", "龙都街道", "Longdu Subdistrict", "street",
	  0.4, 50, 15 },
	{ 6, "shuanghekou", "双河口街道", "Shuanghekou Subdistrict", "street",
	  0.3, 50, 15 },
	{ 7, "gaosuntang", "高笋塘街道", "Gaosuntang Subdistrict", "street",
	  0.2, 50, 15 },
	{ 8, "jiuchi", "九池街道", "Jiuchi Subdistrict", "street",
	  0.3, 50, 15 },
	{ 9, "longju", "龙驹镇", "Longju Town", "town",
	  0.5, 50, 10 },
	/* Partner regions: 二、（七） "与达州市、开州区、云阳县、两江新区等地区合作" */
	{ 0, "dazhou", "达州市", "Dazhou City", "partner", 0, 0, 0 },
	{ 0, "kaizhou", "开州区", "Kaizhou District", "partner", 0, 0, 0 },
	{ 0, "yunyang", "云阳县", "Yunyang County", "partner", 0, 0, 0 },
	{ 0, "liangjiang-xinqu", "两江新区", "Liangjiang New Area", "partner",
	  0, 0, 0 },
};
const size_t db_seed_n_regions =
	sizeof(db_seed_regions) / sizeof(db_seed_regions[0]);

/*
 * 主要运营载体, in the annex's order. The annex gives no recognition levels,
 * so every carrier starts at level "none"; kinds follow each name
 * (众创空间/创客工场/空间站 -> maker_space, 孵化中心 -> incubator,
 * 创新中心/创新创业中心 -> platform).
 */
const struct db_seed_carrier db_seed_carriers[] = {
	{ "pinghu-maker-space", "平湖众创空间", "maker_space",
	  "wanzhou-jingkaiqu" },
	{ "sanxia-incubation-center", "万州三峡创业孵化中心", "incubator",
	  "wanzhou-jingkaiqu" },
	{ "huijie-maker-workshop", "汇杰创客工场", "maker_space",
	  "wanzhou-jingkaiqu" },
	{ "wanzhou-innovation-center", "万州科技创新中心", "platform",
	  "wanzhou-jingkaiqu" },
	{ "wanchuang-zhigu", "万创智谷·众创空间", "maker_space",
	  "wanzhou-jingkaiqu" },
	{ "zbj-digital-economy-center", "猪八戒数字经济创新中心", "platform",
	  "yudong-xinqu" },
	{ "juwanyou-space", "聚万优数创空间", "maker_space", "yudong-xinqu" },
	{ "tencent-cloud-talent-center", "腾讯云数字经济人才创新中心",
	  "platform", "yudong-xinqu" },
	{ "sanxia-tusstar", "三峡启迪众创空间", "maker_space", "yudong-xinqu" },
	{ "ctgu-electronics-maker-space", "重庆三峡学院电子系统集成众创空间",
	  "maker_space", "baianba" },
	{ "taiyangniao-maker-space", "太阳鸟众创空间", "maker_space",
	  "baianba" },
	{ "shennong-yichuang", "重庆三峡医药高等专科学校神农益创",
	  "maker_space", "baianba" },
	{ "sanxia-maker-station", "三峡创客驿站", "maker_space", "baianba" },
	{ "pinghu-yuyue-maker-space", "平湖鱼跃众创空间", "maker_space",
	  "baianba" },
	{ "shengyao-ant-station", "圣耀蚂蚁空间站", "maker_space", "pailou" },
	{ "sandu-incubation-center", "三都创业孵化中心", "incubator",
	  "pailou" },
	{ "lvye-maker-space", "重庆三峡职业学院绿叶众创空间", "maker_space",
	  "longdu" },
	{ "jinwan-liulian-center", "津万榴莲创新创业中心", "platform",
	  "longdu" },
	{ "tianyuan-maker-space", "三峡田缘众创空间", "maker_space",
	  "shuanghekou" },
	{ "e-wanzhou-maker-space", "E万州众创空间", "maker_space",
	  "gaosuntang" },
	{ "cqcit-sanchuang-space", "重庆信息技术职业学院三创空间",
	  "maker_space", "jiuchi" },
	{ "longteng-maker-space", "龙腾众创空间", "maker_space", "longju" },
};
const size_t db_seed_n_carriers =
	sizeof(db_seed_carriers) / sizeof(db_seed_carriers[0]);

/* 月月有路演，季季有活动，年年有大赛: a roadshow every month, an event every
 * quarter, a competition every year — the three default rules. */
const struct db_seed_rule db_seed_rules[] = {
	{ "monthly-roadshow", "月月有路演", "roadshow", "month", 1,
	  "district" },
	{ "quarterly-event", "季季有活动",
	  "salon,forum,training,seminar,exhibition", "quarter", 1,
	  "district" },
	{ "yearly-competition", "年年有大赛", "competition", "year", 1,
	  "district" },
};
const size_t db_seed_n_rules = sizeof(db_seed_rules) / sizeof(db_seed_rules[0]);

const double db_seed_total_area_10k_m2 = 7.5;
const int64_t db_seed_total_enterprises_and_teams = 1200;
const int64_t db_seed_total_tech_enterprises = 600;

/* ---- writing the seed (migration 2) ---- */

static int
seed_regions(struct db *db)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc = -EIO;

	if (db_prepare(db,
	    "INSERT INTO region(slug, name, name_en, kind, partner, annex_row,"
	    " area_10k_m2, enterprises_and_teams, tech_enterprises)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &st) != 0)
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

	if (db_prepare(db,
	    "INSERT INTO carrier(slug, name, kind, level, region_id,"
	    " annex_order) SELECT ?1, ?2, ?3, 'none', id, ?5"
	    " FROM region WHERE slug = ?4", &st) != 0)
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

	if (db_prepare(db,
	    "INSERT INTO cadence_rule(id, name, kinds, period, min_count, scope)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st) != 0)
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
	if (db_prepare(db,
	    "INSERT INTO annex_total(id, area_10k_m2, enterprises_and_teams,"
	    " tech_enterprises) VALUES (1, ?1, ?2, ?3)", &st) != 0)
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

int
db_seed_apply(struct db *db)
{
	int rc = seed_regions(db);

	if (rc == 0)
		rc = seed_carriers(db);
	if (rc == 0)
		rc = seed_rules_and_totals(db);
	return rc;
}
