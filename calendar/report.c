/*
 * report.c: the cadence report (see report.h): load, expand, evaluate a
 * range of periods with cal_cadence_evaluate_range(), summarise.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caltime.h"
#include "recur.h"
#include "report.h"
#include "types.h"

void
cal_report_release(struct cal_report *r)
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
	free(r->carrier_until);
	free(r->carrier_since);
	memset(r, 0, sizeof(*r));
}

int
cal_report_by_valid(const char *by)
{
	enum cal_scope_kind k;

	return !by || strcmp(by, "all") == 0 ||
	       cal_scope_kind_parse(by, &k) == 0;
}

/* A rule's optional date: NULL or "" is 0 (no bound). */
static int
rule_date(const char *date, int64_t *utc)
{
	*utc = 0;
	return date && *date ? cal_district_day_utc(date, utc) : 0;
}

/* The stored version dr as a cal_rule judged per scope. -EIO when the
 * database holds a rule that does not read. */
static int
crule_of(const struct db_rule *dr, struct cal_rule *cr)
{
	memset(cr, 0, sizeof(*cr));
	cr->id = dr->id;
	cr->kinds = dr->kinds;
	cr->min_count = dr->min_count;
	if (cal_period_unit_parse(dr->period, &cr->period) != 0 ||
	    cal_scope_kind_parse(dr->scope, &cr->scope) != 0 ||
	    rule_date(dr->active_from, &cr->active_from_utc) != 0 ||
	    rule_date(dr->active_to, &cr->active_to_utc) != 0)
		return -EIO;
	return 0;
}

static int
load_rules(struct db *db, const struct cal_report_query *q,
	   struct cal_report *r)
{
	enum cal_scope_kind by = CAL_SCOPE_KIND_DISTRICT;
	int all = q->by && strcmp(q->by, "all") == 0;
	size_t i, k, j = 0, per = all ? CAL_SCOPE_KIND_N : 1, first;
	int rc;

	if (q->by && !all && cal_scope_kind_parse(q->by, &by) != 0)
		return -EINVAL;
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
		if (crule_of(dr, &cr) != 0)
			return -EIO;
		/* the place of the rule's first version orders its rows */
		for (first = 0; first < i &&
		     strcmp(r->rules[first].id, dr->id) != 0; first++)
			;
		for (k = 0; k < per; k++) {
			r->crules[j] = cr;
			if (all)
				r->crules[j].scope = (enum cal_scope_kind)k;
			else if (q->by)
				r->crules[j].scope = by;
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

/* Regions, partner regions and carriers to enumerate, and each carrier's
 * judged span: from when an admin added it (its audit row) to its
 * retirement. */
static int
load_scopes(struct db *db, struct cal_report *r)
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
	r->carrier_until = calloc(r->n_carriers + 1, sizeof(int64_t));
	r->carrier_since = calloc(r->n_carriers + 1, sizeof(int64_t));
	if (!r->scope_regions || !r->scope_partners || !r->scope_carriers ||
	    !r->carrier_until || !r->carrier_since)
		return -ENOMEM;
	for (i = 0; i < r->n_regions; i++) {
		if (r->regions[i].partner)
			r->scope_partners[np++] = r->regions[i].slug;
		else
			r->scope_regions[nr++] = r->regions[i].slug;
	}
	for (i = 0; i < r->n_carriers; i++) {
		const struct db_carrier *c = &r->carriers[i];

		r->scope_carriers[i] = c->slug;
		/* a carrier added later is not judged before it existed */
		rc = db_audit_created_at(db, "carrier", c->slug,
					 &r->carrier_since[i]);
		if (rc != 0)
			return rc;
		/* past rows stay, later ones do not show as missed */
		if (!c->retired_from ||
		    cal_district_day_utc(c->retired_from,
					 &r->carrier_until[i]) != 0)
			r->carrier_until[i] = INT64_MAX;
	}
	return 0;
}

/* Append ev's n instances to r->occ (cap: its room, grown here). */
static int
add_occurrences(struct cal_report *r, const struct db_event *ev,
		const struct cal_instance *in, size_t n, size_t *cap)
{
	size_t k;

	if (r->n_occ + n > *cap) {
		struct cal_occurrence *no;

		*cap = (r->n_occ + n) * 2 + 16;
		no = realloc(r->occ, *cap * sizeof(*no));
		if (!no)
			return -ENOMEM;
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
		o->partner_regions = (const char *const *)ev->partner_regions;
		o->n_partner_regions = ev->n_partner_regions;
		o->title = in[k].override && in[k].override->title ?
			   in[k].override->title : ev->title;
		o->placed_utc = ev->placed_utc;
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

/* Expand every event into the occurrences that start in [from, to),
 * sorted by start. */
static int
load_occurrences(struct db *db, int64_t from, int64_t to,
		 struct cal_report *r)
{
	struct db_event_filter f;
	size_t i, cap = 0;
	int rc;

	memset(&f, 0, sizeof(f));
	f.has_window = 1;
	f.from_utc = from;
	f.to_utc = to;
	rc = db_event_list(db, &f, &r->events);
	for (i = 0; rc == 0 && i < r->events.n; i++) {
		const struct db_event *ev = &r->events.items[i];
		struct cal_instance *in = NULL;
		size_t n = 0;

		rc = cal_event_instances(ev, from, to,
					 CAL_RECUR_MAX_OCCURRENCES, &in, &n);
		if (rc == -EINVAL) {
			rc = 0;	/* unreadable rule: counts nothing */
			continue;
		}
		if (rc == 0)
			rc = add_occurrences(r, ev, in, n, &cap);
		free(in);
	}
	if (rc == 0 && r->n_occ > 1)
		qsort(r->occ, r->n_occ, sizeof(*r->occ), occ_cmp);
	return rc;
}

/* The scope set of r (borrowed from it). */
static void
scope_set(const struct cal_report *r, struct cal_scope_set *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->regions = r->scope_regions;
	while (r->scope_regions[ss->n_regions])
		ss->n_regions++;
	ss->partners = r->scope_partners;
	while (r->scope_partners[ss->n_partners])
		ss->n_partners++;
	ss->carriers = r->scope_carriers;
	ss->n_carriers = r->n_carriers;
	ss->carrier_until_utc = r->carrier_until;
	ss->carrier_since_utc = r->carrier_since;
}

/* Whole local years around [from, to): a period starting in range may
 * end after it. */
static int
whole_years(int64_t from, int64_t to, int64_t *lo, int64_t *hi)
{
	int y0, y1, m, d, hh, mm, ss;

	if (to <= from ||
	    cal_utc_to_local(from, CAL_DISTRICT_TZID, &y0, &m, &d, &hh, &mm,
			     &ss) ||
	    cal_utc_to_local(to - 1, CAL_DISTRICT_TZID, &y1, &m, &d, &hh, &mm,
			     &ss) ||
	    y0 < 1970 || y1 > 9999 || y1 - y0 > 50 ||
	    cal_local_to_utc(y0, 1, 1, 0, 0, 0, CAL_DISTRICT_TZID, lo) ||
	    cal_local_to_utc(y1 + 1, 1, 1, 0, 0, 0, CAL_DISTRICT_TZID, hi))
		return -EINVAL;
	return 0;
}

int
cal_report_build(struct db *db, const struct cal_report_query *q,
		 struct cal_report *out)
{
	struct cal_cadence_opts opts;
	struct cal_scope_set scopes;
	int64_t lo, hi;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!cal_report_by_valid(q->by) ||
	    whole_years(q->from_utc, q->to_utc, &lo, &hi) != 0)
		return -EINVAL;
	out->q = *q;
	rc = load_rules(db, q, out);
	if (rc == 0)
		rc = load_scopes(db, out);
	if (rc == 0)
		rc = load_occurrences(db, lo, hi, out);
	if (rc == 0) {
		memset(&opts, 0, sizeof(opts));
		opts.has_tracking = q->has_tracking;
		opts.tracking_since_utc = q->tracking_since_utc;
		opts.rule_rank = out->crule_rank;
		scope_set(out, &scopes);
		rc = cal_cadence_evaluate_range(out->crules, out->n_crules,
						out->occ, out->n_occ, &scopes,
						q->from_utc, q->to_utc,
						q->as_of_utc, &opts,
						&out->report);
	}
	if (rc != 0)
		cal_report_release(out);
	return rc;
}

size_t
cal_report_missed(const struct cal_report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->report.n; i++)
		if (r->report.rows[i].status == CAL_CADENCE_MISSED)
			n++;
	return n;
}

const struct db_rule *
cal_report_rule(const struct cal_report *r, const struct cal_cadence_row *row)
{
	return row->rule < r->n_crules ? r->crule_src[row->rule] : NULL;
}

int64_t
cal_report_days_left(const struct cal_cadence_row *row, int64_t as_of_utc)
{
	return (row->end_utc - as_of_utc + 86399) / 86400;
}

int
cal_recorded_late(int64_t placed_utc, int64_t end_utc)
{
	return placed_utc != 0 && placed_utc >= end_utc;
}

int
cal_recorded_late_month(int64_t placed_utc, int64_t start_utc)
{
	int y, m, d, hh, mm, ss;
	int64_t end;

	if (cal_utc_to_local(start_utc, CAL_DISTRICT_TZID, &y, &m, &d, &hh,
			     &mm, &ss) != 0 ||
	    cal_local_to_utc(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1, 0, 0,
			     0, CAL_DISTRICT_TZID, &end) != 0)
		return 0;
	return cal_recorded_late(placed_utc, end);
}

int
cal_tracking_since(struct db *db, const char *date, int64_t now_utc,
		   int64_t *out)
{
	if (date && *date)
		return cal_district_day_utc(date, out);
	return db_created_utc(db, now_utc, out);
}

int
cal_report_query_year(struct cal_report_query *q, int year)
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

int
cal_report_single_year(const struct cal_report_query *q)
{
	int y, m, d, hh, mm, ss;
	struct cal_report_query yq;

	if (cal_utc_to_local(q->from_utc, CAL_DISTRICT_TZID, &y, &m, &d, &hh,
			     &mm, &ss) != 0 ||
	    cal_report_query_year(&yq, y) != 0)
		return 0;
	return yq.from_utc == q->from_utc && yq.to_utc == q->to_utc ? y : 0;
}

int
cal_report_same_group(const struct cal_report *r,
		      const struct cal_cadence_row *a,
		      const struct cal_cadence_row *b)
{
	return r->crule_rank[a->rule] == r->crule_rank[b->rule] &&
	       a->scope_kind == b->scope_kind &&
	       a->scope_index == b->scope_index;
}

void
cal_report_group_summary(const struct cal_report *r, size_t i, size_t j,
			 struct cal_report_group *out)
{
	int64_t gap = 0;

	memset(out, 0, sizeof(*out));
	out->periods = (int64_t)(j - i);
	for (; i < j; i++) {
		const struct cal_cadence_row *row = &r->report.rows[i];

		out->n[row->status]++;
		switch (row->status) {
		case CAL_CADENCE_MET:
			out->current_streak++;
			gap = 0;
			break;
		case CAL_CADENCE_MISSED:
			out->current_streak = 0;
			if (++gap > out->longest_gap)
				out->longest_gap = gap;
			break;
		case CAL_CADENCE_UNTRACKED:
			out->current_streak = 0; /* unknown: no run, no gap */
			gap = 0;
			break;
		case CAL_CADENCE_AT_RISK:
		case CAL_CADENCE_SCHEDULED:
		case CAL_CADENCE_OPEN:
			break;	/* running or ahead: the streak stands */
		}
	}
}

const char *
cal_report_scope_name(const struct cal_report *r,
		      const struct cal_cadence_row *row)
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
