/*
 * cmd_user.c: roadshowd user create — an account created from the
 * command line, with an invite link (printed alone on its last line) or a
 * password read from standard input.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../calendar/caltime.h"
#include "accounts.h"
#include "clock.h"
#include "cmd.h"
#include "session.h"
#include "svc.h"

#define CLI_MAX_CARRIERS 64

/* The options of user create. */
struct user_opts {
	const char *path;		/* --db / ROADSHOWD_DB */
	const char *public_url;		/* --public-url, or NULL */
	int with_password;		/* --password-stdin */
	struct db_account a;		/* username, role, carriers */
	char *carriers[CLI_MAX_CARRIERS];	/* borrowed from argv */
};

static void
cli_usage(void)
{
	fputs("usage: roadshowd user create --db FILE --username NAME"
	      " --role admin|organiser|viewer [--carrier SLUG]..."
	      " [--password-stdin] [--public-url URL]\n", stderr);
}

/* Read a password from stdin: one line, its line end dropped. */
static int
read_password(char *buf, size_t size)
{
	size_t n = fread(buf, 1, size - 1, stdin);

	buf[n] = '\0';
	if (n == size - 1 && !feof(stdin))
		return -EINVAL;
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return strlen(buf) == n ? 0 : -EINVAL;	/* no NUL inside */
}

/* Fill o from the environment and argv (after "user"). 0 or 2. */
static int
parse_user(int argc, char **argv, struct user_opts *o)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "username", required_argument, NULL, 'n' },
		{ "role", required_argument, NULL, 'r' },
		{ "carrier", required_argument, NULL, 'c' },
		{ "password-stdin", no_argument, NULL, 'p' },
		{ "public-url", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->a.carriers = o->carriers;
	o->path = getenv("ROADSHOWD_DB");
	o->public_url = getenv("ROADSHOWD_PUBLIC_URL");
	if (argc < 2 || strcmp(argv[1], "create") != 0) {
		cli_usage();
		return 2;
	}
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->path = optarg; break;
		case 'n': o->a.username = optarg; break;
		case 'r': o->a.role = optarg; break;
		case 'c':
			if (o->a.n_carriers == CLI_MAX_CARRIERS) {
				fprintf(stderr, "roadshowd: at most %d"
					" carriers\n", CLI_MAX_CARRIERS);
				return 2;
			}
			o->carriers[o->a.n_carriers++] = optarg;
			break;
		case 'p': o->with_password = 1; break;
		case 'u': o->public_url = optarg; break;
		default: cli_usage(); return 2;
		}
	}
	if (optind < argc - 1 || !o->path || !o->a.username || !o->a.role) {
		cli_usage();
		return 2;
	}
	return 0;
}

/* The checks the options pass before anything is opened. 0 or 2. */
static int
check_user(const struct user_opts *o)
{
	const struct db_account *a = &o->a;

	if (svc_username_valid(a->username) != 0) {
		fprintf(stderr, "roadshowd: --username must be 1 to 64 ASCII"
			" letters, digits or . _ - @\n");
		return 2;
	}
	if (strcmp(a->role, "admin") && strcmp(a->role, "organiser") &&
	    strcmp(a->role, "viewer")) {
		fprintf(stderr, "roadshowd: --role must be admin, organiser or"
			" viewer\n");
		return 2;
	}
	if (!strcmp(a->role, "organiser") != !!a->n_carriers) {
		fprintf(stderr, a->n_carriers ? "roadshowd: only organisers"
			" hold carriers\n" : "roadshowd: an organiser needs"
			" --carrier SLUG (one or more)\n");
		return 2;
	}
	if (o->public_url && strncmp(o->public_url, "http://", 7) &&
	    strncmp(o->public_url, "https://", 8)) {
		fprintf(stderr, "roadshowd: --public-url must start with"
			" http:// or https://\n");
		return 2;
	}
	return 0;
}

/* The base of the invite link: --public-url without trailing slashes,
 * else http://ROADSHOWD_BIND:ROADSHOWD_PORT (127.0.0.1:8080). */
static void
invite_base(const char *public_url, char *base, size_t size)
{
	const char *bind = getenv("ROADSHOWD_BIND");
	const char *port = getenv("ROADSHOWD_PORT");
	size_t n;

	if (!public_url || !*public_url) {
		snprintf(base, size, "http://%s:%s",
			 bind && *bind ? bind : "127.0.0.1",
			 port && *port ? port : "8080");
		return;
	}
	snprintf(base, size, "%s", public_url);
	n = strlen(base);
	while (n > 8 && base[n - 1] == '/')
		base[--n] = '\0';
}

/* The password from stdin, hashed into pwhash. 0, 2 (unacceptable) or 1
 * (cannot hash); the clear text is wiped. */
static int
password_hash(char pwhash[128])
{
	char pw[SVC_PASSWORD_MAX + 2];
	int status = 0;

	if (read_password(pw, sizeof(pw)) != 0 ||
	    svc_password_acceptable(pw) != 0) {
		fprintf(stderr, "roadshowd: the password must be %d to %d"
			" characters without control characters\n",
			SVC_PASSWORD_MIN, SVC_PASSWORD_MAX);
		status = 2;
	} else if (svc_password_hash(pw, pwhash) != 0) {
		fprintf(stderr, "roadshowd: cannot hash the password\n");
		status = 1;
	}
	sodium_memzero(pw, sizeof(pw));
	return status;
}

/* Store the account (with its password hash, or an invite into token) in
 * one transaction. 0 with *stored filled (release with
 * db_account_release()), or a negative errno with nothing held. */
static int
store_user(struct db *db, const struct user_opts *o, const char *pwhash,
	   int64_t now_utc, struct db_account *stored, char token[65])
{
	int rc = db_tx_begin(db), held;

	if (rc != 0)
		return rc;
	rc = svc_account_create(db, &o->a, o->with_password ? pwhash : NULL,
				"cli", now_utc, stored,
				o->with_password ? NULL : token);
	held = rc == 0;
	rc = db_tx_end(db, rc);
	if (rc != 0 && held)
		db_account_release(stored);	/* created, then undone */
	return rc;
}

/* Print what store_user() did (rc). The exit status. */
static int
report_user(int rc, const struct user_opts *o, const struct db_account *st,
	    const char *base, const char *token, int64_t now_utc)
{
	char until[32], *url;

	if (rc == -EEXIST) {
		fprintf(stderr, "roadshowd: username '%s' is taken\n",
			o->a.username);
		return 2;
	}
	if (rc == -EINVAL) {
		fprintf(stderr, "roadshowd: unknown carrier among --carrier"
			" (GET /api/v1/carriers lists them)\n");
		return 2;
	}
	if (rc != 0) {
		fprintf(stderr, "roadshowd: cannot store the account: %s\n",
			strerror(-rc));
		return 1;
	}
	if (o->with_password) {
		printf("created %s %s; password set\n", st->role, st->username);
		return 0;
	}
	url = svc_invite_url(base, token);
	cal_time_format_rfc3339(now_utc + SVC_INVITE_TTL_S, "UTC", until);
	if (url)
		printf("# created %s %s; invite link valid until %s, shown"
		       " once:\n%s\n", st->role, st->username, until, url);
	free(url);
	return url ? 0 : 1;
}

int
svc_cmd_user(int argc, char **argv)
{
	char pwhash[128] = "", token[65], base[300];
	struct db_account stored;
	struct user_opts o;
	int64_t now_utc = svc_now();
	struct db *db = NULL;
	int rc, status;

	if ((status = parse_user(argc, argv, &o)) != 0 ||
	    (status = check_user(&o)) != 0)
		return status;
	invite_base(o.public_url, base, sizeof(base));
	if (o.with_password && (status = password_hash(pwhash)) != 0)
		return status;
	if (svc_cli_open_db(o.path, &db) != 0)
		return 1;
	memset(&stored, 0, sizeof(stored));
	rc = store_user(db, &o, pwhash, now_utc, &stored, token);
	status = report_user(rc, &o, &stored, base, token, now_utc);
	if (rc == 0)
		db_account_release(&stored);
	db_close(db);
	return status;
}
