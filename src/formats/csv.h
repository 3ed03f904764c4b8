/*
 * RFC 4180 CSV: a streaming reader with limits, and a writer helper.
 *
 * The reader takes bytes from a FILE* or from memory through one large
 * buffer and hands back one record at a time.  Fields point into that buffer
 * (no allocation per field or per record): quoted fields are unescaped in
 * place and every field is NUL-terminated, so a field may be used as a C
 * string as well as by (pointer, length).
 *
 * What it accepts: fields separated by ',' and records by LF or CRLF;
 * fields in double quotes may hold ',', CR, LF and doubled quotes ("");
 * a UTF-8 byte order mark at the very start is skipped; the last record may
 * lack its line break; empty lines (zero bytes between line breaks) are
 * skipped.  A double quote inside an unquoted field is kept as a literal
 * character (common in real files, e.g. 5'7"), a lone CR is data.
 *
 * What it rejects: invalid UTF-8 (overlong forms, surrogates, > U+10FFFF,
 * truncated sequences) and NUL bytes; characters between a closing quote
 * and the next separator; a quoted field still open at end of input; a
 * field, a record or a field count over the limits.
 *
 * Errors are of two kinds.  A bad record (the UTF-8, limit and
 * after-closing-quote errors) is skipped whole: csv_next returns the error,
 * csv_line tells where, and the next call continues with the following
 * record.  A broken file (quoted field open at end of input, read error) is
 * fatal: csv_fatal() becomes true and every later call returns the same
 * error.  Error messages do not contain the line number; callers get it from
 * csv_line().
 *
 * Thread-safety: a reader belongs to one thread at a time.
 */
#ifndef EB_FORMATS_CSV_H
#define EB_FORMATS_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"

/* Limits; a zero member means "use the default" given beside it. */
struct csv_limits {
	size_t max_field;  /* bytes in one field after unescaping; 65536 */
	size_t max_fields; /* fields in one record; 4096 */
	size_t max_record; /* raw bytes of one record incl. embedded line
			      breaks (the "line length"); 1 MiB */
};

struct csv_field {
	const char *p; /* NUL-terminated at p[len]; may contain no NUL */
	size_t len;
};

/* One record.  f[0..nfields) stay valid until the next csv_next/csv_free. */
struct csv_row {
	size_t nfields;
	const struct csv_field *f;
};

struct csv_reader;

/*
 * Opens a reader on f (not closed by the reader; the caller keeps owning
 * it) or on the len bytes at data (which must stay valid and unchanged
 * until csv_free; they are copied piecewise, never modified).  limits may be
 * NULL for the defaults.  Returns NULL when out of memory.
 */
struct csv_reader *csv_open_file(FILE *f, const struct csv_limits *limits);
struct csv_reader *csv_open_mem(const void *data, size_t len,
				const struct csv_limits *limits);

/*
 * Reads the next record into *row.  Returns 1 with a record, 0 at end of
 * input, or a negative enum eb_err: EB_EINVAL (malformed), EB_ETOOBIG (over a
 * limit), EB_EIO (read error), EB_ENOMEM.  On error d (may be NULL) names the
 * problem and, when it concerns one field, d->field is "column N" (1-based).
 * See the top of this file for which errors let reading continue.
 */
int csv_next(struct csv_reader *r, struct csv_row *row, struct eb_detail *d);

/*
 * Physical line (1-based) where the record last returned starts, or, after
 * an error, the line where the problem was found (for an unterminated quote,
 * the line of the opening quote).  0 before the first call.
 */
long csv_line(const struct csv_reader *r);

/* True after an error that ends reading (see above). */
bool csv_fatal(const struct csv_reader *r);

/* Releases the reader (not the FILE).  NULL is a no-op. */
void csv_free(struct csv_reader *r);

/*
 * Writer helpers.  csv_write_field appends one field, quoted when it holds
 * ',', '"', CR or LF, or starts or ends with a space or tab (so that
 * readers that trim keep it intact), or is empty and first (so that a
 * record of one empty field is not an empty line); preceded by ',' unless
 * first is true.
 * csv_write_end appends the record separator CRLF (RFC 4180).
 * Return EB_OK or the buffer's error (EB_ETOOBIG, EB_ENOMEM); on error the
 * buffer may hold a partial field and should be discarded.
 */
enum eb_err csv_write_field(struct eb_buf *b, bool first, const char *s,
			    size_t len);
enum eb_err csv_write_end(struct eb_buf *b);

#endif
