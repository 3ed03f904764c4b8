/*
 * Indicators over HTTP: the series of one area and every area on one day
 * (for the map).  Both are public, since indicators derive from public
 * reports only (domain/indicators.h), and the same for every caller, so
 * rendered answers are kept for everyone (http/cache.h, data "indicators",
 * raised by `epibridge indicators` in the writing transaction).  Only
 * successful answers are kept; errors are computed every time.
 */
#include "http/api.h"
#include "http/cache.h"
#include "domain/indicators.h"

#include <stdio.h>
#include <string.h>

static const char *q_or_empty(struct eb_req *r, const char *name)
{
	const char *v = eb_req_query(r, name);
	return v ? v : "";
}

static void reply_kept(struct eb_req *r, const char *key, int64_t version, enum eb_err e,
		       struct eb_detail *d, json_t *out)
{
	if (e) {
		eb_reply_err(r, e, d);
		return;
	}
	eb_reply_json(r, 200, out);
	eb_cache_keep(r, key, version, 1);
}

void api_indicators_series(struct eb_req *r)
{
	const char *area = eb_req_query(r, "area"), *from = eb_req_query(r, "from"),
		   *to = eb_req_query(r, "to");
	char key[160];
	snprintf(key, sizeof key, "indicators|s|%.15s|%.10s|%.10s", q_or_empty(r, "area"), q_or_empty(r, "from"),
		 q_or_empty(r, "to"));
	int64_t version;
	if (eb_cache_hit(r, key, "indicators", 1, &version))
		return;
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = indicators_series(eb_req_db(r), area, from, to, &out, &d);
	reply_kept(r, key, version, e, &d, out);
}

void api_indicators_world(struct eb_req *r)
{
	char key[160];
	snprintf(key, sizeof key, "indicators|w|%.16s", r->params[0]);
	int64_t version;
	if (eb_cache_hit(r, key, "indicators", 1, &version))
		return;
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = indicators_day(eb_req_db(r), r->params[0], &out, &d);
	reply_kept(r, key, version, e, &d, out);
}
