/*
 * Unit tests of epi/growth against incidence 1.7.3 `fit` reference outputs
 * (incidence_fit.csv and incfit_points_*.csv in the EpiEstim reference
 * folder): every case must match r, its 95% CI, the doubling/halving time
 * and CI, and the intercept to 1e-9 relative, with the same number of points
 * and origin; the regression points (x, log count) implied by our origin must
 * equal incidence's.  Also argument errors and the two-point case.
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

#include "epi/growth.h"
#include "epi_ref.h"

#define TOL 1e-9

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static long parse_date(const char *s)
{
	int y, m, d;
	if (sscanf(s, "%d-%d-%d", &y, &m, &d) != 3)
		fail_msg("bad date %s", s);
	return days_from_civil(y, (unsigned)m, (unsigned)d);
}

/* One case: bins (day numbers are days since 1970-01-01). */
struct bins {
	double day[400], count[400];
	size_t n;
	double width;
};

static void load_flu(struct bins *b, size_t first_n)
{
	struct ref_table t;
	ref_load(&t, "input_Flu2009.csv");
	size_t cd = ref_col(&t, "date"), ci = ref_col(&t, "raw_I");
	b->n = 0;
	b->width = 1;
	for (size_t i = 0; i < t.nrow && i < first_n; i++) {
		b->day[b->n] = (double)parse_date(ref_str(&t, i, cd));
		b->count[b->n++] = ref_num(&t, i, ci);
	}
	ref_free(&t);
}

/* SARS2003 daily counts from 2003-02-14 (make_ref_incidence.R), binned in
 * ISO weeks (Monday starts) as incidence(interval = 7) does; first 10. */
static void load_sars_weekly(struct bins *b)
{
	struct ref_table t;
	ref_load(&t, "input_SARS2003.csv");
	size_t ci = ref_col(&t, "raw_I");
	long d0 = days_from_civil(2003, 2, 14);
	/* 1970-01-01 was a Thursday: Monday-based weekday = (days + 3) % 7 */
	long first_monday = d0 - (d0 + 3) % 7;
	b->n = 10;
	b->width = 7;
	for (size_t k = 0; k < b->n; k++) {
		b->day[k] = (double)(first_monday + 7 * (long)k);
		b->count[k] = 0;
	}
	for (size_t i = 0; i < t.nrow; i++) {
		long w = (d0 + (long)i - first_monday) / 7;
		if (w < (long)b->n)
			b->count[w] += ref_num(&t, i, ci);
	}
	ref_free(&t);
}

static void load_synthetic(struct bins *b, const char *col)
{
	struct ref_table t;
	ref_load(&t, "input_incfit_synthetic.csv");
	size_t cd = ref_col(&t, "day"), cc = ref_col(&t, col);
	long d0 = days_from_civil(2020, 3, 1);
	b->n = 0;
	b->width = 1;
	for (size_t i = 0; i < t.nrow; i++) {
		b->day[b->n] = (double)d0 + ref_num(&t, i, cd);
		b->count[b->n++] = ref_num(&t, i, cc);
	}
	ref_free(&t);
}

static double worst; /* largest relative difference seen */

static void check_close(const char *cs, const char *what, double ours, double ref)
{
	double r = ref_reldiff(ours, ref);
	if (r > worst)
		worst = r;
	if (r > TOL)
		fail_msg("%s %s: %.17g, incidence::fit %.17g (rel %.2e)", cs, what,
			 ours, ref, r);
}

/* The regression points incidence used must be ours: kept bins, x from our
 * origin to the bin centre. */
static void check_points(const char *cs, const struct bins *b,
			 const struct growth_fit *f, double lo, double hi)
{
	char name[200];
	snprintf(name, sizeof name, "incfit_points_%s.csv", cs);
	struct ref_table t;
	ref_load(&t, name);
	size_t cx = ref_col(&t, "x"), cy = ref_col(&t, "log_count");
	size_t j = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (b->count[i] == 0 || b->day[i] < lo || b->day[i] > hi)
			continue;
		assert_true(j < t.nrow);
		check_close(cs, "point x", b->day[i] - f->origin + b->width / 2,
			    ref_num(&t, j, cx));
		check_close(cs, "point log count", log(b->count[i]), ref_num(&t, j, cy));
		j++;
	}
	assert_int_equal(j, t.nrow);
	ref_free(&t);
}

static void check_row(const struct ref_table *t, size_t row,
		      const struct growth_fit *f)
{
	const char *cs = ref_str(t, row, ref_col(t, "case"));
	assert_int_equal(f->n_points, (size_t)ref_num(t, row, ref_col(t, "n_points")));
	check_close(cs, "r", f->r, ref_num(t, row, ref_col(t, "r")));
	check_close(cs, "r_lower", f->r_lower, ref_num(t, row, ref_col(t, "r_lower")));
	check_close(cs, "r_upper", f->r_upper, ref_num(t, row, ref_col(t, "r_upper")));
	const char *kind = ref_str(t, row, ref_col(t, "kind"));
	assert_string_equal(kind, f->doubling ? "doubling" : "halving");
	check_close(cs, "time", f->time, ref_num(t, row, ref_col(t, "time")));
	check_close(cs, "time_lower", f->time_lower,
		    ref_num(t, row, ref_col(t, "time_lower")));
	check_close(cs, "time_upper", f->time_upper,
		    ref_num(t, row, ref_col(t, "time_upper")));
	check_close(cs, "intercept", f->intercept,
		    ref_num(t, row, ref_col(t, "intercept")));
	assert_true(f->origin == (double)parse_date(ref_str(t, row, ref_col(t, "origin"))));
}

static void test_incidence_fit_reference(void **state)
{
	(void)state;
	struct ref_table t;
	ref_load(&t, "incidence_fit.csv");
	size_t ccase = ref_col(&t, "case"), checked = 0;
	static struct bins b;
	struct growth_fit f, g;
	struct eb_detail det;
	for (size_t row = 0; row < t.nrow; row++) {
		const char *cs = ref_str(&t, row, ccase);
		if (strcmp(cs, "Flu2009_days1-20") == 0) {
			load_flu(&b, 20);
			assert_int_equal(growth_fit(b.day, b.count, b.n, 1, 0.95, &f, &det), EB_OK);
			check_points(cs, &b, &f, -INFINITY, INFINITY);
		} else if (strcmp(cs, "Flu2009_split_before") == 0 ||
			   strcmp(cs, "Flu2009_split_after") == 0) {
			load_flu(&b, 1000);
			size_t pk = growth_find_peak(b.count, b.n);
			assert_int_equal(pk, 12); /* 2009-05-09, first of two 13s */
			assert_int_equal(growth_fit_split(b.day, b.count, b.n, 1, 0.95,
							  b.day[pk], &g, &f, &det),
					 EB_OK);
			if (strstr(cs, "before")) {
				f = g;
				check_points(cs, &b, &f, -INFINITY, b.day[pk]);
			} else {
				check_points(cs, &b, &f, b.day[pk], INFINITY);
			}
		} else if (strcmp(cs, "SARS2003_weekly_first10") == 0) {
			load_sars_weekly(&b);
			assert_int_equal(growth_fit(b.day, b.count, b.n, 7, 0, &f, &det), EB_OK);
			check_points(cs, &b, &f, -INFINITY, INFINITY);
		} else if (strcmp(cs, "synthetic_growth_r0.1") == 0 ||
			   strcmp(cs, "synthetic_decline_r-0.05") == 0) {
			load_synthetic(&b, strstr(cs, "growth") ? "growth" : "decline");
			assert_int_equal(growth_fit(b.day, b.count, b.n, 1, 0.95, &f, &det), EB_OK);
			check_points(cs, &b, &f, -INFINITY, INFINITY);
		} else {
			fail_msg("reference case %s is not known to this test; add it", cs);
		}
		check_row(&t, row, &f);
		checked++;
	}
	assert_int_equal(checked, 6);
	fprintf(stderr, "growth: %zu incidence::fit cases, max rel diff %.2e\n",
		checked, worst);
	ref_free(&t);
}

/* The comparison notices a fit made with a different level. */
static void test_comparison_detects_change(void **state)
{
	(void)state;
	static struct bins b;
	struct growth_fit f;
	load_flu(&b, 20);
	assert_int_equal(growth_fit(b.day, b.count, b.n, 1, 0.9500001, &f, NULL), EB_OK);
	struct ref_table t;
	ref_load(&t, "incidence_fit.csv");
	double ref_lo = ref_num(&t, 0, ref_col(&t, "r_lower"));
	assert_true(ref_reldiff(f.r_lower, ref_lo) > TOL);
	ref_free(&t);
}

static void test_errors_and_edges(void **state)
{
	(void)state;
	struct eb_detail det;
	struct growth_fit f;
	double day[4] = {0, 1, 2, 3}, c[4] = {1, 2, -1, 4};
	assert_int_equal(growth_fit(day, c, 4, 1, 0, &f, &det), EB_EINVAL);
	assert_non_null(strstr(det.msg, "bin 3"));
	double z[4] = {0, 5, 0, 0};
	assert_int_equal(growth_fit(day, z, 4, 1, 0, &f, &det), EB_EINVAL);
	assert_int_equal(growth_fit(day, c, 2, 0, 0, &f, &det), EB_EINVAL);
	assert_int_equal(growth_fit(day, c, 2, 1, 1.5, &f, &det), EB_EINVAL);
	double same[3] = {4, 4, 4}, cs[3] = {1, 2, 3};
	assert_int_equal(growth_fit(same, cs, 3, 1, 0, &f, &det), EB_EINVAL);
	/* two points: exact line, no interval */
	double two[2] = {10, 12}, ct[2] = {5, 20};
	assert_int_equal(growth_fit(two, ct, 2, 1, 0, &f, &det), EB_OK);
	assert_true(fabs(f.r - log(4.0) / 2) < 1e-15);
	assert_true(isnan(f.r_lower) && isnan(f.r_upper));
	assert_true(f.doubling && fabs(f.time - 1.0) < 1e-15);
	assert_true(f.origin == 10);
	/* NaN counts are missing: left out like zeros */
	double d5[5] = {0, 1, 2, 3, 4}, c5[5] = {1, NAN, 4, 8, 16};
	assert_int_equal(growth_fit(d5, c5, 5, 1, 0, &f, &det), EB_OK);
	assert_int_equal(f.n_points, 4);
	assert_int_equal(growth_find_peak(c5, 5), 4);
	assert_int_equal(growth_find_peak(c5, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incidence_fit_reference),
		cmocka_unit_test(test_comparison_detects_change),
		cmocka_unit_test(test_errors_and_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
