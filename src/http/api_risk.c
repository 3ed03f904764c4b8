/*
 * Risk assessments over HTTP: history of a scope, one assessment, the
 * latest per scope as of a day (for the map), the level the rules propose,
 * and creating or correcting an assessment.  Reads are public routes whose
 * records are filtered by visibility in the domain (domain/risk.h).
 */
#include "http/api.h"
#include "http/cache.h"
#include "domain/risk.h"
#include "base/util.h"


void api_risk_list(struct eb_req *r)
{
	struct risk_query q = {0};
	if (eb_req_page(r, &q.limit, &q.after))
		return;
	int bad;
	q.org = eb_req_id_param(r, "org", &bad);
	if (bad)
		return;
	q.scope = eb_req_query(r, "scope");
	q.code = eb_req_query(r, "code");
	q.from = eb_req_query(r, "from");
	q.to = eb_req_query(r, "to");
	json_t *items = NULL;
	int64_t cursor = 0;
	struct eb_detail d = {0};
	enum eb_err e = risk_list(eb_req_db(r), &r->who, &q, &items, &cursor, &d);
	eb_reply_result(r, e, &d, 200, e ? NULL : eb_page_json(items, q.limit, cursor));
}

void api_risk_put(struct eb_req *r)
{
	eb_serve_put(r, risk_put);
}

void api_risk_get(struct eb_req *r)
{
	eb_serve_get(r, risk_get);
}

void api_risk_world(struct eb_req *r)
{
	int bad;
	int64_t org = eb_req_id_param(r, "org", &bad);
	if (bad)
		return;
	char key[96];
	snprintf(key, sizeof key, "risk|world|%.16s|%lld", r->params[0], (long long)org);
	int64_t version;
	if (eb_cache_hit(r, key, "risk", 0, &version))
		return;
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = risk_world(eb_req_db(r), &r->who, r->params[0], org, &out, &d);
	eb_reply_result(r, e, &d, 200, out);
	eb_cache_keep(r, key, version, 0);
}

void api_risk_proposed(struct eb_req *r)
{
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = risk_proposed(eb_req_db(r), eb_req_query(r, "area"), eb_req_query(r, "date"), &out, &d);
	eb_reply_result(r, e, &d, 200, out);
}
