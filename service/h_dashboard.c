/*
 * h_dashboard.c: GET / — the leaders' page (zh-CN, with an English
 * switch) and its files: /dashboard.css, /dashboard.js, /favicon.svg
 * (also answered for /favicon.ico). Static documents embedded at build
 * time from service/dashboard.{html,css,js} and service/favicon.svg (the
 * Makefile's DASHBOARD_ASSETS); the page reads the JSON API from the
 * browser, so the server formats no HTML. No inline script or style: the
 * page's Content-Security-Policy is default-src 'self'.
 */
#include <stdlib.h>
#include <string.h>

#include "svc.h"

static const char page_html[] = {
#include "dashboard.html.inc"
	0
};
static const char page_css[] = {
#include "dashboard.css.inc"
	0
};
static const char page_js[] = {
#include "dashboard.js.inc"
	0
};
static const char favicon_svg[] = {
#include "favicon.svg.inc"
	0
};

/* Answer one embedded file (size octets, without the final NUL). */
static enum MHD_Result
asset(struct svc_request *req, const char *data, size_t size,
      const char *ctype)
{
	char *copy = malloc(size + 1);
	char etag[40];

	if (copy)
		memcpy(copy, data, size + 1);
	svc_etag_of(data, size, etag);
	req->html = 1;		/* the pages' security headers */
	return svc_respond_text(req, 200, ctype, copy, size, etag, 0, 0);
}

enum MHD_Result
svc_h_dashboard(struct svc_request *req)
{
	return asset(req, page_html, sizeof(page_html) - 1,
		     "text/html; charset=utf-8");
}

enum MHD_Result
svc_h_dashboard_css(struct svc_request *req)
{
	return asset(req, page_css, sizeof(page_css) - 1,
		     "text/css; charset=utf-8");
}

enum MHD_Result
svc_h_dashboard_js(struct svc_request *req)
{
	return asset(req, page_js, sizeof(page_js) - 1,
		     "text/javascript; charset=utf-8");
}

enum MHD_Result
svc_h_favicon(struct svc_request *req)
{
	return asset(req, favicon_svg, sizeof(favicon_svg) - 1,
		     "image/svg+xml");
}
