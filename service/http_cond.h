/*
 * http_cond: conditional requests (RFC 9110 §13). The one entity-tag
 * list parser (If-Match, If-None-Match; §8.8.3 entity-tag grammar, §13.1.1
 * and §13.1.2 comparison) and If-Modified-Since evaluation (§13.1.3).
 * Pure functions on header strings: no libmicrohttpd type, so handlers
 * pass svc_header(req, ...) and tests pass literals.
 */
#ifndef ROADSHOWD_HTTP_COND_H
#define ROADSHOWD_HTTP_COND_H

#include <stdint.h>

/*
 * Evaluate an If-Match field value (borrowed; NULL when absent) against
 * etag, the current representation's strong entity-tag with its quotes
 * ("\"r7\"", borrowed). Strong comparison (RFC 9110 §8.8.3.2): a weak
 * W/ tag is valid but never matches. Returns 0 when field is NULL or
 * empty, is "*", or lists etag; -ESTALE when no listed tag matches
 * (answer 412); -EINVAL when field is not a comma list of entity-tags or
 * "*" (answer 400).
 */
int svc_if_match(const char *field, const char *etag);

/*
 * Evaluate an If-None-Match field value (borrowed; NULL when absent)
 * against etag (quoted, borrowed). Weak comparison (RFC 9110 §13.1.2):
 * W/"x" matches "x". Returns 1 when "*" or a listed tag matches (a GET
 * answers 304), else 0; a malformed list element is skipped, not an
 * error.
 */
int svc_if_none_match(const char *field, const char *etag);

/*
 * Evaluate an If-Modified-Since field value (borrowed; NULL when absent)
 * against last_modified (seconds since the epoch, UTC). Returns 1 when the
 * field is an IMF-fixdate (RFC 9110 §5.6.7) at or after last_modified
 * (not modified since), 0 when absent, not that format, or older.
 */
int svc_if_modified_since(const char *field, int64_t last_modified);

/*
 * The GET/HEAD 304 decision (RFC 9110 §13.2.2): If-None-Match (inm)
 * decides when present; else If-Modified-Since (ims) is used, but only
 * when lm_exact is 1 (no two changes share last_modified's second, so
 * the date names one state) and last_modified > 0. etag quoted; all
 * borrowed. Returns 1 to answer 304 Not Modified, else 0.
 */
int svc_not_modified(const char *inm, const char *ims, const char *etag,
		     int64_t last_modified, int lm_exact);

#endif
