/*
 * h_qr.c: GET /qr.svg?path=FEEDPATH — a QR code (ISO/IEC 18004, made by
 * libqrencode) of this server's public URL for one of its feeds, as SVG,
 * for the dashboard's subscribe panel: a phone scans it and opens the
 * https link. Only feed paths are encoded (the server is no general QR
 * maker): /calendar.ics or /calendars/{regions|carriers|kinds|partners}/
 * SLUG.ics, optionally with ?mark_cancelled=1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "sbuf.h"
#include "svc.h"

#define QR_QUIET 4		/* quiet zone, modules (ISO/IEC 18004 §6.3.8) */
#define QR_MAX_PATH 160

/* Whether path names a public feed (see the file comment). */
static int
feed_path_ok(const char *path)
{
	static const char *const dirs[] = {
		"/calendars/regions/", "/calendars/carriers/",
		"/calendars/kinds/", "/calendars/partners/",
	};
	const char *q = strchr(path, '?'), *slug = NULL, *p;
	size_t len = q ? (size_t)(q - path) : strlen(path), i, n;

	if (strlen(path) > QR_MAX_PATH)
		return 0;
	if (q && strcmp(q, "?mark_cancelled=1") != 0)
		return 0;
	if (len == strlen("/calendar.ics") &&
	    strncmp(path, "/calendar.ics", len) == 0)
		return 1;
	for (i = 0; i < 4 && !slug; i++) {
		n = strlen(dirs[i]);
		if (strncmp(path, dirs[i], n) == 0)
			slug = path + n;
	}
	if (!slug || len < (size_t)(slug - path) + 5 ||
	    strncmp(path + len - 4, ".ics", 4) != 0)
		return 0;
	for (p = slug; p < path + len - 4; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-'))
			return 0;
	return 1;
}

/*
 * The SVG of a QR code for text: one path of dark modules on white, a
 * quiet zone of QR_QUIET modules, 4 px per module by default. Caller frees
 * with free(); NULL when out of memory or text cannot be encoded.
 */
static char *
qr_svg(const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	struct sbuf sb;
	int x, y, run, size, rc;

	if (!qr)
		return NULL;
	size = qr->width + 2 * QR_QUIET;
	sbuf_init(&sb);
	rc = sbuf_addf(&sb, "<svg xmlns=\"http://www.w3.org/2000/svg\""
		       " viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
		       " shape-rendering=\"crispEdges\">"
		       "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
		       "<path fill=\"#000\" d=\"", size, size, size * 4,
		       size * 4, size, size);
	for (y = 0; rc == 0 && y < qr->width; y++) {
		for (x = 0; rc == 0 && x < qr->width; x += run ? run : 1) {
			run = 0;
			while (x + run < qr->width &&
			       (qr->data[y * qr->width + x + run] & 1))
				run++;
			if (run)
				rc = sbuf_addf(&sb, "M%d %dh%dv1h-%dz",
					       x + QR_QUIET, y + QR_QUIET, run,
					       run);
		}
	}
	if (rc == 0)
		rc = sbuf_adds(&sb, "\"/></svg>\n");
	QRcode_free(qr);
	if (rc != 0) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb);
}

enum MHD_Result
svc_h_qr(struct svc_request *req)
{
	const char *path = svc_query(req, "path");
	char url[512], etag[40], *svg;
	json_t *errors;

	if (!path || !feed_path_ok(path)) {
		errors = json_array();
		if (errors)
			svc_problem_add(errors, "path", "must be a feed path:"
					" /calendar.ics or /calendars/{regions"
					"|carriers|kinds|partners}/SLUG.ics,"
					" optionally ?mark_cancelled=1");
		return svc_problem_fields(req, SVC_PROB_INVALID_QUERY, NULL,
					  errors);
	}
	snprintf(url, sizeof(url), "%s%s", req->svc->public_base, path);
	svg = qr_svg(url);
	if (!svg)
		return svc_respond_errno(req, -ENOMEM, "");
	svc_etag_of(svg, strlen(svg), etag);
	return svc_respond_text(req, 200, "image/svg+xml", svg, strlen(svg),
				etag, 0, 0);
}
