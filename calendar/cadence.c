/*
 * cadence: evaluate cadence rules over occurrences, period by period, in the
 * district's timezone. The contract is in cadence.h; the statuses are those
 * of DESIGN.md "Cadence statuses".
 *
 * Period boundaries come from cal_local_to_utc() (local midnight on the
 * first of a month in CAL_DISTRICT_TZID); no timezone arithmetic is done
 * here. An occurrence belongs to the period whose [start, end) holds its
 * start instant.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cadence.h"
#include "caltime.h"
#include "kind.h"
#include "types.h"

#define N_MONTHS 12

/* An occurrence of the year that is held or scheduled at as_of. */
struct cand {
	int64_t start_utc;	/* seconds since epoch, UTC */
	size_t idx;		/* index into the caller's occurrence array */
	unsigned int kind_bit;	/* 1u << (index in cal_kinds) */
	int month;		/* 0..11: local month of the start */
	int held;		/* 1: held, 0: scheduled */
	int tentative;		/* 1: TENTATIVE (so scheduled) */
	int64_t placed_utc;	/* see struct cal_occurrence */
};

static const struct cal_scope_set empty_scopes;

/*
 * Turn a comma-separated kind list ("salon,forum") into a bit set over
 * cal_kinds. Spaces around a name are ignored. An empty list, an empty
 * name or an unknown kind is -EINVAL.
 */
static int
parse_kinds(const char *kinds, unsigned int *mask)
{
	const char *p = kinds;
	unsigned int m = 0;

	if (!kinds)
		return -EINVAL;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len, i;
		int found = 0;

		if (!end)
			end = p + strlen(p);
		while (p < end && *p == ' ')
			p++;
		len = (size_t)(end - p);
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len == 0)
			return -EINVAL;
		for (i = 0; i < CAL_KIND_COUNT; i++) {
			if (strlen(cal_kinds[i].slug) == len &&
			    memcmp(cal_kinds[i].slug, p, len) == 0) {
				m |= 1u << i;
				found = 1;
				break;
			}
		}
		if (!found)
			return -EINVAL;
		if (*end == '\0')
			break;
		p = end + 1;
	}
	*mask = m;
	return 0;
}

/* The rule's scope kind; -EINVAL when out of range. */
static int
parse_scope(enum cal_scope_kind scope, enum cal_scope_kind *k)
{
	if ((unsigned int)scope >= CAL_SCOPE_KIND_N)
		return -EINVAL;
	*k = scope;
	return 0;
}

/* The slugs a scope kind enumerates; *n is 1 and NULL is returned for
 * the district. */
static const char *const *
scope_slugs(enum cal_scope_kind k, const struct cal_scope_set *ss, size_t *n)
{
	switch (k) {
	case CAL_SCOPE_KIND_REGION:
		*n = ss->n_regions;
		return ss->regions;
	case CAL_SCOPE_KIND_CARRIER:
		*n = ss->n_carriers;
		return ss->carriers;
	case CAL_SCOPE_KIND_PARTNER:
		*n = ss->n_partners;
		return ss->partners;
	case CAL_SCOPE_KIND_DISTRICT:
		break;
	}
	*n = 1;
	return NULL;
}

/*
 * Write the row label of scope k with slug into buf ("district",
 * "region:SLUG", ...). -EINVAL when the slug is missing, empty, or too long
 * for the label.
 */
static int
scope_label(enum cal_scope_kind k, const char *slug, char *buf, size_t size)
{
	int len;

	if (k == CAL_SCOPE_KIND_DISTRICT) {
		len = snprintf(buf, size, "%s", cal_scope_kind_name(k));
		return len < 0 || (size_t)len >= size ? -EINVAL : 0;
	}
	if (!slug || !*slug)
		return -EINVAL;
	len = snprintf(buf, size, "%s:%s", cal_scope_kind_name(k), slug);
	return len < 0 || (size_t)len >= size ? -EINVAL : 0;
}

static int
validate_rule(const struct cal_rule *r, const struct cal_scope_set *ss)
{
	struct cal_cadence_row probe;
	const char *const *slugs;
	enum cal_scope_kind k;
	unsigned int mask;
	size_t n, i;

	if (r->min_count < 1 || cal_period_months(r->period) == 0 ||
	    parse_kinds(r->kinds, &mask) != 0 || parse_scope(r->scope, &k) != 0)
		return -EINVAL;
	slugs = scope_slugs(k, ss, &n);
	if (k == CAL_SCOPE_KIND_DISTRICT)
		return 0;
	if (n > 0 && !slugs)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (scope_label(k, slugs[i], probe.scope,
				sizeof(probe.scope)) != 0)
			return -EINVAL;
	return 0;
}

static int
validate(const struct cal_rule *rules, size_t n_rules,
	 const struct cal_occurrence *occ, size_t n_occ,
	 const struct cal_scope_set *ss, int year)
{
	size_t i;

	if (year < 1970 || year > 9999)
		return -EINVAL;
	if ((n_rules > 0 && !rules) || (n_occ > 0 && !occ))
		return -EINVAL;
	for (i = 0; i < n_rules; i++)
		if (validate_rule(&rules[i], ss) != 0)
			return -EINVAL;
	for (i = 0; i < n_occ; i++)
		if (occ[i].n_partner_regions > 0 && !occ[i].partner_regions)
			return -EINVAL;
	return 0;
}

/* b[k] = local midnight of the first of month k + 1 of year; b[12] is
 * the next 1 January. */
static int
month_bounds(int year, int64_t b[N_MONTHS + 1])
{
	int k;

	for (k = 0; k <= N_MONTHS; k++)
		if (cal_local_to_utc(year, k + 1, 1, 0, 0, 0,
				     CAL_DISTRICT_TZID, &b[k]) != 0)
			return -EINVAL;
	return 0;
}

/*
 * Whether o counts at as_of: 1 with *held set (1 held, 0 scheduled), or 0
 * when it counts as neither (cancelled, unknown status, or TENTATIVE with
 * its start passed).
 */
static int
classify(const struct cal_occurrence *o, int64_t as_of, int *held)
{
	enum cal_event_status st;

	if (cal_event_status_parse(o->status, &st) != 0)
		return 0;
	if (st == CAL_STATUS_CONFIRMED) {
		*held = o->start_utc < as_of;
		return 1;
	}
	if (st == CAL_STATUS_TENTATIVE && o->start_utc >= as_of) {
		*held = 0;
		return 1;
	}
	return 0;
}

static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->start_utc != y->start_utc)
		return x->start_utc < y->start_utc ? -1 : 1;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return 0;
}

/*
 * Collect the occurrences of the year that are held or scheduled, of a
 * known kind, sorted by start (then index). *out is NULL when there are
 * none; else the caller frees it with free(). 0 or -ENOMEM.
 */
static int
collect(const struct cal_occurrence *occ, size_t n_occ, const int64_t *b,
	int64_t as_of, struct cand **out, size_t *n_out)
{
	struct cand *c;
	size_t i, n = 0;

	*out = NULL;
	*n_out = 0;
	if (n_occ == 0)
		return 0;
	c = calloc(n_occ, sizeof(*c));
	if (!c)
		return -ENOMEM;
	for (i = 0; i < n_occ; i++) {
		const struct cal_kind *kd;
		int64_t t = occ[i].start_utc;
		int held, m;

		if (t < b[0] || t >= b[N_MONTHS])
			continue;	/* another year's: cheap test first */
		kd = cal_kind_find(occ[i].kind);
		if (!kd || !classify(&occ[i], as_of, &held))
			continue;
		for (m = 0; m < N_MONTHS - 1 && t >= b[m + 1]; m++)
			;
		c[n].start_utc = t;
		c[n].idx = i;
		c[n].kind_bit = 1u << (unsigned int)(kd - cal_kinds);
		c[n].month = m;
		c[n].held = held;
		c[n].tentative = !held &&
				 cal_event_status_is(occ[i].status,
						     CAL_STATUS_TENTATIVE);
		c[n].placed_utc = occ[i].placed_utc;
		n++;
	}
	if (n == 0) {
		free(c);
		return 0;
	}
	qsort(c, n, sizeof(*c), cand_cmp);
	*out = c;
	*n_out = n;
	return 0;
}

/*
 * Whether the rule (version) governs the period [start, end): it does when
 * it is active at the period's start. Versions of one rule meet at period
 * starts, so each period is judged by exactly one version.
 */
static int
period_active(const struct cal_rule *r, int64_t start, int64_t end)
{
	(void)end;
	if (r->active_from_utc != 0 && start < r->active_from_utc)
		return 0;
	if (r->active_to_utc != 0 && start >= r->active_to_utc)
		return 0;
	return 1;
}

/* since: the scope's own start of tracking (a carrier added later), 0
 * when none. */
static enum cal_cadence_status
row_status(const struct cal_cadence_row *row, int64_t min, int64_t as_of,
	   const struct cal_cadence_opts *opts, int64_t since)
{
	if (row->held >= min)
		return CAL_CADENCE_MET;
	if (row->held + row->scheduled >= min)
		return CAL_CADENCE_SCHEDULED;
	if (as_of < row->start_utc)
		return CAL_CADENCE_OPEN;
	if (as_of >= row->end_utc)
		return (opts && opts->has_tracking &&
			row->start_utc < opts->tracking_since_utc) ||
		       row->start_utc < since ?
		       CAL_CADENCE_UNTRACKED : CAL_CADENCE_MISSED;
	return CAL_CADENCE_AT_RISK;
}

static void
period_label(enum cal_period_unit u, int year, int p, char *buf,
	     size_t size)
{
	char tmp[48];	/* room for any int, so no truncation warning */

	switch (u) {
	case CAL_PERIOD_MONTH:
		snprintf(tmp, sizeof(tmp), "%04d-%02d", year, p + 1);
		break;
	case CAL_PERIOD_QUARTER:
		snprintf(tmp, sizeof(tmp), "%04d-Q%d", year, p + 1);
		break;
	case CAL_PERIOD_YEAR:
	default:
		snprintf(tmp, sizeof(tmp), "%04d", year);
		break;
	}
	{
		size_t n = strlen(tmp);

		if (n >= size)
			n = size - 1;
		memcpy(buf, tmp, n);
		buf[n] = '\0';
	}
}

/*
 * Fill the rows of one rule and one scope: set up the rows of the rule's
 * active periods starting at rows, count and list the qualifying
 * candidates, set the statuses. *used is the number of rows written.
 * Returns 0 or -ENOMEM (event arrays already allocated stay in the rows,
 * for the caller to release).
 */
static int
fill_group(struct cal_cadence_row *rows, size_t rule_idx,
	   const struct cal_rule *r, enum cal_scope_kind k, const char *slug,
	   size_t scope_index, const struct cand *c, size_t n_c,
	   const int64_t *b, int year, int64_t as_of, int64_t since,
	   int64_t until, const struct cal_cadence_opts *opts, size_t *used)
{
	int mp = cal_period_months(r->period);
	int n_periods = N_MONTHS / mp;
	int row_of[N_MONTHS];
	unsigned int mask = 0;
	size_t n = 0, i;
	int p;

	(void)parse_kinds(r->kinds, &mask);	/* validated already */
	for (p = 0; p < n_periods; p++) {
		int64_t start = b[p * mp], end = b[(p + 1) * mp];
		struct cal_cadence_row *row;

		row_of[p] = -1;
		if (!period_active(r, start, end) ||
		    (until != 0 && start >= until))
			continue;	/* rule or scope not in force */
		row = &rows[n];
		row_of[p] = (int)n;
		row->rule = rule_idx;
		(void)scope_label(k, slug, row->scope, sizeof(row->scope));
		period_label(r->period, year, p, row->period,
			     sizeof(row->period));
		row->start_utc = start;
		row->end_utc = end;
		row->scope_kind = k;
		row->scope_index = scope_index;
		n++;
	}
	*used = n;
	for (i = 0; i < n_c; i++) {
		int ri = row_of[c[i].month / mp];

		if (ri < 0 || !(c[i].kind_bit & mask))
			continue;
		if (c[i].held) {
			rows[ri].held++;
			if (c[i].placed_utc >= rows[ri].end_utc)
				rows[ri].held_late++;
		} else {
			rows[ri].scheduled++;
			rows[ri].tentative += c[i].tentative;
		}
	}
	for (i = 0; i < n; i++) {
		size_t cnt = (size_t)(rows[i].held + rows[i].scheduled);

		if (cnt == 0)
			continue;
		rows[i].events = malloc(cnt * sizeof(*rows[i].events));
		if (!rows[i].events)
			return -ENOMEM;
	}
	for (i = 0; i < n_c; i++) {
		int ri = row_of[c[i].month / mp];

		if (ri < 0 || !(c[i].kind_bit & mask))
			continue;
		rows[ri].events[rows[ri].n_events++] = c[i].idx;
	}
	for (i = 0; i < n; i++)
		rows[i].status = row_status(&rows[i], r->min_count, as_of,
					    opts, since);
	return 0;
}

/*
 * Candidates grouped by the scopes of one kind, built in one pass over the
 * candidates: the members of scope s are items[off[s] .. off[s + 1]), in
 * start order.
 */
struct bucket {
	struct cand *items;
	size_t *off;		/* n_slugs + 1 entries */
};

struct slug_ix {
	const char *slug;
	size_t idx;
};

static int
slug_ix_cmp(const void *a, const void *b)
{
	return strcmp(((const struct slug_ix *)a)->slug,
		      ((const struct slug_ix *)b)->slug);
}

/* The index of slug in the scope list sorted into ix, or SIZE_MAX. */
static size_t
slug_find(const struct slug_ix *ix, size_t n, const char *slug)
{
	struct slug_ix key = { slug, 0 };
	const struct slug_ix *f;

	if (!slug || n == 0)
		return SIZE_MAX;
	f = bsearch(&key, ix, n, sizeof(*ix), slug_ix_cmp);
	return f ? f->idx : SIZE_MAX;
}

static void
bucket_release(struct bucket *bk)
{
	free(bk->items);
	free(bk->off);
	bk->items = NULL;
	bk->off = NULL;
}

/* Place (pass 1) or count (pass 0) candidate c into scope s. */
static void
bucket_put(struct bucket *bk, size_t *pos, int pass, size_t s,
	   const struct cand *c)
{
	if (s == SIZE_MAX)
		return;
	if (pass == 0)
		pos[s]++;
	else
		bk->items[pos[s]++] = *c;
}

/* Group the candidates c by the scopes of kind k (not the district).
 * 0 or -ENOMEM (bk then holds nothing). */
static int
bucket_build(enum cal_scope_kind k, const struct cal_scope_set *ss,
	     const struct cal_occurrence *occ, const struct cand *c,
	     size_t n_c, struct bucket *bk)
{
	const char *const *slugs;
	struct slug_ix *ix;
	size_t *pos, n_slugs, i, j, s;
	int pass, rc = -ENOMEM;

	slugs = scope_slugs(k, ss, &n_slugs);
	bk->items = NULL;
	bk->off = calloc(n_slugs + 1, sizeof(*bk->off));
	ix = calloc(n_slugs + 1, sizeof(*ix));
	pos = calloc(n_slugs + 1, sizeof(*pos));
	if (!bk->off || !ix || !pos)
		goto out;
	for (i = 0; i < n_slugs; i++) {
		ix[i].slug = slugs[i];
		ix[i].idx = i;
	}
	qsort(ix, n_slugs, sizeof(*ix), slug_ix_cmp);
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			for (s = 0; s < n_slugs; s++)
				bk->off[s + 1] = bk->off[s] + pos[s];
			bk->items = malloc((bk->off[n_slugs] + 1) *
					   sizeof(*bk->items));
			if (!bk->items)
				goto out;
			memcpy(pos, bk->off, n_slugs * sizeof(*pos));
		}
		for (i = 0; i < n_c; i++) {
			const struct cal_occurrence *o = &occ[c[i].idx];

			if (k == CAL_SCOPE_KIND_REGION) {
				bucket_put(bk, pos, pass, slug_find(ix,
					   n_slugs, o->region), &c[i]);
				continue;
			}
			if (k == CAL_SCOPE_KIND_CARRIER) {
				bucket_put(bk, pos, pass, slug_find(ix,
					   n_slugs, o->carrier), &c[i]);
				continue;
			}
			for (j = 0; j < o->n_partner_regions; j++) {
				const char *p = o->partner_regions[j];
				size_t d;

				for (d = 0; d < j; d++)	/* listed twice */
					if (o->partner_regions[d] && p &&
					    strcmp(o->partner_regions[d],
						   p) == 0)
						break;
				if (d == j)
					bucket_put(bk, pos, pass, slug_find(
						   ix, n_slugs, p), &c[i]);
			}
		}
	}
	rc = 0;
out:
	free(ix);
	free(pos);
	if (rc != 0)
		bucket_release(bk);
	return rc;
}

/* The end of scope s's judged periods (struct cal_scope_set), 0: none. */
static int64_t
scope_until(enum cal_scope_kind k, const struct cal_scope_set *ss, size_t s)
{
	if (k != CAL_SCOPE_KIND_CARRIER || !ss->carrier_until_utc ||
	    s >= ss->n_carriers)
		return 0;
	return ss->carrier_until_utc[s] == INT64_MAX ? 0 :
	       ss->carrier_until_utc[s];
}

/* The start of scope s's tracking (struct cal_scope_set), 0: none. */
static int64_t
scope_since(enum cal_scope_kind k, const struct cal_scope_set *ss, size_t s)
{
	if (k != CAL_SCOPE_KIND_CARRIER || !ss->carrier_since_utc ||
	    s >= ss->n_carriers)
		return 0;
	return ss->carrier_since_utc[s];
}

/* Number of rows rule r yields over the year with bounds b, per scope. */
static size_t
active_periods(const struct cal_rule *r, const int64_t *b)
{
	int mp = cal_period_months(r->period);
	size_t n = 0;
	int p;

	for (p = 0; p < N_MONTHS / mp; p++)
		if (period_active(r, b[p * mp], b[(p + 1) * mp]))
			n++;
	return n;
}

/*
 * See cadence.h. Beyond the header: *out is emptied (rows NULL, n 0) before
 * anything else, so on any error it holds nothing to release; scopes may be
 * NULL (no regions, carriers or partners); -EINVAL also covers a NULL out,
 * a NULL array with a non-zero count, a rule kind list that is empty or
 * names an unknown kind, an unknown period unit, and a missing, empty or
 * too long slug in a scope list a rule enumerates. Occurrences with an
 * unknown kind or status count for nothing.
 */
int
cal_cadence_evaluate(const struct cal_rule *rules, size_t n_rules,
		     const struct cal_occurrence *occ, size_t n_occ,
		     const struct cal_scope_set *scopes, int year,
		     int64_t as_of_utc, struct cal_cadence_report *out)
{
	return cal_cadence_evaluate_opts(rules, n_rules, occ, n_occ, scopes,
					 year, as_of_utc, NULL, out);
}

int
cal_cadence_evaluate_opts(const struct cal_rule *rules, size_t n_rules,
			  const struct cal_occurrence *occ, size_t n_occ,
			  const struct cal_scope_set *scopes, int year,
			  int64_t as_of_utc,
			  const struct cal_cadence_opts *opts,
			  struct cal_cadence_report *out)
{
	struct cal_cadence_report rep = { NULL, 0 };
	struct bucket bk[CAL_SCOPE_KIND_N] = { { NULL, NULL } };
	struct cand *cands = NULL;
	int64_t b[N_MONTHS + 1];
	size_t n_cands = 0, total = 0, r;
	int rc, kk;

	if (!out)
		return -EINVAL;
	out->rows = NULL;
	out->n = 0;
	if (!scopes)
		scopes = &empty_scopes;
	rc = validate(rules, n_rules, occ, n_occ, scopes, year);
	if (rc == 0)
		rc = month_bounds(year, b);
	if (rc != 0)
		return rc;

	for (r = 0; r < n_rules; r++) {
		enum cal_scope_kind k;
		size_t n_scopes, per;

		k = rules[r].scope;	/* validated */
		(void)scope_slugs(k, scopes, &n_scopes);
		per = active_periods(&rules[r], b);
		if (per > 0 && n_scopes > (SIZE_MAX - total) / per)
			return -ENOMEM;
		total += n_scopes * per;
	}
	if (total == 0) {
		*out = rep;
		return 0;
	}
	rep.rows = calloc(total, sizeof(*rep.rows));
	if (!rep.rows)
		return -ENOMEM;

	rc = collect(occ, n_occ, b, as_of_utc, &cands, &n_cands);
	/* one pass per scope kind a rule uses, never one per scope */
	for (r = 0; rc == 0 && r < n_rules; r++) {
		enum cal_scope_kind k;

		k = rules[r].scope;	/* validated */
		if (k != CAL_SCOPE_KIND_DISTRICT && !bk[k].off)
			rc = bucket_build(k, scopes, occ, cands, n_cands,
					  &bk[k]);
	}
	for (r = 0; rc == 0 && r < n_rules; r++) {
		const char *const *slugs;
		enum cal_scope_kind k;
		size_t n_scopes, s;

		k = rules[r].scope;	/* validated */
		slugs = scope_slugs(k, scopes, &n_scopes);
		for (s = 0; rc == 0 && s < n_scopes; s++) {
			const char *slug = slugs ? slugs[s] : NULL;
			const struct cand *view = cands;
			size_t n_view = n_cands, used = 0;

			if (k != CAL_SCOPE_KIND_DISTRICT) {
				view = bk[k].items + bk[k].off[s];
				n_view = bk[k].off[s + 1] - bk[k].off[s];
			}
			rc = fill_group(&rep.rows[rep.n], r, &rules[r], k,
					slug, s, view, n_view, b, year,
					as_of_utc, scope_since(k, scopes, s),
					scope_until(k, scopes, s), opts,
					&used);
			rep.n += used;
		}
	}
	for (kk = 0; kk < CAL_SCOPE_KIND_N; kk++)
		bucket_release(&bk[kk]);
	free(cands);
	if (rc != 0) {
		cal_cadence_report_release(&rep);
		return rc;
	}
	*out = rep;
	return 0;
}

void
cal_cadence_report_release(struct cal_cadence_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->rows[i].events);
	free(r->rows);
	r->rows = NULL;
	r->n = 0;
}
