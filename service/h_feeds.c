/*
 * h_feeds.c: iCalendar feeds — GET /calendar.ics and
 * /calendars/{regions|carriers|kinds|partners}/{slug}.ics, with the query
 * filters of the event list. Public feeds leave TENTATIVE events out and
 * keep CANCELLED ones for svc->cancelled_window_s after the change.
 *
 * These routes run without the writer lock (server.c): a feed is served
 * from the cache of feed_cache.h (no database, no copy), and rendered on
 * a miss with this thread's read connection (req->db). Only a private
 * feed's lookup and fetch record take the writer lock.
 */
#define _GNU_SOURCE		/* strptime(3), timegm(3), malloc_trim(3) */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../calendar/event_ics.h"
#include "../calendar/kind.h"
#include "../calendar/recur.h"
#include "feed_cache.h"
#include "http_cond.h"
#include "render_pool.h"
#include "sbuf.h"
#include "svc.h"

#define DISTRICT_NAME "万州区创新创业活动"

/* With a window (from/to), leave out series none of whose occurrences
 * fall in it (the query bounds a series by its first start only). */
static void
keep_series_in_window(struct db_event_list *list,
		      const struct db_event_filter *f)
{
	size_t i, j;

	if (!f->has_window)
		return;
	for (i = j = 0; i < list->n; i++) {
		struct db_event *ev = &list->items[i];
		struct cal_instance *in = NULL;
		size_t n = 1;

		if (ev->rrule && cal_event_instances(ev, f->from_utc,
						     f->to_utc, 1, &in,
						     &n) == 0) {
			free(in);
			if (n == 0) {
				db_event_release(ev);
				continue;
			}
		}
		if (i != j)
			list->items[j] = *ev;
		j++;
	}
	list->n = j;
}

/*
 * One feed request, kept across the suspension of its connection while a
 * render pool thread renders (render_pool.h): what the render needs, and
 * what the answer will be.
 */
struct feed_ctx {
	struct svc_request *req;
	char scope[16];			/* "" for the district feed */
	char slug[96];			/* of a scoped feed */
	char param[96];			/* the slug as a filter value */
	char *key;			/* canonical request (feed_cache.h) */
	int gzip;			/* the client takes gzip */
	int private_feed;		/* 1: filters prepared, TENTATIVE in */
	struct db_subscription sub;	/* a private feed's, or zeroed */
	struct db *db;			/* the rendering thread's reader */
	struct db_event_filter f;
	char name[300];
	char desc[256];
	int err;			/* negative errno to answer */
	json_t *invalid;		/* field errors to answer (400) */
	int rc;				/* svc_feed_cache_get() result */
	struct svc_feed_view view;
};

static void
ctx_free(struct feed_ctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->key);
	json_decref(ctx->invalid);
	svc_feed_view_release(&ctx->view);
	db_subscription_release(&ctx->sub);
	free(ctx);
}

/* Read the filter arguments with db; 0, or -EINVAL with ctx->invalid. */
static int
read_filter(struct feed_ctx *ctx, struct db *db)
{
	struct svc_request *req = ctx->req;
	struct db *saved = req->db;
	json_t *errors;
	int rc;

	if (!db)			/* never fall back to the writer's */
		return ctx->err = -EIO;
	errors = json_array();
	if (!errors)
		return ctx->err = -ENOMEM;
	req->db = db;		/* svc_parse_event_filter() reads req->db */
	rc = svc_parse_event_filter(req, &ctx->f, errors);
	req->db = saved;
	if (rc == 0) {
		json_decref(errors);
		svc_feed_default_window(req, &ctx->f);
		return 0;
	}
	ctx->invalid = errors;
	return -EINVAL;
}

/* Filters, name and description of a public feed, from the request and
 * the database (ctx->db). 0, or a negative errno with the answer in ctx. */
static int
prepare_public(struct feed_ctx *ctx)
{
	struct db_event_filter *f = &ctx->f;
	const char *scope = ctx->scope;

	if (read_filter(ctx, ctx->db) != 0)
		return -EINVAL;
	if (!*scope) {
		f->status = f->status && strcmp(f->status, "TENTATIVE") == 0 ?
			    "-" : f->status;
		snprintf(ctx->name, sizeof(ctx->name), "%s", DISTRICT_NAME);
		snprintf(ctx->desc, sizeof(ctx->desc), "%s",
			 "万州区孵化载体与合作地区的路演、沙龙、论坛、培训、"
			 "研讨、展览和大赛");
		return 0;
	}
	snprintf(ctx->param, sizeof(ctx->param), "%s", ctx->slug);
	if (strcmp(scope, "kinds") == 0) {
		const struct cal_kind *k = cal_kind_find(ctx->slug);

		if (!k)
			return ctx->err = -ENOENT;
		f->kind = k->slug;
		snprintf(ctx->name, sizeof(ctx->name), "%s · %s",
			 DISTRICT_NAME, k->zh);
		snprintf(ctx->desc, sizeof(ctx->desc), "万州区的%s（%s）",
			 k->zh, k->en);
	} else if (strcmp(scope, "carriers") == 0) {
		struct db_carrier c;

		if (db_carrier_get(ctx->db, ctx->slug, &c) != 0)
			return ctx->err = -ENOENT;
		snprintf(ctx->name, sizeof(ctx->name), "%s活动", c.name);
		snprintf(ctx->desc, sizeof(ctx->desc), "%s主办的创新创业活动",
			 c.name);
		db_carrier_release(&c);
		f->carrier = ctx->param;
	} else if (strcmp(scope, "regions") == 0 ||
		   strcmp(scope, "partners") == 0) {
		struct db_region r;
		int partner = strcmp(scope, "partners") == 0;

		if (db_region_get(ctx->db, ctx->slug, &r) != 0)
			return ctx->err = -ENOENT;
		if (r.partner != partner) {
			db_region_release(&r);
			return ctx->err = -ENOENT;
		}
		snprintf(ctx->name, sizeof(ctx->name), "%s创新创业活动",
			 r.name);
		snprintf(ctx->desc, sizeof(ctx->desc), partner ?
			 "与%s合作开展的活动" : "%s孵化载体的活动", r.name);
		db_region_release(&r);
		if (partner)
			f->partner = ctx->param;
		else
			f->region = ctx->param;
	} else {
		return ctx->err = -ENOENT;
	}
	return 0;
}

/* svc_feed_render_fn: the feed's text, read with ctx->db. */
static int
render_cb(void *cls, char **text_out, size_t *len_out)
{
	struct feed_ctx *ctx = cls;
	struct svc_request *req = ctx->req;
	struct svc *svc = req->svc;
	struct db_event_filter *f = &ctx->f;
	struct db_event_list list = { 0 };
	struct cal_feed_opts opts;
	const char *mark = svc_query(req, "mark_cancelled");
	char *text;
	int rc;

	if (!ctx->db)
		return ctx->err = -EIO;
	if (!ctx->private_feed && (rc = prepare_public(ctx)) != 0)
		return rc;
	f->exclude_tentative = !ctx->private_feed;
	/* A CANCELLED event changed at t is in the feeds while now < t +
	 * window, the moment db_feed_leaves() and Last-Modified name. */
	f->cancelled_since = svc->clock() - svc->cancelled_window_s + 1;
	rc = db_event_list(ctx->db, f, &list);
	if (rc != 0)
		return ctx->err = rc;
	memset(&opts, 0, sizeof(opts));
	opts.name = ctx->name;
	opts.description = ctx->desc;
	opts.mark_cancelled = mark && (strcmp(mark, "1") == 0 ||
				       strcmp(mark, "true") == 0);
	opts.base_url = svc->public_base;
	opts.hide_tentative = !ctx->private_feed;
	keep_series_in_window(&list, f);
	text = cal_feed_render(list.items, list.n, &opts);
	db_event_list_free(&list);
	if (!text)
		return -ENOMEM;
	*text_out = text;
	*len_out = strlen(text);
	return 0;
}

/* ---- the answer ---- */

struct arg_list {
	struct svc_kv *v;
	size_t n;
	size_t cap;
	int oom;
};

static enum MHD_Result
collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
	    const char *value)
{
	struct arg_list *a = cls;

	(void)kind;
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 8;
		struct svc_kv *v = realloc(a->v, cap * sizeof(*v));

		if (!v) {
			a->oom = 1;
			return MHD_NO;
		}
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n].key = key;
	a->v[a->n].value = value;
	a->n++;
	return MHD_YES;
}

/* 1 when the request's validators say the client holds this view (RFC
 * 9110 §13.2.2: If-None-Match decides when present). */
static int
not_modified(struct svc_request *req, const struct svc_feed_view *v)
{
	return svc_not_modified(svc_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH),
				svc_header(req,
					   MHD_HTTP_HEADER_IF_MODIFIED_SINCE),
				v->etag, v->last_modified, v->lm_exact);
}

static void
body_free_cb(void *data)
{
	svc_body_unref(svc_body_of(data));
}

/* Queue the view (its body reference passes to the response). */
static enum MHD_Result
respond_view(struct svc_request *req, struct svc_feed_view *v,
	     int private_feed)
{
	struct MHD_Response *resp;
	unsigned int status = not_modified(req, v) ? 304 : 200;
	enum MHD_Result ret;

	if (status == 304) {
		resp = MHD_create_response_from_buffer(0, NULL,
						       MHD_RESPMEM_PERSISTENT);
		svc_feed_view_release(v);
	} else {
		resp = MHD_create_response_from_buffer_with_free_callback(
			v->body->len, v->body->data, body_free_cb);
		if (resp)
			v->body = NULL;		/* the response's now */
		else
			svc_feed_view_release(v);
	}
	if (!resp)
		return MHD_NO;
	if (status == 200) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					"text/calendar; charset=utf-8");
		if (v->gzip)
			MHD_add_response_header(resp,
					MHD_HTTP_HEADER_CONTENT_ENCODING,
					"gzip");
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, v->etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY,
				MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (v->last_modified > 0) {
		char date[64];
		struct tm tm;
		time_t t = (time_t)v->last_modified;

		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED,
					date);
	}
	/* An nginx proxy_cache in front (deploy/nginx.conf) keeps a public
	 * feed but revalidates it on every request: a change shows at once.
	 * nginx reads and hides this header; other clients ignore it. */
	if (!private_feed)
		MHD_add_response_header(resp, "X-Accel-Expires", "@1");
	{
		size_t i;	/* headers others added (svc_request_add_header) */

		for (i = 0; i < req->n_headers; i++)
			MHD_add_response_header(resp, req->header_names[i],
						req->header_values[i]);
	}
	if (req->close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION,
					"close");
	req->status = status;
	ret = MHD_queue_response(req->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Answer a feed request whose work is done (ctx is freed). */
static enum MHD_Result
answer(struct feed_ctx *ctx)
{
	struct svc_request *req = ctx->req;
	enum MHD_Result ret;

	if (ctx->invalid) {
		ret = svc_problem_fields(req, SVC_PROB_INVALID_QUERY, NULL,
					 ctx->invalid);
		ctx->invalid = NULL;		/* stolen */
	} else if (ctx->err) {
		ret = svc_respond_errno(req, ctx->err, "the feed");
	} else if (ctx->rc) {
		ret = svc_respond_errno(req, ctx->rc, "the feed");
	} else {
		ret = respond_view(req, &ctx->view, ctx->private_feed);
	}
	ctx_free(ctx);
	return ret;
}

/* The slow part: on a render pool thread (or inline without a pool). */
static void
render_job(void *arg)
{
	struct feed_ctx *ctx = arg;
	struct svc *svc = ctx->req->svc;

	ctx->db = svc_reader(svc);
	ctx->rc = svc_feed_cache_get(svc->feeds, ctx->key, svc->clock(),
				     ctx->gzip, render_cb, ctx, &ctx->view);
	/* A render's libical tree (tens of MB for 10,000 events) is freed
	 * by now; give the pages back rather than keep them resident in
	 * this thread's malloc arena. */
	if (ctx->rc == 0 && !ctx->view.hit)
		malloc_trim(0);
}

static void
render_job_resume(void *arg)
{
	struct feed_ctx *ctx = arg;

	render_job(ctx);
	MHD_resume_connection(ctx->req->conn);
}

/*
 * Answer ctx's feed: from the cache at once on a hit (no database, no
 * waiting), else suspend the connection and render on the pool; the
 * handler is called again on resume and answers (req->pending).
 */
static enum MHD_Result
serve_feed(struct feed_ctx *ctx)
{
	struct svc_request *req = ctx->req;
	struct svc *svc = req->svc;
	struct arg_list args = { 0 };

	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND,
				  collect_arg, &args);
	ctx->key = args.oom ? NULL : svc_feed_key(req->path, args.v, args.n);
	free(args.v);
	if (!ctx->key) {
		ctx_free(ctx);
		return svc_respond_errno(req, -ENOMEM, "");
	}
	ctx->gzip = svc_accepts_gzip(svc_header(req,
					MHD_HTTP_HEADER_ACCEPT_ENCODING));
	if (svc_feed_cache_peek(svc->feeds, ctx->key, svc->clock(),
				ctx->gzip, &ctx->view) == 0)
		return answer(ctx);
	if (svc->render_pool) {
		MHD_suspend_connection(req->conn);
		req->pending = ctx;
		if (svc_render_pool_submit(svc->render_pool,
					   render_job_resume, ctx) == 0)
			return MHD_YES;
		req->pending = NULL;
		MHD_resume_connection(req->conn);
	}
	render_job(ctx);
	return answer(ctx);
}

/* A feed request the pool has finished: answer it. 1 when it was one. */
static int
resumed(struct svc_request *req, enum MHD_Result *ret)
{
	struct feed_ctx *ctx = req->pending;

	if (!ctx)
		return 0;
	req->pending = NULL;
	*ret = answer(ctx);
	return 1;
}

static struct feed_ctx *
ctx_new(struct svc_request *req)
{
	struct feed_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx)
		ctx->req = req;
	return ctx;
}

enum MHD_Result
svc_h_feed_all(struct svc_request *req)
{
	struct feed_ctx *ctx;
	enum MHD_Result ret;

	if (resumed(req, &ret))
		return ret;
	ctx = ctx_new(req);
	if (!ctx)
		return svc_respond_errno(req, -ENOMEM, "");
	return serve_feed(ctx);
}

/* /calendars/private/<secret>.ics: the subscription's filters, TENTATIVE
 * included; records the fetch (under the writer lock). An unknown or
 * revoked secret is 404. */
static enum MHD_Result
private_feed(struct feed_ctx *ctx)
{
	struct svc_request *req = ctx->req;
	struct svc *svc = req->svc;
	struct db_event_filter *f = &ctx->f;
	struct db_subscription *sub = &ctx->sub;
	char hash[65];
	int rc;

	if (read_filter(ctx, req->db) != 0)
		return answer(ctx);
	svc_token_hash(ctx->slug, hash);
	pthread_mutex_lock(&svc->lock);
	rc = db_subscription_lookup(svc->db, hash, sub);
	if (rc == 0) {
		/* Only UTF-8 is kept: the admin list is JSON. */
		const char *ua = svc_header(req, MHD_HTTP_HEADER_USER_AGENT);
		json_t *j = ua ? json_string(ua) : NULL;

		db_subscription_touch(svc->db, sub->id, svc->clock(),
				      ua && !j ? "(not UTF-8)" : ua);
		json_decref(j);
	}
	pthread_mutex_unlock(&svc->lock);
	if (rc != 0) {
		memset(sub, 0, sizeof(*sub));
		ctx->err = -ENOENT;
		return answer(ctx);
	}
	if (sub->kind)
		f->kind = sub->kind;
	if (sub->region)
		f->region = sub->region;
	if (sub->carrier)
		f->carrier = sub->carrier;
	if (sub->partner)
		f->partner = sub->partner;
	snprintf(ctx->name, sizeof(ctx->name), "%s（%s）", DISTRICT_NAME,
		 sub->label);
	snprintf(ctx->desc, sizeof(ctx->desc), "%s",
		 "含待定（TENTATIVE）活动的私有订阅");
	ctx->private_feed = 1;
	return serve_feed(ctx);
}

enum MHD_Result
svc_h_feed_scoped(struct svc_request *req)
{
	struct feed_ctx *ctx;
	enum MHD_Result ret;
	size_t len = strlen(req->params[1]);

	if (resumed(req, &ret))
		return ret;
	if (len < 5 || len - 4 >= sizeof(ctx->slug) ||
	    strlen(req->params[0]) >= sizeof(ctx->scope) ||
	    strcmp(req->params[1] + len - 4, ".ics") != 0)
		return svc_respond_errno(req, -ENOENT, "the feed");
	ctx = ctx_new(req);
	if (!ctx)
		return svc_respond_errno(req, -ENOMEM, "");
	snprintf(ctx->scope, sizeof(ctx->scope), "%s", req->params[0]);
	memcpy(ctx->slug, req->params[1], len - 4);
	ctx->slug[len - 4] = '\0';
	if (strcmp(ctx->scope, "private") == 0)
		return private_feed(ctx);
	return serve_feed(ctx);
}
