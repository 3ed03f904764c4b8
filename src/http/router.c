/*
 * Route matching: splits the path into segments and compares them with each
 * pattern; {name} matches any non-empty segment.  The table is small (tens of
 * routes), so a linear scan is fast and keeps matching obvious.
 */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

#define MAX_SEGS 16

static int split(char *p, char **segs)
{
	int n = 0;
	if (*p != '/')
		return -1;
	while (*p == '/') {
		*p++ = '\0';
		if (n == MAX_SEGS)
			return -1;
		segs[n++] = p;
		while (*p && *p != '/')
			p++;
	}
	/* a trailing slash yields an empty last segment: "/api/" != "/api" */
	return n;
}

static int match_pattern(const char *pat, char **segs, int nseg,
			 const char **params, int *np)
{
	int i = 0;
	const char *p = pat;
	*np = 0;
	while (*p == '/') {
		p++;
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (i >= nseg)
			return 0;
		if (len > 1 && p[0] == '{' && p[len - 1] == '}') {
			if (!segs[i][0] || *np >= EB_MAX_PARAMS)
				return 0;
			params[(*np)++] = segs[i];
		} else if (strlen(segs[i]) != len || memcmp(segs[i], p, len) != 0) {
			return 0;
		}
		i++;
		p += len;
	}
	return i == nseg;
}

const struct eb_route *eb_route_match(const char *method, const char *path,
				      char *buf, size_t buflen,
				      const char **params, int *nparams,
				      char *allowed, size_t allowed_len)
{
	char *segs[MAX_SEGS];
	size_t plen = strlen(path);
	allowed[0] = '\0';
	*nparams = 0;
	if (plen + 1 > buflen)
		return NULL;
	memcpy(buf, path, plen + 1);
	int nseg = split(buf, segs);
	if (nseg < 0)
		return NULL;
	size_t used = 0;
	for (size_t r = 0; r < eb_nroutes; r++) {
		const char *tmp[EB_MAX_PARAMS];
		int np;
		if (!match_pattern(eb_routes[r].pattern, segs, nseg, tmp, &np))
			continue;
		if (strcmp(eb_routes[r].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(eb_routes[r].method, "GET") == 0)) {
			memcpy(params, tmp, sizeof(tmp[0]) * (size_t)np);
			*nparams = np;
			return &eb_routes[r];
		}
		int n = snprintf(allowed + used, allowed_len - used, "%s%s",
				 used ? ", " : "", eb_routes[r].method);
		if (n > 0 && used + (size_t)n < allowed_len)
			used += (size_t)n;
	}
	return NULL;
}
