/*
 * Situation data in any CSV: HXL-tagged CSV (Humanitarian Exchange
 * Language, hxlstandard.org), a plain CSV with a column mapping, and the
 * HXL writer used for exports.
 *
 * HXL reading.  A row of hashtags (within the first 25 rows, normally the
 * first or the second, under a row of column names) says what each column
 * holds.  Tags and attributes are case-insensitive and attributes may come
 * in any order, with or without spaces ("#Affected +New +Infected").
 * Recognised (first matching column wins; other columns are ignored):
 *
 *   #country+code    area: ISO alpha-2, alpha-3 or numeric code
 *   #country(+name)  area: an English name or code ("Namibia", "NAM")
 *   #adm1+code       subdivision code (CN-HB); takes precedence
 *   #adm1(+name)     subdivision name within the row's country ("Hubei")
 *   #date            date (+reported preferred if several)
 *   #affected +infected|+confirmed|+cases  with +new: new_confirmed,
 *                    otherwise (+cumulative, +total, none): cum_confirmed
 *   #affected +killed|+dead|+deaths        the same for deaths
 *   #affected +suspected                   suspected
 *   #affected +recovered                   recovered
 *   #affected +tested                      tests
 *   #status|#indicator +transmission       transmission class
 *
 * Mapped reading.  The first row holds column names; the mapping names the
 * column of each field, "field=Column" pairs separated by commas:
 *   "area=Country_code,date=Date_reported,new_confirmed=New_cases"
 * Fields: area (any code or name), country (code or name), adm1
 * (subdivision code or name), date, new_confirmed, cum_confirmed,
 * new_deaths, cum_deaths, suspected, recovered, tests, transmission.
 * Column names match exactly, else ignoring ASCII case; they cannot
 * contain ',' or '='.
 *
 * In both: a row shorter than the header has empty cells at its end; an
 * all-empty row is skipped; counts, dates and transmission classes are
 * parsed and checked as in sitrep_rows.h (empty, NA, N/A, null and "-" are
 * missing counts -- in count columns only, so Namibia's "NA" stays a
 * country); an area that the reference does not know rejects the row.
 *
 * Writing.  hxl_write_header writes the column names and the hashtag row,
 * hxl_write_row one situation row: country_code, adm1_code, date,
 * new_confirmed, cumulative_confirmed, new_deaths, cumulative_deaths,
 * suspected, recovered, tests, transmission; a missing count is an empty
 * cell.  What the writer writes, hxl_read reads back unchanged.
 */
#ifndef EB_FORMATS_HXL_H
#define EB_FORMATS_HXL_H

#include <stdbool.h>

#include "base/buf.h"
#include "base/err.h"
#include "formats/areas.h"
#include "formats/csv.h"
#include "formats/sitrep_rows.h"

#define HXL_MAX_MAPPING 4096 /* bytes of a mapping string */

/*
 * Reads r (positioned at its first row) as HXL-tagged CSV and passes
 * situation rows to sink.  areas resolves codes and names; when NULL only
 * alpha-2 codes (and subdivision codes of the form XX-YYY) are accepted,
 * unchecked.  Returns EB_OK when the input was read (rejected rows went to
 * sink->reject); EB_EINVAL when no hashtag row is found, it lacks an area
 * or date column, or the CSV structure is broken (d says which line);
 * EB_EIO/EB_ENOMEM; or the value a sink callback returned to stop.  The
 * caller owns everything passed.  Thread-safe with separate readers.
 */
enum eb_err hxl_read(struct csv_reader *r, const struct areas *areas,
		     const struct sitrep_sink *sink, struct sitrep_stats *st,
		     struct eb_detail *d);

/*
 * Reads r, whose first row holds column names, with the column mapping
 * given (the CLI's --map).  Errors as hxl_read, plus EB_EINVAL for a
 * malformed mapping (unknown field, field given twice, column not in the
 * header, no area or date), with d naming the offending part.
 */
enum eb_err hxl_read_mapped(struct csv_reader *r, const char *mapping,
			    const struct areas *areas,
			    const struct sitrep_sink *sink,
			    struct sitrep_stats *st, struct eb_detail *d);

/* True when row is an HXL hashtag row: at least one cell holds a valid
 * hashtag and no non-empty cell lacks the leading '#'. */
bool hxl_is_hashtag_row(const struct csv_row *row);

/* Appends the header row and the hashtag row.  Errors of the buffer. */
enum eb_err hxl_write_header(struct eb_buf *b);

/* Appends one row.  Errors of the buffer (EB_ETOOBIG, EB_ENOMEM). */
enum eb_err hxl_write_row(struct eb_buf *b, const struct sitrep_row *row);

#endif
