/*
 * Tests of the EDXL-DE 1.0 envelope writer (src/formats/edxl.c): envelopes
 * around the real CAP examples validate against the OASIS EDXL-DE schema,
 * every embedded alert still validates against the CAP 1.2 schema and reads
 * back equal, explicit recipients are written, and bad headers are refused
 * naming the field.  Also checks the schema wrapper against the published
 * EDXL-DE sample, so the schema file itself is known to work.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "base/buf.h"
#include "base/datadir.h"
#include "formats/cap.h"
#include "formats/edxl.h"
#include "formats/xml_safe.h"
#include "formats_testutil.h"

static const char *const examples[] = {
	"oasis-cap12-appendixA1.xml", "oasis-cap12-appendixA2.xml",
	"oasis-cap12-appendixA3.xml", "oasis-cap12-appendixA4.xml",
	"google-australia.cap",	      "google-wcatwc-warning.cap",
};
#define NEXAMPLES (sizeof examples / sizeof examples[0])

static struct xml_safe_schema *edxl_schema, *cap_schema;

static char *read_shared(const char *rel, size_t *len)
{
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
	char rel[256];
	snprintf(rel, sizeof rel, "data/standards/cap/examples/%s", name);
	size_t len;
	char *xml = read_shared(rel, &len);
	struct cap_alert *a = NULL;
	struct eb_detail d;
	if (cap_parse(xml, len, &a, &d))
		fail_msg("%s: %s", name, d.msg);
	free(xml);
	return a;
}

static void validate(struct xml_safe_schema *s, const char *xml, size_t len,
		     const char *what)
{
	xmlDocPtr doc = NULL;
	struct eb_detail d;
	if (xml_safe_parse(xml, len, NULL, &doc, &d))
		fail_msg("%s not well-formed: %s", what, d.msg);
	if (xml_safe_schema_validate(s, doc, &d))
		fail_msg("%s invalid: %s [%s]\n%s", what, d.msg, d.field, xml);
	xml_safe_doc_free(doc);
}

static const char *const recipients[] = {"org:moh.go.tz", "org:who.int",
					 "org:cn-embassy-tz"};
static const char *const mails[] = {"duty-officer@moh.go.tz"};

static struct edxl_address addresses[] = {
	{"epibridge:organisation", recipients, 3},
	{"e-mail", mails, 1},
};

static struct edxl_envelope envelope(void)
{
	struct edxl_envelope e = {
		.distributionID = "epibridge:dist:2020-03-04:0001",
		.senderID = "alerts@health-mission.example",
		.dateTimeSent = "2020-03-04T09:00:00+03:00",
		.distributionStatus = EDXL_STATUS_ACTUAL,
		.distributionType = EDXL_TYPE_REPORT,
		.combinedConfidentiality = NULL,
		.language = "en",
		.explicitAddress = addresses,
		.nexplicitAddress = 2,
	};
	return e;
}

static void test_envelope_validates(void **state)
{
	(void)state;
	struct cap_alert *alerts[NEXAMPLES];
	for (size_t i = 0; i < NEXAMPLES; i++)
		alerts[i] = parse_example(examples[i]);
	struct edxl_envelope env = envelope();
	struct eb_buf b;
	eb_buf_init(&b, 1 << 22);
	struct eb_detail d;
	if (edxl_write(&env, (const struct cap_alert *const *)alerts, NEXAMPLES,
		       &b, &d))
		fail_msg("%s [%s]", d.msg, d.field);
	validate(edxl_schema, b.data, b.len, "envelope");

	/* header, recipients, one contentObject per alert */
	xmlDocPtr doc = NULL;
	assert_int_equal(xml_safe_parse(b.data, b.len, NULL, &doc, &d), EB_OK);
	xmlNodePtr root = xmlDocGetRootElement(doc);
	assert_string_equal((const char *)root->name, "EDXLDistribution");
	assert_string_equal((const char *)root->ns->href, EDXL_NAMESPACE);
	size_t ncontent = 0, nvalues = 0;
	for (xmlNodePtr c = root->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrEqual(c->name, BAD_CAST "explicitAddress")) {
			for (xmlNodePtr v = c->children; v; v = v->next)
				if (v->type == XML_ELEMENT_NODE &&
				    xmlStrEqual(v->name,
						BAD_CAST "explicitAddressValue"))
					nvalues++;
		}
		if (xmlStrEqual(c->name, BAD_CAST "combinedConfidentiality")) {
			xmlChar *t = xmlNodeGetContent(c);
			assert_string_equal((const char *)t,
					    EDXL_CONFIDENTIALITY_DEFAULT);
			xmlFree(t);
		}
		if (!xmlStrEqual(c->name, BAD_CAST "contentObject"))
			continue;
		/* contentObject/xmlContent/embeddedXMLContent/alert */
		xmlNodePtr x = c->children;
		while (x && !(x->type == XML_ELEMENT_NODE &&
			      xmlStrEqual(x->name, BAD_CAST "xmlContent")))
			x = x->next;
		assert_non_null(x);
		xmlNodePtr emb = x->children;
		while (emb && emb->type != XML_ELEMENT_NODE)
			emb = emb->next;
		assert_non_null(emb);
		assert_string_equal((const char *)emb->name, "embeddedXMLContent");
		xmlNodePtr al = emb->children;
		while (al && al->type != XML_ELEMENT_NODE)
			al = al->next;
		assert_non_null(al);
		assert_string_equal((const char *)al->name, "alert");
		assert_string_equal((const char *)al->ns->href, CAP_NAMESPACE);

		/* the embedded alert alone: valid CAP, equal to the original */
		xmlBufferPtr xb = xmlBufferCreate();
		assert_true(xmlNodeDump(xb, doc, al, 0, 0) > 0);
		const char *txt = (const char *)xmlBufferContent(xb);
		size_t tlen = (size_t)xmlBufferLength(xb);
		validate(cap_schema, txt, tlen, examples[ncontent]);
		struct cap_alert *back = NULL;
		if (cap_parse(txt, tlen, &back, &d))
			fail_msg("embedded %zu: %s", ncontent, d.msg);
		assert_true(cap_alert_equal(back, alerts[ncontent]));
		cap_alert_free(back);
		xmlBufferFree(xb);
		ncontent++;
	}
	assert_int_equal(ncontent, NEXAMPLES);
	assert_int_equal(nvalues, 4);
	assert_non_null(strstr(b.data, "<edxlde:explicitAddressValue>org:who.int<"));
	assert_non_null(strstr(b.data, "<edxlde:contentDescription>Homeland "
				       "Security Sets Code ORANGE<"));
	xml_safe_doc_free(doc);
	eb_buf_free(&b);
	for (size_t i = 0; i < NEXAMPLES; i++)
		cap_alert_free(alerts[i]);
}

static void test_envelope_minimal_and_escaping(void **state)
{
	(void)state;
	/* no recipients, no alerts, text that needs escaping */
	struct edxl_envelope env = envelope();
	env.nexplicitAddress = 0;
	env.explicitAddress = NULL;
	env.language = NULL;
	env.senderID = "a<b>&c\"d'";
	env.combinedConfidentiality = "RESTRICTED";
	env.distributionType = EDXL_TYPE_SENSOR_STATUS;
	env.distributionStatus = EDXL_STATUS_EXERCISE;
	struct eb_buf b;
	eb_buf_init(&b, 1 << 20);
	struct eb_detail d;
	assert_int_equal(edxl_write(&env, NULL, 0, &b, &d), EB_OK);
	validate(edxl_schema, b.data, b.len, "minimal envelope");
	assert_non_null(strstr(b.data, "a&lt;b&gt;&amp;c"));
	xmlDocPtr doc = NULL;
	assert_int_equal(xml_safe_parse(b.data, b.len, NULL, &doc, &d), EB_OK);
	for (xmlNodePtr c = xmlDocGetRootElement(doc)->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    xmlStrEqual(c->name, BAD_CAST "senderID")) {
			xmlChar *t = xmlNodeGetContent(c);
			assert_string_equal((const char *)t, env.senderID);
			xmlFree(t);
		}
	xml_safe_doc_free(doc);
	assert_non_null(strstr(b.data, ">SensorStatus<"));
	assert_non_null(strstr(b.data, ">Exercise<"));
	assert_null(strstr(b.data, "explicitAddress"));
	eb_buf_free(&b);
}

static void expect_env_fail(const struct edxl_envelope *env,
			    const struct cap_alert *const *alerts, size_t n,
			    const char *field)
{
	struct eb_buf b;
	eb_buf_init(&b, 1 << 20);
	struct eb_detail d = {{0}, {0}};
	assert_int_equal(edxl_write(env, alerts, n, &b, &d), EB_EINVAL);
	if (strcmp(d.field, field) != 0)
		fail_msg("field '%s', expected '%s' (%s)", d.field, field, d.msg);
	assert_true(d.msg[0] != '\0');
	assert_int_equal(b.len, 0);
	eb_buf_free(&b);
}

static void test_envelope_errors(void **state)
{
	(void)state;
	struct edxl_envelope env = envelope();
	env.distributionID = NULL;
	expect_env_fail(&env, NULL, 0, "/distributionID");
	env = envelope();
	env.dateTimeSent = "yesterday";
	expect_env_fail(&env, NULL, 0, "/dateTimeSent");
	env = envelope();
	env.distributionStatus = EDXL_STATUS_UNSET;
	expect_env_fail(&env, NULL, 0, "/distributionStatus");
	env = envelope();
	env.distributionType = (enum edxl_type)77;
	expect_env_fail(&env, NULL, 0, "/distributionType");
	env = envelope();
	static const char *const none[] = {NULL};
	struct edxl_address bad[] = {{"scheme", none, 1}};
	env.explicitAddress = bad;
	env.nexplicitAddress = 1;
	expect_env_fail(&env, NULL, 0,
			"/explicitAddress/0/explicitAddressValue/0");
	struct edxl_address empty[] = {{"scheme", NULL, 0}};
	env.explicitAddress = empty;
	expect_env_fail(&env, NULL, 0, "/explicitAddress/0/explicitAddressValue");
	env = envelope();
	env.senderID = "nul\x01";
	expect_env_fail(&env, NULL, 0, "/senderID");

	/* an incomplete alert is named by its position and field */
	env = envelope();
	struct cap_alert *ok = parse_example("oasis-cap12-appendixA1.xml");
	struct cap_alert *broken = parse_example("oasis-cap12-appendixA2.xml");
	broken->info[0].urgency = CAP_URGENCY_UNSET;
	const struct cap_alert *two[] = {ok, broken};
	expect_env_fail(&env, two, 2, "/alerts/1/info/0/urgency");
	cap_alert_free(ok);
	cap_alert_free(broken);
}

static void test_cap_mapping(void **state)
{
	(void)state;
	assert_int_equal(edxl_status_for_cap(CAP_STATUS_ACTUAL),
			 EDXL_STATUS_ACTUAL);
	assert_int_equal(edxl_status_for_cap(CAP_STATUS_DRAFT),
			 EDXL_STATUS_UNSET);
	assert_int_equal(edxl_type_for_cap(CAP_MSG_TYPE_ALERT), EDXL_TYPE_REPORT);
	assert_int_equal(edxl_type_for_cap(CAP_MSG_TYPE_CANCEL),
			 EDXL_TYPE_CANCEL);
	assert_string_equal(edxl_type_name(EDXL_TYPE_SENSOR_DETECTION),
			    "SensorDetection");
	assert_null(edxl_status_name(EDXL_STATUS_UNSET));
}

/* The schema file and the wrapper agree with the published sample. */
static void test_published_sample(void **state)
{
	(void)state;
	size_t len;
	char *xml = read_shared(
		"data/standards/edxl-de/google-bushfire_valid.edxlde.xml", &len);
	validate(edxl_schema, xml, len, "google-bushfire_valid.edxlde.xml");
	/* and the schema is not a rubber stamp: drop a required element */
	char *p = strstr(xml, "<edxlde:distributionStatus>");
	char *q = strstr(xml, "</edxlde:distributionStatus>");
	assert_non_null(p);
	assert_non_null(q);
	q += strlen("</edxlde:distributionStatus>");
	memmove(p, q, strlen(q) + 1);
	xmlDocPtr doc = NULL;
	struct eb_detail d;
	assert_int_equal(xml_safe_parse(xml, strlen(xml), NULL, &doc, &d), EB_OK);
	assert_int_equal(xml_safe_schema_validate(edxl_schema, doc, &d),
			 EB_EINVAL);
	assert_non_null(strstr(d.msg, "distributionStatus"));
	xml_safe_doc_free(doc);
	free(xml);
}

static int setup(void **state)
{
	(void)state;
	char path[4096];
	struct eb_detail d;
	if (!eb_data_path(EDXL_SCHEMA_REL, path, sizeof path) ||
	    xml_safe_schema_load(path, &edxl_schema, &d))
		return -1;
	if (!eb_data_path(CAP_SCHEMA_REL, path, sizeof path) ||
	    xml_safe_schema_load(path, &cap_schema, &d))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	xml_safe_schema_free(edxl_schema);
	xml_safe_schema_free(cap_schema);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envelope_validates),
		cmocka_unit_test(test_envelope_minimal_and_escaping),
		cmocka_unit_test(test_envelope_errors),
		cmocka_unit_test(test_cap_mapping),
		cmocka_unit_test(test_published_sample),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
