/*
 * Situation reports (C1): one organisation's figures for one area and day.
 *
 * A report is identified by (owner organisation, area, day).  Writing a
 * report that exists is a correction: when any value differs, the previous
 * values go to the history (who, when, what) and the revision number rises;
 * when nothing differs the write is a no-op.  "No cases" (transmission
 * no_cases, counts 0) is a real state; an absent row is "no report".
 * Reads apply the visibility rule of domain/access.h.
 *
 * Imports (sitrep_import_*) run in one transaction: rows are upserted as
 * they arrive from a reader (formats/sitrep_rows.h); at the end the whole
 * import is committed, or rolled back when a row was rejected and the
 * caller did not ask to keep the valid rows.  One audit row records each
 * import; each report keeps its own revision history.
 *
 * All functions take the caller's principal; results are new JSON
 * references owned by the caller.
 */
#ifndef EB_DOMAIN_SITREP_H
#define EB_DOMAIN_SITREP_H

#include <jansson.h>
#include <stdint.h>
#include "base/err.h"
#include "domain/access.h"
#include "domain/principal.h"

struct eb_conn;
struct sitrep_row;

#define SITREP_NCOUNTS 10
/* new_confirmed, cum_confirmed, new_suspected, cum_suspected, new_deaths,
 * cum_deaths, new_recovered, cum_recovered, new_tests, cum_tests */
extern const char *const sitrep_count_names[SITREP_NCOUNTS + 1];
/* no_cases, sporadic, clusters, community */
extern const char *const sitrep_transmission_names[5];

/* Creates or corrects a report from JSON (area, date, counts, transmission,
 * visibility, shared_with, source, note).  *created is 1 for a new report,
 * 0 for a correction or an unchanged report. */
enum eb_err sitrep_put(struct eb_conn *c, const struct eb_principal *who,
		       json_t *in, json_t **out, int *created, struct eb_detail *d);
/* One report; with_history adds "history": previous revisions. */
enum eb_err sitrep_get(struct eb_conn *c, const struct eb_principal *who,
		       int64_t id, int with_history, json_t **out,
		       struct eb_detail *d);

struct sitrep_query {
	const char *area;  /* NULL: all */
	const char *from;  /* first day, NULL: open */
	const char *to;    /* last day, NULL: open */
	int64_t org;       /* owner, 0: all */
	int limit;
	int64_t after;     /* id cursor */
};
/* Reports visible to the caller, by id. */
enum eb_err sitrep_list(struct eb_conn *c, const struct eb_principal *who,
			const struct sitrep_query *q, json_t **items,
			int64_t *last_id, struct eb_detail *d);
/* Reports changed after (since_ms, after_id), oldest change first, for
 * partners polling; next_ms and next_id continue the walk. */
enum eb_err sitrep_changes(struct eb_conn *c, const struct eb_principal *who,
			   int64_t since_ms, int64_t after_id, int limit,
			   json_t **items, int64_t *next_ms, int64_t *next_id,
			   struct eb_detail *d);
/* All visible reports of one day, by area (the world snapshot). */
enum eb_err sitrep_day(struct eb_conn *c, const struct eb_principal *who,
		       const char *day, int64_t org, json_t **out,
		       struct eb_detail *d);
/* The daily series of one area from one source organisation (org, or when
 * 0 the organisation with the most reports for the area visible to the
 * caller), as columns: {area, org, dates[], new_confirmed[], ...}. */
enum eb_err sitrep_series(struct eb_conn *c, const struct eb_principal *who,
			  const char *area, const char *from, const char *to,
			  int64_t org, json_t **out, struct eb_detail *d);

/* ---- imports ---- */

struct sitrep_import_opts {
	int64_t org;               /* owner of the imported reports */
	enum eb_visibility visibility;
	json_t *shared_with;       /* org ids for 'listed', may be NULL */
	int keep_valid;            /* commit valid rows even if some were rejected */
	const char *source;        /* e.g. "WHO COVID-19 daily data" */
	const char *label;         /* file name, for the audit row */
	int max_rejects_kept;      /* rejects listed in the report (default 100) */
};

struct sitrep_import_stats {
	int64_t read, inserted, revised, unchanged, rejected;
};

struct sitrep_import;

/* Starts an import (opens the transaction).  The caller needs role editor
 * in opts->org. */
enum eb_err sitrep_import_begin(struct eb_conn *c, const struct eb_principal *who,
				const struct sitrep_import_opts *opts,
				struct sitrep_import **out, struct eb_detail *d);
/* Upserts one row.  An invalid row (unknown area, date in the future) is
 * recorded as rejected and EB_OK is returned; database errors are returned. */
enum eb_err sitrep_import_row(struct sitrep_import *imp, const struct sitrep_row *row,
			      struct eb_detail *d);
/* Records a row the reader rejected (it counts as read and rejected). */
void sitrep_import_reject(struct sitrep_import *imp, long line, const char *field,
			  const char *reason);
/* Ends the import: commits (with its audit row) unless commit is 0 or rows
 * were rejected without keep_valid, in which case nothing is written.
 * *report (may be NULL) receives {read, inserted, revised, unchanged,
 * rejected, committed, rejects: [{line, field, reason}]}.  Frees imp. */
enum eb_err sitrep_import_end(struct sitrep_import *imp, int commit,
			      struct sitrep_import_stats *st, json_t **report,
			      struct eb_detail *d);

#endif
