/*
 * Indicators over HTTP: the series of one area and every area on one day
 * (for the map).  Both are public, since indicators derive from public
 * reports only (domain/indicators.h).
 *
 * The answers are the same for every caller and change only when
 * `epibridge indicators` rewrites the table, which raises the table's
 * version in the same transaction.  So rendered answers are kept, keyed by
 * the request, with the version they were rendered at: a request reads the
 * version (one primary-key lookup) and, when it matches, copies the kept
 * bytes instead of querying and rendering a few hundred rows again.  The
 * store is bounded (CACHE_BUCKETS x CACHE_WAYS answers, each at most
 * CACHE_MAX_BODY bytes); when the version cannot be read (a database whose
 * schema predates the counter) nothing is kept, and the read is retried a
 * minute later.  Only successful answers
 * are kept; errors are computed every time.
 */
#include "http/api.h"
#include "domain/indicators.h"
#include "base/util.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_BUCKETS 256
#define CACHE_WAYS 2
#define CACHE_KEY 96
#define CACHE_MAX_BODY (4u << 20)

struct cache_entry {
	char key[CACHE_KEY];
	int64_t version;
	uint64_t stamp; /* insertion order, to replace the older way */
	char *body;
	size_t len;
};

static struct cache_entry cache[CACHE_BUCKETS][CACHE_WAYS];
static pthread_rwlock_t cache_lock = PTHREAD_RWLOCK_INITIALIZER;
static uint64_t cache_clock;

static unsigned key_hash(const char *k)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 16777619u;
	return h % CACHE_BUCKETS;
}

/* Replies with the kept answer for key at version; 1 when it did. */
static int cache_reply(struct eb_req *r, const char *key, int64_t version)
{
	int hit = 0;
	struct cache_entry *b = cache[key_hash(key)];
	pthread_rwlock_rdlock(&cache_lock);
	for (int w = 0; w < CACHE_WAYS; w++) {
		if (b[w].body && b[w].version == version && strcmp(b[w].key, key) == 0) {
			eb_reply_raw(r, 200, "application/json", b[w].body, b[w].len);
			hit = r->status == 200;
			break;
		}
	}
	pthread_rwlock_unlock(&cache_lock);
	return hit;
}

/* Keeps body (taken over) for key at version. */
static void cache_put(const char *key, int64_t version, char *body, size_t len)
{
	struct cache_entry *b = cache[key_hash(key)];
	char *old = NULL;
	pthread_rwlock_wrlock(&cache_lock);
	struct cache_entry *slot = NULL;
	for (int w = 0; w < CACHE_WAYS && !slot; w++) /* the same key */
		if (b[w].body && strcmp(b[w].key, key) == 0)
			slot = &b[w];
	for (int w = 0; w < CACHE_WAYS && !slot; w++) /* a free way */
		if (!b[w].body)
			slot = &b[w];
	if (!slot) { /* the older way */
		slot = &b[0];
		for (int w = 1; w < CACHE_WAYS; w++)
			if (b[w].stamp < slot->stamp)
				slot = &b[w];
	}
	old = slot->body;
	snprintf(slot->key, sizeof slot->key, "%s", key);
	slot->version = version;
	slot->stamp = ++cache_clock;
	slot->body = body;
	slot->len = len;
	pthread_rwlock_unlock(&cache_lock);
	free(old);
}

/* Renders out (consumed) as the reply, keeping it under key when version
 * is known. */
static void reply_kept(struct eb_req *r, const char *key, int64_t version, json_t *out)
{
	char *body = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	if (!body) {
		eb_reply_problem(r, 500, "internal", "out of memory rendering the answer", NULL);
		return;
	}
	size_t len = strlen(body);
	eb_reply_raw(r, 200, "application/json", body, len);
	if (version >= 0 && len <= CACHE_MAX_BODY && strlen(key) < CACHE_KEY)
		cache_put(key, version, body, len);
	else
		free(body);
}

/* After a failed read of the version, when to try again (ms since the
 * epoch): a database whose schema predates the counter would otherwise log
 * an error on every request. */
static _Atomic int64_t version_retry_at;

/* The table's version, or -1 when it cannot be read (nothing is kept). */
static int64_t current_version(struct eb_req *r)
{
	int64_t now = eb_now_ms();
	if (now < version_retry_at)
		return -1;
	int64_t v = -1;
	struct eb_detail d = {0};
	if (indicators_version(eb_req_db(r), &v, &d) != EB_OK) {
		version_retry_at = now + 60000;
		return -1;
	}
	return v;
}

static const char *q_or_empty(struct eb_req *r, const char *name)
{
	const char *v = eb_req_query(r, name);
	return v ? v : "";
}

void api_indicators_series(struct eb_req *r)
{
	const char *area = eb_req_query(r, "area"), *from = eb_req_query(r, "from"),
		   *to = eb_req_query(r, "to");
	char key[CACHE_KEY + 8];
	int n = snprintf(key, sizeof key, "s|%s|%s|%s", q_or_empty(r, "area"), q_or_empty(r, "from"),
			 q_or_empty(r, "to"));
	int keyable = n > 0 && (size_t)n < CACHE_KEY;
	int64_t version = keyable ? current_version(r) : -1;
	if (version >= 0 && cache_reply(r, key, version))
		return;
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = indicators_series(eb_req_db(r), area, from, to, &out, &d);
	if (e)
		eb_reply_err(r, e, &d);
	else
		reply_kept(r, key, version, out);
}

void api_indicators_world(struct eb_req *r)
{
	char key[CACHE_KEY + 8];
	int n = snprintf(key, sizeof key, "w|%s", r->params[0]);
	int keyable = n > 0 && (size_t)n < CACHE_KEY;
	int64_t version = keyable ? current_version(r) : -1;
	if (version >= 0 && cache_reply(r, key, version))
		return;
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = indicators_day(eb_req_db(r), r->params[0], &out, &d);
	if (e)
		eb_reply_err(r, e, &d);
	else
		reply_kept(r, key, version, out);
}
