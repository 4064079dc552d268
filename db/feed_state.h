/*
 * feed_state: what the feeds' in-memory cache (service/feed_cache.h)
 * needs to know about the data: when events last changed, when cancelled
 * events leave the public feeds, marks that move with every change, and
 * the counts anonymous readers may see. Read-only. Errors and units as in
 * db.h.
 */
#ifndef ROADSHOWD_FEED_STATE_H
#define ROADSHOWD_FEED_STATE_H

#include <stddef.h>
#include <stdint.h>

struct db;

/* The greatest modified_utc over all events (0 when none) and the latest
 * event_history id (0 when none): together they identify the state of the
 * event table. 0 or -EIO. */
int db_event_state(struct db *db, int64_t *max_modified, int64_t *changes);

/*
 * Last-Modified of the feeds (seconds UTC): the latest change to any
 * event (its history row), or, when later, the moment a CANCELLED event
 * left the public feeds (its last change + window_s, if that is not after
 * now_utc). 0 when nothing changed yet; monotonic as long as the clock
 * is. *n_at_out is the number of changes that fall in that second (a
 * client that saw fewer of them holds an older state under the same
 * date). 0 or -EIO.
 */
int db_feed_last_modified(struct db *db, int64_t window_s, int64_t now_utc,
			  int64_t *out, int64_t *n_at_out);

/*
 * The moments (seconds UTC, ascending, distinct) after now_utc at which a
 * CANCELLED event leaves the public feeds: its last change + window_s.
 * On 0, *out is a new array of *n the caller frees with free() (NULL when
 * *n is 0). 0, -ENOMEM or -EIO.
 */
int db_feed_leaves(struct db *db, int64_t window_s, int64_t now_utc,
		   int64_t **out, size_t *n);

/* The latest event_history and audit row ids (0 when none): every change
 * a feed can show moves one of them, whichever process made it. 0 or
 * -EIO. */
int db_change_marks(struct db *db, int64_t *history, int64_t *audit);

/*
 * What anonymous readers may count (metrics_store.c): events that are not
 * TENTATIVE, and history rows of events that are not TENTATIVE now (or
 * were deleted). 0 or -EIO (a count that failed is -1).
 */
int db_count_public(struct db *db, int64_t *events, int64_t *changes);

#endif
