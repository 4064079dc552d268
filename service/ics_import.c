/*
 * ics_import.c: importing uploaded .ics files.
 *
 * The parent (server or CLI) never parses uploaded iCalendar itself: it
 * runs `roadshowd parse-ics` as a child process with RLIMIT_CPU, an
 * address-space limit and a wall-clock deadline, feeds the file on stdin
 * and reads back JSON (jansson) describing the events or the errors. A
 * child that crashes, spins or runs out of memory costs one 4xx answer,
 * never the server. The parent then hands the events to
 * cal_import_upsert() (calendar/import_upsert.c), which stores them by
 * UID in one transaction: all or nothing.
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
#include "../calendar/import_upsert.h"
#include "../calendar/kind.h"
#include "../calendar/recur.h"
#include "ics_import.h"
#include "input_limits.h"
#include "sbuf.h"
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
	struct sbuf text;
	char chunk[16384];
	json_t *out, *events, *errors;
	ssize_t r;
	size_t i;
	char *dump;
	int rc;

	sbuf_init(&text);
	while ((r = read(0, chunk, sizeof(chunk))) > 0) {
		if (sbuf_add(&text, chunk, (size_t)r) != 0) {
			sbuf_release(&text);
			return 3;
		}
		if (text.len > SVC_MAX_IMPORT_BODY) {
			sbuf_release(&text);
			return 4;
		}
	}
	memset(&im, 0, sizeof(im));
	events = json_array();
	errors = json_array();
	rc = cal_import_parse(text.buf, text.len, &im);
	sbuf_release(&text);
	if (rc != 0)
		return 3;
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

		/* Limits the API keeps too (input_limits.h): a VEVENT that
		 * breaks one is refused, so it is not among the events (a
		 * dry run must not also list it as created). */
		if (!im.n_errors &&
		    svc_event_input_check(&im.events[i], why, sizeof(why))) {
			json_array_append_new(errors, json_pack(
				"{s:i, s:i, s:s, s:s, s:s, s:s}", "vevent",
				im.meta ? im.meta[i].vevent : 0, "line",
				im.meta ? im.meta[i].line : 0, "uid",
				im.events[i].uid ? im.events[i].uid : "",
				"property", strncmp(why, "SUMMARY", 7) == 0 ?
				"SUMMARY" : strncmp(why, "LOCATION", 8) == 0 ?
				"LOCATION" : strncmp(why, "UID", 3) == 0 ?
				"UID" : "RRULE", "code", "bad-value",
				"detail", why));
			continue;
		}
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

/* The parent's ends of the pipes and what went through them. */
struct child_io {
	int to_child;			/* write end of the child's
					 * stdin, or -1 once closed */
	int from_child;			/* read end of its stdout */
	const char *text;		/* the file, len octets */
	size_t len;
	size_t written;			/* octets of text written */
	struct sbuf out;		/* the child's output */
};

static void
close_stdin(struct child_io *io)
{
	if (io->to_child >= 0)
		close(io->to_child);
	io->to_child = -1;
}

/* Read what the child wrote. 1: it closed stdout (or broke it), 0: more
 * may come, -ENOMEM. Output beyond CHILD_MAX_OUTPUT ends the read. */
static int
read_some(struct child_io *io)
{
	char chunk[16384];
	ssize_t r;

	if (io->out.len >= CHILD_MAX_OUTPUT)
		return 1;
	r = read(io->from_child, chunk, sizeof(chunk));
	if (r == 0)
		return 1;		/* child closed stdout */
	if (r > 0)
		return sbuf_add(&io->out, chunk, (size_t)r) != 0 ? -ENOMEM : 0;
	if (errno != EAGAIN && errno != EINTR)
		return 1;
	return 0;
}

/*
 * Feed the file to the child and collect its output until it closes
 * stdout. 0 (done), 1 (deadline, ms on the monotonic clock, passed) or
 * -ENOMEM.
 */
static int
pump(struct child_io *io, int64_t deadline)
{
	for (;;) {
		struct pollfd pf[2];
		int np = 0, left = (int)(deadline - now_ms()), r;

		if (left <= 0)
			return 1;
		pf[np].fd = io->from_child;
		pf[np++].events = POLLIN;
		if (io->to_child >= 0) {
			pf[np].fd = io->to_child;
			pf[np++].events = POLLOUT;
		}
		if (poll(pf, (nfds_t)np, left) < 0 && errno != EINTR)
			return 0;
		if (io->to_child >= 0 && (pf[1].revents & (POLLOUT | POLLERR |
							    POLLHUP))) {
			ssize_t w = write(io->to_child, io->text + io->written,
					  io->len - io->written);

			if (w > 0)
				io->written += (size_t)w;
			if ((w < 0 && errno != EAGAIN) ||
			    io->written == io->len)
				close_stdin(io);
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = read_some(io);
			if (r != 0)
				return r < 0 ? r : 0;
		}
	}
}

/* Judge how the child ended (waitpid status) and its output. 0, or
 * -EINVAL / -EIO with a reason in why (size octets). */
static int
child_verdict(int status, struct child_io *io, json_t **result, char *why,
	      size_t size)
{
	if (WIFSIGNALED(status)) {
		snprintf(why, size, "the file could not be read safely (the"
			 " parser stopped on signal %d%s)", WTERMSIG(status),
			 WTERMSIG(status) == SIGXCPU ? ": CPU limit" : "");
		return -EINVAL;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !io->out.len) {
		snprintf(why, size, WIFEXITED(status) &&
			 WEXITSTATUS(status) == 4 ? "the file is too large" :
			 "the file could not be read (the parser failed)");
		return -EINVAL;
	}
	*result = json_loadb(io->out.buf, io->out.len, 0, NULL);
	if (!*result) {
		snprintf(why, size, "the parser gave no answer");
		return -EIO;
	}
	return 0;
}

int
svc_ics_parse_isolated(const char *self_exe, const char *text, size_t len,
		       json_t **result, char *why, size_t size)
{
	int to_child[2] = { -1, -1 }, from_child[2] = { -1, -1 };
	struct child_io io = { -1, -1, text, len, 0, { NULL, 0, 0 } };
	int64_t wall_ms;
	int status = 0, rc = -EIO;
	pid_t pid;

	*result = NULL;
	sbuf_init(&io.out);
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
	io.to_child = to_child[1];
	io.from_child = from_child[0];
	to_child[1] = from_child[0] = -1;	/* io owns them now */
	fcntl(io.to_child, F_SETFL, O_NONBLOCK);
	fcntl(io.from_child, F_SETFL, O_NONBLOCK);
	if (len == 0)
		close_stdin(&io);
	wall_ms = CHILD_WALL_MS + (int64_t)(len >> 20) * CHILD_WALL_MS_PER_MIB;
	rc = pump(&io, now_ms() + wall_ms);
	if (rc != 0)
		kill(pid, SIGKILL);	/* deadline, or no memory to read */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == 1) {
		snprintf(why, size, "the file took longer than %lld ms to"
			 " read and was abandoned", (long long)wall_ms);
		rc = -ETIMEDOUT;
	} else if (rc == 0) {
		rc = child_verdict(status, &io, result, why, size);
	}
out:
	sbuf_release(&io.out);
	close_stdin(&io);
	if (io.from_child >= 0)
		close(io.from_child);
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

/* A refusal found while storing: {field, vevent, line, uid, property,
 * code, detail}, shaped like the parser's. */
static void
import_error(json_t *errors, json_t *wire, const struct cal_upsert_item *it)
{
	const char *uid = it->file_uid ? it->file_uid : it->ev.uid;

	json_array_append_new(errors, json_pack(
		"{s:s, s:I, s:I, s:s, s:s, s:s, s:s}", "field", "body",
		"vevent", json_integer_value(json_object_get(wire, "vevent")),
		"line", json_integer_value(json_object_get(wire, "line")),
		"uid", uid ? uid : "", "property", it->property, "code",
		it->code, "detail", it->detail));
}

/* {uid, title, start, series, id} of an event for the import's answer
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

/* The child's events as upsert items (malformed ones marked). *out is
 * freed with cal_upsert_items_release(). 0 or -ENOMEM. */
static int
items_from_wire(json_t *events, struct cal_upsert_item **out, size_t *n)
{
	size_t i, count = json_array_size(events);
	struct cal_upsert_item *items = calloc(count + 1, sizeof(*items));
	int r;

	*out = NULL;
	*n = 0;
	if (!items)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		r = event_from_wire(json_array_get(events, i), &items[i].ev);
		if (r == -ENOMEM) {
			cal_upsert_items_release(items, i);
			return r;
		}
		items[i].malformed = r != 0;
	}
	*out = items;
	*n = count;
	return 0;
}

/* Fill counts and errors from the upsert's outcomes. */
static void
report_outcomes(json_t *events, const struct cal_upsert_item *items,
		size_t n, int dry_run, json_t *errors,
		struct svc_import_counts *counts)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct cal_upsert_item *it = &items[i];
		json_t *list;

		switch (it->outcome) {
		case CAL_UPSERT_CREATED:
			counts->created++;
			list = counts->created_list;
			break;
		case CAL_UPSERT_UPDATED:
			counts->updated++;
			list = counts->updated_list;
			break;
		case CAL_UPSERT_UNCHANGED:
			counts->unchanged++;
			list = counts->unchanged_list;
			break;
		case CAL_UPSERT_REFUSED:
		default:
			if (*it->code)
				import_error(errors, json_array_get(events, i),
					     it);
			continue;
		}
		if (!it->id)
			continue;
		json_array_append_new(counts->ids, json_integer(it->id));
		if (dry_run)	/* the lists are the dry run's answer */
			json_array_append_new(list, summary_json(&it->ev,
					it->file_uid, it->outcome ==
					CAL_UPSERT_CREATED ? 0 : it->id));
	}
}

int
svc_import_apply(struct db *db, json_t *parsed, const char *carrier,
		 const char *default_kind, const char *actor, int64_t now_utc,
		 int dry_run, json_t *errors, struct svc_import_counts *counts)
{
	static const struct cal_upsert_rules rules = {
		cal_event_any_change, cal_event_significant_change,
	};
	json_t *events = json_object_get(parsed, "events");
	struct cal_upsert_item *items = NULL;
	size_t n = 0, n_refused = 0;
	int rc;

	memset(counts, 0, sizeof(*counts));
	counts->ids = json_array();
	counts->created_list = json_array();
	counts->updated_list = json_array();
	counts->unchanged_list = json_array();
	if (!json_is_array(events) || !counts->ids || !counts->created_list ||
	    !counts->updated_list || !counts->unchanged_list)
		return -EIO;
	rc = items_from_wire(events, &items, &n);
	if (rc != 0)
		return rc;
	rc = cal_import_upsert(db, items, n, carrier, default_kind, actor,
			       now_utc, dry_run, &rules, &n_refused);
	report_outcomes(events, items, n, dry_run, errors, counts);
	cal_upsert_items_release(items, n);
	return rc;
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
