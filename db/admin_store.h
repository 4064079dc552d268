/*
 * admin_store: what admins keep current (issue 9) — carriers, regions and
 * targets, token expiry — and the read side of the trails (audit rows,
 * event history). Part of the db module: errors and units as in db.h.
 *
 * None of these functions writes an audit row itself: the caller records
 * the change with db_audit_add() between db_tx_begin() and db_tx_end(), so
 * the change and its audit row commit together or not at all.
 */
#ifndef ROADSHOWD_ADMIN_STORE_H
#define ROADSHOWD_ADMIN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/*
 * Store a new carrier c (slug, name, kind, level, region slug required;
 * the other fields may be NULL / 0). It sorts after the region's existing
 * carriers. c is borrowed. Returns 0, -EEXIST (slug taken), -EINVAL
 * (missing field, unknown or partner region, kind or level not in the
 * list), -EIO.
 */
int db_carrier_insert(struct db *db, const struct db_carrier *c);

/*
 * Overwrite every field of the carrier c->slug but its slug (the slug is
 * fixed: feed URLs use it). c is borrowed. Returns 0, -ENOENT (no such
 * carrier), -EINVAL (as for db_carrier_insert), -EIO.
 */
int db_carrier_update(struct db *db, const struct db_carrier *c);

/*
 * Store a new region r (slug, name, name_en, kind; partner is derived from
 * kind "partner"; targets when r->has_targets, with r->target_year). The
 * annex columns stay empty: only the seed has a printed plan. Returns 0,
 * -EEXIST (slug taken), -EINVAL, -EIO.
 */
int db_region_insert(struct db *db, const struct db_region *r);

/*
 * Overwrite name, name_en, kind, targets and target year of region
 * r->slug; the annex's printed values are never changed. Returns 0,
 * -ENOENT, -EINVAL (e.g. kind moved across the partner boundary), -EIO.
 */
int db_region_update(struct db *db, const struct db_region *r);

/* Set token id's expiry (seconds UTC; 0: never). 0, -ENOENT, -EIO. */
int db_token_set_expiry(struct db *db, int64_t id, int64_t expires_utc);

/* Token id (revoked or not), without its digest. out is filled; release
 * with db_token_release(). 0, -ENOENT, -ENOMEM, -EIO. */
int db_token_get(struct db *db, int64_t id, struct db_token *out);
void db_token_release(struct db_token *t);

/* One row of the audit trail (see db_audit_add()). Strings owned. */
struct db_audit_row {
	int64_t id;
	int64_t at_utc;			/* seconds */
	char *actor;
	char *object_type;
	char *object_id;
	char *action;
	char *before_json;		/* NULL when none */
	char *after_json;		/* NULL when none */
};

/* Filters of db_audit_list(); NULL / 0 fields do not filter. */
struct db_audit_filter {
	const char *object_type;
	const char *object_id;
	const char *actor;
	int64_t before_id;		/* rows with id < before_id (paging) */
	int limit;			/* rows wanted, 1..1000 */
};

/* Audit rows matching f, newest first (id descending). Free with
 * db_audit_rows_free(). 0, -EINVAL (limit), -ENOMEM, -EIO. */
int db_audit_list(struct db *db, const struct db_audit_filter *f,
		  struct db_audit_row **out, size_t *n);
void db_audit_rows_free(struct db_audit_row *rows, size_t n);

/* One event_history row. Strings owned. */
struct db_history_row {
	int64_t id;
	int64_t event_id;
	char *uid;
	char *action;			/* create, update, delete */
	char *actor;
	int64_t at_utc;			/* seconds */
	char *before_json;		/* NULL for create */
	char *after_json;		/* NULL for delete */
};

/* The history of event_id (which may be deleted), oldest first; *n == 0
 * when it never existed. Free with db_history_rows_free(). */
int db_event_history_list(struct db *db, int64_t event_id,
			  struct db_history_row **out, size_t *n);
void db_history_rows_free(struct db_history_row *rows, size_t n);

#endif
