/*
 * hex.c: lower-case hexadecimal encoding.
 */
#include "hex.h"

static const char lower[] = "0123456789abcdef";
static const char upper[] = "0123456789ABCDEF";

char *
svc_hex(const void *in, size_t n, char *out)
{
	const char *digits = lower;
	const unsigned char *b = in;
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 0x0f];
	}
	out[2 * n] = '\0';
	return out;
}

char *
svc_hex_pct(unsigned char c, char *out)
{
	out[0] = '%';
	out[1] = upper[c >> 4];
	out[2] = upper[c & 0x0f];
	return out + 3;
}
