/*
 * Kept responses.  See cache.h.
 *
 * A fixed table of buckets, each with a few ways replaced least recently
 * used first, under one read-write lock; lookups take the read lock.
 * Entries are immutable once kept, so a hit only takes a reference.
 */
#include "http/cache.h"
#include "http/http.h"
#include "domain/dataver.h"
#include "base/util.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 256
#define WAYS 4
#define KEY_MAX 200
#define BODY_MAX (2u << 20)

struct eb_cached {
	atomic_int refs;
	char key[KEY_MAX];
	int64_t version;
	char *body;
	size_t len;
	const char *ctype;
	char etag[40];
	atomic_uint_fast64_t used;
};

static struct eb_cached *table[BUCKETS][WAYS];
static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static atomic_uint_fast64_t clock_;

static size_t bucket_of(const char *key)
{
	uint64_t h = 1469598103934665603ull;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return (size_t)(h % BUCKETS);
}

const char *eb_cached_body(const struct eb_cached *e, size_t *len)
{
	*len = e->len;
	return e->body;
}

const char *eb_cached_ctype(const struct eb_cached *e)
{
	return e->ctype;
}

const char *eb_cached_etag(const struct eb_cached *e)
{
	return e->etag;
}

void eb_cached_ref(struct eb_cached *e)
{
	atomic_fetch_add(&e->refs, 1);
}

void eb_cached_unref(void *p)
{
	struct eb_cached *e = p;
	if (e && atomic_fetch_sub(&e->refs, 1) == 1) {
		free(e->body);
		free(e);
	}
}

int eb_cache_hit(struct eb_req *r, const char *key, const char *data, int shared,
		 int64_t *version)
{
	*version = -1;
	if ((!shared && r->who.kind != EB_ANON) || strlen(key) >= KEY_MAX)
		return 0;
	if (dataver_get(eb_req_db(r), data, version, NULL) != EB_OK) {
		*version = -1;
		return 0;
	}
	size_t b = bucket_of(key);
	struct eb_cached *hit = NULL;
	pthread_rwlock_rdlock(&lock);
	for (int w = 0; w < WAYS; w++) {
		struct eb_cached *e = table[b][w];
		if (e && e->version == *version && strcmp(e->key, key) == 0) {
			eb_cached_ref(e);
			atomic_store(&e->used, atomic_fetch_add(&clock_, 1));
			hit = e;
			break;
		}
	}
	pthread_rwlock_unlock(&lock);
	if (!hit)
		return 0;
	eb_cached_unref(r->cached);
	r->cached = hit;
	r->status = 200;
	r->ctype = hit->ctype;
	return 1;
}

void eb_cache_keep(struct eb_req *r, const char *key, int64_t version, int shared)
{
	if (version < 0 || r->status != 200 || (!shared && r->who.kind != EB_ANON) || r->out.len > BODY_MAX ||
	    strlen(key) >= KEY_MAX)
		return;
	struct eb_cached *e = calloc(1, sizeof *e);
	if (!e || !(e->body = malloc(r->out.len + 1))) {
		free(e);
		return;
	}
	memcpy(e->body, r->out.data ? r->out.data : "", r->out.len);
	e->len = r->out.len;
	e->ctype = r->ctype;
	e->version = version;
	snprintf(e->key, sizeof e->key, "%s", key);
	atomic_init(&e->refs, 1);
	unsigned char h[16];
	crypto_generichash(h, sizeof h, (const unsigned char *)e->body, e->len, NULL, 0);
	e->etag[0] = '"';
	eb_hex(h, sizeof h, e->etag + 1);
	e->etag[33] = '"';
	e->etag[34] = '\0';
	atomic_init(&e->used, atomic_fetch_add(&clock_, 1));
	size_t b = bucket_of(key);
	struct eb_cached *old = NULL;
	pthread_rwlock_wrlock(&lock);
	int slot = 0;
	for (int w = 0; w < WAYS; w++) {
		struct eb_cached *x = table[b][w];
		if (!x || strcmp(x->key, key) == 0) {
			slot = w;
			break;
		}
		if (atomic_load(&x->used) < atomic_load(&table[b][slot]->used))
			slot = w;
	}
	old = table[b][slot];
	table[b][slot] = e;
	pthread_rwlock_unlock(&lock);
	eb_cached_unref(old);
}
