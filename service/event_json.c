/*
 * event_json.c: a JSON body onto an event (see event_json.h; the
 * representation the API answers is event_view.c's). Bodies are read by
 * svc_body_read() (body.c, duplicates refused); here each field is checked
 * by its own function, listed in one table; unknown fields are errors (no
 * mass assignment).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "../calendar/event_rules.h"
#include "../calendar/kind.h"
#include "../calendar/recur.h"
#include "../calendar/types.h"
#include "body.h"
#include "event_json.h"
#include "input_limits.h"
#include "natural.h"
#include "svc.h"

int
svc_event_defaults(struct db_event *ev, int64_t now_utc)
{
	char token[69], hash[65], uid[64];

	memset(ev, 0, sizeof(*ev));
	if (svc_token_generate(token, hash) != 0)
		snprintf(hash, sizeof(hash), "%lld", (long long)now_utc);
	snprintf(uid, sizeof(uid), "%.32s@roadshowd", hash);
	ev->uid = strdup(uid);
	ev->tzid = strdup(CAL_DISTRICT_TZID);
	ev->status = strdup(cal_event_status_name(CAL_STATUS_CONFIRMED));
	return ev->uid && ev->tzid && ev->status ? 0 : -ENOMEM;
}

/* ---- input: shared readers ---- */

/* A copy of s without the CRs of its CRLF line ends. NULL on OOM. */
static char *
strip_cr(const char *s)
{
	char *d = malloc(strlen(s) + 1), *o = d;

	if (!d)
		return NULL;
	for (; *s; s++)
		if (!(*s == '\r' && s[1] == '\n'))
			*o++ = *s;
	*o = '\0';
	return d;
}

/* 0 when the len octets of s hold no control character (line breaks and
 * tabs allowed when multiline; a CRLF counts as a line break); else adds
 * the error for name and returns -1. */
static int
check_controls(const char *s, size_t len, int multiline, const char *name,
	       json_t *errors)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Text areas send CRLF: kept as LF (RFC 5545 TEXT has \n) */
		if (multiline && c == '\r' && s[i + 1] == '\n')
			continue;
		if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t'))) ||
		    c == 0x7f) {
			svc_problem_add(errors, name, "must not contain control"
					" characters%s", multiline ? " other"
					" than line breaks and tabs" : "");
			return -1;
		}
	}
	return 0;
}

/*
 * A string field v (non-NULL), or JSON null when nullable: *out becomes a
 * new copy (NULL for null; CRLF kept as LF in "description"). 1 on
 * success, -1 after adding the error for name (wrong type, over max
 * octets, NUL, control or, in "title" and "uid", invisible characters).
 */
static int
take_string(json_t *v, const char *name, int nullable, size_t max,
	    char **out, json_t *errors)
{
	int multiline = strcmp(name, "description") == 0;
	const char *s;
	uint32_t cp;
	size_t len;

	*out = NULL;
	if (json_is_null(v) && nullable)
		return 1;
	if (!json_is_string(v)) {
		svc_problem_add(errors, name, "must be a string%s",
				nullable ? " or null" : "");
		return -1;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (len > max) {
		svc_problem_add(errors, name, "is %zu octets; at most %zu",
				len, max);
		return -1;
	}
	if (strlen(s) != len) {
		svc_problem_add(errors, name, "must not contain NUL");
		return -1;
	}
	if (check_controls(s, len, multiline, name, errors) != 0)
		return -1;
	/* U+2028, U+FEFF, U+200B...: text that looks like another */
	if ((strcmp(name, "title") == 0 || strcmp(name, "uid") == 0 ||
	     strcmp(name, "venue") == 0) &&
	    svc_text_has_invisible(s, &cp)) {
		svc_problem_add(errors, name, "must not contain invisible"
				" format characters (U+%04X)", (unsigned)cp);
		return -1;
	}
	*out = multiline ? strip_cr(s) : strdup(s);
	if (!*out) {
		svc_problem_add(errors, name, "out of memory");
		return -1;
	}
	return 1;
}

static int
blank(const char *s)
{
	for (; s && *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* Replace *slot with val (stolen), freeing the old value. */
static void
set_str(char **slot, char *val)
{
	free(*slot);
	*slot = val;
}

static void
add_rule_error(json_t *errors, const struct cal_rule_error *err)
{
	if (err->code)
		svc_problem_addc(errors, err->field, err->code, "%s",
				 err->detail);
	else
		svc_problem_add(errors, err->field, "%s", err->detail);
}

/* ---- input: one function per field ---- */

struct event_input {
	struct db *db;			/* borrowed: carriers, regions */
	struct db_event *ev;		/* the event being written */
	const struct db_event *stored;	/* before the change, or NULL */
	int creating;			/* CREATE or REPLACE */
	struct cal_time_input ti;	/* the times given */
	json_t *errors;
};

static void
f_uid(struct event_input *in, json_t *v)
{
	char *s;

	if (take_string(v, "uid", 0, CAL_EVENT_MAX_UID, &s, in->errors) != 1)
		return;
	if (!in->creating || in->stored) {
		free(s);	/* PUT echoes it (checked), PATCH refuses it */
	} else if (blank(s) || strchr(s, ' ')) {
		svc_problem_add(in->errors, "uid", "must be non-empty and"
				" contain no spaces");
		free(s);
	} else {
		set_str(&in->ev->uid, s);
	}
}

static void
f_kind(struct event_input *in, json_t *v)
{
	const struct cal_kind *k;
	char *s;

	if (take_string(v, "kind", 0, 32, &s, in->errors) != 1)
		return;
	/* the slug, or its Chinese name (项目路演, 路演, ...) */
	k = cal_kind_from_name(s);
	if (!k)
		svc_problem_add(in->errors, "kind", "'%s' is not one of"
				" roadshow, salon, forum, training, seminar,"
				" exhibition, competition", s);
	free(s);
	if (!k)
		return;
	set_str(&in->ev->kind, strdup(k->slug));
	if (!in->ev->kind)
		svc_problem_add(in->errors, "kind", "out of memory");
}

static void
f_title(struct event_input *in, json_t *v)
{
	char *s;

	if (take_string(v, "title", 0, CAL_EVENT_MAX_TITLE, &s,
			in->errors) != 1)
		return;
	if (blank(s)) {
		svc_problem_add(in->errors, "title", "must not be empty");
		free(s);
	} else {
		set_str(&in->ev->title, s);
	}
}

static void
f_description(struct event_input *in, json_t *v)
{
	char *s;

	if (take_string(v, "description", 1, CAL_EVENT_MAX_DESCRIPTION, &s,
			in->errors) == 1)
		set_str(&in->ev->description, s);
}

static void
f_venue(struct event_input *in, json_t *v)
{
	char *s;

	if (take_string(v, "venue", 1, CAL_EVENT_MAX_VENUE, &s,
			in->errors) == 1)
		set_str(&in->ev->venue, s);
}

static void
f_url(struct event_input *in, json_t *v)
{
	char *s;

	if (take_string(v, "url", 1, CAL_EVENT_MAX_URL, &s, in->errors) != 1)
		return;
	if (s && ((strncmp(s, "https://", 8) != 0 &&
		   strncmp(s, "http://", 7) != 0) || strchr(s, ' ') ||
		  strlen(s) < 10)) {
		svc_problem_add(in->errors, "url", "must be an absolute http"
				" or https URL");
		free(s);
	} else {
		set_str(&in->ev->url, s);
	}
}

static void
f_status(struct event_input *in, json_t *v)
{
	char *s;

	if (take_string(v, "status", 0, 16, &s, in->errors) != 1)
		return;
	if (!cal_event_status_valid(s)) {
		svc_problem_add(in->errors, "status", "'%s' is not one of"
				" TENTATIVE, CONFIRMED, CANCELLED", s);
		free(s);
	} else {
		set_str(&in->ev->status, s);
	}
}

static void
f_carrier(struct event_input *in, json_t *v)
{
	struct db_carrier c;
	char *s;

	if (take_string(v, "carrier", 1, 64, &s, in->errors) != 1)
		return;
	if (s && db_carrier_get(in->db, s, &c) != 0) {
		svc_problem_add(in->errors, "carrier", "'%s' is not a known"
				" carrier (GET /api/v1/carriers)", s);
		free(s);
		return;
	}
	if (s)
		db_carrier_release(&c);
	set_str(&in->ev->carrier, s);
}

static void
f_rrule(struct event_input *in, json_t *v)
{
	char why[128], *s, *a;

	if (take_string(v, "rrule", 1, 512, &s, in->errors) != 1)
		return;
	if (s && strchr(s, '\xef')) {
		/* full-width ；，＝ typed with an input method */
		a = svc_ascii_punct(s);
		free(s);
		if (!a) {
			svc_problem_add(in->errors, "rrule", "out of memory");
			return;
		}
		s = a;
	}
	if (s && cal_rrule_validate(s, why, sizeof(why)) != 0) {
		svc_problem_add(in->errors, "rrule", "%s", why);
		free(s);
		return;
	}
	set_str(&in->ev->rrule, s);
}

static void
f_capacity(struct event_input *in, json_t *v)
{
	if (json_is_null(v))
		in->ev->capacity = 0;
	else if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		 json_integer_value(v) > 1000000)
		svc_problem_add(in->errors, "capacity", "must be an integer"
				" from 1 to 1000000, or null");
	else
		in->ev->capacity = json_integer_value(v);
}

/* Check item i (slug, or NULL when not a string) of the partner list
 * against the regions and the items before it (list). 0 or -1 (added). */
static int
partner_ok(struct event_input *in, const char *slug, size_t i,
	   char *const *list)
{
	struct db_region reg;
	int bad = 0;
	size_t j;

	if (!slug || db_region_get(in->db, slug, &reg) != 0) {
		svc_problem_add(in->errors, "partner_regions", "item %zu is"
				" not a known region", i);
		return -1;
	}
	if (!reg.partner) {
		svc_problem_add(in->errors, "partner_regions", "'%s' is a"
				" district region, not a partner region", slug);
		bad = -1;
	}
	db_region_release(&reg);
	for (j = 0; j < i; j++)
		if (list[j] && strcmp(list[j], slug) == 0) {
			svc_problem_add(in->errors, "partner_regions", "'%s'"
					" is listed twice", slug);
			bad = -1;
		}
	return bad;
}

static void
take_partners(struct event_input *in, json_t *v)
{
	size_t i, n = json_is_array(v) ? json_array_size(v) : 0;
	char **list;
	int bad = 0;

	if (!json_is_array(v) || n > CAL_EVENT_MAX_PARTNERS) {
		svc_problem_add(in->errors, "partner_regions", "must be an"
				" array of at most %d partner region slugs",
				CAL_EVENT_MAX_PARTNERS);
		return;
	}
	list = calloc(n ? n : 1, sizeof(char *));
	if (!list) {
		svc_problem_add(in->errors, "partner_regions", "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		const char *slug = json_string_value(json_array_get(v, i));

		if (partner_ok(in, slug, i, list) != 0) {
			bad = 1;
			continue;
		}
		if (!(list[i] = strdup(slug)))
			bad = 1;
	}
	if (bad) {
		for (i = 0; i < n; i++)
			free(list[i]);
		free(list);
		return;
	}
	for (i = 0; i < in->ev->n_partner_regions; i++)
		free(in->ev->partner_regions[i]);
	free(in->ev->partner_regions);
	in->ev->partner_regions = list;
	in->ev->n_partner_regions = n;
}

static void
f_partner_regions(struct event_input *in, json_t *v)
{
	json_t *items;

	if (!json_is_string(v)) {
		take_partners(in, v);
		return;
	}
	/* a typed list: "a，b；c" */
	items = svc_split_list(json_string_value(v));
	if (!items)
		svc_problem_add(in->errors, "partner_regions", "out of memory");
	else
		take_partners(in, items);
	json_decref(items);
}

static void
f_geo(struct event_input *in, json_t *v)
{
	json_t *lat = json_object_get(v, "lat");
	json_t *lon = json_object_get(v, "lon");

	if (json_is_null(v)) {
		in->ev->has_geo = 0;
	} else if (!json_is_object(v) || json_object_size(v) != 2 ||
		   !json_is_number(lat) || !json_is_number(lon) ||
		   fabs(json_number_value(lat)) > 90 ||
		   fabs(json_number_value(lon)) > 180) {
		svc_problem_add(in->errors, "geo", "must be {\"lat\":"
				" -90..90, \"lon\": -180..180} or null");
	} else {
		in->ev->has_geo = 1;
		in->ev->geo_lat = json_number_value(lat);
		in->ev->geo_lon = json_number_value(lon);
	}
}

static void
f_all_day(struct event_input *in, json_t *v)
{
	if (!json_is_boolean(v))
		svc_problem_add(in->errors, "all_day", "must be true or false");
	else
		in->ev->all_day = json_is_true(v);
}

static void
f_timezone(struct event_input *in, json_t *v)
{
	char *s;

	if (take_string(v, "timezone", 0, 64, &s, in->errors) != 1)
		return;
	if (!cal_tz_valid(s)) {
		svc_problem_add(in->errors, "timezone", "'%s' is not an IANA"
				" timezone name", s);
		free(s);
	} else {
		set_str(&in->ev->tzid, s);
	}
}

/* An RFC 3339 instant with offset into *t; 1 when valid and within
 * range, else 0 with the error added (example: a valid value to show). */
static int
take_instant(struct event_input *in, json_t *v, const char *name,
	     const char *example, int64_t *t)
{
	if (!json_is_string(v) ||
	    cal_time_parse_rfc3339(json_string_value(v), t)) {
		svc_problem_add(in->errors, name, "must be an RFC 3339"
				" date-time with offset, e.g. %s", example);
		return 0;
	}
	if (cal_event_instant_ok(*t))
		return 1;
	svc_problem_add(in->errors, name, "must be between 1970 and 2200");
	return 0;
}

static void
f_start(struct event_input *in, json_t *v)
{
	in->ti.has_start = take_instant(in, v, "start",
					"2025-03-01T00:30:00+08:00",
					&in->ti.start);
}

static void
f_end(struct event_input *in, json_t *v)
{
	in->ti.has_end = take_instant(in, v, "end",
				      "2025-03-01T02:30:00+08:00",
				      &in->ti.end);
}

/* A date YYYY-MM-DD into out; 1 when valid, else 0 with the error. */
static int
take_date(struct event_input *in, json_t *v, const char *name,
	  const char *hint, char out[11])
{
	int y, m, d;

	if (!json_is_string(v) ||
	    cal_date_parse(json_string_value(v), &y, &m, &d)) {
		svc_problem_add(in->errors, name, "must be a date"
				" YYYY-MM-DD%s", hint);
		return 0;
	}
	snprintf(out, 11, "%s", json_string_value(v));
	return 1;
}

static void
f_start_date(struct event_input *in, json_t *v)
{
	in->ti.has_start_date = take_date(in, v, "start_date", "",
					  in->ti.start_date);
}

static void
f_end_date(struct event_input *in, json_t *v)
{
	in->ti.has_end_date = take_date(in, v, "end_date", " (exclusive)",
					in->ti.end_date);
}

/* The fields a client may write, in the order they are checked (the
 * order of the errors); required ones must be given on create and PUT. */
static const struct event_field {
	const char *name;
	void (*take)(struct event_input *in, json_t *v);
	int required;
} event_fields[] = {
	{ "uid", f_uid, 0 },		/* on create only */
	{ "kind", f_kind, 1 },
	{ "title", f_title, 1 },
	{ "description", f_description, 0 },
	{ "venue", f_venue, 0 },
	{ "url", f_url, 0 },
	{ "status", f_status, 0 },
	{ "carrier", f_carrier, 0 },
	{ "rrule", f_rrule, 0 },
	{ "capacity", f_capacity, 0 },
	{ "partner_regions", f_partner_regions, 0 },
	{ "geo", f_geo, 0 },
	{ "all_day", f_all_day, 0 },
	{ "timezone", f_timezone, 0 },
	{ "start", f_start, 0 },
	{ "end", f_end, 0 },
	{ "start_date", f_start_date, 0 },
	{ "end_date", f_end_date, 0 },
};
#define N_FIELDS (sizeof(event_fields) / sizeof(event_fields[0]))

/* Fields the server owns; accepted on PUT only when unchanged. */
static const char *const readonly_fields[] = {
	"id", "uid", "region", "carrier_name", "sequence", "revision",
	"created", "updated", "kind_name", "exdates", "overrides", "rdates",
	"timezone_source", "recorded_late", NULL,
};

static int
in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

static int
writable(const char *key)
{
	size_t i;

	for (i = 1; i < N_FIELDS; i++)	/* uid (row 0) is handled apart */
		if (strcmp(event_fields[i].name, key) == 0)
			return 1;
	return 0;
}

/* PUT of a fetched representation: id and uid must match, the derived
 * fields are ignored. 1 when key's value v is acceptable. */
static int
echo_ok(const struct db_event *stored, const char *key, json_t *v)
{
	if (strcmp(key, "id") == 0)
		return json_is_integer(v) &&
		       json_integer_value(v) == stored->id;
	if (strcmp(key, "uid") == 0)
		return json_is_string(v) &&
		       strcmp(json_string_value(v), stored->uid) == 0;
	return 1;
}

/* An error for every key of obj that a client may not write here. */
static void
check_keys(struct event_input *in, json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		if (writable(key))
			continue;
		if (strcmp(key, "uid") == 0 && in->creating && !in->stored)
			continue;
		if (in_list(readonly_fields, key) && in->stored &&
		    in->creating) {
			if (!echo_ok(in->stored, key, v))
				svc_problem_add(in->errors, key, "is read-only"
						" and differs from the stored"
						" value");
			continue;
		}
		if (in_list(readonly_fields, key))
			/* a new event has no stored value to echo, and a
			 * PATCH names only what it changes */
			svc_problem_add(in->errors, key, "is read-only");
		else
			svc_problem_add(in->errors, key, "is not a field of an"
					" event");
	}
}

void
svc_event_apply_json(struct db *db, json_t *obj, enum svc_event_write how,
		     const struct db_event *stored, struct db_event *ev,
		     json_t *errors)
{
	struct event_input in = {
		.db = db, .ev = ev, .stored = stored,
		.creating = how != SVC_EVENT_PATCH, .errors = errors,
	};
	struct cal_rule_error err;
	size_t i;

	check_keys(&in, obj);
	for (i = 0; i < N_FIELDS; i++) {
		json_t *v = json_object_get(obj, event_fields[i].name);

		if (v)
			event_fields[i].take(&in, v);
		else if (event_fields[i].required && in.creating)
			svc_problem_add(errors, event_fields[i].name,
					"is required");
	}
	if (json_array_size(errors))
		return;
	if (cal_event_place(ev, &in.ti, in.creating, stored, &err) != 0)
		add_rule_error(errors, &err);
}

void
svc_event_check_json(struct db_event *ev, json_t *errors)
{
	struct cal_rule_error err;

	if (!json_array_size(errors) && cal_event_check(ev, &err) != 0)
		add_rule_error(errors, &err);
}

/* ---- one occurrence's override ---- */

static const char *const occurrence_fields[] = {
	"start", "end", "start_date", "end_date", "title", "venue",
	"description", "status", NULL,
};

/* The text fields of an override: title, venue, description, status. */
static void
override_texts(json_t *obj, struct db_override *o, json_t *errors)
{
	json_t *v;
	char *s;

	if ((v = json_object_get(obj, "title")) &&
	    take_string(v, "title", 1, CAL_EVENT_MAX_TITLE, &s, errors) == 1) {
		if (s && blank(s)) {
			svc_problem_add(errors, "title", "must not be empty");
			free(s);
		} else {
			set_str(&o->title, s);
		}
	}
	if ((v = json_object_get(obj, "venue")) &&
	    take_string(v, "venue", 1, CAL_EVENT_MAX_VENUE, &s, errors) == 1)
		set_str(&o->venue, s);
	if ((v = json_object_get(obj, "description")) &&
	    take_string(v, "description", 1, CAL_EVENT_MAX_DESCRIPTION, &s,
			errors) == 1)
		set_str(&o->description, s);
	if ((v = json_object_get(obj, "status")) &&
	    take_string(v, "status", 1, 16, &s, errors) == 1) {
		if (s && !cal_event_status_valid(s)) {
			svc_problem_add(errors, "status", "'%s' is not one of"
					" TENTATIVE, CONFIRMED, CANCELLED", s);
			free(s);
		} else {
			set_str(&o->status, s);
		}
	}
}

/* An override's start or end named field of series ev into *t: a date
 * (local midnight in ev's zone) for an all-day series, else RFC 3339.
 * 1 when given and valid, 0 when absent, -1 after adding the error. */
static int
override_instant(json_t *obj, const struct db_event *ev, const char *field,
		 int64_t *t, json_t *errors)
{
	json_t *v = json_object_get(obj, field);
	const char *s = json_string_value(v);
	int y, m, d, bad;

	if (!v)
		return 0;
	if (ev->all_day)
		bad = !s || cal_date_parse(s, &y, &m, &d) ||
		      cal_local_to_utc(y, m, d, 0, 0, 0, ev->tzid, t);
	else
		bad = !s || cal_time_parse_rfc3339(s, t);
	if (!bad)
		return 1;
	svc_problem_add(errors, field, ev->all_day ? "must be a date"
			" YYYY-MM-DD" : "must be RFC 3339 with offset");
	return -1;
}

void
svc_override_apply_json(json_t *obj, const struct db_event *ev,
			struct db_override *o, json_t *errors)
{
	const char *key, *wrong = ev->all_day ? "start" : "start_date";
	struct cal_rule_error err;
	int64_t t, dur = o->end_utc - o->start_utc;
	json_t *v;

	json_object_foreach(obj, key, v)
		if (!in_list(occurrence_fields, key))
			svc_problem_add(errors, key, "is not a field of an"
					" occurrence (allowed: start, end,"
					" start_date, end_date, title, venue,"
					" description, status)");
	override_texts(obj, o, errors);
	if (json_object_get(obj, wrong))
		svc_problem_add(errors, wrong, ev->all_day ? "all-day series"
				" take start_date" : "timed series take start"
				" and end");
	if (override_instant(obj, ev, ev->all_day ? "start_date" : "start",
			     &t, errors) == 1)
		o->start_utc = t;
	if (override_instant(obj, ev, ev->all_day ? "end_date" : "end", &t,
			     errors) == 1)
		o->end_utc = t;
	else
		o->end_utc = o->start_utc + dur;
	if (!json_array_size(errors) && cal_override_check(ev, o, &err) != 0)
		add_rule_error(errors, &err);
}

int
svc_event_parse_for_create(struct svc *svc, const char *body, size_t len,
			   struct db_event *ev)
{
	json_t *obj = NULL, *errors;
	int n;

	if (svc_event_defaults(ev, svc->clock()) != 0 ||
	    !(errors = json_array())) {
		db_event_release(ev);
		return -1;
	}
	/* as svc_event_body(): the one reader, the members checked here */
	if (svc_body_read(body, len, "an event", NULL, NULL, errors,
			  &obj) != 0) {
		json_decref(obj);
		json_decref(errors);
		db_event_release(ev);
		return -1;
	}
	svc_event_apply_json(svc->db, obj, SVC_EVENT_CREATE, NULL, ev,
			     errors);
	svc_event_check_json(ev, errors);
	n = (int)json_array_size(errors);
	json_decref(errors);
	json_decref(obj);
	if (n)
		db_event_release(ev);
	return n;
}
