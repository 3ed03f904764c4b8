/*
 * FTS-shaped flows of in-kind donations.  See fts.h.
 */
#include "formats/fts.h"
#include "formats/areas.h"
#include "formats/iati.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *org_type_name(const char *code)
{
	static const struct {
		const char *code, *name;
	} names[] = {
		{"10", "Government"}, {"11", "Local Government"}, {"15", "Other Public Sector"},
		{"21", "International NGO"}, {"22", "National NGO"}, {"40", "Multilateral"},
		{"70", "Private Sector"}, {"80", "Academic, Training and Research"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(names[i].code, code) == 0)
			return names[i].name;
	return "Other";
}

static const char *country_name(const char *iso2)
{
	const struct areas *a = areas_default(NULL);
	const struct area *x = a && iso2 && *iso2 ? areas_by_code(a, iso2) : NULL;
	return x ? x->name_en : (iso2 ? iso2 : "");
}

static json_t *object(const char *type, const char *id, const char *name)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "type", type, "id", id, "name", name, "behavior", "single");
}

static json_t *org_object(int64_t id, const char *name, const char *iati_type)
{
	char sid[32] = "";
	if (id)
		snprintf(sid, sizeof sid, "epibridge-org-%" PRId64, id);
	json_t *o = object("Organization", sid, name);
	json_object_set_new(o, "organizationTypes", json_pack("[s]", org_type_name(iati_type)));
	return o;
}

static json_t *location(const char *iso2)
{
	return object("Location", iso2, country_name(iso2));
}

/* The year of a YYYY-MM-DD date. */
static json_t *usage_year(const char *date)
{
	char y[5] = "";
	if (date && strlen(date) >= 4)
		snprintf(y, sizeof y, "%.4s", date);
	return object("UsageYear", y, y);
}

static json_t *iso_time(const char *date)
{
	if (!date || !*date)
		return json_null();
	char t[32];
	snprintf(t, sizeof t, "%.10sT00:00:00Z", date);
	return json_string(t);
}

/* amount of the flow per currency: which = 0 received, 1 outstanding */
static int64_t flow_value(const struct aid_pledge *p, int which, const char *cur, int *any)
{
	int64_t v = 0;
	*any = 0;
	for (size_t i = 0; i < p->nlines; i++) {
		const struct aid_line *l = &p->lines[i];
		if (!l->has_value || strcmp(l->currency, cur) != 0 || l->pledged <= 0)
			continue;
		int64_t q = which == 0 ? l->received : (l->pledged > l->received ? l->pledged - l->received : 0);
		if (q > l->pledged)
			q = l->pledged;
		if (q <= 0)
			continue;
		*any = 1;
		v += (int64_t)llroundl((long double)l->value_minor * (long double)q / (long double)l->pledged);
	}
	return v;
}

static json_t *flow(const struct aid_pledge *p, int which, const char *status, const char *date)
{
	char id[48];
	snprintf(id, sizeof id, "epibridge-pledge-%" PRId64 "-%s", p->id, status);
	json_t *items = json_array();
	char desc[2048];
	size_t o = (size_t)snprintf(desc, sizeof desc, "In-kind donation from %s to %s:", aid_donor_name(p),
				    p->recipient.name_en);
	for (size_t i = 0; i < p->nlines; i++) {
		const struct aid_line *l = &p->lines[i];
		int64_t q = which == 0 ? l->received : (l->pledged > l->received ? l->pledged - l->received : 0);
		if (q <= 0)
			continue;
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:I, s:s}", "code", l->item, "name", l->item_en,
						       "name_zh", l->item_zh ? l->item_zh : "", "quantity", (json_int_t)q,
						       "unit", l->unit));
		if (o < sizeof desc) {
			int n = snprintf(desc + o, sizeof desc - o, " %" PRId64 " %s %s;", q, l->unit, l->item_en);
			if (n > 0)
				o += (size_t)n;
		}
	}
	/* One currency is the common case; several valued currencies are
	 * reported as the first, with the others listed apart. */
	const char *cur = NULL;
	json_t *others = json_array();
	for (size_t i = 0; i < p->nlines; i++) {
		const struct aid_line *l = &p->lines[i];
		if (!l->has_value)
			continue;
		if (!cur) {
			cur = l->currency;
			continue;
		}
		int seen = strcmp(cur, l->currency) == 0;
		for (size_t j = 0; !seen && j < json_array_size(others); j++)
			seen = strcmp(json_string_value(json_object_get(json_array_get(others, j), "currency")), l->currency) == 0;
		if (!seen) {
			int any;
			int64_t v = flow_value(p, which, l->currency, &any);
			if (any)
				json_array_append_new(others, json_pack("{s:f, s:s}", "amount", aid_money_major(v, l->currency),
									 "currency", l->currency));
		}
	}
	json_t *amount = json_null(), *usd = json_null();
	if (cur) {
		int any;
		int64_t v = flow_value(p, which, cur, &any);
		if (any) {
			json_decref(amount);
			amount = json_real(aid_money_major(v, cur));
			if (strcmp(cur, "USD") == 0) {
				json_decref(usd);
				usd = json_real(aid_money_major(v, cur));
			}
		} else {
			cur = NULL;
		}
	}
	json_t *src = json_array(), *dst = json_array();
	json_array_append_new(src, org_object(p->donor_name && *p->donor_name ? 0 : p->owner.id, aid_donor_name(p),
					      iati_org_type(p->donor_type)));
	json_array_append_new(src, location(p->owner.country));
	json_array_append_new(src, usage_year(date));
	json_array_append_new(dst, org_object(p->recipient.id, p->recipient.name_en, iati_org_type(p->recipient.kind)));
	json_array_append_new(dst, location(p->country));
	json_array_append_new(dst, usage_year(date));
	json_array_append_new(dst, object("Emergency", "COVID-19", "COVID-19 Global"));
	json_array_append_new(dst, object("GlobalCluster", "Health", "Health"));
	json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:[s], s:o, s:o, s:o}",
			      "id", id, "status", status, "contributionType", "inKind", "flowType", "Standard",
			      "originalAmount", amount, "originalCurrency", cur ? json_string(cur) : json_null(),
			      "amountUSD", usd, "date", iso_time(date), "decisionDate", iso_time(p->pledged_on),
			      "description", desc, "keywords", "COVID-19", "sourceObjects", src,
			      "destinationObjects", dst, "items", items);
	if (!f)
		return NULL;
	char y[5];
	snprintf(y, sizeof y, "%.4s", p->pledged_on ? p->pledged_on : "");
	json_object_set_new(f, "budgetYear", json_string(y));
	if (json_array_size(others))
		json_object_set_new(f, "otherAmounts", others);
	else
		json_decref(others);
	json_object_set_new(f, "method", json_string("Traditional aid"));
	json_object_set_new(f, "newMoney", json_true());
	json_object_set_new(f, "reportDetails",
			    json_pack("[{s:s, s:s, s:s}]", "sourceType", "Primary", "organization", p->owner.name_en,
				      "reportChannel", "epibridge"));
	return f;
}

static const char *last_received(const struct aid_pledge *p)
{
	const char *last = "";
	for (size_t i = 0; i < p->nshipments; i++) {
		const char *r = p->shipments[i].received_on;
		if (r && *r && strcmp(r, last) > 0)
			last = r;
	}
	return *last ? last : p->pledged_on;
}

json_t *fts_flows(const struct aid_pledge *p)
{
	json_t *a = json_array();
	int64_t received = 0, outstanding = 0;
	for (size_t i = 0; i < p->nlines; i++) {
		received += p->lines[i].received;
		if (p->lines[i].pledged > p->lines[i].received)
			outstanding += p->lines[i].pledged - p->lines[i].received;
	}
	if (received > 0) {
		json_t *f = flow(p, 0, "paid", last_received(p));
		if (f)
			json_array_append_new(a, f);
	}
	if (outstanding > 0 && strcmp(p->status, "cancelled") != 0) {
		int committed = strcmp(p->status, "committed") == 0;
		json_t *f = flow(p, 1, committed ? "commitment" : "pledge",
				 committed && p->committed_on && *p->committed_on ? p->committed_on : p->pledged_on);
		if (f)
			json_array_append_new(a, f);
	}
	return a;
}

enum eb_err fts_begin(struct eb_buf *b)
{
	return eb_buf_adds(b, "{\"status\":\"ok\",\"data\":{\"flows\":[");
}

enum eb_err fts_pledge(struct eb_buf *b, const struct aid_pledge *p, int first, int *n)
{
	json_t *a = fts_flows(p);
	if (!a)
		return EB_ENOMEM;
	enum eb_err e = EB_OK;
	size_t i;
	json_t *f;
	json_array_foreach(a, i, f) {
		char *s = json_dumps(f, JSON_COMPACT);
		if (!s) {
			e = EB_ENOMEM;
			break;
		}
		if (!first || i > 0)
			e = eb_buf_addc(b, ',');
		if (!e)
			e = eb_buf_adds(b, s);
		free(s);
		if (e)
			break;
	}
	if (n)
		*n = e ? 0 : (int)json_array_size(a);
	json_decref(a);
	return e;
}

enum eb_err fts_end(struct eb_buf *b)
{
	return eb_buf_adds(b, "]}}");
}
