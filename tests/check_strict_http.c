/*
 * Unit tests for the request-head check of service/strict_http.c
 * (issue 13 item 4): what is refused with which status, field and code,
 * what is waited for, and where a good head ends.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_util.h"
#include "service/strict_http.h"

#define GET "GET /healthz HTTP/1.1\r\n"
#define POST "POST /api/v1/events HTTP/1.1\r\nHost: a\r\n"

static long
check(const char *s, struct svc_head_refusal *why)
{
	memset(why, 0, sizeof(*why));
	return svc_strict_check_head(s, strlen(s), why);
}

struct refused_case {
	const char *head;
	unsigned int status;
	const char *field;
	const char *code;
};

static const struct refused_case refused[] = {
	{ GET "Host: a\r\nX-A: a\r\n b\r\n\r\n", 400, "header", "obs_fold" },
	{ GET "Host: a\r\nX-A: a\r\n\tb\r\n\r\n", 400, "header", "obs_fold" },
	{ GET " X: y\r\nHost: a\r\n\r\n", 400, "header", "obs_fold" },
	{ GET "Host: a\r\nX-A: a\rb\r\n\r\n", 400, "header", "bare_cr" },
	{ GET "Host: a\r\nX-A: a\x01" "b\r\n\r\n", 400, "header",
	  "control_in_header" },
	{ GET "Host: a\r\nX-A: a\x7f\r\n\r\n", 400, "header",
	  "control_in_header" },
	{ "GET /healthz HTTP/1.1\nHost: a\n\n", 400, "request-line",
	  "bare_lf" },
	{ "GET /healthz HTTP/1.1\rHost: a\r\n\r\n", 400, "request-line",
	  "bare_cr" },
	{ GET "Host: a\nX: b\r\n\r\n", 400, "header", "bare_lf" },
	{ GET "Host: a\r\n\n", 400, "header", "bare_lf" },
	{ "\n" GET "Host: a\r\n\r\n", 400, "request-line", "bare_lf" },
	{ GET "\r\n", 400, "Host", "host_missing" },
	{ GET "Host: a\r\nhost: b\r\n\r\n", 400, "Host", "host_duplicate" },
	{ POST "Content-Length: abc\r\n\r\n", 400, "Content-Length",
	  "content_length_invalid" },
	{ POST "Content-Length: -1\r\n\r\n", 400, "Content-Length",
	  "content_length_invalid" },
	{ POST "Content-Length: 1, 2\r\n\r\n", 400, "Content-Length",
	  "content_length_invalid" },
	{ POST "Content-Length: 1 2\r\n\r\n", 400, "Content-Length",
	  "content_length_invalid" },
	{ POST "Content-Length:\r\n\r\n", 400, "Content-Length",
	  "content_length_invalid" },
	{ POST "Content-Length: 0x10\r\n\r\n", 400, "Content-Length",
	  "content_length_invalid" },
	{ POST "Content-Length: 1\r\ncontent-length: 1\r\n\r\n", 400,
	  "Content-Length", "content_length_duplicate" },
	{ POST "Content-Length: 9223372036854775808\r\n\r\n", 413,
	  "Content-Length", "content_length_too_large" },
	{ GET "Host : a\r\n\r\n", 400, "header", "space_before_colon" },
	{ GET "Host: a\r\nX-A\r\n\r\n", 400, "header", "header_line_invalid" },
	{ GET "Host: a\r\n: b\r\n\r\n", 400, "header", "header_line_invalid" },
	{ GET "Host: a\r\nX(A): b\r\n\r\n", 400, "header",
	  "header_line_invalid" },
	{ "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "request-line",
	  "request_line_invalid" },
	{ "GET  /a HTTP/1.1\r\nHost: a\r\n\r\n", 400, "request-line",
	  "request_line_invalid" },
	{ "GET /a\r\nHost: a\r\n\r\n", 400, "request-line",
	  "request_line_invalid" },
	{ "GET /a HTTP/1.1 \r\nHost: a\r\n\r\n", 400, "request-line",
	  "request_line_invalid" },
	{ "GET /a http/1.1\r\nHost: a\r\n\r\n", 400, "request-line",
	  "request_line_invalid" },
	{ "G\"T /a HTTP/1.1\r\nHost: a\r\n\r\n", 400, "request-line",
	  "request_line_invalid" },
	{ "GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400, "request-line",
	  "request_line_invalid" },
	{ "GET /a HTTP/2.0\r\nHost: a\r\n\r\n", 505, "request-line",
	  "http_version" },
};

START_TEST(test_refused)
{
	const struct refused_case *c = &refused[_i];
	struct svc_head_refusal why;

	ck_assert_int_eq(check(c->head, &why), -EBADMSG);
	ck_assert_uint_eq(why.status, c->status);
	ck_assert_str_eq(why.field, c->field);
	ck_assert_str_eq(why.code, c->code);
	ck_assert_ptr_nonnull(why.type);
	ck_assert_ptr_nonnull(why.detail);
}
END_TEST

START_TEST(test_nul)
{
	static const char head[] = GET "Host: a\r\nX-A: a\0b\r\n\r\n";
	static const char line[] = "GET /a\0 HTTP/1.1\r\nHost: a\r\n\r\n";
	struct svc_head_refusal why;

	ck_assert_int_eq(svc_strict_check_head(head, sizeof(head) - 1, &why),
			 -EBADMSG);
	ck_assert_str_eq(why.code, "nul_in_header");
	ck_assert_int_eq(svc_strict_check_head(line, sizeof(line) - 1, &why),
			 -EBADMSG);
	ck_assert_str_eq(why.code, "nul_in_request_line");
}
END_TEST

START_TEST(test_good)
{
	static const char *good[] = {
		GET "Host: a\r\n\r\n",
		"\r\n\r\n" GET "Host: a\r\n\r\n",
		"GET /healthz HTTP/1.0\r\n\r\n",
		GET "Host: a\r\nX-A:\r\nX-B: \t v \t\r\nX-C: caf\xc3\xa9\r\n\r\n",
		POST "Content-Length: 0\r\n\r\n",
		POST "Content-Length:  00012 \r\n\r\n",
		POST "Content-Length: 9223372036854775807\r\n\r\n",
		POST "Transfer-Encoding: chunked\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /a?b=%00 HTTP/1.1\r\nHost: a\r\n\r\n",
	};
	struct svc_head_refusal why;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_int_eq(check(good[i], &why), (long)strlen(good[i]));
}
END_TEST

START_TEST(test_head_ends_at_blank_line)
{
	static const char s[] = POST "Content-Length: 4\r\n\r\nbody"
		"GET / HTTP/1.1\nbad";
	struct svc_head_refusal why;

	ck_assert_int_eq(check(s, &why), (long)strlen(POST
			 "Content-Length: 4\r\n\r\n"));
}
END_TEST

START_TEST(test_more_needed)
{
	static const char *partial[] = {
		"", "\r", "\r\n", "G", "GET /healthz HTTP/1.1", GET "\r",
		GET "Host: a", GET "Host: a\r", GET "Host: a\r\n",
		GET "Host: a\r\n\r",
	};
	struct svc_head_refusal why;
	size_t i;

	for (i = 0; i < sizeof(partial) / sizeof(partial[0]); i++)
		ck_assert_int_eq(check(partial[i], &why), 0);
}
END_TEST

START_TEST(test_too_big)
{
	size_t n = SVC_HEAD_MAX;
	char *s = malloc(n);
	struct svc_head_refusal why;

	ck_assert_ptr_nonnull(s);
	memcpy(s, GET "X: ", strlen(GET "X: "));
	memset(s + strlen(GET "X: "), 'a', n - strlen(GET "X: "));
	ck_assert_int_eq(svc_strict_check_head(s, n - 1, &why), 0);
	ck_assert_int_eq(svc_strict_check_head(s, n, &why), -EMSGSIZE);
	ck_assert_uint_eq(why.status, 431);
	ck_assert_str_eq(why.code, "header_too_large");
	free(s);
}
END_TEST

static Suite *
strict_suite(void)
{
	Suite *s = suite_create("strict_http");
	TCase *tc = tcase_create("head");

	tcase_add_loop_test(tc, test_refused, 0,
			    (int)(sizeof(refused) / sizeof(refused[0])));
	tcase_add_test(tc, test_nul);
	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_head_ends_at_blank_line);
	tcase_add_test(tc, test_more_needed);
	tcase_add_test(tc, test_too_big);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return ck_main(strict_suite());
}
