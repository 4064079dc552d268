/*
 * tzresolve.c: TZIDs of real files -> IANA names (see tzresolve.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucal.h>
#include <unicode/uenum.h>
#include <unicode/ustring.h>

#include "caltime.h"
#include "tzresolve.h"

#define MAX_NAME 128

/* Copy s into out when it is an IANA name libical knows. */
static int
take_if_iana(const char *s, char *out, size_t size)
{
	if (!cal_tz_valid(s) || strlen(s) >= size)
		return -ENOENT;
	snprintf(out, size, "%s", s);
	return 0;
}

/* Windows name -> IANA with ICU (CLDR windowsZones, territory 001). */
static int
from_windows(const char *tzid, char *out, size_t size)
{
	UChar win[MAX_NAME], id[MAX_NAME];
	char name[MAX_NAME];
	UErrorCode err = U_ZERO_ERROR;
	int32_t len;
	const char *p;

	if (strlen(tzid) >= MAX_NAME)
		return -ENOENT;
	for (p = tzid; *p; p++)		/* Windows names are ASCII */
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return -ENOENT;
	u_uastrcpy(win, tzid);
	len = ucal_getTimeZoneIDForWindowsID(win, -1, NULL, id, MAX_NAME,
					     &err);
	if (U_FAILURE(err) || len <= 0 || len >= MAX_NAME)
		return -ENOENT;
	id[len] = 0;
	u_austrncpy(name, id, sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	return take_if_iana(name, out, size);
}

int
cal_tz_resolve_name(const char *tzid, char *out, size_t size)
{
	const char *p;

	if (!tzid || !*tzid)
		return -ENOENT;
	if (take_if_iana(tzid, out, size) == 0)
		return 0;
	/* RFC 5545 §3.2.19: a leading "/" marks a globally unique name;
	 * the producers that write them end it with the IANA name. */
	if (tzid[0] == '/') {
		for (p = strchr(tzid + 1, '/'); p; p = strchr(p + 1, '/'))
			if (take_if_iana(p + 1, out, size) == 0)
				return 0;
		return -ENOENT;
	}
	return from_windows(tzid, out, size);
}

/* 1 when CLDR maps some Windows zone to id first (a "golden" zone). */
static int
golden(const char *id)
{
	UChar uid[MAX_NAME], win[MAX_NAME], back[MAX_NAME];
	UErrorCode err = U_ZERO_ERROR;
	int32_t len;

	u_uastrcpy(uid, id);
	len = ucal_getWindowsTimeZoneID(uid, -1, win, MAX_NAME, &err);
	if (U_FAILURE(err) || len <= 0 || len >= MAX_NAME)
		return 0;
	win[len] = 0;
	len = ucal_getTimeZoneIDForWindowsID(win, -1, NULL, back, MAX_NAME,
					     &err);
	if (U_FAILURE(err) || len <= 0 || len >= MAX_NAME)
		return 0;
	back[len] = 0;
	return u_strcmp(uid, back) == 0;
}

static int
offsets_match(const char *id, const int64_t *utc, const int *offset_s,
	      size_t n)
{
	size_t i;
	int off;

	for (i = 0; i < n; i++)
		if (cal_tz_offset(utc[i], id, &off) != 0 || off != offset_s[i])
			return 0;
	return 1;
}

/* Best match among the canonical zones with raw offset raw_ms: golden
 * zones before the others, by name within each. rank: 2 golden, 1 other,
 * 0 none yet. */
static void
search_raw(int32_t raw_ms, const int64_t *utc, const int *offset_s,
	   size_t n, char *best, size_t size, int *rank)
{
	UErrorCode err = U_ZERO_ERROR;
	UEnumeration *e;
	const char *id;
	int32_t len;

	e = ucal_openTimeZoneIDEnumeration(UCAL_ZONE_TYPE_CANONICAL_LOCATION,
					   NULL, &raw_ms, &err);
	if (U_FAILURE(err) || !e)
		return;
	while ((id = uenum_next(e, &len, &err)) != NULL && U_SUCCESS(err)) {
		int r;

		if (!cal_tz_valid(id) || !offsets_match(id, utc, offset_s, n))
			continue;
		r = golden(id) ? 2 : 1;
		if (r > *rank || (r == *rank && strcmp(id, best) < 0)) {
			snprintf(best, size, "%s", id);
			*rank = r;
		}
	}
	uenum_close(e);
}

int
cal_tz_match_offsets(const int64_t *utc, const int *offset_s, size_t n,
		     char *out, size_t size)
{
	char best[MAX_NAME] = "";
	int rank = 0, lo;
	size_t i;

	if (n == 0)
		return -EINVAL;
	if (offsets_match(CAL_DISTRICT_TZID, utc, offset_s, n))
		return take_if_iana(CAL_DISTRICT_TZID, out, size);
	lo = offset_s[0];
	for (i = 1; i < n; i++)
		if (offset_s[i] < lo)
			lo = offset_s[i];
	/* Standard time is the lowest offset seen, or an hour below it
	 * when every instant fell in summer time. */
	search_raw(lo * 1000, utc, offset_s, n, best, sizeof(best), &rank);
	if (!rank)
		search_raw((lo - 3600) * 1000, utc, offset_s, n, best,
			   sizeof(best), &rank);
	if (!rank)
		return -ENOENT;
	return take_if_iana(best, out, size);
}
