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

/* What to report. */
struct svc_report_query {
	int64_t from_utc;		/* periods starting at or after this */
	int64_t to_utc;			/* ... and before this (seconds UTC) */
	int64_t as_of_utc;		/* the report as it stood then */
	const char *rule_id;		/* one rule, or NULL for all */
	const char *by;			/* NULL: each rule's own scope; else
					 * district, region, carrier or
					 * partner for every rule */
	int public_view;		/* 1: list no TENTATIVE event in a
					 * row's events (they still count as
					 * scheduled); for anonymous callers
					 * and organisers */
};

struct svc_report {
	struct svc_report_query q;
	struct db_rule *rules;		/* every version of every rule */
	size_t n_rules;
	struct cal_rule *crules;	/* the versions evaluated; borrow */
	const struct db_rule **crule_src; /* the version behind crules[i] */
	size_t n_crules;
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
	struct cal_cadence_report report; /* rows of every year in range,
					 * by rule, scope, then period */
};

/*
 * Report for calendar year `year` (1970..9999): fills q with the year's
 * bounds in the district zone. 0 or -EINVAL.
 */
int svc_report_query_year(struct svc_report_query *q, int year);

/*
 * Build the report: every rule version x scope x period starting in
 * [q->from_utc, q->to_utc), each judged by the version active at its start,
 * as it stood at q->as_of_utc. out is filled; release with
 * svc_report_release(). Returns 0, -EINVAL (bad range or `by`), -ENOENT
 * (q->rule_id names no rule), -ENOMEM, -EIO.
 */
int svc_report_build(struct db *db, const struct svc_report_query *q,
		     struct svc_report *out);
void svc_report_release(struct svc_report *r);

/* The rule version behind a row. Borrowed from r. */
const struct db_rule *svc_report_rule(const struct svc_report *r,
				      const struct cal_cadence_row *row);

/* Number of rows whose status is `missed`. */
size_t svc_report_missed(const struct svc_report *r);

/* JSON: {from, to, as_of, timezone, rules, periods: [...], summary}. New
 * reference or NULL when out of memory. */
json_t *svc_report_json(const struct svc_report *r);

/* Matrix of one rule: {rule, periods: [labels], scopes: [{scope, cells:
 * [{period, status, held, scheduled}]}]}. NULL when out of memory. */
json_t *svc_report_matrix_json(const struct svc_report *r);

/* Per rule and scope: periods met / total, current streak of met periods,
 * longest run of missed periods. NULL when out of memory. */
json_t *svc_report_summary_json(const struct svc_report *r);

/* CSV (RFC 4180, CRLF) with a header row; text table. Caller frees with
 * free(); NULL when out of memory. */
char *svc_report_csv(const struct svc_report *r);
char *svc_report_text(const struct svc_report *r);

#endif
