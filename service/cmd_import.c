/*
 * cmd_import.c: roadshowd import FILE.ics — the file is parsed in the
 * sandboxed child (roadshowd parse-ics), then upserted by UID as the
 * import endpoint does, as actor "cli".
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/kind.h"
#include "clock.h"
#include "cmd.h"
#include "ics_import.h"
#include "svc.h"

/* The options of import. */
struct import_opts {
	const char *path;		/* --db / ROADSHOWD_DB */
	const char *carrier;		/* --carrier SLUG, required */
	const char *kind;		/* --kind, or NULL: from the file */
	const char *file;		/* FILE.ics */
};

/* Fill o from the environment and argv. 0 or 2. */
static int
parse_import(int argc, char **argv, struct import_opts *o)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "carrier", required_argument, NULL, 'c' },
		{ "kind", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->path = svc_cli_env("ROADSHOWD_DB", NULL);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->path = optarg; break;
		case 'c': o->carrier = optarg; break;
		case 'k': o->kind = optarg; break;
		default: svc_cli_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1 || !o->carrier) {
		fprintf(stderr, "roadshowd: import FILE.ics --db FILE"
			" --carrier SLUG [--kind KIND]\n");
		return 2;
	}
	o->file = argv[optind];
	return 0;
}

/* The file's bytes (at most SVC_MAX_IMPORT_BODY) into *text (caller
 * frees) and *len. 0 or 2 (message printed). */
static int
read_file(const char *file, char **text, size_t *len)
{
	FILE *f = fopen(file, "rb");

	*text = NULL;
	*len = 0;
	if (!f) {
		fprintf(stderr, "roadshowd: cannot read %s: %s\n", file,
			strerror(errno));
		return 2;
	}
	*text = malloc(SVC_MAX_IMPORT_BODY + 1);
	if (*text)
		*len = fread(*text, 1, SVC_MAX_IMPORT_BODY + 1, f);
	fclose(f);
	if (!*text || *len > SVC_MAX_IMPORT_BODY) {
		fprintf(stderr, "roadshowd: %s is larger than %d octets\n",
			file, SVC_MAX_IMPORT_BODY);
		free(*text);
		*text = NULL;
		return 2;
	}
	return 0;
}

/* Open the database and check the carrier. 0 with *db open, or the exit
 * status. */
static int
open_for_import(const struct import_opts *o, struct db **db)
{
	struct db_carrier cr;
	int rc;

	if (o->kind && !cal_kind_find(o->kind)) {
		fprintf(stderr, "roadshowd: --kind '%s' is not one of roadshow,"
			" salon, forum, training, seminar, exhibition,"
			" competition\n", o->kind);
		return 2;
	}
	if ((rc = svc_cli_open_db(o->path, db)) != 0)
		return rc;
	if (db_carrier_get(*db, o->carrier, &cr) != 0) {
		fprintf(stderr, "roadshowd: '%s' is not a known carrier\n",
			o->carrier);
		db_close(*db);
		return 2;
	}
	db_carrier_release(&cr);
	return 0;
}

/* Print the parser's refusals ("FILE:LINE: VEVENT N: detail"); 1 when
 * there were any. parsed borrowed. */
static int
parse_refused(const char *file, json_t *parsed)
{
	json_t *errors = json_object_get(parsed, "errors");
	size_t i;

	for (i = 0; i < json_array_size(errors); i++) {
		json_t *e = json_array_get(errors, i);

		fprintf(stderr, "%s:%lld: VEVENT %lld: %s\n", file,
			(long long)json_integer_value(
				json_object_get(e, "line")),
			(long long)json_integer_value(
				json_object_get(e, "vevent")),
			json_string_value(json_object_get(e, "detail")));
	}
	return json_array_size(errors) ? 1 : 0;
}

/* Upsert parsed (borrowed) and print the outcome. The exit status. */
static int
apply(const struct import_opts *o, struct db *db, json_t *parsed)
{
	struct svc_import_counts counts;
	json_t *errors = json_array();
	size_t i;
	int rc;

	rc = svc_import_apply(db, parsed, o->carrier, o->kind, "cli",
			      svc_now(), 0, errors, &counts);
	if (rc == 0)
		printf("created %d, updated %d, unchanged %d\n",
		       counts.created, counts.updated, counts.unchanged);
	for (i = 0; rc != 0 && i < json_array_size(errors); i++)
		fprintf(stderr, "%s: UID %s: %s\n", o->file,
			json_string_value(json_object_get(
				json_array_get(errors, i), "uid")),
			json_string_value(json_object_get(
				json_array_get(errors, i), "detail")));
	if (rc != 0 && !json_array_size(errors))
		fprintf(stderr, "roadshowd: import failed: %s\n",
			strerror(-rc));
	json_decref(errors);
	svc_import_counts_release(&counts);
	return rc ? 1 : 0;
}

int
svc_cmd_import(int argc, char **argv, const char *self_exe)
{
	struct import_opts o;
	json_t *parsed = NULL;
	char why[200], *text;
	struct db *db;
	size_t len;
	int rc;

	if ((rc = parse_import(argc, argv, &o)) != 0 ||
	    (rc = read_file(o.file, &text, &len)) != 0)
		return rc;
	if ((rc = open_for_import(&o, &db)) != 0) {
		free(text);
		return rc;
	}
	rc = svc_ics_parse_isolated(self_exe, text, len, &parsed, why,
				    sizeof(why));
	free(text);
	if (rc != 0) {
		fprintf(stderr, "roadshowd: %s: %s\n", o.file, why);
		rc = 1;
	} else {
		rc = parse_refused(o.file, parsed) ? 1 : apply(&o, db, parsed);
	}
	json_decref(parsed);
	db_close(db);
	return rc;
}
