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
	free(r->crule_src);
	free(r->crule_rank);
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

static const char *const all_scopes[] = {
	CAL_SCOPE_DISTRICT, CAL_SCOPE_REGION, CAL_SCOPE_PARTNER,
	CAL_SCOPE_CARRIER,
};

static int
load_rules(struct db *db, const struct svc_report_query *q,
	   struct svc_report *r)
{
	int all = q->by && strcmp(q->by, "all") == 0;
	size_t i, k, j = 0, per = all ? 4 : 1, first;
	int rc;

	rc = db_rules_list(db, &r->rules, &r->n_rules);
	if (rc != 0)
		return rc;
	r->crules = calloc(r->n_rules * per + 1, sizeof(*r->crules));
	r->crule_src = calloc(r->n_rules * per + 1, sizeof(*r->crule_src));
	r->crule_rank = calloc(r->n_rules * per + 1, sizeof(*r->crule_rank));
	if (!r->crules || !r->crule_src || !r->crule_rank)
		return -ENOMEM;
	for (i = 0; i < r->n_rules; i++) {
		struct db_rule *dr = &r->rules[i];
		struct cal_rule cr;

		if (q->rule_id && strcmp(q->rule_id, dr->id) != 0)
			continue;
		memset(&cr, 0, sizeof(cr));
		cr.id = dr->id;
		cr.kinds = dr->kinds;
		cr.min_count = dr->min_count;
		if (cal_period_unit_parse(dr->period, &cr.period) != 0 ||
		    date_utc(dr->active_from, &cr.active_from_utc) != 0 ||
		    date_utc(dr->active_to, &cr.active_to_utc) != 0)
			return -EIO;	/* the database holds a bad rule */
		/* the place of the rule's first version orders its rows */
		for (first = 0; first < i &&
		     strcmp(r->rules[first].id, dr->id) != 0; first++)
			;
		for (k = 0; k < per; k++) {
			r->crules[j] = cr;
			r->crules[j].scope = all ? all_scopes[k] :
					     q->by ? q->by : dr->scope;
			r->crule_src[j] = dr;
			r->crule_rank[j] = first;
			j++;
		}
	}
	r->n_crules = j;
	if (q->rule_id && j == 0)
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
			o->placed_utc = ev->placed_utc;
		}
		free(in);
	}
	return 0;
}

static int
occ_cmp(const void *a, const void *b)
{
	const struct cal_occurrence *x = a, *y = b;

	if (x->start_utc != y->start_utc)
		return x->start_utc < y->start_utc ? -1 : 1;
	if (x->event_id != y->event_id)
		return x->event_id < y->event_id ? -1 : 1;
	return 0;
}

/* The first occurrence of r->occ (sorted by start) starting at or after t. */
static size_t
occ_lower_bound(const struct svc_report *r, int64_t t)
{
	size_t lo = 0, hi = r->n_occ, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->occ[mid].start_utc < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
svc_report_query_year(struct svc_report_query *q, int year)
{
	memset(q, 0, sizeof(*q));
	if (year < 1970 || year > 9999)
		return -EINVAL;
	if (cal_local_to_utc(year, 1, 1, 0, 0, 0, CAL_DISTRICT_TZID,
			     &q->from_utc) ||
	    cal_local_to_utc(year + 1, 1, 1, 0, 0, 0, CAL_DISTRICT_TZID,
			     &q->to_utc))
		return -EINVAL;
	return 0;
}

/* Order of rows: rule (first version's place), scope (district, regions,
 * partner regions, carriers, each in list order), period start. Each key
 * is read off the row: no lookups per row. */
struct row_key {
	size_t rule;
	size_t scope;
	int64_t start;
	size_t index;
};

static int
by_key(const void *a, const void *b)
{
	const struct row_key *x = a, *y = b;

	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	if (x->scope != y->scope)
		return x->scope < y->scope ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Append the rows of one year that start in [from, to) to r->report;
 * rows left out are released. tmp is emptied. */
static int
append_rows(struct svc_report *r, struct cal_cadence_report *tmp,
	    size_t occ_base)
{
	struct cal_cadence_row *nv;
	size_t i, k;

	nv = realloc(r->report.rows, (r->report.n + tmp->n + 1) *
		     sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	r->report.rows = nv;
	for (i = 0; i < tmp->n; i++) {
		struct cal_cadence_row *row = &tmp->rows[i];

		if (row->start_utc >= r->q.from_utc &&
		    row->start_utc < r->q.to_utc) {
			/* the year saw a slice of r->occ: index the whole */
			for (k = 0; k < row->n_events; k++)
				row->events[k] += occ_base;
			nv[r->report.n++] = *row;
			row->events = NULL;	/* moved */
			row->n_events = 0;
		}
	}
	cal_cadence_report_release(tmp);
	return 0;
}

static int
sort_rows(struct svc_report *r)
{
	struct row_key *keys;
	struct cal_cadence_row *sorted;
	size_t i, n = r->report.n;

	if (n < 2)
		return 0;
	keys = calloc(n, sizeof(*keys));
	sorted = calloc(n, sizeof(*sorted));
	if (!keys || !sorted) {
		free(keys);
		free(sorted);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const struct cal_cadence_row *row = &r->report.rows[i];

		keys[i].rule = r->crule_rank[row->rule];
		keys[i].scope = ((size_t)row->scope_kind << 24) +
				row->scope_index;
		keys[i].start = row->start_utc;
		keys[i].index = i;
	}
	qsort(keys, n, sizeof(*keys), by_key);
	for (i = 0; i < n; i++)
		sorted[i] = r->report.rows[keys[i].index];
	free(r->report.rows);
	r->report.rows = sorted;
	free(keys);
	return 0;
}

/*
 * A retired carrier is judged only up to its retirement: drop its rows of
 * periods starting on or after its retired_from date (local midnight), so
 * past rows stay and later ones do not show as missed (issue 9).
 */
static void
drop_retired_rows(struct svc_report *r)
{
	size_t i, j, k = 0;
	int64_t from;
	int y, m, d;

	for (i = 0; i < r->report.n; i++) {
		struct cal_cadence_row *row = &r->report.rows[i];
		int drop = 0;

		for (j = 0; !drop && j < r->n_carriers; j++) {
			const struct db_carrier *c = &r->carriers[j];

			drop = c->retired_from &&
			       strncmp(row->scope, "carrier:", 8) == 0 &&
			       strcmp(row->scope + 8, c->slug) == 0 &&
			       cal_date_parse(c->retired_from, &y, &m, &d) == 0 &&
			       cal_local_to_utc(y, m, d, 0, 0, 0,
						CAL_DISTRICT_TZID, &from) == 0 &&
			       row->start_utc >= from;
		}
		if (drop)
			free(row->events);
		else
			r->report.rows[k++] = *row;
	}
	r->report.n = k;
}

int
svc_report_build(struct db *db, const struct svc_report_query *q,
		 struct svc_report *out)
{
	struct cal_scope_set scopes;
	int y0, y1, y, m, d, hh, mm, ss, rc;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (q->to_utc <= q->from_utc)
		return -EINVAL;
	if (q->by && strcmp(q->by, "district") && strcmp(q->by, "region") &&
	    strcmp(q->by, "carrier") && strcmp(q->by, "partner") &&
	    strcmp(q->by, "all"))
		return -EINVAL;
	out->q = *q;
	if (cal_utc_to_local(q->from_utc, CAL_DISTRICT_TZID, &y0, &m, &d, &hh,
			     &mm, &ss) ||
	    cal_utc_to_local(q->to_utc - 1, CAL_DISTRICT_TZID, &y1, &m, &d,
			     &hh, &mm, &ss) || y0 < 1970 || y1 > 9999 ||
	    y1 - y0 > 50)
		return -EINVAL;
	rc = load_rules(db, q, out);
	if (rc == 0)
		rc = load_scopes(db, out);
	if (rc == 0) {
		/* Whole years: a period starting in range may end after it. */
		int64_t lo, hi;

		if (cal_local_to_utc(y0, 1, 1, 0, 0, 0, CAL_DISTRICT_TZID,
				     &lo) != 0 ||
		    cal_local_to_utc(y1 + 1, 1, 1, 0, 0, 0, CAL_DISTRICT_TZID,
				     &hi) != 0)
			rc = -EINVAL;
		else
			rc = load_occurrences(db, lo, hi, out);
		/* by start, so each year evaluates only its own slice */
		if (rc == 0 && out->n_occ > 1)
			qsort(out->occ, out->n_occ, sizeof(*out->occ),
			      occ_cmp);
	}
	if (rc == 0) {
		memset(&scopes, 0, sizeof(scopes));
		scopes.regions = out->scope_regions;
		for (i = 0; out->scope_regions[i]; i++)
			scopes.n_regions++;
		scopes.partners = out->scope_partners;
		for (i = 0; out->scope_partners[i]; i++)
			scopes.n_partners++;
		scopes.carriers = out->scope_carriers;
		scopes.n_carriers = out->n_carriers;
	}
	for (y = y0; rc == 0 && y <= y1; y++) {
		struct cal_cadence_report tmp;
		struct cal_cadence_opts opts = { q->has_tracking,
						 q->tracking_since_utc };
		int64_t ya, yb;
		size_t a, b;

		if (cal_local_to_utc(y, 1, 1, 0, 0, 0, CAL_DISTRICT_TZID,
				     &ya) != 0 ||
		    cal_local_to_utc(y + 1, 1, 1, 0, 0, 0, CAL_DISTRICT_TZID,
				     &yb) != 0) {
			rc = -EINVAL;
			break;
		}
		a = occ_lower_bound(out, ya);
		b = occ_lower_bound(out, yb);
		rc = cal_cadence_evaluate_opts(out->crules, out->n_crules,
					       out->occ ? out->occ + a : NULL,
					       b - a, &scopes,
					       y, q->as_of_utc, &opts, &tmp);
		if (rc == 0)
			rc = append_rows(out, &tmp, a);
	}
	if (rc == 0)
		rc = sort_rows(out);
	if (rc == 0)
		drop_retired_rows(out);
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

const struct db_rule *
svc_report_rule(const struct svc_report *r, const struct cal_cadence_row *row)
{
	return row->rule < r->n_crules ? r->crule_src[row->rule] : NULL;
}

static int64_t
days_left(const struct cal_cadence_row *row, int64_t as_of)
{
	return (row->end_utc - as_of + 86399) / 86400;
}

int64_t
svc_report_days_left(const struct cal_cadence_row *row, int64_t as_of_utc)
{
	return days_left(row, as_of_utc);
}

int
svc_recorded_late(int64_t placed_utc, int64_t end_utc)
{
	return placed_utc != 0 && placed_utc >= end_utc;
}

int
svc_recorded_late_month(int64_t placed_utc, int64_t start_utc)
{
	int y, m, d, hh, mm, ss;
	int64_t end;

	if (cal_utc_to_local(start_utc, CAL_DISTRICT_TZID, &y, &m, &d, &hh,
			     &mm, &ss) != 0 ||
	    cal_local_to_utc(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1, 0, 0,
			     0, CAL_DISTRICT_TZID, &end) != 0)
		return 0;
	return svc_recorded_late(placed_utc, end);
}

int
svc_tracking_since(struct db *db, const char *date, int64_t now_utc,
		   int64_t *out)
{
	int y, m, d;

	if (date && *date) {
		if (cal_date_parse(date, &y, &m, &d) != 0 || y < 1970 ||
		    y > 9999)
			return -EINVAL;
		return cal_local_to_utc(y, m, d, 0, 0, 0, CAL_DISTRICT_TZID,
					out) ? -EINVAL : 0;
	}
	return db_created_utc(db, now_utc, out);
}

/* The single calendar year the query covers, or 0. */
static int
single_year(const struct svc_report *r)
{
	int y, m, d, hh, mm, ss;
	struct svc_report_query q;

	if (cal_utc_to_local(r->q.from_utc, CAL_DISTRICT_TZID, &y, &m, &d, &hh,
			     &mm, &ss) != 0 ||
	    svc_report_query_year(&q, y) != 0)
		return 0;
	return q.from_utc == r->q.from_utc && q.to_utc == r->q.to_utc ? y : 0;
}

json_t *
svc_report_rule_json(const struct db_rule *rule)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:I, s:s, s:s?, s:s?}",
			 "id", rule->id, "version", (json_int_t)rule->version,
			 "name", rule->name, "kinds", rule->kinds, "period",
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
svc_report_json(const struct svc_report *r)
{
	struct fmt_cache *fc = calloc(1, sizeof(*fc));
	json_t *periods = json_array(), *rules = json_array(), *o;
	int64_t counts[CAL_CADENCE_N_STATUS] = { 0 };
	char as_of[32], start[32], end[32], occ_start[32], since[32];
	size_t i, k;
	int year = single_year(r);

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
		const struct db_rule *rule = svc_report_rule(r, row);
		json_t *evs = r->q.no_events ? NULL : json_array(), *p;

		counts[row->status]++;
		for (k = 0; evs && k < row->n_events; k++) {
			const struct cal_occurrence *oc = &r->occ[row->events[k]];

			if (r->q.public_view &&
			    strcmp(oc->status, "TENTATIVE") == 0)
				continue;

			snprintf(occ_start, sizeof(occ_start), "%s",
				 fmt_local(fc, oc->start_utc));
			json_array_append_new(evs, json_pack(
				"{s:I, s:s, s:s, s:s, s:b}", "id",
				(json_int_t)oc->event_id, "title", oc->title,
				"start", occ_start, "status", oc->status,
				"recorded_late", svc_recorded_late(
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
					json_integer(days_left(row,
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
		const struct db_rule *rule = svc_report_rule(r, row);

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
					row, r->q.as_of_utc));
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
		const struct db_rule *rule = svc_report_rule(r, row);

		rc |= sbuf_addf(&sb, "%-20s %-34s %-8s %-9s %4lld %4lld %3lld",
				rule ? rule->id : "?", row->scope, row->period,
				cal_cadence_status_name(row->status),
				(long long)row->held, (long long)row->scheduled,
				(long long)(rule ? rule->min_count : 0));
		if (row->status == CAL_CADENCE_AT_RISK)
			rc |= sbuf_addf(&sb, "  %lld days left", (long long)
					days_left(row, r->q.as_of_utc));
		rc |= sbuf_adds(&sb, "\n");
	}
	rc |= sbuf_addf(&sb, "missed: %zu\n", svc_report_missed(r));
	if (rc) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb);
}

/* Whether rows a and b belong to one rule and scope (rows are sorted). */
static int
same_group(const struct svc_report *r, const struct cal_cadence_row *a,
	   const struct cal_cadence_row *b)
{
	return r->crule_rank[a->rule] == r->crule_rank[b->rule] &&
	       a->scope_kind == b->scope_kind &&
	       a->scope_index == b->scope_index;
}

json_t *
svc_report_matrix_json(const struct svc_report *r)
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
		if (i == 0 || !same_group(r, &r->report.rows[i - 1], row)) {
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

/* Summary of the rows [i, j) of one rule and scope: periods met / total,
 * current streak of met periods (a running period does not end it),
 * longest run of missed periods. New reference or NULL. */
json_t *
svc_report_group_summary(const struct svc_report *r, size_t i, size_t j)
{
	const struct cal_cadence_row *first = &r->report.rows[i];
	const struct db_rule *rule = svc_report_rule(r, first);
	int64_t n[CAL_CADENCE_N_STATUS] = { 0 };
	int64_t streak = 0, gap = 0, longest_gap = 0;
	int64_t total = (int64_t)(j - i);

	for (; i < j; i++) {
		const struct cal_cadence_row *row = &r->report.rows[i];

		n[row->status]++;
		switch (row->status) {
		case CAL_CADENCE_MET:
			streak++;
			gap = 0;
			break;
		case CAL_CADENCE_MISSED:
			streak = 0;
			if (++gap > longest_gap)
				longest_gap = gap;
			break;
		case CAL_CADENCE_UNTRACKED:
			streak = 0;	/* unknown: neither a run nor a gap */
			gap = 0;
			break;
		case CAL_CADENCE_AT_RISK:
		case CAL_CADENCE_SCHEDULED:
		case CAL_CADENCE_OPEN:
			break;	/* still running or ahead: streak stands */
		}
	}
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
			 " s:I}",
			 "rule", rule ? rule->id : "?", "scope", first->scope,
			 "periods", (json_int_t)total,
			 "met", (json_int_t)n[CAL_CADENCE_MET],
			 "missed", (json_int_t)n[CAL_CADENCE_MISSED],
			 "at_risk", (json_int_t)n[CAL_CADENCE_AT_RISK],
			 "scheduled", (json_int_t)n[CAL_CADENCE_SCHEDULED],
			 "open", (json_int_t)n[CAL_CADENCE_OPEN],
			 "untracked", (json_int_t)n[CAL_CADENCE_UNTRACKED],
			 "current_streak", (json_int_t)streak,
			 "longest_gap", (json_int_t)longest_gap);
}

json_t *
svc_report_summary_json(const struct svc_report *r)
{
	json_t *items = json_array();
	size_t i = 0, j;

	if (!items)
		return NULL;
	while (i < r->report.n) {
		for (j = i + 1; j < r->report.n &&
		     same_group(r, &r->report.rows[i], &r->report.rows[j]); j++)
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

/* The Chinese name of a row's scope (borrowed from r), or the label. */
static const char *
scope_name(const struct svc_report *r, const struct cal_cadence_row *row)
{
	size_t i, k = row->scope_index;

	switch (row->scope_kind) {
	case CAL_SCOPE_KIND_DISTRICT:
		return "全区";
	case CAL_SCOPE_KIND_REGION:
	case CAL_SCOPE_KIND_PARTNER:
		/* scope_index counts the regions of that kind in order */
		for (i = 0; i < r->n_regions; i++)
			if (!r->regions[i].partner ==
			    (row->scope_kind == CAL_SCOPE_KIND_REGION) &&
			    k-- == 0)
				return r->regions[i].name;
		break;
	case CAL_SCOPE_KIND_CARRIER:
		if (k < r->n_carriers)
			return r->carriers[k].name;
		break;
	}
	return row->scope;
}

char *
svc_report_csv_zh(const struct svc_report *r)
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
		const struct db_rule *rule = svc_report_rule(r, row);

		cal_local_date(row->start_utc, CAL_DISTRICT_TZID, start);
		/* the last day of the period, inclusive, as people write it */
		cal_local_date(row->end_utc - 1, CAL_DISTRICT_TZID, end);
		rc |= sbuf_add_csv(&sb, rule ? rule->id : "?");
		rc |= sbuf_adds(&sb, ",");
		rc |= sbuf_add_csv(&sb, rule ? rule->name : "");
		rc |= sbuf_adds(&sb, ",");
		rc |= sbuf_add_csv(&sb, row->scope);
		rc |= sbuf_adds(&sb, ",");
		rc |= sbuf_add_csv(&sb, scope_name(r, row));
		rc |= sbuf_addf(&sb, ",%s,%s,%s,%s,%lld,%lld,%lld,%lld,%lld,",
				row->period, start, end,
				status_zh(row->status), (long long)row->held,
				(long long)row->held_late,
				(long long)row->scheduled,
				(long long)row->tentative,
				(long long)(rule ? rule->min_count : 0));
		if (row->status == CAL_CADENCE_AT_RISK)
			rc |= sbuf_addf(&sb, "%lld", (long long)days_left(
					row, r->q.as_of_utc));
		rc |= sbuf_adds(&sb, "\r\n");
	}
	if (rc) {
		sbuf_release(&sb);
		return NULL;
	}
	return sbuf_detach(&sb);
}
