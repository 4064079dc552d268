/*
 * limits.c: connection deadlines, %00, failed-authentication budget,
 * metrics access, log paths. See limits.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "limits.h"
#include "sbuf.h"
#include "strict_http.h"

/* One open connection, from NOTIFY_CONNECTION STARTED to CLOSED. */
struct conn_rec {
	struct conn_rec *prev, *next;
	int fd;
	int phase;		/* 0 header, 1 body, 2 answering */
	int64_t since_ms;	/* monotonic, start of the phase */
	int bad_nul;		/* this request encoded a NUL */
	int killed;		/* shut down by the watchdog */
};

/* One client address's failed authentications. */
struct auth_slot {
	unsigned char addr[16];
	int used;
	int64_t window_start;	/* monotonic seconds */
	unsigned int failures;
};
#define AUTH_SLOTS 512

static struct svc_limits cfg = { 1000, 32, 15, 30, 60 };
static unsigned char metrics_hash[32];
static int metrics_token_set;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct conn_rec *conns;			/* under lock */
static struct auth_slot slots[AUTH_SLOTS];	/* under lock */
static int stopping;				/* under lock */
static pthread_t watchdog;
static int watchdog_running;
static unsigned long long n_open, n_header_deadline, n_body_deadline;
static unsigned long long n_auth_failures, n_auth_limited;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
svc_limits_defaults(struct svc_limits *l)
{
	l->max_connections = 1000;
	l->per_address = 32;
	l->idle_timeout_s = 15;
	l->header_timeout_s = 30;
	l->body_timeout_s = 60;
}

static void
sha256(const char *s, size_t len, unsigned char out[32])
{
	unsigned int n = 0;

	EVP_Digest(s, len, out, &n, EVP_sha256(), NULL);
}

void
svc_limits_configure(const struct svc_limits *l, const char *metrics_token)
{
	cfg = *l;
	metrics_token_set = metrics_token && *metrics_token;
	if (metrics_token_set)
		sha256(metrics_token, strlen(metrics_token), metrics_hash);
}

const struct svc_limits *
svc_limits_get(void)
{
	return &cfg;
}

static void *
watch(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&lock);
	while (!stopping) {
		int64_t now = now_ms();
		struct conn_rec *c;

		for (c = conns; c; c = c->next) {
			unsigned int limit = c->phase == 0 ?
				cfg.header_timeout_s : c->phase == 1 ?
				cfg.body_timeout_s : 0;

			if (!limit || c->killed ||
			    now - c->since_ms < (int64_t)limit * 1000)
				continue;
			/* The fd stays open until CLOSED, which takes this
			 * lock: no other socket can have its number yet. */
			shutdown(c->fd, SHUT_RDWR);
			c->killed = 1;
			if (c->phase == 0)
				n_header_deadline++;
			else
				n_body_deadline++;
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wake, &lock, &until);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int
svc_limits_start(void)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)cfg.max_connections + 256;

	/* Every connection is a descriptor: make room for the limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
			      rl.rlim_max > want ? want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	stopping = 0;
	if (pthread_create(&watchdog, NULL, watch, NULL) != 0)
		return -EAGAIN;
	watchdog_running = 1;
	return 0;
}

void
svc_limits_stop(void)
{
	if (!watchdog_running)
		return;
	pthread_mutex_lock(&lock);
	stopping = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(watchdog, NULL);
	watchdog_running = 0;
}

void
svc_limits_notify_connection(void *cls, struct MHD_Connection *conn,
			     void **socket_context,
			     enum MHD_ConnectionNotificationCode code)
{
	struct conn_rec *c = *socket_context;

	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
			conn, MHD_CONNECTION_INFO_CONNECTION_FD);

		c = calloc(1, sizeof(*c));
		if (!c || !ci) {
			free(c);
			*socket_context = NULL;
			return;
		}
		c->fd = ci->connect_fd;
		c->since_ms = now_ms();
		pthread_mutex_lock(&lock);
		c->next = conns;
		if (conns)
			conns->prev = c;
		conns = c;
		n_open++;
		pthread_mutex_unlock(&lock);
		*socket_context = c;
		return;
	}
	if (!c)
		return;
	pthread_mutex_lock(&lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	n_open--;
	pthread_mutex_unlock(&lock);
	free(c);
	*socket_context = NULL;
}

static struct conn_rec *
rec_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

size_t
svc_limits_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	const char *p;

	(void)cls;
	for (p = strchr(s, '%'); p; p = strchr(p + 1, '%'))
		if (p[1] == '0' && p[2] == '0') {
			struct conn_rec *c = rec_of(conn);

			if (c)
				c->bad_nul = 1;	/* this connection's thread */
			break;
		}
	return MHD_http_unescape(s);
}

static void
set_phase(struct MHD_Connection *conn, int phase)
{
	struct conn_rec *c = rec_of(conn);

	if (!c)
		return;
	pthread_mutex_lock(&lock);
	c->phase = phase;
	c->since_ms = now_ms();
	if (phase == 0)
		c->bad_nul = 0;
	pthread_mutex_unlock(&lock);
}

int
svc_limits_header_done(struct MHD_Connection *conn)
{
	struct conn_rec *c = rec_of(conn);

	set_phase(conn, 1);
	return c ? c->bad_nul : 0;
}

void
svc_limits_header_cut(void)
{
	pthread_mutex_lock(&lock);
	n_header_deadline++;
	pthread_mutex_unlock(&lock);
}

void
svc_limits_body_done(struct MHD_Connection *conn)
{
	set_phase(conn, 2);
}

void
svc_limits_request_done(struct MHD_Connection *conn)
{
	set_phase(conn, 0);
}

/* The client address as 16 octets (IPv4 mapped into IPv6). */
static int
addr_of(struct MHD_Connection *conn, unsigned char out[16])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	memset(out, 0, 16);
	if (!ci || !ci->client_addr)
		return -ENOENT;
	if (ci->client_addr->sa_family == AF_INET) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &((const struct sockaddr_in *)(const void *)
				   ci->client_addr)->sin_addr, 4);
		return 0;
	}
	if (ci->client_addr->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)
			      ci->client_addr)->sin6_addr, 16);
		return 0;
	}
	return -ENOENT;
}

/* The slot of addr (a free or the stalest one when create), or NULL.
 * Under lock. */
static struct auth_slot *
slot_of(const unsigned char addr[16], int create, int64_t now)
{
	struct auth_slot *oldest = &slots[0];
	size_t i;

	for (i = 0; i < AUTH_SLOTS; i++) {
		if (slots[i].used && memcmp(slots[i].addr, addr, 16) == 0) {
			if (now - slots[i].window_start >= SVC_AUTH_WINDOW_S) {
				slots[i].window_start = now;
				slots[i].failures = 0;
			}
			return &slots[i];
		}
		if (!slots[i].used ||
		    (oldest->used && slots[i].window_start <
		     oldest->window_start))
			oldest = &slots[i];
	}
	if (!create)
		return NULL;
	memcpy(oldest->addr, addr, 16);
	oldest->used = 1;
	oldest->window_start = now;
	oldest->failures = 0;
	return oldest;
}

int
svc_limits_auth_failed(struct MHD_Connection *conn)
{
	unsigned char addr[16];
	struct auth_slot *s;
	int over;

	if (addr_of(conn, addr) != 0)
		return 0;
	pthread_mutex_lock(&lock);
	n_auth_failures++;
	s = slot_of(addr, 1, now_ms() / 1000);
	if (s->failures < SVC_AUTH_FAILURES_MAX)
		s->failures++;
	over = s->failures >= SVC_AUTH_FAILURES_MAX;
	pthread_mutex_unlock(&lock);
	return over;
}

int
svc_limits_auth_blocked(struct MHD_Connection *conn)
{
	unsigned char addr[16];
	struct auth_slot *s;
	int blocked;

	if (addr_of(conn, addr) != 0)
		return 0;
	pthread_mutex_lock(&lock);
	s = slot_of(addr, 0, now_ms() / 1000);
	blocked = s && s->failures >= SVC_AUTH_FAILURES_MAX;
	if (blocked)
		n_auth_limited++;
	pthread_mutex_unlock(&lock);
	return blocked;
}

int
svc_limits_metrics_access(const char *authz)
{
	unsigned char h[32];

	if (!metrics_token_set)
		return 1;
	if (!authz || strncasecmp(authz, "Bearer ", 7) != 0)
		return 0;
	authz += 7;
	while (*authz == ' ')
		authz++;
	sha256(authz, strlen(authz), h);
	return CRYPTO_memcmp(h, metrics_hash, 32) == 0 ? 2 : 0;
}

int
svc_limits_metrics(struct sbuf *sb)
{
	int rc;

	pthread_mutex_lock(&lock);
	rc = sbuf_addf(sb, "# HELP roadshowd_connections_open Client"
		       " connections open.\n# TYPE roadshowd_connections_open"
		       " gauge\nroadshowd_connections_open %llu\n"
		       "# HELP roadshowd_connections_deadline_total Connections"
		       " closed for missing a deadline.\n# TYPE"
		       " roadshowd_connections_deadline_total counter\n"
		       "roadshowd_connections_deadline_total{phase=\"header\"}"
		       " %llu\n"
		       "roadshowd_connections_deadline_total{phase=\"body\"}"
		       " %llu\n"
		       "# HELP roadshowd_auth_failures_total Requests with a"
		       " bearer token that is not valid.\n# TYPE"
		       " roadshowd_auth_failures_total counter\n"
		       "roadshowd_auth_failures_total %llu\n"
		       "# HELP roadshowd_auth_rate_limited_total Requests"
		       " refused (429) after too many failed tokens from"
		       " their address.\n# TYPE"
		       " roadshowd_auth_rate_limited_total counter\n"
		       "roadshowd_auth_rate_limited_total %llu\n",
		       n_open, n_header_deadline, n_body_deadline,
		       n_auth_failures, n_auth_limited);
	pthread_mutex_unlock(&lock);
	return rc | svc_strict_metrics(sb);
}

void
svc_limits_log_path(const char *url, char *out, size_t size)
{
	const char *p = strstr(url, "private/");
	size_t len;

	if (!p) {
		snprintf(out, size, "%s", url);
		return;
	}
	len = strlen(url);
	snprintf(out, size, "%.*s(secret)%s", (int)(p + 8 - url), url,
		 len > 4 && strcmp(url + len - 4, ".ics") == 0 ? ".ics" : "");
}
