/*
 * Tests of the WHO daily CSV reader (src/formats/who_csv.c) on the real
 * WHO file of 2020-06-26 (row count, Namibia's "NA", the 31 negative
 * corrections, the "Other" conveyance rows) and on small malformed inputs,
 * each of which must be rejected with its line and a message naming the
 * problem while the good rows around it still come through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/areas.h"
#include "formats/who_csv.h"
#include "formats_testutil.h"

static struct areas *A;

static int setup(void **state)
{
	(void)state;
	struct eb_detail d;
	return areas_load("data/reference", &A, &d) == EB_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	areas_free(A);
	return 0;
}

/* Collects what a reader produced. */
struct collect {
	long rows, negative_new, negative_deaths, namibia, other;
	struct sitrep_row first_na, benin_neg, last;
	char rejects[4096];
	size_t rlen;
	int stop_after_rejects; /* 0: never stop */
	long nrejects;
};

static int on_row(void *ctx, const struct sitrep_row *row, struct eb_detail *d)
{
	(void)d;
	struct collect *c = ctx;
	c->rows++;
	if (row->flags & SITREP_F_NEGATIVE_NEW) {
		c->negative_new++;
		assert_true(row->new_confirmed.present && row->new_confirmed.value < 0);
		if (strcmp(row->area, "BJ") == 0 && strcmp(row->date, "2020-05-19") == 0)
			c->benin_neg = *row;
	}
	if (row->flags & SITREP_F_NEGATIVE_NEW_DEATHS)
		c->negative_deaths++;
	if (strcmp(row->area, "NA") == 0) {
		if (c->namibia++ == 0)
			c->first_na = *row;
	}
	if (strcmp(row->area, "XZ") == 0)
		c->other++;
	c->last = *row;
	return 0;
}

static int on_reject(void *ctx, long line, const struct eb_detail *why)
{
	struct collect *c = ctx;
	c->nrejects++;
	int n = snprintf(c->rejects + c->rlen, sizeof c->rejects - c->rlen,
			 "%ld %s|%s\n", line, why->field, why->msg);
	if (n > 0 && (size_t)n < sizeof c->rejects - c->rlen)
		c->rlen += (size_t)n;
	return c->stop_after_rejects && c->nrejects >= c->stop_after_rejects;
}

static enum eb_err read_str(const char *s, const struct areas *areas,
			    struct collect *c, struct sitrep_stats *st,
			    struct eb_detail *d)
{
	struct csv_reader *r = csv_open_mem(s, strlen(s), NULL);
	struct sitrep_sink sink = {on_row, on_reject, c};
	enum eb_err e = who_csv_read(r, areas, &sink, st, d);
	csv_free(r);
	return e;
}

static void test_real_file(void **state)
{
	(void)state;
	FILE *f = shared_open("data/covid19/who/WHO-COVID-19-global-data_2020-06-26.csv");
	struct csv_reader *r = csv_open_file(f, NULL);
	struct collect c = {0};
	struct sitrep_sink sink = {on_row, on_reject, &c};
	struct sitrep_stats st;
	struct eb_detail d;
	assert_int_equal(who_csv_read(r, A, &sink, &st, &d), EB_OK);
	csv_free(r);
	fclose(f);
	if (c.nrejects)
		fail_msg("rejects: %s", c.rejects);
	assert_int_equal(c.rows, 24318);
	assert_int_equal(st.rows, 24318);
	assert_int_equal(st.rejected, 0);
	/* the 31 negative New_cases corrections, kept and flagged */
	assert_int_equal(c.negative_new, 31);
	assert_int_equal(c.benin_neg.new_confirmed.value, -210);
	assert_int_equal(c.benin_neg.cum_confirmed.value, 129);
	assert_int_equal(c.benin_neg.line, 2365);
	assert_int_equal(c.first_na.line, 15273);
	assert_true(st.flagged >= 31);
	/* Namibia is "NA", never a missing value */
	assert_int_equal(c.namibia, 105);
	assert_string_equal(c.first_na.area, "NA");
	assert_string_equal(c.first_na.date, "2020-03-14");
	assert_true(c.first_na.cum_confirmed.present);

	assert_int_equal(c.first_na.cum_confirmed.value, 2);
	/* the Diamond Princess ("Other*") rows under XZ */
	assert_int_equal(c.other, 143);
	/* the last line of the file */
	assert_string_equal(c.last.area, "ZW");
	assert_string_equal(c.last.date, "2020-06-26");
	assert_int_equal(c.last.cum_confirmed.value, 551);
	assert_int_equal(c.last.cum_deaths.value, 6);
	assert_int_equal(c.last.line, 24319);
}

#define HDR "\xEF\xBB\xBF" "Date_reported,Country_code,Country,WHO_region,New_cases,Cumulative_cases,New_deaths,Cumulative_deaths\n"

static void test_malformed_rows(void **state)
{
	(void)state;
	const char *in = HDR
		"2020-03-14T00:00:00Z,NA,Namibia,AFRO,2,2,0,0\n"            /* 2 ok */
		"2020-03-14T00:00:00Z,QQ,Nowhere,AFRO,1,1,0,0\n"            /* 3 unknown code */
		"2020-02-30T00:00:00Z,NA,Namibia,AFRO,1,3,0,0\n"            /* 4 bad date */
		"2020-03-15T00:00:00Z,NA,Namibia,AFRO,1,-3,0,0\n"           /* 5 negative cumulative */
		"2020-03-16T00:00:00Z,NA,Namibia,AFRO,x1,3,0,0\n"           /* 6 not a number */
		"2020-03-17T00:00:00Z,NA,Nam\xE9\x62ia,AFRO,1,4,0,0\n"      /* 7 Latin-1 */
		"2020-03-18T00:00:00Z,NA,Namibia,AFRO,1,5,0\n"              /* 8 7 fields */
		"2020-03-19,NA,Namibia,AFRO,-1,4,0,0\n"                     /* 9 ok, flagged */
		"2020-03-20,NAM,Namibia,AFRO,0,4,0,0\n"                     /* 10 alpha-3 */
		"March 21,NA,Namibia,AFRO,0,4,0,0\n"                        /* 11 bad date */
		"2020-03-22,,Namibia,AFRO,0,4,0,0\n"                        /* 12 empty code */
		"2020-03-23,NA,Namibia,AFRO,0,4,0,99999999999\n"            /* 13 too large */
		"2020-03-24,NA,Namibia,AFRO,,,,\n"                          /* 14 no counts */
		"2020-03-25, Other,Other,,5,10,0,0\n";                      /* 15 ok, XZ */
	struct collect c = {0};
	struct sitrep_stats st;
	struct eb_detail d;
	assert_int_equal(read_str(in, A, &c, &st, &d), EB_OK);
	assert_int_equal(c.rows, 3);
	assert_int_equal(st.rejected, 11);
	assert_int_equal(c.negative_new, 1);
	assert_int_equal(c.other, 1);
	assert_string_equal(c.rejects,
		"3 Country_code|unknown country code 'QQ'\n"
		"4 Date_reported|Date_reported: '2020-02-30T00:00:00Z' is not a calendar date\n"
		"5 Cumulative_cases|negative cumulative count -3 in cum_confirmed (only new counts may be negative, as corrections)\n"
		"6 New_cases|New_cases: 'x1' is not a whole number\n"
		"7 column 3|invalid UTF-8 (byte 0xE9) in field 3\n"
		"8 |7 fields, the header has 8\n"
		"10 Country_code|Country_code 'NAM' is not an ISO 3166-1 alpha-2 code\n"
		"11 Date_reported|Date_reported: 'March 21' is not a date in the form YYYY-MM-DD\n"
		"12 Country_code|Country_code is empty\n"
		"13 Cumulative_deaths|Cumulative_deaths: count 99999999999 is larger than 10000000000\n"
		"14 |row has no count and no transmission class\n");
}

static void test_structure_errors(void **state)
{
	(void)state;
	struct collect c = {0};
	struct eb_detail d;
	/* a missing column is fatal and named */
	assert_int_equal(read_str("Date_reported,Country_code,New_cases\n2020-01-01,NA,1\n",
				  A, &c, NULL, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "no column Cumulative_cases"));
	assert_string_equal(d.field, "Cumulative_cases");
	assert_int_equal(c.rows, 0);
	/* empty input */
	assert_int_equal(read_str("", A, &c, NULL, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "empty"));
	/* an unterminated quote ends the file: rows before it were passed */
	memset(&c, 0, sizeof c);
	assert_int_equal(read_str(HDR "2020-03-14,NA,Namibia,AFRO,2,2,0,0\n"
				      "2020-03-15,NA,\"Namibia,AFRO,2,4,0,0\n"
				      "2020-03-16,NA,Namibia,AFRO,2,6,0,0\n",
				  A, &c, NULL, &d), EB_EINVAL);
	assert_int_equal(c.rows, 1);
	assert_string_equal(d.msg, "line 3: quoted field 3 opened at line 3 is not "
				   "closed before the end of the input");
	/* columns in another order, lower case, no Country/WHO_region */
	memset(&c, 0, sizeof c);
	assert_int_equal(read_str("cumulative_cases,new_cases,country_code,date_reported,"
				  "new_deaths,cumulative_deaths\r\n10,2,NA,2020-04-01,0,1\r\n",
				  A, &c, NULL, &d), EB_OK);
	assert_int_equal(c.rows, 1);
	assert_int_equal(c.last.cum_confirmed.value, 10);
	assert_int_equal(c.last.new_confirmed.value, 2);
	assert_int_equal(c.last.cum_deaths.value, 1);
	assert_string_equal(c.last.area, "NA");
}

static void test_sink_stops(void **state)
{
	(void)state;
	struct collect c = {0};
	c.stop_after_rejects = 1;
	struct eb_detail d;
	assert_int_equal(read_str(HDR "2020-03-14,QQ,X,AFRO,1,1,0,0\n"
				      "2020-03-15,NA,Namibia,AFRO,1,1,0,0\n",
				  A, &c, NULL, &d), EB_EINVAL);
	assert_int_equal(c.rows, 0);
	assert_string_equal(d.msg, "line 2: unknown country code 'QQ'");
	/* a row callback's error is returned as is */
	struct csv_reader *r = csv_open_mem(HDR "2020-03-15,NA,Namibia,AFRO,1,1,0,0\n",
					    sizeof(HDR) - 1 + 36, NULL);
	struct sitrep_sink sink = {0};
	assert_int_equal(who_csv_read(r, A, &sink, NULL, &d), EB_EINVAL);
	csv_free(r);
}

static int stop_row(void *ctx, const struct sitrep_row *row, struct eb_detail *d)
{
	(void)ctx;
	(void)row;
	return eb_fail(d, EB_EDB, NULL, "disk full");
}

static void test_row_callback_error(void **state)
{
	(void)state;
	const char *in = HDR "2020-03-15,NA,Namibia,AFRO,1,1,0,0\n";
	struct csv_reader *r = csv_open_mem(in, strlen(in), NULL);
	struct sitrep_sink sink = {stop_row, NULL, NULL};
	struct eb_detail d;
	assert_int_equal(who_csv_read(r, A, &sink, NULL, &d), EB_EDB);
	assert_string_equal(d.msg, "disk full");
	csv_free(r);
}

static void test_without_areas(void **state)
{
	(void)state;
	struct collect c = {0};
	struct eb_detail d;
	assert_int_equal(read_str(HDR "2020-03-14,qq,X,AFRO,1,1,0,0\n", NULL, &c, NULL, &d), EB_OK);
	assert_int_equal(c.rows, 1);
	assert_string_equal(c.last.area, "QQ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_file),
		cmocka_unit_test(test_malformed_rows),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_sink_stops),
		cmocka_unit_test(test_row_callback_error),
		cmocka_unit_test(test_without_areas),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
