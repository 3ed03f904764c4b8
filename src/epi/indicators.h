/*
 * Per-area daily indicators for dashboards and situation reports: trailing
 * moving averages, notification rates per 100,000 (the 14-day rate NR14 of
 * docs/epi-methods.md), and the EU traffic-light colour of Council
 * Recommendation (EU) 2020/1475 and its amendment (EU) 2021/119.
 *
 * Series are indexed by day, element i being day i; windows are trailing
 * and include the current day (NR14 on day t sums days t-13..t).  Negative
 * values (reporting corrections) are summed as they are; a window containing
 * a missing value (NaN), or not yet complete at the start of the series,
 * gives NaN.  Pure computations: no allocation, thread-safe.
 */
#ifndef EB_EPI_INDICATORS_H
#define EB_EPI_INDICATORS_H

#include <stddef.h>

#include "base/err.h"

/* Widest window accepted (days). */
#define INDICATORS_MAX_WINDOW 3660u

/*
 * out[i] = mean of x[i-width+1..i] (caller-owned arrays of n values; out may
 * not alias x).  Errors: EB_EINVAL for width 0 or above
 * INDICATORS_MAX_WINDOW, or NULL arrays.
 */
enum eb_err indicators_moving_mean(const double *x, size_t n, size_t width,
				   double *out, struct eb_detail *d);

/* The trailing 7-day average: indicators_moving_mean with width 7. */
enum eb_err indicators_ma7(const double *cases, size_t n, double *out,
			   struct eb_detail *d);

/*
 * out[i] = 100000 * Σ cases[i-days+1..i] / population.  Errors: EB_EINVAL
 * for a population that is not a positive number, a bad width or NULL
 * arrays.
 */
enum eb_err indicators_notification_rate(const double *cases, size_t n,
					 size_t days, double population,
					 double *out, struct eb_detail *d);

/* The 14-day notification rate per 100,000 (NR14). */
enum eb_err indicators_nr14(const double *cases, size_t n, double population,
			    double *out, struct eb_detail *d);

enum indicators_eu_colour {
	INDICATORS_EU_GREY = 0, /* not enough data */
	INDICATORS_EU_GREEN,
	INDICATORS_EU_ORANGE,
	INDICATORS_EU_RED,
	INDICATORS_EU_DARK_RED /* 2021/119 only */
};

/*
 * EU map colour from the 14-day notification rate, the test positivity in
 * percent and the weekly testing rate per 100,000 (pass NaN for unknown).
 *   2020/1475: green NR14 < 25 and positivity < 4; orange NR14 < 50 with
 *   positivity >= 4, or 25 <= NR14 <= 150 with positivity < 4; red NR14 >= 50
 *   with positivity >= 4, or NR14 > 150.
 *   2021/119 (amended = 1): the same, except red stops below 500 and
 *   NR14 >= 500 is dark red.
 * Grey when NR14 is unknown, when positivity is unknown and NR14 alone does
 * not decide (NR14 <= 150), or when a known testing rate is 300 or lower
 * (the Recommendation's "insufficient testing").
 */
enum indicators_eu_colour indicators_eu_colour(double nr14, double positivity_pct,
					       double testing_rate, int amended);

/* "grey", "green", "orange", "red", "dark_red"; "unknown" otherwise. */
const char *indicators_eu_colour_name(enum indicators_eu_colour c);

#endif
