/*
 * The HTTP server: libmicrohttpd with a thread pool, the request life cycle
 * (body limits, routing, authentication, route-level access control, CSRF),
 * ETags, the access log and graceful shutdown.
 */
#ifndef EB_HTTP_SERVER_H
#define EB_HTTP_SERVER_H

#include "http/http.h"

struct eb_server_opts {
	const char *bind;   /* "127.0.0.1" */
	int port;
	int threads;        /* HTTP threads; also the database pool size */
	int drain_seconds;  /* how long in-flight requests may take on SIGTERM */
};

struct eb_server;

/* Starts serving; returns NULL and fills d on failure. */
struct eb_server *eb_server_start(struct eb_app *app,
				  const struct eb_server_opts *o,
				  struct eb_detail *d);
/* Stops accepting, waits for in-flight requests (up to drain_seconds), then
 * stops.  NULL-safe. */
void eb_server_stop(struct eb_server *s);
/* Blocks SIGTERM and SIGINT in the calling thread and the threads it
 * starts later; call before eb_server_start.  Ignores SIGPIPE. */
void eb_server_block_signals(void);
/* Blocks until SIGTERM or SIGINT. */
void eb_server_wait_signal(void);
/* The port actually bound (useful with port 0). */
int eb_server_port(const struct eb_server *s);

/* Appends v to b as compact JSON: the same bytes as json_dumps(v,
 * JSON_COMPACT), several times faster.  v must be an object or an array.
 * Returns 0, or -1 (b unchanged) where json_dumps would return NULL:
 * invalid UTF-8 in a string, a cycle, or b's size limit.  v is borrowed.
 * Thread-safe for distinct buffers. */
int eb_json_dump(struct eb_buf *b, json_t *v);

#endif
