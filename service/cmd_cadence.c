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

/* The options of cadence. */
struct cadence_opts {
	const char *path;		/* --db / ROADSHOWD_DB, existing */
	const char *tracking;		/* YYYY-MM-DD or NULL */
	const char *rule;		/* one rule id, or NULL: all */
	const char *format;		/* text, json or csv */
	const char *by;			/* district, region, carrier, partner
					 * or NULL */
	long year;			/* 1970 to 9999 */
	int64_t as_of;			/* seconds UTC; default now */
};

/* One message and status 2 for bad arguments. */
static int
bad(const char *msg)
{
	fprintf(stderr, "roadshowd: %s\n", msg);
	return 2;
}

/* Fill o from the environment and argv, and check it. 0 or 2. */
static int
parse_cadence(int argc, char **argv, struct cadence_opts *o)
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
	const char *year_s = NULL, *as_of_s = NULL;
	int c;

	memset(o, 0, sizeof(*o));
	o->tracking = svc_cli_env("ROADSHOWD_TRACKING_SINCE", NULL);
	o->path = svc_cli_env("ROADSHOWD_DB", NULL);
	o->format = "text";
	o->as_of = svc_now();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->path = optarg; break;
		case 'y': year_s = optarg; break;
		case 'a': as_of_s = optarg; break;
		case 'r': o->rule = optarg; break;
		case 'f': o->format = optarg; break;
		case 'B': o->by = optarg; break;
		case 't': o->tracking = optarg; break;
		default: svc_cli_usage(stderr); return 2;
		}
	}
	if (o->by && strcmp(o->by, "district") && strcmp(o->by, "region") &&
	    strcmp(o->by, "carrier") && strcmp(o->by, "partner"))
		return bad("--by must be district, region, carrier or partner");
	if (optind < argc ||
	    svc_cli_parse_long(year_s, 1970, 9999, &o->year) != 0)
		return bad("--year must be 1970 to 9999");
	if (as_of_s && cal_time_parse_rfc3339(as_of_s, &o->as_of) != 0)
		return bad("--as-of must be RFC 3339 with an offset, e.g."
			   " 2025-06-30T12:00:00+08:00");
	if (strcmp(o->format, "text") && strcmp(o->format, "json") &&
	    strcmp(o->format, "csv"))
		return bad("--format must be text, json or csv");
	if (!o->path)
		return bad("--db FILE is required");
	if (access(o->path, F_OK) != 0) {
		fprintf(stderr, "roadshowd: %s does not exist\n", o->path);
		return 2;
	}
	return 0;
}

/* Build the report o asks for into *rep (release with
 * cal_report_release()). 0, or the exit status after a message. */
static int
build(const struct cadence_opts *o, struct cal_report *rep)
{
	struct cal_report_query q;
	struct db *db;
	int rc;

	if ((rc = svc_cli_open_db(o->path, &db)) != 0)
		return rc == 2 ? 2 : 1;
	cal_report_query_year(&q, (int)o->year);
	q.as_of_utc = o->as_of;
	q.rule_id = o->rule;
	q.by = o->by;
	q.has_tracking = 1;
	if (cal_tracking_since(db, o->tracking, svc_now(),
			       &q.tracking_since_utc) != 0) {
		db_close(db);
		return bad("--tracking-since must be a date YYYY-MM-DD");
	}
	rc = cal_report_build(db, &q, rep);
	db_close(db);
	if (rc == -ENOENT) {
		fprintf(stderr, "roadshowd: '%s' is not a cadence rule\n",
			o->rule);
		return 2;
	}
	if (rc != 0) {
		fprintf(stderr, "roadshowd: cannot build the report: %s\n",
			strerror(-rc));
		return 1;
	}
	return 0;
}

/* rep in format (text, json, csv); caller frees; NULL when out of
 * memory. */
static char *
render(const struct cal_report *rep, const char *format)
{
	json_t *j;
	char *out;

	if (strcmp(format, "csv") == 0)
		return svc_report_csv(rep);
	if (strcmp(format, "json") != 0)
		return svc_report_text(rep);
	j = svc_report_json(rep);
	out = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
	json_decref(j);
	return out;
}

int
svc_cmd_cadence(int argc, char **argv)
{
	struct cadence_opts o;
	struct cal_report rep;
	char *out;
	int rc;

	if ((rc = parse_cadence(argc, argv, &o)) != 0 ||
	    (rc = build(&o, &rep)) != 0)
		return rc;
	out = render(&rep, o.format);
	rc = cal_report_missed(&rep) ? 1 : 0;
	cal_report_release(&rep);
	if (!out) {
		fprintf(stderr, "roadshowd: out of memory\n");
		return 1;
	}
	fputs(out, stdout);
	if (strcmp(o.format, "json") == 0)
		fputc('\n', stdout);
	free(out);
	return rc;
}
