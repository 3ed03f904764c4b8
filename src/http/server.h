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

#endif
