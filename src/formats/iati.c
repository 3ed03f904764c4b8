/*
 * IATI 2.03 activity XML writer and validator.  See iati.h for the mapping
 * from a pledge to an activity.
 *
 * The writer wraps an xmlTextWriter over an xmlBuffer; every call goes
 * through the small helpers below, which stop at the first libxml2 failure
 * and remember it, so the element code reads as the document it writes.
 * Element order follows the iati-activity sequence of the 2.03 schema.
 */
#include "formats/iati.h"
#include "formats/xml_safe.h"
#include "base/datadir.h"
#include "base/util.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#define REF_PREFIX "EPIBRIDGE-"
#define TEXT_MAX 8192

struct iati_writer {
	xmlBufferPtr xb;
	xmlTextWriterPtr w;
	int failed;
};

const char *iati_org_type(const char *k)
{
	static const struct {
		const char *name, *code;
	} map[] = {
		{"government", "10"}, {"ministry_of_health", "10"}, {"embassy", "10"}, {"consulate", "10"},
		{"local_government", "11"}, {"public_health_agency", "15"}, {"hospital", "15"},
		{"international_organisation", "40"}, {"ngo", "22"}, {"red_cross_society", "22"},
		{"volunteer_group", "22"}, {"company", "70"}, {"research_institute", "80"},
		{"individual", "90"},
	};
	for (size_t i = 0; k && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].name, k) == 0)
			return map[i].code;
	return "90";
}

/* ---- helpers that stop at the first failure ---- */

/* Text XML 1.0 can carry: s itself, or a cleaned copy in buf. */
static const char *clean(const char *s, char *buf, size_t n)
{
	if (!s)
		return "";
	if (xml_safe_text_valid(s))
		return s;
	return xml_safe_excerpt(s, buf, n);
}

static void start(struct iati_writer *w, const char *name)
{
	if (!w->failed && xmlTextWriterStartElement(w->w, BAD_CAST name) < 0)
		w->failed = 1;
}

static void end(struct iati_writer *w)
{
	if (!w->failed && xmlTextWriterEndElement(w->w) < 0)
		w->failed = 1;
}

static void attr(struct iati_writer *w, const char *name, const char *value)
{
	char buf[TEXT_MAX];
	if (!w->failed && xmlTextWriterWriteAttribute(w->w, BAD_CAST name,
						      BAD_CAST clean(value, buf, sizeof buf)) < 0)
		w->failed = 1;
}

static void text(struct iati_writer *w, const char *s)
{
	char buf[TEXT_MAX];
	if (!w->failed && xmlTextWriterWriteString(w->w, BAD_CAST clean(s, buf, sizeof buf)) < 0)
		w->failed = 1;
}

/* <name attr=value/> */
static void empty1(struct iati_writer *w, const char *name, const char *a, const char *v)
{
	start(w, name);
	attr(w, a, v);
	end(w);
}

static void narrative(struct iati_writer *w, const char *s, const char *lang)
{
	if (!s || !*s)
		return;
	start(w, "narrative");
	if (lang)
		attr(w, "xml:lang", lang);
	text(w, s);
	end(w);
}

/* An element holding an English and (when given) a Chinese narrative. */
static void narratives(struct iati_writer *w, const char *name, const char *en, const char *zh)
{
	start(w, name);
	narrative(w, en && *en ? en : "-", NULL);
	narrative(w, zh, "zh");
	end(w);
}

static void org_ref(const struct aid_party *o, char out[40])
{
	snprintf(out, 40, REF_PREFIX "%" PRId64, o->id);
}

/* ---- the pieces of an activity ---- */

static const char *max_date(const char *a, const char *b)
{
	if (!a || !*a)
		return b ? b : "";
	if (!b || !*b)
		return a;
	return strcmp(a, b) >= 0 ? a : b;
}

/* "12,500" */
static void group_digits(int64_t v, char out[32])
{
	char raw[24];
	snprintf(raw, sizeof raw, "%" PRId64, v < 0 ? -v : v);
	size_t n = strlen(raw), o = 0;
	if (v < 0)
		out[o++] = '-';
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = raw[i];
	}
	out[o] = '\0';
}

/* "Protective suit 5,000 set; Medical mask 100,000 piece" (zh: 医用防护服 5,000 set). */
static void lines_summary(const struct aid_pledge *p, int zh, int64_t (*qty)(const struct aid_line *),
			  char *out, size_t n)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < p->nlines && o + 1 < n; i++) {
		const struct aid_line *l = &p->lines[i];
		char q[32];
		group_digits(qty(l), q);
		const char *name = zh && l->item_zh && *l->item_zh ? l->item_zh : l->item_en;
		int k = snprintf(out + o, n - o, "%s%s %s %s", i ? "; " : "", name, q, l->unit);
		if (k < 0 || (size_t)k >= n - o)
			break;
		o += (size_t)k;
	}
}

static int64_t q_pledged(const struct aid_line *l)
{
	return l->pledged;
}

static void write_title(struct iati_writer *w, const struct aid_pledge *p)
{
	char items[1024], en[2048], zh[2048];
	lines_summary(p, 0, q_pledged, items, sizeof items);
	if (p->title && *p->title)
		snprintf(en, sizeof en, "%s%s", strstr(p->title, "COVID-19") ? "" : "COVID-19: ", p->title);
	else
		snprintf(en, sizeof en, "COVID-19 in-kind donation to %s: %s", p->recipient.name_en, items);
	lines_summary(p, 1, q_pledged, items, sizeof items);
	snprintf(zh, sizeof zh, "COVID-19 疫情防控物资捐赠（%s）：%s",
		 p->recipient.name_zh && *p->recipient.name_zh ? p->recipient.name_zh : p->recipient.name_en, items);
	narratives(w, "title", en, zh);
}

static void write_description(struct iati_writer *w, const struct aid_pledge *p)
{
	char items[1024], en[4096 + 1200];
	lines_summary(p, 0, q_pledged, items, sizeof items);
	const char *place = p->city && *p->city ? p->city : p->country;
	snprintf(en, sizeof en, "In-kind donation from %s to %s (%s): %s.%s%s", aid_donor_name(p),
		 p->recipient.name_en, place, items, p->note && *p->note ? " " : "", p->note ? p->note : "");
	start(w, "description");
	attr(w, "type", "1");
	narrative(w, en, NULL);
	end(w);
}

static void party(struct iati_writer *w, const char *elem, const char *role, const struct aid_party *o,
		  const char *type)
{
	char ref[40];
	org_ref(o, ref);
	start(w, elem);
	attr(w, "ref", ref);
	if (role)
		attr(w, "role", role);
	attr(w, "type", type);
	narrative(w, o->name_en, NULL);
	narrative(w, o->name_zh, "zh");
	end(w);
}

static void write_participants(struct iati_writer *w, const struct aid_pledge *p)
{
	if (p->donor_name && *p->donor_name) {
		start(w, "participating-org");
		attr(w, "role", "1");
		attr(w, "type", iati_org_type(p->donor_type));
		narrative(w, p->donor_name, NULL);
		end(w);
		party(w, "participating-org", "3", &p->owner, iati_org_type(p->owner.kind));
	} else {
		party(w, "participating-org", "1", &p->owner, iati_org_type(p->donor_type));
	}
	party(w, "participating-org", "4", &p->recipient, iati_org_type(p->recipient.kind));
}

static int64_t total_received(const struct aid_pledge *p, int64_t *pledged, int64_t *shipped)
{
	int64_t r = 0;
	*pledged = *shipped = 0;
	for (size_t i = 0; i < p->nlines; i++) {
		r += p->lines[i].received;
		*pledged += p->lines[i].pledged;
		*shipped += p->lines[i].shipped;
	}
	return r;
}

/* 1 pipeline (nothing shipped), 2 implementation, 3 finalisation (all
 * pledged received), 5 cancelled. */
static const char *activity_status(const struct aid_pledge *p)
{
	if (strcmp(p->status, "cancelled") == 0)
		return "5";
	int64_t pledged, shipped, received = total_received(p, &pledged, &shipped);
	if (shipped == 0 && received == 0)
		return "1";
	return received >= pledged ? "3" : "2";
}

/* Arrival date of a batch that reached the recipient, or NULL. */
static const char *arrival(const struct aid_shipment *s)
{
	if (strcmp(s->status, "arrived") != 0 && strcmp(s->status, "received") != 0)
		return NULL;
	if (s->arrived_on && *s->arrived_on)
		return s->arrived_on;
	if (s->received_on && *s->received_on)
		return s->received_on;
	return s->dispatched_on && *s->dispatched_on ? s->dispatched_on : NULL;
}

static void write_dates(struct iati_writer *w, const struct aid_pledge *p)
{
	empty1(w, "activity-status", "code", activity_status(p));
	start(w, "activity-date");
	attr(w, "iso-date", p->pledged_on);
	attr(w, "type", "1");
	end(w);
	const char *first = "", *last = "";
	for (size_t i = 0; i < p->nshipments; i++) {
		const struct aid_shipment *s = &p->shipments[i];
		if (s->dispatched_on && *s->dispatched_on && (!*first || strcmp(s->dispatched_on, first) < 0))
			first = s->dispatched_on;
		last = max_date(last, s->received_on);
	}
	if (*first) {
		start(w, "activity-date");
		attr(w, "iso-date", first);
		attr(w, "type", "2");
		end(w);
	}
	if (p->needed_by && *p->needed_by) {
		start(w, "activity-date");
		attr(w, "iso-date", p->needed_by);
		attr(w, "type", "3");
		end(w);
	}
	if (strcmp(activity_status(p), "3") == 0 && *last) {
		start(w, "activity-date");
		attr(w, "iso-date", last);
		attr(w, "type", "4");
		end(w);
	}
}

static void write_place_and_markers(struct iati_writer *w, const struct aid_pledge *p)
{
	empty1(w, "recipient-country", "code", p->country);
	if ((p->city && *p->city) || (p->subdivision && *p->subdivision)) {
		start(w, "location");
		if (p->subdivision && *p->subdivision)
			attr(w, "ref", p->subdivision);
		if (p->city && *p->city) {
			start(w, "name");
			narrative(w, p->city, NULL);
			end(w);
		}
		end(w);
	}
	start(w, "sector");
	attr(w, "vocabulary", "1");
	attr(w, "code", "12264");
	narrative(w, "COVID-19 control", NULL);
	end(w);
	start(w, "tag");
	attr(w, "vocabulary", "99");
	attr(w, "code", "COVID-19");
	narrative(w, "COVID-19", NULL);
	end(w);
	start(w, "humanitarian-scope");
	attr(w, "type", "1");
	attr(w, "vocabulary", "1-2");
	attr(w, "code", "EP-2020-000012-001");
	narrative(w, "COVID-19 pandemic", NULL);
	end(w);
	start(w, "humanitarian-scope");
	attr(w, "type", "2");
	attr(w, "vocabulary", "2-1");
	attr(w, "code", "HCOVD20");
	narrative(w, "COVID-19 Global Humanitarian Response Plan", NULL);
	end(w);
	empty1(w, "default-finance-type", "code", "110");
}

/* The distinct currencies of the valued lines (at most n). */
static size_t currencies_of(const struct aid_pledge *p, const char **cur, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < p->nlines; i++) {
		const struct aid_line *l = &p->lines[i];
		if (!l->has_value)
			continue;
		size_t j = 0;
		while (j < k && strcmp(cur[j], l->currency) != 0)
			j++;
		if (j == k && k < n)
			cur[k++] = l->currency;
	}
	return k;
}

static void transaction(struct iati_writer *w, const struct aid_pledge *p, const char *ref,
			const char *type, const char *date, int64_t minor, const char *currency,
			const char *description)
{
	char v[32];
	start(w, "transaction");
	attr(w, "ref", ref);
	attr(w, "humanitarian", "1");
	empty1(w, "transaction-type", "code", type);
	empty1(w, "transaction-date", "iso-date", date);
	start(w, "value");
	if (currency)
		attr(w, "currency", currency);
	attr(w, "value-date", date);
	if (currency)
		aid_money_format(minor, currency, v);
	else
		snprintf(v, sizeof v, "0");
	text(w, v);
	end(w);
	start(w, "description");
	narrative(w, description, NULL);
	end(w);
	start(w, "provider-org");
	if (!p->donor_name || !*p->donor_name) {
		char r[40];
		org_ref(&p->owner, r);
		attr(w, "ref", r);
	}
	attr(w, "type", iati_org_type(p->donor_type));
	narrative(w, aid_donor_name(p), NULL);
	end(w);
	start(w, "receiver-org");
	char rr[40];
	org_ref(&p->recipient, rr);
	attr(w, "ref", rr);
	attr(w, "type", iati_org_type(p->recipient.kind));
	narrative(w, p->recipient.name_en, NULL);
	end(w);
	end(w);
}

static int64_t line_value_sum(const struct aid_pledge *p, const char *cur)
{
	int64_t s = 0;
	for (size_t i = 0; i < p->nlines; i++)
		if (p->lines[i].has_value && strcmp(p->lines[i].currency, cur) == 0)
			s += p->lines[i].value_minor;
	return s;
}

static void write_transactions(struct iati_writer *w, const struct aid_pledge *p)
{
	const char *cur[16];
	size_t nc = currencies_of(p, cur, 16);
	char ref[48], items[1024], desc[1200];
	lines_summary(p, 0, q_pledged, items, sizeof items);
	struct {
		const char *type, *date, *what;
	} stages[] = {{"12", p->pledged_on, "Pledged in kind"}, {"2", p->committed_on, "Committed in kind"}};
	for (size_t k = 0; k < 2; k++) {
		if (!stages[k].date || !*stages[k].date)
			continue;
		snprintf(ref, sizeof ref, "pledge-%" PRId64 "-%s", p->id, k == 0 ? "pledge" : "commitment");
		snprintf(desc, sizeof desc, "%s: %s", stages[k].what, items);
		if (!nc)
			transaction(w, p, ref, stages[k].type, stages[k].date, 0, NULL, desc);
		for (size_t c = 0; c < nc; c++)
			transaction(w, p, ref, stages[k].type, stages[k].date, line_value_sum(p, cur[c]), cur[c], desc);
	}
	for (size_t i = 0; i < p->nshipments; i++) {
		const struct aid_shipment *s = &p->shipments[i];
		const char *date = arrival(s);
		if (!date)
			continue;
		size_t o = 0;
		o += (size_t)snprintf(desc, sizeof desc, "Batch %d delivered:", s->batch_no);
		for (size_t j = 0; j < p->nlines && o < sizeof desc; j++) {
			if (s->quantity[j] <= 0)
				continue;
			char q[32];
			group_digits(s->quantity[j], q);
			int n = snprintf(desc + o, sizeof desc - o, " %s %s %s;", p->lines[j].item_en, q, p->lines[j].unit);
			if (n < 0 || (size_t)n >= sizeof desc - o)
				break;
			o += (size_t)n;
		}
		snprintf(ref, sizeof ref, "shipment-%" PRId64, s->id);
		int wrote = 0;
		for (size_t c = 0; c < nc; c++) {
			int any = 0;
			int64_t v = aid_shipment_value(p, s, cur[c], &any);
			if (any) {
				transaction(w, p, ref, "3", date, v, cur[c], desc);
				wrote = 1;
			}
		}
		if (!wrote)
			transaction(w, p, ref, "3", date, 0, NULL, desc);
	}
}

static void write_results(struct iati_writer *w, const struct aid_pledge *p)
{
	if (!p->nlines)
		return;
	const char *last = max_date(p->pledged_on, p->committed_on);
	for (size_t i = 0; i < p->nshipments; i++) {
		last = max_date(last, p->shipments[i].received_on);
		last = max_date(last, p->shipments[i].arrived_on);
	}
	start(w, "result");
	attr(w, "type", "1");
	narratives(w, "title", "Supplies delivered", "交付物资");
	for (size_t i = 0; i < p->nlines; i++) {
		const struct aid_line *l = &p->lines[i];
		char en[300], zh[300], v[24];
		snprintf(en, sizeof en, "%s (%s)", l->item_en, l->unit);
		snprintf(zh, sizeof zh, "%s（%s）", l->item_zh && *l->item_zh ? l->item_zh : l->item_en, l->unit);
		start(w, "indicator");
		attr(w, "measure", "1");
		attr(w, "ascending", "1");
		narratives(w, "title", en, zh);
		start(w, "description");
		narrative(w, "Target: quantity pledged. Actual: quantity the recipient counted on receipt.", NULL);
		end(w);
		start(w, "period");
		empty1(w, "period-start", "iso-date", p->pledged_on);
		empty1(w, "period-end", "iso-date", last);
		snprintf(v, sizeof v, "%" PRId64, l->pledged);
		empty1(w, "target", "value", v);
		snprintf(v, sizeof v, "%" PRId64, l->received);
		empty1(w, "actual", "value", v);
		end(w);
		end(w);
	}
	end(w);
}

/* ---- public ---- */

enum eb_err iati_begin(int64_t generated_ms, struct iati_writer **out, struct eb_detail *d)
{
	*out = NULL;
	xml_safe_init();
	struct iati_writer *w = calloc(1, sizeof *w);
	if (!w)
		return eb_fail(d, EB_ENOMEM, NULL, "out of memory");
	w->xb = xmlBufferCreate();
	w->w = w->xb ? xmlNewTextWriterMemory(w->xb, 0) : NULL;
	if (!w->w) {
		iati_free(w);
		return eb_fail(d, EB_ENOMEM, NULL, "out of memory");
	}
	char t[32];
	eb_fmt_time(generated_ms, t);
	if (xmlTextWriterSetIndent(w->w, 1) < 0 || xmlTextWriterSetIndentString(w->w, BAD_CAST " ") < 0 ||
	    xmlTextWriterStartDocument(w->w, NULL, "UTF-8", NULL) < 0)
		w->failed = 1;
	start(w, "iati-activities");
	attr(w, "version", "2.03");
	attr(w, "generated-datetime", t);
	if (w->failed) {
		iati_free(w);
		return eb_fail(d, EB_ENOMEM, NULL, "writing IATI XML failed");
	}
	*out = w;
	return EB_OK;
}

enum eb_err iati_activity(struct iati_writer *w, const struct aid_pledge *p, struct eb_detail *d)
{
	char t[32], ref[40], id[64];
	eb_fmt_time(p->updated_ms, t);
	org_ref(&p->owner, ref);
	snprintf(id, sizeof id, "%s-PLEDGE-%" PRId64, ref, p->id);
	const char *cur[2];
	start(w, "iati-activity");
	attr(w, "last-updated-datetime", t);
	attr(w, "xml:lang", "en");
	if (currencies_of(p, cur, 2) == 1)
		attr(w, "default-currency", cur[0]);
	attr(w, "humanitarian", "1");
	start(w, "iati-identifier");
	text(w, id);
	end(w);
	start(w, "reporting-org");
	attr(w, "ref", ref);
	attr(w, "type", iati_org_type(p->owner.kind));
	narrative(w, p->owner.name_en, NULL);
	narrative(w, p->owner.name_zh, "zh");
	end(w);
	write_title(w, p);
	write_description(w, p);
	write_participants(w, p);
	write_dates(w, p);
	write_place_and_markers(w, p);
	write_transactions(w, p);
	write_results(w, p);
	end(w);
	if (w->failed)
		return eb_fail(d, EB_ENOMEM, NULL, "writing IATI XML failed (pledge %" PRId64 ")", p->id);
	return EB_OK;
}

enum eb_err iati_take(struct iati_writer *w, struct eb_buf *b)
{
	if (xmlTextWriterFlush(w->w) < 0)
		return EB_ENOMEM;
	enum eb_err e = eb_buf_add(b, xmlBufferContent(w->xb), (size_t)xmlBufferLength(w->xb));
	xmlBufferEmpty(w->xb);
	return e;
}

enum eb_err iati_end(struct iati_writer *w, struct eb_buf *b, struct eb_detail *d)
{
	end(w);
	if (!w->failed && xmlTextWriterEndDocument(w->w) < 0)
		w->failed = 1;
	if (w->failed)
		return eb_fail(d, EB_ENOMEM, NULL, "writing IATI XML failed");
	enum eb_err e = iati_take(w, b);
	return e ? eb_fail(d, e, NULL, "the IATI export is larger than allowed") : EB_OK;
}

void iati_free(struct iati_writer *w)
{
	if (!w)
		return;
	if (w->w)
		xmlFreeTextWriter(w->w);
	if (w->xb)
		xmlBufferFree(w->xb);
	free(w);
}

/* ---- validation ---- */

static pthread_once_t schema_once = PTHREAD_ONCE_INIT;
static struct xml_safe_schema *schema;
static struct eb_detail schema_err;

static void schema_load(void)
{
	char path[4096];
	if (!eb_data_path(IATI_SCHEMA_REL, path, sizeof path)) {
		eb_fail(&schema_err, EB_ENOTFOUND, NULL, "the IATI schema (data/%s) is not installed", IATI_SCHEMA_REL);
		return;
	}
	if (xml_safe_schema_load(path, &schema, &schema_err))
		schema = NULL;
}

enum eb_err iati_validate(const char *xml, size_t len, struct eb_detail *d)
{
	pthread_once(&schema_once, schema_load);
	if (!schema) {
		if (d)
			*d = schema_err;
		return EB_ENOTFOUND;
	}
	struct xml_safe_limits lim = {(size_t)64 << 20, 0};
	xmlDocPtr doc = NULL;
	enum eb_err e = xml_safe_parse(xml, len, &lim, &doc, d);
	if (e)
		return e;
	e = xml_safe_schema_validate(schema, doc, d);
	xml_safe_doc_free(doc);
	return e;
}
