/*
 * Indicators over HTTP: the series of one area and every area on one day
 * (for the map).  Both are public, since indicators derive from public
 * reports only (domain/indicators.h).
 */
#include "http/api.h"
#include "domain/indicators.h"


static void reply(struct eb_req *r, enum eb_err e, struct eb_detail *d, json_t *out)
{
	if (e)
		eb_reply_err(r, e, d);
	else
		eb_reply_json(r, 200, out);
}

void api_indicators_series(struct eb_req *r)
{
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = indicators_series(eb_req_db(r), eb_req_query(r, "area"), eb_req_query(r, "from"),
					  eb_req_query(r, "to"), &out, &d);
	reply(r, e, &d, out);
}

void api_indicators_world(struct eb_req *r)
{
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = indicators_day(eb_req_db(r), r->params[0], &out, &d);
	reply(r, e, &d, out);
}
