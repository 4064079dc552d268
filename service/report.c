/*
 * report.c: renderings of a cadence report (see report.h): JSON, the
 * matrix and summary views, CSV (English and Chinese) and a text table.
 * The report itself is built by calendar/report.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "../calendar/types.h"
#include "report.h"
#include "sbuf.h"

json_t *
svc_rule_kinds_json(const char *kinds)
{
	json_t *a = json_array();
	const char *p = kinds, *c;
	char buf[32];

	while (a && p && *p) {
		c = strchr(p, ',');
		snprintf(buf, sizeof(buf), "%.*s", (int)(c ? c - p :
			 (long)strlen(p)), p);
		json_array_append_new(a, json_string(buf));
		p = c ? c + 1 : NULL;
	}
	return a;
}

json_t *
svc_report_rule_json(const struct db_rule *rule)
{
	return json_pack("{s:s, s:I, s:s, s:o, s:s, s:I, s:s, s:s?, s:s?}",
			 "id", rule->id, "version", (json_int_t)rule->version,
			 "name", rule->name, "kinds",
			 svc_rule_kinds_json(rule->kinds), "period",
			 rule->period, "min", (json_int_t)rule->min_count,
			 "scope", rule->scope, "active_from",
			 rule->active_from, "active_to", rule->active_to);
}

/* Period bounds repeat in every scope's rows: format each instant once
 * (a zone lookup per call is the report's hottest path otherwise). */
#define FMT_SLOTS 509
struct fmt_cache {
	int64_t t[FMT_SLOTS];
	unsigned char used[FMT_SLOTS];
	char s[FMT_SLOTS][32];
};

static const char *
fmt_local(struct fmt_cache *c, int64_t t)
{
	size_t k = (size_t)((uint64_t)t % FMT_SLOTS);

	if (!c->used[k] || c->t[k] != t) {
		if (cal_time_format_rfc3339(t, CAL_DISTRICT_TZID, c->s[k]) != 0)
			c->s[k][0] = '\0';
		c->t[k] = t;
		c->used[k] = 1;
	}
	return c->s[k];
}

json_t *
svc_report_json(const struct cal_report *r)
{
	struct fmt_cache *fc = calloc(1, sizeof(*fc));
	json_t *periods = json_array(), *rules = json_array(), *o;
	int64_t counts[CAL_CADENCE_N_STATUS] = { 0 };
	char as_of[32], start[32], end[32], occ_start[32], since[32];
	size_t i, k;
	int year = cal_report_single_year(&r->q);

	if (!periods || !rules || !fc) {
		json_decref(periods);
		json_decref(rules);
		free(fc);
		return NULL;
	}
	for (i = 0; i < r->n_crules; i++) {
		/* by=all evaluates each version once per scope kind */
		if (i > 0 && r->crule_src[i] == r->crule_src[i - 1])
			continue;
		json_array_append_new(rules,
				      svc_report_rule_json(r->crule_src[i]));
	}
	for (i = 0; i < r->report.n; i++) {
		const struct cal_cadence_row *row = &r->report.rows[i];
		const struct db_rule *rule = cal_report_rule(r, row);
		json_t *evs = r->q.no_events ? NULL : json_array(), *p;

		counts[row->status]++;
		for (k = 0; evs && k < row->n_events; k++) {
			const struct cal_occurrence *oc = &r->occ[row->events[k]];

			if (r->q.public_view &&
			    cal_event_status_is(oc->status,
						CAL_STATUS_TENTATIVE))
				continue;

			snprintf(occ_start, sizeof(occ_start), "%s",
				 fmt_local(fc, oc->start_utc));
			json_array_append_new(evs, json_pack(
				"{s:I, s:s, s:s, s:s, s:b}", "id",
				(json_int_t)oc->event_id, "title", oc->title,
				"start", occ_start, "status", oc->status,
				"recorded_late", cal_recorded_late(
					oc->placed_utc, row->end_utc)));
		}
		/* built field by field: json_pack's format parsing costs more
		 * than the row when thousands of rows are asked for */
		p = json_object();
		if (p) {
			json_object_set_new_nocheck(p, "rule", json_string(
						    rule ? rule->id : "?"));
			json_object_set_new_nocheck(p, "scope",
						    json_string(row->scope));
			json_object_set_new_nocheck(p, "period",
						    json_string(row->period));
			json_object_set_new_nocheck(p, "start", json_string(
						    fmt_local(fc,
							      row->start_utc)));
			json_object_set_new_nocheck(p, "end", json_string(
						    fmt_local(fc,
							      row->end_utc)));
			json_object_set_new_nocheck(p, "status", json_string(
				cal_cadence_status_name(row->status)));
			json_object_set_new_nocheck(p, "held",
						    json_integer(row->held));
			json_object_set_new_nocheck(p, "scheduled",
					json_integer(row->scheduled));
			json_object_set_new_nocheck(p, "min", json_integer(
					rule ? rule->min_count : 0));
			if (evs)
				json_object_set_new_nocheck(p, "events", evs);
			if (row->status == CAL_CADENCE_AT_RISK)
				json_object_set_new_nocheck(p, "days_left",
					json_integer(cal_report_days_left(row,
							r->q.as_of_utc)));
			json_object_set_new_nocheck(p, "held_late",
					json_integer(row->held_late));
			json_object_set_new_nocheck(p, "tentative",
					json_integer(row->tentative));
		} else {
			json_decref(evs);
		}
		json_array_append_new(periods, p);
	}
	free(fc);
	cal_time_format_rfc3339(r->q.as_of_utc, CAL_DISTRICT_TZID, as_of);
	cal_time_format_rfc3339(r->q.from_utc, CAL_DISTRICT_TZID, start);
	cal_time_format_rfc3339(r->q.to_utc, CAL_DISTRICT_TZID, end);
	o = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s?, s:o, s:o, s:{s:I, s:I,"
		      " s:I, s:I, s:I}}", "year", year ? json_integer(year) :
		      json_null(), "from", start, "to", end, "as_of", as_of,
		      "timezone", CAL_DISTRICT_TZID, "by", r->q.by,
		      "rules", rules, "periods", periods,
		      "summary", "met", (json_int_t)counts[CAL_CADENCE_MET],
		      "scheduled", (json_int_t)counts[CAL_CADENCE_SCHEDULED],
		      "at_risk", (json_int_t)counts[CAL_CADENCE_AT_RISK],
		      "missed", (json_int_t)counts[CAL_CADENCE_MISSED],
		      "open", (json_int_t)counts[CAL_CADENCE_OPEN]);
	if (o) {
		json_object_set_new(json_object_get(o, "summary"), "untracked",
				    json_integer(counts[CAL_CADENCE_UNTRACKED]));
		if (r->q.has_tracking &&
		    cal_local_date(r->q.tracking_since_utc, CAL_DISTRICT_TZID,
				   since) == 0)
			json_object_set_new(o, "tracking_since",
					    json_string(since));
		else
			json_object_set_new(o, "tracking_since", json_null());
		/* whether TENTATIVE titles were left out (a reader without
		 * a token or session): pages say so instead of guessing */
		json_object_set_new(o, "public_view",
				    json_boolean(r->q.public_view));
	}
	return o;
}

char *
svc_report_csv(const struct cal_report *r)
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
		const struct db_rule *rule = cal_report_rule(r, row);

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
			rc |= sbuf_addf(&sb, "%lld", (long long)
					cal_report_days_left(row,
							     r->q.as_of_utc));
		rc |= sbuf_adds(&sb, "\r\n");
	}
	if (rc) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb);
}

char *
svc_report_text(const struct cal_report *r)
{
	struct sbuf sb;
	char as_of[32];
	size_t i;
	int rc;

	sbuf_init(&sb);
	cal_time_format_rfc3339(r->q.as_of_utc, CAL_DISTRICT_TZID, as_of);
	{
		char from[32], to[32];

		cal_time_format_rfc3339(r->q.from_utc, CAL_DISTRICT_TZID,
					from);
		cal_time_format_rfc3339(r->q.to_utc, CAL_DISTRICT_TZID, to);
		rc = sbuf_addf(&sb, "cadence %s .. %s as of %s (%s)\n", from,
			       to, as_of, CAL_DISTRICT_TZID);
	}
	rc |= sbuf_addf(&sb, "%-20s %-34s %-8s %-9s %4s %4s %3s\n", "RULE",
			"SCOPE", "PERIOD", "STATUS", "HELD", "SCHD", "MIN");
	for (i = 0; rc == 0 && i < r->report.n; i++) {
		const struct cal_cadence_row *row = &r->report.rows[i];
		const struct db_rule *rule = cal_report_rule(r, row);

		rc |= sbuf_addf(&sb, "%-20s %-34s %-8s %-9s %4lld %4lld %3lld",
				rule ? rule->id : "?", row->scope, row->period,
				cal_cadence_status_name(row->status),
				(long long)row->held, (long long)row->scheduled,
				(long long)(rule ? rule->min_count : 0));
		if (row->status == CAL_CADENCE_AT_RISK)
			rc |= sbuf_addf(&sb, "  %lld days left", (long long)
					cal_report_days_left(row,
							r->q.as_of_utc));
		rc |= sbuf_adds(&sb, "\n");
	}
	rc |= sbuf_addf(&sb, "missed: %zu\n", cal_report_missed(r));
	if (rc) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb);
}

json_t *
svc_report_matrix_json(const struct cal_report *r)
{
	json_t *labels = json_array(), *scopes = json_array(), *o;
	json_t *seen = json_object();	/* labels already listed: a hash */
	json_t *cur = NULL;
	size_t i;

	if (!labels || !scopes || !seen) {
		json_decref(labels);
		json_decref(scopes);
		json_decref(seen);
		return NULL;
	}
	for (i = 0; i < r->report.n; i++) {
		const struct cal_cadence_row *row = &r->report.rows[i];

		if (!json_object_get(seen, row->period)) {
			json_object_set_new(seen, row->period, json_true());
			json_array_append_new(labels,
					      json_string(row->period));
		}
		if (i == 0 ||
		    !cal_report_same_group(r, &r->report.rows[i - 1], row)) {
			cur = json_array();
			json_array_append_new(scopes, json_pack("{s:s, s:o?}",
					      "scope", row->scope, "cells",
					      cur));
		}
		json_array_append_new(cur, json_pack("{s:s, s:s, s:I, s:I}",
				      "period", row->period, "status",
				      cal_cadence_status_name(row->status),
				      "held", (json_int_t)row->held,
				      "scheduled", (json_int_t)row->scheduled));
	}
	json_decref(seen);
	o = json_pack("{s:s?, s:o, s:o}", "rule", r->q.rule_id, "periods",
		      labels, "scopes", scopes);
	return o;
}

json_t *
svc_report_group_summary(const struct cal_report *r, size_t i, size_t j)
{
	const struct cal_cadence_row *first = &r->report.rows[i];
	const struct db_rule *rule = cal_report_rule(r, first);
	struct cal_report_group g;

	cal_report_group_summary(r, i, j, &g);
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
			 " s:I}",
			 "rule", rule ? rule->id : "?", "scope", first->scope,
			 "periods", (json_int_t)g.periods,
			 "met", (json_int_t)g.n[CAL_CADENCE_MET],
			 "missed", (json_int_t)g.n[CAL_CADENCE_MISSED],
			 "at_risk", (json_int_t)g.n[CAL_CADENCE_AT_RISK],
			 "scheduled", (json_int_t)g.n[CAL_CADENCE_SCHEDULED],
			 "open", (json_int_t)g.n[CAL_CADENCE_OPEN],
			 "untracked", (json_int_t)g.n[CAL_CADENCE_UNTRACKED],
			 "current_streak", (json_int_t)g.current_streak,
			 "longest_gap", (json_int_t)g.longest_gap);
}

json_t *
svc_report_summary_json(const struct cal_report *r)
{
	json_t *items = json_array();
	size_t i = 0, j;

	if (!items)
		return NULL;
	while (i < r->report.n) {
		for (j = i + 1; j < r->report.n &&
		     cal_report_same_group(r, &r->report.rows[i],
					   &r->report.rows[j]); j++)
			;
		json_array_append_new(items, svc_report_group_summary(r, i, j));
		i = j;
	}
	return json_pack("{s:o}", "items", items);
}

static const char *
status_zh(enum cal_cadence_status s)
{
	static const char *const zh[CAL_CADENCE_N_STATUS] = {
		"已达成", "已排期", "有风险", "未达成", "未开始", "无记录",
	};

	return (unsigned)s < CAL_CADENCE_N_STATUS ? zh[s] : "?";
}

char *
svc_report_csv_zh(const struct cal_report *r)
{
	struct sbuf sb;
	char start[11], end[11];
	size_t i;
	int rc;

	sbuf_init(&sb);
	rc = sbuf_adds(&sb, "\xEF\xBB\xBF"	/* UTF-8 BOM, for Excel */
		       "规则,规则名称,范围,范围名称,周期,开始,结束,状态,"
		       "已举办,其中补录,已排期,其中待定,至少,剩余天数\r\n");
	for (i = 0; rc == 0 && i < r->report.n; i++) {
		const struct cal_cadence_row *row = &r->report.rows[i];
		const struct db_rule *rule = cal_report_rule(r, row);

		cal_local_date(row->start_utc, CAL_DISTRICT_TZID, start);
		/* the last day of the period, inclusive, as people write it */
		cal_local_date(row->end_utc - 1, CAL_DISTRICT_TZID, end);
		rc |= sbuf_add_csv(&sb, rule ? rule->id : "?");
		rc |= sbuf_adds(&sb, ",");
		rc |= sbuf_add_csv(&sb, rule ? rule->name : "");
		rc |= sbuf_adds(&sb, ",");
		rc |= sbuf_add_csv(&sb, row->scope);
		rc |= sbuf_adds(&sb, ",");
		rc |= sbuf_add_csv(&sb, cal_report_scope_name(r, row));
		rc |= sbuf_addf(&sb, ",%s,%s,%s,%s,%lld,%lld,%lld,%lld,%lld,",
				row->period, start, end,
				status_zh(row->status), (long long)row->held,
				(long long)row->held_late,
				(long long)row->scheduled,
				(long long)row->tentative,
				(long long)(rule ? rule->min_count : 0));
		if (row->status == CAL_CADENCE_AT_RISK)
			rc |= sbuf_addf(&sb, "%lld", (long long)
					cal_report_days_left(row,
							     r->q.as_of_utc));
		rc |= sbuf_adds(&sb, "\r\n");
	}
	if (rc) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb);
}
