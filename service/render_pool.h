/*
 * render_pool: a few threads that do the slow part of a request (a feed
 * render, a gzip) away from libmicrohttpd's worker threads, so that a
 * render never holds up the other connections of its worker (/healthz,
 * other feeds' hits). The handler suspends its connection
 * (MHD_suspend_connection()), submits a job, and the job resumes it when
 * done; libmicrohttpd then calls the handler again, which answers.
 */
#ifndef ROADSHOWD_RENDER_POOL_H
#define ROADSHOWD_RENDER_POOL_H

struct svc_render_pool;

typedef void (*svc_render_job_fn)(void *arg);

/* Start n threads (n >= 1), each at nice 10 (Linux), below the request
 * threads. NULL when out of memory or threads. */
struct svc_render_pool *svc_render_pool_start(unsigned int n);

/* Queue fn(arg) to run on a pool thread, in submission order. 0, or
 * -ENOMEM (nothing queued), or -ESHUTDOWN once stopping. */
int svc_render_pool_submit(struct svc_render_pool *p, svc_render_job_fn fn,
			   void *arg);

/* Run every queued job, then join the threads and free p. NULL: no-op. */
void svc_render_pool_stop(struct svc_render_pool *p);

#endif
