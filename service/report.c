/*
 * report.c: the cadence report (see report.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "../calendar/recur.h"
#include "report.h"
#include "sbuf.h"

void
svc_report_release(struct svc_report *r)
{
	if (!r)
		return;
	cal_cadence_report_release(&r->report);
	free(r->occ);
	db_event_list_free(&r->events);
	free(r->crules);
	db_rules_free(r->rules, r->n_rules);
	db_regions_free(r->regions, r->n_regions);
	db_carriers_free(r->carriers, r->n_carriers);
	free(r->scope_regions);
	free(r->scope_partners);
	free(r->scope_carriers);
	memset(r, 0, sizeof(*r));
}

static int
date_utc(const char *date, int64_t *utc)
{
	int y, m, d;

	if (!date || !*date) {
		*utc = 0;
		return 0;
	}
	if (cal_date_parse(date, &y, &m, &d) != 0)
		return -EINVAL;
	return cal_local_to_utc(y, m, d, 0, 0, 0, CAL_DISTRICT_TZID, utc);
}

static int
load_rules(struct db *db, const char *rule_id, struct svc_report *r)
{
	size_t i, j = 0;
	int rc;

	rc = db_rules_list(db, &r->rules, &r->n_rules);
	if (rc != 0)
		return rc;
	r->crules = calloc(r->n_rules ? r->n_rules : 1, sizeof(*r->crules));
	if (!r->crules)
		return -ENOMEM;
	for (i = 0; i < r->n_rules; i++) {
		struct db_rule *dr = &r->rules[i];
		struct cal_rule *cr = &r->crules[j];

		if (rule_id && strcmp(rule_id, dr->id) != 0)
			continue;
		cr->id = dr->id;
		cr->kinds = dr->kinds;
		cr->min_count = dr->min_count;
		cr->scope = dr->scope;
		if (cal_period_unit_parse(dr->period, &cr->period) != 0 ||
		    date_utc(dr->active_from, &cr->active_from_utc) != 0 ||
		    date_utc(dr->active_to, &cr->active_to_utc) != 0)
			return -EIO;	/* the database holds a bad rule */
		j++;
	}
	if (rule_id && j == 0)
		return -ENOENT;
	return 0;
}

static int
load_scopes(struct db *db, struct svc_report *r)
{
	size_t i, nr = 0, np = 0;
	int rc;

	rc = db_regions_list(db, -1, &r->regions, &r->n_regions);
	if (rc == 0)
		rc = db_carriers_list(db, NULL, &r->carriers, &r->n_carriers);
	if (rc != 0)
		return rc;
	r->scope_regions = calloc(r->n_regions + 1, sizeof(char *));
	r->scope_partners = calloc(r->n_regions + 1, sizeof(char *));
	r->scope_carriers = calloc(r->n_carriers + 1, sizeof(char *));
	if (!r->scope_regions || !r->scope_partners || !r->scope_carriers)
		return -ENOMEM;
	for (i = 0; i < r->n_regions; i++) {
		if (r->regions[i].partner)
			r->scope_partners[np++] = r->regions[i].slug;
		else
			r->scope_regions[nr++] = r->regions[i].slug;
	}
	for (i = 0; i < r->n_carriers; i++)
		r->scope_carriers[i] = r->carriers[i].slug;
	return 0;
}

/* Expand every event into occurrences that start within the year. */
static int
load_occurrences(struct db *db, int64_t from, int64_t to,
		 struct svc_report *r)
{
	struct db_event_filter f;
	size_t i, k, cap = 0;
	int rc;

	memset(&f, 0, sizeof(f));
	f.has_window = 1;
	f.from_utc = from;
	f.to_utc = to;
	rc = db_event_list(db, &f, &r->events);
	if (rc != 0)
		return rc;
	for (i = 0; i < r->events.n; i++) {
		const struct db_event *ev = &r->events.items[i];
		struct cal_instance *in = NULL;
		size_t n = 0;

		rc = cal_event_instances(ev, from, to,
					 CAL_RECUR_MAX_OCCURRENCES, &in, &n);
		if (rc == -EINVAL)
			continue;	/* unreadable rule: counts nothing */
		if (rc != 0)
			return rc;
		if (r->n_occ + n > cap) {
			struct cal_occurrence *no;

			cap = (r->n_occ + n) * 2 + 16;
			no = realloc(r->occ, cap * sizeof(*no));
			if (!no) {
				free(in);
				return -ENOMEM;
			}
			r->occ = no;
		}
		for (k = 0; k < n; k++) {
			struct cal_occurrence *o = &r->occ[r->n_occ++];

			memset(o, 0, sizeof(*o));
			o->event_id = ev->id;
			o->start_utc = in[k].start_utc;
			o->kind = ev->kind;
			o->status = in[k].status;
			o->carrier = ev->carrier;
			o->region = ev->region;
			o->partner_regions =
				(const char *const *)ev->partner_regions;
			o->n_partner_regions = ev->n_partner_regions;
			o->title = in[k].override && in[k].override->title ?
				   in[k].override->title : ev->title;
		}
		free(in);
	}
	return 0;
}

int
svc_report_build(struct db *db, int year, int64_t as_of_utc,
		 const char *rule_id, struct svc_report *out)
{
	struct cal_scope_set scopes;
	int64_t from, to;
	int rc;

	memset(out, 0, sizeof(*out));
	if (year < 1970 || year > 9999)
		return -EINVAL;
	out->year = year;
	out->as_of_utc = as_of_utc;
	if (cal_local_to_utc(year, 1, 1, 0, 0, 0, CAL_DISTRICT_TZID, &from) ||
	    cal_local_to_utc(year + 1, 1, 1, 0, 0, 0, CAL_DISTRICT_TZID, &to))
		return -EINVAL;
	rc = load_rules(db, rule_id, out);
	if (rc == 0)
		rc = load_scopes(db, out);
	if (rc == 0)
		rc = load_occurrences(db, from, to, out);
	if (rc == 0) {
		size_t n_rules = 0, i;

		for (i = 0; i < out->n_rules; i++)
			if (!rule_id || strcmp(rule_id, out->rules[i].id) == 0)
				n_rules++;
		memset(&scopes, 0, sizeof(scopes));
		scopes.regions = out->scope_regions;
		for (i = 0; out->scope_regions[i]; i++)
			scopes.n_regions++;
		scopes.partners = out->scope_partners;
		for (i = 0; out->scope_partners[i]; i++)
			scopes.n_partners++;
		scopes.carriers = out->scope_carriers;
		scopes.n_carriers = out->n_carriers;
		rc = cal_cadence_evaluate(out->crules, n_rules, out->occ,
					  out->n_occ, &scopes, year, as_of_utc,
					  &out->report);
	}
	if (rc != 0)
		svc_report_release(out);
	return rc;
}

size_t
svc_report_missed(const struct svc_report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->report.n; i++)
		if (r->report.rows[i].status == CAL_CADENCE_MISSED)
			n++;
	return n;
}

static const struct db_rule *
rule_of(const struct svc_report *r, const struct cal_cadence_row *row)
{
	size_t i;

	for (i = 0; i < r->n_rules; i++)
		if (strcmp(r->rules[i].id, r->crules[row->rule].id) == 0)
			return &r->rules[i];
	return NULL;
}

static int64_t
days_left(const struct cal_cadence_row *row, int64_t as_of)
{
	return (row->end_utc - as_of + 86399) / 86400;
}

json_t *
svc_report_json(const struct svc_report *r)
{
	json_t *periods = json_array(), *rules = json_array(), *o;
	int64_t counts[5] = { 0 };
	char as_of[32], start[32], end[32], occ_start[32];
	size_t i, k;

	if (!periods || !rules) {
		json_decref(periods);
		json_decref(rules);
		return NULL;
	}
	for (i = 0; i < r->n_rules; i++) {
		size_t j;
		int used = 0;

		for (j = 0; j < r->report.n && !used; j++)
			used = rule_of(r, &r->report.rows[j]) == &r->rules[i];
		if (!used && r->report.n)
			continue;
		json_array_append_new(rules, json_pack(
			"{s:s, s:s, s:s, s:s, s:I, s:s, s:s?, s:s?}",
			"id", r->rules[i].id, "name", r->rules[i].name,
			"kinds", r->rules[i].kinds, "period",
			r->rules[i].period, "min", (json_int_t)
			r->rules[i].min_count, "scope", r->rules[i].scope,
			"active_from", r->rules[i].active_from, "active_to",
			r->rules[i].active_to));
	}
	for (i = 0; i < r->report.n; i++) {
		const struct cal_cadence_row *row = &r->report.rows[i];
		const struct db_rule *rule = rule_of(r, row);
		json_t *evs = json_array(), *p;

		counts[row->status]++;
		for (k = 0; evs && k < row->n_events; k++) {
			const struct cal_occurrence *oc = &r->occ[row->events[k]];

			cal_time_format_rfc3339(oc->start_utc,
						CAL_DISTRICT_TZID, occ_start);
			json_array_append_new(evs, json_pack(
				"{s:I, s:s, s:s, s:s}", "id",
				(json_int_t)oc->event_id, "title", oc->title,
				"start", occ_start, "status", oc->status));
		}
		cal_time_format_rfc3339(row->start_utc, CAL_DISTRICT_TZID,
					start);
		cal_time_format_rfc3339(row->end_utc, CAL_DISTRICT_TZID, end);
		p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I,"
			      " s:o?}",
			      "rule", rule ? rule->id : "?", "scope",
			      row->scope, "period", row->period, "start",
			      start, "end", end, "status",
			      cal_cadence_status_name(row->status),
			      "held", (json_int_t)row->held, "scheduled",
			      (json_int_t)row->scheduled, "min",
			      (json_int_t)(rule ? rule->min_count : 0),
			      "events", evs);
		if (p && row->status == CAL_CADENCE_AT_RISK)
			json_object_set_new(p, "days_left", json_integer(
				days_left(row, r->as_of_utc)));
		json_array_append_new(periods, p);
	}
	cal_time_format_rfc3339(r->as_of_utc, CAL_DISTRICT_TZID, as_of);
	o = json_pack("{s:i, s:s, s:s, s:o, s:o, s:{s:I, s:I, s:I, s:I,"
		      " s:I}}", "year", r->year, "as_of", as_of, "timezone",
		      CAL_DISTRICT_TZID, "rules", rules, "periods", periods,
		      "summary", "met", (json_int_t)counts[CAL_CADENCE_MET],
		      "scheduled", (json_int_t)counts[CAL_CADENCE_SCHEDULED],
		      "at_risk", (json_int_t)counts[CAL_CADENCE_AT_RISK],
		      "missed", (json_int_t)counts[CAL_CADENCE_MISSED],
		      "open", (json_int_t)counts[CAL_CADENCE_OPEN]);
	return o;
}

char *
svc_report_csv(const struct svc_report *r)
{
	struct sbuf sb;
	char start[32], end[32];
	size_t i;
	int rc;

	sbuf_init(&sb);
	rc = sbuf_adds(&sb, "rule,scope,period,start,end,status,held,"
		       "scheduled,min,days_left\r\n");
	for (i = 0; rc == 0 && i < r->report.n; i++) {
		const struct cal_cadence_row *row = &r->report.rows[i];
		const struct db_rule *rule = rule_of(r, row);

		cal_time_format_rfc3339(row->start_utc, CAL_DISTRICT_TZID,
					start);
		cal_time_format_rfc3339(row->end_utc, CAL_DISTRICT_TZID, end);
		rc |= sbuf_add_csv(&sb, rule ? rule->id : "?");
		rc |= sbuf_adds(&sb, ",");
		rc |= sbuf_add_csv(&sb, row->scope);
		rc |= sbuf_addf(&sb, ",%s,%s,%s,%s,%lld,%lld,%lld,", row->period,
				start, end,
				cal_cadence_status_name(row->status),
				(long long)row->held,
				(long long)row->scheduled,
				(long long)(rule ? rule->min_count : 0));
		if (row->status == CAL_CADENCE_AT_RISK)
			rc |= sbuf_addf(&sb, "%lld", (long long)days_left(
					row, r->as_of_utc));
		rc |= sbuf_adds(&sb, "\r\n");
	}
	if (rc) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb);
}

char *
svc_report_text(const struct svc_report *r)
{
	struct sbuf sb;
	char as_of[32];
	size_t i;
	int rc;

	sbuf_init(&sb);
	cal_time_format_rfc3339(r->as_of_utc, CAL_DISTRICT_TZID, as_of);
	rc = sbuf_addf(&sb, "cadence %d as of %s (%s)\n", r->year, as_of,
		       CAL_DISTRICT_TZID);
	rc |= sbuf_addf(&sb, "%-20s %-34s %-8s %-9s %4s %4s %3s\n", "RULE",
			"SCOPE", "PERIOD", "STATUS", "HELD", "SCHD", "MIN");
	for (i = 0; rc == 0 && i < r->report.n; i++) {
		const struct cal_cadence_row *row = &r->report.rows[i];
		const struct db_rule *rule = rule_of(r, row);

		rc |= sbuf_addf(&sb, "%-20s %-34s %-8s %-9s %4lld %4lld %3lld",
				rule ? rule->id : "?", row->scope, row->period,
				cal_cadence_status_name(row->status),
				(long long)row->held, (long long)row->scheduled,
				(long long)(rule ? rule->min_count : 0));
		if (row->status == CAL_CADENCE_AT_RISK)
			rc |= sbuf_addf(&sb, "  %lld days left", (long long)
					days_left(row, r->as_of_utc));
		rc |= sbuf_adds(&sb, "\n");
	}
	rc |= sbuf_addf(&sb, "missed: %zu\n", svc_report_missed(r));
	if (rc) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb);
}
