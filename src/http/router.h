/*
 * The route table and its matcher.
 *
 * Every endpoint of the API is one row of eb_routes (routes.c): method, path
 * pattern with {name} segments, handler, the least role that may call it and
 * flags.  The server checks the role and flags before calling the handler, so
 * this table is the one place that says who may call what; the OpenAPI
 * document is tested against it.
 */
#ifndef EB_HTTP_ROUTER_H
#define EB_HTTP_ROUTER_H

#include <stddef.h>
#include "http/http.h"

enum {
	EB_R_PUBLIC = 1,   /* callable without authentication */
	EB_R_OPERATOR = 2, /* only the operator organisation's principals */
	EB_R_USER = 4,     /* only a logged-in user (not an API token) */
	EB_R_UPLOAD = 8    /* takes bodies up to limits.max_upload (server.c) */
};

struct eb_route {
	const char *method;
	const char *pattern;
	eb_handler fn;
	enum eb_role min_role; /* ignored for EB_R_PUBLIC */
	int flags;
};

extern const struct eb_route eb_routes[];
extern const size_t eb_nroutes;

/* Matches method and path (no query string).  path is copied into buf
 * (buflen bytes) and params point into buf.  Returns the route, or NULL with
 * *allowed set to a comma-separated list of methods when the path exists
 * under other methods (405), or "" when nothing matches (404). */
const struct eb_route *eb_route_match(const char *method, const char *path,
				      char *buf, size_t buflen,
				      const char **params, int *nparams,
				      char *allowed, size_t allowed_len);

#endif
