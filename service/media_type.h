/*
 * media_type: Content-Type of a request body, matched exactly (RFC 9110
 * §8.3.1: type/subtype, case-insensitive, then parameters).
 */
#ifndef ROADSHOWD_MEDIA_TYPE_H
#define ROADSHOWD_MEDIA_TYPE_H

/*
 * 0 when the Content-Type value ct (borrowed) names one of types (a
 * NULL-terminated list, borrowed) exactly and its charset parameter, if
 * any, is UTF-8; -ENOTSUP when the type is another; -EILSEQ when the
 * charset is not UTF-8.
 */
int svc_media_type_check(const char *ct, const char *const *types);

#endif
