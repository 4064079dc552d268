/*
 * input_limits: limits on event input that the README promises and that
 * several handlers share.
 */
#ifndef ROADSHOWD_INPUT_LIMITS_H
#define ROADSHOWD_INPUT_LIMITS_H

#include <stddef.h>
#include <stdint.h>

/*
 * 1 when the UTF-8 text s holds an invisible character: Unicode general
 * category Cf (format: U+200B..U+200F, U+202A..U+202E, U+2060..U+2064,
 * U+FEFF, U+00AD, ...), Zl (U+2028) or Zp (U+2029), per ICU's character
 * data; its code point goes into *cp. 0 when none (or s is NULL). Text
 * that is not UTF-8 counts as having one (*cp = 0xFFFD). s is borrowed.
 */
int svc_text_has_invisible(const char *s, uint32_t *cp);

struct db_event;

/*
 * The limits an imported event must keep that the parser does not check:
 * no invisible characters in its title, venue or UID, and a series that
 * keeps the RRULE work budget and ends by 2200-12-31 (cal_rrule_check_series()).
 * 0, or -EINVAL with a one-line reason in why (size octets). ev borrowed.
 */
int svc_event_input_check(const struct db_event *ev, char *why,
			  size_t size);

#endif
