/*
 * cadence: is the district keeping its rhythm? (月月有路演，季季有活动，
 * 年年有大赛). Evaluates cadence rules over occurrences, period by period,
 * in the district's timezone (Asia/Shanghai), with the statuses of
 * DESIGN.md "Cadence statuses":
 *
 *   met        at least min qualifying events held (CONFIRMED, started
 *              before as_of) in the period;
 *   scheduled  not met, but held + scheduled (not cancelled, starting at or
 *              after as_of, CONFIRMED or TENTATIVE) reach min;
 *   at_risk    period begun, not ended, held + scheduled fall short;
 *   missed     period ended, held fall short;
 *   open       period not begun, scheduled fall short;
 *   untracked  would be missed, but the period began before the district
 *              started recording (tracking_since): unknown, not failed.
 *
 * A TENTATIVE occurrence whose start has passed counts as neither. An
 * occurrence counts for the period in which it starts (local time).
 * Pure computation: no database, no I/O.
 */
#ifndef ROADSHOWD_CADENCE_H
#define ROADSHOWD_CADENCE_H

#include <stddef.h>
#include <stdint.h>

#include "types.h"

/* One occurrence of an event (a single event is one occurrence; a series
 * gives one per instance). All pointers borrowed for the call. */
struct cal_occurrence {
	int64_t event_id;
	int64_t start_utc;		/* seconds since epoch, UTC */
	const char *kind;		/* a kind slug (kind.h): "roadshow" */
	const char *status;		/* cal_event_status_name() spelling:
					 * TENTATIVE, CONFIRMED, CANCELLED */
	const char *carrier;		/* host carrier slug, NULL: district */
	const char *region;		/* host carrier's region, or NULL */
	const char *const *partner_regions;
	size_t n_partner_regions;
	const char *title;
	int64_t placed_utc;		/* when the event was created or last
					 * moved to another month (seconds
					 * UTC); 0: unknown, never late */
};

struct cal_rule {
	const char *id;			/* "monthly-roadshow" */
	const char *kinds;		/* comma-separated kinds, "salon,forum" */
	enum cal_period_unit period;
	int64_t min_count;		/* >= 1 */
	enum cal_scope_kind scope;	/* one row per period for the
					 * district, else per region, partner
					 * region or carrier of the scope set */
	int64_t active_from_utc;	/* 0: always; else periods starting
					 * before it are skipped */
	int64_t active_to_utc;		/* 0: always; else periods starting
					 * at or after it are skipped */
};

/* The scopes to enumerate (so a region with no events still gets rows).
 * Slugs borrowed. */
struct cal_scope_set {
	const char *const *regions;	/* district regions */
	size_t n_regions;
	const char *const *carriers;
	size_t n_carriers;
	const char *const *partners;	/* partner regions */
	size_t n_partners;
	const int64_t *carrier_until_utc; /* NULL, or n_carriers entries:
					 * carrier i is judged only for
					 * periods starting before entry i
					 * (seconds UTC; a retired carrier's
					 * retired_from, local midnight);
					 * 0 or INT64_MAX: no end */
	const int64_t *carrier_since_utc; /* NULL, or n_carriers entries:
					 * a period of carrier i that starts
					 * before entry i (seconds UTC; when
					 * an admin added the carrier) and
					 * falls short is untracked, not
					 * missed; 0: no start */
};

struct cal_cadence_row {
	size_t rule;			/* index into the rules array */
	char scope[96];			/* "district", "region:SLUG",
					 * "carrier:SLUG", "partner:SLUG" */
	char period[16];		/* "2025-03", "2025-Q1", "2025" */
	int64_t start_utc;		/* period start, local midnight */
	int64_t end_utc;		/* period end, exclusive */
	enum cal_cadence_status status;
	int64_t held;
	int64_t scheduled;
	int64_t held_late;		/* of held: recorded after the period
					 * ended (placed_utc >= end_utc) */
	int64_t tentative;		/* of scheduled: TENTATIVE */
	enum cal_scope_kind scope_kind;
	size_t scope_index;		/* index in the scope set's list of
					 * that kind (0 for the district) */
	size_t *events;			/* indices into the occurrence array
					 * of qualifying held or scheduled
					 * occurrences, in start order */
	size_t n_events;
};

struct cal_cadence_report {
	struct cal_cadence_row *rows;	/* rule order, then scope order
					 * (as in the scope set), then period */
	size_t n;
};

/*
 * Evaluate rules over occ for the calendar year `year` (1970..9999) as it
 * stands at as_of_utc. Periods are months, quarters, or the year, bounded at
 * local midnight in CAL_DISTRICT_TZID. rules, occ and scopes are borrowed.
 * On success out is filled; release with cal_cadence_report_release().
 * Returns 0, -EINVAL (bad year, unknown scope, min < 1), -ENOMEM.
 */
int cal_cadence_evaluate(const struct cal_rule *rules, size_t n_rules,
			 const struct cal_occurrence *occ, size_t n_occ,
			 const struct cal_scope_set *scopes, int year,
			 int64_t as_of_utc, struct cal_cadence_report *out);

/* Options of cal_cadence_evaluate_opts() and _range(). */
struct cal_cadence_opts {
	int has_tracking;		/* 1: tracking_since_utc applies */
	int64_t tracking_since_utc;	/* recording began; a period starting
					 * before it that would be missed is
					 * untracked (seconds UTC) */
	const size_t *rule_rank;	/* _range() only: NULL, or n_rules
					 * entries; rules of equal rank (the
					 * versions of one rule) form one
					 * group of rows, groups in rank
					 * order. Borrowed. */
};

/*
 * As cal_cadence_evaluate(), with options (opts may be NULL). Linear in
 * the occurrences: each is bucketed once per scope kind, never rescanned
 * per scope.
 */
int cal_cadence_evaluate_opts(const struct cal_rule *rules, size_t n_rules,
			      const struct cal_occurrence *occ, size_t n_occ,
			      const struct cal_scope_set *scopes, int year,
			      int64_t as_of_utc,
			      const struct cal_cadence_opts *opts,
			      struct cal_cadence_report *out);

/*
 * Evaluate rules over occ for every period that starts in [from_utc,
 * to_utc) (seconds UTC), however many calendar years that spans (at most
 * 51: -EINVAL beyond, or before 1970 / after 9999), as it stands at
 * as_of_utc. A period starting in range is judged whole, even when it
 * ends after to_utc. Rows are ordered by rule (opts->rule_rank when
 * given, else the rules' order), scope (as in cal_cadence_evaluate()),
 * then period start; a row's events index occ. occ need not be sorted
 * (sorted by start it is sliced per year rather than scanned). All inputs
 * borrowed; out is emptied first and, on 0, released with
 * cal_cadence_report_release(). Returns 0, -EINVAL (empty or bad range,
 * or as cal_cadence_evaluate()), -ENOMEM.
 */
int cal_cadence_evaluate_range(const struct cal_rule *rules, size_t n_rules,
			       const struct cal_occurrence *occ, size_t n_occ,
			       const struct cal_scope_set *scopes,
			       int64_t from_utc, int64_t to_utc,
			       int64_t as_of_utc,
			       const struct cal_cadence_opts *opts,
			       struct cal_cadence_report *out);

/* Free the rows and their event arrays; zero r. NULL is a no-op. */
void cal_cadence_report_release(struct cal_cadence_report *r);

#endif
