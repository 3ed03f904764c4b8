/*
 * Health check and the OpenAPI document.
 */
#include "http/api.h"
#include "store/db.h"

#include <string.h>

extern const char eb_openapi_json[];

void api_healthz(struct eb_req *r)
{
	int64_t one = 0;
	enum eb_err e = eb_run(eb_req_db(r), "SELECT 1", &one, NULL, 0);
	json_t *o = json_pack("{s:s, s:s}", "status", e == EB_OK && one == 1 ? "ok" : "degraded",
			      "database", eb_db_backend(r->app->db) == EB_POSTGRES ? "postgresql" : "sqlite");
	eb_reply_json(r, e == EB_OK ? 200 : 503, o);
	r->no_etag = 1;
}

void api_openapi(struct eb_req *r)
{
	eb_reply_raw(r, 200, "application/json", eb_openapi_json, strlen(eb_openapi_json));
}
