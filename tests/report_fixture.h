/*
 * report_fixture.h: the fixture shared by the cadence report suites
 * (check_report.c, check_report_range.c): a ":memory:" database through
 * db_open() (migrations and the annex seed with its three default rules),
 * events inserted with db_event_insert(), report builders and exact row
 * assertions. Every instant is a literal with its local time in
 * Asia/Shanghai in the comment. Helpers are static inline so a suite that
 * does not use one gets no warning.
 */
#ifndef ROADSHOWD_TESTS_REPORT_FIXTURE_H
#define ROADSHOWD_TESTS_REPORT_FIXTURE_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>
#include <libical/ical.h>

#include "calendar/cadence.h"
#include "calendar/caltime.h"
#include "calendar/report.h"
#include "db/db.h"
#include "service/report.h"

#define HOUR	((int64_t)3600)
#define DAY	((int64_t)86400)

/* The clock stamped on database writes. */
#define NOW			1740000000	/* 2025-02-20T05:20:00+08:00 */

/* Instants in Asia/Shanghai (UTC+8), seconds since the epoch, UTC. */
#define T_2024_01_01		1704038400	/* 2024-01-01T00:00+08:00 */
#define T_2024_01_10_1000	1704852000	/* 2024-01-10T10:00+08:00 */
#define T_2024_02_10_1000	1707530400	/* 2024-02-10T10:00+08:00 */
#define T_2024_03_10_1000	1710036000	/* 2024-03-10T10:00+08:00 */
#define T_2025_01_01		1735660800	/* 2025-01-01T00:00+08:00 */
#define T_2025_01_01_0010	1735661400	/* 2025-01-01T00:10+08:00,
						 * 2024-12-31T16:10Z */
#define T_2025_01_15_1000	1736906400	/* 2025-01-15T10:00+08:00 */
#define T_2025_02_10_1000	1739152800	/* 2025-02-10T10:00+08:00 */
#define T_2025_02_20_1000	1740016800	/* 2025-02-20T10:00+08:00 */
#define T_2025_03_16		1742054400	/* 2025-03-16T00:00+08:00 */
#define T_2025_03_31		1743350400	/* 2025-03-31T00:00+08:00 */
#define T_2025_03_31_2359	1743436740	/* 2025-03-31T23:59+08:00,
						 * 2025-03-31T15:59Z */
#define T_2025_04_01		1743436800	/* 2025-04-01T00:00+08:00 */
#define T_2025_04_30		1745942400	/* 2025-04-30T00:00+08:00 */
#define T_2025_05_01		1746028800	/* 2025-05-01T00:00+08:00 */
#define T_2025_05_02		1746115200	/* 2025-05-02T00:00+08:00 */
#define T_2025_05_15_1000	1747274400	/* 2025-05-15T10:00+08:00 */
#define T_2025_06_01		1748707200	/* 2025-06-01T00:00+08:00 */
#define T_2025_06_15_1000	1749952800	/* 2025-06-15T10:00+08:00 */
#define T_2025_07_01		1751299200	/* 2025-07-01T00:00+08:00 */
#define T_2025_07_02_1000	1751421600	/* 2025-07-02T10:00+08:00 */
#define T_2025_10_01		1759248000	/* 2025-10-01T00:00+08:00 */
#define T_2026_01_01		1767196800	/* 2026-01-01T00:00+08:00 */
#define T_2026_01_10		1767974400	/* 2026-01-10T00:00+08:00 */

static struct db *db;
static struct cal_report rep;
static struct cal_report year_rep;		/* a second report, kept beside rep */

static inline void
setup(void)
{
	cal_init();
	db = NULL;
	memset(&rep, 0, sizeof(rep));
	memset(&year_rep, 0, sizeof(year_rep));
	ck_assert_int_eq(db_open(":memory:", NOW, &db), 0);
	ck_assert_ptr_nonnull(db);
}

static inline void
teardown(void)
{
	cal_report_release(&rep);
	cal_report_release(&year_rep);
	db_close(db);
	db = NULL;
}

static inline char *
xstrdup(const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	ck_assert_ptr_nonnull(d);
	return d;
}

/* A timed two-hour event in Asia/Shanghai, heap strings as
 * db_event_release() expects. carrier NULL: hosted by the district. */
static inline void
ev_init(struct db_event *ev, const char *uid, const char *kind,
	int64_t start, const char *carrier, const char *status)
{
	memset(ev, 0, sizeof(*ev));
	ev->uid = xstrdup(uid);
	ev->kind = xstrdup(kind);
	ev->title = xstrdup(uid);
	ev->start_utc = start;
	ev->end_utc = start + 2 * HOUR;
	ev->tzid = xstrdup("Asia/Shanghai");
	ev->status = xstrdup(status);
	ev->carrier = xstrdup(carrier);
}

static inline int64_t
insert(struct db_event *ev)
{
	int64_t id = 0;

	ck_assert_int_eq(db_event_insert(db, ev, "test", NOW, &id), 0);
	ck_assert_int_gt(id, 0);
	db_event_release(ev);
	return id;
}

/* Insert a single CONFIRMED event; its uid is its title. */
static inline int64_t
add_event(const char *uid, const char *kind, int64_t start,
	  const char *carrier)
{
	struct db_event ev;

	ev_init(&ev, uid, kind, start, carrier, "CONFIRMED");
	return insert(&ev);
}

static inline int64_t
add_event_status(const char *uid, const char *kind, int64_t start,
		 const char *status)
{
	struct db_event ev;

	ev_init(&ev, uid, kind, start, NULL, status);
	return insert(&ev);
}

/* Build the report of `year` as of as_of into rep (released first). */
static inline void
build_year(int year, int64_t as_of, const char *rule, const char *by)
{
	struct cal_report_query q;

	cal_report_release(&rep);
	ck_assert_int_eq(cal_report_query_year(&q, year), 0);
	q.as_of_utc = as_of;
	q.rule_id = rule;
	q.by = by;
	ck_assert_int_eq(cal_report_build(db, &q, &rep), 0);
}

/* Rows of rule `id` in rep. */
static inline size_t
rows_of(const char *id)
{
	size_t i, n = 0;

	for (i = 0; i < rep.report.n; i++)
		if (strcmp(cal_report_rule(&rep, &rep.report.rows[i])->id,
			   id) == 0)
			n++;
	return n;
}

/* The row of rule id, scope and period; fails the test when absent or
 * present twice. */
static inline const struct cal_cadence_row *
row_for(const char *id, const char *scope, const char *period)
{
	const struct cal_cadence_row *found = NULL;
	size_t i;

	for (i = 0; i < rep.report.n; i++) {
		const struct cal_cadence_row *row = &rep.report.rows[i];

		if (strcmp(cal_report_rule(&rep, row)->id, id) == 0 &&
		    strcmp(row->scope, scope) == 0 &&
		    strcmp(row->period, period) == 0) {
			ck_assert_msg(!found, "two rows %s %s %s", id, scope,
				      period);
			found = row;
		}
	}
	ck_assert_msg(found != NULL, "no row %s %s %s", id, scope, period);
	return found;
}

/* Status name, held, scheduled and min of a row; a macro so a failure
 * names the caller's line. */
#define assert_row(id, scope, period, st, held_want, sched_want, min_want) \
	do {								\
		const struct cal_cadence_row *r_ =			\
			row_for((id), (scope), (period));		\
									\
		ck_assert_str_eq(cal_cadence_status_name(r_->status),	\
				 (st));					\
		ck_assert_int_eq(r_->held, (held_want));		\
		ck_assert_int_eq(r_->scheduled, (sched_want));		\
		ck_assert_uint_eq(r_->n_events,				\
				  (size_t)((held_want) + (sched_want)));	\
		ck_assert_int_eq(cal_report_rule(&rep, r_)->min_count,	\
				 (min_want));				\
	} while (0)

#define assert_month(period, st, held, sched) \
	assert_row("monthly-roadshow", "district", (period), (st), (held), \
		   (sched), 1)

/* The JSON object of a period in doc; fails when absent. */
static inline json_t *
json_period(json_t *doc, const char *rule, const char *scope,
	    const char *period)
{
	json_t *periods = json_object_get(doc, "periods"), *p;
	size_t i;

	json_array_foreach(periods, i, p) {
		if (strcmp(json_string_value(json_object_get(p, "rule")),
			   rule) == 0 &&
		    strcmp(json_string_value(json_object_get(p, "scope")),
			   scope) == 0 &&
		    strcmp(json_string_value(json_object_get(p, "period")),
			   period) == 0)
			return p;
	}
	ck_abort_msg("no JSON period %s %s %s", rule, scope, period);
	return NULL;
}

static inline const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	ck_assert_msg(s != NULL, "no string member %s", key);
	return s;
}

static inline json_int_t
jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_integer(v), "no integer member %s", key);
	return json_integer_value(v);
}

#endif
