/*
 * router: the route table. One row per route holds its whole policy:
 * method, path pattern, handler, who may call it, body limit, accepted
 * request media types and flags (STYLE.md §6). server.c asks
 * svc_route_find() and svc_route_run(); no handler checks a path.
 */
#ifndef ROADSHOWD_ROUTER_H
#define ROADSHOWD_ROUTER_H

#include <stddef.h>

#include "svc.h"

/* Row flags. */
#define SVC_ROUTE_LOCK_FREE	0x1	/* runs without svc->lock on the
					 * thread's read connection (feeds,
					 * /healthz) */
#define SVC_ROUTE_CSRF_EXEMPT	0x2	/* authenticates by its own credential
					 * (password, invite token): the CSRF
					 * gate lets it through */

/* Request media types a row accepts (checked when Content-Type is sent,
 * RFC 9110 §8.3; svc_media_type_check()). */
enum svc_accept {
	SVC_ACCEPT_ANY,		/* no body, or not checked */
	SVC_ACCEPT_JSON,	/* application/json, merge-patch+json, and
				 * curl -d's form type read as JSON */
	SVC_ACCEPT_JSON_ONLY,	/* application/json */
	SVC_ACCEPT_FORM,	/* application/x-www-form-urlencoded; the
				 * header is required */
	SVC_ACCEPT_ICS,		/* text/calendar */
};

struct svc_route {
	const char *method;		/* "GET" (also answers HEAD), ... */
	const char *pattern;		/* "{}" matches one path segment; a
					 * final "*" the rest of the path */
	svc_handler handler;
	enum svc_auth_need auth;	/* checked by svc_auth_gate() before
					 * the handler runs */
	const char *what;		/* plural noun for the gate's 401/403
					 * details ("tokens") */
	size_t max_body;		/* octets; larger gets 413 */
	enum svc_accept accept;
	unsigned int flags;		/* SVC_ROUTE_* */
};

/* The result of svc_route_find(); the caller's, usually on its stack. */
struct svc_route_match {
	const struct svc_route *route;	/* the row, or NULL */
	const char *params[4];		/* "{}" segments, into scratch */
	size_t n_params;
	size_t max_body;		/* octets: the row's, else the
					 * largest of the path's rows */
	char allow[128];		/* for a 405: "GET, HEAD, POST" */
	char scratch[512];		/* a copy of the path */
};

/*
 * Find the row for method (HEAD is looked up as GET) and path (no query;
 * borrowed). Literal patterns are tried before patterns with "{}" or
 * "*". Returns 0 (m->route and m->params set), -ENOENT when no row has
 * the path (404), -EOPNOTSUPP when rows have the path but not the method
 * (405; m->allow lists the methods). m->max_body is set in every case
 * (SVC_MAX_BODY when no row has the path).
 */
int svc_route_find(const char *method, const char *path,
		   struct svc_route_match *m);

/*
 * Run the matched row for req (req->path and method set, body complete):
 * count the request, take svc->lock unless the row is lock-free, apply
 * the CSRF gate, the row's auth requirement (svc_auth_gate(); the
 * caller is then in req->auth for the handler) and its media types,
 * call the handler, and after a write mark the feeds changed. For
 * -ENOENT/-EOPNOTSUPP from svc_route_find() answer 404/405 (rc).
 * Returns what the handler or the answer returned.
 */
enum MHD_Result svc_route_run(struct svc_request *req,
			      struct svc_route_match *m, int rc);

#endif
