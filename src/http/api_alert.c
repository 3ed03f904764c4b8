/*
 * Alerts, joint statements and travel advisories over HTTP (C3): messages,
 * CAP and EDXL-DE export, CAP import, the joint-statement decisions, the
 * incident view, the inbox and its receipts, subscriptions, the event
 * stream, and the public CAP index and Atom feed (C10).  Rules live in
 * domain/alert.h; this file parses, calls and renders.
 */
#include "http/api.h"
#include "http/alert_svc.h"
#include "domain/alert.h"
#include "formats/atom.h"
#include "base/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int flag(struct eb_req *r, const char *name)
{
	const char *v = eb_req_query(r, name);
	return v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

/* A query value from a closed list, or NULL; replies 400 when it is not
 * one of them. */
static const char *enum_param(struct eb_req *r, const char *name, const char *const *values, int *bad)
{
	const char *v = eb_req_query(r, name);
	*bad = 0;
	if (!v)
		return NULL;
	for (int i = 0; values[i]; i++)
		if (strcmp(v, values[i]) == 0)
			return v;
	char msg[160];
	snprintf(msg, sizeof msg, "%s is not one of the values this parameter takes", name);
	eb_reply_problem(r, 400, "invalid", msg, name);
	*bad = 1;
	return NULL;
}

void api_alerts_list(struct eb_req *r)
{
	struct alert_query q = {0};
	if (eb_req_page(r, &q.limit, &q.after))
		return;
	static const char *const states[] = {"draft", "issued", "withdrawn", NULL};
	int bad;
	q.kind = enum_param(r, "kind", alert_kinds, &bad);
	if (bad)
		return;
	q.state = enum_param(r, "state", states, &bad);
	if (bad)
		return;
	q.area = eb_req_query(r, "area");
	q.incident = eb_req_query(r, "incident");
	q.full = flag(r, "full");
	const char *org = eb_req_query(r, "org");
	if (org && eb_parse_i64(org, 1, INT64_MAX, &q.org)) {
		eb_reply_problem(r, 400, "invalid", "org must be an organisation id", "org");
		return;
	}
	json_t *items = NULL;
	int64_t last = 0;
	struct eb_detail d = {0};
	enum eb_err e = alert_list(eb_req_db(r), &r->who, &q, &items, &last, &d);
	eb_reply_result(r, e, &d, 200, e ? NULL : eb_page_json(items, q.limit, last));
}

void api_alerts_create(struct eb_req *r)
{
	json_t *in = eb_req_json(r), *out = NULL;
	if (!in)
		return;
	struct eb_detail d = {0};
	enum eb_err e = alert_create(eb_req_db(r), &r->who, in, &out, &d);
	json_decref(in);
	if (!e)
		alert_svc_kick(r->app->alerts);
	eb_reply_result(r, e, &d, 201, out);
}

/* shared_with=1,2,3 */
static json_t *ids_param(struct eb_req *r, const char *name, int *bad)
{
	const char *v = eb_req_query(r, name);
	*bad = 0;
	if (!v || !*v)
		return NULL;
	json_t *a = json_array();
	const char *p = v;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char num[24];
		int64_t id;
		if (n == 0 || n >= sizeof num) {
			*bad = 1;
			break;
		}
		memcpy(num, p, n);
		num[n] = '\0';
		if (eb_parse_i64(num, 1, INT64_MAX, &id)) {
			*bad = 1;
			break;
		}
		json_array_append_new(a, json_integer(id));
		p = e ? e + 1 : p + n;
	}
	if (*bad) {
		json_decref(a);
		eb_reply_problem(r, 400, "invalid", "give organisation ids separated by commas", name);
		return NULL;
	}
	return a;
}

void api_alerts_import(struct eb_req *r)
{
	const char *ct = eb_req_header(r, "Content-Type");
	if (!ct || !(strncasecmp(ct, "application/cap+xml", 19) == 0 || strncasecmp(ct, "application/xml", 15) == 0 ||
		     strncasecmp(ct, "text/xml", 8) == 0)) {
		eb_reply_problem(r, 415, "unsupported-media-type",
				 "send the CAP 1.2 document as Content-Type: application/cap+xml (or application/xml)", NULL);
		return;
	}
	int bad;
	static const char *const kinds[] = {"alert", "advisory", NULL};
	struct alert_import_opts o = {0};
	o.kind = enum_param(r, "kind", kinds, &bad);
	if (bad)
		return;
	o.shared_with = ids_param(r, "shared_with", &bad);
	if (bad)
		return;
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = alert_import_xml(eb_req_db(r), &r->who, r->body ? r->body : "", r->body_len, &o, &out, &d);
	json_decref(o.shared_with);
	if (!e)
		alert_svc_kick(r->app->alerts);
	eb_reply_result(r, e, &d, 201, out);
}

void api_alerts_get(struct eb_req *r)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = alert_get(eb_req_db(r), &r->who, id, &out, &d);
	if (!e && strcmp(json_string_value(json_object_get(out, "visibility")), "public") == 0)
		alert_svc_view(r->app->alerts, id);
	eb_reply_result(r, e, &d, 200, out);
}

void api_alerts_cap(struct eb_req *r)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	struct eb_buf b;
	eb_buf_init(&b, 4u << 20);
	struct eb_detail d = {0};
	json_t *rec = NULL;
	enum eb_err e = alert_get(eb_req_db(r), &r->who, id, &rec, &d);
	if (!e)
		e = alert_export_cap(eb_req_db(r), &r->who, id, &b, &d);
	if (e) {
		eb_reply_err(r, e, &d);
	} else {
		if (strcmp(json_string_value(json_object_get(rec, "visibility")), "public") == 0)
			alert_svc_view(r->app->alerts, id);
		eb_reply_raw(r, 200, "application/cap+xml; charset=utf-8", b.data, b.len);
	}
	json_decref(rec);
	eb_buf_free(&b);
}

void api_alerts_edxl(struct eb_req *r)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	struct eb_buf b;
	eb_buf_init(&b, 4u << 20);
	struct eb_detail d = {0};
	enum eb_err e = alert_export_edxl(eb_req_db(r), &r->who, id, &b, &d);
	if (e)
		eb_reply_err(r, e, &d);
	else
		eb_reply_raw(r, 200, "application/xml; charset=utf-8", b.data, b.len);
	eb_buf_free(&b);
}

void api_alerts_withdraw(struct eb_req *r)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	struct eb_detail d = {0};
	enum eb_err e = alert_withdraw(eb_req_db(r), &r->who, id, &d);
	if (e)
		eb_reply_err(r, e, &d);
	else
		eb_reply_empty(r, 204);
}

void api_alerts_deliveries(struct eb_req *r)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	int limit;
	int64_t after;
	if (eb_req_page(r, &limit, &after))
		return;
	json_t *out = NULL;
	int64_t last = 0;
	struct eb_detail d = {0};
	enum eb_err e = alert_deliveries(eb_req_db(r), &r->who, id, limit, after, &out, &last, &d);
	if (!e) {
		char c[24];
		snprintf(c, sizeof c, "%" PRId64, last);
		json_object_set_new(out, "next_cursor",
				    last && (int)json_array_size(json_object_get(out, "items")) >= limit ? json_string(c) : json_null());
	}
	eb_reply_result(r, e, &d, 200, out);
}

static void decide(struct eb_req *r, int approve)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	const char *note = NULL;
	json_t *in = NULL;
	if (r->body_len) {
		in = eb_req_json(r);
		if (!in)
			return;
		json_t *n = json_object_get(in, "note");
		if (json_object_size(in) > (n ? 1u : 0u) || (n && !json_is_string(n))) {
			json_decref(in);
			eb_reply_problem(r, 400, "invalid", "the body may hold only note, a string", "/note");
			return;
		}
		note = json_string_value(n);
	}
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = alert_decide(eb_req_db(r), &r->who, id, approve, note, &out, &d);
	json_decref(in);
	eb_reply_result(r, e, &d, 200, out);
}

void api_alerts_approve(struct eb_req *r)
{
	decide(r, 1);
}

void api_alerts_decline(struct eb_req *r)
{
	decide(r, 0);
}

void api_alerts_issue(struct eb_req *r)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = alert_issue(eb_req_db(r), &r->who, id, &out, &d);
	if (!e)
		alert_svc_kick(r->app->alerts);
	eb_reply_result(r, e, &d, 200, out);
}

void api_incidents_list(struct eb_req *r)
{
	int limit;
	int64_t after;
	if (eb_req_page(r, &limit, &after))
		return;
	json_t *items = NULL;
	struct eb_detail d = {0};
	enum eb_err e = alert_incidents(eb_req_db(r), &r->who, limit, &items, &d);
	eb_reply_result(r, e, &d, 200, e ? NULL : json_pack("{s:o}", "items", items));
}

void api_inbox_list(struct eb_req *r)
{
	int limit;
	int64_t after;
	if (eb_req_page(r, &limit, &after))
		return;
	json_t *items = NULL;
	int64_t last = 0;
	struct eb_detail d = {0};
	enum eb_err e = alert_inbox(eb_req_db(r), &r->who, flag(r, "unread"), limit, after, &items, &last, &d);
	eb_reply_result(r, e, &d, 200, e ? NULL : eb_page_json(items, limit, last));
}

static void mark(struct eb_req *r, enum alert_receipt what)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = alert_inbox_mark(eb_req_db(r), &r->who, id, what, &out, &d);
	if (!e)
		alert_svc_kick(r->app->alerts);
	eb_reply_result(r, e, &d, 200, out);
}

void api_inbox_read(struct eb_req *r)
{
	mark(r, ALERT_READ);
}

void api_inbox_ack(struct eb_req *r)
{
	mark(r, ALERT_ACK);
}

void api_subscriptions_list(struct eb_req *r)
{
	json_t *items = NULL;
	struct eb_detail d = {0};
	enum eb_err e = alert_sub_list(eb_req_db(r), &r->who, &items, &d);
	eb_reply_result(r, e, &d, 200, e ? NULL : json_pack("{s:o}", "items", items));
}

void api_subscriptions_create(struct eb_req *r)
{
	eb_serve_create(r, alert_sub_create, 201);
}

void api_subscriptions_delete(struct eb_req *r)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	struct eb_detail d = {0};
	enum eb_err e = alert_sub_delete(eb_req_db(r), &r->who, id, &d);
	if (e)
		eb_reply_err(r, e, &d);
	else
		eb_reply_empty(r, 204);
}

void api_events(struct eb_req *r)
{
	const char *last = eb_req_header(r, "Last-Event-ID");
	if (!last)
		last = eb_req_query(r, "last_event_id");
	int64_t last_id = 0, timeout = -1;
	if (last && *last && eb_parse_i64(last, 0, INT64_MAX, &last_id)) {
		eb_reply_problem(r, 400, "invalid", "Last-Event-ID must be the id of an event this server sent", "Last-Event-ID");
		return;
	}
	const char *t = eb_req_query(r, "timeout");
	if (t && eb_parse_i64(t, 0, 86400, &timeout)) {
		eb_reply_problem(r, 400, "invalid", "timeout must be a number of seconds from 0 to 86400", "timeout");
		return;
	}
	alert_svc_stream(r->app->alerts, r, last_id, (int)timeout);
}

/* ---- public alerts (C10) ---- */

/* "http://host" from the Host header, for absolute links in feeds. */
static void base_url(struct eb_req *r, char *out, size_t n)
{
	const char *host = eb_req_header(r, "Host");
	int ok = host && *host && strlen(host) < 200;
	for (const char *p = host; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		     *p == '.' || *p == '-' || *p == ':' || *p == '[' || *p == ']';
	snprintf(out, n, "http://%s", ok ? host : "localhost");
}

static int public_limit(struct eb_req *r)
{
	const char *l = eb_req_query(r, "limit");
	int64_t v = 50;
	if (l && eb_parse_i64(l, 1, 500, &v)) {
		eb_reply_problem(r, 400, "invalid", "limit must be an integer from 1 to 500", "limit");
		return 0;
	}
	return (int)v;
}

void api_public_alerts(struct eb_req *r)
{
	int limit = public_limit(r);
	if (!limit)
		return;
	json_t *items = NULL;
	struct eb_detail d = {0};
	enum eb_err e = alert_public_list(eb_req_db(r), limit, 0, &items, &d);
	if (e) {
		eb_reply_err(r, e, &d);
		return;
	}
	char base[256], link[320];
	base_url(r, base, sizeof base);
	json_t *out = json_array();
	size_t i;
	json_t *a;
	json_array_foreach(items, i, a) {
		json_int_t id = json_integer_value(json_object_get(a, "id"));
		json_t *o = json_object();
		static const char *const keep[] = {"id", "kind", "identifier", "sender", "sent", "status", "msgType",
						   "scope", "references", "incident", "headline", "event", "urgency",
						   "severity", "certainty", "areas", "effective", "expires", "views", "owner", NULL};
		for (int k = 0; keep[k]; k++)
			json_object_set(o, keep[k], json_object_get(a, keep[k]));
		snprintf(link, sizeof link, "%s/api/v1/alerts/%" JSON_INTEGER_FORMAT "/cap", base, id);
		json_t *links = json_pack("{s:s}", "cap", link);
		snprintf(link, sizeof link, "%s/api/v1/alerts/%" JSON_INTEGER_FORMAT, base, id);
		json_object_set_new(links, "self", json_string(link));
		json_object_set_new(o, "links", links);
		json_array_append_new(out, o);
	}
	json_decref(items);
	snprintf(link, sizeof link, "%s/feeds/alerts.atom", base);
	eb_reply_json(r, 200, json_pack("{s:o, s:s}", "items", out, "atom", link));
}

void api_feed_atom(struct eb_req *r)
{
	int limit = public_limit(r);
	if (!limit)
		return;
	json_t *items = NULL;
	struct eb_detail d = {0};
	enum eb_err e = alert_public_list(eb_req_db(r), limit, 0, &items, &d);
	if (e) {
		eb_reply_err(r, e, &d);
		return;
	}
	size_t n = json_array_size(items);
	struct atom_entry *ent = calloc(n ? n : 1, sizeof *ent);
	struct atom_link *links = calloc(n ? n * 2 : 1, sizeof *links);
	char (*hrefs)[2][320] = calloc(n ? n : 1, sizeof *hrefs);
	char base[256], self[320], updated[32] = "1970-01-01T00:00:00.000Z";
	base_url(r, base, sizeof base);
	snprintf(self, sizeof self, "%s/feeds/alerts.atom", base);
	if (!ent || !links || !hrefs) {
		eb_reply_problem(r, 503, "busy", "out of memory", NULL);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_array_get(items, i);
		json_int_t id = json_integer_value(json_object_get(a, "id"));
		snprintf(hrefs[i][0], sizeof hrefs[i][0], "%s/api/v1/alerts/%" JSON_INTEGER_FORMAT "/cap", base, id);
		snprintf(hrefs[i][1], sizeof hrefs[i][1], "%s/api/v1/alerts/%" JSON_INTEGER_FORMAT, base, id);
		links[2 * i] = (struct atom_link){hrefs[i][0], "alternate", "application/cap+xml"};
		links[2 * i + 1] = (struct atom_link){hrefs[i][1], "related", "application/json"};
		const char *headline = json_string_value(json_object_get(a, "headline"));
		const char *event = json_string_value(json_object_get(a, "event"));
		const char *issued = json_string_value(json_object_get(a, "issued_at"));
		ent[i].id = json_string_value(json_object_get(a, "identifier"));
		ent[i].title = headline && *headline ? headline : event && *event ? event : ent[i].id;
		ent[i].updated = issued ? issued : json_string_value(json_object_get(a, "created_at"));
		ent[i].published = json_string_value(json_object_get(a, "sent"));
		ent[i].author = json_string_value(json_object_get(json_object_get(a, "owner"), "name_en"));
		ent[i].summary = event;
		ent[i].category = json_string_value(json_object_get(a, "kind"));
		ent[i].links = &links[2 * i];
		ent[i].nlinks = 2;
		if (ent[i].updated && strcmp(ent[i].updated, updated) > 0)
			snprintf(updated, sizeof updated, "%s", ent[i].updated);
	}
	struct atom_feed f = {"urn:epibridge:feeds:alerts", "epibridge public alerts", updated, self, "epibridge"};
	struct eb_buf b;
	eb_buf_init(&b, 16u << 20);
	e = atom_write(&f, ent, n, &b, &d);
	if (e)
		eb_reply_err(r, e, &d);
	else
		eb_reply_raw(r, 200, "application/atom+xml; charset=utf-8", b.data, b.len);
	eb_buf_free(&b);
out:
	free(ent);
	free(links);
	free(hrefs);
	json_decref(items);
}
