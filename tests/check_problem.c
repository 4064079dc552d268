/*
 * check_problem: the problem table (service/problem.c): enum -> status,
 * type, title in English and Chinese; slugs; the errno mapping.
 */
#include <errno.h>

#include <check.h>

#include "check_util.h"
#include "service/problem.h"

START_TEST(test_rows)
{
	const struct svc_problem_type *t;

	t = svc_problem_type(SVC_PROB_NOT_FOUND);
	ck_assert_uint_eq(t->status, 404);
	ck_assert_str_eq(t->type, "not-found");
	ck_assert_str_eq(t->title, "Not Found");
	ck_assert_str_eq(t->title_zh, "未找到");
	t = svc_problem_type(SVC_PROB_TOO_LARGE);
	ck_assert_uint_eq(t->status, 413);
	ck_assert_str_eq(t->type, "too-large");
	ck_assert_str_eq(t->title, "Content Too Large");
	t = svc_problem_type(SVC_PROB_METHOD_NOT_ALLOWED);
	ck_assert_uint_eq(t->status, 405);
	ck_assert_str_eq(t->title, "Method Not Allowed");
	t = svc_problem_type(SVC_PROB_DATABASE_LOCKED);
	ck_assert_uint_eq(t->status, 503);
	ck_assert_str_eq(t->type, "database-locked");
	t = svc_problem_type(SVC_PROB_ADMIN_ONLY);
	ck_assert_uint_eq(t->status, 403);
	ck_assert_str_eq(t->detail_zh, "此操作仅限管理员");
	/* out of range: the internal row */
	t = svc_problem_type(SVC_PROB_COUNT);
	ck_assert_uint_eq(t->status, 500);
	ck_assert_str_eq(t->type, "internal");
}
END_TEST

START_TEST(test_every_row_filled)
{
	int i;

	for (i = 0; i < SVC_PROB_COUNT; i++) {
		const struct svc_problem_type *t = svc_problem_type(i);

		ck_assert_msg(t->status >= 400 && t->status < 600, "row %d", i);
		ck_assert_ptr_nonnull(t->type);
		ck_assert_ptr_nonnull(t->title);
		ck_assert_ptr_nonnull(t->title_zh);
		/* a slug names one row (the 422 invalid-icalendar row
		 * shares the 400 row's slug and titles) */
		if (i == SVC_PROB_ICALENDAR_TIMEOUT) {
			ck_assert_uint_eq(t->status, 422);
			ck_assert_ptr_eq(svc_problem_by_slug(t->type),
					 svc_problem_type(
						SVC_PROB_INVALID_ICALENDAR));
			ck_assert_str_eq(svc_problem_by_slug(t->type)->title,
					 t->title);
			ck_assert_str_eq(svc_problem_by_slug(t->type)->title_zh,
					 t->title_zh);
			continue;
		}
		ck_assert_ptr_eq(svc_problem_by_slug(t->type), t);
	}
	ck_assert_ptr_null(svc_problem_by_slug("no-such-type"));
	ck_assert_ptr_null(svc_problem_by_slug(NULL));
}
END_TEST

START_TEST(test_errno_mapping)
{
	ck_assert_int_eq(svc_problem_of_errno(-ENOENT), SVC_PROB_NOT_FOUND);
	ck_assert_int_eq(svc_problem_of_errno(-EEXIST), SVC_PROB_CONFLICT);
	ck_assert_int_eq(svc_problem_of_errno(-ESTALE),
			 SVC_PROB_PRECONDITION_FAILED);
	ck_assert_int_eq(svc_problem_of_errno(-EINVAL),
			 SVC_PROB_INVALID_REQUEST);
	ck_assert_int_eq(svc_problem_of_errno(-EACCES), SVC_PROB_UNAUTHORIZED);
	ck_assert_int_eq(svc_problem_of_errno(-EPERM), SVC_PROB_FORBIDDEN);
	ck_assert_int_eq(svc_problem_of_errno(-ENOSPC),
			 SVC_PROB_INSUFFICIENT_STORAGE);
	ck_assert_int_eq(svc_problem_of_errno(-EBUSY),
			 SVC_PROB_DATABASE_LOCKED);
	ck_assert_int_eq(svc_problem_of_errno(-EROFS),
			 SVC_PROB_DATABASE_READ_ONLY);
	ck_assert_int_eq(svc_problem_of_errno(-EIO), SVC_PROB_INTERNAL);
	ck_assert_int_eq(svc_problem_of_errno(-ENOMEM), SVC_PROB_INTERNAL);
	ck_assert_uint_eq(svc_problem_type(svc_problem_of_errno(-EROFS))->status,
			  503);
	ck_assert_uint_eq(svc_problem_type(svc_problem_of_errno(-ENOSPC))->status,
			  507);
}
END_TEST

static Suite *
problem_suite(void)
{
	Suite *s = suite_create("problem");
	TCase *tc;

	tc = tcase_create("rows");
	tcase_add_test(tc, test_rows);
	tcase_add_test(tc, test_every_row_filled);
	suite_add_tcase(s, tc);
	ck_add(s, "errno", test_errno_mapping, NULL, NULL);
	return s;
}

int
main(void)
{
	return ck_main(problem_suite());
}
