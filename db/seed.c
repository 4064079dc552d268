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

/* 月月有路演，季季有活动，年年有大赛 — DESIGN.md's three default rules. */
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
