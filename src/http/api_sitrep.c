/*
 * Situation sharing over HTTP: the area reference, situation reports, the
 * daily series of an area, the world snapshot of a day, and changes since a
 * time for partners polling.
 */
#include "http/api.h"
#include "http/cache.h"
#include "domain/sitrep.h"
#include "formats/areas.h"
#include "base/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *area_json(const struct area *a)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b}", "code", a->code, "name_en", a->name_en,
			      "name_zh", a->name_zh, "who_region", a->who_region, "subdivision", a->subdivision);
	if (!a->subdivision) {
		json_object_set_new(o, "iso3", json_string(a->iso3));
		json_object_set_new(o, "numeric", a->numeric ? json_integer(a->numeric) : json_null());
	} else {
		json_object_set_new(o, "parent", json_string(a->iso2));
	}
	json_object_set_new(o, "population", a->population >= 0 ? json_integer(a->population) : json_null());
	return o;
}

/* The reference never changes while the process runs: render it once. */
static pthread_once_t areas_once = PTHREAD_ONCE_INIT;
static char *areas_body;

static void render_areas(void)
{
	const struct areas *a = areas_default(NULL);
	json_t *arr = json_array();
	for (size_t i = 0; a && i < areas_count(a); i++)
		json_array_append_new(arr, area_json(areas_at(a, i)));
	json_t *body = json_pack("{s:o}", "items", arr);
	areas_body = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
}

void api_areas_list(struct eb_req *r)
{
	pthread_once(&areas_once, render_areas);
	if (!areas_body) {
		eb_reply_problem(r, 503, "unavailable", "the area reference is not loaded (data/reference missing?)", NULL);
		return;
	}
	eb_reply_raw(r, 200, "application/json", areas_body, strlen(areas_body));
}

static int dates_ok(struct eb_req *r, const char *from, const char *to)
{
	if (from && !eb_date_valid(from)) {
		eb_reply_problem(r, 400, "invalid", "from must be a date YYYY-MM-DD", "from");
		return 0;
	}
	if (to && !eb_date_valid(to)) {
		eb_reply_problem(r, 400, "invalid", "to must be a date YYYY-MM-DD", "to");
		return 0;
	}
	return 1;
}

void api_area_series(struct eb_req *r)
{
	int bad;
	int64_t org = eb_req_id_param(r, "org", &bad);
	if (bad)
		return;
	const char *from = eb_req_query(r, "from"), *to = eb_req_query(r, "to");
	if (!dates_ok(r, from, to))
		return;
	char key[128];
	snprintf(key, sizeof key, "sitreps|series|%.15s|%.10s|%.10s|%lld", r->params[0], from ? from : "",
		 to ? to : "", (long long)org);
	int64_t version;
	if (eb_cache_hit(r, key, "sitreps", 0, &version))
		return;
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = sitrep_series(eb_req_db(r), &r->who, r->params[0], from, to, org, &out, &d);
	if (e == EB_EINVAL && strcmp(d.field, "area") == 0)
		e = EB_ENOTFOUND;
	eb_reply_result(r, e, &d, 200, out);
	eb_cache_keep(r, key, version, 0);
}

void api_sitreps_list(struct eb_req *r)
{
	struct sitrep_query q = {0};
	if (eb_req_page(r, &q.limit, &q.after))
		return;
	int bad;
	q.org = eb_req_id_param(r, "org", &bad);
	if (bad)
		return;
	q.area = eb_req_query(r, "area");
	q.from = eb_req_query(r, "from");
	q.to = eb_req_query(r, "to");
	if (!dates_ok(r, q.from, q.to))
		return;
	json_t *items = NULL;
	int64_t last = 0;
	struct eb_detail d = {0};
	enum eb_err e = sitrep_list(eb_req_db(r), &r->who, &q, &items, &last, &d);
	eb_reply_result(r, e, &d, 200, e ? NULL : eb_page_json(items, q.limit, last));
}

void api_sitreps_put(struct eb_req *r)
{
	eb_serve_put(r, sitrep_put);
}

void api_sitreps_get(struct eb_req *r)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	const char *h = eb_req_query(r, "history");
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = sitrep_get(eb_req_db(r), &r->who, id, h && (strcmp(h, "true") == 0 || strcmp(h, "1") == 0), &out, &d);
	eb_reply_result(r, e, &d, 200, out);
}

/* ?since=RFC3339 starts a walk; ?cursor=MS.ID (next_cursor) continues it. */
void api_sitreps_changes(struct eb_req *r)
{
	int limit;
	const char *cursor = eb_req_query(r, "cursor");
	const char *since = eb_req_query(r, "since");
	int64_t v = 200;
	const char *l = eb_req_query(r, "limit");
	if (l && eb_parse_i64(l, 1, r->app->limits.max_page, &v)) {
		eb_reply_problem(r, 400, "invalid", "limit must be an integer from 1 to the page maximum", "limit");
		return;
	}
	limit = (int)v;
	int64_t ms = 0, after = 0;
	if (cursor) {
		const char *dot = strchr(cursor, '.');
		char a[24];
		if (!dot || (size_t)(dot - cursor) >= sizeof a) {
			eb_reply_problem(r, 400, "invalid", "cursor is not one this server issued", "cursor");
			return;
		}
		snprintf(a, sizeof a, "%.*s", (int)(dot - cursor), cursor);
		if (eb_parse_i64(a, 0, INT64_MAX, &ms) || eb_parse_i64(dot + 1, 0, INT64_MAX, &after)) {
			eb_reply_problem(r, 400, "invalid", "cursor is not one this server issued", "cursor");
			return;
		}
	} else if (since) {
		if (eb_parse_time(since, &ms)) {
			eb_reply_problem(r, 400, "invalid", "since must be an RFC 3339 time such as 2020-03-01T00:00:00Z", "since");
			return;
		}
	} else {
		eb_reply_problem(r, 400, "invalid", "give since (RFC 3339 time) or cursor", "since");
		return;
	}
	json_t *items = NULL;
	int64_t next_ms, next_id;
	struct eb_detail d = {0};
	enum eb_err e = sitrep_changes(eb_req_db(r), &r->who, ms, after, limit, &items, &next_ms, &next_id, &d);
	if (e) {
		eb_reply_err(r, e, &d);
		return;
	}
	char next[48];
	snprintf(next, sizeof next, "%lld.%lld", (long long)next_ms, (long long)next_id);
	int full = (int)json_array_size(items) >= limit;
	eb_reply_json(r, 200, json_pack("{s:o, s:s, s:o}", "items", items, "cursor", next,
					"next_cursor", full ? json_string(next) : json_null()));
}

void api_situation_day(struct eb_req *r)
{
	int bad;
	int64_t org = eb_req_id_param(r, "org", &bad);
	if (bad)
		return;
	char key[96];
	snprintf(key, sizeof key, "sitreps|day|%.16s|%lld", r->params[0], (long long)org);
	int64_t version;
	if (eb_cache_hit(r, key, "sitreps", 0, &version))
		return;
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = sitrep_day(eb_req_db(r), &r->who, r->params[0], org, &out, &d);
	eb_reply_result(r, e, &d, 200, out);
	eb_cache_keep(r, key, version, 0);
}
