/*
 * Unit tests of epi/wt against EpiEstim 2.2-4 wallinga_teunis (n_sim = 0)
 * on Flu2009 with daily and weekly windows (WT_Flu2009__nonparam__*.csv):
 * every window EpiEstim reports must match to 1e-9 relative and every window
 * it drops must be NaN.  The case-level form, fed the same epidemic as
 * individual cases with unknown infectors, must give the same window means.
 * Known infectors and the right-truncation correction are checked on a
 * small outbreak worked out by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epi/wt.h"
#include "epi_ref.h"

#define TOL 1e-9

struct flu {
	double inc[64];
	size_t n;
	double *si;
	size_t si_len;
};

static void load_flu(struct flu *f)
{
	struct ref_table t, s;
	ref_load(&t, "input_Flu2009.csv");
	size_t ci = ref_col(&t, "raw_I");
	assert_true(t.nrow <= 64);
	f->n = t.nrow;
	for (size_t i = 0; i < t.nrow; i++)
		f->inc[i] = ref_num(&t, i, ci);
	ref_load(&s, "si_Flu2009__nonparam__weekly.csv");
	f->si = ref_column(&s, "w");
	f->si_len = s.nrow;
	ref_free(&t);
	ref_free(&s);
}

/* Windows of the R script: weekly 2:26 / 8:32, daily 2:32. */
static size_t windows(int weekly, size_t *ts, size_t *te)
{
	size_t n = 0;
	for (size_t s = 2; s <= (weekly ? 26u : 32u); s++) {
		ts[n] = s;
		te[n] = weekly ? s + 6 : s;
		n++;
	}
	return n;
}

/* Compare means[] for windows ts/te with the reference file; returns the
 * number of mismatches; *worst gets the largest relative difference. */
static size_t compare(const char *file, const size_t *ts, const size_t *te,
		      size_t nw, const double *means, double *worst, int quiet)
{
	struct ref_table t;
	ref_load(&t, file);
	size_t cs = ref_col(&t, "t_start"), ce = ref_col(&t, "t_end"),
	       cm = ref_col(&t, "mean");
	size_t bad = 0, matched = 0;
	for (size_t i = 0; i < nw; i++) {
		double ref = NAN;
		for (size_t r = 0; r < t.nrow; r++)
			if ((size_t)ref_num(&t, r, cs) == ts[i] &&
			    (size_t)ref_num(&t, r, ce) == te[i]) {
				ref = ref_num(&t, r, cm);
				matched++;
			}
		double rd = ref_reldiff(means[i], ref);
		if (rd > TOL) {
			bad++;
			if (!quiet)
				fprintf(stderr, "%s [%zu,%zu]: %.17g, EpiEstim %.17g\n", file,
					ts[i], te[i], means[i], ref);
		} else if (rd > *worst) {
			*worst = rd;
		}
	}
	assert_int_equal(matched, t.nrow); /* every reference row was checked */
	ref_free(&t);
	return bad;
}

static void test_reference(void **state)
{
	(void)state;
	struct flu f;
	load_flu(&f);
	struct rt_si si = {f.si, f.si_len, 0, 0};
	double worst = 0.0;
	size_t nan_windows = 0;
	for (int weekly = 0; weekly <= 1; weekly++) {
		size_t ts[40], te[40];
		double m[40];
		size_t nw = windows(weekly, ts, te);
		assert_int_equal(wt_estimate(f.inc, f.n, &si, ts, te, nw, m, NULL), EB_OK);
		for (size_t i = 0; i < nw; i++)
			nan_windows += isnan(m[i]);
		assert_int_equal(compare(weekly ? "WT_Flu2009__nonparam__weekly.csv"
						: "WT_Flu2009__nonparam__daily.csv",
					 ts, te, nw, m, &worst, 0),
				 0);
	}
	fprintf(stderr, "wt: Flu2009 daily+weekly, %zu windows dropped as in EpiEstim, max rel diff %.2e\n",
		nan_windows, worst);
	assert_true(nan_windows > 0); /* the daily reference drops zero days */
	free(f.si);
}

/* The same epidemic as individual cases gives the same window means. */
static void test_case_level_matches(void **state)
{
	(void)state;
	struct flu f;
	load_flu(&f);
	long onset[2000];
	size_t n = 0;
	for (size_t t = 0; t < f.n; t++)
		for (int k = 0; k < (int)f.inc[t]; k++) {
			assert_true(n < 2000);
			onset[n++] = (long)t + 1;
		}
	double *r = malloc(n * sizeof *r);
	assert_non_null(r);
	assert_int_equal(wt_case_r(onset, NULL, n, f.si, f.si_len, WT_NO_TRUNCATION, r, NULL),
			 EB_OK);
	double worst = 0.0;
	for (int weekly = 0; weekly <= 1; weekly++) {
		size_t ts[40], te[40];
		double m[40];
		size_t nw = windows(weekly, ts, te);
		for (size_t i = 0; i < nw; i++) {
			double s = 0.0;
			size_t c = 0;
			for (size_t j = 0; j < n; j++)
				if ((size_t)onset[j] >= ts[i] && (size_t)onset[j] <= te[i]) {
					s += r[j];
					c++;
				}
			m[i] = c ? s / (double)c : NAN;
		}
		assert_int_equal(compare(weekly ? "WT_Flu2009__nonparam__weekly.csv"
						: "WT_Flu2009__nonparam__daily.csv",
					 ts, te, nw, m, &worst, 0),
				 0);
	}
	/* Σ R over cases = number of cases that have a possible infector */
	double total = 0.0;
	for (size_t j = 0; j < n; j++)
		total += r[j];
	assert_true(fabs(total - (double)(n - 1)) < 1e-9); /* all but the first */
	free(r);
	free(f.si);
}

/* The comparison notices a slightly different serial interval. */
static void test_comparison_detects_change(void **state)
{
	(void)state;
	struct flu f;
	load_flu(&f);
	f.si[1] += 1e-7;
	f.si[2] -= 1e-7;
	struct rt_si si = {f.si, f.si_len, 0, 0};
	size_t ts[40], te[40];
	double m[40], worst = 0.0;
	size_t nw = windows(1, ts, te);
	assert_int_equal(wt_estimate(f.inc, f.n, &si, ts, te, nw, m, NULL), EB_OK);
	assert_true(compare("WT_Flu2009__nonparam__weekly.csv", ts, te, nw, m, &worst, 1) > 0);
	free(f.si);
}

/*
 * A (day 0) infected B (day 2, traced); C (day 3) has no known infector.
 * w = (0, 0.5, 0.3, 0.2): C's candidates are A (delay 3, w 0.2) and B
 * (delay 1, w 0.5), so R_A = 1 + 0.2/0.7, R_B = 0.5/0.7, R_C = 0.
 * Truncation at day 3: G(3) = 1, G(1) = 0.5, G(0) = 0.
 */
static void test_known_infector_and_truncation(void **state)
{
	(void)state;
	long onset[3] = {0, 2, 3}, inf[3] = {-1, 0, -1};
	double w[4] = {0, 0.5, 0.3, 0.2}, r[3];
	assert_int_equal(wt_case_r(onset, inf, 3, w, 4, WT_NO_TRUNCATION, r, NULL), EB_OK);
	assert_true(fabs(r[0] - (1.0 + 0.2 / 0.7)) < 1e-15);
	assert_true(fabs(r[1] - 0.5 / 0.7) < 1e-15);
	assert_true(r[2] == 0.0);
	assert_int_equal(wt_case_r(onset, inf, 3, w, 4, 3, r, NULL), EB_OK);
	assert_true(fabs(r[0] - (1.0 + 0.2 / 0.7)) < 1e-15);
	assert_true(fabs(r[1] - 2.0 * 0.5 / 0.7) < 1e-15);
	assert_true(isnan(r[2]));
	/* later analysis day: C's G(2) = 0.8 */
	assert_int_equal(wt_case_r(onset, inf, 3, w, 4, 5, r, NULL), EB_OK);
	assert_true(r[2] == 0.0);
	assert_true(fabs(r[1] - 0.5 / 0.7 / 1.0) < 1e-15);
}

static void test_errors(void **state)
{
	(void)state;
	struct eb_detail det;
	long onset[2] = {0, 1}, self[2] = {-1, 1}, out_of_range[2] = {5, -1};
	double w[3] = {0, 0.6, 0.4}, wbad[2] = {0.2, 0.8}, r[2];
	assert_int_equal(wt_case_r(onset, self, 2, w, 3, WT_NO_TRUNCATION, r, &det),
			 EB_EINVAL);
	assert_non_null(strstr(det.msg, "case 2"));
	assert_int_equal(wt_case_r(onset, out_of_range, 2, w, 3, WT_NO_TRUNCATION, r, &det),
			 EB_EINVAL);
	assert_int_equal(wt_case_r(onset, NULL, 2, wbad, 2, WT_NO_TRUNCATION, r, &det),
			 EB_EINVAL);
	assert_int_equal(wt_case_r(onset, NULL, 2, w, 3, 0, r, &det), EB_EINVAL);
	double inc[5] = {1, 2, -3, 4, 5}, m[1];
	size_t ts[1] = {2}, te[1] = {5};
	struct rt_si si = {w, 3, 0, 0};
	assert_int_equal(wt_estimate(inc, 5, &si, ts, te, 1, m, &det), EB_EINVAL);
	inc[2] = 3;
	size_t te_bad[1] = {6};
	assert_int_equal(wt_estimate(inc, 5, &si, ts, te_bad, 1, m, &det), EB_EINVAL);
	assert_int_equal(wt_estimate(inc, 5, &si, ts, te, 1, m, &det), EB_OK);
	assert_true(m[0] > 0.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_case_level_matches),
		cmocka_unit_test(test_comparison_detects_change),
		cmocka_unit_test(test_known_infector_and_truncation),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
