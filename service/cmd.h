/*
 * cmd.h: the roadshowd sub-commands (cmd_*.c) and what they share
 * (cmd_common.c). main.c dispatches on argv[1]. Every svc_cmd_*()
 * takes the sub-command's own argc/argv (argv[0] is its name), runs
 * getopt_long() on them, and returns the process exit status: 0 done,
 * 1 failure, 2 bad arguments. Times come from svc_now() (clock.h).
 */
#ifndef ROADSHOWD_CMD_H
#define ROADSHOWD_CMD_H

#include <stdio.h>

struct db;

/* roadshowd serve: serve the API, feeds and pages until SIGINT/SIGTERM.
 * self_exe (borrowed for the process' life) runs the sandboxed parser. */
int svc_cmd_serve(int argc, char **argv, const char *self_exe);

/* roadshowd token create|list|revoke. */
int svc_cmd_token(int argc, char **argv);

/* roadshowd cadence: the report; 1 also when a period is missed. */
int svc_cmd_cadence(int argc, char **argv);

/* roadshowd import FILE.ics; self_exe as for svc_cmd_serve(). */
int svc_cmd_import(int argc, char **argv, const char *self_exe);

/* roadshowd user create: an account with an invite link (printed alone
 * on its last line) or a password read from stdin. */
int svc_cmd_user(int argc, char **argv);

/* The usage text of every command, on f. */
void svc_cli_usage(FILE *f);

/* The value of environment variable name when set and non-empty, else
 * fallback. Borrowed (from the environment or the caller). */
const char *svc_cli_env(const char *name, const char *fallback);

/* s as a decimal long in [lo, hi] into *out: 0, or -EINVAL (NULL, empty,
 * not a number, trailing text, out of range; *out unchanged). */
int svc_cli_parse_long(const char *s, long lo, long hi, long *out);

/*
 * Open (creating and seeding when absent) the database at path with
 * svc_now() as its creation time. Returns 0 with *db set (close with
 * db_close()); 2 after printing that --db is required (path NULL); 1
 * after printing why it cannot be opened.
 */
int svc_cli_open_db(const char *path, struct db **db);

#endif
