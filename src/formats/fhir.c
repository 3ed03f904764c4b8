/*
 * FHIR R4 MeasureReport and Bundle writer for situation data.  See fhir.h
 * for the mapping.  Each MeasureReport is built as a jansson object and
 * dumped compactly into the caller's buffer, so a Bundle of any length is
 * written one entry at a time and never held as one JSON tree.
 */
#include "formats/fhir.h"

#include <stdio.h>
#include <string.h>

const char *const fhir_count_codes[FHIR_NCOUNTS] = {
	"new_confirmed", "cum_confirmed", "new_suspected", "cum_suspected",
	"new_deaths",    "cum_deaths",    "new_recovered", "cum_recovered",
	"new_tests",     "cum_tests"};

static const char *const count_display[FHIR_NCOUNTS] = {
	"New confirmed cases",  "Cumulative confirmed cases",
	"New suspected cases",  "Cumulative suspected cases",
	"New deaths",           "Cumulative deaths",
	"New recovered cases",  "Cumulative recovered cases",
	"New tests",            "Cumulative tests"};

/* UCUM annotations: dimensionless counts of a kind. */
static const char *const count_unit[FHIR_NCOUNTS] = {
	"cases", "cases", "cases", "cases", "deaths",
	"deaths", "cases", "cases", "tests", "tests"};

static const char *const tx_code[4] = {"no_cases", "sporadic", "clusters", "community"};
static const char *const tx_display[4] = {"No cases", "Sporadic cases",
					  "Clusters of cases", "Community transmission"};

static const struct {
	int bit;
	const char *code;
} flag_codes[] = {
	{SITREP_F_NEGATIVE_NEW, "negative_new_cases"},
	{SITREP_F_NEGATIVE_NEW_DEATHS, "negative_new_deaths"},
	{SITREP_F_DERIVED_NEW, "derived_new"},
	{SITREP_F_SUMMED, "summed"},
};

static json_t *coding(const char *system, const char *code, const char *display)
{
	json_t *c = json_pack("{s:s, s:s}", "system", system, "code", code);
	if (c && display)
		json_object_set_new(c, "display", json_string(display));
	return c;
}

static json_t *identifier_ref(const char *system, const char *value, const char *display)
{
	json_t *r = json_pack("{s:{s:s, s:s}}", "identifier", "system", system, "value", value);
	if (r && display && *display)
		json_object_set_new(r, "display", json_string(display));
	return r;
}

json_t *fhir_measure_report(const struct fhir_sitrep *s)
{
	if (!s->area || !*s->area || !s->date || strlen(s->date) != 10)
		return NULL;
	json_t *m = json_object();
	if (!m)
		return NULL;
	char buf[64];
	json_object_set_new(m, "resourceType", json_string("MeasureReport"));
	if (s->id > 0) {
		snprintf(buf, sizeof buf, "sitrep-%lld", (long long)s->id);
		json_object_set_new(m, "id", json_string(buf));
	}
	json_t *ext = json_array();
	if (s->transmission >= 0 && s->transmission <= 3)
		json_array_append_new(ext, json_pack("{s:s, s:o}", "url", FHIR_EXT_TRANSMISSION, "valueCoding",
						     coding(FHIR_CS_TRANSMISSION, tx_code[s->transmission],
							    tx_display[s->transmission])));
	for (size_t i = 0; i < sizeof flag_codes / sizeof flag_codes[0]; i++)
		if (s->flags & flag_codes[i].bit)
			json_array_append_new(ext, json_pack("{s:s, s:s}", "url", FHIR_EXT_FLAG, "valueCode",
							     flag_codes[i].code));
	if (json_array_size(ext))
		json_object_set_new(m, "extension", ext);
	else
		json_decref(ext);
	if (s->id > 0) {
		snprintf(buf, sizeof buf, "%lld", (long long)s->id);
		json_object_set_new(m, "identifier", json_pack("[{s:s, s:s}]", "system", FHIR_NS_SITREP, "value", buf));
	}
	json_object_set_new(m, "status", json_string("complete"));
	json_object_set_new(m, "type", json_string("summary"));
	json_object_set_new(m, "measure", json_string(FHIR_MEASURE_URL));
	json_t *subj = identifier_ref(strchr(s->area, '-') ? "urn:iso:std:iso:3166:-2" : "urn:iso:std:iso:3166",
				      s->area, s->area_name);
	json_object_set_new(subj, "type", json_string("Location"));
	json_object_set_new(m, "subject", subj);
	if (s->updated && *s->updated)
		json_object_set_new(m, "date", json_string(s->updated));
	if (s->org > 0) {
		snprintf(buf, sizeof buf, "%lld", (long long)s->org);
		json_t *rep = identifier_ref(FHIR_NS_ORG, buf, s->org_name);
		json_object_set_new(rep, "type", json_string("Organization"));
		json_object_set_new(m, "reporter", rep);
	}
	json_object_set_new(m, "period", json_pack("{s:s, s:s}", "start", s->date, "end", s->date));
	json_t *groups = json_array();
	for (int i = 0; i < FHIR_NCOUNTS; i++) {
		if (!s->counts[i].present)
			continue;
		char unit[16];
		snprintf(unit, sizeof unit, "{%s}", count_unit[i]);
		json_array_append_new(groups,
			json_pack("{s:{s:[o]}, s:{s:I, s:s, s:s, s:s}}",
				  "code", "coding", coding(FHIR_CS_COUNT, fhir_count_codes[i], count_display[i]),
				  "measureScore", "value", (json_int_t)s->counts[i].value, "unit", count_unit[i],
				  "system", "http://unitsofmeasure.org", "code", unit));
	}
	if (json_array_size(groups))
		json_object_set_new(m, "group", groups);
	else
		json_decref(groups);
	return m;
}

static int buf_dump(const char *p, size_t n, void *ctx)
{
	return eb_buf_add(ctx, p, n) == EB_OK ? 0 : -1;
}

enum eb_err fhir_bundle_begin(struct eb_buf *b, const char *timestamp)
{
	json_t *ts = json_string(timestamp ? timestamp : "");
	if (!ts)
		return EB_ENOMEM;
	enum eb_err e = eb_buf_adds(b, "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"timestamp\":");
	if (!e && json_dump_callback(ts, buf_dump, b, JSON_ENCODE_ANY | JSON_COMPACT))
		e = EB_ETOOBIG;
	json_decref(ts);
	return e ? e : eb_buf_adds(b, ",\"entry\":[");
}

enum eb_err fhir_bundle_add(struct eb_buf *b, const struct fhir_sitrep *s, bool first)
{
	json_t *m = fhir_measure_report(s);
	if (!m)
		return s->area && s->date ? EB_ENOMEM : EB_EINVAL;
	size_t start = b->len;
	enum eb_err e = eb_buf_adds(b, first ? "{\"resource\":" : ",{\"resource\":");
	if (!e && json_dump_callback(m, buf_dump, b, JSON_COMPACT))
		e = EB_ETOOBIG;
	if (!e)
		e = eb_buf_addc(b, '}');
	json_decref(m);
	if (e) {
		b->len = start;
		if (b->data)
			b->data[start] = '\0';
	}
	return e;
}

enum eb_err fhir_bundle_end(struct eb_buf *b, const char *next_url)
{
	enum eb_err e = eb_buf_addc(b, ']');
	if (e)
		return e;
	if (next_url) {
		json_t *link = json_pack("[{s:s, s:s}]", "relation", "next", "url", next_url);
		if (!link)
			return EB_ENOMEM;
		e = eb_buf_adds(b, ",\"link\":");
		if (!e && json_dump_callback(link, buf_dump, b, JSON_COMPACT))
			e = EB_ETOOBIG;
		json_decref(link);
		if (e)
			return e;
	}
	return eb_buf_addc(b, '}');
}
