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

/* The Windows zone CLDR gives for IANA id, "" when none. */
static void
windows_of(const char *id, char *out, size_t size)
{
	UChar uid[MAX_NAME], win[MAX_NAME];
	UErrorCode err = U_ZERO_ERROR;
	int32_t len;

	out[0] = '\0';
	u_uastrcpy(uid, id);
	len = ucal_getWindowsTimeZoneID(uid, -1, win, MAX_NAME, &err);
	if (U_FAILURE(err) || len <= 0 || len >= MAX_NAME)
		return;
	win[len] = 0;
	u_austrncpy(out, win, (int32_t)size - 1);
	out[size - 1] = '\0';
}

#define MAX_GROUPS 64

/* Matching zones grouped by their Windows zone. */
struct groups {
	struct {
		char win[MAX_NAME];
		char first[MAX_NAME];	/* smallest IANA name in it */
		int count;
	} g[MAX_GROUPS];
	int n;
};

static void
group_add(struct groups *gs, const char *win, const char *id)
{
	int i;

	for (i = 0; i < gs->n; i++)
		if (strcmp(gs->g[i].win, win) == 0)
			break;
	if (i == gs->n) {
		if (gs->n == MAX_GROUPS)
			return;
		gs->n++;
		snprintf(gs->g[i].win, MAX_NAME, "%s", win);
		snprintf(gs->g[i].first, MAX_NAME, "%s", id);
		gs->g[i].count = 0;
	}
	gs->g[i].count++;
	if (strcmp(id, gs->g[i].first) < 0)
		snprintf(gs->g[i].first, MAX_NAME, "%s", id);
}

/* Collect the canonical zones with raw offset raw_ms that match. */
static void
search_raw(int32_t raw_ms, const int64_t *utc, const int *offset_s,
	   size_t n, struct groups *gs)
{
	UErrorCode err = U_ZERO_ERROR;
	UEnumeration *e;
	const char *id;
	char win[MAX_NAME];
	int32_t len;

	e = ucal_openTimeZoneIDEnumeration(UCAL_ZONE_TYPE_CANONICAL_LOCATION,
					   NULL, &raw_ms, &err);
	if (U_FAILURE(err) || !e)
		return;
	while ((id = uenum_next(e, &len, &err)) != NULL && U_SUCCESS(err)) {
		if (!cal_tz_valid(id) || !offsets_match(id, utc, offset_s, n))
			continue;
		windows_of(id, win, sizeof(win));
		group_add(gs, win, id);
	}
	uenum_close(e);
}

/*
 * The zone for the best group: zones with a Windows zone before those
 * without, the Windows zone most matching zones share first (its rules
 * are the common ones: "Eastern Standard Time" over "Turks And Caicos
 * Standard Time"), then by name; in it, the zone CLDR names first for
 * that Windows zone, else the smallest name.
 */
static int
pick(const struct groups *gs, char *out, size_t size)
{
	UChar win[MAX_NAME], id[MAX_NAME];
	UErrorCode err = U_ZERO_ERROR;
	char golden[MAX_NAME];
	int i, best = -1;
	int32_t len;

	for (i = 0; i < gs->n; i++) {
		int hw = gs->g[i].win[0] != '\0';
		int bw;

		if (best < 0) {
			best = i;
			continue;
		}
		bw = gs->g[best].win[0] != '\0';
		if (hw != bw ? hw : gs->g[i].count != gs->g[best].count ?
		    gs->g[i].count > gs->g[best].count :
		    strcmp(gs->g[i].win, gs->g[best].win) < 0)
			best = i;
	}
	if (best < 0)
		return -ENOENT;
	if (gs->g[best].win[0]) {
		u_uastrcpy(win, gs->g[best].win);
		len = ucal_getTimeZoneIDForWindowsID(win, -1, NULL, id,
						     MAX_NAME, &err);
		if (U_SUCCESS(err) && len > 0 && len < MAX_NAME) {
			id[len] = 0;
			u_austrncpy(golden, id, sizeof(golden) - 1);
			golden[sizeof(golden) - 1] = '\0';
			if (take_if_iana(golden, out, size) == 0)
				return 0;
		}
	}
	return take_if_iana(gs->g[best].first, out, size);
}

int
cal_tz_match_offsets(const int64_t *utc, const int *offset_s, size_t n,
		     char *out, size_t size)
{
	struct groups *gs;
	int lo, rc;
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
	gs = calloc(1, sizeof(*gs));
	if (!gs)
		return -ENOMEM;
	search_raw(lo * 1000, utc, offset_s, n, gs);
	if (!gs->n)
		search_raw((lo - 3600) * 1000, utc, offset_s, n, gs);
	rc = pick(gs, out, size);
	free(gs);
	return rc;
}
