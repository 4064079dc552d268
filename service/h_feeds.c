/*
 * h_feeds.c: iCalendar feeds — GET /calendar.ics and
 * /calendars/{regions|carriers|kinds|partners}/{slug}.ics, with the query
 * filters of the event list. Public feeds leave TENTATIVE events out and
 * keep CANCELLED ones for svc->cancelled_window_s after the change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/event_ics.h"
#include "../calendar/kind.h"
#include "../calendar/recur.h"
#include "sbuf.h"
#include "svc.h"

#define DISTRICT_NAME "万州区创新创业活动"

/*
 * Rendered feeds are reused while nothing they depend on changed: the key
 * is the request (path and query) plus the number of the latest change to
 * any event and the feed's Last-Modified, which also moves when a
 * cancelled event leaves the feeds. So a revalidation (304) or a repeated
 * fetch costs a lookup, not a render. Called with svc->lock held.
 */
static enum MHD_Result
count_arg(void *cls, enum MHD_ValueKind kind, const char *key,
	  const char *value)
{
	struct sbuf *sb = cls;

	(void)kind;
	sbuf_addf(sb, "&%s=%s", key, value ? value : "");
	return MHD_YES;
}

static char *
feed_key(struct svc_request *req, int64_t changes, int64_t last_modified)
{
	struct sbuf sb;

	sbuf_init(&sb);
	sbuf_addf(&sb, "%lld %lld %s?", (long long)changes,
		  (long long)last_modified, req->path);
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, count_arg,
				  &sb);
	return sbuf_detach(&sb);
}

static struct svc_feed_entry *
feed_lookup(struct svc *svc, const char *key)
{
	size_t i;

	for (i = 0; i < SVC_FEED_CACHE; i++)
		if (svc->feeds[i].key && strcmp(svc->feeds[i].key, key) == 0) {
			svc->feeds[i].used = ++svc->feed_clock;
			return &svc->feeds[i];
		}
	return NULL;
}

/* Keep a copy of text under key (stolen), evicting the least used. */
static void
feed_store(struct svc *svc, char *key, const char *text, size_t len,
	   const char *etag)
{
	struct svc_feed_entry *e = &svc->feeds[0];
	char *copy = malloc(len + 1);
	size_t i;

	if (!copy) {
		free(key);
		return;
	}
	memcpy(copy, text, len + 1);
	for (i = 1; i < SVC_FEED_CACHE; i++)
		if (svc->feeds[i].used < e->used)
			e = &svc->feeds[i];
	free(e->key);
	free(e->text);
	e->key = key;
	e->text = copy;
	e->len = len;
	snprintf(e->etag, sizeof(e->etag), "%s", etag);
	e->used = ++svc->feed_clock;
}

void
svc_feed_cache_release(struct svc *svc)
{
	size_t i;

	for (i = 0; i < SVC_FEED_CACHE; i++) {
		free(svc->feeds[i].key);
		free(svc->feeds[i].text);
	}
	memset(svc->feeds, 0, sizeof(svc->feeds));
}

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
 * Whether If-Modified-Since may validate a feed whose Last-Modified is lm
 * (seconds UTC) with n_at_lm changes in that second (RFC 9110 §13.1.3).
 * A date names one state only if no response carried it before the last
 * change of its second: the server remembers the fewest changes seen by a
 * response sent while the second lm was still running, and validates only
 * when no change came after it. Records this response. Called with
 * svc->lock held.
 */
static int
feed_lm_exact(struct svc *svc, int64_t lm, int64_t n_at_lm)
{
	int exact;

	if (lm <= 0)
		return 0;
	exact = svc->lm_open_t != lm || svc->lm_open_changes >= n_at_lm;
	if (svc->clock() <= lm) {		/* the second lm still runs */
		if (svc->lm_open_t != lm || svc->lm_open_changes > n_at_lm)
			svc->lm_open_changes = n_at_lm;
		svc->lm_open_t = lm;
	}
	return exact;
}

void
svc_feed_lm_init(struct svc *svc)
{
	int64_t lm = 0, n = 0;

	if (db_feed_last_modified(svc->db, svc->cancelled_window_s,
				  svc->clock(), &lm, &n) == 0 && lm > 0) {
		svc->lm_open_t = lm;
		svc->lm_open_changes = n < 1 ? n : 1;
	}
}

static enum MHD_Result
render_feed(struct svc_request *req, struct db_event_filter *f,
	    const char *name, const char *desc, int private_feed)
{
	struct svc *svc = req->svc;
	struct db_event_list list = { 0 };
	struct cal_feed_opts opts;
	const char *mark = svc_query(req, "mark_cancelled");
	int64_t last_modified = 0, max_modified, changes, n_at_lm = 0;
	int lm_exact;
	struct svc_feed_entry *hit;
	char etag[40], *text, *key = NULL;
	size_t len;
	int rc;

	/* Any change anywhere (an event may have left this feed). */
	if (db_feed_last_modified(svc->db, svc->cancelled_window_s,
				  svc->clock(), &last_modified,
				  &n_at_lm) != 0)
		last_modified = 0;
	lm_exact = feed_lm_exact(svc, last_modified, n_at_lm);
	if (db_event_state(svc->db, &max_modified, &changes) == 0) {
		key = feed_key(req, changes, last_modified);
		hit = key ? feed_lookup(svc, key) : NULL;
		if (hit) {
			free(key);
			text = malloc(hit->len + 1);
			if (text)
				memcpy(text, hit->text, hit->len + 1);
			return svc_respond_text(req, 200, "text/calendar;"
						" charset=utf-8", text,
						hit->len, hit->etag,
						last_modified,
						lm_exact);
		}
	}
	f->exclude_tentative = !private_feed;
	f->cancelled_since = svc->clock() - svc->cancelled_window_s;
	rc = db_event_list(svc->db, f, &list);
	if (rc != 0)
		return svc_respond_errno(req, rc, "the feed");
	memset(&opts, 0, sizeof(opts));
	opts.name = name;
	opts.description = desc;
	opts.mark_cancelled = mark && (strcmp(mark, "1") == 0 ||
				       strcmp(mark, "true") == 0);
	opts.base_url = svc->public_base;
	opts.hide_tentative = !private_feed;
	keep_series_in_window(&list, f);
	text = cal_feed_render(list.items, list.n, &opts);
	db_event_list_free(&list);
	if (!text) {
		free(key);
		return svc_respond_errno(req, -ENOMEM, "");
	}
	len = strlen(text);
	svc_etag_of(text, len, etag);
	if (key)
		feed_store(svc, key, text, len, etag);	/* steals key */
	return svc_respond_text(req, 200, "text/calendar; charset=utf-8", text,
				len, etag, last_modified, lm_exact);
}

static int
filter_or_400(struct svc_request *req, struct db_event_filter *f,
	      enum MHD_Result *ret)
{
	json_t *errors = json_array();

	if (!errors) {
		*ret = svc_respond_errno(req, -ENOMEM, "");
		return -1;
	}
	if (svc_parse_event_filter(req, f, errors) == 0) {
		json_decref(errors);
		svc_feed_default_window(req, f);
		return 0;
	}
	*ret = svc_respond_invalid(req, "invalid-query", "Bad Request",
				   errors);
	return -1;
}

enum MHD_Result
svc_h_feed_all(struct svc_request *req)
{
	struct db_event_filter f;
	enum MHD_Result ret;

	if (filter_or_400(req, &f, &ret) != 0)
		return ret;
	f.status = f.status && strcmp(f.status, "TENTATIVE") == 0 ? "-" :
		   f.status;
	return render_feed(req, &f, DISTRICT_NAME,
			   "万州区孵化载体与合作地区的路演、沙龙、论坛、培训、"
			   "研讨、展览和大赛", 0);
}

/* /calendars/private/<secret>.ics: the subscription's filters, TENTATIVE
 * included; records the fetch. An unknown or revoked secret is 404. */
static enum MHD_Result
private_feed(struct svc_request *req, const char *secret,
	     struct db_event_filter *f)
{
	struct db_subscription sub;
	char hash[65], name[300];
	enum MHD_Result ret;

	svc_token_hash(secret, hash);
	if (db_subscription_lookup(req->svc->db, hash, &sub) != 0)
		return svc_respond_errno(req, -ENOENT, "the feed");
	{
		/* Only UTF-8 is kept: the admin list is JSON. */
		const char *ua = svc_header(req, MHD_HTTP_HEADER_USER_AGENT);
		json_t *j = ua ? json_string(ua) : NULL;

		db_subscription_touch(req->svc->db, sub.id, req->svc->clock(),
				      ua && !j ? "(not UTF-8)" : ua);
		json_decref(j);
	}
	if (sub.kind)
		f->kind = sub.kind;
	if (sub.region)
		f->region = sub.region;
	if (sub.carrier)
		f->carrier = sub.carrier;
	if (sub.partner)
		f->partner = sub.partner;
	snprintf(name, sizeof(name), "%s（%s）", DISTRICT_NAME, sub.label);
	ret = render_feed(req, f, name, "含待定（TENTATIVE）活动的私有订阅",
			  1);
	db_subscription_release(&sub);
	return ret;
}

enum MHD_Result
svc_h_feed_scoped(struct svc_request *req)
{
	const char *scope = req->params[0];
	char slug[96], name[256], desc[256];
	struct db_event_filter f;
	enum MHD_Result ret;
	size_t len = strlen(req->params[1]);

	if (len < 5 || len - 4 >= sizeof(slug) ||
	    strcmp(req->params[1] + len - 4, ".ics") != 0)
		return svc_respond_errno(req, -ENOENT, "the feed");
	memcpy(slug, req->params[1], len - 4);
	slug[len - 4] = '\0';
	if (filter_or_400(req, &f, &ret) != 0)
		return ret;
	if (strcmp(scope, "private") == 0)
		return private_feed(req, slug, &f);
	if (strcmp(scope, "kinds") == 0) {
		const struct cal_kind *k = cal_kind_find(slug);

		if (!k)
			return svc_respond_errno(req, -ENOENT, "the feed");
		f.kind = k->slug;
		snprintf(name, sizeof(name), "%s · %s", DISTRICT_NAME, k->zh);
		snprintf(desc, sizeof(desc), "万州区的%s（%s）", k->zh, k->en);
	} else if (strcmp(scope, "carriers") == 0) {
		struct db_carrier c;

		if (db_carrier_get(req->svc->db, slug, &c) != 0)
			return svc_respond_errno(req, -ENOENT, "the feed");
		snprintf(name, sizeof(name), "%s活动", c.name);
		snprintf(desc, sizeof(desc), "%s主办的创新创业活动", c.name);
		db_carrier_release(&c);
		f.carrier = req->params[1];
		((char *)req->params[1])[len - 4] = '\0';
	} else if (strcmp(scope, "regions") == 0 ||
		   strcmp(scope, "partners") == 0) {
		struct db_region r;
		int partner = strcmp(scope, "partners") == 0;

		if (db_region_get(req->svc->db, slug, &r) != 0)
			return svc_respond_errno(req, -ENOENT, "the feed");
		if (r.partner != partner) {
			db_region_release(&r);
			return svc_respond_errno(req, -ENOENT, "the feed");
		}
		snprintf(name, sizeof(name), "%s创新创业活动", r.name);
		snprintf(desc, sizeof(desc), partner ?
			 "与%s合作开展的活动" : "%s孵化载体的活动", r.name);
		db_region_release(&r);
		((char *)req->params[1])[len - 4] = '\0';
		if (partner)
			f.partner = req->params[1];
		else
			f.region = req->params[1];
	} else {
		return svc_respond_errno(req, -ENOENT, "the feed");
	}
	return render_feed(req, &f, name, desc, 0);
}
