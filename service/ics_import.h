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
	json_t *ids;		/* ids of the file's events; the caller
				 * json_decref()s it and the lists */
	json_t *created_list;	/* [{uid, title, start, id}] per event: uid
				 * as the file names it, start RFC 3339 or
				 * YYYY-MM-DD, id 0 for a dry run's new
				 * events */
	json_t *updated_list;
	json_t *unchanged_list;
};

/*
 * Upsert the parsed events by UID for host carrier (NULL: the district) in
 * one transaction. Events without a kind in CATEGORIES get default_kind.
 * A UID held by another host's event neither blocks the import nor is
 * revealed: this host's event is stored as "<UID>~<carrier>". Problems
 * are appended to errors ({field, vevent, line, uid, property, code,
 * detail}); any problem rolls everything back (-EINVAL). With dry_run,
 * everything is rolled back in any case and 0 is returned even when
 * errors were found (counts tell what would happen). Returns 0, -EINVAL,
 * -ENOMEM, -EIO.
 */
int svc_import_apply(struct db *db, json_t *parsed, const char *carrier,
		     const char *default_kind, const char *actor,
		     int64_t now_utc, int dry_run, json_t *errors,
		     struct svc_import_counts *counts);

/* Drop the lists of counts (NULL members are fine). */
void svc_import_counts_release(struct svc_import_counts *counts);

#endif
