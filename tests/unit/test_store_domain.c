/*
 * Unit tests for src/store and the foundation domain modules on a real
 * SQLite database (and PostgreSQL as well when EB_PG_URL names a server):
 * migrations, transactions, the visibility rule (SQL and C agree), the audit
 * chain, sessions, tokens and login throttling.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "domain/access.h"
#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/org.h"
#include "store/db.h"

static char url[512];

static struct eb_principal cli_who(void)
{
	struct eb_principal p = {0};
	p.kind = EB_CLI;
	p.role = EB_ROLE_ADMIN;
	p.operator_org = 1;
	snprintf(p.label, sizeof p.label, "test");
	return p;
}

static int setup(void **state)
{
	struct eb_db *db = NULL;
	struct eb_detail d = {0};
	if (eb_db_open(url, 2, &db, &d) != EB_OK) {
		fprintf(stderr, "open %s: %s\n", url, d.msg);
		return -1;
	}
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	eb_db_close(*state);
	return 0;
}

static int64_t make_org(struct eb_conn *c, const char *name)
{
	struct eb_principal who = cli_who();
	json_t *in = json_pack("{s:s, s:s, s:s}", "kind", "ngo", "name_en", name, "country", "FR"), *out = NULL;
	struct eb_detail d = {0};
	assert_int_equal(org_create(c, &who, in, &out, &d), EB_OK);
	int64_t id = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	return id;
}

static void migrations_are_idempotent(void **state)
{
	(void)state;
	struct eb_db *again = NULL;
	struct eb_detail d = {0};
	assert_int_equal(eb_db_open(url, 1, &again, &d), EB_OK);
	struct eb_conn *c = eb_db_acquire(again);
	int64_t n = 0;
	assert_int_equal(eb_run(c, "SELECT COUNT(*) FROM schema_migrations", &n, &d, 0), EB_OK);
	assert_true(n >= 1);
	eb_db_release(c);
	eb_db_close(again);
}

static void rollback_leaves_nothing(void **state)
{
	struct eb_conn *c = eb_db_acquire(*state);
	struct eb_detail d = {0};
	int64_t before = 0, after = 0;
	eb_run(c, "SELECT COUNT(*) FROM orgs", &before, &d, 0);
	assert_int_equal(eb_begin(c, &d), EB_OK);
	assert_int_equal(eb_run(c, "INSERT INTO orgs (kind, name_en, country, created_at, updated_at) VALUES ('ngo', 'Rolled back', 'FR', 0, 0)", NULL, &d, 0), EB_OK);
	eb_rollback(c);
	eb_run(c, "SELECT COUNT(*) FROM orgs", &after, &d, 0);
	assert_true(before == after);
	/* unique violation maps to EB_EEXIST and the failed write changes nothing */
	make_org(c, "Unique NGO");
	struct eb_principal who = cli_who();
	json_t *in = json_pack("{s:s, s:s, s:s}", "kind", "ngo", "name_en", "Unique NGO", "country", "FR"), *out = NULL;
	assert_int_equal(org_create(c, &who, in, &out, &d), EB_EEXIST);
	assert_string_equal(d.field, "/name_en");
	assert_null(out);
	json_decref(in);
	assert_false(eb_in_tx(c));
	eb_db_release(c);
}

/* The visibility rule: SQL (ACCESS_VISIBLE_SQL) and C (access_can_read)
 * must agree for every visibility and relation. */
static void visibility_sql_and_c_agree(void **state)
{
	struct eb_conn *c = eb_db_acquire(*state);
	struct eb_detail d = {0};
	int64_t owner = make_org(c, "Vis Owner"), partner = make_org(c, "Vis Partner"),
		listed = make_org(c, "Vis Listed"), other = make_org(c, "Vis Other");
	struct eb_principal who = cli_who();
	assert_int_equal(org_partner_link(c, &who, owner, partner, &d), EB_OK);
	eb_exec(c, "CREATE TABLE IF NOT EXISTS vis_test (id BIGINT PRIMARY KEY, owner_org BIGINT NOT NULL, visibility TEXT NOT NULL)", &d);
	eb_exec(c, "DELETE FROM vis_test", &d);
	for (int v = 0; v <= EB_VIS_PUBLIC; v++) {
		char sql_id[8], sql_owner[24];
		snprintf(sql_id, sizeof sql_id, "%d", v + 1);
		snprintf(sql_owner, sizeof sql_owner, "%lld", (long long)owner);
		assert_int_equal(eb_run(c, "INSERT INTO vis_test (id, owner_org, visibility) VALUES (CAST(? AS BIGINT), CAST(? AS BIGINT), ?)",
					NULL, &d, 3, sql_id, sql_owner, eb_visibility_name((enum eb_visibility)v)), EB_OK);
	}
	json_t *shares = json_pack("[I]", (json_int_t)listed);
	assert_int_equal(eb_begin(c, &d), EB_OK);
	assert_int_equal(access_set_shares(c, "vis_test", EB_VIS_LISTED + 1, shares, &d), EB_OK);
	assert_int_equal(eb_commit(c, &d), EB_OK);
	json_decref(shares);

	/* expected[relation][visibility]: owner, partner, listed, other, anonymous */
	static const int expected[5][4] = {
		{1, 1, 1, 1}, {0, 1, 0, 1}, {0, 0, 1, 1}, {0, 0, 0, 1}, {0, 0, 0, 1}};
	int64_t orgs[5] = {owner, partner, listed, other, 0};
	for (int rel = 0; rel < 5; rel++) {
		struct eb_principal p = {0};
		p.kind = rel == 4 ? EB_ANON : EB_USER;
		p.org_id = orgs[rel];
		p.role = EB_ROLE_VIEWER;
		int seen[4] = {0};
		struct eb_stmt *s = eb_stmt(c, "SELECT t.id FROM vis_test t WHERE " ACCESS_VISIBLE_SQL("t") " ORDER BY t.id", &d);
		assert_non_null(s);
		access_bind_visible(s, 1, &p, "vis_test");
		while (eb_step(s, &d) == EB_ROW)
			seen[eb_col_i64(s, 0) - 1] = 1;
		eb_done(s);
		for (int v = 0; v < 4; v++) {
			assert_int_equal(seen[v], expected[rel][v]);
			assert_int_equal(access_can_read(c, &p, "vis_test", v + 1, owner, (enum eb_visibility)v), expected[rel][v]);
		}
		if (rel == 4)
			continue;
		/* the set-based form with the organisation as an expression */
		int seen_to[4] = {0};
		s = eb_stmt(c, "SELECT t.id FROM vis_test t WHERE " ACCESS_VISIBLE_TO_ORG_SQL("t", "CAST(? AS BIGINT)") " ORDER BY t.id", &d);
		assert_non_null(s);
		eb_bind_i64(s, 1, orgs[rel]);
		eb_bind_i64(s, 2, orgs[rel]);
		eb_bind_i64(s, 3, orgs[rel]);
		eb_bind_text(s, 4, "vis_test");
		eb_bind_i64(s, 5, orgs[rel]);
		while (eb_step(s, &d) == EB_ROW)
			seen_to[eb_col_i64(s, 0) - 1] = 1;
		eb_done(s);
		for (int v = 0; v < 4; v++)
			assert_int_equal(seen_to[v], expected[rel][v]);
	}
	/* writes: only the owner, with the role asked for */
	struct eb_principal ed = {.kind = EB_USER, .org_id = owner, .role = EB_ROLE_EDITOR};
	assert_int_equal(access_can_write(&ed, owner, EB_ROLE_EDITOR, &d), EB_OK);
	assert_int_equal(access_can_write(&ed, owner, EB_ROLE_ADMIN, &d), EB_EPERM);
	ed.org_id = partner;
	assert_int_equal(access_can_write(&ed, owner, EB_ROLE_VIEWER, &d), EB_EPERM);
	struct eb_principal anon = {0};
	assert_int_equal(access_can_write(&anon, owner, EB_ROLE_VIEWER, &d), EB_EAUTH);
	eb_db_release(c);
}

static void audit_chain_detects_changes(void **state)
{
	struct eb_conn *c = eb_db_acquire(*state);
	struct eb_detail d = {0};
	make_org(c, "Audit NGO 1");
	make_org(c, "Audit NGO 2");
	struct audit_report rep;
	assert_int_equal(audit_verify(c, &rep, NULL, NULL, &d), EB_OK);
	assert_true(rep.rows >= 2);
	assert_int_equal(rep.first_bad, 0);
	/* outside a transaction appends are refused */
	struct eb_principal who = cli_who();
	assert_int_equal(audit_append(c, &who, "x", "y", 1, NULL, NULL, &d), EB_EINTERNAL);
	/* change a row behind the log's back */
	int64_t last = 0;
	eb_run(c, "SELECT MAX(seq) FROM audit_log", &last, &d, 0);
	char seq[24];
	snprintf(seq, sizeof seq, "%lld", (long long)last);
	assert_int_equal(eb_run(c, "UPDATE audit_log SET actor_label = 'mallory' WHERE seq = CAST(? AS BIGINT)", NULL, &d, 1, seq), EB_OK);
	assert_int_equal(audit_verify(c, &rep, NULL, NULL, &d), EB_OK);
	assert_true(rep.first_bad == last);
	assert_int_equal(eb_run(c, "UPDATE audit_log SET actor_label = 'test' WHERE seq = CAST(? AS BIGINT)", NULL, &d, 1, seq), EB_OK);
	assert_int_equal(audit_verify(c, &rep, NULL, NULL, &d), EB_OK);
	assert_int_equal(rep.first_bad, 0);
	/* a deleted last row is found through the head counter */
	assert_int_equal(eb_run(c, "DELETE FROM audit_log WHERE seq = CAST(? AS BIGINT)", NULL, &d, 1, seq), EB_OK);
	assert_int_equal(audit_verify(c, &rep, NULL, NULL, &d), EB_OK);
	assert_true(rep.first_bad == last);
	eb_db_release(c);
}

static void passwords_sessions_tokens(void **state)
{
	struct eb_conn *c = eb_db_acquire(*state);
	struct eb_detail d = {0};
	char hash[AUTH_HASH_MAX];
	assert_int_equal(auth_hash_password("correct horse battery", hash), EB_OK);
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_true(auth_verify_password(hash, "correct horse battery"));
	assert_false(auth_verify_password(hash, "correct horse batterY"));
	assert_int_equal(auth_password_ok("short", "/password", &d), EB_EINVAL);

	int64_t org = make_org(c, "Auth NGO");
	struct eb_principal who = cli_who();
	json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "login", "auth.user", "name", "A", "role", "editor", "password", "correct horse battery"), *out = NULL;
	assert_int_equal(org_user_create(c, &who, org, in, hash, &out, &d), EB_OK);
	int64_t uid = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);

	char token[65], csrf[65], h[65];
	assert_int_equal(auth_session_create(c, uid, token, csrf, &d), EB_OK);
	struct eb_principal p;
	char csrf2[65];
	assert_int_equal(auth_session_resolve(c, token, &p, csrf2, h, &d), EB_OK);
	assert_true(p.user_id == uid);
	assert_true(p.org_id == org);
	assert_int_equal(p.role, EB_ROLE_EDITOR);
	assert_string_equal(csrf, csrf2);
	token[0] = token[0] == 'a' ? 'b' : 'a';
	assert_int_equal(auth_session_resolve(c, token, &p, csrf2, h, &d), EB_EAUTH);
	assert_int_equal(auth_session_resolve(c, "not-hex", &p, csrf2, h, &d), EB_EAUTH);

	json_t *tok = NULL;
	assert_int_equal(auth_token_create(c, &who, org, "feed", EB_ROLE_VIEWER, &tok, &d), EB_OK);
	const char *secret = json_string_value(json_object_get(tok, "token"));
	assert_int_equal(auth_token_resolve(c, secret, &p, &d), EB_OK);
	assert_int_equal(p.kind, EB_TOKEN);
	assert_int_equal(p.role, EB_ROLE_VIEWER);
	assert_true(p.org_id == org);
	int64_t tid = json_integer_value(json_object_get(tok, "id"));
	/* an editor of another org cannot revoke it, and learns nothing */
	struct eb_principal stranger = {.kind = EB_USER, .org_id = org + 1000, .role = EB_ROLE_ADMIN};
	assert_int_equal(auth_token_revoke(c, &stranger, tid, &d), EB_ENOTFOUND);
	assert_int_equal(auth_token_revoke(c, &who, tid, &d), EB_OK);
	assert_int_equal(auth_token_resolve(c, secret, &p, &d), EB_EAUTH);
	json_decref(tok);
	eb_db_release(c);
}

static void throttling_locks_then_releases(void **state)
{
	(void)state;
	struct eb_detail d = {0};
	int retry = 0;
	auth_throttle_reset();
	for (int i = 0; i < 4; i++)
		auth_throttle_record("victim", "10.0.0.1", 0);
	assert_int_equal(auth_throttle_check("victim", "10.0.0.1", &retry, &d), EB_OK);
	auth_throttle_record("victim", "10.0.0.1", 0);
	assert_int_equal(auth_throttle_check("victim", "10.0.0.2", &retry, &d), EB_ETHROTTLE);
	assert_true(retry > 0 && retry <= 30);
	/* other accounts from another address are not affected */
	assert_int_equal(auth_throttle_check("someone", "10.0.0.3", &retry, &d), EB_OK);
	/* an address spraying many accounts is locked too */
	for (int i = 0; i < 30; i++) {
		char login[16];
		snprintf(login, sizeof login, "spray%d", i);
		auth_throttle_record(login, "10.9.9.9", 0);
	}
	assert_int_equal(auth_throttle_check("fresh", "10.9.9.9", &retry, &d), EB_ETHROTTLE);
	auth_throttle_reset();
	assert_int_equal(auth_throttle_check("victim", "10.0.0.1", &retry, &d), EB_OK);
}

int main(void)
{
	eb_util_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(migrations_are_idempotent),
		cmocka_unit_test(rollback_leaves_nothing),
		cmocka_unit_test(visibility_sql_and_c_agree),
		cmocka_unit_test(audit_chain_detects_changes),
		cmocka_unit_test(passwords_sessions_tokens),
		cmocka_unit_test(throttling_locks_then_releases),
	};
	char dir[] = "/tmp/ebunitXXXXXX";
	if (!mkdtemp(dir))
		return 1;
	snprintf(url, sizeof url, "%s/unit.db", dir);
	int rc = cmocka_run_group_tests_name("store+domain (sqlite)", tests, setup, teardown);
	const char *pg = getenv("EB_PG_URL");
	if (pg && *pg) {
		/* A fresh database on the server named by EB_PG_URL. */
		char name[64], cmd_url[600];
		snprintf(name, sizeof name, "ebunit_%d", (int)getpid());
		snprintf(cmd_url, sizeof cmd_url, "%s/postgres", pg);
		struct eb_db *adm = NULL;
		struct eb_detail d = {0};
		if (eb_db_open_raw(cmd_url, &adm, &d) == EB_OK) {
			char sql[128];
			snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
			struct eb_conn *c = eb_db_acquire(adm);
			eb_exec(c, sql, &d);
			eb_db_release(c);
			eb_db_close(adm);
			snprintf(url, sizeof url, "%s/%s", pg, name);
			rc |= cmocka_run_group_tests_name("store+domain (postgresql)", tests, setup, teardown);
		} else {
			fprintf(stderr, "skipping PostgreSQL: %s\n", d.msg);
		}
	}
	return rc;
}
