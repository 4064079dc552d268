/*
 * ics_import: import of uploaded iCalendar files through a sandboxed
 * parser process (see ics_import.c).
 */
#ifndef ROADSHOWD_ICS_IMPORT_H
#define ROADSHOWD_ICS_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../db/db.h"

/* Largest .ics body accepted, octets. */
#define SVC_MAX_IMPORT_BODY (4 * 1024 * 1024)

/* Entry point of `roadshowd parse-ics` (the sandboxed child): read .ics
 * on stdin (at most SVC_MAX_IMPORT_BODY octets), parse it with
 * cal_import_parse(), write JSON {events, errors} on stdout. Returns the
 * process exit status: 0, 3 (out of memory or output failed), 4 (too
 * large). */
int svc_parse_ics_main(void);

/*
 * Parse text (len octets) in a child process running self_exe parse-ics
 * under CPU, memory and wall-time limits. On 0, *result is the child's
 * JSON (new reference): {"events": [...], "errors": [{vevent, line, uid,
 * detail}]}. Else a reason is written to why (size octets): -EINVAL (the
 * child failed or was killed: a hostile or broken file), -ETIMEDOUT,
 * -ENOMEM, -EIO.
 */
int svc_ics_parse_isolated(const char *self_exe, const char *text,
			   size_t len, json_t **result, char *why,
			   size_t size);

struct svc_import_counts {
	int created;
	int updated;
	int unchanged;
	json_t *ids;		/* ids of the file's events. ids and
				 * the lists are owned by counts and
				 * freed by svc_import_counts_release();
				 * a caller keeping one takes its own
				 * reference (json_incref()) */
	json_t *created_list;	/* dry run only (else empty):
				 * [{uid, title, start, id}] per event: uid
				 * as the file names it, start RFC 3339 or
				 * YYYY-MM-DD, id 0 for a dry run's new
				 * events */
	json_t *updated_list;
	json_t *unchanged_list;
};

/*
 * Store the child's events (parsed: {"events": [...]}, borrowed) by UID
 * for host carrier (NULL: the district) through cal_import_upsert()
 * (calendar/import_upsert.h, whose comment has the rules: one
 * transaction, a UID held by another host stored as "<UID>~<carrier>",
 * SEQUENCE by the events API's change rules). Events without a kind in
 * CATEGORIES get default_kind. Refusals are appended to errors ({field,
 * vevent, line, uid, property, code, detail}); any refusal rolls
 * everything back (-EINVAL). With dry_run, everything is rolled back in
 * any case and 0 is returned even when errors were found (counts tell
 * what would happen). counts is filled (release with
 * svc_import_counts_release(), also after an error). Returns 0, -EINVAL,
 * -ENOMEM, -EIO (parsed is not the child's JSON, or the database).
 */
int svc_import_apply(struct db *db, json_t *parsed, const char *carrier,
		     const char *default_kind, const char *actor,
		     int64_t now_utc, int dry_run, json_t *errors,
		     struct svc_import_counts *counts);

/* Drop the lists of counts (NULL members are fine). */
void svc_import_counts_release(struct svc_import_counts *counts);

#endif
