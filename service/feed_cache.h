/*
 * feed_cache: rendered feeds kept in memory, so that a hit touches no
 * database and copies nothing.
 *
 * The cache is keyed by a canonical request (svc_feed_key(): path plus the
 * query arguments sorted by name and percent-encoded again, so a decoded
 * '&' or '=' can never make two requests share an entry). It also holds
 * the feeds' state: a generation number that every write bumps
 * (svc_feed_cache_changed()), the feeds' Last-Modified, and the moments at
 * which a CANCELLED event leaves the public feeds (passing one is a change
 * too). An entry is valid only for the generation it was rendered in.
 *
 * Bodies (identity, and gzip made from it with zlib on first demand) are
 * reference-counted immutable buffers (struct svc_body) that a response
 * borrows without copying; the cache is bounded by octets and evicts the
 * least recently used entry. Concurrent misses of one key render once: the
 * other callers wait for that render.
 *
 * Every function is thread-safe (one mutex, never held while rendering or
 * compressing). Times are seconds since the epoch, UTC.
 */
#ifndef ROADSHOWD_FEED_CACHE_H
#define ROADSHOWD_FEED_CACHE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* Default bound of the cache, octets (identity + gzip + keys). */
#define SVC_FEED_CACHE_BYTES ((size_t)64 * 1024 * 1024)

/* An immutable, reference-counted buffer of octets. */
struct svc_body {
	atomic_size_t refs;		/* holders: cache entry, responses */
	size_t len;			/* octets in data */
	char data[];			/* not NUL-terminated */
};

/* Take one more reference to b (not NULL). */
void svc_body_ref(struct svc_body *b);
/* Drop a reference; the last one frees b. NULL is a no-op. */
void svc_body_unref(struct svc_body *b);
/* The body whose data is data (as handed to a response); for free
 * callbacks that get data back. */
struct svc_body *svc_body_of(void *data);

/* One query argument, as the HTTP library decoded it. value NULL means
 * the argument had no '=' at all. Borrowed. */
struct svc_kv {
	const char *key;
	const char *value;
};

/*
 * The canonical cache key of a request: path, then '?', then the arguments
 * in a stable sort by name (the order of repeated names is kept: it decides
 * which one a handler reads), each name and value percent-encoded again
 * (RFC 3986 §2.3 unreserved octets kept, every other octet %XX). path and
 * args are borrowed; the array is not changed. Returns a string the
 * caller frees with free(), or NULL when out of memory.
 */
char *svc_feed_key(const char *path, const struct svc_kv *args, size_t n);

/*
 * Whether an Accept-Encoding field value (RFC 9110 §12.5.3) asks for gzip:
 * "gzip" (or "x-gzip", or "*" when gzip is not named) with a q-value above
 * zero and not below the q-value given to "identity". NULL (no header)
 * is 0. Names and "q" are case-insensitive; an unparsable q counts as 0.
 */
int svc_accepts_gzip(const char *header);

struct svc_feed_cache;

/*
 * A new cache bounded by max_bytes octets (0: SVC_FEED_CACHE_BYTES), with
 * Last-Modified lm (0: none yet). lm_settled is 1 when no response can
 * have carried lm for an older state (0 when the second lm held several
 * changes: If-Modified-Since then does not validate lm). leaves (borrowed,
 * ascending, may be NULL) are the future moments a CANCELLED event leaves
 * the public feeds. Free with svc_feed_cache_free(). NULL when out of
 * memory.
 */
struct svc_feed_cache *svc_feed_cache_new(size_t max_bytes, int64_t lm,
					  int lm_settled,
					  const int64_t *leaves,
					  size_t n_leaves);
/* Free the cache; bodies still held by responses live on. NULL: no-op. */
void svc_feed_cache_free(struct svc_feed_cache *c);

/*
 * A write happened at now: bump the generation (every entry becomes
 * invalid at once), move Last-Modified to now unless it is later, and take
 * leaves (borrowed, ascending: the future moments a CANCELLED event leaves
 * the public feeds) as the new list.
 */
void svc_feed_cache_changed(struct svc_feed_cache *c, int64_t now,
			    const int64_t *leaves, size_t n_leaves);

/*
 * The first moment after now (seconds UTC) at which feeds change by
 * themselves (the default window's start moves on); ctx is the setter's.
 */
typedef int64_t (*svc_feed_boundary_fn)(void *ctx, int64_t now);

/*
 * Also treat every boundary fn gives as a change: when now passes it,
 * Last-Modified moves to it and every entry becomes invalid. ctx is
 * borrowed for the cache's life.
 */
void svc_feed_cache_set_boundary(struct svc_feed_cache *c,
				 svc_feed_boundary_fn fn, void *ctx,
				 int64_t now);

/*
 * Render callback: produce the feed for the request being served. On 0,
 * *text is a malloc'd buffer of *len octets (stolen by the cache). On a
 * negative errno nothing is cached and svc_feed_cache_get() returns it.
 */
typedef int (*svc_feed_render_fn)(void *ctx, char **text, size_t *len);

/* What a response needs. Release with svc_feed_view_release(). */
struct svc_feed_view {
	struct svc_body *body;		/* reference held; identity or gzip */
	int gzip;			/* 1: body is the gzip coding */
	char etag[48];			/* quoted strong ETag of body */
	int64_t last_modified;		/* seconds UTC; 0: none */
	int lm_exact;			/* 1: If-Modified-Since may validate */
	int hit;			/* 1: no render was needed */
};

/*
 * The feed under key (borrowed) at time now: from the cache, or rendered
 * once by render(ctx) (called without any lock, on this thread) while
 * other callers of the same key wait. want_gzip asks for the gzip coding
 * (made once per render, on first demand). Records the response's
 * Last-Modified for If-Modified-Since exactness (RFC 9110 §13.1.3: a date
 * validates only when no response carried it for an older state).
 * Returns 0 and fills view, -ENOMEM, or the render's error.
 */
int svc_feed_cache_get(struct svc_feed_cache *c, const char *key,
		       int64_t now, int want_gzip, svc_feed_render_fn render,
		       void *ctx, struct svc_feed_view *view);

/* Drop view's reference to its body (a view from svc_feed_cache_get()
 * or _peek()); view->body is NULL after. */
void svc_feed_view_release(struct svc_feed_view *view);

/*
 * Like svc_feed_cache_get(), but never renders, compresses or waits:
 * 0 and view when the entry (and its gzip body, when wanted) is ready,
 * else -EAGAIN (the caller renders elsewhere, with svc_feed_cache_get()).
 */
int svc_feed_cache_peek(struct svc_feed_cache *c, const char *key,
			int64_t now, int want_gzip,
			struct svc_feed_view *view);

/* Counters and size, for /metrics and tests. */
struct svc_feed_cache_stats {
	uint64_t generation;
	uint64_t hits;
	uint64_t misses;		/* renders */
	uint64_t evictions;
	uint64_t waits;			/* callers that waited for a render */
	size_t entries;
	size_t bytes;			/* octets accounted to entries */
	int64_t last_modified;
};

/* Copy c's counters into out (caller's), under c's lock. */
void svc_feed_cache_stats(struct svc_feed_cache *c,
			  struct svc_feed_cache_stats *out);

/*
 * gzip (RFC 1952) of len octets of data with zlib. Returns a new body
 * (caller unrefs) or NULL when out of memory or zlib fails.
 */
struct svc_body *svc_gzip_body(const char *data, size_t len);

#endif
