/*
 * Tests of the RFC 4180 CSV reader and writer (src/formats/csv.c): the
 * quoting rules, line numbers, every limit and malformation with the line
 * and message a user sees, buffer boundaries (a round trip of a few
 * megabytes of random fields through memory and through a FILE), and the
 * real WHO and JHU files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/csv.h"
#include "formats_testutil.h"

/*
 * Parses all of in and renders it as text: each record as "[f1][f2]" + "\n"
 * with its start line "Lnn:" in front; each error as "!Lnn <code> <msg>\n".
 */
static char out[1 << 16];

static const char *parse_all(const char *in, size_t len,
			     const struct csv_limits *lim)
{
	struct csv_reader *r = csv_open_mem(in, len, lim);
	assert_non_null(r);
	struct csv_row row;
	struct eb_detail d;
	size_t o = 0;
	out[0] = '\0';
	for (int guard = 0; guard < 1000; guard++) {
		int rc = csv_next(r, &row, &d);
		if (rc == 0)
			break;
		if (rc < 0) {
			o += (size_t)snprintf(out + o, sizeof out - o,
					      "!L%ld %d %s\n", csv_line(r), rc,
					      d.msg);
			if (csv_fatal(r))
				break;
			continue;
		}
		o += (size_t)snprintf(out + o, sizeof out - o, "L%ld:",
				      csv_line(r));
		for (size_t i = 0; i < row.nfields; i++) {
			assert_int_equal(strlen(row.f[i].p), row.f[i].len);
			o += (size_t)snprintf(out + o, sizeof out - o, "[%s]",
					      row.f[i].p);
		}
		o += (size_t)snprintf(out + o, sizeof out - o, "\n");
	}
	csv_free(r);
	return out;
}

#define PARSE(s) parse_all((s), sizeof(s) - 1, NULL)

static void test_basic(void **state)
{
	(void)state;
	assert_string_equal(PARSE("a,b,c\n1,2,3\n"), "L1:[a][b][c]\nL2:[1][2][3]\n");
	/* last record without a line break, empty fields, trailing comma */
	assert_string_equal(PARSE("a,,c\n,\nx,"),
			    "L1:[a][][c]\nL2:[][]\nL3:[x][]\n");
	/* CRLF; a lone CR is data */
	assert_string_equal(PARSE("a,b\r\nc\rd,e\r\n"),
			    "L1:[a][b]\nL2:[c\rd][e]\n");
	/* empty lines are skipped, but count for line numbers */
	assert_string_equal(PARSE("a\n\n\r\nb\n"), "L1:[a]\nL4:[b]\n");
	assert_string_equal(PARSE(""), "");
	assert_string_equal(PARSE("\n\n"), "");
	/* a single empty quoted field is a record, not an empty line */
	assert_string_equal(PARSE("\"\"\n"), "L1:[]\n");
}

static void test_quotes(void **state)
{
	(void)state;
	assert_string_equal(PARSE("\"a,b\",\"say \"\"hi\"\"\",\"\"\n"),
			    "L1:[a,b][say \"hi\"][]\n");
	/* embedded line breaks: the record starts at line 1, the next at 4 */
	assert_string_equal(PARSE("\"x\ny\r\nz\",2\nnext,3\n"),
			    "L1:[x\ny\r\nz][2]\nL4:[next][3]\n");
	/* a quote inside an unquoted field is kept */
	assert_string_equal(PARSE("5'7\",b\"c\n"), "L1:[5'7\"][b\"c]\n");
	/* quoted field closed right at the end of input */
	assert_string_equal(PARSE("a,\"b\"\"\""), "L1:[a][b\"]\n");
	assert_string_equal(PARSE("\"\"\"\"\n"), "L1:[\"]\n");
}

static void test_bom(void **state)
{
	(void)state;
	assert_string_equal(PARSE("\xEF\xBB\xBF"
				  "Date,NA\n"),
			    "L1:[Date][NA]\n");
	/* only at the very start */
	assert_string_equal(PARSE("a\n\xEF\xBB\xBFx\n"),
			    "L1:[a]\nL2:[\xEF\xBB\xBFx]\n");
	assert_string_equal(PARSE("\xEF\xBB"), "!L1 -1 invalid UTF-8 (byte 0xEF) in field 1\n");
}

static void test_unterminated_quote(void **state)
{
	(void)state;
	const char *o = PARSE("a,b\nc,\"open\nmore\nlines\n");
	assert_string_equal(o, "L1:[a][b]\n!L2 -1 quoted field 2 opened at "
			       "line 2 is not closed before the end of the "
			       "input\n");
	/* fatal: further calls repeat the error */
	struct csv_reader *r = csv_open_mem("\"x", 2, NULL);
	struct csv_row row;
	struct eb_detail d;
	assert_int_equal(csv_next(r, &row, &d), EB_EINVAL);
	assert_true(csv_fatal(r));
	assert_int_equal(csv_next(r, &row, &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "not closed"));
	csv_free(r);
}

static void test_after_quote(void **state)
{
	(void)state;
	const char *o = PARSE("h1,h2\n\"ab\"c,d\nok,1\n");
	assert_string_equal(o, "L1:[h1][h2]\n!L2 -1 unexpected character after "
			       "the closing quote of field 1 (a quote inside a "
			       "quoted field must be doubled)\nL3:[ok][1]\n");
}

static void test_limits(void **state)
{
	(void)state;
	struct csv_limits lim = {.max_field = 4, .max_fields = 3, .max_record = 32};
	const char in[] = "ab,cd\n"
			  "abcde,x\n"          /* field too long */
			  "\"ab\"\"cd\",1\n"   /* 5 bytes unescaped: too long */
			  "\"ab\"\"c\",1\n"    /* 4 bytes: fits */
			  "1,2,3,4\n"          /* too many fields */
			  "1,2,3\n"
			  "0123,0123,0123,0123,0123,0123,0123,0123\n"
			  "end\n";
	const char *o = parse_all(in, sizeof in - 1, &lim);
	assert_string_equal(o,
			    "L1:[ab][cd]\n"
			    "!L2 -7 field 1 is longer than 4 bytes\n"
			    "!L3 -7 field 1 is longer than 4 bytes\n"
			    "L4:[ab\"c][1]\n"
			    "!L5 -7 more than 3 fields in one record\n"
			    "L6:[1][2][3]\n"
			    "!L7 -7 more than 3 fields in one record\n"
			    "L8:[end]\n");

	/* the field named in d->field */
	struct csv_reader *r = csv_open_mem("a,bbbbbbb\n", 10, &lim);
	struct csv_row row;
	struct eb_detail d;
	assert_int_equal(csv_next(r, &row, &d), EB_ETOOBIG);
	assert_string_equal(d.field, "column 2");
	assert_false(csv_fatal(r));
	assert_int_equal(csv_next(r, &row, &d), 0);
	csv_free(r);
}

/* A record longer than max_record spanning many buffer refills is skipped
 * without keeping it in memory, and reading resumes after it. */
static void test_long_record_skipped(void **state)
{
	(void)state;
	struct csv_limits lim = {.max_record = 1000};
	size_t n = 3 * 1024 * 1024;
	char *in = malloc(n + 64);
	assert_non_null(in);
	size_t o = 0;
	o += (size_t)snprintf(in + o, 64, "first\n\"");
	while (o < n) {
		in[o] = (o % 97) ? 'x' : '\n';
		o++;
	}
	o += (size_t)snprintf(in + o, 64, "\",y\nlast,1\n");
	const char *res = parse_all(in, o, &lim);
	assert_non_null(strstr(res, "L1:[first]\n!L2 -7 record is longer than 1000 bytes\n"));
	/* the last record's line: 2 + the line breaks inside the quoted field */
	long breaks = 0;
	for (size_t i = 0; i < o; i++)
		breaks += in[i] == '\n';
	char want[64];
	snprintf(want, sizeof want, "L%ld:[last][1]\n", breaks);
	assert_non_null(strstr(res, want));
	free(in);
}

static void test_utf8(void **state)
{
	(void)state;
	/* valid: 2, 3 and 4 byte sequences */
	assert_string_equal(PARSE("中国,Curaçao,\xF0\x9F\x98\x80\n"),
			    "L1:[中国][Curaçao][\xF0\x9F\x98\x80]\n");
	assert_string_equal(PARSE("ok\nbad\xC0\x80,x\nok2\n"),
			    "L1:[ok]\n!L2 -1 invalid UTF-8 (byte 0xC0) in field 1\nL3:[ok2]\n");
	/* surrogate half, over U+10FFFF, stray continuation byte */
	assert_string_equal(PARSE("a,\xED\xA0\x80\n"),
			    "!L1 -1 invalid UTF-8 (byte 0xED) in field 2\n");
	assert_string_equal(PARSE("\xF4\x90\x80\x80\n"),
			    "!L1 -1 invalid UTF-8 (byte 0xF4) in field 1\n");
	assert_string_equal(PARSE("\x80\n"),
			    "!L1 -1 invalid UTF-8 (byte 0x80) in field 1\n");
	/* Latin-1 inside a quoted field on its third line: that line reported */
	assert_string_equal(PARSE("\"a\nb\nS\xE3o Paulo\",1\nz\n"),
			    "!L3 -1 invalid UTF-8 (byte 0xE3) in field 1\nL4:[z]\n");
	/* truncated at the end of input */
	assert_string_equal(PARSE("x,\xE4\xB8"),
			    "!L1 -1 invalid UTF-8 (byte 0xE4) in field 2\n");
	/* NUL byte */
	assert_string_equal(parse_all("a\0b\nc\n", 6, NULL),
			    "!L1 -1 NUL byte in field 1\nL2:[c]\n");
}

/* Random fields written by csv_write_field and read back, through memory
 * and through a FILE, across many buffer refills. */
static void test_roundtrip_random(void **state)
{
	(void)state;
	static const char *const pieces[] = {
		"a", "bc", ",", "\"", "\n", "\r\n", " ", "中", "é", "NA", "", "0",
		"\xF0\x9F\x98\x80", "x\"y"};
	const size_t np = sizeof pieces / sizeof pieces[0];
	struct eb_buf b;
	eb_buf_init(&b, 64u << 20);
	unsigned seed = 12345;
	size_t nrec = 60000, nfmax = 9;
	/* remember the expected fields as one string per record, '\x1f'-joined */
	struct eb_buf want;
	eb_buf_init(&want, 64u << 20);
	char field[256];
	for (size_t i = 0; i < nrec; i++) {
		seed = seed * 1103515245u + 12345u;
		size_t nf = 1 + (seed >> 16) % nfmax;
		for (size_t j = 0; j < nf; j++) {
			size_t fl = 0;
			seed = seed * 1103515245u + 12345u;
			size_t k = (seed >> 16) % 6;
			for (size_t m = 0; m < k; m++) {
				seed = seed * 1103515245u + 12345u;
				const char *p = pieces[(seed >> 16) % np];
				size_t pl = strlen(p);
				memcpy(field + fl, p, pl);
				fl += pl;
			}
			assert_int_equal(csv_write_field(&b, j == 0, field, fl), EB_OK);
			assert_int_equal(eb_buf_add(&want, field, fl), EB_OK);
			assert_int_equal(eb_buf_addc(&want, j + 1 < nf ? '\x1f' : '\x1e'), EB_OK);
		}
		assert_int_equal(csv_write_end(&b), EB_OK);
	}
	assert_true(b.len > 600000);

	for (int mode = 0; mode < 2; mode++) {
		FILE *f = NULL;
		struct csv_reader *r;
		if (mode == 0) {
			r = csv_open_mem(b.data, b.len, NULL);
		} else {
			f = fmemopen(b.data, b.len, "rb");
			assert_non_null(f);
			r = csv_open_file(f, NULL);
		}
		assert_non_null(r);
		struct csv_row row;
		struct eb_detail d;
		size_t got = 0, wpos = 0;
		int rc;
		while ((rc = csv_next(r, &row, &d)) == 1) {
			for (size_t j = 0; j < row.nfields; j++) {
				const struct csv_field *fl = &row.f[j];
				assert_true(wpos + fl->len < want.len);
				assert_memory_equal(want.data + wpos, fl->p, fl->len);
				wpos += fl->len;
				assert_int_equal(want.data[wpos],
						 j + 1 < row.nfields ? '\x1f' : '\x1e');
				wpos++;
			}
			got++;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(got, nrec);
		assert_int_equal(wpos, want.len);
		csv_free(r);
		if (f)
			fclose(f);
	}
	eb_buf_free(&b);
	eb_buf_free(&want);
}

static void test_writer(void **state)
{
	(void)state;
	struct eb_buf b;
	eb_buf_init(&b, 1024);
	assert_int_equal(csv_write_field(&b, true, "plain", 5), EB_OK);
	assert_int_equal(csv_write_field(&b, false, "a,b", 3), EB_OK);
	assert_int_equal(csv_write_field(&b, false, "say \"hi\"", 8), EB_OK);
	assert_int_equal(csv_write_field(&b, false, "", 0), EB_OK);
	assert_int_equal(csv_write_field(&b, false, " pad", 4), EB_OK);
	assert_int_equal(csv_write_field(&b, false, "l1\nl2", 5), EB_OK);
	assert_int_equal(csv_write_end(&b), EB_OK);
	assert_int_equal(csv_write_field(&b, true, "", 0), EB_OK);
	assert_int_equal(csv_write_field(&b, false, "", 0), EB_OK);
	assert_int_equal(csv_write_end(&b), EB_OK);
	assert_string_equal(b.data, "plain,\"a,b\",\"say \"\"hi\"\"\",,\" pad\",\"l1\nl2\"\r\n\"\",\r\n");
	/* the buffer's limit is reported */
	struct eb_buf s;
	eb_buf_init(&s, 4);
	assert_int_equal(csv_write_field(&s, true, "abcdef", 6), EB_ETOOBIG);
	eb_buf_free(&s);
	eb_buf_free(&b);
}

/* The real WHO file: BOM, 24,318 data records of 8 fields, Namibia's "NA"
 * kept as text, quoted names with commas. */
static void test_real_who(void **state)
{
	(void)state;
	FILE *f = shared_open("data/covid19/who/WHO-COVID-19-global-data_2020-06-26.csv");
	struct csv_reader *r = csv_open_file(f, NULL);
	struct csv_row row;
	struct eb_detail d;
	assert_int_equal(csv_next(r, &row, &d), 1);
	assert_int_equal(row.nfields, 8);
	assert_string_equal(row.f[0].p, "Date_reported");
	long n = 0, na = 0, ps = 0;
	int rc;
	while ((rc = csv_next(r, &row, &d)) == 1) {
		assert_int_equal(row.nfields, 8);
		n++;
		if (strcmp(row.f[1].p, "NA") == 0) {
			assert_string_equal(row.f[2].p, "Namibia");
			na++;
		}
		if (strcmp(row.f[1].p, "PS") == 0) {
			assert_string_equal(row.f[2].p, "occupied Palestinian territory, including east Jerusalem");
			ps++;
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 24318);
	assert_int_equal(csv_line(r), 24319); /* last line, no final line break */
	assert_true(na > 90);
	assert_true(ps > 90);
	csv_free(r);
	fclose(f);
}

/* The real JHU file: 290 records of 4 + 1143 fields. */
static void test_real_jhu(void **state)
{
	(void)state;
	FILE *f = shared_open("data/covid19/jhu/time_series_covid19_confirmed_global.csv");
	struct csv_reader *r = csv_open_file(f, NULL);
	struct csv_row row;
	struct eb_detail d;
	long n = 0;
	int rc;
	while ((rc = csv_next(r, &row, &d)) == 1) {
		assert_int_equal(row.nfields, 1147);
		n++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 290);
	csv_free(r);
	fclose(f);
	/* with a field limit lower than the width, every record is refused */
	f = shared_open("data/covid19/jhu/time_series_covid19_confirmed_global.csv");
	struct csv_limits lim = {.max_fields = 1000};
	r = csv_open_file(f, &lim);
	rc = csv_next(r, &row, &d);
	assert_int_equal(rc, EB_ETOOBIG);
	assert_string_equal(d.msg, "more than 1000 fields in one record");
	assert_int_equal(csv_line(r), 1);
	rc = csv_next(r, &row, &d);
	assert_int_equal(rc, EB_ETOOBIG);
	assert_int_equal(csv_line(r), 2);
	csv_free(r);
	fclose(f);
}

static void test_null_safe(void **state)
{
	(void)state;
	csv_free(NULL);
	assert_null(csv_open_file(NULL, NULL));
	assert_int_equal(csv_line(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_after_quote),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_long_record_skipped),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_roundtrip_random),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_real_who),
		cmocka_unit_test(test_real_jhu),
		cmocka_unit_test(test_null_safe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
