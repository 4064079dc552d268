/*
 * place_store: the places events happen in (place_store.c) — regions of
 * the district with their targets (table region; the annex's 合计 row in
 * annex_total) and partner regions outside it, and the incubation
 * carriers (table carrier), each in one district region.
 *
 * Errors and units as in db.h. The writes here record no audit row: the
 * caller adds one with db_audit_add() between db_tx_begin() and
 * db_tx_end(), so the change and its audit row commit together.
 */
#ifndef ROADSHOWD_PLACE_STORE_H
#define ROADSHOWD_PLACE_STORE_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* A region of the district, or a partner region outside it. */
struct db_region {
	int64_t id;
	char *slug;			/* e.g. "wanzhou-jingkaiqu" */
	char *name;			/* Chinese name from the annex */
	char *name_en;			/* English name */
	char *kind;			/* zone, street, town, partner */
	int partner;			/* 1 for a partner region */
	int has_targets;		/* 1 when targets are set */
	int annex_row;			/* 序号 in the annex, 0 if none */
	double area_10k_m2;		/* carrier floor area, 10^4 m^2 */
	int64_t enterprises_and_teams;	/* count */
	int64_t tech_enterprises;	/* count */
	int target_year;		/* year the targets are for; 0: none */
	int has_annex;			/* 1 when the annex printed targets */
	double annex_area_10k_m2;	/* the annex's printed plan, kept */
	int64_t annex_enterprises_and_teams; /* as printed */
	int64_t annex_tech_enterprises;	/* as printed */
};

/* An incubation carrier (孵化载体). */
struct db_carrier {
	int64_t id;
	char *slug;
	char *name;			/* Chinese name from the annex */
	char *kind;			/* maker_space, incubator, accelerator,
					 * platform */
	char *level;			/* national, municipal, district, none */
	char *region;			/* region slug */
	char *name_en;			/* English name or NULL */
	char *recognised_on;		/* YYYY-MM-DD the level was granted,
					 * or NULL */
	char *address;			/* NULL when none */
	int has_geo;			/* 1 when geo_lat/geo_lon are set */
	double geo_lat;			/* degrees, WGS 84 */
	double geo_lon;			/* degrees */
	char *website;			/* http(s) URL or NULL */
	char *contact;			/* NULL when none */
	char *retired_from;		/* YYYY-MM-DD (local) from which no
					 * event may start, or NULL */
};

/*
 * The regions, partner = -1 all, 0 district regions only, 1 partner
 * regions only; district regions first, each group by annex row (rows
 * without one last), then by id. On 0, *out is a new array of *n regions
 * (NULL when *n is 0) the caller frees with db_regions_free().
 * 0, -ENOMEM, -EIO.
 */
int db_regions_list(struct db *db, int partner, struct db_region **out,
		    size_t *n);
/* Release the n regions of r and free r. NULL is a no-op. */
void db_regions_free(struct db_region *r, size_t n);

/* The region slug (borrowed) into *out (zeroed first; release with
 * db_region_release()). 0, -EINVAL (slug NULL), -ENOENT, -ENOMEM, -EIO. */
int db_region_get(struct db *db, const char *slug, struct db_region *out);
/* Free the strings of r and zero it. NULL is a no-op. */
void db_region_release(struct db_region *r);

/*
 * The carriers of region (a slug, borrowed; NULL for every carrier), by
 * their region's annex row, then their order in it (the annex's, then
 * creation), then id. On 0, *out is a new array of *n carriers (NULL when
 * *n is 0) the caller frees with db_carriers_free(). 0, -ENOMEM, -EIO.
 */
int db_carriers_list(struct db *db, const char *region,
		     struct db_carrier **out, size_t *n);
/* Release the n carriers of c and free c. NULL is a no-op. */
void db_carriers_free(struct db_carrier *c, size_t n);

/* The carrier slug (borrowed) into *out (zeroed first; release with
 * db_carrier_release()). 0, -EINVAL (slug NULL), -ENOENT, -ENOMEM, -EIO. */
int db_carrier_get(struct db *db, const char *slug, struct db_carrier *out);
/* Free the strings of c and zero it. NULL is a no-op. */
void db_carrier_release(struct db_carrier *c);

/*
 * The annex's 合计 row as printed (it need not equal the column sums):
 * area in 10^4 m^2, enterprises and teams, tech enterprises.
 * 0, -ENOENT (not seeded), -EIO.
 */
int db_annex_totals(struct db *db, double *area_10k_m2,
		    int64_t *enterprises_and_teams, int64_t *tech_enterprises);

/*
 * Store a new carrier c (slug, name, kind, level, region slug required;
 * the other fields may be NULL / 0). It sorts after the region's existing
 * carriers. c is borrowed. Returns 0, -EEXIST (slug taken), -EINVAL
 * (missing field, unknown or partner region, kind or level not in the
 * lists of struct db_carrier), -EIO.
 */
int db_carrier_insert(struct db *db, const struct db_carrier *c);

/*
 * Overwrite every field of the carrier c->slug but its slug (the slug is
 * fixed: feed URLs use it); moved to another region, it sorts after that
 * region's carriers. c is borrowed. Returns 0, -ENOENT (no such carrier),
 * -EINVAL (as for db_carrier_insert()), -EIO.
 */
int db_carrier_update(struct db *db, const struct db_carrier *c);

/*
 * Store a new region r (slug, name, name_en, kind; partner is derived from
 * kind "partner"; targets when r->has_targets, with r->target_year, 0 for
 * none). The annex columns stay empty: only the seed has a printed plan.
 * r is borrowed. Returns 0, -EEXIST (slug taken), -EINVAL (missing field,
 * unknown kind, targets on a partner region), -EIO.
 */
int db_region_insert(struct db *db, const struct db_region *r);

/*
 * Overwrite name, name_en, kind, targets and target year of region
 * r->slug; the annex's printed values are never changed. r is borrowed.
 * Returns 0, -ENOENT, -EINVAL (as for db_region_insert(), or kind moved
 * across the partner boundary), -EIO.
 */
int db_region_update(struct db *db, const struct db_region *r);

#endif
