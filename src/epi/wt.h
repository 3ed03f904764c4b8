/*
 * Case reproduction number by the method of Wallinga and Teunis (2004).
 *
 * Two forms:
 *  - wt_estimate: from daily incidence, as EpiEstim 2.2-4 wallinga_teunis
 *    with n_sim = 0 (the deterministic mean; no confidence intervals),
 *    window for window, including which windows EpiEstim leaves out;
 *  - wt_case_r: per case, from onset days, where contact tracing may know a
 *    case's infector (that pair then gets probability 1), with the optional
 *    right-truncation correction of Cauchemez et al. (2006).
 * For case i with onset t_i and unknown infector, the probability that case
 * j infected it is p_ij = w(t_i - t_j) / Σ_{k != i} w(t_i - t_k), and
 * R_j = Σ_i p_ij.
 *
 * Cost O(days * len(SI) + cases).  Functions allocate temporary memory only
 * and are thread-safe.
 */
#ifndef EB_EPI_WT_H
#define EB_EPI_WT_H

#include <stddef.h>

#include "base/err.h"
#include "epi/rt.h"

/*
 * Mean reproduction number per window from the incidence of n_days days
 * (NaN counts are 0; day 1 is index 0) and serial interval `si` (parametric
 * or not, as for rt).  Windows as in rt (2 <= t_start <= t_end <= n_days).
 * mean[i] receives the estimate of window i, or NaN for the windows
 * EpiEstim drops: those without cases, and those whose t_start is below the
 * position of the first window preceded by a case (EpiEstim compares t_start
 * with a window index there; reproduced as is).  Non-integer counts are used
 * as weights (EpiEstim's rep() would truncate them).
 * Errors: EB_EINVAL (negative count, bad window or SI), EB_ETOOBIG,
 * EB_ENOMEM.
 */
enum eb_err wt_estimate(const double *incid, size_t n_days,
			const struct rt_si *si, const size_t *t_start,
			const size_t *t_end, size_t n_windows, double *mean,
			struct eb_detail *d);

/* t_now value that turns the right-truncation correction off. */
#define WT_NO_TRUNCATION (-2147483647L - 1L)

/*
 * Reproduction number of each of n cases into r[0..n-1].  onset[i] is the
 * onset day of case i (any integer day numbering); infector[i] is the index
 * of its known infector, or -1 when unknown (infector may be NULL: all
 * unknown).  si is the serial interval w_0..w_{si_len-1} (w_0 = 0, w >= 0).
 * Unless t_now is WT_NO_TRUNCATION, each R_j is divided by G(t_now - t_j),
 * the probability that a secondary case has shown symptoms by t_now (G the
 * SI distribution function); R_j is NaN where G is 0.
 * Errors: EB_EINVAL (bad infector index or SI, case after t_now),
 * EB_ETOOBIG (onsets spread over more than RT_MAX_DAYS days), EB_ENOMEM.
 */
enum eb_err wt_case_r(const long *onset, const long *infector, size_t n,
		      const double *si, size_t si_len, long t_now, double *r,
		      struct eb_detail *d);

#endif
