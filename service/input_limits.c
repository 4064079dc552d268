/*
 * input_limits.c: invisible characters, by ICU's Unicode data.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "../calendar/rrule_budget.h"
#include "../db/db.h"
#include "input_limits.h"

int
svc_text_has_invisible(const char *s, uint32_t *cp)
{
	int32_t i = 0, len;
	UChar32 c;

	if (!s)
		return 0;
	len = (int32_t)strlen(s);
	while (i < len) {
		U8_NEXT((const uint8_t *)s, i, len, c);
		if (c < 0) {
			*cp = 0xFFFD;
			return 1;
		}
		switch (u_charType(c)) {
		case U_FORMAT_CHAR:
		case U_LINE_SEPARATOR:
		case U_PARAGRAPH_SEPARATOR:
			*cp = (uint32_t)c;
			return 1;
		default:
			break;
		}
	}
	return 0;
}

int
svc_event_input_check(const struct db_event *ev, char *why, size_t size)
{
	uint32_t cp;

	if (svc_text_has_invisible(ev->title, &cp)) {
		snprintf(why, size, "SUMMARY must not contain invisible format"
			 " characters (U+%04X)", (unsigned)cp);
		return -EINVAL;
	}
	if (ev->venue && svc_text_has_invisible(ev->venue, &cp)) {
		snprintf(why, size, "LOCATION must not contain invisible format"
			 " characters (U+%04X)", (unsigned)cp);
		return -EINVAL;
	}
	if (svc_text_has_invisible(ev->uid, &cp)) {
		snprintf(why, size, "UID must not contain invisible format"
			 " characters (U+%04X)", (unsigned)cp);
		return -EINVAL;
	}
	if (ev->rrule && cal_rrule_check_series(ev, why, size) != 0)
		return -EINVAL;
	return 0;
}
