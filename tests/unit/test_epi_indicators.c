/*
 * Unit tests of epi/indicators: the 7-day trailing average and the 14-day
 * notification rate on small hand-made series and on real WHO daily data
 * (for every country whose cumulative column is consistent with its daily
 * column, NR14 * population / 1e5 must equal the 14-day difference of the
 * cumulative counts), and the EU colour rule at every threshold.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epi/indicators.h"

static void test_ma7(void **state)
{
	(void)state;
	double x[10], out[10];
	for (int i = 0; i < 10; i++)
		x[i] = i + 1;
	assert_int_equal(indicators_ma7(x, 10, out, NULL), EB_OK);
	for (int i = 0; i < 6; i++)
		assert_true(isnan(out[i]));
	assert_true(out[6] == 4.0); /* mean of 1..7: trailing, includes today */
	assert_true(out[9] == 7.0);
	x[3] = NAN;
	assert_int_equal(indicators_ma7(x, 10, out, NULL), EB_OK);
	for (int i = 6; i < 10; i++) /* every window holding day 3 */
		assert_true(isnan(out[i]));
	x[3] = 4;
	x[8] = -2; /* corrections are summed as they are */
	assert_int_equal(indicators_ma7(x, 10, out, NULL), EB_OK);
	assert_true(fabs(out[9] - (4 + 5 + 6 + 7 + 8 - 2 + 10) / 7.0) < 1e-15);
	struct eb_detail det;
	assert_int_equal(indicators_moving_mean(x, 10, 0, out, &det), EB_EINVAL);
	assert_int_equal(indicators_moving_mean(NULL, 10, 3, out, &det), EB_EINVAL);
	assert_int_equal(indicators_moving_mean(x, 10, 1, out, &det), EB_OK);
	assert_true(out[4] == x[4]);
}

static void test_nr14_small(void **state)
{
	(void)state;
	double x[20], out[20];
	for (int i = 0; i < 20; i++)
		x[i] = 10;
	assert_int_equal(indicators_nr14(x, 20, 200000, out, NULL), EB_OK);
	assert_true(isnan(out[12]));
	assert_true(out[13] == 70.0); /* 140 cases per 200,000 */
	struct eb_detail det;
	assert_int_equal(indicators_nr14(x, 20, 0, out, &det), EB_EINVAL);
	assert_string_equal(det.field, "population");
	assert_int_equal(indicators_nr14(x, 20, NAN, out, &det), EB_EINVAL);
}

/* Real data: WHO daily COVID-19 counts (data/covid19/who). */
static void test_nr14_who(void **state)
{
	(void)state;
	const char *shared = getenv("EB_SHARED");
	char path[1024], line[512];
	snprintf(path, sizeof path, "%s/data/covid19/who/WHO-COVID-19-global-data_2020-06-26.csv",
		 shared && *shared ? shared : "../shared");
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s: %s (set EB_SHARED)", path, strerror(errno));
	static double newc[400], cum[400], nr[400];
	char cur[8] = "", code[8];
	size_t n = 0, countries = 0, days_checked = 0;
	int consistent = 1;
	assert_non_null(fgets(line, sizeof line, f)); /* header */
	for (int more = 1; more;) {
		more = fgets(line, sizeof line, f) != NULL;
		long nc = 0, cc = 0;
		if (more) {
			/* Date,Code,Country,Region,New,Cum,... ; names have no commas
			 * in this file except quoted ones, which we skip */
			if (strchr(line, '"'))
				continue;
			char *fld[8];
			size_t k = 0;
			for (char *p = line; k < 8;) {
				fld[k++] = p;
				char *c = strchr(p, ',');
				if (!c)
					break;
				*c = '\0';
				p = c + 1;
			}
			assert_true(k >= 6);
			snprintf(code, sizeof code, "%s", fld[1]);
			nc = strtol(fld[4], NULL, 10);
			cc = strtol(fld[5], NULL, 10);
		}
		if (!more || strcmp(code, cur) != 0) {
			if (n >= 14 && consistent) {
				assert_int_equal(indicators_nr14(newc, n, 1e6, nr, NULL), EB_OK);
				for (size_t t = 13; t < n; t++) {
					/* cumulative count the day before the window */
					double base = t >= 14 ? cum[t - 14] : cum[0] - newc[0];
					double expect = cum[t] - base;
					double got = nr[t] * 1e6 / 1e5;
					assert_true(fabs(got - expect) <= 1e-9 * fmax(1.0, fabs(expect)));
					days_checked++;
				}
				countries++;
			}
			n = 0;
			consistent = 1;
			snprintf(cur, sizeof cur, "%s", code);
		}
		if (!more)
			break;
		assert_true(n < 400);
		newc[n] = (double)nc;
		cum[n] = (double)cc;
		if (n > 0 && cum[n] - cum[n - 1] != newc[n])
			consistent = 0;
		n++;
	}
	fclose(f);
	fprintf(stderr, "indicators: NR14 checked on %zu WHO countries, %zu days\n",
		countries, days_checked);
	assert_true(countries > 150);
}

static void test_eu_colour(void **state)
{
	(void)state;
	const struct {
		double nr, pos, test;
		int amended;
		enum indicators_eu_colour want;
	} c[] = {
		{24.9, 3.9, NAN, 0, INDICATORS_EU_GREEN},
		{25.0, 3.9, NAN, 0, INDICATORS_EU_ORANGE},
		{24.9, 4.0, NAN, 0, INDICATORS_EU_ORANGE},
		{49.9, 4.0, NAN, 0, INDICATORS_EU_ORANGE},
		{50.0, 4.0, NAN, 0, INDICATORS_EU_RED},
		{150.0, 3.9, NAN, 0, INDICATORS_EU_ORANGE},
		{150.1, 0.5, NAN, 0, INDICATORS_EU_RED},
		{150.1, NAN, NAN, 0, INDICATORS_EU_RED},
		{600.0, 10.0, NAN, 0, INDICATORS_EU_RED},
		{600.0, 10.0, NAN, 1, INDICATORS_EU_DARK_RED},
		{500.0, 1.0, NAN, 1, INDICATORS_EU_DARK_RED},
		{499.9, 1.0, NAN, 1, INDICATORS_EU_RED},
		{100.0, NAN, NAN, 0, INDICATORS_EU_GREY},
		{NAN, 1.0, NAN, 0, INDICATORS_EU_GREY},
		{10.0, 1.0, 300.0, 0, INDICATORS_EU_GREY},
		{10.0, 1.0, 300.1, 0, INDICATORS_EU_GREEN},
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		enum indicators_eu_colour got =
			indicators_eu_colour(c[i].nr, c[i].pos, c[i].test, c[i].amended);
		if (got != c[i].want)
			fail_msg("case %zu: NR14 %g positivity %g: %s, want %s", i, c[i].nr,
				 c[i].pos, indicators_eu_colour_name(got),
				 indicators_eu_colour_name(c[i].want));
	}
	assert_string_equal(indicators_eu_colour_name(INDICATORS_EU_DARK_RED), "dark_red");
	assert_string_equal(indicators_eu_colour_name((enum indicators_eu_colour)42), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ma7),
		cmocka_unit_test(test_nr14_small),
		cmocka_unit_test(test_nr14_who),
		cmocka_unit_test(test_eu_colour),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
