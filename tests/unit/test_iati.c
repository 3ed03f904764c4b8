/*
 * Tests of the donation export formats (src/formats/aidflow.c, iati.c,
 * fts.c): currencies and money, the IATI 2.03 activity XML validated
 * against the IATI schema shipped in data/standards/iati (which includes
 * and imports two more schema files, so this also tests xml_safe's
 * confined include resolution), the COVID-19 markers, escaping of hostile
 * text, the HXL CSV read back with the CSV reader, and the FTS flows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/datadir.h"
#include "formats/aidflow.h"
#include "formats/csv.h"
#include "formats/fts.h"
#include "formats/iati.h"
#include "formats/xml_safe.h"

/* The Japan pledge of the demo: 5,000 suits and 100,000 masks from the
 * government, two batches received, a third planned. */
static const struct aid_line jp_lines[] = {
	{1, "protective_suit", "Protective suit", "医用防护服", "set", 5000, 4000, 4000, 1, 15000000, "CNY"},
	{2, "medical_mask", "Medical mask", "医用口罩", "piece", 100000, 80000, 79990, 0, 0, ""},
};
static const int64_t b1q[] = {2000, 40000}, b1r[] = {2000, 39990};
static const int64_t b2q[] = {2000, 40000}, b2r[] = {2000, 40000};
static const int64_t b3q[] = {1000, 20000}, b3r[] = {-1, -1};
static const struct aid_shipment jp_ships[] = {
	{11, 1, "received", "2020-02-24", "2020-02-26", "2020-02-26", b1q, b1r},
	{12, 2, "received", "2020-02-27", "2020-02-29", "2020-02-29", b2q, b2r},
	{13, 3, "planned", "", "", "", b3q, b3r},
};

static struct aid_pledge jp_pledge(void)
{
	struct aid_pledge p = {0};
	p.id = 7;
	p.owner = (struct aid_party){3, "Ministry of Foreign Affairs of the People's Republic of China", "中华人民共和国外交部",
				     "government", "CN"};
	p.recipient = (struct aid_party){5, "Ministry of Health, Labour and Welfare of Japan", "日本厚生劳动省",
					 "ministry_of_health", "JP"};
	p.donor_type = "government";
	p.donor_name = "";
	p.country = "JP";
	p.subdivision = "JP-13";
	p.city = "Tokyo";
	p.title = "";
	p.note = "In batches; the first two arrived in Tokyo by the end of February.";
	p.status = "committed";
	p.visibility = "public";
	p.pledged_on = "2020-02-20";
	p.committed_on = "2020-02-21";
	p.needed_by = "";
	p.updated_ms = 1583020800000LL;
	p.lines = jp_lines;
	p.nlines = 2;
	p.shipments = jp_ships;
	p.nshipments = 3;
	return p;
}

static char *iati_of(const struct aid_pledge *ps, size_t n, size_t *len)
{
	struct iati_writer *w = NULL;
	struct eb_detail d = {0};
	struct eb_buf b;
	eb_buf_init(&b, 0);
	assert_int_equal(iati_begin(1583020800000LL, &w, &d), EB_OK);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(iati_activity(w, &ps[i], &d), EB_OK);
		assert_int_equal(iati_take(w, &b), EB_OK);
	}
	assert_int_equal(iati_end(w, &b, &d), EB_OK);
	iati_free(w);
	return eb_buf_take(&b, len);
}

static void currencies_and_money(void **state)
{
	(void)state;
	assert_int_equal(aid_currency_exponent("CNY"), 2);
	assert_int_equal(aid_currency_exponent("JPY"), 0);
	assert_int_equal(aid_currency_exponent("KRW"), 0);
	assert_int_equal(aid_currency_exponent("KWD"), 3);
	assert_int_equal(aid_currency_exponent("IRR"), 2);
	assert_int_equal(aid_currency_exponent("XXX"), -1);
	assert_int_equal(aid_currency_exponent("cny"), -1);
	assert_int_equal(aid_currency_exponent("CN"), -1);
	assert_int_equal(aid_currency_exponent(NULL), -1);
	int64_t m = 0;
	assert_int_equal(aid_money_to_minor(12.345, "USD", &m), EB_OK);
	assert_int_equal(m, 1235);
	assert_int_equal(aid_money_to_minor(25000, "JPY", &m), EB_OK);
	assert_int_equal(m, 25000);
	assert_int_equal(aid_money_to_minor(-1, "USD", &m), EB_EINVAL);
	assert_int_equal(aid_money_to_minor(1e20, "USD", &m), EB_EINVAL);
	assert_int_equal(aid_money_to_minor(1, "ZZZ", &m), EB_EINVAL);
	char out[32];
	aid_money_format(125005, "CNY", out);
	assert_string_equal(out, "1250.05");
	aid_money_format(7, "KWD", out);
	assert_string_equal(out, "0.007");
	aid_money_format(25000, "JPY", out);
	assert_string_equal(out, "25000");
	struct aid_pledge p = jp_pledge();
	int any = 0;
	/* 15,000,000 fen for 5,000 suits: batch 1 carries 2,000 = 6,000,000 */
	assert_int_equal(aid_shipment_value(&p, &jp_ships[0], "CNY", &any), 6000000);
	assert_true(any);
	aid_shipment_value(&p, &jp_ships[0], "USD", &any);
	assert_false(any);
}

static void iati_valid_with_covid_markers(void **state)
{
	(void)state;
	struct aid_pledge ps[2] = {jp_pledge(), jp_pledge()};
	/* A second activity recorded on behalf of a donor, without values,
	 * cancelled, with nothing shipped. */
	static const struct aid_line l2[] = {{1, "nucleic_acid_test_kit", "Nucleic-acid test kit", "核酸检测试剂盒", "batch", 1, 0, 0, 0, 0, ""}};
	ps[1].id = 8;
	ps[1].donor_name = "Chinese manufacturers and charities";
	ps[1].donor_type = "company";
	ps[1].status = "cancelled";
	ps[1].committed_on = "";
	ps[1].lines = l2;
	ps[1].nlines = 1;
	ps[1].nshipments = 0;
	size_t len = 0;
	char *xml = iati_of(ps, 2, &len);
	struct eb_detail d = {0};
	enum eb_err e = iati_validate(xml, len, &d);
	if (e)
		fprintf(stderr, "%s at %s\n%s\n", d.msg, d.field, xml);
	assert_int_equal(e, EB_OK);
	/* the markers of the IATI COVID-19 guidance */
	assert_non_null(strstr(xml, "<narrative>COVID-19 in-kind donation to Ministry of Health, Labour and Welfare of Japan"));
	assert_non_null(strstr(xml, "humanitarian=\"1\""));
	assert_non_null(strstr(xml, "<sector vocabulary=\"1\" code=\"12264\">"));
	assert_non_null(strstr(xml, "<tag vocabulary=\"99\" code=\"COVID-19\">"));
	assert_non_null(strstr(xml, "<humanitarian-scope type=\"1\" vocabulary=\"1-2\" code=\"EP-2020-000012-001\">"));
	assert_non_null(strstr(xml, "<humanitarian-scope type=\"2\" vocabulary=\"2-1\" code=\"HCOVD20\">"));
	/* pledge, commitment, two disbursements (batches received), none for the planned one */
	assert_non_null(strstr(xml, "<transaction-type code=\"12\"/>"));
	assert_non_null(strstr(xml, "<transaction-type code=\"2\"/>"));
	assert_non_null(strstr(xml, "ref=\"shipment-11\""));
	assert_non_null(strstr(xml, "ref=\"shipment-12\""));
	assert_null(strstr(xml, "ref=\"shipment-13\""));
	assert_non_null(strstr(xml, "<value currency=\"CNY\" value-date=\"2020-02-26\">60000.00</value>"));
	/* quantities as indicators: target pledged, actual received */
	assert_non_null(strstr(xml, "<target value=\"100000\"/>"));
	assert_non_null(strstr(xml, "<actual value=\"79990\"/>"));
	assert_non_null(strstr(xml, "<activity-status code=\"5\"/>"));
	assert_non_null(strstr(xml, "<iati-identifier>EPIBRIDGE-3-PLEDGE-8</iati-identifier>"));
	free(xml);
}

static void iati_escapes_hostile_text(void **state)
{
	(void)state;
	struct aid_pledge p = jp_pledge();
	p.note = "</narrative><script>&amp; \"quoted\" 'x' \x01\x02 bad control";
	p.city = "Tokyo <&>";
	p.title = "Masks & suits";
	p.recipient.name_zh = "日本<厚生>劳动省";
	size_t len = 0;
	char *xml = iati_of(&p, 1, &len);
	struct eb_detail d = {0};
	assert_int_equal(iati_validate(xml, len, &d), EB_OK);
	assert_null(strstr(xml, "<script>"));
	assert_non_null(strstr(xml, "&lt;/narrative&gt;&lt;script&gt;&amp;amp;"));
	assert_non_null(strstr(xml, "COVID-19: Masks &amp; suits"));
	assert_null(strchr(xml, '\x01'));
	free(xml);
}

static void iati_invalid_document_is_refused(void **state)
{
	(void)state;
	struct aid_pledge p = jp_pledge();
	size_t len = 0;
	char *xml = iati_of(&p, 1, &len);
	/* drop the required reporting-org: the schema must object */
	char *a = strstr(xml, "<reporting-org"), *b = strstr(xml, "</reporting-org>");
	assert_non_null(a);
	b += strlen("</reporting-org>");
	memmove(a, b, strlen(b) + 1);
	struct eb_detail d = {0};
	assert_int_equal(iati_validate(xml, strlen(xml), &d), EB_EINVAL);
	assert_non_null(strstr(d.msg, "title"));
	free(xml);
	/* no activity at all is not valid either (the schema wants one) */
	xml = iati_of(NULL, 0, &len);
	assert_int_equal(iati_validate(xml, len, &d), EB_EINVAL);
	free(xml);
}

static void schema_includes_stay_beside_the_schema(void **state)
{
	(void)state;
	/* A schema that includes a file from elsewhere must not load it. */
	char dir[] = "/tmp/eb-iati-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char main_xsd[256], other[256];
	snprintf(main_xsd, sizeof main_xsd, "%s/main.xsd", dir);
	snprintf(other, sizeof other, "%s/../eb-iati-outside.xsd", dir);
	FILE *f = fopen(other, "w");
	assert_non_null(f);
	fputs("<xsd:schema xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><xsd:element name=\"x\"/></xsd:schema>", f);
	fclose(f);
	f = fopen(main_xsd, "w");
	assert_non_null(f);
	fputs("<xsd:schema xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">"
	      "<xsd:include schemaLocation=\"../eb-iati-outside.xsd\"/></xsd:schema>", f);
	fclose(f);
	struct xml_safe_schema *s = NULL;
	struct eb_detail d = {0};
	xml_safe_schema_load(main_xsd, &s, &d);
	/* libxml2 only warns about a failed include; what matters is that
	 * the element declared outside never made it in. */
	if (s) {
		xmlDocPtr doc = NULL;
		assert_int_equal(xml_safe_parse("<x/>", 4, NULL, &doc, &d), EB_OK);
		assert_int_not_equal(xml_safe_schema_validate(s, doc, &d), EB_OK);
		xml_safe_doc_free(doc);
		xml_safe_schema_free(s);
	}
	remove(main_xsd);
	remove(other);
	rmdir(dir);
}

static void hxl_rows_read_back(void **state)
{
	(void)state;
	struct aid_pledge p = jp_pledge();
	p.donor_name = "Donor, \"quoted\"";
	struct eb_buf b;
	eb_buf_init(&b, 0);
	assert_int_equal(aid_hxl_header(&b), EB_OK);
	assert_int_equal(aid_hxl_pledge(&b, &p), EB_OK);
	struct csv_reader *r = csv_open_mem(b.data, b.len, NULL);
	struct csv_row row;
	struct eb_detail d = {0};
	assert_int_equal(csv_next(r, &row, &d), 1);
	assert_string_equal(row.f[0].p, "Pledge");
	assert_int_equal(csv_next(r, &row, &d), 1);
	assert_string_equal(row.f[0].p, "#activity+code");
	assert_string_equal(row.f[14].p, "#item+pledged+num");
	assert_int_equal(csv_next(r, &row, &d), 1);
	assert_int_equal(row.nfields, 20);
	assert_string_equal(row.f[2].p, "Donor, \"quoted\"");
	assert_string_equal(row.f[11].p, "protective_suit");
	assert_string_equal(row.f[14].p, "5000");
	assert_string_equal(row.f[17].p, "1000");
	assert_string_equal(row.f[18].p, "150000.00");
	assert_string_equal(row.f[19].p, "CNY");
	assert_int_equal(csv_next(r, &row, &d), 1);
	assert_string_equal(row.f[17].p, "20010"); /* 100,000 - 79,990 */
	assert_string_equal(row.f[18].p, "");
	assert_int_equal(csv_next(r, &row, &d), 0);
	csv_free(r);
	eb_buf_free(&b);
}

static void fts_paid_and_outstanding(void **state)
{
	(void)state;
	struct aid_pledge p = jp_pledge();
	json_t *a = fts_flows(&p);
	assert_int_equal(json_array_size(a), 2);
	json_t *paid = json_array_get(a, 0), *rest = json_array_get(a, 1);
	assert_string_equal(json_string_value(json_object_get(paid, "status")), "paid");
	assert_string_equal(json_string_value(json_object_get(paid, "contributionType")), "inKind");
	assert_string_equal(json_string_value(json_object_get(rest, "status")), "commitment");
	/* 4,000 of 5,000 suits valued 150,000.00 CNY: 120,000.00 paid */
	assert_true(json_real_value(json_object_get(paid, "originalAmount")) == 120000.0);
	assert_string_equal(json_string_value(json_object_get(paid, "originalCurrency")), "CNY");
	assert_true(json_is_null(json_object_get(paid, "amountUSD")));
	assert_string_equal(json_string_value(json_object_get(paid, "date")), "2020-02-29T00:00:00Z");
	json_t *items = json_object_get(rest, "items");
	assert_int_equal(json_array_size(items), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "quantity")), 1000);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 1), "quantity")), 20010);
	json_t *dst = json_object_get(rest, "destinationObjects");
	assert_string_equal(json_string_value(json_object_get(json_array_get(dst, 1), "id")), "JP");
	json_decref(a);
	/* a cancelled pledge with nothing received has no flow */
	p.status = "cancelled";
	static const struct aid_line none[] = {{1, "gloves", "Gloves", "医用手套", "pair", 10, 0, 0, 0, 0, ""}};
	p.lines = none;
	p.nlines = 1;
	a = fts_flows(&p);
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);
	/* the stream is one JSON document */
	struct eb_buf b;
	eb_buf_init(&b, 0);
	struct aid_pledge q = jp_pledge();
	int n = 0;
	assert_int_equal(fts_begin(&b), EB_OK);
	assert_int_equal(fts_pledge(&b, &p, 1, &n), EB_OK);
	assert_int_equal(n, 0);
	assert_int_equal(fts_pledge(&b, &q, 1, &n), EB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(fts_pledge(&b, &q, 0, &n), EB_OK);
	assert_int_equal(fts_end(&b), EB_OK);
	json_error_t err;
	json_t *doc = json_loads(b.data, 0, &err);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "data"), "flows")), 4);
	json_decref(doc);
	eb_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(currencies_and_money),
		cmocka_unit_test(iati_valid_with_covid_markers),
		cmocka_unit_test(iati_escapes_hostile_text),
		cmocka_unit_test(iati_invalid_document_is_refused),
		cmocka_unit_test(schema_includes_stay_beside_the_schema),
		cmocka_unit_test(hxl_rows_read_back),
		cmocka_unit_test(fts_paid_and_outstanding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
