/*
 * server.c: libmicrohttpd plumbing: daemon set-up, request framing checks,
 * request bodies, access log. Routing and policy are in router.c.
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
#include "limits.h"
#include "router.h"
#include "sbuf.h"
#include "strict_http.h"
#include "svc.h"

/* Per-connection request state, kept in MHD's con_cls. */
struct conn_state {
	struct svc_request req;
	struct sbuf body;		/* the request body so far */
	int too_large;
	size_t max_body;	/* octets allowed for this path */
	struct timespec t0;
	unsigned int status;	/* filled by the access log hook */
	char method[16];
	char path[256];
	char log_path[256];	/* path with secrets left out */
};

/* The value of name in a unit test's NULL-terminated pairs, or NULL. */
static const char *
fake_lookup(const char *const *pairs, const char *name, int nocase)
{
	for (; pairs && pairs[0]; pairs += 2)
		if (nocase ? strcasecmp(pairs[0], name) == 0 :
		    strcmp(pairs[0], name) == 0)
			return pairs[1];
	return NULL;
}

const char *
svc_query(struct svc_request *req, const char *name)
{
	if (!req->conn)
		return fake_lookup(req->fake_query, name, 0);
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

const char *
svc_header(struct svc_request *req, const char *name)
{
	if (!req->conn)
		return fake_lookup(req->fake_headers, name, 1);
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/* Route the complete request through its row (router.c). */
static enum MHD_Result
dispatch(struct conn_state *cs)
{
	struct svc_route_match m;
	int rc = svc_route_find(cs->req.method, cs->req.path, &m);

	return svc_route_run(&cs->req, &m, rc);
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

/* Answer problem id before routing, naming field (its error code from
 * code, or errcode.c's when NULL). */
static enum MHD_Result
early_problem_code(struct svc *svc, struct conn_state *cs,
		   enum svc_problem_id id, const char *field, const char *code,
		   const char *detail)
{
	json_t *errors = json_array();

	if (errors && code)
		svc_problem_addc(errors, field, code, "%s", detail);
	else if (errors)
		svc_problem_add(errors, field, "%s", detail);
	svc->requests++;
	return svc_problem(&cs->req, id, detail, errors);
}

static enum MHD_Result
early_problem(struct svc *svc, struct conn_state *cs, enum svc_problem_id id,
	      const char *field, const char *detail)
{
	return early_problem_code(svc, cs, id, field, NULL, detail);
}

/* 413 (RFC 9110 §15.5.14) for a body over the route's limit. */
static enum MHD_Result
too_large(struct svc *svc, struct conn_state *cs)
{
	char detail[96];

	snprintf(detail, sizeof(detail), "request bodies here are limited to"
		 " %zu octets", cs->max_body);
	return early_problem_code(svc, cs, SVC_PROB_TOO_LARGE, "body",
				  "body_too_large", detail);
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
		sbuf_init(&cs->body);
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
			return early_problem(svc, cs, SVC_PROB_URI_TOO_LONG,
					     "path",
					     "the path is longer than 255"
					     " octets");
		MHD_get_connection_values_n(conn, MHD_HEADER_KIND,
					    count_header, counts);
		if (bad_nul) {
			cs->req.close = 1;
			return early_problem_code(svc, cs, SVC_PROB_BAD_PATH,
					     "path", "nul_in_path",
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
			return early_problem_code(svc, cs, SVC_PROB_BAD_HEADER,
					     counts[5] ?
					     "header" : "Host", counts[5] ?
					     "control_in_header" : counts[4] ?
					     "host_duplicate" : "host_missing",
					     counts[5] ?
					     "a control character in a header"
					     " value" : "exactly one Host header"
					     " is required");
		}
		/* Framing we cannot trust ends the connection, so no bytes
		 * after it are read as another request (no smuggling). */
		if (counts[2]) {
			cs->req.close = 1;
			return early_problem_code(svc, cs, SVC_PROB_BAD_HEADER,
					     "header", "space_before_colon",
					     "whitespace between a header"
					     " name and its colon");
		}
		if (counts[0] > 1 || (counts[0] && counts[1]) ||
		    counts[1] > 1) {
			cs->req.close = 1;
			return early_problem_code(svc, cs,
					     SVC_PROB_AMBIGUOUS_FRAMING,
					     "Content-Length", counts[0] > 1 ?
					     "content_length_duplicate" :
					     "ambiguous_framing",
					     "duplicate Content-Length or"
					     " Transfer-Encoding, or both");
		}
		if (counts[3]) {
			cs->req.close = 1;
			return early_problem_code(svc, cs,
					     SVC_PROB_NOT_IMPLEMENTED,
					     "Transfer-Encoding",
					     "transfer_coding_unsupported",
					     "only chunked transfer coding is"
					     " implemented");
		}
		{
			struct svc_route_match m;

			svc_route_find(method, url, &m);
			cs->max_body = m.max_body;	/* the row's limit */
		}
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > cs->max_body)
			return too_large(svc, cs);
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (cs->too_large || cs->body.len + n > cs->max_body) {
			cs->too_large = 1;
			return MHD_YES;
		}
		if (sbuf_add(&cs->body, upload_data, n) != 0)
			return MHD_NO;
		return MHD_YES;
	}
	svc_limits_body_done(conn);
	if (cs->too_large)
		return too_large(svc, cs);
	cs->req.body = cs->body.len ? cs->body.buf : NULL;
	cs->req.body_len = cs->body.len;
	return dispatch(cs);
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
	sbuf_release(&cs->body);
	free(cs);
	*con_cls = NULL;
}

/* The daemon for lock-free reads (strict_http.h svc_strict_start()). */
static struct MHD_Daemon *read_daemon;

static struct MHD_Daemon *start_daemon(struct svc *svc, unsigned int flags,
				       unsigned short port,
				       unsigned int n_threads);

struct MHD_Daemon *
svc_server_start(struct svc *svc, const char *bind, unsigned short port)
{
	struct sockaddr_in sin4;
	struct sockaddr_in6 sin6;
	struct sockaddr *sa;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			     MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME |
			     MHD_USE_NO_LISTEN_SOCKET;
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
	/* Writes and the rest on d; /healthz and feeds on read_daemon, so
	 * they never wait behind a slow write (svc_strict_start()). */
	d = start_daemon(svc, flags, port, 4);
	read_daemon = d ? start_daemon(svc, flags, port, 2) : NULL;
	if (!d || !read_daemon) {
		close(lfd);
	} else if (svc_strict_start(d, read_daemon, lfd) == 0) {
		return d;
	}			/* else svc_strict_start() closed lfd */
	fprintf(stderr, "roadshowd: cannot serve on %s port %u\n", bind,
		(unsigned)port);
	if (read_daemon)
		MHD_stop_daemon(read_daemon);
	read_daemon = NULL;
	if (d)
		MHD_stop_daemon(d);
	return NULL;
}

void
svc_server_stop_read(void)
{
	if (read_daemon)
		MHD_stop_daemon(read_daemon);
	read_daemon = NULL;
}

/* One libmicrohttpd daemon with n_threads pool threads, fed by the gate
 * (no listening socket of its own). NULL on failure. */
static struct MHD_Daemon *
start_daemon(struct svc *svc, unsigned int flags, unsigned short port,
	     unsigned int n_threads)
{
	const struct svc_limits *lim = svc_limits_get();

	return MHD_start_daemon(flags, port, NULL, NULL, on_request, svc,
			     MHD_OPTION_THREAD_POOL_SIZE, n_threads,
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
}
