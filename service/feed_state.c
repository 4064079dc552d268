/*
 * feed_state.c: the feeds' in-memory state across requests (the cache of
 * feed_cache.h, created from the database at start and told of every
 * write), and the per-thread read connections of lock-free routes.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "../calendar/caltime.h"
#include "feed_cache.h"
#include "render_pool.h"
#include "sbuf.h"
#include "svc.h"

/*
 * Writes by another process (roadshowd import) do not pass through the
 * router: once a second a watcher thread compares the database's change
 * marks (db_change_marks()) with those after this process's last write,
 * under the writer lock, and treats a difference as a write.
 */
static struct {
	pthread_t thread;
	int running;
	int stop;
	int64_t history;		/* marks after our last look or write */
	int64_t audit;
	pthread_mutex_t mu;
	pthread_cond_t cv;
} watcher = { .mu = PTHREAD_MUTEX_INITIALIZER,
	      .cv = PTHREAD_COND_INITIALIZER };

/* With svc->lock held: bump the feeds unless quiet and the marks show
 * nothing new; remember the marks. */
static void
feeds_changed(struct svc *svc, int quiet)
{
	int64_t h = 0, a = 0, now, *leaves = NULL;
	size_t n = 0;

	if (db_change_marks(svc->db, &h, &a) == 0 && quiet &&
	    h == watcher.history && a == watcher.audit)
		return;
	watcher.history = h;
	watcher.audit = a;
	now = svc->clock();
	if (db_feed_leaves(svc->db, svc->cancelled_window_s, now, &leaves,
			   &n) != 0)
		n = 0;
	svc_feed_cache_changed(svc->feeds, now, leaves, n);
	free(leaves);
}

static void *
watch_main(void *arg)
{
	struct svc *svc = arg;
	struct timespec ts;

	pthread_mutex_lock(&watcher.mu);
	while (!watcher.stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&watcher.cv, &watcher.mu, &ts);
		if (watcher.stop)
			break;
		pthread_mutex_unlock(&watcher.mu);
		pthread_mutex_lock(&svc->lock);
		feeds_changed(svc, 1);
		pthread_mutex_unlock(&svc->lock);
		pthread_mutex_lock(&watcher.mu);
	}
	pthread_mutex_unlock(&watcher.mu);
	return NULL;
}

/* The default window's start for a feed asked at t (feed_window.c): the
 * district's midnight svc->feed_back_s before t. */
static int64_t
window_start(struct svc *svc, int64_t t)
{
	int64_t start = t - svc->feed_back_s;
	int y, m, d, hh, mm, ss;

	if (cal_utc_to_local(start, CAL_DISTRICT_TZID, &y, &m, &d, &hh, &mm,
			     &ss) == 0)
		(void)cal_local_to_utc(y, m, d, 0, 0, 0, CAL_DISTRICT_TZID,
				       &start);
	return start;
}

/* svc_feed_boundary_fn: the window's start moves on at the next district
 * midnight (Asia/Shanghai keeps 24-hour days) plus feed_back_s. */
static int64_t
next_window_move(void *ctx, int64_t now)
{
	struct svc *svc = ctx;

	return window_start(svc, now) + 86400 + svc->feed_back_s;
}

int
svc_feed_init(struct svc *svc)
{
	int64_t lm = 0, n_at = 0, audit = 0, n_audit = 0, *leaves = NULL;
	int64_t now = svc->clock();
	size_t n_leaves = 0;
	int settled;

	if (pthread_key_create(&svc->reader_key, NULL) != 0)
		return -ENOMEM;
	pthread_mutex_init(&svc->readers_lock, NULL);
	/* Last-Modified: the latest change to an event, a cancelled event
	 * leaving the feeds, or an audited change (a carrier's name is in
	 * its feed); it names one state only when one change made it. */
	if (db_feed_last_modified(svc->db, svc->cancelled_window_s, now,
				  &lm, &n_at) != 0 ||
	    db_audit_latest(svc->db, &audit, &n_audit) != 0 ||
	    db_feed_leaves(svc->db, svc->cancelled_window_s, now, &leaves,
			   &n_leaves) != 0)
		return -EIO;
	if (audit > lm) {
		lm = audit;
		n_at = n_audit;
	} else if (audit == lm) {
		n_at += n_audit;
	}
	/* the default window last moved on at this moment: a change too */
	if (window_start(svc, now) + svc->feed_back_s > lm) {
		lm = window_start(svc, now) + svc->feed_back_s;
		n_at = 1;
	}
	settled = n_at <= 1;
	svc->feeds = svc_feed_cache_new(0, lm, settled, leaves, n_leaves);
	free(leaves);
	if (!svc->feeds)
		return -ENOMEM;
	svc_feed_cache_set_boundary(svc->feeds, next_window_move, svc, now);
	/* Two threads: renders in parallel with hits, and with each other
	 * on this 2-core class of machine. */
	svc->render_pool = svc_render_pool_start(2);
	if (!svc->render_pool)
		return -ENOMEM;
	watcher.stop = 0;
	if (db_change_marks(svc->db, &watcher.history, &watcher.audit) != 0)
		return -EIO;
	watcher.running = pthread_create(&watcher.thread, NULL, watch_main,
					 svc) == 0;
	return 0;
}

void
svc_feed_changed(struct svc *svc)
{
	feeds_changed(svc, 0);
}

void
svc_feed_cache_release(struct svc *svc)
{
	feeds_changed(svc, 0);
}

struct db *
svc_reader(struct svc *svc)
{
	struct db *db = pthread_getspecific(svc->reader_key), **v;

	if (db)
		return db;
	if (db_open_reader(svc->db_path, &db) != 0)
		return NULL;
	if (pthread_setspecific(svc->reader_key, db) != 0) {
		db_close(db);
		return NULL;
	}
	/* Registered so svc_feed_release() closes it (the worker threads
	 * are gone by then). Out of memory: it is only left open. */
	pthread_mutex_lock(&svc->readers_lock);
	v = realloc(svc->readers, (svc->n_readers + 1) * sizeof(*v));
	if (v) {
		svc->readers = v;
		v[svc->n_readers++] = db;
	}
	pthread_mutex_unlock(&svc->readers_lock);
	return db;
}

void
svc_feed_quiesce(struct svc *svc)
{
	struct svc_render_pool *p = svc->render_pool;

	svc->render_pool = NULL;	/* new misses render inline */
	svc_render_pool_stop(p);
	if (watcher.running) {
		pthread_mutex_lock(&watcher.mu);
		watcher.stop = 1;
		pthread_cond_signal(&watcher.cv);
		pthread_mutex_unlock(&watcher.mu);
		pthread_join(watcher.thread, NULL);
		watcher.running = 0;
	}
}

void
svc_feed_release(struct svc *svc)
{
	size_t i;

	svc_feed_cache_free(svc->feeds);
	svc->feeds = NULL;
	for (i = 0; i < svc->n_readers; i++)
		db_close(svc->readers[i]);
	free(svc->readers);
	svc->readers = NULL;
	svc->n_readers = 0;
	pthread_key_delete(svc->reader_key);
	pthread_mutex_destroy(&svc->readers_lock);
}

int
svc_feed_metrics(struct svc *svc, struct sbuf *sb)
{
	struct svc_feed_cache_stats st;

	svc_feed_cache_stats(svc->feeds, &st);
	return sbuf_addf(sb, "# HELP roadshowd_feed_cache_hits_total Feed"
			 " requests answered from memory.\n"
			 "# TYPE roadshowd_feed_cache_hits_total counter\n"
			 "roadshowd_feed_cache_hits_total %llu\n"
			 "# HELP roadshowd_feed_renders_total Feeds rendered.\n"
			 "# TYPE roadshowd_feed_renders_total counter\n"
			 "roadshowd_feed_renders_total %llu\n"
			 "# HELP roadshowd_feed_cache_evictions_total Feeds"
			 " evicted to stay within the bound.\n"
			 "# TYPE roadshowd_feed_cache_evictions_total counter\n"
			 "roadshowd_feed_cache_evictions_total %llu\n"
			 "# HELP roadshowd_feed_cache_bytes Octets held.\n"
			 "# TYPE roadshowd_feed_cache_bytes gauge\n"
			 "roadshowd_feed_cache_bytes %zu\n"
			 "# HELP roadshowd_feed_generation Feed generation (one"
			 " per write).\n"
			 "# TYPE roadshowd_feed_generation counter\n"
			 "roadshowd_feed_generation %llu\n",
			 (unsigned long long)st.hits,
			 (unsigned long long)st.misses,
			 (unsigned long long)st.evictions, st.bytes,
			 (unsigned long long)st.generation) < 0 ? -ENOMEM : 0;
}
