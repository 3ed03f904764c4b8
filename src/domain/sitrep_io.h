/*
 * Situation data in and out of files (C1, C10): the one place that joins
 * the file formats (src/formats) to the situation domain (sitrep.h), used
 * alike by the command line (`epibridge import`, `epibridge export`) and
 * the HTTP API (POST /api/v1/imports/sitreps, GET /api/v1/exports/sitreps).
 *
 * Imports.  sitrep_import_read runs the reader of a format (WHO daily CSV,
 * JHU CSSE wide series, HXL-tagged CSV, CSV with a column mapping) over a
 * CSV reader and feeds an import begun with sitrep_import_begin: accepted
 * rows go to sitrep_import_row, rows the reader rejects to
 * sitrep_import_reject with their line and reason.  The caller ends the
 * import (sitrep_import_end), which commits or writes nothing.
 *
 * Exports.  The reports visible to the caller, filtered like sitrep_list,
 * written as HXL-tagged CSV, JSON or a FHIR R4 Bundle of MeasureReports, in
 * id order.
 *
 * The export streams: rows are read from the database a page at a time
 * (keyset on id) and written through the caller's write callback in chunks
 * of about 64 KiB, so memory does not grow with the size of the export.
 * The CLI writes to stdout; the HTTP layer collects a bounded page.
 *
 * Formats (docs/formats-situation.md, "Importing and exporting"):
 *  - csv: the HXL writer's columns and hashtag row (formats/hxl.h), which
 *    `epibridge import hxl` reads back, followed by columns the HXL reader
 *    ignores: org_id (#org+code), org_name (#org+name), new_suspected,
 *    new_recovered, new_tests (#affected+...+new), source (#meta+source);
 *  - json: {"items": [report, ...], "next_cursor": ...}, each report as
 *    GET /api/v1/sitreps/{id} gives it (without history and updated_by);
 *  - fhir: a Bundle (type collection) of one MeasureReport per report
 *    (formats/fhir.h), Bundle.link "next" when a page limit cut it short.
 *
 * The command line (EB_CLI) sees every report; others see what
 * ACCESS_VISIBLE_SQL lets them (anonymous callers: public reports only).
 */
#ifndef EB_DOMAIN_SITREP_IO_H
#define EB_DOMAIN_SITREP_IO_H

#include <stddef.h>
#include <stdint.h>
#include "base/err.h"
#include "domain/principal.h"
#include "domain/sitrep.h"

struct eb_conn;
struct csv_reader;

enum sitrep_import_format { SITREP_IMPORT_WHO = 0, SITREP_IMPORT_JHU, SITREP_IMPORT_HXL, SITREP_IMPORT_CSV };

/* "who", "jhu", "hxl", "csv" -> the format; -1 when unknown. */
int sitrep_import_format_parse(const char *s);

/*
 * Reads r (and, for JHU, the deaths file in deaths, which may be NULL)
 * with the reader of format f and passes every row to imp.  map is the
 * column mapping of SITREP_IMPORT_CSV (formats/hxl.h), ignored otherwise.
 * progress (may be NULL) is called every 16,384 rows with the rows read so
 * far (accepted and rejected).  *flagged (may be NULL) receives the number
 * of rows kept with a negative new count.
 *
 * Returns EB_OK when the whole input was read (rows may have been
 * rejected: see the import's statistics); EB_EINVAL when the input is not
 * of the format or its structure is broken (no header, a quote never
 * closed, a malformed mapping; d says what and where), EB_ETOOBIG over a
 * reader's limits, EB_EIO, EB_ENOMEM, or a database error from
 * sitrep_import_row.  After an error the caller should end the import with
 * commit 0.  The caller owns imp and the readers.
 */
enum eb_err sitrep_import_read(struct sitrep_import *imp, enum sitrep_import_format f,
			       struct csv_reader *r, struct csv_reader *deaths,
			       const char *map, void (*progress)(int64_t rows, void *arg),
			       void *arg, int64_t *flagged, struct eb_detail *d);

enum sitrep_export_format { SITREP_EXPORT_CSV = 0, SITREP_EXPORT_JSON, SITREP_EXPORT_FHIR };

/* "csv", "json", "fhir" -> the format; -1 when unknown. */
int sitrep_export_format_parse(const char *s);
/* The media type ("text/csv; charset=utf-8", "application/json",
 * "application/fhir+json") and a file extension ("csv", "json", "fhir.json"). */
const char *sitrep_export_ctype(enum sitrep_export_format f);
const char *sitrep_export_ext(enum sitrep_export_format f);

/* Receives n bytes of output; returns 0 to go on, non-zero to stop (the
 * export then fails with EB_EIO, or EB_ETOOBIG when the callback says so
 * through its own means). */
typedef int sitrep_export_write_fn(void *ctx, const char *p, size_t n);

struct sitrep_export_opts {
	enum sitrep_export_format format;
	/* area, from, to, org filter as in sitrep_list; after: start after
	 * this id; limit: most reports written, 0 for all */
	struct sitrep_query q;
	/* When the limit cut the export short: the URL of the next page,
	 * without the cursor (it ends in '?' or '&' so that "cursor=N" can be
	 * appended), for the FHIR Bundle link.  May be NULL. */
	const char *next_base;
	/* Called every 10,000 rows with the rows written so far (may be NULL). */
	void (*progress)(int64_t rows, void *arg);
	void *progress_arg;
};

/*
 * Writes the export through w.  *rows (may be NULL) receives the number of
 * reports written; *next (may be NULL) the cursor of the next page (the
 * last id written) when opts->q.limit stopped the export and more reports
 * follow, else 0.  Errors: EB_EINVAL (a bad filter: unknown area code,
 * malformed date; d->field names it), EB_EDB, EB_ENOMEM, EB_EIO (w said
 * stop).  On error part of the output may have been written.
 */
enum eb_err sitrep_export(struct eb_conn *c, const struct eb_principal *who,
			  const struct sitrep_export_opts *opts,
			  sitrep_export_write_fn *w, void *ctx, int64_t *rows,
			  int64_t *next, struct eb_detail *d);

#endif
