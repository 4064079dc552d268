/*
 * check_db_helpers: the helpers every store of db/ shares (db_internal.h:
 * db_prepare, db_run, db_fetch_one, db_collect, db_rows_free, db_strdup,
 * db_col_strdup, db_split_list), and the small stores built on them
 * (rule_store, subscription_store, token_store) and the series exceptions
 * (event_series.c, event_value.c) through their public API.
 *
 * Fixtures open ":memory:" through db_open(): the real migrations and the
 * annex seed run for each test. The clock is injected (NOW).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_util.h"
#include "db/db.h"
#include "db/db_internal.h"

#define NOW	((int64_t)1740000000)	/* 2025-02-19T21:20:00Z */
#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" \
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static struct db *db;

static void
setup(void)
{
	db = NULL;
	ck_assert_int_eq(db_open(":memory:", NOW, &db), 0);
	ck_assert_int_eq(db_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY,"
				 " name TEXT UNIQUE)"), 0);
	ck_assert_int_eq(db_exec(db, "INSERT INTO t VALUES (1, 'one'),"
				 " (2, NULL), (3, 'three')"), 0);
}

static void
teardown(void)
{
	db_close(db);
	db = NULL;
}

/* ---- a row type over table t ---- */

struct row {
	int64_t id;
	char *name;
};

static int released;		/* calls of row_release() */
static int fail_at_id;		/* row_from() answers -ENOMEM at this id */

static int
row_from(sqlite3_stmt *st, void *elem)
{
	struct row *r = elem;
	int oom = 0;

	ck_assert_int_eq(r->id, 0);		/* handed over zeroed */
	ck_assert_ptr_null(r->name);
	r->id = sqlite3_column_int64(st, 0);
	r->name = db_col_strdup(st, 1, &oom);
	if (r->id == fail_at_id)
		oom = 1;
	return oom ? -ENOMEM : 0;
}

static void
row_release(void *elem)
{
	struct row *r = elem;

	free(r->name);
	memset(r, 0, sizeof(*r));
	released++;
}

static const struct db_row_type rows = {
	sizeof(struct row), row_from, row_release,
};

static sqlite3_stmt *
select_t(const char *sql)
{
	sqlite3_stmt *st = NULL;

	ck_assert_int_eq(db_prepare(db, sql, &st), 0);
	ck_assert_ptr_nonnull(st);
	return st;
}

START_TEST(test_strdup)
{
	int oom = 0;
	char *s = db_strdup("路演", &oom);

	ck_assert_str_eq(s, "路演");
	ck_assert_int_eq(oom, 0);
	free(s);
	ck_assert_ptr_null(db_strdup(NULL, &oom));
	ck_assert_int_eq(oom, 0);		/* NULL is not a failure */
	oom = 1;
	s = db_strdup("x", &oom);
	ck_assert_int_eq(oom, 1);		/* never cleared */
	free(s);
}
END_TEST

START_TEST(test_split_list)
{
	char **v = NULL;
	size_t n = 9;

	ck_assert_int_eq(db_split_list("dazhou,kaizhou,yunyang", &v, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(v[0], "dazhou");
	ck_assert_str_eq(v[1], "kaizhou");
	ck_assert_str_eq(v[2], "yunyang");
	while (n)
		free(v[--n]);
	free(v);
	ck_assert_int_eq(db_split_list("one", &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0], "one");
	free(v[0]);
	free(v);
	ck_assert_int_eq(db_split_list("", &v, &n), 0);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);
	n = 5;
	ck_assert_int_eq(db_split_list(NULL, &v, &n), 0);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_prepare_error)
{
	sqlite3_stmt *st = (sqlite3_stmt *)&st;	/* not NULL before */

	ck_assert_int_eq(db_prepare(db, "SELECT nope FROM nowhere", &st), -EIO);
	ck_assert_ptr_null(st);
	ck_assert_int_eq(db_run(NULL), -EIO);
	ck_assert_int_eq(db_collect(NULL, &rows, (void **)&st, &(size_t){ 0 }),
			 -EIO);
}
END_TEST

START_TEST(test_fetch_one)
{
	struct row r = { 7, NULL };
	sqlite3_stmt *st;

	released = 0;
	fail_at_id = 0;
	st = select_t("SELECT id, name FROM t WHERE id = ?1");
	sqlite3_bind_int64(st, 1, 3);
	ck_assert_int_eq(db_fetch_one(st, &rows, &r), 0);
	ck_assert_int_eq(r.id, 3);
	ck_assert_str_eq(r.name, "three");
	row_release(&r);

	st = select_t("SELECT id, name FROM t WHERE id = ?1");
	sqlite3_bind_int64(st, 1, 2);
	ck_assert_int_eq(db_fetch_one(st, &rows, &r), 0);
	ck_assert_int_eq(r.id, 2);
	ck_assert_ptr_null(r.name);		/* SQL NULL */

	r.id = 7;
	st = select_t("SELECT id, name FROM t WHERE id = ?1");
	sqlite3_bind_int64(st, 1, 4);
	ck_assert_int_eq(db_fetch_one(st, &rows, &r), -ENOENT);
	ck_assert_int_eq(r.id, 0);		/* zeroed */

	/* the row type's -ENOMEM: the helper releases the element */
	released = 0;
	fail_at_id = 1;
	st = select_t("SELECT id, name FROM t WHERE id = 1");
	ck_assert_int_eq(db_fetch_one(st, &rows, &r), -ENOMEM);
	ck_assert_int_eq(released, 1);
	ck_assert_int_eq(r.id, 0);
	ck_assert_ptr_null(r.name);
	ck_assert_int_eq(db_fetch_one(NULL, &rows, &r), -EIO);
}
END_TEST

START_TEST(test_collect)
{
	struct row *v = NULL;
	size_t n = 9;

	fail_at_id = 0;
	ck_assert_int_eq(db_collect(select_t("SELECT id, name FROM t"
					     " ORDER BY id DESC"), &rows,
				    (void **)&v, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(v[0].id, 3);
	ck_assert_str_eq(v[0].name, "three");
	ck_assert_ptr_null(v[1].name);
	ck_assert_str_eq(v[2].name, "one");
	released = 0;
	db_rows_free(&rows, v, n);
	ck_assert_int_eq(released, 3);
	db_rows_free(&rows, NULL, 0);		/* no-op */

	ck_assert_int_eq(db_collect(select_t("SELECT id, name FROM t"
					     " WHERE id > 9"), &rows,
				    (void **)&v, &n), 0);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);

	/* failing at the third row: the two before are released, nothing
	 * is returned */
	released = 0;
	fail_at_id = 3;
	ck_assert_int_eq(db_collect(select_t("SELECT id, name FROM t"
					     " ORDER BY id"), &rows,
				    (void **)&v, &n), -ENOMEM);
	ck_assert_int_eq(released, 3);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_run)
{
	sqlite3_stmt *st;

	st = select_t("INSERT INTO t(id, name) VALUES (4, ?1)");
	sqlite3_bind_text(st, 1, "four", -1, SQLITE_STATIC);
	ck_assert_int_eq(db_run(st), 0);
	ck_assert_int_eq(sqlite3_changes(db->conn), 1);
	ck_assert_int_eq(sqlite3_last_insert_rowid(db->conn), 4);
	st = select_t("INSERT INTO t(id, name) VALUES (5, 'one')");
	ck_assert_int_eq(db_run(st), -EINVAL);	/* UNIQUE constraint */
}
END_TEST

/* ---- rule_store ---- */

static struct db_rule
rule(const char *id, const char *active_from, const char *active_to)
{
	struct db_rule r;

	memset(&r, 0, sizeof(r));
	r.id = (char *)id;
	r.name = (char *)"月月有沙龙";
	r.kinds = (char *)"salon";
	r.period = (char *)"month";
	r.min_count = 2;
	r.scope = (char *)"region";
	r.active_from = (char *)active_from;
	r.active_to = (char *)active_to;
	return r;
}

START_TEST(test_rule_versions)
{
	struct db_rule r = rule("monthly-salon", "2025-01-01", NULL), *v;
	size_t n;

	ck_assert_int_eq(db_rule_create(db, &r, "admin:token-1", NOW), 0);
	ck_assert_int_eq(db_rule_create(db, &r, "admin:token-1", NOW),
			 -EEXIST);
	ck_assert_int_eq(db_rule_create(db, &r, NULL, NOW), -EINVAL);
	r.min_count = 3;
	ck_assert_int_eq(db_rule_change(db, "monthly-salon", &r,
					"2025-04-01", "user:alice", NOW + 1),
			 0);
	ck_assert_int_eq(db_rule_change(db, "no-such-rule", &r, "2025-04-01",
					"user:alice", NOW + 1), -ENOENT);
	ck_assert_int_eq(db_rules_list(db, &v, &n), 0);
	ck_assert_uint_eq(n, 5);		/* three seeded, two versions */
	ck_assert_str_eq(v[0].id, "monthly-roadshow");
	ck_assert_str_eq(v[0].actor, "seed");
	ck_assert_str_eq(v[3].id, "monthly-salon");
	ck_assert_str_eq(v[3].active_from, "2025-01-01");
	ck_assert_str_eq(v[3].active_to, "2025-04-01");
	ck_assert_int_eq(v[3].min_count, 2);
	/* versions count within their rule: 1, 1, 1, then 1 and 2 */
	ck_assert_int_eq(v[0].version, 1);
	ck_assert_int_eq(v[2].version, 1);
	ck_assert_int_eq(v[3].version, 1);
	ck_assert_int_eq(v[4].version, 2);
	ck_assert_str_eq(v[4].active_from, "2025-04-01");
	ck_assert_ptr_null(v[4].active_to);
	ck_assert_int_eq(v[4].min_count, 3);
	ck_assert_str_eq(v[4].actor, "user:alice");
	ck_assert_int_eq(v[4].created_utc, NOW + 1);
	db_rules_free(v, n);

	/* a change from the live version's own start rewrites it */
	r.min_count = 4;
	ck_assert_int_eq(db_rule_change(db, "monthly-salon", &r,
					"2025-04-01", "user:bob", NOW + 2), 0);
	ck_assert_int_eq(db_rules_list(db, &v, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(v[4].min_count, 4);
	ck_assert_str_eq(v[4].actor, "user:bob");
	db_rules_free(v, n);

	ck_assert_int_eq(db_rule_retire(db, "monthly-salon", "2025-04-01",
					"user:bob", NOW + 3), -EINVAL);
	ck_assert_int_eq(db_rule_retire(db, "monthly-salon", "2025-07-01",
					"user:bob", NOW + 3), 0);
	ck_assert_int_eq(db_rule_retire(db, "monthly-salon", "2025-08-01",
					"user:bob", NOW + 3), -ENOENT);
	/* retired, the id stays taken */
	ck_assert_int_eq(db_rule_create(db, &r, "admin:token-1", NOW),
			 -EEXIST);
	ck_assert_int_eq(db_rules_list(db, &v, &n), 0);
	ck_assert_str_eq(v[4].active_to, "2025-07-01");
	db_rules_free(v, n);
}
END_TEST

/* ---- subscription_store ---- */

START_TEST(test_subscriptions)
{
	struct db_subscription s, got, *v;
	int64_t id = 0, id2 = 0;
	char ua[300];
	size_t n;

	memset(&s, 0, sizeof(s));
	s.label = (char *)"万州 roadshows";
	s.kind = (char *)"roadshow";
	ck_assert_int_eq(db_subscription_insert(db, HASH_A, &s, NOW, &id), 0);
	ck_assert_int_eq(db_subscription_insert(db, HASH_A, &s, NOW, &id2),
			 -EEXIST);
	s.label = NULL;
	ck_assert_int_eq(db_subscription_insert(db, HASH_B, &s, NOW, &id2),
			 -EINVAL);
	ck_assert_int_eq(db_subscription_lookup(db, HASH_B, &got), -ENOENT);
	ck_assert_int_eq(db_subscription_lookup(db, HASH_A, &got), 0);
	ck_assert_int_eq(got.id, id);
	ck_assert_str_eq(got.label, "万州 roadshows");
	ck_assert_str_eq(got.kind, "roadshow");
	ck_assert_ptr_null(got.region);
	ck_assert_int_eq(got.fetch_count, 0);
	ck_assert_ptr_null(got.last_user_agent);
	db_subscription_release(&got);

	memset(ua, 'u', sizeof(ua) - 1);
	ua[sizeof(ua) - 1] = '\0';
	ck_assert_int_eq(db_subscription_touch(db, id, NOW + 60, ua), 0);
	ck_assert_int_eq(db_subscription_touch(db, id + 99, NOW, NULL), 0);
	ck_assert_int_eq(db_subscriptions_list(db, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0].fetch_count, 1);
	ck_assert_int_eq(v[0].last_fetch_utc, NOW + 60);
	ck_assert_uint_eq(strlen(v[0].last_user_agent), 256);
	db_subscriptions_free(v, n);

	ck_assert_int_eq(db_subscription_revoke(db, id, NOW + 120), 0);
	ck_assert_int_eq(db_subscription_revoke(db, id, NOW + 120), -ENOENT);
	ck_assert_int_eq(db_subscription_lookup(db, HASH_A, &got), -ENOENT);
}
END_TEST

/* ---- token_store ---- */

START_TEST(test_token_get_expiry_revoke)
{
	struct db_token t;
	char *role, *carrier;
	int64_t id = 0, found = 0;

	ck_assert_int_eq(db_token_insert(db, HASH_A, "organiser",
					 "pinghu-maker-space", "ci", NOW, &id),
			 0);
	ck_assert_int_eq(db_token_insert(db, HASH_A, "admin", NULL, NULL, NOW,
					 NULL), -EINVAL);	/* digest taken */
	ck_assert_int_eq(db_token_get(db, id, &t), 0);
	ck_assert_str_eq(t.role, "organiser");
	ck_assert_str_eq(t.carrier, "pinghu-maker-space");
	ck_assert_str_eq(t.label, "ci");
	ck_assert_int_eq(t.created_utc, NOW);
	ck_assert_int_eq(t.expires_utc, 0);
	db_token_release(&t);

	ck_assert_int_eq(db_token_set_expiry(db, id, NOW + 3600), 0);
	ck_assert_int_eq(db_token_get(db, id, &t), 0);
	ck_assert_int_eq(t.expires_utc, NOW + 3600);
	db_token_release(&t);
	ck_assert_int_eq(db_token_set_expiry(db, id, 0), 0);
	ck_assert_int_eq(db_token_get(db, id, &t), 0);
	ck_assert_int_eq(t.expires_utc, 0);
	db_token_release(&t);
	ck_assert_int_eq(db_token_set_expiry(db, id + 1, 0), -ENOENT);
	ck_assert_int_eq(db_token_get(db, id + 1, &t), -ENOENT);

	ck_assert_int_eq(db_token_lookup(db, HASH_A, &role, &carrier, &found),
			 0);
	ck_assert_int_eq(found, id);
	ck_assert_str_eq(role, "organiser");
	ck_assert_str_eq(carrier, "pinghu-maker-space");
	free(role);
	free(carrier);

	/* revoked at time 0 is still revoked */
	ck_assert_int_eq(db_token_revoke(db, id, 0), 0);
	ck_assert_int_eq(db_token_revoke(db, id, 0), -ENOENT);
	ck_assert_int_eq(db_token_lookup(db, HASH_A, &role, &carrier, NULL),
			 -ENOENT);
	ck_assert_ptr_null(role);
	ck_assert_ptr_null(carrier);
}
END_TEST

/* ---- event_series and event_value ---- */

#define T0	((int64_t)1740760200)	/* 2025-02-28T16:30:00Z */
#define WEEK	((int64_t)7 * 86400)

static void
series(struct db_event *ev, const char *uid)
{
	memset(ev, 0, sizeof(*ev));
	ev->uid = strdup(uid);
	ev->kind = strdup("salon");
	ev->title = strdup("创业沙龙");
	ev->tzid = strdup("Asia/Shanghai");
	ev->status = strdup("CONFIRMED");
	ev->rrule = strdup("FREQ=WEEKLY;COUNT=6");
	ev->start_utc = T0;
	ev->end_utc = T0 + 7200;
	ck_assert_ptr_nonnull(ev->rrule);
}

START_TEST(test_event_exceptions)
{
	struct db_event ev, got, cp;
	struct db_event_list l;
	struct db_override *o;
	int64_t id = 0, id2 = 0;

	series(&ev, "s1@roadshowd");
	/* out of order and repeated: kept ascending, once */
	ck_assert_int_eq(db_event_add_exdate(&ev, T0 + 3 * WEEK), 0);
	ck_assert_int_eq(db_event_add_exdate(&ev, T0 + WEEK), 0);
	ck_assert_int_eq(db_event_add_exdate(&ev, T0 + 3 * WEEK), 0);
	ck_assert_uint_eq(ev.n_exdates, 2);
	ck_assert_int_eq(ev.exdates[0], T0 + WEEK);
	ck_assert_int_eq(db_event_add_rdate(&ev, T0 + 86400), 0);
	ck_assert_int_eq(db_event_add_rdate(&ev, T0 + 86400), 0);
	ck_assert_uint_eq(ev.n_rdates, 1);
	ev.overrides = calloc(1, sizeof(*ev.overrides));
	ck_assert_ptr_nonnull(ev.overrides);
	ev.n_overrides = 1;
	o = &ev.overrides[0];
	o->recurrence_utc = T0 + 2 * WEEK;
	o->start_utc = T0 + 2 * WEEK + 3600;
	o->end_utc = T0 + 2 * WEEK + 7200;
	o->venue = strdup("三峡创客驿站");
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id), 0);

	ck_assert_int_eq(db_event_get(db, id, &got), 0);
	ck_assert_uint_eq(got.n_exdates, 2);
	ck_assert_int_eq(got.exdates[0], T0 + WEEK);
	ck_assert_int_eq(got.exdates[1], T0 + 3 * WEEK);
	ck_assert_uint_eq(got.n_rdates, 1);
	ck_assert_int_eq(got.rdates[0], T0 + 86400);
	ck_assert_uint_eq(got.n_overrides, 1);
	ck_assert_int_eq(got.overrides[0].recurrence_utc, T0 + 2 * WEEK);
	ck_assert_int_eq(got.overrides[0].start_utc, T0 + 2 * WEEK + 3600);
	ck_assert_str_eq(got.overrides[0].venue, "三峡创客驿站");
	ck_assert_ptr_null(got.overrides[0].title);	/* inherits */
	ck_assert_ptr_null(got.overrides[0].status);

	/* a deep copy owns its own exceptions */
	ck_assert_int_eq(db_event_copy(&cp, &got), 0);
	db_event_release(&got);
	ck_assert_uint_eq(cp.n_exdates, 2);
	ck_assert_int_eq(cp.exdates[1], T0 + 3 * WEEK);
	ck_assert_int_eq(cp.rdates[0], T0 + 86400);
	ck_assert_str_eq(cp.overrides[0].venue, "三峡创客驿站");

	/* an update replaces the exceptions */
	free(cp.exdates);
	cp.exdates = NULL;
	cp.n_exdates = 0;
	ck_assert_int_eq(db_event_add_exdate(&cp, T0 + 4 * WEEK), 0);
	ck_assert_int_eq(db_event_update(db, &cp, 0, "admin", NOW + 1), 0);
	db_event_release(&cp);

	/* a second series without overrides; the list loads both series'
	 * overrides in one query, each on its own event */
	db_event_release(&ev);
	series(&ev, "s2@roadshowd");
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", NOW, &id2), 0);
	db_event_release(&ev);
	ck_assert_int_eq(db_event_list(db, NULL, &l), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_int_eq(l.items[0].id, id);
	ck_assert_uint_eq(l.items[0].n_exdates, 1);
	ck_assert_int_eq(l.items[0].exdates[0], T0 + 4 * WEEK);
	ck_assert_uint_eq(l.items[0].n_overrides, 1);
	ck_assert_str_eq(l.items[0].overrides[0].venue, "三峡创客驿站");
	ck_assert_int_eq(l.items[1].id, id2);
	ck_assert_uint_eq(l.items[1].n_overrides, 0);
	ck_assert_ptr_null(l.items[1].overrides);
	db_event_list_free(&l);
	ck_assert_ptr_null(l.items);
	ck_assert_int_eq(db_count_rows(db, "event_override"), 1);
	ck_assert_int_eq(db_count_rows(db, "event_exdate"), 1);

	/* a hard delete takes the exceptions with it */
	ck_assert_int_eq(db_event_delete(db, id, "admin", NOW + 2), 0);
	ck_assert_int_eq(db_count_rows(db, "event_override"), 0);
	ck_assert_int_eq(db_count_rows(db, "event_exdate"), 0);
	ck_assert_int_eq(db_event_history_count(db, id), 3);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("db_helpers");

	ck_add(s, "strdup", test_strdup, setup, teardown);
	ck_add(s, "split_list", test_split_list, setup, teardown);
	ck_add(s, "prepare_error", test_prepare_error, setup, teardown);
	ck_add(s, "fetch_one", test_fetch_one, setup, teardown);
	ck_add(s, "collect", test_collect, setup, teardown);
	ck_add(s, "run", test_run, setup, teardown);
	ck_add(s, "rule_versions", test_rule_versions, setup, teardown);
	ck_add(s, "subscriptions", test_subscriptions, setup, teardown);
	ck_add(s, "token_get_expiry_revoke", test_token_get_expiry_revoke,
	       setup, teardown);
	ck_add(s, "event_exceptions", test_event_exceptions, setup, teardown);
	return ck_main(s);
}
