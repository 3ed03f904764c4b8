/*
 * The web dashboard's files, read into memory at start from a directory and
 * served with content type, ETag and caching headers.  Read-only after load,
 * so lookups are thread-safe.
 */
#ifndef EB_HTTP_STATIC_H
#define EB_HTTP_STATIC_H

#include <stddef.h>
#include "base/err.h"

struct eb_static;

struct eb_asset {
	const char *path;   /* "/index.html" */
	const char *ctype;
	const char *data;
	size_t len;
	char etag[40];
};

/* Loads every file under dir (at most max_total bytes in all). */
enum eb_err eb_static_load(const char *dir, size_t max_total,
			   struct eb_static **out, struct eb_detail *d);
void eb_static_free(struct eb_static *s);
/* "/" maps to "/index.html".  NULL when absent. */
const struct eb_asset *eb_static_find(const struct eb_static *s, const char *path);
size_t eb_static_count(const struct eb_static *s);

#endif
