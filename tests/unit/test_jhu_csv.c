/*
 * Tests of the JHU CSSE time series reader (src/formats/jhu_csv.c) on the
 * real confirmed and deaths files (row count, derived new counts equal to
 * the day's difference, province sums into China, Australia and Canada,
 * the Hubei subdivision, negative back-revisions flagged, the rows that
 * cannot be imported) and on small malformed inputs.  Expected values are
 * computed here from the raw files, independently of the reader.
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
#include "formats/jhu_csv.h"
#include "formats_testutil.h"

#define CONF "data/covid19/jhu/time_series_covid19_confirmed_global.csv"
#define DEATHS "data/covid19/jhu/time_series_covid19_deaths_global.csv"

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

/* Rows of interest, captured by (area, date). */
#define W(a, dt) {.area = (a), .date = (dt)}
struct want {
	const char *area, *date;
	struct sitrep_row got;
	int seen;
};

struct collect {
	long rows, negative_new, negative_new_wrongly_flagged, first_day_with_new;
	long summed_cn, per_area_rows_hb;
	struct want *w;
	size_t nw;
	char rejects[4096];
	size_t rlen;
};

static int on_row(void *ctx, const struct sitrep_row *row, struct eb_detail *d)
{
	(void)d;
	struct collect *c = ctx;
	c->rows++;
	bool neg = row->new_confirmed.present && row->new_confirmed.value < 0;
	if (neg)
		c->negative_new++;
	if (neg != !!(row->flags & SITREP_F_NEGATIVE_NEW))
		c->negative_new_wrongly_flagged++;
	if (strcmp(row->date, "2020-01-22") == 0 &&
	    (row->new_confirmed.present || row->new_deaths.present))
		c->first_day_with_new++;
	if (strcmp(row->area, "CN") == 0 && (row->flags & SITREP_F_SUMMED))
		c->summed_cn++;
	if (strcmp(row->area, "CN-HB") == 0)
		c->per_area_rows_hb++;
	for (size_t i = 0; i < c->nw; i++) {
		if (strcmp(c->w[i].area, row->area) == 0 &&
		    strcmp(c->w[i].date, row->date) == 0) {
			c->w[i].got = *row;
			c->w[i].seen++;
		}
	}
	return 0;
}

static int on_reject(void *ctx, long line, const struct eb_detail *why)
{
	struct collect *c = ctx;
	int n = snprintf(c->rejects + c->rlen, sizeof c->rejects - c->rlen,
			 "%ld %s|%s\n", line, why->field, why->msg);
	if (n > 0 && (size_t)n < sizeof c->rejects - c->rlen)
		c->rlen += (size_t)n;
	return 0;
}

/* The raw file, parsed plainly: the cell of (province, country) at the
 * column whose header is date_hdr; sum over a country when province is
 * NULL (skipping the provinces listed in except). */
static long long raw_cell(const char *file, const char *province,
			  const char *country, const char *date_hdr,
			  const char *const *except)
{
	FILE *f = shared_open(file);
	struct csv_reader *r = csv_open_file(f, NULL);
	struct csv_row row;
	struct eb_detail d;
	assert_int_equal(csv_next(r, &row, &d), 1);
	size_t col = 0;
	for (size_t i = 4; i < row.nfields; i++)
		if (strcmp(row.f[i].p, date_hdr) == 0)
			col = i;
	assert_true(col > 0);
	long long sum = 0;
	int found = 0;
	while (csv_next(r, &row, &d) == 1) {
		if (strcmp(row.f[1].p, country) != 0)
			continue;
		if (province && strcmp(row.f[0].p, province) != 0)
			continue;
		bool skip = false;
		for (size_t k = 0; except && except[k]; k++)
			skip |= strcmp(row.f[0].p, except[k]) == 0;
		if (skip)
			continue;
		sum += strtoll(row.f[col].p, NULL, 10);
		found++;
	}
	assert_true(found > 0);
	csv_free(r);
	fclose(f);
	return sum;
}

static void test_real_files(void **state)
{
	(void)state;
	struct want w[] = {
		W("CN-HB", "2020-02-13"), W("CN", "2020-02-13"),
		W("AU", "2023-03-09"),    W("CA", "2021-06-30"),
		W("NA", "2021-01-05"),    W("HK", "2020-03-01"),
		W("FR", "2020-04-04"),    W("CN-HB", "2020-01-22"),
		W("XZ", "2020-04-01"),    W("GB", "2020-12-31"),
	};
	struct collect c = {0};
	c.w = w;
	c.nw = sizeof w / sizeof w[0];
	FILE *fc = shared_open(CONF), *fd = shared_open(DEATHS);
	struct csv_reader *rc = csv_open_file(fc, NULL), *rd = csv_open_file(fd, NULL);
	struct sitrep_sink sink = {on_row, on_reject, &c};
	struct sitrep_stats st;
	struct eb_detail d;
	assert_int_equal(jhu_csv_read(rc, rd, A, &sink, &st, &d), EB_OK);
	csv_free(rc);
	csv_free(rd);
	fclose(fc);
	fclose(fd);

	/* 289 rows - 2 Olympics - Channel Islands = 286 used: 52 subdivisions,
	 * 4 uncoded parts (Unknown in China; Diamond Princess, Grand Princess
	 * and Repatriated Travellers in Canada), 230 whole-area rows for 229
	 * areas (XZ has two); plus CN, AU and CA summed: 284 series of 1,143
	 * days */
	assert_int_equal(c.rows, 284L * 1143);
	assert_int_equal(st.rows, c.rows);
	assert_string_equal(c.rejects,
		"246 Country|'Summer Olympics 2020' is not a country, territory or subdivision; row not imported\n"
		"287 Country|'Winter Olympics 2022' is not a country, territory or subdivision; row not imported\n"
		"270 Province|province 'Channel Islands' of United Kingdom has no subdivision code and GB has a row of its own; row not imported\n");
	for (size_t i = 0; i < c.nw; i++)
		if (w[i].seen != 1)
			fail_msg("%s %s seen %d times", w[i].area, w[i].date, w[i].seen);

	/* derived new counts are the day's difference */
	const struct sitrep_row *hb = &w[0].got;
	long long hb13 = raw_cell(CONF, "Hubei", "China", "2/13/2020", NULL);
	long long hb12 = raw_cell(CONF, "Hubei", "China", "2/12/2020", NULL);
	assert_int_equal(hb->cum_confirmed.value, hb13);
	assert_true(hb->new_confirmed.present);
	assert_int_equal(hb->new_confirmed.value, hb13 - hb12);
	assert_int_equal(hb->new_confirmed.value, 14840);
	long long hbd13 = raw_cell(DEATHS, "Hubei", "China", "2/13/2020", NULL);
	long long hbd12 = raw_cell(DEATHS, "Hubei", "China", "2/12/2020", NULL);
	assert_int_equal(hb->cum_deaths.value, hbd13);
	assert_int_equal(hb->new_deaths.value, hbd13 - hbd12);
	assert_true(hb->flags & SITREP_F_DERIVED_NEW);
	assert_false(hb->flags & SITREP_F_SUMMED);
	assert_int_equal(hb->line, 74);
	/* the first day has no new count */
	assert_true(w[7].got.cum_confirmed.present);
	assert_false(w[7].got.new_confirmed.present);
	assert_int_equal(c.first_day_with_new, 0);
	assert_int_equal(c.per_area_rows_hb, 1143);

	/* China = its provinces (and "Unknown"), without Hong Kong and Macau,
	 * which are areas of their own */
	static const char *const not_cn[] = {"Hong Kong", "Macau", NULL};
	const struct sitrep_row *cn = &w[1].got;
	long long cn13 = raw_cell(CONF, NULL, "China", "2/13/2020", not_cn);
	long long cn12 = raw_cell(CONF, NULL, "China", "2/12/2020", not_cn);
	assert_int_equal(cn->cum_confirmed.value, cn13);
	assert_int_equal(cn->new_confirmed.value, cn13 - cn12);
	assert_int_equal(cn->cum_deaths.value,
			 raw_cell(DEATHS, NULL, "China", "2/13/2020", not_cn));
	assert_true(cn->flags & SITREP_F_SUMMED);
	assert_int_equal(c.summed_cn, 1143);
	assert_int_equal(w[5].got.cum_confirmed.value,
			 raw_cell(CONF, "Hong Kong", "China", "3/1/2020", NULL));
	/* Australia and Canada (with its cruise-ship and repatriation rows) */
	assert_int_equal(w[2].got.cum_confirmed.value,
			 raw_cell(CONF, NULL, "Australia", "3/9/2023", NULL));
	assert_int_equal(w[3].got.cum_confirmed.value,
			 raw_cell(CONF, NULL, "Canada", "6/30/2021", NULL));
	/* Namibia from its country row, not summed */
	assert_int_equal(w[4].got.cum_confirmed.value,
			 raw_cell(CONF, "", "Namibia", "1/5/2021", NULL));
	assert_false(w[4].got.flags & SITREP_F_SUMMED);
	/* the UK's own row only (its territories are areas of their own) */
	assert_int_equal(w[9].got.cum_confirmed.value,
			 raw_cell(CONF, "", "United Kingdom", "12/31/2020", NULL));
	/* the Diamond Princess and MS Zaandam under XZ */
	assert_int_equal(w[8].got.cum_confirmed.value,
			 raw_cell(CONF, "", "Diamond Princess", "4/1/2020", NULL) +
			 raw_cell(CONF, "", "MS Zaandam", "4/1/2020", NULL));

	/* France's back-revision of 4 April 2020, kept and flagged */
	assert_int_equal(w[6].got.new_confirmed.value, -17105);
	assert_true(w[6].got.flags & SITREP_F_NEGATIVE_NEW);
	assert_true(c.negative_new > 100);
	assert_int_equal(c.negative_new_wrongly_flagged, 0);
	assert_int_equal(st.flagged >= c.negative_new, 1);
}

static void test_confirmed_only(void **state)
{
	(void)state;
	struct want w[] = {W("CN-HB", "2020-02-13")};
	struct collect c = {0};
	c.w = w;
	c.nw = 1;
	FILE *fc = shared_open(CONF);
	struct csv_reader *rc = csv_open_file(fc, NULL);
	struct sitrep_sink sink = {on_row, on_reject, &c};
	struct eb_detail d;
	assert_int_equal(jhu_csv_read(rc, NULL, A, &sink, NULL, &d), EB_OK);
	csv_free(rc);
	fclose(fc);
	assert_int_equal(c.rows, 284L * 1143);
	assert_true(w[0].got.cum_confirmed.present);
	assert_false(w[0].got.cum_deaths.present);
	assert_false(w[0].got.new_deaths.present);
}

static enum eb_err read_strs(const char *conf, const char *deaths,
			     struct collect *c, struct sitrep_stats *st,
			     struct eb_detail *d)
{
	struct csv_reader *rc = csv_open_mem(conf, strlen(conf), NULL);
	struct csv_reader *rd = deaths ? csv_open_mem(deaths, strlen(deaths), NULL) : NULL;
	struct sitrep_sink sink = {on_row, on_reject, c};
	enum eb_err e = jhu_csv_read(rc, rd, A, &sink, st, d);
	csv_free(rc);
	csv_free(rd);
	return e;
}

#define H3 "Province/State,Country/Region,Lat,Long,1/22/20,1/23/20,1/24/20\n"

static void test_small_sum_and_rejects(void **state)
{
	(void)state;
	struct want w[] = {
		W("CN", "2020-01-23"), W("CN", "2020-01-24"),
		W("CN-HB", "2020-01-24"), W("CN-BJ", "2020-01-23"),
		W("NA", "2020-01-24"), W("NA", "2020-01-23"),
	};
	struct collect c = {0};
	c.w = w;
	c.nw = sizeof w / sizeof w[0];
	const char *conf = H3
		"Hubei,China,30.9,112.2,444,444,549\n"          /* 2 */
		"Beijing,China,40.1,116.4,14,22,36\n"           /* 3 */
		",Namibia,-22.9,18.4,0,abc,3\n"                 /* 4 bad cell */
		",Atlantis,0,0,1,2,3\n"                         /* 5 unknown */
		",Germany,51,9,1,-5,3\n"                        /* 6 negative cum */
		",France,46,2,1,2\n"                            /* 7 short row */
		"Hubei,China,30.9,112.2,1,1,1\n";               /* 8 duplicate */
	struct sitrep_stats st;
	struct eb_detail d;
	assert_int_equal(read_strs(conf, NULL, &c, &st, &d), EB_OK);
	assert_string_equal(c.rejects,
		"4 2020-01-23|2020-01-23: 'abc' is not a whole number\n"
		"5 Country|'Atlantis' is not in the JHU lookup table (data/reference/jhu_lookup.csv)\n"
		"6 2020-01-23|negative cumulative count -5 on 2020-01-23\n"
		"7 |6 fields, the header has 7\n"
		"8 |'Hubei, China' appears twice; the second row is ignored\n");
	/* CN = Hubei + Beijing, day by day */
	assert_int_equal(w[0].got.cum_confirmed.value, 444 + 22);
	assert_int_equal(w[0].got.new_confirmed.value, 8);
	assert_int_equal(w[1].got.cum_confirmed.value, 549 + 36);
	assert_int_equal(w[1].got.new_confirmed.value, 105 + 14);
	assert_true(w[1].got.flags & SITREP_F_SUMMED);
	assert_int_equal(w[2].got.new_confirmed.value, 105);
	assert_int_equal(w[3].got.cum_confirmed.value, 22);
	assert_int_equal(w[3].got.line, 3);
	/* Namibia: the bad cell is missing, so the next day has no new count */
	assert_int_equal(w[5].seen, 0);
	assert_int_equal(w[4].got.cum_confirmed.value, 3);
	assert_false(w[4].got.new_confirmed.present);
	/* CN 3 days + CN-HB 3 + CN-BJ 3 + NA 2 + DE 2 */
	assert_int_equal(c.rows, 13);
	assert_int_equal(st.rejected, 5);
}

static void test_deaths_join(void **state)
{
	(void)state;
	struct want w[] = {W("NA", "2020-01-24"), W("DE", "2020-01-24")};
	struct collect c = {0};
	c.w = w;
	c.nw = 2;
	const char *conf = H3 ",Namibia,0,0,1,2,3\n,Germany,0,0,5,6,7\n";
	/* another order; an extra row; Germany's deaths missing */
	const char *deaths = H3 ",Atlantis,0,0,0,0,0\n,Namibia,0,0,0,1,1\n";
	struct eb_detail d;
	assert_int_equal(read_strs(conf, deaths, &c, NULL, &d), EB_OK);
	assert_string_equal(c.rejects,
		"2 |deaths file: 'Atlantis' has no usable row in the confirmed file\n");
	assert_int_equal(w[0].got.cum_deaths.value, 1);
	assert_int_equal(w[0].got.new_deaths.value, 0);
	assert_true(w[1].got.cum_confirmed.present);
	assert_false(w[1].got.cum_deaths.present);
}

static void test_structure_errors(void **state)
{
	(void)state;
	struct collect c = {0};
	struct eb_detail d;
	assert_int_equal(read_strs("Date,Country,New\n2020-01-01,NA,1\n", NULL, &c, NULL, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "not the JHU CSSE time series layout"));
	assert_int_equal(read_strs("Province,Country,Lat,Lon,1/22/2020,1/24/2020\n", NULL, &c, NULL, &d), EB_EINVAL);
	assert_string_equal(d.msg, "confirmed file line 1, column 6: dates must be consecutive days ('1/24/2020' does not follow the previous column)");
	assert_int_equal(read_strs("Province,Country,Lat,Lon,13/1/2020\n", NULL, &c, NULL, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "'13/1/2020' is not a date M/D/YYYY"));
	assert_int_equal(read_strs("", NULL, &c, NULL, &d), EB_EINVAL);
	/* the deaths file must cover the same days */
	assert_int_equal(read_strs(H3 ",Namibia,0,0,1,2,3\n",
				   "Province,Country,Lat,Lon,1/23/2020,1/24/2020,1/25/2020\n",
				   &c, NULL, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "deaths file line 1: its dates differ"));
	/* an unterminated quote */
	assert_int_equal(read_strs(H3 "\"Hubei,China,0,0,1,2,3\n", NULL, &c, NULL, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "line 2: quoted field 1 opened at line 2 is not closed"));
	/* no area reference */
	struct csv_reader *r = csv_open_mem(H3, strlen(H3), NULL);
	struct sitrep_sink sink = {on_row, on_reject, &c};
	assert_int_equal(jhu_csv_read(r, NULL, NULL, &sink, NULL, &d), EB_EINVAL);
	csv_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_files),
		cmocka_unit_test(test_confirmed_only),
		cmocka_unit_test(test_small_sum_and_rejects),
		cmocka_unit_test(test_deaths_join),
		cmocka_unit_test(test_structure_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
