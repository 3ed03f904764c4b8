/*
 * Tests of the CAP 1.2 format layer (src/formats/cap.c) and the untrusted
 * XML wrapper under it (src/formats/xml_safe.c).
 *
 * Every real example in $EB_SHARED/data/standards/cap/examples (the four
 * appendix examples of the OASIS specification and two real feeds) must
 * parse, write back to XML that the OASIS schema accepts, and parse again to
 * an equal model; the same through JSON.  Hostile and broken documents
 * (missing element, bad enumeration, XXE, billion laughs, too deep, too big,
 * not XML, ...) must be refused with a message naming the problem, its line
 * and the element.  Errors must never reach stderr.
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
#include <unistd.h>

#include "base/buf.h"
#include "base/datadir.h"
#include "formats/cap.h"
#include "formats/xml_safe.h"
#include "formats_testutil.h"

static const char *const examples[] = {
	"oasis-cap12-appendixA1.xml", "oasis-cap12-appendixA2.xml",
	"oasis-cap12-appendixA3.xml", "oasis-cap12-appendixA4.xml",
	"google-australia.cap",	      "google-wcatwc-warning.cap",
};
#define NEXAMPLES (sizeof examples / sizeof examples[0])

static char *read_example(const char *name, size_t *len)
{
	char rel[256];
	snprintf(rel, sizeof rel, "data/standards/cap/examples/%s", name);
	FILE *f = shared_open(rel);
	struct eb_buf b;
	eb_buf_init(&b, 1 << 22);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		assert_int_equal(eb_buf_add(&b, chunk, n), EB_OK);
	fclose(f);
	return eb_buf_take(&b, len);
}

static struct cap_alert *parse_example(const char *name)
{
	size_t len;
	char *xml = read_example(name, &len);
	struct cap_alert *a = NULL;
	struct eb_detail d = {{0}, {0}};
	enum eb_err rc = cap_parse(xml, len, &a, &d);
	if (rc)
		fail_msg("%s: %s [%s]", name, d.msg, d.field);
	free(xml);
	assert_non_null(a);
	return a;
}

static struct xml_safe_schema *cap_schema(void)
{
	static struct xml_safe_schema *s;
	if (!s) {
		char path[4096];
		assert_non_null(eb_data_path(CAP_SCHEMA_REL, path, sizeof path));
		struct eb_detail d;
		assert_int_equal(xml_safe_schema_load(path, &s, &d), EB_OK);
	}
	return s;
}

/* Validates xml against the CAP schema directly (not through cap_parse). */
static void assert_schema_valid(const char *xml, size_t len)
{
	xmlDocPtr doc = NULL;
	struct eb_detail d = {{0}, {0}};
	assert_int_equal(xml_safe_parse(xml, len, NULL, &doc, &d), EB_OK);
	enum eb_err rc = xml_safe_schema_validate(cap_schema(), doc, &d);
	if (rc)
		fail_msg("written CAP invalid: %s [%s]\n%s", d.msg, d.field, xml);
	xml_safe_doc_free(doc);
}

/* Parses xml, expecting failure e; returns the detail (static). */
static const struct eb_detail *expect_fail(const char *xml, size_t len,
					   enum eb_err e)
{
	static struct eb_detail d;
	memset(&d, 0, sizeof d);
	struct cap_alert *a = (struct cap_alert *)1;
	enum eb_err rc = cap_parse(xml, len, &a, &d);
	if (rc != e)
		fail_msg("expected %d got %d: %s", e, rc, d.msg);
	assert_null(a);
	assert_true(d.msg[0] != '\0');
	return &d;
}

#define assert_contains(hay, needle)                                          \
	do {                                                                  \
		if (!strstr((hay), (needle)))                                 \
			fail_msg("'%s' does not contain '%s'", (hay), (needle)); \
	} while (0)

/* A valid minimal alert, with %s slots for the info block's body. */
static const char minimal_head[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"
	"  <identifier>CN-NHC-2020-0001</identifier>\n"
	"  <sender>alerts@nhc.gov.cn</sender>\n"
	"  <sent>2020-01-31T08:00:00+08:00</sent>\n"
	"  <status>Actual</status>\n"
	"  <msgType>Alert</msgType>\n"
	"  <scope>Public</scope>\n"
	"  <info>\n"
	"    <category>Health</category>\n"
	"    <event>Novel coronavirus pneumonia</event>\n";
static const char minimal_tail[] = "  </info>\n</alert>\n";

static char *make_doc(const char *info_body)
{
	struct eb_buf b;
	eb_buf_init(&b, 1 << 20);
	assert_int_equal(eb_buf_printf(&b, "%s%s%s", minimal_head, info_body,
				       minimal_tail),
			 EB_OK);
	return eb_buf_take(&b, NULL);
}

static const char good_body[] = "    <urgency>Immediate</urgency>\n"
				"    <severity>Severe</severity>\n"
				"    <certainty>Observed</certainty>\n";

/* ---- the real examples -------------------------------------------------- */

static void test_examples_xml_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < NEXAMPLES; i++) {
		struct cap_alert *a = parse_example(examples[i]);
		struct eb_buf b;
		eb_buf_init(&b, 1 << 22);
		assert_int_equal(cap_write(a, &b), EB_OK);
		assert_non_null(strstr(b.data, "xmlns=\"" CAP_NAMESPACE "\""));
		assert_schema_valid(b.data, b.len);

		struct cap_alert *a2 = NULL;
		struct eb_detail d;
		if (cap_parse(b.data, b.len, &a2, &d))
			fail_msg("%s re-parse: %s", examples[i], d.msg);
		if (!cap_alert_equal(a, a2))
			fail_msg("%s: round trip differs\n%s", examples[i], b.data);

		/* Writing is deterministic: the same model, the same bytes. */
		struct eb_buf b2;
		eb_buf_init(&b2, 1 << 22);
		assert_int_equal(cap_write(a2, &b2), EB_OK);
		assert_int_equal(b.len, b2.len);
		assert_memory_equal(b.data, b2.data, b.len);
		eb_buf_free(&b);
		eb_buf_free(&b2);
		cap_alert_free(a);
		cap_alert_free(a2);
	}
}

static void test_examples_model_content(void **state)
{
	(void)state;
	struct cap_alert *a = parse_example("oasis-cap12-appendixA1.xml");
	assert_string_equal(a->identifier, "43b080713727");
	assert_string_equal(a->sent, "2003-04-02T14:39:01-05:00");
	assert_int_equal(a->status, CAP_STATUS_ACTUAL);
	assert_int_equal(a->msgType, CAP_MSG_TYPE_ALERT);
	assert_int_equal(a->scope, CAP_SCOPE_PUBLIC);
	assert_int_equal(a->ninfo, 1);
	assert_null(a->info[0].language); /* absent: the default en-US */
	assert_int_equal(a->info[0].ncategory, 1);
	assert_int_equal(a->info[0].category[0], CAP_CATEGORY_SECURITY);
	assert_int_equal(a->info[0].severity, CAP_SEVERITY_SEVERE);
	assert_string_equal(a->info[0].parameter[0].valueName, "HSAS");
	assert_string_equal(a->info[0].parameter[0].value, "ORANGE");
	assert_string_equal(a->info[0].resource[0].mimeType, "image/gif");
	assert_false(a->info[0].resource[0].has_size);
	/* xs:string keeps its white space */
	assert_true(a->info[0].instruction[0] == ' ');
	cap_alert_free(a);

	a = parse_example("oasis-cap12-appendixA2.xml");
	assert_int_equal(a->info[0].nresponseType, 1);
	assert_int_equal(a->info[0].responseType[0], CAP_RESPONSE_TYPE_SHELTER);
	assert_string_equal(a->info[0].expires, "2003-06-17T16:00:00-07:00");
	assert_int_equal(a->info[0].area[0].npolygon, 1);
	assert_int_equal(a->info[0].area[0].ngeocode, 3);
	assert_string_equal(a->info[0].area[0].geocode[2].value, "006003");
	cap_alert_free(a);

	a = parse_example("oasis-cap12-appendixA3.xml");
	assert_int_equal(a->msgType, CAP_MSG_TYPE_UPDATE);
	assert_string_equal(a->references,
			    "trinet@caltech.edu,TRI13970876.1,2003-06-11T20:30:00-07:00");
	assert_string_equal(a->info[0].area[0].circle[0], "32.9525,-115.5527 0");
	cap_alert_free(a);

	a = parse_example("oasis-cap12-appendixA4.xml");
	assert_int_equal(a->ninfo, 2);
	assert_string_equal(a->info[1].language, "es-US");
	assert_string_equal(a->info[1].event, "Abducción de Niño");
	cap_alert_free(a);

	a = parse_example("google-australia.cap"); /* prefixed cap: elements */
	assert_int_equal(a->ncode, 1);
	assert_int_equal(a->info[0].ncategory, 2);
	assert_int_equal(a->info[0].category[1], CAP_CATEGORY_MET);
	assert_int_equal(a->info[0].nparameter, 7);
	assert_string_equal(a->info[0].parameter[5].value, ""); /* <value /> */
	assert_string_equal(a->info[0].area[0].geocode[0].value, "AU-NSW");
	assert_string_equal(a->info[0].description,
			    "ALERT LEVEL: Not Applicable<br />LOCATION: 12 Cox "
			    "Street, Yerong Creek<br />COUNCIL AREA: Lockhart<br "
			    "/>STATUS: Out of Control<br />TYPE: Structure fire "
			    "(A fire involving a residential, commercial or "
			    "industrial building)<br />SIZE: 0 ha<br "
			    "/>RESPONSIBLE AGENCY: Rural Fire Service<br "
			    "/>UPDATED: 6 Oct 2011 10:04");
	cap_alert_free(a);

	a = parse_example("google-wcatwc-warning.cap");
	assert_string_equal(a->source,
			    "NWS West Coast/Alaska Tsunami Warning Center Palmer AK");
	assert_string_equal(a->incidents, "lqw6d6");
	assert_int_equal(a->info[0].nresource, 3);
	assert_int_equal(a->info[0].area[0].ngeocode, 2);
	cap_alert_free(a);
}

/* Every element of CAP 1.2 once (twice where repeatable), prefixed, with a
 * comment and CDATA inside text and a signature at the end. */
static const char every_element[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<cap:alert xmlns:cap=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"
	"<cap:identifier>ID-1</cap:identifier><cap:sender>s@x</cap:sender>\n"
	"<cap:sent> 2020-01-31T08:00:00+08:00 </cap:sent>\n"
	"<cap:status>Exercise</cap:status><cap:msgType>Cancel</cap:msgType>\n"
	"<cap:source>src</cap:source><cap:scope>Restricted</cap:scope>\n"
	"<cap:restriction>health ministries only</cap:restriction>\n"
	"<cap:addresses>\"Ministry of Health\" who.int</cap:addresses>\n"
	"<cap:code>c1</cap:code><cap:code>c2</cap:code><cap:note>n</cap:note>\n"
	"<cap:references>s@x,ID-0,2020-01-30T08:00:00+08:00</cap:references>\n"
	"<cap:incidents>inc1 inc2</cap:incidents>\n"
	"<cap:info><cap:language>zh-CN</cap:language>\n"
	"<cap:category>Health</cap:category><cap:category>CBRNE</cap:category>\n"
	"<cap:event>e</cap:event><cap:responseType>Monitor</cap:responseType>\n"
	"<cap:responseType>AllClear</cap:responseType>\n"
	"<cap:urgency>Future</cap:urgency><cap:severity>Unknown</cap:severity>\n"
	"<cap:certainty>Unlikely</cap:certainty><cap:audience>aud</cap:audience>\n"
	"<cap:eventCode><cap:valueName>ec</cap:valueName><cap:value>1</cap:value></cap:eventCode>\n"
	"<cap:effective>2020-01-31T08:00:00+08:00</cap:effective>\n"
	"<cap:onset>2020-01-31T09:00:00+08:00</cap:onset>\n"
	"<cap:expires>2020-02-14T08:00:00+08:00</cap:expires>\n"
	"<cap:senderName>sn</cap:senderName><cap:headline>h<!-- c -->l</cap:headline>\n"
	"<cap:description><![CDATA[<b>bold</b> & more]]></cap:description>\n"
	"<cap:instruction>i</cap:instruction>\n"
	"<cap:web> https://www.who.int/x </cap:web><cap:contact>c</cap:contact>\n"
	"<cap:parameter><cap:valueName>p</cap:valueName><cap:value>v</cap:value></cap:parameter>\n"
	"<cap:resource><cap:resourceDesc>rd</cap:resourceDesc><cap:mimeType>image/png</cap:mimeType>\n"
	"<cap:size> 1234 </cap:size><cap:uri>http://x/y.png</cap:uri><cap:derefUri>aGVsbG8=</cap:derefUri>\n"
	"<cap:digest>aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d</cap:digest></cap:resource>\n"
	"<cap:area><cap:areaDesc>ad</cap:areaDesc>\n"
	"<cap:polygon>1,1 1,2 2,2 1,1</cap:polygon><cap:polygon>3,3 3,4 4,4 3,3</cap:polygon>\n"
	"<cap:circle>1,1 5</cap:circle><cap:geocode><cap:valueName>ISO 3166-1</cap:valueName>\n"
	"<cap:value>CN</cap:value></cap:geocode><cap:altitude>+100.50</cap:altitude>\n"
	"<cap:ceiling>.5</cap:ceiling></cap:area></cap:info>\n"
	"<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/>\n"
	"</cap:alert>\n";

static void test_every_element(void **state)
{
	(void)state;
	struct cap_alert *a = NULL;
	struct eb_detail d;
	if (cap_parse(every_element, sizeof every_element - 1, &a, &d))
		fail_msg("%s [%s]", d.msg, d.field);
	assert_string_equal(a->sent, "2020-01-31T08:00:00+08:00"); /* collapsed */
	assert_int_equal(a->status, CAP_STATUS_EXERCISE);
	assert_int_equal(a->msgType, CAP_MSG_TYPE_CANCEL);
	assert_int_equal(a->scope, CAP_SCOPE_RESTRICTED);
	assert_string_equal(a->restriction, "health ministries only");
	assert_string_equal(a->addresses, "\"Ministry of Health\" who.int");
	assert_int_equal(a->ncode, 2);
	assert_string_equal(a->code[1], "c2");
	assert_string_equal(a->note, "n");
	assert_string_equal(a->incidents, "inc1 inc2");
	const struct cap_info *in = &a->info[0];
	assert_string_equal(in->language, "zh-CN");
	assert_int_equal(in->category[1], CAP_CATEGORY_CBRNE);
	assert_int_equal(in->responseType[1], CAP_RESPONSE_TYPE_ALL_CLEAR);
	assert_int_equal(in->urgency, CAP_URGENCY_FUTURE);
	assert_int_equal(in->severity, CAP_SEVERITY_UNKNOWN);
	assert_int_equal(in->certainty, CAP_CERTAINTY_UNLIKELY);
	assert_string_equal(in->audience, "aud");
	assert_string_equal(in->eventCode[0].valueName, "ec");
	assert_string_equal(in->onset, "2020-01-31T09:00:00+08:00");
	assert_string_equal(in->senderName, "sn");
	assert_string_equal(in->headline, "hl"); /* the comment is not text */
	assert_string_equal(in->description, "<b>bold</b> & more");
	assert_string_equal(in->web, "https://www.who.int/x");
	assert_string_equal(in->contact, "c");
	assert_string_equal(in->parameter[0].value, "v");
	const struct cap_resource *r = &in->resource[0];
	assert_string_equal(r->resourceDesc, "rd");
	assert_true(r->has_size);
	assert_int_equal(r->size, 1234);
	assert_string_equal(r->derefUri, "aGVsbG8=");
	assert_string_equal(r->digest, "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
	const struct cap_area *ar = &in->area[0];
	assert_int_equal(ar->npolygon, 2);
	assert_string_equal(ar->polygon[1], "3,3 3,4 4,4 3,3");
	assert_string_equal(ar->circle[0], "1,1 5");
	assert_string_equal(ar->geocode[0].value, "CN");
	assert_true(ar->has_altitude && ar->altitude == 100.5);
	assert_true(ar->has_ceiling && ar->ceiling == 0.5);

	struct eb_buf b;
	eb_buf_init(&b, 1 << 20);
	assert_int_equal(cap_write(a, &b), EB_OK);
	assert_schema_valid(b.data, b.len);
	assert_contains(b.data, "<altitude>100.5</altitude>");
	assert_contains(b.data, "<ceiling>0.5</ceiling>");
	assert_contains(b.data, "&lt;b&gt;bold&lt;/b&gt; &amp; more");
	struct cap_alert *a2 = NULL;
	assert_int_equal(cap_parse(b.data, b.len, &a2, &d), EB_OK);
	assert_true(cap_alert_equal(a, a2));
	json_t *j = cap_to_json(a);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
		json_object_get(json_array_get(json_object_get(j, "info"), 0),
				"resource"), 0), "size")), 1234);
	struct cap_alert *a3 = NULL;
	assert_int_equal(cap_from_json(j, &a3, &d), EB_OK);
	assert_true(cap_alert_equal(a, a3));
	json_decref(j);
	cap_alert_free(a3);
	cap_alert_free(a2);
	cap_alert_free(a);
	eb_buf_free(&b);
}

static void test_examples_json_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < NEXAMPLES; i++) {
		struct cap_alert *a = parse_example(examples[i]);
		json_t *j = cap_to_json(a);
		assert_non_null(j);
		/* through text, as over HTTP */
		char *text = json_dumps(j, JSON_COMPACT);
		assert_non_null(text);
		json_error_t je;
		json_t *j2 = json_loads(text, 0, &je);
		assert_non_null(j2);
		struct cap_alert *b = NULL;
		struct eb_detail d;
		if (cap_from_json(j2, &b, &d))
			fail_msg("%s: %s [%s]", examples[i], d.msg, d.field);
		assert_true(cap_alert_equal(a, b));
		/* and from JSON back to schema-valid XML */
		struct eb_buf x;
		eb_buf_init(&x, 1 << 22);
		assert_int_equal(cap_write(b, &x), EB_OK);
		assert_schema_valid(x.data, x.len);
		eb_buf_free(&x);
		free(text);
		json_decref(j);
		json_decref(j2);
		cap_alert_free(a);
		cap_alert_free(b);
	}
}

static void test_json_shape(void **state)
{
	(void)state;
	struct cap_alert *a = parse_example("oasis-cap12-appendixA2.xml");
	json_t *j = cap_to_json(a);
	assert_string_equal(json_string_value(json_object_get(j, "msgType")),
			    "Alert");
	json_t *info = json_array_get(json_object_get(j, "info"), 0);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(info, "category"), 0)),
			    "Met");
	assert_string_equal(json_string_value(json_object_get(info, "urgency")),
			    "Immediate");
	/* absent elements are absent keys, not nulls */
	assert_null(json_object_get(j, "source"));
	assert_null(json_object_get(info, "language"));
	json_t *area = json_array_get(json_object_get(info, "area"), 0);
	json_t *gc = json_array_get(json_object_get(area, "geocode"), 0);
	assert_string_equal(json_string_value(json_object_get(gc, "valueName")),
			    "SAME");
	json_decref(j);
	cap_alert_free(a);
}

/* ---- documents that must be refused ------------------------------------- */

static void test_reject_missing_required(void **state)
{
	(void)state;
	/* no <sent> */
	static const char xml[] =
		"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"
		"<identifier>x</identifier>\n<sender>s</sender>\n"
		"<status>Actual</status>\n<msgType>Alert</msgType>\n"
		"<scope>Public</scope>\n</alert>";
	const struct eb_detail *d = expect_fail(xml, sizeof xml - 1, EB_EINVAL);
	assert_contains(d->msg, "status");
	assert_contains(d->msg, "Expected is ( sent )");
	assert_contains(d->msg, "(line 4)");
	assert_string_equal(d->field, "/alert/status");

	/* no <urgency> in info */
	char *doc = make_doc("    <severity>Severe</severity>\n"
			     "    <certainty>Observed</certainty>\n");
	d = expect_fail(doc, strlen(doc), EB_EINVAL);
	assert_contains(d->msg, "urgency");
	assert_string_equal(d->field, "/alert/info/severity");
	free(doc);

	/* info with no category at all */
	static const char nocat[] =
		"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"
		"<identifier>x</identifier><sender>s</sender>"
		"<sent>2020-01-31T08:00:00+08:00</sent><status>Actual</status>"
		"<msgType>Alert</msgType><scope>Public</scope><info>"
		"<event>e</event><urgency>Past</urgency><severity>Minor</severity>"
		"<certainty>Likely</certainty></info></alert>";
	d = expect_fail(nocat, sizeof nocat - 1, EB_EINVAL);
	assert_contains(d->msg, "category");
	assert_string_equal(d->field, "/alert/info/event");
}

static void test_reject_bad_enumeration(void **state)
{
	(void)state;
	char *doc = make_doc("    <urgency>Soon</urgency>\n"
			     "    <severity>Severe</severity>\n"
			     "    <certainty>Observed</certainty>\n");
	const struct eb_detail *d = expect_fail(doc, strlen(doc), EB_EINVAL);
	assert_contains(d->msg, "'Soon'");
	assert_contains(d->msg, "Immediate");
	assert_contains(d->msg, "(line 12)");
	assert_string_equal(d->field, "/alert/info/urgency");
	/* the namespace URI is not spelled out in messages */
	assert_null(strstr(d->msg, "urn:oasis"));
	free(doc);

	/* enumerations are case-sensitive, white space is not trimmed */
	static const char status[] =
		"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"
		"<identifier>x</identifier><sender>s</sender>"
		"<sent>2020-01-31T08:00:00+08:00</sent><status> actual</status>"
		"<msgType>Alert</msgType><scope>Public</scope></alert>";
	d = expect_fail(status, sizeof status - 1, EB_EINVAL);
	assert_string_equal(d->field, "/alert/status");

	/* category Health is fine, Healthcare is not; second of two */
	doc = make_doc("    <urgency>Immediate</urgency>\n");
	char *p = strstr(doc, "<category>Health</category>");
	assert_non_null(p);
	struct eb_buf b;
	eb_buf_init(&b, 1 << 20);
	eb_buf_add(&b, doc, (size_t)(p - doc));
	eb_buf_adds(&b, "<category>Health</category><category>Healthcare</category>");
	eb_buf_adds(&b, p + strlen("<category>Health</category>"));
	d = expect_fail(b.data, b.len, EB_EINVAL);
	assert_contains(d->msg, "Healthcare");
	assert_string_equal(d->field, "/alert/info/category[2]");
	eb_buf_free(&b);
	free(doc);
}

static void test_reject_bad_datetime(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"2020-01-31T08:00:00Z",	      /* CAP forbids Z */
		"2020-01-31T08:00:00",	      /* no offset */
		"2020-02-30T08:00:00+08:00",  /* no such day */
		"2020-01-31 08:00:00+08:00",  /* no T */
		"2020-01-31T08:00:00.5+08:00" /* fractions not allowed */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct eb_buf b;
		eb_buf_init(&b, 1 << 20);
		eb_buf_adds(&b, minimal_head);
		eb_buf_adds(&b, good_body);
		eb_buf_adds(&b, minimal_tail);
		char *s = strstr(b.data, "2020-01-31T08:00:00+08:00");
		struct eb_buf c;
		eb_buf_init(&c, 1 << 20);
		eb_buf_add(&c, b.data, (size_t)(s - b.data));
		eb_buf_adds(&c, bad[i]);
		eb_buf_adds(&c, s + strlen("2020-01-31T08:00:00+08:00"));
		const struct eb_detail *d = expect_fail(c.data, c.len, EB_EINVAL);
		assert_string_equal(d->field, "/alert/sent");
		assert_contains(d->msg, "(line 5)");
		eb_buf_free(&b);
		eb_buf_free(&c);
	}
	assert_true(cap_datetime_valid("2020-02-29T23:59:59+14:00"));
	assert_true(cap_datetime_valid("2020-02-29T24:00:00-00:00"));
	assert_false(cap_datetime_valid("2019-02-29T12:00:00+08:00"));
	assert_false(cap_datetime_valid("2020-02-28T12:00:00+14:30"));
	assert_false(cap_datetime_valid("2020-02-28T12:00:60+08:00"));
	assert_false(cap_datetime_valid("0000-02-28T12:00:00+08:00"));
	assert_false(cap_datetime_valid("2020-02-28T12:00:00,08:00"));
	assert_false(cap_datetime_valid(NULL));
}

static void test_reject_doctype_xxe(void **state)
{
	(void)state;
	static const char xxe[] =
		"<?xml version=\"1.0\"?>\n"
		"<!DOCTYPE alert [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
		"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"
		"<identifier>&xxe;</identifier></alert>";
	const struct eb_detail *d = expect_fail(xxe, sizeof xxe - 1, EB_EINVAL);
	assert_contains(d->msg, "DOCTYPE");
	assert_contains(d->msg, "(line 2)");
	assert_null(strstr(d->msg, "root:"));

	/* external DTD, parameter entity, no internal subset */
	static const char ext[] =
		"<!DOCTYPE alert SYSTEM \"http://127.0.0.1:1/evil.dtd\">"
		"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"/>";
	d = expect_fail(ext, sizeof ext - 1, EB_EINVAL);
	assert_contains(d->msg, "DOCTYPE");

	/* an entity reference with no DTD is simply undefined */
	static const char undef[] =
		"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"
		"<identifier>&xxe;</identifier></alert>";
	d = expect_fail(undef, sizeof undef - 1, EB_EINVAL);
	assert_contains(d->msg, "xxe");
}

static void test_reject_billion_laughs(void **state)
{
	(void)state;
	struct eb_buf b;
	eb_buf_init(&b, 1 << 20);
	eb_buf_adds(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
			"<!ENTITY lol \"lol\">\n");
	for (int i = 1; i <= 9; i++) {
		eb_buf_printf(&b, "<!ENTITY lol%d \"", i);
		for (int k = 0; k < 10; k++) {
			if (i == 1)
				eb_buf_adds(&b, "&lol;");
			else
				eb_buf_printf(&b, "&lol%d;", i - 1);
		}
		eb_buf_adds(&b, "\">\n");
	}
	eb_buf_adds(&b, "]>\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"
			"<identifier>&lol9;</identifier></alert>");
	const struct eb_detail *d = expect_fail(b.data, b.len, EB_EINVAL);
	assert_contains(d->msg, "DOCTYPE");
	eb_buf_free(&b);
}

static void test_reject_too_deep(void **state)
{
	(void)state;
	struct eb_buf b;
	eb_buf_init(&b, 1 << 20);
	eb_buf_adds(&b, minimal_head);
	eb_buf_adds(&b, good_body);
	for (int i = 0; i < 100; i++)
		eb_buf_adds(&b, "<audience>");
	for (int i = 0; i < 100; i++)
		eb_buf_adds(&b, "</audience>");
	eb_buf_adds(&b, minimal_tail);
	const struct eb_detail *d = expect_fail(b.data, b.len, EB_EINVAL);
	assert_contains(d->msg, "nested deeper than the limit of 64");
	eb_buf_free(&b);

	/* the wrapper's limit is exact and configurable */
	for (unsigned depth = 3; depth <= 5; depth++) {
		eb_buf_init(&b, 1 << 20);
		for (unsigned i = 0; i < depth; i++)
			eb_buf_adds(&b, "<a>");
		for (unsigned i = 0; i < depth; i++)
			eb_buf_adds(&b, "</a>");
		struct xml_safe_limits lim = {0, 4};
		xmlDocPtr doc = NULL;
		struct eb_detail dd;
		enum eb_err rc = xml_safe_parse(b.data, b.len, &lim, &doc, &dd);
		assert_int_equal(rc, depth <= 4 ? EB_OK : EB_EINVAL);
		assert_true((doc != NULL) == (depth <= 4));
		xml_safe_doc_free(doc);
		eb_buf_free(&b);
	}
}

static void test_reject_too_big(void **state)
{
	(void)state;
	/* a valid alert padded past 1 MiB with a long note */
	struct eb_buf b;
	eb_buf_init(&b, 4 << 20);
	eb_buf_adds(&b, "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"
			"<identifier>x</identifier><sender>s</sender>"
			"<sent>2020-01-31T08:00:00+08:00</sent><status>Actual</status>"
			"<msgType>Alert</msgType><scope>Public</scope><note>");
	while (b.len <= XML_SAFE_MAX_BYTES_DEFAULT)
		eb_buf_adds(&b, "0123456789abcdef");
	eb_buf_adds(&b, "</note></alert>");
	const struct eb_detail *d = expect_fail(b.data, b.len, EB_ETOOBIG);
	assert_contains(d->msg, "over the limit of 1048576 bytes");

	/* just under the limit parses */
	struct eb_buf s;
	eb_buf_init(&s, 4 << 20);
	size_t cut = XML_SAFE_MAX_BYTES_DEFAULT - 200;
	eb_buf_add(&s, b.data, cut);
	eb_buf_adds(&s, "</note></alert>");
	struct cap_alert *a = NULL;
	struct eb_detail dd;
	if (cap_parse(s.data, s.len, &a, &dd))
		fail_msg("%s", dd.msg);
	assert_true(strlen(a->note) > 1000000);
	cap_alert_free(a);
	eb_buf_free(&s);
	eb_buf_free(&b);
}

static void test_reject_not_xml(void **state)
{
	(void)state;
	static const char *const junk[] = {
		"hello",
		"{\"identifier\": \"x\"}",
		"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">",
		"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"></alarm>",
		"<cap:alert><cap:identifier/></cap:alert>", /* unbound prefix */
		"\xff\xfe<\0a\0>\0",
	};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		size_t len = i == 5 ? 8 : strlen(junk[i]);
		const struct eb_detail *d = expect_fail(junk[i], len, EB_EINVAL);
		assert_contains(d->msg, "(line ");
	}
	const struct eb_detail *d = expect_fail("", 0, EB_EINVAL);
	assert_contains(d->msg, "empty");

	/* well-formed, but not CAP 1.2: CAP 1.1 namespace, other root */
	static const char cap11[] =
		"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.1\"/>";
	d = expect_fail(cap11, sizeof cap11 - 1, EB_EINVAL);
	assert_contains(d->msg, "No matching global declaration");
	assert_string_equal(d->field, "/alert");
	static const char other[] = "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>";
	d = expect_fail(other, sizeof other - 1, EB_EINVAL);
	assert_string_equal(d->field, "/feed");

	/* an element CAP does not have */
	char *doc = make_doc("    <urgency>Immediate</urgency>\n"
			     "    <severity>Severe</severity>\n"
			     "    <certainty>Observed</certainty>\n"
			     "    <script>alert(1)</script>\n");
	d = expect_fail(doc, strlen(doc), EB_EINVAL);
	assert_contains(d->msg, "script");
	assert_string_equal(d->field, "/alert/info/script");
	free(doc);
}

/* Messages quote the input; they must stay valid UTF-8 without control
 * characters, even cut to fit, so they can go into JSON as they are. */
static void test_messages_are_clean_utf8(void **state)
{
	(void)state;
	struct eb_buf b;
	eb_buf_init(&b, 1 << 20);
	eb_buf_adds(&b, "<a><![CDATA[\n\t");
	for (int i = 0; i < 300; i++)
		eb_buf_adds(&b, "中"); /* 3 bytes each */
	const struct eb_detail *d = expect_fail(b.data, b.len, EB_EINVAL);
	assert_true(xml_safe_text_valid(d->msg));
	assert_null(strchr(d->msg, '\n'));
	assert_null(strchr(d->msg, '\t'));
	assert_contains(d->msg, "CData");
	assert_contains(d->msg, "中中");
	eb_buf_free(&b);

	/* a long element path keeps its end, cut on a character */
	eb_buf_init(&b, 1 << 20);
	eb_buf_adds(&b, minimal_head);
	eb_buf_adds(&b, good_body);
	eb_buf_adds(&b, "<音音音音音音音音音音音音音音音音音音音音音音音音音音音音音音音音音音音音音音音音/>");
	eb_buf_adds(&b, minimal_tail);
	d = expect_fail(b.data, b.len, EB_EINVAL);
	assert_true(xml_safe_text_valid(d->field));
	assert_true(strncmp(d->field, "...", 3) == 0);
	assert_true(strlen(d->field) < sizeof d->field);
	eb_buf_free(&b);

	char out[8];
	assert_string_equal(xml_safe_excerpt("ab\xff\ncd", out, sizeof out), "ab? cd");
	assert_string_equal(xml_safe_excerpt("abcde中", out, sizeof out), "abcde");
	char cut[] = "ab\xe4\xb8";
	assert_string_equal(xml_safe_utf8_trim(cut), "ab");
}

/* No error may reach stderr: the handlers are per call. */
static void test_errors_not_printed(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/test_cap_stderr_XXXXXX";
	int fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fd, 2) >= 0);

	static const char *const bad[] = {
		"<a>", "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", "<a>&e;</a>",
		"<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"/>",
		"<?xml version=\"1.0\" encoding=\"no-such-charset\"?><a/>",
		"<a xmlns:p=\"\"><p:b/></a>",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cap_alert *a = NULL;
		struct eb_detail d;
		assert_int_not_equal(cap_parse(bad[i], strlen(bad[i]), &a, &d),
				     EB_OK);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	off_t size = lseek(fd, 0, SEEK_END);
	close(fd);
	unlink(tmpl);
	assert_int_equal(size, 0);
}

/* ---- writing -------------------------------------------------------------- */

static struct cap_alert *build_alert(void)
{
	struct cap_alert *a = cap_alert_new();
	assert_non_null(a);
	a->identifier = strdup("CN-TZ-2020-03-04-001");
	a->sender = strdup("health@mission.example");
	a->sent = strdup("2020-03-04T09:00:00+03:00");
	a->status = CAP_STATUS_ACTUAL;
	a->msgType = CAP_MSG_TYPE_ALERT;
	a->scope = CAP_SCOPE_PUBLIC;
	a->ninfo = 2;
	a->info = calloc(2, sizeof *a->info);
	for (size_t i = 0; i < 2; i++) {
		struct cap_info *in = &a->info[i];
		in->language = strdup(i ? "en" : "zh-CN");
		in->ncategory = 1;
		in->category = calloc(1, sizeof *in->category);
		in->category[0] = CAP_CATEGORY_HEALTH;
		in->event = strdup(i ? "COVID-19 joint statement" : "新冠肺炎联合声明");
		in->urgency = CAP_URGENCY_EXPECTED;
		in->severity = CAP_SEVERITY_MODERATE;
		in->certainty = CAP_CERTAINTY_LIKELY;
		in->description = strdup(
			"<script>alert('x')</script> & ]]> \"q\" 'a'\r\nline2\ttab");
		in->narea = 1;
		in->area = calloc(1, sizeof *in->area);
		in->area[0].areaDesc = strdup("Tanzania");
		in->area[0].ngeocode = 1;
		in->area[0].geocode = calloc(1, sizeof(struct cap_value));
		in->area[0].geocode[0].valueName = strdup("ISO 3166-1");
		in->area[0].geocode[0].value = strdup("TZ");
		in->area[0].has_altitude = true;
		in->area[0].altitude = i ? 1e20 : 0.1;
		in->area[0].has_ceiling = true;
		in->area[0].ceiling = i ? -3.5e-7 : 12345.678;
	}
	return a;
}

static void test_write_escapes_and_numbers(void **state)
{
	(void)state;
	struct cap_alert *a = build_alert();
	struct eb_detail d;
	if (cap_check(a, &d))
		fail_msg("%s [%s]", d.msg, d.field);
	struct eb_buf b;
	eb_buf_init(&b, 1 << 20);
	assert_int_equal(cap_write(a, &b), EB_OK);
	assert_contains(b.data, "&lt;script&gt;alert('x')&lt;/script&gt; &amp; ]]&gt;");
	assert_null(strstr(b.data, "<script>"));
	assert_contains(b.data, "<altitude>100000000000000000000</altitude>");
	assert_contains(b.data, "<ceiling>-0.00000035</ceiling>");
	assert_contains(b.data, "<altitude>0.1</altitude>");
	assert_contains(b.data, "<ceiling>12345.678</ceiling>");
	assert_contains(b.data, "新冠肺炎联合声明");
	assert_schema_valid(b.data, b.len);
	struct cap_alert *a2 = NULL;
	if (cap_parse(b.data, b.len, &a2, &d))
		fail_msg("%s", d.msg);
	assert_true(cap_alert_equal(a, a2));
	/* \r survives (written as a character reference) */
	assert_non_null(strstr(a2->info[0].description, "\r\nline2\ttab"));
	cap_alert_free(a2);

	/* the output limit is honoured and leaves the buffer as it was */
	struct eb_buf small;
	eb_buf_init(&small, 64);
	eb_buf_adds(&small, "keep");
	assert_int_equal(cap_write(a, &small), EB_ETOOBIG);
	assert_string_equal(small.data, "keep");
	eb_buf_free(&small);
	eb_buf_free(&b);
	cap_alert_free(a);
}

static void test_check_model(void **state)
{
	(void)state;
	struct cap_alert *a = build_alert();
	struct eb_detail d;
	struct eb_buf b;
	eb_buf_init(&b, 1 << 20);

	a->status = CAP_STATUS_UNSET;
	assert_int_equal(cap_check(a, &d), EB_EINVAL);
	assert_string_equal(d.field, "/status");
	assert_contains(d.msg, "Actual");
	assert_int_equal(cap_write(a, &b), EB_EINVAL);
	assert_int_equal(b.len, 0);
	a->status = CAP_STATUS_DRAFT;

	a->info[1].certainty = (enum cap_certainty)99;
	assert_int_equal(cap_check(a, &d), EB_EINVAL);
	assert_string_equal(d.field, "/info/1/certainty");
	a->info[1].certainty = CAP_CERTAINTY_UNKNOWN;

	free(a->info[1].area[0].geocode[0].value);
	a->info[1].area[0].geocode[0].value = NULL;
	assert_int_equal(cap_check(a, &d), EB_EINVAL);
	assert_string_equal(d.field, "/info/1/area/0/geocode/0/value");
	a->info[1].area[0].geocode[0].value = strdup("");

	free(a->info[0].headline);
	a->info[0].headline = strdup("bell \a here");
	assert_int_equal(cap_check(a, &d), EB_EINVAL);
	assert_string_equal(d.field, "/info/0/headline");
	free(a->info[0].headline);
	a->info[0].headline = strdup("bad utf-8 \xc3\x28");
	assert_int_equal(cap_check(a, &d), EB_EINVAL);
	free(a->info[0].headline);
	a->info[0].headline = NULL;

	free(a->info[0].language);
	a->info[0].language = strdup("chinese please");
	assert_int_equal(cap_check(a, &d), EB_EINVAL);
	assert_string_equal(d.field, "/info/0/language");
	free(a->info[0].language);
	a->info[0].language = strdup("zh-Hans-CN");

	a->info[0].web = strdup("http://[bad");
	assert_int_equal(cap_check(a, &d), EB_EINVAL);
	assert_string_equal(d.field, "/info/0/web");
	free(a->info[0].web);
	a->info[0].web = strdup("https://www.who.int/emergencies/diseases/novel-coronavirus-2019");

	a->info[0].area[0].altitude = 1.0 / 0.0;
	assert_int_equal(cap_check(a, &d), EB_EINVAL);
	assert_string_equal(d.field, "/info/0/area/0/altitude");
	a->info[0].area[0].altitude = 8848.86;

	assert_int_equal(cap_check(a, &d), EB_OK);
	assert_int_equal(cap_write(a, &b), EB_OK);
	assert_schema_valid(b.data, b.len);
	eb_buf_free(&b);
	cap_alert_free(a);
	cap_alert_free(NULL);
}

/* ---- JSON errors ---------------------------------------------------------- */

/* Applies a JSON merge to the A2 example's JSON at info[0] (when in_info)
 * or at the top, then expects cap_from_json to fail at field. */
static void expect_json_fail(const char *patch, int in_info, const char *field,
			     const char *msg_part)
{
	struct cap_alert *a = parse_example("oasis-cap12-appendixA2.xml");
	json_t *j = cap_to_json(a);
	cap_alert_free(a);
	json_error_t je;
	json_t *p = json_loads(patch, 0, &je);
	if (!p)
		fail_msg("bad patch %s: %s", patch, je.text);
	json_t *target = in_info ? json_array_get(json_object_get(j, "info"), 0) : j;
	const char *k;
	json_t *v;
	json_object_foreach(p, k, v)
	{
		if (json_is_null(v) && strcmp(k, "source") != 0)
			json_object_del(target, k);
		else
			json_object_set(target, k, v);
	}
	struct cap_alert *out = (struct cap_alert *)1;
	struct eb_detail d = {{0}, {0}};
	enum eb_err rc = cap_from_json(j, &out, &d);
	if (rc != EB_EINVAL)
		fail_msg("patch %s: expected EB_EINVAL, got %d", patch, rc);
	assert_null(out);
	if (strcmp(d.field, field) != 0)
		fail_msg("patch %s: field '%s', expected '%s' (%s)", patch,
			 d.field, field, d.msg);
	assert_contains(d.msg, msg_part);
	json_decref(p);
	json_decref(j);
}

static void test_json_errors(void **state)
{
	(void)state;
	expect_json_fail("{\"urgency\": null}", 1, "/info/0/urgency", "required");
	expect_json_fail("{\"urgency\": \"Soon\"}", 1, "/info/0/urgency", "'Soon'");
	expect_json_fail("{\"urgency\": 3}", 1, "/info/0/urgency", "string");
	expect_json_fail("{\"category\": [\"Health\", \"Flu\"]}", 1,
			 "/info/0/category/1", "Flu");
	expect_json_fail("{\"category\": []}", 1, "/info/0/category",
			 "at least one");
	expect_json_fail("{\"colour\": \"red\"}", 1, "/info/0/colour", "unknown");
	expect_json_fail("{\"a/b~c\": 1}", 0, "/a~1b~0c", "unknown");
	expect_json_fail("{\"sent\": \"2020-01-31T08:00:00Z\"}", 0, "/sent", "Z");
	expect_json_fail("{\"sent\": null}", 0, "/sent", "required");
	expect_json_fail("{\"identifier\": 42}", 0, "/identifier", "string");
	expect_json_fail("{\"code\": [\"a\", 1]}", 0, "/code/1", "string");
	expect_json_fail("{\"code\": \"a\"}", 0, "/code", "array");
	expect_json_fail("{\"info\": {}}", 0, "/info", "array");
	expect_json_fail("{\"info\": [1]}", 0, "/info/0", "object");
	expect_json_fail("{\"headline\": \"bell \\u0007\"}", 1,
			 "/info/0/headline", "control character");
	expect_json_fail("{\"language\": \"not a tag\"}", 1, "/info/0/language",
			 "language tag");
	expect_json_fail("{\"web\": \"http://[x\"}", 1, "/info/0/web", "URI");
	expect_json_fail("{\"area\": [{\"areaDesc\": \"x\", \"geocode\": "
			 "[{\"valueName\": \"SAME\"}]}]}",
			 1, "/info/0/area/0/geocode/0/value", "required");
	expect_json_fail("{\"area\": [{\"areaDesc\": \"x\", \"altitude\": \"high\"}]}",
			 1, "/info/0/area/0/altitude", "number");
	expect_json_fail("{\"resource\": [{\"resourceDesc\": \"x\", "
			 "\"mimeType\": \"a/b\", \"size\": 1.5}]}",
			 1, "/info/0/resource/0/size", "integer");
	expect_json_fail("{\"resource\": [{\"resourceDesc\": \"x\"}]}", 1,
			 "/info/0/resource/0/mimeType", "required");

	struct cap_alert *out = NULL;
	struct eb_detail d;
	json_t *arr = json_array();
	assert_int_equal(cap_from_json(arr, &out, &d), EB_EINVAL);
	assert_string_equal(d.field, "");
	json_decref(arr);
}

/* ---- concurrency ---------------------------------------------------------- */

struct thread_arg {
	char *xml[NEXAMPLES];
	size_t len[NEXAMPLES];
	int failures;
};

static void *thread_main(void *p)
{
	struct thread_arg *t = p;
	for (int round = 0; round < 30; round++) {
		for (size_t i = 0; i < NEXAMPLES; i++) {
			struct cap_alert *a = NULL;
			struct eb_detail d;
			if (cap_parse(t->xml[i], t->len[i], &a, &d) != EB_OK)
				t->failures++;
			cap_alert_free(a);
		}
		/* and an invalid one, whose errors must stay in this thread */
		struct cap_alert *a = NULL;
		struct eb_detail d;
		char *doc = make_doc("<urgency>Soon</urgency>");
		if (cap_parse(doc, strlen(doc), &a, &d) != EB_EINVAL ||
		    !strstr(d.msg, "Soon"))
			t->failures++;
		free(doc);
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	enum { NT = 4 };
	struct thread_arg args[NT];
	pthread_t th[NT];
	memset(args, 0, sizeof args);
	for (int t = 0; t < NT; t++) {
		for (size_t i = 0; i < NEXAMPLES; i++)
			args[t].xml[i] = read_example(examples[i], &args[t].len[i]);
		assert_int_equal(pthread_create(&th[t], NULL, thread_main, &args[t]), 0);
	}
	for (int t = 0; t < NT; t++) {
		pthread_join(th[t], NULL);
		assert_int_equal(args[t].failures, 0);
		for (size_t i = 0; i < NEXAMPLES; i++)
			free(args[t].xml[i]);
	}
}

static void test_enum_names(void **state)
{
	(void)state;
	assert_string_equal(cap_enum_name(CAP_ENUM_RESPONSE_TYPE,
					  CAP_RESPONSE_TYPE_ALL_CLEAR),
			    "AllClear");
	assert_string_equal(cap_enum_name(CAP_ENUM_CATEGORY, CAP_CATEGORY_CBRNE),
			    "CBRNE");
	assert_null(cap_enum_name(CAP_ENUM_STATUS, 0));
	assert_null(cap_enum_name(CAP_ENUM_STATUS, 6));
	assert_int_equal(cap_enum_parse(CAP_ENUM_MSG_TYPE, "Ack"), CAP_MSG_TYPE_ACK);
	assert_int_equal(cap_enum_parse(CAP_ENUM_MSG_TYPE, "ack"), 0);
	assert_int_equal(cap_enum_parse(CAP_ENUM_SCOPE, NULL), 0);
}

int main(void)
{
	struct eb_detail d;
	if (cap_init(NULL, &d) != EB_OK) {
		fprintf(stderr, "test_cap: %s (run from the repository root)\n",
			d.msg);
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples_xml_round_trip),
		cmocka_unit_test(test_examples_model_content),
		cmocka_unit_test(test_every_element),
		cmocka_unit_test(test_examples_json_round_trip),
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_reject_missing_required),
		cmocka_unit_test(test_reject_bad_enumeration),
		cmocka_unit_test(test_reject_bad_datetime),
		cmocka_unit_test(test_reject_doctype_xxe),
		cmocka_unit_test(test_reject_billion_laughs),
		cmocka_unit_test(test_reject_too_deep),
		cmocka_unit_test(test_reject_too_big),
		cmocka_unit_test(test_reject_not_xml),
		cmocka_unit_test(test_messages_are_clean_utf8),
		cmocka_unit_test(test_errors_not_printed),
		cmocka_unit_test(test_write_escapes_and_numbers),
		cmocka_unit_test(test_check_model),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_enum_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
