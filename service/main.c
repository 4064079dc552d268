/*
 * main.c: the roadshowd command: process set-up (umask, libical, libsodium,
 * the clock) and dispatch on the sub-command to cmd_*.c.
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
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../calendar/caltime.h"
#include "clock.h"
#include "cmd.h"
#include "cmd_backup.h"
#include "ics_import.h"
#include "session.h"

static char self_exe[4096];

int
main(int argc, char **argv)
{
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
	if (svc_crypto_init() != 0) {
		fprintf(stderr, "roadshowd: libsodium cannot start\n");
		return 1;
	}
	if (svc_clock_init() != 0) {
		fprintf(stderr, "roadshowd: ROADSHOWD_NOW must be RFC 3339\n");
		return 2;
	}
	if (argc < 2) {
		svc_cli_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "serve") == 0)
		return svc_cmd_serve(argc - 1, argv + 1, self_exe);
	if (strcmp(argv[1], "token") == 0)
		return svc_cmd_token(argc - 1, argv + 1);
	if (strcmp(argv[1], "cadence") == 0)
		return svc_cmd_cadence(argc - 1, argv + 1);
	if (strcmp(argv[1], "import") == 0)
		return svc_cmd_import(argc - 1, argv + 1, self_exe);
	if (strcmp(argv[1], "user") == 0)
		return svc_cmd_user(argc - 1, argv + 1);
	if (strcmp(argv[1], "backup") == 0)
		return svc_cmd_backup(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		svc_cli_usage(stdout);
		return 0;
	}
	fprintf(stderr, "roadshowd: unknown command '%s'\n", argv[1]);
	svc_cli_usage(stderr);
	return 2;
}
