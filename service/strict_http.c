/*
 * strict_http.c: the request-head gate in front of libmicrohttpd. See
 * strict_http.h.
 */
#define _GNU_SOURCE 1	/* accept4() */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "../calendar/caltime.h"
#include "errcode.h"
#include "limits.h"
#include "problem.h"
#include "sbuf.h"
#include "session.h"
#include "strict_http.h"

/* ---- the check ---------------------------------------------------------- */

enum refusal_id {
	R_REQUEST_LINE, R_VERSION, R_BARE_LF_LINE, R_BARE_CR_LINE,
	R_NUL_LINE, R_BARE_LF, R_BARE_CR, R_NUL, R_CONTROL, R_OBS_FOLD,
	R_NAME, R_NAME_SPACE, R_HOST_MISSING, R_HOST_DUP, R_CL_INVALID,
	R_CL_DUP, R_CL_LARGE, R_TOO_BIG, R_COUNT
};

static const struct svc_head_refusal refusals[R_COUNT] = {
	[R_REQUEST_LINE] = { 400, "bad-request-line", "request-line",
		"request_line_invalid", "the request line must be a method,"
		" one space, the target, one space and HTTP/1.1" },
	[R_VERSION] = { 505, "http-version-not-supported", "request-line",
		"http_version", "only HTTP/1.0 and HTTP/1.1 are served" },
	[R_BARE_LF_LINE] = { 400, "bad-framing", "request-line", "bare_lf",
		"a line must end with CR LF, not a bare LF" },
	[R_BARE_CR_LINE] = { 400, "bad-framing", "request-line", "bare_cr",
		"a CR must be followed by LF" },
	[R_NUL_LINE] = { 400, "bad-request-line", "request-line",
		"nul_in_request_line", "a NUL octet in the request line" },
	[R_BARE_LF] = { 400, "bad-framing", "header", "bare_lf",
		"a header line must end with CR LF, not a bare LF" },
	[R_BARE_CR] = { 400, "bad-header", "header", "bare_cr",
		"a CR in a header value must be followed by LF" },
	[R_NUL] = { 400, "bad-header", "header", "nul_in_header",
		"a NUL octet in a header line" },
	[R_CONTROL] = { 400, "bad-header", "header", "control_in_header",
		"a control character in a header value" },
	[R_OBS_FOLD] = { 400, "bad-header", "header", "obs_fold",
		"a header line starting with whitespace (a folded header"
		" value, RFC 9112 section 5.2) is not accepted" },
	[R_NAME] = { 400, "bad-header", "header", "header_line_invalid",
		"a header line must be a field name, a colon and a value" },
	[R_NAME_SPACE] = { 400, "bad-header", "header", "space_before_colon",
		"whitespace between a header name and its colon" },
	[R_HOST_MISSING] = { 400, "bad-header", "Host", "host_missing",
		"exactly one Host header is required" },
	[R_HOST_DUP] = { 400, "bad-header", "Host", "host_duplicate",
		"exactly one Host header is required" },
	[R_CL_INVALID] = { 400, "bad-header", "Content-Length",
		"content_length_invalid", "Content-Length must be a decimal"
		" number of octets" },
	[R_CL_DUP] = { 400, "ambiguous-framing", "Content-Length",
		"content_length_duplicate", "duplicate Content-Length" },
	[R_CL_LARGE] = { 413, "too-large", "Content-Length",
		"content_length_too_large", "Content-Length is beyond any body"
		" accepted here" },
	[R_TOO_BIG] = { 431, "header-too-large", "header", "header_too_large",
		"request heads here are limited to 32768 octets" },
};

static long
refuse(struct svc_head_refusal *why, enum refusal_id id)
{
	*why = refusals[id];
	return -EBADMSG;
}

/* RFC 9110 §5.6.2 tchar */
static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/*
 * Find the CR LF ending the line that starts at from: 1 with *eol at the
 * CR, 0 when the octets end first, -1 bare LF, -2 bare CR, -3 NUL.
 */
static int
line_end(const unsigned char *p, size_t from, size_t len, size_t *eol)
{
	size_t k;

	for (k = from; k < len; k++) {
		if (p[k] == '\n')
			return -1;
		if (p[k] == 0)
			return -3;
		if (p[k] != '\r')
			continue;
		if (k + 1 == len)
			return 0;
		if (p[k + 1] != '\n')
			return -2;
		*eol = k;
		return 1;
	}
	return 0;
}

/* "method SP target SP HTTP/d.d" in p[0, n). Sets *v11 for HTTP/1.1+. */
static long
check_request_line(const unsigned char *p, size_t n, int *v11,
		   struct svc_head_refusal *why)
{
	size_t k = 0, t;

	while (k < n && is_tchar(p[k]))
		k++;
	if (k == 0 || k == n || p[k] != ' ')
		return refuse(why, R_REQUEST_LINE);
	t = ++k;
	while (k < n && p[k] > 0x20 && p[k] != 0x7f)
		k++;
	if (k == t || k == n || p[k] != ' ')
		return refuse(why, R_REQUEST_LINE);
	k++;
	if (n - k != 8 || memcmp(p + k, "HTTP/", 5) != 0 ||
	    p[k + 5] < '0' || p[k + 5] > '9' || p[k + 6] != '.' ||
	    p[k + 7] < '0' || p[k + 7] > '9')
		return refuse(why, R_REQUEST_LINE);
	if (p[k + 5] != '1')
		return refuse(why, R_VERSION);
	*v11 = p[k + 7] >= '1';
	return 0;
}

/* Content-Length's value (OWS trimmed): 1*DIGIT, at most 2^63 - 1. */
static long
check_content_length(const unsigned char *v, size_t n,
		     struct svc_head_refusal *why)
{
	uint64_t x = 0;
	size_t k;

	if (n == 0)
		return refuse(why, R_CL_INVALID);
	for (k = 0; k < n; k++)
		if (v[k] < '0' || v[k] > '9')
			return refuse(why, R_CL_INVALID);
	for (k = 0; k < n; k++) {
		if (x > (UINT64_C(0x7fffffffffffffff) - (v[k] - '0')) / 10)
			return refuse(why, R_CL_LARGE);
		x = x * 10 + (uint64_t)(v[k] - '0');
	}
	return 0;
}

static const int line_errors[3] = { R_BARE_LF, R_BARE_CR, R_NUL };

long
svc_strict_check_head(const char *buf, size_t len,
		      struct svc_head_refusal *why)
{
	const unsigned char *p = (const unsigned char *)buf;
	const unsigned char *cl = NULL;
	size_t i = 0, eol = 0, cl_len = 0;
	int hosts = 0, cls = 0, v11 = 0, r;
	long rc;

	/* RFC 9112 §2.2: empty lines before the request line are ignored */
	while (i + 1 < len && p[i] == '\r' && p[i + 1] == '\n')
		i += 2;
	r = line_end(p, i, len, &eol);
	if (r < 0)
		return refuse(why, r == -1 ? R_BARE_LF_LINE : r == -2 ?
			      R_BARE_CR_LINE : R_NUL_LINE);
	if (r == 0)
		goto more;
	rc = check_request_line(p + i, eol - i, &v11, why);
	if (rc < 0)
		return rc;
	for (i = eol + 2;; i = eol + 2) {
		size_t k, vs, ve;

		if (i == len || (p[i] == '\r' && i + 1 == len))
			goto more;
		if (p[i] == '\r' && p[i + 1] == '\n')
			break;			/* the blank line */
		if (p[i] == ' ' || p[i] == '\t')
			return refuse(why, R_OBS_FOLD);
		r = line_end(p, i, len, &eol);
		if (r < 0)
			return refuse(why, line_errors[-r - 1]);
		if (r == 0)
			goto more;
		for (k = i; k < eol && is_tchar(p[k]); k++)
			;
		if (k > i && k < eol && (p[k] == ' ' || p[k] == '\t')) {
			size_t j = k;

			while (j < eol && (p[j] == ' ' || p[j] == '\t'))
				j++;
			if (j < eol && p[j] == ':')
				return refuse(why, R_NAME_SPACE);
		}
		if (k == i || k == eol || p[k] != ':')
			return refuse(why, R_NAME);
		for (vs = k + 1; vs < eol; vs++)
			if (p[vs] != '\t' && (p[vs] < 0x20 || p[vs] == 0x7f))
				return refuse(why, R_CONTROL);
		for (vs = k + 1; vs < eol && (p[vs] == ' ' || p[vs] == '\t');)
			vs++;
		for (ve = eol; ve > vs && (p[ve - 1] == ' ' ||
					   p[ve - 1] == '\t');)
			ve--;
		if (k - i == 4 && strncasecmp((const char *)p + i, "Host",
					      4) == 0)
			hosts++;
		if (k - i == 14 && strncasecmp((const char *)p + i,
					       "Content-Length", 14) == 0) {
			cls++;
			cl = p + vs;
			cl_len = ve - vs;
		}
	}
	if (hosts > 1)
		return refuse(why, R_HOST_DUP);
	if (hosts == 0 && v11)
		return refuse(why, R_HOST_MISSING);
	if (cls > 1)
		return refuse(why, R_CL_DUP);
	if (cls && (rc = check_content_length(cl, cl_len, why)) < 0)
		return rc;
	return (long)(i + 2);
more:
	if (len >= SVC_HEAD_MAX) {
		*why = refusals[R_TOO_BIG];
		return -EMSGSIZE;
	}
	return 0;
}

/* ---- the gate ----------------------------------------------------------- */

#define LINGER_MS 2000		/* reading a refused client's rest, at most */
#define ACCEPT_BATCH 64

/* One accepted connection whose first request head is not complete yet,
 * or that was refused and is being read to its end. */
struct pend {
	struct pend *prev, *next;
	int fd;
	struct sockaddr_storage addr;
	socklen_t alen;
	int64_t t0;		/* monotonic ms: accepted (or refused) */
	int64_t last;		/* monotonic ms: last new octet */
	size_t seen;		/* octets at the last peek */
	int closing;		/* refused: read to EOF, then close */
};

static struct {
	struct MHD_Daemon *d;
	struct MHD_Daemon *d_read;	/* lock-free reads, or NULL */
	int lfd, ep, evfd;
	pthread_t thr;
	int running;
	int paused;			/* accept paused (out of descriptors) */
	struct pend *head;		/* gate thread only */
	pthread_mutex_t lock;		/* the counters below */
	unsigned long long refused[R_COUNT];
	unsigned long long handed, shed;
	unsigned int waiting;
} g = { .lfd = -1, .ep = -1, .evfd = -1,
	.lock = PTHREAD_MUTEX_INITIALIZER };

static char peekbuf[SVC_HEAD_MAX];	/* gate thread only */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
svc_strict_listen(const struct sockaddr *sa, socklen_t salen,
		  unsigned short *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int one = 1, fd, err;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, sa, salen) != 0 || listen(fd, SOMAXCONN) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		err = -errno;
		close(fd);
		return err;
	}
	*port = ntohs(ss.ss_family == AF_INET6 ?
		      ((struct sockaddr_in6 *)&ss)->sin6_port :
		      ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static void
addr_text(const struct pend *p, char out[INET6_ADDRSTRLEN])
{
	const struct sockaddr *sa = (const struct sockaddr *)&p->addr;

	strcpy(out, "-");
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)
			  (const void *)sa)->sin_addr, out, INET6_ADDRSTRLEN);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
			  (const void *)sa)->sin6_addr, out,
			  INET6_ADDRSTRLEN);
}

/* Same client address (not port) as p. */
static int
same_addr(const struct pend *p, const struct sockaddr_storage *ss)
{
	if (p->addr.ss_family != ss->ss_family)
		return 0;
	if (ss->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)&p->addr)->sin_addr,
			      &((const struct sockaddr_in *)ss)->sin_addr,
			      sizeof(struct in_addr)) == 0;
	if (ss->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)
				&p->addr)->sin6_addr,
			      &((const struct sockaddr_in6 *)ss)->sin6_addr,
			      sizeof(struct in6_addr)) == 0;
	return 0;
}

static void
unlink_pend(struct pend *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		g.head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	pthread_mutex_lock(&g.lock);
	g.waiting--;
	pthread_mutex_unlock(&g.lock);
}

static void
close_pend(struct pend *p)
{
	epoll_ctl(g.ep, EPOLL_CTL_DEL, p->fd, NULL);
	unlink_pend(p);
	close(p->fd);
	free(p);
}

/*
 * 1 when the Accept-Language field of the (possibly malformed) head
 * prefers Chinese (svc_lang_zh()). Only a well-formed line
 * "Accept-Language: ..." ending in CRLF counts; anything else is English.
 */
static int
head_wants_zh(const char *head, size_t len)
{
	static const char name[] = "\r\naccept-language:";
	const size_t nl = sizeof(name) - 1;
	char value[256];
	size_t i, j;

	for (i = 0; i + nl <= len; i++) {
		if (strncasecmp(head + i, name, nl) != 0)
			continue;
		i += nl;
		while (i < len && (head[i] == ' ' || head[i] == '\t'))
			i++;
		for (j = 0; i + j < len && j + 1 < sizeof(value) &&
		     head[i + j] != '\r' && head[i + j] != '\n' &&
		     head[i + j] != '\0'; j++)
			value[j] = head[i + j];
		value[j] = '\0';
		return svc_lang_zh(value);
	}
	return 0;
}

/* The access-log line of a refusal (the format of server.c's). */
static void
log_refusal(const struct pend *p, const struct svc_head_refusal *why)
{
	char when[32], addr[INET6_ADDRSTRLEN];
	json_t *line;
	char *text;

	addr_text(p, addr);
	cal_time_format_rfc3339((int64_t)time(NULL), "UTC", when);
	line = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:b, s:s}",
			 "time", when, "remote", addr, "method", "-", "path",
			 "-", "status", (int)why->status, "us", 0,
			 "completed", 1, "refused", why->code);
	text = line ? json_dumps(line, JSON_COMPACT) : NULL;
	if (text)
		fprintf(stderr, "%s\n", text);
	free(text);
	json_decref(line);
}

/* Answer p with why as problem+json, stop writing, and read what the
 * client still sends until it closes (so no reset loses the answer). */
static void
refuse_pend(struct pend *p, const struct svc_head_refusal *why, int zh)
{
	const struct svc_problem_type *t = svc_problem_by_slug(why->type);
	const char *title = t ? t->title : "Bad Request";
	char type[96], date[64], head[512];
	json_t *doc;
	char *body;
	struct tm tm;
	time_t now = time(NULL);
	int n, id;

	snprintf(type, sizeof(type), SVC_PROBLEM_BASE "%s", why->type);
	doc = json_pack("{s:s, s:s, s:i, s:s, s:[{s:s, s:s, s:s}]}",
			"type", type, "title", title,
			"status", (int)why->status, "detail", why->detail,
			"errors", "field", why->field, "code", why->code,
			"detail", why->detail);
	if (doc && zh)
		svc_problem_to_zh(doc, why->type);
	body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	n = snprintf(head, sizeof(head), "HTTP/1.1 %u %s\r\nDate: %s\r\n"
		     "Content-Type: application/problem+json; charset=utf-8\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n"
		     "X-Content-Type-Options: nosniff\r\n\r\n", why->status,
		     title, date, body ? strlen(body) : 0);
	if (n > 0 && (size_t)n < sizeof(head)) {
		struct iovec iov[2] = {
			{ head, (size_t)n },
			{ body, body ? strlen(body) : 0 },
		};
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

		/* some hundred octets into an empty socket buffer */
		if (sendmsg(p->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			(void)0;
	}
	free(body);
	shutdown(p->fd, SHUT_WR);
	log_refusal(p, why);
	pthread_mutex_lock(&g.lock);
	for (id = 0; id < R_COUNT; id++)
		if (refusals[id].code == why->code &&
		    refusals[id].field == why->field)
			g.refused[id]++;
	pthread_mutex_unlock(&g.lock);
	p->closing = 1;
	p->t0 = now_ms();
}

/* Read and drop what a refused client sends; close at its end. */
static void
drain_pend(struct pend *p)
{
	for (;;) {
		ssize_t n = recv(p->fd, peekbuf, sizeof(peekbuf),
				 MSG_DONTWAIT);

		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0 && errno == EINTR)
			continue;
		close_pend(p);
		return;
	}
}

/* 1 when the head (len octets) starts with a GET or HEAD of /healthz or
 * a feed: the requests that run without the writer lock. */
static int
head_is_lock_free_read(const char *head, size_t len)
{
	static const char *const starts[] = {
		"GET /healthz", "GET /calendar", "HEAD /healthz",
		"HEAD /calendar",
	};
	size_t i, n;

	while (len >= 2 && head[0] == '\r' && head[1] == '\n') {
		head += 2;		/* empty lines before the request line */
		len -= 2;
	}
	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		n = strlen(starts[i]);
		if (len >= n && memcmp(head, starts[i], n) == 0)
			return 1;
	}
	return 0;
}

/* Give p to libmicrohttpd (its read daemon when read_only), which reads
 * the same octets again. */
static void
hand_over(struct pend *p, int read_only)
{
	struct MHD_Daemon *d = read_only && g.d_read ? g.d_read : g.d;
	int fd = p->fd;

	epoll_ctl(g.ep, EPOLL_CTL_DEL, fd, NULL);
	unlink_pend(p);
	/* On failure (its limits) libmicrohttpd closes the socket. */
	if (MHD_add_connection(d, fd, (const struct sockaddr *)&p->addr,
			       p->alen) == MHD_YES) {
		pthread_mutex_lock(&g.lock);
		g.handed++;
		pthread_mutex_unlock(&g.lock);
	}
	free(p);
}

static void
on_readable(struct pend *p, uint32_t ev)
{
	struct svc_head_refusal why;
	ssize_t n;
	long rc;

	if (p->closing) {
		drain_pend(p);
		return;
	}
	n = recv(p->fd, peekbuf, sizeof(peekbuf), MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return;
	if (n <= 0) {			/* gone before its head was whole */
		close_pend(p);
		return;
	}
	if ((size_t)n > p->seen) {
		p->seen = (size_t)n;
		p->last = now_ms();
	}
	rc = svc_strict_check_head(peekbuf, (size_t)n, &why);
	if (rc > 0) {
		hand_over(p, head_is_lock_free_read(peekbuf, (size_t)n));
	} else if (rc < 0) {
		refuse_pend(p, &why, head_wants_zh(peekbuf, (size_t)n));
		drain_pend(p);
	} else if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		close_pend(p);		/* no more octets will come */
	}
}

static void
pause_accept(int pause)
{
	struct epoll_event ev = { .events = pause ? 0 : EPOLLIN,
				  .data.ptr = &g.lfd };

	if (epoll_ctl(g.ep, EPOLL_CTL_MOD, g.lfd, &ev) == 0)
		g.paused = pause;
}

/* Accept what is waiting; past the limits a connection is closed at once,
 * as libmicrohttpd does. */
static void
accept_some(void)
{
	const struct svc_limits *lim = svc_limits_get();
	int i;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage ss;
		socklen_t alen = sizeof(ss);
		struct epoll_event ev;
		struct pend *p, *q;
		unsigned int same = 0;
		int fd;

		fd = accept4(g.lfd, (struct sockaddr *)&ss, &alen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED ||
			    errno == EPROTO)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				pause_accept(1);	/* the sweep resumes */
			return;
		}
		for (q = g.head; q; q = q->next)
			same += same_addr(q, &ss);
		p = g.waiting < lim->max_connections &&
		    same < lim->per_address ? calloc(1, sizeof(*p)) : NULL;
		if (!p) {
			close(fd);
			pthread_mutex_lock(&g.lock);
			g.shed++;
			pthread_mutex_unlock(&g.lock);
			continue;
		}
		p->fd = fd;
		memcpy(&p->addr, &ss, sizeof(ss));
		p->alen = alen;
		p->t0 = p->last = now_ms();
		ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
		ev.data.ptr = p;
		if (epoll_ctl(g.ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			free(p);
			continue;
		}
		p->next = g.head;
		if (g.head)
			g.head->prev = p;
		g.head = p;
		pthread_mutex_lock(&g.lock);
		g.waiting++;
		pthread_mutex_unlock(&g.lock);
	}
}

/* Deadlines of the waiting connections (those of libmicrohttpd's
 * connections are the watchdog's, in limits.c). */
static void
sweep(void)
{
	const struct svc_limits *lim = svc_limits_get();
	int64_t now = now_ms();
	struct pend *p, *next;

	for (p = g.head; p; p = next) {
		next = p->next;
		if (p->closing) {
			if (now - p->t0 >= LINGER_MS)
				close_pend(p);
		} else if (lim->header_timeout_s &&
			   now - p->t0 >= (int64_t)lim->header_timeout_s *
					  1000) {
			svc_limits_header_cut();
			close_pend(p);
		} else if (lim->idle_timeout_s &&
			   now - p->last >= (int64_t)lim->idle_timeout_s *
					    1000) {
			close_pend(p);
		}
	}
	if (g.paused)
		pause_accept(0);
}

static void *
gate(void *arg)
{
	struct epoll_event evs[64];
	int64_t next_sweep = now_ms() + 250;

	(void)arg;
	for (;;) {
		int n = epoll_wait(g.ep, evs, 64, 250), i;

		for (i = 0; i < n; i++) {
			void *ptr = evs[i].data.ptr;

			if (ptr == &g.evfd)
				goto out;
			if (ptr == &g.lfd)
				accept_some();
			else
				on_readable(ptr, evs[i].events);
		}
		if (now_ms() >= next_sweep) {
			sweep();
			next_sweep = now_ms() + 250;
		}
	}
out:
	while (g.head)
		close_pend(g.head);
	return NULL;
}

int
svc_strict_start(struct MHD_Daemon *d, struct MHD_Daemon *d_read,
		 int listen_fd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int err;

	g.d = d;
	g.d_read = d_read;
	g.lfd = listen_fd;
	g.ep = epoll_create1(EPOLL_CLOEXEC);
	g.evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (g.ep < 0 || g.evfd < 0)
		goto fail;
	ev.data.ptr = &g.lfd;
	if (epoll_ctl(g.ep, EPOLL_CTL_ADD, g.lfd, &ev) != 0)
		goto fail;
	ev.data.ptr = &g.evfd;
	if (epoll_ctl(g.ep, EPOLL_CTL_ADD, g.evfd, &ev) != 0)
		goto fail;
	errno = pthread_create(&g.thr, NULL, gate, NULL);
	if (errno != 0)
		goto fail;
	g.running = 1;
	return 0;
fail:
	err = -errno;
	if (g.ep >= 0)
		close(g.ep);
	if (g.evfd >= 0)
		close(g.evfd);
	close(g.lfd);
	g.ep = g.evfd = g.lfd = -1;
	return err;
}

void
svc_strict_stop(void)
{
	uint64_t one = 1;

	if (!g.running)
		return;
	if (write(g.evfd, &one, sizeof(one)) != sizeof(one))
		(void)0;
	pthread_join(g.thr, NULL);
	close(g.lfd);
	close(g.ep);
	close(g.evfd);
	g.ep = g.evfd = g.lfd = -1;
	g.running = 0;
}

int
svc_strict_metrics(struct sbuf *sb)
{
	unsigned long long by_id[R_COUNT], handed, shed;
	unsigned int waiting;
	int rc, i, j;

	pthread_mutex_lock(&g.lock);
	memcpy(by_id, g.refused, sizeof(by_id));
	handed = g.handed;
	shed = g.shed;
	waiting = g.waiting;
	pthread_mutex_unlock(&g.lock);
	rc = sbuf_addf(sb, "# HELP roadshowd_http_refused_total Requests"
		       " refused on their raw head, before libmicrohttpd read"
		       " them, by code.\n# TYPE roadshowd_http_refused_total"
		       " counter\n");
	for (i = 0; i < R_COUNT; i++) {
		unsigned long long n = 0;

		for (j = 0; j < i; j++)
			if (strcmp(refusals[j].code, refusals[i].code) == 0)
				break;
		if (j < i)
			continue;	/* counted with its first entry */
		for (j = i; j < R_COUNT; j++)
			if (strcmp(refusals[j].code, refusals[i].code) == 0)
				n += by_id[j];
		rc |= sbuf_addf(sb, "roadshowd_http_refused_total{code=\"%s\"}"
				" %llu\n", refusals[i].code, n);
	}
	rc |= sbuf_addf(sb, "# HELP roadshowd_connections_waiting Connections"
			" accepted whose first request head has not arrived"
			" whole.\n# TYPE roadshowd_connections_waiting gauge\n"
			"roadshowd_connections_waiting %u\n"
			"# HELP roadshowd_connections_handed_total Connections"
			" whose first request head passed the check.\n# TYPE"
			" roadshowd_connections_handed_total counter\n"
			"roadshowd_connections_handed_total %llu\n"
			"# HELP roadshowd_connections_shed_total Connections"
			" closed at accept: over the per-address or total"
			" limit.\n# TYPE roadshowd_connections_shed_total"
			" counter\nroadshowd_connections_shed_total %llu\n",
			waiting, handed, shed);
	return rc ? -ENOMEM : 0;
}
