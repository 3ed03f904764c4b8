/*
 * Special functions: regularised incomplete gamma and beta, and the gamma,
 * normal and Student-t quantiles, written for epibridge from the mathematics
 * (Abramowitz & Stegun ch. 6 and 26; Loader 2000 for the saddle-point form of
 * the gamma density; Lentz's algorithm for continued fractions).
 *
 * How accuracy is kept:
 *  - the common factor x^a e^-x / Γ(a+1) is computed as
 *    exp(-stirlerr(a) - bd0(a, x)) / sqrt(2πa), where stirlerr is the error of
 *    Stirling's formula and bd0(a, x) = a log(a/x) + x - a is summed as a
 *    series when a is near x, in long double.  This keeps full relative
 *    precision for large a where exp(a log x - x - lgamma(a+1)) would lose
 *    log10(a) digits;
 *  - P(a, x) comes from its power series when x < a + 1 and Q(a, x) from
 *    Legendre's continued fraction otherwise, so whichever of the two is
 *    small is computed directly, never as 1 - (something close to 1);
 *  - quantiles are found by Halley's method on P or on Q (whichever is below
 *    one half), kept inside a bracket that shrinks at every step.
 * The series and continued fraction need O(sqrt(a)) terms when x is near a;
 * callers that need many quantiles at large shapes (epi/rt.c) use their own
 * precomputed approximations checked against these functions.
 */
#include "epi/specfun.h"

#include <float.h>
#include <math.h>

#define LN_SQRT_2PI 0.918938533204672741780329736406
#define SQRT_2PI 2.50662827463100050241576528481
#define PI_VAL 3.14159265358979323846264338328

/* Terms of the series and the continued fractions; enough for shapes up to
 * about 1e12, beyond which results degrade gracefully. */
#define MAX_TERMS 20000000L

static double log_gamma(double x)
{
	int sign;
	return lgamma_r(x, &sign);
}

/*
 * stirlerr(n) = log Γ(n+1) - [(n + 1/2) log n - n + log sqrt(2π)], n >= 1.
 * Above 15 the asymptotic series is exact to double precision; below, the
 * recurrence s(n) = s(n+1) + (n + 1/2) log1p(1/n) - 1 climbs to 15, which is
 * more accurate than subtracting from lgamma.
 */
static double stirlerr(double n)
{
	const double s0 = 1.0 / 12.0, s1 = 1.0 / 360.0, s2 = 1.0 / 1260.0;
	const double s3 = 1.0 / 1680.0, s4 = 1.0 / 1188.0;
	double add = 0.0;
	while (n <= 15.0) {
		add += (n + 0.5) * log1p(1.0 / n) - 1.0;
		n += 1.0;
	}
	double nn = n * n;
	return add + (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

/*
 * bd0(a, x) = a log(a/x) + x - a >= 0, without cancellation near a = x.
 * Evaluated in long double: in the tails bd0 reaches hundreds and its
 * absolute error becomes the relative error of exp(-bd0).
 */
static long double bd0(double a, double x)
{
	long double la = a, lx = x;
	long double dd = la - lx;
	if (fabsl(dd) < 0.1L * (la + lx)) {
		long double v = dd / (la + lx);
		long double s = dd * v;
		long double ej = 2.0L * la * v;
		long double v2 = v * v;
		for (int j = 1; j < 1000; j++) {
			ej *= v2;
			long double s1 = s + ej / (2 * j + 1);
			if (s1 == s)
				return s1;
			s = s1;
		}
		return s;
	}
	long double r = la / lx;
	long double lr = (isfinite(r) && r > 0.0L) ? logl(r) : logl(la) - logl(lx);
	return la * lr + lx - la;
}

/* x^a e^-x / Γ(a+1) for a > 0, x >= 0. */
static double gamma_prefix(double a, double x)
{
	if (x == 0.0)
		return 0.0;
	if (isinf(x))
		return 0.0;
	if (a < 1.0)
		return (double)expl((long double)a * logl(x) - (long double)x -
				    (long double)log_gamma(a + 1.0));
	return (double)(expl(-(long double)stirlerr(a) - bd0(a, x)) /
			(long double)(SQRT_2PI * sqrt(a)));
}

/* P(a, x) by its power series; meant for x < a + 1. */
static double gamma_p_series(double a, double x)
{
	double sum = 1.0, term = 1.0;
	for (long n = 1; n < MAX_TERMS; n++) {
		term *= x / (a + (double)n);
		sum += term;
		if (term <= sum * 1e-17)
			break;
	}
	return gamma_prefix(a, x) * sum;
}

/* Q(a, x) by Legendre's continued fraction (modified Lentz); x >= a + 1. */
static double gamma_q_cf(double a, double x)
{
	const double tiny = 1e-300;
	double b = x + 1.0 - a;
	double c = 1.0 / tiny;
	double d = 1.0 / b;
	double h = d;
	for (long i = 1; i < MAX_TERMS; i++) {
		double an = -(double)i * ((double)i - a);
		b += 2.0;
		d = an * d + b;
		if (fabs(d) < tiny)
			d = tiny;
		c = b + an / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1.0) <= 1e-16)
			break;
	}
	return a * gamma_prefix(a, x) * h;
}

/* Both P and Q, each accurate where it is the smaller. */
static void gamma_pq(double a, double x, double *p, double *q)
{
	if (x <= 0.0) {
		*p = 0.0;
		*q = 1.0;
	} else if (isinf(x)) {
		*p = 1.0;
		*q = 0.0;
	} else if (x < a + 1.0) {
		*p = gamma_p_series(a, x);
		*q = 1.0 - *p;
	} else {
		*q = gamma_q_cf(a, x);
		*p = 1.0 - *q;
	}
}

double specfun_gamma_p(double a, double x)
{
	if (isnan(a) || isnan(x) || !(a > 0.0))
		return NAN;
	double p, q;
	gamma_pq(a, x, &p, &q);
	return p;
}

double specfun_gamma_q(double a, double x)
{
	if (isnan(a) || isnan(x) || !(a > 0.0))
		return NAN;
	double p, q;
	gamma_pq(a, x, &p, &q);
	return q;
}

double specfun_normal_quantile(double p)
{
	if (isnan(p) || p < 0.0 || p > 1.0)
		return NAN;
	if (p == 0.0)
		return -INFINITY;
	if (p == 1.0)
		return INFINITY;
	if (p == 0.5)
		return 0.0;
	/* q: the smaller tail; 1 - p is exact for p in [0.5, 1]. */
	double q = p < 0.5 ? p : 1.0 - p;
	/* Starting value: A&S 26.2.23 (absolute error < 4.5e-4). */
	double t = sqrt(-2.0 * log(q));
	double z = t - (2.515517 + t * (0.802853 + t * 0.010328)) /
			       (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308)));
	/* Halley on the upper tail U(z) = erfc(z/√2)/2, U' = -φ, U'' = zφ. */
	for (int i = 0; i < 6; i++) {
		double e = 0.5 * erfc(z / sqrt(2.0)) - q;
		double f = exp(-0.5 * z * z) / SQRT_2PI;
		if (!(f > 0.0))
			break;
		double dz = e / f;
		double zn = z + dz / (1.0 - 0.5 * dz * z);
		if (fabs(zn - z) <= 2.0 * DBL_EPSILON * fabs(zn)) {
			z = zn;
			break;
		}
		z = zn;
	}
	return p < 0.5 ? -z : z;
}

/* Starting point for the standard gamma quantile (scale 1). */
static double gamma_quantile_guess(double p, double a, double log_small)
{
	if (a < 1.0) {
		/* P(a, x) ~ x^a / Γ(a+1) near 0, exponential tail beyond. */
		double t = 1.0 - a * (0.253 + a * 0.12);
		if (p < t)
			return exp((log(p) - log(t)) / a);
		return 1.0 - log1p(-(p - t) / (1.0 - t));
	}
	/* P(a, x) <= x^a / Γ(a+1), so this is a lower bound of the quantile. */
	double xs = exp(log_small);
	/* Wilson-Hilferty: (X/a)^(1/3) is nearly normal. */
	double c = 1.0 / (9.0 * a);
	double w = 1.0 - c + specfun_normal_quantile(p) * sqrt(c);
	double x = a * w * w * w;
	if (!(w > 0.0) || !(x > xs))
		x = xs;
	return x;
}

/* The x with P(a, x) = p, 0 < p < 1, by bracketed Halley steps. */
static double gamma_quantile_std(double p, double a)
{
	int upper = p > 0.5;
	double target = upper ? 1.0 - p : p; /* exact (Sterbenz) */
	/* log of (p Γ(a+1))^(1/a), a lower bound of the quantile that is exact
	 * to first order in x near 0: when it is below the smallest double the
	 * quantile underflows to 0 (as in R). */
	double log_small = (log(p) + log_gamma(a + 1.0)) / a;
	if (log_small < -745.2)
		return 0.0;
	double x = gamma_quantile_guess(p, a, log_small);
	double lo = 0.0, hi = INFINITY;
	if (!(x > 0.0) || !isfinite(x))
		x = a;
	for (int it = 0; it < 400; it++) {
		double P, Q;
		gamma_pq(a, x, &P, &Q);
		double e = upper ? target - Q : P - target; /* = P(x) - p */
		if (e == 0.0)
			return x;
		if (e < 0.0)
			lo = x;
		else
			hi = x;
		double f = gamma_prefix(a, x) * a / x; /* density */
		double xn;
		if (f > 0.0 && isfinite(f)) {
			double dx = e / f;
			double corr = 1.0 - 0.5 * dx * ((a - 1.0) / x - 1.0);
			if (corr > 0.5 && corr < 2.0)
				dx /= corr;
			xn = x - dx;
		} else {
			xn = NAN;
		}
		if (!(xn > lo && xn < hi))
			xn = isinf(hi) ? 2.0 * x + 1.0 : 0.5 * (lo + hi);
		if (fabs(xn - x) <= 4.0 * DBL_EPSILON * xn)
			return xn;
		if (isfinite(hi) && hi - lo <= 2.0 * DBL_EPSILON * hi)
			return 0.5 * (lo + hi);
		x = xn;
	}
	return x;
}

double specfun_gamma_quantile(double p, double shape, double scale)
{
	if (isnan(p) || isnan(shape) || isnan(scale) || p < 0.0 || p > 1.0 ||
	    !(shape > 0.0) || !(scale > 0.0))
		return NAN;
	if (p == 0.0)
		return 0.0;
	if (p == 1.0)
		return INFINITY;
	return scale * gamma_quantile_std(p, shape);
}

/* Continued fraction of I_x(a, b) (modified Lentz); fast when
 * x < (a + 1) / (a + b + 2). */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double qab = a + b, qap = a + 1.0, qam = a - 1.0;
	double c = 1.0;
	double d = 1.0 - qab * x / qap;
	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	double h = d;
	for (long m = 1; m < MAX_TERMS; m++) {
		double dm = (double)m, m2 = 2.0 * dm;
		double aa = dm * (b - dm) * x / ((qam + m2) * (a + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		h *= d * c;
		aa = -(a + dm) * (qab + dm) * x / ((a + m2) * (qap + m2));
		d = 1.0 + aa * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		double del = d * c;
		h *= del;
		if (fabs(del - 1.0) <= 1e-16)
			break;
	}
	return h;
}

/*
 * log Γ(a) - log Γ(a + b) without the cancellation of two large lgamma values
 * when a is large (Stirling's formula with its error term stirlerr).
 */
static double lgamma_ratio(double a, double b)
{
	if (a < 16.0 || a + b < 16.0)
		return log_gamma(a) - log_gamma(a + b);
	/* lgamma(n + 1) = (n + 1/2) log n - n + log sqrt(2π) + stirlerr(n) */
	double n1 = a - 1.0, n2 = a + b - 1.0;
	return -(a - 0.5) * log1p(b / n1) - b * log(n2) + b + stirlerr(n1) -
	       stirlerr(n2);
}

/* x^a y^b / (a B(a, b)) from log x and log y (y = 1 - x), which the caller
 * computes without rounding x first. */
static double beta_prefix(double a, double b, double logx, double logy)
{
	double lbeta = a >= b ? lgamma_ratio(a, b) + log_gamma(b)
			      : lgamma_ratio(b, a) + log_gamma(a);
	return exp(a * logx + b * logy - lbeta) / a;
}

/* I = I_x(a, b) and J = 1 - I, each accurate where it is small; x + y = 1
 * and their logarithms are passed so that no precision is lost forming them. */
static void beta_inc_pair(double a, double b, double x, double y, double logx,
			  double logy, double *i, double *j)
{
	if (x <= 0.0) {
		*i = 0.0;
		*j = 1.0;
	} else if (y <= 0.0) {
		*i = 1.0;
		*j = 0.0;
	} else if (x < (a + 1.0) / (a + b + 2.0)) {
		*i = beta_prefix(a, b, logx, logy) * beta_cf(a, b, x);
		*j = 1.0 - *i;
	} else {
		*j = beta_prefix(b, a, logy, logx) * beta_cf(b, a, y);
		*i = 1.0 - *j;
	}
}

double specfun_beta_inc(double a, double b, double x)
{
	if (isnan(a) || isnan(b) || isnan(x) || !(a > 0.0) || !(b > 0.0) ||
	    x < 0.0 || x > 1.0)
		return NAN;
	double i, j;
	beta_inc_pair(a, b, x, 1.0 - x, log(x), log1p(-x), &i, &j);
	return i;
}

/*
 * Student's t with df degrees of freedom, t >= 0: *tail = P(T > t) and
 * *central = P(0 < T <= t) = 1/2 - *tail, each accurate where it is small
 * (the tail is I_x(df/2, 1/2) / 2 with x = df / (df + t²)).
 */
static void t_split(double t, double df, double *tail, double *central)
{
	double t2 = t * t;
	double x = df / (df + t2), y = t2 / (df + t2);
	double logx = -log1p(t2 / df), logy = log(y);
	double i, j;
	beta_inc_pair(0.5 * df, 0.5, x, y, logx, logy, &i, &j);
	*tail = 0.5 * i;
	*central = 0.5 * j;
}

double specfun_t_cdf(double t, double df)
{
	if (isnan(t) || isnan(df) || !(df > 0.0))
		return NAN;
	if (isinf(t))
		return t > 0.0 ? 1.0 : 0.0;
	double tail, central;
	t_split(fabs(t), df, &tail, &central);
	return t > 0.0 ? 0.5 + central : tail;
}

static double t_density(double t, double df)
{
	double lc = -lgamma_ratio(0.5 * df, 0.5) - 0.5 * log(df * PI_VAL);
	return exp(lc - 0.5 * (df + 1.0) * log1p(t * t / df));
}

double specfun_t_quantile(double p, double df)
{
	if (isnan(p) || isnan(df) || p < 0.0 || p > 1.0 || !(df > 0.0))
		return NAN;
	if (p == 0.0)
		return -INFINITY;
	if (p == 1.0)
		return INFINITY;
	if (p == 0.5)
		return 0.0;
	/* Solve for t > 0 either P(T > t) = q or P(0 < T <= t) = c, whichever
	 * target is smaller (both differences below are exact). */
	double q = p < 0.5 ? p : 1.0 - p;
	double c = 0.5 - q;
	int use_central = c < q;
	double t;
	if (df == 1.0) {
		t = use_central ? tan(PI_VAL * c) : 1.0 / tan(PI_VAL * q);
	} else if (df == 2.0) {
		t = (1.0 - 2.0 * q) / sqrt(2.0 * q * (1.0 - q));
	} else if (df > 1e10) {
		t = -specfun_normal_quantile(q);
	} else {
		/* Cornish-Fisher start (A&S 26.7.5), then bracketed Newton steps. */
		double z = -specfun_normal_quantile(q);
		double z2 = z * z;
		double g1 = (z2 + 1.0) * z / 4.0;
		double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
		double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
		double g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 -
			     945.0) * z / 92160.0;
		t = z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
		double lo = 0.0, hi = INFINITY;
		if (!(t > 0.0) || !isfinite(t))
			t = z > 0.0 ? z : 1.0;
		for (int it = 0; it < 400; it++) {
			double tail, central;
			t_split(t, df, &tail, &central);
			/* e > 0 when t is below the solution */
			double e = use_central ? c - central : tail - q;
			if (e == 0.0)
				break;
			if (e > 0.0)
				lo = t;
			else
				hi = t;
			double f = t_density(t, df);
			double tn = (f > 0.0) ? t + e / f : NAN;
			if (!(tn > lo && tn < hi))
				tn = isinf(hi) ? 2.0 * t + 1.0 : 0.5 * (lo + hi);
			if (fabs(tn - t) <= 4.0 * DBL_EPSILON * tn) {
				t = tn;
				break;
			}
			if (isfinite(hi) && hi - lo <= 2.0 * DBL_EPSILON * hi) {
				t = 0.5 * (lo + hi);
				break;
			}
			t = tn;
		}
	}
	return p < 0.5 ? -t : t;
}
