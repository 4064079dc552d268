/*
 * accounts.c: account creation shared by the API and the CLI, and
 * `roadshowd user create` (accounts.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../calendar/caltime.h"
#include "accounts.h"
#include "session.h"
#include "svc.h"

int
svc_username_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0, i;

	if (n < 1 || n > DB_USERNAME_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-' || c == '@'))
			return -EINVAL;
	}
	return 0;
}

json_t *
svc_account_json(const struct db_account *a)
{
	json_t *carriers = json_array(), *o;
	char created[32], last[32];
	size_t i;

	for (i = 0; carriers && i < a->n_carriers; i++)
		json_array_append_new(carriers, json_string(a->carriers[i]));
	cal_time_format_rfc3339(a->created_utc, "UTC", created);
	if (a->last_login_utc)
		cal_time_format_rfc3339(a->last_login_utc, "UTC", last);
	o = json_pack("{s:s, s:s, s:o?, s:b, s:b, s:s, s:s?}", "username",
		      a->username, "role", a->role, "carriers", carriers,
		      "disabled", a->disabled, "password_set",
		      a->has_password, "created", created, "last_login",
		      a->last_login_utc ? last : NULL);
	if (o && !json_object_get(o, "last_login"))
		json_object_set_new(o, "last_login", json_null());
	return o;
}

char *
svc_invite_url(const char *base, const char *token)
{
	size_t n = strlen(base) + strlen(token) + 32;
	char *url = malloc(n);

	if (url)
		snprintf(url, n, "%s/console/invite#token=%s", base, token);
	return url;
}

/* The audit JSON text of a, or NULL (caller frees with free()). */
static char *
audit_text(const struct db_account *a)
{
	json_t *o = a ? svc_account_json(a) : NULL;
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(o);
	return text;
}

int
svc_account_invite(struct db *db, const struct db_account *account,
		   const char *actor, const char *action, int64_t now_utc,
		   char token_out[65])
{
	char hash[65], *after = audit_text(account);
	int rc;

	if (!after)
		return -ENOMEM;
	svc_secret_new(token_out);
	svc_token_hash(token_out, hash);
	if ((rc = db_tx_begin(db)) != 0) {
		free(after);
		return rc;
	}
	rc = db_invite_insert(db, account->id, hash, now_utc,
			      now_utc + SVC_INVITE_TTL_S);
	if (rc == 0)
		rc = db_audit_add(db, now_utc, actor, "account",
				  account->username, action,
				  strcmp(action, "create") == 0 ? NULL : after,
				  after);
	free(after);
	return db_tx_end(db, rc);
}

int
svc_account_create(struct db *db, const struct db_account *a,
		   const char *actor, int64_t now_utc,
		   struct db_account *stored, char token_out[65])
{
	int64_t id = 0;
	int rc;

	memset(stored, 0, sizeof(*stored));
	if ((rc = db_tx_begin(db)) != 0)
		return rc;
	rc = db_account_insert(db, a, now_utc, &id);
	if (rc == 0)
		rc = db_account_get_by_id(db, id, stored);
	if (rc == 0 && token_out)
		rc = svc_account_invite(db, stored, actor, "create", now_utc,
					token_out);
	else if (rc == 0) {
		char *after = audit_text(stored);

		rc = after ? db_audit_add(db, now_utc, actor, "account",
					  stored->username, "create", NULL,
					  after) : -ENOMEM;
		free(after);
	}
	rc = db_tx_end(db, rc);
	if (rc != 0)
		db_account_release(stored);
	return rc;
}

/* ---- roadshowd user create ---- */

#define CLI_MAX_CARRIERS 64

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

int
svc_cli_user(int argc, char **argv, int64_t now_utc)
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
	const char *path = getenv("ROADSHOWD_DB");
	const char *public_url = getenv("ROADSHOWD_PUBLIC_URL");
	char *carriers[CLI_MAX_CARRIERS];
	char pw[SVC_PASSWORD_MAX + 2], pwhash[128], token[65], base[300];
	struct db_account a, stored;
	struct db *db = NULL;
	int c, rc, with_password = 0, status = 1;

	memset(&a, 0, sizeof(a));
	a.carriers = carriers;
	if (argc < 2 || strcmp(argv[1], "create") != 0) {
		cli_usage();
		return 2;
	}
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'n': a.username = optarg; break;
		case 'r': a.role = optarg; break;
		case 'c':
			if (a.n_carriers == CLI_MAX_CARRIERS) {
				fprintf(stderr, "roadshowd: at most %d"
					" carriers\n", CLI_MAX_CARRIERS);
				return 2;
			}
			carriers[a.n_carriers++] = optarg;
			break;
		case 'p': with_password = 1; break;
		case 'u': public_url = optarg; break;
		default: cli_usage(); return 2;
		}
	}
	if (optind < argc || !path || !a.username || !a.role) {
		cli_usage();
		return 2;
	}
	if (svc_username_valid(a.username) != 0) {
		fprintf(stderr, "roadshowd: --username must be 1 to 64 ASCII"
			" letters, digits or . _ - @\n");
		return 2;
	}
	if (strcmp(a.role, "admin") && strcmp(a.role, "organiser") &&
	    strcmp(a.role, "viewer")) {
		fprintf(stderr, "roadshowd: --role must be admin, organiser or"
			" viewer\n");
		return 2;
	}
	if (!strcmp(a.role, "organiser") != !!a.n_carriers) {
		fprintf(stderr, a.n_carriers ? "roadshowd: only organisers"
			" hold carriers\n" : "roadshowd: an organiser needs"
			" --carrier SLUG (one or more)\n");
		return 2;
	}
	if (public_url && strncmp(public_url, "http://", 7) &&
	    strncmp(public_url, "https://", 8)) {
		fprintf(stderr, "roadshowd: --public-url must start with"
			" http:// or https://\n");
		return 2;
	}
	if (public_url && *public_url) {
		size_t n;

		snprintf(base, sizeof(base), "%s", public_url);
		n = strlen(base);
		while (n > 8 && base[n - 1] == '/')
			base[--n] = '\0';
	} else {
		const char *bind = getenv("ROADSHOWD_BIND");
		const char *port = getenv("ROADSHOWD_PORT");

		snprintf(base, sizeof(base), "http://%s:%s",
			 bind && *bind ? bind : "127.0.0.1",
			 port && *port ? port : "8080");
	}
	if (with_password) {
		if (read_password(pw, sizeof(pw)) != 0 ||
		    svc_password_acceptable(pw) != 0) {
			fprintf(stderr, "roadshowd: the password must be %d to"
				" %d characters without control characters"
				"\n", SVC_PASSWORD_MIN, SVC_PASSWORD_MAX);
			return 2;
		}
		if (svc_password_hash(pw, pwhash) != 0) {
			fprintf(stderr, "roadshowd: cannot hash the"
				" password\n");
			return 1;
		}
	}
	rc = db_open(path, now_utc, &db);
	if (rc != 0) {
		fprintf(stderr, "roadshowd: cannot open database %s: %s\n",
			path, strerror(-rc));
		return 1;
	}
	if ((rc = db_tx_begin(db)) == 0) {
		rc = svc_account_create(db, &a, "cli", now_utc, &stored,
					with_password ? NULL : token);
		if (rc == 0 && with_password)
			rc = db_account_set_password(db, stored.id, pwhash,
						     now_utc);
		rc = db_tx_end(db, rc);
	}
	if (rc == -EEXIST) {
		fprintf(stderr, "roadshowd: username '%s' is taken\n",
			a.username);
		status = 2;
	} else if (rc == -EINVAL) {
		fprintf(stderr, "roadshowd: unknown carrier among --carrier"
			" (GET /api/v1/carriers lists them)\n");
		status = 2;
	} else if (rc != 0) {
		fprintf(stderr, "roadshowd: cannot store the account: %s\n",
			strerror(-rc));
	} else if (with_password) {
		printf("created %s %s; password set\n", stored.role,
		       stored.username);
		status = 0;
	} else {
		char until[32], *url = svc_invite_url(base, token);

		cal_time_format_rfc3339(now_utc + SVC_INVITE_TTL_S, "UTC",
					until);
		if (url) {
			printf("# created %s %s; invite link valid until %s,"
			       " shown once:\n%s\n", stored.role,
			       stored.username, until, url);
			status = 0;
		}
		free(url);
	}
	if (rc == 0)
		db_account_release(&stored);
	sodium_memzero(pw, sizeof(pw));
	db_close(db);
	return status;
}
