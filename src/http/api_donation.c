/*
 * Supply donations over HTTP (C4): the item catalogue, needs, pledges and
 * their amendments, shipments with their transitions and receipts,
 * reconciliation, and the donation exports (IATI XML, HXL CSV, FTS JSON).
 * Handlers parse the query or body, call domain/donation.h with the
 * caller's principal and render; the rules live in the domain.
 *
 * An export answers one document of up to EXPORT_MAX pledges (fewer with
 * ?limit=); when more follow, a Link header rel="next" carries ?cursor=.
 */
#include "http/api.h"
#include "domain/donation.h"
#include "base/util.h"

#include <stdio.h>
#include <string.h>

#define EXPORT_MAX 5000

/* ?name= as a positive id, 0 when absent; replies 400 and returns -1 when
 * malformed. */
static int64_t id_param(struct eb_req *r, const char *name)
{
	const char *s = eb_req_query(r, name);
	int64_t v = 0;
	if (s && eb_parse_i64(s, 1, INT64_MAX, &v)) {
		char msg[96];
		snprintf(msg, sizeof msg, "%s must be a positive id", name);
		eb_reply_problem(r, 400, "invalid", msg, name);
		return -1;
	}
	return v;
}

/* ?name= among values (NULL when absent); replies 400 and sets *bad. */
static const char *enum_param(struct eb_req *r, const char *name, const char *const *values, int *bad)
{
	const char *s = eb_req_query(r, name);
	*bad = 0;
	if (!s)
		return NULL;
	for (int i = 0; values[i]; i++)
		if (strcmp(s, values[i]) == 0)
			return s;
	char msg[160];
	snprintf(msg, sizeof msg, "%s is not one of the allowed values", name);
	eb_reply_problem(r, 400, "invalid", msg, name);
	*bad = 1;
	return NULL;
}

/* ?item= : a catalogue code by form (the domain finds nothing for others). */
static const char *item_param(struct eb_req *r, int *bad)
{
	const char *s = eb_req_query(r, "item");
	*bad = 0;
	if (!s)
		return NULL;
	size_t n = strlen(s);
	int ok = n >= 1 && n <= 40;
	for (size_t i = 0; ok && i < n; i++)
		ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_';
	if (!ok) {
		eb_reply_problem(r, 400, "invalid", "item must be a catalogue code such as medical_mask", "item");
		*bad = 1;
		return NULL;
	}
	return s;
}

/* ---- catalogue ---- */

void api_donation_items_list(struct eb_req *r)
{
	json_t *out = NULL;
	struct eb_detail d = {0};
	enum eb_err e = donation_items_list(eb_req_db(r), &out, &d);
	eb_reply_result(r, e, &d, 200, out);
}

void api_donation_items_create(struct eb_req *r)
{
	eb_serve_create(r, donation_item_create, 201);
}

/* ---- needs ---- */

static const char *const need_status_values[] = {"open", "closed", NULL};
static const char *const pledge_status_values[] = {"pledged", "committed", "cancelled", NULL};

/* Query of a list of needs (coverage too); 0 on success. */
static int need_query(struct eb_req *r, struct donation_query *q)
{
	memset(q, 0, sizeof *q);
	if (eb_req_page(r, &q->limit, &q->after))
		return -1;
	int bad;
	if ((q->org = id_param(r, "org")) < 0)
		return -1;
	q->item = item_param(r, &bad);
	if (bad)
		return -1;
	q->status = enum_param(r, "status", need_status_values, &bad);
	return bad ? -1 : 0;
}

void api_donation_needs_list(struct eb_req *r)
{
	struct donation_query q;
	if (need_query(r, &q))
		return;
	json_t *items = NULL;
	int64_t last = 0;
	struct eb_detail d = {0};
	enum eb_err e = donation_need_list(eb_req_db(r), &r->who, &q, &items, &last, &d);
	eb_reply_result(r, e, &d, 200, e ? NULL : eb_page_json(items, q.limit, last));
}

void api_donation_needs_create(struct eb_req *r)
{
	eb_serve_create(r, donation_need_create, 201);
}

void api_donation_needs_get(struct eb_req *r)
{
	eb_serve_get(r, donation_need_get);
}

void api_donation_needs_update(struct eb_req *r)
{
	eb_serve_update(r, donation_need_update, 200);
}

/* ---- pledges ---- */

void api_pledges_list(struct eb_req *r)
{
	struct donation_query q = {0};
	if (eb_req_page(r, &q.limit, &q.after))
		return;
	int bad;
	if ((q.org = id_param(r, "donor")) < 0 || (q.recipient = id_param(r, "recipient")) < 0 ||
	    (q.need = id_param(r, "need")) < 0)
		return;
	q.item = item_param(r, &bad);
	if (bad)
		return;
	q.status = enum_param(r, "status", pledge_status_values, &bad);
	if (bad)
		return;
	json_t *items = NULL;
	int64_t last = 0;
	struct eb_detail d = {0};
	enum eb_err e = donation_pledge_list(eb_req_db(r), &r->who, &q, &items, &last, &d);
	eb_reply_result(r, e, &d, 200, e ? NULL : eb_page_json(items, q.limit, last));
}

void api_pledges_create(struct eb_req *r)
{
	eb_serve_create(r, donation_pledge_create, 201);
}

void api_pledges_get(struct eb_req *r)
{
	eb_serve_get(r, donation_pledge_get);
}

void api_pledges_update(struct eb_req *r)
{
	eb_serve_update(r, donation_pledge_update, 200);
}

void api_pledges_amend(struct eb_req *r)
{
	eb_serve_update(r, donation_pledge_amend, 201);
}

/* ---- shipments ---- */

void api_pledge_shipments_list(struct eb_req *r)
{
	eb_serve_get(r, shipment_list);
}

void api_pledge_shipments_create(struct eb_req *r)
{
	eb_serve_update(r, shipment_create, 201);
}

void api_shipments_get(struct eb_req *r)
{
	eb_serve_get(r, shipment_get);
}

typedef enum eb_err (*ship_write)(struct eb_conn *, const struct eb_principal *, int64_t, json_t *, json_t **,
				  struct eb_detail *);

static void ship_call(struct eb_req *r, ship_write fn)
{
	int64_t id = eb_req_id(r, 0);
	if (!id)
		return;
	json_t *in = eb_req_json(r), *out = NULL;
	if (!in)
		return;
	struct eb_detail d = {0};
	enum eb_err e = fn(eb_req_db(r), &r->who, id, in, &out, &d);
	json_decref(in);
	eb_reply_result(r, e, &d, 200, out);
}

void api_shipments_update(struct eb_req *r)
{
	ship_call(r, shipment_update);
}

void api_shipments_transition(struct eb_req *r)
{
	ship_call(r, shipment_transition);
}

void api_shipments_receive(struct eb_req *r)
{
	ship_call(r, shipment_receive);
}

/* ---- reconciliation ---- */

void api_recon_list(struct eb_req *r)
{
	static const char *const by_values[] = {"pledge", "donor", "recipient", "item", NULL};
	int bad;
	const char *by = enum_param(r, "by", by_values, &bad);
	if (bad)
		return;
	struct donation_recon_query q = {0};
	q.by = !by || strcmp(by, "pledge") == 0 ? RECON_BY_PLEDGE
	       : strcmp(by, "donor") == 0	 ? RECON_BY_DONOR
	       : strcmp(by, "recipient") == 0	 ? RECON_BY_RECIPIENT
						 : RECON_BY_ITEM;
	if (eb_req_page(r, &q.limit, &q.after))
		return;
	if ((q.donor = id_param(r, "donor")) < 0 || (q.recipient = id_param(r, "recipient")) < 0)
		return;
	q.item = item_param(r, &bad);
	if (bad)
		return;
	json_t *items = NULL;
	int64_t last = 0;
	struct eb_detail d = {0};
	enum eb_err e = donation_recon_group(eb_req_db(r), &r->who, &q, &items, &last, &d);
	if (e) {
		eb_reply_err(r, e, &d);
		return;
	}
	/* only per-pledge results are paged (by pledge id) */
	json_t *out = q.by == RECON_BY_PLEDGE ? eb_page_json(items, q.limit, last)
					      : json_pack("{s:o, s:n}", "items", items, "next_cursor");
	char today[11];
	eb_date_fmt((int32_t)(eb_now_ms() / 86400000), today);
	json_object_set_new(out, "by", json_string(by ? by : "pledge"));
	json_object_set_new(out, "as_of", json_string(today));
	eb_reply_json(r, 200, out);
}

void api_recon_pledge(struct eb_req *r)
{
	eb_serve_get(r, donation_recon_pledge);
}

void api_recon_needs(struct eb_req *r)
{
	struct donation_query q;
	if (need_query(r, &q))
		return;
	json_t *items = NULL;
	int64_t last = 0;
	struct eb_detail d = {0};
	enum eb_err e = donation_recon_needs(eb_req_db(r), &r->who, &q, &items, &last, &d);
	eb_reply_result(r, e, &d, 200, e ? NULL : eb_page_json(items, q.limit, last));
}

/* ---- exports ---- */

static int out_write(void *ctx, const char *p, size_t n)
{
	struct eb_req *r = ctx;
	return eb_buf_add(&r->out, p, n) == EB_OK ? 0 : -1;
}

void api_exports_donations(struct eb_req *r)
{
	int f = donation_export_format_parse(eb_req_query(r, "format"));
	if (f < 0) {
		eb_reply_problem(r, 400, "invalid", "format must be iati, hxl or fts", "format");
		return;
	}
	struct donation_export_opts o = {.format = (enum donation_export_format)f, .limit = EXPORT_MAX};
	const char *s = eb_req_query(r, "limit");
	if (s && eb_parse_i64(s, 1, EXPORT_MAX, &o.limit)) {
		char msg[96];
		snprintf(msg, sizeof msg, "limit must be an integer from 1 to %d", EXPORT_MAX);
		eb_reply_problem(r, 400, "invalid", msg, "limit");
		return;
	}
	s = eb_req_query(r, "cursor");
	if (s && eb_parse_i64(s, 1, INT64_MAX, &o.after)) {
		eb_reply_problem(r, 400, "invalid", "cursor is not one this server issued; use the next link", "cursor");
		return;
	}
	struct eb_detail d = {0};
	int64_t n = 0, next = 0;
	r->status = 200;
	r->ctype = donation_export_content_type(o.format);
	eb_buf_reset(&r->out);
	enum eb_err e = donation_export(eb_req_db(r), &r->who, &o, out_write, r, &n, &next, &d);
	if (e) {
		eb_reply_err(r, e, &d);
		return;
	}
	static const char *const ext[] = {"xml", "csv", "json"};
	static const char *const fmt[] = {"iati", "hxl", "fts"};
	char hdr[200];
	snprintf(hdr, sizeof hdr, "attachment; filename=\"donations-%s.%s\"", fmt[f], ext[f]);
	eb_reply_header(r, "Content-Disposition", hdr);
	if (next) {
		snprintf(hdr, sizeof hdr, "</api/v1/exports/donations?format=%s&limit=%lld&cursor=%lld>; rel=\"next\"", fmt[f],
			 (long long)o.limit, (long long)next);
		eb_reply_header(r, "Link", hdr);
	}
	snprintf(hdr, sizeof hdr, "%lld", (long long)n);
	eb_reply_header(r, "X-Export-Pledges", hdr);
}
