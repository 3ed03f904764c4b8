/*
 * Exports of donations: the pledges visible to the caller, a page at a
 * time (keyset on id), each read into the model of formats/aidflow.h and
 * written by the IATI, HXL or FTS writer, streamed to the caller's write
 * function in chunks of about 64 KiB.
 *
 * Quantities come from the reconciliation table, which every write keeps
 * current (after bulk loads, `epibridge reconcile` recomputes it).  The
 * strings of the model point into the JSON values read from the database,
 * which live until the pledge is written.
 */
#include "domain/donation.h"
#include "domain/donation_int.h"
#include "domain/access.h"
#include "formats/aidflow.h"
#include "formats/fts.h"
#include "formats/iati.h"
#include "store/db.h"
#include "base/buf.h"
#include "base/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 200
#define CHUNK (64 * 1024)

int donation_export_format_parse(const char *s)
{
	static const char *const names[] = {"iati", "hxl", "fts", NULL};
	for (int i = 0; s && names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

const char *donation_export_content_type(enum donation_export_format f)
{
	switch (f) {
	case DONATION_IATI:
		return "application/xml; charset=utf-8";
	case DONATION_HXL:
		return "text/csv; charset=utf-8";
	case DONATION_FTS:
		return "application/json";
	}
	return "application/octet-stream";
}

/* One pledge read for writing. */
struct model {
	json_t *keep; /* owns every string the model points to */
	struct aid_pledge p;
	struct aid_line *lines;
	struct aid_shipment *ships;
	int64_t *qty; /* nships x nlines */
	int64_t *rcv;
};

static void model_free(struct model *m)
{
	json_decref(m->keep);
	free(m->lines);
	free(m->ships);
	free(m->qty);
	free(m->rcv);
	memset(m, 0, sizeof *m);
}

/* A string kept alive by m->keep. */
static const char *keep(struct model *m, const char *s)
{
	json_t *v = json_string(s ? s : "");
	if (!v)
		return "";
	json_array_append_new(m->keep, v);
	return json_string_value(v);
}

#define EXPORT_COLS "pl.id, pl.owner_org, od.name_en, od.name_zh, od.kind, od.country, pl.recipient_org, orc.name_en, " \
	"orc.name_zh, orc.kind, orc.country, pl.donor_type, pl.donor_name, pl.country, pl.subdivision, pl.city, pl.title, "   \
	"pl.note, pl.status, pl.visibility, pl.pledged_on, pl.committed_on, pl.needed_by, pl.updated_at"

static void head_of(struct model *m, struct eb_stmt *s)
{
	struct aid_pledge *p = &m->p;
	p->id = eb_col_i64(s, 0);
	p->owner = (struct aid_party){eb_col_i64(s, 1), keep(m, eb_col_text(s, 2)), keep(m, eb_col_text(s, 3)),
				      keep(m, eb_col_text(s, 4)), keep(m, eb_col_text(s, 5))};
	p->recipient = (struct aid_party){eb_col_i64(s, 6), keep(m, eb_col_text(s, 7)), keep(m, eb_col_text(s, 8)),
					  keep(m, eb_col_text(s, 9)), keep(m, eb_col_text(s, 10))};
	p->donor_type = keep(m, eb_col_text(s, 11));
	p->donor_name = keep(m, eb_col_text(s, 12));
	p->country = keep(m, eb_col_text(s, 13));
	p->subdivision = keep(m, eb_col_text(s, 14));
	p->city = keep(m, eb_col_text(s, 15));
	p->title = keep(m, eb_col_text(s, 16));
	p->note = keep(m, eb_col_text(s, 17));
	p->status = keep(m, eb_col_text(s, 18));
	p->visibility = keep(m, eb_col_text(s, 19));
	p->pledged_on = keep(m, eb_col_text(s, 20));
	p->committed_on = keep(m, eb_col_text(s, 21));
	p->needed_by = keep(m, eb_col_text(s, 22));
	p->updated_ms = eb_col_i64(s, 23);
}

/* Lines and batches of the pledge in m->p. */
static enum eb_err body_of(struct eb_conn *c, struct model *m, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c,
		"SELECT l.line_no, l.item, di.name_en, di.name_zh, l.unit, COALESCE(r.pledged, 0), COALESCE(r.shipped, 0), "
		"COALESCE(r.received, 0), l.value_minor, l.currency FROM pledge_lines l JOIN donation_items di ON di.code = l.item "
		"LEFT JOIN donation_recon r ON r.pledge_line_id = l.id WHERE l.pledge_id = ? ORDER BY l.line_no", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, m->p.id);
	size_t cap = 4, n = 0;
	m->lines = calloc(cap, sizeof *m->lines);
	int rc = m->lines ? EB_ROW : EB_ENOMEM;
	while (m->lines && (rc = eb_step(s, d)) == EB_ROW) {
		if (n == cap) {
			struct aid_line *nl = realloc(m->lines, 2 * cap * sizeof *nl);
			if (!nl) {
				rc = EB_ENOMEM;
				break;
			}
			m->lines = nl;
			cap *= 2;
		}
		struct aid_line *l = &m->lines[n++];
		memset(l, 0, sizeof *l);
		l->line_no = (int)eb_col_i64(s, 0);
		l->item = keep(m, eb_col_text(s, 1));
		l->item_en = keep(m, eb_col_text(s, 2));
		l->item_zh = keep(m, eb_col_text(s, 3));
		l->unit = keep(m, eb_col_text(s, 4));
		l->pledged = eb_col_i64(s, 5);
		l->shipped = eb_col_i64(s, 6);
		l->received = eb_col_i64(s, 7);
		l->has_value = !eb_col_null(s, 8);
		l->value_minor = eb_col_i64(s, 8);
		l->currency = keep(m, eb_col_text(s, 9));
	}
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	m->p.lines = m->lines;
	m->p.nlines = n;

	s = eb_stmt(c, "SELECT id, batch_no, status, dispatched_on, arrived_on, received_on FROM shipments "
		       "WHERE pledge_id = ? ORDER BY batch_no", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, m->p.id);
	size_t scap = 4, k = 0;
	m->ships = calloc(scap, sizeof *m->ships);
	rc = m->ships ? EB_ROW : EB_ENOMEM;
	while (m->ships && (rc = eb_step(s, d)) == EB_ROW) {
		if (k == scap) {
			struct aid_shipment *ns = realloc(m->ships, 2 * scap * sizeof *ns);
			if (!ns) {
				rc = EB_ENOMEM;
				break;
			}
			m->ships = ns;
			scap *= 2;
		}
		struct aid_shipment *x = &m->ships[k++];
		memset(x, 0, sizeof *x);
		x->id = eb_col_i64(s, 0);
		x->batch_no = (int)eb_col_i64(s, 1);
		x->status = keep(m, eb_col_text(s, 2));
		x->dispatched_on = keep(m, eb_col_text(s, 3));
		x->arrived_on = keep(m, eb_col_text(s, 4));
		x->received_on = keep(m, eb_col_text(s, 5));
	}
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	size_t cells = (k ? k : 1) * (n ? n : 1);
	m->qty = calloc(cells, sizeof *m->qty);
	m->rcv = malloc(cells * sizeof *m->rcv);
	if (!m->qty || !m->rcv)
		return EB_ENOMEM;
	for (size_t i = 0; i < cells; i++)
		m->rcv[i] = -1;
	for (size_t i = 0; i < k; i++) {
		m->ships[i].quantity = m->qty + i * n;
		m->ships[i].received = m->rcv + i * n;
	}
	m->p.shipments = m->ships;
	m->p.nshipments = k;
	if (!k || !n)
		return EB_OK;
	s = eb_stmt(c, "SELECT sl.shipment_id, l.line_no, sl.quantity, sl.received FROM shipments sh "
		       "JOIN shipment_lines sl ON sl.shipment_id = sh.id JOIN pledge_lines l ON l.id = sl.pledge_line_id "
		       "WHERE sh.pledge_id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, m->p.id);
	while ((rc = eb_step(s, d)) == EB_ROW) {
		int64_t sid = eb_col_i64(s, 0), no = eb_col_i64(s, 1);
		size_t si = 0, li = 0;
		while (si < k && m->ships[si].id != sid)
			si++;
		while (li < n && m->lines[li].line_no != no)
			li++;
		if (si == k || li == n)
			continue;
		m->qty[si * n + li] = eb_col_i64(s, 2);
		m->rcv[si * n + li] = eb_col_null(s, 3) ? -1 : eb_col_i64(s, 3);
	}
	eb_done(s);
	return rc < 0 ? (enum eb_err)rc : EB_OK;
}

static enum eb_err flush(struct eb_buf *b, int force, int (*write)(void *, const char *, size_t), void *ctx,
			 struct eb_detail *d)
{
	if (!b->len || (!force && b->len < CHUNK))
		return EB_OK;
	if (write(ctx, b->data, b->len))
		return eb_fail(d, EB_EIO, NULL, "writing the export failed");
	eb_buf_reset(b);
	return EB_OK;
}

enum eb_err donation_export(struct eb_conn *c, const struct eb_principal *who, const struct donation_export_opts *o,
			    int (*write)(void *ctx, const char *p, size_t n), void *ctx, int64_t *pledges,
			    int64_t *next, struct eb_detail *d)
{
	*pledges = 0;
	*next = 0;
	enum donation_export_format f = o->format;
	struct eb_buf b;
	eb_buf_init(&b, 0);
	struct iati_writer *iw = NULL;
	enum eb_err e = EB_OK;
	int flows = 0;
	if (f == DONATION_IATI)
		e = iati_begin(eb_now_ms(), &iw, d);
	else if (f == DONATION_HXL)
		e = aid_hxl_header(&b);
	else
		e = fts_begin(&b);
	int64_t after = o->after;
	/* Each page's rows are read into JSON first: a statement is reset
	 * before the per-pledge queries run on the same connection. */
	while (!e) {
		struct eb_stmt *s = eb_stmt(c,
			"SELECT " EXPORT_COLS " FROM pledges pl JOIN orgs od ON od.id = pl.owner_org JOIN orgs orc ON orc.id = pl.recipient_org "
			"WHERE pl.id > ? AND " ACCESS_ADDRESSED_SQL("pl", "recipient_org") " ORDER BY pl.id LIMIT ?", d);
		if (!s) {
			e = EB_EDB;
			break;
		}
		int64_t want = PAGE;
		if (o->limit && o->limit - *pledges < want)
			want = o->limit - *pledges;
		eb_bind_i64(s, 1, after);
		int idx = access_bind_addressed(s, 2, who, "pledge");
		eb_bind_i64(s, idx, want);
		struct model page[PAGE];
		int np = 0, rc;
		memset(page, 0, sizeof page);
		while ((rc = eb_step(s, d)) == EB_ROW && np < PAGE) {
			page[np].keep = json_array();
			head_of(&page[np], s);
			after = page[np].p.id;
			np++;
		}
		eb_done(s);
		if (rc < 0)
			e = (enum eb_err)rc;
		for (int i = 0; i < np; i++) {
			if (!e)
				e = body_of(c, &page[i], d);
			if (!e) {
				if (f == DONATION_IATI) {
					e = iati_activity(iw, &page[i].p, d);
					if (!e)
						e = iati_take(iw, &b);
				} else if (f == DONATION_HXL) {
					e = aid_hxl_pledge(&b, &page[i].p);
				} else {
					int n = 0;
					e = fts_pledge(&b, &page[i].p, flows == 0, &n);
					flows += n;
				}
				(*pledges)++;
			}
			if (!e)
				e = flush(&b, 0, write, ctx, d);
			model_free(&page[i]);
		}
		if (np < want)
			break;
		if (o->limit && *pledges >= o->limit) {
			/* cut by the limit: continue after the last one if more follow */
			struct eb_stmt *m = e ? NULL : eb_stmt(c, "SELECT pl.id FROM pledges pl WHERE pl.id > ? AND "
							   ACCESS_ADDRESSED_SQL("pl", "recipient_org") " ORDER BY pl.id LIMIT 1", d);
			if (m) {
				eb_bind_i64(m, 1, after);
				access_bind_addressed(m, 2, who, "pledge");
				if (eb_step(m, d) == EB_ROW)
					*next = after;
				eb_done(m);
			}
			break;
		}
	}
	if (!e) {
		if (f == DONATION_IATI)
			e = iati_end(iw, &b, d);
		else if (f == DONATION_FTS)
			e = fts_end(&b);
	}
	if (!e)
		e = flush(&b, 1, write, ctx, d);
	iati_free(iw);
	eb_buf_free(&b);
	if (e && d && !d->msg[0])
		eb_fail(d, e, NULL, "the export failed");
	return e;
}
