/*
 * caltime.c: district time (caltime.h): RFC 3339 and iCalendar DATE-TIME
 * text, local days and period boundaries in Asia/Shanghai, via libical.
 */
#define _GNU_SOURCE		/* strptime(3), timegm(3), tm_gmtoff */
#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include <libical/ical.h>

#include "caltime.h"

void
cal_init(void)
{
	icalerror_set_errors_are_fatal(0);
	/* Load the district zone once, before any threads start. */
	(void)icaltimezone_get_builtin_timezone(CAL_DISTRICT_TZID);
}

static int
is_utc_name(const char *tzid)
{
	return strcmp(tzid, "UTC") == 0 || strcmp(tzid, "Etc/UTC") == 0;
}

static icaltimezone *
zone_of(const char *tzid)
{
	if (!tzid || !*tzid)
		return NULL;
	if (is_utc_name(tzid))
		return icaltimezone_get_utc_timezone();
	return icaltimezone_get_builtin_timezone(tzid);
}

/*
 * An IANA zone name of the tz database's geographic areas ("Asia/Shanghai",
 * "America/Argentina/Buenos_Aires", "Etc/GMT+8") or "UTC": not file names
 * of the zoneinfo directory such as "posixrules", "localtime" or
 * "right/UTC", which libical would also open.
 */
static int
iana_shape(const char *tzid)
{
	static const char *const areas[] = {
		"Africa/", "America/", "Antarctica/", "Arctic/", "Asia/",
		"Atlantic/", "Australia/", "Europe/", "Indian/", "Pacific/",
		"Etc/", NULL,
	};
	const char *const *a;
	const char *p;

	if (is_utc_name(tzid))
		return 1;
	if (strlen(tzid) > 64 || strstr(tzid, "..") || strstr(tzid, "//"))
		return 0;
	for (p = tzid; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_-+", *p))
			return 0;
	for (a = areas; *a; a++)
		if (strncmp(tzid, *a, strlen(*a)) == 0 &&
		    tzid[strlen(*a)] != '\0')
			return 1;
	return 0;
}

int
cal_tz_valid(const char *tzid)
{
	return tzid && iana_shape(tzid) && zone_of(tzid) != NULL;
}

/* Naive seconds of the fields as if they were UTC (normalised). */
static int64_t
naive_seconds(int y, int m, int d, int hh, int mm, int ss)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	return (int64_t)timegm(&tm);
}

static void
naive_fields(int64_t t, int *y, int *m, int *d, int *hh, int *mm, int *ss)
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
	*hh = tm.tm_hour;
	*mm = tm.tm_min;
	*ss = tm.tm_sec;
}

int
cal_time_parse_ical_utc(const char *s, int64_t *utc)
{
	struct icaltimetype t;

	if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
		return -EINVAL;
	icalerror_clear_errno();
	t = icaltime_from_string(s);
	if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t) ||
	    !icaltime_is_utc(t) || icalerrno != ICAL_NO_ERROR) {
		icalerror_clear_errno();
		return -EINVAL;
	}
	*utc = (int64_t)icaltime_as_timet(t);
	return 0;
}

void
cal_date_format(int y, int m, int d, char out[11])
{
	char tmp[48];

	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", y, m, d);
	memcpy(out, tmp, 10);
	out[10] = '\0';
}

int
cal_local_date(int64_t utc, const char *tzid, char out[11])
{
	int y, m, d, hh, mm, ss;

	if (cal_utc_to_local(utc, tzid, &y, &m, &d, &hh, &mm, &ss) != 0)
		return -EINVAL;
	cal_date_format(y, m, d, out);
	return 0;
}

void
cal_date_add_days(int *y, int *m, int *d, int days)
{
	int hh, mm, ss;

	naive_fields(naive_seconds(*y, *m, *d + days, 12, 0, 0), y, m, d,
		     &hh, &mm, &ss);
}

int
cal_local_to_utc(int y, int m, int d, int hh, int mm, int ss,
		 const char *tzid, int64_t *utc)
{
	icaltimezone *zone = zone_of(tzid);
	struct icaltimetype t = icaltime_null_time();

	if (!zone)
		return -EINVAL;
	naive_fields(naive_seconds(y, m, d, hh, mm, ss), &t.year, &t.month,
		     &t.day, &t.hour, &t.minute, &t.second);
	t.is_date = 0;
	t.zone = zone;
	*utc = (int64_t)icaltime_as_timet_with_zone(t, zone);
	return 0;
}

int
cal_utc_to_local(int64_t utc, const char *tzid, int *y, int *m, int *d,
		 int *hh, int *mm, int *ss)
{
	icaltimezone *zone = zone_of(tzid);
	struct icaltimetype t;

	if (!zone)
		return -EINVAL;
	t = icaltime_from_timet_with_zone((time_t)utc, 0, zone);
	*y = t.year;
	*m = t.month;
	*d = t.day;
	*hh = t.hour;
	*mm = t.minute;
	*ss = t.second;
	return 0;
}

int
cal_tz_offset(int64_t utc, const char *tzid, int *offset_s)
{
	int y, m, d, hh, mm, ss;

	if (cal_utc_to_local(utc, tzid, &y, &m, &d, &hh, &mm, &ss) != 0)
		return -EINVAL;
	*offset_s = (int)(naive_seconds(y, m, d, hh, mm, ss) - utc);
	return 0;
}

int
cal_time_format_rfc3339(int64_t utc, const char *tzid, char buf[32])
{
	int y, m, d, hh, mm, ss, off;
	char sign = '+';

	if (cal_utc_to_local(utc, tzid, &y, &m, &d, &hh, &mm, &ss) != 0 ||
	    cal_tz_offset(utc, tzid, &off) != 0)
		return -EINVAL;
	if (is_utc_name(tzid)) {
		snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
			 hh, mm, ss);
		return 0;
	}
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d,
		 hh, mm, ss, sign, off / 3600, (off % 3600) / 60);
	return 0;
}

/* s matches the digit/punctuation shape "dddd-dd-dd" at its start. */
static int
date_shape(const char *s)
{
	static const char shape[] = "dddd-dd-dd";
	size_t i;

	for (i = 0; shape[i]; i++) {
		if (shape[i] == 'd' ? !isdigit((unsigned char)s[i])
				    : s[i] != shape[i])
			return 0;
	}
	return 1;
}

int
cal_date_parse(const char *s, int *year, int *month, int *day)
{
	struct tm tm;
	const char *end;
	int y, m, d, hh, mm, ss;

	if (!s || strlen(s) != 10 || !date_shape(s))
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end)
		return -EINVAL;
	naive_fields(naive_seconds(tm.tm_year + 1900, tm.tm_mon + 1,
				   tm.tm_mday, 12, 0, 0),
		     &y, &m, &d, &hh, &mm, &ss);
	if (y != tm.tm_year + 1900 || m != tm.tm_mon + 1 || d != tm.tm_mday ||
	    y < 1900 || y > 9999)
		return -EINVAL;
	*year = y;
	*month = m;
	*day = d;
	return 0;
}

int
cal_time_parse_rfc3339(const char *s, int64_t *utc)
{
	struct tm tm, off;
	const char *p;
	int y, m, d, hh, mm, ss, year, month, day;
	char datepart[11];

	if (!s || strlen(s) < 20 || !date_shape(s) ||
	    (s[10] != 'T' && s[10] != 't') || !isdigit((unsigned char)s[11]) ||
	    !isdigit((unsigned char)s[12]) || s[13] != ':' ||
	    !isdigit((unsigned char)s[14]) || !isdigit((unsigned char)s[15]) ||
	    s[16] != ':' || !isdigit((unsigned char)s[17]) ||
	    !isdigit((unsigned char)s[18]))
		return -EINVAL;
	memcpy(datepart, s, 10);
	datepart[10] = '\0';
	if (cal_date_parse(datepart, &year, &month, &day) != 0)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	p = strptime(s + 11, "%H:%M:%S", &tm);
	if (!p || p != s + 19 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 59)
		return -EINVAL;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	/* Offset: "Z" or "+hh:mm" only (RFC 3339 §5.6 time-offset). */
	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
		off.tm_gmtoff = 0;
	} else {
		if ((p[0] != '+' && p[0] != '-') || strlen(p) != 6 ||
		    p[3] != ':')
			return -EINVAL;
		memset(&off, 0, sizeof(off));
		if (strptime(p, "%z", &off) != p + 6 ||
		    off.tm_gmtoff > 18 * 3600 || off.tm_gmtoff < -18 * 3600)
			return -EINVAL;
	}
	*utc = naive_seconds(year, month, day, tm.tm_hour, tm.tm_min,
			     tm.tm_sec) - (int64_t)off.tm_gmtoff;
	naive_fields(*utc, &y, &m, &d, &hh, &mm, &ss);	/* range check done */
	return 0;
}

int
cal_district_day_utc(const char *s, int64_t *utc)
{
	int y, m, d;

	if (cal_date_parse(s, &y, &m, &d) != 0 || y < 1970 || y > 9999)
		return -EINVAL;
	return cal_local_to_utc(y, m, d, 0, 0, 0, CAL_DISTRICT_TZID, utc) ?
	       -EINVAL : 0;
}
