/*
 * Kept responses for anonymous reads of public data.
 *
 * Public read endpoints (a country's series, the world snapshot of a day,
 * indicators, the organisation directory) are read far more often than the
 * data changes.  A handler names its response with a key and the kind of
 * data it depends on (domain/dataver.h); the first anonymous request
 * renders and keeps the body with its ETag, and later anonymous requests
 * with the same key are served from memory while the data version is
 * unchanged (one primary-key read).  Callers with credentials always get a
 * fresh answer, since what they see depends on their partnerships and
 * share lists.  Kept bodies are reference counted, so a response being sent
 * survives its eviction.  Thread-safe.
 */
#ifndef EB_HTTP_CACHE_H
#define EB_HTTP_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct eb_req;
struct eb_cached;

/* For anonymous callers (every caller when shared: the answer is the same
 * for all, e.g. indicators of public data): reads the version of data `data`, and when a
 * response for key (which must name the data too) at that version is kept, makes it the reply and returns
 * 1.  Otherwise returns 0 with *version set (-1: do not keep). */
int eb_cache_hit(struct eb_req *r, const char *key, const char *data, int shared,
		 int64_t *version);
/* After the handler rendered a 200 reply: keeps it for key at version
 * (no-op when version < 0, the reply is not 200 or is too large). */
void eb_cache_keep(struct eb_req *r, const char *key, int64_t version, int shared);

/* For the server: the kept body, its length, content type and ETag. */
const char *eb_cached_body(const struct eb_cached *e, size_t *len);
const char *eb_cached_ctype(const struct eb_cached *e);
const char *eb_cached_etag(const struct eb_cached *e);
void eb_cached_ref(struct eb_cached *e);
/* Drops a reference; the last one frees the body.  NULL-safe.  The
 * signature matches libmicrohttpd's free callback. */
void eb_cached_unref(void *e);

#endif
