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

/* Entry point of `roadshowd parse-ics`: read .ics on stdin, write JSON
 * {events, errors} on stdout. Returns the process exit status. */
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
	json_t *ids;		/* borrowed view: ids of the file's events;
				 * caller json_decref()s it */
};

/*
 * Upsert the parsed events by UID for host carrier (NULL: the district) in
 * one transaction. Events without a kind in CATEGORIES get default_kind.
 * Problems are appended to errors ({field, uid, detail}); any problem
 * rolls everything back (-EINVAL). Returns 0, -EINVAL, -ENOMEM, -EIO.
 */
int svc_import_apply(struct db *db, json_t *parsed, const char *carrier,
		     const char *default_kind, const char *actor,
		     int64_t now_utc, json_t *errors,
		     struct svc_import_counts *counts);

/*
 * Answer the dry run of an import (?dry_run=1) of parsed (borrowed; the
 * parser's {events, errors}) for carrier: svc_import_apply() inside a
 * transaction that is always rolled back, so nothing is stored. 200 with
 * {dry_run, created, updated, unchanged, refused, counts} (the shape of
 * the import branch's IMPORT_DRYRUN.md). Needs svc->lock held.
 */
struct svc_request;
enum MHD_Result svc_import_dry_run_respond(struct svc_request *req,
					   json_t *parsed,
					   const char *carrier,
					   const char *default_kind,
					   const char *actor);

#endif
