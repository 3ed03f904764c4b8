/*
 * Growable byte buffer with a hard size limit.  See buf.h.
 */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eb_buf_init(struct eb_buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max;
}

void eb_buf_free(struct eb_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void eb_buf_reset(struct eb_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static enum eb_err grow(struct eb_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need < b->len || (b->max && need - 1 > b->max))
		return EB_ETOOBIG;
	if (need <= b->cap)
		return EB_OK;
	size_t ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	if (b->max && ncap > b->max + 1)
		ncap = b->max + 1;
	char *p = realloc(b->data, ncap);
	if (!p)
		return EB_ENOMEM;
	b->data = p;
	b->cap = ncap;
	return EB_OK;
}

enum eb_err eb_buf_add(struct eb_buf *b, const void *p, size_t n)
{
	enum eb_err e = grow(b, n);
	if (e)
		return e;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return EB_OK;
}

enum eb_err eb_buf_adds(struct eb_buf *b, const char *s)
{
	return eb_buf_add(b, s, strlen(s));
}

enum eb_err eb_buf_addc(struct eb_buf *b, char c)
{
	return eb_buf_add(b, &c, 1);
}

enum eb_err eb_buf_printf(struct eb_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return EB_EINVAL;
	enum eb_err e = grow(b, (size_t)n);
	if (e)
		return e;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return EB_OK;
}

char *eb_buf_take(struct eb_buf *b, size_t *len)
{
	char *p = b->data;
	if (!p) {
		p = calloc(1, 1);
	}
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
