/*
 * Unit tests for service/sbuf.c: appending with growth past 64 KiB,
 * formatted text, RFC 4180 CSV fields, and who owns the text after
 * sbuf_detach() and sbuf_release().
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_util.h"
#include "service/sbuf.h"

#define BIG 70000	/* octets: past 64 KiB (65536) */

static struct sbuf sb;

static void
setup(void)
{
	sbuf_init(&sb);
}

static void
teardown(void)
{
	sbuf_release(&sb);
}

/* sb is the empty buffer of sbuf_init(): "", nothing allocated. */
#define assert_empty()							\
	do {								\
		ck_assert_ptr_nonnull(sb.buf);				\
		ck_assert_str_eq(sb.buf, "");				\
		ck_assert_uint_eq(sb.len, 0);				\
		ck_assert_uint_eq(sb.alloc, 0);				\
	} while (0)

/* s as one CSV field appended to an empty buffer must read want. */
#define assert_csv(s, want)						\
	do {								\
		sbuf_release(&sb);					\
		ck_assert_int_eq(sbuf_add_csv(&sb, (s)), 0);		\
		ck_assert_str_eq(sb.buf, (want));			\
		ck_assert_uint_eq(sb.len, strlen(want));		\
	} while (0)

START_TEST(test_init_empty)
{
	assert_empty();
}
END_TEST

START_TEST(test_add_grows_past_64k)
{
	char chunk[1000];
	size_t i;

	memset(chunk, 'x', sizeof(chunk));
	for (i = 0; i < BIG / sizeof(chunk); i++) {
		chunk[0] = (char)('a' + i % 26);	/* marks each chunk */
		ck_assert_int_eq(sbuf_add(&sb, chunk, sizeof(chunk)), 0);
		ck_assert_uint_eq(sb.len, (i + 1) * sizeof(chunk));
		ck_assert_uint_gt(sb.alloc, sb.len);	/* room for NUL */
		ck_assert_int_eq(sb.buf[sb.len], '\0');
	}
	ck_assert_uint_eq(sb.len, BIG);
	ck_assert_uint_eq(strlen(sb.buf), BIG);
	ck_assert_uint_eq(sb.alloc, 131072);	/* 64 doubled to >= 70001 */
	for (i = 0; i < BIG / sizeof(chunk); i++) {
		ck_assert_int_eq(sb.buf[i * sizeof(chunk)], 'a' + i % 26);
		ck_assert_int_eq(sb.buf[i * sizeof(chunk) + 999], 'x');
	}
}
END_TEST

START_TEST(test_add_octets)
{
	/* sbuf_add copies len octets, NULs included. */
	ck_assert_int_eq(sbuf_add(&sb, "ab\0cd", 5), 0);
	ck_assert_uint_eq(sb.len, 5);
	ck_assert_int_eq(memcmp(sb.buf, "ab\0cd", 6), 0);
	ck_assert_uint_eq(sb.alloc, 64);

	/* Zero octets change nothing. */
	ck_assert_int_eq(sbuf_add(&sb, "zz", 0), 0);
	ck_assert_uint_eq(sb.len, 5);
	ck_assert_int_eq(sb.buf[5], '\0');
}
END_TEST

START_TEST(test_add_too_big)
{
	ck_assert_int_eq(sbuf_adds(&sb, "keep"), 0);
	/* A length that cannot be allocated: -ENOMEM, buffer as it was. */
	ck_assert_int_eq(sbuf_add(&sb, "x", SIZE_MAX / 2), -ENOMEM);
	ck_assert_int_eq(sbuf_add(&sb, "x", SIZE_MAX), -ENOMEM);
	ck_assert_str_eq(sb.buf, "keep");
	ck_assert_uint_eq(sb.len, 4);
	ck_assert_uint_eq(sb.alloc, 64);
}
END_TEST

START_TEST(test_adds)
{
	char *big = malloc(BIG + 1);
	size_t i;

	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(sbuf_adds(&sb, "id,title\r\n"), 0);
	ck_assert_int_eq(sbuf_adds(&sb, ""), 0);
	ck_assert_int_eq(sbuf_adds(&sb, "1,路演\r\n"), 0);
	ck_assert_str_eq(sb.buf, "id,title\r\n1,路演\r\n");
	ck_assert_uint_eq(sb.len, 10 + 2 + 6 + 2);	/* 路演: 6 octets */

	for (i = 0; i < BIG; i++)
		big[i] = (char)('0' + i % 10);
	big[BIG] = '\0';
	ck_assert_int_eq(sbuf_adds(&sb, big), 0);
	ck_assert_uint_eq(sb.len, 20 + BIG);
	ck_assert_str_eq(sb.buf + 20, big);
	free(big);
}
END_TEST

START_TEST(test_addf)
{
	char *big = malloc(BIG + 1);

	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(sbuf_addf(&sb, "%s_total %d\n", "events", 42), 0);
	ck_assert_int_eq(sbuf_addf(&sb, "%lld|%05.1f|%%\n",
				   (long long)1740760200, 2.5), 0);
	ck_assert_int_eq(sbuf_addf(&sb, "%s", ""), 0);
	ck_assert_str_eq(sb.buf, "events_total 42\n1740760200|002.5|%\n");
	ck_assert_uint_eq(sb.len, 16 + 19);

	/* One formatted piece larger than 64 KiB. */
	memset(big, 'q', BIG);
	big[BIG] = '\0';
	ck_assert_int_eq(sbuf_addf(&sb, "[%s]", big), 0);
	ck_assert_uint_eq(sb.len, 35 + 1 + BIG + 1);
	ck_assert_int_eq(sb.buf[35], '[');
	ck_assert_int_eq(sb.buf[36], 'q');
	ck_assert_int_eq(sb.buf[35 + BIG], 'q');
	ck_assert_str_eq(sb.buf + 35 + BIG + 1, "]");
	ck_assert_uint_eq(strlen(sb.buf), sb.len);
	ck_assert_uint_eq(sb.alloc, 131072);
	free(big);
}
END_TEST

START_TEST(test_csv_plain)
{
	assert_csv("plain", "plain");
	assert_csv("two words", "two words");		/* spaces: as is */
	assert_csv(" lead", " lead");
	assert_csv("路演", "路演");
	assert_csv("semi;colon", "semi;colon");
	assert_csv("", "");			/* an empty field */
	/* NULL is an empty field too: nothing appended. */
	sbuf_release(&sb);
	ck_assert_int_eq(sbuf_add_csv(&sb, NULL), 0);
	assert_empty();
}
END_TEST

START_TEST(test_csv_quoting)
{
	assert_csv("a,b", "\"a,b\"");
	assert_csv(",", "\",\"");
	assert_csv("say \"hi\"", "\"say \"\"hi\"\"\"");
	assert_csv("\"", "\"\"\"\"");
	assert_csv("\"\"", "\"\"\"\"\"\"");
	assert_csv("line1\r\nline2", "\"line1\r\nline2\"");
	assert_csv("a\nb", "\"a\nb\"");
	assert_csv("a\rb", "\"a\rb\"");
	assert_csv("x,\"y\"\n", "\"x,\"\"y\"\"\n\"");
}
END_TEST

START_TEST(test_csv_row)
{
	ck_assert_int_eq(sbuf_add_csv(&sb, "e1@roadshowd"), 0);
	ck_assert_int_eq(sbuf_adds(&sb, ","), 0);
	ck_assert_int_eq(sbuf_add_csv(&sb, "Roadshow, \"spring\""), 0);
	ck_assert_int_eq(sbuf_adds(&sb, ","), 0);
	ck_assert_int_eq(sbuf_add_csv(&sb, NULL), 0);
	ck_assert_int_eq(sbuf_adds(&sb, "\r\n"), 0);
	ck_assert_str_eq(sb.buf,
			 "e1@roadshowd,\"Roadshow, \"\"spring\"\"\",\r\n");
}
END_TEST

START_TEST(test_detach_ownership)
{
	char *s, *held;

	ck_assert_int_eq(sbuf_adds(&sb, "hello"), 0);
	held = sb.buf;
	s = sbuf_detach(&sb);
	ck_assert_ptr_eq(s, held);	/* the same storage, handed over */
	ck_assert_str_eq(s, "hello");
	assert_empty();			/* sb no longer refers to it */
	ck_assert_ptr_ne(sb.buf, s);

	/* sb is usable again and independent of s. */
	ck_assert_int_eq(sbuf_adds(&sb, "again"), 0);
	ck_assert_str_eq(sb.buf, "again");
	ck_assert_str_eq(s, "hello");
	free(s);				/* the caller's to free */
}
END_TEST

START_TEST(test_detach_empty)
{
	char *s = sbuf_detach(&sb);

	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	ck_assert_ptr_ne(s, sb.buf);	/* not the shared empty slot */
	assert_empty();
	free(s);

	/* Emptied with a release after use: "" as well. */
	ck_assert_int_eq(sbuf_adds(&sb, "x"), 0);
	sbuf_release(&sb);
	s = sbuf_detach(&sb);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(test_release)
{
	sbuf_release(&sb);		/* of an empty buffer: no-op */
	assert_empty();

	ck_assert_int_eq(sbuf_addf(&sb, "%d", 12345), 0);
	sbuf_release(&sb);
	assert_empty();
	sbuf_release(&sb);			/* twice: still fine */
	assert_empty();

	ck_assert_int_eq(sbuf_adds(&sb, "reuse"), 0);
	ck_assert_str_eq(sb.buf, "reuse");
	ck_assert_uint_eq(sb.len, 5);
}
END_TEST

static Suite *
sbuf_suite(void)
{
	Suite *s = suite_create("sbuf");

	ck_add(s, "init_empty", test_init_empty, setup, teardown);
	ck_add(s, "add_grows_past_64k", test_add_grows_past_64k, setup,
	       teardown);
	ck_add(s, "add_octets", test_add_octets, setup, teardown);
	ck_add(s, "add_too_big", test_add_too_big, setup, teardown);
	ck_add(s, "adds", test_adds, setup, teardown);
	ck_add(s, "addf", test_addf, setup, teardown);
	ck_add(s, "csv_plain", test_csv_plain, setup, teardown);
	ck_add(s, "csv_quoting", test_csv_quoting, setup, teardown);
	ck_add(s, "csv_row", test_csv_row, setup, teardown);
	ck_add(s, "detach_ownership", test_detach_ownership, setup, teardown);
	ck_add(s, "detach_empty", test_detach_empty, setup, teardown);
	ck_add(s, "release", test_release, setup, teardown);
	return s;
}

int
main(void)
{
	return ck_main(sbuf_suite());
}
