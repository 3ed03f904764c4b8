/*
 * The HTTP server on libmicrohttpd.
 *
 * Life cycle of a request: the first callback creates a struct eb_req and
 * rejects a declared Content-Length over the limit; upload callbacks append
 * to the body (a body over the limit is drained and answered 413); the final
 * callback routes, authenticates (bearer token or session cookie), applies
 * the route's access rule and CSRF check, and calls the handler.  A handler
 * may defer slow work (eb_req_defer): the connection is suspended and the
 * handler called again when the work is done.  When MHD reports the request
 * complete, the database connection is released (an open transaction is
 * rolled back), one access-log line is written and the request is freed.
 *
 * GET responses with status 200 carry a strong ETag over the body, and
 * If-None-Match is answered 304.  SIGTERM stops accepting connections, lets
 * in-flight requests finish, then stops.
 */
#include "http/server.h"
#include "http/api.h"
#include "http/cache.h"
#include "http/router.h"
#include "http/static.h"
#include "base/jcheck.h"
#include "domain/auth.h"
#include "store/db.h"
#include "base/log.h"
#include "base/util.h"
#include "base/workq.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <strings.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct eb_server {
	struct MHD_Daemon *d;
	struct eb_app *app;
	struct eb_workq *wq;
	int drain_seconds;
	int port;
	pthread_mutex_t streams_mu; /* the list and every stream's flags */
	struct eb_stream *streams;
};

/* A streaming response (eb_reply_stream).  parked: the connection is
 * suspended because read had nothing; pending: a wake came while read was
 * running; closing: the server is stopping. */
struct eb_stream {
	struct eb_server *srv;
	struct MHD_Connection *c;
	eb_stream_read_fn read;
	void (*done)(void *cls);
	void *cls;
	int parked, pending, closing;
	struct eb_stream *prev, *next;
};

static atomic_int inflight;

struct alloc {
	struct alloc *next;
	max_align_t data[];
};

struct req_state {
	struct eb_req r;
	size_t sent;
	const struct eb_route *route;
	char pathbuf[1024];
	struct eb_buf body;
	int too_big;
	size_t max_body;   /* this request's body limit (see body_limit) */
	int done;          /* response queued */
	int deferred;      /* handler asked to defer */
	void (*dfn)(void *);
	void *darg;
	struct eb_server *srv;
	struct eb_stream *stream; /* set by eb_reply_stream */
};

void *eb_req_alloc(struct eb_req *r, size_t n)
{
	struct alloc *a = malloc(sizeof *a + n + 1);
	if (!a)
		abort();
	a->next = r->allocs;
	r->allocs = a;
	return a->data;
}

char *eb_req_strdup(struct eb_req *r, const char *s)
{
	size_t n = strlen(s);
	char *p = eb_req_alloc(r, n + 1);
	memcpy(p, s, n + 1);
	return p;
}

struct eb_conn *eb_req_db(struct eb_req *r)
{
	if (!r->db)
		r->db = eb_db_acquire(r->app->db);
	return r->db;
}

const char *eb_req_query(struct eb_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->mhd, MHD_GET_ARGUMENT_KIND, name);
}

const char *eb_req_header(struct eb_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->mhd, MHD_HEADER_KIND, name);
}

int64_t eb_req_id(struct eb_req *r, int i)
{
	int64_t id;
	if (i >= r->nparams || eb_parse_i64(r->params[i], 1, INT64_MAX, &id)) {
		eb_reply_problem(r, 404, "not-found", "no such record: the id in the path must be a positive integer", NULL);
		return 0;
	}
	return id;
}

void eb_reply_raw(struct eb_req *r, int status, const char *ctype,
		  const char *body, size_t len)
{
	r->status = status;
	r->ctype = ctype;
	eb_buf_reset(&r->out);
	if (len && eb_buf_add(&r->out, body, len)) {
		r->status = 500;
		r->ctype = "text/plain";
	}
}

/* ---- compact JSON output ----
 *
 * eb_json_dump writes exactly the bytes json_dumps(v, JSON_COMPACT) gives
 * (jansson keeps insertion order, so the key order is the same; the escapes,
 * integer and real forms are jansson's), straight into a buffer.  jansson's
 * own dump keeps a table of the containers on the current path, keyed by
 * snprintf("%p"), and calls back per fragment; for a list of records that
 * cost more than building the tree (B3 profile in bench/README.md).
 * tests/fuzz/fuzz_json.c compares the two on every input it parses. */

#define JSON_DUMP_MAX_DEPTH 4096 /* jansson's parser stops at 2048 */

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it
 * is not one, by the rules jansson's utf8_check_first/utf8_check_full
 * apply: no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char u = s[0];
	size_t len;
	uint32_t v;
	if (u >= 0xC2 && u <= 0xDF) {
		len = 2;
		v = u & 0x1F;
	} else if (u >= 0xE0 && u <= 0xEF) {
		len = 3;
		v = u & 0x0F;
	} else if (u >= 0xF0 && u <= 0xF4) {
		len = 4;
		v = u & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ||
	    (len == 3 && v < 0x800) || (len == 4 && v < 0x10000))
		return 0;
	return len;
}

/* 0: copied as is; 1: escaped; 2: first byte of a UTF-8 sequence to check */
static const unsigned char json_class[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1,
	[0x80] = 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};

static int dump_string(struct eb_buf *b, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0, i = 0;
	if (eb_buf_addc(b, '"'))
		return -1;
	while (i < n) {
		unsigned char c = s[i];
		if (!json_class[c]) {
			i++;
			continue;
		}
		if (json_class[c] == 2) {
			size_t k = utf8_seq(s + i, n - i);
			if (!k)
				return -1;
			i += k;
			continue;
		}
		if (i > run && eb_buf_add(b, s + run, i - run))
			return -1;
		char esc[8];
		const char *e = esc;
		switch (c) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		default: snprintf(esc, sizeof esc, "\\u%04X", (unsigned)c); break;
		}
		if (eb_buf_adds(b, e))
			return -1;
		run = ++i;
	}
	if (i > run && eb_buf_add(b, s + run, i - run))
		return -1;
	return eb_buf_addc(b, '"') ? -1 : 0;
}

static int dump_value(struct eb_buf *b, json_t *v, int depth)
{
	if (depth > JSON_DUMP_MAX_DEPTH)
		return -1; /* a cycle, which json_dumps refuses too */
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		if (eb_buf_addc(b, '{'))
			return -1;
		int first = 1;
		for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
			if (!first && eb_buf_addc(b, ','))
				return -1;
			first = 0;
			if (dump_string(b, json_object_iter_key(it), json_object_iter_key_len(it)) ||
			    eb_buf_addc(b, ':') ||
			    dump_value(b, json_object_iter_value(it), depth + 1))
				return -1;
		}
		return eb_buf_addc(b, '}') ? -1 : 0;
	}
	case JSON_ARRAY: {
		if (eb_buf_addc(b, '['))
			return -1;
		size_t n = json_array_size(v);
		for (size_t i = 0; i < n; i++) {
			if ((i && eb_buf_addc(b, ',')) || dump_value(b, json_array_get(v, i), depth + 1))
				return -1;
		}
		return eb_buf_addc(b, ']') ? -1 : 0;
	}
	case JSON_STRING:
		return dump_string(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER: {
		char tmp[24], *p = tmp + sizeof tmp;
		json_int_t x = json_integer_value(v);
		/* negate as unsigned: -INT64_MIN overflows json_int_t */
		unsigned long long u = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
		do {
			*--p = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (x < 0)
			*--p = '-';
		return eb_buf_add(b, p, (size_t)(tmp + sizeof tmp - p)) ? -1 : 0;
	}
	case JSON_REAL: {
		/* Rare in responses; jansson's own %.17g form, exactly. */
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		int rc = !s || eb_buf_adds(b, s) ? -1 : 0;
		free(s);
		return rc;
	}
	case JSON_TRUE:
		return eb_buf_add(b, "true", 4) ? -1 : 0;
	case JSON_FALSE:
		return eb_buf_add(b, "false", 5) ? -1 : 0;
	case JSON_NULL:
		return eb_buf_add(b, "null", 4) ? -1 : 0;
	}
	return -1;
}

int eb_json_dump(struct eb_buf *b, json_t *v)
{
	size_t start = b->len;
	/* json_dumps without JSON_ENCODE_ANY takes only objects and arrays */
	if (!v || !(json_is_object(v) || json_is_array(v)) || dump_value(b, v, 0)) {
		b->len = start;
		if (b->data)
			b->data[start] = '\0';
		return -1;
	}
	return 0;
}

void eb_reply_json(struct eb_req *r, int status, json_t *v)
{
	r->status = status;
	r->ctype = "application/json";
	eb_buf_reset(&r->out);
	int rc = eb_json_dump(&r->out, v);
	json_decref(v);
	if (rc) {
		r->status = 500;
		eb_buf_reset(&r->out);
	}
}

void eb_reply_empty(struct eb_req *r, int status)
{
	r->status = status;
	r->ctype = NULL;
	eb_buf_reset(&r->out);
}

void eb_reply_header(struct eb_req *r, const char *name, const char *value)
{
	size_t used = strlen(r->extra_headers);
	snprintf(r->extra_headers + used, sizeof r->extra_headers - used, "%s: %s\n", name, value);
}

static const char *title_of(int status)
{
	switch (status) {
	case 400: return "Bad request";
	case 401: return "Authentication required";
	case 403: return "Forbidden";
	case 404: return "Not found";
	case 405: return "Method not allowed";
	case 409: return "Conflict";
	case 413: return "Request body too large";
	case 415: return "Unsupported media type";
	case 422: return "Unprocessable content";
	case 429: return "Too many requests";
	case 503: return "Service unavailable";
	default: return status >= 500 ? "Internal server error" : "Error";
	}
}

void eb_reply_problem(struct eb_req *r, int status, const char *type,
		      const char *detail, const char *field)
{
	json_t *p = json_object();
	char t[128];
	snprintf(t, sizeof t, "https://epibridge.org/problems/%s", type);
	json_object_set_new(p, "type", json_string(t));
	json_object_set_new(p, "title", json_string(title_of(status)));
	json_object_set_new(p, "status", json_integer(status));
	if (detail)
		json_object_set_new(p, "detail", json_string(detail));
	if (field && *field)
		json_object_set_new(p, "field", json_string(field));
	json_object_set_new(p, "instance", json_string(r->path));
	eb_reply_json(r, status, p);
	r->ctype = "application/problem+json";
}

void eb_reply_err(struct eb_req *r, enum eb_err e, const struct eb_detail *d)
{
	const char *msg = d && d->msg[0] ? d->msg : eb_strerror(e);
	const char *field = d ? d->field : NULL;
	switch (e) {
	case EB_EINVAL: eb_reply_problem(r, 400, "invalid", msg, field); break;
	case EB_ENOTFOUND: eb_reply_problem(r, 404, "not-found", msg, field); break;
	case EB_EEXIST: eb_reply_problem(r, 409, "exists", msg, field); break;
	case EB_ECONFLICT: eb_reply_problem(r, 409, "conflict", msg, field); break;
	case EB_EPERM: eb_reply_problem(r, 403, "forbidden", msg, field); break;
	case EB_EAUTH: eb_reply_problem(r, 401, "unauthenticated", msg, field); break;
	case EB_ETOOBIG: eb_reply_problem(r, 413, "too-large", msg, field); break;
	case EB_ETHROTTLE: eb_reply_problem(r, 429, "throttled", msg, field); break;
	case EB_EBUSY:
		eb_reply_problem(r, 503, "busy", msg, field);
		eb_reply_header(r, "Retry-After", "1");
		break;
	default:
		eb_error("%s %s: %s", r->method, r->path, msg);
		eb_reply_problem(r, 500, "internal", "internal error; the server log has details", NULL);
	}
}

void eb_reply_result(struct eb_req *r, enum eb_err e, const struct eb_detail *d,
		     int status, json_t *out)
{
	if (e) {
		json_decref(out);
		eb_reply_err(r, e, d);
	} else {
		eb_reply_json(r, status, out);
	}
}

void eb_serve_create(struct eb_req *r, eb_create_fn fn, int status)
{
	json_t *in = eb_req_json(r), *out = NULL;
	if (!in)
		return;
	struct eb_detail d = {0};
	enum eb_err e = fn(eb_req_db(r), &r->who, in, &out, &d);
	json_decref(in);
	eb_reply_result(r, e, &d, status, out);
}

void eb_serve_put(struct eb_req *r, eb_put_fn fn)
{
	json_t *in = eb_req_json(r), *out = NULL;
	if (!in)
		return;
	struct eb_detail d = {0};
	int created = 0;
	enum eb_err e = fn(eb_req_db(r), &r->who, in, &out, &created, &d);
	json_decref(in);
	eb_reply_result(r, e, &d, created ? 201 : 200, out);
}

void eb_serve_get(struct eb_req *r, eb_get_fn fn)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = fn(eb_req_db(r), &r->who, id, &out, &d);
	eb_reply_result(r, e, &d, 200, out);
}

void eb_serve_update(struct eb_req *r, eb_update_fn fn, int status)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	json_t *in = eb_req_json(r), *out = NULL;
	if (!in)
		return;
	struct eb_detail d = {0};
	enum eb_err e = fn(eb_req_db(r), &r->who, id, in, &out, &d);
	json_decref(in);
	eb_reply_result(r, e, &d, status, out);
}

int64_t eb_req_id_param(struct eb_req *r, const char *name, int *bad)
{
	const char *s = eb_req_query(r, name);
	int64_t v = 0;
	*bad = 0;
	if (s && eb_parse_i64(s, 1, INT64_MAX, &v)) {
		char msg[96];
		snprintf(msg, sizeof msg, "%s must be an organisation or record id (a positive integer)", name);
		eb_reply_problem(r, 400, "invalid", msg, name);
		*bad = 1;
		v = 0;
	}
	return v;
}

json_t *eb_req_json(struct eb_req *r)
{
	const char *ct = eb_req_header(r, "Content-Type");
	if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
		eb_reply_problem(r, 415, "unsupported-media-type", "send the body as Content-Type: application/json", NULL);
		return NULL;
	}
	json_t *v = NULL;
	struct eb_detail d = {0};
	enum eb_err e = eb_json_parse(r->body, r->body_len, r->app->limits.max_depth, &v, &d);
	if (e) {
		eb_reply_err(r, e, &d);
		return NULL;
	}
	return v;
}

int eb_req_page(struct eb_req *r, int *limit, int64_t *after)
{
	const char *l = eb_req_query(r, "limit");
	const char *c = eb_req_query(r, "cursor");
	int64_t v = 50;
	*after = 0;
	if (l && eb_parse_i64(l, 1, r->app->limits.max_page, &v)) {
		char msg[96];
		snprintf(msg, sizeof msg, "limit must be an integer from 1 to %d", r->app->limits.max_page);
		eb_reply_problem(r, 400, "invalid", msg, "limit");
		return -1;
	}
	*limit = (int)v;
	if (c && eb_parse_i64(c, 1, INT64_MAX, after)) {
		eb_reply_problem(r, 400, "invalid", "cursor is not one this server issued; use next_cursor from the previous page", "cursor");
		return -1;
	}
	return 0;
}

json_t *eb_page_json(json_t *items, int limit, int64_t last_id)
{
	json_t *o = json_object();
	int full = (int)json_array_size(items) >= limit;
	json_object_set_new(o, "items", items);
	if (full && last_id) {
		char c[24];
		snprintf(c, sizeof c, "%lld", (long long)last_id);
		json_object_set_new(o, "next_cursor", json_string(c));
	} else {
		json_object_set_new(o, "next_cursor", json_null());
	}
	return o;
}

int eb_req_defer(struct eb_req *r, void (*fn)(void *), void *arg)
{
	struct req_state *st = (struct req_state *)r;
	st->deferred = 1;
	st->dfn = fn;
	st->darg = arg;
	return 0;
}

/* ---- streaming responses ----
 *
 * MHD asks stream_reader for data whenever the socket can take some.  When
 * the stream has nothing, the reader suspends the connection (allowed from
 * a content reader callback) and returns 0, so a quiet stream costs no
 * thread and no polling; eb_stream_wake resumes it.  One mutex orders the
 * two, so a wake between "nothing to send" and the suspension is not lost
 * (it sets pending and the reader tries again).  On stop every stream is
 * marked closing and woken, and ends; MHD requires that no connection is
 * still suspended when the daemon stops. */

struct eb_stream *eb_reply_stream(struct eb_req *r, const char *ctype,
				  eb_stream_read_fn read, void (*done)(void *cls),
				  void *cls)
{
	struct req_state *st = (struct req_state *)r;
	struct eb_stream *s = calloc(1, sizeof *s);
	if (!s) {
		done(cls);
		eb_reply_problem(r, 503, "busy", "out of memory", NULL);
		return NULL;
	}
	s->srv = st->srv;
	s->c = r->mhd;
	s->read = read;
	s->done = done;
	s->cls = cls;
	st->stream = s;
	r->status = 200;
	r->ctype = ctype;
	r->no_etag = 1;
	return s;
}

void eb_stream_wake(struct eb_stream *s)
{
	pthread_mutex_lock(&s->srv->streams_mu);
	if (s->parked) {
		s->parked = 0;
		MHD_resume_connection(s->c);
	} else {
		s->pending = 1;
	}
	pthread_mutex_unlock(&s->srv->streams_mu);
}

static void add_headers(struct MHD_Response *resp, struct eb_req *r);

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct eb_stream *s = cls;
	pthread_mutex_t *mu = &s->srv->streams_mu;
	(void)pos;
	for (;;) {
		pthread_mutex_lock(mu);
		int closing = s->closing;
		s->pending = 0;
		pthread_mutex_unlock(mu);
		if (closing)
			return MHD_CONTENT_READER_END_OF_STREAM;
		long n = s->read(s->cls, buf, max);
		if (n < 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (n > 0)
			return (ssize_t)n;
		pthread_mutex_lock(mu);
		if (s->pending || s->closing) {
			pthread_mutex_unlock(mu);
			continue;
		}
		s->parked = 1;
		MHD_suspend_connection(s->c);
		pthread_mutex_unlock(mu);
		return 0;
	}
}

static void stream_free(void *cls)
{
	struct eb_stream *s = cls;
	s->done(s->cls);
	pthread_mutex_lock(&s->srv->streams_mu);
	if (s->prev)
		s->prev->next = s->next;
	else if (s->srv->streams == s)
		s->srv->streams = s->next;
	if (s->next)
		s->next->prev = s->prev;
	pthread_mutex_unlock(&s->srv->streams_mu);
	free(s);
}

/* Ends every stream (server stopping). */
static void streams_close(struct eb_server *srv)
{
	pthread_mutex_lock(&srv->streams_mu);
	for (struct eb_stream *s = srv->streams; s; s = s->next) {
		s->closing = 1;
		if (s->parked) {
			s->parked = 0;
			MHD_resume_connection(s->c);
		}
	}
	pthread_mutex_unlock(&srv->streams_mu);
}

static enum MHD_Result send_stream(struct MHD_Connection *c, struct req_state *st)
{
	struct eb_req *r = &st->r;
	struct eb_stream *s = st->stream;
	/* A stream may last hours: give the database connection back now. */
	if (r->db && !eb_in_tx(r->db)) {
		eb_db_release(r->db);
		r->db = NULL;
	}
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, stream_reader, s, stream_free);
	if (!resp) {
		s->done(s->cls);
		free(s);
		return MHD_NO;
	}
	pthread_mutex_lock(&st->srv->streams_mu);
	s->next = st->srv->streams;
	if (s->next)
		s->next->prev = s;
	st->srv->streams = s;
	pthread_mutex_unlock(&st->srv->streams_mu);
	MHD_add_response_header(resp, "Content-Type", r->ctype ? r->ctype : "text/event-stream");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	add_headers(resp, r);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* ---- the request life cycle ---- */

static int role_allows(const struct eb_route *rt, const struct eb_principal *p)
{
	if (rt->flags & EB_R_PUBLIC)
		return 1;
	if (p->kind == EB_ANON)
		return 0;
	if ((rt->flags & EB_R_USER) && p->kind != EB_USER)
		return 0;
	if ((rt->flags & EB_R_OPERATOR) && !p->operator_org)
		return 0;
	return p->role >= rt->min_role;
}

static int is_unsafe(const char *m)
{
	return strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "OPTIONS");
}

static void authenticate(struct req_state *st)
{
	struct eb_req *r = &st->r;
	const char *authz = eb_req_header(r, "Authorization");
	struct eb_detail d = {0};
	if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
		enum eb_err e = auth_token_resolve(eb_req_db(r), authz + 7, &r->who, &d);
		if (e)
			eb_reply_err(r, e == EB_ENOTFOUND ? EB_EAUTH : e, &d);
		return;
	}
	if (authz) {
		eb_reply_problem(r, 401, "unauthenticated", "Authorization must be 'Bearer <token>'", "Authorization");
		return;
	}
	const char *sid = MHD_lookup_connection_value(r->mhd, MHD_COOKIE_KIND, "eb_session");
	if (sid && *sid) {
		enum eb_err e = auth_session_resolve(eb_req_db(r), sid, &r->who, r->csrf, r->session_hash, &d);
		if (e == EB_OK)
			r->via_cookie = 1;
		/* An expired or unknown cookie is treated as anonymous so that
		 * public pages still load; protected routes then answer 401. */
	}
}

static void dispatch(struct req_state *st)
{
	struct eb_req *r = &st->r;
	if (r->phase > 0) {
		st->route->fn(r);
		return;
	}
	if (strncmp(r->path, "/api/", 5) != 0 && strcmp(r->path, "/healthz") != 0 &&
	    strncmp(r->path, "/feeds/", 7) != 0) {
		if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) {
			eb_reply_problem(r, 405, "method-not-allowed", "web pages are read with GET", NULL);
			eb_reply_header(r, "Allow", "GET, HEAD");
			return;
		}
		const struct eb_asset *a = eb_static_find(r->app->assets, r->path);
		if (!a) {
			eb_reply_problem(r, 404, "not-found", "no such page", NULL);
			return;
		}
		const char *inm = eb_req_header(r, "If-None-Match");
		if (inm && strstr(inm, a->etag)) {
			eb_reply_empty(r, 304);
		} else {
			eb_reply_raw(r, 200, a->ctype, a->data, a->len);
		}
		eb_reply_header(r, "ETag", a->etag);
		eb_reply_header(r, "Cache-Control", "no-cache");
		r->no_etag = 1;
		return;
	}
	char allowed[128];
	st->route = eb_route_match(r->method, r->path, st->pathbuf, sizeof st->pathbuf,
				   r->params, &r->nparams, allowed, sizeof allowed);
	if (!st->route) {
		if (allowed[0]) {
			eb_reply_problem(r, 405, "method-not-allowed", "this path does not take that method; see the Allow header", NULL);
			eb_reply_header(r, "Allow", allowed);
		} else {
			eb_reply_problem(r, 404, "not-found", "no such endpoint; the API is described at /api/v1/openapi.json", NULL);
		}
		return;
	}
	authenticate(st);
	if (r->status)
		return;
	if (!role_allows(st->route, &r->who)) {
		if (r->who.kind == EB_ANON)
			eb_reply_problem(r, 401, "unauthenticated", "log in or send an API token (Authorization: Bearer ...)", NULL);
		else
			eb_reply_problem(r, 403, "forbidden", "your role does not allow this action", NULL);
		return;
	}
	if (r->via_cookie && is_unsafe(r->method)) {
		const char *tok = eb_req_header(r, "X-CSRF-Token");
		if (!tok || !eb_secure_eq(tok, r->csrf)) {
			eb_reply_problem(r, 403, "csrf", "missing or wrong X-CSRF-Token header; take it from GET /api/v1/session", "X-CSRF-Token");
			return;
		}
	}
	st->route->fn(r);
}

static void add_headers(struct MHD_Response *resp, struct eb_req *r)
{
	char *line = r->extra_headers;
	while (*line) {
		char *nl = strchr(line, '\n');
		char *colon = strchr(line, ':');
		if (!nl || !colon || colon > nl)
			break;
		*nl = '\0';
		*colon = '\0';
		MHD_add_response_header(resp, line, colon + 2);
		line = nl + 1;
	}
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (r->ctype && strncmp(r->ctype, "text/html", 9) == 0) {
		MHD_add_response_header(resp, "X-Frame-Options", "DENY");
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'");
	}
}

static void st_sent(struct eb_req *r, size_t len)
{
	((struct req_state *)r)->sent = len;
}

/* A kept response (http/cache.c): its body is sent without a copy, the
 * response holding a reference until libmicrohttpd is done with it. */
static enum MHD_Result send_cached(struct MHD_Connection *c, struct eb_req *r)
{
	const char *etag = eb_cached_etag(r->cached);
	const char *inm = eb_req_header(r, "If-None-Match");
	struct MHD_Response *resp;
	if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0)) {
		r->status = 304;
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	} else {
		size_t len;
		const char *body = eb_cached_body(r->cached, &len);
		resp = MHD_create_response_from_buffer_with_free_callback_cls(len, (void *)body, eb_cached_unref, r->cached);
		if (resp) {
			eb_cached_ref(r->cached);
			st_sent(r, len);
		}
	}
	if (!resp)
		return MHD_NO;
	if (r->status == 200)
		MHD_add_response_header(resp, "Content-Type", eb_cached_ctype(r->cached));
	MHD_add_response_header(resp, "ETag", etag);
	MHD_add_response_header(resp, "Cache-Control", "private, no-cache");
	add_headers(resp, r);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, struct eb_req *r)
{
	if (r->cached && r->status == 200)
		return send_cached(c, r);
	if (!r->status) {
		eb_error("%s %s: handler gave no response", r->method, r->path);
		eb_reply_problem(r, 500, "internal", "internal error", NULL);
	}
	char etag[40] = "";
	if (r->status == 200 && strcmp(r->method, "GET") == 0 && !r->no_etag) {
		unsigned char h[16];
		crypto_generichash(h, sizeof h, (const unsigned char *)(r->out.data ? r->out.data : ""), r->out.len, NULL, 0);
		etag[0] = '"';
		eb_hex(h, sizeof h, etag + 1);
		etag[33] = '"';
		etag[34] = '\0';
		const char *inm = eb_req_header(r, "If-None-Match");
		if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0))
			eb_reply_empty(r, 304);
	}
	size_t len;
	char *body = eb_buf_take(&r->out, &len);
	st_sent(r, len);
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	if (r->ctype)
		MHD_add_response_header(resp, "Content-Type", r->ctype);
	if (etag[0]) {
		MHD_add_response_header(resp, "ETag", etag);
		MHD_add_response_header(resp, "Cache-Control", "private, no-cache");
	}
	if (strncmp(r->path, "/api/", 5) == 0 && !etag[0])
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	add_headers(resp, r);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void resume_done(void *p)
{
	struct req_state *st = p;
	MHD_resume_connection(st->r.mhd);
}

/* The body limit of a request, decided at its first callback before any
 * body byte is read: routes flagged EB_R_UPLOAD (CSV imports) take up to
 * limits.max_upload when the request carries credentials (a bearer token
 * or a session cookie; they are checked later, as for every route), so an
 * anonymous client cannot make the server buffer large bodies; every other
 * request takes limits.max_body. */
static size_t body_limit(const struct eb_app *app, struct MHD_Connection *c,
			 const char *method, const char *url)
{
	size_t up = app->limits.max_upload;
	if (up <= app->limits.max_body || strlen(url) >= 1024)
		return app->limits.max_body;
	if (!MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization") &&
	    !MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "eb_session"))
		return app->limits.max_body;
	char buf[1024], allowed[64];
	const char *params[EB_MAX_PARAMS];
	int np = 0;
	const struct eb_route *rt = eb_route_match(method, url, buf, sizeof buf, params, &np,
						   allowed, sizeof allowed);
	return rt && (rt->flags & EB_R_UPLOAD) ? up : app->limits.max_body;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct eb_server *srv = cls;
	struct req_state *st = *con_cls;
	if (!st) {
		st = calloc(1, sizeof *st);
		if (!st)
			return MHD_NO;
		st->srv = srv;
		st->r.app = srv->app;
		st->r.mhd = c;
		st->r.method = method;
		st->r.path = url;
		st->r.start_ms = eb_mono_ms();
		eb_buf_init(&st->r.out, 0);
		st->max_body = body_limit(srv->app, c, method, url);
		eb_buf_init(&st->body, st->max_body);
		*con_cls = st;
		atomic_fetch_add(&inflight, 1);
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
		int64_t n;
		if (cl && eb_parse_i64(cl, 0, INT64_MAX, &n) == EB_OK &&
		    (uint64_t)n > st->max_body)
			st->too_big = 1;
		if (strlen(url) >= sizeof st->pathbuf)
			st->too_big = 2;
		return MHD_YES;
	}
	struct eb_req *r = &st->r;
	if (*upload_size) {
		if (!st->too_big) {
			if (eb_buf_add(&st->body, upload, *upload_size) != EB_OK) {
				st->too_big = 1;
			} else {
				r->body = st->body.data;
				r->body_len = st->body.len;
			}
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (st->done)
		return MHD_YES;
	if (st->too_big == 1) {
		char msg[96];
		snprintf(msg, sizeof msg, "the request body is larger than %zu bytes", st->max_body);
		eb_reply_problem(r, 413, "too-large", msg, NULL);
	} else if (st->too_big == 2) {
		eb_reply_problem(r, 414, "uri-too-long", "the path is too long", NULL);
	} else {
		dispatch(st);
		if (st->deferred) {
			st->deferred = 0;
			r->phase++;
			/* Release the database while waiting. */
			if (r->db && !eb_in_tx(r->db)) {
				eb_db_release(r->db);
				r->db = NULL;
			}
			MHD_suspend_connection(c);
			if (eb_workq_submit(srv->wq, st->dfn, st->darg, resume_done, st) != 0) {
				MHD_resume_connection(c);
				r->phase = 0;
				st->route = NULL;
				eb_reply_problem(r, 503, "busy", "the server is busy; retry in a few seconds", NULL);
				eb_reply_header(r, "Retry-After", "2");
			} else {
				return MHD_YES;
			}
		}
	}
	st->done = 1;
	if (st->stream && r->status == 200)
		return send_stream(c, st);
	if (st->stream) { /* the handler replied otherwise after all */
		st->stream->done(st->stream->cls);
		free(st->stream);
		st->stream = NULL;
	}
	return send_reply(c, r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct eb_server *srv = cls;
	struct req_state *st = *con_cls;
	if (!st)
		return;
	struct eb_req *r = &st->r;
	if (r->db)
		eb_db_release(r->db);
	eb_cached_unref(r->cached);
	if (srv->app->access_log) {
		char addr[64];
		eb_req_addr(r, addr, sizeof addr);
		eb_log(EB_LOG_INFO, "access %s %s %s %d %zu %lldms %s%s", addr, r->method, r->path,
		       r->status, st->sent, (long long)(eb_mono_ms() - r->start_ms),
		       r->who.kind == EB_ANON ? "-" : r->who.label,
		       toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
	}
	eb_buf_free(&r->out);
	eb_buf_free(&st->body);
	struct alloc *a = r->allocs;
	while (a) {
		struct alloc *n = a->next;
		free(a);
		a = n;
	}
	free(st);
	*con_cls = NULL;
	atomic_fetch_sub(&inflight, 1);
}

struct eb_server *eb_server_start(struct eb_app *app, const struct eb_server_opts *o,
				  struct eb_detail *d)
{
	struct eb_server *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->app = app;
	pthread_mutex_init(&s->streams_mu, NULL);
	s->drain_seconds = o->drain_seconds > 0 ? o->drain_seconds : 20;
	s->wq = eb_workq_new(1, 256);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)o->port);
	if (inet_pton(AF_INET, o->bind ? o->bind : "127.0.0.1", &sa.sin_addr) != 1) {
		eb_fail(d, EB_EINVAL, "bind", "cannot use %s as an IPv4 address to listen on", o->bind);
		eb_workq_free(s->wq);
		free(s);
		return NULL;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_TURBO;
	s->d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, s,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(o->threads > 0 ? o->threads : 2),
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
				MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
				MHD_OPTION_END);
	if (!s->d) {
		eb_fail(d, EB_EIO, "port", "cannot listen on %s:%d (is the port in use? choose another with --port)",
			o->bind ? o->bind : "127.0.0.1", o->port);
		eb_workq_free(s->wq);
		free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : o->port;
	return s;
}

int eb_server_port(const struct eb_server *s)
{
	return s->port;
}

void eb_server_stop(struct eb_server *s)
{
	if (!s)
		return;
	MHD_quiesce_daemon(s->d);
	streams_close(s);
	int64_t until = eb_mono_ms() + s->drain_seconds * 1000LL;
	while (atomic_load(&inflight) > 0 && eb_mono_ms() < until)
		usleep(10000);
	if (atomic_load(&inflight) > 0)
		eb_warn("stopping with %d requests still in flight", atomic_load(&inflight));
	streams_close(s); /* any that started while draining */
	MHD_stop_daemon(s->d);
	eb_workq_free(s->wq);
	pthread_mutex_destroy(&s->streams_mu);
	free(s);
}

static sigset_t stop_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	return set;
}

void eb_server_block_signals(void)
{
	sigset_t set = stop_signals();
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void eb_server_wait_signal(void)
{
	sigset_t set = stop_signals();
	int sig = 0;
	sigwait(&set, &sig);
	eb_info("received %s; finishing in-flight requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
}
