/*
 * check_router: the route table (service/router.c): pattern matching
 * with "{}" and "*", literal paths before patterns, 404 against 405 with
 * Allow, each row's policy (auth, body limit, media type, flags), and a
 * request run through svc_route_run() without a socket: the row's auth
 * requirement is applied before the handler; the kind= list of
 * svc_query_kinds().
 */
#include <errno.h>

#include "check_util.h"
#include "service/console.h"
#include "service/ics_import.h"
#include "service/router.h"
#include "svc_fixture.h"

static struct svc_route_match m;

START_TEST(test_patterns)
{
	ck_assert_int_eq(svc_route_find("GET", "/api/v1/events/42", &m), 0);
	ck_assert_ptr_eq(m.route->handler, svc_h_event_get);
	ck_assert_uint_eq(m.n_params, 1);
	ck_assert_str_eq(m.params[0], "42");
	ck_assert_int_eq(svc_route_find("POST",
		"/api/v1/events/7/occurrences/20250301/cancel", &m), 0);
	ck_assert_ptr_eq(m.route->handler, svc_h_occurrence_cancel);
	ck_assert_uint_eq(m.n_params, 2);
	ck_assert_str_eq(m.params[0], "7");
	ck_assert_str_eq(m.params[1], "20250301");
	ck_assert_int_eq(svc_route_find("GET", "/calendars/regions/x.ics", &m),
			 0);
	ck_assert_ptr_eq(m.route->handler, svc_h_feed_scoped);
	ck_assert_str_eq(m.params[0], "regions");
	ck_assert_str_eq(m.params[1], "x.ics");
	/* "*" takes the rest of the path */
	ck_assert_int_eq(svc_route_find("GET", "/console/events/3/edit", &m),
			 0);
	ck_assert_ptr_eq(m.route->handler, svc_h_console);
	/* HEAD is answered by the GET row */
	ck_assert_int_eq(svc_route_find("HEAD", "/calendar.ics", &m), 0);
	ck_assert_ptr_eq(m.route->handler, svc_h_feed_all);
	/* an empty segment does not match "{}" */
	ck_assert_int_eq(svc_route_find("GET", "/api/v1/events/", &m),
			 -ENOENT);
}
END_TEST

START_TEST(test_literal_before_pattern)
{
	ck_assert_int_eq(svc_route_find("POST", "/api/v1/events/import", &m),
			 0);
	ck_assert_ptr_eq(m.route->handler, svc_h_import);
	ck_assert_int_eq(svc_route_find("POST", "/console/login", &m), 0);
	ck_assert_ptr_eq(m.route->handler, svc_h_login);
	/* the literal path is found, so GET is not event "import" */
	ck_assert_int_eq(svc_route_find("GET", "/api/v1/events/import", &m),
			 -EOPNOTSUPP);
	ck_assert_str_eq(m.allow, "POST");
}
END_TEST

START_TEST(test_404_and_405)
{
	ck_assert_int_eq(svc_route_find("GET", "/nope", &m), -ENOENT);
	ck_assert_ptr_null(m.route);
	ck_assert_uint_eq(m.max_body, SVC_MAX_BODY);
	ck_assert_int_eq(svc_route_find("DELETE", "/healthz", &m),
			 -EOPNOTSUPP);
	ck_assert_str_eq(m.allow, "GET, HEAD");
	ck_assert_int_eq(svc_route_find("POST", "/api/v1/events/9", &m),
			 -EOPNOTSUPP);
	ck_assert_str_eq(m.allow, "GET, HEAD, PATCH, PUT, DELETE");
	ck_assert_int_eq(svc_route_find("PUT", "/api/v1/tokens", &m),
			 -EOPNOTSUPP);
	ck_assert_str_eq(m.allow, "GET, HEAD, POST");
}
END_TEST

START_TEST(test_row_policy)
{
	ck_assert_int_eq(svc_route_find("POST", "/api/v1/tokens", &m), 0);
	ck_assert_int_eq(m.route->auth, SVC_AUTH_ADMIN);
	ck_assert_int_eq(m.route->accept, SVC_ACCEPT_JSON);
	ck_assert_uint_eq(m.max_body, SVC_MAX_BODY);
	ck_assert_int_eq(svc_route_find("POST", "/api/v1/events/import", &m),
			 0);
	ck_assert_int_eq(m.route->auth, SVC_AUTH_CALLER);
	ck_assert_int_eq(m.route->accept, SVC_ACCEPT_ICS);
	ck_assert_uint_eq(m.max_body, SVC_MAX_IMPORT_BODY);
	ck_assert_int_eq(svc_route_find("GET", "/calendar.ics", &m), 0);
	ck_assert_int_eq(m.route->auth, SVC_AUTH_ANON);
	ck_assert_uint_eq(m.route->flags, SVC_ROUTE_LOCK_FREE);
	ck_assert_int_eq(svc_route_find("GET", "/healthz", &m), 0);
	ck_assert_uint_eq(m.route->flags, SVC_ROUTE_LOCK_FREE);
	ck_assert_int_eq(svc_route_find("POST", "/console/login", &m), 0);
	ck_assert_uint_eq(m.route->flags, SVC_ROUTE_CSRF_EXEMPT);
	ck_assert_int_eq(m.route->accept, SVC_ACCEPT_FORM);
	ck_assert_int_eq(svc_route_find("POST", "/api/v1/invites/accept", &m),
			 0);
	ck_assert_uint_eq(m.route->flags, SVC_ROUTE_CSRF_EXEMPT);
	ck_assert_int_eq(svc_route_find("GET", "/api/v1/me", &m), 0);
	ck_assert_int_eq(m.route->auth, SVC_AUTH_CALLER);
	ck_assert_uint_eq(m.route->flags, 0);
	ck_assert_int_eq(svc_route_find("GET", "/api/v1/audit", &m), 0);
	ck_assert_int_eq(m.route->auth, SVC_AUTH_ADMIN);
}
END_TEST

/* Run GET path through the router with headers; the status queued. */
static unsigned int
run(const char *method, const char *path, const char *const *headers)
{
	struct svc_request req;

	fx_request(&req, method, path, headers);
	svc_route_run(&req, &m, svc_route_find(method, path, &m));
	return req.status;
}

START_TEST(test_auth_reaches_handler)
{
	char admin[80], org[80];
	const char *h_admin[] = { "Authorization", admin, NULL };
	const char *h_org[] = { "Authorization", org, NULL };
	const char *h_text[] = { "Authorization", admin, "Content-Type",
				 "text/plain", NULL };

	fx_token("admin", NULL, 0, admin);
	fx_token("organiser", FX_CARRIER, 0, org);
	ck_assert_uint_eq(run("GET", "/api/v1/tokens", NULL), 401);
	ck_assert_uint_eq(run("GET", "/api/v1/tokens", h_org), 403);
	ck_assert_uint_eq(run("GET", "/api/v1/tokens", h_admin), 200);
	ck_assert_uint_eq(run("GET", "/api/v1/me", h_org), 200);
	ck_assert_uint_eq(run("GET", "/api/v1/me", NULL), 401);
	ck_assert_uint_eq(run("GET", "/api/v1/kinds", NULL), 200);
	/* the row's media type: 415 before the handler */
	ck_assert_uint_eq(run("POST", "/api/v1/tokens", h_text), 415);
	ck_assert_uint_eq(run("GET", "/nope", NULL), 404);
	ck_assert_uint_eq(run("DELETE", "/api/v1/me", NULL), 405);
	ck_assert_uint_eq((unsigned int)fx_svc.requests, 9);
}
END_TEST

/* svc_query_kinds() over query pairs; the joined slugs in out. */
static int
kinds(const char *const *query, char *out, json_t *errors)
{
	struct svc_request req;

	fx_request(&req, "GET", "/calendar.ics", NULL);
	req.fake_query = query;
	return svc_query_kinds(&req, out, SVC_KINDS_MAX, errors);
}

START_TEST(test_kind_lists)
{
	const char *none[] = { "q", "x", NULL };
	const char *one[] = { "kind", "路演", NULL };
	const char *list[] = { "kind", "salon,roadshow", NULL };
	const char *repeated[] = { "kind", "salon", "q", "x", "kind",
				   "roadshow", "kind", "salon", NULL };
	const char *unknown[] = { "kind", "roadshow,party", NULL };
	const char *empty[] = { "kind", "", NULL };
	json_t *errors = json_array();
	char out[SVC_KINDS_MAX];

	ck_assert_int_eq(kinds(none, out, errors), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(kinds(one, out, errors), 1);
	ck_assert_str_eq(out, "roadshow");
	ck_assert_int_eq(kinds(list, out, errors), 1);
	ck_assert_str_eq(out, "roadshow,salon");	/* table order */
	ck_assert_int_eq(kinds(repeated, out, errors), 1);
	ck_assert_str_eq(out, "roadshow,salon");
	ck_assert_uint_eq(json_array_size(errors), 0);
	ck_assert_int_eq(kinds(unknown, out, errors), -EINVAL);
	ck_assert_uint_eq(json_array_size(errors), 1);
	ck_assert_str_eq(json_string_value(json_object_get(
		json_array_get(errors, 0), "field")), "kind");
	ck_assert_str_eq(json_string_value(json_object_get(
		json_array_get(errors, 0), "code")), "unknown_kind");
	ck_assert_int_eq(kinds(empty, out, errors), -EINVAL);
	ck_assert_uint_eq(json_array_size(errors), 2);
	json_decref(errors);
}
END_TEST

static Suite *
router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc;

	tc = tcase_create("find");
	tcase_add_test(tc, test_patterns);
	tcase_add_test(tc, test_literal_before_pattern);
	tcase_add_test(tc, test_404_and_405);
	tcase_add_test(tc, test_row_policy);
	suite_add_tcase(s, tc);
	ck_add(s, "run", test_auth_reaches_handler, fx_setup, fx_teardown);
	ck_add(s, "query", test_kind_lists, fx_setup, fx_teardown);
	return s;
}

int
main(void)
{
	return ck_main(router_suite());
}
