/*
 * Data versions: one counter per kind of data ("sitreps", "indicators",
 * "risk", "orgs") raised by every write of that data in the writing
 * transaction.  Readers compare versions to know whether something they
 * rendered earlier is still current (http/cache.c), across every process
 * that shares the database.
 */
#ifndef EB_DOMAIN_DATAVER_H
#define EB_DOMAIN_DATAVER_H

#include <stdint.h>
#include "base/err.h"

struct eb_conn;

/* The current version of name (EB_ENOTFOUND for an unknown name). */
enum eb_err dataver_get(struct eb_conn *c, const char *name, int64_t *version,
			struct eb_detail *d);
/* Raises the version of name; call inside the writing transaction. */
enum eb_err dataver_bump(struct eb_conn *c, const char *name, struct eb_detail *d);

#endif
