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

/* GET /api/v1/events/{id}/history: the event's history rows,
 * {"items": [{at, actor, action, before, after}]} oldest first. (Branch
 * `admin` serves the same route with a superset of these members; when
 * both are merged, keep one route row.) */
enum MHD_Result svc_h_console_history(struct svc_request *req);

#endif
