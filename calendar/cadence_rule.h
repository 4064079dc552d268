/*
 * cadence_rule: the domain rules of changing cadence rules over time. A
 * change never rewrites history: it closes the live version at a period
 * start and opens a new one there, so reports on earlier periods keep the
 * rule that judged them. Dates are local dates (YYYY-MM-DD) in the
 * district zone (Asia/Shanghai), rounded down to the start of the rule's
 * period (month, quarter, year). Pure computation: no database.
 */
#ifndef ROADSHOWD_CADENCE_RULE_H
#define ROADSHOWD_CADENCE_RULE_H

#include <stdint.h>

#include "../db/db.h"
#include "types.h"

/*
 * The first day of the period of unit u holding local month y-m (m 1..12),
 * plus `next` periods (0: that period, 1: the next one), as "YYYY-MM-DD"
 * in out.
 */
void cal_period_start_date(enum cal_period_unit u, int y, int m, int next,
			   char out[11]);

/*
 * As cal_period_start_date() for the local date (district zone) of the
 * instant t (seconds UTC). 0, or -EINVAL (zone failure; out is then "").
 */
int cal_period_start_of_utc(enum cal_period_unit u, int64_t t, int next,
			    char out[11]);

/*
 * The date (borrowed, "YYYY-MM-DD") rounded down to the start of its
 * period of unit u, in out. 0 or -EINVAL (not a real date; out is "").
 */
int cal_period_round_date(enum cal_period_unit u, const char *date,
			  char out[11]);

/*
 * The unit of a stored rule's period ("month", "quarter", "year"), month
 * for anything else (a stored rule is validated when written). r
 * borrowed.
 */
enum cal_period_unit cal_rule_unit(const struct db_rule *r);

/*
 * Whether a change of the live version `live` (borrowed) may take effect
 * from `from` (a period start, "YYYY-MM-DD") at now_utc (seconds UTC):
 * not before the current period of unit u (ended periods keep the version
 * that judged them) and not before live's own start (a change already
 * scheduled). Returns 1 when it may; else 0, with the earliest allowed
 * date in earliest and *scheduled 1 when live's start is that bound.
 */
int cal_rule_change_from_ok(const struct db_rule *live,
			    enum cal_period_unit u, const char *from,
			    int64_t now_utc, char earliest[11],
			    int *scheduled);

#endif
