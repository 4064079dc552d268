/*
 * rule_store: cadence rules (table cadence_rule_version). A rule asks for
 * at least min_count events of some kinds per period (month, quarter,
 * year) in a scope (the district, each region, each carrier, the partner
 * regions). Rules are versioned: a change closes the live version
 * (active_to) and opens a new one, so a report on a past period keeps the
 * rule as it was then. Dates are YYYY-MM-DD in the district's time zone;
 * active_to is exclusive. Errors and units as in db.h.
 *
 * None of these writes an audit row: the caller adds one with
 * db_audit_add() inside db_tx_begin()/db_tx_end().
 */
#ifndef ROADSHOWD_RULE_STORE_H
#define ROADSHOWD_RULE_STORE_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* One version of a cadence rule. Strings owned (db_rules_free()). */
struct db_rule {
	int64_t version;		/* 1, 2, ... within its rule, oldest
					 * first */
	char *id;			/* e.g. "monthly-roadshow" */
	char *name;			/* human name, zh-CN */
	char *kinds;			/* comma-separated event kinds */
	char *period;			/* month, quarter, year */
	int64_t min_count;		/* events per period, >= 1 */
	char *scope;			/* district, region, carrier, partner */
	char *active_from;		/* YYYY-MM-DD or NULL (always) */
	char *active_to;		/* YYYY-MM-DD exclusive, or NULL */
	char *actor;			/* who made this version ("seed" for
					 * the defaults) */
	int64_t created_utc;		/* seconds; 0 for the seed */
};

/* Every version of every rule: rules in the order they were first
 * created, each rule's versions oldest first. On 0, *out is a new array
 * of *n versions the caller frees with db_rules_free(). 0, -ENOMEM,
 * -EIO. */
int db_rules_list(struct db *db, struct db_rule **out, size_t *n);
/* Release the n versions of r and free r. NULL is a no-op. */
void db_rules_free(struct db_rule *r, size_t n);

/*
 * Create rule r (id, name, kinds, period, min_count >= 1, scope required;
 * active_from, active_to may be NULL; values validated by the caller, the
 * schema checks period and scope) as its first version, by actor at
 * now_utc. r and actor are borrowed. Returns 0, -EEXIST (the id is taken,
 * even by a retired rule), -EINVAL (missing field or a schema check),
 * -EIO.
 */
int db_rule_create(struct db *db, const struct db_rule *r, const char *actor,
		   int64_t now_utc);

/*
 * Change rule `id` from effective_from (YYYY-MM-DD, a period start chosen
 * by the caller): the live version (active_to NULL) is closed at
 * effective_from and a new version with r's fields (r->id and
 * r->active_from are ignored) opens there; when the live version itself
 * starts at or after effective_from it is rewritten in place.
 * r->active_to is kept on the new version and must be after
 * effective_from. All strings borrowed. Returns 0, -ENOENT (no live
 * version), -EINVAL, -EIO.
 */
int db_rule_change(struct db *db, const char *id, const struct db_rule *r,
		   const char *effective_from, const char *actor,
		   int64_t now_utc);

/* Retire rule `id` from active_to (YYYY-MM-DD, exclusive): the live
 * version ends there. actor and now_utc are not stored (the caller's
 * audit row records them). 0, -ENOENT (no live version), -EINVAL
 * (active_to not after the live version's start), -EIO. */
int db_rule_retire(struct db *db, const char *id, const char *active_to,
		   const char *actor, int64_t now_utc);

#endif
