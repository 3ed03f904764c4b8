/*
 * The common row model of situation data, produced by every situation
 * reader (WHO daily CSV, JHU CSSE wide series, HXL-tagged CSV, CSV with a
 * column mapping) and consumed by the domain's sitrep import and by the
 * HXL writer.
 *
 * A row is one area on one day.  Each count carries a present flag because
 * a missing figure is not zero: "no cases" (present, 0) is a real state,
 * distinct from "no report" (absent).  Readers hand rows to a callback one
 * at a time and never hold a whole file; a row that breaks a rule is
 * reported to a second callback with its line and reason, and reading goes
 * on.  Only a broken file structure (no usable header, unterminated quote,
 * read error) ends a reader early.
 *
 * The helpers below parse counts, dates and transmission classes the same
 * way in every reader, and apply the rules common to all formats:
 * negative cumulative or stock counts are rejected; a negative new count is
 * kept as reported (a correction) and flagged.
 *
 * Everything here is pure computation and thread-safe.
 */
#ifndef EB_FORMATS_SITREP_ROWS_H
#define EB_FORMATS_SITREP_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define SITREP_AREA_MAX 16       /* bytes of area incl. NUL */
#define SITREP_COUNT_MAX 10000000000LL /* larger counts are rejected */

enum sitrep_transmission {
	SITREP_TX_UNKNOWN = -1,
	SITREP_TX_NONE = 0,      /* no cases */
	SITREP_TX_SPORADIC = 1,  /* sporadic cases */
	SITREP_TX_CLUSTERS = 2,  /* clusters of cases */
	SITREP_TX_COMMUNITY = 3  /* community transmission */
};

enum sitrep_flag {
	SITREP_F_NEGATIVE_NEW = 1 << 0,        /* new_confirmed < 0 as reported */
	SITREP_F_NEGATIVE_NEW_DEATHS = 1 << 1, /* new_deaths < 0 as reported */
	SITREP_F_DERIVED_NEW = 1 << 2, /* new_* computed as differences of
					  cumulative counts (JHU) */
	SITREP_F_SUMMED = 1 << 3,      /* sum of an area's province rows */
};

struct sitrep_count {
	int64_t value;
	bool present;
};

struct sitrep_row {
	/* ISO 3166-1 alpha-2 (including the user-assigned XK Kosovo and XZ
	 * international conveyance) or a subdivision code such as CN-HB */
	char area[SITREP_AREA_MAX];
	char date[11]; /* YYYY-MM-DD */
	struct sitrep_count new_confirmed, cum_confirmed;
	struct sitrep_count new_deaths, cum_deaths;
	struct sitrep_count suspected, recovered, tests;
	int transmission; /* enum sitrep_transmission */
	int flags;        /* enum sitrep_flag bits */
	long line;        /* source line of the row (first line of a record) */
};

/*
 * Called once per accepted row.  row is valid during the call only.  Return
 * 0 to go on; any other value (a negative enum eb_err, with d filled)
 * stops the reader, which returns that value.  d is the detail the
 * reader's caller passed (may be NULL).
 */
typedef int sitrep_row_fn(void *ctx, const struct sitrep_row *row,
			  struct eb_detail *d);

/*
 * Called once per rejected row: line is the source line, why->msg the
 * reason ("negative cumulative count ...") and why->field the column.
 * Return 0 to go on, non-zero to stop (the reader returns EB_EINVAL with
 * why as its detail).
 */
typedef int sitrep_reject_fn(void *ctx, long line,
			     const struct eb_detail *why);

/* Where a reader sends its output.  row is required; reject may be NULL
 * (rejects are then only counted). */
struct sitrep_sink {
	sitrep_row_fn *row;
	sitrep_reject_fn *reject;
	void *ctx;
};

/* What a reader did; filled when the caller passes one. */
struct sitrep_stats {
	long rows;     /* rows passed to sink->row */
	long rejected; /* rows passed to sink->reject */
	long flagged;  /* rows with SITREP_F_NEGATIVE_NEW or _DEATHS */
};

/* An empty row: no counts present, transmission unknown. */
void sitrep_row_init(struct sitrep_row *row);

/*
 * Parses a count: optional surrounding spaces, an optional sign, digits,
 * optionally ".0..." (integral values written by spreadsheets).  "" and
 * the missing-value words NA, N/A, null, - leave c absent; otherwise c
 * is present with the value.  Errors (EB_EINVAL, d names field): not a
 * whole number, magnitude over SITREP_COUNT_MAX.
 */
enum eb_err sitrep_parse_count(const char *s, size_t len,
			       struct sitrep_count *c, const char *field,
			       struct eb_detail *d);

/*
 * Parses a date YYYY-MM-DD, optionally followed by a time ("T00:00:00Z",
 * " 00:00:00", "T08:00:00+08:00"; the date part is taken as is), into out.
 * Checks the calendar and the year range 1900..2100.  EB_EINVAL with d
 * otherwise.
 */
enum eb_err sitrep_parse_date(const char *s, size_t len, char out[11],
			      const char *field, struct eb_detail *d);

/*
 * Parses a transmission class, case-insensitively: "no cases"/"none",
 * "sporadic"/"sporadic cases", "clusters"/"clusters of cases"/"cluster",
 * "community"/"community transmission", or the digits 0-3; "" is
 * SITREP_TX_UNKNOWN.  EB_EINVAL with d otherwise.
 */
enum eb_err sitrep_parse_transmission(const char *s, size_t len, int *out,
				      const char *field, struct eb_detail *d);

/* "no cases", "sporadic", "clusters", "community", or "" when unknown. */
const char *sitrep_transmission_name(int t);

/*
 * Applies the rules common to all formats to a parsed row: the area and the
 * date are set; at least one count or the transmission class is given;
 * cumulative, suspected, recovered and test counts are not negative.  Sets
 * SITREP_F_NEGATIVE_NEW / _NEGATIVE_NEW_DEATHS for negative new counts.
 * Returns EB_OK, or EB_EINVAL with d naming the field and the problem.
 */
enum eb_err sitrep_row_check(struct sitrep_row *row, struct eb_detail *d);

/*
 * Reader plumbing: reports a rejected row to sink (counting it in st) and
 * returns 0 to go on, or EB_EINVAL (with d = why) when the sink says stop.
 */
int sitrep_sink_reject(const struct sitrep_sink *sink, struct sitrep_stats *st,
		       long line, const struct eb_detail *why,
		       struct eb_detail *d);

/* Passes an accepted row to sink (counting it in st); returns the sink's
 * value (0 to go on). */
int sitrep_sink_row(const struct sitrep_sink *sink, struct sitrep_stats *st,
		    const struct sitrep_row *row, struct eb_detail *d);

struct csv_reader;
struct csv_row;

/*
 * Reader plumbing: the next well-formed record of r.  A record the CSV
 * reader refuses (bad UTF-8, over a limit, ...) is reported to sink with its
 * line and skipped.  Returns 1 with a record, 0 at the end, or a negative
 * enum eb_err when the file is broken (d: "line N: ...") or the sink said
 * stop.
 */
int sitrep_csv_next(struct csv_reader *r, struct csv_row *row,
		    const struct sitrep_sink *sink, struct sitrep_stats *st,
		    struct eb_detail *d);

#endif
