/*
 * Rt by the Cori et al. (2013) method, matching EpiEstim 2.2-4 estimate_R
 * with methods "parametric_si" and "non_parametric_si".
 *
 * For a window [ts, te] the posterior of R is gamma with shape
 * a0 + Σ_{ts..te} local_t and scale 1 / (1/b0 + Σ_{ts..te} Λ_t), where
 * Λ_t = Σ_k w_k I_{t-k} is the total infectivity and (a0, b0) the prior's
 * shape and scale.  EpiEstim gives NA when te <= mean of the SI vector.
 *
 * What makes it fast and exact:
 *  - Λ is a direct convolution over the SI support only.  A parametric SI is
 *    evaluated up to the first k from which every CDF in the discretisation
 *    formula is exactly 1 in double precision, so every later w_k is exactly
 *    0 in EpiEstim too: the truncation changes nothing.
 *  - Window sums are differences of prefix sums kept in double-double
 *    (value + rounding error), so a small window sum after a large total
 *    keeps full precision, as R's long-double sum() does.
 *  - The seven posterior quantiles are shape-dependent multiples of the
 *    mean: for shape >= 16 a degree-12 Chebyshev expansion in 1/sqrt(shape)
 *    of quantile/shape, fitted once per process on the exact inversion
 *    (specfun_gamma_quantile) and accurate to ~5e-15; below 16 the exact
 *    inversion, cached per estimator for integer case counts.
 */
#include "epi/rt.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "epi/specfun.h"

const double rt_quantile_probs[RT_NQ] = {0.025, 0.05, 0.25, 0.5,
					 0.75,  0.95, 0.975};

#define PI_VAL 3.14159265358979323846264338328

/* ---- posterior quantiles --------------------------------------------- */

#define QT_SHAPE_MIN 16.0 /* Chebyshev expansion used from this shape on */
#define QT_DEG 12
#define QT_LANES 8 /* RT_NQ padded for vectorisation */
#define QT_SMALL 16 /* cached exact quantiles for case counts 0..15 */

static double qt_coef[QT_DEG + 1][QT_LANES];
static pthread_once_t qt_once = PTHREAD_ONCE_INIT;

/*
 * Fit h_p(u) = q_p(1/u²) u² on u in [0, 1/4] (shape >= 16), where q_p(a) is
 * the p-quantile of gamma(a, 1); h_p(0) = 1.  Chebyshev-Lobatto nodes and a
 * discrete cosine transform; about 80 exact inversions, well under 1 ms.
 */
static void qt_init(void)
{
	const double umax = 1.0 / sqrt(QT_SHAPE_MIN);
	double f[QT_DEG + 1];
	memset(qt_coef, 0, sizeof qt_coef);
	for (int k = 0; k < RT_NQ; k++) {
		for (int j = 0; j <= QT_DEG; j++) {
			if (j == QT_DEG) {
				f[j] = 1.0;
				continue;
			}
			double u = umax * 0.5 * (1.0 + cos(PI_VAL * j / QT_DEG));
			double a = 1.0 / (u * u);
			f[j] = specfun_gamma_quantile(rt_quantile_probs[k], a, 1.0) / a;
		}
		for (int m = 0; m <= QT_DEG; m++) {
			double s = 0.0;
			for (int j = 0; j <= QT_DEG; j++) {
				double wj = (j == 0 || j == QT_DEG) ? 0.5 : 1.0;
				s += wj * f[j] * cos(PI_VAL * (double)(m * j) / QT_DEG);
			}
			double wm = (m == 0 || m == QT_DEG) ? 0.5 : 1.0;
			qt_coef[m][k] = s * 2.0 / QT_DEG * wm;
		}
	}
}

/* h[k] = (p_k-quantile of gamma(shape, 1)) / shape, shape >= 16.  The
 * Clenshaw recurrence runs on pairs of lanes held in registers (GCC/Clang
 * vector extension); the eight lanes are independent. */
typedef double qt_v2 __attribute__((vector_size(16)));

static void qt_eval_large(double shape, double h[QT_LANES])
{
	double u = 1.0 / sqrt(shape);
	double s = 2.0 * u * sqrt(QT_SHAPE_MIN) - 1.0;
	qt_v2 s2 = {2.0 * s, 2.0 * s};
	qt_v2 a1 = {0, 0}, a2 = {0, 0}, b1 = {0, 0}, b2 = {0, 0};
	qt_v2 c1 = {0, 0}, c2 = {0, 0}, d1 = {0, 0}, d2 = {0, 0};
	for (int m = QT_DEG; m >= 1; m--) {
		const double *c = qt_coef[m];
		qt_v2 ca = {c[0], c[1]}, cb = {c[2], c[3]}, cc = {c[4], c[5]},
		      cd = {c[6], c[7]};
		qt_v2 ta = s2 * a1 - a2 + ca, tb = s2 * b1 - b2 + cb,
		      tc = s2 * c1 - c2 + cc, td = s2 * d1 - d2 + cd;
		a2 = a1;
		a1 = ta;
		b2 = b1;
		b1 = tb;
		c2 = c1;
		c1 = tc;
		d2 = d1;
		d1 = td;
	}
	qt_v2 sv = {s, s};
	const double *c0 = qt_coef[0];
	qt_v2 ra = sv * a1 - a2, rb = sv * b1 - b2, rc = sv * c1 - c2,
	      rd = sv * d1 - d2;
	h[0] = ra[0] + c0[0];
	h[1] = ra[1] + c0[1];
	h[2] = rb[0] + c0[2];
	h[3] = rb[1] + c0[3];
	h[4] = rc[0] + c0[4];
	h[5] = rc[1] + c0[5];
	h[6] = rd[0] + c0[6];
	h[7] = rd[1] + c0[7];
}

void rt_posterior_quantiles(double shape, double scale, double q[RT_NQ])
{
	if (!(shape > 0.0) || !(scale > 0.0) || isinf(shape) || isinf(scale)) {
		for (int k = 0; k < RT_NQ; k++)
			q[k] = NAN;
		return;
	}
	if (shape >= QT_SHAPE_MIN) {
		double h[QT_LANES];
		pthread_once(&qt_once, qt_init);
		qt_eval_large(shape, h);
		double mean = shape * scale;
		for (int k = 0; k < RT_NQ; k++)
			q[k] = mean * h[k];
		return;
	}
	for (int k = 0; k < RT_NQ; k++)
		q[k] = specfun_gamma_quantile(rt_quantile_probs[k], shape, scale);
}

/* ---- serial interval ------------------------------------------------- */

struct rt_estimator {
	int parametric;
	double a, b;       /* parametric SI: gamma shape and scale */
	double *w;         /* SI values w_0..w_{w_len-1} */
	double *fa, *fa1;  /* parametric: F_a(k), F_{a+1}(k) for k < w_len */
	size_t w_len, w_cap;
	int w_done;        /* every w_k, k >= w_len, is exactly 0 */
	double np_mean;    /* non-parametric: Σ k w_k of the whole vector */
	size_t np_trim;    /* non-parametric: length up to the last non-zero */
	double a0, b0;     /* prior shape and scale */
	double small_q[QT_SMALL][RT_NQ]; /* standard quantiles, shape a0 + n */
	int small_ok[QT_SMALL];
	/* per-run work arrays, n_days long */
	double *inc, *lam, *lhi, *llo, *mhi, *mlo;
	size_t work_cap;
};

/* F(x) of the gamma(shape a, scale b) as R's pgamma(k, shape = a, scale =
 * b): 0 for x <= 0. */
static double gamma_cdf(double x, double a, double b)
{
	if (x <= 0.0)
		return 0.0;
	return specfun_gamma_p(a, x / b);
}

/* EpiEstim discr_si's formula from the six CDF values, same operation
 * order as the R code. */
static double discr_formula(double k, double a, double b, double f0,
			    double fm1, double fm2, double g0, double gm1,
			    double gm2)
{
	double res = k * f0 + (k - 2.0) * fm2 - 2.0 * (k - 1.0) * fm1;
	res = res + a * b * (2.0 * gm1 - gm2 - g0);
	return res > 0.0 ? res : 0.0;
}

static int si_params(double mean, double sd, double *a, double *b)
{
	if (!(mean > 1.0) || !(sd > 0.0) || !isfinite(mean) || !isfinite(sd))
		return -1;
	double r = (mean - 1.0) / sd;
	*a = r * r;
	*b = sd * sd / (mean - 1.0);
	return 0;
}

double rt_discr_si(double k, double mean, double sd)
{
	double a, b;
	if (si_params(mean, sd, &a, &b) != 0 || !(k >= 0.0))
		return NAN;
	return discr_formula(k, a, b, gamma_cdf(k, a, b),
			     gamma_cdf(k - 1.0, a, b), gamma_cdf(k - 2.0, a, b),
			     gamma_cdf(k, a + 1.0, b), gamma_cdf(k - 1.0, a + 1.0, b),
			     gamma_cdf(k - 2.0, a + 1.0, b));
}

static enum eb_err si_reserve(struct rt_estimator *e, size_t n)
{
	if (n <= e->w_cap)
		return EB_OK;
	size_t cap = e->w_cap ? e->w_cap : 64;
	while (cap < n)
		cap *= 2;
	double *w = realloc(e->w, cap * sizeof *w);
	if (!w)
		return EB_ENOMEM;
	e->w = w;
	if (e->parametric) {
		double *fa = realloc(e->fa, cap * sizeof *fa);
		if (!fa)
			return EB_ENOMEM;
		e->fa = fa;
		double *fa1 = realloc(e->fa1, cap * sizeof *fa1);
		if (!fa1)
			return EB_ENOMEM;
		e->fa1 = fa1;
	}
	e->w_cap = cap;
	return EB_OK;
}

/* Parametric SI: make w_0..w_{n-1} available (or all of it, if shorter). */
static enum eb_err si_extend(struct rt_estimator *e, size_t n)
{
	while (!e->w_done && e->w_len < n) {
		size_t k = e->w_len;
		enum eb_err rc = si_reserve(e, k + 1);
		if (rc != EB_OK)
			return rc;
		double dk = (double)k;
		e->fa[k] = gamma_cdf(dk, e->a, e->b);
		e->fa1[k] = gamma_cdf(dk, e->a + 1.0, e->b);
		double fm1 = k >= 1 ? e->fa[k - 1] : 0.0;
		double fm2 = k >= 2 ? e->fa[k - 2] : 0.0;
		double gm1 = k >= 1 ? e->fa1[k - 1] : 0.0;
		double gm2 = k >= 2 ? e->fa1[k - 2] : 0.0;
		/* Once F_a and F_{a+1} are exactly 1 at k - 2, w_j is exactly
		 * k + (k-2) - 2(k-1) + ab(2 - 1 - 1) = 0 for every j >= k. */
		if (k >= 2 && fm2 == 1.0 && gm2 == 1.0) {
			e->w_done = 1;
			break;
		}
		e->w[k] = discr_formula(dk, e->a, e->b, e->fa[k], fm1, fm2,
					e->fa1[k], gm1, gm2);
		e->w_len = k + 1;
	}
	return EB_OK;
}

/* The SI for a series of n_days: *len values to convolve with (trailing
 * zeros dropped) and the mean EpiEstim compares t_end with. */
static enum eb_err si_for_days(struct rt_estimator *e, size_t n_days,
			       size_t *len, double *mean)
{
	if (!e->parametric) {
		*len = e->np_trim < n_days ? e->np_trim : n_days;
		*mean = e->np_mean;
		return EB_OK;
	}
	/* EpiEstim: discr_si(0:(T-1)), i.e. n_days values. */
	enum eb_err rc = si_extend(e, n_days);
	if (rc != EB_OK)
		return rc;
	size_t n = e->w_len < n_days ? e->w_len : n_days;
	long double s = 0.0L; /* R's sum() accumulates in long double */
	for (size_t k = 0; k < n; k++)
		s += (long double)e->w[k] * (long double)k;
	*mean = (double)s;
	while (n > 0 && e->w[n - 1] == 0.0)
		n--;
	*len = n;
	return EB_OK;
}

/* ---- estimator --------------------------------------------------------- */

enum eb_err rt_estimator_new(const struct rt_si *si, double prior_mean,
			     double prior_sd, struct rt_estimator **out,
			     struct eb_detail *d)
{
	if (!out)
		return eb_fail(d, EB_EINVAL, NULL, "no place for the estimator");
	*out = NULL;
	if (!si)
		return eb_fail(d, EB_EINVAL, "si", "no serial interval given");
	if (prior_mean == 0.0)
		prior_mean = 5.0;
	if (prior_sd == 0.0)
		prior_sd = 5.0;
	if (!(prior_mean > 0.0) || !isfinite(prior_mean))
		return eb_fail(d, EB_EINVAL, "prior_mean",
			       "prior mean must be a positive number");
	if (!(prior_sd > 0.0) || !isfinite(prior_sd))
		return eb_fail(d, EB_EINVAL, "prior_sd",
			       "prior standard deviation must be a positive number");
	struct rt_estimator *e = calloc(1, sizeof *e);
	if (!e)
		return eb_fail(d, EB_ENOMEM, NULL, "out of memory");
	double r = prior_mean / prior_sd;
	e->a0 = r * r;
	e->b0 = prior_sd * prior_sd / prior_mean;
	enum eb_err rc;
	if (si->distr) {
		if (si->len == 0) {
			rc = eb_fail(d, EB_EINVAL, "si", "serial interval is empty");
			goto fail;
		}
		if (si->len > RT_MAX_SI) {
			rc = eb_fail(d, EB_ETOOBIG, "si",
				     "serial interval has %zu values, at most %u allowed",
				     si->len, RT_MAX_SI);
			goto fail;
		}
		if (si->distr[0] != 0.0) {
			rc = eb_fail(d, EB_EINVAL, "si",
				     "serial interval must start with 0 (w_0 = 0), got %g",
				     si->distr[0]);
			goto fail;
		}
		long double sum = 0.0L, m = 0.0L;
		for (size_t k = 0; k < si->len; k++) {
			double v = si->distr[k];
			if (!(v >= 0.0) || !isfinite(v)) {
				rc = eb_fail(d, EB_EINVAL, "si",
					     "serial interval value %zu is %g; values must be finite and >= 0",
					     k, v);
				goto fail;
			}
			sum += v;
			m += (long double)v * (long double)k;
		}
		if (fabsl(sum - 1.0L) > 0.01L) {
			rc = eb_fail(d, EB_EINVAL, "si",
				     "serial interval sums to %.6g; it must sum to 1 (within 0.01)",
				     (double)sum);
			goto fail;
		}
		rc = si_reserve(e, si->len);
		if (rc != EB_OK) {
			eb_fail(d, rc, NULL, "out of memory");
			goto fail;
		}
		memcpy(e->w, si->distr, si->len * sizeof *e->w);
		e->w_len = si->len;
		e->w_done = 1;
		e->np_mean = (double)m;
		e->np_trim = si->len;
		while (e->np_trim > 0 && e->w[e->np_trim - 1] == 0.0)
			e->np_trim--;
	} else {
		if (si_params(si->mean, si->sd, &e->a, &e->b) != 0) {
			rc = eb_fail(d, EB_EINVAL, "si",
				     "parametric serial interval needs mean > 1 and sd > 0 (got %g, %g)",
				     si->mean, si->sd);
			goto fail;
		}
		e->parametric = 1;
	}
	*out = e;
	return EB_OK;
fail:
	rt_estimator_free(e);
	return rc;
}

void rt_estimator_free(struct rt_estimator *e)
{
	if (!e)
		return;
	free(e->w);
	free(e->fa);
	free(e->fa1);
	free(e->inc);
	free(e->lam);
	free(e->lhi);
	free(e->llo);
	free(e->mhi);
	free(e->mlo);
	free(e);
}

size_t rt_estimator_si(struct rt_estimator *e, size_t n_days, double *w,
		       size_t cap)
{
	size_t len;
	double mean;
	if (!e || n_days > RT_MAX_DAYS || si_for_days(e, n_days, &len, &mean) != EB_OK)
		return 0;
	size_t n = len < cap ? len : cap;
	if (n)
		memcpy(w, e->w, n * sizeof *w);
	return len;
}

size_t rt_windows_sliding(size_t n_days, size_t width, size_t *t_start,
			  size_t *t_end, size_t cap)
{
	if (width == 0 || n_days < width + 1)
		return 0;
	size_t n = n_days - width; /* t_start = 2 .. n_days - width + 1 */
	for (size_t i = 0; i < n && i < cap; i++) {
		t_start[i] = i + 2;
		t_end[i] = i + 1 + width;
	}
	return n;
}

static enum eb_err work_reserve(struct rt_estimator *e, size_t n)
{
	if (n <= e->work_cap)
		return EB_OK;
	double **arrs[] = {&e->inc, &e->lam, &e->lhi, &e->llo, &e->mhi, &e->mlo};
	for (size_t i = 0; i < sizeof arrs / sizeof arrs[0]; i++) {
		double *p = realloc(*arrs[i], n * sizeof *p);
		if (!p)
			return EB_ENOMEM;
		*arrs[i] = p;
	}
	e->work_cap = n;
	return EB_OK;
}

/* Check the counts, fill e->inc (totals) and e->lam (Λ, lam[0] = 0), and
 * return the SI mean. */
static enum eb_err prepare(struct rt_estimator *e, const double *local,
			   const double *imported, size_t n_days,
			   size_t *n_missing, double *si_mean, size_t *si_len,
			   struct eb_detail *d)
{
	if (!e || !local)
		return eb_fail(d, EB_EINVAL, NULL, "no estimator or no incidence");
	if (n_days == 0)
		return eb_fail(d, EB_EINVAL, "incidence", "the series is empty");
	if (n_days > RT_MAX_DAYS)
		return eb_fail(d, EB_ETOOBIG, "incidence",
			       "series of %zu days; at most %u allowed", n_days,
			       RT_MAX_DAYS);
	if (work_reserve(e, n_days) != EB_OK)
		return eb_fail(d, EB_ENOMEM, NULL, "out of memory");
	size_t missing = 0;
	for (size_t t = 0; t < n_days; t++) {
		double l = local[t], m = imported ? imported[t] : 0.0;
		if (isnan(l)) {
			l = 0.0;
			missing++;
		}
		if (isnan(m)) {
			m = 0.0;
			missing++;
		}
		if (l < 0.0 || isinf(l))
			return eb_fail(d, EB_EINVAL, imported ? "local" : "cases",
				       "day %zu: count %g; counts must be finite and >= 0",
				       t + 1, l);
		if (m < 0.0 || isinf(m))
			return eb_fail(d, EB_EINVAL, "imported",
				       "day %zu: imported count %g; counts must be finite and >= 0",
				       t + 1, m);
		e->inc[t] = l + m;
	}
	size_t len;
	double mean;
	if (si_for_days(e, n_days, &len, &mean) != EB_OK)
		return eb_fail(d, EB_ENOMEM, NULL, "out of memory");
	/* Λ_t = Σ_{k>=1} w_k inc_{t-k}, accumulated source day by source day:
	 * the inner loop has independent iterations (it vectorises, unlike a
	 * dot product, which waits on its running sum), and days without
	 * cases are skipped. */
	const double *w = e->w, *inc = e->inc;
	double *lam = e->lam;
	memset(lam, 0, n_days * sizeof *lam);
	for (size_t src = 0; src + 1 < n_days && len > 1; src++) {
		double v = inc[src];
		if (v == 0.0)
			continue;
		size_t kmax = n_days - 1 - src < len - 1 ? n_days - 1 - src : len - 1;
		double *dst = lam + src;
		for (size_t k = 1; k <= kmax; k++)
			dst[k] += w[k] * v;
	}
	*n_missing = missing;
	*si_mean = mean;
	*si_len = len;
	return EB_OK;
}

enum eb_err rt_estimator_infectivity(struct rt_estimator *e,
				     const double *local,
				     const double *imported, size_t n_days,
				     double *lambda, struct eb_detail *d)
{
	size_t missing, len;
	double mean;
	enum eb_err rc = prepare(e, local, imported, n_days, &missing, &mean,
				 &len, d);
	if (rc != EB_OK)
		return rc;
	memcpy(lambda, e->lam, n_days * sizeof *lambda);
	lambda[0] = NAN;
	return EB_OK;
}

/* Prefix sums as double-double: hi[i] + lo[i] = Σ_{t<=i} x_t almost
 * exactly (NaN counts as 0). */
static void prefix_dd(const double *x, size_t n, double *hi, double *lo)
{
	double h = 0.0, l = 0.0;
	for (size_t i = 0; i < n; i++) {
		double v = isnan(x[i]) ? 0.0 : x[i];
		double s = h + v;
		double bb = s - h;
		l += (h - (s - bb)) + (v - bb);
		h = s;
		hi[i] = h;
		lo[i] = l;
	}
}

/* Σ over days ts..te (1-based) from the prefix sums. */
static double window_sum(const double *hi, const double *lo, size_t ts,
			 size_t te)
{
	double h = hi[te - 1] - hi[ts - 2];
	double l = lo[te - 1] - lo[ts - 2];
	return h + l;
}

static void quantiles_cached(struct rt_estimator *e, double cases,
			     double shape, double scale, double q[RT_NQ])
{
	if (shape < QT_SHAPE_MIN && cases >= 0.0 && cases < QT_SMALL &&
	    cases == floor(cases)) {
		int n = (int)cases;
		if (!e->small_ok[n]) {
			for (int k = 0; k < RT_NQ; k++)
				e->small_q[n][k] = specfun_gamma_quantile(
					rt_quantile_probs[k], shape, 1.0);
			e->small_ok[n] = 1;
		}
		for (int k = 0; k < RT_NQ; k++)
			q[k] = scale * e->small_q[n][k];
		return;
	}
	rt_posterior_quantiles(shape, scale, q);
}

enum eb_err rt_estimator_run(struct rt_estimator *e, const double *local,
			     const double *imported, size_t n_days,
			     const size_t *t_start, const size_t *t_end,
			     size_t n_windows, struct rt_window *out,
			     struct rt_info *info, struct eb_detail *d)
{
	if (n_windows > 0 && (!t_start || !t_end || !out))
		return eb_fail(d, EB_EINVAL, NULL, "windows or output missing");
	for (size_t i = 0; i < n_windows; i++) {
		if (t_start[i] < 2 || t_start[i] > t_end[i] || t_end[i] > n_days)
			return eb_fail(d, EB_EINVAL, "window",
				       "window %zu is [%zu, %zu]; windows need 2 <= t_start <= t_end <= %zu (the number of days)",
				       i + 1, t_start[i], t_end[i], n_days);
	}
	size_t missing, len;
	double si_mean;
	enum eb_err rc = prepare(e, local, imported, n_days, &missing, &si_mean,
				 &len, d);
	if (rc != EB_OK)
		return rc;
	double *lhi = e->lhi, *llo = e->llo, *mhi = e->mhi, *mlo = e->mlo;
	prefix_dd(local, n_days, mhi, mlo);
	prefix_dd(e->lam, n_days, lhi, llo);
	pthread_once(&qt_once, qt_init);
	const double a0 = e->a0, inv_b0 = 1.0 / e->b0;
	for (size_t i = 0; i < n_windows; i++) {
		struct rt_window *o = &out[i];
		size_t ts = t_start[i], te = t_end[i];
		o->t_start = ts;
		o->t_end = te;
		if (!((double)te > si_mean)) {
			o->has_estimate = 0;
			o->shape = o->scale = o->mean = o->std = NAN;
			for (int k = 0; k < RT_NQ; k++)
				o->q[k] = NAN;
			continue;
		}
		double cases = window_sum(mhi, mlo, ts, te);
		double shape = a0 + cases;
		double scale = 1.0 / (inv_b0 + window_sum(lhi, llo, ts, te));
		o->has_estimate = 1;
		o->shape = shape;
		o->scale = scale;
		o->mean = shape * scale;
		o->std = sqrt(shape) * scale;
		if (shape >= QT_SHAPE_MIN) {
			double h[QT_LANES];
			qt_eval_large(shape, h);
			for (int k = 0; k < RT_NQ; k++)
				o->q[k] = o->mean * h[k];
		} else {
			quantiles_cached(e, cases, shape, scale, o->q);
		}
	}
	if (info) {
		info->n_missing = missing;
		info->si_mean = si_mean;
		info->si_len = len;
	}
	return EB_OK;
}
