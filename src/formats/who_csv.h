/*
 * Reader of the WHO COVID-19 daily CSV, the layout of the WHO dashboard
 * download (WHO-COVID-19-global-data.csv):
 *
 *   Date_reported,Country_code,Country,WHO_region,New_cases,
 *   Cumulative_cases,New_deaths,Cumulative_deaths
 *
 * Columns are found by name (any order, ASCII case ignored); Country and
 * WHO_region are informative and not required.  Date_reported may carry a
 * time ("2020-02-24T00:00:00Z").  The UTF-8 byte order mark WHO writes is
 * skipped by the CSV reader.
 *
 * Choices (docs/formats-situation.md):
 *  - Country_code "NA" is Namibia, never a missing value.
 *  - Negative New_cases / New_deaths are WHO's corrections: kept as
 *    reported and flagged (SITREP_F_NEGATIVE_NEW, _NEGATIVE_NEW_DEATHS).
 *  - Negative cumulative counts are rejected.
 *  - The "Other" rows (Country_code "Other*" or " Other", Country "Other" or
 *    "International conveyance": cases on the Diamond Princess) are
 *    imported under the user-assigned area XZ "International conveyance",
 *    so the sum over areas stays equal to WHO's global total.
 *  - An unknown country code rejects the row, with its line.
 */
#ifndef EB_FORMATS_WHO_CSV_H
#define EB_FORMATS_WHO_CSV_H

#include "base/err.h"
#include "formats/areas.h"
#include "formats/csv.h"
#include "formats/sitrep_rows.h"

/*
 * Reads every record of r (positioned at the header row) and passes rows to
 * sink.  areas resolves and checks country codes; when NULL, any two
 * letters are accepted as a code.  st (may be NULL) receives the counts.
 *
 * Returns EB_OK when the whole input was read (some rows may have been
 * rejected through sink->reject); EB_EINVAL when the header lacks a
 * required column or the CSV structure is broken (d says which line);
 * EB_EIO/EB_ENOMEM; or the non-zero value a sink callback returned to stop.
 * The caller owns r, areas and sink.  Thread-safe as long as each call has
 * its own reader.
 */
enum eb_err who_csv_read(struct csv_reader *r, const struct areas *areas,
			 const struct sitrep_sink *sink,
			 struct sitrep_stats *st, struct eb_detail *d);

#endif
