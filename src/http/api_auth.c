/*
 * Sessions (login, logout, who am I), the caller's profile, and API tokens.
 *
 * Login verifies the Argon2id hash on the worker pool (eb_req_defer): phase 0
 * looks the login up and queues the check; phase 1 answers.  Unknown logins
 * are checked against a dummy hash so both take the same time.
 */
#include "http/api.h"
#include "domain/auth.h"
#include "domain/org.h"
#include "base/jcheck.h"
#include "base/util.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Behind a reverse proxy every peer is the proxy: when the peer is the
 * trusted proxy, the client is the last address it appended to
 * X-Forwarded-For. */
static void forwarded_addr(struct eb_req *r, char *out, size_t n)
{
	const char *xff = eb_req_header(r, "X-Forwarded-For");
	if (!xff)
		return;
	const char *last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	while (*last == ' ')
		last++;
	char ip[64];
	snprintf(ip, sizeof ip, "%s", last);
	ip[strcspn(ip, " \t")] = '\0';
	unsigned char buf[16];
	if (inet_pton(AF_INET, ip, buf) == 1 || inet_pton(AF_INET6, ip, buf) == 1)
		snprintf(out, n, "%s", ip);
}

void eb_req_addr(struct eb_req *r, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, n, "-");
	if (ci && ci->client_addr) {
		if (ci->client_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out, (socklen_t)n);
		else if (ci->client_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, out, (socklen_t)n);
	}
	if (r->app->trusted_proxy && strcmp(out, r->app->trusted_proxy) == 0)
		forwarded_addr(r, out, n);
}

void api_pw_job_run(void *p)
{
	struct pw_job *j = p;
	if (j->verify_pw[0])
		j->verified = auth_verify_password(j->verify_hash, j->verify_pw);
	if (j->password[0])
		j->failed = auth_hash_password(j->password, j->hash) != EB_OK;
	sodium_memzero(j->password, sizeof j->password);
	sodium_memzero(j->verify_pw, sizeof j->verify_pw);
}

static const struct eb_jfield login_spec[] = {
	{"login", EB_J_STR, 1, 64, 1, 0, NULL},
	{"password", EB_J_STR, 1, 200, 1, 0, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL}};

struct login_state {
	struct pw_job job;
	char login[72];
	char addr[64];
	int64_t user_id;
	int disabled;
};

static json_t *session_json(struct eb_req *r, int64_t user_id, const char *csrf)
{
	json_t *user = NULL, *org = NULL;
	struct eb_detail d = {0};
	struct eb_principal self = r->who;
	self.kind = EB_USER;
	self.user_id = user_id;
	if (org_user_get(eb_req_db(r), &self, user_id, &user, &d))
		return NULL;
	org_get(eb_req_db(r), &self, json_integer_value(json_object_get(user, "org_id")), &org, &d);
	return json_pack("{s:o, s:o, s:s}", "user", user, "org", org ? org : json_null(), "csrf_token", csrf);
}

void api_session_create(struct eb_req *r)
{
	struct login_state *st = r->async;
	struct eb_detail d = {0};
	if (r->phase == 0) {
		json_t *in = eb_req_json(r);
		if (!in)
			return;
		enum eb_err e = eb_json_check(in, login_spec, 0, &d);
		if (e) {
			json_decref(in);
			eb_reply_err(r, e, &d);
			return;
		}
		st = eb_req_alloc(r, sizeof *st);
		memset(st, 0, sizeof *st);
		r->async = st;
		snprintf(st->login, sizeof st->login, "%s", eb_jstr(in, "login"));
		snprintf(st->job.verify_pw, sizeof st->job.verify_pw, "%s", eb_jstr(in, "password"));
		json_decref(in);
		eb_req_addr(r, st->addr, sizeof st->addr);
		int retry = 0;
		e = auth_throttle_check(st->login, st->addr, &retry, &d);
		if (e) {
			char ra[16];
			snprintf(ra, sizeof ra, "%d", retry);
			eb_reply_err(r, e, &d);
			eb_reply_header(r, "Retry-After", ra);
			return;
		}
		struct auth_login lg;
		e = auth_find_login(eb_req_db(r), st->login, &lg, &d);
		if (e == EB_OK) {
			st->user_id = lg.user_id;
			st->disabled = lg.disabled;
			snprintf(st->job.verify_hash, sizeof st->job.verify_hash, "%s", lg.pw_hash);
		} else if (e == EB_ENOTFOUND) {
			snprintf(st->job.verify_hash, sizeof st->job.verify_hash, "%s", auth_dummy_hash());
		} else {
			eb_reply_err(r, e, &d);
			return;
		}
		if (eb_req_defer(r, api_pw_job_run, &st->job) != 0)
			eb_reply_problem(r, 503, "busy", "the server is busy; retry", NULL);
		return;
	}
	int ok = st->job.verified && st->user_id && !st->disabled;
	auth_throttle_record(st->login, st->addr, ok);
	if (!ok) {
		eb_reply_problem(r, 401, "bad-credentials", "wrong login or password (or the account is disabled)", "/password");
		return;
	}
	char token[65], csrf[65];
	enum eb_err e = auth_session_create(eb_req_db(r), st->user_id, token, csrf, &d);
	if (e) {
		eb_reply_err(r, e, &d);
		return;
	}
	json_t *out = session_json(r, st->user_id, csrf);
	if (!out) {
		eb_reply_problem(r, 500, "internal", "could not load the user", NULL);
		return;
	}
	char cookie[160];
	snprintf(cookie, sizeof cookie, "eb_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
		 token, AUTH_SESSION_TTL_MS / 1000, r->app->secure_cookies ? "; Secure" : "");
	eb_reply_header(r, "Set-Cookie", cookie);
	eb_reply_json(r, 200, out);
}

void api_session_get(struct eb_req *r)
{
	json_t *out = session_json(r, r->who.user_id, r->csrf);
	if (!out) {
		eb_reply_problem(r, 401, "unauthenticated", "no session", NULL);
		return;
	}
	eb_reply_json(r, 200, out);
	r->no_etag = 1;
}

void api_session_delete(struct eb_req *r)
{
	auth_session_delete(eb_req_db(r), r->session_hash);
	eb_reply_header(r, "Set-Cookie", "eb_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	eb_reply_empty(r, 204);
}

struct patch_state {
	struct pw_job job;
	json_t *in;
};

void api_me_update(struct eb_req *r)
{
	struct patch_state *st = r->async;
	struct eb_detail d = {0};
	json_t *out = NULL;
	if (r->phase == 0) {
		json_t *in = eb_req_json(r);
		if (!in)
			return;
		enum eb_err e = org_me_check(in, &d);
		if (e) {
			json_decref(in);
			eb_reply_err(r, e, &d);
			return;
		}
		if (!eb_jstr(in, "password")) {
			e = org_me_update(eb_req_db(r), &r->who, in, NULL, &out, &d);
			json_decref(in);
			if (e)
				eb_reply_err(r, e, &d);
			else
				eb_reply_json(r, 200, out);
			return;
		}
		st = eb_req_alloc(r, sizeof *st);
		memset(st, 0, sizeof *st);
		r->async = st;
		st->in = in;
		struct auth_login lg;
		e = auth_find_login(eb_req_db(r), r->who.label, &lg, &d);
		if (e) {
			json_decref(in);
			eb_reply_err(r, e, &d);
			return;
		}
		snprintf(st->job.verify_hash, sizeof st->job.verify_hash, "%s", lg.pw_hash);
		snprintf(st->job.verify_pw, sizeof st->job.verify_pw, "%s", eb_jstr(in, "current_password"));
		snprintf(st->job.password, sizeof st->job.password, "%s", eb_jstr(in, "password"));
		eb_req_defer(r, api_pw_job_run, &st->job);
		return;
	}
	if (!st->job.verified) {
		json_decref(st->in);
		eb_reply_problem(r, 400, "invalid", "current_password is wrong", "/current_password");
		return;
	}
	enum eb_err e = org_me_update(eb_req_db(r), &r->who, st->in, st->job.hash, &out, &d);
	json_decref(st->in);
	if (e)
		eb_reply_err(r, e, &d);
	else
		eb_reply_json(r, 200, out);
}

static const char *const token_roles[] = {"admin", "editor", "viewer", NULL};
static const struct eb_jfield token_spec[] = {
	{"name", EB_J_STR, 1, 100, 1, 0, NULL},
	{"role", EB_J_ENUM, 1, 0, 0, 0, token_roles},
	{NULL, 0, 0, 0, 0, 0, NULL}};

void api_tokens_list(struct eb_req *r)
{
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = auth_token_list(eb_req_db(r), &r->who, r->who.org_id, &out, &d);
	if (e)
		eb_reply_err(r, e, &d);
	else
		eb_reply_json(r, 200, json_pack("{s:o}", "items", out));
}

void api_tokens_create(struct eb_req *r)
{
	json_t *in = eb_req_json(r), *out = NULL;
	if (!in)
		return;
	struct eb_detail d = {0};
	enum eb_err e = eb_json_check(in, token_spec, 0, &d);
	if (!e)
		e = auth_token_create(eb_req_db(r), &r->who, r->who.org_id, eb_jstr(in, "name"),
				      eb_role_parse(eb_jstr(in, "role")), &out, &d);
	json_decref(in);
	if (e)
		eb_reply_err(r, e, &d);
	else
		eb_reply_json(r, 201, out);
}

void api_tokens_revoke(struct eb_req *r)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	struct eb_detail d = {0};
	enum eb_err e = auth_token_revoke(eb_req_db(r), &r->who, id, &d);
	if (e)
		eb_reply_err(r, e, &d);
	else
		eb_reply_empty(r, 204);
}
