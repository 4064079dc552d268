/*
 * render_pool.c: a FIFO of jobs and the threads that run them (see
 * render_pool.h).
 */
#define _GNU_SOURCE		/* syscall(2) */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "render_pool.h"

struct job {
	struct job *next;
	svc_render_job_fn fn;
	void *arg;
};

struct svc_render_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *head, *tail;
	int stopping;
	unsigned int n;
	pthread_t threads[];
};

static void *
pool_main(void *arg)
{
	struct svc_render_pool *p = arg;
	struct job *j;

	/* Linux: a thread's own nice value. Renders yield the CPU to the
	 * libmicrohttpd workers (hits, /healthz, writes); best effort. */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->head && !p->stopping)
			pthread_cond_wait(&p->cv, &p->mu);
		j = p->head;
		if (!j)
			break;		/* stopping, and nothing left */
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		pthread_mutex_unlock(&p->mu);
		j->fn(j->arg);
		free(j);
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct svc_render_pool *
svc_render_pool_start(unsigned int n)
{
	struct svc_render_pool *p;
	unsigned int i;

	if (n == 0)
		n = 1;
	p = calloc(1, sizeof(*p) + n * sizeof(p->threads[0]));
	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (i = 0; i < n; i++) {
		if (pthread_create(&p->threads[i], NULL, pool_main, p) != 0)
			break;
		p->n++;
	}
	if (p->n == 0) {
		svc_render_pool_stop(p);
		return NULL;
	}
	return p;
}

int
svc_render_pool_submit(struct svc_render_pool *p, svc_render_job_fn fn,
		       void *arg)
{
	struct job *j = malloc(sizeof(*j));
	int rc = 0;

	if (!j)
		return -ENOMEM;
	j->next = NULL;
	j->fn = fn;
	j->arg = arg;
	pthread_mutex_lock(&p->mu);
	if (p->stopping) {
		rc = -ESHUTDOWN;
		free(j);
	} else {
		if (p->tail)
			p->tail->next = j;
		else
			p->head = j;
		p->tail = j;
		pthread_cond_signal(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void
svc_render_pool_stop(struct svc_render_pool *p)
{
	unsigned int i;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->n; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
