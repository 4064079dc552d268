/*
 * tzresolve: map the TZIDs real calendar files write to IANA zone names
 * (RFC 5545 §3.2.19, §3.8.3.1), with ICU's CLDR data for Windows names.
 * No table of our own: ICU knows the Windows names, libical the IANA
 * zones (both from Debian packages).
 */
#ifndef ROADSHOWD_TZRESOLVE_H
#define ROADSHOWD_TZRESOLVE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The IANA name a TZID stands for without looking at any VTIMEZONE: an
 * IANA name itself ("Asia/Shanghai"); a globally unique name ending in one
 * ("/mozilla.org/20050126_1/America/New_York", "/citadel.org/20190914_1/
 * Europe/Berlin", libical's "/freeassociation.sourceforge.net/..."); or a
 * Windows zone name ("China Standard Time"), mapped with ICU's CLDR
 * windowsZones data (territory 001). Writes the name into out (size
 * octets). Returns 0, or -ENOENT when the TZID names no zone we know.
 */
int cal_tz_resolve_name(const char *tzid, char *out, size_t size);

/*
 * The IANA zone whose UTC offsets at the n instants utc[i] (seconds UTC)
 * are offset_s[i] (seconds east of UTC), as libical's zone data has them.
 * Preference when several match: the district's zone; then the Windows
 * zone (CLDR) most of the matching zones belong to, and its first IANA
 * zone; zones without a Windows zone last, by name.
 * Writes the name into out (size octets). 0, or -ENOENT when none
 * matches, -EINVAL when n is 0, -ENOMEM.
 */
int cal_tz_match_offsets(const int64_t *utc, const int *offset_s, size_t n,
			 char *out, size_t size);

#endif
