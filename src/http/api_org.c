/*
 * Organisations, users, partnerships and the audit log over HTTP.
 *
 * User creation and password resets hash on the worker pool: phase 0 checks
 * the request and the caller's rights, phase 1 writes.
 */
#include "http/api.h"
#include "http/cache.h"
#include "domain/access.h"
#include "domain/audit.h"
#include "domain/org.h"
#include "base/jcheck.h"

#include <stdio.h>
#include <string.h>

void api_orgs_list(struct eb_req *r)
{
	int limit;
	int64_t after, last;
	if (eb_req_page(r, &limit, &after))
		return;
	const char *country = eb_req_query(r, "country");
	const char *kind = eb_req_query(r, "kind");
	int kind_ok = !kind;
	for (int i = 0; kind && org_kinds[i]; i++)
		kind_ok |= strcmp(kind, org_kinds[i]) == 0;
	if (!kind_ok) {
		eb_reply_problem(r, 400, "invalid", "kind is not an organisation kind (see /api/v1/openapi.json)", "kind");
		return;
	}
	if (country && (strlen(country) != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' || country[1] > 'Z')) {
		eb_reply_problem(r, 400, "invalid", "country must be an ISO 3166-1 alpha-2 code in capitals, such as IT", "country");
		return;
	}
	char key[128];
	snprintf(key, sizeof key, "orgs|list|%d|%lld|%s|%s", limit, (long long)after, country ? country : "",
		 kind ? kind : "");
	int64_t version;
	/* The directory is the same for every caller (public). */
	if (eb_cache_hit(r, key, "orgs", 1, &version))
		return;
	json_t *items = NULL;
	struct eb_detail d = {0};
	enum eb_err e = org_list(eb_req_db(r), &r->who, limit, after, country, kind, &items, &last, &d);
	eb_reply_result(r, e, &d, 200, e ? NULL : eb_page_json(items, limit, last));
	eb_cache_keep(r, key, version, 1);
}

void api_orgs_create(struct eb_req *r)
{
	eb_serve_create(r, org_create, 201);
}

void api_orgs_get(struct eb_req *r)
{
	eb_serve_get(r, org_get);
}

void api_orgs_update(struct eb_req *r)
{
	eb_serve_update(r, org_update, 200);
}

void api_org_users_list(struct eb_req *r)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = org_user_list(eb_req_db(r), &r->who, id, &out, &d);
	eb_reply_result(r, e, &d, 200, e ? NULL : json_pack("{s:o}", "items", out));
}

struct user_state {
	struct pw_job job;
	json_t *in;
	int64_t id;
};

void api_org_users_create(struct eb_req *r)
{
	struct user_state *st = r->async;
	struct eb_detail d = {0};
	json_t *out = NULL;
	if (r->phase == 0) {
		int64_t org = eb_req_id(r, 0);
		if (!org)
			return;
		json_t *in = eb_req_json(r);
		if (!in)
			return;
		enum eb_err e = org_user_check(in, 0, &d);
		if (!e)
			e = access_can_admin_org(&r->who, org, &d);
		if (e) {
			json_decref(in);
			eb_reply_err(r, e, &d);
			return;
		}
		st = eb_req_alloc(r, sizeof *st);
		memset(st, 0, sizeof *st);
		r->async = st;
		st->in = in;
		st->id = org;
		snprintf(st->job.password, sizeof st->job.password, "%s", eb_jstr(in, "password"));
		eb_req_defer(r, api_pw_job_run, &st->job);
		return;
	}
	enum eb_err e = st->job.failed ? EB_ENOMEM
		: org_user_create(eb_req_db(r), &r->who, st->id, st->in, st->job.hash, &out, &d);
	json_decref(st->in);
	eb_reply_result(r, e, &d, 201, out);
}

void api_users_get(struct eb_req *r)
{
	eb_serve_get(r, org_user_get);
}

void api_users_update(struct eb_req *r)
{
	struct user_state *st = r->async;
	struct eb_detail d = {0};
	json_t *out = NULL;
	if (r->phase == 0) {
		int64_t id = eb_req_id(r, 0);
		if (!id)
			return;
		json_t *in = eb_req_json(r);
		if (!in)
			return;
		enum eb_err e = org_user_check(in, 1, &d);
		if (e || !eb_jstr(in, "password")) {
			if (!e)
				e = org_user_update(eb_req_db(r), &r->who, id, in, NULL, &out, &d);
			json_decref(in);
			eb_reply_result(r, e, &d, 200, out);
			return;
		}
		/* Check rights before spending time on the hash. */
		json_t *u = NULL;
		e = org_user_get(eb_req_db(r), &r->who, id, &u, &d);
		if (!e)
			e = access_can_admin_org(&r->who, json_integer_value(json_object_get(u, "org_id")), &d);
		json_decref(u);
		if (e) {
			json_decref(in);
			eb_reply_err(r, e, &d);
			return;
		}
		st = eb_req_alloc(r, sizeof *st);
		memset(st, 0, sizeof *st);
		r->async = st;
		st->in = in;
		st->id = id;
		snprintf(st->job.password, sizeof st->job.password, "%s", eb_jstr(in, "password"));
		eb_req_defer(r, api_pw_job_run, &st->job);
		return;
	}
	enum eb_err e = st->job.failed ? EB_ENOMEM
		: org_user_update(eb_req_db(r), &r->who, st->id, st->in, st->job.hash, &out, &d);
	json_decref(st->in);
	eb_reply_result(r, e, &d, 200, out);
}

void api_partnerships_list(struct eb_req *r)
{
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = org_partner_list(eb_req_db(r), &r->who, &out, &d);
	eb_reply_result(r, e, &d, 200, e ? NULL : json_pack("{s:o}", "items", out));
}

void api_partnerships_create(struct eb_req *r)
{
	eb_serve_create(r, org_partner_propose, 201);
}

void api_partnerships_accept(struct eb_req *r)
{
	eb_serve_get(r, org_partner_accept);
}

void api_partnerships_delete(struct eb_req *r)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	struct eb_detail d = {0};
	enum eb_err e = org_partner_end(eb_req_db(r), &r->who, id, &d);
	if (e)
		eb_reply_err(r, e, &d);
	else
		eb_reply_empty(r, 204);
}

void api_audit_list(struct eb_req *r)
{
	int limit;
	int64_t before, last;
	if (eb_req_page(r, &limit, &before))
		return;
	json_t *items = NULL;
	struct eb_detail d = {0};
	enum eb_err e = audit_list(eb_req_db(r), &r->who, limit, before, &items, &last, &d);
	eb_reply_result(r, e, &d, 200, e ? NULL : eb_page_json(items, limit, last));
}
