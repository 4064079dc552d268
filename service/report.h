/*
 * report: the cadence report, shared by GET /api/v1/cadence and the
 * `roadshowd cadence` command: load rules and events from the database,
 * expand series into occurrences, evaluate (calendar/cadence.h), and render
 * as JSON, CSV or text.
 */
#ifndef ROADSHOWD_REPORT_H
#define ROADSHOWD_REPORT_H

#include <stdint.h>

#include <jansson.h>

#include "../calendar/cadence.h"
#include "../db/db.h"

struct svc_report {
	int year;
	int64_t as_of_utc;		/* seconds since epoch UTC */
	struct db_rule *rules;
	size_t n_rules;
	struct cal_rule *crules;	/* borrow from rules */
	struct db_event_list events;
	struct cal_occurrence *occ;	/* borrow from events */
	size_t n_occ;
	struct db_region *regions;
	size_t n_regions;
	struct db_carrier *carriers;
	size_t n_carriers;
	const char **scope_regions;
	const char **scope_partners;
	const char **scope_carriers;
	struct cal_cadence_report report;
};

/*
 * Build the report for calendar year `year` (1970..9999) as it stands at
 * as_of_utc. rule_id, when not NULL, keeps only that rule (-ENOENT if it
 * does not exist). out is filled; release with svc_report_release().
 * Returns 0, -EINVAL, -ENOENT, -ENOMEM, -EIO.
 */
int svc_report_build(struct db *db, int year, int64_t as_of_utc,
		     const char *rule_id, struct svc_report *out);
void svc_report_release(struct svc_report *r);

/* Number of rows whose status is `missed`. */
size_t svc_report_missed(const struct svc_report *r);

/* JSON: {year, as_of, timezone, rules, periods: [...], summary}. New
 * reference or NULL when out of memory. */
json_t *svc_report_json(const struct svc_report *r);

/* CSV (RFC 4180, CRLF) with a header row; text table. Caller frees with
 * free(); NULL when out of memory. */
char *svc_report_csv(const struct svc_report *r);
char *svc_report_text(const struct svc_report *r);

#endif
