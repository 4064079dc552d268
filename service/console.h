/*
 * console: the organisers' console (issue 8) — pages and the read-only
 * routes they use (h_console.c).
 */
#ifndef ROADSHOWD_CONSOLE_H
#define ROADSHOWD_CONSOLE_H

#include "svc.h"

/* GET /console, /console/...: embedded files; index.html for deep links;
 * every answer with the pages' security headers. */
enum MHD_Result svc_h_console(struct svc_request *req);

/* GET /api/v1/recurrence/preview: the next occurrences of an unsaved
 * RRULE (bounded expansion; nothing stored). */
enum MHD_Result svc_h_recurrence_preview(struct svc_request *req);


#endif
