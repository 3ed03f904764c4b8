/*
 * Text for error codes and the helper that fills an error detail.
 */
#include "base/err.h"

#include <stdio.h>
#include <string.h>

const char *eb_strerror(enum eb_err e)
{
	switch (e) {
	case EB_OK: return "ok";
	case EB_EINVAL: return "invalid input";
	case EB_ENOTFOUND: return "not found";
	case EB_EEXIST: return "already exists";
	case EB_EPERM: return "forbidden";
	case EB_EAUTH: return "authentication required";
	case EB_ECONFLICT: return "conflict";
	case EB_ETOOBIG: return "too large";
	case EB_ENOMEM: return "out of memory";
	case EB_EIO: return "input/output error";
	case EB_EDB: return "database error";
	case EB_ETHROTTLE: return "too many attempts";
	case EB_EINTERNAL: return "internal error";
	case EB_EBUSY: return "busy, retry";
	}
	return "unknown error";
}

enum eb_err eb_fail(struct eb_detail *d, enum eb_err e, const char *field,
		    const char *fmt, ...)
{
	if (d) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(d->msg, sizeof d->msg, fmt, ap);
		va_end(ap);
		snprintf(d->field, sizeof d->field, "%s", field ? field : "");
	}
	return e;
}
