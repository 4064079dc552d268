/*
 * history_store: event_history, one row per change to an event (who, when,
 * its JSON snapshot before and after). Rows are written by event_store.c
 * in the transaction of the change and outlive a hard delete (no foreign
 * key). This header is the read side. Errors and units as in db.h.
 */
#ifndef ROADSHOWD_HISTORY_STORE_H
#define ROADSHOWD_HISTORY_STORE_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* One event_history row. Strings owned (db_history_rows_free()). */
struct db_history_row {
	int64_t id;
	int64_t event_id;
	char *uid;
	char *action;			/* create, update, delete */
	char *actor;			/* e.g. "admin:token-7", "user:alice" */
	int64_t at_utc;			/* seconds */
	char *before_json;		/* NULL for create */
	char *after_json;		/* NULL for delete */
};

/*
 * The history of event_id (which may be deleted), oldest first. On 0,
 * *out is a new array of *n rows (NULL and 0 when the event never
 * existed) the caller frees with db_history_rows_free(). 0, -ENOMEM,
 * -EIO.
 */
int db_event_history_list(struct db *db, int64_t event_id,
			  struct db_history_row **out, size_t *n);
/* Release the n rows of rows and free it. NULL is a no-op. */
void db_history_rows_free(struct db_history_row *rows, size_t n);

/* The number of history rows of event_id, or -1 on error. */
int64_t db_event_history_count(struct db *db, int64_t event_id);

#endif
