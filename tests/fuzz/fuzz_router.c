/*
 * libFuzzer target for route matching (eb_route_match, src/http/router.c)
 * over the real route table eb_routes (src/http/routes.c).
 *
 * Input: "METHOD PATH" (split at the first space; without one the method is
 * GET and the whole input is the path), arbitrary bytes in both, as
 * libmicrohttpd hands them over (a C string, so the first NUL ends it).
 * Each input is matched with the server's buffer size (1024) and with a
 * small one.  Beyond "no crash, no undefined behaviour" it checks what the
 * server relies on:
 *   - a match has the request's method (HEAD also matches GET), at most
 *     EB_MAX_PARAMS parameters, each non-empty, without '/', inside buf, and
 *     substituting them into the pattern gives back the path exactly;
 *   - no match leaves "allowed" a NUL-terminated list, non-empty only when
 *     some route's pattern matches the path under another method;
 *   - matching is deterministic.
 * A broken promise aborts.
 *
 * Sources: src/http/router.c and src/http/routes.c; the route table refers
 * to every handler, so the target links the whole library (all of src/
 * except src/cli/, as scripts/build-fuzz.sh does).
 *
 *   sh scripts/build-fuzz.sh router && build-fuzz/fuzz_router \
 *     -max_total_time=60 -dict=tests/fuzz/router.dict CORPUS_COPY
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Does path equal pattern with params substituted for its {name} segments? */
static int rebuild_equals(const char *pattern, const char *path, const char **params, int np)
{
	int k = 0;
	const char *p = pattern, *q = path;
	while (*p) {
		if (*p == '{') {
			const char *e = strchr(p, '}');
			if (!e || k >= np)
				return 0;
			size_t n = strlen(params[k]);
			if (strncmp(q, params[k], n) != 0)
				return 0;
			q += n;
			k++;
			p = e + 1;
		} else {
			if (*q != *p)
				return 0;
			p++;
			q++;
		}
	}
	return *q == '\0' && k == np;
}

static void match_once(const char *method, const char *path, size_t buflen)
{
	char *buf = malloc(buflen);
	char allowed[128];
	const char *params[EB_MAX_PARAMS];
	int np = -1;
	memset(allowed, 'x', sizeof allowed);
	const struct eb_route *r = eb_route_match(method, path, buf, buflen, params, &np,
						  allowed, sizeof allowed);
	if (np < 0 || np > EB_MAX_PARAMS || !memchr(allowed, '\0', sizeof allowed))
		abort();
	if (r) {
		if (r < eb_routes || r >= eb_routes + eb_nroutes)
			abort();
		if (strcmp(r->method, method) != 0 &&
		    !(strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0))
			abort();
		for (int i = 0; i < np; i++) {
			if (params[i] < buf || params[i] >= buf + buflen || !params[i][0] || strchr(params[i], '/'))
				abort();
		}
		if (!rebuild_equals(r->pattern, path, params, np))
			abort();
		/* deterministic */
		char buf2[1024];
		const char *params2[EB_MAX_PARAMS];
		int np2;
		char allowed2[128];
		if (buflen <= sizeof buf2 &&
		    (eb_route_match(method, path, buf2, buflen, params2, &np2, allowed2, sizeof allowed2) != r || np2 != np))
			abort();
	} else if (allowed[0]) {
		/* some route has this path under another method */
		int found = 0;
		for (size_t i = 0; i < eb_nroutes && !found; i++) {
			if (strcmp(eb_routes[i].method, method) == 0)
				continue;
			char b3[1024];
			const char *p3[EB_MAX_PARAMS];
			int n3;
			char a3[128];
			if (buflen <= sizeof b3 &&
			    eb_route_match(eb_routes[i].method, path, b3, buflen, p3, &n3, a3, sizeof a3))
				found = 1;
		}
		if (!found && buflen <= 1024)
			abort();
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	memcpy(in, data, size);
	in[size] = '\0';
	const char *method = "GET", *path = in;
	char *sp = memchr(in, ' ', size);
	if (sp) {
		*sp = '\0';
		method = in;
		path = sp + 1;
	}
	match_once(method, path, 1024);
	match_once(method, path, 16);
	free(in);
	return 0;
}
