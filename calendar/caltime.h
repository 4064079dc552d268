/*
 * caltime: instants, dates and timezones, through libc and libical.
 *
 * Instants are seconds since the epoch, UTC (int64_t). Zones are IANA names
 * resolved with libical's zone database (Debian: /usr/share/zoneinfo).
 */
#ifndef ROADSHOWD_CALTIME_H
#define ROADSHOWD_CALTIME_H

#include <stdint.h>

/* The district's timezone: cadence periods are computed in it. */
#define CAL_DISTRICT_TZID "Asia/Shanghai"

/* Call once at start-up, before any thread starts: libical errors are
 * not fatal (STYLE.md §3) and the district zone is loaded. */
void cal_init(void);

/* 1 when tzid (borrowed; NULL is 0) has the shape of an IANA name and
 * names a zone libical knows, else 0. */
int cal_tz_valid(const char *tzid);

/*
 * Parse an RFC 3339 date-time with offset ("2025-03-01T00:30:00+08:00",
 * "...Z", optional fractional seconds, which are dropped) into *utc.
 * The whole string must match; out-of-range fields (2025-02-30) are
 * rejected. Returns 0 or -EINVAL. Parsing uses strptime(3).
 */
int cal_time_parse_rfc3339(const char *s, int64_t *utc);

/*
 * Format utc as RFC 3339 in zone tzid ("2025-03-01T00:30:00+08:00"; "Z" for
 * UTC). buf must hold 32 octets. Returns 0 or -EINVAL (unknown zone).
 */
int cal_time_format_rfc3339(int64_t utc, const char *tzid, char buf[32]);

/* Parse "YYYY-MM-DD" strictly (a real calendar date). 0 or -EINVAL. */
int cal_date_parse(const char *s, int *year, int *month, int *day);

/*
 * The instant of local wall time y-m-d hh:mm:ss in tzid. Fields may be out
 * of range (month 13 is January of the next year), as with timegm(3).
 * Returns 0 or -EINVAL (unknown zone).
 */
int cal_local_to_utc(int y, int m, int d, int hh, int mm, int ss,
		     const char *tzid, int64_t *utc);

/* Local calendar fields of utc in tzid. 0 or -EINVAL. */
int cal_utc_to_local(int64_t utc, const char *tzid, int *y, int *m, int *d,
		     int *hh, int *mm, int *ss);

/* Offset of tzid from UTC at instant utc (seconds UTC) into *offset_s,
 * seconds east of UTC. 0 or -EINVAL (unknown zone). */
int cal_tz_offset(int64_t utc, const char *tzid, int *offset_s);

/* Parse an RFC 5545 UTC DATE-TIME ("20250213T060000Z") with libical.
 * 0 or -EINVAL. */
int cal_time_parse_ical_utc(const char *s, int64_t *utc);

/* Write "YYYY-MM-DD" (years 0..9999; fields not checked) into out. */
void cal_date_format(int y, int m, int d, char out[11]);

/* The local date of instant utc in tzid as "YYYY-MM-DD". 0 or -EINVAL. */
int cal_local_date(int64_t utc, const char *tzid, char out[11]);

/*
 * The instant that starts local date s ("YYYY-MM-DD", borrowed) in the
 * district zone (CAL_DISTRICT_TZID): local midnight, seconds UTC. The one
 * reading of the domain's dates (a rule's active_from, a carrier's
 * retired_from, tracking_since). 0 or -EINVAL (not a real date, or a
 * year outside 1970..9999).
 */
int cal_district_day_utc(const char *s, int64_t *utc);

/* Add days to a calendar date (proleptic Gregorian). */
void cal_date_add_days(int *y, int *m, int *d, int days);

#endif
