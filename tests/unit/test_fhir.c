/*
 * Tests of the FHIR R4 MeasureReport writer (src/formats/fhir.c): the
 * elements R4 requires, one group per reported count and none for a count
 * not reported (0 is a group), negative corrections and counts above 2^31
 * as measureScore, subdivision codes, transmission and flag extensions, and
 * the streaming Bundle (valid JSON with 0, 1 and many entries, the next
 * link, a buffer limit leaving no partial entry).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "formats/fhir.h"

static struct fhir_sitrep sample(void)
{
	struct fhir_sitrep s = {0};
	s.id = 42;
	s.area = "BJ";
	s.area_name = "Benin";
	s.date = "2020-05-19";
	s.org = 7;
	s.org_name = "Ministère de la Santé";
	s.counts[0] = (struct sitrep_count){-210, true};   /* new_confirmed */
	s.counts[1] = (struct sitrep_count){129, true};    /* cum_confirmed */
	s.counts[4] = (struct sitrep_count){0, true};      /* new_deaths */
	s.transmission = SITREP_TX_CLUSTERS;
	s.flags = SITREP_F_NEGATIVE_NEW;
	s.updated = "2020-05-20T08:00:00.000Z";
	return s;
}

static json_t *group_of(json_t *m, const char *code)
{
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(m, "group"), i, g) {
		json_t *c = json_array_get(json_object_get(json_object_get(g, "code"), "coding"), 0);
		if (strcmp(json_string_value(json_object_get(c, "code")), code) == 0)
			return g;
	}
	return NULL;
}

static void test_required_elements(void **state)
{
	(void)state;
	struct fhir_sitrep s = sample();
	json_t *m = fhir_measure_report(&s);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "resourceType")), "MeasureReport");
	assert_string_equal(json_string_value(json_object_get(m, "id")), "sitrep-42");
	assert_string_equal(json_string_value(json_object_get(m, "status")), "complete");
	assert_string_equal(json_string_value(json_object_get(m, "type")), "summary");
	assert_string_equal(json_string_value(json_object_get(m, "measure")), FHIR_MEASURE_URL);
	json_t *p = json_object_get(m, "period");
	assert_string_equal(json_string_value(json_object_get(p, "start")), "2020-05-19");
	assert_string_equal(json_string_value(json_object_get(p, "end")), "2020-05-19");
	json_t *subj = json_object_get(m, "subject");
	assert_string_equal(json_string_value(json_object_get(json_object_get(subj, "identifier"), "system")),
			    "urn:iso:std:iso:3166");
	assert_string_equal(json_string_value(json_object_get(json_object_get(subj, "identifier"), "value")), "BJ");
	assert_string_equal(json_string_value(json_object_get(subj, "display")), "Benin");
	json_t *rep = json_object_get(m, "reporter");
	assert_string_equal(json_string_value(json_object_get(json_object_get(rep, "identifier"), "value")), "7");
	assert_string_equal(json_string_value(json_object_get(rep, "display")), "Ministère de la Santé");
	assert_string_equal(json_string_value(json_object_get(m, "date")), "2020-05-20T08:00:00.000Z");
	json_decref(m);
}

static void test_groups(void **state)
{
	(void)state;
	struct fhir_sitrep s = sample();
	s.counts[9] = (struct sitrep_count){5000000000LL, true}; /* cum_tests over 2^31 */
	json_t *m = fhir_measure_report(&s);
	assert_int_equal(json_array_size(json_object_get(m, "group")), 4);
	json_t *g = group_of(m, "new_confirmed");
	assert_non_null(g);
	json_t *q = json_object_get(g, "measureScore");
	assert_int_equal(json_integer_value(json_object_get(q, "value")), -210);
	assert_string_equal(json_string_value(json_object_get(q, "system")), "http://unitsofmeasure.org");
	assert_string_equal(json_string_value(json_object_get(q, "code")), "{cases}");
	/* reported 0 is a group with 0; not reported is no group */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(group_of(m, "new_deaths"), "measureScore"), "value")), 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(group_of(m, "new_deaths"), "measureScore"), "code")), "{deaths}");
	assert_null(group_of(m, "cum_deaths"));
	assert_null(group_of(m, "new_tests"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(group_of(m, "cum_tests"), "measureScore"), "value")),
			 5000000000LL);
	json_decref(m);
	/* no count at all: no group element (FHIR forbids empty arrays) */
	struct fhir_sitrep e = {0};
	e.area = "BA";
	e.date = "2020-03-03";
	e.transmission = SITREP_TX_NONE;
	m = fhir_measure_report(&e);
	assert_null(json_object_get(m, "group"));
	assert_null(json_object_get(m, "id"));
	assert_null(json_object_get(m, "reporter"));
	json_decref(m);
}

static void test_extensions_and_subdivision(void **state)
{
	(void)state;
	struct fhir_sitrep s = sample();
	s.area = "CN-HB";
	s.area_name = "Hubei";
	s.flags = SITREP_F_DERIVED_NEW | SITREP_F_NEGATIVE_NEW_DEATHS;
	json_t *m = fhir_measure_report(&s);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(m, "subject"), "identifier"), "system")),
			    "urn:iso:std:iso:3166:-2");
	json_t *ext = json_object_get(m, "extension");
	assert_int_equal(json_array_size(ext), 3);
	json_t *tx = json_array_get(ext, 0);
	assert_string_equal(json_string_value(json_object_get(tx, "url")), FHIR_EXT_TRANSMISSION);
	assert_string_equal(json_string_value(json_object_get(json_object_get(tx, "valueCoding"), "code")), "clusters");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ext, 1), "valueCode")), "negative_new_deaths");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ext, 2), "valueCode")), "derived_new");
	json_decref(m);
	/* no area or date: refused */
	s.area = NULL;
	assert_null(fhir_measure_report(&s));
	s.area = "CN";
	s.date = "2020-5-1";
	assert_null(fhir_measure_report(&s));
}

static json_t *bundle(int n, const char *next, struct eb_buf *b)
{
	struct fhir_sitrep s = sample();
	assert_int_equal(fhir_bundle_begin(b, "2026-01-01T00:00:00Z"), EB_OK);
	for (int i = 0; i < n; i++) {
		s.id = i + 1;
		assert_int_equal(fhir_bundle_add(b, &s, i == 0), EB_OK);
	}
	assert_int_equal(fhir_bundle_end(b, next), EB_OK);
	json_error_t err;
	json_t *v = json_loadb(b->data, b->len, 0, &err);
	assert_non_null(v);
	return v;
}

static void test_bundle(void **state)
{
	(void)state;
	for (int n = 0; n <= 3; n++) {
		struct eb_buf b;
		eb_buf_init(&b, 0);
		json_t *v = bundle(n, n == 3 ? "/api/v1/exports/sitreps?format=fhir&cursor=3" : NULL, &b);
		assert_string_equal(json_string_value(json_object_get(v, "resourceType")), "Bundle");
		assert_string_equal(json_string_value(json_object_get(v, "type")), "collection");
		assert_string_equal(json_string_value(json_object_get(v, "timestamp")), "2026-01-01T00:00:00Z");
		assert_int_equal(json_array_size(json_object_get(v, "entry")), (size_t)n);
		if (n) {
			json_t *r = json_object_get(json_array_get(json_object_get(v, "entry"), n - 1), "resource");
			assert_string_equal(json_string_value(json_object_get(r, "resourceType")), "MeasureReport");
			char id[16];
			snprintf(id, sizeof id, "sitrep-%d", n);
			assert_string_equal(json_string_value(json_object_get(r, "id")), id);
		}
		json_t *link = json_object_get(v, "link");
		if (n == 3) {
			assert_string_equal(json_string_value(json_object_get(json_array_get(link, 0), "relation")), "next");
			assert_string_equal(json_string_value(json_object_get(json_array_get(link, 0), "url")),
					    "/api/v1/exports/sitreps?format=fhir&cursor=3");
		} else {
			assert_null(link);
		}
		json_decref(v);
		eb_buf_free(&b);
	}
}

static void test_bundle_limit(void **state)
{
	(void)state;
	struct eb_buf b;
	eb_buf_init(&b, 300);
	struct fhir_sitrep s = sample();
	assert_int_equal(fhir_bundle_begin(&b, "2026-01-01T00:00:00Z"), EB_OK);
	size_t before = b.len;
	assert_int_not_equal(fhir_bundle_add(&b, &s, true), EB_OK);
	assert_int_equal(b.len, before); /* no partial entry left behind */
	eb_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_elements),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_extensions_and_subdivision),
		cmocka_unit_test(test_bundle),
		cmocka_unit_test(test_bundle_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
