/*
 * limits: what keeps one client from taking the service from the others.
 *
 *  - connection deadlines: a request header must arrive within
 *    header_timeout_s of the connection opening (or of the previous
 *    response), and its body within body_timeout_s of the header.
 *    libmicrohttpd 0.9.75 only knows an idle timeout, which a client
 *    sending one byte every few seconds never trips, so a watchdog thread
 *    shuts such connections down (tracked with MHD_OPTION_NOTIFY_CONNECTION).
 *  - a "%00" in the path or a query value marks the request as bad (400);
 *    libmicrohttpd would cut the string there (MHD_OPTION_UNESCAPE_CALLBACK).
 *  - failed bearer authentication is counted per client address; past
 *    SVC_AUTH_FAILURES_MAX in SVC_AUTH_WINDOW_S the address gets 429.
 *  - /metrics may need a token (--metrics-token).
 *  - access-log paths never carry a private feed's secret.
 */
#ifndef ROADSHOWD_LIMITS_H
#define ROADSHOWD_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#define SVC_AUTH_FAILURES_MAX 10	/* failed tokens per address ... */
#define SVC_AUTH_WINDOW_S 60		/* ... per this many seconds */

/* Service limits; svc_limits_defaults() fills the documented defaults. */
struct svc_limits {
	unsigned int max_connections;	/* all clients (default 1000) */
	unsigned int per_address;	/* one address (default 32) */
	unsigned int idle_timeout_s;	/* no byte for this long (15) */
	unsigned int header_timeout_s;	/* request header deadline (30) */
	unsigned int body_timeout_s;	/* request body deadline (60) */
};

/* Fill l (caller's) with the defaults named in struct svc_limits. */
void svc_limits_defaults(struct svc_limits *l);

/* Use l (copied) from now on; metrics_token (borrowed; NULL or "" for
 * none) is then required as a bearer token by /metrics. Call before
 * svc_limits_start(). */
void svc_limits_configure(const struct svc_limits *l,
			  const char *metrics_token);

/* The limits in force (borrowed, static). */
const struct svc_limits *svc_limits_get(void);

/* Start the deadline watchdog thread. 0 or a negative errno. */
int svc_limits_start(void);

/* Stop the watchdog thread and wait for it (no-op when not started). */
void svc_limits_stop(void);

/* MHD_OPTION_NOTIFY_CONNECTION callback: track connections. */
void svc_limits_notify_connection(void *cls, struct MHD_Connection *conn,
				  void **socket_context,
				  enum MHD_ConnectionNotificationCode code);

/* MHD_OPTION_UNESCAPE_CALLBACK: percent-decode s in place (returns the new
 * length), marking the connection's current request when it encoded NUL. */
size_t svc_limits_unescape(void *cls, struct MHD_Connection *conn, char *s);

/* The request header of conn arrived: its body deadline starts. Returns 1
 * when the request's path or query encoded a NUL (%00). */
int svc_limits_header_done(struct MHD_Connection *conn);

/* The request body of conn arrived: it is being answered (the idle
 * timeout alone applies to a slow reader). */
void svc_limits_body_done(struct MHD_Connection *conn);

/* A connection was closed for missing its header deadline before
 * libmicrohttpd had it (strict_http.c's gate): counts it. */
void svc_limits_header_cut(void);

/* The request on conn was answered: the next header's deadline starts. */
void svc_limits_request_done(struct MHD_Connection *conn);

/* Failed bearer authentication from conn's address: counts it. Returns 1
 * when the address is over its budget (answer 429). */
int svc_limits_auth_failed(struct MHD_Connection *conn);

/* 1 when conn's address is over its failed-authentication budget. */
int svc_limits_auth_blocked(struct MHD_Connection *conn);

/* 1 when /metrics may answer the request whose Authorization header is
 * authz (borrowed, may be NULL); 2 when it may also show what only
 * signed-in users see (a metrics token is set and was given). */
int svc_limits_metrics_access(const char *authz);

/* Append the limits' counters, and strict_http.c's, to sb (borrowed),
 * Prometheus text exposition format. 0 or -ENOMEM. */
struct sbuf;
int svc_limits_metrics(struct sbuf *sb);

/* Copy url into out (size octets) for the access log, with any private
 * feed secret (the segment after "private/", wherever it is, e.g. in
 * "//calendars/private/<secret>.ics") left out. */
void svc_limits_log_path(const char *url, char *out, size_t size);

#endif
