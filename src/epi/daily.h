/*
 * The daily indicators of one area, from one organisation's reports: the
 * pure part of `epibridge indicators` (domain/indicators.c reads the reports
 * and writes the results; this module knows nothing of either).
 *
 * Assembly (daily_assemble) turns a list of reports into a series with one
 * element per calendar day, from the first report to the last:
 *   - a report's new_cases is the day's count when given (negative values,
 *     reporting corrections, are kept as they are);
 *   - otherwise, when the report gives a cumulative count and the previous
 *     calendar day has a report with a cumulative count, the difference of
 *     the two;
 *   - a day without a report, or whose count cannot be derived, is missing
 *     (NaN): "no report" is never read as "no cases".
 *
 * Computation (daily_compute) gives, per day t:
 *   - avg7, nr14: epi/indicators.h (trailing windows ending on t; NaN while
 *     the window is incomplete or holds a missing day);
 *   - growth: epi/growth.h (incidence `fit`) on the daily bins of the trailing
 *     window t-GW+1..t (GW = growth_window, default 14); days that are
 *     missing, zero or negative are left out of the fit as incidence leaves
 *     out zero bins; no value before the window is complete or with fewer
 *     than two usable days;
 *   - Rt: epi/rt.h (Cori, EpiEstim estimate_R) over the whole series with
 *     the default weekly sliding windows; the Rt of day t is the window
 *     [t-6, t].  Missing days count as 0 cases (EpiEstim's rule for NA) and
 *     negative counts, which the method cannot take, as missing.  No value
 *     where EpiEstim gives NA (t_end not beyond the mean serial interval)
 *     or before the first complete window.
 * Counts of the missing, negative and derived days are kept in
 * struct daily_info so callers can report them.
 *
 * Thread-safety: functions are reentrant; an rt estimator passed in must not
 * be used by another thread at the same time.
 */
#ifndef EB_EPI_DAILY_H
#define EB_EPI_DAILY_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "epi/rt.h"

/* Longest series accepted (days): 100 years. */
#define DAILY_MAX_DAYS 36600u
/* Default trailing window of the growth fit (days). */
#define DAILY_GROWTH_WINDOW 14u
/* Rt window (days): weekly sliding windows. */
#define DAILY_RT_WINDOW 7u

/* One report.  day: days since 1970-01-01.  Counts are NaN when absent. */
struct daily_report {
	int32_t day;
	double new_cases;
	double cum_cases;
};

struct daily_info {
	size_t n_days;      /* first report to last, inclusive */
	size_t n_reports;   /* days with a report */
	size_t n_missing;   /* days without a usable count (no report, or none derivable) */
	size_t n_derived;   /* counts derived from cumulative counts */
	size_t n_negative;  /* negative counts (corrections) */
};

/* The assembled series: cases[i] is day first_day + i (NaN: missing). */
struct daily_series {
	int32_t first_day;
	size_t n_days;
	double *cases;
	unsigned char *reported; /* 1 when a report exists for the day */
	struct daily_info info;
};

/*
 * Builds the series from n reports sorted by day without duplicate days.
 * On success *out owns two arrays the caller releases with
 * daily_series_free.  n = 0 gives an empty series.  Errors: EB_EINVAL
 * (reports out of order or duplicated, a non-finite count other than NaN;
 * detail names the report index), EB_ETOOBIG (more than DAILY_MAX_DAYS
 * days), EB_ENOMEM.
 */
enum eb_err daily_assemble(const struct daily_report *reports, size_t n,
			   struct daily_series *out, struct eb_detail *d);

/* Releases the arrays of a series (not the struct); NULL is a no-op. */
void daily_series_free(struct daily_series *s);

/* Computed indicators of one day; NaN where there is none. */
struct daily_row {
	double cases;
	double avg7;
	double nr14;
	double growth_r, growth_lo, growth_hi;
	/* incidence's doubling (growth_r > 0) or halving time (growth_r <= 0)
	 * and its confidence interval; a bound is NaN when it is infinite
	 * (the interval of growth_r contains 0) */
	double time, time_lo, time_hi;
	double rt_mean, rt_sd;
	double rt_q[RT_NQ]; /* rt_quantile_probs */
};

struct daily_opts {
	double population;    /* for NR14; <= 0 or NaN: unknown (nr14 NaN) */
	size_t growth_window; /* 0: DAILY_GROWTH_WINDOW */
	struct rt_estimator *rt; /* NULL: no Rt */
};

/*
 * Computes rows[0..s->n_days-1] (caller-owned).  Errors: EB_ENOMEM,
 * EB_EINVAL for bad options (detail says which).
 */
enum eb_err daily_compute(const struct daily_series *s,
			  const struct daily_opts *o, struct daily_row *rows,
			  struct eb_detail *d);

#endif
