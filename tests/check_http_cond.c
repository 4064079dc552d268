/*
 * check_http_cond: conditional requests (service/http_cond.c, RFC 9110
 * §13.1): entity-tag lists with weak and strong comparison, and
 * If-Modified-Since.
 */
#include <errno.h>

#include <check.h>

#include "check_util.h"
#include "service/http_cond.h"

#define LM 1740787200		/* Sat, 01 Mar 2025 00:00:00 GMT */

START_TEST(test_if_none_match_lists)
{
	/* weak comparison: W/ matches the strong tag */
	ck_assert_int_eq(svc_if_none_match("W/\"a\", W/\"r7\"", "\"r7\""), 1);
	ck_assert_int_eq(svc_if_none_match("\"a\",\"r7\"", "\"r7\""), 1);
	ck_assert_int_eq(svc_if_none_match("\"a\" ,\t\"r7\" ", "\"r7\""), 1);
	ck_assert_int_eq(svc_if_none_match("*", "\"r7\""), 1);
	ck_assert_int_eq(svc_if_none_match("\"r70\", \"r\"", "\"r7\""), 0);
	ck_assert_int_eq(svc_if_none_match("\"r7\"x", "\"r7\""), 0);
	/* a malformed element is skipped, the next one still counts */
	ck_assert_int_eq(svc_if_none_match("junk, \"r7\"", "\"r7\""), 1);
	ck_assert_int_eq(svc_if_none_match("", "\"r7\""), 0);
	ck_assert_int_eq(svc_if_none_match(NULL, "\"r7\""), 0);
}
END_TEST

START_TEST(test_if_match_strong)
{
	ck_assert_int_eq(svc_if_match(NULL, "\"r3\""), 0);
	ck_assert_int_eq(svc_if_match("", "\"r3\""), 0);
	ck_assert_int_eq(svc_if_match("*", "\"r3\""), 0);
	ck_assert_int_eq(svc_if_match("\"r2\", \"r3\"", "\"r3\""), 0);
	/* mismatch: 412 */
	ck_assert_int_eq(svc_if_match("\"r2\"", "\"r3\""), -ESTALE);
	/* strong comparison: a weak tag is valid but never matches */
	ck_assert_int_eq(svc_if_match("W/\"r3\"", "\"r3\""), -ESTALE);
	ck_assert_int_eq(svc_if_match(" ", "\"r3\""), -ESTALE);
	/* not a list of entity-tags: 400 */
	ck_assert_int_eq(svc_if_match("r3", "\"r3\""), -EINVAL);
	ck_assert_int_eq(svc_if_match("\"r3", "\"r3\""), -EINVAL);
	ck_assert_int_eq(svc_if_match("\"r3\", r4", "\"r3\""), -EINVAL);
	ck_assert_int_eq(svc_if_match("*x", "\"r3\""), -EINVAL);
}
END_TEST

START_TEST(test_if_modified_since)
{
	ck_assert_int_eq(svc_if_modified_since(
		"Sat, 01 Mar 2025 00:00:00 GMT", LM), 1);	/* equal */
	ck_assert_int_eq(svc_if_modified_since(
		"Sat, 01 Mar 2025 00:00:01 GMT", LM), 1);	/* newer */
	ck_assert_int_eq(svc_if_modified_since(
		"Fri, 28 Feb 2025 23:59:59 GMT", LM), 0);	/* older */
	ck_assert_int_eq(svc_if_modified_since(
		"Sat, 01 Mar 2025 00:00:00 GMT junk", LM), 0);
	ck_assert_int_eq(svc_if_modified_since("2025-03-01", LM), 0);
	ck_assert_int_eq(svc_if_modified_since(NULL, LM), 0);
}
END_TEST

START_TEST(test_not_modified_decision)
{
	const char *d = "Sat, 01 Mar 2025 00:00:00 GMT";

	ck_assert_int_eq(svc_not_modified("W/\"e\"", NULL, "\"e\"", LM, 1), 1);
	/* If-None-Match decides when present, the date is not used */
	ck_assert_int_eq(svc_not_modified("\"x\"", d, "\"e\"", LM, 1), 0);
	ck_assert_int_eq(svc_not_modified(NULL, d, "\"e\"", LM, 1), 1);
	/* two changes in that second: the date names no single state */
	ck_assert_int_eq(svc_not_modified(NULL, d, "\"e\"", LM, 0), 0);
	ck_assert_int_eq(svc_not_modified(NULL, d, "\"e\"", 0, 1), 0);
	ck_assert_int_eq(svc_not_modified(NULL, NULL, "\"e\"", LM, 1), 0);
}
END_TEST

static Suite *
http_cond_suite(void)
{
	Suite *s = suite_create("http_cond");

	ck_add(s, "if_none_match", test_if_none_match_lists, NULL, NULL);
	ck_add(s, "if_match", test_if_match_strong, NULL, NULL);
	ck_add(s, "if_modified_since", test_if_modified_since, NULL, NULL);
	ck_add(s, "not_modified", test_not_modified_decision, NULL, NULL);
	return s;
}

int
main(void)
{
	return ck_main(http_cond_suite());
}
