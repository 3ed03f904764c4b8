/*
 * Unit tests for the alert module (domain/alert.h): the pure parts (webhook
 * signature against an independent HMAC-SHA256, backoff) and, on a real
 * SQLite database (and PostgreSQL when EB_PG_URL names a server), the
 * fan-out rule — a subscriber outside a restricted alert's addressees gets
 * no delivery — the incident of an update chain, the outbox claim lease and
 * retry bookkeeping, and the ordered events.
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
#include "domain/alert.h"
#include "domain/org.h"
#include "store/db.h"

static char url[512];

static void signature_matches_hmac_sha256(void **state)
{
	(void)state;
	char sig[ALERT_SIGNATURE_LEN];
	const char *body = "{\"a\":1}";
	alert_webhook_sign("k3y", "1583020800", body, strlen(body), sig);
	/* python3: hmac.new(b'k3y', b'1583020800.{"a":1}', sha256).hexdigest() */
	assert_string_equal(sig, "sha256=395df28dada9e08d96f3b51c24fd428a0897d31009c19b4990499f56a8be3915");
	alert_webhook_sign("k3y", "1583020801", body, strlen(body), sig);
	assert_string_not_equal(sig, "sha256=395df28dada9e08d96f3b51c24fd428a0897d31009c19b4990499f56a8be3915");
}

static void backoff_doubles_up_to_the_cap(void **state)
{
	(void)state;
	assert_int_equal(alert_backoff_ms(0, 1000, 60000), 1000);
	assert_int_equal(alert_backoff_ms(1, 1000, 60000), 2000);
	assert_int_equal(alert_backoff_ms(5, 1000, 60000), 32000);
	assert_int_equal(alert_backoff_ms(6, 1000, 60000), 60000);
	assert_int_equal(alert_backoff_ms(1000, 1000, 60000), 60000);
}

static struct eb_principal as_org(int64_t org, enum eb_role role)
{
	struct eb_principal p = {0};
	p.kind = EB_USER;
	p.org_id = org;
	p.role = role;
	snprintf(p.label, sizeof p.label, "test%lld", (long long)org);
	return p;
}

static int64_t make_org(struct eb_conn *c, const char *name)
{
	struct eb_principal who = {0};
	who.kind = EB_CLI;
	who.role = EB_ROLE_ADMIN;
	json_t *in = json_pack("{s:s, s:s, s:s}", "kind", "ngo", "name_en", name, "country", "FR"), *out = NULL;
	struct eb_detail d = {0};
	assert_int_equal(org_create(c, &who, in, &out, &d), EB_OK);
	int64_t id = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	return id;
}

static int64_t post(struct eb_conn *c, int64_t org, const char *json)
{
	struct eb_principal p = as_org(org, EB_ROLE_EDITOR);
	json_error_t je;
	json_t *in = json_loads(json, 0, &je), *out = NULL;
	assert_non_null(in);
	struct eb_detail d = {0};
	enum eb_err e = alert_create(c, &p, in, &out, &d);
	if (e)
		fprintf(stderr, "alert_create: %s (%s)\n", d.msg, d.field);
	assert_int_equal(e, EB_OK);
	int64_t id = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	return id;
}

static int in_inbox(struct eb_conn *c, int64_t org, int64_t alert)
{
	struct eb_principal p = as_org(org, EB_ROLE_VIEWER);
	json_t *items = NULL;
	int64_t last;
	assert_int_equal(alert_inbox(c, &p, 0, 1000, 0, &items, &last, NULL), EB_OK);
	int found = 0;
	size_t i;
	json_t *x;
	json_array_foreach(items, i, x)
		found |= json_integer_value(json_object_get(x, "alert_id")) == alert;
	json_decref(items);
	return found;
}

static void fanout_chain_outbox_events(void **state)
{
	struct eb_db *db = NULL;
	struct eb_detail d = {0};
	assert_int_equal(eb_db_open(url, 1, &db, &d), EB_OK);
	struct eb_conn *c = eb_db_acquire(db);
	char nm[64];
	int64_t salt = eb_now_ms() % 1000000;
	snprintf(nm, sizeof nm, "Sender %lld", (long long)salt);
	int64_t a = make_org(c, nm);
	snprintf(nm, sizeof nm, "Addressee %lld", (long long)salt);
	int64_t b = make_org(c, nm);
	snprintf(nm, sizeof nm, "Subscriber %lld", (long long)salt);
	int64_t s = make_org(c, nm);
	struct eb_principal ps = as_org(s, EB_ROLE_EDITOR);
	json_t *sub = json_pack("{s:s, s:s}", "area", "*", "webhook_url", "http://127.0.0.1:9/hook"), *out = NULL;
	assert_int_equal(alert_sub_create(c, &ps, sub, &out, &d), EB_OK);
	assert_int_equal(strlen(json_string_value(json_object_get(out, "webhook_secret"))), 64);
	json_decref(sub);
	json_decref(out);
	int64_t head0 = 0;
	assert_int_equal(alert_events_head(c, &head0, &d), EB_OK);

	char js[512];
	snprintf(js, sizeof js, "{\"cap\": {\"scope\": \"Restricted\", \"info\": [{\"event\": \"E\", \"urgency\": \"Expected\", "
		 "\"severity\": \"Minor\", \"certainty\": \"Likely\"}]}, \"areas\": [\"GR\"], \"shared_with\": [%lld]}", (long long)b);
	int64_t restricted = post(c, a, js);
	int64_t pub = post(c, a, "{\"cap\": {\"info\": [{\"event\": \"E\", \"urgency\": \"Expected\", \"severity\": \"Minor\", "
				 "\"certainty\": \"Likely\"}]}, \"areas\": [\"CN-HB\"]}");
	assert_true(in_inbox(c, b, restricted));
	assert_false(in_inbox(c, s, restricted)); /* subscribes to everything, not addressed */
	assert_true(in_inbox(c, s, pub));
	assert_false(in_inbox(c, b, pub));

	/* A subdivision's country is one of the alert's areas. */
	struct eb_principal pa = as_org(a, EB_ROLE_EDITOR);
	json_t *rec = NULL;
	assert_int_equal(alert_get(c, &pa, pub, &rec, &d), EB_OK);
	assert_string_equal(json_string_value(json_array_get(json_object_get(rec, "areas"), 0)), "CN-HB");
	assert_string_equal(json_string_value(json_array_get(json_object_get(rec, "areas"), 1)), "CN");
	const char *incident = json_string_value(json_object_get(rec, "identifier"));
	char inc[200];
	snprintf(inc, sizeof inc, "%s", incident);
	json_decref(rec);
	snprintf(js, sizeof js, "{\"references_alert\": %lld, \"cap\": {\"msgType\": \"Cancel\", \"info\": [{\"event\": \"E\", "
		 "\"urgency\": \"Past\", \"severity\": \"Minor\", \"certainty\": \"Likely\"}]}}", (long long)pub);
	int64_t cancel = post(c, a, js);
	assert_int_equal(alert_get(c, &pa, cancel, &rec, &d), EB_OK);
	assert_string_equal(json_string_value(json_object_get(rec, "incident")), inc);
	json_decref(rec);
	assert_true(in_inbox(c, s, cancel)); /* earlier recipient */

	/* Outbox: the subscriber's webhook rows for pub and cancel, claimed
	 * once; a failure is retried later, then given up. */
	struct alert_webhook_job jobs[8];
	int n = 0;
	int64_t now = eb_now_ms() + 1000;
	assert_int_equal(alert_outbox_claim(c, now, 30000, jobs, 8, &n, &d), EB_OK);
	assert_int_equal(n, 2);
	assert_string_equal(jobs[0].url, "http://127.0.0.1:9/hook");
	int n2 = 0;
	assert_int_equal(alert_outbox_claim(c, now, 30000, jobs + 2, 6, &n2, &d), EB_OK);
	assert_int_equal(n2, 0); /* leased */
	assert_int_equal(alert_outbox_done(c, jobs[0].id, 0, "HTTP 503", now + 5, &d), EB_OK);
	assert_int_equal(alert_outbox_done(c, jobs[1].id, 1, NULL, 0, &d), EB_OK);
	assert_int_equal(alert_outbox_claim(c, now + 10, 30000, jobs + 2, 6, &n2, &d), EB_OK);
	assert_int_equal(n2, 1);
	assert_int_equal(jobs[2].id, jobs[0].id);
	assert_int_equal(jobs[2].attempts, 1);
	assert_int_equal(alert_outbox_done(c, jobs[2].id, 0, "refused", 0, &d), EB_OK);
	assert_int_equal(alert_outbox_claim(c, now + 100000, 30000, jobs + 3, 5, &n2, &d), EB_OK);
	assert_int_equal(n2, 0); /* failed for good */

	/* Events: in order, one per issued alert and per final webhook. */
	struct alert_event ev[16];
	int ne = 0;
	assert_int_equal(alert_events_after(c, head0, ev, 16, &ne, &d), EB_OK);
	assert_int_equal(ne, 5);
	for (int i = 0; i < ne; i++)
		assert_int_equal(ev[i].seq, head0 + 1 + i);
	assert_string_equal(ev[0].kind, "alert");
	assert_int_equal(ev[0].alert_id, restricted);
	int64_t *orgs = NULL;
	size_t no = 0;
	assert_int_equal(alert_event_audience(c, &ev[0], &orgs, &no, &d), EB_OK);
	assert_int_equal(no, 1);
	assert_int_equal(orgs[0], b);
	free(orgs);
	assert_string_equal(ev[3].kind, "webhook");
	eb_db_release(c);
	eb_db_close(db);
}

int main(void)
{
	eb_util_init();
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(signature_matches_hmac_sha256),
		cmocka_unit_test(backoff_doubles_up_to_the_cap),
	};
	const struct CMUnitTest db[] = {
		cmocka_unit_test(fanout_chain_outbox_events),
	};
	int rc = cmocka_run_group_tests_name("alert (pure)", pure, NULL, NULL);
	char dir[] = "/tmp/ebalertXXXXXX";
	if (!mkdtemp(dir))
		return 1;
	snprintf(url, sizeof url, "%s/unit.db", dir);
	rc |= cmocka_run_group_tests_name("alert (sqlite)", db, NULL, NULL);
	const char *pg = getenv("EB_PG_URL");
	if (pg && *pg) {
		char name[64], cmd_url[600];
		snprintf(name, sizeof name, "ebalert_%d", (int)getpid());
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
			rc |= cmocka_run_group_tests_name("alert (postgresql)", db, NULL, NULL);
		} else {
			fprintf(stderr, "skipping PostgreSQL: %s\n", d.msg);
		}
	}
	return rc;
}
