/*
 * Growable byte buffer with a hard size limit (after curl's dynbuf).
 *
 * The buffer always keeps a terminating NUL after its contents so it can be
 * used as a C string.  Appending past the limit fails with EB_ETOOBIG and
 * leaves the contents unchanged.  The caller owns the struct; eb_buf_free
 * releases the memory and may be called on a zeroed or freed buffer.
 * Not thread-safe; one owner at a time.
 */
#ifndef EB_BASE_BUF_H
#define EB_BASE_BUF_H

#include <stddef.h>
#include "base/err.h"

struct eb_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

void eb_buf_init(struct eb_buf *b, size_t max);
void eb_buf_free(struct eb_buf *b);
void eb_buf_reset(struct eb_buf *b);
enum eb_err eb_buf_add(struct eb_buf *b, const void *p, size_t n);
enum eb_err eb_buf_adds(struct eb_buf *b, const char *s);
enum eb_err eb_buf_addc(struct eb_buf *b, char c);
enum eb_err eb_buf_printf(struct eb_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Takes the contents (malloc'd, NUL-terminated); the buffer is left empty. */
char *eb_buf_take(struct eb_buf *b, size_t *len);

#endif
