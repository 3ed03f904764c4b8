/*
 * Special functions the epidemiological estimators need: the regularised
 * incomplete gamma and beta functions, and the quantiles of the gamma, normal
 * and Student-t distributions.
 *
 * They exist so that epi/ depends on nothing but libm and still agrees with R
 * (pgamma, qgamma, qt) to about 1e-14 relative, which the EpiEstim and
 * incidence reference outputs require (docs/epi-methods-impl.md has the
 * methods and measured accuracy).  Every function is pure, reentrant and
 * thread-safe; none allocates.  Invalid arguments (NaN, a non-positive shape,
 * a probability outside [0, 1]) give NaN, as R does; nothing else can fail.
 */
#ifndef EB_EPI_SPECFUN_H
#define EB_EPI_SPECFUN_H

/* Regularised lower incomplete gamma P(a, x) = γ(a, x) / Γ(a), a > 0, x >= 0
 * (R: pgamma(x, a)).  Cost grows like sqrt(a) when x is near a. */
double specfun_gamma_p(double a, double x);

/* Regularised upper incomplete gamma Q(a, x) = 1 - P(a, x), computed without
 * cancellation in the upper tail (R: pgamma(x, a, lower.tail = FALSE)). */
double specfun_gamma_q(double a, double x);

/* Quantile of the gamma distribution with the given shape and scale: the x
 * with P(shape, x / scale) = p (R: qgamma(p, shape, scale = scale)).  p = 0
 * gives 0, p = 1 gives +infinity.  Halley iterations on the incomplete gamma,
 * bracketed; relative accuracy about 1e-15. */
double specfun_gamma_quantile(double p, double shape, double scale);

/* Quantile of the standard normal distribution (R: qnorm(p)). */
double specfun_normal_quantile(double p);

/* Regularised incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1 (R: pbeta). */
double specfun_beta_inc(double a, double b, double x);

/* Distribution function of Student's t with df > 0 degrees of freedom
 * (R: pt(t, df)). */
double specfun_t_cdf(double t, double df);

/* Quantile of Student's t with df > 0 degrees of freedom (R: qt(p, df)). */
double specfun_t_quantile(double p, double df);

#endif
