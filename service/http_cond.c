/*
 * http_cond.c: entity-tag lists and If-Modified-Since (RFC 9110 §13.1).
 */
#define _GNU_SOURCE		/* strptime(3), timegm(3) */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "http_cond.h"

enum tag_kind { TAG_END, TAG_STAR, TAG_ONE, TAG_BAD };

/* One list element at *pp: "*", [W/]"opaque", or something else (then
 * *pp moves past the next comma). Separators are commas and OWS. */
static enum tag_kind
next_tag(const char **pp, int *weak, const char **opaque, size_t *len)
{
	const char *p = *pp, *q;
	enum tag_kind kind;

	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	if (!*p) {
		*pp = p;
		return TAG_END;
	}
	if (*p == '*') {
		q = p + 1;
		kind = TAG_STAR;
	} else {
		*weak = strncmp(p, "W/", 2) == 0;
		if (*weak)
			p += 2;
		if (*p != '"' || !(q = strchr(p + 1, '"')))
			goto bad;
		*opaque = p;
		*len = (size_t)(q + 1 - p);
		q++;
		kind = TAG_ONE;
	}
	if (*q && *q != ',' && *q != ' ' && *q != '\t')
		goto bad;
	*pp = q;
	return kind;
bad:
	while (*p && *p != ',')
		p++;
	*pp = p;
	return TAG_BAD;
}

int
svc_if_match(const char *field, const char *etag)
{
	const char *p = field, *opaque = NULL;
	size_t len = 0, n;
	int weak = 0, matched = 0;
	enum tag_kind k;

	if (!field)
		return 0;
	n = strlen(etag);
	while ((k = next_tag(&p, &weak, &opaque, &len)) != TAG_END) {
		if (k == TAG_BAD)
			return -EINVAL;
		if (k == TAG_STAR ||
		    (!weak && len == n && memcmp(opaque, etag, n) == 0))
			matched = 1;	/* strong comparison: W/ never */
	}
	return matched || !*field ? 0 : -ESTALE;
}

int
svc_if_none_match(const char *field, const char *etag)
{
	const char *p = field, *opaque = NULL;
	size_t len = 0, n;
	int weak = 0;
	enum tag_kind k;

	if (!field)
		return 0;
	n = strlen(etag);
	while ((k = next_tag(&p, &weak, &opaque, &len)) != TAG_END)
		if (k == TAG_STAR ||
		    (k == TAG_ONE && len == n && memcmp(opaque, etag, n) == 0))
			return 1;	/* weak comparison: W/ ignored */
	return 0;
}

int
svc_if_modified_since(const char *field, int64_t last_modified)
{
	struct tm tm;
	const char *end;

	if (!field)
		return 0;
	memset(&tm, 0, sizeof(tm));
	end = strptime(field, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return end && *end == '\0' && (int64_t)timegm(&tm) >= last_modified;
}

int
svc_not_modified(const char *inm, const char *ims, const char *etag,
		 int64_t last_modified, int lm_exact)
{
	if (inm)
		return etag ? svc_if_none_match(inm, etag) : 0;
	if (!lm_exact || last_modified <= 0)
		return 0;
	return svc_if_modified_since(ims, last_modified);
}
