/*
 * Atom 1.0 (RFC 4287) feeds, for publishing public alerts to feed readers
 * and aggregators.
 *
 * atom_write produces a complete, well-formed document through libxml2's
 * text writer, which escapes all text; nothing is concatenated by hand.
 * All strings are borrowed for the call and must be valid UTF-8 (text that
 * is not is replaced, so the output always parses).  This layer knows
 * nothing of HTTP or the database.  Thread-safe.
 */
#ifndef EB_FORMATS_ATOM_H
#define EB_FORMATS_ATOM_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

struct atom_link {
	const char *href;
	const char *rel;   /* NULL: alternate */
	const char *type;  /* may be NULL */
};

struct atom_entry {
	const char *id;        /* required: an IRI, e.g. the CAP identifier */
	const char *title;     /* required */
	const char *updated;   /* required: RFC 3339 */
	const char *published; /* may be NULL */
	const char *author;    /* required */
	const char *summary;   /* may be NULL */
	const char *category;  /* may be NULL: term */
	const struct atom_link *links;
	size_t nlinks;
};

struct atom_feed {
	const char *id;       /* required */
	const char *title;    /* required */
	const char *updated;  /* required: RFC 3339 */
	const char *self;     /* the feed's own URL, may be NULL */
	const char *author;   /* required */
};

/* Appends the feed with its entries to out.  EB_EINVAL when a required
 * field is missing (d names it), EB_ETOOBIG at out's limit (out left as
 * it was), EB_ENOMEM. */
enum eb_err atom_write(const struct atom_feed *f, const struct atom_entry *e,
		       size_t n, struct eb_buf *out, struct eb_detail *d);

#endif
