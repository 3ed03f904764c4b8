/*
 * Shipments: the batches that carry a pledge out, their status life cycle
 * and the recipient's receipt.  See donation.h for the rules.
 *
 * Every write locks the pledge row first (donation_pledge_lock), which
 * serialises all changes to one pledge's quantities on PostgreSQL (SQLite
 * serialises writers anyway), then checks the quantities against the
 * pledge's lines inside the same transaction.  A status change is a
 * compare-and-set on the status read before (UPDATE ... WHERE status =
 * <from>), and the receipt one on status 'arrived', checked through
 * eb_changes: whatever ran in between, a second receipt of the same batch
 * changes nothing and is refused.
 */
#include "domain/donation.h"
#include "domain/donation_int.h"
#include "domain/access.h"
#include "domain/audit.h"
#include "store/db.h"
#include "base/jcheck.h"
#include "base/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const shipment_statuses[] = {"planned", "dispatched", "in_transit", "arrived",
					 "received", "lost", "cancelled", NULL};

static const char *const discrepancies[] = {"none", "short", "over", "damaged", "wrong_item", "expired", "other", NULL};

/* The legal moves; by_recipient: the recipient may make it too (the donor
 * always may, except the receipt, which is the recipient's alone). */
static const struct move {
	const char *from, *to;
	int by_recipient;
} moves[] = {
	{"planned", "dispatched", 0}, {"planned", "cancelled", 0},
	{"dispatched", "in_transit", 0}, {"dispatched", "arrived", 1}, {"dispatched", "lost", 0},
	{"in_transit", "arrived", 1}, {"in_transit", "lost", 0},
	{"arrived", "received", 2},
};

static const struct move *find_move(const char *from, const char *to)
{
	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
		if (strcmp(moves[i].from, from) == 0 && strcmp(moves[i].to, to) == 0)
			return &moves[i];
	return NULL;
}

static json_t *next_of(const char *from)
{
	json_t *a = json_array();
	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
		if (strcmp(moves[i].from, from) == 0)
			json_array_append_new(a, json_string(moves[i].to));
	return a;
}

/* ---- reading ---- */

#define SHIP_COLS "sh.id, sh.pledge_id, sh.batch_no, sh.status, sh.carrier, sh.waybill, sh.dispatched_on, sh.eta, " \
	"sh.arrived_on, sh.received_on, sh.received_by, sh.discrepancy, sh.note, sh.version, sh.created_at, sh.updated_at"

static json_t *ship_row(struct eb_stmt *s)
{
	return json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:b, s:s, s:I, s:o, s:o, s:o}",
			 "id", (json_int_t)eb_col_i64(s, 0), "pledge_id", (json_int_t)eb_col_i64(s, 1),
			 "batch_no", (json_int_t)eb_col_i64(s, 2), "status", eb_col_text(s, 3), "carrier", eb_col_text(s, 4),
			 "waybill", eb_col_text(s, 5), "dispatched_on", donation_col_str_or_null(s, 6),
			 "eta", donation_col_str_or_null(s, 7), "arrived_on", donation_col_str_or_null(s, 8),
			 "received_on", donation_col_str_or_null(s, 9), "received_by", eb_col_text(s, 10),
			 "discrepancy", (int)eb_col_i64(s, 11), "note", eb_col_text(s, 12), "version", (json_int_t)eb_col_i64(s, 13),
			 "created_at", donation_time(eb_col_i64(s, 14)), "updated_at", donation_time(eb_col_i64(s, 15)),
			 "next", next_of(eb_col_text(s, 3)));
}

static enum eb_err ship_lines(struct eb_conn *c, int64_t id, json_t **out, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c,
		"SELECT l.line_no, sl.item, l.unit, sl.quantity, sl.received, sl.discrepancy, sl.discrepancy_note "
		"FROM shipment_lines sl JOIN pledge_lines l ON l.id = sl.pledge_line_id WHERE sl.shipment_id = ? ORDER BY l.line_no", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	json_t *a = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW)
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:I, s:o, s:o, s:s}", "line", (json_int_t)eb_col_i64(s, 0),
						   "item", eb_col_text(s, 1), "unit", eb_col_text(s, 2),
						   "quantity", (json_int_t)eb_col_i64(s, 3),
						   "received", eb_col_null(s, 4) ? json_null() : json_integer(eb_col_i64(s, 4)),
						   "discrepancy", donation_col_str_or_null(s, 5), "discrepancy_note", eb_col_text(s, 6)));
	eb_done(s);
	if (rc < 0) {
		json_decref(a);
		return (enum eb_err)rc;
	}
	*out = a;
	return EB_OK;
}

/* A shipment with its lines, without access checks. */
static enum eb_err ship_json(struct eb_conn *c, int64_t id, json_t **out, int64_t *pledge_id, struct eb_detail *d)
{
	*out = NULL;
	struct eb_stmt *s = eb_stmt(c, "SELECT " SHIP_COLS " FROM shipments sh WHERE sh.id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	int rc = eb_step(s, d);
	json_t *o = rc == EB_ROW ? ship_row(s) : NULL;
	if (rc == EB_ROW && pledge_id)
		*pledge_id = eb_col_i64(s, 1);
	eb_done(s);
	if (!o)
		return rc < 0 ? (enum eb_err)rc : eb_fail(d, EB_ENOTFOUND, NULL, "no shipment %" PRId64, id);
	json_t *lines = NULL;
	enum eb_err e = ship_lines(c, id, &lines, d);
	if (e) {
		json_decref(o);
		return e;
	}
	json_object_set_new(o, "lines", lines);
	*out = o;
	return EB_OK;
}

/* A shipment the caller may see (its pledge is visible), and its pledge. */
static enum eb_err ship_load(struct eb_conn *c, const struct eb_principal *who, int64_t id, json_t **out,
			     struct pledge_head *h, struct eb_detail *d)
{
	int64_t pledge_id = 0;
	enum eb_err e = ship_json(c, id, out, &pledge_id, d);
	if (e)
		return e;
	struct eb_detail pd = {0};
	if (donation_pledge_head(c, who, pledge_id, h, &pd)) {
		json_decref(*out);
		*out = NULL;
		return eb_fail(d, EB_ENOTFOUND, NULL, "no shipment %" PRId64, id);
	}
	return EB_OK;
}

enum eb_err shipment_get(struct eb_conn *c, const struct eb_principal *who, int64_t id, json_t **out,
			 struct eb_detail *d)
{
	struct pledge_head h;
	return ship_load(c, who, id, out, &h, d);
}

enum eb_err shipment_list(struct eb_conn *c, const struct eb_principal *who, int64_t pledge_id, json_t **out,
			  struct eb_detail *d)
{
	struct pledge_head h;
	enum eb_err e = donation_pledge_head(c, who, pledge_id, &h, d);
	if (e)
		return e;
	struct eb_stmt *s = eb_stmt(c, "SELECT " SHIP_COLS " FROM shipments sh WHERE sh.pledge_id = ? ORDER BY sh.batch_no", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, pledge_id);
	json_t *a = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW)
		json_array_append_new(a, ship_row(s));
	eb_done(s);
	size_t i;
	json_t *o;
	json_array_foreach(a, i, o) {
		json_t *lines = NULL;
		if (rc >= 0 && !(e = ship_lines(c, json_integer_value(json_object_get(o, "id")), &lines, d)))
			json_object_set_new(o, "lines", lines);
	}
	if (rc < 0 || e) {
		json_decref(a);
		return rc < 0 ? (enum eb_err)rc : e;
	}
	*out = json_pack("{s:o}", "items", a);
	return EB_OK;
}

/* ---- the pledge's lines and what is left of them ---- */

struct pline {
	int64_t id, line_no, quantity, alloc; /* alloc: on other live batches */
	char item[41], unit[16];
	int64_t want;                          /* this batch, 0 if not on it */
};

/* Lines of pledge_id with what batches other than `except` (not lost or
 * cancelled) already carry. */
static enum eb_err plines_load(struct eb_conn *c, int64_t pledge_id, int64_t except, struct pline **out, size_t *n,
			       struct eb_detail *d)
{
	*out = NULL;
	*n = 0;
	struct eb_stmt *s = eb_stmt(c,
		"SELECT l.id, l.line_no, l.item, l.unit, l.quantity, CAST(COALESCE(SUM(CASE WHEN sh.status NOT IN ('lost', 'cancelled') "
		"AND sh.id <> ? THEN sl.quantity ELSE 0 END), 0) AS BIGINT) FROM pledge_lines l "
		"LEFT JOIN shipment_lines sl ON sl.pledge_line_id = l.id LEFT JOIN shipments sh ON sh.id = sl.shipment_id "
		"WHERE l.pledge_id = ? GROUP BY l.id, l.line_no, l.item, l.unit, l.quantity ORDER BY l.line_no", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, except);
	eb_bind_i64(s, 2, pledge_id);
	size_t cap = 8, k = 0;
	struct pline *v = calloc(cap, sizeof *v);
	int rc = v ? EB_ROW : EB_ENOMEM;
	while (v && (rc = eb_step(s, d)) == EB_ROW) {
		if (k == cap) {
			struct pline *nv = realloc(v, 2 * cap * sizeof *v);
			if (!nv) {
				rc = EB_ENOMEM;
				break;
			}
			v = nv;
			cap *= 2;
		}
		struct pline *p = &v[k++];
		memset(p, 0, sizeof *p);
		p->id = eb_col_i64(s, 0);
		p->line_no = eb_col_i64(s, 1);
		snprintf(p->item, sizeof p->item, "%s", eb_col_text(s, 2));
		snprintf(p->unit, sizeof p->unit, "%s", eb_col_text(s, 3));
		p->quantity = eb_col_i64(s, 4);
		p->alloc = eb_col_i64(s, 5);
	}
	eb_done(s);
	if (rc < 0) {
		free(v);
		return (enum eb_err)rc;
	}
	*out = v;
	*n = k;
	return EB_OK;
}

static const struct eb_jfield sline_spec[] = {
	{"line", EB_J_INT, 0, 0, 1, 100000, NULL},
	{"item", EB_J_STR, 0, 40, 1, 0, NULL},
	{"quantity", EB_J_INT, 1, 0, 1, DONATION_QTY_MAX, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL}};

/* Finds the pledge line an input line names by "line" or "item". */
static struct pline *pick_line(struct pline *v, size_t n, json_t *el, const char *pre, struct eb_detail *d)
{
	int64_t no = eb_jint(el, "line", 0);
	const char *item = eb_jstr(el, "item");
	char f[64];
	struct pline *hit = NULL;
	int many = 0;
	for (size_t i = 0; i < n; i++) {
		if ((no && v[i].line_no == no) || (!no && item && strcmp(v[i].item, item) == 0)) {
			many += hit != NULL;
			hit = &v[i];
		}
	}
	if (!no && !item) {
		snprintf(f, sizeof f, "%s/line", pre);
		eb_fail(d, EB_EINVAL, f, "name the pledge line by line or item");
		return NULL;
	}
	if (!hit) {
		snprintf(f, sizeof f, "%s/%s", pre, no ? "line" : "item");
		if (no)
			eb_fail(d, EB_EINVAL, f, "the pledge has no line %" PRId64, no);
		else
			eb_fail(d, EB_EINVAL, f, "the pledge has no line of %s", item);
		return NULL;
	}
	if (many) {
		snprintf(f, sizeof f, "%s/line", pre);
		eb_fail(d, EB_EINVAL, f, "the pledge has several lines of %s; name one by line", item);
		return NULL;
	}
	if (no && item && strcmp(hit->item, item) != 0) {
		snprintf(f, sizeof f, "%s/item", pre);
		eb_fail(d, EB_EINVAL, f, "line %" PRId64 " pledges %s, not %s", no, hit->item, item);
		return NULL;
	}
	return hit;
}

/* Reads the "lines" of a shipment into v[].want and checks that nothing
 * goes beyond the pledge: EB_ECONFLICT naming the line otherwise. */
static enum eb_err take_lines(json_t *lines, struct pline *v, size_t n, struct eb_detail *d)
{
	if (!json_is_array(lines) || json_array_size(lines) == 0)
		return eb_fail(d, EB_EINVAL, "/lines", "lines must be an array of at least one line");
	if (json_array_size(lines) > DONATION_MAX_LINES)
		return eb_fail(d, EB_EINVAL, "/lines", "at most %d lines", DONATION_MAX_LINES);
	for (size_t i = 0; i < n; i++)
		v[i].want = 0;
	size_t i;
	json_t *el;
	json_array_foreach(lines, i, el) {
		char pre[32], f[64];
		snprintf(pre, sizeof pre, "/lines/%zu", i);
		if (!json_is_object(el))
			return eb_fail(d, EB_EINVAL, pre, "lines/%zu must be an object", i);
		struct eb_detail ld = {0};
		enum eb_err e = eb_json_check(el, sline_spec, 0, &ld);
		if (e) {
			snprintf(f, sizeof f, "%s%s", pre, ld.field);
			return eb_fail(d, e, f, "lines/%zu: %s", i, ld.msg);
		}
		struct pline *p = pick_line(v, n, el, pre, d);
		if (!p)
			return EB_EINVAL;
		if (p->want) {
			snprintf(f, sizeof f, "%s/line", pre);
			return eb_fail(d, EB_EINVAL, f, "line %" PRId64 " appears twice on the batch", p->line_no);
		}
		p->want = eb_jint(el, "quantity", 0);
		if (p->alloc + p->want > p->quantity) {
			snprintf(f, sizeof f, "%s/quantity", pre);
			int64_t left = p->quantity > p->alloc ? p->quantity - p->alloc : 0;
			return eb_fail(d, EB_ECONFLICT, f,
				       "this batch would carry %" PRId64 " %s of %s, but only %" PRId64 " of the %" PRId64
				       " pledged are not on other batches; amend the pledge first",
				       p->want, p->unit, p->item, left, p->quantity);
		}
	}
	return EB_OK;
}

static enum eb_err insert_lines(struct eb_conn *c, int64_t ship_id, int64_t pledge_id, const struct pline *v, size_t n,
				struct eb_detail *d)
{
	for (size_t i = 0; i < n; i++) {
		if (!v[i].want)
			continue;
		struct eb_stmt *s = eb_stmt(c, "INSERT INTO shipment_lines (shipment_id, pledge_line_id, pledge_id, item, quantity) "
					       "VALUES (?, ?, ?, ?, ?)", d);
		if (!s)
			return EB_EDB;
		eb_bind_i64(s, 1, ship_id);
		eb_bind_i64(s, 2, v[i].id);
		eb_bind_i64(s, 3, pledge_id);
		eb_bind_text(s, 4, v[i].item);
		eb_bind_i64(s, 5, v[i].want);
		int rc = eb_step(s, d);
		eb_done(s);
		if (rc < 0)
			return (enum eb_err)rc;
	}
	return EB_OK;
}

static const char *const ship_texts[] = {"carrier", "waybill", "note", NULL};

static const struct eb_jfield ship_spec[] = {
	{"batch_no", EB_J_INT, 0, 0, 1, 100000, NULL},
	{"carrier", EB_J_STR, 0, 200, 0, 0, NULL},
	{"waybill", EB_J_STR, 0, 100, 0, 0, NULL},
	{"eta", EB_J_DATE, 0, 0, 0, 0, NULL},
	{"note", EB_J_STR, 0, 4000, 0, 0, NULL},
	{"version", EB_J_INT, 0, 0, 1, INT64_MAX, NULL},
	{"lines", EB_J_STR, 0, 0, 0, 0, NULL}, /* checked apart */
	{NULL, 0, 0, 0, 0, 0, NULL}};

/* ---- writes ---- */

enum eb_err shipment_create(struct eb_conn *c, const struct eb_principal *who, int64_t pledge_id, json_t *in,
			    json_t **out, struct eb_detail *d)
{
	*out = NULL;
	json_t *top = donation_without_lines(in);
	enum eb_err e = eb_json_check(top, ship_spec, 0, d);
	json_decref(top);
	if (!e)
		e = donation_check_text(in, ship_texts, NULL, d);
	if (e)
		return e;
	if (json_object_get(in, "version"))
		return eb_fail(d, EB_EINVAL, "/version", "a new batch has no version yet");
	struct pledge_head h;
	if ((e = donation_pledge_head(c, who, pledge_id, &h, d)))
		return e;
	if ((e = donation_can_act(who, h.owner, "the donor organisation", d)))
		return e;
	struct pline *v = NULL;
	size_t n = 0;
	int64_t id = 0;
	if ((e = eb_begin(c, d)))
		return e;
	if ((e = donation_pledge_lock(c, pledge_id, 0, &h, d)))
		goto fail;
	if ((e = plines_load(c, pledge_id, 0, &v, &n, d)))
		goto fail;
	if ((e = take_lines(json_object_get(in, "lines"), v, n, d)))
		goto fail;
	int64_t batch = eb_jint(in, "batch_no", 0);
	if (!batch) {
		struct eb_stmt *s = eb_stmt(c, "SELECT COALESCE(MAX(batch_no), 0) + 1 FROM shipments WHERE pledge_id = ?", d);
		if (!s) {
			e = EB_EDB;
			goto fail;
		}
		eb_bind_i64(s, 1, pledge_id);
		int rc = eb_step(s, d);
		batch = rc == EB_ROW ? eb_col_i64(s, 0) : 1;
		eb_done(s);
		if (rc < 0) {
			e = (enum eb_err)rc;
			goto fail;
		}
	}
	int64_t now = eb_now_ms();
	struct eb_stmt *s = eb_stmt(c,
		"INSERT INTO shipments (pledge_id, batch_no, status, carrier, waybill, eta, note, version, created_at, updated_at) "
		"VALUES (?, ?, 'planned', ?, ?, ?, ?, 1, ?, ?) RETURNING id", d);
	if (!s) {
		e = EB_EDB;
		goto fail;
	}
	eb_bind_i64(s, 1, pledge_id);
	eb_bind_i64(s, 2, batch);
	eb_bind_text(s, 3, eb_jstr(in, "carrier") ? eb_jstr(in, "carrier") : "");
	eb_bind_text(s, 4, eb_jstr(in, "waybill") ? eb_jstr(in, "waybill") : "");
	eb_bind_text(s, 5, eb_jstr(in, "eta"));
	eb_bind_text(s, 6, eb_jstr(in, "note") ? eb_jstr(in, "note") : "");
	eb_bind_i64(s, 7, now);
	eb_bind_i64(s, 8, now);
	int rc = eb_step(s, d);
	if (rc == EB_ROW)
		id = eb_col_i64(s, 0);
	eb_done(s);
	if (rc != EB_ROW) {
		if (rc == EB_EEXIST)
			e = eb_fail(d, EB_EEXIST, "/batch_no", "pledge %" PRId64 " already has a batch %" PRId64, pledge_id, batch);
		else
			e = rc < 0 ? (enum eb_err)rc : EB_EDB;
		goto fail;
	}
	if ((e = insert_lines(c, id, pledge_id, v, n, d)) || (e = donation_recon_refresh(c, pledge_id, d)) ||
	    (e = ship_json(c, id, out, NULL, d)) || (e = audit_append(c, who, "create", "shipment", id, NULL, *out, d)) ||
	    (e = eb_commit(c, d)))
		goto fail;
	free(v);
	return EB_OK;
fail:
	eb_rollback(c);
	free(v);
	json_decref(*out);
	*out = NULL;
	return e;
}

/* The end every change of a batch shares, inside its transaction: the
 * pledge's reconciliation, the batch as it now is (into *out), its audit
 * row under action, and the commit. */
static enum eb_err ship_finish(struct eb_conn *c, const struct eb_principal *who, int64_t pledge,
			       int64_t id, const char *action, json_t *before, json_t **out,
			       struct eb_detail *d)
{
	enum eb_err e;
	if ((e = donation_recon_refresh(c, pledge, d)) || (e = ship_json(c, id, out, NULL, d)) ||
	    (e = audit_append(c, who, action, "shipment", id, before, *out, d)))
		return e;
	return eb_commit(c, d);
}

enum eb_err shipment_update(struct eb_conn *c, const struct eb_principal *who, int64_t id, json_t *patch, json_t **out,
			    struct eb_detail *d)
{
	*out = NULL;
	json_t *top = donation_without_lines(patch);
	enum eb_err e = eb_json_check(top, ship_spec, 1, d);
	json_decref(top);
	if (!e)
		e = donation_check_text(patch, ship_texts, NULL, d);
	if (e)
		return e;
	json_t *before = NULL;
	struct pledge_head h;
	if ((e = ship_load(c, who, id, &before, &h, d)))
		return e;
	struct pline *v = NULL;
	size_t n = 0;
	if ((e = donation_can_act(who, h.owner, "the donor organisation", d)))
		goto out;
	const char *status = eb_jstr(before, "status");
	int final = strcmp(status, "received") == 0 || strcmp(status, "lost") == 0 || strcmp(status, "cancelled") == 0;
	if ((json_object_get(patch, "lines") || json_object_get(patch, "batch_no")) && strcmp(status, "planned") != 0) {
		e = eb_fail(d, EB_ECONFLICT, json_object_get(patch, "lines") ? "/lines" : "/batch_no",
			    "the lines and number of a batch change only while it is planned (it is %s)", status);
		goto out;
	}
	if (final && (json_object_get(patch, "carrier") || json_object_get(patch, "waybill") || json_object_get(patch, "eta"))) {
		e = eb_fail(d, EB_ECONFLICT, NULL, "a batch that is %s only takes a note", status);
		goto out;
	}
	if ((e = eb_begin(c, d)))
		goto out;
	if ((e = donation_pledge_lock(c, h.id, 1, &h, d)))
		goto fail;
	if (json_object_get(patch, "lines")) {
		if ((e = plines_load(c, h.id, id, &v, &n, d)) || (e = take_lines(json_object_get(patch, "lines"), v, n, d)))
			goto fail;
		struct eb_stmt *del = eb_stmt(c, "DELETE FROM shipment_lines WHERE shipment_id = ?", d);
		if (!del) {
			e = EB_EDB;
			goto fail;
		}
		eb_bind_i64(del, 1, id);
		int rc = eb_step(del, d);
		eb_done(del);
		if (rc < 0) {
			e = (enum eb_err)rc;
			goto fail;
		}
		if ((e = insert_lines(c, id, h.id, v, n, d)))
			goto fail;
	}
	{
#define PICK(k) (json_object_get(patch, k) ? eb_jstr(patch, k) : eb_jstr(before, k))
		struct eb_stmt *s = eb_stmt(c,
			"UPDATE shipments SET batch_no = ?, carrier = ?, waybill = ?, eta = ?, note = ?, version = version + 1, "
			"updated_at = ? WHERE id = ? AND status = ? AND (? = 0 OR version = ?)", d);
		if (!s) {
			e = EB_EDB;
			goto fail;
		}
		int64_t want = eb_jint(patch, "version", 0);
		eb_bind_i64(s, 1, eb_jint(patch, "batch_no", eb_jint(before, "batch_no", 1)));
		eb_bind_text(s, 2, PICK("carrier") ? PICK("carrier") : "");
		eb_bind_text(s, 3, PICK("waybill") ? PICK("waybill") : "");
		eb_bind_text(s, 4, PICK("eta"));
		eb_bind_text(s, 5, PICK("note") ? PICK("note") : "");
		eb_bind_i64(s, 6, eb_now_ms());
		eb_bind_i64(s, 7, id);
		eb_bind_text(s, 8, status);
		eb_bind_i64(s, 9, want);
		eb_bind_i64(s, 10, want);
#undef PICK
		int rc = eb_step(s, d);
		int64_t changed = eb_changes(s);
		eb_done(s);
		if (rc == EB_EEXIST) {
			e = eb_fail(d, EB_EEXIST, "/batch_no", "the pledge already has a batch %" PRId64, eb_jint(patch, "batch_no", 0));
			goto fail;
		}
		if (rc < 0) {
			e = (enum eb_err)rc;
			goto fail;
		}
		if (changed != 1) {
			e = eb_fail(d, EB_ECONFLICT, "/version", "the batch changed meanwhile; reload it");
			goto fail;
		}
	}
	if ((e = ship_finish(c, who, h.id, id, "update", before, out, d)))
		goto fail;
	goto out;
fail:
	eb_rollback(c);
	json_decref(*out);
	*out = NULL;
out:
	free(v);
	json_decref(before);
	return e;
}

/* Refusal of a move that is not in the table, listing the legal ones. */
static enum eb_err illegal(const char *from, const char *to, struct eb_detail *d)
{
	char list[128] = "";
	size_t o = 0;
	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
		if (strcmp(moves[i].from, from) != 0)
			continue;
		int k = snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "", moves[i].to);
		if (k > 0 && (size_t)k < sizeof list - o)
			o += (size_t)k;
	}
	return eb_fail(d, EB_ECONFLICT, "/to", "a batch that is %s cannot become %s; %s%s", from, to,
		       o ? "it can become: " : "that is final", list);
}

enum eb_err shipment_transition(struct eb_conn *c, const struct eb_principal *who, int64_t id, json_t *in, json_t **out,
				struct eb_detail *d)
{
	*out = NULL;
	static const struct eb_jfield spec[] = {
		{"to", EB_J_ENUM, 1, 0, 0, 0, shipment_statuses},
		{"on", EB_J_DATE, 0, 0, 0, 0, NULL},
		{"note", EB_J_STR, 0, 4000, 0, 0, NULL},
		{"version", EB_J_INT, 0, 0, 1, INT64_MAX, NULL},
		{NULL, 0, 0, 0, 0, 0, NULL}};
	enum eb_err e = eb_json_check(in, spec, 0, d);
	static const char *const texts[] = {"note", NULL};
	if (!e)
		e = donation_check_text(in, texts, NULL, d);
	if (e)
		return e;
	json_t *before = NULL;
	struct pledge_head h;
	if ((e = ship_load(c, who, id, &before, &h, d)))
		return e;
	const char *from = eb_jstr(before, "status"), *to = eb_jstr(in, "to");
	char from_s[16];
	snprintf(from_s, sizeof from_s, "%s", from);
	const struct move *m = find_move(from, to);
	/* who first: a caller with no say learns nothing about the rules */
	e = donation_can_act(who, h.owner, "the donor organisation", d);
	if (e == EB_EPERM && (!m || m->by_recipient))
		e = donation_can_act(who, h.recipient, "the donor (or, for arrival and receipt, the recipient)", d);
	if (!e && m && m->by_recipient == 2) {
		e = eb_fail(d, EB_EINVAL, "/to", "the recipient records the receipt with POST /api/v1/donations/shipments/%" PRId64 "/receipt",
			    id);
	} else if (!e && !m) {
		e = illegal(from, to, d);
	}
	if (e)
		goto out;
	char today[11];
	donation_today(today);
	const char *on = eb_jstr(in, "on") ? eb_jstr(in, "on") : today;
	if ((e = donation_check_day(on, "/on", 1, d)))
		goto out;
	if (strcmp(to, "arrived") == 0 && eb_jstr(before, "dispatched_on") && strcmp(on, eb_jstr(before, "dispatched_on")) < 0) {
		e = eb_fail(d, EB_EINVAL, "/on", "arrival on %s is before dispatch on %s", on, eb_jstr(before, "dispatched_on"));
		goto out;
	}
	if ((e = eb_begin(c, d)))
		goto out;
	if ((e = donation_pledge_lock(c, h.id, 1, &h, d)))
		goto fail;
	/* A batch of a cancelled pledge can still arrive or be lost, but not
	 * set off. */
	if (strcmp(h.status, "cancelled") == 0 && strcmp(to, "dispatched") == 0) {
		e = eb_fail(d, EB_ECONFLICT, "/to", "pledge %" PRId64 " was cancelled", h.id);
		goto fail;
	}
	struct eb_stmt *s = eb_stmt(c,
		"UPDATE shipments SET status = ?, dispatched_on = COALESCE(?, dispatched_on), arrived_on = COALESCE(?, arrived_on), "
		"note = COALESCE(?, note), version = version + 1, updated_at = ? WHERE id = ? AND status = ? AND (? = 0 OR version = ?)", d);
	if (!s) {
		e = EB_EDB;
		goto fail;
	}
	int64_t want = eb_jint(in, "version", 0);
	eb_bind_text(s, 1, to);
	eb_bind_text(s, 2, strcmp(to, "dispatched") == 0 ? on : NULL);
	eb_bind_text(s, 3, strcmp(to, "arrived") == 0 ? on : NULL);
	eb_bind_text(s, 4, eb_jstr(in, "note"));
	eb_bind_i64(s, 5, eb_now_ms());
	eb_bind_i64(s, 6, id);
	eb_bind_text(s, 7, from_s);
	eb_bind_i64(s, 8, want);
	eb_bind_i64(s, 9, want);
	int rc = eb_step(s, d);
	int64_t changed = eb_changes(s);
	eb_done(s);
	if (rc < 0) {
		e = (enum eb_err)rc;
		goto fail;
	}
	if (changed != 1) {
		e = eb_fail(d, EB_ECONFLICT, "/version", "the batch changed meanwhile; reload it");
		goto fail;
	}
	if ((e = ship_finish(c, who, h.id, id, "transition", before, out, d)))
		goto fail;
	goto out;
fail:
	eb_rollback(c);
	json_decref(*out);
	*out = NULL;
out:
	json_decref(before);
	return e;
}

static const struct eb_jfield rline_spec[] = {
	{"line", EB_J_INT, 0, 0, 1, 100000, NULL},
	{"item", EB_J_STR, 0, 40, 1, 0, NULL},
	{"received", EB_J_INT, 1, 0, 0, DONATION_QTY_MAX, NULL},
	{"discrepancy", EB_J_ENUM, 0, 0, 0, 0, discrepancies},
	{"note", EB_J_STR, 0, 1000, 0, 0, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL}};

/* One line of the batch as counted. */
struct rline {
	int64_t sl_id, line_no, quantity, received;
	char item[41];
	const char *discrepancy, *note;
	int given;
};

enum eb_err shipment_receive(struct eb_conn *c, const struct eb_principal *who, int64_t id, json_t *in, json_t **out,
			     struct eb_detail *d)
{
	*out = NULL;
	static const struct eb_jfield spec[] = {
		{"received_on", EB_J_DATE, 1, 0, 0, 0, NULL},
		{"received_by", EB_J_STR, 0, 200, 0, 0, NULL},
		{"note", EB_J_STR, 0, 4000, 0, 0, NULL},
		{"lines", EB_J_STR, 0, 0, 0, 0, NULL}, /* checked apart */
		{NULL, 0, 0, 0, 0, 0, NULL}};
	json_t *top = donation_without_lines(in);
	enum eb_err e = eb_json_check(top, spec, 0, d);
	json_decref(top);
	static const char *const texts[] = {"received_by", "note", NULL};
	if (!e)
		e = donation_check_text(in, texts, NULL, d);
	if (e)
		return e;
	json_t *before = NULL;
	struct pledge_head h;
	if ((e = ship_load(c, who, id, &before, &h, d)))
		return e;
	struct rline *v = NULL;
	size_t n = 0;
	if ((e = donation_can_act(who, h.recipient, "the recipient organisation", d)))
		goto out;
	const char *on = eb_jstr(in, "received_on");
	if ((e = donation_check_day(on, "/received_on", 1, d)))
		goto out;
	if (eb_jstr(before, "arrived_on") && strcmp(on, eb_jstr(before, "arrived_on")) < 0) {
		e = eb_fail(d, EB_EINVAL, "/received_on", "received on %s, before the batch arrived on %s", on,
			    eb_jstr(before, "arrived_on"));
		goto out;
	}
	/* the batch's lines, to be counted */
	json_t *bl = json_object_get(before, "lines");
	n = json_array_size(bl);
	v = calloc(n ? n : 1, sizeof *v);
	if (!v) {
		e = EB_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_array_get(bl, i);
		v[i].line_no = eb_jint(x, "line", 0);
		v[i].quantity = eb_jint(x, "quantity", 0);
		v[i].received = v[i].quantity;
		snprintf(v[i].item, sizeof v[i].item, "%s", eb_jstr(x, "item"));
	}
	json_t *lines = json_object_get(in, "lines");
	if (lines && !json_is_array(lines)) {
		e = eb_fail(d, EB_EINVAL, "/lines", "lines must be an array");
		goto out;
	}
	size_t i;
	json_t *el;
	json_array_foreach(lines, i, el) {
		char pre[32], f[64];
		snprintf(pre, sizeof pre, "/lines/%zu", i);
		struct eb_detail ld = {0};
		if (!json_is_object(el) || (e = eb_json_check(el, rline_spec, 0, &ld))) {
			snprintf(f, sizeof f, "%s%s", pre, ld.field);
			e = eb_fail(d, EB_EINVAL, f, "lines/%zu: %s", i, json_is_object(el) ? ld.msg : "must be an object");
			goto out;
		}
		static const char *const lt[] = {"note", NULL};
		if ((e = donation_check_text(el, lt, pre, d)))
			goto out;
		int64_t no = eb_jint(el, "line", 0);
		const char *item = eb_jstr(el, "item");
		struct rline *hit = NULL;
		for (size_t j = 0; j < n && !hit; j++)
			if ((no && v[j].line_no == no) || (!no && item && strcmp(v[j].item, item) == 0))
				hit = &v[j];
		if (!hit || (no && item && strcmp(hit->item, item) != 0)) {
			snprintf(f, sizeof f, "%s/%s", pre, no ? "line" : "item");
			e = eb_fail(d, EB_EINVAL, f, "lines/%zu names no line of this batch", i);
			goto out;
		}
		if (hit->given) {
			snprintf(f, sizeof f, "%s/line", pre);
			e = eb_fail(d, EB_EINVAL, f, "line %" PRId64 " is counted twice", hit->line_no);
			goto out;
		}
		hit->given = 1;
		hit->received = eb_jint(el, "received", 0);
		hit->discrepancy = eb_jstr(el, "discrepancy");
		hit->note = eb_jstr(el, "note");
		if (hit->discrepancy && strcmp(hit->discrepancy, "none") == 0 && hit->received != hit->quantity) {
			snprintf(f, sizeof f, "%s/discrepancy", pre);
			e = eb_fail(d, EB_EINVAL, f, "received %" PRId64 " of %" PRId64 " is a discrepancy", hit->received, hit->quantity);
			goto out;
		}
	}
	int any = 0;
	for (size_t j = 0; j < n; j++) {
		struct rline *r = &v[j];
		if (!r->discrepancy)
			r->discrepancy = r->received < r->quantity ? "short" : r->received > r->quantity ? "over" : "none";
		any |= strcmp(r->discrepancy, "none") != 0;
	}
	if ((e = eb_begin(c, d)))
		goto out;
	if ((e = donation_pledge_lock(c, h.id, 1, &h, d)))
		goto fail;
	/* The guard: only a batch that is still 'arrived' takes a receipt. */
	struct eb_stmt *s = eb_stmt(c,
		"UPDATE shipments SET status = 'received', received_on = ?, received_by = ?, discrepancy = ?, "
		"note = COALESCE(?, note), version = version + 1, updated_at = ? WHERE id = ? AND status = 'arrived'", d);
	if (!s) {
		e = EB_EDB;
		goto fail;
	}
	eb_bind_text(s, 1, on);
	eb_bind_text(s, 2, eb_jstr(in, "received_by") ? eb_jstr(in, "received_by") : "");
	eb_bind_i64(s, 3, any);
	eb_bind_text(s, 4, eb_jstr(in, "note"));
	eb_bind_i64(s, 5, eb_now_ms());
	eb_bind_i64(s, 6, id);
	int rc = eb_step(s, d);
	int64_t changed = eb_changes(s);
	eb_done(s);
	if (rc < 0) {
		e = (enum eb_err)rc;
		goto fail;
	}
	if (changed != 1) {
		e = strcmp(eb_jstr(before, "status"), "arrived") == 0
			    ? eb_fail(d, EB_ECONFLICT, NULL, "the receipt of this batch was recorded meanwhile; reload it")
			    : strcmp(eb_jstr(before, "status"), "received") == 0
				      ? eb_fail(d, EB_ECONFLICT, NULL, "the receipt of this batch is already recorded")
				      : eb_fail(d, EB_ECONFLICT, NULL, "a batch that is %s cannot be received; it must have arrived",
						eb_jstr(before, "status"));
		goto fail;
	}
	for (size_t j = 0; j < n; j++) {
		struct eb_stmt *u = eb_stmt(c,
			"UPDATE shipment_lines SET received = ?, discrepancy = ?, discrepancy_note = ? "
			"WHERE shipment_id = ? AND pledge_line_id = (SELECT id FROM pledge_lines WHERE pledge_id = ? AND line_no = ?)", d);
		if (!u) {
			e = EB_EDB;
			goto fail;
		}
		eb_bind_i64(u, 1, v[j].received);
		eb_bind_text(u, 2, v[j].discrepancy);
		eb_bind_text(u, 3, v[j].note ? v[j].note : "");
		eb_bind_i64(u, 4, id);
		eb_bind_i64(u, 5, h.id);
		eb_bind_i64(u, 6, v[j].line_no);
		rc = eb_step(u, d);
		eb_done(u);
		if (rc < 0) {
			e = (enum eb_err)rc;
			goto fail;
		}
	}
	if ((e = ship_finish(c, who, h.id, id, "receive", before, out, d)))
		goto fail;
	goto out;
fail:
	eb_rollback(c);
	json_decref(*out);
	*out = NULL;
out:
	free(v);
	json_decref(before);
	return e;
}
