/*
 * retire.c: a retired carrier hosts no new events (see retire.h).
 */
#include <stdlib.h>
#include <string.h>

#include "caltime.h"
#include "recur.h"
#include "retire.h"
#include "types.h"

/* Far enough on both sides for any stored date (1970..2200). */
#define FAR_PAST (-(INT64_C(1) << 40))
#define FAR_FUTURE (INT64_C(1) << 40)

int64_t
cal_event_last_start(const struct db_event *ev, int live_only)
{
	struct cal_instance *in = NULL;
	int64_t last = 0;
	int found = 0;
	size_t n = 0, i;

	if (live_only && cal_event_status_is(ev->status, CAL_STATUS_CANCELLED))
		return 0;
	if (!ev->rrule)
		return ev->start_utc;
	if (cal_event_instances(ev, FAR_PAST, FAR_FUTURE,
				CAL_RECUR_MAX_OCCURRENCES + 1, &in, &n) != 0)
		return ev->start_utc;
	for (i = 0; i < n; i++) {
		if (live_only &&
		    cal_event_status_is(in[i].status, CAL_STATUS_CANCELLED))
			continue;
		if (!found || in[i].start_utc > last)
			last = in[i].start_utc;
		found = 1;
	}
	free(in);
	return last;
}

int
cal_carrier_may_host(const struct db_carrier *c, const struct db_event *ev,
		     char day[11])
{
	day[0] = '\0';
	if (!c->retired_from)
		return 1;
	if (cal_local_date(cal_event_last_start(ev, 0), CAL_DISTRICT_TZID,
			   day) != 0)
		return 1;
	return strcmp(day, c->retired_from) < 0;
}

int
cal_retire_date_ok(const char *retired_from, int64_t last_utc, char day[11])
{
	day[0] = '\0';
	if (!last_utc || cal_local_date(last_utc, CAL_DISTRICT_TZID, day) != 0)
		return 1;
	return strcmp(retired_from, day) > 0;
}
