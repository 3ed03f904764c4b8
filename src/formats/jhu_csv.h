/*
 * Reader of the JHU CSSE global time series (time_series_covid19_confirmed_
 * global.csv and ..._deaths_global.csv): one row per country or province,
 * one column per day, cumulative counts.
 *
 *   Province/State,Country/Region,Lat,Long,1/22/20,1/23/20,...   (upstream)
 *   Province,Country,Lat,Lon,1/22/2020,1/23/2020,...             (this copy)
 *
 * The first four columns are recognised by either set of names; the date
 * columns (M/D/YY or M/D/YYYY) must be consecutive days.  Rows map to areas
 * through jhu_lookup.csv (areas_jhu_find):
 *
 *  - a country row, or a territory listed under its sovereign (Hong Kong
 *    under China, Aruba under the Netherlands), is that area;
 *  - a province with a subdivision code (Hubei -> CN-HB, Ontario -> CA-ON)
 *    gives the subdivision's own series, AND, when the country has no
 *    country row of its own (China, Australia, Canada), the province rows
 *    of the country -- coded or not (Unknown, cruise ships) -- are summed
 *    into the country's series (flag SITREP_F_SUMMED); a day on which any
 *    of them is missing is missing in the sum;
 *  - a province without a code whose country has its own row (Channel
 *    Islands under the United Kingdom) and rows without an area (the
 *    Olympics) are rejected with their line.
 *
 * Each series yields one row per day with cum_confirmed (and cum_deaths
 * when a deaths file is given, matched by Province and Country), and
 * new_confirmed / new_deaths derived as the difference from the day before
 * (SITREP_F_DERIVED_NEW).  The first day has no new counts (the series
 * does not start at zero everywhere).  A negative difference -- JHU's
 * back-revisions -- is kept and flagged like a negative WHO count.  A bad
 * cell (not a number, negative) is rejected with its line and date and
 * treated as missing.
 *
 * Rows are emitted area by area, in the order areas first appear in the
 * confirmed file: a country's own series, then its subdivisions, each day
 * by day.
 */
#ifndef EB_FORMATS_JHU_CSV_H
#define EB_FORMATS_JHU_CSV_H

#include "base/err.h"
#include "formats/areas.h"
#include "formats/csv.h"
#include "formats/sitrep_rows.h"

#define JHU_MAX_ROWS 20000     /* rows per file */
#define JHU_MAX_DAYS 10000     /* date columns */
#define JHU_MAX_CELLS 10000000 /* rows x days per file (80 MB held) */

/*
 * Reads the confirmed file (required) and the deaths file (NULL when not
 * given) -- both readers positioned at their header rows, opened with a
 * max_fields limit above 4 + the number of days (the default 4096 covers
 * the final 1,143-day release) -- and passes rows to sink.  areas is
 * required (the JHU lookup is part of it).
 *
 * Both files are held in memory (8 bytes per cell) because provinces are
 * summed and the two files joined before any row is passed on.
 *
 * Returns EB_OK when both files were read (some rows may have been rejected
 * through sink->reject); EB_EINVAL when a header is not the JHU layout,
 * the dates are not consecutive or the two files' dates differ (d says
 * what and where); EB_ETOOBIG over JHU_MAX_ROWS, JHU_MAX_DAYS or
 * JHU_MAX_CELLS;
 * EB_EIO/EB_ENOMEM; or the value a sink callback returned to stop.  The
 * caller owns the readers.  Thread-safe with separate readers.
 */
enum eb_err jhu_csv_read(struct csv_reader *confirmed,
			 struct csv_reader *deaths, const struct areas *areas,
			 const struct sitrep_sink *sink,
			 struct sitrep_stats *st, struct eb_detail *d);

#endif
