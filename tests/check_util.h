/*
 * check_util.h: the two Check helpers every tests/check_*.c suite used to
 * carry its own copy of (issue 7). Static inline so a suite that does not
 * use one gets no warning.
 */
#ifndef ROADSHOWD_TESTS_CHECK_UTIL_H
#define ROADSHOWD_TESTS_CHECK_UTIL_H

#include <stdlib.h>

#include <check.h>

/*
 * Add to s a case called name holding the one test t, with setup and
 * teardown as its checked fixture (run in the test's process, around
 * each test). Either may be NULL; with both NULL no fixture is added.
 * Returns the case, owned by s, for extra settings (tcase_set_timeout).
 */
static inline TCase *
ck_add(Suite *s, const char *name, const TTest *t, SFun setup,
       SFun teardown)
{
	TCase *tc = tcase_create(name);

	if (setup != NULL || teardown != NULL)
		tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, t);
	suite_add_tcase(s, tc);
	return tc;
}

/*
 * Run every case of s (CK_NORMAL output; CK_FORK and CK_DEFAULT_TIMEOUT
 * from the environment as usual), free the runner and with it s.
 * Returns EXIT_SUCCESS if no test failed or errored, else EXIT_FAILURE.
 */
static inline int
ck_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
