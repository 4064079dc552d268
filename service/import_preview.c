/*
 * import_preview.c: the dry run of an import (issue 8's "导入 .ics"
 * preview): the same code path as a real import (svc_import_apply) run
 * inside a transaction that is always rolled back, reporting per event
 * what it would do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "ics_import.h"
#include "svc.h"

int
svc_import_dry_run(struct db *db, json_t *parsed, const char *carrier,
		   const char *default_kind, const char *actor,
		   int64_t now_utc, json_t *errors,
		   struct svc_import_counts *counts, json_t **events_out)
{
	json_t *events = json_object_get(parsed, "events");
	json_t *out = json_array();
	int64_t *before = NULL;
	size_t i, n = json_array_size(events);
	int rc;

	*events_out = NULL;
	if (!out)
		return -ENOMEM;
	before = calloc(n ? n : 1, sizeof(*before));
	if (!before || db_tx_begin(db) != 0) {
		free(before);
		json_decref(out);
		return before ? -EIO : -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const char *uid = json_string_value(json_object_get(
					json_array_get(events, i), "uid"));
		struct db_event cur;

		if (uid && db_event_get_by_uid(db, uid, &cur) == 0) {
			before[i] = cur.revision;
			db_event_release(&cur);
		}
	}
	rc = svc_import_apply(db, parsed, carrier, default_kind, actor,
			      now_utc, errors, counts);
	for (i = 0; rc == 0 && i < n; i++) {
		const char *uid = json_string_value(json_object_get(
					json_array_get(events, i), "uid"));
		struct db_event ev;
		char start[32];

		if (!uid || db_event_get_by_uid(db, uid, &ev) != 0)
			continue;
		if (ev.all_day)
			snprintf(start, sizeof(start), "%s", ev.start_date);
		else
			cal_time_format_rfc3339(ev.start_utc, ev.tzid, start);
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s,"
				      " s:b}", "uid", ev.uid, "title", ev.title,
				      "start", start, "action", !before[i] ?
				      "create" : ev.revision != before[i] ?
				      "update" : "unchanged", "series",
				      ev.rrule != NULL));
		db_event_release(&ev);
	}
	/* Whatever happened, nothing stays. */
	db_tx_end(db, -ECANCELED);
	free(before);
	if (rc != 0) {
		json_decref(out);
		return rc;
	}
	*events_out = out;
	return 0;
}
