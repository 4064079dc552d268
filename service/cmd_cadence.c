/*
 * cmd_cadence.c: roadshowd cadence — the cadence report of one year as
 * text, JSON or CSV; exit status 1 when a period is missed.
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
#include "report.h"
#include "svc.h"

int
svc_cmd_cadence(int argc, char **argv)
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
	const char *tracking = svc_cli_env("ROADSHOWD_TRACKING_SINCE", NULL);
	const char *path = svc_cli_env("ROADSHOWD_DB", NULL), *year_s = NULL;
	const char *as_of_s = NULL, *rule = NULL, *format = "text";
	const char *by = NULL;
	struct svc_report_query q;
	struct svc_report rep;
	int64_t as_of = svc_now();
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
		default: svc_cli_usage(stderr); return 2;
		}
	}
	if (by && strcmp(by, "district") && strcmp(by, "region") &&
	    strcmp(by, "carrier") && strcmp(by, "partner")) {
		fprintf(stderr, "roadshowd: --by must be district, region,"
			" carrier or partner\n");
		return 2;
	}
	if (optind < argc || svc_cli_parse_long(year_s, 1970, 9999, &year) != 0) {
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
	if ((rc = svc_cli_open_db(path, &db)) != 0)
		return rc == 2 ? 2 : 1;
	svc_report_query_year(&q, (int)year);
	q.as_of_utc = as_of;
	q.rule_id = rule;
	q.by = by;
	q.has_tracking = 1;
	if (svc_tracking_since(db, tracking, svc_now(),
			       &q.tracking_since_utc) != 0) {
		fprintf(stderr, "roadshowd: --tracking-since must be a date"
			" YYYY-MM-DD\n");
		db_close(db);
		return 2;
	}
	rc = svc_report_build(db, &q, &rep);
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
	rc = svc_report_missed(&rep) ? 1 : 0;
	svc_report_release(&rep);
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
