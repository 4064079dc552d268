/*
 * rrule_until.c: UNTIL in the form RFC 5545 §3.3.10 requires (see
 * rrule_until.h). libical reads the rule; only the UNTIL value's text is
 * replaced.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/ical.h>

#include "caltime.h"
#include "rrule_until.h"

/* Offset and length of the value of the UNTIL= part of rrule; -1 when
 * there is none. */
static long
until_span(const char *rrule, size_t *len)
{
	const char *p = rrule;

	while (p) {
		if (strncasecmp(p, "UNTIL=", 6) == 0) {
			p += 6;
			*len = strcspn(p, ";");
			return (long)(p - rrule);
		}
		p = strchr(p, ';');
		if (p)
			p++;
	}
	return -1;
}

int
cal_rrule_normalize_until(const char *rrule, const char *tzid, int all_day,
			  char **out, char *why, size_t size)
{
	struct icalrecurrencetype r;
	struct icaltimetype u;
	char value[32];
	size_t len = 0, total;
	long at;
	int64_t t;
	int y, m, d, hh, mm, ss;

	*out = NULL;
	at = until_span(rrule, &len);
	if (at < 0) {
		*out = strdup(rrule);
		return *out ? 0 : -ENOMEM;
	}
	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(rrule);
	if (r.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		icalerror_clear_errno();
		snprintf(why, size, "not a valid RFC 5545 RRULE value");
		return -EINVAL;
	}
	u = r.until;
	if (icaltime_is_null_time(u) || u.year < 1970 || u.year > 2200) {
		snprintf(why, size, "UNTIL must be a date or date-time between"
			 " 1970 and 2200");
		return -EINVAL;
	}
	if (all_day) {
		if (!u.is_date && icaltime_is_utc(u)) {
			t = (int64_t)icaltime_as_timet(u);
			if (cal_utc_to_local(t, tzid, &y, &m, &d, &hh, &mm,
					     &ss) != 0)
				goto bad;
		} else {
			y = u.year;
			m = u.month;
			d = u.day;
		}
		snprintf(value, sizeof(value), "%04d%02d%02d", y, m, d);
	} else {
		if (icaltime_is_utc(u) && !u.is_date) {
			t = (int64_t)icaltime_as_timet(u);
		} else if (u.is_date) {
			/* The whole day: its last second, local time. */
			if (cal_local_to_utc(u.year, u.month, u.day, 23, 59, 59,
					     tzid, &t) != 0)
				goto bad;
		} else if (cal_local_to_utc(u.year, u.month, u.day, u.hour,
					    u.minute, u.second, tzid,
					    &t) != 0) {
			goto bad;
		}
		if (cal_utc_to_local(t, "UTC", &y, &m, &d, &hh, &mm, &ss) != 0)
			goto bad;
		snprintf(value, sizeof(value), "%04d%02d%02dT%02d%02d%02dZ", y,
			 m, d, hh, mm, ss);
	}
	total = strlen(rrule) - len + strlen(value) + 1;
	*out = malloc(total);
	if (!*out)
		return -ENOMEM;
	snprintf(*out, total, "%.*s%s%s", (int)at, rrule, value,
		 rrule + at + len);
	return 0;
bad:
	snprintf(why, size, "UNTIL cannot be placed in %s", tzid);
	return -EINVAL;
}
