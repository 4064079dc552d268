/*
 * check_import_upsert: cal_import_upsert() (calendar/import_upsert.h)
 * against a real SQLite database: ":memory:" through db_open(), so the real
 * migrations and the annex seed (with its carriers) run for each test. The
 * clock is injected. The change rules are the test's own (title and start
 * significant, description not), so SEQUENCE follows from them alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "calendar/import_upsert.h"
#include "check_util.h"
#include "db/db.h"

#define NOW	((int64_t)1740000000)	/* 2025-02-19T21:20:00Z */
#define LATER	((int64_t)1740086400)	/* a day later */
#define T0	((int64_t)1740760200)	/* 2025-02-28T16:30:00Z */
#define HOUR	((int64_t)3600)

#define CARRIER_A "pinghu-maker-space"
#define CARRIER_B "longteng-maker-space"

static struct db *db;

static int
str_diff(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

static int
significant(const struct db_event *a, const struct db_event *b)
{
	return a->start_utc != b->start_utc || a->end_utc != b->end_utc ||
	       str_diff(a->title, b->title);
}

static int
any(const struct db_event *a, const struct db_event *b)
{
	return significant(a, b) || str_diff(a->description, b->description)
	       || str_diff(a->kind, b->kind);
}

static const struct cal_upsert_rules rules = { any, significant };

static void
setup(void)
{
	db = NULL;
	ck_assert_int_eq(db_open(":memory:", NOW, &db), 0);
}

static void
teardown(void)
{
	db_close(db);
	db = NULL;
}

static char *
xstrdup(const char *s)
{
	char *d = s ? strdup(s) : NULL;

	ck_assert(!s || d);
	return d;
}

/* A parsed event as the sandboxed parser gives it: carrier NULL, kind
 * as read from CATEGORIES (may be NULL). */
static void
item_init(struct cal_upsert_item *it, const char *uid, const char *kind,
	  const char *title, const char *description)
{
	memset(it, 0, sizeof(*it));
	it->ev.uid = xstrdup(uid);
	it->ev.kind = xstrdup(kind);
	it->ev.title = xstrdup(title);
	it->ev.description = xstrdup(description);
	it->ev.start_utc = T0;
	it->ev.end_utc = T0 + 2 * HOUR;
	it->ev.tzid = xstrdup("Asia/Shanghai");
	it->ev.status = xstrdup("CONFIRMED");
}

/* Upsert one event for carrier; returns the rc, outcome in *it. */
static int
upsert1(struct cal_upsert_item *it, const char *carrier, int64_t now,
	int dry_run, size_t *refused)
{
	return cal_import_upsert(db, it, 1, carrier, NULL, "test", now,
				 dry_run, &rules, refused);
}

static void
release1(struct cal_upsert_item *it)
{
	db_event_release(&it->ev);
	free(it->file_uid);
	memset(it, 0, sizeof(*it));
}

START_TEST(test_insert_new_uid)
{
	struct cal_upsert_item it;
	struct db_event got;
	size_t refused = 99;

	item_init(&it, "new-1@test", "roadshow", "Roadshow one", "d");
	ck_assert_int_eq(upsert1(&it, CARRIER_A, NOW, 0, &refused), 0);
	ck_assert_uint_eq(refused, 0);
	ck_assert_int_eq(it.outcome, CAL_UPSERT_CREATED);
	ck_assert_str_eq(it.file_uid, "new-1@test");
	ck_assert_str_eq(it.ev.uid, "new-1@test");
	ck_assert_int_gt(it.id, 0);
	ck_assert_int_eq(db_count_rows(db, "event"), 1);
	ck_assert_int_eq(db_event_get_by_uid(db, "new-1@test", &got), 0);
	ck_assert_int_eq(got.id, it.id);
	ck_assert_str_eq(got.carrier, CARRIER_A);
	ck_assert_str_eq(got.kind, "roadshow");
	ck_assert_str_eq(got.title, "Roadshow one");
	ck_assert_int_eq(got.sequence, 0);
	ck_assert_int_eq(got.revision, 1);
	db_event_release(&got);
	release1(&it);
}
END_TEST

START_TEST(test_default_kind_applies)
{
	struct cal_upsert_item it;
	struct db_event got;
	size_t refused = 99;

	item_init(&it, "nokind@test", NULL, "Salon", NULL);
	ck_assert_int_eq(cal_import_upsert(db, &it, 1, CARRIER_A, "salon",
					   "test", NOW, 0, &rules, &refused),
			 0);
	ck_assert_uint_eq(refused, 0);
	ck_assert_int_eq(db_event_get_by_uid(db, "nokind@test", &got), 0);
	ck_assert_str_eq(got.kind, "salon");
	db_event_release(&got);
	release1(&it);
}
END_TEST

START_TEST(test_update_bumps_sequence)
{
	struct cal_upsert_item it;
	struct db_event got;
	size_t refused = 99;
	int64_t id;

	item_init(&it, "upd@test", "forum", "Forum", "first");
	ck_assert_int_eq(upsert1(&it, CARRIER_A, NOW, 0, &refused), 0);
	id = it.id;
	release1(&it);

	/* a significant change: the title */
	item_init(&it, "upd@test", "forum", "Forum (moved)", "first");
	ck_assert_int_eq(upsert1(&it, CARRIER_A, LATER, 0, &refused), 0);
	ck_assert_uint_eq(refused, 0);
	ck_assert_int_eq(it.outcome, CAL_UPSERT_UPDATED);
	ck_assert_int_eq(it.id, id);
	release1(&it);
	ck_assert_int_eq(db_event_get_by_uid(db, "upd@test", &got), 0);
	ck_assert_int_eq(got.id, id);
	ck_assert_str_eq(got.title, "Forum (moved)");
	ck_assert_int_eq(got.sequence, 1);
	ck_assert_int_eq(got.revision, 2);
	ck_assert_int_eq(got.modified_utc, LATER);
	db_event_release(&got);

	/* an insignificant one: the description; SEQUENCE stays */
	item_init(&it, "upd@test", "forum", "Forum (moved)", "second");
	ck_assert_int_eq(upsert1(&it, CARRIER_A, LATER + 60, 0, &refused), 0);
	ck_assert_int_eq(it.outcome, CAL_UPSERT_UPDATED);
	release1(&it);
	ck_assert_int_eq(db_event_get_by_uid(db, "upd@test", &got), 0);
	ck_assert_str_eq(got.description, "second");
	ck_assert_int_eq(got.sequence, 1);
	ck_assert_int_eq(got.revision, 3);
	db_event_release(&got);
	ck_assert_int_eq(db_count_rows(db, "event"), 1);
}
END_TEST

START_TEST(test_unchanged_reimport)
{
	struct cal_upsert_item it;
	struct db_event got;
	size_t refused = 99;
	int64_t id;

	item_init(&it, "same@test", "training", "Training", "x");
	ck_assert_int_eq(upsert1(&it, CARRIER_A, NOW, 0, &refused), 0);
	id = it.id;
	release1(&it);
	item_init(&it, "same@test", "training", "Training", "x");
	ck_assert_int_eq(upsert1(&it, CARRIER_A, LATER, 0, &refused), 0);
	ck_assert_uint_eq(refused, 0);
	ck_assert_int_eq(it.outcome, CAL_UPSERT_UNCHANGED);
	ck_assert_int_eq(it.id, id);
	release1(&it);
	ck_assert_int_eq(db_event_get_by_uid(db, "same@test", &got), 0);
	ck_assert_int_eq(got.sequence, 0);
	ck_assert_int_eq(got.revision, 1);
	ck_assert_int_eq(got.modified_utc, NOW);
	db_event_release(&got);
}
END_TEST

/* Another carrier holds the UID: this carrier's event is stored under the
 * alias, and the other carrier's event is untouched. */
START_TEST(test_uid_of_other_carrier_aliased)
{
	struct cal_upsert_item it;
	struct db_event got;
	size_t refused = 99;

	item_init(&it, "shared@test", "salon", "B's salon", NULL);
	ck_assert_int_eq(upsert1(&it, CARRIER_B, NOW, 0, &refused), 0);
	release1(&it);
	item_init(&it, "shared@test", "salon", "A's salon", NULL);
	ck_assert_int_eq(upsert1(&it, CARRIER_A, NOW, 0, &refused), 0);
	ck_assert_int_eq(it.outcome, CAL_UPSERT_CREATED);
	ck_assert_str_eq(it.file_uid, "shared@test");
	ck_assert_str_eq(it.ev.uid, "shared@test~" CARRIER_A);
	release1(&it);
	ck_assert_int_eq(db_event_get_by_uid(db, "shared@test", &got), 0);
	ck_assert_str_eq(got.carrier, CARRIER_B);
	ck_assert_str_eq(got.title, "B's salon");
	db_event_release(&got);
	/* a re-import finds A's event again under the alias */
	item_init(&it, "shared@test", "salon", "A's salon", NULL);
	ck_assert_int_eq(upsert1(&it, CARRIER_A, LATER, 0, &refused), 0);
	ck_assert_int_eq(it.outcome, CAL_UPSERT_UNCHANGED);
	release1(&it);
	ck_assert_int_eq(db_count_rows(db, "event"), 2);
}
END_TEST

/* Both the UID and its alias for this carrier are held by another
 * carrier: refused, and nothing of the import is stored. */
START_TEST(test_uid_owned_elsewhere_refused)
{
	struct cal_upsert_item it, two[2];
	size_t refused = 99;

	item_init(&it, "taken@test", "salon", "B", NULL);
	ck_assert_int_eq(upsert1(&it, CARRIER_B, NOW, 0, &refused), 0);
	release1(&it);
	item_init(&it, "taken@test~" CARRIER_A, "salon", "B too", NULL);
	ck_assert_int_eq(upsert1(&it, CARRIER_B, NOW, 0, &refused), 0);
	release1(&it);
	ck_assert_int_eq(db_count_rows(db, "event"), 2);

	item_init(&two[0], "fresh@test", "salon", "A fresh", NULL);
	item_init(&two[1], "taken@test", "salon", "A", NULL);
	ck_assert_int_eq(cal_import_upsert(db, two, 2, CARRIER_A, NULL,
					   "test", LATER, 0, &rules,
					   &refused), -EINVAL);
	ck_assert_uint_eq(refused, 1);
	ck_assert_int_eq(two[0].outcome, CAL_UPSERT_CREATED);
	ck_assert_int_eq(two[1].outcome, CAL_UPSERT_REFUSED);
	ck_assert_str_eq(two[1].code, "uid-unavailable");
	ck_assert_str_eq(two[1].property, "UID");
	ck_assert_str_eq(two[1].ev.uid, "taken@test");
	ck_assert_int_eq(two[1].id, 0);
	ck_assert_int_eq(db_count_rows(db, "event"), 2); /* rolled back */
	release1(&two[0]);
	release1(&two[1]);
}
END_TEST

START_TEST(test_no_kind_and_malformed_refused)
{
	struct cal_upsert_item v[3];
	size_t refused = 99;

	item_init(&v[0], "ok@test", "roadshow", "Fine", NULL);
	item_init(&v[1], "party@test", "party", "Not a kind", NULL);
	memset(&v[2], 0, sizeof(v[2]));
	v[2].malformed = 1;
	ck_assert_int_eq(cal_import_upsert(db, v, 3, CARRIER_A, NULL, "test",
					   NOW, 0, &rules, &refused), -EINVAL);
	ck_assert_uint_eq(refused, 2);
	ck_assert_str_eq(v[1].code, "no-kind");
	ck_assert_str_eq(v[1].property, "CATEGORIES");
	ck_assert_str_eq(v[2].code, "malformed");
	ck_assert_str_eq(v[2].detail, "event 3 is malformed");
	ck_assert_int_eq(db_count_rows(db, "event"), 0);
	release1(&v[0]);
	release1(&v[1]);
	release1(&v[2]);
}
END_TEST

START_TEST(test_dry_run_stores_nothing)
{
	struct cal_upsert_item v[2];
	size_t refused = 99;

	item_init(&v[0], "dry@test", "roadshow", "Dry", NULL);
	item_init(&v[1], "dry2@test", NULL, "No kind", NULL);
	ck_assert_int_eq(cal_import_upsert(db, v, 2, CARRIER_A, NULL, "test",
					   NOW, 1, &rules, &refused), 0);
	ck_assert_uint_eq(refused, 1);
	ck_assert_int_eq(v[0].outcome, CAL_UPSERT_CREATED);
	ck_assert_int_gt(v[0].id, 0);
	ck_assert_int_eq(v[1].outcome, CAL_UPSERT_REFUSED);
	ck_assert_int_eq(db_count_rows(db, "event"), 0);
	release1(&v[0]);
	release1(&v[1]);
}
END_TEST

static Suite *
upsert_suite(void)
{
	Suite *s = suite_create("import_upsert");
	struct {
		const char *name;
		const TTest *fn;
	} cases[] = {
		{ "insert", test_insert_new_uid },
		{ "default_kind", test_default_kind_applies },
		{ "update", test_update_bumps_sequence },
		{ "unchanged", test_unchanged_reimport },
		{ "alias", test_uid_of_other_carrier_aliased },
		{ "refused", test_uid_owned_elsewhere_refused },
		{ "no_kind", test_no_kind_and_malformed_refused },
		{ "dry_run", test_dry_run_stores_nothing },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_add(s, cases[i].name, cases[i].fn, setup, teardown);
	return s;
}

int
main(void)
{
	return ck_main(upsert_suite());
}
