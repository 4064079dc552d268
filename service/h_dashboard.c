/*
 * h_dashboard.c: GET / — the leaders' page (zh-CN). A static document; it
 * reads the JSON API from the browser, so the server formats no HTML.
 * The page is embedded at build time from service/dashboard.html.
 */
#include <stdlib.h>
#include <string.h>

#include "svc.h"

static const char page[] = {
#include "dashboard.inc"
	0
};

enum MHD_Result
svc_h_dashboard(struct svc_request *req)
{
	size_t len = sizeof(page) - 1;
	char *copy = malloc(len + 1);
	char etag[40];

	if (copy)
		memcpy(copy, page, len + 1);
	svc_etag_of(page, len, etag);
	return svc_respond_text(req, 200, "text/html; charset=utf-8", copy,
				len, etag, 0, 0);
}
