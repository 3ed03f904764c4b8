/*
 * Unit tests of epi/rt: every EpiEstim 2.2-4 estimate_R reference case in
 * $EB_SHARED/data/epi/epiestim-reference (files R_<case>.csv, with their
 * input_, si_ and lambda_ companions) must be reproduced: mean and std to
 * 1e-9 relative, the seven quantiles to 1e-6 relative, NA windows exactly.
 * Parametric cases are run twice: from (mean, sd) through our discretisation,
 * and from EpiEstim's own discretised vector as a non-parametric SI.
 * Also: discr_si values, Λ, argument checks, missing counts, the quantile
 * fast path against the exact inversion, and a check that the comparison
 * itself notices a 1e-8 change (a test that cannot fail is a defect).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epi/rt.h"
#include "epi/specfun.h"
#include "epi_ref.h"

#define TOL_MOMENT 1e-9
#define TOL_QUANT 1e-6

static const char *const qcols[RT_NQ] = {"q0025", "q005",  "q025", "median",
					 "q075",  "q095", "q0975"};

struct case_stats {
	int quiet; /* do not print mismatches (the meta-test expects them) */
	size_t windows, na_windows, mismatches;
	double max_mean, max_std, max_q, max_lambda;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of R_*.csv in the reference folder; *n receives the count. */
static char **list_cases(size_t *n)
{
	DIR *d = opendir(ref_dir());
	if (!d)
		fail_msg("cannot open %s (set EB_SHARED)", ref_dir());
	char **names = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len < 7 || strncmp(de->d_name, "R_", 2) != 0 ||
		    strcmp(de->d_name + len - 4, ".csv") != 0)
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 32;
			names = realloc(names, cap * sizeof *names);
			assert_non_null(names);
		}
		names[cnt++] = ref_strdup(de->d_name, len);
	}
	closedir(d);
	qsort(names, cnt, sizeof *names, cmp_str);
	*n = cnt;
	return names;
}

static void note(struct case_stats *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct case_stats *st, const char *fmt, ...)
{
	if (st->mismatches++ < 10 && !st->quiet) {
		va_list ap;
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
}

/*
 * Run one reference case.  parametric: use (mean, sd) from the case name
 * (only for param_ cases) instead of the si_ vector.  prior_factor scales
 * the prior mean (1.0 for the real check; the meta-test perturbs it).
 */
static void run_case(const char *file, int parametric, double prior_factor,
		     struct case_stats *st)
{
	char name[256], dataset[256], fname[400];
	size_t flen = strlen(file);
	assert_true(flen - 6 < sizeof name);
	memcpy(name, file + 2, flen - 6);
	name[flen - 6] = '\0';
	const char *sep = strstr(name, "__");
	assert_non_null(sep);
	memcpy(dataset, name, (size_t)(sep - name));
	dataset[sep - name] = '\0';

	double si_mean = 0, si_sd = 0, pm = 5.0, ps = 5.0;
	int is_param = sscanf(sep + 2, "param_m%lf_s%lf", &si_mean, &si_sd) == 2;
	const char *pr = strstr(name, "prior_m");
	if (pr)
		assert_int_equal(sscanf(pr, "prior_m%lf_s%lf", &pm, &ps), 2);
	if (parametric && !is_param)
		return;

	struct ref_table in, si, ref, lam;
	snprintf(fname, sizeof fname, "input_%s.csv", dataset);
	ref_load(&in, fname);
	snprintf(fname, sizeof fname, "si_%s.csv", name);
	ref_load(&si, fname);
	snprintf(fname, sizeof fname, "lambda_%s.csv", name);
	ref_load(&lam, fname);
	ref_load(&ref, file);

	double *local = ref_column(&in, "local");
	double *imported = ref_column(&in, "imported");
	double *w = ref_column(&si, "w");
	double *lam_ref = ref_column(&lam, "lambda");
	size_t n_days = in.nrow;
	assert_int_equal(lam.nrow, n_days);

	struct rt_si spec = {0};
	if (parametric) {
		spec.mean = si_mean;
		spec.sd = si_sd;
	} else {
		spec.distr = w;
		spec.len = si.nrow;
	}
	struct rt_estimator *e = NULL;
	struct eb_detail det;
	int rc = rt_estimator_new(&spec, pm * prior_factor, ps, &e, &det);
	if (rc != EB_OK)
		fail_msg("%s: rt_estimator_new: %s", name, det.msg);

	/* Λ */
	double *lambda = malloc(n_days * sizeof *lambda);
	assert_non_null(lambda);
	assert_int_equal(rt_estimator_infectivity(e, local, imported, n_days,
						  lambda, &det),
			 EB_OK);
	assert_true(isnan(lambda[0]) && isnan(lam_ref[0]));
	for (size_t t = 1; t < n_days; t++) {
		double diff = fabs(lambda[t] - lam_ref[t]);
		double r = ref_reldiff(lambda[t], lam_ref[t]);
		if (diff > TOL_MOMENT * fabs(lam_ref[t]))
			note(st, "%s%s: lambda day %zu: %.17g, EpiEstim %.17g\n", name,
			     parametric ? " (parametric)" : "", t + 1, lambda[t],
			     lam_ref[t]);
		else if (fabs(lam_ref[t]) > 1e-6 && r > st->max_lambda)
			st->max_lambda = r;
	}

	/* the parametric SI equals EpiEstim's discretisation */
	if (parametric) {
		double *ours = calloc(si.nrow, sizeof *ours);
		assert_non_null(ours);
		size_t len = rt_estimator_si(e, n_days, ours, si.nrow);
		assert_true(len <= si.nrow);
		for (size_t k = 0; k < si.nrow; k++) {
			double v = k < len ? ours[k] : 0.0;
			if (fabs(v - w[k]) > TOL_MOMENT * fabs(w[k]))
				note(st, "%s: w_%zu %.17g, EpiEstim %.17g\n", name, k, v, w[k]);
		}
		free(ours);
	}

	/* windows */
	size_t nw = ref.nrow;
	size_t *ts = malloc(nw * sizeof *ts), *te = malloc(nw * sizeof *te);
	struct rt_window *out = malloc(nw * sizeof *out);
	assert_true(ts && te && out);
	size_t cts = ref_col(&ref, "t_start"), cte = ref_col(&ref, "t_end");
	for (size_t i = 0; i < nw; i++) {
		ts[i] = (size_t)ref_num(&ref, i, cts);
		te[i] = (size_t)ref_num(&ref, i, cte);
	}
	struct rt_info info;
	rc = rt_estimator_run(e, local, imported, n_days, ts, te, nw, out, &info,
			      &det);
	if (rc != EB_OK)
		fail_msg("%s: rt_estimator_run: %s", name, det.msg);
	assert_int_equal(info.n_missing, 0);
	size_t cmean = ref_col(&ref, "mean"), cstd = ref_col(&ref, "std");
	for (size_t i = 0; i < nw; i++) {
		double rm = ref_num(&ref, i, cmean), rs = ref_num(&ref, i, cstd);
		st->windows++;
		if (isnan(rm)) {
			st->na_windows++;
			if (out[i].has_estimate || !isnan(out[i].mean))
				note(st, "%s: window [%zu,%zu] should be NA, got %.17g\n",
				     name, ts[i], te[i], out[i].mean);
			for (int k = 0; k < RT_NQ; k++)
				if (!isnan(ref_num(&ref, i, ref_col(&ref, qcols[k]))) ||
				    !isnan(out[i].q[k]))
					note(st, "%s: NA window [%zu,%zu] has a quantile\n",
					     name, ts[i], te[i]);
			continue;
		}
		if (!out[i].has_estimate) {
			note(st, "%s: window [%zu,%zu] is NA, EpiEstim %.17g\n", name,
			     ts[i], te[i], rm);
			continue;
		}
		double em = ref_reldiff(out[i].mean, rm);
		double es = ref_reldiff(out[i].std, rs);
		if (em > TOL_MOMENT || es > TOL_MOMENT)
			note(st, "%s: window [%zu,%zu] mean %.17g std %.17g, EpiEstim %.17g %.17g\n",
			     name, ts[i], te[i], out[i].mean, out[i].std, rm, rs);
		st->max_mean = fmax(st->max_mean, em);
		st->max_std = fmax(st->max_std, es);
		for (int k = 0; k < RT_NQ; k++) {
			double rq = ref_num(&ref, i, ref_col(&ref, qcols[k]));
			double eq = ref_reldiff(out[i].q[k], rq);
			if (eq > TOL_QUANT)
				note(st, "%s: window [%zu,%zu] %s %.17g, EpiEstim %.17g\n",
				     name, ts[i], te[i], qcols[k], out[i].q[k], rq);
			st->max_q = fmax(st->max_q, eq);
		}
	}
	free(ts);
	free(te);
	free(out);
	free(lambda);
	free(local);
	free(imported);
	free(w);
	free(lam_ref);
	rt_estimator_free(e);
	ref_free(&in);
	ref_free(&si);
	ref_free(&lam);
	ref_free(&ref);
}

static void run_all(int parametric, double prior_factor, struct case_stats *st,
		    size_t *n_cases)
{
	size_t n;
	char **names = list_cases(&n);
	*n_cases = 0;
	for (size_t i = 0; i < n; i++) {
		size_t before = st->windows;
		run_case(names[i], parametric, prior_factor, st);
		if (st->windows > before)
			(*n_cases)++;
		free(names[i]);
	}
	free(names);
}

static void test_reference_nonparametric(void **state)
{
	(void)state;
	struct case_stats st = {0};
	size_t n;
	run_all(0, 1.0, &st, &n);
	fprintf(stderr,
		"rt non-parametric: %zu cases, %zu windows (%zu NA); max rel diff mean %.2e std %.2e quantiles %.2e lambda %.2e\n",
		n, st.windows, st.na_windows, st.max_mean, st.max_std, st.max_q,
		st.max_lambda);
	/* 18 reference cases are shipped; all of them must be found */
	assert_true(n >= 18);
	assert_true(st.na_windows > 0);
	assert_int_equal(st.mismatches, 0);
}

static void test_reference_parametric(void **state)
{
	(void)state;
	struct case_stats st = {0};
	size_t n;
	run_all(1, 1.0, &st, &n);
	fprintf(stderr,
		"rt parametric: %zu cases, %zu windows (%zu NA); max rel diff mean %.2e std %.2e quantiles %.2e lambda %.2e\n",
		n, st.windows, st.na_windows, st.max_mean, st.max_std, st.max_q,
		st.max_lambda);
	assert_true(n >= 11);
	assert_int_equal(st.mismatches, 0);
}

/* The comparison must notice a prior mean off by 1e-8 relative. */
static void test_comparison_detects_change(void **state)
{
	(void)state;
	struct case_stats st = {.quiet = 1};
	run_case("R_Flu2009__nonparam__weekly.csv", 0, 1.0 + 1e-8, &st);
	assert_true(st.mismatches > 0);
}

static void test_discr_si(void **state)
{
	(void)state;
	struct ref_table t;
	ref_load(&t, "discr_si.csv");
	size_t ck = ref_col(&t, "k"), checked = 0;
	for (size_t c = 0; c < t.ncol; c++) {
		double m, s;
		if (sscanf(t.names[c], "m%lf_s%lf", &m, &s) != 2)
			continue;
		double sum = 0.0;
		for (size_t i = 0; i < t.nrow; i++) {
			double k = ref_num(&t, i, ck), r = ref_num(&t, i, c);
			double v = rt_discr_si(k, m, s);
			sum += v;
			if (fabs(v - r) > TOL_MOMENT * fabs(r) + 1e-15)
				fail_msg("discr_si(%g, %g, %g) = %.17g, EpiEstim %.17g", k,
					 m, s, v, r);
			checked++;
		}
		assert_true(sum > 0.9); /* the columns are real distributions */
	}
	assert_true(checked >= 6 * 41);
	assert_true(isnan(rt_discr_si(1, 1.0, 1.0)));
	assert_true(isnan(rt_discr_si(1, 2.0, 0.0)));
	ref_free(&t);
}

static void test_sliding_windows(void **state)
{
	(void)state;
	size_t ts[40], te[40];
	assert_int_equal(rt_windows_sliding(32, 7, ts, te, 40), 25);
	assert_int_equal(ts[0], 2);
	assert_int_equal(te[0], 8);
	assert_int_equal(ts[24], 26);
	assert_int_equal(te[24], 32);
	assert_int_equal(rt_windows_sliding(7, 7, ts, te, 40), 0);
	assert_int_equal(rt_windows_sliding(8, 7, ts, te, 40), 1);
	assert_int_equal(rt_windows_sliding(100, 0, ts, te, 40), 0);
	/* cap limits writes, not the count */
	assert_int_equal(rt_windows_sliding(100, 1, ts, te, 3), 99);
	assert_int_equal(ts[2], 4);
	assert_int_equal(te[2], 4);
}

static void test_argument_errors(void **state)
{
	(void)state;
	struct rt_estimator *e = NULL;
	struct eb_detail det;
	double bad0[] = {0.1, 0.9};
	double badsum[] = {0, 0.5, 0.4};
	double neg[] = {0, 1.2, -0.2};
	struct rt_si s1 = {bad0, 2, 0, 0}, s2 = {badsum, 3, 0, 0},
		     s3 = {neg, 3, 0, 0}, p1 = {NULL, 0, 1.0, 1.0},
		     p2 = {NULL, 0, 3.0, 0.0};
	assert_int_equal(rt_estimator_new(&s1, 0, 0, &e, &det), EB_EINVAL);
	assert_null(e);
	assert_non_null(strstr(det.msg, "start with 0"));
	assert_int_equal(rt_estimator_new(&s2, 0, 0, &e, &det), EB_EINVAL);
	assert_non_null(strstr(det.msg, "sum"));
	assert_int_equal(rt_estimator_new(&s3, 0, 0, &e, &det), EB_EINVAL);
	assert_int_equal(rt_estimator_new(&p1, 0, 0, &e, &det), EB_EINVAL);
	assert_int_equal(rt_estimator_new(&p2, 0, 0, &e, &det), EB_EINVAL);
	struct rt_si ok = {NULL, 0, 2.6, 1.5};
	assert_int_equal(rt_estimator_new(&ok, -1, 0, &e, &det), EB_EINVAL);
	assert_string_equal(det.field, "prior_mean");
	assert_int_equal(rt_estimator_new(&ok, 0, NAN, &e, &det), EB_EINVAL);
	assert_int_equal(rt_estimator_new(&ok, 0, 0, &e, &det), EB_OK);

	double inc[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	struct rt_window out[2];
	size_t ts[] = {2, 1}, te[] = {8, 7};
	assert_int_equal(rt_estimator_run(e, inc, NULL, 10, ts, te, 2, out, NULL, &det),
			 EB_EINVAL);
	assert_non_null(strstr(det.msg, "window 2"));
	size_t ts2[] = {3}, te2[] = {11};
	assert_int_equal(rt_estimator_run(e, inc, NULL, 10, ts2, te2, 1, out, NULL, &det),
			 EB_EINVAL);
	size_t ts3[] = {5}, te3[] = {4};
	assert_int_equal(rt_estimator_run(e, inc, NULL, 10, ts3, te3, 1, out, NULL, &det),
			 EB_EINVAL);
	inc[4] = -1;
	assert_int_equal(rt_estimator_run(e, inc, NULL, 10, ts2, te, 1, out, NULL, &det),
			 EB_EINVAL);
	assert_non_null(strstr(det.msg, "day 5"));
	inc[4] = INFINITY;
	assert_int_equal(rt_estimator_run(e, inc, NULL, 10, ts2, te, 1, out, NULL, &det),
			 EB_EINVAL);
	assert_int_equal(rt_estimator_run(e, inc, NULL, 0, NULL, NULL, 0, out, NULL, &det),
			 EB_EINVAL);
	rt_estimator_free(e);
	rt_estimator_free(NULL);
}

/* NaN counts act as 0 and are counted; imported cases enter Λ only. */
static void test_missing_and_imported(void **state)
{
	(void)state;
	struct rt_si si = {NULL, 0, 2.6, 1.5};
	struct rt_estimator *e;
	assert_int_equal(rt_estimator_new(&si, 0, 0, &e, NULL), EB_OK);
	double a[20], b[20], imp[20];
	for (int i = 0; i < 20; i++) {
		a[i] = b[i] = (double)(3 + (i * 7) % 11);
		imp[i] = 0;
	}
	a[9] = NAN;
	b[9] = 0;
	size_t ts[14], te[14];
	size_t nw = rt_windows_sliding(20, 7, ts, te, 14);
	assert_int_equal(nw, 13);
	struct rt_window oa[14], ob[14], oc[14];
	struct rt_info info;
	assert_int_equal(rt_estimator_run(e, a, NULL, 20, ts, te, nw, oa, &info, NULL),
			 EB_OK);
	assert_int_equal(info.n_missing, 1);
	assert_true(info.si_mean > 2.5 && info.si_mean < 2.7);
	assert_int_equal(rt_estimator_run(e, b, NULL, 20, ts, te, nw, ob, &info, NULL),
			 EB_OK);
	assert_int_equal(info.n_missing, 0);
	for (size_t i = 0; i < nw; i++) {
		assert_true(oa[i].has_estimate);
		assert_true(oa[i].mean == ob[i].mean);
		assert_true(oa[i].q[3] == ob[i].q[3]);
	}
	/* move 5 cases of day 10 from local to imported: Λ unchanged, the
	 * shape of windows covering day 10 drops by 5 */
	b[9] = 10;
	imp[9] = 0;
	assert_int_equal(rt_estimator_run(e, b, imp, 20, ts, te, nw, ob, NULL, NULL),
			 EB_OK);
	b[9] = 5;
	imp[9] = 5;
	assert_int_equal(rt_estimator_run(e, b, imp, 20, ts, te, nw, oc, NULL, NULL),
			 EB_OK);
	for (size_t i = 0; i < nw; i++) {
		assert_true(fabs(ob[i].scale - oc[i].scale) <= 1e-15 * ob[i].scale);
		double d = ob[i].shape - oc[i].shape;
		if (ts[i] <= 10 && te[i] >= 10)
			assert_true(d == 5.0);
		else
			assert_true(d == 0.0);
	}
	rt_estimator_free(e);
}

/* The O(1) quantiles agree with the exact inversion everywhere. */
static void test_quantile_fast_path(void **state)
{
	(void)state;
	double worst = 0.0;
	for (int i = 0; i <= 4000; i++) {
		double shape = i < 400 ? 0.05 + i * 0.06 : 16.0 * pow(1e6, (i - 400) / 3600.0);
		double q[RT_NQ];
		rt_posterior_quantiles(shape, 0.37, q);
		for (int k = 0; k < RT_NQ; k++) {
			double x = specfun_gamma_quantile(rt_quantile_probs[k], shape, 0.37);
			worst = fmax(worst, ref_reldiff(q[k], x));
		}
	}
	fprintf(stderr, "rt quantile fast path: max rel diff to exact inversion %.2e\n",
		worst);
	assert_true(worst < 1e-13);
	double q[RT_NQ];
	rt_posterior_quantiles(-1, 1, q);
	assert_true(isnan(q[0]));
}

/* The parametric SI is cut where EpiEstim's values are exactly zero, so a
 * long series costs O(n_days * support), not O(n_days²). */
static void test_si_truncation(void **state)
{
	(void)state;
	struct rt_si si = {NULL, 0, 4.7, 2.9};
	struct rt_estimator *e;
	assert_int_equal(rt_estimator_new(&si, 0, 0, &e, NULL), EB_OK);
	size_t len = rt_estimator_si(e, 20000, NULL, 0);
	assert_true(len > 30 && len < 400);
	/* beyond the support discr_si is exactly 0 */
	assert_true(rt_discr_si((double)len + 1, 4.7, 2.9) == 0.0);
	assert_true(rt_discr_si((double)len + 50, 4.7, 2.9) == 0.0);
	/* a short series uses discr_si(0:(T-1)) only */
	assert_int_equal(rt_estimator_si(e, 5, NULL, 0), 5);
	rt_estimator_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_nonparametric),
		cmocka_unit_test(test_reference_parametric),
		cmocka_unit_test(test_comparison_detects_change),
		cmocka_unit_test(test_discr_si),
		cmocka_unit_test(test_sliding_windows),
		cmocka_unit_test(test_argument_errors),
		cmocka_unit_test(test_missing_and_imported),
		cmocka_unit_test(test_quantile_fast_path),
		cmocka_unit_test(test_si_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
