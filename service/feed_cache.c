/*
 * feed_cache.c: the in-memory feed cache (see feed_cache.h).
 *
 * Entries live in a hash table of chains and on one LRU list (head: most
 * recently used). A flush (a write, or a cancelled event leaving the
 * feeds) takes every entry out of the table; an entry still being rendered
 * or waited for is freed by its last holder. Bodies are freed by their
 * last reference, which may be a response inside libmicrohttpd.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "feed_cache.h"
#include "hex.h"
#include "svc.h"

#define N_BUCKETS 4096u
#define ENTRY_OVERHEAD 256u	/* octets charged per entry beyond data */

enum entry_state { ENTRY_RENDERING, ENTRY_READY, ENTRY_FAILED };
enum gzip_state { GZ_NONE, GZ_MAKING, GZ_READY, GZ_FAILED };

struct entry {
	struct entry *chain;		/* hash bucket */
	struct entry *prev, *next;	/* LRU list, while in the table */
	char *key;
	uint32_t hash;
	int in_table;
	int refs;			/* the table's and each caller's */
	enum entry_state state;
	enum gzip_state gz_state;
	int err;			/* render error when FAILED */
	uint64_t gen;			/* generation it was rendered in */
	int64_t last_modified;		/* of that generation */
	struct svc_body *identity;
	struct svc_body *gzip;
	char etag[48];
	char etag_gz[48];
	size_t bytes;			/* charged to the cache */
};

struct svc_feed_cache {
	pthread_mutex_t mu;
	pthread_cond_t changed;		/* a render or gzip finished */
	size_t max_bytes;
	size_t bytes;
	size_t entries;
	struct entry *buckets[N_BUCKETS];
	struct entry *lru_head, *lru_tail;
	uint64_t gen;
	int64_t lm;			/* feeds' Last-Modified */
	/* The Last-Modified last handed out while its second still ran,
	 * and the oldest generation such a response carried (-1: a
	 * previous process may have handed it out for an older state). */
	int64_t open_t;
	int64_t open_gen;
	int64_t *leaves;		/* ascending, future at the time set */
	size_t n_leaves;
	size_t next_leave;
	svc_feed_boundary_fn boundary_fn;
	void *boundary_ctx;
	int64_t boundary;		/* next moment feeds change by time */
	uint64_t hits, misses, evictions, waits;
};

/* ---- bodies ---- */

static struct svc_body *
body_new(size_t len)
{
	struct svc_body *b = malloc(sizeof(*b) + (len ? len : 1));

	if (!b)
		return NULL;
	atomic_init(&b->refs, 1);
	b->len = len;
	return b;
}

void
svc_body_ref(struct svc_body *b)
{
	atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
}

void
svc_body_unref(struct svc_body *b)
{
	if (b && atomic_fetch_sub_explicit(&b->refs, 1,
					   memory_order_acq_rel) == 1)
		free(b);
}

struct svc_body *
svc_body_of(void *data)
{
	return (struct svc_body *)(void *)((char *)data -
					   offsetof(struct svc_body, data));
}

struct svc_body *
svc_gzip_body(const char *data, size_t len)
{
	z_stream zs;
	struct svc_body *b;
	size_t cap;
	int zrc;

	memset(&zs, 0, sizeof(zs));
	/* windowBits 15 + 16: a gzip wrapper (RFC 1952), not zlib's. */
	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	cap = deflateBound(&zs, (uLong)len) + 32;
	b = body_new(cap);
	if (!b) {
		deflateEnd(&zs);
		return NULL;
	}
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)b->data;
	zs.avail_out = (uInt)cap;
	zrc = deflate(&zs, Z_FINISH);
	b->len = cap - zs.avail_out;
	deflateEnd(&zs);
	if (zrc != Z_STREAM_END) {
		svc_body_unref(b);
		return NULL;
	}
	return b;
}

/* ---- canonical key and Accept-Encoding ---- */

static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

static size_t
encoded_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += unreserved((unsigned char)*s) ? 1 : 3;
	return n;
}

static char *
encode_into(char *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (unreserved(c)) {
			*out++ = (char)c;
		} else {
			out = svc_hex_pct(c, out);
		}
	}
	return out;
}

char *
svc_feed_key(const char *path, const struct svc_kv *args, size_t n)
{
	const struct svc_kv **order;
	size_t i, j, len = strlen(path) + 2;
	char *key, *p;

	order = malloc((n ? n : 1) * sizeof(*order));
	if (!order)
		return NULL;
	for (i = 0; i < n; i++) {
		len += encoded_len(args[i].key) + 2;
		if (args[i].value)
			len += encoded_len(args[i].value);
		/* Insertion sort by name: stable, so repeated names keep
		 * their order (the first one is what a handler reads). */
		for (j = i; j > 0 && strcmp(order[j - 1]->key,
					    args[i].key) > 0; j--)
			order[j] = order[j - 1];
		order[j] = &args[i];
	}
	key = malloc(len);
	if (!key) {
		free(order);
		return NULL;
	}
	p = key + strlen(path);
	memcpy(key, path, p - key);
	*p++ = '?';
	for (i = 0; i < n; i++) {
		if (i)
			*p++ = '&';
		p = encode_into(p, order[i]->key);
		if (order[i]->value) {
			*p++ = '=';
			p = encode_into(p, order[i]->value);
		}
	}
	*p = '\0';
	free(order);
	return key;
}

/* RFC 9110 §12.4.2 qvalue: "0"/"1" with up to three decimals. 0 to 1000,
 * or -1 when it is not one. */
static int
parse_qvalue(const char *s, size_t n)
{
	int q, digits = 0;
	size_t i;

	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (n == 1)
		return q;
	if (s[1] != '.' || n > 5)
		return -1;
	for (i = 2; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		q += (s[i] - '0') * (i == 2 ? 100 : i == 3 ? 10 : 1);
		digits++;
	}
	(void)digits;
	return q > 1000 ? -1 : q;
}

static int
token_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

int
svc_accepts_gzip(const char *h)
{
	int q_gzip = -1, q_star = -1, q_identity = -1;

	if (!h)
		return 0;
	while (*h) {
		const char *name, *end;
		size_t nlen;
		int q = 1000;

		while (*h == ' ' || *h == '\t' || *h == ',')
			h++;
		if (!*h)
			break;
		name = h;
		while (*h && *h != ',' && *h != ';' && *h != ' ' &&
		       *h != '\t')
			h++;
		nlen = (size_t)(h - name);
		/* parameters: only q matters */
		for (;;) {
			while (*h == ' ' || *h == '\t')
				h++;
			if (*h != ';')
				break;
			h++;
			while (*h == ' ' || *h == '\t')
				h++;
			end = h;
			while (*end && *end != ',' && *end != ';')
				end++;
			if ((h[0] == 'q' || h[0] == 'Q') && h[1] == '=') {
				size_t vlen = (size_t)(end - h - 2);

				while (vlen && (h[2 + vlen - 1] == ' ' ||
						h[2 + vlen - 1] == '\t'))
					vlen--;
				q = parse_qvalue(h + 2, vlen);
				if (q < 0)
					q = 0;
			}
			h = end;
		}
		while (*h && *h != ',')
			h++;		/* junk after a member */
		if (token_is(name, nlen, "gzip") ||
		    token_is(name, nlen, "x-gzip"))
			q_gzip = q > q_gzip ? q : q_gzip;
		else if (token_is(name, nlen, "*"))
			q_star = q;
		else if (token_is(name, nlen, "identity"))
			q_identity = q;
	}
	if (q_gzip < 0)
		q_gzip = q_star;
	return q_gzip > 0 && q_gzip >= q_identity;
}

/* ---- the cache ---- */

static uint32_t
hash_of(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

struct svc_feed_cache *
svc_feed_cache_new(size_t max_bytes, int64_t lm, int lm_settled,
		   const int64_t *leaves, size_t n_leaves)
{
	struct svc_feed_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (n_leaves) {
		c->leaves = malloc(n_leaves * sizeof(*c->leaves));
		if (!c->leaves) {
			free(c);
			return NULL;
		}
		memcpy(c->leaves, leaves, n_leaves * sizeof(*leaves));
		c->n_leaves = n_leaves;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->changed, NULL);
	c->max_bytes = max_bytes ? max_bytes : SVC_FEED_CACHE_BYTES;
	c->lm = lm;
	c->open_t = lm_settled ? 0 : lm;
	c->open_gen = -1;
	return c;
}

static void
entry_free(struct entry *e)
{
	svc_body_unref(e->identity);
	svc_body_unref(e->gzip);
	free(e->key);
	free(e);
}

/* Drop a holder's reference; with c->mu held. */
static void
entry_put(struct entry *e)
{
	if (--e->refs == 0)
		entry_free(e);
}

static void
lru_unlink(struct svc_feed_cache *c, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->lru_head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->lru_tail = e->prev;
	e->prev = e->next = NULL;
}

static void
lru_front(struct svc_feed_cache *c, struct entry *e)
{
	e->next = c->lru_head;
	e->prev = NULL;
	if (c->lru_head)
		c->lru_head->prev = e;
	c->lru_head = e;
	if (!c->lru_tail)
		c->lru_tail = e;
}

/* Take e out of the table (it lives on while others hold it). */
static void
table_remove(struct svc_feed_cache *c, struct entry *e)
{
	struct entry **pp = &c->buckets[e->hash % N_BUCKETS];

	if (!e->in_table)
		return;
	while (*pp != e)
		pp = &(*pp)->chain;
	*pp = e->chain;
	e->chain = NULL;
	lru_unlink(c, e);
	e->in_table = 0;
	c->bytes -= e->bytes;
	c->entries--;
	entry_put(e);
}

static void
flush(struct svc_feed_cache *c)
{
	while (c->lru_head)
		table_remove(c, c->lru_head);
	c->gen++;
}

void
svc_feed_cache_free(struct svc_feed_cache *c)
{
	if (!c)
		return;
	while (c->lru_head)
		table_remove(c, c->lru_head);
	pthread_cond_destroy(&c->changed);
	pthread_mutex_destroy(&c->mu);
	free(c->leaves);
	free(c);
}

/* A cancelled event left the public feeds since the last look: that is a
 * change at the moment it left. With c->mu held. */
static void
advance_time(struct svc_feed_cache *c, int64_t now)
{
	int passed = 0;

	while (c->next_leave < c->n_leaves &&
	       c->leaves[c->next_leave] <= now) {
		if (c->leaves[c->next_leave] > c->lm)
			c->lm = c->leaves[c->next_leave];
		c->next_leave++;
		passed = 1;
	}
	if (c->boundary_fn && now >= c->boundary) {
		if (c->boundary > c->lm)
			c->lm = c->boundary;
		c->boundary = c->boundary_fn(c->boundary_ctx, now);
		passed = 1;
	}
	if (passed)
		flush(c);
}

void
svc_feed_cache_set_boundary(struct svc_feed_cache *c,
			    svc_feed_boundary_fn fn, void *ctx, int64_t now)
{
	pthread_mutex_lock(&c->mu);
	c->boundary_fn = fn;
	c->boundary_ctx = ctx;
	c->boundary = fn(ctx, now);
	pthread_mutex_unlock(&c->mu);
}

void
svc_feed_cache_changed(struct svc_feed_cache *c, int64_t now,
		       const int64_t *leaves, size_t n_leaves)
{
	int64_t *copy = NULL;

	if (n_leaves) {
		copy = malloc(n_leaves * sizeof(*copy));
		if (copy)
			memcpy(copy, leaves, n_leaves * sizeof(*copy));
		else
			n_leaves = 0;	/* a later flush still comes */
	}
	pthread_mutex_lock(&c->mu);
	flush(c);
	if (now > c->lm)
		c->lm = now;
	free(c->leaves);
	c->leaves = copy;
	c->n_leaves = n_leaves;
	c->next_leave = 0;
	advance_time(c, now);
	pthread_mutex_unlock(&c->mu);
}

static struct entry *
find(struct svc_feed_cache *c, const char *key, uint32_t h)
{
	struct entry *e;

	for (e = c->buckets[h % N_BUCKETS]; e; e = e->chain)
		if (e->hash == h && strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

/* Evict least recently used entries until the bound holds; keep e. */
static void
enforce_bound(struct svc_feed_cache *c, struct entry *keep)
{
	struct entry *v = c->lru_tail;

	while (c->bytes > c->max_bytes && v) {
		struct entry *prev = v->prev;

		if (v != keep && v->state == ENTRY_READY) {
			table_remove(c, v);
			c->evictions++;
		}
		v = prev;
	}
	if (c->bytes > c->max_bytes && keep && keep->in_table) {
		table_remove(c, keep);	/* larger than the whole bound */
		c->evictions++;
	}
}

static void
charge(struct svc_feed_cache *c, struct entry *e, size_t more)
{
	e->bytes += more;
	if (e->in_table)
		c->bytes += more;
}

/* If-Modified-Since exactness of (lm, gen), and record this response
 * (see open_t). With c->mu held. */
static int
lm_exact(struct svc_feed_cache *c, int64_t lm, uint64_t gen, int64_t now)
{
	int exact;

	if (lm <= 0)
		return 0;
	exact = c->open_t != lm || c->open_gen >= (int64_t)gen;
	if (now <= lm) {			/* the second lm still runs */
		if (c->open_t != lm || c->open_gen > (int64_t)gen)
			c->open_gen = (int64_t)gen;
		c->open_t = lm;
	}
	return exact;
}

static int
render_entry(struct svc_feed_cache *c, struct entry *e,
	     svc_feed_render_fn render, void *ctx)
{
	char *text = NULL;
	size_t len = 0;
	struct svc_body *b = NULL;
	int rc;

	pthread_mutex_unlock(&c->mu);
	rc = render(ctx, &text, &len);
	if (rc == 0) {
		b = body_new(len);
		if (b) {
			memcpy(b->data, text, len);
			svc_etag_of(b->data, len, e->etag);
		} else {
			rc = -ENOMEM;
		}
	}
	free(text);
	pthread_mutex_lock(&c->mu);
	c->misses++;
	if (rc != 0) {
		e->state = ENTRY_FAILED;
		e->err = rc;
		table_remove(c, e);
	} else {
		e->identity = b;
		/* the gzip variant's strong ETag differs (RFC 9110 §8.8.3) */
		snprintf(e->etag_gz, sizeof(e->etag_gz), "%.33s-gz\"",
			 e->etag);
		e->state = ENTRY_READY;
		charge(c, e, len);
		if (e->in_table)
			enforce_bound(c, e);
	}
	pthread_cond_broadcast(&c->changed);
	return rc;
}

static int
make_gzip(struct svc_feed_cache *c, struct entry *e)
{
	struct svc_body *gz;

	while (e->gz_state == GZ_MAKING)
		pthread_cond_wait(&c->changed, &c->mu);
	if (e->gz_state == GZ_READY)
		return 0;
	e->gz_state = GZ_MAKING;
	pthread_mutex_unlock(&c->mu);
	gz = svc_gzip_body(e->identity->data, e->identity->len);
	pthread_mutex_lock(&c->mu);
	if (!gz) {
		e->gz_state = GZ_NONE;	/* the next caller tries again */
		pthread_cond_broadcast(&c->changed);
		return -ENOMEM;
	}
	e->gzip = gz;
	e->gz_state = GZ_READY;
	charge(c, e, gz->len);
	if (e->in_table)
		enforce_bound(c, e);
	pthread_cond_broadcast(&c->changed);
	return 0;
}

/* Fill view from the ready entry e (a new body reference); with c->mu
 * held. */
static void
fill_view(struct svc_feed_cache *c, struct entry *e, int64_t now,
	  int gzip, int hit, struct svc_feed_view *view)
{
	if (e->in_table) {
		lru_unlink(c, e);
		lru_front(c, e);
	}
	if (hit)
		c->hits++;
	view->hit = hit;
	view->gzip = gzip;
	view->body = gzip ? e->gzip : e->identity;
	svc_body_ref(view->body);
	snprintf(view->etag, sizeof(view->etag), "%s",
		 gzip ? e->etag_gz : e->etag);
	view->last_modified = e->last_modified;
	view->lm_exact = lm_exact(c, e->last_modified, e->gen, now);
}

int
svc_feed_cache_get(struct svc_feed_cache *c, const char *key, int64_t now,
		   int want_gzip, svc_feed_render_fn render, void *ctx,
		   struct svc_feed_view *view)
{
	uint32_t h = hash_of(key);
	struct entry *e;
	int rc = 0, hit = 1;

	memset(view, 0, sizeof(*view));
	pthread_mutex_lock(&c->mu);
	advance_time(c, now);
	for (;;) {
		e = find(c, key, h);
		if (!e) {
			e = calloc(1, sizeof(*e));
			if (e)
				e->key = strdup(key);
			if (!e || !e->key) {
				free(e);
				rc = -ENOMEM;
				goto out;
			}
			e->hash = h;
			e->gen = c->gen;
			e->last_modified = c->lm;
			e->state = ENTRY_RENDERING;
			e->refs = 2;		/* the table's and ours */
			e->in_table = 1;
			e->bytes = strlen(key) + ENTRY_OVERHEAD;
			e->chain = c->buckets[h % N_BUCKETS];
			c->buckets[h % N_BUCKETS] = e;
			lru_front(c, e);
			c->bytes += e->bytes;
			c->entries++;
			hit = 0;
			rc = render_entry(c, e, render, ctx);
			if (rc != 0) {
				entry_put(e);
				goto out;
			}
			break;
		}
		e->refs++;
		if (e->state == ENTRY_RENDERING)
			c->waits++;
		while (e->state == ENTRY_RENDERING)
			pthread_cond_wait(&c->changed, &c->mu);
		if (e->state == ENTRY_READY)
			break;
		entry_put(e);		/* its render failed: try ourselves */
	}
	if (want_gzip && make_gzip(c, e) != 0)
		want_gzip = 0;		/* identity is always acceptable */
	fill_view(c, e, now, want_gzip, hit, view);
	entry_put(e);
out:
	pthread_mutex_unlock(&c->mu);
	return rc;
}

int
svc_feed_cache_peek(struct svc_feed_cache *c, const char *key, int64_t now,
		    int want_gzip, struct svc_feed_view *view)
{
	struct entry *e;
	int rc = -EAGAIN;

	memset(view, 0, sizeof(*view));
	pthread_mutex_lock(&c->mu);
	advance_time(c, now);
	e = find(c, key, hash_of(key));
	if (e && e->state == ENTRY_READY &&
	    (!want_gzip || e->gz_state == GZ_READY)) {
		fill_view(c, e, now, want_gzip, 1, view);
		rc = 0;
	}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

void
svc_feed_view_release(struct svc_feed_view *view)
{
	svc_body_unref(view->body);
	view->body = NULL;
}

void
svc_feed_cache_stats(struct svc_feed_cache *c, struct svc_feed_cache_stats *s)
{
	pthread_mutex_lock(&c->mu);
	s->generation = c->gen;
	s->hits = c->hits;
	s->misses = c->misses;
	s->evictions = c->evictions;
	s->waits = c->waits;
	s->entries = c->entries;
	s->bytes = c->bytes;
	s->last_modified = c->lm;
	pthread_mutex_unlock(&c->mu);
}
