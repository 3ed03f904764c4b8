/*
 * Tests of the area reference (src/formats/areas.c) against the committed
 * data/reference files and the real WHO and JHU files: codes, names in both
 * languages, WHO regions, population, every WHO and JHU spelling, the JHU
 * province mapping, malformed reference files and concurrent lookups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/areas.h"
#include "formats/csv.h"
#include "formats_testutil.h"

static struct areas *A;

static int setup(void **state)
{
	(void)state;
	struct eb_detail d = {{0}, {0}};
	enum eb_err e = areas_load("data/reference", &A, &d);
	if (e != EB_OK)
		fprintf(stderr, "areas_load: %s\n", d.msg);
	return e == EB_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	areas_free(A);
	return 0;
}

static void test_counts(void **state)
{
	(void)state;
	/* 249 ISO 3166-1 + XK + XZ, then 31 + 8 + 13 subdivisions */
	assert_int_equal(areas_count(A), 251 + 52);
	size_t nsub = 0;
	for (size_t i = 0; i < areas_count(A); i++) {
		const struct area *ar = areas_at(A, i);
		nsub += ar->subdivision;
		assert_true(ar->name_en[0] && ar->name_zh[0]);
	}
	assert_int_equal(nsub, 52);
	assert_null(areas_at(A, areas_count(A)));
}

static void test_namibia(void **state)
{
	(void)state;
	const struct area *na = areas_by_code(A, "NA");
	assert_non_null(na);
	assert_string_equal(na->name_en, "Namibia");
	assert_string_equal(na->name_zh, "纳米比亚");
	assert_string_equal(na->iso3, "NAM");
	assert_int_equal(na->numeric, 516);
	assert_string_equal(na->who_region, "AFRO");
	assert_true(na->population > 2000000 && na->population < 5000000);
	assert_true(na->population_year >= 2023);
	assert_ptr_equal(areas_by_iso3(A, "NAM"), na);
	assert_ptr_equal(areas_by_numeric(A, 516), na);
	assert_ptr_equal(areas_by_name(A, "namibia"), na);
	assert_ptr_equal(areas_by_code(A, "na"), na);
	assert_ptr_equal(areas_resolve(A, " NA "), na);
	assert_ptr_equal(areas_resolve(A, "516"), na);
	assert_ptr_equal(areas_resolve(A, "nam"), na);
}

static void test_special_areas(void **state)
{
	(void)state;
	const struct area *tw = areas_by_code(A, "TW");
	assert_non_null(tw);
	assert_string_equal(tw->name_zh, "中国台湾省");
	assert_string_equal(tw->who_region, "WPRO");
	/* absent from the World Bank: the JHU lookup's figure */
	assert_int_equal(tw->population, 23816775);
	assert_int_equal(tw->population_year, 2020);

	const struct area *xk = areas_by_code(A, "XK");
	assert_non_null(xk);
	assert_string_equal(xk->name_en, "Kosovo");
	assert_string_equal(xk->iso3, "XKX");
	assert_string_equal(xk->who_region, "EURO");
	assert_int_equal(xk->numeric, 0);
	assert_true(xk->population > 1000000);

	const struct area *xz = areas_by_code(A, "XZ");
	assert_non_null(xz);
	assert_string_equal(xz->name_en, "International conveyance");
	assert_string_equal(xz->who_region, "");

	const struct area *cn = areas_by_code(A, "CN");
	assert_string_equal(cn->name_zh, "中国");
	assert_true(cn->population > 1300000000);
	assert_string_equal(areas_by_code(A, "HK")->name_zh, "中国香港");
	assert_string_equal(areas_by_code(A, "AQ")->who_region, "");
	assert_int_equal(areas_by_code(A, "AQ")->population, -1);
	assert_string_equal(areas_by_code(A, "KP")->who_region, "SEARO");
	assert_string_equal(areas_by_code(A, "TM")->who_region, "EURO");
}

static void test_subdivisions(void **state)
{
	(void)state;
	const struct area *hb = areas_by_code(A, "CN-HB");
	assert_non_null(hb);
	assert_true(hb->subdivision);
	assert_string_equal(hb->iso2, "CN");
	assert_string_equal(hb->name_en, "Hubei");
	assert_string_equal(hb->name_zh, "湖北");
	assert_string_equal(hb->who_region, "WPRO");
	assert_int_equal(hb->population, 57752557);
	assert_ptr_equal(areas_by_subdivision_name(A, "CN", "hubei"), hb);
	assert_ptr_equal(areas_resolve(A, "cn-hb"), hb);
	assert_null(areas_by_subdivision_name(A, "AU", "Hubei"));
	assert_non_null(areas_by_code(A, "AU-NSW"));
	assert_non_null(areas_by_code(A, "CA-QC"));
	/* subdivisions are not countries */
	assert_null(areas_by_name(A, "Hubei"));
}

static void test_name_variants(void **state)
{
	(void)state;
	static const struct {
		const char *name, *code;
	} v[] = {
		{"Korea, South", "KR"}, {"Republic of Korea", "KR"},
		{"Korea, North", "KP"}, {"The United Kingdom", "GB"},
		{"United Kingdom", "GB"}, {"US", "US"},
		{"United States of America", "US"}, {"Taiwan*", "TW"},
		{"Burma", "MM"}, {"Viet Nam", "VN"}, {"Vietnam", "VN"},
		{"occupied Palestinian territory, including east Jerusalem", "PS"},
		{"West Bank and Gaza", "PS"}, {"Kosovo[1]", "XK"},
		{"Congo", "CG"}, {"Congo (Kinshasa)", "CD"},
		{"Congo (Brazzaville)", "CG"}, {"Côte d’Ivoire", "CI"},
		{"Cote d'Ivoire", "CI"}, {"Curacao", "CW"}, {"Curaçao", "CW"},
		{"Diamond Princess", "XZ"}, {"MS Zaandam", "XZ"},
		{"Falkland Islands (Malvinas) [2]", "FK"}, {"Czechia", "CZ"},
		{"Iran (Islamic Republic of)", "IR"}, {"Iran", "IR"},
		{"Holy See", "VA"}, {"Eswatini", "SZ"}, {"  china  ", "CN"},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		const struct area *ar = areas_by_name(A, v[i].name);
		if (!ar || strcmp(ar->code, v[i].code) != 0)
			fail_msg("name '%s': got %s, want %s", v[i].name,
				 ar ? ar->code : "NULL", v[i].code);
	}
	assert_null(areas_by_name(A, "Atlantis"));
	assert_null(areas_by_name(A, ""));
	assert_null(areas_by_name(A, NULL));
	assert_null(areas_resolve(A, "QQ"));
}

/* Every code of the WHO file is known, with WHO's own region. */
static void test_who_file_codes(void **state)
{
	(void)state;
	FILE *f = shared_open("data/covid19/who/WHO-COVID-19-global-data_2020-06-26.csv");
	struct csv_reader *r = csv_open_file(f, NULL);
	struct csv_row row;
	struct eb_detail d;
	assert_int_equal(csv_next(r, &row, &d), 1);
	long n = 0;
	while (csv_next(r, &row, &d) == 1) {
		const char *code = row.f[1].p;
		if (strcmp(code, "Other*") == 0)
			continue;
		const struct area *ar = areas_by_code(A, code);
		if (!ar)
			fail_msg("WHO code %s unknown", code);
		assert_string_equal(ar->who_region, row.f[3].p);
		const struct area *byname = areas_by_name(A, row.f[2].p);
		if (byname != ar)
			fail_msg("WHO name '%s' -> %s, want %s", row.f[2].p,
				 byname ? byname->code : "NULL", code);
		n++;
	}
	assert_int_equal(n, 24318 - 143);
	csv_free(r);
	fclose(f);
}

/* Every row of the JHU time series is in the lookup. */
static void test_jhu_lookup(void **state)
{
	(void)state;
	struct areas_jhu j;
	assert_true(areas_jhu_find(A, "Hubei", "China", &j));
	assert_int_equal(j.level, AREAS_JHU_SUBDIVISION);
	assert_string_equal(j.area->code, "CN");
	assert_string_equal(j.subdivision->code, "CN-HB");
	assert_true(areas_jhu_find(A, "Hong Kong", "China", &j));
	assert_int_equal(j.level, AREAS_JHU_COUNTRY);
	assert_string_equal(j.area->code, "HK");
	assert_true(areas_jhu_find(A, "", "Namibia", &j));
	assert_string_equal(j.area->code, "NA");
	assert_true(areas_jhu_find(A, "", "Summer Olympics 2020", &j));
	assert_null(j.area);
	assert_true(areas_jhu_find(A, "Channel Islands", "United Kingdom", &j));
	assert_int_equal(j.level, AREAS_JHU_PART);
	assert_string_equal(j.area->code, "GB");
	assert_true(areas_jhu_find(A, "Unknown", "China", &j));
	assert_int_equal(j.level, AREAS_JHU_PART);
	assert_true(areas_jhu_find(A, "", "Diamond Princess", &j));
	assert_string_equal(j.area->code, "XZ");
	assert_false(areas_jhu_find(A, "Atlantis", "China", &j));

	FILE *f = shared_open("data/covid19/jhu/time_series_covid19_confirmed_global.csv");
	struct csv_reader *r = csv_open_file(f, NULL);
	struct csv_row row;
	struct eb_detail d;
	assert_int_equal(csv_next(r, &row, &d), 1);
	long n = 0, none = 0;
	while (csv_next(r, &row, &d) == 1) {
		if (!areas_jhu_find(A, row.f[0].p, row.f[1].p, &j))
			fail_msg("JHU row '%s','%s' not in the lookup",
				 row.f[0].p, row.f[1].p);
		none += j.area == NULL;
		n++;
	}
	assert_int_equal(n, 289);
	assert_int_equal(none, 2); /* the two Olympics */
	csv_free(r);
	fclose(f);
}

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static void test_bad_reference(void **state)
{
	(void)state;
	struct areas *a = NULL;
	struct eb_detail d;
	assert_int_equal(areas_load("/nonexistent-dir", &a, &d), EB_ENOTFOUND);
	assert_null(a);
	assert_non_null(strstr(d.msg, "/nonexistent-dir/areas.csv"));

	char dir[] = "/tmp/eb-areas-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char p[256];
	snprintf(p, sizeof p, "%s/areas.csv", dir);
	write_file(p, "iso2,iso3,numeric,name_en,name_zh,who_region,population,population_year\n"
		      "NA,NAM,516,Namibia,纳米比亚,AFRO,3030131,2024\n"
		      "XX,XXX,999,Nowhere,无,MARS,1,2024\n");
	assert_int_equal(areas_load(dir, &a, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "areas.csv line 3"));
	assert_non_null(strstr(d.msg, "who_region"));
	write_file(p, "iso2,name_en\nNA,Namibia\n");
	assert_int_equal(areas_load(dir, &a, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "no column \"iso3\""));
	unlink(p);
	rmdir(dir);
}

static void *lookup_thread(void *arg)
{
	const struct areas *a = arg;
	long bad = 0;
	for (int i = 0; i < 20000; i++) {
		bad += areas_resolve(a, "Namibia") != areas_by_code(a, "NA");
		bad += areas_by_name(a, "Korea, South") != areas_by_code(a, "KR");
		struct areas_jhu j;
		bad += !areas_jhu_find(a, "Hubei", "China", &j);
	}
	return (void *)bad;
}

static void test_default_concurrent(void **state)
{
	(void)state;
	/* tests run from the repository root: ./data/reference is found */
	unsetenv("EB_DATA_DIR");
	struct eb_detail d;
	const struct areas *a = areas_default(&d);
	assert_non_null(a);
	assert_ptr_equal(areas_default(NULL), a);
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, lookup_thread, (void *)a), 0);
	for (int i = 0; i < 8; i++) {
		void *res;
		pthread_join(t[i], &res);
		assert_int_equal((long)res, 0);
	}
	areas_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_namibia),
		cmocka_unit_test(test_special_areas),
		cmocka_unit_test(test_subdivisions),
		cmocka_unit_test(test_name_variants),
		cmocka_unit_test(test_who_file_codes),
		cmocka_unit_test(test_jhu_lookup),
		cmocka_unit_test(test_bad_reference),
		cmocka_unit_test(test_default_concurrent),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
