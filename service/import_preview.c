/*
 * import_preview.c: the dry run of an import (issue 8's "导入 .ics"
 * preview): the same code path as a real import (svc_import_apply) run
 * inside a transaction that is always rolled back, answered in the shape
 * of /work/brief/IMPORT_DRYRUN.md (created/updated/unchanged lists,
 * refused with VEVENT number and line, counts).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "ics_import.h"
#include "svc.h"

/* {uid, title, start[, id]} of the stored event with uid, or NULL. */
static json_t *
summary_of(struct db *db, const char *uid, int with_id)
{
	struct db_event ev;
	char start[32];
	json_t *o;

	if (!uid || db_event_get_by_uid(db, uid, &ev) != 0)
		return NULL;
	if (ev.all_day)
		snprintf(start, sizeof(start), "%s", ev.start_date);
	else if (cal_time_format_rfc3339(ev.start_utc, ev.tzid, start) != 0)
		start[0] = '\0';
	o = json_pack("{s:s, s:s, s:s, s:b}", "uid", ev.uid, "title",
		      ev.title, "start", start, "series", ev.rrule != NULL);
	if (o && with_id)
		json_object_set_new(o, "id", json_integer(ev.id));
	db_event_release(&ev);
	return o;
}

/* Append {vevent, line, uid, property, code, detail} for each element of
 * src (parser or import errors) to refused. */
static void
add_refused(json_t *refused, json_t *src)
{
	size_t i;
	json_t *e;

	json_array_foreach(src, i, e) {
		const char *uid = json_string_value(json_object_get(e, "uid"));
		const char *prop = json_string_value(json_object_get(e,
							"property"));
		const char *code = json_string_value(json_object_get(e,
							"code"));

		json_array_append_new(refused, json_pack(
			"{s:I, s:I, s:s, s:s, s:s, s:s}",
			"vevent", json_integer_value(json_object_get(e,
							"vevent")),
			"line", json_integer_value(json_object_get(e, "line")),
			"uid", uid ? uid : "", "property", prop ? prop : "",
			"code", code ? code : "invalid", "detail",
			json_string_value(json_object_get(e, "detail")) ?
			json_string_value(json_object_get(e, "detail")) : ""));
	}
}

enum MHD_Result
svc_import_dry_run_respond(struct svc_request *req, json_t *parsed,
			   const char *carrier, const char *default_kind,
			   const char *actor)
{
	struct svc *svc = req->svc;
	struct db *db = svc->db;
	json_t *events = json_object_get(parsed, "events");
	json_t *lists[3], *refused, *errors, *body = NULL;
	struct svc_import_counts counts;
	int64_t *before = NULL;
	size_t i, n = json_array_size(events);
	int rc = 0;

	memset(&counts, 0, sizeof(counts));
	lists[0] = json_array();	/* created */
	lists[1] = json_array();	/* updated */
	lists[2] = json_array();	/* unchanged */
	refused = json_array();
	errors = json_array();
	before = calloc(n ? n : 1, sizeof(*before));
	if (!lists[0] || !lists[1] || !lists[2] || !refused || !errors ||
	    !before) {
		rc = -ENOMEM;
		goto out;
	}
	add_refused(refused, json_object_get(parsed, "errors"));
	if (json_array_size(refused))
		goto answer;	/* a broken file: nothing runs */
	if (db_tx_begin(db) != 0) {
		rc = -EIO;
		goto out;
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
			      svc->clock(), errors, &counts);
	for (i = 0; (rc == 0 || rc == -EINVAL) && i < n; i++) {
		const char *uid = json_string_value(json_object_get(
					json_array_get(events, i), "uid"));
		struct db_event ev;
		int k;

		if (!uid || db_event_get_by_uid(db, uid, &ev) != 0)
			continue;
		k = !before[i] ? 0 : ev.revision != before[i] ? 1 : 2;
		db_event_release(&ev);
		json_array_append_new(lists[k], summary_of(db, uid, k != 0));
	}
	/* Whatever happened, nothing stays. */
	db_tx_end(db, -ECANCELED);
	if (rc == -EINVAL) {
		add_refused(refused, errors);
		rc = 0;
	}
answer:
	if (rc == 0) {
		json_int_t nc = (json_int_t)json_array_size(lists[0]);
		json_int_t nu = (json_int_t)json_array_size(lists[1]);
		json_int_t nn = (json_int_t)json_array_size(lists[2]);
		json_int_t nr = (json_int_t)json_array_size(refused);

		body = json_pack("{s:b, s:O, s:O, s:O, s:O, s:{s:I, s:I, s:I,"
				 " s:I}}", "dry_run", 1, "created", lists[0],
				 "updated", lists[1], "unchanged", lists[2],
				 "refused", refused, "counts", "created", nc,
				 "updated", nu, "unchanged", nn, "refused", nr);
	}
out:
	free(before);
	json_decref(counts.ids);
	json_decref(errors);
	for (i = 0; i < 3; i++)
		json_decref(lists[i]);
	if (rc != 0) {
		json_decref(refused);
		return svc_respond_errno(req, rc, "the dry run");
	}
	json_decref(refused);
	return svc_respond_json(req, 200, body);
}
