/*
 * seed: the annex of 《万州区高质量孵化载体建设实施方案（2023—2025年）》
 * transcribed: its nine regions with their 2025 targets, the carriers each
 * row names, the 合计 row as printed, and the partner regions named in the
 * text (二、（七）). The source text (000_ffc6b0016a6a4bb8.txt) is not in
 * this repository; tests/e2e/test_seed.py checks the transcription against
 * it when a copy is found beside the checkout (../shared/seed/).
 *
 * Internal to db/: db_seed_apply() (db_internal.h, seed.c) writes these
 * rows into a new database as migration 2.
 */
#ifndef ROADSHOWD_SEED_H
#define ROADSHOWD_SEED_H

#include <stddef.h>
#include <stdint.h>

struct db_seed_region {
	int annex_row;			/* 序号; 0 for partner regions */
	const char *slug;
	const char *name;
	const char *name_en;
	const char *kind;		/* zone, street, town, partner */
	double area_10k_m2;		/* 建设载体面积（万平方米） */
	int64_t enterprises_and_teams;	/* 聚集企业和团队数量（个） */
	int64_t tech_enterprises;	/* 孵化科技型企业数量（个） */
};

struct db_seed_carrier {
	const char *slug;
	const char *name;
	const char *kind;		/* maker_space, incubator, ... */
	const char *region;		/* region slug */
};

struct db_seed_rule {
	const char *id;
	const char *name;
	const char *kinds;
	const char *period;
	int64_t min_count;
	const char *scope;
};

extern const struct db_seed_region db_seed_regions[];
extern const size_t db_seed_n_regions;
extern const struct db_seed_carrier db_seed_carriers[];
extern const size_t db_seed_n_carriers;
extern const struct db_seed_rule db_seed_rules[];
extern const size_t db_seed_n_rules;

/* The annex's 合计 row, as printed (it need not equal the column sums). */
extern const double db_seed_total_area_10k_m2;
extern const int64_t db_seed_total_enterprises_and_teams;
extern const int64_t db_seed_total_tech_enterprises;

#endif
