/*
 * import_upsert: store the events of an imported iCalendar file by UID
 * (RFC 5545 §3.8.4.7), all or nothing, for one host carrier. Runs in the
 * server (or CLI) process on events the sandboxed parser produced
 * (import.h); no parsing of uploaded text happens here.
 *
 * Rules: a UID this host already holds updates that event (SEQUENCE, RFC
 * 5545 §3.8.7.4, grows by one on a significant change; an unchanged event
 * is left as it is); a new UID inserts an event; a UID held by another
 * host's event neither blocks the import nor is revealed: this host's
 * event is stored as "<UID>~<carrier>" ("<UID>~-" for the district), so
 * a re-import finds it again. An event whose kind is missing (and no
 * default is given) or unknown, or whose UID and alias are both taken
 * elsewhere, is refused; any refusal rolls the whole import back.
 */
#ifndef ROADSHOWD_IMPORT_UPSERT_H
#define ROADSHOWD_IMPORT_UPSERT_H

#include <stddef.h>
#include <stdint.h>

#include "../db/db.h"

/* What became of one event of the file. */
enum cal_upsert_outcome {
	CAL_UPSERT_REFUSED,		/* see code / property / detail */
	CAL_UPSERT_CREATED,
	CAL_UPSERT_UPDATED,
	CAL_UPSERT_UNCHANGED,
};

/* One event of the file, in and out. */
struct cal_upsert_item {
	/* in */
	int malformed;			/* 1: the event could not be read
					 * (ev is empty): refused as
					 * "malformed" */
	struct db_event ev;		/* the parsed event, owned by the
					 * item (cal_upsert_items_release());
					 * uid as the file names it; kind a
					 * slug or NULL; carrier NULL */
	/* out */
	enum cal_upsert_outcome outcome;
	char *file_uid;			/* the UID as the file names it
					 * (owned; NULL when malformed);
					 * ev.uid becomes the stored UID */
	int64_t id;			/* the stored event's id (also for a
					 * dry run, whose rows are rolled
					 * back); 0 when refused */
	const char *property;		/* refused: "UID", "CATEGORIES" or
					 * "" (static) */
	const char *code;		/* refused: "malformed", "no-kind",
					 * "uid-unavailable" (static) */
	char detail[300];		/* refused: in our words */
};

/*
 * The change rules of events, given by the caller (they are shared with
 * the events API): whether b differs from a at all, and whether the
 * difference is significant (bumps SEQUENCE). Both return 1 or 0 and
 * borrow their arguments.
 */
struct cal_upsert_rules {
	int (*any_change)(const struct db_event *a, const struct db_event *b);
	int (*significant_change)(const struct db_event *a,
				  const struct db_event *b);
};

/*
 * Upsert items[0..n) by UID for host carrier (slug, NULL: the district)
 * in one transaction (db_tx_begin()/db_tx_end()), writing history as
 * actor at now_utc (seconds UTC). Events without a kind get default_kind
 * (a slug, or NULL). Each item's outcome is set (items after a database
 * error keep CAL_UPSERT_REFUSED with an empty code). *n_refused counts
 * the refused items. All pointers borrowed except the items, which are
 * filled in place.
 *
 * Without dry_run: 0 (all stored), -EINVAL (at least one refusal:
 * nothing stored), -ENOMEM, -EIO. With dry_run everything is rolled back
 * in any case and 0 is returned even when items were refused (the
 * outcomes tell what would happen); -ENOMEM or -EIO otherwise.
 */
int cal_import_upsert(struct db *db, struct cal_upsert_item *items, size_t n,
		      const char *carrier, const char *default_kind,
		      const char *actor, int64_t now_utc, int dry_run,
		      const struct cal_upsert_rules *rules,
		      size_t *n_refused);

/* Release each item's event and file_uid, then free(items). NULL is a
 * no-op. */
void cal_upsert_items_release(struct cal_upsert_item *items, size_t n);

#endif
