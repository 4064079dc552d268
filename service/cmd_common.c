/*
 * cmd_common.c: what the sub-commands share (see cmd.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../db/db.h"
#include "clock.h"
#include "cmd.h"

void
svc_cli_usage(FILE *f)
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

const char *
svc_cli_env(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

int
svc_cli_parse_long(const char *s, long lo, long hi, long *out)
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

int
svc_cli_open_db(const char *path, struct db **db)
{
	int rc;

	if (!path) {
		fprintf(stderr, "roadshowd: --db FILE is required\n");
		return 2;
	}
	rc = db_open(path, svc_now(), db);
	if (rc != 0) {
		fprintf(stderr, "roadshowd: cannot open database %s: %s\n",
			path, strerror(-rc));
		return 1;
	}
	return 0;
}
