/*
 * event_view.c: the JSON representation of an event (see event_view.h).
 */
#include <stdio.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "../calendar/kind.h"
#include "../calendar/types.h"
#include "event_view.h"
#include "report.h"

json_t *
svc_event_instant_json(const struct db_event *ev, int64_t t)
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
			 "recurrence_id",
			 svc_event_instant_json(ev, o->recurrence_utc),
			 "start", svc_event_instant_json(ev, o->start_utc),
			 "end", svc_event_instant_json(ev, o->end_utc),
			 "title", o->title, "venue", o->venue,
			 "description", o->description, "status", o->status);
}

/* The fields every event has. */
static json_t *
core_json(const struct db_event *ev)
{
	const struct cal_kind *k = cal_kind_find(ev->kind);
	char created[32], updated[32];
	json_t *partners = json_array();
	size_t i;

	for (i = 0; partners && i < ev->n_partner_regions; i++)
		json_array_append_new(partners,
				      json_string(ev->partner_regions[i]));
	cal_time_format_rfc3339(ev->created_utc, "UTC", created);
	cal_time_format_rfc3339(ev->modified_utc, "UTC", updated);
	return json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s?, s:s?, s:b, s:s,"
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
}

/* rdates, exdates and overrides of a series. */
static void
series_json(json_t *o, const struct db_event *ev)
{
	size_t i;

	if (ev->n_rdates) {
		json_t *rd = json_array();

		for (i = 0; rd && i < ev->n_rdates; i++)
			json_array_append_new(rd, svc_event_instant_json(ev,
						ev->rdates[i]));
		json_object_set_new(o, "rdates", rd ? rd : json_null());
	}
	if (ev->tzid_source)
		json_object_set_new(o, "timezone_source",
				    json_string(ev->tzid_source));
	if (ev->rrule || ev->n_rdates) {
		json_t *ex = json_array(), *ov = json_array();

		for (i = 0; ex && i < ev->n_exdates; i++)
			json_array_append_new(ex, svc_event_instant_json(ev,
						ev->exdates[i]));
		for (i = 0; ov && i < ev->n_overrides; i++)
			json_array_append_new(ov, override_json(ev,
						&ev->overrides[i]));
		json_object_set_new(o, "exdates", ex ? ex : json_null());
		json_object_set_new(o, "overrides", ov ? ov : json_null());
	}
}

json_t *
svc_event_json(const struct db_event *ev)
{
	char start[32], end[32];
	json_t *o = core_json(ev);

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
	series_json(o, ev);
	if (ev->all_day) {
		json_object_set_new(o, "start_date",
				    json_string(ev->start_date));
		json_object_set_new(o, "end_date", json_string(ev->end_date));
	} else {
		cal_time_format_rfc3339(ev->start_utc, ev->tzid, start);
		cal_time_format_rfc3339(ev->end_utc, ev->tzid, end);
		json_object_set_new(o, "start", json_string(start));
		json_object_set_new(o, "end", json_string(end));
	}
	return o;
}

json_t *
svc_event_public_json(const struct db_event *ev)
{
	json_t *o = svc_event_json(ev), *ov;
	size_t i;

	ov = o ? json_object_get(o, "overrides") : NULL;
	for (i = json_array_size(ov); i-- > 0;) {
		const char *st = json_string_value(json_object_get(
					json_array_get(ov, i), "status"));

		if (cal_event_status_is(st, CAL_STATUS_TENTATIVE))
			json_array_remove(ov, i);
	}
	return o;
}
