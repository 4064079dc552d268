/*
 * sbuf: the project's one growable NUL-terminated buffer (after git's
 * strbuf): request bodies as they arrive, the import child's input and
 * output, CSV, /metrics, CLI reports. JSON and iCalendar are built by
 * jansson and libical, never by hand.
 * On allocation failure functions return -ENOMEM and leave the buffer as
 * it was.
 */
#ifndef ROADSHOWD_SBUF_H
#define ROADSHOWD_SBUF_H

#include <stddef.h>

struct sbuf {
	char *buf;	/* NUL-terminated; never NULL after sbuf_init() */
	size_t len;	/* octets used, not counting the NUL */
	size_t alloc;	/* octets allocated; 0 while buf is the empty slot */
};

/* Make sb empty. Allocates nothing. */
void sbuf_init(struct sbuf *sb);
/* Free the storage; sb is empty again. */
void sbuf_release(struct sbuf *sb);
/* Append len octets. 0 or -ENOMEM. */
int sbuf_add(struct sbuf *sb, const char *data, size_t len);
/* Append a string. 0 or -ENOMEM. */
int sbuf_adds(struct sbuf *sb, const char *s);
/* Append formatted text. 0 or -ENOMEM. */
int sbuf_addf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append s as one RFC 4180 CSV field (quoted when it holds , " CR LF). */
int sbuf_add_csv(struct sbuf *sb, const char *s);
/* Hand the text to the caller, who frees it with free(); sb is empty
 * again. NULL when out of memory. */
char *sbuf_detach(struct sbuf *sb);

#endif
