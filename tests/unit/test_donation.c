/*
 * Unit tests of the donation domain (src/domain/donation*.c, shipment.c)
 * on a real SQLite database, and PostgreSQL as well when EB_PG_URL names a
 * server: the visibility of addressed records (ACCESS_ADDRESSED_SQL in
 * lists and access_can_read_addressed for one record agree, for every
 * visibility and relation, the recipient always seeing what is addressed
 * to it), the transition table, over-shipment refused until amended, the
 * receipt compare-and-set, and the reconciliation table kept by each write
 * equal to a full recompute.
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
#include "domain/donation.h"
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

static struct eb_principal user_of(int64_t org, enum eb_role role)
{
	struct eb_principal p = {0};
	p.kind = org ? EB_USER : EB_ANON;
	p.org_id = org;
	p.role = org ? role : EB_ROLE_NONE;
	snprintf(p.label, sizeof p.label, "user%lld", (long long)org);
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

static int64_t make_pledge(struct eb_conn *c, const struct eb_principal *who, int64_t donor, int64_t recipient,
			   const char *vis, json_t *shared, int64_t qty)
{
	json_t *in = json_pack("{s:I, s:s, s:I, s:s, s:s, s:[{s:s, s:I}]}", "donor_org", (json_int_t)donor, "donor_type", "ngo",
			       "recipient_org", (json_int_t)recipient, "country", "FR", "visibility", vis, "lines", "item",
			       "medical_mask", "quantity", (json_int_t)qty);
	if (shared)
		json_object_set_new(in, "shared_with", shared);
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = donation_pledge_create(c, who, in, &out, &d);
	if (e)
		fprintf(stderr, "pledge: %s (%s)\n", d.msg, d.field);
	assert_int_equal(e, EB_OK);
	int64_t id = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	return id;
}

static enum eb_err ship(struct eb_conn *c, const struct eb_principal *who, int64_t pledge, int64_t qty, int64_t *id)
{
	json_t *in = json_pack("{s:[{s:s, s:I}]}", "lines", "item", "medical_mask", "quantity", (json_int_t)qty), *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = shipment_create(c, who, pledge, in, &out, &d);
	if (!e && id)
		*id = json_integer_value(json_object_get(out, "id"));
	json_decref(in);
	json_decref(out);
	return e;
}

static enum eb_err go(struct eb_conn *c, const struct eb_principal *who, int64_t id, const char *to)
{
	json_t *in = json_pack("{s:s, s:s}", "to", to, "on", "2020-03-01"), *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = shipment_transition(c, who, id, in, &out, &d);
	json_decref(in);
	json_decref(out);
	return e;
}

static enum eb_err receive(struct eb_conn *c, const struct eb_principal *who, int64_t id, int64_t n)
{
	json_t *in = json_pack("{s:s, s:[{s:s, s:I}]}", "received_on", "2020-03-02", "lines", "item", "medical_mask", "received",
			       (json_int_t)n),
	       *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = shipment_receive(c, who, id, in, &out, &d);
	json_decref(in);
	json_decref(out);
	return e;
}

/* The pledges of the list whose id is among ids[0..4). */
static void listed_ids(struct eb_conn *c, const struct eb_principal *p, const int64_t ids[4], int seen[4])
{
	struct donation_query q = {.limit = 1000};
	json_t *items = NULL;
	int64_t last = 0;
	struct eb_detail d = {0};
	assert_int_equal(donation_pledge_list(c, p, &q, &items, &last, &d), EB_OK);
	size_t i;
	json_t *x;
	for (int v = 0; v < 4; v++)
		seen[v] = 0;
	json_array_foreach(items, i, x) {
		for (int v = 0; v < 4; v++)
			if (json_integer_value(json_object_get(x, "id")) == ids[v])
				seen[v] = 1;
	}
	json_decref(items);
}

static void addressed_visibility_sql_and_c_agree(void **state)
{
	struct eb_conn *c = eb_db_acquire(*state);
	struct eb_detail d = {0};
	struct eb_principal cli = cli_who();
	int64_t donor = make_org(c, "Don Donor"), partner = make_org(c, "Don Partner"), listed = make_org(c, "Don Listed"),
		recipient = make_org(c, "Don Recipient"), other = make_org(c, "Don Other");
	assert_int_equal(org_partner_link(c, &cli, donor, partner, &d), EB_OK);
	static const char *const vis[] = {"private", "partners", "listed", "public"};
	int64_t ids[4];
	for (int v = 0; v < 4; v++)
		ids[v] = make_pledge(c, &cli, donor, recipient, vis[v], v == 2 ? json_pack("[I]", (json_int_t)listed) : NULL, 10);
	/* relation x visibility: donor, partner, listed, recipient, other, anonymous, command line */
	static const int expected[7][4] = {
		{1, 1, 1, 1}, {0, 1, 0, 1}, {0, 0, 1, 1}, {1, 1, 1, 1}, {0, 0, 0, 1}, {0, 0, 0, 1}, {1, 1, 1, 1}};
	int64_t orgs[7] = {donor, partner, listed, recipient, other, 0, 0};
	for (int rel = 0; rel < 7; rel++) {
		struct eb_principal p = rel == 6 ? cli : user_of(orgs[rel], EB_ROLE_VIEWER);
		int seen[4];
		listed_ids(c, &p, ids, seen);
		for (int v = 0; v < 4; v++) {
			json_t *out = NULL;
			enum eb_err e = donation_pledge_get(c, &p, ids[v], &out, &d);
			json_decref(out);
			assert_int_equal(seen[v], expected[rel][v]);
			assert_int_equal(e == EB_OK, expected[rel][v]);
			assert_int_equal(access_can_read_addressed(c, &p, "pledge", ids[v], donor, recipient, (enum eb_visibility)v),
					 expected[rel][v]);
		}
	}
	eb_db_release(c);
}

static void transitions_and_over_shipment(void **state)
{
	struct eb_conn *c = eb_db_acquire(*state);
	struct eb_principal cli = cli_who();
	int64_t donor = make_org(c, "Ship Donor"), recipient = make_org(c, "Ship Recipient");
	struct eb_principal don = user_of(donor, EB_ROLE_EDITOR), rec = user_of(recipient, EB_ROLE_EDITOR);
	int64_t p = make_pledge(c, &cli, donor, recipient, "private", NULL, 100);
	int64_t a = 0, b = 0;
	assert_int_equal(ship(c, &don, p, 60, &a), EB_OK);
	assert_int_equal(ship(c, &don, p, 41, NULL), EB_ECONFLICT);
	assert_int_equal(ship(c, &rec, p, 1, NULL), EB_EPERM);
	/* the legal path, with the parties' rights */
	assert_int_equal(go(c, &rec, a, "dispatched"), EB_EPERM);
	assert_int_equal(go(c, &don, a, "arrived"), EB_ECONFLICT);
	assert_int_equal(go(c, &don, a, "dispatched"), EB_OK);
	assert_int_equal(go(c, &don, a, "dispatched"), EB_ECONFLICT);
	assert_int_equal(go(c, &rec, a, "in_transit"), EB_EPERM);
	assert_int_equal(go(c, &don, a, "in_transit"), EB_OK);
	assert_int_equal(receive(c, &rec, a, 60), EB_ECONFLICT);
	assert_int_equal(go(c, &rec, a, "arrived"), EB_OK);
	assert_int_equal(receive(c, &don, a, 60), EB_EPERM);
	assert_int_equal(go(c, &rec, a, "received"), EB_EINVAL);
	assert_int_equal(receive(c, &rec, a, 58), EB_OK);
	assert_int_equal(receive(c, &rec, a, 60), EB_ECONFLICT); /* the guard */
	assert_int_equal(go(c, &don, a, "lost"), EB_ECONFLICT);
	/* amend, then ship the rest and more */
	json_t *am = json_pack("{s:s, s:[{s:i, s:i}]}", "reason", "ten more", "lines", "line", 1, "quantity", 110), *out = NULL;
	struct eb_detail d = {0};
	assert_int_equal(donation_pledge_amend(c, &don, p, am, &out, &d), EB_OK);
	json_decref(am);
	json_decref(out);
	assert_int_equal(ship(c, &don, p, 50, &b), EB_OK);
	am = json_pack("{s:s, s:[{s:i, s:i}]}", "reason", "fewer", "lines", "line", 1, "quantity", 109);
	assert_int_equal(donation_pledge_amend(c, &don, p, am, &out, &d), EB_ECONFLICT);
	json_decref(am);
	/* a cancelled batch frees its quantity */
	assert_int_equal(go(c, &don, b, "cancelled"), EB_OK);
	assert_int_equal(ship(c, &don, p, 50, NULL), EB_OK);
	eb_db_release(c);
}

/* The reconciliation rows as text, in a fixed order. */
static char *recon_dump(struct eb_conn *c)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT pledge_line_id, pledge_id, owner_org, recipient_org, item, unit, pledged, planned, "
				       "shipped, received, lost, short_qty, over_qty, discrepancies, needed_by FROM donation_recon "
				       "ORDER BY pledge_line_id", NULL);
	assert_non_null(s);
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	buf[0] = '\0';
	while (eb_step(s, NULL) == EB_ROW) {
		char row[512] = "";
		size_t o = 0;
		for (int i = 0; i < 15; i++)
			o += (size_t)snprintf(row + o, sizeof row - o, "%s|", eb_col_text(s, i));
		if (len + o + 2 > cap) {
			cap = 2 * (cap + o);
			buf = realloc(buf, cap);
		}
		memcpy(buf + len, row, o);
		len += o;
		buf[len++] = '\n';
		buf[len] = '\0';
	}
	eb_done(s);
	return buf;
}

static void recompute_equals_incremental(void **state)
{
	struct eb_conn *c = eb_db_acquire(*state);
	struct eb_principal cli = cli_who();
	int64_t donor = make_org(c, "Rec Donor"), recipient = make_org(c, "Rec Recipient");
	for (int k = 0; k < 5; k++) {
		int64_t p = make_pledge(c, &cli, donor, recipient, "public", NULL, 1000);
		for (int j = 0; j < 4; j++) {
			int64_t s = 0;
			assert_int_equal(ship(c, &cli, p, 100 + j, &s), EB_OK);
			if ((j + k) % 4 == 0)
				continue;
			assert_int_equal(go(c, &cli, s, "dispatched"), EB_OK);
			if ((j + k) % 4 == 1) {
				assert_int_equal(go(c, &cli, s, "lost"), EB_OK);
				continue;
			}
			assert_int_equal(go(c, &cli, s, "arrived"), EB_OK);
			if ((j + k) % 4 == 2)
				assert_int_equal(receive(c, &cli, s, 95 + j), EB_OK);
		}
	}
	char *inc = recon_dump(c);
	int64_t lines = 0;
	struct eb_detail d = {0};
	struct eb_principal viewer = user_of(donor, EB_ROLE_VIEWER);
	assert_int_equal(donation_recon_recompute(c, &viewer, &lines, &d), EB_EPERM);
	assert_int_equal(donation_recon_recompute(c, &cli, &lines, &d), EB_OK);
	assert_true(lines >= 5);
	char *full = recon_dump(c);
	assert_string_equal(inc, full);
	free(inc);
	free(full);
	eb_db_release(c);
}

int main(void)
{
	eb_util_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addressed_visibility_sql_and_c_agree),
		cmocka_unit_test(transitions_and_over_shipment),
		cmocka_unit_test(recompute_equals_incremental),
	};
	char dir[] = "/tmp/ebdonXXXXXX";
	if (!mkdtemp(dir))
		return 1;
	snprintf(url, sizeof url, "%s/unit.db", dir);
	int rc = cmocka_run_group_tests_name("donations (sqlite)", tests, setup, teardown);
	const char *pg = getenv("EB_PG_URL");
	if (pg && *pg) {
		char name[64], cmd_url[600];
		snprintf(name, sizeof name, "ebdon_%d", (int)getpid());
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
			rc |= cmocka_run_group_tests_name("donations (postgresql)", tests, setup, teardown);
		} else {
			fprintf(stderr, "skipping PostgreSQL: %s\n", d.msg);
		}
	}
	return rc;
}
