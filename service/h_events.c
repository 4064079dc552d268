/*
 * h_events.c: /api/v1/events — list, get, create, patch, put, cancel,
 * delete. Input is parsed with jansson (JSON_REJECT_DUPLICATES) and checked
 * field by field; unknown fields are errors (no mass assignment); nothing is
 * stored unless every field is valid.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../calendar/caltime.h"
#include "../calendar/kind.h"
#include "../calendar/recur.h"
#include "../calendar/rrule_budget.h"
#include "../calendar/rrule_until.h"
#include "input_limits.h"
#include "media_type.h"
#include "natural.h"
#include "report.h"
#include "svc.h"
#include "svc_admin.h"

#define MAX_TITLE 1000		/* octets */
#define MAX_DESCRIPTION 20000
#define MAX_VENUE 500
#define MAX_URL 2048
#define MAX_UID 255
#define MAX_PARTNERS 16
#define LIST_DEFAULT 100
#define LIST_MAX 500

/* Fields a client may write. "uid" only on create. */
static const char *const writable_fields[] = {
	"kind", "title", "description", "venue", "all_day", "start", "end",
	"start_date", "end_date", "timezone", "status", "carrier",
	"partner_regions", "rrule", "url", "capacity", "geo", NULL,
};

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

static void
etag_of_event(const struct db_event *ev, char out[40])
{
	snprintf(out, 40, "\"r%" PRId64 "\"", ev->revision);
}

/* An instant of ev as JSON: a date for all-day events, else RFC 3339 in
 * the event's zone. */
static json_t *
instant_json(const struct db_event *ev, int64_t t)
{
	char buf[32];

	if (ev->all_day) {
		if (cal_local_date(t, ev->tzid, buf) != 0)
			return json_null();
	} else if (cal_time_format_rfc3339(t, ev->tzid, buf) != 0) {
		return json_null();
	}
	return json_string(buf);
}

static json_t *
override_json(const struct db_event *ev, const struct db_override *o)
{
	return json_pack("{s:o, s:o, s:o, s:s?, s:s?, s:s?, s:s?}",
			 "recurrence_id", instant_json(ev, o->recurrence_utc),
			 "start", instant_json(ev, o->start_utc),
			 "end", instant_json(ev, o->end_utc),
			 "title", o->title, "venue", o->venue,
			 "description", o->description, "status", o->status);
}

json_t *
svc_event_json(const struct db_event *ev)
{
	const struct cal_kind *k = cal_kind_find(ev->kind);
	char start[32], end[32], created[32], updated[32];
	json_t *o, *partners;
	size_t i;

	partners = json_array();
	for (i = 0; partners && i < ev->n_partner_regions; i++)
		json_array_append_new(partners,
				      json_string(ev->partner_regions[i]));
	cal_time_format_rfc3339(ev->created_utc, "UTC", created);
	cal_time_format_rfc3339(ev->modified_utc, "UTC", updated);
	o = json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s?, s:s?, s:b, s:s,"
		      " s:s, s:s?, s:s?, s:o, s:s?, s:s?, s:I, s:I,"
		      " s:s, s:s}",
		      "id", (json_int_t)ev->id, "uid", ev->uid,
		      "kind", ev->kind, "kind_name", k ? k->zh : NULL,
		      "title", ev->title, "description", ev->description,
		      "venue", ev->venue, "all_day", ev->all_day,
		      "timezone", ev->tzid, "status", ev->status,
		      "carrier", ev->carrier, "region", ev->region,
		      "partner_regions", partners ? partners : json_array(),
		      "rrule", ev->rrule, "url", ev->url,
		      "sequence", (json_int_t)ev->sequence,
		      "revision", (json_int_t)ev->revision,
		      "created", created, "updated", updated);
	if (!o)
		return NULL;
	json_object_set_new(o, "carrier_name", ev->carrier_name ?
			    json_string(ev->carrier_name) : json_null());
	json_object_set_new(o, "recorded_late", json_boolean(
			    cal_recorded_late_month(ev->placed_utc,
						    ev->start_utc)));
	json_object_set_new(o, "capacity", ev->capacity ?
			    json_integer(ev->capacity) : json_null());
	json_object_set_new(o, "geo", ev->has_geo ?
			    json_pack("{s:f, s:f}", "lat", ev->geo_lat, "lon",
				      ev->geo_lon) : json_null());
	if (ev->n_rdates) {
		json_t *rd = json_array();

		for (i = 0; rd && i < ev->n_rdates; i++)
			json_array_append_new(rd, instant_json(ev,
						ev->rdates[i]));
		json_object_set_new(o, "rdates", rd ? rd : json_null());
	}
	if (ev->tzid_source)
		json_object_set_new(o, "timezone_source",
				    json_string(ev->tzid_source));
	if (ev->rrule || ev->n_rdates) {
		json_t *ex = json_array(), *ov = json_array();

		for (i = 0; ex && i < ev->n_exdates; i++)
			json_array_append_new(ex, instant_json(ev,
						ev->exdates[i]));
		for (i = 0; ov && i < ev->n_overrides; i++)
			json_array_append_new(ov, override_json(ev,
						&ev->overrides[i]));
		json_object_set_new(o, "exdates", ex ? ex : json_null());
		json_object_set_new(o, "overrides", ov ? ov : json_null());
	}
	if (ev->all_day) {
		json_object_set_new(o, "start_date", json_string(ev->start_date));
		json_object_set_new(o, "end_date", json_string(ev->end_date));
	} else {
		cal_time_format_rfc3339(ev->start_utc, ev->tzid, start);
		cal_time_format_rfc3339(ev->end_utc, ev->tzid, end);
		json_object_set_new(o, "start", json_string(start));
		json_object_set_new(o, "end", json_string(end));
	}
	return o;
}

/* The representation for readers without a token: a series' overrides
 * marked TENTATIVE are left out, as the public feeds leave them out. */
static json_t *
public_json(const struct db_event *ev)
{
	json_t *o = svc_event_json(ev), *ov;
	size_t i;

	ov = o ? json_object_get(o, "overrides") : NULL;
	for (i = json_array_size(ov); i-- > 0;) {
		const char *st = json_string_value(json_object_get(
					json_array_get(ov, i), "status"));

		if (st && strcmp(st, "TENTATIVE") == 0)
			json_array_remove(ov, i);
	}
	return o;
}

/* ---- input ---- */

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

/* A string field: present and a string, or null when nullable. Sets *out
 * to a new copy (NULL for null). 1 if present, 0 if absent, -1 on error. */
static int
take_string(json_t *obj, const char *name, int nullable, size_t max,
	    char **out, json_t *errors)
{
	json_t *v = json_object_get(obj, name);
	const char *s;
	size_t i, len;
	int multiline;

	if (!v)
		return 0;
	if (json_is_null(v) && nullable) {
		*out = NULL;
		return 1;
	}
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
	multiline = strcmp(name, "description") == 0;
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
	if (strcmp(name, "title") == 0 || strcmp(name, "uid") == 0) {
		uint32_t cp;

		/* U+2028, U+FEFF, U+200B...: text that looks like another */
		if (svc_text_has_invisible(s, &cp)) {
			svc_problem_add(errors, name, "must not contain"
					" invisible format characters"
					" (U+%04X)", (unsigned)cp);
			return -1;
		}
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

struct time_input {
	int has_start, has_end, has_start_date, has_end_date, has_all_day;
	int has_tz;
	int64_t start, end;
	char start_date[11], end_date[11];
};

/* Instants an event may take: 1970-01-01 to 2200-12-31 (UTC), the span
 * every calendar client renders (and the importer accepts). */
#define EARLIEST_UTC 0
#define LATEST_UTC 7289654400	/* 2201-01-01T00:00:00Z */

static int
in_range(json_t *errors, const char *field, int64_t t)
{
	if (t >= EARLIEST_UTC && t < LATEST_UTC)
		return 1;
	svc_problem_add(errors, field, "must be between 1970 and 2200");
	return 0;
}

static int
date_to_utc(const char *date, const char *tzid, int64_t *utc)
{
	int y, m, d;

	if (cal_date_parse(date, &y, &m, &d) != 0)
		return -EINVAL;
	return cal_local_to_utc(y, m, d, 0, 0, 0, tzid, utc);
}

/*
 * Apply the fields of obj onto ev (defaults for create and put, the stored
 * event for patch). Field errors are appended to errors.
 */
static void
apply_json(struct svc *svc, json_t *obj, struct db_event *ev, int creating,
	   const struct db_event *stored, json_t *errors)
{
	struct time_input ti;
	const char *key;
	json_t *v;
	char *s;
	int r;

	memset(&ti, 0, sizeof(ti));
	json_object_foreach(obj, key, v) {
		if (in_list(writable_fields, key))
			continue;
		if (strcmp(key, "uid") == 0 && creating && !stored)
			continue;
		if (in_list(readonly_fields, key) && stored && creating) {
			/* PUT of a fetched representation: must match */
			if (strcmp(key, "id") == 0 && json_is_integer(v) &&
			    json_integer_value(v) == stored->id)
				continue;
			if (strcmp(key, "uid") == 0 && json_is_string(v) &&
			    strcmp(json_string_value(v), stored->uid) == 0)
				continue;
			if (strcmp(key, "id") != 0 && strcmp(key, "uid") != 0)
				continue;	/* derived: ignored */
			svc_problem_add(errors, key, "is read-only and differs"
					" from the stored value");
			continue;
		}
		if (in_list(readonly_fields, key)) {
			/* a new event has no stored value to echo, and a PATCH
			 * names only what it changes */
			svc_problem_add(errors, key, "is read-only");
			continue;
		}
		svc_problem_add(errors, key, "is not a field of an event");
	}

	s = NULL;
	if ((r = take_string(obj, "uid", 0, MAX_UID, &s, errors)) == 1 &&
	    creating && !stored) {
		if (blank(s) || strchr(s, ' ')) {
			svc_problem_add(errors, "uid", "must be non-empty and"
					" contain no spaces");
			free(s);
		} else {
			set_str(&ev->uid, s);
		}
	}
	s = NULL;
	if ((r = take_string(obj, "kind", 0, 32, &s, errors)) == 1) {
		/* the slug, or its Chinese name (项目路演, 路演, ...) */
		const struct cal_kind *k = cal_kind_from_name(s);

		if (!k) {
			svc_problem_add(errors, "kind", "'%s' is not one of"
					" roadshow, salon, forum, training,"
					" seminar, exhibition, competition", s);
			free(s);
		} else {
			free(s);
			set_str(&ev->kind, strdup(k->slug));
			if (!ev->kind)
				svc_problem_add(errors, "kind",
						"out of memory");
		}
	} else if (r == 0 && creating) {
		svc_problem_add(errors, "kind", "is required");
	}
	s = NULL;
	if ((r = take_string(obj, "title", 0, MAX_TITLE, &s, errors)) == 1) {
		if (blank(s)) {
			svc_problem_add(errors, "title", "must not be empty");
			free(s);
		} else {
			set_str(&ev->title, s);
		}
	} else if (r == 0 && creating) {
		svc_problem_add(errors, "title", "is required");
	}
	s = NULL;
	if (take_string(obj, "description", 1, MAX_DESCRIPTION, &s,
			errors) == 1)
		set_str(&ev->description, s);
	s = NULL;
	if (take_string(obj, "venue", 1, MAX_VENUE, &s, errors) == 1)
		set_str(&ev->venue, s);
	s = NULL;
	if (take_string(obj, "url", 1, MAX_URL, &s, errors) == 1) {
		if (s && ((strncmp(s, "https://", 8) != 0 &&
			   strncmp(s, "http://", 7) != 0) || strchr(s, ' ') ||
			  strlen(s) < 10)) {
			svc_problem_add(errors, "url", "must be an absolute"
					" http or https URL");
			free(s);
		} else {
			set_str(&ev->url, s);
		}
	}
	s = NULL;
	if ((r = take_string(obj, "status", 0, 16, &s, errors)) == 1) {
		if (strcmp(s, "TENTATIVE") && strcmp(s, "CONFIRMED") &&
		    strcmp(s, "CANCELLED")) {
			svc_problem_add(errors, "status", "'%s' is not one of"
					" TENTATIVE, CONFIRMED, CANCELLED", s);
			free(s);
		} else {
			set_str(&ev->status, s);
		}
	}
	s = NULL;
	if (take_string(obj, "carrier", 1, 64, &s, errors) == 1) {
		struct db_carrier c;

		if (s && db_carrier_get(svc->db, s, &c) != 0) {
			svc_problem_add(errors, "carrier", "'%s' is not a"
					" known carrier (GET /api/v1/carriers)",
					s);
			free(s);
		} else {
			if (s)
				db_carrier_release(&c);
			set_str(&ev->carrier, s);
		}
	}
	s = NULL;
	if ((r = take_string(obj, "rrule", 1, 512, &s, errors)) == 1) {
		char why[128];

		if (s && strchr(s, '\xef')) {
			/* full-width ；，＝ typed with an input method */
			char *a = svc_ascii_punct(s);

			free(s);
			s = a;
			if (!s)
				strcpy(why, "out of memory");
		}
		if (!s && json_is_string(json_object_get(obj, "rrule")))
			svc_problem_add(errors, "rrule", "%s", why);
		else if (s && cal_rrule_validate(s, why, sizeof(why)) != 0) {
			svc_problem_add(errors, "rrule", "%s", why);
			free(s);
		} else {
			set_str(&ev->rrule, s);
		}
	}
	v = json_object_get(obj, "capacity");
	if (v) {
		if (json_is_null(v))
			ev->capacity = 0;
		else if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			 json_integer_value(v) > 1000000)
			svc_problem_add(errors, "capacity", "must be an integer"
					" from 1 to 1000000, or null");
		else
			ev->capacity = json_integer_value(v);
	}
	v = json_object_get(obj, "partner_regions");
	if (json_is_string(v)) {
		/* a typed list: "a，b；c" */
		json_t *items = svc_split_list(json_string_value(v));

		if (!items || json_object_set_new(obj, "partner_regions",
						  items) != 0) {
			svc_problem_add(errors, "partner_regions",
					"out of memory");
			goto partners_done;
		}
		v = items;
	}
	if (v) {
		size_t i, j, n = json_is_array(v) ? json_array_size(v) : 0;
		char **list;
		int bad = 0;

		if (!json_is_array(v) || n > MAX_PARTNERS) {
			svc_problem_add(errors, "partner_regions", "must be an"
					" array of at most %d partner region"
					" slugs", MAX_PARTNERS);
			goto partners_done;
		}
		list = calloc(n ? n : 1, sizeof(char *));
		if (!list) {
			svc_problem_add(errors, "partner_regions",
					"out of memory");
			goto partners_done;
		}
		for (i = 0; i < n; i++) {
			json_t *e = json_array_get(v, i);
			struct db_region reg;
			const char *slug = json_string_value(e);

			if (!slug || db_region_get(svc->db, slug, &reg) != 0) {
				svc_problem_add(errors, "partner_regions",
						"item %zu is not a known region",
						i);
				bad = 1;
				continue;
			}
			if (!reg.partner) {
				svc_problem_add(errors, "partner_regions",
						"'%s' is a district region, not"
						" a partner region", slug);
				bad = 1;
			}
			db_region_release(&reg);
			for (j = 0; j < i; j++)
				if (list[j] && strcmp(list[j], slug) == 0) {
					svc_problem_add(errors,
							"partner_regions",
							"'%s' is listed twice",
							slug);
					bad = 1;
				}
			list[i] = strdup(slug);
			if (!list[i])
				bad = 1;
		}
		if (bad) {
			for (i = 0; i < n; i++)
				free(list[i]);
			free(list);
		} else {
			for (i = 0; i < ev->n_partner_regions; i++)
				free(ev->partner_regions[i]);
			free(ev->partner_regions);
			ev->partner_regions = list;
			ev->n_partner_regions = n;
		}
	}
partners_done:
	v = json_object_get(obj, "geo");
	if (v) {
		json_t *lat = json_object_get(v, "lat");
		json_t *lon = json_object_get(v, "lon");

		if (json_is_null(v)) {
			ev->has_geo = 0;
		} else if (!json_is_object(v) || json_object_size(v) != 2 ||
			   !json_is_number(lat) || !json_is_number(lon) ||
			   fabs(json_number_value(lat)) > 90 ||
			   fabs(json_number_value(lon)) > 180) {
			svc_problem_add(errors, "geo", "must be {\"lat\":"
					" -90..90, \"lon\": -180..180} or"
					" null");
		} else {
			ev->has_geo = 1;
			ev->geo_lat = json_number_value(lat);
			ev->geo_lon = json_number_value(lon);
		}
	}

	/* ---- time ---- */
	v = json_object_get(obj, "all_day");
	if (v) {
		if (!json_is_boolean(v))
			svc_problem_add(errors, "all_day", "must be true or"
					" false");
		else {
			ti.has_all_day = 1;
			ev->all_day = json_is_true(v);
		}
	}
	s = NULL;
	if (take_string(obj, "timezone", 0, 64, &s, errors) == 1) {
		if (!cal_tz_valid(s)) {
			svc_problem_add(errors, "timezone", "'%s' is not an"
					" IANA timezone name", s);
			free(s);
		} else {
			set_str(&ev->tzid, s);
			ti.has_tz = 1;
		}
	}
	if ((v = json_object_get(obj, "start"))) {
		if (!json_is_string(v) ||
		    cal_time_parse_rfc3339(json_string_value(v), &ti.start))
			svc_problem_add(errors, "start", "must be an RFC 3339"
					" date-time with offset, e.g."
					" 2025-03-01T00:30:00+08:00");
		else
			ti.has_start = in_range(errors, "start", ti.start);
	}
	if ((v = json_object_get(obj, "end"))) {
		if (!json_is_string(v) ||
		    cal_time_parse_rfc3339(json_string_value(v), &ti.end))
			svc_problem_add(errors, "end", "must be an RFC 3339"
					" date-time with offset, e.g."
					" 2025-03-01T02:30:00+08:00");
		else
			ti.has_end = in_range(errors, "end", ti.end);
	}
	if ((v = json_object_get(obj, "start_date"))) {
		int y, m, d;

		if (!json_is_string(v) ||
		    cal_date_parse(json_string_value(v), &y, &m, &d))
			svc_problem_add(errors, "start_date", "must be a date"
					" YYYY-MM-DD");
		else {
			ti.has_start_date = 1;
			snprintf(ti.start_date, 11, "%s", json_string_value(v));
		}
	}
	if ((v = json_object_get(obj, "end_date"))) {
		int y, m, d;

		if (!json_is_string(v) ||
		    cal_date_parse(json_string_value(v), &y, &m, &d))
			svc_problem_add(errors, "end_date", "must be a date"
					" YYYY-MM-DD (exclusive)");
		else {
			ti.has_end_date = 1;
			snprintf(ti.end_date, 11, "%s", json_string_value(v));
		}
	}
	if (json_array_size(errors))
		return;
	if (ev->all_day) {
		int switched = stored && !stored->all_day;
		int y, m, d;

		if (ti.has_start || ti.has_end) {
			svc_problem_add(errors, ti.has_start ? "start" : "end",
					"all-day events take start_date and"
					" end_date");
			return;
		}
		if (!ti.has_start_date && (creating || switched)) {
			svc_problem_add(errors, "start_date", "is required for"
					" an all-day event");
			return;
		}
		if (ti.has_start_date) {
			if (!ti.has_end_date && !creating && !switched &&
			    stored) {
				/* moved: keep the number of days */
				int64_t days = (stored->end_utc -
						stored->start_utc + 43200) /
					       86400;

				cal_date_parse(ti.start_date, &y, &m, &d);
				cal_date_add_days(&y, &m, &d, (int)days);
				cal_date_format(y, m, d, ti.end_date);
			} else if (!ti.has_end_date) {
				cal_date_parse(ti.start_date, &y, &m, &d);
				cal_date_add_days(&y, &m, &d, 1);
				cal_date_format(y, m, d, ti.end_date);
			}
			memcpy(ev->start_date, ti.start_date, 11);
			memcpy(ev->end_date, ti.end_date, 11);
		} else if (ti.has_end_date) {
			memcpy(ev->end_date, ti.end_date, 11);
		}
		if (strcmp(ev->end_date, ev->start_date) <= 0) {
			svc_problem_add(errors, "end_date", "must be after"
					" start_date (the end date is"
					" exclusive)");
			return;
		}
		if (date_to_utc(ev->start_date, ev->tzid, &ev->start_utc) ||
		    date_to_utc(ev->end_date, ev->tzid, &ev->end_utc))
			svc_problem_add(errors, "start_date", "cannot be"
					" placed in timezone %s", ev->tzid);
		else if (in_range(errors, "start_date", ev->start_utc))
			in_range(errors, "end_date", ev->end_utc);
		return;
	}
	if (ti.has_start_date || ti.has_end_date) {
		svc_problem_add(errors, ti.has_start_date ? "start_date"
				: "end_date", "only all-day events take dates;"
				" set all_day to true, or give start and end");
		return;
	}
	if (!ti.has_start && (creating || (stored && stored->all_day))) {
		svc_problem_add(errors, "start", "is required");
		return;
	}
	if (ti.has_start) {
		int64_t dur = 3600;

		if (stored && !stored->all_day && !creating)
			dur = stored->end_utc - stored->start_utc;
		ev->start_utc = ti.start;
		ev->end_utc = ti.has_end ? ti.end : ti.start + dur;
	} else if (ti.has_end) {
		ev->end_utc = ti.end;
	}
	ev->start_date[0] = ev->end_date[0] = '\0';
	if (ev->end_utc <= ev->start_utc)
		svc_problem_add(errors, "end", "must be after start");
}

#define DIFF_STR(x, y) (((x) == NULL) != ((y) == NULL) || \
			((x) && strcmp((x), (y)) != 0))

/* 1 when the exceptions (EXDATE, overrides) of a and b differ; with
 * significant set, an override's description alone does not count. */
static int
exceptions_differ(const struct db_event *a, const struct db_event *b,
		  int significant)
{
	size_t i;

	if (a->n_exdates != b->n_exdates || a->n_overrides != b->n_overrides ||
	    a->n_rdates != b->n_rdates)
		return 1;
	for (i = 0; i < a->n_exdates; i++)
		if (a->exdates[i] != b->exdates[i])
			return 1;
	for (i = 0; i < a->n_rdates; i++)
		if (a->rdates[i] != b->rdates[i])
			return 1;
	for (i = 0; i < a->n_overrides; i++) {
		const struct db_override *x = &a->overrides[i];
		const struct db_override *y = &b->overrides[i];

		if (x->recurrence_utc != y->recurrence_utc ||
		    x->start_utc != y->start_utc || x->end_utc != y->end_utc ||
		    DIFF_STR(x->title, y->title) ||
		    DIFF_STR(x->venue, y->venue) ||
		    (!significant &&
		     DIFF_STR(x->description, y->description)) ||
		    DIFF_STR(x->status, y->status))
			return 1;
	}
	return 0;
}

int
svc_event_significant_change(const struct db_event *a,
			     const struct db_event *b)
{
	return a->start_utc != b->start_utc || a->end_utc != b->end_utc ||
	       a->all_day != b->all_day || DIFF_STR(a->tzid, b->tzid) ||
	       DIFF_STR(a->title, b->title) || DIFF_STR(a->venue, b->venue) ||
	       DIFF_STR(a->status, b->status) ||
	       DIFF_STR(a->rrule, b->rrule) || exceptions_differ(a, b, 1);
}

int
svc_event_any_change(const struct db_event *a, const struct db_event *b)
{
	size_t i;

	if (svc_event_significant_change(a, b) ||
	    exceptions_differ(a, b, 0) || DIFF_STR(a->kind, b->kind) ||
	    DIFF_STR(a->description, b->description) ||
	    DIFF_STR(a->url, b->url) || DIFF_STR(a->carrier, b->carrier) ||
	    a->capacity != b->capacity || a->has_geo != b->has_geo ||
	    a->geo_lat != b->geo_lat || a->geo_lon != b->geo_lon ||
	    a->n_partner_regions != b->n_partner_regions)
		return 1;
	for (i = 0; i < a->n_partner_regions; i++)
		if (strcmp(a->partner_regions[i], b->partner_regions[i]))
			return 1;
	return 0;
}
#undef DIFF_STR

/* Replace dst's EXDATEs, RDATEs and overrides with copies of src's (and
 * keep src's file TZID while dst stays in UTC). 0 or -ENOMEM. */
static int
copy_exceptions(struct db_event *dst, const struct db_event *src)
{
	struct db_event tmp;
	size_t i;

	if (db_event_copy(&tmp, src) != 0)
		return -ENOMEM;
	free(dst->exdates);
	for (i = 0; i < dst->n_overrides; i++) {
		free(dst->overrides[i].title);
		free(dst->overrides[i].venue);
		free(dst->overrides[i].description);
		free(dst->overrides[i].status);
	}
	free(dst->overrides);
	dst->exdates = tmp.exdates;
	dst->n_exdates = tmp.n_exdates;
	dst->overrides = tmp.overrides;
	dst->n_overrides = tmp.n_overrides;
	free(dst->rdates);
	dst->rdates = tmp.rdates;
	dst->n_rdates = tmp.n_rdates;
	tmp.rdates = NULL;
	tmp.n_rdates = 0;
	free(dst->tzid_source);
	dst->tzid_source = NULL;
	if (dst->tzid && strcmp(dst->tzid, "UTC") == 0) {
		dst->tzid_source = tmp.tzid_source;
		tmp.tzid_source = NULL;
	}
	tmp.exdates = NULL;
	tmp.n_exdates = 0;
	tmp.overrides = NULL;
	tmp.n_overrides = 0;
	db_event_release(&tmp);
	return 0;
}

/*
 * A series whose start moved by delta seconds: move its EXDATEs and the
 * RECURRENCE-IDs of its overrides along (an override that kept the
 * original time moves too), so a change of the series' time keeps its
 * cancelled and changed occurrences.
 */
static void
shift_exceptions(struct db_event *ev, int64_t delta)
{
	size_t i;

	for (i = 0; i < ev->n_exdates; i++)
		ev->exdates[i] += delta;
	for (i = 0; i < ev->n_rdates; i++)
		ev->rdates[i] += delta;
	for (i = 0; i < ev->n_overrides; i++) {
		struct db_override *o = &ev->overrides[i];

		if (o->start_utc == o->recurrence_utc) {
			o->start_utc += delta;
			o->end_utc += delta;
		}
		o->recurrence_utc += delta;
	}
}

/*
 * After a series changes its start, zone or RRULE, drop EXDATEs and
 * overrides that no longer name an occurrence (as calendar clients do).
 */
static void
prune_exceptions(struct db_event *ev)
{
	size_t i, j;

	if (!ev->rrule) {
		ev->n_exdates = 0;
	}
	for (i = j = 0; i < ev->n_exdates; i++)
		if (cal_recur_is_occurrence(ev, ev->exdates[i]))
			ev->exdates[j++] = ev->exdates[i];
	ev->n_exdates = j;
	for (i = j = 0; i < ev->n_overrides; i++) {
		struct db_override *o = &ev->overrides[i];

		if (ev->rrule && cal_recur_is_occurrence(ev, o->recurrence_utc)) {
			ev->overrides[j++] = *o;
			continue;
		}
		free(o->title);
		free(o->venue);
		free(o->description);
		free(o->status);
	}
	ev->n_overrides = j;
}

/* A series' UNTIL is stored in RFC 5545 §3.3.10's form (UTC for a zoned
 * series, a DATE for an all-day one); a series must yield 1 to
 * CAL_RECUR_MAX_OCCURRENCES occurrences from its start (UNTIL far away
 * with FREQ=DAILY would not), or be open-ended with a first one. */
static void
check_series(struct db_event *ev, json_t *errors)
{
	char why[200], *norm = NULL;
	int rc;

	if (json_array_size(errors))
		return;
	if (ev->end_utc - ev->start_utc > SVC_MAX_EVENT_SECONDS) {
		svc_problem_add(errors, ev->all_day ? "end_date" : "end",
				"an event lasts at most 366 days");
		return;
	}
	if (!ev->rrule)
		return;
	rc = cal_rrule_normalize_until(ev->rrule, ev->tzid ? ev->tzid :
				       CAL_DISTRICT_TZID, ev->all_day, &norm,
				       why, sizeof(why));
	if (rc == -EINVAL) {
		svc_problem_add(errors, "rrule", "%s", why);
		return;
	}
	if (rc == 0) {
		free(ev->rrule);
		ev->rrule = norm;
	}
	if (cal_rrule_check_series(ev, why, sizeof(why)) != 0) {
		svc_problem_add(errors, "rrule", "%s", why);
		return;
	}
	/* RFC 5545 §3.8.5.3: DTSTART should be the first instance of its
	 * RRULE; clients disagree about one that is not (some show it, the
	 * expansion and the cadence do not), and moving a series onto such a
	 * day would drop its cancelled and changed occurrences. */
	if (!ev->n_rdates && !cal_recur_is_occurrence(ev, ev->start_utc))
		svc_problem_addc(errors, ev->all_day ? "start_date" : "start",
				 "start_not_in_rule", "is not an occurrence of"
				 " the rrule (e.g. BYDAY=TU needs a Tuesday):"
				 " the series must start on its first"
				 " occurrence");
}

/* Parse the request body as one JSON object, or answer 400/415. */
static json_t *
parse_body(struct svc_request *req, enum MHD_Result *ret)
{
	static const char *const json_types[] = {
		"application/json", "application/merge-patch+json",
		"application/x-www-form-urlencoded", NULL,
	};
	const char *ct = svc_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
	json_error_t jerr;
	json_t *obj;
	char detail[300];
	int rc;

	/* curl -d sends application/x-www-form-urlencoded unless told
	 * otherwise; read its body as JSON too, refuse other types. */
	if (ct && (rc = svc_media_type_check(ct, json_types)) != 0) {
		*ret = svc_respond_problem(req, 415, "unsupported-media-type",
					   "Unsupported Media Type",
					   rc == -EILSEQ ? "JSON is read as"
					   " UTF-8: send charset=utf-8 or no"
					   " charset" : "send application/json",
					   NULL);
		return NULL;
	}
	if (!req->body || req->body_len == 0) {
		json_t *errors = json_array();

		svc_problem_add(errors, "body", "a JSON object is required");
		*ret = svc_respond_problem(req, 400, "invalid-json",
					   "Bad Request", "empty body", errors);
		return NULL;
	}
	obj = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES,
			 &jerr);
	if (!obj || !json_is_object(obj)) {
		json_t *errors = json_array();

		if (obj)
			snprintf(detail, sizeof(detail), "the body must be a"
				 " JSON object");
		else
			snprintf(detail, sizeof(detail), "malformed JSON at"
				 " line %d, column %d: %s", jerr.line,
				 jerr.column, jerr.text);
		svc_problem_add(errors, "body", "%s", detail);
		json_decref(obj);
		*ret = svc_respond_problem(req, 400, "invalid-json",
					   "Bad Request", detail, errors);
		return NULL;
	}
	return obj;
}

static enum MHD_Result
invalid(struct svc_request *req, json_t *errors)
{
	return svc_respond_invalid(req, "validation-error", "Invalid event",
				   errors);
}

/* Require a token; answer 401 otherwise. 0 when auth is filled. */
static int
require_auth(struct svc_request *req, struct svc_auth *auth,
	     enum MHD_Result *ret)
{
	int rc = svc_auth_resolve(req, auth);

	if (rc == -EACCES) {
		*ret = svc_respond_unauthorized(req, "the bearer token is not"
						" valid or was revoked");
		return -1;
	}
	if (rc != 0) {
		*ret = svc_respond_errno(req, rc, "token");
		return -1;
	}
	if (!auth->present) {
		*ret = svc_respond_unauthorized(req, "writing needs"
						" Authorization: Bearer <token>"
						" (roadshowd token create)");
		return -1;
	}
	return 0;
}

static enum MHD_Result
forbidden_carrier(struct svc_request *req, const struct svc_auth *auth,
		  const char *carrier)
{
	char detail[256], held[160] = "";
	json_t *errors = json_array();
	size_t i;

	for (i = 0; i < auth->n_carriers; i++)
		snprintf(held + strlen(held), sizeof(held) - strlen(held),
			 "%s'%s'", i ? ", " : "", auth->carriers[i]);
	if (auth->viewer)
		snprintf(detail, sizeof(detail), "a viewer may not write"
			 " events");
	else
		snprintf(detail, sizeof(detail), "this %s may write only"
			 " events of carrier%s %s, not '%s'", auth->session ?
			 "account" : "token", auth->n_carriers > 1 ? "s" : "",
			 held, carrier ? carrier : "the district");
	svc_problem_addc(errors, "carrier", "not_your_carrier", "%s", detail);
	return svc_respond_problem(req, 403, "wrong-carrier", "Forbidden",
				   detail, errors);
}

static int
parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0)
		return -EINVAL;
	*id = v;
	return 0;
}

/* A list cursor "<start_utc>.<id>" (the last item of the previous page). */
static int
parse_cursor(const char *s, int64_t *start, int64_t *id)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end != '.')
		return -EINVAL;
	*start = v;
	return parse_id(end + 1, id);
}

/*
 * If-Match (RFC 9110 §13.1.1) against the event's revision: 0 when absent,
 * "*", or one listed entity-tag equals "r<revision>" (strong comparison, so
 * a weak W/ tag never matches); -ESTALE when none does; -EINVAL when the
 * header is not a list of quoted entity-tags.
 */
static int
if_match_check(struct svc_request *req, int64_t revision)
{
	const char *h = svc_header(req, MHD_HTTP_HEADER_IF_MATCH), *p, *q;
	char mine[40];
	int matched = 0;

	if (!h)
		return 0;
	snprintf(mine, sizeof(mine), "\"r%lld\"", (long long)revision);
	for (p = h; *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		if (*p == '*') {
			matched = 1;
			p++;
			continue;
		}
		if (strncmp(p, "W/", 2) == 0)
			p += 2;		/* weak: valid, never matches */
		else if (strncmp(p, mine, strlen(mine)) == 0 &&
			 (p[strlen(mine)] == '\0' || p[strlen(mine)] == ',' ||
			  p[strlen(mine)] == ' ' || p[strlen(mine)] == '\t'))
			matched = 1;
		if (*p != '"')
			return -EINVAL;
		q = strchr(p + 1, '"');
		if (!q)
			return -EINVAL;
		p = q + 1;
		if (*p && *p != ',' && *p != ' ' && *p != '\t')
			return -EINVAL;
	}
	return matched || !*h ? 0 : -ESTALE;
}

static enum MHD_Result
respond_event(struct svc_request *req, unsigned int status, int64_t id)
{
	struct db_event ev;
	enum MHD_Result ret;
	char etag[40];
	int rc = db_event_get(req->svc->db, id, &ev);

	if (rc != 0)
		return svc_respond_errno(req, rc, "the event");
	etag_of_event(&ev, etag);
	ret = svc_respond_json_etag(req, status, svc_event_json(&ev), etag);
	db_event_release(&ev);
	return ret;
}

static void
new_uid(struct svc *svc, char *out, size_t size)
{
	char token[69], hash[65];

	(void)svc;
	if (svc_token_generate(token, hash) != 0)
		snprintf(hash, sizeof(hash), "%lld", (long long)svc->clock());
	snprintf(out, size, "%.32s@roadshowd", hash);
}

static int
defaults(struct svc *svc, struct db_event *ev)
{
	char uid[64];

	memset(ev, 0, sizeof(*ev));
	new_uid(svc, uid, sizeof(uid));
	ev->uid = strdup(uid);
	ev->tzid = strdup(CAL_DISTRICT_TZID);
	ev->status = strdup("CONFIRMED");
	return ev->uid && ev->tzid && ev->status ? 0 : -ENOMEM;
}

enum MHD_Result
svc_h_events_create(struct svc_request *req)
{
	struct svc *svc = req->svc;
	struct svc_auth auth;
	struct db_event ev;
	json_t *obj, *errors;
	enum MHD_Result ret;
	int64_t id = 0;
	int rc;

	if (require_auth(req, &auth, &ret) != 0)
		return ret;
	if (!(obj = parse_body(req, &ret))) {
		svc_auth_release(&auth);
		return ret;
	}
	errors = json_array();
	if (defaults(svc, &ev) != 0 || !errors) {
		ret = svc_respond_errno(req, -ENOMEM, "");
		goto out;
	}
	apply_json(svc, obj, &ev, 1, NULL, errors);
	check_series(&ev, errors);
	if (json_array_size(errors)) {
		ret = invalid(req, errors);
		errors = NULL;
		goto out;
	}
	if (!auth.admin && !auth.viewer && !json_object_get(obj, "carrier")) {
		const char *only = svc_auth_default_carrier(&auth);

		if (!only) {
			svc_problem_addc(errors, "carrier", "required", "is"
					 " required: this account holds"
					 " several carriers");
			ret = invalid(req, errors);
			errors = NULL;
			goto out;
		}
		set_str(&ev.carrier, strdup(only));
		if (!ev.carrier) {
			ret = svc_respond_errno(req, -ENOMEM, "");
			goto out;
		}
	}
	if (!svc_auth_may_write(&auth, ev.carrier)) {
		ret = forbidden_carrier(req, &auth, ev.carrier);
		goto out;
	}
	if (svc_event_carrier_closed(req, &ev, &ret))
		goto out;
	rc = db_event_insert(svc->db, &ev, auth.actor, svc->clock(), &id);
	if (rc == -EEXIST) {
		json_t *e = json_array();

		svc_problem_add(e, "uid", "an event with UID '%s' exists",
				ev.uid);
		ret = svc_respond_problem(req, 409, "conflict", "Conflict",
					  "an event with this UID exists", e);
		goto out;
	}
	if (rc != 0) {
		ret = svc_respond_errno(req, rc, "the event");
		goto out;
	}
	ret = respond_event(req, 201, id);
out:
	json_decref(errors);
	json_decref(obj);
	db_event_release(&ev);
	svc_auth_release(&auth);
	return ret;
}

/*
 * Load the event named by the path for a write by the request's token.
 * Answers 401, 403, 404, 400 (bad If-Match) or 412 (stale If-Match) itself
 * and returns -1; on 0, *auth (release with svc_auth_release()) and
 * *stored (release with db_event_release()) are filled.
 */
static int
load_for_write(struct svc_request *req, struct svc_auth *auth,
	       struct db_event *stored, enum MHD_Result *ret)
{
	int64_t id;
	int rc;

	memset(stored, 0, sizeof(*stored));
	memset(auth, 0, sizeof(*auth));
	if (parse_id(req->params[0], &id) != 0) {
		*ret = svc_respond_errno(req, -ENOENT, "the event");
		return -1;
	}
	if (require_auth(req, auth, ret) != 0)
		return -1;
	rc = db_event_get(req->svc->db, id, stored);
	if (rc != 0) {
		*ret = svc_respond_errno(req, rc, "the event");
		goto fail;
	}
	if (!svc_auth_may_write(auth, stored->carrier)) {
		/* another carrier's TENTATIVE event is not even seen */
		if (!svc_auth_sees_tentative(auth, stored->carrier) &&
		    strcmp(stored->status, "TENTATIVE") == 0)
			*ret = svc_respond_errno(req, -ENOENT, "the event");
		else
			*ret = forbidden_carrier(req, auth, stored->carrier);
		goto fail;
	}
	rc = if_match_check(req, stored->revision);
	if (rc == -EINVAL) {
		*ret = svc_respond_problem(req, 400, "invalid-request",
					   "Bad Request", "If-Match must list"
					   " quoted ETags of this event, e.g."
					   " \"r3\"", NULL);
		goto fail;
	}
	if (rc == -ESTALE) {
		*ret = svc_respond_errno(req, -ESTALE, "the event");
		goto fail;
	}
	return 0;
fail:
	db_event_release(stored);
	svc_auth_release(auth);
	return -1;
}

/*
 * Store ev, a changed copy of stored, and answer with the event: nothing is
 * written when nothing changed; SEQUENCE grows by one on a significant
 * change (RFC 5545 §3.8.7.4); the write is guarded by stored's revision.
 */
static enum MHD_Result
save_change(struct svc_request *req, const struct svc_auth *auth,
	    struct db_event *ev, const struct db_event *stored)
{
	int rc;

	if (!svc_event_any_change(ev, stored))
		return respond_event(req, 200, stored->id);
	ev->sequence = stored->sequence +
		       (svc_event_significant_change(ev, stored) ? 1 : 0);
	rc = db_event_update(req->svc->db, ev, stored->revision, auth->actor,
			     req->svc->clock());
	if (rc != 0)
		return svc_respond_errno(req, rc, "the event");
	return respond_event(req, 200, stored->id);
}

/* Shared body of PATCH (merge) and PUT (replace). */
static enum MHD_Result
update_event(struct svc_request *req, int replace)
{
	struct svc *svc = req->svc;
	struct svc_auth auth;
	struct db_event stored, ev;
	json_t *obj = NULL, *errors = NULL;
	enum MHD_Result ret;
	int rc;

	memset(&ev, 0, sizeof(ev));
	if (load_for_write(req, &auth, &stored, &ret) != 0)
		return ret;
	if (!(obj = parse_body(req, &ret)))
		goto out;
	errors = json_array();
	if (replace) {
		rc = defaults(svc, &ev);
		if (rc == 0) {
			set_str(&ev.uid, strdup(stored.uid));
			if (!ev.uid)
				rc = -ENOMEM;
		}
		/* Cancelled and changed occurrences are not fields of the
		 * representation (they have their own endpoints): a PUT
		 * keeps them. */
		if (rc == 0)
			rc = copy_exceptions(&ev, &stored);
	} else {
		rc = db_event_copy(&ev, &stored);
	}
	if (rc != 0 || !errors) {
		ret = svc_respond_errno(req, -ENOMEM, "");
		goto out;
	}
	ev.id = stored.id;
	apply_json(svc, obj, &ev, replace, &stored, errors);
	check_series(&ev, errors);
	if (json_array_size(errors)) {
		ret = invalid(req, errors);
		errors = NULL;
		goto out;
	}
	/* a PUT without carrier keeps the stored one for organisers */
	if (replace && !auth.admin && !json_object_get(obj, "carrier") &&
	    stored.carrier) {
		set_str(&ev.carrier, strdup(stored.carrier));
		if (!ev.carrier) {
			ret = svc_respond_errno(req, -ENOMEM, "");
			goto out;
		}
	}
	if (!svc_auth_may_write(&auth, ev.carrier)) {
		ret = forbidden_carrier(req, &auth, ev.carrier);
		goto out;
	}
	if (svc_event_carrier_closed(req, &ev, &ret))
		goto out;
	if (ev.rrule && stored.rrule && ev.start_utc != stored.start_utc)
		shift_exceptions(&ev, ev.start_utc - stored.start_utc);
	prune_exceptions(&ev);
	ret = save_change(req, &auth, &ev, &stored);
out:
	json_decref(errors);
	json_decref(obj);
	db_event_release(&ev);
	db_event_release(&stored);
	svc_auth_release(&auth);
	return ret;
}

enum MHD_Result
svc_h_event_patch(struct svc_request *req)
{
	return update_event(req, 0);
}

enum MHD_Result
svc_h_event_put(struct svc_request *req)
{
	return update_event(req, 1);
}

enum MHD_Result
svc_h_event_cancel(struct svc_request *req)
{
	struct svc_auth auth;
	struct db_event stored, ev;
	enum MHD_Result ret;

	if (load_for_write(req, &auth, &stored, &ret) != 0)
		return ret;
	if (db_event_copy(&ev, &stored) != 0) {
		ret = svc_respond_errno(req, -ENOMEM, "");
		goto out;
	}
	set_str(&ev.status, strdup("CANCELLED"));
	ret = ev.status ? save_change(req, &auth, &ev, &stored)
			: svc_respond_errno(req, -ENOMEM, "");
	db_event_release(&ev);
out:
	db_event_release(&stored);
	svc_auth_release(&auth);
	return ret;
}

enum MHD_Result
svc_h_event_delete(struct svc_request *req)
{
	struct svc_auth auth;
	struct db_event stored;
	enum MHD_Result ret;
	int rc;

	if (load_for_write(req, &auth, &stored, &ret) != 0)
		return ret;
	if (!auth.admin) {
		ret = svc_respond_problem(req, 403, "admin-only", "Forbidden",
					  "hard delete is for admins;"
					  " organisers cancel events (POST"
					  " /api/v1/events/{id}/cancel)", NULL);
		goto out;
	}
	rc = db_event_delete(req->svc->db, stored.id, auth.actor,
			     req->svc->clock());
	ret = rc ? svc_respond_errno(req, rc, "the event")
		 : svc_respond_text(req, 204, NULL, strdup(""), 0, NULL, 0, 0);
out:
	db_event_release(&stored);
	svc_auth_release(&auth);
	return ret;
}

enum MHD_Result
svc_h_event_get(struct svc_request *req)
{
	struct svc_auth auth;
	struct db_event ev;
	char etag[40];
	enum MHD_Result ret;
	int64_t id;
	int rc;

	int public_view;

	if (parse_id(req->params[0], &id) != 0)
		return svc_respond_errno(req, -ENOENT, "the event");
	rc = db_event_get(req->svc->db, id, &ev);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the event");
	if (svc_auth_resolve(req, &auth) != 0)
		memset(&auth, 0, sizeof(auth));
	public_view = !svc_auth_sees_tentative(&auth, ev.carrier);
	svc_auth_release(&auth);
	if (public_view && strcmp(ev.status, "TENTATIVE") == 0) {
		db_event_release(&ev);
		return svc_respond_errno(req, -ENOENT, "the event");
	}
	etag_of_event(&ev, etag);
	ret = svc_respond_json_etag(req, 200, public_view ?
				    public_json(&ev) : svc_event_json(&ev),
				    etag);
	db_event_release(&ev);
	return ret;
}

/* Check a slug-valued filter names a row; add an error otherwise. */
static void
check_filter(struct db *db, const char *name, const char *value,
	     json_t *errors)
{
	struct db_region r;
	struct db_carrier c;

	if (!value)
		return;
	if (strcmp(name, "kind") == 0) {
		if (!cal_kind_from_name(value))
			svc_problem_add(errors, name, "'%s' is not an event"
					" kind", value);
	} else if (strcmp(name, "status") == 0) {
		if (strcmp(value, "TENTATIVE") && strcmp(value, "CONFIRMED") &&
		    strcmp(value, "CANCELLED"))
			svc_problem_add(errors, name, "'%s' is not a status",
					value);
	} else if (strcmp(name, "carrier") == 0) {
		if (strcmp(value, "-") == 0)
			return;
		if (db_carrier_get(db, value, &c) != 0)
			svc_problem_add(errors, name, "'%s' is not a known"
					" carrier", value);
		else
			db_carrier_release(&c);
	} else {
		if (db_region_get(db, value, &r) != 0) {
			svc_problem_add(errors, name, "'%s' is not a known"
					" region", value);
			return;
		}
		if ((strcmp(name, "partner") == 0) != r.partner)
			svc_problem_add(errors, name, "'%s' is %s", value,
					r.partner ? "a partner region (use"
					" partner=)" : "not a partner region");
		db_region_release(&r);
	}
}

int
svc_parse_event_filter(struct svc_request *req, struct db_event_filter *f,
		       json_t *errors)
{
	static const char *const slugs[] = {
		"region", "carrier", "partner", "status",
	};
	const char *from = svc_query(req, "from"), *to = svc_query(req, "to");
	size_t i;

	memset(f, 0, sizeof(*f));
	if (svc_query_kinds(req, req->filter_kinds, sizeof(req->filter_kinds),
			    errors) > 0)
		f->kind = req->filter_kinds;	/* "roadshow,salon": any */
	f->region = svc_query(req, "region");
	f->carrier = svc_query(req, "carrier");
	f->partner = svc_query(req, "partner");
	f->status = svc_query(req, "status");
	f->q = svc_query(req, "q");
	for (i = 0; i < sizeof(slugs) / sizeof(slugs[0]); i++)
		check_filter(req->db ? req->db : req->svc->db, slugs[i],
			     svc_query(req, slugs[i]), errors);
	if (f->q && strlen(f->q) > 200)
		svc_problem_add(errors, "q", "at most 200 octets");
	if (from || to) {
		f->has_window = 1;
		f->from_utc = INT64_MIN / 2;
		f->to_utc = INT64_MAX / 2;
		if (from && cal_time_parse_rfc3339(from, &f->from_utc))
			svc_problem_add(errors, "from", "must be RFC 3339 with"
					" offset");
		if (to && cal_time_parse_rfc3339(to, &f->to_utc))
			svc_problem_add(errors, "to", "must be RFC 3339 with"
					" offset");
		if (from && to && f->to_utc <= f->from_utc)
			svc_problem_add(errors, "to", "must be after from");
	}
	return json_array_size(errors) ? -EINVAL : 0;
}

/* Most instances one expanded list returns. */
#define EXPAND_MAX 2000

static int
by_instance_start(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t p = json_integer_value(json_object_get(x, "_start")),
		   q = json_integer_value(json_object_get(y, "_start"));

	return p < q ? -1 : p > q;
}

/*
 * The window's occurrences, one item each: the series' representation with
 * the occurrence's start/end (and override fields) and its recurrence_id.
 */
static enum MHD_Result
list_instances(struct svc_request *req, struct db_event_filter *f,
	       size_t limit, const struct svc_auth *auth)
{
	struct db_event_list list = { 0 };
	json_t **v = NULL, *items, *body;
	size_t n = 0, cap = 0, i, k;
	int rc, truncated = 0;

	rc = db_event_list(req->svc->db, f, &list);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the event list");
	for (i = 0; i < list.n && rc == 0; i++) {
		const struct db_event *ev = &list.items[i];
		struct cal_instance *in = NULL;
		size_t m = 0;

		if (cal_event_instances(ev, f->from_utc, f->to_utc,
					EXPAND_MAX, &in, &m) != 0)
			continue;
		for (k = 0; k < m && rc == 0; k++) {
			json_t *o;

			if (!svc_auth_sees_tentative(auth, ev->carrier) &&
			    strcmp(in[k].status, "TENTATIVE") == 0)
				continue;
			o = svc_event_json(ev);

			if (o && n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				json_t **nv = realloc(v, nc * sizeof(*nv));

				if (nv) {
					v = nv;
					cap = nc;
				}
			}
			if (!o || n == cap) {
				json_decref(o);
				rc = -ENOMEM;
				break;
			}
			json_object_set_new(o, "recurrence_id",
					    ev->rrule ? instant_json(ev,
					    in[k].recurrence_utc) : json_null());
			json_object_set_new(o, ev->all_day ? "start_date"
					    : "start",
					    instant_json(ev, in[k].start_utc));
			json_object_set_new(o, ev->all_day ? "end_date" : "end",
					    instant_json(ev, in[k].end_utc));
			json_object_set_new(o, "status",
					    json_string(in[k].status));
			json_object_set_new(o, "recorded_late", json_boolean(
					    cal_recorded_late_month(
					    ev->placed_utc, in[k].start_utc)));
			if (in[k].override && in[k].override->title)
				json_object_set_new(o, "title", json_string(
						    in[k].override->title));
			if (in[k].override && in[k].override->venue)
				json_object_set_new(o, "venue", json_string(
						    in[k].override->venue));
			if (in[k].override && in[k].override->description)
				json_object_set_new(o, "description",
					json_string(in[k].override->description));
			json_object_del(o, "exdates");
			json_object_del(o, "overrides");
			json_object_del(o, "rdates");
			json_object_set_new(o, "_start",
					    json_integer(in[k].start_utc));
			v[n++] = o;
		}
		free(in);
	}
	db_event_list_free(&list);
	if (rc == 0 && n > 1)
		qsort(v, n, sizeof(*v), by_instance_start);
	items = rc == 0 ? json_array() : NULL;
	for (i = 0; i < n; i++) {
		json_object_del(v[i], "_start");
		if (items && i < limit)
			json_array_append(items, v[i]);
		else if (i >= limit)
			truncated = 1;
		json_decref(v[i]);
	}
	free(v);
	if (!items)
		return svc_respond_errno(req, -ENOMEM, "");
	body = json_pack("{s:o, s:n, s:b}", "items", items, "next_cursor",
			 "truncated", truncated);
	return svc_respond_json(req, 200, body);
}

enum MHD_Result
svc_h_events_list(struct svc_request *req)
{
	struct db_event_filter f;
	struct db_event_list list = { 0 };
	struct svc_auth auth;
	const char *limit_s = svc_query(req, "limit");
	const char *cursor = svc_query(req, "cursor");
	const char *expand_s = svc_query(req, "expand");
	json_t *errors = json_array(), *items, *body;
	int expand = 0;
	enum MHD_Result ret;
	long limit = LIST_DEFAULT;
	size_t i;
	int rc;

	if (!errors)
		return svc_respond_errno(req, -ENOMEM, "");
	svc_parse_event_filter(req, &f, errors);
	expand = expand_s && (!strcmp(expand_s, "true") ||
			      !strcmp(expand_s, "1"));
	if (limit_s) {
		long max = expand ? EXPAND_MAX : LIST_MAX;
		char *end;

		limit = strtol(limit_s, &end, 10);
		if (*end || end == limit_s || limit < 1 || limit > max)
			svc_problem_add(errors, "limit", "must be 1 to %ld%s",
					max, expand ? " when expanded" : "");
	} else if (expand) {
		limit = EXPAND_MAX;
	}
	if (cursor && parse_cursor(cursor, &f.after_start_utc,
				   &f.after_id) != 0)
		svc_problem_add(errors, "cursor", "is not a cursor this server"
				" gave");
	if (expand_s && strcmp(expand_s, "true") && strcmp(expand_s, "1") &&
	    strcmp(expand_s, "false") && strcmp(expand_s, "0"))
		svc_problem_add(errors, "expand", "must be true or false");
	if (expand && (!svc_query(req, "from") || !svc_query(req, "to")))
		svc_problem_add(errors, "expand", "needs a window: from and"
				" to");
	if (expand && cursor)
		svc_problem_add(errors, "cursor", "does not apply to an"
				" expanded list");
	if (json_array_size(errors))
		return svc_respond_invalid(req, "invalid-query", "Bad Request",
					   errors);
	json_decref(errors);
	if (svc_auth_resolve(req, &auth) != 0)
		memset(&auth, 0, sizeof(auth));
	/* organisers see TENTATIVE events of their own carriers only */
	f.exclude_tentative = !auth.present || (!auth.admin && !auth.viewer);
	f.tentative_carriers = (const char *const *)auth.carriers;
	f.n_tentative_carriers = auth.n_carriers;
	if (expand) {
		ret = list_instances(req, &f, (size_t)limit, &auth);
		svc_auth_release(&auth);
		return ret;
	}
	f.limit = (int)limit + 1;	/* one more tells if a page follows */
	rc = db_event_list(req->svc->db, &f, &list);
	if (rc != 0) {
		svc_auth_release(&auth);
		return svc_respond_errno(req, rc, "the event list");
	}
	items = json_array();
	for (i = 0; items && i < list.n && i < (size_t)limit; i++) {
		struct cal_instance *in = NULL;
		size_t n = 1;

		/* A series overlaps the window only if an occurrence does
		 * (the query bounds it by its start alone). */
		if (f.has_window && list.items[i].rrule &&
		    cal_event_instances(&list.items[i], f.from_utc, f.to_utc,
					1, &in, &n) == 0) {
			free(in);
			if (n == 0)
				continue;
		}
		json_array_append_new(items, !svc_auth_sees_tentative(&auth,
				      list.items[i].carrier) ?
				      public_json(&list.items[i]) :
				      svc_event_json(&list.items[i]));
	}
	body = json_pack("{s:o?}", "items", items);
	if (body && list.n > (size_t)limit) {
		char next[48];

		snprintf(next, sizeof(next), "%lld.%lld",
			 (long long)list.items[limit - 1].start_utc,
			 (long long)list.items[limit - 1].id);
		json_object_set_new(body, "next_cursor", json_string(next));
	} else if (body) {
		json_object_set_new(body, "next_cursor", json_null());
	}
	db_event_list_free(&list);
	svc_auth_release(&auth);
	ret = svc_respond_json(req, 200, body);
	return ret;
}

/* ---- one occurrence of a series: RECURRENCE-ID overrides, EXDATE ---- */

/*
 * Parse an occurrence's RECURRENCE-ID from the path: RFC 3339
 * ("2025-02-13T14:00:00+08:00"), RFC 5545 UTC ("20250213T060000Z", read
 * by libical) or, for all-day series, a date ("2025-02-13").
 */
static int
parse_recurrence_id(const struct db_event *ev, const char *s, int64_t *t)
{
	int y, m, d;

	if (cal_time_parse_rfc3339(s, t) == 0)
		return 0;
	if (strlen(s) == 10 && cal_date_parse(s, &y, &m, &d) == 0)
		return cal_local_to_utc(y, m, d, 0, 0, 0, ev->tzid, t);
	return cal_time_parse_ical_utc(s, t);
}

static int
has_exdate(const struct db_event *ev, int64_t t)
{
	size_t i;

	for (i = 0; i < ev->n_exdates; i++)
		if (ev->exdates[i] == t)
			return 1;
	return 0;
}

/* The override for t in ev, created (inheriting the series) if absent.
 * NULL when out of memory. */
static struct db_override *
override_for(struct db_event *ev, int64_t t)
{
	struct db_override *nv;
	size_t i;

	for (i = 0; i < ev->n_overrides; i++)
		if (ev->overrides[i].recurrence_utc == t)
			return &ev->overrides[i];
	nv = realloc(ev->overrides, (ev->n_overrides + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	ev->overrides = nv;
	nv = &ev->overrides[ev->n_overrides++];
	memset(nv, 0, sizeof(*nv));
	nv->recurrence_utc = t;
	nv->start_utc = t;
	nv->end_utc = t + (ev->end_utc - ev->start_utc);
	return nv;
}

static void
drop_override(struct db_event *ev, int64_t t)
{
	size_t i;

	for (i = 0; i < ev->n_overrides; i++) {
		struct db_override *o = &ev->overrides[i];

		if (o->recurrence_utc != t)
			continue;
		free(o->title);
		free(o->venue);
		free(o->description);
		free(o->status);
		memmove(o, o + 1, (ev->n_overrides - i - 1) * sizeof(*o));
		ev->n_overrides--;
		return;
	}
}

static const char *const occurrence_fields[] = {
	"start", "end", "start_date", "end_date", "title", "venue",
	"description", "status", NULL,
};

/* Apply a JSON body to override o of series ev. */
static void
apply_override_json(json_t *obj, const struct db_event *ev,
		    struct db_override *o, json_t *errors)
{
	const char *key, *field;
	json_t *v;
	char *s = NULL;
	int64_t t, dur = o->end_utc - o->start_utc;
	int y, m, d, has_end = 0;

	json_object_foreach(obj, key, v)
		if (!in_list(occurrence_fields, key))
			svc_problem_add(errors, key, "is not a field of an"
					" occurrence (allowed: start, end,"
					" start_date, end_date, title, venue,"
					" description, status)");
	if (take_string(obj, "title", 1, MAX_TITLE, &s, errors) == 1) {
		if (s && blank(s)) {
			svc_problem_add(errors, "title", "must not be empty");
			free(s);
		} else {
			set_str(&o->title, s);
		}
	}
	s = NULL;
	if (take_string(obj, "venue", 1, MAX_VENUE, &s, errors) == 1)
		set_str(&o->venue, s);
	s = NULL;
	if (take_string(obj, "description", 1, MAX_DESCRIPTION, &s,
			errors) == 1)
		set_str(&o->description, s);
	s = NULL;
	if (take_string(obj, "status", 1, 16, &s, errors) == 1) {
		if (s && strcmp(s, "TENTATIVE") && strcmp(s, "CONFIRMED") &&
		    strcmp(s, "CANCELLED")) {
			svc_problem_add(errors, "status", "'%s' is not one of"
					" TENTATIVE, CONFIRMED, CANCELLED", s);
			free(s);
		} else {
			set_str(&o->status, s);
		}
	}
	field = ev->all_day ? "start_date" : "start";
	if ((v = json_object_get(obj, ev->all_day ? "start" : "start_date")))
		svc_problem_add(errors, ev->all_day ? "start" : "start_date",
				ev->all_day ? "all-day series take start_date"
				: "timed series take start and end");
	if ((v = json_object_get(obj, field))) {
		if (!json_is_string(v) ||
		    (ev->all_day ? (cal_date_parse(json_string_value(v), &y,
						   &m, &d) ||
				    cal_local_to_utc(y, m, d, 0, 0, 0,
						     ev->tzid, &t))
				 : cal_time_parse_rfc3339(json_string_value(v),
							  &t)))
			svc_problem_add(errors, field, ev->all_day ?
					"must be a date YYYY-MM-DD" :
					"must be RFC 3339 with offset");
		else
			o->start_utc = t;
	}
	field = ev->all_day ? "end_date" : "end";
	if ((v = json_object_get(obj, field))) {
		if (!json_is_string(v) ||
		    (ev->all_day ? (cal_date_parse(json_string_value(v), &y,
						   &m, &d) ||
				    cal_local_to_utc(y, m, d, 0, 0, 0,
						     ev->tzid, &t))
				 : cal_time_parse_rfc3339(json_string_value(v),
							  &t)))
			svc_problem_add(errors, field, ev->all_day ?
					"must be a date YYYY-MM-DD" :
					"must be RFC 3339 with offset");
		else {
			o->end_utc = t;
			has_end = 1;
		}
	}
	if (!has_end)
		o->end_utc = o->start_utc + dur;
	if (!json_array_size(errors) &&
	    in_range(errors, ev->all_day ? "start_date" : "start",
		     o->start_utc))
		in_range(errors, ev->all_day ? "end_date" : "end", o->end_utc);
	if (!json_array_size(errors) && o->end_utc <= o->start_utc)
		svc_problem_add(errors, ev->all_day ? "end_date" : "end",
				"must be after the start");
}

static enum MHD_Result
occurrence_change(struct svc_request *req, int cancel)
{
	struct svc_auth auth;
	struct db_event stored, ev;
	json_t *obj = NULL, *errors = NULL;
	enum MHD_Result ret;
	int64_t t;

	memset(&ev, 0, sizeof(ev));
	if (load_for_write(req, &auth, &stored, &ret) != 0)
		return ret;
	if (cancel && stored.rrule &&
	    parse_recurrence_id(&stored, req->params[1], &t) == 0 &&
	    has_exdate(&stored, t)) {
		ret = respond_event(req, 200, stored.id);	/* done before */
		goto out;
	}
	if (!stored.rrule || parse_recurrence_id(&stored, req->params[1],
						 &t) != 0 ||
	    !cal_recur_is_occurrence(&stored, t) || has_exdate(&stored, t)) {
		ret = svc_respond_problem(req, 404, "not-found", "Not Found",
					  "the series has no occurrence"
					  " starting then (give the original"
					  " start as RFC 3339, e.g."
					  " 2025-02-13T14:00:00+08:00)", NULL);
		goto out;
	}
	if (db_event_copy(&ev, &stored) != 0) {
		ret = svc_respond_errno(req, -ENOMEM, "");
		goto out;
	}
	if (cancel) {
		drop_override(&ev, t);
		if (db_event_add_exdate(&ev, t) != 0) {
			ret = svc_respond_errno(req, -ENOMEM, "");
			goto out;
		}
	} else {
		struct db_override *o;

		if (!(obj = parse_body(req, &ret)))
			goto out;
		errors = json_array();
		o = errors ? override_for(&ev, t) : NULL;
		if (!o) {
			ret = svc_respond_errno(req, -ENOMEM, "");
			goto out;
		}
		apply_override_json(obj, &ev, o, errors);
		if (json_array_size(errors)) {
			ret = svc_respond_problem(req, 400, "validation-error",
						  "Invalid occurrence",
						  "see errors", errors);
			errors = NULL;
			goto out;
		}
		if (svc_event_carrier_closed(req, &ev, &ret))
			goto out;
	}
	ret = save_change(req, &auth, &ev, &stored);
out:
	json_decref(errors);
	json_decref(obj);
	db_event_release(&ev);
	db_event_release(&stored);
	svc_auth_release(&auth);
	return ret;
}

enum MHD_Result
svc_h_occurrence_patch(struct svc_request *req)
{
	return occurrence_change(req, 0);
}

enum MHD_Result
svc_h_occurrence_cancel(struct svc_request *req)
{
	return occurrence_change(req, 1);
}

/*
 * The checks a POSTed JSON event body goes through, without HTTP (for the
 * fuzzer, tests/fuzz/fuzz_json_body.c): parse body (len octets) as
 * POST /api/v1/events does and apply it onto a new event. Returns the
 * number of field errors (0: ev is filled; release it with
 * db_event_release()), or -1 when the body is not a JSON object or memory
 * ran out.
 */
int
svc_event_parse_for_create(struct svc *svc, const char *body, size_t len,
			   struct db_event *ev)
{
	json_error_t jerr;
	json_t *obj, *errors;
	int n;

	if (defaults(svc, ev) != 0) {
		db_event_release(ev);
		return -1;
	}
	obj = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	errors = json_array();
	if (!obj || !json_is_object(obj) || !errors) {
		json_decref(obj);
		json_decref(errors);
		db_event_release(ev);
		return -1;
	}
	apply_json(svc, obj, ev, 1, NULL, errors);
	check_series(ev, errors);
	n = (int)json_array_size(errors);
	json_decref(errors);
	json_decref(obj);
	if (n)
		db_event_release(ev);
	return n;
}
