/*
 * The HTTP layer's shared types: the application, a request, and the helpers
 * handlers use to read input and write JSON or RFC 9457 problem responses.
 *
 * A request is owned by the server (server.c) from the first byte until the
 * response is sent; handlers borrow it.  Memory a handler allocates with
 * eb_req_alloc/eb_req_strdup is freed with the request.  A handler writes
 * exactly one response with eb_reply_* (the last call wins).
 *
 * Access control lives in one place: the route table states who may call a
 * route at all (auth.h roles), and the domain's access module (domain/access.h)
 * decides which records a caller sees; handlers call the domain with the
 * caller's principal and never test roles or organisations themselves.
 */
#ifndef EB_HTTP_HTTP_H
#define EB_HTTP_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "domain/principal.h"

struct eb_db;
struct eb_conn;
struct MHD_Connection;
struct eb_static;
struct eb_hasher;
struct eb_alert_svc;

struct eb_limits {
	size_t max_body;      /* request body bytes */
	size_t max_upload;    /* body bytes of EB_R_UPLOAD routes (0: max_body) */
	int max_depth;        /* JSON nesting */
	size_t max_string;    /* default maximum of a JSON string field */
	int max_page;         /* largest ?limit= */
};

struct eb_app {
	struct eb_db *db;
	struct eb_limits limits;
	struct eb_static *assets;  /* web dashboard files, may be NULL */
	struct eb_hasher *hasher;  /* password hashing off the request threads */
	struct eb_alert_svc *alerts; /* event streams, webhook delivery, view counts (alert_svc.h); may be NULL */
	int secure_cookies;        /* add Secure to cookies (behind TLS) */
	int access_log;
	const char *trusted_proxy; /* peer whose X-Forwarded-For is believed, or NULL */
};

#define EB_MAX_PARAMS 6

struct eb_req {
	struct eb_app *app;
	struct MHD_Connection *mhd;
	const char *method;
	const char *path;             /* without query */
	const char *params[EB_MAX_PARAMS]; /* {name} path segments, in order */
	int nparams;
	const char *body;
	size_t body_len;
	struct eb_principal who;      /* the caller, kind EB_ANON if none */
	int via_cookie;               /* authenticated by session cookie */
	char session_hash[65];
	char csrf[65];
	struct eb_conn *db;           /* taken lazily by eb_req_db */
	/* response */
	int status;
	struct eb_buf out;
	const char *ctype;
	char extra_headers[512];
	int no_etag;
	struct eb_cached *cached;      /* a kept response being served (http/cache.h) */
	/* suspended work (see eb_req_defer) */
	int phase;
	void *async;
	/* per-request allocations */
	void *allocs;
	int64_t start_ms;
};

/* A route handler. */
typedef void (*eb_handler)(struct eb_req *r);

/* Per-request memory, freed with the request.  Never NULL (aborts on OOM). */
void *eb_req_alloc(struct eb_req *r, size_t n);
char *eb_req_strdup(struct eb_req *r, const char *s);

/* The request's database connection (acquired on first use, released with
 * the request). */
struct eb_conn *eb_req_db(struct eb_req *r);

/* Query-string value or NULL; header value or NULL. */
const char *eb_req_query(struct eb_req *r, const char *name);
const char *eb_req_header(struct eb_req *r, const char *name);
/* Path parameter i as a positive id; on failure replies 404 and returns 0. */
int64_t eb_req_id(struct eb_req *r, int i);

/* Replies.  eb_reply_json takes ownership of (decrefs) v. */
void eb_reply_json(struct eb_req *r, int status, json_t *v);
void eb_reply_raw(struct eb_req *r, int status, const char *ctype,
		  const char *body, size_t len);
void eb_reply_empty(struct eb_req *r, int status);
/* RFC 9457 problem: type slug, title, detail, field (JSON pointer or NULL). */
void eb_reply_problem(struct eb_req *r, int status, const char *type,
		      const char *detail, const char *field);
/* Replies with out (consumed) and status when e is EB_OK, else with the
 * problem for e and d (out, which should then be NULL, is released). */
void eb_reply_result(struct eb_req *r, enum eb_err e, const struct eb_detail *d,
		     int status, json_t *out);
/* The three shapes most handlers have, for domain functions of the usual
 * signatures: create from the JSON body, read the record of path
 * parameter 0, change it from the JSON body.  They parse, call, and reply
 * (status on success, the problem otherwise). */
typedef enum eb_err (*eb_create_fn)(struct eb_conn *, const struct eb_principal *, json_t *,
				    json_t **, struct eb_detail *);
typedef enum eb_err (*eb_get_fn)(struct eb_conn *, const struct eb_principal *, int64_t,
				 json_t **, struct eb_detail *);
typedef enum eb_err (*eb_update_fn)(struct eb_conn *, const struct eb_principal *, int64_t,
				    json_t *, json_t **, struct eb_detail *);
/* An upsert: creates (201) or corrects (200) the record the body names. */
typedef enum eb_err (*eb_put_fn)(struct eb_conn *, const struct eb_principal *, json_t *,
				 json_t **, int *created, struct eb_detail *);
void eb_serve_create(struct eb_req *r, eb_create_fn fn, int status);
void eb_serve_put(struct eb_req *r, eb_put_fn fn);
void eb_serve_get(struct eb_req *r, eb_get_fn fn);
void eb_serve_update(struct eb_req *r, eb_update_fn fn, int status);
/* Query parameter `name` as a positive id: 0 when absent; on a malformed
 * value replies 400 naming it and sets *bad. */
int64_t eb_req_id_param(struct eb_req *r, const char *name, int *bad);
/* Maps a domain error + detail to the right status and problem. */
void eb_reply_err(struct eb_req *r, enum eb_err e, const struct eb_detail *d);
/* Adds a response header line ("Name: value"). */
void eb_reply_header(struct eb_req *r, const char *name, const char *value);

/* Parses the request body as a JSON object within the configured limits.
 * On failure replies 400/413/415 naming the problem and returns NULL. */
json_t *eb_req_json(struct eb_req *r);

/* Pagination: reads ?limit= and ?cursor= (opaque, an id).  On bad input
 * replies 400 and returns -1. */
int eb_req_page(struct eb_req *r, int *limit, int64_t *after);
/* Wraps items into {"items": [...], "next_cursor": "..."|null}. */
json_t *eb_page_json(json_t *items, int limit, int64_t last_id);

/*
 * Streaming responses, such as server-sent events.  Instead of eb_reply_*,
 * a handler calls eb_reply_stream; the server sends status 200 with ctype
 * (chunked) and then calls read(cls, buf, max) whenever the client can take
 * data.  read returns the number of bytes it copied into buf, 0 when it has
 * nothing now (the connection is then parked, with no thread and no
 * polling, until eb_stream_wake), or -1 to end the response.  read runs on
 * one server thread at a time.  done(cls) runs exactly once, when the
 * response is over (ended, client gone, server stopping, or the handler
 * replied otherwise after all); the stream handle is invalid once done has
 * returned, so whoever wakes it must stop doing so inside done.  The
 * request's database connection is released when streaming starts.
 * Returns NULL (after calling done and replying 503) when out of memory.
 */
struct eb_stream;
typedef long (*eb_stream_read_fn)(void *cls, char *buf, size_t max);
struct eb_stream *eb_reply_stream(struct eb_req *r, const char *ctype,
				  eb_stream_read_fn read, void (*done)(void *cls),
				  void *cls);
/* Makes the server call read again soon.  Thread-safe; cheap when the
 * stream is not parked. */
void eb_stream_wake(struct eb_stream *s);

/* Runs fn(arg) on the hashing worker pool, suspending this connection; the
 * handler is called again with r->phase incremented when fn has returned.
 * Returns 0 when queued, -1 when the queue is full (reply 503 then). */
int eb_req_defer(struct eb_req *r, void (*fn)(void *), void *arg);

#endif
