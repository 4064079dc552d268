/*
 * report_cell.c: one cell of a cadence report (rule x scope x period),
 * for the dashboard's "why this colour" panel (see report.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kind.h"
#include "report.h"
#include "types.h"

int
cal_period_label_year(const char *p)
{
	size_t n = p ? strlen(p) : 0, i;
	int y;

	if (n != 4 && n != 7)
		return -1;
	for (i = 0; i < 4; i++)
		if (!isdigit((unsigned char)p[i]))
			return -1;
	y = atoi(p);
	if (y < 1970 || y > 9999)
		return -1;
	if (n == 7 && !(p[4] == '-' && ((p[5] == 'Q' && p[6] >= '1' &&
	    p[6] <= '4') || (isdigit((unsigned char)p[5]) &&
	    isdigit((unsigned char)p[6]) && atoi(p + 5) >= 1 &&
	    atoi(p + 5) <= 12))))
		return -1;
	return y;
}

const char *
cal_scope_label_by(const char *scope)
{
	enum cal_scope_kind k;
	const char *colon;
	char head[16];
	size_t n;

	if (!scope)
		return NULL;
	colon = strchr(scope, ':');
	n = colon ? (size_t)(colon - scope) : strlen(scope);
	if (n >= sizeof(head))
		return NULL;
	memcpy(head, scope, n);
	head[n] = '\0';
	if (cal_scope_kind_parse(head, &k) != 0 ||
	    (k == CAL_SCOPE_KIND_DISTRICT) != !colon ||
	    (colon && !colon[1]))
		return NULL;
	return cal_scope_kind_name(k);
}

/* Whether occurrence o falls in the scope label (valid, see above). */
static int
in_scope(const struct cal_occurrence *o, const char *scope)
{
	const char *by = cal_scope_label_by(scope);
	const char *slug = strchr(scope, ':');
	enum cal_scope_kind k;
	size_t i;

	if (!by || cal_scope_kind_parse(by, &k) != 0)
		return 0;
	if (k == CAL_SCOPE_KIND_DISTRICT)
		return 1;
	slug++;
	if (k == CAL_SCOPE_KIND_REGION)
		return o->region && strcmp(o->region, slug) == 0;
	if (k == CAL_SCOPE_KIND_CARRIER)
		return o->carrier && strcmp(o->carrier, slug) == 0;
	for (i = 0; i < o->n_partner_regions; i++)
		if (strcmp(o->partner_regions[i], slug) == 0)
			return 1;
	return 0;
}

const struct cal_cadence_row *
cal_report_find_row(const struct cal_report *r, const char *scope,
		    const char *period)
{
	size_t i;

	for (i = 0; scope && period && i < r->report.n; i++)
		if (strcmp(r->report.rows[i].scope, scope) == 0 &&
		    strcmp(r->report.rows[i].period, period) == 0)
			return &r->report.rows[i];
	return NULL;
}

const struct db_event *
cal_report_event(const struct cal_report *r, int64_t id)
{
	size_t i;

	for (i = 0; i < r->events.n; i++)
		if (r->events.items[i].id == id)
			return &r->events.items[i];
	return NULL;
}

static int
push(struct cal_cancelled **v, size_t *n, size_t *cap,
     const struct cal_occurrence *o, int exdate)
{
	if (*n == *cap) {
		struct cal_cancelled *nv;

		*cap = *cap * 2 + 8;
		nv = realloc(*v, *cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		*v = nv;
	}
	(*v)[*n].occ = *o;
	(*v)[*n].exdate = exdate;
	(*n)++;
	return 0;
}

/* The EXDATEs of ev's series inside row, appended as occurrences. */
static int
add_exdates(const struct cal_cadence_row *row, const struct db_event *ev,
	    struct cal_cancelled **v, size_t *n, size_t *cap)
{
	struct cal_occurrence probe;
	size_t k;
	int rc = 0;

	memset(&probe, 0, sizeof(probe));
	probe.event_id = ev->id;
	probe.kind = ev->kind;
	probe.status = cal_event_status_name(CAL_STATUS_CANCELLED);
	probe.title = ev->title;
	probe.carrier = ev->carrier;
	probe.region = ev->region;
	probe.partner_regions = (const char *const *)ev->partner_regions;
	probe.n_partner_regions = ev->n_partner_regions;
	if (!in_scope(&probe, row->scope))
		return 0;
	for (k = 0; rc == 0 && k < ev->n_exdates; k++) {
		probe.start_utc = ev->exdates[k];
		if (probe.start_utc >= row->start_utc &&
		    probe.start_utc < row->end_utc)
			rc = push(v, n, cap, &probe, 1);
	}
	return rc;
}

int
cal_report_cancelled(const struct cal_report *r,
		     const struct cal_cadence_row *row,
		     struct cal_cancelled **out, size_t *n_out)
{
	const struct db_rule *rule = cal_report_rule(r, row);
	struct cal_cancelled *v = NULL;
	size_t i, n = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	*n_out = 0;
	if (!rule)
		return -EINVAL;
	for (i = 0; rc == 0 && i < r->n_occ; i++) {
		const struct cal_occurrence *oc = &r->occ[i];

		if (cal_event_status_is(oc->status, CAL_STATUS_CANCELLED) &&
		    oc->start_utc >= row->start_utc &&
		    oc->start_utc < row->end_utc &&
		    cal_kinds_contains(rule->kinds, oc->kind) &&
		    in_scope(oc, row->scope))
			rc = push(&v, &n, &cap, oc, 0);
	}
	/* occurrences of a series cancelled one by one (EXDATE) */
	for (i = 0; rc == 0 && i < r->events.n; i++) {
		const struct db_event *ev = &r->events.items[i];

		if (ev->rrule && ev->n_exdates > 0 &&
		    cal_kinds_contains(rule->kinds, ev->kind))
			rc = add_exdates(row, ev, &v, &n, &cap);
	}
	if (rc != 0) {
		free(v);
		return rc;
	}
	*out = v;
	*n_out = n;
	return 0;
}
