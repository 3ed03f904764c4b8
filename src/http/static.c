/*
 * In-memory web assets.  See static.h.
 */
#include "http/static.h"
#include "base/buf.h"

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct eb_static {
	struct eb_asset *a;
	size_t n, cap, total, max_total;
};

static const char *ctype_of(const char *name)
{
	static const struct { const char *ext, *ct; } map[] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".json", "application/json"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".ico", "image/x-icon"},
		{".woff2", "font/woff2"},
		{".map", "application/json"},
		{".txt", "text/plain; charset=utf-8"},
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(dot, map[i].ext) == 0)
			return map[i].ct;
	return "application/octet-stream";
}

static enum eb_err add_file(struct eb_static *s, const char *full,
			    const char *rel, struct eb_detail *d)
{
	FILE *f = fopen(full, "rb");
	if (!f)
		return eb_fail(d, EB_EIO, "web", "cannot read %s", full);
	struct eb_buf b;
	eb_buf_init(&b, s->max_total - s->total);
	char tmp[65536];
	size_t n;
	enum eb_err e = EB_OK;
	while (!e && (n = fread(tmp, 1, sizeof tmp, f)) > 0)
		e = eb_buf_add(&b, tmp, n);
	fclose(f);
	if (e) {
		eb_buf_free(&b);
		return eb_fail(d, e, "web", "web assets exceed %zu bytes at %s", s->max_total, full);
	}
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		struct eb_asset *na = realloc(s->a, nc * sizeof *na);
		if (!na) {
			eb_buf_free(&b);
			return EB_ENOMEM;
		}
		s->a = na;
		s->cap = nc;
	}
	struct eb_asset *a = &s->a[s->n++];
	a->path = strdup(rel);
	a->ctype = ctype_of(rel);
	a->data = eb_buf_take(&b, &a->len);
	s->total += a->len;
	unsigned char h[16];
	crypto_generichash(h, sizeof h, (const unsigned char *)a->data, a->len, NULL, 0);
	a->etag[0] = '"';
	for (int i = 0; i < 16; i++)
		snprintf(a->etag + 1 + 2 * i, 3, "%02x", h[i]);
	a->etag[33] = '"';
	a->etag[34] = '\0';
	return EB_OK;
}

static enum eb_err walk(struct eb_static *s, const char *dir, const char *rel,
			int depth, struct eb_detail *d)
{
	if (depth > 8)
		return EB_OK;
	DIR *dh = opendir(dir);
	if (!dh)
		return eb_fail(d, EB_EIO, "web", "cannot open web directory %s", dir);
	struct dirent *de;
	enum eb_err e = EB_OK;
	while (!e && (de = readdir(dh))) {
		if (de->d_name[0] == '.')
			continue;
		char full[1024], r[1024];
		snprintf(full, sizeof full, "%s/%s", dir, de->d_name);
		snprintf(r, sizeof r, "%s/%s", rel, de->d_name);
		struct stat st;
		if (stat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			e = walk(s, full, r, depth + 1, d);
		else if (S_ISREG(st.st_mode))
			e = add_file(s, full, r, d);
	}
	closedir(dh);
	return e;
}

enum eb_err eb_static_load(const char *dir, size_t max_total,
			   struct eb_static **out, struct eb_detail *d)
{
	*out = NULL;
	struct eb_static *s = calloc(1, sizeof *s);
	if (!s)
		return EB_ENOMEM;
	s->max_total = max_total;
	enum eb_err e = walk(s, dir, "", 0, d);
	if (e) {
		eb_static_free(s);
		return e;
	}
	*out = s;
	return EB_OK;
}

void eb_static_free(struct eb_static *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free((char *)s->a[i].path);
		free((char *)s->a[i].data);
	}
	free(s->a);
	free(s);
}

const struct eb_asset *eb_static_find(const struct eb_static *s, const char *path)
{
	if (!s)
		return NULL;
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->a[i].path, path) == 0)
			return &s->a[i];
	return NULL;
}

size_t eb_static_count(const struct eb_static *s)
{
	return s ? s->n : 0;
}
