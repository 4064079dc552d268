/*
 * retire: the domain rules of a carrier's retirement (issue 9). A carrier
 * retired from a date (YYYY-MM-DD, local to the district, Asia/Shanghai)
 * keeps the events it held, its feed and its past cadence rows, but hosts
 * no event starting on or after that date; and it can be retired only
 * from a date after its last live event. Pure computation: no database.
 */
#ifndef ROADSHOWD_RETIRE_H
#define ROADSHOWD_RETIRE_H

#include <stdint.h>

#include "../db/db.h"

/*
 * The latest occurrence start of ev, seconds since the epoch UTC: a single
 * event's start, or a series' last instance (RECURRENCE-ID overrides
 * applied, EXDATEs left out). With live_only, a CANCELLED event and
 * cancelled occurrences do not count, and 0 means there is none. ev is
 * borrowed.
 */
int64_t cal_event_last_start(const struct db_event *ev, int live_only);

/*
 * 1 when carrier c may host ev: c has no retired_from, or every
 * occurrence of ev starts before that local date. Else 0, and day gets the
 * local date of ev's last start. Both borrowed.
 */
int cal_carrier_may_host(const struct db_carrier *c, const struct db_event *ev,
			 char day[11]);

/*
 * 1 when retired_from (YYYY-MM-DD) falls after the local date of
 * last_utc, the latest live start among the carrier's events (0: none,
 * always ok). day gets that local date ("" when last_utc is 0).
 */
int cal_retire_date_ok(const char *retired_from, int64_t last_utc,
		       char day[11]);

#endif
