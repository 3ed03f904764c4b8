/*
 * Tests of the HXL and mapped CSV readers and the HXL writer
 * (src/formats/hxl.c): hashtag rows first or second, tags in any case and
 * attribute order, area by code, alpha-3, numeric, name and subdivision,
 * every malformed row rejected with line and reason, mapping errors, and
 * the round trip real WHO file -> HXL export -> HXL import.
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
#include "formats/hxl.h"
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

struct collect {
	struct sitrep_row *rows;
	size_t n, cap;
	char rejects[4096];
	size_t rlen;
	long nrejects;
};

static int on_row(void *ctx, const struct sitrep_row *row, struct eb_detail *d)
{
	(void)d;
	struct collect *c = ctx;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->rows = realloc(c->rows, c->cap * sizeof *c->rows);
		assert_non_null(c->rows);
	}
	c->rows[c->n++] = *row;
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
	return 0;
}

static void collect_free(struct collect *c)
{
	free(c->rows);
	memset(c, 0, sizeof *c);
}

static enum eb_err hxl_str(const char *s, const char *mapping, struct collect *c,
			   struct eb_detail *d)
{
	struct csv_reader *r = csv_open_mem(s, strlen(s), NULL);
	struct sitrep_sink sink = {on_row, on_reject, c};
	enum eb_err e = mapping ? hxl_read_mapped(r, mapping, A, &sink, NULL, d)
				: hxl_read(r, A, &sink, NULL, d);
	csv_free(r);
	return e;
}

static void test_hashtag_second_row(void **state)
{
	(void)state;
	const char *in =
		"Country,Province,Date,New,Total,Deaths,Tested,Transmission,Note\n"
		"#country+code,#adm1+name,#date+reported,#affected+infected+new,"
		"#affected+infected+cumulative,#affected+killed,#affected+tested,"
		"#status+transmission,#meta+note\n"
		"CN,Hubei,2020-02-13,14840,48206,1310,,community,x\n"
		"NA,,2020-03-14T00:00:00Z,2,2,0,100,sporadic,\"a, b\"\n"
		",,,,,,,,\n"
		"NA,,2020-03-15,0,2\n";
	struct collect c = {0};
	struct eb_detail d;
	assert_int_equal(hxl_str(in, NULL, &c, &d), EB_OK);
	assert_string_equal(c.rejects, "");
	assert_int_equal(c.n, 3);
	struct sitrep_row *r = &c.rows[0];
	assert_string_equal(r->area, "CN-HB");
	assert_string_equal(r->date, "2020-02-13");
	assert_int_equal(r->new_confirmed.value, 14840);
	assert_int_equal(r->cum_confirmed.value, 48206);
	assert_int_equal(r->cum_deaths.value, 1310);
	assert_false(r->new_deaths.present);
	assert_false(r->tests.present);
	assert_int_equal(r->transmission, SITREP_TX_COMMUNITY);
	assert_int_equal(r->line, 3);
	r = &c.rows[1];
	assert_string_equal(r->area, "NA"); /* Namibia, not missing */
	assert_int_equal(r->tests.value, 100);
	assert_int_equal(r->transmission, SITREP_TX_SPORADIC);
	/* a short row: missing cells are empty; the blank line 5 is skipped */
	r = &c.rows[2];
	assert_int_equal(r->line, 6);
	assert_int_equal(r->cum_confirmed.value, 2);
	assert_false(r->cum_deaths.present);
	collect_free(&c);
}

static void test_hashtag_first_row_any_case(void **state)
{
	(void)state;
	const char *in =
		"#Country +Code,#DATE,#Affected +New +Infected, #affected+Cumulative +INFECTED ,"
		"#affected +deaths+new,#affected+suspected,#affected+recovered\n"
		"NAM,2020-04-01,1,16,0,3,4\n"
		"516,2020-04-02,0,16,,,\n"
		"Namibia,2020-04-03,0,16,,,\n"
		"cn-hb,2020-04-03,0,16,,,\n";
	struct collect c = {0};
	struct eb_detail d;
	assert_int_equal(hxl_str(in, NULL, &c, &d), EB_OK);
	assert_int_equal(c.n, 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(c.rows[i].area, "NA");
	assert_int_equal(c.rows[0].new_confirmed.value, 1);
	assert_int_equal(c.rows[0].cum_confirmed.value, 16);
	assert_int_equal(c.rows[0].new_deaths.value, 0);
	assert_int_equal(c.rows[0].suspected.value, 3);
	assert_int_equal(c.rows[0].recovered.value, 4);
	assert_int_equal(c.rows[0].line, 2);
	/* #country+code given a subdivision code */
	assert_string_equal(c.rejects,
		"5 #Country +Code|#Country +Code: 'cn-hb' is a subdivision, not a country\n");
	collect_free(&c);
}

static void test_country_name_and_adm1(void **state)
{
	(void)state;
	const char *in =
		"country,province,date,cases\n"
		"#country+name,#adm1+name,#date,#affected+infected\n"
		"China,Hubei,2020-02-01,100\n"
		"\"Korea, South\",,2020-02-01,5\n"
		"Australia,Hubei,2020-02-01,1\n"
		"China,Atlantis,2020-02-01,1\n"
		"China,CN-GD,2020-02-01,7\n";
	struct collect c = {0};
	struct eb_detail d;
	assert_int_equal(hxl_str(in, NULL, &c, &d), EB_OK);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.rows[0].area, "CN-HB");
	assert_int_equal(c.rows[0].cum_confirmed.value, 100);
	assert_string_equal(c.rows[1].area, "KR");
	assert_string_equal(c.rows[2].area, "CN-GD");
	assert_string_equal(c.rejects,
		"5 province|province: unknown subdivision 'Hubei' of AU\n"
		"6 province|province: unknown subdivision 'Atlantis' of CN\n");
	collect_free(&c);
}

#define HX "#country+code,#date,#affected+infected+new,#affected+infected+total,#affected+killed,#status+transmission\n"

static void test_malformed_rows(void **state)
{
	(void)state;
	const char *in = HX
		"NA,2020-03-14,2,2,0,\n"                 /* 2 ok */
		"QQ,2020-03-14,1,1,0,\n"                 /* 3 unknown code */
		"NA,2020-13-01,1,1,0,\n"                 /* 4 bad date */
		"NA,2020-03-15,1,-1,0,\n"                /* 5 negative cumulative */
		"NA,2020-03-16,12.5,1,0,\n"              /* 6 not whole */
		"NA,2020-03-17,1,1,0,often\n"            /* 7 transmission */
		"NA,2020-03-18,1,1,\xFF,\n"              /* 8 bad UTF-8 */
		"NA,2020-03-19,-3,4,0,no cases\n"        /* 9 ok, flagged */
		"NA,,1,1,0,\n"                           /* 10 no date */
		",2020-03-20,1,1,0,\n"                   /* 11 no area */
		"NA,2020-03-21,,,,\n";                   /* 12 no counts */
	struct collect c = {0};
	struct eb_detail d;
	assert_int_equal(hxl_str(in, NULL, &c, &d), EB_OK);
	assert_int_equal(c.n, 2);
	assert_true(c.rows[1].flags & SITREP_F_NEGATIVE_NEW);
	assert_int_equal(c.rows[1].transmission, SITREP_TX_NONE);
	assert_string_equal(c.rejects,
		"3 #country+code|#country+code: unknown country or area 'QQ'\n"
		"4 #date|#date: '2020-13-01' is not a calendar date\n"
		"5 #affected+infected+total|negative cumulative count -1 in cum_confirmed (only new counts may be negative, as corrections)\n"
		"6 #affected+infected+new|#affected+infected+new: '12.5' is not a whole number\n"
		"7 #status+transmission|#status+transmission: 'often' is not a transmission class (no cases, sporadic, clusters, community)\n"
		"8 column 5|invalid UTF-8 (byte 0xFF) in field 5\n"
		"10 #date|#date: date is missing\n"
		"11 |the area is empty\n"
		"12 |row has no count and no transmission class\n");
	collect_free(&c);
}

static void test_header_errors(void **state)
{
	(void)state;
	struct collect c = {0};
	struct eb_detail d;
	assert_int_equal(hxl_str("a,b\n1,2\n3,4\n", NULL, &c, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "no HXL hashtag row"));
	assert_int_equal(hxl_str("#country+code,#affected+infected\nNA,1\n", NULL, &c, &d), EB_EINVAL);
	assert_string_equal(d.msg, "line 1: the hashtag row has no date column (#date)");
	assert_int_equal(hxl_str("#date,#affected+infected\n2020-01-01,1\n", NULL, &c, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "no area column"));
	/* a cell without '#' makes it an ordinary row */
	assert_int_equal(hxl_str("#country+code,date\nNA,2020-01-01\n", NULL, &c, &d), EB_EINVAL);
	assert_int_equal(hxl_str("", NULL, &c, &d), EB_EINVAL);
	assert_int_equal(c.n, 0);
	/* structure broken after good rows */
	assert_int_equal(hxl_str(HX "NA,2020-03-14,2,2,0,\n\"NA,2020-03-15,2,2,0,\n", NULL, &c, &d), EB_EINVAL);
	assert_int_equal(c.n, 1);
	assert_non_null(strstr(d.msg, "line 3: quoted field 1 opened at line 3"));
	collect_free(&c);
}

static void test_hashtag_row_detection(void **state)
{
	(void)state;
	struct csv_field f[3] = {{"#country+code", 13}, {"", 0}, {" #date ", 7}};
	struct csv_row row = {3, f};
	assert_true(hxl_is_hashtag_row(&row));
	f[1] = (struct csv_field){"Date", 4};
	assert_false(hxl_is_hashtag_row(&row));
	f[0] = (struct csv_field){"#", 1};
	f[1] = (struct csv_field){"", 0};
	f[2] = (struct csv_field){"#1abc", 5};
	assert_false(hxl_is_hashtag_row(&row)); /* no valid hashtag */
}

#define WHO_MAP "area=Country_code,date=Date_reported,new_confirmed=New_cases," \
		"cum_confirmed=Cumulative_cases,new_deaths=New_deaths," \
		"cum_deaths=cumulative_deaths"

/* The real WHO file through a column mapping: Namibia's NA is a country;
 * WHO's "Other*" code is not an area outside the WHO reader. */
static void test_mapped_real_who(void **state)
{
	(void)state;
	FILE *f = shared_open("data/covid19/who/WHO-COVID-19-global-data_2020-06-26.csv");
	struct csv_reader *r = csv_open_file(f, NULL);
	struct collect c = {0};
	struct sitrep_sink sink = {on_row, on_reject, &c};
	struct sitrep_stats st;
	struct eb_detail d;
	assert_int_equal(hxl_read_mapped(r, WHO_MAP, A, &sink, &st, &d), EB_OK);
	csv_free(r);
	fclose(f);
	assert_int_equal(c.n, 24318 - 143);
	assert_int_equal(st.rejected, 143);
	assert_non_null(strstr(c.rejects, "Country_code: unknown country or area 'Other*'"));
	long na = 0, neg = 0;
	for (size_t i = 0; i < c.n; i++) {
		na += strcmp(c.rows[i].area, "NA") == 0;
		neg += (c.rows[i].flags & SITREP_F_NEGATIVE_NEW) != 0;
	}
	assert_int_equal(na, 105);
	assert_int_equal(neg, 31);
	collect_free(&c);
}

static void test_mapping_errors(void **state)
{
	(void)state;
	const char *in = "Code,Day,N\nNA,2020-01-01,1\n";
	struct collect c = {0};
	struct eb_detail d;
	assert_int_equal(hxl_str(in, "area=Code,date=Day,new_confirmed=N", &c, &d), EB_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.rows[0].new_confirmed.value, 1);
	/* spaces and case in the mapping; a row without counts is rejected */
	assert_int_equal(hxl_str(in, " area = code , DATE=day ", &c, &d), EB_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.rejects, "2 |row has no count and no transmission class\n");
	assert_int_equal(hxl_str(in, "area=Code,date=Day,cases=N", &c, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "mapping: unknown field 'cases'"));
	assert_string_equal(d.field, "map");
	assert_int_equal(hxl_str(in, "area=Code,date", &c, &d), EB_EINVAL);
	assert_string_equal(d.msg, "mapping: 'date' is not field=Column");
	assert_int_equal(hxl_str(in, "area=Code,date=Day,area=N", &c, &d), EB_EINVAL);
	assert_string_equal(d.msg, "mapping: field 'area' given twice");
	assert_int_equal(hxl_str(in, "area=Code,date=When", &c, &d), EB_EINVAL);
	assert_string_equal(d.msg, "mapping: no column 'When' in the header (line 1)");
	assert_int_equal(hxl_str(in, "area=Code,new_confirmed=N", &c, &d), EB_EINVAL);
	assert_string_equal(d.msg, "line 1: the mapping has no date column (#date)");
	collect_free(&c);
}

static void test_writer(void **state)
{
	(void)state;
	struct eb_buf b;
	eb_buf_init(&b, 1 << 20);
	assert_int_equal(hxl_write_header(&b), EB_OK);
	struct sitrep_row r;
	sitrep_row_init(&r);
	memcpy(r.area, "CN-HB", 6);
	memcpy(r.date, "2020-02-13", 11);
	r.new_confirmed = (struct sitrep_count){14840, true};
	r.cum_confirmed = (struct sitrep_count){48206, true};
	r.cum_deaths = (struct sitrep_count){1310, true};
	r.transmission = SITREP_TX_COMMUNITY;
	assert_int_equal(hxl_write_row(&b, &r), EB_OK);
	sitrep_row_init(&r);
	memcpy(r.area, "NA", 3);
	memcpy(r.date, "2020-03-14", 11);
	r.new_confirmed = (struct sitrep_count){-2, true};
	r.tests = (struct sitrep_count){0, true};
	assert_int_equal(hxl_write_row(&b, &r), EB_OK);
	assert_string_equal(b.data,
		"country_code,adm1_code,date,new_confirmed,cumulative_confirmed,new_deaths,"
		"cumulative_deaths,suspected,recovered,tests,transmission\r\n"
		"#country+code,#adm1+code,#date+reported,#affected+infected+new,"
		"#affected+infected+cumulative,#affected+killed+new,#affected+killed+cumulative,"
		"#affected+suspected,#affected+recovered,#affected+tested,#status+transmission\r\n"
		"CN,CN-HB,2020-02-13,14840,48206,,1310,,,,community\r\n"
		"NA,,2020-03-14,-2,,,,,,0,\r\n");
	/* and it reads back */
	struct collect c = {0};
	struct eb_detail d;
	assert_int_equal(hxl_str(b.data, NULL, &c, &d), EB_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.rows[0].area, "CN-HB");
	assert_int_equal(c.rows[0].transmission, SITREP_TX_COMMUNITY);
	assert_false(c.rows[0].new_deaths.present);
	assert_true(c.rows[1].tests.present);
	assert_int_equal(c.rows[1].tests.value, 0);
	collect_free(&c);
	eb_buf_free(&b);
	struct eb_buf small;
	eb_buf_init(&small, 16);
	assert_int_equal(hxl_write_header(&small), EB_ETOOBIG);
	eb_buf_free(&small);
}

static bool count_eq(const struct sitrep_count *a, const struct sitrep_count *b)
{
	return a->present == b->present && (!a->present || a->value == b->value);
}

/* WHO file -> rows -> HXL CSV -> rows: nothing changes. */
static void test_roundtrip_who(void **state)
{
	(void)state;
	FILE *f = shared_open("data/covid19/who/WHO-COVID-19-global-data_2020-06-26.csv");
	struct csv_reader *r = csv_open_file(f, NULL);
	struct collect a = {0}, b = {0};
	struct sitrep_sink sink = {on_row, on_reject, &a};
	struct eb_detail d;
	assert_int_equal(who_csv_read(r, A, &sink, NULL, &d), EB_OK);
	csv_free(r);
	fclose(f);
	struct eb_buf out;
	eb_buf_init(&out, 64u << 20);
	assert_int_equal(hxl_write_header(&out), EB_OK);
	for (size_t i = 0; i < a.n; i++)
		assert_int_equal(hxl_write_row(&out, &a.rows[i]), EB_OK);
	r = csv_open_mem(out.data, out.len, NULL);
	sink.ctx = &b;
	assert_int_equal(hxl_read(r, A, &sink, NULL, &d), EB_OK);
	csv_free(r);
	assert_string_equal(b.rejects, "");
	assert_int_equal(b.n, a.n);
	assert_int_equal(a.n, 24318);
	for (size_t i = 0; i < a.n; i++) {
		const struct sitrep_row *x = &a.rows[i], *y = &b.rows[i];
		assert_string_equal(x->area, y->area);
		assert_string_equal(x->date, y->date);
		assert_true(count_eq(&x->new_confirmed, &y->new_confirmed));
		assert_true(count_eq(&x->cum_confirmed, &y->cum_confirmed));
		assert_true(count_eq(&x->new_deaths, &y->new_deaths));
		assert_true(count_eq(&x->cum_deaths, &y->cum_deaths));
		assert_int_equal(x->flags, y->flags);
		assert_int_equal(y->line, (long)i + 3);
	}
	eb_buf_free(&out);
	collect_free(&a);
	collect_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashtag_second_row),
		cmocka_unit_test(test_hashtag_first_row_any_case),
		cmocka_unit_test(test_country_name_and_adm1),
		cmocka_unit_test(test_malformed_rows),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_hashtag_row_detection),
		cmocka_unit_test(test_mapped_real_who),
		cmocka_unit_test(test_mapping_errors),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_roundtrip_who),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
