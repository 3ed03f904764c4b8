/*
 * Error codes and error detail shared by every layer.
 *
 * A function that can fail returns an enum eb_err and, when the caller passes
 * a non-NULL struct eb_detail, fills it with a human message and the name of
 * the offending field (a JSON pointer, CSV column or XML element).  There is no
 * global error state.  The HTTP layer maps codes to status codes in one place
 * (http/problem.c).
 */
#ifndef EB_BASE_ERR_H
#define EB_BASE_ERR_H

#include <stdarg.h>

enum eb_err {
	EB_OK = 0,
	EB_EINVAL = -1,    /* malformed or out-of-range input */
	EB_ENOTFOUND = -2, /* no such record (or not visible to the caller) */
	EB_EEXIST = -3,    /* unique constraint, duplicate */
	EB_EPERM = -4,     /* authenticated but not allowed */
	EB_EAUTH = -5,     /* not authenticated / bad credentials */
	EB_ECONFLICT = -6, /* state conflict: illegal transition, stale version */
	EB_ETOOBIG = -7,   /* over a configured limit */
	EB_ENOMEM = -8,
	EB_EIO = -9,       /* file or network error */
	EB_EDB = -10,      /* database error */
	EB_ETHROTTLE = -11,/* too many attempts */
	EB_EINTERNAL = -12,
	EB_EBUSY = -13     /* temporarily unavailable (database busy); retry */
};

struct eb_detail {
	char msg[256];  /* human readable, names the problem and what to do */
	char field[96]; /* offending field, "" when not about one field */
};

/* Short English text of an error code; never NULL. */
const char *eb_strerror(enum eb_err e);

/* Fill d (may be NULL) and return e.  field may be NULL. */
enum eb_err eb_fail(struct eb_detail *d, enum eb_err e, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
