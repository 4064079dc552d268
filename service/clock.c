/*
 * clock.c: svc_now(), the real clock or a test clock (see clock.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../calendar/caltime.h"
#include "clock.h"

static int64_t fixed_now;	/* ROADSHOWD_NOW, or 0 */
static const char *now_file;	/* ROADSHOWD_NOW_FILE, or NULL */

/* The time the clock file holds, or 0 when it cannot be read or does not
 * hold an RFC 3339 time (trailing newlines and spaces are ignored). */
static int64_t
file_now(void)
{
	char text[64];
	int64_t t = 0;
	size_t n;
	FILE *f = fopen(now_file, "r");

	if (!f)
		return 0;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		n--;
	text[n] = '\0';
	return cal_time_parse_rfc3339(text, &t) == 0 ? t : 0;
}

int
svc_clock_init(void)
{
	const char *now = getenv("ROADSHOWD_NOW");

	now_file = getenv("ROADSHOWD_NOW_FILE");
	if (now_file && !*now_file)
		now_file = NULL;
	fixed_now = 0;
	if (now && *now && cal_time_parse_rfc3339(now, &fixed_now) != 0)
		return -EINVAL;
	return 0;
}

int64_t
svc_now(void)
{
	int64_t t = now_file ? file_now() : 0;

	if (t)
		return t;
	return fixed_now ? fixed_now : (int64_t)time(NULL);
}
