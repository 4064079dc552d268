/*
 * assets: static files embedded in the binary at build time (the console's
 * pages, scripts and styles). The Makefile turns each listed file into a
 * byte array ($(O)/assets/<path>.inc); assets.c keeps one table of them
 * with their content types.
 */
#ifndef ROADSHOWD_ASSETS_H
#define ROADSHOWD_ASSETS_H

#include <stddef.h>

struct svc_asset {
	const char *path;	/* URL path, e.g. "/console/app.js" */
	const char *ctype;	/* Content-Type header value */
	const char *data;	/* the file's bytes, NUL-terminated */
	size_t len;		/* octets, not counting the NUL */
	char etag[40];		/* quoted strong ETag, filled at first use */
};

/*
 * The embedded file served at URL path path (borrowed), or NULL. The
 * result is borrowed from a static table, valid for the process' life.
 * Thread-safe (the table's ETags are computed once, under a pthread_once).
 */
const struct svc_asset *svc_asset_find(const char *path);

#endif
