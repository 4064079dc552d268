/*
 * sbuf.c: the one growable text buffer (sbuf.h): append octets, strings,
 * printf and CSV fields; on -ENOMEM the buffer is left as it was.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

static char sbuf_empty[1];

void
sbuf_init(struct sbuf *sb)
{
	sb->buf = sbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
}

void
sbuf_release(struct sbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	sbuf_init(sb);
}

static int
grow(struct sbuf *sb, size_t extra)
{
	size_t want, cap;
	char *nb;

	if (extra > (size_t)-1 / 2 - sb->len)
		return -ENOMEM;
	want = sb->len + extra + 1;
	if (want <= sb->alloc)
		return 0;
	cap = sb->alloc ? sb->alloc : 64;
	while (cap < want)
		cap *= 2;
	nb = sb->alloc ? realloc(sb->buf, cap) : malloc(cap);
	if (!nb)
		return -ENOMEM;
	if (!sb->alloc)
		nb[0] = '\0';
	sb->buf = nb;
	sb->alloc = cap;
	return 0;
}

int
sbuf_add(struct sbuf *sb, const char *data, size_t len)
{
	if (grow(sb, len) != 0)
		return -ENOMEM;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int
sbuf_adds(struct sbuf *sb, const char *s)
{
	return sbuf_add(sb, s, strlen(s));
}

int
sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(sb, (size_t)n) != 0)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return 0;
}

int
sbuf_add_csv(struct sbuf *sb, const char *s)
{
	struct sbuf tmp;
	const char *p;
	int rc = 0;

	if (!s)
		return 0;
	if (!strpbrk(s, ",\"\r\n"))
		return sbuf_adds(sb, s);
	sbuf_init(&tmp);
	rc |= sbuf_add(&tmp, "\"", 1);
	for (p = s; *p && rc == 0; p++)
		rc |= *p == '"' ? sbuf_add(&tmp, "\"\"", 2) : sbuf_add(&tmp, p, 1);
	rc |= sbuf_add(&tmp, "\"", 1);
	if (rc == 0)
		rc = sbuf_add(sb, tmp.buf, tmp.len);
	sbuf_release(&tmp);
	return rc ? -ENOMEM : 0;
}

char *
sbuf_detach(struct sbuf *sb)
{
	char *s = sb->alloc ? sb->buf : strdup("");

	sbuf_init(sb);
	return s;
}
