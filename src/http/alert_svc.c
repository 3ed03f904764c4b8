/*
 * The alert service: event streams, webhook worker, view counts.  See
 * alert_svc.h.
 *
 * Streams.  Each connected stream is a `struct sub` with the caller's
 * organisation and a bounded output buffer, in a list under the service
 * mutex.  The event thread formats each event once ("id: N\nevent: K\n
 * data: {...}\n\n"), finds its audience (a sorted array of org ids) and
 * appends the text to every stream of those organisations, then wakes them
 * (server.c parks a stream that has nothing to send).  A stream whose
 * client does not keep up (buffer over SUB_MAX) is ended; the client
 * reconnects with Last-Event-ID and gets the rest replayed from the
 * database.  A stream is unlinked in its done callback under the same
 * mutex, so the event thread never touches a finished one.
 *
 * Webhooks.  The worker claims due rows (alert_outbox_claim leases them so
 * two processes never send the same row at once), builds and signs the
 * body, POSTs it with libcurl without holding a database connection, and
 * records the outcome.
 */
#include "http/alert_svc.h"
#include "domain/alert.h"
#include "store/db.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SUB_MAX ((size_t)4 << 20)   /* bytes queued for one stream */
#define REPLAY_MAX 1000             /* events replayed on reconnect */
#define EVENT_BATCH 256
#define VIEW_SLOTS 4096
#define VIEW_FLUSH_MS 2000
#define LEASE_MS 30000
#define HOOK_BATCH 16

struct sub {
	struct eb_alert_svc *svc;
	struct eb_stream *stream;
	int64_t org;
	struct eb_buf buf;
	size_t off;
	int ended;
	int64_t deadline; /* mono ms, 0: none */
	struct sub *prev, *next;
};

struct view_slot {
	int64_t id, n;
};

struct eb_alert_svc {
	struct eb_db *db;
	struct alert_svc_opts o;
	pthread_mutex_t mu;
	pthread_cond_t ev_cond, hook_cond;
	int stopping, kicked_ev, kicked_hook;
	pthread_t ev_thread, hook_thread;
	int have_ev, have_hook;
	struct sub *subs;
	int nsubs;
	int64_t dispatched; /* last event seq handed to streams */
	struct view_slot views[VIEW_SLOTS];
	int nviews;
	int64_t views_dropped;
};

static int64_t env_i64(const char *name, int64_t dflt, int64_t min, int64_t max)
{
	const char *v = getenv(name);
	int64_t x;
	if (v && *v && eb_parse_i64(v, min, max, &x) == EB_OK)
		return x;
	return dflt;
}

void alert_svc_defaults(struct alert_svc_opts *o)
{
	o->poll_ms = env_i64("EB_EVENTS_POLL_MS", 1000, 10, 60000);
	o->heartbeat_s = (int)env_i64("EB_EVENTS_HEARTBEAT_S", 15, 1, 3600);
	o->backoff_base_ms = env_i64("EB_WEBHOOK_BACKOFF_MS", 10000, 10, 86400000);
	o->backoff_cap_ms = env_i64("EB_WEBHOOK_BACKOFF_MAX_MS", 3600000, 10, 7 * 86400000LL);
	o->max_attempts = (int)env_i64("EB_WEBHOOK_MAX_ATTEMPTS", 20, 1, 1000);
	o->webhook_timeout_ms = env_i64("EB_WEBHOOK_TIMEOUT_MS", 10000, 100, 600000);
}

/* Waits on cond until kicked, stopping, or ms elapsed.  mu held. */
static void wait_ms(pthread_cond_t *cond, pthread_mutex_t *mu, int64_t ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(cond, mu, &ts);
}

void alert_svc_kick(struct eb_alert_svc *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->kicked_ev = s->kicked_hook = 1;
	pthread_cond_signal(&s->ev_cond);
	pthread_cond_signal(&s->hook_cond);
	pthread_mutex_unlock(&s->mu);
}

/* ---- view counts ---- */

void alert_svc_view(struct eb_alert_svc *s, int64_t id)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	size_t h = (size_t)((uint64_t)id * 11400714819323198485ull >> 52) % VIEW_SLOTS;
	for (int k = 0; k < VIEW_SLOTS; k++, h = (h + 1) % VIEW_SLOTS) {
		if (s->views[h].id == id) {
			s->views[h].n++;
			goto out;
		}
		if (!s->views[h].id) {
			s->views[h].id = id;
			s->views[h].n = 1;
			s->nviews++;
			goto out;
		}
	}
	s->views_dropped++; /* 4096 distinct alerts between two flushes */
out:
	pthread_mutex_unlock(&s->mu);
}

static void views_flush(struct eb_alert_svc *s)
{
	int64_t *ids = NULL, *counts = NULL;
	size_t n = 0;
	pthread_mutex_lock(&s->mu);
	if (s->nviews) {
		ids = malloc(sizeof *ids * (size_t)s->nviews);
		counts = malloc(sizeof *counts * (size_t)s->nviews);
		if (ids && counts) {
			for (int i = 0; i < VIEW_SLOTS; i++)
				if (s->views[i].id) {
					ids[n] = s->views[i].id;
					counts[n++] = s->views[i].n;
				}
			memset(s->views, 0, sizeof s->views);
			s->nviews = 0;
		}
	}
	pthread_mutex_unlock(&s->mu);
	if (n) {
		struct eb_conn *c = eb_db_acquire(s->db);
		struct eb_detail d = {0};
		if (alert_views_add(c, ids, counts, n, &d))
			eb_warn("alert view counts not written: %s", d.msg);
		eb_db_release(c);
	}
	free(ids);
	free(counts);
}

/* ---- streams ---- */

static long sub_read(void *cls, char *buf, size_t max)
{
	struct sub *b = cls;
	struct eb_alert_svc *s = b->svc;
	long n = 0;
	pthread_mutex_lock(&s->mu);
	if (b->off < b->buf.len) {
		size_t k = b->buf.len - b->off;
		if (k > max)
			k = max;
		memcpy(buf, b->buf.data + b->off, k);
		b->off += k;
		if (b->off == b->buf.len) {
			eb_buf_reset(&b->buf);
			b->off = 0;
		}
		n = (long)k;
	} else if (b->ended || s->stopping) {
		n = -1;
	}
	pthread_mutex_unlock(&s->mu);
	return n;
}

static void sub_done(void *cls)
{
	struct sub *b = cls;
	struct eb_alert_svc *s = b->svc;
	pthread_mutex_lock(&s->mu);
	if (b->prev)
		b->prev->next = b->next;
	else if (s->subs == b)
		s->subs = b->next;
	if (b->next)
		b->next->prev = b->prev;
	s->nsubs--;
	pthread_mutex_unlock(&s->mu);
	eb_buf_free(&b->buf);
	free(b);
}

/* Appends text to a stream (mu held); ends it when it is too far behind. */
static void sub_push(struct sub *b, const char *text, size_t n)
{
	if (b->ended)
		return;
	if (b->off && b->off == b->buf.len) {
		eb_buf_reset(&b->buf);
		b->off = 0;
	}
	if (eb_buf_add(&b->buf, text, n) != EB_OK)
		b->ended = 1;
	if (b->stream)
		eb_stream_wake(b->stream);
}

/* "id: N\nevent: K\ndata: JSON\n\n" */
static enum eb_err event_text(struct eb_conn *c, const struct alert_event *ev, struct eb_buf *out,
			      struct eb_detail *d)
{
	json_t *j = NULL;
	enum eb_err e = alert_event_json(c, ev, &j, d);
	if (e)
		return e;
	char *data = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!data)
		return EB_ENOMEM;
	e = eb_buf_printf(out, "id: %" PRId64 "\nevent: %s\ndata: %s\n\n", ev->seq, ev->kind, data);
	free(data);
	return e;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

void alert_svc_stream(struct eb_alert_svc *s, struct eb_req *r, int64_t last_id, int timeout_s)
{
	if (!s) {
		eb_reply_problem(r, 503, "unavailable", "event streams are not running in this process", NULL);
		return;
	}
	struct sub *b = calloc(1, sizeof *b);
	if (!b) {
		eb_reply_problem(r, 503, "busy", "out of memory", NULL);
		return;
	}
	b->svc = s;
	b->org = r->who.org_id;
	eb_buf_init(&b->buf, SUB_MAX);
	if (timeout_s >= 0)
		b->deadline = eb_mono_ms() + (int64_t)timeout_s * 1000;
	if (timeout_s == 0)
		b->ended = 1;
	/* The replay is built before the stream is registered, up to the seq
	 * the event thread has dispatched; events after it arrive live. */
	struct eb_buf replay;
	eb_buf_init(&replay, SUB_MAX);
	eb_buf_adds(&replay, "retry: 3000\n: epibridge event stream\n\n");
	pthread_mutex_lock(&s->mu);
	int64_t upto = s->dispatched;
	b->next = s->subs;
	if (b->next)
		b->next->prev = b;
	s->subs = b;
	s->nsubs++;
	pthread_mutex_unlock(&s->mu);
	if (last_id > 0 && last_id < upto) {
		struct alert_event *ev = malloc(sizeof *ev * REPLAY_MAX);
		int n = 0;
		struct eb_detail d = {0};
		struct eb_conn *c = eb_req_db(r);
		if (ev && alert_events_for_org(c, b->org, last_id, upto, ev, REPLAY_MAX, &n, &d) == EB_OK) {
			for (int i = 0; i < n; i++)
				if (event_text(c, &ev[i], &replay, &d) == EB_ETOOBIG)
					break;
		}
		free(ev);
	}
	/* Live events that came in meanwhile go after the replay. */
	pthread_mutex_lock(&s->mu);
	if (b->buf.len > b->off)
		eb_buf_add(&replay, b->buf.data + b->off, b->buf.len - b->off);
	eb_buf_free(&b->buf);
	b->buf = replay;
	b->off = 0;
	pthread_mutex_unlock(&s->mu);
	struct eb_stream *st = eb_reply_stream(r, "text/event-stream", sub_read, sub_done, b);
	if (!st)
		return; /* sub_done ran */
	pthread_mutex_lock(&s->mu);
	b->stream = st;
	pthread_mutex_unlock(&s->mu);
}

/* Hands one batch of events to the streams.  Returns how many. */
static int dispatch_events(struct eb_alert_svc *s, struct eb_conn *c)
{
	struct alert_event ev[EVENT_BATCH];
	int n = 0;
	struct eb_detail d = {0};
	pthread_mutex_lock(&s->mu);
	int64_t after = s->dispatched;
	pthread_mutex_unlock(&s->mu);
	if (alert_events_after(c, after, ev, EVENT_BATCH, &n, &d)) {
		eb_warn("alert events: %s", d.msg);
		return 0;
	}
	struct eb_buf text;
	eb_buf_init(&text, SUB_MAX);
	for (int i = 0; i < n; i++) {
		int64_t *orgs = NULL;
		size_t norgs = 0;
		eb_buf_reset(&text);
		int have = 0;
		pthread_mutex_lock(&s->mu);
		have = s->nsubs > 0;
		pthread_mutex_unlock(&s->mu);
		/* Nobody listening: skip the work, but move on. */
		if (have && !alert_event_audience(c, &ev[i], &orgs, &norgs, &d) &&
		    !event_text(c, &ev[i], &text, &d)) {
			pthread_mutex_lock(&s->mu);
			for (struct sub *b = s->subs; b; b = b->next)
				if (bsearch(&b->org, orgs, norgs, sizeof *orgs, cmp_i64))
					sub_push(b, text.data, text.len);
			s->dispatched = ev[i].seq;
			pthread_mutex_unlock(&s->mu);
		} else {
			pthread_mutex_lock(&s->mu);
			s->dispatched = ev[i].seq;
			pthread_mutex_unlock(&s->mu);
		}
		free(orgs);
	}
	eb_buf_free(&text);
	return n;
}

/* Heartbeats and deadlines (mu held). */
static void tick_streams(struct eb_alert_svc *s, int heartbeat)
{
	int64_t now = eb_mono_ms();
	for (struct sub *b = s->subs; b; b = b->next) {
		if (b->deadline && now >= b->deadline && !b->ended) {
			b->ended = 1;
			if (b->stream)
				eb_stream_wake(b->stream);
		} else if (heartbeat) {
			sub_push(b, ": heartbeat\n\n", 13);
		}
	}
}

static void *event_main(void *arg)
{
	struct eb_alert_svc *s = arg;
	int64_t last_hb = eb_mono_ms(), last_views = eb_mono_ms(), last_poll = 0;
	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		int kicked = s->kicked_ev;
		s->kicked_ev = 0;
		int64_t now = eb_mono_ms();
		int hb = now - last_hb >= (int64_t)s->o.heartbeat_s * 1000;
		if (hb)
			last_hb = now;
		tick_streams(s, hb);
		pthread_mutex_unlock(&s->mu);
		if (kicked || now - last_poll >= s->o.poll_ms) {
			last_poll = now;
			struct eb_conn *c = eb_db_acquire(s->db);
			while (dispatch_events(s, c) == EVENT_BATCH)
				;
			eb_db_release(c);
		}
		if (now - last_views >= VIEW_FLUSH_MS) {
			last_views = now;
			views_flush(s);
		}
		pthread_mutex_lock(&s->mu);
		if (!s->stopping && !s->kicked_ev) {
			int64_t wait = s->o.poll_ms < 1000 ? s->o.poll_ms : 1000;
			wait_ms(&s->ev_cond, &s->mu, wait);
		}
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* ---- webhooks ---- */

static size_t discard(char *p, size_t size, size_t n, void *u)
{
	(void)p;
	(void)u;
	return size * n;
}

/* POSTs one delivery.  Returns 1 on a 2xx, else 0 with the reason. */
static int post_hook(struct eb_alert_svc *s, CURL *h, const struct alert_webhook_job *j,
		     const char *body, size_t len, char *err, size_t errn)
{
	char ts[24], sig[ALERT_SIGNATURE_LEN], hts[64], hsig[128], hid[64];
	snprintf(ts, sizeof ts, "%lld", (long long)(eb_now_ms() / 1000));
	alert_webhook_sign(j->secret, ts, body, len, sig);
	snprintf(hts, sizeof hts, "X-Epibridge-Timestamp: %s", ts);
	snprintf(hsig, sizeof hsig, "X-Epibridge-Signature: %s", sig);
	snprintf(hid, sizeof hid, "X-Epibridge-Delivery: %" PRId64, j->id);
	struct curl_slist *hdr = NULL, *t;
	const char *lines[] = {"Content-Type: application/json", "User-Agent: epibridge-webhook/1", hts, hsig, hid, "Expect:"};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		t = curl_slist_append(hdr, lines[i]);
		if (!t) {
			curl_slist_free_all(hdr);
			snprintf(err, errn, "out of memory");
			return 0;
		}
		hdr = t;
	}
	char cerr[CURL_ERROR_SIZE] = "";
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, j->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)s->o.webhook_timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(s->o.webhook_timeout_ms < 5000 ? s->o.webhook_timeout_ms : 5000));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	CURLcode rc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdr);
	if (rc != CURLE_OK) {
		snprintf(err, errn, "%s", cerr[0] ? cerr : curl_easy_strerror(rc));
		return 0;
	}
	if (status < 200 || status > 299) {
		snprintf(err, errn, "HTTP %ld", status);
		return 0;
	}
	return 1;
}

/* One round: claims due deliveries and sends them.  Returns how many. */
static int hook_round(struct eb_alert_svc *s, CURL *h)
{
	struct alert_webhook_job jobs[HOOK_BATCH];
	char *bodies[HOOK_BATCH] = {0};
	int n = 0;
	struct eb_detail d = {0};
	struct eb_conn *c = eb_db_acquire(s->db);
	if (alert_outbox_claim(c, eb_now_ms(), LEASE_MS, jobs, HOOK_BATCH, &n, &d)) {
		eb_warn("webhook outbox: %s", d.msg);
		n = 0;
	}
	for (int i = 0; i < n; i++) {
		json_t *b = NULL;
		if (alert_webhook_body(c, &jobs[i], &b, &d) == EB_OK)
			bodies[i] = json_dumps(b, JSON_COMPACT);
		json_decref(b);
	}
	eb_db_release(c);
	for (int i = 0; i < n; i++) {
		char err[256] = "the alert could not be rendered";
		int ok = 0;
		pthread_mutex_lock(&s->mu);
		int stopping = s->stopping;
		pthread_mutex_unlock(&s->mu);
		if (stopping) {
			/* Leave it leased; it is retried when the lease ends. */
			free(bodies[i]);
			continue;
		}
		if (bodies[i])
			ok = post_hook(s, h, &jobs[i], bodies[i], strlen(bodies[i]), err, sizeof err);
		free(bodies[i]);
		int attempts = jobs[i].attempts + 1;
		int64_t retry = 0;
		if (!ok && attempts < s->o.max_attempts)
			retry = eb_now_ms() + alert_backoff_ms(attempts - 1, s->o.backoff_base_ms, s->o.backoff_cap_ms);
		c = eb_db_acquire(s->db);
		if (alert_outbox_done(c, jobs[i].id, ok, err, retry, &d))
			eb_warn("webhook delivery %" PRId64 ": cannot record the attempt: %s", jobs[i].id, d.msg);
		eb_db_release(c);
		if (ok)
			eb_info("webhook delivery %" PRId64 " to org %" PRId64 " delivered", jobs[i].id, jobs[i].org_id);
		else
			eb_info("webhook delivery %" PRId64 " to org %" PRId64 " attempt %d failed: %s%s", jobs[i].id,
				jobs[i].org_id, attempts, err, retry ? "" : " (giving up)");
	}
	if (n)
		alert_svc_kick(s); /* receipts are events */
	return n;
}

static void *hook_main(void *arg)
{
	struct eb_alert_svc *s = arg;
	CURL *h = curl_easy_init();
	if (!h) {
		eb_error("webhooks: cannot initialise libcurl; no webhook will be sent");
		return NULL;
	}
	pthread_mutex_lock(&s->mu);
	while (!s->stopping) {
		s->kicked_hook = 0;
		pthread_mutex_unlock(&s->mu);
		int n = hook_round(s, h);
		pthread_mutex_lock(&s->mu);
		if (n == 0 && !s->stopping && !s->kicked_hook) {
			/* Due rows appear by time as well as by kicks: poll. */
			int64_t wait = s->o.backoff_base_ms < 1000 ? s->o.backoff_base_ms / 2 + 1 : 1000;
			wait_ms(&s->hook_cond, &s->mu, wait);
		}
	}
	pthread_mutex_unlock(&s->mu);
	curl_easy_cleanup(h);
	return NULL;
}

/* ---- life cycle ---- */

struct eb_alert_svc *alert_svc_start(struct eb_db *db, const struct alert_svc_opts *o,
				     struct eb_detail *d)
{
	struct eb_alert_svc *s = calloc(1, sizeof *s);
	if (!s) {
		eb_fail(d, EB_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	s->db = db;
	if (o)
		s->o = *o;
	else
		alert_svc_defaults(&s->o);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		free(s);
		eb_fail(d, EB_EINTERNAL, NULL, "cannot initialise libcurl");
		return NULL;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->ev_cond, NULL);
	pthread_cond_init(&s->hook_cond, NULL);
	struct eb_conn *c = eb_db_acquire(db);
	enum eb_err e = alert_events_head(c, &s->dispatched, d);
	eb_db_release(c);
	if (!e && pthread_create(&s->ev_thread, NULL, event_main, s) == 0)
		s->have_ev = 1;
	if (!e && s->have_ev && pthread_create(&s->hook_thread, NULL, hook_main, s) == 0)
		s->have_hook = 1;
	if (e || !s->have_ev || !s->have_hook) {
		if (!e)
			eb_fail(d, EB_EINTERNAL, NULL, "cannot start the alert delivery threads");
		alert_svc_stop(s);
		return NULL;
	}
	return s;
}

void alert_svc_stop(struct eb_alert_svc *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_cond_broadcast(&s->ev_cond);
	pthread_cond_broadcast(&s->hook_cond);
	pthread_mutex_unlock(&s->mu);
	if (s->have_ev)
		pthread_join(s->ev_thread, NULL);
	if (s->have_hook)
		pthread_join(s->hook_thread, NULL);
	views_flush(s);
	if (s->views_dropped)
		eb_warn("%" PRId64 " alert views were not counted (too many distinct alerts between flushes)", s->views_dropped);
	pthread_cond_destroy(&s->ev_cond);
	pthread_cond_destroy(&s->hook_cond);
	pthread_mutex_destroy(&s->mu);
	curl_global_cleanup();
	free(s);
}
