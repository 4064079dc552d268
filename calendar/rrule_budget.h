/*
 * rrule_budget: the work budget of every RRULE the server accepts or
 * expands (RFC 5545 §3.3.10). libical expands each FREQ period's whole
 * BYxxx set at once (FREQ=WEEKLY with seven days, 24 hours, 60 minutes and
 * 60 seconds is 604,800 candidates, seconds of work in one call), so the
 * set is bounded before libical ever sees the rule, and proving a whole
 * series is bounded in CPU time.
 */
#ifndef ROADSHOWD_RRULE_BUDGET_H
#define ROADSHOWD_RRULE_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#include "../db/db.h"

/* Most candidate occurrences one FREQ period of a rule may generate (the
 * product of its BYxxx list sizes). */
#define CAL_RRULE_MAX_SET 1000

/* Every occurrence ends before this: 2201-01-01T00:00:00Z. */
#define CAL_RRULE_LATEST_UTC INT64_C(7289654400)

/* CPU time allowed for expanding a whole series once, milliseconds. */
#define CAL_RRULE_BUDGET_MS 100

/*
 * Size of the candidate set rrule generates per FREQ period: the product of
 * its BYSECOND, BYMINUTE, BYHOUR, BYDAY, BYMONTHDAY, BYYEARDAY, BYWEEKNO and
 * BYMONTH list sizes (BYDAY without an ordinal counts 5 times in a month
 * and 53 times in a year). An upper bound; 0 when rrule does not parse.
 */
uint64_t cal_rrule_set_size(const char *rrule);

/*
 * 0 when rrule's per-period set is at most CAL_RRULE_MAX_SET; else -E2BIG
 * with a one-line reason in why (size octets) naming the lists to shorten.
 * rrule is borrowed.
 */
int cal_rrule_cost_check(const char *rrule, char *why, size_t size);

/*
 * Prove that ev's series (ev->rrule set) ends (by 2200-12-31) and expands
 * within CAL_RRULE_BUDGET_MS of CPU time: 0; -EINVAL when it yields no
 * occurrence or more than CAL_RECUR_MAX_OCCURRENCES or ends later; -E2BIG
 * when too costly. A reason goes into why (size octets). ev is borrowed.
 */
int cal_rrule_check_series(const struct db_event *ev, char *why,
			   size_t size);

#endif
