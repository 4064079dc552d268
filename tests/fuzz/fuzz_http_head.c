/*
 * fuzz_http_head: the raw request head as the gate in front of
 * libmicrohttpd sees it (service/strict_http.c, svc_strict_check_head()),
 * at most SVC_HEAD_MAX octets as the gate peeks. Besides memory errors it
 * checks that a head found valid ends with CR LF CR LF, is valid on its
 * own, and that every shorter prefix of it asks for more octets (so the
 * gate never refuses a good head that arrives in pieces).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../service/strict_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svc_head_refusal why;
	const char *s = (const char *)data;
	long rc, again;
	size_t n;

	if (size > SVC_HEAD_MAX)
		size = SVC_HEAD_MAX;
	rc = svc_strict_check_head(s, size, &why);
	if (rc < 0) {
		if ((rc != -EBADMSG && rc != -EMSGSIZE) || !why.code ||
		    !why.field || !why.type || !why.detail)
			abort();
		return 0;
	}
	if (rc == 0)
		return 0;
	if ((size_t)rc > size || rc < 4 || memcmp(s + rc - 4, "\r\n\r\n", 4))
		abort();
	again = svc_strict_check_head(s, (size_t)rc, &why);
	if (again != rc)
		abort();
	if (rc <= 2048)
		for (n = 0; n < (size_t)rc; n++)
			if (svc_strict_check_head(s, n, &why) != 0)
				abort();
	return 0;
}
