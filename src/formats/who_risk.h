/*
 * WHO's risk assessments of early 2020 as transcribed from its COVID-19
 * situation reports (R package outbreaks, sarscov2_who_2019.csv: one row
 * per report, columns situation_report, date, risk_chn, risk_regional,
 * risk_global among ~480 others).
 *
 * The reader turns the three risk columns into assessments, one per change
 * of level (a level restated unchanged in later reports extends the
 * assessment, whose rationale names the first and last report stating it):
 *   risk_chn      -> scope area, code CN (WHO's "China" level);
 *   risk_regional -> scope region, code WPRO: the reports' "Regional level"
 *                    is the risk for the WHO region of the event, China's
 *                    Western Pacific Region (see docs/risk-rules.md);
 *   risk_global   -> scope world.
 * Level words: "Low", "Moderate", "High", "Very High" (any case, spaces or
 * an underscore between the words) -> low, moderate, high, very_high.  An
 * empty cell is a report that did not state that level: it neither changes
 * nor ends the standing assessment.
 *
 * Every field used is checked: the report number (a positive integer,
 * increasing), the date (YYYY-MM-DD, increasing), the level words; the
 * header must hold the five columns and every row as many fields as the
 * header.  Errors name the line and the column.  Pure: no database.
 */
#ifndef EB_FORMATS_WHO_RISK_H
#define EB_FORMATS_WHO_RISK_H

#include <stddef.h>
#include <stdio.h>

#include "base/err.h"

/* Input limits: rows of the file, bytes of a row. */
#define WHO_RISK_MAX_ROWS 100000u

struct who_risk_item {
	char scope[8];        /* "area", "region", "world" */
	char code[8];         /* "CN", "WPRO", "world" */
	char day[11];         /* date of the first report stating this level */
	char level[12];       /* "low", "moderate", "high", "very_high" */
	char rationale[320];
	int first_report, last_report;
	char last_day[11];
	long line;            /* line of the first report stating it */
};

struct who_risk {
	struct who_risk_item *items; /* by scope column, then by date */
	size_t n;
	size_t rows;                 /* report rows read */
};

/*
 * Reads the whole file.  On success *out holds the assessments (release
 * with who_risk_free).  Errors: EB_EINVAL (d->msg names line and column,
 * d->field the column name), EB_ETOOBIG, EB_EIO, EB_ENOMEM.
 */
enum eb_err who_risk_read(FILE *f, struct who_risk *out, struct eb_detail *d);

/* Releases the items; NULL is a no-op. */
void who_risk_free(struct who_risk *r);

/* The source text recorded with each imported assessment. */
#define WHO_RISK_SOURCE "WHO COVID-19 situation reports (transcription: R package outbreaks, sarscov2_who_2019)"

#endif
