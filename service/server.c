/*
 * server.c: libmicrohttpd set-up, request bodies, routing, access log.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../calendar/caltime.h"
#include "console.h"
#include "ics_import.h"
#include "limits.h"
#include "strict_http.h"
#include "svc.h"
#include "svc_admin.h"

struct route {
	const char *method;
	const char *pattern;	/* "{}" matches one path segment; a final
				 * "*" matches the rest of the path */
	svc_handler handler;
};

/* Handlers that authenticate by their own credential (a password, an
 * invite token), not by the session cookie: the CSRF gate lets them
 * through (the log-in checks the Origin itself). */
static int
csrf_exempt(svc_handler h)
{
	return h == svc_h_login || h == svc_h_invite_accept;
}

static const struct route routes[] = {
	{ "GET", "/", svc_h_dashboard },
	{ "GET", "/dashboard.css", svc_h_dashboard_css },
	{ "GET", "/dashboard.js", svc_h_dashboard_js },
	{ "GET", "/favicon.svg", svc_h_favicon },
	{ "GET", "/favicon.ico", svc_h_favicon },
	{ "GET", "/qr.svg", svc_h_qr },
	{ "GET", "/healthz", svc_h_healthz },
	{ "GET", "/metrics", svc_h_metrics },
	{ "GET", "/calendar.ics", svc_h_feed_all },
	{ "GET", "/calendars/{}/{}", svc_h_feed_scoped },
	{ "GET", "/api/v1/regions", svc_h_regions },
	{ "GET", "/api/v1/regions/{}", svc_h_region },
	{ "GET", "/api/v1/carriers", svc_h_carriers },
	{ "GET", "/api/v1/carriers/{}", svc_h_carrier },
	{ "GET", "/api/v1/kinds", svc_h_kinds },
	{ "GET", "/api/v1/events", svc_h_events_list },
	{ "POST", "/api/v1/events", svc_h_events_create },
	{ "POST", "/api/v1/events/import", svc_h_import },
	{ "GET", "/api/v1/events/{}", svc_h_event_get },
	{ "PATCH", "/api/v1/events/{}", svc_h_event_patch },
	{ "PUT", "/api/v1/events/{}", svc_h_event_put },
	{ "DELETE", "/api/v1/events/{}", svc_h_event_delete },
	{ "POST", "/api/v1/events/{}/cancel", svc_h_event_cancel },
	{ "PATCH", "/api/v1/events/{}/occurrences/{}",
	  svc_h_occurrence_patch },
	{ "POST", "/api/v1/events/{}/occurrences/{}/cancel",
	  svc_h_occurrence_cancel },
	{ "GET", "/api/v1/cadence", svc_h_cadence },
	{ "GET", "/api/v1/cadence/matrix", svc_h_cadence_matrix },
	{ "GET", "/api/v1/cadence/summary", svc_h_cadence_summary },
	{ "GET", "/api/v1/cadence/cell", svc_h_cadence_cell },
	{ "GET", "/api/v1/rules", svc_h_rules_list },
	{ "POST", "/api/v1/rules", svc_h_rules_create },
	{ "GET", "/api/v1/rules/{}", svc_h_rule_get },
	{ "PATCH", "/api/v1/rules/{}", svc_h_rule_patch },
	{ "DELETE", "/api/v1/rules/{}", svc_h_rule_delete },
	{ "GET", "/console", svc_h_console },
	{ "GET", "/console/*", svc_h_console },
	{ "GET", "/api/v1/recurrence/preview", svc_h_recurrence_preview },
	{ "GET", "/api/v1/subscriptions", svc_h_subscriptions_list },
	{ "POST", "/api/v1/subscriptions", svc_h_subscriptions_create },
	{ "DELETE", "/api/v1/subscriptions/{}", svc_h_subscription_delete },
	{ "POST", "/console/login", svc_h_login },
	{ "POST", "/console/logout", svc_h_logout },
	{ "GET", "/api/v1/me", svc_h_me },
	{ "POST", "/api/v1/invites/accept", svc_h_invite_accept },
	{ "GET", "/api/v1/accounts", svc_h_accounts_list },
	{ "POST", "/api/v1/accounts", svc_h_accounts_create },
	{ "PATCH", "/api/v1/accounts/{}", svc_h_account_patch },
	{ "POST", "/api/v1/accounts/{}/invite", svc_h_account_invite },
	/* admin data (issue 9): svc_admin.h */
	{ "POST", "/api/v1/carriers", svc_h_carriers_create },
	{ "PATCH", "/api/v1/carriers/{}", svc_h_carrier_patch },
	{ "POST", "/api/v1/regions", svc_h_regions_create },
	{ "PATCH", "/api/v1/regions/{}", svc_h_region_patch },
	{ "GET", "/api/v1/tokens", svc_h_tokens_list },
	{ "POST", "/api/v1/tokens", svc_h_tokens_create },
	{ "DELETE", "/api/v1/tokens/{}", svc_h_token_revoke },
	{ "POST", "/api/v1/tokens/{}/revoke", svc_h_token_revoke },
	{ "GET", "/api/v1/audit", svc_h_audit },
	{ "GET", "/api/v1/events/{}/history", svc_h_event_history },
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

/*
 * Handlers that run without the writer lock, in parallel with each other
 * and with writes: they read through req->db, this worker thread's own
 * read connection (SQLite WAL), and take svc->lock themselves around any
 * use of svc->db. Every other handler runs under svc->lock with req->db =
 * svc->db, and one that is not GET/HEAD bumps the feeds' generation
 * (svc_feed_changed()) before the lock is released.
 */
static const svc_handler lock_free[] = {
	svc_h_feed_all,
	svc_h_feed_scoped,
	svc_h_healthz,
};

static int
is_lock_free(svc_handler h)
{
	size_t i;

	for (i = 0; i < sizeof(lock_free) / sizeof(lock_free[0]); i++)
		if (lock_free[i] == h)
			return 1;
	return 0;
}

/* Per-connection request state, kept in MHD's con_cls. */
struct conn_state {
	struct svc_request req;
	char *body;
	size_t len;
	size_t cap;
	int too_large;
	size_t max_body;	/* octets allowed for this path */
	struct timespec t0;
	unsigned int status;	/* filled by the access log hook */
	char method[16];
	char path[256];
	char log_path[256];	/* path with secrets left out */
};

const char *
svc_query(struct svc_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

const char *
svc_header(struct svc_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/* Match path against pattern, collecting "{}" segments into req->params
 * (pointing into scratch, a copy of path). */
static int
match(const char *pattern, const char *path, char *scratch, size_t size,
      struct svc_request *req)
{
	const char *p = pattern, *s;

	if (strlen(path) >= size)
		return 0;
	strcpy(scratch, path);
	req->n_params = 0;
	s = scratch;
	while (*p && *s) {
		if (p[0] == '*' && p[1] == '\0')
			return 1;
		if (p[0] == '{' && p[1] == '}') {
			char *seg = (char *)s;

			while (*s && *s != '/')
				s++;
			if (s == seg || req->n_params == 4)
				return 0;
			req->params[req->n_params++] = seg;
			p += 2;
			if (*s == '/' && *p == '/') {
				*(char *)s = '\0';
				s++;
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

static enum MHD_Result
dispatch(struct svc *svc, struct conn_state *cs)
{
	struct svc_request *req = &cs->req;
	char scratch[512], allow[128] = "";
	const char *method = req->method;
	int path_found = 0, pass;
	size_t i;
	enum MHD_Result ret;

	if (strcmp(method, "HEAD") == 0)
		method = "GET";		/* MHD sends no body for HEAD */
	/* Literal paths first: /api/v1/events/import is not event "import",
	 * POST /console/login is not a console page. */
	for (pass = 0; pass < 2 && !path_found; pass++)
	for (i = 0; i < N_ROUTES; i++) {
		if ((strpbrk(routes[i].pattern, "{*") != NULL) != pass ||
		    !match(routes[i].pattern, req->path, scratch,
			   sizeof(scratch), req))
			continue;
		path_found = 1;
		if (strlen(allow) + 10 < sizeof(allow)) {
			if (*allow)
				strcat(allow, ", ");
			strcat(allow, routes[i].method);
			if (strcmp(routes[i].method, "GET") == 0)
				strcat(allow, ", HEAD");
		}
		if (strcmp(routes[i].method, method) != 0)
			continue;
		if (!req->pending)	/* not again after a resume */
			svc->requests++;
		if (is_lock_free(routes[i].handler)) {
			req->db = svc_reader(svc);
			return routes[i].handler(req);
		}
		pthread_mutex_lock(&svc->lock);
		req->db = svc->db;
		if (!csrf_exempt(routes[i].handler) &&
		    svc_csrf_gate(req) != 0)
			ret = svc_respond_csrf(req);
		else
			ret = routes[i].handler(req);
		if (strcmp(method, "GET") != 0)
			svc_feed_changed(svc);	/* a write may have happened */
		pthread_mutex_unlock(&svc->lock);
		return ret;
	}
	pthread_mutex_lock(&svc->lock);
	svc->requests++;
	req->db = svc->db;
	if (path_found) {
		char detail[200];

		snprintf(detail, sizeof(detail), "%s is not allowed here;"
			 " allowed: %s", req->method, allow);
		req->allow = allow;
		ret = svc_respond_problem(req, 405, "method-not-allowed",
					  "Method Not Allowed", detail, NULL);
	} else {
		ret = svc_respond_problem(req, 404, "not-found", "Not Found",
					  "no such resource", NULL);
	}
	pthread_mutex_unlock(&svc->lock);
	return ret;
}

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key,
	     size_t key_size, const char *value, size_t value_size)
{
	int *n = cls;
	const char *v;

	(void)kind;
	/* a NUL inside a name or value (MHD keeps the length) */
	if (strlen(key) != key_size || (value && strlen(value) != value_size))
		n[5]++;
	if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
		n[4]++;
	/* RFC 9112 §5.5: no bare CR (or other controls) in a value */
	for (v = value; v && *v; v++)
		if ((unsigned char)*v < 0x20 && *v != '\t')
			n[5]++;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		n[0]++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		n[1]++;
		if (strcasecmp(value, "chunked") != 0)
			n[3]++;		/* a coding we do not implement */
	}
	/* RFC 9112 §5.1: no whitespace between field name and colon */
	if (strpbrk(key, " \t"))
		n[2]++;
	return MHD_YES;
}

static enum MHD_Result
early_problem(struct svc *svc, struct conn_state *cs, unsigned int status,
	      const char *type, const char *title, const char *field,
	      const char *detail)
{
	json_t *errors = json_array();
	enum MHD_Result ret;

	if (errors)
		svc_problem_add(errors, field, "%s", detail);
	svc->requests++;
	ret = svc_respond_problem(&cs->req, status, type, title, detail,
				  errors);
	return ret;
}

static enum MHD_Result
too_large(struct svc *svc, struct conn_state *cs)
{
	char detail[96];

	snprintf(detail, sizeof(detail), "request bodies here are limited to"
		 " %zu octets", cs->max_body);
	return early_problem(svc, cs, 413, "too-large", "Content Too Large",
			     "body", detail);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
	   const char *method, const char *version, const char *upload_data,
	   size_t *upload_data_size, void **con_cls)
{
	struct svc *svc = cls;
	struct conn_state *cs = *con_cls;

	(void)version;
	if (!cs) {
		int counts[6] = { 0, 0, 0, 0, 0, 0 };
		int bad_nul = svc_limits_header_done(conn);
		const char *cl;

		cs = calloc(1, sizeof(*cs));
		if (!cs)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &cs->t0);
		snprintf(cs->method, sizeof(cs->method), "%s", method);
		snprintf(cs->path, sizeof(cs->path), "%s", url);
		svc_limits_log_path(url, cs->log_path, sizeof(cs->log_path));
		cs->req.svc = svc;
		cs->req.conn = conn;
		cs->req.method = cs->method;
		cs->req.path = cs->path;
		*con_cls = cs;
		if (strlen(url) >= sizeof(cs->path))
			return early_problem(svc, cs, 414, "uri-too-long",
					     "URI Too Long", "path",
					     "the path is longer than 255"
					     " octets");
		MHD_get_connection_values_n(conn, MHD_HEADER_KIND,
					    count_header, counts);
		if (bad_nul) {
			cs->req.close = 1;
			return early_problem(svc, cs, 400, "bad-path",
					     "Bad Request", "path",
					     "a percent-encoded NUL (%00) is"
					     " not allowed in a path or query");
		}
		/* Host is checked here, not by MHD_OPTION_STRICT_FOR_CLIENT:
		 * libmicrohttpd 0.9.75's own refusals are HTML and carry two
		 * status lines. */
		if (counts[4] > 1 || counts[5] || strchr(url, ' ') ||
		    (counts[4] == 0 &&
		     strcmp(version, MHD_HTTP_VERSION_1_0) != 0)) {
			cs->req.close = 1;
			return early_problem(svc, cs, 400, "bad-header",
					     "Bad Request", counts[5] ?
					     "header" : "Host", counts[5] ?
					     "a control character in a header"
					     " value" : "exactly one Host header"
					     " is required");
		}
		/* Framing we cannot trust ends the connection, so no bytes
		 * after it are read as another request (no smuggling). */
		if (counts[2]) {
			cs->req.close = 1;
			return early_problem(svc, cs, 400, "bad-header",
					     "Bad Request", "header",
					     "whitespace between a header"
					     " name and its colon");
		}
		if (counts[0] > 1 || (counts[0] && counts[1]) ||
		    counts[1] > 1) {
			cs->req.close = 1;
			return early_problem(svc, cs, 400, "ambiguous-framing",
					     "Bad Request", "Content-Length",
					     "duplicate Content-Length or"
					     " Transfer-Encoding, or both");
		}
		if (counts[3]) {
			cs->req.close = 1;
			return early_problem(svc, cs, 501, "not-implemented",
					     "Not Implemented",
					     "Transfer-Encoding",
					     "only chunked transfer coding is"
					     " implemented");
		}
		cs->max_body = strcmp(url, "/api/v1/events/import") == 0 ?
			       SVC_MAX_IMPORT_BODY : SVC_MAX_BODY;
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > cs->max_body)
			return too_large(svc, cs);
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (cs->too_large || cs->len + n > cs->max_body) {
			cs->too_large = 1;
			return MHD_YES;
		}
		if (cs->len + n > cs->cap) {
			size_t cap = cs->cap ? cs->cap : 4096;
			char *nb;

			while (cap < cs->len + n)
				cap *= 2;
			nb = realloc(cs->body, cap);
			if (!nb)
				return MHD_NO;
			cs->body = nb;
			cs->cap = cap;
		}
		memcpy(cs->body + cs->len, upload_data, n);
		cs->len += n;
		return MHD_YES;
	}
	svc_limits_body_done(conn);
	if (cs->too_large)
		return too_large(svc, cs);
	cs->req.body = cs->body;
	cs->req.body_len = cs->len;
	return dispatch(svc, cs);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;
	struct timespec t1;
	const union MHD_ConnectionInfo *ci;
	char addr[INET6_ADDRSTRLEN] = "-";
	json_t *line;
	char *text;

	(void)cls;
	svc_limits_request_done(conn);
	if (!cs)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		if (ci->client_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)
				  (const void *)ci->client_addr)->sin_addr,
				  addr, sizeof(addr));
		else if (ci->client_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
				  (const void *)ci->client_addr)->sin6_addr,
				  addr, sizeof(addr));
	}
	/* Structured access log: one JSON object per line on stderr. */
	{
		char when[32];
		json_t *path = json_string(cs->log_path);
		long long us = (long long)(t1.tv_sec - cs->t0.tv_sec) * 1000000 +
			       (t1.tv_nsec - cs->t0.tv_nsec) / 1000;

		cal_time_format_rfc3339((int64_t)time(NULL), "UTC", when);
		line = json_pack("{s:s, s:s, s:s, s:o, s:i, s:I, s:b}",
				 "time", when, "remote", addr, "method",
				 cs->method, "path", path ? path :
				 json_string("(not UTF-8)"), "status",
				 (int)cs->req.status, "us", (json_int_t)us,
				 "completed",
				 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
	}
	text = line ? json_dumps(line, JSON_COMPACT) : NULL;
	if (text)
		fprintf(stderr, "%s\n", text);
	free(text);
	json_decref(line);
	free(cs->body);
	free(cs);
	*con_cls = NULL;
}

struct MHD_Daemon *
svc_server_start(struct svc *svc, const char *bind, unsigned short port)
{
	struct sockaddr_in sin4;
	struct sockaddr_in6 sin6;
	struct sockaddr *sa;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME |
			     MHD_USE_NO_LISTEN_SOCKET;
	const struct svc_limits *lim = svc_limits_get();
	struct MHD_Daemon *d;
	int lfd;

	memset(&sin4, 0, sizeof(sin4));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, bind, &sin4.sin_addr) == 1) {
		sin4.sin_family = AF_INET;
		sin4.sin_port = htons(port);
		sa = (struct sockaddr *)&sin4;
	} else if (inet_pton(AF_INET6, bind, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(port);
		sa = (struct sockaddr *)&sin6;
		flags |= MHD_USE_IPv6;
	} else {
		fprintf(stderr, "roadshowd: --bind %s is not an IPv4 or IPv6"
			" address\n", bind);
		return NULL;
	}
	/* strict_http.c's gate owns the socket and checks each first
	 * request head before libmicrohttpd reads it. */
	lfd = svc_strict_listen(sa, sa->sa_family == AF_INET ? sizeof(sin4) :
				sizeof(sin6), &port);
	if (lfd < 0) {
		fprintf(stderr, "roadshowd: cannot listen on %s port %u: %s\n",
			bind, (unsigned)port, strerror(-lfd));
		return NULL;
	}
	d = MHD_start_daemon(flags, port, NULL, NULL, on_request, svc,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)4,
			     MHD_OPTION_CONNECTION_LIMIT, lim->max_connections,
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT,
			     lim->per_address,
			     MHD_OPTION_CONNECTION_TIMEOUT,
			     lim->idle_timeout_s,
			     MHD_OPTION_STRICT_FOR_CLIENT, (int)0,
			     MHD_OPTION_NOTIFY_CONNECTION,
			     svc_limits_notify_connection, svc,
			     MHD_OPTION_UNESCAPE_CALLBACK, svc_limits_unescape,
			     svc,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT,
			     (size_t)(128 * 1024),
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, svc,
			     MHD_OPTION_END);
	if (!d || svc_strict_start(d, lfd) != 0) {
		fprintf(stderr, "roadshowd: cannot serve on %s port %u\n",
			bind, (unsigned)port);
		if (d)
			MHD_stop_daemon(d);
		else
			close(lfd);
		return NULL;
	}
	return d;
}
