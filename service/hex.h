/*
 * hex: the one lower-case hexadecimal encoder of service/ (token digests,
 * ETags, cache keys).
 */
#ifndef ROADSHOWD_HEX_H
#define ROADSHOWD_HEX_H

#include <stddef.h>

/*
 * Write the n octets of in (borrowed) as 2*n lower-case hex digits and a
 * NUL into out (at least 2*n + 1 octets, caller's). Returns out.
 */
char *svc_hex(const void *in, size_t n, char *out);

/*
 * Write octet c percent-encoded (RFC 3986 §2.1: "%" and two upper-case
 * hex digits) into out (3 octets, no NUL). Returns out + 3.
 */
char *svc_hex_pct(unsigned char c, char *out);

#endif
