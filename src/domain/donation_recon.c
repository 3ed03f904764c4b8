/*
 * Reconciliation of donations: per pledge line, what was pledged, planned,
 * shipped, received and lost, with the gaps flagged; grouped per pledge,
 * donor, recipient or item; and the coverage of needs.
 *
 * The figures of one pledge's lines come from one aggregate (RECON_SUMS):
 *   - donation_recon_refresh: the rows of one pledge in donation_recon,
 *     rewritten by every write of the pledge inside its transaction, so the
 *     table is always current;
 *   - donation_recon_pledge: the lines of one pledge computed live (the
 *     single-pledge fast path, independent of the table).
 * donation_recon_recompute (`epibridge reconcile`, after bulk loads or to
 * verify) rewrites the whole table at once with the same figures, the
 * batch lines aggregated first (RECON_FULL_INSERT).
 * Grouped totals and need coverage read the table, joined to the pledges
 * for the visibility rule (ACCESS_ADDRESSED_SQL).
 *
 * Quantities per line: pledged (0 once the pledge is cancelled); planned
 * (batches not yet dispatched); shipped (dispatched, in transit, arrived or
 * received); received (as counted); lost; short and over (received batches
 * counted below or above what was sent); discrepancies (lines of received
 * batches with a discrepancy).  Derived: outstanding = pledged - received
 * (never negative), to_ship = pledged - shipped.  Flags: short_received,
 * over_received, discrepancy, lost, overdue (shipped < pledged after the
 * needed-by date).
 */
#include "domain/donation.h"
#include "domain/donation_int.h"
#include "domain/access.h"
#include "domain/audit.h"
#include "store/db.h"
#include "base/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The aggregate of one pledge line over its batches.  Columns: line id,
 * pledge id, owner, recipient, item, unit, pledged, planned, shipped,
 * received, lost, short, over, discrepancies, needed_by, line_no. */
#define RECON_SUMS                                                                                            \
	"CASE WHEN pl.status = 'cancelled' THEN 0 ELSE l.quantity END, "                                      \
	"CAST(COALESCE(SUM(CASE WHEN sh.status = 'planned' THEN sl.quantity ELSE 0 END), 0) AS BIGINT), "      \
	"CAST(COALESCE(SUM(CASE WHEN sh.status IN ('dispatched', 'in_transit', 'arrived', 'received') "        \
	"THEN sl.quantity ELSE 0 END), 0) AS BIGINT), "                                                        \
	"CAST(COALESCE(SUM(CASE WHEN sh.status = 'received' THEN sl.received ELSE 0 END), 0) AS BIGINT), "     \
	"CAST(COALESCE(SUM(CASE WHEN sh.status = 'lost' THEN sl.quantity ELSE 0 END), 0) AS BIGINT), "         \
	"CAST(COALESCE(SUM(CASE WHEN sh.status = 'received' AND sl.received < sl.quantity "                    \
	"THEN sl.quantity - sl.received ELSE 0 END), 0) AS BIGINT), "                                          \
	"CAST(COALESCE(SUM(CASE WHEN sh.status = 'received' AND sl.received > sl.quantity "                    \
	"THEN sl.received - sl.quantity ELSE 0 END), 0) AS BIGINT), "                                          \
	"CAST(COALESCE(SUM(CASE WHEN sh.status = 'received' AND sl.discrepancy <> 'none' "                    \
	"THEN 1 ELSE 0 END), 0) AS BIGINT), pl.needed_by"
#define RECON_FROM                                                                                            \
	" FROM pledge_lines l JOIN pledges pl ON pl.id = l.pledge_id "                                        \
	"LEFT JOIN shipment_lines sl ON sl.pledge_line_id = l.id LEFT JOIN shipments sh ON sh.id = sl.shipment_id "
#define RECON_GROUP " GROUP BY l.id, l.pledge_id, pl.owner_org, pl.recipient_org, l.item, l.unit, pl.status, l.quantity, pl.needed_by"
#define RECON_INSERT                                                                                          \
	"INSERT INTO donation_recon (pledge_line_id, pledge_id, owner_org, recipient_org, item, unit, pledged, planned, " \
	"shipped, received, lost, short_qty, over_qty, discrepancies, needed_by, refreshed_at) "                 \
	"SELECT l.id, l.pledge_id, pl.owner_org, pl.recipient_org, l.item, l.unit, " RECON_SUMS ", CAST(? AS BIGINT)" RECON_FROM

/* The same figures for every line at once, for the full recompute: the
 * batch lines are aggregated per pledge line first (one pass over
 * shipment_lines, a hash or index-ordered aggregate) and then joined to the
 * lines, instead of grouping the joined rows by every line's columns.
 * Written in pledge-line order, the rows append to the primary key.
 * recompute_equals_incremental (tests/unit/test_donation.c) checks that
 * both forms agree. */
#define RECON_FULL_INSERT                                                                                     \
	"INSERT INTO donation_recon (pledge_line_id, pledge_id, owner_org, recipient_org, item, unit, pledged, planned, " \
	"shipped, received, lost, short_qty, over_qty, discrepancies, needed_by, refreshed_at) "                 \
	"SELECT l.id, l.pledge_id, pl.owner_org, pl.recipient_org, l.item, l.unit, "                          \
	"CASE WHEN pl.status = 'cancelled' THEN 0 ELSE l.quantity END, COALESCE(a.planned, 0), COALESCE(a.shipped, 0), " \
	"COALESCE(a.received, 0), COALESCE(a.lost, 0), COALESCE(a.short_qty, 0), COALESCE(a.over_qty, 0), "      \
	"COALESCE(a.discrepancies, 0), pl.needed_by, CAST(? AS BIGINT) "                                       \
	"FROM pledge_lines l JOIN pledges pl ON pl.id = l.pledge_id LEFT JOIN (SELECT sl.pledge_line_id AS line_id, " \
	"CAST(SUM(CASE WHEN sh.status = 'planned' THEN sl.quantity ELSE 0 END) AS BIGINT) AS planned, "          \
	"CAST(SUM(CASE WHEN sh.status IN ('dispatched', 'in_transit', 'arrived', 'received') THEN sl.quantity ELSE 0 END) AS BIGINT) AS shipped, " \
	"CAST(SUM(CASE WHEN sh.status = 'received' THEN sl.received ELSE 0 END) AS BIGINT) AS received, "        \
	"CAST(SUM(CASE WHEN sh.status = 'lost' THEN sl.quantity ELSE 0 END) AS BIGINT) AS lost, "                \
	"CAST(SUM(CASE WHEN sh.status = 'received' AND sl.received < sl.quantity THEN sl.quantity - sl.received ELSE 0 END) AS BIGINT) AS short_qty, " \
	"CAST(SUM(CASE WHEN sh.status = 'received' AND sl.received > sl.quantity THEN sl.received - sl.quantity ELSE 0 END) AS BIGINT) AS over_qty, " \
	"CAST(SUM(CASE WHEN sh.status = 'received' AND sl.discrepancy <> 'none' THEN 1 ELSE 0 END) AS BIGINT) AS discrepancies " \
	"FROM shipment_lines sl JOIN shipments sh ON sh.id = sl.shipment_id GROUP BY sl.pledge_line_id) a ON a.line_id = l.id " \
	"ORDER BY l.id"

enum eb_err donation_recon_refresh(struct eb_conn *c, int64_t pledge_id, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, "DELETE FROM donation_recon WHERE pledge_id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, pledge_id);
	int rc = eb_step(s, d);
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	s = eb_stmt(c, RECON_INSERT "WHERE l.pledge_id = ?" RECON_GROUP, d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, eb_now_ms());
	eb_bind_i64(s, 2, pledge_id);
	rc = eb_step(s, d);
	eb_done(s);
	return rc < 0 ? (enum eb_err)rc : EB_OK;
}

/* The secondary indexes of donation_recon (migration 005): a full
 * recompute drops them, writes the rows and builds them again, which costs
 * a fraction of maintaining them row by row. */
static const char *const recon_indexes[][2] = {
	{"DROP INDEX donation_recon_pledge", "CREATE INDEX donation_recon_pledge ON donation_recon(pledge_id)"},
	{"DROP INDEX donation_recon_owner", "CREATE INDEX donation_recon_owner ON donation_recon(owner_org)"},
	{"DROP INDEX donation_recon_recipient", "CREATE INDEX donation_recon_recipient ON donation_recon(recipient_org)"},
	{"DROP INDEX donation_recon_item", "CREATE INDEX donation_recon_item ON donation_recon(item)"},
};
#define NINDEXES (sizeof recon_indexes / sizeof recon_indexes[0])

enum eb_err donation_recon_recompute(struct eb_conn *c, const struct eb_principal *who, int64_t *lines,
				     struct eb_detail *d)
{
	*lines = 0;
	if (who->kind != EB_CLI && !(who->operator_org && who->role == EB_ROLE_ADMIN))
		return eb_fail(d, EB_EPERM, NULL, "recomputing the reconciliation is for the operator");
	enum eb_err e = eb_begin(c, d);
	if (e)
		return e;
	/* On PostgreSQL, DROP INDEX locks the table until commit: readers of
	 * grouped reconciliation wait for the recompute (SQLite's readers keep
	 * reading the previous snapshot). */
	e = eb_exec(c, "DELETE FROM donation_recon", d);
	for (size_t i = 0; !e && i < NINDEXES; i++)
		e = eb_exec(c, recon_indexes[i][0], d);
	struct eb_stmt *s = e ? NULL : eb_stmt(c, RECON_FULL_INSERT, d);
	int rc = EB_EDB;
	if (s) {
		eb_bind_i64(s, 1, eb_now_ms());
		rc = eb_step(s, d);
		*lines = eb_changes(s);
		eb_done(s);
	}
	if (!e && rc < 0)
		e = (enum eb_err)rc;
	else if (!e && !s)
		e = EB_EDB;
	for (size_t i = 0; !e && i < NINDEXES; i++)
		e = eb_exec(c, recon_indexes[i][1], d);
	if (!e) {
		json_t *after = json_pack("{s:I}", "lines", (json_int_t)*lines);
		e = audit_append(c, who, "recompute", "reconciliation", 0, NULL, after, d);
		json_decref(after);
	}
	if (!e)
		e = eb_commit(c, d);
	if (e)
		eb_rollback(c);
	return e;
}

/* The gaps of one line or group, as a JSON array of flag names. */
static json_t *flags_of(int64_t lost, int64_t short_qty, int64_t over_qty, int64_t discrepancies, int64_t overdue)
{
	json_t *a = json_array();
	if (short_qty > 0)
		json_array_append_new(a, json_string("short_received"));
	if (over_qty > 0)
		json_array_append_new(a, json_string("over_received"));
	if (discrepancies > 0)
		json_array_append_new(a, json_string("discrepancy"));
	if (lost > 0)
		json_array_append_new(a, json_string("lost"));
	if (overdue > 0)
		json_array_append_new(a, json_string("overdue"));
	return a;
}

/* Totals of one row or group into o, with derived figures and flags. */
static void put_totals(json_t *o, const int64_t v[8], int64_t overdue)
{
	static const char *const names[] = {"pledged", "planned", "shipped", "received", "lost", "short", "over", "discrepancies"};
	for (int i = 0; i < 8; i++)
		json_object_set_new(o, names[i], json_integer(v[i]));
	json_object_set_new(o, "outstanding", json_integer(v[0] > v[3] ? v[0] - v[3] : 0));
	json_object_set_new(o, "to_ship", json_integer(v[0] > v[2] ? v[0] - v[2] : 0));
	json_object_set_new(o, "flags", flags_of(v[4], v[5], v[6], v[7], overdue));
}

enum eb_err donation_recon_pledge(struct eb_conn *c, const struct eb_principal *who, int64_t pledge_id, json_t **out,
				  struct eb_detail *d)
{
	struct pledge_head h;
	enum eb_err e = donation_pledge_head(c, who, pledge_id, &h, d);
	if (e)
		return e;
	struct eb_stmt *s = eb_stmt(c,
		"SELECT l.line_no, l.item, l.unit, di.name_en, di.name_zh, " RECON_SUMS RECON_FROM
		"JOIN donation_items di ON di.code = l.item WHERE l.pledge_id = ? "
		"GROUP BY l.id, l.line_no, l.item, l.unit, di.name_en, di.name_zh, pl.status, l.quantity, pl.needed_by ORDER BY l.line_no", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, pledge_id);
	char today[11];
	donation_today(today);
	json_t *lines = json_array();
	int64_t tot_flags[5] = {0};
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		int64_t v[8];
		for (int i = 0; i < 8; i++)
			v[i] = eb_col_i64(s, 5 + i);
		const char *nb = eb_col_text(s, 13);
		int64_t overdue = *nb && strcmp(nb, today) < 0 && v[2] < v[0];
		json_t *o = json_pack("{s:I, s:s, s:s, s:o}", "line", (json_int_t)eb_col_i64(s, 0), "item", eb_col_text(s, 1),
				      "unit", eb_col_text(s, 2), "item_name", donation_names(eb_col_text(s, 3), eb_col_text(s, 4)));
		put_totals(o, v, overdue);
		tot_flags[0] |= v[5] > 0;
		tot_flags[1] |= v[6] > 0;
		tot_flags[2] |= v[7] > 0;
		tot_flags[3] |= v[4] > 0;
		tot_flags[4] |= overdue;
		json_array_append_new(lines, o);
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(lines);
		return (enum eb_err)rc;
	}
	*out = json_pack("{s:I, s:s, s:o, s:s, s:o, s:o}", "pledge_id", (json_int_t)pledge_id, "status", h.status,
			 "needed_by", *h.needed_by ? json_string(h.needed_by) : json_null(), "as_of", today, "lines", lines,
			 "flags", flags_of(tot_flags[3], tot_flags[0], tot_flags[1], tot_flags[2], tot_flags[4]));
	return EB_OK;
}

/* Folds rows ordered by (key, item, unit) into groups {key fields...,
 * items: [...], totals per item only (units differ)}. */
enum eb_err donation_recon_group(struct eb_conn *c, const struct eb_principal *who, const struct donation_recon_query *q,
				 json_t **items, int64_t *last_id, struct eb_detail *d)
{
	/* One statement per grouping, so that each is a literal (the
	 * statement cache keys on the SQL text's address). */
#define GROUP_SUMS "CAST(SUM(r.pledged) AS BIGINT), CAST(SUM(r.planned) AS BIGINT), CAST(SUM(r.shipped) AS BIGINT), " \
	"CAST(SUM(r.received) AS BIGINT), CAST(SUM(r.lost) AS BIGINT), CAST(SUM(r.short_qty) AS BIGINT), "            \
	"CAST(SUM(r.over_qty) AS BIGINT), CAST(SUM(r.discrepancies) AS BIGINT), "                                    \
	"CAST(SUM(CASE WHEN r.needed_by IS NOT NULL AND r.needed_by < ? AND r.shipped < r.pledged THEN 1 ELSE 0 END) AS BIGINT)"
#define GROUP_WHERE "(? = 0 OR r.owner_org = ?) AND (? = 0 OR r.recipient_org = ?) AND (? = '' OR r.item = ?) AND " \
	ACCESS_ADDRESSED_SQL("pl", "recipient_org")
#define GROUP_FROM " FROM donation_recon r JOIN pledges pl ON pl.id = r.pledge_id JOIN donation_items di ON di.code = r.item "
	static const char *const sql[] = {
		[RECON_BY_PLEDGE] = "SELECT r.pledge_id, '', '', r.item, r.unit, di.name_en, di.name_zh, " GROUP_SUMS GROUP_FROM
				    "WHERE r.pledge_id IN (SELECT pl.id FROM pledges pl WHERE pl.id > ? AND "
				    "(? = 0 OR pl.owner_org = ?) AND (? = 0 OR pl.recipient_org = ?) AND " ACCESS_ADDRESSED_SQL("pl", "recipient_org")
				    " ORDER BY pl.id LIMIT ?) AND (? = '' OR r.item = ?) "
				    "GROUP BY r.pledge_id, r.item, r.unit, di.name_en, di.name_zh ORDER BY r.pledge_id, r.item, r.unit",
		[RECON_BY_DONOR] = "SELECT r.owner_org, o.name_en, o.name_zh, r.item, r.unit, di.name_en, di.name_zh, " GROUP_SUMS GROUP_FROM
				   "JOIN orgs o ON o.id = r.owner_org WHERE " GROUP_WHERE
				   " GROUP BY r.owner_org, o.name_en, o.name_zh, r.item, r.unit, di.name_en, di.name_zh ORDER BY r.owner_org, r.item, r.unit",
		[RECON_BY_RECIPIENT] = "SELECT r.recipient_org, o.name_en, o.name_zh, r.item, r.unit, di.name_en, di.name_zh, " GROUP_SUMS GROUP_FROM
				       "JOIN orgs o ON o.id = r.recipient_org WHERE " GROUP_WHERE
				       " GROUP BY r.recipient_org, o.name_en, o.name_zh, r.item, r.unit, di.name_en, di.name_zh "
				       "ORDER BY r.recipient_org, r.item, r.unit",
		[RECON_BY_ITEM] = "SELECT 0, '', '', r.item, r.unit, di.name_en, di.name_zh, " GROUP_SUMS GROUP_FROM "WHERE " GROUP_WHERE
				  " GROUP BY r.item, r.unit, di.name_en, di.name_zh ORDER BY r.item, r.unit",
	};
	struct eb_stmt *s = eb_stmt(c, sql[q->by], d);
	if (!s)
		return EB_EDB;
	char today[11];
	donation_today(today);
	const char *item = q->item ? q->item : "";
	int idx = 1;
	eb_bind_text(s, idx++, today);
	if (q->by == RECON_BY_PLEDGE) {
		eb_bind_i64(s, idx++, q->after);
		eb_bind_i64(s, idx++, q->donor);
		eb_bind_i64(s, idx++, q->donor);
		eb_bind_i64(s, idx++, q->recipient);
		eb_bind_i64(s, idx++, q->recipient);
		idx = access_bind_addressed(s, idx, who, "pledge");
		eb_bind_i64(s, idx++, q->limit);
		eb_bind_text(s, idx++, item);
		eb_bind_text(s, idx++, item);
	} else {
		eb_bind_i64(s, idx++, q->donor);
		eb_bind_i64(s, idx++, q->donor);
		eb_bind_i64(s, idx++, q->recipient);
		eb_bind_i64(s, idx++, q->recipient);
		eb_bind_text(s, idx++, item);
		eb_bind_text(s, idx++, item);
		access_bind_addressed(s, idx, who, "pledge");
	}
	static const char *const keys[] = {[RECON_BY_PLEDGE] = "pledge_id", [RECON_BY_DONOR] = "donor_org",
					   [RECON_BY_RECIPIENT] = "recipient_org", [RECON_BY_ITEM] = NULL};
	json_t *groups = json_array(), *cur = NULL;
	int64_t cur_key = -1;
	int rc;
	*last_id = 0;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		int64_t key = eb_col_i64(s, 0);
		int64_t v[8];
		for (int i = 0; i < 8; i++)
			v[i] = eb_col_i64(s, 7 + i);
		int64_t overdue = eb_col_i64(s, 15);
		json_t *line = json_pack("{s:s, s:s, s:o}", "item", eb_col_text(s, 3), "unit", eb_col_text(s, 4), "item_name",
					 donation_names(eb_col_text(s, 5), eb_col_text(s, 6)));
		put_totals(line, v, overdue);
		if (q->by == RECON_BY_ITEM) {
			json_array_append_new(groups, line);
			continue;
		}
		if (!cur || key != cur_key) {
			cur = json_pack("{s:I, s:[]}", keys[q->by], (json_int_t)key, "items");
			if (q->by != RECON_BY_PLEDGE)
				json_object_set_new(cur, "name", donation_names(eb_col_text(s, 1), eb_col_text(s, 2)));
			json_object_set_new(cur, "flags", json_array());
			json_array_append_new(groups, cur);
			cur_key = key;
			*last_id = key;
		}
		json_array_append(json_object_get(cur, "items"), line);
		/* a group's flags: the union of its items' */
		json_t *gf = json_object_get(cur, "flags"), *f;
		size_t i;
		json_array_foreach(json_object_get(line, "flags"), i, f) {
			int seen = 0;
			for (size_t j = 0; j < json_array_size(gf) && !seen; j++)
				seen = json_equal(json_array_get(gf, j), f);
			if (!seen)
				json_array_append(gf, f);
		}
		json_decref(line);
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(groups);
		return (enum eb_err)rc;
	}
	*items = groups;
	return EB_OK;
}

enum eb_err donation_recon_needs(struct eb_conn *c, const struct eb_principal *who, const struct donation_query *q,
				 json_t **items, int64_t *last_id, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c,
		"SELECT nd.id, nd.owner_org, o.name_en, o.name_zh, nd.item, di.name_en, di.name_zh, di.unit, nd.quantity, nd.priority, "
		"nd.needed_by, nd.status, nd.country, nd.city, "
		"CAST(COALESCE(SUM(r.pledged), 0) AS BIGINT), CAST(COALESCE(SUM(r.shipped), 0) AS BIGINT), "
		"CAST(COALESCE(SUM(r.received), 0) AS BIGINT), COUNT(DISTINCT pl.id) "
		"FROM donation_needs nd JOIN orgs o ON o.id = nd.owner_org JOIN donation_items di ON di.code = nd.item "
		"LEFT JOIN pledges pl ON pl.need_id = nd.id AND pl.status <> 'cancelled' AND " ACCESS_ADDRESSED_SQL("pl", "recipient_org") " "
		"LEFT JOIN donation_recon r ON r.pledge_id = pl.id AND r.item = nd.item AND r.unit = di.unit "
		"WHERE nd.id > ? AND (? = 0 OR nd.owner_org = ?) AND (? = '' OR nd.item = ?) AND (? = '' OR nd.status = ?) "
		"AND (? <> 0 OR " ACCESS_VISIBLE_SQL("nd") ") "
		"GROUP BY nd.id, nd.owner_org, o.name_en, o.name_zh, nd.item, di.name_en, di.name_zh, di.unit, nd.quantity, "
		"nd.priority, nd.needed_by, nd.status, nd.country, nd.city ORDER BY nd.id LIMIT ?", d);
	if (!s)
		return EB_EDB;
	const char *item = q->item ? q->item : "", *st = q->status ? q->status : "";
	int idx = access_bind_addressed(s, 1, who, "pledge");
	eb_bind_i64(s, idx++, q->after);
	eb_bind_i64(s, idx++, q->org);
	eb_bind_i64(s, idx++, q->org);
	eb_bind_text(s, idx++, item);
	eb_bind_text(s, idx++, item);
	eb_bind_text(s, idx++, st);
	eb_bind_text(s, idx++, st);
	eb_bind_i64(s, idx++, who->kind == EB_CLI);
	idx = access_bind_visible(s, idx, who, "need");
	eb_bind_i64(s, idx, q->limit);
	json_t *a = json_array();
	int rc;
	*last_id = 0;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		int64_t need = eb_col_i64(s, 8), pledged = eb_col_i64(s, 14), received = eb_col_i64(s, 16);
		json_t *o = json_pack("{s:I, s:I, s:o, s:s, s:o, s:s, s:I, s:s, s:o, s:s, s:s, s:s}",
				      "need_id", (json_int_t)eb_col_i64(s, 0), "owner_org", (json_int_t)eb_col_i64(s, 1),
				      "owner_org_name", donation_names(eb_col_text(s, 2), eb_col_text(s, 3)), "item", eb_col_text(s, 4),
				      "item_name", donation_names(eb_col_text(s, 5), eb_col_text(s, 6)), "unit", eb_col_text(s, 7),
				      "needed", (json_int_t)need, "priority", eb_col_text(s, 9),
				      "needed_by", donation_col_str_or_null(s, 10), "status", eb_col_text(s, 11),
				      "country", eb_col_text(s, 12), "city", eb_col_text(s, 13));
		json_object_set_new(o, "pledged", json_integer(pledged));
		json_object_set_new(o, "shipped", json_integer(eb_col_i64(s, 15)));
		json_object_set_new(o, "received", json_integer(received));
		json_object_set_new(o, "pledges", json_integer(eb_col_i64(s, 17)));
		json_object_set_new(o, "uncovered", json_integer(need > pledged ? need - pledged : 0));
		json_object_set_new(o, "pledged_share", json_real(need ? (double)pledged / (double)need : 0));
		json_object_set_new(o, "received_share", json_real(need ? (double)received / (double)need : 0));
		json_array_append_new(a, o);
		*last_id = eb_col_i64(s, 0);
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(a);
		return (enum eb_err)rc;
	}
	*items = a;
	return EB_OK;
}
