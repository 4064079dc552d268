/*
 * main.c: the roadshowd command.
 *
 *   roadshowd serve  --db FILE [--bind ADDR] [--port N] [--public-url URL]
 *                    [--cancelled-days N] [--feed-days N] [--max-connections N]
 *                    [--per-address-limit N] [--header-timeout S]
 *                    [--body-timeout S] [--metrics-token TOKEN]
 *                    [--tracking-since YYYY-MM-DD]
 *   roadshowd token create --db FILE --role admin|organiser
 *                    [--carrier SLUG] [--label TEXT]
 *   roadshowd token list --db FILE
 *   roadshowd token revoke --db FILE --id N
 *   roadshowd cadence --db FILE --year YYYY [--as-of RFC3339] [--rule ID]
 *                    [--by region|carrier] [--format text|json|csv]
 *   roadshowd import FILE.ics --db FILE --carrier SLUG [--kind KIND]
 *   roadshowd user create --db FILE --username NAME
 *                    --role admin|organiser|viewer [--carrier SLUG]...
 *                    [--password-stdin] [--public-url URL]
 *   roadshowd backup --db FILE OUT
 *   roadshowd parse-ics   (internal: the sandboxed .ics parser)
 *
 * Environment: ROADSHOWD_DB, ROADSHOWD_BIND, ROADSHOWD_PORT,
 * ROADSHOWD_PUBLIC_URL, ROADSHOWD_METRICS_TOKEN, ROADSHOWD_TRACKING_SINCE
 * give defaults for the flags; ROADSHOWD_NOW (RFC 3339) fixes the clock,
 * for tests; ROADSHOWD_NOW_FILE names a file whose RFC 3339 content is the
 * clock (read at every use), for tests that move time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../calendar/caltime.h"
#include "../calendar/kind.h"
#include "accounts.h"
#include "cmd_backup.h"
#include "ics_import.h"
#include "limits.h"
#include "strict_http.h"
#include "report.h"
#include "svc.h"
#include "svc_admin.h"

static int64_t fixed_now;
static const char *now_file;	/* ROADSHOWD_NOW_FILE: a test clock */
static char self_exe[4096];

/* A test clock that tests move: the file holds an RFC 3339 time, read
 * on every call; 0 when it does not (then ROADSHOWD_NOW or the real
 * clock rules). */
static int64_t
file_now(void)
{
	char text[64];
	int64_t t = 0;
	size_t n;
	FILE *f = fopen(now_file, "r");

	if (!f)
		return 0;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		n--;
	text[n] = '\0';
	return cal_time_parse_rfc3339(text, &t) == 0 ? t : 0;
}

static int64_t
clock_now(void)
{
	int64_t t = now_file ? file_now() : 0;

	if (t)
		return t;
	return fixed_now ? fixed_now : (int64_t)time(NULL);
}

static void
usage(FILE *f)
{
	fputs("usage:\n"
	      "  roadshowd serve --db FILE [--bind ADDR] [--port N]"
	      " [--public-url URL] [--cancelled-days N] [--feed-days N]\n"
	      "        [--max-connections N] [--per-address-limit N]"
	      " [--header-timeout S] [--body-timeout S]\n"
	      "        [--metrics-token TOKEN] [--tracking-since YYYY-MM-DD]\n"
	      "  roadshowd token create --db FILE --role admin|organiser"
	      " [--carrier SLUG] [--label TEXT]"
	      " [--expires RFC3339]\n"
	      "  roadshowd token list --db FILE\n"
	      "  roadshowd token revoke --db FILE --id N\n"
	      "  roadshowd cadence --db FILE --year YYYY [--as-of RFC3339]"
	      " [--rule ID] [--by region|carrier] [--format text|json|csv]\n"
	      "                  [--tracking-since YYYY-MM-DD]\n"
	      "  roadshowd import FILE.ics --db FILE --carrier SLUG"
	      " [--kind KIND]\n"
	      "  roadshowd user create --db FILE --username NAME"
	      " --role admin|organiser|viewer [--carrier SLUG]..."
	      " [--password-stdin] [--public-url URL]\n"
	      "  roadshowd backup --db FILE OUT\n", f);
}

static const char *
env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

static int
parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
open_db(const char *path, struct db **db)
{
	int rc;

	if (!path) {
		fprintf(stderr, "roadshowd: --db FILE is required\n");
		return 2;
	}
	rc = db_open(path, clock_now(), db);
	if (rc != 0) {
		fprintf(stderr, "roadshowd: cannot open database %s: %s\n",
			path, strerror(-rc));
		return 1;
	}
	return 0;
}

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

static int
cmd_serve(int argc, char **argv)
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
	const char *metrics_token = env_or("ROADSHOWD_METRICS_TOKEN", NULL);
	struct svc_limits lim;
	long lv;
	const char *tracking = env_or("ROADSHOWD_TRACKING_SINCE", NULL);
	const char *path = env_or("ROADSHOWD_DB", NULL);
	const char *bind = env_or("ROADSHOWD_BIND", "127.0.0.1");
	const char *port_s = env_or("ROADSHOWD_PORT", "8080");
	const char *public_url = env_or("ROADSHOWD_PUBLIC_URL", NULL);
	long port, days = 30, feed_days = 180;
	struct MHD_Daemon *d;
	struct svc svc;
	sigset_t stop_signals;
	int c, rc, sig;

	svc_limits_defaults(&lim);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'M': case 'A': case 'H': case 'B':
			if (parse_long(optarg, 1, c == 'M' ? 100000 : 3600,
				       &lv) != 0) {
				fprintf(stderr, "roadshowd: --%s must be a"
					" positive number\n", c == 'M' ?
					"max-connections" : c == 'A' ?
					"per-address-limit" : c == 'H' ?
					"header-timeout" : "body-timeout");
				return 2;
			}
			if (c == 'M')
				lim.max_connections = (unsigned int)lv;
			else if (c == 'A')
				lim.per_address = (unsigned int)lv;
			else if (c == 'H')
				lim.header_timeout_s = (unsigned int)lv;
			else
				lim.body_timeout_s = (unsigned int)lv;
			break;
		case 'T': metrics_token = optarg; break;
		case 'd': path = optarg; break;
		case 'b': bind = optarg; break;
		case 'p': port_s = optarg; break;
		case 'u': public_url = optarg; break;
		case 't': tracking = optarg; break;
		case 'c':
			if (parse_long(optarg, 0, 3650, &days) != 0) {
				fprintf(stderr, "roadshowd: --cancelled-days"
					" must be 0 to 3650\n");
				return 2;
			}
			break;
		case 'f':
			if (parse_long(optarg, 0, 36500, &feed_days) != 0) {
				fprintf(stderr, "roadshowd: --feed-days must be"
					" 0 to 36500\n");
				return 2;
			}
			break;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || parse_long(port_s, 0, 65535, &port) != 0) {
		fprintf(stderr, "roadshowd: --port must be 0 to 65535\n");
		return 2;
	}
	memset(&svc, 0, sizeof(svc));
	if ((rc = open_db(path, &svc.db)) != 0)
		return rc;
	pthread_mutex_init(&svc.lock, NULL);
	svc.clock = clock_now;
	svc.cancelled_window_s = (int64_t)days * 86400;
	svc.feed_back_s = (int64_t)feed_days * 86400;
	svc.started_utc = clock_now();
	if (cal_tracking_since(svc.db, tracking, clock_now(),
			       &svc.tracking_since_utc) != 0) {
		fprintf(stderr, "roadshowd: --tracking-since must be a date"
			" YYYY-MM-DD\n");
		db_close(svc.db);
		return 2;
	}
	snprintf(svc.db_path, sizeof(svc.db_path), "%s", path);
	if (svc_feed_init(&svc) != 0) {
		fprintf(stderr, "roadshowd: cannot read the feeds' state\n");
		db_close(svc.db);
		return 1;
	}
	snprintf(svc.self_exe, sizeof(svc.self_exe), "%s", self_exe);
	if (public_url && strncmp(public_url, "http://", 7) != 0 &&
	    strncmp(public_url, "https://", 8) != 0) {
		fprintf(stderr, "roadshowd: --public-url must start with"
			" http:// or https://\n");
		db_close(svc.db);
		return 2;
	}
	if (public_url) {
		size_t n;

		svc.public_url_given = 1;
		snprintf(svc.public_base, sizeof(svc.public_base), "%s",
			 public_url);
		n = strlen(svc.public_base);
		while (n > 8 && svc.public_base[n - 1] == '/')
			svc.public_base[--n] = '\0';	/* paths add their own */
	}
	else
		snprintf(svc.public_base, sizeof(svc.public_base),
			 strchr(bind, ':') ? "http://[%s]:%ld"
					   : "http://%s:%ld", bind, port);
	if (!public_url && !is_loopback(bind))
		fprintf(stderr, "roadshowd: warning: serving on %s without"
			" --public-url: every subscribe link will name %s;"
			" give the address subscribers use, e.g. --public-url"
			" https://calendar.example.org\n", bind,
			svc.public_base);
	/* Block SIGINT/SIGTERM before MHD starts its threads (they inherit
	 * the mask), then take them with sigwait() in this thread only. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);
	svc_limits_configure(&lim, metrics_token);
	if (svc_limits_start() != 0) {
		db_close(svc.db);
		return 1;
	}
	d = svc_server_start(&svc, bind, (unsigned short)port);
	if (!d) {
		svc_limits_stop();
		db_close(svc.db);
		return 1;
	}
	{
		const union MHD_DaemonInfo *info =
			MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);

		fprintf(stderr, strchr(bind, ':') ?
			"roadshowd: serving %s on http://[%s]:%u/\n" :
			"roadshowd: serving %s on http://%s:%u/\n",
			path, bind, info ? (unsigned)info->port
					 : (unsigned)port);
	}
	while (sigwait(&stop_signals, &sig) != 0)
		;
	svc_strict_stop();
	svc_feed_quiesce(&svc);
	MHD_stop_daemon(d);
	svc_limits_stop();
	svc_feed_release(&svc);
	db_close(svc.db);
	pthread_mutex_destroy(&svc.lock);
	fprintf(stderr, "roadshowd: stopped\n");
	return 0;
}

/* roadshowd token list --db FILE | token revoke --db FILE --id N */
static int
cmd_token_admin(int argc, char **argv, int revoke)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "id", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = env_or("ROADSHOWD_DB", NULL);
	struct db_token *t = NULL;
	struct db *db;
	long id = 0;
	size_t n = 0, i;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'i':
			if (parse_long(optarg, 1, 0x7fffffffL, &id) != 0) {
				fprintf(stderr, "roadshowd: --id must be a"
					" token id (roadshowd token list)\n");
				return 2;
			}
			break;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || (revoke && !id)) {
		fprintf(stderr, "roadshowd: token revoke --db FILE --id N\n");
		return 2;
	}
	if (!path || access(path, F_OK) != 0) {
		fprintf(stderr, "roadshowd: --db must name an existing"
			" database\n");
		return 2;
	}
	if ((rc = open_db(path, &db)) != 0)
		return rc;
	if (revoke) {
		rc = svc_token_revoke_audited(db, id, "cli", clock_now());
		db_close(db);
		if (rc == -ENOENT) {
			fprintf(stderr, "roadshowd: no live token %ld\n", id);
			return 1;
		}
		if (rc != 0) {
			fprintf(stderr, "roadshowd: cannot revoke: %s\n",
				strerror(-rc));
			return 1;
		}
		printf("revoked token %ld\n", id);
		return 0;
	}
	rc = db_tokens_list(db, &t, &n);
	db_close(db);
	if (rc != 0) {
		fprintf(stderr, "roadshowd: cannot list tokens: %s\n",
			strerror(-rc));
		return 1;
	}
	printf("%-5s %-10s %-30s %-20s %-20s %s\n", "ID", "ROLE", "CARRIER",
	       "CREATED", "REVOKED", "EXPIRES");
	for (i = 0; i < n; i++) {
		char created[32], revoked[32] = "-", expires[32] = "-";

		cal_time_format_rfc3339(t[i].created_utc, "UTC", created);
		if (t[i].revoked_utc)
			cal_time_format_rfc3339(t[i].revoked_utc, "UTC",
						revoked);
		if (t[i].expires_utc)
			cal_time_format_rfc3339(t[i].expires_utc, "UTC",
						expires);
		printf("%-5lld %-10s %-30s %-20s %-20s %s%s%s\n",
		       (long long)t[i].id, t[i].role,
		       t[i].carrier ? t[i].carrier : "-", created, revoked,
		       expires, t[i].label ? "  " : "",
		       t[i].label ? t[i].label : "");
	}
	db_tokens_free(t, n);
	return 0;
}

static int
cmd_token(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "role", required_argument, NULL, 'r' },
		{ "carrier", required_argument, NULL, 'c' },
		{ "label", required_argument, NULL, 'l' },
		{ "expires", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = env_or("ROADSHOWD_DB", NULL), *role = NULL;
	int64_t expires = 0;
	const char *carrier = NULL, *label = NULL;
	char token[69], hash[65];
	int64_t token_id = 0;
	struct db *db;
	int c, rc;

	if (argc >= 2 && (strcmp(argv[1], "list") == 0 ||
			  strcmp(argv[1], "revoke") == 0))
		return cmd_token_admin(argc - 1, argv + 1,
				       strcmp(argv[1], "revoke") == 0);
	if (argc < 2 || strcmp(argv[1], "create") != 0) {
		fprintf(stderr, "roadshowd: token: create, list or revoke\n");
		usage(stderr);
		return 2;
	}
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'r': role = optarg; break;
		case 'c': carrier = optarg; break;
		case 'l': label = optarg; break;
		case 'e':
			if (cal_time_parse_rfc3339(optarg, &expires) != 0 ||
			    expires <= clock_now()) {
				fprintf(stderr, "roadshowd: --expires must be a"
					" future RFC 3339 time with offset\n");
				return 2;
			}
			break;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || !role ||
	    (strcmp(role, "admin") != 0 && strcmp(role, "organiser") != 0)) {
		fprintf(stderr, "roadshowd: --role must be admin or"
			" organiser\n");
		return 2;
	}
	if (strcmp(role, "organiser") == 0 && !carrier) {
		fprintf(stderr, "roadshowd: an organiser token needs"
			" --carrier SLUG\n");
		return 2;
	}
	if (strcmp(role, "admin") == 0 && carrier) {
		fprintf(stderr, "roadshowd: an admin token takes no"
			" --carrier\n");
		return 2;
	}
	if ((rc = open_db(path, &db)) != 0)
		return rc;
	if (svc_token_generate(token, hash) != 0) {
		fprintf(stderr, "roadshowd: no randomness for a token\n");
		db_close(db);
		return 1;
	}
	rc = svc_token_store(db, hash, role, carrier, label, expires, "cli",
			     clock_now(), &token_id);
	db_close(db);
	if (rc == -EINVAL) {
		fprintf(stderr, "roadshowd: '%s' is not a known carrier\n",
			carrier ? carrier : "");
		return 2;
	}
	if (rc != 0) {
		fprintf(stderr, "roadshowd: cannot store the token: %s\n",
			strerror(-rc));
		return 1;
	}
	printf("# %s token %lld%s%s; shown once, only its SHA-256 is stored"
	       " (roadshowd token revoke --id %lld)\n", role,
	       (long long)token_id, carrier ? " for carrier " : "",
	       carrier ? carrier : "", (long long)token_id);
	printf("%s\n", token);
	return 0;
}

static int
cmd_cadence(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "year", required_argument, NULL, 'y' },
		{ "as-of", required_argument, NULL, 'a' },
		{ "rule", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "by", required_argument, NULL, 'B' },
		{ "tracking-since", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tracking = env_or("ROADSHOWD_TRACKING_SINCE", NULL);
	const char *path = env_or("ROADSHOWD_DB", NULL), *year_s = NULL;
	const char *as_of_s = NULL, *rule = NULL, *format = "text";
	const char *by = NULL;
	struct cal_report_query q;
	struct cal_report rep;
	int64_t as_of = clock_now();
	struct db *db;
	char *out = NULL;
	long year;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'y': year_s = optarg; break;
		case 'a': as_of_s = optarg; break;
		case 'r': rule = optarg; break;
		case 'f': format = optarg; break;
		case 'B': by = optarg; break;
		case 't': tracking = optarg; break;
		default: usage(stderr); return 2;
		}
	}
	if (by && strcmp(by, "district") && strcmp(by, "region") &&
	    strcmp(by, "carrier") && strcmp(by, "partner")) {
		fprintf(stderr, "roadshowd: --by must be district, region,"
			" carrier or partner\n");
		return 2;
	}
	if (optind < argc || parse_long(year_s, 1970, 9999, &year) != 0) {
		fprintf(stderr, "roadshowd: --year must be 1970 to 9999\n");
		return 2;
	}
	if (as_of_s && cal_time_parse_rfc3339(as_of_s, &as_of) != 0) {
		fprintf(stderr, "roadshowd: --as-of must be RFC 3339 with an"
			" offset, e.g. 2025-06-30T12:00:00+08:00\n");
		return 2;
	}
	if (strcmp(format, "text") && strcmp(format, "json") &&
	    strcmp(format, "csv")) {
		fprintf(stderr, "roadshowd: --format must be text, json or"
			" csv\n");
		return 2;
	}
	if (!path) {
		fprintf(stderr, "roadshowd: --db FILE is required\n");
		return 2;
	}
	if (access(path, F_OK) != 0) {
		fprintf(stderr, "roadshowd: %s does not exist\n", path);
		return 2;
	}
	if ((rc = open_db(path, &db)) != 0)
		return rc == 2 ? 2 : 1;
	cal_report_query_year(&q, (int)year);
	q.as_of_utc = as_of;
	q.rule_id = rule;
	q.by = by;
	q.has_tracking = 1;
	if (cal_tracking_since(db, tracking, clock_now(),
			       &q.tracking_since_utc) != 0) {
		fprintf(stderr, "roadshowd: --tracking-since must be a date"
			" YYYY-MM-DD\n");
		db_close(db);
		return 2;
	}
	rc = cal_report_build(db, &q, &rep);
	db_close(db);
	if (rc == -ENOENT) {
		fprintf(stderr, "roadshowd: '%s' is not a cadence rule\n",
			rule);
		return 2;
	}
	if (rc != 0) {
		fprintf(stderr, "roadshowd: cannot build the report: %s\n",
			strerror(-rc));
		return 1;
	}
	if (strcmp(format, "json") == 0) {
		json_t *j = svc_report_json(&rep);

		out = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
		json_decref(j);
	} else if (strcmp(format, "csv") == 0) {
		out = svc_report_csv(&rep);
	} else {
		out = svc_report_text(&rep);
	}
	rc = cal_report_missed(&rep) ? 1 : 0;
	cal_report_release(&rep);
	if (!out) {
		fprintf(stderr, "roadshowd: out of memory\n");
		return 1;
	}
	fputs(out, stdout);
	if (strcmp(format, "json") == 0)
		fputc('\n', stdout);
	free(out);
	return rc;
}

static int
cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "carrier", required_argument, NULL, 'c' },
		{ "kind", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = env_or("ROADSHOWD_DB", NULL), *carrier = NULL;
	const char *kind = NULL, *file;
	struct svc_import_counts counts;
	json_t *parsed = NULL, *errors = NULL;
	char why[200], *text = NULL;
	size_t len = 0;
	struct db *db = NULL;
	FILE *f;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'c': carrier = optarg; break;
		case 'k': kind = optarg; break;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1 || !carrier) {
		fprintf(stderr, "roadshowd: import FILE.ics --db FILE"
			" --carrier SLUG [--kind KIND]\n");
		return 2;
	}
	file = argv[optind];
	f = fopen(file, "rb");
	if (!f) {
		fprintf(stderr, "roadshowd: cannot read %s: %s\n", file,
			strerror(errno));
		return 2;
	}
	text = malloc(SVC_MAX_IMPORT_BODY + 1);
	if (text)
		len = fread(text, 1, SVC_MAX_IMPORT_BODY + 1, f);
	fclose(f);
	if (!text || len > SVC_MAX_IMPORT_BODY) {
		fprintf(stderr, "roadshowd: %s is larger than %d octets\n",
			file, SVC_MAX_IMPORT_BODY);
		free(text);
		return 2;
	}
	if (kind && !cal_kind_find(kind)) {
		fprintf(stderr, "roadshowd: --kind '%s' is not one of roadshow,"
			" salon, forum, training, seminar, exhibition,"
			" competition\n", kind);
		free(text);
		return 2;
	}
	if ((rc = open_db(path, &db)) != 0) {
		free(text);
		return rc;
	}
	{
		struct db_carrier cr;

		if (db_carrier_get(db, carrier, &cr) != 0) {
			fprintf(stderr, "roadshowd: '%s' is not a known"
				" carrier\n", carrier);
			free(text);
			db_close(db);
			return 2;
		}
		db_carrier_release(&cr);
	}
	rc = svc_ics_parse_isolated(self_exe, text, len, &parsed, why,
				    sizeof(why));
	free(text);
	if (rc != 0) {
		fprintf(stderr, "roadshowd: %s: %s\n", file, why);
		db_close(db);
		return 1;
	}
	errors = json_object_get(parsed, "errors");
	if (json_array_size(errors)) {
		size_t i;

		for (i = 0; i < json_array_size(errors); i++) {
			json_t *e = json_array_get(errors, i);

			fprintf(stderr, "%s:%lld: VEVENT %lld: %s\n", file,
				(long long)json_integer_value(
					json_object_get(e, "line")),
				(long long)json_integer_value(
					json_object_get(e, "vevent")),
				json_string_value(json_object_get(e,
								  "detail")));
		}
		json_decref(parsed);
		db_close(db);
		return 1;
	}
	errors = json_array();
	rc = svc_import_apply(db, parsed, carrier, kind, "cli", clock_now(),
			      0, errors, &counts);
	json_decref(parsed);
	db_close(db);
	if (rc != 0) {
		size_t i;

		for (i = 0; i < json_array_size(errors); i++)
			fprintf(stderr, "%s: UID %s: %s\n", file,
				json_string_value(json_object_get(
					json_array_get(errors, i), "uid")),
				json_string_value(json_object_get(
					json_array_get(errors, i), "detail")));
		if (!json_array_size(errors))
			fprintf(stderr, "roadshowd: import failed: %s\n",
				strerror(-rc));
		json_decref(errors);
		svc_import_counts_release(&counts);
		return 1;
	}
	printf("created %d, updated %d, unchanged %d\n", counts.created,
	       counts.updated, counts.unchanged);
	json_decref(errors);
	svc_import_counts_release(&counts);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *now = getenv("ROADSHOWD_NOW");
	ssize_t n;

	if (argc >= 2 && strcmp(argv[1], "parse-ics") == 0) {
		cal_init();
		return svc_parse_ics_main();
	}
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n <= 0) {
		fprintf(stderr, "roadshowd: cannot find my own binary\n");
		return 1;
	}
	self_exe[n] = '\0';
	/* The database, its WAL and shared-memory files and backups hold
	 * token hashes and unpublished events: owner only. */
	umask(077);
	cal_init();
	now_file = getenv("ROADSHOWD_NOW_FILE");
	if (now_file && !*now_file)
		now_file = NULL;
	if (svc_crypto_init() != 0) {
		fprintf(stderr, "roadshowd: libsodium cannot start\n");
		return 1;
	}
	if (now && *now && cal_time_parse_rfc3339(now, &fixed_now) != 0) {
		fprintf(stderr, "roadshowd: ROADSHOWD_NOW must be RFC 3339\n");
		return 2;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "serve") == 0)
		return cmd_serve(argc - 1, argv + 1);
	if (strcmp(argv[1], "token") == 0)
		return cmd_token(argc - 1, argv + 1);
	if (strcmp(argv[1], "cadence") == 0)
		return cmd_cadence(argc - 1, argv + 1);
	if (strcmp(argv[1], "import") == 0)
		return cmd_import(argc - 1, argv + 1);
	if (strcmp(argv[1], "user") == 0)
		return svc_cli_user(argc - 1, argv + 1, clock_now());
	if (strcmp(argv[1], "backup") == 0)
		return svc_cmd_backup(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "roadshowd: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
