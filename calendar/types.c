/*
 * types.c: string forms of the domain's enums (see types.h). Each table
 * is indexed by its enum, so a name and its parse cannot drift apart.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "types.h"

static const char *const status_names[] = {
	[CAL_STATUS_TENTATIVE] = "TENTATIVE",
	[CAL_STATUS_CONFIRMED] = "CONFIRMED",
	[CAL_STATUS_CANCELLED] = "CANCELLED",
};

static const char *const feed_scope_names[] = {
	[CAL_FEED_REGIONS] = "regions",
	[CAL_FEED_CARRIERS] = "carriers",
	[CAL_FEED_KINDS] = "kinds",
	[CAL_FEED_PARTNERS] = "partners",
};

static const char *const period_names[] = {
	[CAL_PERIOD_MONTH] = "month",
	[CAL_PERIOD_QUARTER] = "quarter",
	[CAL_PERIOD_YEAR] = "year",
};

static const char *const scope_kind_names[] = {
	[CAL_SCOPE_KIND_DISTRICT] = "district",
	[CAL_SCOPE_KIND_REGION] = "region",
	[CAL_SCOPE_KIND_PARTNER] = "partner",
	[CAL_SCOPE_KIND_CARRIER] = "carrier",
};

static const char *const cadence_names[] = {
	[CAL_CADENCE_MET] = "met",
	[CAL_CADENCE_SCHEDULED] = "scheduled",
	[CAL_CADENCE_AT_RISK] = "at_risk",
	[CAL_CADENCE_MISSED] = "missed",
	[CAL_CADENCE_OPEN] = "open",
	[CAL_CADENCE_UNTRACKED] = "untracked",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* names[v], or dflt when v is out of range. */
static const char *
name_of(const char *const *names, size_t n, unsigned int v, const char *dflt)
{
	return v < n ? names[v] : dflt;
}

/* The index of s in names, or -EINVAL. */
static int
index_of(const char *const *names, size_t n, const char *s)
{
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -EINVAL;
}

const char *
cal_event_status_name(enum cal_event_status s)
{
	return name_of(status_names, N_OF(status_names), s, "");
}

int
cal_event_status_parse(const char *s, enum cal_event_status *out)
{
	int i = index_of(status_names, N_OF(status_names), s);

	if (i < 0)
		return i;
	*out = (enum cal_event_status)i;
	return 0;
}

int
cal_event_status_is(const char *s, enum cal_event_status st)
{
	enum cal_event_status v;

	return cal_event_status_parse(s, &v) == 0 && v == st;
}

const char *
cal_feed_scope_name(enum cal_feed_scope s)
{
	return name_of(feed_scope_names, N_OF(feed_scope_names), s, "");
}

int
cal_feed_scope_parse(const char *s, enum cal_feed_scope *out)
{
	int i = index_of(feed_scope_names, N_OF(feed_scope_names), s);

	if (i < 0)
		return i;
	*out = (enum cal_feed_scope)i;
	return 0;
}

const char *
cal_period_unit_name(enum cal_period_unit u)
{
	return name_of(period_names, N_OF(period_names), u, "");
}

int
cal_period_unit_parse(const char *s, enum cal_period_unit *out)
{
	int i = index_of(period_names, N_OF(period_names), s);

	if (i < 0 || !out)
		return -EINVAL;
	*out = (enum cal_period_unit)i;
	return 0;
}

int
cal_period_months(enum cal_period_unit u)
{
	switch (u) {
	case CAL_PERIOD_MONTH:
		return 1;
	case CAL_PERIOD_QUARTER:
		return 3;
	case CAL_PERIOD_YEAR:
		return 12;
	}
	return 0;
}

const char *
cal_scope_kind_name(enum cal_scope_kind k)
{
	return name_of(scope_kind_names, N_OF(scope_kind_names), k, "");
}

int
cal_scope_kind_parse(const char *s, enum cal_scope_kind *out)
{
	int i = index_of(scope_kind_names, N_OF(scope_kind_names), s);

	if (i < 0)
		return i;
	*out = (enum cal_scope_kind)i;
	return 0;
}

const char *
cal_cadence_status_name(enum cal_cadence_status s)
{
	return name_of(cadence_names, N_OF(cadence_names), s, "unknown");
}

int
cal_cadence_status_parse(const char *s, enum cal_cadence_status *out)
{
	int i = index_of(cadence_names, N_OF(cadence_names), s);

	if (i < 0)
		return i;
	*out = (enum cal_cadence_status)i;
	return 0;
}
