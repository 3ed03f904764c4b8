/*
 * Exponential growth rate and doubling (or halving) time of an incidence
 * series, computed as incidence 1.7.3 `fit` does: ordinary least squares of
 * log(count) on time, bins with a zero count dropped, time measured in days
 * from the first kept bin to the centre of each bin, and a confidence
 * interval from Student's t with n - 2 degrees of freedom.
 *
 * Pure computation: no allocation, no I/O, thread-safe.
 */
#ifndef EB_EPI_GROWTH_H
#define EB_EPI_GROWTH_H

#include <stddef.h>

#include "base/err.h"

struct growth_fit {
	size_t n_points;   /* bins used: count > 0 */
	double origin;     /* start day of the first bin used (x = 0) */
	double r;          /* growth rate per day */
	double r_lower;    /* confidence interval of r (NaN with 2 points) */
	double r_upper;
	double se;         /* standard error of r */
	double intercept;  /* fitted log(count) at x = 0 */
	int doubling;      /* 1: r > 0, times are doubling times; 0: halving */
	double time;       /* ln 2 / r, or ln(1/2) / r when r <= 0 */
	double time_lower; /* doubling: ln2/r_upper; halving: ln(1/2)/r_lower */
	double time_upper; /* doubling: ln2/r_lower; halving: ln(1/2)/r_upper */
};

/*
 * Fit the n bins starting on day[i] (any day numbering, e.g. days since an
 * epoch; not necessarily sorted) with count[i] cases, each bin_width days
 * wide (1 for daily, 7 for weekly counts).  level is the confidence level
 * (0 means 0.95).  Bins whose count is 0 or NaN (missing) are left out.
 * Errors: EB_EINVAL for a negative or infinite count, a non-finite day, a
 * bad width or level, or fewer than two usable bins on distinct days
 * (detail says which).
 */
enum eb_err growth_fit(const double *day, const double *count, size_t n,
		       double bin_width, double level, struct growth_fit *out,
		       struct eb_detail *d);

/*
 * incidence's fit(x, split = day): one fit on the bins with day <= split and
 * one on the bins with day >= split (the split bin is in both).  Errors as
 * growth_fit, for either part.
 */
enum eb_err growth_fit_split(const double *day, const double *count, size_t n,
			     double bin_width, double level, double split,
			     struct growth_fit *before, struct growth_fit *after,
			     struct eb_detail *d);

/* Index of the first largest count (incidence's find_peak), ignoring NaN;
 * n if there is no count. */
size_t growth_find_peak(const double *count, size_t n);

#endif
