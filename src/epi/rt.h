/*
 * Time-varying reproduction number Rt by the method of Cori et al. (2013),
 * computed exactly as EpiEstim 2.2-4 estimate_R does for the methods
 * "parametric_si" and "non_parametric_si" (see docs/epi-methods-impl.md).
 *
 * Days are numbered 1..n_days as in EpiEstim; arrays are indexed from 0, so
 * day t is element t - 1.  Incidence is split into local and imported cases:
 * imported cases add to the infectivity Λ but not to the numerator.  Given
 * only totals, pass them as `local` and NULL as `imported`; day 1 is then
 * imported, as in EpiEstim (this never changes an estimate: windows start on
 * day 2 or later).  A missing count (NaN) is treated as 0 and counted in
 * struct rt_info; negative or infinite counts are errors.
 *
 * An estimator holds the serial interval, the prior and caches; build one
 * and run it on as many series as needed.  Cost of a run is
 * O(n_days * len(SI) + n_windows): window sums use prefix sums and the seven
 * posterior quantiles cost O(1) each.  One estimator must not be run from two
 * threads at once; distinct estimators are independent.  Nothing here does
 * I/O.
 */
#ifndef EB_EPI_RT_H
#define EB_EPI_RT_H

#include <stddef.h>

#include "base/err.h"

/* Longest series accepted (days); bounds memory use. */
#define RT_MAX_DAYS 10000000u
/* Longest non-parametric serial interval accepted (values). */
#define RT_MAX_SI 1000000u

/* Number of posterior quantiles per window, and their probabilities:
 * 0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975 (EpiEstim's columns). */
#define RT_NQ 7
extern const double rt_quantile_probs[RT_NQ];

/*
 * Serial interval.  Non-parametric when `distr` is non-NULL: w_0..w_{len-1}
 * with w_0 = 0, every w_k >= 0 and |sum - 1| <= 0.01 (EpiEstim's checks); it
 * is used as given (not renormalised).  Otherwise parametric: the
 * discretised gamma of mean `mean` > 1 and standard deviation `sd` > 0
 * (EpiEstim discr_si), which the estimator evaluates up to the first k from
 * which every term is exactly zero in double precision.
 */
struct rt_si {
	const double *distr;
	size_t len;
	double mean;
	double sd;
};

/* One estimation window [t_start, t_end] (days, inclusive) and its result.
 * has_estimate is 0 where EpiEstim gives NA (t_end <= mean of the serial
 * interval); then shape..q are NaN. */
struct rt_window {
	size_t t_start;
	size_t t_end;
	int has_estimate;
	double shape; /* posterior gamma shape a0 + sum of local cases */
	double scale; /* posterior gamma scale 1 / (1/b0 + sum of Λ) */
	double mean;
	double std;
	double q[RT_NQ];
};

/* Facts about one run, for the caller to report. */
struct rt_info {
	size_t n_missing; /* NaN counts treated as 0 */
	double si_mean;   /* mean of the SI vector used, compared with t_end */
	size_t si_len;    /* values of the SI used in the convolution */
};

struct rt_estimator;

/*
 * w_k of EpiEstim's discr_si(k, mean, sd): the gamma serial interval of the
 * given mean and sd, offset by one day and discretised (Cori et al. 2013,
 * Web Appendix 11).  k >= 0.  Returns NaN for mean <= 1 or sd <= 0.
 */
double rt_discr_si(double k, double mean, double sd);

/*
 * Build an estimator for serial interval `si` and a gamma prior of mean
 * `prior_mean` and standard deviation `prior_sd` (0 for either means
 * EpiEstim's default, 5).  The non-parametric vector is copied.  On success
 * *out owns a new estimator the caller frees with rt_estimator_free.
 * Errors: EB_EINVAL for an invalid SI or prior (detail names it),
 * EB_ETOOBIG for an SI longer than RT_MAX_SI, EB_ENOMEM.
 */
enum eb_err rt_estimator_new(const struct rt_si *si, double prior_mean,
			     double prior_sd, struct rt_estimator **out,
			     struct eb_detail *d);

/* Free an estimator; NULL is a no-op. */
void rt_estimator_free(struct rt_estimator *e);

/*
 * Estimate Rt on `n_windows` windows of one series of `n_days` days.
 * local[0..n_days-1] is required; imported may be NULL (all zero).
 * t_start/t_end give the windows (days, 2 <= t_start <= t_end <= n_days);
 * out[0..n_windows-1] receives the results and is owned by the caller.
 * info may be NULL.  The estimator's caches grow as needed.
 * Errors: EB_EINVAL (negative/infinite count, bad window; detail says which
 * day or window), EB_ETOOBIG (n_days > RT_MAX_DAYS), EB_ENOMEM.
 */
enum eb_err rt_estimator_run(struct rt_estimator *e, const double *local,
			     const double *imported, size_t n_days,
			     const size_t *t_start, const size_t *t_end,
			     size_t n_windows, struct rt_window *out,
			     struct rt_info *info, struct eb_detail *d);

/*
 * Total infectivity Λ_t = Σ_{k>=1} w_k (local + imported)_{t-k} for days
 * t = 1..n_days into lambda[0..n_days-1] (caller-owned); lambda[0] is NaN as
 * in EpiEstim.  Errors as rt_estimator_run.
 */
enum eb_err rt_estimator_infectivity(struct rt_estimator *e,
				     const double *local,
				     const double *imported, size_t n_days,
				     double *lambda, struct eb_detail *d);

/*
 * The serial interval the estimator uses for a series of n_days days
 * (EpiEstim: discr_si(0:(n_days-1)) for the parametric case), truncated
 * after its last non-zero value: copies up to `cap` values into w (may be
 * NULL when cap is 0) and returns the length.  Errors are reported as 0.
 */
size_t rt_estimator_si(struct rt_estimator *e, size_t n_days, double *w,
		       size_t cap);

/*
 * EpiEstim's default windows: t_start = 2..n_days-width+1, t_end = t_start +
 * width - 1 (width 7 gives weekly sliding windows).  Writes at most `cap`
 * windows and returns how many there are in total (0 when n_days < width + 1
 * or width == 0).
 */
size_t rt_windows_sliding(size_t n_days, size_t width, size_t *t_start,
			  size_t *t_end, size_t cap);

/* The seven quantiles of a gamma(shape, scale) at rt_quantile_probs, by the
 * same method rt_estimator_run uses (relative accuracy ~1e-14). */
void rt_posterior_quantiles(double shape, double scale, double q[RT_NQ]);

#endif
