/*
 * cmd_serve.c: roadshowd serve — options, start-up, serving until
 * SIGINT/SIGTERM, orderly stop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cmd.h"
#include "limits.h"
#include "report.h"
#include "strict_http.h"
#include "svc.h"

/* The options of serve, from flags and environment. */
struct serve_opts {
	const char *path;		/* --db / ROADSHOWD_DB */
	const char *bind;		/* address to listen on */
	long port;			/* 0 to 65535; 0: any free port */
	const char *public_url;		/* NULL: derived from bind and port */
	const char *metrics_token;	/* NULL: /metrics open to loopback */
	const char *tracking;		/* YYYY-MM-DD or NULL */
	long cancelled_days;		/* days CANCELLED stay in feeds */
	long feed_days;			/* days back a public feed shows */
	struct svc_limits lim;
};

/* 1 when bind names a loopback address (127.0.0.0/8, ::1, or IPv4
 * loopback mapped into IPv6). */
static int
is_loopback(const char *bind)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, bind, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, bind, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		       (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return 0;
}

/* One of the connection limits (option c: M, A, H or B). 0 or 2. */
static int
take_limit(int c, const char *arg, struct svc_limits *lim)
{
	long lv;

	if (svc_cli_parse_long(arg, 1, c == 'M' ? 100000 : 3600, &lv) != 0) {
		fprintf(stderr, "roadshowd: --%s must be a positive number\n",
			c == 'M' ? "max-connections" : c == 'A' ?
			"per-address-limit" : c == 'H' ? "header-timeout" :
			"body-timeout");
		return 2;
	}
	if (c == 'M')
		lim->max_connections = (unsigned int)lv;
	else if (c == 'A')
		lim->per_address = (unsigned int)lv;
	else if (c == 'H')
		lim->header_timeout_s = (unsigned int)lv;
	else
		lim->body_timeout_s = (unsigned int)lv;
	return 0;
}

/* One option c with its argument. 0 or 2 (message printed). */
static int
take_option(int c, const char *arg, struct serve_opts *o,
	    const char **port_s)
{
	switch (c) {
	case 'M': case 'A': case 'H': case 'B':
		return take_limit(c, arg, &o->lim);
	case 'T': o->metrics_token = arg; return 0;
	case 'd': o->path = arg; return 0;
	case 'b': o->bind = arg; return 0;
	case 'p': *port_s = arg; return 0;
	case 'u': o->public_url = arg; return 0;
	case 't': o->tracking = arg; return 0;
	case 'c':
		if (svc_cli_parse_long(arg, 0, 3650, &o->cancelled_days) == 0)
			return 0;
		fprintf(stderr, "roadshowd: --cancelled-days must be 0 to"
			" 3650\n");
		return 2;
	case 'f':
		if (svc_cli_parse_long(arg, 0, 36500, &o->feed_days) == 0)
			return 0;
		fprintf(stderr, "roadshowd: --feed-days must be 0 to 36500\n");
		return 2;
	default:
		svc_cli_usage(stderr);
		return 2;
	}
}

/* Fill o from the environment, then argv. 0 or 2. */
static int
parse_serve(int argc, char **argv, struct serve_opts *o)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "bind", required_argument, NULL, 'b' },
		{ "port", required_argument, NULL, 'p' },
		{ "public-url", required_argument, NULL, 'u' },
		{ "cancelled-days", required_argument, NULL, 'c' },
		{ "feed-days", required_argument, NULL, 'f' },
		{ "max-connections", required_argument, NULL, 'M' },
		{ "per-address-limit", required_argument, NULL, 'A' },
		{ "header-timeout", required_argument, NULL, 'H' },
		{ "body-timeout", required_argument, NULL, 'B' },
		{ "metrics-token", required_argument, NULL, 'T' },
		{ "tracking-since", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *port_s = svc_cli_env("ROADSHOWD_PORT", "8080");
	int c;

	memset(o, 0, sizeof(*o));
	o->metrics_token = svc_cli_env("ROADSHOWD_METRICS_TOKEN", NULL);
	o->tracking = svc_cli_env("ROADSHOWD_TRACKING_SINCE", NULL);
	o->path = svc_cli_env("ROADSHOWD_DB", NULL);
	o->bind = svc_cli_env("ROADSHOWD_BIND", "127.0.0.1");
	o->public_url = svc_cli_env("ROADSHOWD_PUBLIC_URL", NULL);
	o->cancelled_days = 30;
	o->feed_days = 180;
	svc_limits_defaults(&o->lim);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (take_option(c, optarg, o, &port_s) != 0)
			return 2;
	if (optind < argc ||
	    svc_cli_parse_long(port_s, 0, 65535, &o->port) != 0) {
		fprintf(stderr, "roadshowd: --port must be 0 to 65535\n");
		return 2;
	}
	return 0;
}

/* The base of every link the server prints: --public-url without its
 * trailing slashes, else http://BIND:PORT. 0 or 2. */
static int
public_base(struct svc *svc, const struct serve_opts *o)
{
	const char *url = o->public_url;
	size_t n;

	if (url && strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0) {
		fprintf(stderr, "roadshowd: --public-url must start with"
			" http:// or https://\n");
		return 2;
	}
	if (!url) {
		snprintf(svc->public_base, sizeof(svc->public_base),
			 strchr(o->bind, ':') ? "http://[%s]:%ld"
			 : "http://%s:%ld", o->bind, o->port);
		if (!is_loopback(o->bind))
			fprintf(stderr, "roadshowd: warning: serving on %s"
				" without --public-url: every subscribe link"
				" will name %s; give the address subscribers"
				" use, e.g. --public-url"
				" https://calendar.example.org\n", o->bind,
				svc->public_base);
		return 0;
	}
	svc->public_url_given = 1;
	snprintf(svc->public_base, sizeof(svc->public_base), "%s", url);
	n = strlen(svc->public_base);
	while (n > 8 && svc->public_base[n - 1] == '/')
		svc->public_base[--n] = '\0';	/* paths add their own */
	return 0;
}

/* Open the database and fill svc. 0, or the exit status (svc->db closed). */
static int
open_service(struct svc *svc, const struct serve_opts *o,
	     const char *self_exe)
{
	int rc;

	memset(svc, 0, sizeof(*svc));
	if ((rc = svc_cli_open_db(o->path, &svc->db)) != 0)
		return rc;
	svc->clock = svc_now;
	svc->cancelled_window_s = (int64_t)o->cancelled_days * 86400;
	svc->feed_back_s = (int64_t)o->feed_days * 86400;
	svc->started_utc = svc_now();
	snprintf(svc->db_path, sizeof(svc->db_path), "%s", o->path);
	if (cal_tracking_since(svc->db, o->tracking, svc_now(),
			       &svc->tracking_since_utc) != 0) {
		fprintf(stderr, "roadshowd: --tracking-since must be a date"
			" YYYY-MM-DD\n");
		rc = 2;
	} else if (svc_feed_init(svc) != 0) {
		fprintf(stderr, "roadshowd: cannot read the feeds' state\n");
		rc = 1;
	} else {
		snprintf(svc->self_exe, sizeof(svc->self_exe), "%s", self_exe);
		rc = public_base(svc, o);
	}
	if (rc != 0)
		db_close(svc->db);
	return rc;
}

/* Serve until SIGINT or SIGTERM, then stop in order. 0 or 1. */
static int
run(struct svc *svc, const struct serve_opts *o)
{
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	sigset_t stop_signals;
	int sig;

	/* Block SIGINT/SIGTERM before MHD starts its threads (they inherit
	 * the mask), then take them with sigwait() in this thread only. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);
	svc_limits_configure(&o->lim, o->metrics_token);
	if (svc_limits_start() != 0)
		return 1;
	d = svc_server_start(svc, o->bind, (unsigned short)o->port);
	if (!d) {
		svc_limits_stop();
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, strchr(o->bind, ':') ?
		"roadshowd: serving %s on http://[%s]:%u/\n" :
		"roadshowd: serving %s on http://%s:%u/\n", o->path, o->bind,
		info ? (unsigned)info->port : (unsigned)o->port);
	while (sigwait(&stop_signals, &sig) != 0)
		;
	svc_strict_stop();
	svc_feed_quiesce(svc);
	svc_server_stop_read();
	MHD_stop_daemon(d);
	svc_limits_stop();
	svc_feed_release(svc);
	return 0;
}

int
svc_cmd_serve(int argc, char **argv, const char *self_exe)
{
	struct serve_opts o;
	struct svc svc;
	int rc;

	if ((rc = parse_serve(argc, argv, &o)) != 0)
		return rc;
	if ((rc = open_service(&svc, &o, self_exe)) != 0)
		return rc;
	pthread_mutex_init(&svc.lock, NULL);
	rc = run(&svc, &o);
	db_close(svc.db);
	pthread_mutex_destroy(&svc.lock);
	if (rc == 0)
		fprintf(stderr, "roadshowd: stopped\n");
	return rc;
}
