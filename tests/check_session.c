/*
 * check_session: console log-in decisions (service/session.c), field error
 * codes and their Chinese texts (service/errcode.c), natural input
 * (service/natural.c, calendar/kind.c) and the account store
 * (db/account_store.c) on an in-memory database with the real migrations.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "calendar/kind.h"
#include "check_util.h"
#include "db/account_store.h"
#include "db/db.h"
#include "service/accounts.h"
#include "service/errcode.h"
#include "service/natural.h"
#include "service/session.h"

#define T0 1772330400		/* 2026-03-01T02:00:00Z */

/* ---- passwords ---- */

START_TEST(test_password_policy)
{
	ck_assert_int_eq(svc_password_acceptable("123456789"), -EINVAL);
	ck_assert_int_eq(svc_password_acceptable("1234567890"), 0);
	/* ten characters, thirty octets */
	ck_assert_int_eq(svc_password_acceptable("万州区创新创业活动节"), 0);
	ck_assert_int_eq(svc_password_acceptable("万州区创新创业活动"), -EINVAL);
	ck_assert_int_eq(svc_password_acceptable("abcdefghij\n"), -EINVAL);
	ck_assert_int_eq(svc_password_acceptable("abcdefghi\xff"), -EINVAL);
	ck_assert_int_eq(svc_password_acceptable(NULL), -EINVAL);
}
END_TEST

START_TEST(test_password_hash_verify)
{
	char h[128];

	ck_assert_int_eq(svc_password_hash("correct horse battery", h), 0);
	ck_assert_int_eq(strncmp(h, "$argon2id$", 10), 0);
	ck_assert_int_eq(svc_password_verify("correct horse battery", h), 1);
	ck_assert_int_eq(svc_password_verify("correct horse batterz", h), 0);
	ck_assert_int_eq(svc_password_verify("x", NULL), 0);
}
END_TEST

START_TEST(test_secret)
{
	char a[65], b[65];
	size_t i;

	ck_assert_int_eq(svc_secret_new(a), 0);
	ck_assert_int_eq(svc_secret_new(b), 0);
	ck_assert_uint_eq(strlen(a), 64);
	for (i = 0; i < 64; i++)
		ck_assert(strchr("0123456789abcdef", a[i]) != NULL);
	ck_assert_str_ne(a, b);
}
END_TEST

/* ---- cookies ---- */

START_TEST(test_cookie_value)
{
	char v[65];

	ck_assert_int_eq(svc_cookie_value("a=1; rsd_session=abc; b=2",
					  "rsd_session", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "abc");
	ck_assert_int_eq(svc_cookie_value("xrsd_session=abc",
					  "rsd_session", v, sizeof(v)),
			 -ENOENT);
	ck_assert_int_eq(svc_cookie_value("rsd_session=\"q\"",
					  "rsd_session", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "q");
	ck_assert_int_eq(svc_cookie_value(NULL, "rsd_session", v, sizeof(v)),
			 -ENOENT);
	ck_assert_int_eq(svc_cookie_value("rsd_session=0123456789",
					  "rsd_session", v, 5), -ENOENT);
}
END_TEST

START_TEST(test_cookie_format)
{
	char c[200];

	ck_assert_int_eq(svc_cookie_format(0, "abc", c, sizeof(c)), 0);
	ck_assert_str_eq(c, "rsd_session=abc; Path=/; HttpOnly;"
			 " SameSite=Strict");
	ck_assert_int_eq(svc_cookie_format(1, "abc", c, sizeof(c)), 0);
	ck_assert_str_eq(c, "__Host-rsd_session=abc; Path=/; Secure;"
			 " HttpOnly; SameSite=Strict");
	ck_assert_int_eq(svc_cookie_format(0, NULL, c, sizeof(c)), 0);
	ck_assert_str_eq(c, "rsd_session=; Path=/; Max-Age=0; HttpOnly;"
			 " SameSite=Strict");
	ck_assert_int_eq(svc_cookie_format(0, "abc", c, 10), -ENOSPC);
}
END_TEST

/* ---- origin and CSRF ---- */

START_TEST(test_origin_own)
{
	char o[320];

	ck_assert_int_eq(svc_origin_own("https://Events.Example.cn/rs/", NULL,
					 o, sizeof(o)), 0);
	ck_assert_str_eq(o, "https://events.example.cn");
	ck_assert_int_eq(svc_origin_own("https://x.cn:443", NULL, o,
					 sizeof(o)), 0);
	ck_assert_str_eq(o, "https://x.cn");
	ck_assert_int_eq(svc_origin_own(NULL, "127.0.0.1:8931", o,
					 sizeof(o)), 0);
	ck_assert_str_eq(o, "http://127.0.0.1:8931");
	ck_assert_int_eq(svc_origin_own(NULL, "h:80", o, sizeof(o)), 0);
	ck_assert_str_eq(o, "http://h");
	ck_assert_int_eq(svc_origin_own(NULL, NULL, o, sizeof(o)), -EINVAL);
	ck_assert_int_eq(svc_origin_own(NULL, "a@b", o, sizeof(o)), -EINVAL);
}
END_TEST

START_TEST(test_origin_matches)
{
	ck_assert_int_eq(svc_origin_matches("http://127.0.0.1:8931",
					    "http://127.0.0.1:8931"), 1);
	ck_assert_int_eq(svc_origin_matches("HTTP://127.0.0.1:8931",
					    "http://127.0.0.1:8931"), 1);
	ck_assert_int_eq(svc_origin_matches("https://x.cn:443",
					    "https://x.cn"), 1);
	ck_assert_int_eq(svc_origin_matches("http://evil.example",
					    "http://127.0.0.1:8931"), 0);
	ck_assert_int_eq(svc_origin_matches("http://127.0.0.1:8932",
					    "http://127.0.0.1:8931"), 0);
	ck_assert_int_eq(svc_origin_matches("https://127.0.0.1:8931",
					    "http://127.0.0.1:8931"), 0);
	ck_assert_int_eq(svc_origin_matches("null",
					    "http://127.0.0.1:8931"), 0);
	ck_assert_int_eq(svc_origin_matches("http://127.0.0.1:8931/x",
					    "http://127.0.0.1:8931"), 0);
	ck_assert_int_eq(svc_origin_matches(NULL, "http://h"), 0);
}
END_TEST

START_TEST(test_csrf_decide)
{
	const char *tok = "0123456789abcdef";

	ck_assert_int_eq(svc_csrf_decide("GET", NULL, tok, 0), 0);
	ck_assert_int_eq(svc_csrf_decide("HEAD", NULL, tok, 0), 0);
	ck_assert_int_eq(svc_csrf_decide("POST", tok, tok, 1), 0);
	ck_assert_int_eq(svc_csrf_decide("PATCH", tok, tok, 1), 0);
	ck_assert_int_eq(svc_csrf_decide("POST", NULL, tok, 1), -EPERM);
	ck_assert_int_eq(svc_csrf_decide("POST", tok, tok, 0), -EPERM);
	ck_assert_int_eq(svc_csrf_decide("DELETE", "0123456789abcdeF", tok,
					 1), -EPERM);
	ck_assert_int_eq(svc_csrf_decide("PUT", "0123", tok, 1), -EPERM);
	ck_assert_int_eq(svc_csrf_decide("POST", "", "", 1), -EPERM);
	ck_assert_int_eq(svc_method_unsafe("OPTIONS"), 0);
	ck_assert_int_eq(svc_method_unsafe("PUT"), 1);
}
END_TEST

/* ---- rate limit ---- */

START_TEST(test_ratelimit)
{
	static struct svc_ratelimit rl;
	int i;

	memset(&rl, 0, sizeof(rl));
	for (i = 0; i < 9; i++)
		svc_ratelimit_fail(&rl, "a:127.0.0.1", T0 + i);
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "a:127.0.0.1", T0 + 9), 0);
	svc_ratelimit_fail(&rl, "a:127.0.0.1", T0 + 9);
	/* ten failures from T0 to T0+9: blocked until T0+60 */
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "a:127.0.0.1", T0 + 9), 51);
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "a:127.0.0.1", T0 + 59), 1);
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "a:127.0.0.1", T0 + 60), 0);
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "u:alice", T0 + 9), 0);
	/* an eleventh failure at T0+60 blocks until T0+1+60 */
	svc_ratelimit_fail(&rl, "a:127.0.0.1", T0 + 60);
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "a:127.0.0.1", T0 + 60), 1);
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "a:127.0.0.1", T0 + 61), 0);
}
END_TEST

START_TEST(test_ratelimit_pending)
{
	static struct svc_ratelimit rl;
	int i;

	memset(&rl, 0, sizeof(rl));
	for (i = 0; i < 8; i++)
		svc_ratelimit_fail(&rl, "u:alice", T0);
	/* two attempts in flight fill the allowance */
	svc_ratelimit_begin(&rl, "u:alice", T0);
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "u:alice", T0), 0);
	svc_ratelimit_begin(&rl, "u:alice", T0);
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "u:alice", T0), 1);
	/* one succeeds: room again; the other fails: blocked 60 s */
	svc_ratelimit_end(&rl, "u:alice", T0, 0);
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "u:alice", T0), 0);
	svc_ratelimit_end(&rl, "u:alice", T0, 1);
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "u:alice", T0), 0);
	svc_ratelimit_fail(&rl, "u:alice", T0 + 5);
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "u:alice", T0 + 5), 55);
	/* a key seen only in flight */
	svc_ratelimit_begin(&rl, "a:192.0.2.9", T0);
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "a:192.0.2.9", T0), 0);
	svc_ratelimit_end(&rl, "a:192.0.2.9", T0, 0);
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "a:192.0.2.9", T0), 0);
}
END_TEST

START_TEST(test_ratelimit_full_table)
{
	static struct svc_ratelimit rl;
	char key[32];
	int i;

	memset(&rl, 0, sizeof(rl));
	/* the victim is the least recently used, but still in its window;
	 * the others' failures have left theirs */
	for (i = 0; i < 10; i++)
		svc_ratelimit_fail(&rl, "u:victim", T0 + 100);
	for (i = 0; i < SVC_RL_SLOTS - 1; i++) {
		snprintf(key, sizeof(key), "a:10.0.%d.%d", i / 256, i % 256);
		svc_ratelimit_fail(&rl, key, T0);
	}
	svc_ratelimit_fail(&rl, "a:192.0.2.1", T0 + 100);
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "u:victim", T0 + 100), 60);
	/* with every slot in its window, the least recently used goes */
	memset(&rl, 0, sizeof(rl));
	for (i = 0; i < 10; i++)
		svc_ratelimit_fail(&rl, "u:victim", T0);
	for (i = 0; i < SVC_RL_SLOTS - 1; i++) {
		snprintf(key, sizeof(key), "a:10.0.%d.%d", i / 256, i % 256);
		svc_ratelimit_fail(&rl, key, T0);
	}
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "u:victim", T0), 60);
	svc_ratelimit_fail(&rl, "a:192.0.2.1", T0);
	ck_assert_int_eq(svc_ratelimit_wait(&rl, "u:victim", T0), 0);
}
END_TEST

/* ---- Accept-Language ---- */

START_TEST(test_lang)
{
	ck_assert_int_eq(svc_lang_zh(NULL), 0);
	ck_assert_int_eq(svc_lang_zh(""), 0);
	ck_assert_int_eq(svc_lang_zh("zh-CN"), 1);
	ck_assert_int_eq(svc_lang_zh("zh"), 1);
	ck_assert_int_eq(svc_lang_zh("zh-Hans-CN"), 1);
	ck_assert_int_eq(svc_lang_zh("ZH-cn"), 1);
	ck_assert_int_eq(svc_lang_zh("zh-CN,zh;q=0.9,en;q=0.8"), 1);
	ck_assert_int_eq(svc_lang_zh("en-US,en;q=0.9,zh-CN;q=0.8"), 0);
	ck_assert_int_eq(svc_lang_zh("en;q=0.5, zh;q=0.6"), 1);
	ck_assert_int_eq(svc_lang_zh("en, zh"), 0);	/* tie: order */
	ck_assert_int_eq(svc_lang_zh("zh, en"), 1);
	ck_assert_int_eq(svc_lang_zh("zh;q=0"), 0);
	ck_assert_int_eq(svc_lang_zh("zhx"), 0);
	ck_assert_int_eq(svc_lang_zh("*"), 0);
	ck_assert_int_eq(svc_lang_zh("de;q=0.9, zh-TW;q=0.95"), 1);
}
END_TEST

/* ---- error codes ---- */

START_TEST(test_error_codes)
{
	static const struct {
		const char *field, *detail, *code;
	} t[] = {
		{ "kind", "is required", "required" },
		{ "title", "must not be empty", "required" },
		{ "kind", "'x' is not one of roadshow, salon", "unknown_kind" },
		{ "start", "must be an RFC 3339 date-time with offset, e.g."
		  " 2025-03-01T00:30:00+08:00", "bad_datetime" },
		{ "end", "must be after start", "end_before_start" },
		{ "end_date", "must be after start_date (the end date is"
		  " exclusive)", "end_before_start" },
		{ "carrier", "'x' is not a known carrier (GET"
		  " /api/v1/carriers)", "unknown_carrier" },
		{ "partner_regions", "item 0 is not a known region",
		  "unknown_region" },
		{ "status", "'x' is not one of TENTATIVE, CONFIRMED,"
		  " CANCELLED", "bad_status" },
		{ "rrule", "FREQ is required", "bad_rrule" },
		{ "rrule", "is 600 octets; at most 512", "too_long" },
		{ "title", "is 300 octets; at most 200", "too_long" },
		{ "url", "must be an absolute http or https URL", "bad_url" },
		{ "capacity", "must be an integer from 1 to 1000000, or null",
		  "bad_capacity" },
		{ "timezone", "'x' is not an IANA timezone name",
		  "bad_timezone" },
		{ "carrier", "this token may write only events of carrier"
		  " 'a', not 'b'", "not_your_carrier" },
		{ "start_date", "must be a date YYYY-MM-DD", "bad_date" },
		{ "title", "must be a string", "bad_type" },
		{ "foo", "is not a field of an event", "unknown_field" },
		/* the admin API's (issue 9) */
		{ "retired_from", "must be after the carrier's last event"
		  " (event 3 on 2025-03-05)", "retire_before_last_event" },
		{ "slug", "carrier 'x' exists (slugs are never reused)",
		  "slug_taken" },
		{ "slug", "must use only ASCII a-z, 0-9 and '-'", "bad_slug" },
		{ "kind", "must be one of maker_space, incubator", "bad_choice" },
		{ "level", "must be one of national, municipal", "bad_level" },
		{ "expires", "must be in the future", "expires_past" },
		{ "name", "must be text of 1 to 200 octets without control"
		  " characters", "bad_text" },
		{ "min", "must be an integer from 1 to 1000", "bad_number" },
		{ "whatever", "something new", "invalid" },
		{ NULL, NULL, "invalid" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_str_eq(svc_error_code(t[i].field, t[i].detail),
				 t[i].code);
}
END_TEST

START_TEST(test_error_zh)
{
	static const char *const codes[] = {
		"required", "unknown_kind", "bad_datetime", "end_before_start",
		"unknown_carrier", "unknown_region", "bad_status", "bad_rrule",
		"too_long", "bad_url", "bad_capacity", "bad_timezone",
		"not_your_carrier", "password_too_short", "invite_invalid",
		"csrf", "invalid",
	};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		ck_assert_ptr_nonnull(svc_error_zh(codes[i]));
	ck_assert_str_eq(svc_error_zh("end_before_start"),
			 "结束时间必须晚于开始时间");
	ck_assert_ptr_null(svc_error_zh("no-such-code"));
	ck_assert_str_eq(svc_field_zh("start"), "开始时间");
	ck_assert_str_eq(svc_field_zh("zzz"), "zzz");
}
END_TEST

START_TEST(test_problem_to_zh)
{
	json_t *p = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s}, {s:s, s:s,"
			      " s:s}]}", "title", "Invalid event", "detail",
			      "end: must be after start", "errors", "field",
			      "end", "code", "end_before_start", "detail",
			      "must be after start", "field", "x", "code",
			      "unknown-tzid", "detail", "TZID 'Foo' is"
			      " defined nowhere");

	svc_problem_to_zh(p, "validation-error");
	ck_assert_str_eq(json_string_value(json_object_get(p, "title")),
			 "输入有误");
	ck_assert_str_eq(json_string_value(json_object_get(p, "detail")),
			 "结束时间：结束时间必须晚于开始时间");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
			 json_object_get(p, "errors"), 0), "detail")),
			 "结束时间必须晚于开始时间");
	/* a code without Chinese text keeps its English detail */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
			 json_object_get(p, "errors"), 1), "detail")),
			 "TZID 'Foo' is defined nowhere");
	json_decref(p);
	/* a retire date keeps the English naming the last event in brackets */
	p = json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "detail", "x", "errors",
		      "field", "retired_from", "code",
		      "retire_before_last_event", "detail", "must be after the"
		      " carrier's last event (event 3 on 2025-03-05)");
	svc_problem_to_zh(p, "conflict");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(
			 json_object_get(p, "errors"), 0), "detail")),
			 "停用日期须晚于该载体最后一场活动的日期（must be after"
			 " the carrier's last event (event 3 on 2025-03-05)）");
	ck_assert_str_eq(json_string_value(json_object_get(p, "detail")),
			 "停用日期：停用日期须晚于该载体最后一场活动的日期");
	json_decref(p);
}
END_TEST

/* ---- natural input ---- */

START_TEST(test_ascii_punct)
{
	char *s = svc_ascii_punct("FREQ＝WEEKLY；BYDAY＝MO，WE");
	json_t *l;

	ck_assert_str_eq(s, "FREQ=WEEKLY;BYDAY=MO,WE");
	free(s);
	l = svc_split_list("dazhou，kaizhou；yunyang、 liangjiang-xinqu,,");
	ck_assert_uint_eq(json_array_size(l), 4);
	ck_assert_str_eq(json_string_value(json_array_get(l, 0)), "dazhou");
	ck_assert_str_eq(json_string_value(json_array_get(l, 1)), "kaizhou");
	ck_assert_str_eq(json_string_value(json_array_get(l, 2)), "yunyang");
	ck_assert_str_eq(json_string_value(json_array_get(l, 3)),
			 "liangjiang-xinqu");
	json_decref(l);
	l = svc_split_list("");
	ck_assert_uint_eq(json_array_size(l), 0);
	json_decref(l);
}
END_TEST

START_TEST(test_kind_names)
{
	ck_assert_str_eq(cal_kind_from_name("路演")->slug, "roadshow");
	ck_assert_str_eq(cal_kind_from_name("项目路演")->slug, "roadshow");
	ck_assert_str_eq(cal_kind_from_name("沙龙")->slug, "salon");
	ck_assert_str_eq(cal_kind_from_name("创业沙龙")->slug, "salon");
	ck_assert_str_eq(cal_kind_from_name("论坛")->slug, "forum");
	ck_assert_str_eq(cal_kind_from_name("培训")->slug, "training");
	ck_assert_str_eq(cal_kind_from_name("研讨")->slug, "seminar");
	ck_assert_str_eq(cal_kind_from_name("展览")->slug, "exhibition");
	ck_assert_str_eq(cal_kind_from_name("大赛")->slug, "competition");
	ck_assert_str_eq(cal_kind_from_name("competition")->slug,
			 "competition");
	ck_assert_ptr_null(cal_kind_from_name("路"));
	ck_assert_ptr_null(cal_kind_from_name(NULL));
}
END_TEST

/* ---- accounts ---- */

START_TEST(test_username_and_invite_url)
{
	char *url;

	ck_assert_int_eq(svc_username_valid("zhang.san@pinghu"), 0);
	ck_assert_int_eq(svc_username_valid("a"), 0);
	ck_assert_int_eq(svc_username_valid(""), -EINVAL);
	ck_assert_int_eq(svc_username_valid(NULL), -EINVAL);
	ck_assert_int_eq(svc_username_valid("a b"), -EINVAL);
	ck_assert_int_eq(svc_username_valid("张三"), -EINVAL);
	ck_assert_int_eq(svc_username_valid("a/b"), -EINVAL);
	ck_assert_int_eq(svc_username_valid(
		"0123456789012345678901234567890123456789012345678901234567890123"),
		0);
	ck_assert_int_eq(svc_username_valid(
		"01234567890123456789012345678901234567890123456789012345678901234"),
		-EINVAL);
	url = svc_invite_url("https://rs.example.cn", "abc");
	ck_assert_str_eq(url, "https://rs.example.cn/console/invite#token=abc");
	free(url);
}
END_TEST

START_TEST(test_account_json)
{
	char *c[] = { (char *)"pinghu-maker-space" };
	struct db_account a = { .username = (char *)"zhang",
				.role = (char *)"organiser", .carriers = c,
				.n_carriers = 1, .created_utc = T0 };
	json_t *o = svc_account_json(&a);
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

	ck_assert_str_eq(text, "{\"carriers\":[\"pinghu-maker-space\"],"
			 "\"created\":\"2026-03-01T02:00:00Z\","
			 "\"disabled\":false,\"last_login\":null,"
			 "\"password_set\":false,\"role\":\"organiser\","
			 "\"username\":\"zhang\"}");
	free(text);
	json_decref(o);
}
END_TEST

/* ---- account store ---- */

static struct db *db;

static void
setup_db(void)
{
	ck_assert_int_eq(db_open(":memory:", T0, &db), 0);
}

static void
teardown_db(void)
{
	db_close(db);
	db = NULL;
}

static int64_t
add_account(const char *name, const char *role, char **carriers, size_t n)
{
	struct db_account a = { .username = (char *)name, .role = (char *)role,
				.carriers = carriers, .n_carriers = n };
	int64_t id = 0;

	ck_assert_int_eq(db_account_insert(db, &a, T0, &id), 0);
	return id;
}

START_TEST(test_account_insert)
{
	char *two[] = { (char *)"taiyangniao-maker-space",
			(char *)"pinghu-maker-space" };
	char *bad[] = { (char *)"pinghu-maker-space",
			(char *)"no-such-carrier" };
	struct db_account a = { .username = (char *)"bob",
				.role = (char *)"organiser",
				.carriers = bad, .n_carriers = 2 }, got;
	int64_t id = 0, id2 = 0;

	id = add_account("alice", "organiser", two, 2);
	ck_assert_int_eq(db_account_get(db, "alice", &got, NULL), 0);
	ck_assert_int_eq(got.id, id);
	ck_assert_uint_eq(got.n_carriers, 2);
	ck_assert_str_eq(got.carriers[0], "pinghu-maker-space");	/* sorted */
	ck_assert_str_eq(got.carriers[1], "taiyangniao-maker-space");
	ck_assert_int_eq(got.has_password, 0);
	db_account_release(&got);
	/* an unknown carrier stores nothing */
	ck_assert_int_eq(db_account_insert(db, &a, T0, &id2), -EINVAL);
	ck_assert_int_eq(db_account_get(db, "bob", &got, NULL), -ENOENT);
	ck_assert_int_eq(db_count_rows(db, "account"), 1);
	ck_assert_int_eq(db_count_rows(db, "account_carrier"), 2);
	/* taken name; role/carrier shape */
	a.username = (char *)"alice";
	a.carriers = two;
	ck_assert_int_eq(db_account_insert(db, &a, T0, &id2), -EEXIST);
	a.username = (char *)"carol";
	a.n_carriers = 0;
	ck_assert_int_eq(db_account_insert(db, &a, T0, &id2), -EINVAL);
	a.role = (char *)"viewer";
	a.n_carriers = 1;
	ck_assert_int_eq(db_account_insert(db, &a, T0, &id2), -EINVAL);
	a.role = (char *)"root";
	a.n_carriers = 0;
	ck_assert_int_eq(db_account_insert(db, &a, T0, &id2), -EINVAL);
	ck_assert_int_eq(db_count_rows(db, "account"), 1);
}
END_TEST

START_TEST(test_invite_single_use_and_expiry)
{
	int64_t id = add_account("root", "admin", NULL, 0), got = 0;

	ck_assert_int_eq(db_invite_insert(db, id, "h1", T0, T0 + 100), 0);
	ck_assert_int_eq(db_invite_take(db, "h1", T0 + 100, &got), -ENOENT);
	ck_assert_int_eq(db_invite_take(db, "nope", T0, &got), -ENOENT);
	ck_assert_int_eq(db_invite_take(db, "h1", T0 + 99, &got), 0);
	ck_assert_int_eq(got, id);
	ck_assert_int_eq(db_invite_take(db, "h1", T0 + 99, &got), -ENOENT);
	/* a new invite ends the unused earlier one */
	ck_assert_int_eq(db_invite_insert(db, id, "h2", T0, T0 + 100), 0);
	ck_assert_int_eq(db_invite_insert(db, id, "h3", T0, T0 + 100), 0);
	ck_assert_int_eq(db_invite_take(db, "h2", T0, &got), -ENOENT);
	ck_assert_int_eq(db_invite_take(db, "h3", T0, &got), 0);
	ck_assert_int_eq(db_invite_insert(db, 999, "h4", T0, T0 + 1), -ENOENT);
}
END_TEST

START_TEST(test_session_idle_expiry)
{
	int64_t id = add_account("root", "admin", NULL, 0);
	struct db_account a;
	char csrf[65];

	ck_assert_int_eq(db_session_insert(db, "s1", id, "c1", T0), 0);
	ck_assert_int_eq(db_session_lookup(db, "s1", T0 + 3600,
					   SVC_SESSION_IDLE_S, &a, csrf), 0);
	ck_assert_str_eq(a.username, "root");
	ck_assert_str_eq(csrf, "c1");
	db_account_release(&a);
	/* seen at T0+3600: alive until 12 h after that */
	ck_assert_int_eq(db_session_lookup(db, "s1", T0 + 3600 + 43199,
					   SVC_SESSION_IDLE_S, &a, csrf), 0);
	db_account_release(&a);
	ck_assert_int_eq(db_session_lookup(db, "s1", T0 + 3600 + 43199 +
					   43200, SVC_SESSION_IDLE_S, &a,
					   csrf), -ENOENT);
	ck_assert_int_eq(db_count_rows(db, "account_session"), 0);
}
END_TEST

START_TEST(test_session_ends_with_account)
{
	int64_t id = add_account("root", "admin", NULL, 0);
	struct db_account a, upd;
	char csrf[65];

	ck_assert_int_eq(db_session_insert(db, "s1", id, "c1", T0), 0);
	ck_assert_int_eq(db_account_set_password(db, id, "$argon2id$x", T0),
			 0);
	ck_assert_int_eq(db_session_lookup(db, "s1", T0, 100, &a, csrf),
			 -ENOENT);
	ck_assert_int_eq(db_session_insert(db, "s2", id, "c2", T0), 0);
	ck_assert_int_eq(db_account_get(db, "root", &upd, NULL), 0);
	upd.disabled = 1;
	ck_assert_int_eq(db_account_update(db, &upd, T0), 0);
	db_account_release(&upd);
	ck_assert_int_eq(db_session_lookup(db, "s2", T0, 100, &a, csrf),
			 -ENOENT);
	ck_assert_int_eq(db_session_delete(db, "s2"), -ENOENT);
}
END_TEST

static Suite *
session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc;

	tc = tcase_create("passwords");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_password_policy);
	tcase_add_test(tc, test_password_hash_verify);
	tcase_add_test(tc, test_secret);
	suite_add_tcase(s, tc);
	tc = tcase_create("cookies");
	tcase_add_test(tc, test_cookie_value);
	tcase_add_test(tc, test_cookie_format);
	suite_add_tcase(s, tc);
	tc = tcase_create("csrf");
	tcase_add_test(tc, test_origin_own);
	tcase_add_test(tc, test_origin_matches);
	tcase_add_test(tc, test_csrf_decide);
	suite_add_tcase(s, tc);
	tc = tcase_create("ratelimit");
	tcase_add_test(tc, test_ratelimit);
	tcase_add_test(tc, test_ratelimit_full_table);
	tcase_add_test(tc, test_ratelimit_pending);
	suite_add_tcase(s, tc);
	ck_add(s, "language", test_lang, NULL, NULL);
	tc = tcase_create("error_codes");
	tcase_add_test(tc, test_error_codes);
	tcase_add_test(tc, test_error_zh);
	tcase_add_test(tc, test_problem_to_zh);
	suite_add_tcase(s, tc);
	tc = tcase_create("natural_input");
	tcase_add_test(tc, test_ascii_punct);
	tcase_add_test(tc, test_kind_names);
	suite_add_tcase(s, tc);
	tc = tcase_create("accounts");
	tcase_add_test(tc, test_username_and_invite_url);
	tcase_add_test(tc, test_account_json);
	suite_add_tcase(s, tc);
	tc = tcase_create("account_store");
	tcase_add_checked_fixture(tc, setup_db, teardown_db);
	tcase_add_test(tc, test_account_insert);
	tcase_add_test(tc, test_invite_single_use_and_expiry);
	tcase_add_test(tc, test_session_idle_expiry);
	tcase_add_test(tc, test_session_ends_with_account);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (svc_crypto_init() != 0)
		return EXIT_FAILURE;
	return ck_main(session_suite());
}
