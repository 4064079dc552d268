/*
 * h_dashboard.c: GET / — the leaders' page (zh-CN). A static document; it
 * reads the JSON API from the browser, so the server formats no HTML.
 * The page, its script and its style are embedded at build time from
 * service/dashboard.{html,js,css}; the script and style are separate files
 * so the Content-Security-Policy can forbid inline code.
 */
#include <stdlib.h>
#include <string.h>

#include "svc.h"

static const char page[] = {
#include "dashboard.inc"
	0
};

static const char script[] = {
#include "dashboard_js.inc"
	0
};

static const char style[] = {
#include "dashboard_css.inc"
	0
};

/* Answer one embedded file (data: sizeof - 1 octets) with the pages'
 * security headers. */
static enum MHD_Result
answer(struct svc_request *req, const char *ctype, const char *data,
       size_t len)
{
	char *copy = malloc(len + 1);
	char etag[40];

	if (copy)
		memcpy(copy, data, len + 1);
	svc_etag_of(data, len, etag);
	req->html = 1;
	return svc_respond_text(req, 200, ctype, copy, len, etag, 0, 0);
}

enum MHD_Result
svc_h_dashboard(struct svc_request *req)
{
	return answer(req, "text/html; charset=utf-8", page, sizeof(page) - 1);
}

enum MHD_Result
svc_h_dashboard_js(struct svc_request *req)
{
	return answer(req, "text/javascript; charset=utf-8", script,
		      sizeof(script) - 1);
}

enum MHD_Result
svc_h_dashboard_css(struct svc_request *req)
{
	return answer(req, "text/css; charset=utf-8", style,
		      sizeof(style) - 1);
}
