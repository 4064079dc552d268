/*
 * audit_store: the audit trail (table audit) of changes to carriers,
 * regions, rules, accounts, tokens and subscriptions; events keep their
 * own trail (history_store.h). Errors and units as in db.h.
 */
#ifndef ROADSHOWD_AUDIT_STORE_H
#define ROADSHOWD_AUDIT_STORE_H

#include <stddef.h>
#include <stdint.h>

struct db;

/*
 * Append one audit row: at_utc (seconds UTC), actor ("admin:token-7",
 * "user:alice", "cli"), object_type ("carrier", "region", "rule",
 * "account", "token", "subscription"), object_id (its slug or id), action
 * ("create", "update", "retire", "revoke", "delete", ...), and the object
 * before and after as JSON text (NULL where there is none). All strings
 * are borrowed. Call it inside the transaction of the change it records
 * (db_tx_begin()), so both land or neither. 0, -EINVAL (a NULL required
 * string), -EIO (or the storage errnos of db.h).
 */
int db_audit_add(struct db *db, int64_t at_utc, const char *actor,
		 const char *object_type, const char *object_id,
		 const char *action, const char *before_json,
		 const char *after_json);

/* One row of the audit trail. Strings owned (db_audit_rows_free()). */
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

/* Filters of db_audit_list(); NULL / 0 fields do not filter. Strings are
 * borrowed for the call. */
struct db_audit_filter {
	const char *object_type;
	const char *object_id;
	const char *actor;
	int64_t before_id;		/* rows with id < before_id (paging) */
	int limit;			/* rows wanted, 1..1000 */
};

/* Audit rows matching f, newest first (id descending). On 0, *out is a
 * new array of *n rows the caller frees with db_audit_rows_free().
 * 0, -EINVAL (f NULL or limit out of range), -ENOMEM, -EIO. */
int db_audit_list(struct db *db, const struct db_audit_filter *f,
		  struct db_audit_row **out, size_t *n);
/* Release the n rows of rows and free it. NULL is a no-op. */
void db_audit_rows_free(struct db_audit_row *rows, size_t n);

/* The latest audit row's time (seconds UTC, 0 when none) and how many
 * rows share that second. 0 or -EIO (both outputs 0). */
int db_audit_latest(struct db *db, int64_t *at_out, int64_t *n_at_out);

/* When object_type/object_id (borrowed, e.g. "carrier", "longju-hub") was
 * created through the API: the time (seconds UTC) of its first "create"
 * audit row, 0 when it has none (seeded from the annex). 0 or -EIO
 * (*at_out 0). */
int db_audit_created_at(struct db *db, const char *object_type,
			const char *object_id, int64_t *at_out);

#endif
