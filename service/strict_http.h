/*
 * strict_http: the request head is checked on the wire before
 * libmicrohttpd reads it (issue 13 item 4).
 *
 * libmicrohttpd 0.9.75 normalises what RFC 9112 wants refused before the
 * handler can see it: a folded header line (obs-fold, §5.2) is joined with
 * spaces, a bare LF ends a line (§2.2), a NUL cuts a value; and it answers
 * an invalid Content-Length itself, in HTML, with two status lines.
 * MHD_OPTION_STRICT_FOR_CLIENT=1 only adds a refusal of a missing Host (in
 * HTML, also with two status lines). So the listening socket is ours: a
 * gate thread accepts each connection, peeks (recv MSG_PEEK, nothing
 * consumed) at its first request head until the blank line, checks the
 * raw octets, answers a bad head itself with one 400 problem+json and
 * closes; a good connection goes to libmicrohttpd (MHD_add_connection),
 * which reads the same octets again.
 *
 * While in the gate a connection is held to the same limits as in
 * libmicrohttpd: at most svc_limits.per_address waiting per address and
 * max_connections in all, its head within header_timeout_s of the accept,
 * no pause longer than idle_timeout_s.
 *
 * Only the first request of a connection passes the gate: later requests
 * on a kept-alive connection are read by libmicrohttpd alone, with the
 * checks of the request handler (one Host, no control character or bare
 * CR in a value, no whitespace before a colon, one Content-Length or
 * Transfer-Encoding). See README "Running in production".
 */
#ifndef ROADSHOWD_STRICT_HTTP_H
#define ROADSHOWD_STRICT_HTTP_H

#include <stddef.h>
#include <sys/socket.h>

#include <microhttpd.h>

#define SVC_HEAD_MAX 32768	/* octets of a request head the gate reads */

/* Why a head was refused: the answer the gate sends. */
struct svc_head_refusal {
	unsigned int status;	/* 400, 413, 431 or 505 */
	const char *type;	/* problem type slug, e.g. "bad-header" */
	const char *field;	/* errors[0].field, e.g. "Host" */
	const char *code;	/* errors[0].code, stable, e.g. "obs_fold" */
	const char *detail;	/* English sentence */
};

/*
 * Check the first len octets of buf (borrowed; a connection's octets so
 * far) as the start of an HTTP/1.1 request (RFC 9112 §2.2, §3, §5; RFC
 * 9110 §5.5, §7.2, §8.6). Returns the length of the head (through its
 * blank line) when a whole head is there and valid; 0 when the octets so
 * far are a valid beginning; -EBADMSG when they can never become a valid
 * head, with *why filled (static strings); -EMSGSIZE when len reaches
 * SVC_HEAD_MAX without a whole head (*why filled: 431).
 * Refused: a line ending other than CRLF (bare LF, bare CR), NUL or
 * another control character (but HTAB) in a field value, obs-fold or any
 * line starting with whitespace, a field name that is not a token, a
 * request line that is not "method SP target SP HTTP/1.x", no Host in
 * HTTP/1.1 or more than one, a Content-Length that is not one field of
 * digits only (so "abc", "-1", "+1", "1, 2", "" and two fields), or one
 * past 2^63 (413). Empty lines before the request line are skipped.
 */
long svc_strict_check_head(const char *buf, size_t len,
			   struct svc_head_refusal *why);

/*
 * Open the listening socket on sa (borrowed, salen octets; IPv4 or IPv6,
 * port 0 for any) and return it, or -errno. *port receives the port bound
 * (host order).
 */
int svc_strict_listen(const struct sockaddr *sa, socklen_t salen,
		      unsigned short *port);

/*
 * Start the gate thread: accept on listen_fd (taken over: closed by
 * svc_strict_stop()) and give good connections to d, or to d_read (may be
 * NULL) when the first request is a GET or HEAD of /healthz or a feed
 * (/calendar.ics, /calendars/...): both daemons started with
 * MHD_USE_NO_LISTEN_SOCKET. libmicrohttpd gives a connection added by
 * MHD_add_connection() to a pool thread chosen by its descriptor, busy or
 * not; so that /healthz and feeds never wait behind a slow write (an
 * import's parse holds its thread for seconds), they have their own
 * daemon whose threads only serve lock-free requests (feeds render on the
 * render threads). The limits are svc_limits_get()'s. 0 or -errno
 * (listen_fd is then closed).
 */
int svc_strict_start(struct MHD_Daemon *d, struct MHD_Daemon *d_read,
		     int listen_fd);

/* Stop accepting, close the waiting connections and the listening
 * socket, join the thread. Call before MHD_stop_daemon(); no-op when not
 * started. */
void svc_strict_stop(void);

/* Append the gate's counters (refusals by code, connections waiting) to a
 * Prometheus text exposition. 0 or -ENOMEM. */
struct sbuf;
int svc_strict_metrics(struct sbuf *sb);

#endif
