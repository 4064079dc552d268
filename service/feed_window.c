/*
 * feed_window.c: the default window of iCalendar feeds. A feed asked for
 * without ?from= carries the events of the last svc->feed_back_s (serve
 * --feed-days, default 180 days) and everything ahead: 5,000 events over
 * three years made a 7.5 MiB feed, and calendar clients start failing
 * above 1-2 MB. ?from= (RFC 3339) asks for more. The start is the
 * district's midnight, so a feed changes at most once a day by itself.
 */
#include <stdint.h>

#include "../calendar/caltime.h"
#include "svc.h"

void
svc_feed_default_window(struct svc_request *req, struct db_event_filter *f)
{
	int64_t start = req->svc->clock() - req->svc->feed_back_s;
	int y, m, d, hh, mm, ss;

	if (svc_query(req, "from"))
		return;
	if (cal_utc_to_local(start, CAL_DISTRICT_TZID, &y, &m, &d, &hh, &mm,
			     &ss) == 0)
		(void)cal_local_to_utc(y, m, d, 0, 0, 0, CAL_DISTRICT_TZID,
				       &start);
	if (!f->has_window)
		f->to_utc = INT64_MAX / 2;
	f->has_window = 1;
	f->from_utc = start;
}
