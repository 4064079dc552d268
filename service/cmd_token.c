/*
 * cmd_token.c: roadshowd token create|list|revoke — bearer tokens for
 * scripts (only a token's SHA-256 is stored; the token is printed once).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../calendar/caltime.h"
#include "clock.h"
#include "cmd.h"
#include "svc.h"
#include "svc_admin.h"

/* roadshowd token list --db FILE | token revoke --db FILE --id N */
static int
cmd_token_admin(int argc, char **argv, int revoke)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "id", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = svc_cli_env("ROADSHOWD_DB", NULL);
	struct db_token *t = NULL;
	struct db *db;
	long id = 0;
	size_t n = 0, i;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		case 'i':
			if (svc_cli_parse_long(optarg, 1, 0x7fffffffL,
					       &id) != 0) {
				fprintf(stderr, "roadshowd: --id must be a"
					" token id (roadshowd token list)\n");
				return 2;
			}
			break;
		default: svc_cli_usage(stderr); return 2;
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
	if ((rc = svc_cli_open_db(path, &db)) != 0)
		return rc;
	if (revoke) {
		rc = svc_token_revoke_audited(db, id, "cli", svc_now());
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

int
svc_cmd_token(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "role", required_argument, NULL, 'r' },
		{ "carrier", required_argument, NULL, 'c' },
		{ "label", required_argument, NULL, 'l' },
		{ "expires", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = svc_cli_env("ROADSHOWD_DB", NULL), *role = NULL;
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
		svc_cli_usage(stderr);
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
			    expires <= svc_now()) {
				fprintf(stderr, "roadshowd: --expires must be a"
					" future RFC 3339 time with offset\n");
				return 2;
			}
			break;
		default: svc_cli_usage(stderr); return 2;
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
	if ((rc = svc_cli_open_db(path, &db)) != 0)
		return rc;
	if (svc_token_generate(token, hash) != 0) {
		fprintf(stderr, "roadshowd: no randomness for a token\n");
		db_close(db);
		return 1;
	}
	rc = svc_token_store(db, hash, role, carrier, label, expires, "cli",
			     svc_now(), &token_id);
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
