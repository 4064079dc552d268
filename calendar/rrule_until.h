/*
 * rrule_until: the UNTIL of an RRULE in the form RFC 5545 §3.3.10 asks
 * for: a DATE for a series of all-day events, a UTC DATE-TIME ("Z") for a
 * series of timed events with a zone.
 */
#ifndef ROADSHOWD_RRULE_UNTIL_H
#define ROADSHOWD_RRULE_UNTIL_H

#include <stddef.h>

/*
 * Rewrite rrule (validated by cal_rrule_validate()) so that its UNTIL, if
 * any, is a DATE when all_day, else a UTC date-time. An UNTIL given as
 * local time is read in tzid (IANA name); a DATE UNTIL on a timed series
 * means the end of that day in tzid (every occurrence on that date is
 * kept); a UTC UNTIL on an all-day series becomes its date in tzid. Only
 * the UNTIL part's value changes; the other parts keep their text.
 * *out is a new string the caller frees with free(). Returns 0, -EINVAL
 * (unreadable rule or UNTIL outside 1970-2200; reason in why, size
 * octets) or -ENOMEM.
 */
int cal_rrule_normalize_until(const char *rrule, const char *tzid,
			      int all_day, char **out, char *why,
			      size_t size);

#endif
