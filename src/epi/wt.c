/*
 * Wallinga-Teunis case reproduction numbers.
 *
 * Both forms reduce to day-level sums.  With N_d cases on day d, the
 * "infection pressure" on a case of day d is Λ_d = Σ_s w_s N_{d-s}; a case of
 * day d with unknown infector gives w_s / Λ_d to each case of day d - s.  So
 * the expected number of secondary cases of any case of day c is
 * V_c = Σ_s w_s U_{c+s} / Λ_{c+s}, U the cases whose infector is unknown.
 * EpiEstim builds the full T x T matrix of these probabilities (O(T²)); here
 * the sums run over the SI support only.
 */
#include "epi/wt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum eb_err wt_estimate(const double *incid, size_t n_days,
			const struct rt_si *si, const size_t *t_start,
			const size_t *t_end, size_t n_windows, double *mean,
			struct eb_detail *d)
{
	if (!incid || !si || (n_windows && (!t_start || !t_end || !mean)))
		return eb_fail(d, EB_EINVAL, NULL, "missing incidence, SI or windows");
	if (n_days == 0)
		return eb_fail(d, EB_EINVAL, "incidence", "the series is empty");
	if (n_days > RT_MAX_DAYS)
		return eb_fail(d, EB_ETOOBIG, "incidence",
			       "series of %zu days; at most %u allowed", n_days,
			       RT_MAX_DAYS);
	for (size_t i = 0; i < n_windows; i++)
		if (t_start[i] < 2 || t_start[i] > t_end[i] || t_end[i] > n_days)
			return eb_fail(d, EB_EINVAL, "window",
				       "window %zu is [%zu, %zu]; windows need 2 <= t_start <= t_end <= %zu (the number of days)",
				       i + 1, t_start[i], t_end[i], n_days);
	for (size_t t = 0; t < n_days; t++)
		if (incid[t] < 0.0 || isinf(incid[t]))
			return eb_fail(d, EB_EINVAL, "cases",
				       "day %zu: count %g; counts must be finite and >= 0",
				       t + 1, incid[t]);

	struct rt_estimator *e = NULL;
	enum eb_err rc = rt_estimator_new(si, 0, 0, &e, d);
	if (rc != EB_OK)
		return rc;
	double *inc = malloc(n_days * sizeof *inc);
	double *lam = malloc(n_days * sizeof *lam);
	double *rday = malloc(n_days * sizeof *rday);
	double *cum = malloc((n_days + 1) * sizeof *cum);
	size_t len = rt_estimator_si(e, n_days, NULL, 0);
	double *w = malloc((len ? len : 1) * sizeof *w);
	if (!inc || !lam || !rday || !cum || !w) {
		rc = eb_fail(d, EB_ENOMEM, NULL, "out of memory");
		goto done;
	}
	rt_estimator_si(e, n_days, w, len);

	cum[0] = 0.0;
	for (size_t t = 0; t < n_days; t++) {
		inc[t] = isnan(incid[t]) ? 0.0 : incid[t];
		cum[t + 1] = cum[t] + inc[t];
	}
	/* Λ_t = Σ_{k>=1} w_k inc_{t-k} */
	for (size_t t = 0; t < n_days; t++) {
		double s = 0.0;
		for (size_t k = 1; k < len && k <= t; k++)
			s += w[k] * inc[t - k];
		lam[t] = s;
	}
	/* R of a case of day c: Σ_k w_k inc_{c+k} / Λ_{c+k}; EpiEstim sets the
	 * 0/0 and x/0 terms to 0 */
	for (size_t c = 0; c < n_days; c++) {
		double s = 0.0;
		for (size_t k = 1; k < len && c + k < n_days; k++)
			if (lam[c + k] > 0.0)
				s += w[k] * inc[c + k] / lam[c + k];
		rday[c] = s;
	}
	/* EpiEstim: i = first window (1-based) with a case before its t_start;
	 * windows with t_start < i are dropped. */
	size_t first = 0;
	while (first < n_windows && cum[t_start[first] - 1] == 0.0)
		first++;
	for (size_t i = 0; i < n_windows; i++) {
		size_t ts = t_start[i], te = t_end[i];
		double cases = cum[te] - cum[ts - 1];
		if (first == n_windows || ts < first + 1 || !(cases > 0.0)) {
			mean[i] = NAN;
			continue;
		}
		double num = 0.0, den = 0.0;
		for (size_t t = ts - 1; t < te; t++) {
			num += inc[t] * rday[t];
			den += inc[t];
		}
		mean[i] = num / den;
	}
	rc = EB_OK;
done:
	free(inc);
	free(lam);
	free(rday);
	free(cum);
	free(w);
	rt_estimator_free(e);
	return rc;
}

enum eb_err wt_case_r(const long *onset, const long *infector, size_t n,
		      const double *si, size_t si_len, long t_now, double *r,
		      struct eb_detail *d)
{
	if (!onset || !si || !r)
		return eb_fail(d, EB_EINVAL, NULL, "missing onsets, SI or result");
	if (n == 0)
		return EB_OK;
	if (si_len == 0 || si_len > RT_MAX_SI)
		return eb_fail(d, EB_EINVAL, "si", "serial interval needs 1 to %u values",
			       RT_MAX_SI);
	if (si[0] != 0.0)
		return eb_fail(d, EB_EINVAL, "si", "serial interval must start with 0 (w_0 = 0)");
	for (size_t k = 0; k < si_len; k++)
		if (!(si[k] >= 0.0) || !isfinite(si[k]))
			return eb_fail(d, EB_EINVAL, "si",
				       "serial interval value %zu is %g; values must be finite and >= 0",
				       k, si[k]);
	long tmin = onset[0], tmax = onset[0];
	for (size_t i = 0; i < n; i++) {
		if (onset[i] < tmin)
			tmin = onset[i];
		if (onset[i] > tmax)
			tmax = onset[i];
		if (infector) {
			long j = infector[i];
			if (j < -1 || (j >= 0 && (size_t)j >= n) || (j >= 0 && (size_t)j == i))
				return eb_fail(d, EB_EINVAL, "infector",
					       "case %zu: infector %ld is not another case (use -1 when unknown)",
					       i + 1, j);
		}
	}
	if (t_now != WT_NO_TRUNCATION && tmax > t_now)
		return eb_fail(d, EB_EINVAL, "onset",
			       "a case has onset day %ld, after the analysis day %ld", tmax,
			       t_now);
	if ((unsigned long)tmax - (unsigned long)tmin >= RT_MAX_DAYS)
		return eb_fail(d, EB_ETOOBIG, "onset",
			       "onsets span more than %u days", RT_MAX_DAYS);
	size_t span = (size_t)(tmax - tmin) + 1;
	double *all = calloc(span, sizeof *all);
	double *unk = calloc(span, sizeof *unk);
	double *lam = calloc(span, sizeof *lam);
	double *v = calloc(span, sizeof *v);
	double *gcum = NULL;
	enum eb_err rc = EB_OK;
	if (!all || !unk || !lam || !v) {
		rc = eb_fail(d, EB_ENOMEM, NULL, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		size_t t = (size_t)(onset[i] - tmin);
		all[t] += 1.0;
		if (!infector || infector[i] < 0)
			unk[t] += 1.0;
	}
	size_t len = si_len;
	while (len > 0 && si[len - 1] == 0.0)
		len--;
	for (size_t t = 0; t < span; t++) {
		double s = 0.0;
		for (size_t k = 1; k < len && k <= t; k++)
			s += si[k] * all[t - k];
		lam[t] = s;
	}
	for (size_t c = 0; c < span; c++) {
		double s = 0.0;
		for (size_t k = 1; k < len && c + k < span; k++)
			if (lam[c + k] > 0.0 && unk[c + k] > 0.0)
				s += si[k] * unk[c + k] / lam[c + k];
		v[c] = s;
	}
	for (size_t j = 0; j < n; j++)
		r[j] = v[(unsigned long)onset[j] - (unsigned long)tmin];
	if (infector)
		for (size_t i = 0; i < n; i++)
			if (infector[i] >= 0)
				r[infector[i]] += 1.0;
	if (t_now != WT_NO_TRUNCATION) {
		/* G(k) = Σ_{s<=k} w_s */
		gcum = malloc(si_len * sizeof *gcum);
		if (!gcum) {
			rc = eb_fail(d, EB_ENOMEM, NULL, "out of memory");
			goto done;
		}
		double g = 0.0;
		for (size_t k = 0; k < si_len; k++) {
			g += si[k];
			gcum[k] = g;
		}
		for (size_t j = 0; j < n; j++) {
			unsigned long lag = (unsigned long)t_now - (unsigned long)onset[j];
			double gj = gcum[lag < si_len ? lag : si_len - 1];
			r[j] = gj > 0.0 ? r[j] / gj : NAN;
		}
	}
done:
	free(all);
	free(unk);
	free(lam);
	free(v);
	free(gcum);
	return rc;
}
