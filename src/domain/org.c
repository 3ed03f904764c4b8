/*
 * Organisations, users and partnerships.  See org.h.
 */
#include "domain/org.h"
#include "domain/access.h"
#include "domain/audit.h"
#include "domain/dataver.h"
#include "domain/auth.h"
#include "store/db.h"
#include "base/jcheck.h"
#include "base/util.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *const org_kinds[] = {
	"ministry_of_health", "public_health_agency", "embassy", "consulate",
	"international_organisation", "ngo", "red_cross_society", "company",
	"hospital", "research_institute", "local_government", "volunteer_group",
	"government", NULL};

static const char *const roles[] = {"admin", "editor", "viewer", NULL};
static const char *const langs[] = {"en", "zh", NULL};

static const struct eb_jfield org_spec[] = {
	{"kind", EB_J_ENUM, 1, 0, 0, 0, org_kinds},
	{"name_en", EB_J_STR, 1, 200, 1, 0, NULL},
	{"name_zh", EB_J_STR, 0, 200, 0, 0, NULL},
	{"country", EB_J_COUNTRY, 1, 0, 0, 0, NULL},
	{"parent_id", EB_J_NULLABLE_ID, 0, 0, 0, 0, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL}};

static const struct eb_jfield user_spec[] = {
	{"login", EB_J_STR, 1, 64, 3, 0, NULL},
	{"name", EB_J_STR, 1, 200, 1, 0, NULL},
	{"email", EB_J_STR, 0, 254, 0, 0, NULL},
	{"role", EB_J_ENUM, 1, 0, 0, 0, roles},
	{"password", EB_J_STR, 1, 200, 10, 0, NULL},
	{"lang", EB_J_ENUM, 0, 0, 0, 0, langs},
	{"disabled", EB_J_BOOL, 0, 0, 0, 0, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL}};

static const struct eb_jfield me_spec[] = {
	{"name", EB_J_STR, 0, 200, 1, 0, NULL},
	{"email", EB_J_STR, 0, 254, 0, 0, NULL},
	{"lang", EB_J_ENUM, 0, 0, 0, 0, langs},
	{"password", EB_J_STR, 0, 200, 10, 0, NULL},
	{"current_password", EB_J_STR, 0, 200, 1, 0, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL}};

static const struct eb_jfield partner_spec[] = {
	{"partner_id", EB_J_ID, 1, 0, 0, 0, NULL},
	{"note", EB_J_STR, 0, 1000, 0, 0, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL}};

static enum eb_err finish(struct eb_conn *c, enum eb_err e, struct eb_detail *d)
{
	if (e) {
		eb_rollback(c);
		return e;
	}
	return eb_commit(c, d);
}

/* ---- organisations ---- */

#define ORG_COLS "id, kind, name_en, name_zh, country, parent_id, operator, created_at, updated_at"

static json_t *org_row(struct eb_stmt *s)
{
	char c[32], u[32];
	eb_fmt_time(eb_col_i64(s, 7), c);
	eb_fmt_time(eb_col_i64(s, 8), u);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:b, s:s, s:s}",
			      "id", (json_int_t)eb_col_i64(s, 0), "kind", eb_col_text(s, 1),
			      "name_en", eb_col_text(s, 2), "name_zh", eb_col_text(s, 3),
			      "country", eb_col_text(s, 4), "operator", (int)eb_col_i64(s, 6),
			      "created_at", c, "updated_at", u);
	json_object_set_new(o, "parent_id", eb_col_null(s, 5) ? json_null() : json_integer(eb_col_i64(s, 5)));
	return o;
}

static enum eb_err load_org(struct eb_conn *c, int64_t id, json_t **out, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT " ORG_COLS " FROM orgs WHERE id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	int rc = eb_step(s, d);
	if (rc == EB_ROW)
		*out = org_row(s);
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	return rc == EB_ROW ? EB_OK : eb_fail(d, EB_ENOTFOUND, NULL, "no organisation %" PRId64, id);
}

static enum eb_err check_parent(struct eb_conn *c, json_t *in, int64_t self, struct eb_detail *d)
{
	json_t *p = json_object_get(in, "parent_id");
	if (!json_is_integer(p))
		return EB_OK;
	int64_t pid = json_integer_value(p);
	if (pid == self)
		return eb_fail(d, EB_EINVAL, "/parent_id", "an organisation cannot be its own parent");
	/* Walk up from the parent to refuse cycles and unknown parents. */
	for (int depth = 0; pid; depth++) {
		if (depth > 32)
			return eb_fail(d, EB_EINVAL, "/parent_id", "the parent chain is deeper than 32 levels");
		struct eb_stmt *s = eb_stmt(c, "SELECT parent_id FROM orgs WHERE id = ?", d);
		if (!s)
			return EB_EDB;
		eb_bind_i64(s, 1, pid);
		int rc = eb_step(s, d);
		int64_t next = rc == EB_ROW && !eb_col_null(s, 0) ? eb_col_i64(s, 0) : 0;
		eb_done(s);
		if (rc != EB_ROW)
			return rc < 0 ? (enum eb_err)rc : eb_fail(d, EB_EINVAL, "/parent_id", "parent_id %" PRId64 " is not an organisation", pid);
		if (next == self && self)
			return eb_fail(d, EB_EINVAL, "/parent_id", "that parent would make a cycle");
		pid = next;
	}
	return EB_OK;
}

enum eb_err org_create(struct eb_conn *c, const struct eb_principal *who,
		       json_t *in, json_t **out, struct eb_detail *d)
{
	if (who->kind != EB_CLI && !(who->operator_org && who->role == EB_ROLE_ADMIN))
		return eb_fail(d, EB_EPERM, NULL, "only administrators of the operating organisation create organisations");
	enum eb_err e = eb_json_check(in, org_spec, 0, d);
	if (e)
		return e;
	if ((e = eb_begin(c, d)))
		return e;
	e = check_parent(c, in, 0, d);
	int64_t id = 0, now = eb_now_ms();
	if (!e) {
		struct eb_stmt *s = eb_stmt(c,
			"INSERT INTO orgs (kind, name_en, name_zh, country, parent_id, created_at, updated_at) "
			"VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id", d);
		if (!s) {
			e = EB_EDB;
		} else {
			eb_bind_text(s, 1, eb_jstr(in, "kind"));
			eb_bind_text(s, 2, eb_jstr(in, "name_en"));
			eb_bind_text(s, 3, eb_jstr(in, "name_zh") ? eb_jstr(in, "name_zh") : "");
			eb_bind_text(s, 4, eb_jstr(in, "country"));
			int64_t parent = eb_jint(in, "parent_id", 0);
			if (parent)
				eb_bind_i64(s, 5, parent);
			else
				eb_bind_null(s, 5);
			eb_bind_i64(s, 6, now);
			eb_bind_i64(s, 7, now);
			int rc = eb_step(s, d);
			if (rc == EB_ROW)
				id = eb_col_i64(s, 0);
			eb_done(s);
			if (rc == EB_EEXIST)
				e = eb_fail(d, EB_EEXIST, "/name_en", "an organisation named %s already exists in %s",
					    eb_jstr(in, "name_en"), eb_jstr(in, "country"));
			else if (rc < 0)
				e = (enum eb_err)rc;
		}
	}
	if (!e)
		e = load_org(c, id, out, d);
	if (!e)
		e = audit_append(c, who, "create", "org", id, NULL, *out, d);
	if (!e)
		e = dataver_bump(c, "orgs", d);
	e = finish(c, e, d);
	if (e && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

enum eb_err org_get(struct eb_conn *c, const struct eb_principal *who,
		    int64_t id, json_t **out, struct eb_detail *d)
{
	(void)who; /* the directory is visible to every member of the network */
	return load_org(c, id, out, d);
}

enum eb_err org_update(struct eb_conn *c, const struct eb_principal *who,
		       int64_t id, json_t *patch, json_t **out, struct eb_detail *d)
{
	*out = NULL;
	enum eb_err e = eb_json_check(patch, org_spec, 1, d);
	if (e)
		return e;
	json_t *before = NULL;
	if ((e = load_org(c, id, &before, d)))
		return e;
	if ((e = access_can_admin_org(who, id, d))) {
		json_decref(before);
		return e;
	}
	if ((e = eb_begin(c, d))) {
		json_decref(before);
		return e;
	}
	e = check_parent(c, patch, id, d);
	if (!e) {
		json_t *merged = json_deep_copy(before);
		json_object_update_existing(merged, patch);
		struct eb_stmt *s = eb_stmt(c,
			"UPDATE orgs SET kind = ?, name_en = ?, name_zh = ?, country = ?, parent_id = ?, updated_at = ? WHERE id = ?", d);
		if (!s) {
			e = EB_EDB;
		} else {
			eb_bind_text(s, 1, eb_jstr(merged, "kind"));
			eb_bind_text(s, 2, eb_jstr(merged, "name_en"));
			eb_bind_text(s, 3, eb_jstr(merged, "name_zh") ? eb_jstr(merged, "name_zh") : "");
			eb_bind_text(s, 4, eb_jstr(merged, "country"));
			int64_t parent = eb_jint(merged, "parent_id", 0);
			if (parent)
				eb_bind_i64(s, 5, parent);
			else
				eb_bind_null(s, 5);
			eb_bind_i64(s, 6, eb_now_ms());
			eb_bind_i64(s, 7, id);
			int rc = eb_step(s, d);
			eb_done(s);
			if (rc == EB_EEXIST)
				e = eb_fail(d, EB_EEXIST, "/name_en", "another organisation in that country has this name");
			else if (rc < 0)
				e = (enum eb_err)rc;
		}
		json_decref(merged);
	}
	if (!e)
		e = load_org(c, id, out, d);
	if (!e)
		e = audit_append(c, who, "update", "org", id, before, *out, d);
	if (!e)
		e = dataver_bump(c, "orgs", d);
	json_decref(before);
	e = finish(c, e, d);
	if (e && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

enum eb_err org_list(struct eb_conn *c, const struct eb_principal *who,
		     int limit, int64_t after, const char *country,
		     const char *kind, json_t **items, int64_t *last_id,
		     struct eb_detail *d)
{
	(void)who;
	struct eb_stmt *s = eb_stmt(c,
		"SELECT " ORG_COLS " FROM orgs WHERE id > ? AND (? = '' OR country = ?) AND (? = '' OR kind = ?) ORDER BY id LIMIT ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, after);
	eb_bind_text(s, 2, country ? country : "");
	eb_bind_text(s, 3, country ? country : "");
	eb_bind_text(s, 4, kind ? kind : "");
	eb_bind_text(s, 5, kind ? kind : "");
	eb_bind_i64(s, 6, limit);
	json_t *arr = json_array();
	int rc;
	*last_id = 0;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		json_array_append_new(arr, org_row(s));
		*last_id = eb_col_i64(s, 0);
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(arr);
		return (enum eb_err)rc;
	}
	*items = arr;
	return EB_OK;
}

int64_t org_find(struct eb_conn *c, const char *name_en)
{
	int64_t id = 0;
	eb_run(c, "SELECT id FROM orgs WHERE name_en = ? ORDER BY id LIMIT 1", &id, NULL, 1, name_en);
	return id;
}

enum eb_err org_set_operator(struct eb_conn *c, const struct eb_principal *who,
			     int64_t id, int on, struct eb_detail *d)
{
	if (who->kind != EB_CLI)
		return eb_fail(d, EB_EPERM, NULL, "only the command line names the operating organisation");
	json_t *before = NULL, *after = NULL;
	enum eb_err e = load_org(c, id, &before, d);
	if (e)
		return e;
	if ((e = eb_begin(c, d))) {
		json_decref(before);
		return e;
	}
	char ids[24], flag[2] = {on ? '1' : '0', 0};
	snprintf(ids, sizeof ids, "%" PRId64, id);
	e = eb_run(c, "UPDATE orgs SET operator = CAST(? AS INTEGER) WHERE id = CAST(? AS BIGINT)", NULL, d, 2, flag, ids);
	if (!e)
		e = load_org(c, id, &after, d);
	if (!e)
		e = audit_append(c, who, "update", "org", id, before, after, d);
	if (!e)
		e = dataver_bump(c, "orgs", d);
	json_decref(before);
	json_decref(after);
	return finish(c, e, d);
}

/* ---- users ---- */

#define USER_COLS "id, org_id, login, name, email, role, lang, disabled, created_at, updated_at"

static json_t *user_row(struct eb_stmt *s)
{
	char c[32], u[32];
	eb_fmt_time(eb_col_i64(s, 8), c);
	eb_fmt_time(eb_col_i64(s, 9), u);
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s}",
			 "id", (json_int_t)eb_col_i64(s, 0), "org_id", (json_int_t)eb_col_i64(s, 1),
			 "login", eb_col_text(s, 2), "name", eb_col_text(s, 3),
			 "email", eb_col_text(s, 4), "role", eb_col_text(s, 5),
			 "lang", eb_col_text(s, 6), "disabled", (int)eb_col_i64(s, 7),
			 "created_at", c, "updated_at", u);
}

static enum eb_err load_user(struct eb_conn *c, int64_t id, json_t **out, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT " USER_COLS " FROM users WHERE id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	int rc = eb_step(s, d);
	if (rc == EB_ROW)
		*out = user_row(s);
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	return rc == EB_ROW ? EB_OK : eb_fail(d, EB_ENOTFOUND, NULL, "no user %" PRId64, id);
}

static int login_chars_ok(const char *s)
{
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '.' ||
		      *s == '_' || *s == '-' || *s == '@'))
			return 0;
	return 1;
}

enum eb_err org_user_check(json_t *in, int partial, struct eb_detail *d)
{
	enum eb_err e = eb_json_check(in, user_spec, partial, d);
	if (e)
		return e;
	const char *login = eb_jstr(in, "login");
	if (partial && login)
		return eb_fail(d, EB_EINVAL, "/login", "a login cannot be changed; create a new user instead");
	if (login && !login_chars_ok(login))
		return eb_fail(d, EB_EINVAL, "/login", "login may contain only a-z, 0-9 and . _ - @");
	const char *pw = eb_jstr(in, "password");
	if (pw)
		return auth_password_ok(pw, "/password", d);
	return EB_OK;
}

enum eb_err org_user_create(struct eb_conn *c, const struct eb_principal *who,
			    int64_t org_id, json_t *in, const char *pw_hash,
			    json_t **out, struct eb_detail *d)
{
	*out = NULL;
	enum eb_err e = org_user_check(in, 0, d);
	if (e)
		return e;
	json_t *org = NULL;
	if ((e = load_org(c, org_id, &org, d)))
		return e;
	json_decref(org);
	if ((e = access_can_admin_org(who, org_id, d)))
		return e;
	if ((e = eb_begin(c, d)))
		return e;
	int64_t now = eb_now_ms(), id = 0;
	struct eb_stmt *s = eb_stmt(c,
		"INSERT INTO users (org_id, login, name, email, role, pw_hash, lang, disabled, created_at, updated_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", d);
	if (!s) {
		e = EB_EDB;
	} else {
		const char *lang = eb_jstr(in, "lang");
		eb_bind_i64(s, 1, org_id);
		eb_bind_text(s, 2, eb_jstr(in, "login"));
		eb_bind_text(s, 3, eb_jstr(in, "name"));
		eb_bind_text(s, 4, eb_jstr(in, "email") ? eb_jstr(in, "email") : "");
		eb_bind_text(s, 5, eb_jstr(in, "role"));
		eb_bind_text(s, 6, pw_hash);
		eb_bind_text(s, 7, lang ? lang : "en");
		eb_bind_i64(s, 8, json_is_true(json_object_get(in, "disabled")));
		eb_bind_i64(s, 9, now);
		eb_bind_i64(s, 10, now);
		int rc = eb_step(s, d);
		if (rc == EB_ROW)
			id = eb_col_i64(s, 0);
		eb_done(s);
		if (rc == EB_EEXIST)
			e = eb_fail(d, EB_EEXIST, "/login", "the login %s is taken", eb_jstr(in, "login"));
		else if (rc < 0)
			e = (enum eb_err)rc;
	}
	if (!e)
		e = load_user(c, id, out, d);
	if (!e)
		e = audit_append(c, who, "create", "user", id, NULL, *out, d);
	e = finish(c, e, d);
	if (e && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

enum eb_err org_user_get(struct eb_conn *c, const struct eb_principal *who,
			 int64_t id, json_t **out, struct eb_detail *d)
{
	enum eb_err e = load_user(c, id, out, d);
	if (e)
		return e;
	if (!access_can_see_members(who, eb_jint(*out, "org_id", 0)) && who->user_id != id) {
		json_decref(*out);
		*out = NULL;
		return eb_fail(d, EB_ENOTFOUND, NULL, "no user %" PRId64, id);
	}
	return EB_OK;
}

static enum eb_err write_user(struct eb_conn *c, int64_t id, json_t *u,
			      const char *pw_hash, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c,
		"UPDATE users SET name = ?, email = ?, role = ?, lang = ?, disabled = ?, "
		"pw_hash = COALESCE(?, pw_hash), updated_at = ? WHERE id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, eb_jstr(u, "name"));
	eb_bind_text(s, 2, eb_jstr(u, "email") ? eb_jstr(u, "email") : "");
	eb_bind_text(s, 3, eb_jstr(u, "role"));
	eb_bind_text(s, 4, eb_jstr(u, "lang") ? eb_jstr(u, "lang") : "en");
	eb_bind_i64(s, 5, json_is_true(json_object_get(u, "disabled")));
	eb_bind_text(s, 6, pw_hash);
	eb_bind_i64(s, 7, eb_now_ms());
	eb_bind_i64(s, 8, id);
	int rc = eb_step(s, d);
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	if (pw_hash || json_is_true(json_object_get(u, "disabled"))) {
		/* A new password or a disabled account ends every session. */
		char ids[24];
		snprintf(ids, sizeof ids, "%" PRId64, id);
		return eb_run(c, "DELETE FROM sessions WHERE user_id = CAST(? AS BIGINT)", NULL, d, 1, ids);
	}
	return EB_OK;
}

static enum eb_err update_user(struct eb_conn *c, const struct eb_principal *who,
			       int64_t id, json_t *patch, const char *pw_hash,
			       json_t *before, json_t **out, struct eb_detail *d)
{
	enum eb_err e = eb_begin(c, d);
	if (e)
		return e;
	json_t *merged = json_deep_copy(before);
	json_t *p2 = json_deep_copy(patch);
	json_object_del(p2, "password");
	json_object_del(p2, "current_password");
	json_object_update_existing(merged, p2);
	json_decref(p2);
	e = write_user(c, id, merged, pw_hash, d);
	json_decref(merged);
	if (!e)
		e = load_user(c, id, out, d);
	if (!e) {
		json_t *after = json_deep_copy(*out);
		if (pw_hash)
			json_object_set_new(after, "password_changed", json_true());
		e = audit_append(c, who, "update", "user", id, before, after, d);
		json_decref(after);
	}
	e = finish(c, e, d);
	if (e && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

enum eb_err org_user_update(struct eb_conn *c, const struct eb_principal *who,
			    int64_t id, json_t *patch, const char *pw_hash,
			    json_t **out, struct eb_detail *d)
{
	*out = NULL;
	enum eb_err e = org_user_check(patch, 1, d);
	if (e)
		return e;
	json_t *before = NULL;
	if ((e = load_user(c, id, &before, d)))
		return e;
	int64_t org = eb_jint(before, "org_id", 0);
	if ((e = access_can_admin_org(who, org, d))) {
		json_decref(before);
		/* Do not reveal users of other organisations. */
		return access_can_see_members(who, org) ? e
			: eb_fail(d, EB_ENOTFOUND, NULL, "no user %" PRId64, id);
	}
	if (who->user_id == id && json_object_get(patch, "role") &&
	    strcmp(eb_jstr(patch, "role"), "admin") != 0) {
		json_decref(before);
		return eb_fail(d, EB_ECONFLICT, "/role", "you cannot remove your own admin role; ask another admin");
	}
	if (who->user_id == id && json_is_true(json_object_get(patch, "disabled"))) {
		json_decref(before);
		return eb_fail(d, EB_ECONFLICT, "/disabled", "you cannot disable your own account; ask another admin");
	}
	e = update_user(c, who, id, patch, pw_hash, before, out, d);
	json_decref(before);
	return e;
}

enum eb_err org_me_check(json_t *in, struct eb_detail *d)
{
	enum eb_err e = eb_json_check(in, me_spec, 1, d);
	if (e)
		return e;
	if (eb_jstr(in, "password") && !eb_jstr(in, "current_password"))
		return eb_fail(d, EB_EINVAL, "/current_password", "give current_password to change your password");
	return EB_OK;
}

enum eb_err org_me_update(struct eb_conn *c, const struct eb_principal *who,
			  json_t *patch, const char *pw_hash, json_t **out,
			  struct eb_detail *d)
{
	*out = NULL;
	if (who->kind != EB_USER)
		return eb_fail(d, EB_EPERM, NULL, "only a logged-in user has a profile");
	enum eb_err e = org_me_check(patch, d);
	if (e)
		return e;
	json_t *before = NULL;
	if ((e = load_user(c, who->user_id, &before, d)))
		return e;
	e = update_user(c, who, who->user_id, patch, pw_hash, before, out, d);
	json_decref(before);
	return e;
}

enum eb_err org_user_list(struct eb_conn *c, const struct eb_principal *who,
			  int64_t org_id, json_t **out, struct eb_detail *d)
{
	if (!access_can_see_members(who, org_id))
		return eb_fail(d, EB_EPERM, NULL, "only members of an organisation see its users");
	struct eb_stmt *s = eb_stmt(c, "SELECT " USER_COLS " FROM users WHERE org_id = ? ORDER BY id", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, org_id);
	json_t *arr = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW)
		json_array_append_new(arr, user_row(s));
	eb_done(s);
	if (rc < 0) {
		json_decref(arr);
		return (enum eb_err)rc;
	}
	*out = arr;
	return EB_OK;
}

int64_t org_user_count(struct eb_conn *c)
{
	int64_t n = 0;
	eb_run(c, "SELECT COUNT(*) FROM users", &n, NULL, 0);
	return n;
}

/* ---- partnerships ---- */

static json_t *partner_row(struct eb_stmt *s)
{
	char cr[32], up[32];
	eb_fmt_time(eb_col_i64(s, 5), cr);
	eb_fmt_time(eb_col_i64(s, 6), up);
	return json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "id", (json_int_t)eb_col_i64(s, 0), "org_a", (json_int_t)eb_col_i64(s, 1),
			 "org_b", (json_int_t)eb_col_i64(s, 2), "status", eb_col_text(s, 3),
			 "note", eb_col_text(s, 4), "created_at", cr, "updated_at", up,
			 "org_a_name", eb_col_text(s, 7), "org_b_name", eb_col_text(s, 8));
}

#define PARTNER_SELECT "SELECT p.id, p.org_a, p.org_b, p.status, p.note, p.created_at, p.updated_at, a.name_en, b.name_en " \
	"FROM partnerships p JOIN orgs a ON a.id = p.org_a JOIN orgs b ON b.id = p.org_b "

static enum eb_err load_partner(struct eb_conn *c, int64_t id, json_t **out, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, PARTNER_SELECT "WHERE p.id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	int rc = eb_step(s, d);
	if (rc == EB_ROW)
		*out = partner_row(s);
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	return rc == EB_ROW ? EB_OK : eb_fail(d, EB_ENOTFOUND, NULL, "no partnership %" PRId64, id);
}

static enum eb_err insert_partner(struct eb_conn *c, int64_t a, int64_t b,
				  const char *status, const char *note, int64_t *id,
				  struct eb_detail *d)
{
	/* One partnership per pair, whichever side proposed it. */
	int64_t exists = 0;
	char sa[24], sb[24];
	snprintf(sa, sizeof sa, "%" PRId64, a);
	snprintf(sb, sizeof sb, "%" PRId64, b);
	enum eb_err e = eb_run(c,
		"SELECT id FROM partnerships WHERE (org_a = CAST(? AS BIGINT) AND org_b = CAST(? AS BIGINT)) OR (org_a = CAST(? AS BIGINT) AND org_b = CAST(? AS BIGINT))",
		&exists, d, 4, sa, sb, sb, sa);
	if (e)
		return e;
	if (exists)
		return eb_fail(d, EB_EEXIST, "/partner_id", "these organisations already have a partnership (id %" PRId64 ")", exists);
	int64_t now = eb_now_ms();
	struct eb_stmt *s = eb_stmt(c,
		"INSERT INTO partnerships (org_a, org_b, status, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, a);
	eb_bind_i64(s, 2, b);
	eb_bind_text(s, 3, status);
	eb_bind_text(s, 4, note ? note : "");
	eb_bind_i64(s, 5, now);
	eb_bind_i64(s, 6, now);
	int rc = eb_step(s, d);
	if (rc == EB_ROW)
		*id = eb_col_i64(s, 0);
	eb_done(s);
	if (rc == EB_EINVAL)
		return eb_fail(d, EB_EINVAL, "/partner_id", "partner_id is not an organisation");
	return rc < 0 ? (enum eb_err)rc : EB_OK;
}

enum eb_err org_partner_propose(struct eb_conn *c, const struct eb_principal *who,
				json_t *in, json_t **out, struct eb_detail *d)
{
	*out = NULL;
	enum eb_err e = eb_json_check(in, partner_spec, 0, d);
	if (e)
		return e;
	if ((e = access_can_admin_org(who, who->org_id, d)))
		return e;
	int64_t other = eb_jint(in, "partner_id", 0), id = 0;
	if (other == who->org_id)
		return eb_fail(d, EB_EINVAL, "/partner_id", "an organisation cannot partner with itself");
	if ((e = eb_begin(c, d)))
		return e;
	e = insert_partner(c, who->org_id, other, "proposed", eb_jstr(in, "note"), &id, d);
	if (!e)
		e = load_partner(c, id, out, d);
	if (!e)
		e = audit_append(c, who, "create", "partnership", id, NULL, *out, d);
	e = finish(c, e, d);
	if (e && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

enum eb_err org_partner_link(struct eb_conn *c, const struct eb_principal *who,
			     int64_t a, int64_t b, struct eb_detail *d)
{
	enum eb_err e = eb_begin(c, d);
	if (e)
		return e;
	int64_t id = 0;
	json_t *row = NULL;
	e = insert_partner(c, a, b, "active", "", &id, d);
	if (!e)
		e = load_partner(c, id, &row, d);
	if (!e)
		e = audit_append(c, who, "create", "partnership", id, NULL, row, d);
	json_decref(row);
	return finish(c, e, d);
}

enum eb_err org_partner_accept(struct eb_conn *c, const struct eb_principal *who,
			       int64_t id, json_t **out, struct eb_detail *d)
{
	*out = NULL;
	json_t *before = NULL;
	enum eb_err e = load_partner(c, id, &before, d);
	if (e)
		return e;
	int64_t b = eb_jint(before, "org_b", 0), a = eb_jint(before, "org_a", 0);
	if (who->kind != EB_CLI && who->org_id != a && who->org_id != b) {
		json_decref(before);
		return eb_fail(d, EB_ENOTFOUND, NULL, "no partnership %" PRId64, id);
	}
	if (who->kind != EB_CLI && who->org_id != b) {
		json_decref(before);
		return eb_fail(d, EB_EPERM, NULL, "only the invited organisation can accept a partnership");
	}
	if ((e = access_can_admin_org(who, b, d))) {
		json_decref(before);
		return e;
	}
	if (strcmp(eb_jstr(before, "status"), "active") == 0) {
		json_decref(before);
		return eb_fail(d, EB_ECONFLICT, NULL, "the partnership is already active");
	}
	if ((e = eb_begin(c, d))) {
		json_decref(before);
		return e;
	}
	char ids[24], now[24];
	snprintf(ids, sizeof ids, "%" PRId64, id);
	snprintf(now, sizeof now, "%" PRId64, eb_now_ms());
	e = eb_run(c, "UPDATE partnerships SET status = 'active', updated_at = CAST(? AS BIGINT) WHERE id = CAST(? AS BIGINT)", NULL, d, 2, now, ids);
	if (!e)
		e = load_partner(c, id, out, d);
	if (!e)
		e = audit_append(c, who, "accept", "partnership", id, before, *out, d);
	json_decref(before);
	e = finish(c, e, d);
	if (e && *out) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

enum eb_err org_partner_end(struct eb_conn *c, const struct eb_principal *who,
			    int64_t id, struct eb_detail *d)
{
	json_t *before = NULL;
	enum eb_err e = load_partner(c, id, &before, d);
	if (e)
		return e;
	int64_t a = eb_jint(before, "org_a", 0), b = eb_jint(before, "org_b", 0);
	if (who->kind != EB_CLI && who->org_id != a && who->org_id != b) {
		json_decref(before);
		return eb_fail(d, EB_ENOTFOUND, NULL, "no partnership %" PRId64, id);
	}
	if ((e = access_can_admin_org(who, who->kind == EB_CLI ? a : who->org_id, d))) {
		json_decref(before);
		return e;
	}
	if ((e = eb_begin(c, d))) {
		json_decref(before);
		return e;
	}
	char ids[24];
	snprintf(ids, sizeof ids, "%" PRId64, id);
	e = eb_run(c, "DELETE FROM partnerships WHERE id = CAST(? AS BIGINT)", NULL, d, 1, ids);
	if (!e)
		e = audit_append(c, who, "delete", "partnership", id, before, NULL, d);
	json_decref(before);
	return finish(c, e, d);
}

enum eb_err org_partner_list(struct eb_conn *c, const struct eb_principal *who,
			     json_t **out, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, PARTNER_SELECT "WHERE p.org_a = ? OR p.org_b = ? OR ? = 1 ORDER BY p.id", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, who->org_id);
	eb_bind_i64(s, 2, who->org_id);
	eb_bind_i64(s, 3, who->kind == EB_CLI);
	json_t *arr = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW)
		json_array_append_new(arr, partner_row(s));
	eb_done(s);
	if (rc < 0) {
		json_decref(arr);
		return (enum eb_err)rc;
	}
	*out = arr;
	return EB_OK;
}
