/*
 * Worker pool with a bounded ring queue.  See workq.h.
 */
#include "base/workq.h"

#include <pthread.h>
#include <stdlib.h>

struct job {
	void (*fn)(void *);
	void *arg;
	void (*done)(void *);
	void *done_arg;
};

struct eb_workq {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *ring;
	int cap, head, count, stop, nthreads;
	pthread_t *threads;
};

static void *worker(void *p)
{
	struct eb_workq *q = p;
	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (!q->count && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->count && q->stop) {
			pthread_mutex_unlock(&q->mu);
			return NULL;
		}
		struct job j = q->ring[q->head];
		q->head = (q->head + 1) % q->cap;
		q->count--;
		pthread_mutex_unlock(&q->mu);
		j.fn(j.arg);
		if (j.done)
			j.done(j.done_arg);
	}
}

struct eb_workq *eb_workq_new(int threads, int max_queue)
{
	struct eb_workq *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	q->cap = max_queue > 0 ? max_queue : 64;
	q->ring = calloc((size_t)q->cap, sizeof *q->ring);
	q->threads = calloc((size_t)threads, sizeof *q->threads);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	for (int i = 0; q->ring && q->threads && i < threads; i++)
		if (pthread_create(&q->threads[i], NULL, worker, q) == 0)
			q->nthreads++;
	if (!q->nthreads) {
		eb_workq_free(q);
		return NULL;
	}
	return q;
}

int eb_workq_submit(struct eb_workq *q, void (*fn)(void *), void *arg,
		    void (*done)(void *), void *done_arg)
{
	pthread_mutex_lock(&q->mu);
	if (q->stop || q->count == q->cap) {
		pthread_mutex_unlock(&q->mu);
		return -1;
	}
	q->ring[(q->head + q->count) % q->cap] = (struct job){fn, arg, done, done_arg};
	q->count++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

void eb_workq_free(struct eb_workq *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	for (int i = 0; i < q->nthreads; i++)
		pthread_join(q->threads[i], NULL);
	free(q->threads);
	free(q->ring);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q);
}
