/*
 * svc_fixture.h: a struct svc on an in-memory database with the real
 * migrations and a settable clock, and requests built without a socket
 * (conn NULL: headers and query come from NULL-terminated pairs; the
 * status a handler queued is left in req->status). For check_router and
 * check_auth.
 */
#ifndef ROADSHOWD_SVC_FIXTURE_H
#define ROADSHOWD_SVC_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include <check.h>

#include "db/admin_store.h"
#include "db/db.h"
#include "service/svc.h"

#define FX_T0 1772330400		/* 2026-03-01T02:00:00Z */
#define FX_CARRIER "pinghu-maker-space"

static struct svc fx_svc;
static int64_t fx_now = FX_T0;

static int64_t
fx_clock(void)
{
	return fx_now;
}

static void
fx_setup(void)
{
	memset(&fx_svc, 0, sizeof(fx_svc));
	fx_now = FX_T0;
	ck_assert_int_eq(db_open(":memory:", FX_T0, &fx_svc.db), 0);
	pthread_mutex_init(&fx_svc.lock, NULL);
	fx_svc.clock = fx_clock;
	snprintf(fx_svc.public_base, sizeof(fx_svc.public_base),
		 "http://127.0.0.1:9");
	ck_assert_int_eq(svc_feed_init(&fx_svc), 0);
}

static void
fx_teardown(void)
{
	svc_feed_release(&fx_svc);
	db_close(fx_svc.db);
	pthread_mutex_destroy(&fx_svc.lock);
}

/* A request for method and path with headers (name, value pairs,
 * NULL-terminated; borrowed) on fx_svc. */
static void
fx_request(struct svc_request *req, const char *method, const char *path,
	   const char *const *headers)
{
	memset(req, 0, sizeof(*req));
	req->svc = &fx_svc;
	req->db = fx_svc.db;
	req->method = method;
	req->path = path;
	req->fake_headers = headers;
}

/* Store a token of role for carrier (NULL for admins) expiring at
 * expires (0: never); its "Bearer rsd_..." header value goes to bearer
 * (80 octets). Returns the token's id. */
static int64_t
fx_token(const char *role, const char *carrier, int64_t expires,
	 char bearer[80])
{
	char token[69], hash[65];
	int64_t id = 0;

	ck_assert_int_eq(svc_token_generate(token, hash), 0);
	ck_assert_int_eq(db_token_insert(fx_svc.db, hash, role, carrier, NULL,
					 fx_now, &id), 0);
	if (expires)
		ck_assert_int_eq(db_token_set_expiry(fx_svc.db, id, expires),
				 0);
	snprintf(bearer, 80, "Bearer %s", token);
	return id;
}

#endif
