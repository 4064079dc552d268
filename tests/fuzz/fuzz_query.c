/*
 * fuzz_query: a request's path and query string as the server reads them:
 * percent-decoding with the %00 check (svc_limits_unescape()'s decoder),
 * the access-log path without secrets, and the parsers the filters use for
 * values (RFC 3339 times, dates, kinds, Content-Type, invisible
 * characters). Input: "path?name=value&name=value".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "../../calendar/caltime.h"
#include "../../calendar/kind.h"
#include "../../service/input_limits.h"
#include "../../service/limits.h"
#include "../../service/media_type.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
value(const char *name, const char *v)
{
	static const char *const json[] = { "application/json", NULL };
	int64_t t;
	int y, m, d;
	uint32_t cp;

	if (strcmp(name, "from") == 0 || strcmp(name, "to") == 0 ||
	    strcmp(name, "as_of") == 0)
		cal_time_parse_rfc3339(v, &t);
	else if (strcmp(name, "date") == 0)
		cal_date_parse(v, &y, &m, &d);
	else if (strcmp(name, "kind") == 0)
		cal_kind_find(v);
	else if (strcmp(name, "ct") == 0)
		svc_media_type_check(v, json);
	else
		svc_text_has_invisible(v, &cp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char *s, *q, *pair, *save = NULL, log[256];

	if (!ready) {
		cal_init();
		ready = 1;
	}
	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	q = strchr(s, '?');
	if (q)
		*q++ = '\0';
	svc_limits_log_path(s, log, sizeof(log));
	MHD_http_unescape(s);
	for (pair = q ? strtok_r(q, "&", &save) : NULL; pair;
	     pair = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(pair, '=');

		if (!eq)
			continue;
		*eq = '\0';
		MHD_http_unescape(pair);
		MHD_http_unescape(eq + 1);
		value(pair, eq + 1);
	}
	free(s);
	return 0;
}
