/*
 * router.c: the route table and the request's way through its policy
 * (router.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "ics_import.h"
#include "media_type.h"
#include "router.h"
#include "svc_admin.h"

#define ANON SVC_AUTH_ANON
#define OPT SVC_AUTH_OPTIONAL
#define CALLER SVC_AUTH_CALLER
#define ADMIN SVC_AUTH_ADMIN
#define ANY SVC_ACCEPT_ANY
#define JSON SVC_ACCEPT_JSON
#define MB SVC_MAX_BODY
#define LOCK_FREE SVC_ROUTE_LOCK_FREE
#define NO_CSRF SVC_ROUTE_CSRF_EXEMPT

/* method, pattern, handler, auth, what (for 401/403), body limit, media
 * types, flags */
static const struct svc_route routes[] = {
	{ "GET", "/", svc_h_dashboard, ANON, NULL, MB, ANY, 0 },
	{ "GET", "/dashboard.css", svc_h_dashboard_css, ANON, NULL, MB, ANY, 0 },
	{ "GET", "/dashboard.js", svc_h_dashboard_js, ANON, NULL, MB, ANY, 0 },
	{ "GET", "/favicon.svg", svc_h_favicon, ANON, NULL, MB, ANY, 0 },
	{ "GET", "/favicon.ico", svc_h_favicon, ANON, NULL, MB, ANY, 0 },
	{ "GET", "/qr.svg", svc_h_qr, ANON, NULL, MB, ANY, 0 },
	{ "GET", "/healthz", svc_h_healthz, ANON, NULL, MB, ANY, LOCK_FREE },
	{ "GET", "/metrics", svc_h_metrics, ANON, NULL, MB, ANY, 0 },
	{ "GET", "/calendar.ics", svc_h_feed_all, ANON, NULL, MB, ANY,
	  LOCK_FREE },
	{ "GET", "/calendars/{}/{}", svc_h_feed_scoped, ANON, NULL, MB, ANY,
	  LOCK_FREE },
	{ "GET", "/api/v1/regions", svc_h_regions, ANON, NULL, MB, ANY, 0 },
	{ "GET", "/api/v1/regions/{}", svc_h_region, ANON, NULL, MB, ANY, 0 },
	{ "GET", "/api/v1/carriers", svc_h_carriers, ANON, NULL, MB, ANY, 0 },
	{ "GET", "/api/v1/carriers/{}", svc_h_carrier, ANON, NULL, MB, ANY,
	  0 },
	{ "GET", "/api/v1/kinds", svc_h_kinds, ANON, NULL, MB, ANY, 0 },
	{ "GET", "/api/v1/events", svc_h_events_list, OPT, NULL, MB, ANY, 0 },
	{ "POST", "/api/v1/events", svc_h_events_create, CALLER,
	  "writing an event", MB, JSON, 0 },
	{ "POST", "/api/v1/events/import", svc_h_import, CALLER, "importing",
	  SVC_MAX_IMPORT_BODY, SVC_ACCEPT_ICS, 0 },
	{ "GET", "/api/v1/events/{}", svc_h_event_get, OPT, NULL, MB, ANY,
	  0 },
	{ "PATCH", "/api/v1/events/{}", svc_h_event_patch, CALLER,
	  "writing an event", MB, JSON, 0 },
	{ "PUT", "/api/v1/events/{}", svc_h_event_put, CALLER,
	  "writing an event", MB, JSON, 0 },
	{ "DELETE", "/api/v1/events/{}", svc_h_event_delete, CALLER,
	  "deleting an event", MB, ANY, 0 },
	{ "POST", "/api/v1/events/{}/cancel", svc_h_event_cancel, CALLER,
	  "cancelling an event", MB, ANY, 0 },
	{ "PATCH", "/api/v1/events/{}/occurrences/{}",
	  svc_h_occurrence_patch, CALLER, "writing an event", MB, JSON, 0 },
	{ "POST", "/api/v1/events/{}/occurrences/{}/cancel",
	  svc_h_occurrence_cancel, CALLER, "cancelling an event", MB, ANY,
	  0 },
	{ "GET", "/api/v1/events/{}/history", svc_h_event_history, CALLER,
	  "reading an event's history", MB, ANY, 0 },
	{ "GET", "/api/v1/cadence", svc_h_cadence, OPT, NULL, MB, ANY, 0 },
	{ "GET", "/api/v1/cadence/matrix", svc_h_cadence_matrix, OPT, NULL,
	  MB, ANY, 0 },
	{ "GET", "/api/v1/cadence/summary", svc_h_cadence_summary, OPT,
	  NULL, MB, ANY, 0 },
	{ "GET", "/api/v1/cadence/cell", svc_h_cadence_cell, OPT, NULL, MB,
	  ANY, 0 },
	{ "GET", "/api/v1/rules", svc_h_rules_list, ANON, NULL, MB, ANY, 0 },
	{ "POST", "/api/v1/rules", svc_h_rules_create, ADMIN,
	  "changing cadence rules", MB, JSON, 0 },
	{ "GET", "/api/v1/rules/{}", svc_h_rule_get, ANON, NULL, MB, ANY, 0 },
	{ "PATCH", "/api/v1/rules/{}", svc_h_rule_patch, ADMIN,
	  "changing cadence rules", MB, JSON, 0 },
	{ "DELETE", "/api/v1/rules/{}", svc_h_rule_delete, ADMIN,
	  "changing cadence rules", MB, ANY, 0 },
	{ "GET", "/console", svc_h_console, ANON, NULL, MB, ANY, 0 },
	{ "GET", "/console/*", svc_h_console, ANON, NULL, MB, ANY, 0 },
	{ "GET", "/api/v1/recurrence/preview", svc_h_recurrence_preview,
	  CALLER, "previewing a recurrence", MB, ANY, 0 },
	{ "GET", "/api/v1/subscriptions", svc_h_subscriptions_list, ADMIN,
	  "managing subscriptions", MB, ANY, 0 },
	{ "POST", "/api/v1/subscriptions", svc_h_subscriptions_create, ADMIN,
	  "managing subscriptions", MB, JSON, 0 },
	{ "DELETE", "/api/v1/subscriptions/{}", svc_h_subscription_delete,
	  ADMIN, "managing subscriptions", MB, ANY, 0 },
	{ "POST", "/console/login", svc_h_login, ANON, NULL, MB,
	  SVC_ACCEPT_FORM, NO_CSRF },
	{ "POST", "/console/logout", svc_h_logout, ANON, NULL, MB, ANY, 0 },
	{ "GET", "/api/v1/me", svc_h_me, CALLER, "this", MB, ANY, 0 },
	{ "POST", "/api/v1/invites/accept", svc_h_invite_accept, ANON, NULL,
	  MB, SVC_ACCEPT_JSON_ONLY, NO_CSRF },
	{ "GET", "/api/v1/accounts", svc_h_accounts_list, ADMIN,
	  "managing accounts", MB, ANY, 0 },
	{ "POST", "/api/v1/accounts", svc_h_accounts_create, ADMIN,
	  "managing accounts", MB, SVC_ACCEPT_JSON_ONLY, 0 },
	{ "PATCH", "/api/v1/accounts/{}", svc_h_account_patch, ADMIN,
	  "managing accounts", MB, SVC_ACCEPT_JSON_ONLY, 0 },
	{ "POST", "/api/v1/accounts/{}/invite", svc_h_account_invite, ADMIN,
	  "managing accounts", MB, ANY, 0 },
	/* admin data (issue 9): svc_admin.h */
	{ "POST", "/api/v1/carriers", svc_h_carriers_create, ADMIN,
	  "changing carriers", MB, JSON, 0 },
	{ "PATCH", "/api/v1/carriers/{}", svc_h_carrier_patch, ADMIN,
	  "changing carriers", MB, JSON, 0 },
	{ "POST", "/api/v1/regions", svc_h_regions_create, ADMIN,
	  "changing regions", MB, JSON, 0 },
	{ "PATCH", "/api/v1/regions/{}", svc_h_region_patch, ADMIN,
	  "changing regions", MB, JSON, 0 },
	{ "GET", "/api/v1/tokens", svc_h_tokens_list, ADMIN,
	  "managing tokens", MB, ANY, 0 },
	{ "POST", "/api/v1/tokens", svc_h_tokens_create, ADMIN,
	  "managing tokens", MB, JSON, 0 },
	{ "DELETE", "/api/v1/tokens/{}", svc_h_token_revoke, ADMIN,
	  "managing tokens", MB, ANY, 0 },
	{ "POST", "/api/v1/tokens/{}/revoke", svc_h_token_revoke, ADMIN,
	  "managing tokens", MB, ANY, 0 },
	{ "GET", "/api/v1/audit", svc_h_audit, ADMIN,
	  "reading the audit trail", MB, ANY, 0 },
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

/* Match path against pattern, collecting "{}" segments into m->params
 * (pointing into m->scratch, a copy of path). */
static int
match(const char *pattern, const char *path, struct svc_route_match *m)
{
	const char *p = pattern;
	char *s;

	if (strlen(path) >= sizeof(m->scratch))
		return 0;
	strcpy(m->scratch, path);
	m->n_params = 0;
	s = m->scratch;
	while (*p && *s) {
		if (p[0] == '*' && p[1] == '\0')
			return 1;
		if (p[0] == '{' && p[1] == '}') {
			char *seg = s;

			while (*s && *s != '/')
				s++;
			if (s == seg || m->n_params == 4)
				return 0;
			m->params[m->n_params++] = seg;
			p += 2;
			if (*s == '/' && *p == '/') {
				*s++ = '\0';
				p++;
			}
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return (*p == '\0' || (p[0] == '*' && p[1] == '\0')) && *s == '\0';
}

static void
allow_add(struct svc_route_match *m, const char *method)
{
	if (strlen(m->allow) + 10 >= sizeof(m->allow))
		return;
	if (*m->allow)
		strcat(m->allow, ", ");
	strcat(m->allow, method);
	if (strcmp(method, "GET") == 0)
		strcat(m->allow, ", HEAD");
}

int
svc_route_find(const char *method, const char *path,
	       struct svc_route_match *m)
{
	int path_found = 0, pass;
	size_t i;

	memset(m, 0, sizeof(*m));
	m->max_body = SVC_MAX_BODY;
	if (strcmp(method, "HEAD") == 0)
		method = "GET";		/* MHD sends no body for HEAD */
	/* Literal paths first: /api/v1/events/import is not event "import",
	 * POST /console/login is not a console page. */
	for (pass = 0; pass < 2 && !path_found; pass++)
	for (i = 0; i < N_ROUTES; i++) {
		if ((strpbrk(routes[i].pattern, "{*") != NULL) != pass ||
		    !match(routes[i].pattern, path, m))
			continue;
		if (!path_found || routes[i].max_body > m->max_body)
			m->max_body = routes[i].max_body;
		path_found = 1;
		allow_add(m, routes[i].method);
		if (strcmp(routes[i].method, method) != 0)
			continue;
		m->route = &routes[i];
		m->max_body = routes[i].max_body;
		return 0;
	}
	m->n_params = 0;
	return path_found ? -EOPNOTSUPP : -ENOENT;
}

/* 0 when the request's Content-Type suits accept, else the 415 queued in
 * *ret (RFC 9110 §15.5.16). */
static int
check_media_type(struct svc_request *req, enum svc_accept accept,
		 enum MHD_Result *ret)
{
	static const char *const json[] = {
		"application/json", "application/merge-patch+json",
		"application/x-www-form-urlencoded", NULL,
	};
	static const char *const json_only[] = { "application/json", NULL };
	static const char *const form[] = {
		"application/x-www-form-urlencoded", NULL,
	};
	static const char *const ics[] = {
		"text/calendar", "application/octet-stream", NULL,
	};
	static const char *const *const lists[] = {
		[SVC_ACCEPT_JSON] = json, [SVC_ACCEPT_JSON_ONLY] = json_only,
		[SVC_ACCEPT_FORM] = form, [SVC_ACCEPT_ICS] = ics,
	};
	static const char *const wanted[] = {
		[SVC_ACCEPT_JSON] = "send application/json",
		[SVC_ACCEPT_JSON_ONLY] = "send application/json",
		[SVC_ACCEPT_FORM] = "send the log-in form as"
				    " application/x-www-form-urlencoded",
		[SVC_ACCEPT_ICS] = "send the file as text/calendar",
	};
	const char *ct = svc_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
	int rc;

	if (accept == SVC_ACCEPT_ANY)
		return 0;
	if (!ct && accept != SVC_ACCEPT_FORM)
		return 0;	/* curl without -H: read as the row's type */
	rc = ct ? svc_media_type_check(ct, lists[accept]) : -ENOTSUP;
	if (rc == 0)
		return 0;
	*ret = svc_problem(req, SVC_PROB_UNSUPPORTED_MEDIA_TYPE,
			   rc != -EILSEQ || accept == SVC_ACCEPT_FORM ?
			   wanted[accept] :
			   accept == SVC_ACCEPT_ICS ? "iCalendar is read as"
			   " UTF-8 (RFC 5545 §3.1.4): send charset=utf-8 or"
			   " no charset" : "JSON is read as UTF-8: send"
			   " charset=utf-8 or no charset", NULL);
	return -1;
}

/* The row's policy, then its handler (svc->lock held unless lock-free). */
static enum MHD_Result
run_row(struct svc_request *req, const struct svc_route *r)
{
	enum MHD_Result ret;
	int rc;

	if (!(r->flags & SVC_ROUTE_CSRF_EXEMPT) &&
	    (rc = svc_csrf_gate(req)) != 0)
		return rc == -EPERM ? svc_respond_csrf(req) :
		       svc_respond_errno(req, rc, "the session");
	rc = svc_auth_gate(req, r->auth, &req->auth);
	if (rc != 0)
		return svc_auth_refuse(req, rc, r->what);
	if (check_media_type(req, r->accept, &ret) == 0)
		ret = r->handler(req);
	svc_auth_release(&req->auth);
	return ret;
}

enum MHD_Result
svc_route_run(struct svc_request *req, struct svc_route_match *m, int rc)
{
	struct svc *svc = req->svc;
	const struct svc_route *r = m->route;
	enum MHD_Result ret;
	char detail[200];

	if (rc == 0) {
		memcpy(req->params, m->params, sizeof(req->params));
		req->n_params = m->n_params;
		if (!req->pending)	/* not again after a resume */
			svc->requests++;
		if (r->flags & SVC_ROUTE_LOCK_FREE) {
			req->db = svc_reader(svc);
			return r->handler(req);
		}
		pthread_mutex_lock(&svc->lock);
		req->db = svc->db;
		ret = run_row(req, r);
		if (strcmp(r->method, "GET") != 0)
			svc_feed_changed(svc);	/* a write may have happened */
		pthread_mutex_unlock(&svc->lock);
		return ret;
	}
	pthread_mutex_lock(&svc->lock);
	svc->requests++;
	req->db = svc->db;
	if (rc == -EOPNOTSUPP) {
		snprintf(detail, sizeof(detail), "%s is not allowed here;"
			 " allowed: %s", req->method, m->allow);
		req->allow = m->allow;
		ret = svc_problem(req, SVC_PROB_METHOD_NOT_ALLOWED, detail,
				  NULL);
	} else {
		ret = svc_problem(req, SVC_PROB_NOT_FOUND, "no such resource",
				  NULL);
	}
	pthread_mutex_unlock(&svc->lock);
	return ret;
}
