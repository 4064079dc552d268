/*
 * cmd_backup.c: roadshowd backup --db FILE OUT
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../db/backup.h"
#include "cmd_backup.h"

int
svc_cmd_backup(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("ROADSHOWD_DB");
	char why[512];
	int c, rc;

	if (path && !*path)
		path = NULL;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': path = optarg; break;
		default: goto usage;
		}
	}
	if (!path || optind != argc - 1)
		goto usage;
	rc = db_backup(path, argv[optind], why, sizeof(why));
	if (rc == -EEXIST || rc == -ENOENT) {
		fprintf(stderr, "roadshowd: backup: %s\n", why);
		return 2;
	}
	if (rc != 0) {
		fprintf(stderr, "roadshowd: backup failed: %s\n", why);
		return 1;
	}
	printf("backup of %s written to %s (integrity_check ok)\n", path,
	       argv[optind]);
	return 0;
usage:
	fprintf(stderr, "usage: roadshowd backup --db FILE OUT\n");
	return 2;
}
