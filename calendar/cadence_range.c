/*
 * cadence_range.c: cadence over any range of periods (see cadence.h).
 * Evaluates each calendar year the range touches with
 * cal_cadence_evaluate_opts(), keeps the rows whose period starts in the
 * range and orders them by rule group, scope and period start.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cadence.h"
#include "caltime.h"

/* Local midnight of 1 January of year in the district zone. */
static int
year_start(int year, int64_t *utc)
{
	return cal_local_to_utc(year, 1, 1, 0, 0, 0, CAL_DISTRICT_TZID, utc) ?
	       -EINVAL : 0;
}

static int
sorted_by_start(const struct cal_occurrence *occ, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (occ[i].start_utc < occ[i - 1].start_utc)
			return 0;
	return 1;
}

/* The first occurrence of the sorted occ starting at or after t. */
static size_t
lower_bound(const struct cal_occurrence *occ, size_t n, int64_t t)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (occ[mid].start_utc < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Move the rows of tmp that start in [from, to) to the end of out (its
 * rows array has room for them); event indices gain base. tmp is
 * released. */
static int
append_rows(struct cal_cadence_report *out, struct cal_cadence_report *tmp,
	    size_t base, int64_t from, int64_t to)
{
	struct cal_cadence_row *nv;
	size_t i, k;

	nv = realloc(out->rows, (out->n + tmp->n + 1) * sizeof(*nv));
	if (!nv) {
		cal_cadence_report_release(tmp);
		return -ENOMEM;
	}
	out->rows = nv;
	for (i = 0; i < tmp->n; i++) {
		struct cal_cadence_row *row = &tmp->rows[i];

		if (row->start_utc < from || row->start_utc >= to)
			continue;
		for (k = 0; k < row->n_events; k++)
			row->events[k] += base;
		nv[out->n++] = *row;
		row->events = NULL;	/* moved */
		row->n_events = 0;
	}
	cal_cadence_report_release(tmp);
	return 0;
}

/* Sort key of a row: rule group, scope, period start, then place. */
struct row_key {
	size_t rule;
	size_t scope;
	int64_t start;
	size_t index;
};

static int
key_cmp(const void *a, const void *b)
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

static int
sort_rows(struct cal_cadence_report *rep, const size_t *rank)
{
	struct row_key *keys;
	struct cal_cadence_row *sorted;
	size_t i, n = rep->n;

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
		const struct cal_cadence_row *row = &rep->rows[i];

		keys[i].rule = rank ? rank[row->rule] : row->rule;
		keys[i].scope = ((size_t)row->scope_kind << 24) +
				row->scope_index;
		keys[i].start = row->start_utc;
		keys[i].index = i;
	}
	qsort(keys, n, sizeof(*keys), key_cmp);
	for (i = 0; i < n; i++)
		sorted[i] = rep->rows[keys[i].index];
	free(rep->rows);
	rep->rows = sorted;
	free(keys);
	return 0;
}

/* The local years of the first and last instant of [from, to). */
static int
range_years(int64_t from, int64_t to, int *y0, int *y1)
{
	int m, d, hh, mm, ss;

	if (to <= from ||
	    cal_utc_to_local(from, CAL_DISTRICT_TZID, y0, &m, &d, &hh, &mm,
			     &ss) != 0 ||
	    cal_utc_to_local(to - 1, CAL_DISTRICT_TZID, y1, &m, &d, &hh, &mm,
			     &ss) != 0 ||
	    *y0 < 1970 || *y1 > 9999 || *y1 - *y0 > 50)
		return -EINVAL;
	return 0;
}

int
cal_cadence_evaluate_range(const struct cal_rule *rules, size_t n_rules,
			   const struct cal_occurrence *occ, size_t n_occ,
			   const struct cal_scope_set *scopes,
			   int64_t from_utc, int64_t to_utc, int64_t as_of_utc,
			   const struct cal_cadence_opts *opts,
			   struct cal_cadence_report *out)
{
	int sorted = occ && sorted_by_start(occ, n_occ);
	int y0, y1, y, rc;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	rc = range_years(from_utc, to_utc, &y0, &y1);
	for (y = y0; rc == 0 && y <= y1; y++) {
		struct cal_cadence_report tmp;
		size_t a = 0, b = n_occ;
		int64_t ya, yb;

		rc = year_start(y, &ya);
		if (rc == 0)
			rc = year_start(y + 1, &yb);
		if (rc != 0)
			break;
		if (sorted) {	/* each year reads only its own slice */
			a = lower_bound(occ, n_occ, ya);
			b = lower_bound(occ, n_occ, yb);
		}
		rc = cal_cadence_evaluate_opts(rules, n_rules,
					       occ ? occ + a : NULL, b - a,
					       scopes, y, as_of_utc, opts,
					       &tmp);
		if (rc == 0)
			rc = append_rows(out, &tmp, a, from_utc, to_utc);
	}
	if (rc == 0)
		rc = sort_rows(out, opts ? opts->rule_rank : NULL);
	if (rc != 0)
		cal_cadence_report_release(out);
	return rc;
}
