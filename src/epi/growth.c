/*
 * Growth rate by log-linear regression, as incidence::fit.  The regression
 * uses centred sums (x - mean x), which is as accurate as R's QR
 * decomposition for one regressor; the t quantile comes from
 * specfun_t_quantile.  growth_fit_split filters the bins and calls
 * growth_fit, so the origin of each part is its own first kept bin, as in
 * incidence.
 */
#include "epi/growth.h"

#include <math.h>

#include "epi/specfun.h"

/* Keep bin i?  lo/hi bound the day (inclusive); NaN bounds are open. */
static int bin_used(const double *day, const double *count, size_t i,
		    double lo, double hi)
{
	if (isnan(count[i]) || count[i] == 0.0)
		return 0;
	if (!isnan(lo) && day[i] < lo)
		return 0;
	if (!isnan(hi) && day[i] > hi)
		return 0;
	return 1;
}

static enum eb_err fit_range(const double *day, const double *count, size_t n,
			     double width, double level, double lo, double hi,
			     struct growth_fit *out, struct eb_detail *d)
{
	if (!day || !count || !out)
		return eb_fail(d, EB_EINVAL, NULL, "missing days, counts or result");
	if (!(width > 0.0) || !isfinite(width))
		return eb_fail(d, EB_EINVAL, "bin_width",
			       "bin width must be a positive number of days");
	if (level == 0.0)
		level = 0.95;
	if (!(level > 0.0 && level < 1.0))
		return eb_fail(d, EB_EINVAL, "level",
			       "confidence level must be between 0 and 1");
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(day[i]))
			return eb_fail(d, EB_EINVAL, "day", "bin %zu: day is not a finite number",
				       i + 1);
		if (count[i] < 0.0 || isinf(count[i]))
			return eb_fail(d, EB_EINVAL, "count",
				       "bin %zu: count %g; counts must be finite and >= 0",
				       i + 1, count[i]);
	}
	size_t m = 0;
	double origin = INFINITY;
	for (size_t i = 0; i < n; i++) {
		if (!bin_used(day, count, i, lo, hi))
			continue;
		m++;
		if (day[i] < origin)
			origin = day[i];
	}
	if (m < 2)
		return eb_fail(d, EB_EINVAL, "count",
			       "%zu bin(s) with cases; a growth rate needs at least 2", m);
	const double half = width / 2.0;
	double sx = 0.0, sy = 0.0;
	for (size_t i = 0; i < n; i++) {
		if (!bin_used(day, count, i, lo, hi))
			continue;
		sx += (day[i] - origin) + half;
		sy += log(count[i]);
	}
	double mx = sx / (double)m, my = sy / (double)m;
	double sxx = 0.0, sxy = 0.0;
	for (size_t i = 0; i < n; i++) {
		if (!bin_used(day, count, i, lo, hi))
			continue;
		double dx = (day[i] - origin) + half - mx;
		sxx += dx * dx;
		sxy += dx * (log(count[i]) - my);
	}
	if (!(sxx > 0.0))
		return eb_fail(d, EB_EINVAL, "day",
			       "all bins with cases are on the same day; a growth rate needs two days");
	double r = sxy / sxx;
	double b0 = my - r * mx;
	double rss = 0.0;
	for (size_t i = 0; i < n; i++) {
		if (!bin_used(day, count, i, lo, hi))
			continue;
		double x = (day[i] - origin) + half;
		double e = log(count[i]) - (b0 + r * x);
		rss += e * e;
	}
	double df = (double)m - 2.0;
	out->n_points = m;
	out->origin = origin;
	out->r = r;
	out->intercept = b0;
	if (df > 0.0) {
		/* as R's confint.lm: a = (1 - level)/2, r + se * qt(c(a, 1-a)) */
		double a = (1.0 - level) / 2.0;
		out->se = sqrt(rss / df / sxx);
		out->r_lower = r + out->se * specfun_t_quantile(a, df);
		out->r_upper = r + out->se * specfun_t_quantile(1.0 - a, df);
	} else {
		out->se = out->r_lower = out->r_upper = NAN;
	}
	const double ln2 = log(2.0), lnhalf = log(0.5);
	if (r > 0.0) {
		out->doubling = 1;
		out->time = ln2 / r;
		out->time_lower = ln2 / out->r_upper;
		out->time_upper = ln2 / out->r_lower;
	} else {
		out->doubling = 0;
		out->time = lnhalf / r;
		out->time_lower = lnhalf / out->r_lower;
		out->time_upper = lnhalf / out->r_upper;
	}
	return EB_OK;
}

enum eb_err growth_fit(const double *day, const double *count, size_t n,
		       double bin_width, double level, struct growth_fit *out,
		       struct eb_detail *d)
{
	return fit_range(day, count, n, bin_width, level, NAN, NAN, out, d);
}

enum eb_err growth_fit_split(const double *day, const double *count, size_t n,
			     double bin_width, double level, double split,
			     struct growth_fit *before, struct growth_fit *after,
			     struct eb_detail *d)
{
	if (!isfinite(split))
		return eb_fail(d, EB_EINVAL, "split", "split day must be a finite number");
	enum eb_err rc = fit_range(day, count, n, bin_width, level, NAN, split,
				   before, d);
	if (rc != EB_OK)
		return rc;
	return fit_range(day, count, n, bin_width, level, split, NAN, after, d);
}

size_t growth_find_peak(const double *count, size_t n)
{
	size_t best = n;
	for (size_t i = 0; i < n; i++) {
		if (isnan(count[i]))
			continue;
		if (best == n || count[i] > count[best])
			best = i;
	}
	return best;
}
