/*
 * Decoding JSON input (HTTP request bodies, CLI arguments): parsing within limits and checking an object
 * against a field specification.
 *
 * eb_json_parse rejects bodies nested deeper than max_depth before jansson
 * sees them, duplicate keys, and anything but an object at the top.
 * eb_json_check rejects unknown fields, wrong types, strings longer than the
 * field's maximum, values out of range, bad enumeration values, invalid dates
 * and unknown country codes, naming the field as a JSON pointer ("/country")
 * in the detail.  Neither function keeps a reference to its input.
 * Thread-safe.
 */
#ifndef EB_BASE_JCHECK_H
#define EB_BASE_JCHECK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "base/err.h"

enum eb_jtype {
	EB_J_STR,      /* string, 1..max_len bytes (0 allowed if min==0) */
	EB_J_INT,      /* integer in [min, max] */
	EB_J_NUM,      /* number */
	EB_J_BOOL,
	EB_J_DATE,     /* "YYYY-MM-DD" */
	EB_J_TIME,     /* RFC 3339 date-time */
	EB_J_ENUM,     /* one of values[] */
	EB_J_ID,       /* integer >= 1 */
	EB_J_COUNTRY,  /* ISO 3166-1 alpha-2, known */
	EB_J_IDS,      /* array of ids, at most max_len elements */
	EB_J_STRS,     /* array of strings, at most max elements of max_len */
	EB_J_NULLABLE_ID /* integer >= 1 or null */
};

struct eb_jfield {
	const char *name;
	enum eb_jtype type;
	int required;
	size_t max_len;
	int64_t min, max;
	const char *const *values; /* NULL-terminated, for EB_J_ENUM */
};

/* Terminate a spec with { NULL }. */

enum eb_err eb_json_parse(const char *body, size_t len, int max_depth,
			  json_t **out, struct eb_detail *d);

/* partial: a PATCH, so no field is required. */
enum eb_err eb_json_check(json_t *obj, const struct eb_jfield *spec,
			  int partial, struct eb_detail *d);

/* Optional hook that says whether an ISO alpha-2 code is known (set when the
 * reference areas are loaded).  When NULL, any two capital letters pass. */
extern int (*eb_country_known)(const char *iso2);

/* Convenience getters for checked objects: NULL / dflt when absent. */
const char *eb_jstr(json_t *o, const char *name);
int64_t eb_jint(json_t *o, const char *name, int64_t dflt);

#endif
