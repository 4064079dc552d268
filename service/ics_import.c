/*
 * ics_import.c: importing uploaded .ics files.
 *
 * The parent (server or CLI) never parses uploaded iCalendar itself: it
 * runs `roadshowd parse-ics` as a child process with RLIMIT_CPU, an
 * address-space limit and a wall-clock deadline, feeds the file on stdin
 * and reads back JSON (jansson) describing the events or the errors. A
 * child that crashes, spins or runs out of memory costs one 4xx answer,
 * never the server. The parent then upserts the events by UID in one
 * transaction: all or nothing.
 */
#define _GNU_SOURCE		/* pipe2(2) */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../calendar/caltime.h"
#include "../calendar/event_rules.h"
#include "../calendar/import.h"
#include "../calendar/kind.h"
#include "../calendar/recur.h"
#include "ics_import.h"
#include "input_limits.h"
#include "svc.h"

#define CHILD_CPU_SECONDS 2
#define CHILD_WALL_MS 3000		/* plus CHILD_WALL_MS_PER_MIB per
					 * MiB of the file: a big file is
					 * read for longer on a busy machine;
					 * spinning stays bounded by the CPU
					 * limit */
#define CHILD_WALL_MS_PER_MIB 1000
#define CHILD_MEMORY (512UL * 1024 * 1024)	/* octets of address space */
#define CHILD_MAX_OUTPUT (64UL * 1024 * 1024)

/* ---- child side ---- */

static json_t *
event_to_wire(const struct db_event *ev, const struct cal_import_meta *m)
{
	json_t *o, *ex = json_array(), *ov = json_array(), *rd = json_array();
	size_t i;

	for (i = 0; ex && i < ev->n_exdates; i++)
		json_array_append_new(ex, json_integer(ev->exdates[i]));
	for (i = 0; rd && i < ev->n_rdates; i++)
		json_array_append_new(rd, json_integer(ev->rdates[i]));
	for (i = 0; ov && i < ev->n_overrides; i++) {
		const struct db_override *d = &ev->overrides[i];

		json_array_append_new(ov, json_pack(
			"{s:I, s:I, s:I, s:s?, s:s?, s:s?, s:s?}",
			"recurrence_utc", (json_int_t)d->recurrence_utc,
			"start_utc", (json_int_t)d->start_utc,
			"end_utc", (json_int_t)d->end_utc, "title", d->title,
			"venue", d->venue, "description", d->description,
			"status", d->status));
	}
	o = json_pack("{s:s, s:s?, s:s, s:s?, s:s?, s:b, s:I, s:I, s:s, s:s,"
		      " s:s, s:s, s:s?, s:s?, s:b, s:f, s:f, s:o?, s:o?}",
		      "uid", ev->uid, "kind", ev->kind, "title", ev->title,
		      "description", ev->description, "venue", ev->venue,
		      "all_day", ev->all_day,
		      "start_utc", (json_int_t)ev->start_utc,
		      "end_utc", (json_int_t)ev->end_utc,
		      "start_date", ev->start_date, "end_date", ev->end_date,
		      "tzid", ev->tzid, "status", ev->status,
		      "rrule", ev->rrule, "url", ev->url,
		      "has_geo", ev->has_geo, "geo_lat", ev->geo_lat,
		      "geo_lon", ev->geo_lon, "exdates", ex, "overrides", ov);
	if (o)
		json_object_set_new(o, "rdates", rd);
	else
		json_decref(rd);
	if (o && m) {
		json_object_set_new(o, "vevent", json_integer(m->vevent));
		json_object_set_new(o, "line", json_integer(m->line));
		if (m->tzid_source)
			json_object_set_new(o, "tzid_source",
					    json_string(m->tzid_source));
	}
	return o;
}

int
svc_parse_ics_main(void)
{
	struct cal_import im;
	size_t len = 0, cap = 1 << 16;
	char *text = malloc(cap);
	json_t *out, *events, *errors;
	ssize_t r;
	size_t i;
	char *dump;

	if (!text)
		return 3;
	while ((r = read(0, text + len, cap - len)) > 0) {
		len += (size_t)r;
		if (len > SVC_MAX_IMPORT_BODY) {
			free(text);
			return 4;
		}
		if (len == cap) {
			char *nt;

			cap = cap * 2 > SVC_MAX_IMPORT_BODY ?
			      SVC_MAX_IMPORT_BODY + 1 : cap * 2;
			nt = realloc(text, cap);
			if (!nt) {
				free(text);
				return 3;
			}
			text = nt;
		}
	}
	memset(&im, 0, sizeof(im));
	events = json_array();
	errors = json_array();
	if (cal_import_parse(text, len, &im) != 0) {
		free(text);
		return 3;
	}
	free(text);
	for (i = 0; i < im.n_errors; i++)
		json_array_append_new(errors, json_pack(
				      "{s:i, s:i, s:s, s:s, s:s, s:s}",
				      "vevent", im.errors[i].vevent, "line",
				      im.errors[i].line, "uid",
				      im.errors[i].uid, "property",
				      im.errors[i].property, "code",
				      im.errors[i].code, "detail",
				      im.errors[i].detail));
	for (i = 0; i < im.n && events; i++) {
		char why[200];

		/* Limits the API keeps too (input_limits.h). */
		if (!im.n_errors &&
		    svc_event_input_check(&im.events[i], why, sizeof(why)))
			json_array_append_new(errors, json_pack(
				"{s:i, s:i, s:s, s:s, s:s, s:s}", "vevent",
				im.meta ? im.meta[i].vevent : 0, "line",
				im.meta ? im.meta[i].line : 0, "uid",
				im.events[i].uid ? im.events[i].uid : "",
				"property", strncmp(why, "SUMMARY", 7) == 0 ?
				"SUMMARY" : strncmp(why, "UID", 3) == 0 ?
				"UID" : "RRULE", "code", "bad-value",
				"detail", why));
		json_array_append_new(events, event_to_wire(&im.events[i],
					im.meta ? &im.meta[i] : NULL));
	}
	cal_import_release(&im);
	out = json_pack("{s:o?, s:o?}", "events", events, "errors", errors);
	dump = out ? json_dumps(out, JSON_COMPACT) : NULL;
	json_decref(out);
	if (!dump)
		return 3;
	fputs(dump, stdout);
	free(dump);
	return fflush(stdout) == 0 ? 0 : 3;
}

/* ---- parent side ---- */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
child_exec(const char *self_exe, int in_fd, int out_fd)
{
	struct rlimit cpu = { CHILD_CPU_SECONDS, CHILD_CPU_SECONDS + 1 };
	char *const argv[] = { (char *)"roadshowd", (char *)"parse-ics",
			       NULL };
	sigset_t none;
	int devnull;

	/* The server blocks SIGINT/SIGTERM and ignores SIGPIPE; both would
	 * survive exec. Give the parser the defaults. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	setrlimit(RLIMIT_CPU, &cpu);
#if !defined(__SANITIZE_ADDRESS__)
	{
		/* ASan reserves terabytes of address space: no cap there. */
		struct rlimit mem = { CHILD_MEMORY, CHILD_MEMORY };

		setrlimit(RLIMIT_AS, &mem);
	}
#endif
	{
		struct rlimit core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &core);
	}
	dup2(in_fd, 0);
	dup2(out_fd, 1);
	devnull = open("/dev/null", O_WRONLY);
	if (devnull >= 0)
		dup2(devnull, 2);
	execv(self_exe, argv);
	_exit(127);
}

int
svc_ics_parse_isolated(const char *self_exe, const char *text, size_t len,
		       json_t **result, char *why, size_t size)
{
	int to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 };
	size_t written = 0, got = 0, cap = 0;
	char *out = NULL;
	int64_t deadline, wall_ms;
	int status = 0, rc = -EIO, timed_out = 0;
	pid_t pid;

	*result = NULL;
	if (pipe2(to_child, O_CLOEXEC) != 0 ||
	    pipe2(from_child, O_CLOEXEC) != 0) {
		snprintf(why, size, "cannot start the parser");
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(why, size, "cannot start the parser");
		goto out;
	}
	if (pid == 0)
		child_exec(self_exe, to_child[0], from_child[1]);
	close(to_child[0]);
	close(from_child[1]);
	to_child[0] = from_child[1] = -1;
	fcntl(to_child[1], F_SETFL, O_NONBLOCK);
	fcntl(from_child[0], F_SETFL, O_NONBLOCK);
	if (len == 0) {
		close(to_child[1]);
		to_child[1] = -1;
	}
	wall_ms = CHILD_WALL_MS + (int64_t)(len >> 20) * CHILD_WALL_MS_PER_MIB;
	deadline = now_ms() + wall_ms;
	for (;;) {
		struct pollfd pf[2];
		int np = 0, left = (int)(deadline - now_ms());
		ssize_t r;

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		pf[np].fd = from_child[0];
		pf[np++].events = POLLIN;
		if (to_child[1] >= 0) {
			pf[np].fd = to_child[1];
			pf[np++].events = POLLOUT;
		}
		if (poll(pf, (nfds_t)np, left) < 0 && errno != EINTR)
			break;
		if (to_child[1] >= 0 && (pf[1].revents & (POLLOUT | POLLERR |
							   POLLHUP))) {
			r = write(to_child[1], text + written, len - written);
			if (r > 0)
				written += (size_t)r;
			if (r < 0 && errno != EAGAIN) {
				close(to_child[1]);
				to_child[1] = -1;
			} else if (written == len) {
				close(to_child[1]);
				to_child[1] = -1;
			}
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (got + 65536 > cap) {
				char *no;

				if (cap >= CHILD_MAX_OUTPUT)
					break;
				cap = cap ? cap * 2 : 65536;
				no = realloc(out, cap + 1);
				if (!no) {
					rc = -ENOMEM;
					break;
				}
				out = no;
			}
			r = read(from_child[0], out + got, cap - got);
			if (r == 0)
				break;		/* child closed stdout */
			if (r > 0)
				got += (size_t)r;
			else if (errno != EAGAIN && errno != EINTR)
				break;
		}
	}
	if (timed_out || rc == -ENOMEM)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == -ENOMEM)
		goto out;
	if (timed_out) {
		snprintf(why, size, "the file took longer than %lld ms to"
			 " read and was abandoned", (long long)wall_ms);
		rc = -ETIMEDOUT;
		goto out;
	}
	if (WIFSIGNALED(status)) {
		snprintf(why, size, "the file could not be read safely (the"
			 " parser stopped on signal %d%s)", WTERMSIG(status),
			 WTERMSIG(status) == SIGXCPU ? ": CPU limit" : "");
		rc = -EINVAL;
		goto out;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !out) {
		snprintf(why, size, WIFEXITED(status) &&
			 WEXITSTATUS(status) == 4 ? "the file is too large" :
			 "the file could not be read (the parser failed)");
		rc = -EINVAL;
		goto out;
	}
	out[got] = '\0';
	*result = json_loadb(out, got, 0, NULL);
	if (!*result) {
		snprintf(why, size, "the parser gave no answer");
		rc = -EIO;
		goto out;
	}
	rc = 0;
out:
	free(out);
	if (to_child[0] >= 0)
		close(to_child[0]);
	if (to_child[1] >= 0)
		close(to_child[1]);
	if (from_child[0] >= 0)
		close(from_child[0]);
	if (from_child[1] >= 0)
		close(from_child[1]);
	return rc;
}

static char *
wire_str(json_t *o, const char *name, int *oom)
{
	const char *s = json_string_value(json_object_get(o, name));
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = 1;
	return d;
}

/* Rebuild an event from the child's JSON. 0, -EINVAL (malformed),
 * -ENOMEM. */
static int
event_from_wire(json_t *o, struct db_event *ev)
{
	json_t *ex = json_object_get(o, "exdates");
	json_t *ov = json_object_get(o, "overrides");
	json_t *rd = json_object_get(o, "rdates");
	int oom = 0;
	size_t i;

	memset(ev, 0, sizeof(*ev));
	if (!json_is_object(o) || !json_is_array(ex) || !json_is_array(ov))
		return -EINVAL;
	ev->uid = wire_str(o, "uid", &oom);
	ev->kind = wire_str(o, "kind", &oom);
	ev->title = wire_str(o, "title", &oom);
	ev->description = wire_str(o, "description", &oom);
	ev->venue = wire_str(o, "venue", &oom);
	ev->tzid = wire_str(o, "tzid", &oom);
	ev->status = wire_str(o, "status", &oom);
	ev->rrule = wire_str(o, "rrule", &oom);
	ev->url = wire_str(o, "url", &oom);
	ev->tzid_source = wire_str(o, "tzid_source", &oom);
	for (i = 0; i < json_array_size(rd) && !oom; i++)
		if (db_event_add_rdate(ev, json_integer_value(
				json_array_get(rd, i))) != 0)
			oom = 1;
	ev->all_day = json_is_true(json_object_get(o, "all_day"));
	ev->start_utc = json_integer_value(json_object_get(o, "start_utc"));
	ev->end_utc = json_integer_value(json_object_get(o, "end_utc"));
	if (ev->all_day) {
		const char *sd = json_string_value(json_object_get(o,
							"start_date"));
		const char *ed = json_string_value(json_object_get(o,
							"end_date"));

		snprintf(ev->start_date, sizeof(ev->start_date), "%s",
			 sd ? sd : "");
		snprintf(ev->end_date, sizeof(ev->end_date), "%s",
			 ed ? ed : "");
	}
	ev->has_geo = json_is_true(json_object_get(o, "has_geo"));
	ev->geo_lat = json_number_value(json_object_get(o, "geo_lat"));
	ev->geo_lon = json_number_value(json_object_get(o, "geo_lon"));
	if (json_array_size(ex)) {
		ev->exdates = calloc(json_array_size(ex), sizeof(int64_t));
		if (!ev->exdates)
			oom = 1;
		for (i = 0; ev->exdates && i < json_array_size(ex); i++)
			ev->exdates[ev->n_exdates++] =
				json_integer_value(json_array_get(ex, i));
	}
	if (json_array_size(ov)) {
		ev->overrides = calloc(json_array_size(ov),
				       sizeof(*ev->overrides));
		if (!ev->overrides)
			oom = 1;
		for (i = 0; ev->overrides && i < json_array_size(ov); i++) {
			json_t *d = json_array_get(ov, i);
			struct db_override *x = &ev->overrides[i];

			ev->n_overrides++;
			x->recurrence_utc = json_integer_value(
				json_object_get(d, "recurrence_utc"));
			x->start_utc = json_integer_value(
				json_object_get(d, "start_utc"));
			x->end_utc = json_integer_value(
				json_object_get(d, "end_utc"));
			x->title = wire_str(d, "title", &oom);
			x->venue = wire_str(d, "venue", &oom);
			x->description = wire_str(d, "description", &oom);
			x->status = wire_str(d, "status", &oom);
		}
	}
	if (oom) {
		db_event_release(ev);
		return -ENOMEM;
	}
	if (!ev->uid || !ev->title || !ev->tzid || !ev->status ||
	    ev->end_utc < ev->start_utc) {
		db_event_release(ev);
		return -EINVAL;
	}
	return 0;
}

static void
import_error(json_t *errors, json_t *wire, const char *uid,
	     const char *property, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* A refusal found while storing: {field, vevent, line, uid, property,
 * code, detail}, shaped like the parser's. */
static void
import_error(json_t *errors, json_t *wire, const char *uid,
	     const char *property, const char *code, const char *fmt, ...)
{
	char detail[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	json_array_append_new(errors, json_pack(
		"{s:s, s:I, s:I, s:s, s:s, s:s, s:s}", "field", "body",
		"vevent", json_integer_value(json_object_get(wire, "vevent")),
		"line", json_integer_value(json_object_get(wire, "line")),
		"uid", uid ? uid : "", "property", property, "code", code,
		"detail", detail));
}

/* Who holds uid: 0 none, 1 this host, 2 another host; <0 an error. */
static int
holder(struct db *db, const char *uid, const char *carrier, int64_t *id)
{
	char *held = NULL;
	int r = db_event_host_of_uid(db, uid, id, &held);

	if (r == -ENOENT)
		return 0;
	if (r != 0)
		return r;
	r = (!held || !carrier) ? (!held && !carrier ? 1 : 2) :
	    strcmp(held, carrier) == 0 ? 1 : 2;
	free(held);
	return r;
}

/*
 * The stored event that a file's UID names for this host, if any, and
 * the UID to store it under. A UID held by another host's event does not
 * block the import and is never revealed: this host's event is stored
 * under "<UID>~<carrier>" (always the same, so a re-import finds it).
 * Returns 0 (*cur filled), -ENOENT (a new event under *stored_uid),
 * -EEXIST (both names taken elsewhere), -ENOMEM, -EIO.
 */
static int
find_own(struct db *db, const char *uid, const char *carrier,
	 struct db_event *cur, char **stored_uid)
{
	size_t len = strlen(uid) + (carrier ? strlen(carrier) : 1) + 2;
	char *alias = malloc(len);
	int64_t id = 0;
	int h, ha;

	*stored_uid = NULL;
	if (!alias)
		return -ENOMEM;
	snprintf(alias, len, "%s~%s", uid, carrier ? carrier : "-");
	h = holder(db, uid, carrier, &id);
	if (h == 0 || h == 2) {
		ha = holder(db, alias, carrier, &id);
		if (ha < 0) {
			free(alias);
			return ha;
		}
		if (ha == 0 && h == 0) {	/* a new event, its own UID */
			free(alias);
			*stored_uid = strdup(uid);
			return *stored_uid ? -ENOENT : -ENOMEM;
		}
		if (ha == 2) {
			free(alias);
			return -EEXIST;
		}
		*stored_uid = alias;
		if (ha == 0)
			return -ENOENT;		/* new, under the alias */
	} else if (h < 0) {
		free(alias);
		return h;
	} else {
		free(alias);
		*stored_uid = strdup(uid);
		if (!*stored_uid)
			return -ENOMEM;
	}
	h = db_event_get(db, id, cur);
	if (h != 0) {
		free(*stored_uid);
		*stored_uid = NULL;
	}
	return h == -ENOENT ? -EIO : h;
}

/* {uid, title, start, series[, id]} of an event for the import's answer
 * (series: true for an RRULE or RDATE series). */
static json_t *
summary_json(const struct db_event *ev, const char *file_uid, int64_t id)
{
	char when[32];

	if (ev->all_day)
		snprintf(when, sizeof(when), "%s", ev->start_date);
	else if (cal_time_format_rfc3339(ev->start_utc, ev->tzid, when) != 0)
		when[0] = '\0';
	return json_pack("{s:s, s:s, s:s, s:b, s:I}", "uid", file_uid,
			 "title", ev->title, "start", when, "series",
			 ev->rrule != NULL || ev->n_rdates > 0, "id",
			 (json_int_t)id);
}

int
svc_import_apply(struct db *db, json_t *parsed, const char *carrier,
		 const char *default_kind, const char *actor, int64_t now_utc,
		 int dry_run, json_t *errors, struct svc_import_counts *counts)
{
	json_t *events = json_object_get(parsed, "events");
	size_t i;
	int rc = 0;

	memset(counts, 0, sizeof(*counts));
	counts->ids = json_array();
	counts->created_list = json_array();
	counts->updated_list = json_array();
	counts->unchanged_list = json_array();
	if (!json_is_array(events) || !counts->ids || !counts->created_list ||
	    !counts->updated_list || !counts->unchanged_list)
		return -EIO;
	if (db_tx_begin(db) != 0)
		return -EIO;
	for (i = 0; i < json_array_size(events) && rc == 0; i++) {
		json_t *wire = json_array_get(events, i);
		struct db_event ev, cur;
		char *stored_uid = NULL, *file_uid;
		int64_t id = 0;
		json_t *list = NULL;
		int r;

		r = event_from_wire(wire, &ev);
		if (r == -ENOMEM) {
			rc = r;
			break;
		}
		if (r != 0) {
			import_error(errors, wire, NULL, "", "malformed",
				     "event %zu is malformed", i + 1);
			continue;
		}
		if (!ev.kind && default_kind)
			ev.kind = strdup(default_kind);
		if (!ev.kind || !cal_kind_find(ev.kind)) {
			import_error(errors, wire, ev.uid, "CATEGORIES",
				     "no-kind", "no CATEGORIES names one"
				     " of the event kinds (roadshow, salon,"
				     " forum, training, seminar, exhibition,"
				     " competition, or 项目路演 …): give a"
				     " default kind (?kind= over HTTP,"
				     " --kind on the command line)");
			db_event_release(&ev);
			continue;
		}
		ev.carrier = carrier ? strdup(carrier) : NULL;
		if (carrier && !ev.carrier) {
			db_event_release(&ev);
			rc = -ENOMEM;
			break;
		}
		r = find_own(db, ev.uid, carrier, &cur, &stored_uid);
		file_uid = ev.uid;
		if (r == -EEXIST) {
			import_error(errors, wire, file_uid, "UID",
				     "uid-unavailable", "this UID cannot be"
				     " used for this host; give the event"
				     " another UID");
			db_event_release(&ev);
			continue;
		}
		if (r == 0 || r == -ENOENT) {
			ev.uid = stored_uid;
			stored_uid = NULL;
		}
		if (r == 0) {
			ev.id = cur.id;
			/* partner regions are not in the file */
			ev.partner_regions = cur.partner_regions;
			ev.n_partner_regions = cur.n_partner_regions;
			cur.partner_regions = NULL;
			cur.n_partner_regions = 0;
			ev.capacity = cur.capacity;
			if (cal_event_any_change(&ev, &cur)) {
				ev.sequence = cal_event_next_sequence(&ev,
								      &cur);
				rc = db_event_update(db, &ev, cur.revision,
						     actor, now_utc);
				counts->updated++;
				list = counts->updated_list;
			} else {
				counts->unchanged++;
				list = counts->unchanged_list;
			}
			id = cur.id;
			db_event_release(&cur);
		} else if (r == -ENOENT) {
			rc = db_event_insert(db, &ev, actor, now_utc, &id);
			counts->created++;
			list = counts->created_list;
		} else {
			rc = r;
		}
		if (rc == 0 && id) {
			json_array_append_new(counts->ids, json_integer(id));
			if (dry_run)	/* the lists are the dry run's answer */
				json_array_append_new(list, summary_json(&ev,
						file_uid, list ==
						counts->created_list ? 0 : id));
		}
		free(file_uid);
		free(stored_uid);
		db_event_release(&ev);
	}
	if (rc == 0 && json_array_size(errors))
		rc = -EINVAL;
	if (dry_run) {
		/* Nothing is kept: roll back what was tried. */
		rc = db_tx_end(db, rc ? rc : -ECANCELED);
		return rc == -ECANCELED || rc == -EINVAL ? 0 : rc;
	}
	return db_tx_end(db, rc);
}

void
svc_import_counts_release(struct svc_import_counts *counts)
{
	json_decref(counts->ids);
	json_decref(counts->created_list);
	json_decref(counts->updated_list);
	json_decref(counts->unchanged_list);
	counts->ids = counts->created_list = NULL;
	counts->updated_list = counts->unchanged_list = NULL;
}
