/*
 * Unit tests for src/base: buffers, dates and times, UTF-8, checked number
 * parsing and JSON input checking.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "base/buf.h"
#include "base/jcheck.h"
#include "base/util.h"

static void buf_respects_limit(void **state)
{
	(void)state;
	struct eb_buf b;
	eb_buf_init(&b, 10);
	assert_int_equal(eb_buf_adds(&b, "12345"), EB_OK);
	assert_int_equal(eb_buf_printf(&b, "%d", 6789), EB_OK);
	assert_string_equal(b.data, "123456789");
	assert_int_equal(eb_buf_adds(&b, "ab"), EB_ETOOBIG);
	assert_string_equal(b.data, "123456789"); /* unchanged on failure */
	assert_int_equal(eb_buf_addc(&b, 'x'), EB_OK);
	assert_int_equal(b.len, 10);
	eb_buf_free(&b);
	eb_buf_free(&b); /* twice is fine */
}

static void dates_round_trip_and_reject(void **state)
{
	(void)state;
	int32_t d;
	char out[11];
	assert_int_equal(eb_date_parse("2020-02-29", &d), EB_OK);
	eb_date_fmt(d, out);
	assert_string_equal(out, "2020-02-29");
	assert_int_equal(eb_date_parse("1970-01-01", &d), EB_OK);
	assert_int_equal(d, 0);
	assert_int_equal(eb_date_parse("2019-02-29", &d), EB_EINVAL);
	assert_int_equal(eb_date_parse("2020-13-01", &d), EB_EINVAL);
	assert_int_equal(eb_date_parse("2020-1-01", &d), EB_EINVAL);
	assert_int_equal(eb_date_parse("1899-12-31", &d), EB_EINVAL);
	assert_int_equal(eb_date_parse("2020-01-01x", &d), EB_EINVAL);
	assert_true(eb_date_valid("2100-02-28"));
	assert_false(eb_date_valid("2100-02-29"));
}

static void times_parse_with_zones(void **state)
{
	(void)state;
	int64_t ms;
	char out[32];
	assert_int_equal(eb_parse_time("2020-02-27T08:00:00Z", &ms), EB_OK);
	eb_fmt_time(ms, out);
	assert_string_equal(out, "2020-02-27T08:00:00.000Z");
	int64_t ms2;
	assert_int_equal(eb_parse_time("2020-02-27T16:00:00+08:00", &ms2), EB_OK);
	assert_true(ms == ms2);
	assert_int_equal(eb_parse_time("2020-02-27T08:00:00.5Z", &ms2), EB_OK);
	assert_true(ms2 == ms + 500);
	assert_int_equal(eb_parse_time("2020-02-27T08:00:00", &ms2), EB_EINVAL); /* no zone */
	assert_int_equal(eb_parse_time("2020-02-27T25:00:00Z", &ms2), EB_EINVAL);
	assert_int_equal(eb_parse_time("yesterday", &ms2), EB_EINVAL);
}

static void utf8_and_numbers(void **state)
{
	(void)state;
	assert_true(eb_utf8_valid("中文 ok", strlen("中文 ok")));
	assert_false(eb_utf8_valid("\xC0\x80", 2));       /* overlong */
	assert_false(eb_utf8_valid("\xED\xA0\x80", 3));   /* surrogate */
	assert_false(eb_utf8_valid("a\x01", 2));          /* control */
	int64_t v;
	assert_int_equal(eb_parse_i64("42", 0, 100, &v), EB_OK);
	assert_int_equal(v, 42);
	assert_int_equal(eb_parse_i64("101", 0, 100, &v), EB_EINVAL);
	assert_int_equal(eb_parse_i64("4x", 0, 100, &v), EB_EINVAL);
	assert_int_equal(eb_parse_i64("", 0, 100, &v), EB_EINVAL);
	assert_int_equal(eb_parse_i64("99999999999999999999", 0, INT64_MAX, &v), EB_EINVAL);
	assert_true(eb_secure_eq("abc", "abc"));
	assert_false(eb_secure_eq("abc", "abd"));
	assert_false(eb_secure_eq("abc", "abcd"));
}

static const char *const kinds[] = {"a", "b", NULL};
static const struct eb_jfield spec[] = {
	{"name", EB_J_STR, 1, 5, 1, 0, NULL},
	{"n", EB_J_INT, 0, 0, 0, 10, NULL},
	{"kind", EB_J_ENUM, 0, 0, 0, 0, kinds},
	{"day", EB_J_DATE, 0, 0, 0, 0, NULL},
	{"cc", EB_J_COUNTRY, 0, 0, 0, 0, NULL},
	{"ids", EB_J_IDS, 0, 3, 0, 0, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL}};

static void check_field(const char *json, enum eb_err want, const char *field)
{
	json_t *v = NULL;
	struct eb_detail d = {0};
	enum eb_err e = eb_json_parse(json, strlen(json), 8, &v, &d);
	if (e == EB_OK)
		e = eb_json_check(v, spec, 0, &d);
	json_decref(v);
	assert_int_equal(e, want);
	if (field)
		assert_string_equal(d.field, field);
	if (want != EB_OK)
		assert_true(strlen(d.msg) > 5);
}

static void jcheck_names_the_field(void **state)
{
	(void)state;
	check_field("{\"name\":\"abc\",\"n\":3,\"kind\":\"a\",\"day\":\"2020-03-01\",\"cc\":\"BA\",\"ids\":[1,2]}", EB_OK, NULL);
	check_field("{\"name\":\"abcdef\"}", EB_EINVAL, "/name");
	check_field("{\"name\":\"\"}", EB_EINVAL, "/name");
	check_field("{}", EB_EINVAL, "/name");
	check_field("{\"name\":\"a\",\"n\":11}", EB_EINVAL, "/n");
	check_field("{\"name\":\"a\",\"n\":1.5}", EB_EINVAL, "/n");
	check_field("{\"name\":\"a\",\"kind\":\"c\"}", EB_EINVAL, "/kind");
	check_field("{\"name\":\"a\",\"day\":\"2020-02-30\"}", EB_EINVAL, "/day");
	check_field("{\"name\":\"a\",\"cc\":\"bah\"}", EB_EINVAL, "/cc");
	check_field("{\"name\":\"a\",\"ids\":[1,2,3,4]}", EB_EINVAL, "/ids");
	check_field("{\"name\":\"a\",\"ids\":[1,0]}", EB_EINVAL, "/ids/1");
	check_field("{\"name\":\"a\",\"zzz\":1}", EB_EINVAL, "/zzz");
	check_field("{\"name\":\"a\",\"name\":\"b\"}", EB_EINVAL, "");
	check_field("{\"name\":[[[[[[[[[[1]]]]]]]]]]}", EB_EINVAL, "");
	check_field("[]", EB_EINVAL, "");
	check_field("{\"name\":\"a\"", EB_EINVAL, "");
	/* brackets inside strings do not count towards depth */
	check_field("{\"name\":\"[[[[\"}", EB_OK, NULL);
}

int main(void)
{
	eb_util_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_respects_limit),
		cmocka_unit_test(dates_round_trip_and_reject),
		cmocka_unit_test(times_parse_with_zones),
		cmocka_unit_test(utf8_and_numbers),
		cmocka_unit_test(jcheck_names_the_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
