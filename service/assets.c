/*
 * assets.c: the table of files embedded at build time. To add one, list it
 * in ASSETS in the Makefile and add a row here with its content type.
 */
#include <pthread.h>
#include <string.h>

#include "assets.h"
#include "svc.h"

#define HTML "text/html; charset=utf-8"
#define JS "text/javascript; charset=utf-8"
#define CSS "text/css; charset=utf-8"

static const char console_index_html[] = {
#include "console/index.html.inc"
	0
};
static const char console_app_js[] = {
#include "console/app.js.inc"
	0
};
static const char console_i18n_js[] = {
#include "console/i18n.js.inc"
	0
};
static const char console_admin_i18n_js[] = {
#include "console/admin_i18n.js.inc"
	0
};
static const char console_admin_js[] = {
#include "console/admin.js.inc"
	0
};
static const char console_admin_access_js[] = {
#include "console/admin_access.js.inc"
	0
};
static const char console_app_css[] = {
#include "console/app.css.inc"
	0
};

#define ROW(path, ctype, arr) { path, ctype, arr, sizeof(arr) - 1, "" }

static struct svc_asset assets[] = {
	ROW("/console/index.html", HTML, console_index_html),
	ROW("/console/app.js", JS, console_app_js),
	ROW("/console/i18n.js", JS, console_i18n_js),
	ROW("/console/admin_i18n.js", JS, console_admin_i18n_js),
	ROW("/console/admin.js", JS, console_admin_js),
	ROW("/console/admin_access.js", JS, console_admin_access_js),
	ROW("/console/app.css", CSS, console_app_css),
};
#define N_ASSETS (sizeof(assets) / sizeof(assets[0]))

static pthread_once_t etags_once = PTHREAD_ONCE_INIT;

static void
compute_etags(void)
{
	size_t i;

	for (i = 0; i < N_ASSETS; i++)
		svc_etag_of(assets[i].data, assets[i].len, assets[i].etag);
}

const struct svc_asset *
svc_asset_find(const char *path)
{
	size_t i;

	pthread_once(&etags_once, compute_etags);
	for (i = 0; i < N_ASSETS; i++)
		if (strcmp(assets[i].path, path) == 0)
			return &assets[i];
	return NULL;
}
