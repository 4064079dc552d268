/*
 * check_auth: the one auth gate (service/auth.c svc_auth_gate()) on an
 * in-memory database: anonymous, bearer tokens (admin, organiser, bad,
 * expired, revoked), console sessions (live, idle too long), and a
 * database error, which is an error and never "anonymous".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "check_util.h"
#include "db/account_store.h"
#include "svc_fixture.h"

static struct svc_request req;
static struct svc_auth auth;

static int
gate(enum svc_auth_need need, const char *const *headers)
{
	fx_request(&req, "GET", "/api/v1/me", headers);
	return svc_auth_gate(&req, need, &auth);
}

START_TEST(test_anonymous)
{
	ck_assert_int_eq(gate(SVC_AUTH_ANON, NULL), 0);
	ck_assert_int_eq(auth.present, 0);
	ck_assert_int_eq(gate(SVC_AUTH_CALLER, NULL), -ENOKEY);
	ck_assert_int_eq(gate(SVC_AUTH_ADMIN, NULL), -ENOKEY);
	ck_assert_int_eq(auth.present, 0);
}
END_TEST

START_TEST(test_bearer_tokens)
{
	char admin[80], org[80];
	const char *h_admin[] = { "Authorization", admin, NULL };
	const char *h_org[] = { "authorization", org, NULL };
	int64_t id = fx_token("admin", NULL, 0, admin);
	int64_t oid = fx_token("organiser", FX_CARRIER, 0, org);
	char actor[96];

	ck_assert_int_eq(gate(SVC_AUTH_ADMIN, h_admin), 0);
	ck_assert_int_eq(auth.admin, 1);
	ck_assert_int_eq(auth.token_id, id);
	snprintf(actor, sizeof(actor), "admin:token-%lld", (long long)id);
	ck_assert_str_eq(auth.actor, actor);
	svc_auth_release(&auth);
	ck_assert_int_eq(gate(SVC_AUTH_OPTIONAL, h_admin), 0);
	ck_assert_int_eq(auth.admin, 1);
	svc_auth_release(&auth);
	ck_assert_int_eq(gate(SVC_AUTH_CALLER, h_org), 0);
	ck_assert_int_eq(auth.admin, 0);
	ck_assert_str_eq(auth.carrier, FX_CARRIER);
	snprintf(actor, sizeof(actor), "organiser:" FX_CARRIER ":token-%lld",
		 (long long)oid);
	ck_assert_str_eq(auth.actor, actor);
	svc_auth_release(&auth);
	/* an organiser on an admin route: 403, auth released */
	ck_assert_int_eq(gate(SVC_AUTH_ADMIN, h_org), -EPERM);
	ck_assert_int_eq(auth.present, 0);
}
END_TEST

START_TEST(test_bad_tokens)
{
	const char *unknown[] = { "Authorization", "Bearer rsd_"
		"0000000000000000000000000000000000000000000000000000000000000000",
		NULL };
	const char *short_one[] = { "Authorization", "Bearer rsd_00", NULL };
	const char *basic[] = { "Authorization", "Basic YTpi", NULL };

	ck_assert_int_eq(gate(SVC_AUTH_CALLER, unknown), -EACCES);
	ck_assert_int_eq(gate(SVC_AUTH_CALLER, short_one), -EACCES);
	ck_assert_int_eq(gate(SVC_AUTH_CALLER, basic), -EACCES);
	/* an anonymous route does not look at credentials */
	ck_assert_int_eq(gate(SVC_AUTH_ANON, unknown), 0);
	/* an optional route reads a bad token as anonymous */
	ck_assert_int_eq(gate(SVC_AUTH_OPTIONAL, unknown), 0);
	ck_assert_int_eq(auth.present, 0);
	ck_assert_int_eq(gate(SVC_AUTH_OPTIONAL, NULL), 0);
	ck_assert_int_eq(auth.present, 0);
}
END_TEST

START_TEST(test_expired_and_revoked)
{
	char soon[80], old[80];
	const char *h_soon[] = { "Authorization", soon, NULL };
	const char *h_old[] = { "Authorization", old, NULL };
	int64_t old_id;

	fx_token("admin", NULL, FX_T0 + 60, soon);
	old_id = fx_token("admin", NULL, 0, old);
	ck_assert_int_eq(gate(SVC_AUTH_CALLER, h_soon), 0);
	svc_auth_release(&auth);
	fx_now = FX_T0 + 60;		/* expiry at or before now */
	ck_assert_int_eq(gate(SVC_AUTH_CALLER, h_soon), -EACCES);
	ck_assert_int_eq(db_token_revoke(fx_svc.db, old_id, fx_now), 0);
	ck_assert_int_eq(gate(SVC_AUTH_CALLER, h_old), -EACCES);
}
END_TEST

START_TEST(test_sessions)
{
	char *carriers[] = { (char *)FX_CARRIER };
	struct db_account a = { .username = (char *)"alice",
				.role = (char *)"viewer" };
	struct db_account o = { .username = (char *)"olga",
				.role = (char *)"organiser",
				.carriers = carriers, .n_carriers = 1 };
	const char *cookie[] = { "Cookie", "rsd_session=s1", NULL };
	char hash[65];
	int64_t id = 0, oid = 0;

	ck_assert_int_eq(db_account_insert(fx_svc.db, &a, FX_T0, &id), 0);
	ck_assert_int_eq(db_account_insert(fx_svc.db, &o, FX_T0, &oid), 0);
	svc_token_hash("s1", hash);
	ck_assert_int_eq(db_session_insert(fx_svc.db, hash, id, "c1", FX_T0),
			 0);
	ck_assert_int_eq(gate(SVC_AUTH_CALLER, cookie), 0);
	ck_assert_int_eq(auth.session, 1);
	ck_assert_int_eq(auth.viewer, 1);
	ck_assert_str_eq(auth.actor, "user:alice");
	ck_assert_str_eq(auth.csrf, "c1");
	svc_auth_release(&auth);
	ck_assert_int_eq(gate(SVC_AUTH_ADMIN, cookie), -EPERM);
	/* idle too long: the session ended, the caller is anonymous */
	fx_now = FX_T0 + SVC_SESSION_IDLE_S + 1;
	ck_assert_int_eq(gate(SVC_AUTH_CALLER, cookie), -ENOKEY);
}
END_TEST

START_TEST(test_database_error_is_not_anonymous)
{
	char admin[80], path[] = "/tmp/check_auth_XXXXXX";
	const char *h_admin[] = { "Authorization", admin, NULL };
	const char *cookie[] = { "Cookie", "rsd_session=s1", NULL };
	struct db *good = fx_svc.db, *empty = NULL;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	fx_token("admin", NULL, 0, admin);
	/* a database without the tables: every lookup fails */
	ck_assert_int_eq(db_open_reader(path, &empty), 0);
	fx_svc.db = empty;
	ck_assert_int_eq(gate(SVC_AUTH_CALLER, h_admin), -EIO);
	ck_assert_int_eq(auth.present, 0);
	ck_assert_int_eq(gate(SVC_AUTH_CALLER, cookie), -EIO);
	ck_assert_int_eq(gate(SVC_AUTH_OPTIONAL, h_admin), -EIO);
	ck_assert_int_eq(gate(SVC_AUTH_ANON, cookie), 0);	/* not asked */
	fx_request(&req, "POST", "/api/v1/events", cookie);
	ck_assert_int_eq(svc_csrf_gate(&req), -EIO);	/* not "no one" */
	fx_svc.db = good;
	db_close(empty);
	unlink(path);
}
END_TEST

START_TEST(test_refusal_statuses)
{
	char org[80];
	const char *h_org[] = { "Authorization", org, NULL };

	fx_token("organiser", FX_CARRIER, 0, org);
	fx_request(&req, "GET", "/api/v1/tokens", NULL);
	svc_auth_refuse(&req, -ENOKEY, "managing tokens");
	ck_assert_uint_eq(req.status, 401);
	fx_request(&req, "GET", "/api/v1/tokens", h_org);
	svc_auth_refuse(&req, -EPERM, "managing tokens");
	ck_assert_uint_eq(req.status, 403);
	fx_request(&req, "GET", "/api/v1/tokens", NULL);
	svc_auth_refuse(&req, -EIO, NULL);
	ck_assert_uint_eq(req.status, 500);
	fx_request(&req, "GET", "/api/v1/tokens", NULL);
	svc_auth_refuse(&req, -EBUSY, NULL);
	ck_assert_uint_eq(req.status, 503);
}
END_TEST

static void
teardown(void)
{
	svc_auth_release(&auth);
	fx_teardown();
}

static Suite *
auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc;

	tc = tcase_create("gate");
	tcase_add_checked_fixture(tc, fx_setup, teardown);
	tcase_add_test(tc, test_anonymous);
	tcase_add_test(tc, test_bearer_tokens);
	tcase_add_test(tc, test_bad_tokens);
	tcase_add_test(tc, test_expired_and_revoked);
	tcase_add_test(tc, test_sessions);
	tcase_add_test(tc, test_database_error_is_not_anonymous);
	suite_add_tcase(s, tc);
	ck_add(s, "refuse", test_refusal_statuses, fx_setup, teardown);
	return s;
}

int
main(void)
{
	return ck_main(auth_suite());
}
