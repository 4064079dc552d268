/*
 * report: the cadence report over any range of periods, shared by GET
 * /api/v1/cadence (and its views) and `roadshowd cadence`: load the rules
 * (every version), the scopes and the events from the database, expand
 * series into occurrences, and evaluate them with
 * cal_cadence_evaluate_range(). No JSON and no HTTP here: service/report.h
 * renders a struct cal_report.
 */
#ifndef ROADSHOWD_CAL_REPORT_H
#define ROADSHOWD_CAL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "../db/db.h"
#include "cadence.h"

/* What to report. Strings borrowed for the life of the report. */
struct cal_report_query {
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
	int public_view;		/* 1: renderers list no TENTATIVE
					 * event in a row's events (they still
					 * count as scheduled); for anonymous
					 * callers and organisers */
	int no_events;			/* 1: renderers leave each period's
					 * events list out (the dashboard's
					 * heatmap; the panel asks per cell) */
	int has_tracking;		/* 1: tracking_since_utc applies */
	int64_t tracking_since_utc;	/* recording began (seconds UTC):
					 * earlier periods that fall short
					 * are untracked, not missed */
};

/* A built report; every member is owned by it (cal_report_release()). */
struct cal_report {
	struct cal_report_query q;
	struct db_rule *rules;		/* every version of every rule */
	size_t n_rules;
	struct cal_rule *crules;	/* the versions evaluated (strings
					 * borrowed from rules) */
	const struct db_rule **crule_src; /* the version behind crules[i] */
	size_t *crule_rank;		/* crules[i]'s rule's first place in
					 * rules: rows of one rule group */
	size_t n_crules;
	struct db_event_list events;
	struct cal_occurrence *occ;	/* by start; strings borrowed from
					 * events */
	size_t n_occ;
	struct db_region *regions;
	size_t n_regions;
	struct db_carrier *carriers;
	size_t n_carriers;
	const char **scope_regions;	/* NULL-terminated slugs */
	const char **scope_partners;	/* NULL-terminated slugs */
	const char **scope_carriers;	/* n_carriers slugs, carriers' order */
	int64_t *carrier_until;		/* n_carriers: retired_from as local
					 * midnight (seconds UTC), INT64_MAX
					 * for a carrier not retired */
	int64_t *carrier_since;		/* n_carriers: when an admin added
					 * it (seconds UTC), 0 for the
					 * annex's carriers */
	struct cal_cadence_report report; /* rows by rule, scope, period;
					 * events index occ */
};

/*
 * Whether a `by` value is known: NULL, "district", "region", "carrier",
 * "partner" or "all". 1 or 0. by borrowed.
 */
int cal_report_by_valid(const char *by);

/*
 * When cadence tracking began: the local date `date` (YYYY-MM-DD, midnight
 * Asia/Shanghai) when not NULL or empty, else the database's creation
 * (db_created_utc(), storing now_utc when none is stored). *out in seconds
 * UTC. 0, -EINVAL (bad date or year outside 1970..9999) or -EIO.
 */
int cal_tracking_since(struct db *db, const char *date, int64_t now_utc,
		       int64_t *out);

/* Days left (rounded up) from as_of_utc to the end of row's period. */
int64_t cal_report_days_left(const struct cal_cadence_row *row,
			     int64_t as_of_utc);

/* 1 when an occurrence placed (created or moved in) at placed_utc was
 * recorded late for the period ending at end_utc (补录), else 0.
 * placed_utc 0 (unknown) is never late. Seconds UTC. */
int cal_recorded_late(int64_t placed_utc, int64_t end_utc);

/* As cal_recorded_late() for the local month (Asia/Shanghai) holding
 * start_utc: the events API's `recorded_late`. 0 when the zone fails. */
int cal_recorded_late_month(int64_t placed_utc, int64_t start_utc);

/*
 * Report for calendar year `year` (1970..9999): q is zeroed, then gets
 * the year's bounds in the district zone. 0 or -EINVAL.
 */
int cal_report_query_year(struct cal_report_query *q, int year);

/*
 * The single calendar year [q->from_utc, q->to_utc) covers exactly, or 0
 * when the range is not one whole local year.
 */
int cal_report_single_year(const struct cal_report_query *q);

/*
 * Build the report: every rule version x scope x period starting in
 * [q->from_utc, q->to_utc) (at most 51 calendar years), each period
 * judged by the version active at its start, as it stood at
 * q->as_of_utc. A retired carrier gets no row for a period starting on
 * or after its retired_from. q and its strings are borrowed (copied by
 * value into out->q). out is zeroed, then filled; release with
 * cal_report_release() (also after an error, harmlessly). Returns 0,
 * -EINVAL (empty or too long range, unknown `by`), -ENOENT (q->rule_id
 * names no rule), -ENOMEM, -EIO (database, or a stored rule that does not
 * read).
 */
int cal_report_build(struct db *db, const struct cal_report_query *q,
		     struct cal_report *out);

/* Free everything r owns and zero it. NULL is a no-op. */
void cal_report_release(struct cal_report *r);

/* The rule version behind a row, borrowed from r; NULL if out of range. */
const struct db_rule *cal_report_rule(const struct cal_report *r,
				      const struct cal_cadence_row *row);

/* Number of rows whose status is `missed`. */
size_t cal_report_missed(const struct cal_report *r);

/* 1 when rows a and b (of r, sorted) belong to one rule and scope. */
int cal_report_same_group(const struct cal_report *r,
			  const struct cal_cadence_row *a,
			  const struct cal_cadence_row *b);

/* Counts of one rule and scope's rows [i, j) of r->report. */
struct cal_report_group {
	int64_t periods;		/* j - i */
	int64_t n[CAL_CADENCE_N_STATUS]; /* rows per status */
	int64_t current_streak;		/* met periods up to the last,
					 * a running period does not end it;
					 * a missed or untracked one does */
	int64_t longest_gap;		/* longest run of missed periods */
};

/* Summarise rows [i, j) (i < j <= r->report.n) into *out. */
void cal_report_group_summary(const struct cal_report *r, size_t i, size_t j,
			      struct cal_report_group *out);

/* The display name of a row's scope: 全区 for the district, else the
 * region's or carrier's name, else the row label. Borrowed from r. */
const char *cal_report_scope_name(const struct cal_report *r,
				  const struct cal_cadence_row *row);

/* ---- one cell (report_cell.c) ---- */

/* The year of a period label ("2025-03", "2025-Q1", "2025"; 1970..9999),
 * or -1 when p (borrowed, may be NULL) is not one. */
int cal_period_label_year(const char *p);

/* The `by` value of a row's scope label: "district" for "district",
 * "region" for "region:SLUG", etc. (static); NULL when scope (borrowed,
 * may be NULL) is no scope label. */
const char *cal_scope_label_by(const char *scope);

/* The row of r with this scope label and period label, borrowed from r;
 * NULL when none (or either is NULL). */
const struct cal_cadence_row *cal_report_find_row(const struct cal_report *r,
						  const char *scope,
						  const char *period);

/* The loaded event with this id, borrowed from r; NULL when none. */
const struct db_event *cal_report_event(const struct cal_report *r,
					int64_t id);

/* A cancelled occurrence in a cell. */
struct cal_cancelled {
	struct cal_occurrence occ;	/* strings borrowed from the report */
	int exdate;			/* 1: one occurrence of a series
					 * cancelled by EXDATE (when is not
					 * stored); 0: a CANCELLED event or
					 * override (its event's modified_utc
					 * is when) */
};

/*
 * The cancelled occurrences of row's rule kinds and scope that start in
 * row's period: CANCELLED events and overrides first (in start order),
 * then series EXDATEs (in event order). *out is an array of *n_out the
 * caller frees with free() (NULL when none); it borrows from r. Returns
 * 0, -EINVAL (row's rule unknown), -ENOMEM.
 */
int cal_report_cancelled(const struct cal_report *r,
			 const struct cal_cadence_row *row,
			 struct cal_cancelled **out, size_t *n_out);

#endif
