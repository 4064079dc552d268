/*
 * event_value.c: struct db_event as a value — release, deep copy, and
 * adding EXDATE/RDATE instants. No database access.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_internal.h"

void
db_event_release(struct db_event *ev)
{
	size_t i;

	if (!ev)
		return;
	free(ev->uid);
	free(ev->kind);
	free(ev->title);
	free(ev->description);
	free(ev->venue);
	free(ev->tzid);
	free(ev->status);
	free(ev->carrier);
	free(ev->carrier_name);
	free(ev->region);
	for (i = 0; i < ev->n_partner_regions; i++)
		free(ev->partner_regions[i]);
	free(ev->partner_regions);
	free(ev->rrule);
	free(ev->url);
	free(ev->exdates);
	free(ev->rdates);
	free(ev->tzid_source);
	for (i = 0; i < ev->n_overrides; i++) {
		free(ev->overrides[i].title);
		free(ev->overrides[i].venue);
		free(ev->overrides[i].description);
		free(ev->overrides[i].status);
	}
	free(ev->overrides);
	memset(ev, 0, sizeof(*ev));
}

/* Insert t into the ascending set v[0..*n). 0 or -ENOMEM (unchanged). */
static int
add_time(int64_t **v, size_t *n, int64_t t)
{
	int64_t *nv;
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*v)[i] == t)
			return 0;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	for (i = *n; i > 0 && nv[i - 1] > t; i--)
		nv[i] = nv[i - 1];
	nv[i] = t;
	(*n)++;
	return 0;
}

int
db_event_add_exdate(struct db_event *ev, int64_t t)
{
	return add_time(&ev->exdates, &ev->n_exdates, t);
}

int
db_event_add_rdate(struct db_event *ev, int64_t t)
{
	return add_time(&ev->rdates, &ev->n_rdates, t);
}

/* A new copy of the n instants of src into *dst (NULL when n is 0),
 * *dst_n = n; on OOM *dst NULL, *dst_n 0 and *oom set. */
static void
copy_times(int64_t **dst, size_t *dst_n, const int64_t *src, size_t n,
	   int *oom)
{
	*dst = NULL;
	*dst_n = 0;
	if (!n)
		return;
	*dst = malloc(n * sizeof(*src));
	if (!*dst) {
		*oom = 1;
		return;
	}
	memcpy(*dst, src, n * sizeof(*src));
	*dst_n = n;
}

/* The overrides of src into dst (counts included). */
static void
copy_overrides(struct db_event *dst, const struct db_event *src, int *oom)
{
	size_t i;

	dst->overrides = NULL;
	dst->n_overrides = 0;
	if (!src->n_overrides)
		return;
	dst->overrides = calloc(src->n_overrides, sizeof(*dst->overrides));
	if (!dst->overrides) {
		*oom = 1;
		return;
	}
	dst->n_overrides = src->n_overrides;
	for (i = 0; i < src->n_overrides; i++) {
		const struct db_override *o = &src->overrides[i];
		struct db_override *d = &dst->overrides[i];

		*d = *o;
		d->title = db_strdup(o->title, oom);
		d->venue = db_strdup(o->venue, oom);
		d->description = db_strdup(o->description, oom);
		d->status = db_strdup(o->status, oom);
	}
}

int
db_event_copy(struct db_event *dst, const struct db_event *src)
{
	int oom = 0;
	size_t i;

	*dst = *src;
	dst->uid = db_strdup(src->uid, &oom);
	dst->kind = db_strdup(src->kind, &oom);
	dst->title = db_strdup(src->title, &oom);
	dst->description = db_strdup(src->description, &oom);
	dst->venue = db_strdup(src->venue, &oom);
	dst->tzid = db_strdup(src->tzid, &oom);
	dst->status = db_strdup(src->status, &oom);
	dst->carrier = db_strdup(src->carrier, &oom);
	dst->carrier_name = db_strdup(src->carrier_name, &oom);
	dst->region = db_strdup(src->region, &oom);
	dst->rrule = db_strdup(src->rrule, &oom);
	dst->url = db_strdup(src->url, &oom);
	dst->tzid_source = db_strdup(src->tzid_source, &oom);
	copy_times(&dst->rdates, &dst->n_rdates, src->rdates, src->n_rdates,
		   &oom);
	copy_times(&dst->exdates, &dst->n_exdates, src->exdates,
		   src->n_exdates, &oom);
	copy_overrides(dst, src, &oom);
	dst->partner_regions = NULL;
	dst->n_partner_regions = 0;
	if (src->n_partner_regions) {
		dst->partner_regions = calloc(src->n_partner_regions,
					      sizeof(char *));
		if (!dst->partner_regions) {
			oom = 1;
		} else {
			dst->n_partner_regions = src->n_partner_regions;
			for (i = 0; i < src->n_partner_regions; i++)
				dst->partner_regions[i] = db_strdup(
					src->partner_regions[i], &oom);
		}
	}
	if (oom) {
		db_event_release(dst);
		return -ENOMEM;
	}
	return 0;
}
