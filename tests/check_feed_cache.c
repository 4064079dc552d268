/*
 * Unit tests for service/feed_cache.c: the canonical request key (the
 * decoded '&' that used to poison the cache), Accept-Encoding q-values,
 * the generation (every write, and a cancelled event leaving the feeds),
 * If-Modified-Since exactness, LRU eviction by octets, gzip bodies, and
 * concurrent misses of one key rendering once.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <zlib.h>

#include "check_util.h"
#include "service/feed_cache.h"

/* ---- a render function that counts its calls ---- */

struct fake {
	const char *text;	/* what it renders */
	int renders;
	int fail;		/* negative errno to return */
	/* a gate for the concurrency test */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int gated;
	int inside;
};

static int
fake_render(void *cls, char **text, size_t *len)
{
	struct fake *f = cls;

	pthread_mutex_lock(&f->mu);
	f->renders++;
	f->inside = 1;
	pthread_cond_broadcast(&f->cv);
	while (f->gated)
		pthread_cond_wait(&f->cv, &f->mu);
	pthread_mutex_unlock(&f->mu);
	if (f->fail)
		return f->fail;
	*text = strdup(f->text);
	*len = strlen(f->text);
	return *text ? 0 : -ENOMEM;
}

static void
fake_init(struct fake *f, const char *text)
{
	memset(f, 0, sizeof(*f));
	f->text = text;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
}

/* get and return the body as a NUL-terminated copy (caller frees) */
static char *
get_text(struct svc_feed_cache *c, const char *key, int64_t now,
	 struct fake *f, struct svc_feed_view *v)
{
	char *out;

	ck_assert_int_eq(svc_feed_cache_get(c, key, now, 0, fake_render, f,
					    v), 0);
	out = calloc(1, v->body->len + 1);
	memcpy(out, v->body->data, v->body->len);
	return out;
}

/* ---- canonical key ---- */

START_TEST(test_key_poisoning_case)
{
	/* ?q=alpha%26kind%3Dsalon decodes to one argument ... */
	struct svc_kv one[] = { { "q", "alpha&kind=salon" } };
	/* ... ?q=alpha&kind=salon to two */
	struct svc_kv two[] = { { "q", "alpha" }, { "kind", "salon" } };
	char *a = svc_feed_key("/calendar.ics", one, 1);
	char *b = svc_feed_key("/calendar.ics", two, 2);

	ck_assert_str_eq(a, "/calendar.ics?q=alpha%26kind%3Dsalon");
	ck_assert_str_eq(b, "/calendar.ics?kind=salon&q=alpha");
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_key_sorted_and_encoded)
{
	struct svc_kv x[] = { { "region", "wanzhou-jingkaiqu" },
			      { "kind", "roadshow" } };
	struct svc_kv y[] = { { "kind", "roadshow" },
			      { "region", "wanzhou-jingkaiqu" } };
	struct svc_kv utf8[] = { { "q", "路演 a+b" } };
	struct svc_kv novalue[] = { { "mark_cancelled", NULL } };
	struct svc_kv empty[] = { { "mark_cancelled", "" } };
	char *k1 = svc_feed_key("/calendar.ics", x, 2);
	char *k2 = svc_feed_key("/calendar.ics", y, 2);
	char *k3 = svc_feed_key("/calendar.ics", utf8, 1);
	char *k4 = svc_feed_key("/calendar.ics", novalue, 1);
	char *k5 = svc_feed_key("/calendar.ics", empty, 1);
	char *k6 = svc_feed_key("/calendar.ics", NULL, 0);

	ck_assert_str_eq(k1, "/calendar.ics?kind=roadshow"
			 "&region=wanzhou-jingkaiqu");
	ck_assert_str_eq(k1, k2);
	ck_assert_str_eq(k3, "/calendar.ics?q=%E8%B7%AF%E6%BC%94%20a%2Bb");
	ck_assert_str_eq(k4, "/calendar.ics?mark_cancelled");
	ck_assert_str_eq(k5, "/calendar.ics?mark_cancelled=");
	ck_assert_str_eq(k6, "/calendar.ics?");
	free(k1);
	free(k2);
	free(k3);
	free(k4);
	free(k5);
	free(k6);
}
END_TEST

START_TEST(test_key_repeated_names_keep_order)
{
	/* a handler reads the first kind=: the two must not share a key */
	struct svc_kv a[] = { { "kind", "salon" }, { "kind", "forum" } };
	struct svc_kv b[] = { { "kind", "forum" }, { "kind", "salon" } };
	struct svc_kv c[] = { { "q", "x" }, { "kind", "forum" },
			      { "kind", "salon" } };
	char *ka = svc_feed_key("/f.ics", a, 2);
	char *kb = svc_feed_key("/f.ics", b, 2);
	char *kc = svc_feed_key("/f.ics", c, 3);

	ck_assert_str_eq(ka, "/f.ics?kind=salon&kind=forum");
	ck_assert_str_eq(kb, "/f.ics?kind=forum&kind=salon");
	ck_assert_str_eq(kc, "/f.ics?kind=forum&kind=salon&q=x");
	free(ka);
	free(kb);
	free(kc);
}
END_TEST

/* ---- Accept-Encoding ---- */

START_TEST(test_accept_encoding_qvalues)
{
	ck_assert_int_eq(svc_accepts_gzip(NULL), 0);
	ck_assert_int_eq(svc_accepts_gzip(""), 0);
	ck_assert_int_eq(svc_accepts_gzip("gzip"), 1);
	ck_assert_int_eq(svc_accepts_gzip("gzip, deflate, br"), 1);
	ck_assert_int_eq(svc_accepts_gzip("deflate, br"), 0);
	ck_assert_int_eq(svc_accepts_gzip("GZIP;Q=0.8"), 1);
	ck_assert_int_eq(svc_accepts_gzip("x-gzip"), 1);
	ck_assert_int_eq(svc_accepts_gzip("gzip;q=0"), 0);
	ck_assert_int_eq(svc_accepts_gzip("gzip;q=0.000"), 0);
	ck_assert_int_eq(svc_accepts_gzip("gzip;q=0.001"), 1);
	ck_assert_int_eq(svc_accepts_gzip("gzip ; q=0.5 , identity;q=0.4"),
			 1);
	ck_assert_int_eq(svc_accepts_gzip("identity;q=1, gzip;q=0.5"), 0);
	ck_assert_int_eq(svc_accepts_gzip("*"), 1);
	ck_assert_int_eq(svc_accepts_gzip("*;q=0"), 0);
	ck_assert_int_eq(svc_accepts_gzip("*;q=0.5, gzip;q=0"), 0);
	ck_assert_int_eq(svc_accepts_gzip("gzip;q=0, *"), 0);
	ck_assert_int_eq(svc_accepts_gzip("gzip;q=abc"), 0);
	ck_assert_int_eq(svc_accepts_gzip("gzip;q=1.5"), 0);
	ck_assert_int_eq(svc_accepts_gzip("gzipx"), 0);
	ck_assert_int_eq(svc_accepts_gzip("br;q=1, gzip;level=9;q=0.2"), 1);
}
END_TEST

/* ---- generation, time, Last-Modified ---- */

START_TEST(test_hit_needs_no_render)
{
	struct svc_feed_cache *c = svc_feed_cache_new(0, 1000, 1, NULL, 0);
	struct svc_feed_view v1, v2;
	struct fake f;
	char *t1, *t2;

	fake_init(&f, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
	t1 = get_text(c, "/calendar.ics?", 2000, &f, &v1);
	t2 = get_text(c, "/calendar.ics?", 2001, &f, &v2);
	ck_assert_int_eq(f.renders, 1);
	ck_assert_int_eq(v1.hit, 0);
	ck_assert_int_eq(v2.hit, 1);
	ck_assert_str_eq(t2, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
	ck_assert_ptr_eq(v1.body, v2.body);	/* shared, not copied */
	ck_assert_str_eq(v1.etag, v2.etag);
	ck_assert_int_eq(strlen(v1.etag), 34);
	ck_assert_int_eq(v1.last_modified, 1000);
	svc_feed_view_release(&v1);
	svc_feed_view_release(&v2);
	svc_feed_cache_free(c);
	free(t1);
	free(t2);
}
END_TEST

START_TEST(test_generation_invalidates)
{
	struct svc_feed_cache *c = svc_feed_cache_new(0, 1000, 1, NULL, 0);
	struct svc_feed_cache_stats st;
	struct svc_feed_view v;
	struct fake f;
	char *t;

	fake_init(&f, "one");
	t = get_text(c, "/a.ics?", 2000, &f, &v);
	svc_feed_view_release(&v);
	free(t);
	svc_feed_cache_changed(c, 2005, NULL, 0);	/* a write */
	f.text = "two";
	t = get_text(c, "/a.ics?", 2006, &f, &v);
	ck_assert_str_eq(t, "two");
	ck_assert_int_eq(f.renders, 2);
	ck_assert_int_eq(v.last_modified, 2005);
	svc_feed_view_release(&v);
	free(t);
	/* Last-Modified never goes back (a clock behind it) */
	svc_feed_cache_changed(c, 1500, NULL, 0);
	svc_feed_cache_stats(c, &st);
	ck_assert_int_eq(st.last_modified, 2005);
	ck_assert_int_eq(st.generation, 2);
	ck_assert_int_eq(st.entries, 0);
	svc_feed_cache_free(c);
}
END_TEST

START_TEST(test_cancelled_leaving_invalidates)
{
	int64_t leaves[] = { 3000, 4000 };
	struct svc_feed_cache *c = svc_feed_cache_new(0, 1000, 1, leaves, 2);
	struct svc_feed_view v;
	struct fake f;
	char *t;

	fake_init(&f, "with the cancelled event");
	t = get_text(c, "/a.ics?", 2000, &f, &v);
	svc_feed_view_release(&v);
	free(t);
	t = get_text(c, "/a.ics?", 2999, &f, &v);
	ck_assert_int_eq(f.renders, 1);
	ck_assert_int_eq(v.last_modified, 1000);
	svc_feed_view_release(&v);
	free(t);
	f.text = "without it";
	t = get_text(c, "/a.ics?", 3000, &f, &v);	/* it left at 3000 */
	ck_assert_int_eq(f.renders, 2);
	ck_assert_str_eq(t, "without it");
	ck_assert_int_eq(v.last_modified, 3000);
	svc_feed_view_release(&v);
	free(t);
	t = get_text(c, "/a.ics?", 3999, &f, &v);
	ck_assert_int_eq(f.renders, 2);
	svc_feed_view_release(&v);
	free(t);
	/* a write replaces the list: 4000 is gone, 5000 comes */
	leaves[0] = 5000;
	svc_feed_cache_changed(c, 3999, leaves, 1);
	t = get_text(c, "/a.ics?", 4500, &f, &v);
	ck_assert_int_eq(f.renders, 3);
	ck_assert_int_eq(v.last_modified, 3999);
	svc_feed_view_release(&v);
	free(t);
	t = get_text(c, "/a.ics?", 5001, &f, &v);
	ck_assert_int_eq(f.renders, 4);
	ck_assert_int_eq(v.last_modified, 5000);
	svc_feed_view_release(&v);
	free(t);
	svc_feed_cache_free(c);
}
END_TEST

START_TEST(test_if_modified_since_exactness)
{
	struct svc_feed_cache *c = svc_feed_cache_new(0, 1000, 1, NULL, 0);
	struct svc_feed_view v;
	struct fake f;
	char *t;

	fake_init(&f, "x");
	/* the second 1000 is over: a date names one state */
	t = get_text(c, "/a.ics?", 2000, &f, &v);
	ck_assert_int_eq(v.lm_exact, 1);
	svc_feed_view_release(&v);
	free(t);
	/* a change at 3000, fetched while 3000 runs: exact so far ... */
	svc_feed_cache_changed(c, 3000, NULL, 0);
	t = get_text(c, "/a.ics?", 3000, &f, &v);
	ck_assert_int_eq(v.lm_exact, 1);
	svc_feed_view_release(&v);
	free(t);
	/* ... but a second change in 3000 leaves a client holding the
	 * first state under the same date: only the ETag validates now */
	svc_feed_cache_changed(c, 3000, NULL, 0);
	t = get_text(c, "/a.ics?", 3000, &f, &v);
	ck_assert_int_eq(v.last_modified, 3000);
	ck_assert_int_eq(v.lm_exact, 0);
	svc_feed_view_release(&v);
	free(t);
	t = get_text(c, "/a.ics?", 3001, &f, &v);
	ck_assert_int_eq(v.lm_exact, 0);
	svc_feed_view_release(&v);
	free(t);
	/* a change in a later second settles it again */
	svc_feed_cache_changed(c, 3002, NULL, 0);
	t = get_text(c, "/a.ics?", 3003, &f, &v);
	ck_assert_int_eq(v.lm_exact, 1);
	svc_feed_view_release(&v);
	free(t);
	svc_feed_cache_free(c);
	/* at start, a second with several changes is not exact */
	c = svc_feed_cache_new(0, 1000, 0, NULL, 0);
	t = get_text(c, "/a.ics?", 2000, &f, &v);
	ck_assert_int_eq(v.lm_exact, 0);
	svc_feed_view_release(&v);
	free(t);
	svc_feed_cache_free(c);
	/* no Last-Modified at all: never */
	c = svc_feed_cache_new(0, 0, 1, NULL, 0);
	t = get_text(c, "/a.ics?", 2000, &f, &v);
	ck_assert_int_eq(v.lm_exact, 0);
	svc_feed_view_release(&v);
	free(t);
	svc_feed_cache_free(c);
}
END_TEST

/* every 1000 seconds, like the default window's daily move */
static int64_t
every_1000(void *ctx, int64_t now)
{
	(void)ctx;
	return (now / 1000 + 1) * 1000;
}

START_TEST(test_window_move_invalidates)
{
	struct svc_feed_cache *c = svc_feed_cache_new(0, 500, 1, NULL, 0);
	struct svc_feed_view v;
	struct fake f;
	char *t;

	svc_feed_cache_set_boundary(c, every_1000, NULL, 600);
	fake_init(&f, "x");
	t = get_text(c, "/a.ics?", 600, &f, &v);
	svc_feed_view_release(&v);
	free(t);
	t = get_text(c, "/a.ics?", 999, &f, &v);
	ck_assert_int_eq(f.renders, 1);
	ck_assert_int_eq(v.last_modified, 500);
	svc_feed_view_release(&v);
	free(t);
	t = get_text(c, "/a.ics?", 1000, &f, &v);
	ck_assert_int_eq(f.renders, 2);
	ck_assert_int_eq(v.last_modified, 1000);
	svc_feed_view_release(&v);
	free(t);
	t = get_text(c, "/a.ics?", 2500, &f, &v);	/* two moves passed */
	ck_assert_int_eq(f.renders, 3);
	ck_assert_int_eq(v.last_modified, 2000);
	svc_feed_view_release(&v);
	free(t);
	svc_feed_cache_free(c);
}
END_TEST

/* ---- bound, LRU ---- */

START_TEST(test_lru_by_bytes)
{
	static char big[3000];
	/* 3000 octets of body + key + 256 overhead each: two fit in 7000 */
	struct svc_feed_cache *c = svc_feed_cache_new(7000, 1, 1, NULL, 0);
	struct svc_feed_cache_stats st;
	struct svc_feed_view v, held;
	struct fake f;
	char *t;

	memset(big, 'x', sizeof(big) - 1);
	fake_init(&f, big);
	t = get_text(c, "/a.ics?", 10, &f, &held);	/* a response holds a */
	free(t);
	t = get_text(c, "/b.ics?", 10, &f, &v);
	svc_feed_view_release(&v);
	free(t);
	t = get_text(c, "/a.ics?", 10, &f, &v);	/* a is now most recent */
	svc_feed_view_release(&v);
	free(t);
	ck_assert_int_eq(f.renders, 2);
	t = get_text(c, "/c.ics?", 10, &f, &v);	/* evicts b, not a */
	svc_feed_view_release(&v);
	free(t);
	svc_feed_cache_stats(c, &st);
	ck_assert_int_eq(st.entries, 2);
	ck_assert_int_eq(st.evictions, 1);
	ck_assert_uint_le(st.bytes, 7000);
	t = get_text(c, "/a.ics?", 10, &f, &v);
	ck_assert_int_eq(f.renders, 3);			/* a was a hit */
	svc_feed_view_release(&v);
	free(t);
	t = get_text(c, "/b.ics?", 10, &f, &v);
	ck_assert_int_eq(f.renders, 4);			/* b was evicted */
	svc_feed_view_release(&v);
	free(t);
	/* an evicted body lives on while a response holds it */
	ck_assert_int_eq(held.body->len, sizeof(big) - 1);
	ck_assert_int_eq(held.body->data[0], 'x');
	svc_feed_view_release(&held);
	svc_feed_cache_free(c);
}
END_TEST

START_TEST(test_larger_than_bound_not_kept)
{
	struct svc_feed_cache *c = svc_feed_cache_new(300, 1, 1, NULL, 0);
	struct svc_feed_cache_stats st;
	struct svc_feed_view v;
	struct fake f;
	char *t;

	fake_init(&f, "a body that with its key and overhead is over 300");
	t = get_text(c, "/a.ics?", 10, &f, &v);
	ck_assert_str_eq(t, "a body that with its key and overhead is over 300");
	svc_feed_view_release(&v);
	free(t);
	svc_feed_cache_stats(c, &st);
	ck_assert_int_eq(st.entries, 0);
	ck_assert_int_eq(st.bytes, 0);
	svc_feed_cache_free(c);
}
END_TEST

START_TEST(test_render_error_not_cached)
{
	struct svc_feed_cache *c = svc_feed_cache_new(0, 1, 1, NULL, 0);
	struct svc_feed_cache_stats st;
	struct svc_feed_view v;
	struct fake f;

	fake_init(&f, "x");
	f.fail = -ENOENT;
	ck_assert_int_eq(svc_feed_cache_get(c, "/nope.ics?", 10, 0,
					    fake_render, &f, &v), -ENOENT);
	ck_assert_ptr_null(v.body);
	ck_assert_int_eq(svc_feed_cache_get(c, "/nope.ics?", 10, 0,
					    fake_render, &f, &v), -ENOENT);
	ck_assert_int_eq(f.renders, 2);
	svc_feed_cache_stats(c, &st);
	ck_assert_int_eq(st.entries, 0);
	svc_feed_cache_free(c);
}
END_TEST

/* ---- gzip ---- */

START_TEST(test_gzip_body_inflates_to_identity)
{
	struct svc_feed_cache *c = svc_feed_cache_new(0, 1, 1, NULL, 0);
	struct svc_feed_view id, gz, gz2;
	struct fake f;
	char text[20000], out[20001];
	z_stream zs;
	size_t i;

	for (i = 0; i < sizeof(text) - 1; i++)
		text[i] = "BEGIN:VEVENT\r\nSUMMARY:路演\r\n"[i % 30];
	text[sizeof(text) - 1] = '\0';
	fake_init(&f, text);
	ck_assert_int_eq(svc_feed_cache_get(c, "/a.ics?", 10, 1, fake_render,
					    &f, &gz), 0);
	ck_assert_int_eq(svc_feed_cache_get(c, "/a.ics?", 10, 0, fake_render,
					    &f, &id), 0);
	ck_assert_int_eq(svc_feed_cache_get(c, "/a.ics?", 10, 1, fake_render,
					    &f, &gz2), 0);
	ck_assert_int_eq(f.renders, 1);
	ck_assert_int_eq(gz.gzip, 1);
	ck_assert_int_eq(id.gzip, 0);
	ck_assert_ptr_eq(gz.body, gz2.body);	/* made once */
	ck_assert_uint_lt(gz.body->len, id.body->len / 10);
	ck_assert_int_eq((unsigned char)gz.body->data[0], 0x1f);
	ck_assert_int_eq((unsigned char)gz.body->data[1], 0x8b);
	/* "<hex>" and "<hex>-gz": a strong ETag per coding */
	ck_assert_int_eq(strncmp(gz.etag, id.etag, 33), 0);
	ck_assert_str_eq(gz.etag + 33, "-gz\"");
	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = (Bytef *)gz.body->data;
	zs.avail_in = (uInt)gz.body->len;
	zs.next_out = (Bytef *)out;
	zs.avail_out = sizeof(out);
	ck_assert_int_eq(inflate(&zs, Z_FINISH), Z_STREAM_END);
	ck_assert_int_eq(zs.total_out, id.body->len);
	inflateEnd(&zs);
	ck_assert_int_eq(memcmp(out, id.body->data, id.body->len), 0);
	svc_feed_view_release(&id);
	svc_feed_view_release(&gz);
	svc_feed_view_release(&gz2);
	svc_feed_cache_free(c);
}
END_TEST

START_TEST(test_peek_never_renders)
{
	struct svc_feed_cache *c = svc_feed_cache_new(0, 1, 1, NULL, 0);
	struct svc_feed_view v;
	struct fake f;
	char *t;

	fake_init(&f, "peeked");
	ck_assert_int_eq(svc_feed_cache_peek(c, "/a.ics?", 10, 0, &v),
			 -EAGAIN);
	ck_assert_ptr_null(v.body);
	t = get_text(c, "/a.ics?", 10, &f, &v);
	svc_feed_view_release(&v);
	free(t);
	ck_assert_int_eq(svc_feed_cache_peek(c, "/a.ics?", 10, 0, &v), 0);
	ck_assert_int_eq(v.hit, 1);
	ck_assert_int_eq(v.body->len, 6);
	svc_feed_view_release(&v);
	/* its gzip body is not made yet: peek does not make it */
	ck_assert_int_eq(svc_feed_cache_peek(c, "/a.ics?", 10, 1, &v),
			 -EAGAIN);
	ck_assert_int_eq(svc_feed_cache_get(c, "/a.ics?", 10, 1, fake_render,
					    &f, &v), 0);
	svc_feed_view_release(&v);
	ck_assert_int_eq(svc_feed_cache_peek(c, "/a.ics?", 10, 1, &v), 0);
	ck_assert_int_eq(v.gzip, 1);
	svc_feed_view_release(&v);
	ck_assert_int_eq(f.renders, 1);
	/* a write: nothing to peek at */
	svc_feed_cache_changed(c, 11, NULL, 0);
	ck_assert_int_eq(svc_feed_cache_peek(c, "/a.ics?", 11, 0, &v),
			 -EAGAIN);
	svc_feed_cache_free(c);
}
END_TEST

/* ---- concurrent misses ---- */

struct getter {
	struct svc_feed_cache *c;
	struct fake *f;
	struct svc_feed_view v;
	int rc;
};

static void *
getter_main(void *arg)
{
	struct getter *g = arg;

	g->rc = svc_feed_cache_get(g->c, "/same.ics?", 10, 0, fake_render,
				   g->f, &g->v);
	return NULL;
}

START_TEST(test_concurrent_misses_render_once)
{
	struct svc_feed_cache *c = svc_feed_cache_new(0, 1, 1, NULL, 0);
	struct svc_feed_cache_stats st;
	struct getter g[4];
	pthread_t th[4];
	struct fake f;
	int i;

	fake_init(&f, "rendered once");
	f.gated = 1;
	memset(g, 0, sizeof(g));
	for (i = 0; i < 4; i++) {
		g[i].c = c;
		g[i].f = &f;
	}
	/* the first caller renders and stops at the gate ... */
	pthread_create(&th[0], NULL, getter_main, &g[0]);
	pthread_mutex_lock(&f.mu);
	while (!f.inside)
		pthread_cond_wait(&f.cv, &f.mu);
	pthread_mutex_unlock(&f.mu);
	/* ... while three more ask for the same key and wait */
	for (i = 1; i < 4; i++)
		pthread_create(&th[i], NULL, getter_main, &g[i]);
	do {
		sched_yield();
		svc_feed_cache_stats(c, &st);
	} while (st.waits < 3);
	pthread_mutex_lock(&f.mu);
	f.gated = 0;
	pthread_cond_broadcast(&f.cv);
	pthread_mutex_unlock(&f.mu);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(g[i].rc, 0);
		ck_assert_ptr_eq(g[i].v.body, g[0].v.body);
	}
	ck_assert_int_eq(f.renders, 1);
	for (i = 0; i < 4; i++)
		svc_feed_view_release(&g[i].v);
	svc_feed_cache_free(c);
}
END_TEST

static Suite *
feed_cache_suite(void)
{
	Suite *s = suite_create("feed_cache");

	ck_add(s, "key_poisoning_case", test_key_poisoning_case, NULL, NULL);
	ck_add(s, "key_sorted_and_encoded", test_key_sorted_and_encoded, NULL,
	       NULL);
	ck_add(s, "key_repeated_names_keep_order",
	       test_key_repeated_names_keep_order, NULL, NULL);
	ck_add(s, "accept_encoding_qvalues", test_accept_encoding_qvalues,
	       NULL, NULL);
	ck_add(s, "hit_needs_no_render", test_hit_needs_no_render, NULL, NULL);
	ck_add(s, "generation_invalidates", test_generation_invalidates, NULL,
	       NULL);
	ck_add(s, "cancelled_leaving_invalidates",
	       test_cancelled_leaving_invalidates, NULL, NULL);
	ck_add(s, "if_modified_since_exactness",
	       test_if_modified_since_exactness, NULL, NULL);
	ck_add(s, "window_move_invalidates", test_window_move_invalidates,
	       NULL, NULL);
	ck_add(s, "lru_by_bytes", test_lru_by_bytes, NULL, NULL);
	ck_add(s, "larger_than_bound_not_kept",
	       test_larger_than_bound_not_kept, NULL, NULL);
	ck_add(s, "render_error_not_cached", test_render_error_not_cached,
	       NULL, NULL);
	ck_add(s, "gzip_body_inflates_to_identity",
	       test_gzip_body_inflates_to_identity, NULL, NULL);
	ck_add(s, "peek_never_renders", test_peek_never_renders, NULL, NULL);
	ck_add(s, "concurrent_misses_render_once",
	       test_concurrent_misses_render_once, NULL, NULL);
	return s;
}

int
main(void)
{
	return ck_main(feed_cache_suite());
}
