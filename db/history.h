/*
 * history: read access to event_history, the trail every change to an
 * event leaves (who, when, what before and after; written by
 * event_store.c in the same transaction as the change).
 */
#ifndef ROADSHOWD_HISTORY_H
#define ROADSHOWD_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* One history row. Strings are owned by the row. */
struct db_history_entry {
	int64_t id;
	int64_t at_utc;			/* seconds since epoch UTC */
	char *action;			/* "create", "update", "delete" */
	char *actor;			/* "admin:token-7", "user:alice" */
	char *before_json;		/* JSON snapshot before, or NULL */
	char *after_json;		/* JSON snapshot after, or NULL */
};

/*
 * The history rows of event event_id, oldest first, at most max. On 0,
 * *rows is a new array released with db_history_entries_free() (NULL when *n is
 * 0). Returns 0, -ENOMEM or -EIO.
 */
int db_history_entries(struct db *db, int64_t event_id, size_t max,
		    struct db_history_entry **rows, size_t *n);

/* Free rows from db_history_entries() (n elements; NULL is fine). */
void db_history_entries_free(struct db_history_entry *rows, size_t n);

#endif
