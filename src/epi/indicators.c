/*
 * Daily indicators: trailing window sums and the EU colour rule.  Windows
 * are summed directly (O(n * width), width is 7 or 14 in practice) rather
 * than by a running sum, so that non-integer inputs give the same result
 * wherever the window sits and NaN handling stays trivial.
 */
#include "epi/indicators.h"

#include <math.h>

/* Σ x[i-width+1..i] or NaN if incomplete or containing NaN. */
static double window_sum(const double *x, size_t i, size_t width)
{
	if (i + 1 < width)
		return NAN;
	double s = 0.0;
	for (size_t k = i + 1 - width; k <= i; k++)
		s += x[k];
	return s; /* NaN propagates */
}

static enum eb_err check(const double *x, const double *out, size_t width,
			 struct eb_detail *d)
{
	if ((!x || !out))
		return eb_fail(d, EB_EINVAL, NULL, "missing series");
	if (width == 0 || width > INDICATORS_MAX_WINDOW)
		return eb_fail(d, EB_EINVAL, "window",
			       "window must be 1 to %u days", INDICATORS_MAX_WINDOW);
	return EB_OK;
}

enum eb_err indicators_moving_mean(const double *x, size_t n, size_t width,
				   double *out, struct eb_detail *d)
{
	enum eb_err rc = check(x, out, width, d);
	if (rc != EB_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		out[i] = window_sum(x, i, width) / (double)width;
	return EB_OK;
}

enum eb_err indicators_ma7(const double *cases, size_t n, double *out,
			   struct eb_detail *d)
{
	return indicators_moving_mean(cases, n, 7, out, d);
}

enum eb_err indicators_notification_rate(const double *cases, size_t n,
					 size_t days, double population,
					 double *out, struct eb_detail *d)
{
	enum eb_err rc = check(cases, out, days, d);
	if (rc != EB_OK)
		return rc;
	if (!(population > 0.0) || !isfinite(population))
		return eb_fail(d, EB_EINVAL, "population",
			       "population must be a positive number");
	for (size_t i = 0; i < n; i++)
		out[i] = 100000.0 * window_sum(cases, i, days) / population;
	return EB_OK;
}

enum eb_err indicators_nr14(const double *cases, size_t n, double population,
			    double *out, struct eb_detail *d)
{
	return indicators_notification_rate(cases, n, 14, population, out, d);
}

enum indicators_eu_colour indicators_eu_colour(double nr14, double positivity_pct,
					       double testing_rate, int amended)
{
	if (isnan(nr14) || nr14 < 0.0)
		return INDICATORS_EU_GREY;
	if (!isnan(testing_rate) && testing_rate <= 300.0)
		return INDICATORS_EU_GREY;
	if (amended && nr14 >= 500.0)
		return INDICATORS_EU_DARK_RED;
	if (nr14 > 150.0)
		return INDICATORS_EU_RED;
	if (isnan(positivity_pct) || positivity_pct < 0.0)
		return INDICATORS_EU_GREY;
	if (positivity_pct >= 4.0)
		return nr14 >= 50.0 ? INDICATORS_EU_RED : INDICATORS_EU_ORANGE;
	return nr14 < 25.0 ? INDICATORS_EU_GREEN : INDICATORS_EU_ORANGE;
}

const char *indicators_eu_colour_name(enum indicators_eu_colour c)
{
	switch (c) {
	case INDICATORS_EU_GREY: return "grey";
	case INDICATORS_EU_GREEN: return "green";
	case INDICATORS_EU_ORANGE: return "orange";
	case INDICATORS_EU_RED: return "red";
	case INDICATORS_EU_DARK_RED: return "dark_red";
	}
	return "unknown";
}
