/*
 * media_type.c: exact Content-Type matching.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "media_type.h"

static const char *
skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

int
svc_media_type_check(const char *ct, const char *const *types)
{
	const char *p = skip_ows(ct), *end;
	size_t n;
	int found = 0;

	end = p + strcspn(p, "; \t");
	n = (size_t)(end - p);
	for (; *types; types++)
		if (strlen(*types) == n && strncasecmp(p, *types, n) == 0)
			found = 1;
	if (!found)
		return -ENOTSUP;
	p = skip_ows(end);
	while (*p == ';') {
		const char *name = skip_ows(p + 1), *val;
		size_t nlen = strcspn(name, "=; \t"), vlen;

		val = name + nlen;
		if (*val != '=') {
			if (nlen)
				return -ENOTSUP;	/* "type; junk" */
			p = skip_ows(val);
			continue;
		}
		val++;
		if (*val == '"') {
			val++;
			vlen = strcspn(val, "\"");
			end = val + vlen + (val[vlen] == '"');
		} else {
			vlen = strcspn(val, "; \t");
			end = val + vlen;
		}
		if (nlen == 7 && strncasecmp(name, "charset", 7) == 0 &&
		    !(vlen == 5 && strncasecmp(val, "utf-8", 5) == 0) &&
		    !(vlen == 4 && strncasecmp(val, "utf8", 4) == 0))
			return -EILSEQ;
		p = skip_ows(end);
	}
	return *p ? -ENOTSUP : 0;
}
