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
					 * partner for every rule; "all": the
					 * district, each region, each partner
					 * region and each carrier for every
					 * rule (the dashboard's rows) */
	int public_view;		/* 1: list no TENTATIVE event in a
					 * row's events (they still count as
					 * scheduled); for anonymous callers
					 * and organisers */
	int no_events;			/* 1: leave each period's events list
					 * out of the JSON (the dashboard's
					 * heatmap; the panel asks per cell) */
	int has_tracking;		/* 1: tracking_since_utc applies */
	int64_t tracking_since_utc;	/* recording began (seconds UTC):
					 * earlier periods that fall short
					 * are untracked, not missed */
};

struct svc_report {
	struct svc_report_query q;
	struct db_rule *rules;		/* every version of every rule */
	size_t n_rules;
	struct cal_rule *crules;	/* the versions evaluated; borrow */
	const struct db_rule **crule_src; /* the version behind crules[i] */
	size_t *crule_rank;		/* crules[i]'s rule's place in rules */
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
 * When cadence tracking began: the local date `date` (YYYY-MM-DD, midnight
 * Asia/Shanghai) when not NULL or empty, else the database's creation
 * (db_created_utc(), storing now_utc when none is stored). 0, -EINVAL (bad
 * date) or -EIO.
 */
int svc_tracking_since(struct db *db, const char *date, int64_t now_utc,
		       int64_t *out);

/* Days left (rounded up) from as_of_utc to the end of row's period. */
int64_t svc_report_days_left(const struct cal_cadence_row *row,
			     int64_t as_of_utc);

/* Whether an occurrence placed at placed_utc was recorded late for the
 * period ending at end_utc (补录: created or moved in after it ended). */
int svc_recorded_late(int64_t placed_utc, int64_t end_utc);

/* Whether an event (or occurrence) starting at start_utc was recorded
 * late for its local month (Asia/Shanghai): the events API's
 * `recorded_late`. */
int svc_recorded_late_month(int64_t placed_utc, int64_t start_utc);

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

/* A rule version as JSON {id, version, name, kinds, period, min, scope,
 * active_from, active_to}. New reference or NULL. */
json_t *svc_report_rule_json(const struct db_rule *rule);

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

/* The summary of rows [i, j) of r->report, one rule and scope (as in
 * svc_report_summary_json()). New reference or NULL. */
json_t *svc_report_group_summary(const struct svc_report *r, size_t i,
				 size_t j);

/* CSV (RFC 4180, CRLF) with a header row; text table. Caller frees with
 * free(); NULL when out of memory. */
char *svc_report_csv(const struct svc_report *r);
/* The same rows for spreadsheets (Excel): a UTF-8 BOM, Chinese headers,
 * statuses and scope names, and held_late / tentative columns. Caller
 * frees with free(); NULL when out of memory. */
char *svc_report_csv_zh(const struct svc_report *r);
char *svc_report_text(const struct svc_report *r);

#endif
