/*
 * Unit tests for issue 13's limits: the RRULE work budget
 * (calendar/rrule_budget.c), exact Content-Type matching
 * (service/media_type.c), invisible characters (service/input_limits.c),
 * log paths without secrets (service/limits.c), the storage errno table
 * and the online backup (db/).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "calendar/caltime.h"
#include "calendar/rrule_budget.h"
#include "check_util.h"
#include "db/backup.h"
#include "db/db.h"
#include "db/db_internal.h"
#include "service/input_limits.h"
#include "service/limits.h"
#include "service/media_type.h"

#define COSTLY "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=0,1,2,3,4,5," \
	"6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,1,2," \
	"3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26," \
	"27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48," \
	"49,50,51,52,53,54,55,56,57,58,59;BYSECOND=0,1,2,3,4,5,6,7,8,9,10," \
	"11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32," \
	"33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54," \
	"55,56,57,58,59;COUNT=1000"

static void
setup(void)
{
	cal_init();
}

START_TEST(test_set_size)
{
	ck_assert_uint_eq(cal_rrule_set_size("FREQ=DAILY;COUNT=3"), 1);
	ck_assert_uint_eq(cal_rrule_set_size(
		"FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=3"), 3);
	ck_assert_uint_eq(cal_rrule_set_size(
		"FREQ=MONTHLY;BYDAY=MO,TU;COUNT=3"), 10);
	ck_assert_uint_eq(cal_rrule_set_size(
		"FREQ=MONTHLY;BYDAY=2TH;COUNT=3"), 1);
	ck_assert_uint_eq(cal_rrule_set_size("FREQ=YEARLY;BYDAY=MO;COUNT=3"),
			  53);
	ck_assert_uint_eq(cal_rrule_set_size(
		"FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;"
		"BYMONTHDAY=1,15;COUNT=3"), 24);
	ck_assert_uint_eq(cal_rrule_set_size(COSTLY), 604800);
	ck_assert_uint_eq(cal_rrule_set_size("garbage"), 0);
}
END_TEST

START_TEST(test_cost_check)
{
	char why[200];

	ck_assert_int_eq(cal_rrule_cost_check("FREQ=WEEKLY;BYDAY=MO,TU,WE,"
					      "TH,FR,SA,SU;BYHOUR=9,10,11,12,"
					      "13,14;COUNT=1000", why,
					      sizeof(why)), 0);
	ck_assert_int_eq(cal_rrule_cost_check(COSTLY, why, sizeof(why)),
			 -E2BIG);
	ck_assert_str_eq(why, "the BYxxx lists give up to 604800 candidate"
			 " occurrences in each FREQ period; at most 1000 are"
			 " allowed (shorten BYDAY, BYHOUR, BYMINUTE or"
			 " BYSECOND)");
}
END_TEST

static struct db_event
series(const char *rrule, int64_t start)
{
	struct db_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.uid = (char *)"t@x";
	ev.tzid = (char *)"Asia/Shanghai";
	ev.rrule = (char *)rrule;
	ev.start_utc = start;
	ev.end_utc = start + 3600;
	return ev;
}

START_TEST(test_check_series)
{
	char why[200];
	struct db_event ev = series("FREQ=YEARLY;COUNT=20",
				    7258118400); /* 2200-01-01T00:00Z */

	ck_assert_int_eq(cal_rrule_check_series(&ev, why, sizeof(why)),
			 -EINVAL);
	ck_assert_str_eq(why, "the series must end by 2200-12-31");
	ev = series("FREQ=YEARLY;COUNT=1", 7258118400);
	ck_assert_int_eq(cal_rrule_check_series(&ev, why, sizeof(why)), 0);
	ev = series("FREQ=DAILY;UNTIL=99991231T000000Z", 1740810600);
	ck_assert_int_eq(cal_rrule_check_series(&ev, why, sizeof(why)),
			 -EINVAL);
	ev = series(COSTLY, 1740810600);
	ck_assert_int_eq(cal_rrule_check_series(&ev, why, sizeof(why)),
			 -E2BIG);
}
END_TEST

START_TEST(test_media_type)
{
	static const char *const json[] = { "application/json", NULL };

	ck_assert_int_eq(svc_media_type_check("application/json", json), 0);
	ck_assert_int_eq(svc_media_type_check(" Application/JSON ", json), 0);
	ck_assert_int_eq(svc_media_type_check("application/json;charset=UTF-8",
					      json), 0);
	ck_assert_int_eq(svc_media_type_check(
		"application/json; charset=\"utf-8\"; x=y", json), 0);
	ck_assert_int_eq(svc_media_type_check("application/jsonx", json),
			 -ENOTSUP);
	ck_assert_int_eq(svc_media_type_check("application/json+x", json),
			 -ENOTSUP);
	ck_assert_int_eq(svc_media_type_check("application/json junk", json),
			 -ENOTSUP);
	ck_assert_int_eq(svc_media_type_check("application/json; charset=gbk",
					      json), -EILSEQ);
	ck_assert_int_eq(svc_media_type_check(
		"application/json; charset=\"latin1\"", json), -EILSEQ);
}
END_TEST

START_TEST(test_invisible)
{
	uint32_t cp = 0;

	ck_assert_int_eq(svc_text_has_invisible("路演 Roadshow 2025", &cp), 0);
	ck_assert_int_eq(svc_text_has_invisible("a\xe2\x80\xa8" "b", &cp), 1);
	ck_assert_uint_eq(cp, 0x2028);
	ck_assert_int_eq(svc_text_has_invisible("\xef\xbb\xbf" "x", &cp), 1);
	ck_assert_uint_eq(cp, 0xFEFF);
	ck_assert_int_eq(svc_text_has_invisible("a\xe2\x80\x8b", &cp), 1);
	ck_assert_uint_eq(cp, 0x200B);
	ck_assert_int_eq(svc_text_has_invisible("a\xc2\xad" "b", &cp), 1);
	ck_assert_uint_eq(cp, 0xAD);
	ck_assert_int_eq(svc_text_has_invisible("\xff", &cp), 1);
	ck_assert_uint_eq(cp, 0xFFFD);
	ck_assert_int_eq(svc_text_has_invisible(NULL, &cp), 0);
}
END_TEST

START_TEST(test_log_path)
{
	char out[256];

	svc_limits_log_path("/calendars/private/abc.ics", out, sizeof(out));
	ck_assert_str_eq(out, "/calendars/private/(secret).ics");
	svc_limits_log_path("//calendars/private/abc.ics", out, sizeof(out));
	ck_assert_str_eq(out, "//calendars/private/(secret).ics");
	svc_limits_log_path("/calendars//private/abc", out, sizeof(out));
	ck_assert_str_eq(out, "/calendars//private/(secret)");
	svc_limits_log_path("/calendar.ics", out, sizeof(out));
	ck_assert_str_eq(out, "/calendar.ics");
}
END_TEST

START_TEST(test_errno_table)
{
	ck_assert_int_eq(db_errno_of(SQLITE_OK), 0);
	ck_assert_int_eq(db_errno_of(SQLITE_DONE), 0);
	ck_assert_int_eq(db_errno_of(SQLITE_FULL), -ENOSPC);
	ck_assert_int_eq(db_errno_of(SQLITE_BUSY), -EBUSY);
	ck_assert_int_eq(db_errno_of(SQLITE_BUSY_SNAPSHOT), -EBUSY);
	ck_assert_int_eq(db_errno_of(SQLITE_READONLY), -EROFS);
	ck_assert_int_eq(db_errno_of(SQLITE_CONSTRAINT), -EINVAL);
	ck_assert_int_eq(db_errno_of(SQLITE_NOMEM), -ENOMEM);
	ck_assert_int_eq(db_errno_of(SQLITE_IOERR), -EIO);
	ck_assert_int_eq(db_errno_of(SQLITE_CORRUPT), -EIO);
}
END_TEST

/* SQLite's max_page_count makes SQLITE_FULL without filling a disk: the
 * insert answers -ENOSPC, stores nothing, and works again after room. */
START_TEST(test_full_is_enospc)
{
	static char desc[20000];
	struct db_event ev;
	struct db *db;
	int64_t id = 0, before;
	int i, rc = 0;

	memset(desc, 'd', sizeof(desc) - 1);
	ck_assert_int_eq(db_open(":memory:", 0, &db), 0);
	memset(&ev, 0, sizeof(ev));
	ev.kind = (char *)"roadshow";
	ev.title = (char *)"t";
	ev.description = desc;
	ev.tzid = (char *)"Asia/Shanghai";
	ev.status = (char *)"CONFIRMED";
	ev.start_utc = 1740810600;
	ev.end_utc = ev.start_utc + 3600;
	ck_assert_int_eq(db_exec(db, "PRAGMA max_page_count = 1"), 0);
	before = db_count_rows(db, "event");
	for (i = 0; i < 50 && rc == 0; i++) {
		char uid[32];

		snprintf(uid, sizeof(uid), "full-%d@x", i);
		ev.uid = uid;
		rc = db_event_insert(db, &ev, "admin", 0, &id);
	}
	ck_assert_int_eq(rc, -ENOSPC);
	ck_assert_int_eq(db_count_rows(db, "event"), before + i - 1);
	ck_assert_int_eq(db_exec(db, "PRAGMA max_page_count = 100000"), 0);
	ev.uid = (char *)"after@x";
	ck_assert_int_eq(db_event_insert(db, &ev, "admin", 0, &id), 0);
	db_close(db);
}
END_TEST

START_TEST(test_backup)
{
	char dir[] = "/tmp/roadshowd-check-XXXXXX", src[64], out[64];
	char why[256];
	struct db *db;
	struct stat st;
	sqlite3 *c;
	sqlite3_stmt *s;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/a.db", dir);
	snprintf(out, sizeof(out), "%s/b.db", dir);
	ck_assert_int_eq(db_open(src, 0, &db), 0);
	ck_assert_int_eq(db_backup(src, out, why, sizeof(why)), 0);
	ck_assert_int_eq(db_backup(src, out, why, sizeof(why)), -EEXIST);
	db_close(db);
	ck_assert_int_eq(stat(out, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(access(out, F_OK), 0);
	ck_assert_int_eq(sqlite3_open(out, &c), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(c, "SELECT count(*) FROM region",
					    -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_int_gt(sqlite3_column_int(s, 0), 10);
	sqlite3_finalize(s);
	sqlite3_close(c);
	snprintf(why, sizeof(why), "%s.tmp", out);
	ck_assert_int_ne(access(why, F_OK), 0);		/* no leftovers */
	ck_assert_int_eq(db_backup("/nonexistent/x.db", "/tmp/x", why,
				   sizeof(why)), -ENOENT);
	unlink(out);
	unlink(src);
	snprintf(why, sizeof(why), "%s-wal", src);
	unlink(why);
	snprintf(why, sizeof(why), "%s-shm", src);
	unlink(why);
	rmdir(dir);
}
END_TEST

static Suite *
limits_suite(void)
{
	const struct {
		const char *name;
		const TTest *test;
	} cases[] = {
		{ "rrule_set_size", test_set_size },
		{ "rrule_cost_check", test_cost_check },
		{ "rrule_check_series", test_check_series },
		{ "media_type", test_media_type },
		{ "invisible", test_invisible },
		{ "log_path", test_log_path },
		{ "errno_table", test_errno_table },
		{ "full_is_enospc", test_full_is_enospc },
		{ "backup", test_backup },
	};
	Suite *s = suite_create("limits");
	size_t i;

	/* Every case: 30 s, not Check's default 4 s. */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tcase_set_timeout(ck_add(s, cases[i].name, cases[i].test,
					 setup, NULL), 30);
	return s;
}

int
main(void)
{
	return ck_main(limits_suite());
}
