/*
 * A small pool of worker threads with a bounded queue, for slow work that
 * must not run on the HTTP threads (password hashing).
 *
 * eb_workq_submit queues fn(arg); when fn returns, done(done_arg) runs on the
 * same worker thread.  The queue owns nothing: arguments belong to the caller
 * until done has run.  eb_workq_free waits for queued work to finish.
 * Thread-safe.
 */
#ifndef EB_BASE_WORKQ_H
#define EB_BASE_WORKQ_H

struct eb_workq;

struct eb_workq *eb_workq_new(int threads, int max_queue);
/* Returns 0 when queued, -1 when the queue is full or shutting down. */
int eb_workq_submit(struct eb_workq *q, void (*fn)(void *), void *arg,
		    void (*done)(void *), void *done_arg);
void eb_workq_free(struct eb_workq *q);

#endif
