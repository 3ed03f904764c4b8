/*
 * Data-file lookup: $EB_DATA_DIR, ./data, <exe>/../data,
 * <exe>/../share/epibridge.  See datadir.h.
 */
#include "base/datadir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* 1 when rel is a safe relative path: not empty, not absolute, no "..". */
static int rel_ok(const char *rel)
{
	if (!rel || !*rel || rel[0] == '/')
		return 0;
	const char *p = rel;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 0;
		if (!slash)
			break;
		p = slash + 1;
	}
	return 1;
}

/* Writes "<dir>/<rel>" to out when it fits and the file exists. */
static int try_path(const char *dir, const char *rel, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/%s", dir, rel);
	if (n < 0 || (size_t)n >= outlen)
		return 0;
	struct stat st;
	return stat(out, &st) == 0;
}

const char *eb_data_path(const char *rel, char *out, size_t outlen)
{
	if (!out || outlen == 0)
		return NULL;
	out[0] = '\0';
	if (!rel_ok(rel))
		return NULL;

	const char *env = getenv("EB_DATA_DIR");
	if (env && *env && try_path(env, rel, out, outlen))
		return out;
	if (try_path("data", rel, out, outlen))
		return out;

	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			char dir[PATH_MAX + 32];
			snprintf(dir, sizeof dir, "%s/../data", exe);
			if (try_path(dir, rel, out, outlen))
				return out;
			snprintf(dir, sizeof dir, "%s/../share/epibridge", exe);
			if (try_path(dir, rel, out, outlen))
				return out;
		}
	}
	out[0] = '\0';
	return NULL;
}
