/*
 * Supply donations (C4): the item catalogue, needs, pledges, shipments in
 * batches with receipts, reconciliation, and the exports (IATI, HXL, FTS).
 *
 * Who may do what (docs/donations.md):
 *   - the catalogue is read by anyone; an admin of any organisation adds
 *     items (the catalogue is shared by the whole network);
 *   - a need belongs to the recipient organisation that posts it (editor);
 *   - a pledge belongs to its donor organisation (owner_org; editor), which
 *     may record it on behalf of a donor named in donor_name; the donor
 *     edits, amends and cancels it and creates, edits and moves its
 *     shipments; the recipient organisation marks a batch arrived and
 *     records the receipt (editor);
 *   - reading follows the record's visibility (domain/access.h), and the
 *     recipient always sees what is addressed to it (ACCESS_ADDRESSED_SQL).
 *     Shipments, receipts and reconciliation are seen with their pledge.
 *
 * Rules enforced here, each write in one transaction with its audit row:
 *   - shipment status moves only planned -> dispatched | cancelled,
 *     dispatched -> in_transit | arrived | lost, in_transit -> arrived |
 *     lost, arrived -> received (by the receipt); received, lost and
 *     cancelled are final;
 *   - the quantities of a pledge line on shipments that are not lost or
 *     cancelled never exceed the line's pledged quantity; shipping more
 *     needs an amendment of the pledge first (EB_ECONFLICT otherwise), and
 *     an amendment cannot go below what is already on its way;
 *   - a receipt is recorded once, from status arrived: the status change
 *     is a compare-and-set (UPDATE ... WHERE status = 'arrived'), so two
 *     receipts of one batch at the same moment record one and refuse the
 *     other with EB_ECONFLICT;
 *   - shipments and amendments of one pledge are serialised by updating
 *     the pledge row first (its version), a row lock on PostgreSQL.
 *
 * Inputs are JSON objects checked here (base/jcheck.h plus the rules
 * above), so the HTTP API and the command line share one validation;
 * errors name the field as a JSON pointer ("/lines/1/quantity").  Results
 * are new JSON references owned by the caller.  Not-visible records are
 * EB_ENOTFOUND, visible but not changeable ones EB_EPERM.  Functions take
 * a connection used by one thread; the module keeps no state.
 */
#ifndef EB_DOMAIN_DONATION_H
#define EB_DOMAIN_DONATION_H

#include <jansson.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/err.h"
#include "domain/principal.h"

struct eb_conn;

extern const char *const donation_donor_types[];    /* NULL-terminated */
extern const char *const donation_units[];          /* NULL-terminated */
extern const char *const shipment_statuses[];       /* NULL-terminated */

/* ---- catalogue ---- */

/* {"items": [{code, name_en, name_zh, unit, category}]} by code. */
enum eb_err donation_items_list(struct eb_conn *c, json_t **out, struct eb_detail *d);
/* Adds an item: {code, name_en, name_zh, unit, category}.  Admins only;
 * EB_EEXIST when the code is taken. */
enum eb_err donation_item_create(struct eb_conn *c, const struct eb_principal *who,
				 json_t *in, json_t **out, struct eb_detail *d);

/* ---- needs ---- */

struct donation_query {
	int64_t org;        /* needs: owner; pledges: donor (owner); 0 all */
	int64_t recipient;  /* pledges: recipient; 0 all */
	int64_t need;       /* pledges answering this need; 0 all */
	const char *item;   /* NULL all */
	const char *status; /* NULL all */
	int limit;
	int64_t after;      /* id cursor */
};

enum eb_err donation_need_create(struct eb_conn *c, const struct eb_principal *who,
				 json_t *in, json_t **out, struct eb_detail *d);
enum eb_err donation_need_get(struct eb_conn *c, const struct eb_principal *who,
			      int64_t id, json_t **out, struct eb_detail *d);
enum eb_err donation_need_update(struct eb_conn *c, const struct eb_principal *who,
				 int64_t id, json_t *patch, json_t **out, struct eb_detail *d);
enum eb_err donation_need_list(struct eb_conn *c, const struct eb_principal *who,
			       const struct donation_query *q, json_t **items,
			       int64_t *last_id, struct eb_detail *d);

/* ---- pledges ---- */

enum eb_err donation_pledge_create(struct eb_conn *c, const struct eb_principal *who,
				   json_t *in, json_t **out, struct eb_detail *d);
/* One pledge with its lines and amendment history. */
enum eb_err donation_pledge_get(struct eb_conn *c, const struct eb_principal *who,
				int64_t id, json_t **out, struct eb_detail *d);
/* Details and status (pledged -> committed -> cancelled); not the lines. */
enum eb_err donation_pledge_update(struct eb_conn *c, const struct eb_principal *who,
				   int64_t id, json_t *patch, json_t **out, struct eb_detail *d);
/* Amends the lines: {reason, lines: [{line?, item?, quantity, ...}]}. */
enum eb_err donation_pledge_amend(struct eb_conn *c, const struct eb_principal *who,
				  int64_t id, json_t *in, json_t **out, struct eb_detail *d);
enum eb_err donation_pledge_list(struct eb_conn *c, const struct eb_principal *who,
				 const struct donation_query *q, json_t **items,
				 int64_t *last_id, struct eb_detail *d);

/* ---- shipments (shipment.c) ---- */

enum eb_err shipment_create(struct eb_conn *c, const struct eb_principal *who,
			    int64_t pledge_id, json_t *in, json_t **out, struct eb_detail *d);
enum eb_err shipment_get(struct eb_conn *c, const struct eb_principal *who,
			 int64_t id, json_t **out, struct eb_detail *d);
/* Carrier, waybill, eta, note; lines and batch_no while planned. */
enum eb_err shipment_update(struct eb_conn *c, const struct eb_principal *who,
			    int64_t id, json_t *patch, json_t **out, struct eb_detail *d);
/* {to, on?, note?, version?}: one legal status change. */
enum eb_err shipment_transition(struct eb_conn *c, const struct eb_principal *who,
				int64_t id, json_t *in, json_t **out, struct eb_detail *d);
/* {received_on, received_by?, note?, lines?: [{line|item, received,
 * discrepancy?, note?}]}: the recipient's count. */
enum eb_err shipment_receive(struct eb_conn *c, const struct eb_principal *who,
			     int64_t id, json_t *in, json_t **out, struct eb_detail *d);
/* {"items": [...]} the batches of a pledge by batch number. */
enum eb_err shipment_list(struct eb_conn *c, const struct eb_principal *who,
			  int64_t pledge_id, json_t **out, struct eb_detail *d);

/* ---- reconciliation (donation_recon.c) ---- */

enum donation_recon_by { RECON_BY_PLEDGE, RECON_BY_DONOR, RECON_BY_RECIPIENT, RECON_BY_ITEM };

struct donation_recon_query {
	enum donation_recon_by by;
	int64_t donor, recipient; /* filters, 0 none */
	const char *item;         /* filter, NULL none */
	int limit;                /* RECON_BY_PLEDGE pages by pledge id */
	int64_t after;
};

/* Pledged, shipped, received and outstanding per line of one pledge,
 * computed from the lines themselves (the single-pledge fast path), with
 * gaps flagged. */
enum eb_err donation_recon_pledge(struct eb_conn *c, const struct eb_principal *who,
				  int64_t pledge_id, json_t **out, struct eb_detail *d);
/* The same totals grouped by pledge, donor, recipient or item over the
 * visible pledges, from the reconciliation table. */
enum eb_err donation_recon_group(struct eb_conn *c, const struct eb_principal *who,
				 const struct donation_recon_query *q, json_t **items,
				 int64_t *last_id, struct eb_detail *d);
/* Coverage of visible needs: needed, pledged, shipped, received (counting
 * the pledges the caller can see; the recipient sees all of its own). */
enum eb_err donation_recon_needs(struct eb_conn *c, const struct eb_principal *who,
				 const struct donation_query *q, json_t **items,
				 int64_t *last_id, struct eb_detail *d);
/* Recomputes the whole reconciliation table in one transaction (operator
 * or command line).  *lines receives the number of pledge lines. */
enum eb_err donation_recon_recompute(struct eb_conn *c, const struct eb_principal *who,
				     int64_t *lines, struct eb_detail *d);

/* ---- exports (donation_export.c) ---- */

enum donation_export_format { DONATION_IATI = 0, DONATION_HXL, DONATION_FTS };

/* -1 for an unknown name; "iati", "hxl", "fts". */
int donation_export_format_parse(const char *s);
const char *donation_export_content_type(enum donation_export_format f);

struct donation_export_opts {
	enum donation_export_format format;
	int64_t after; /* pledges with a larger id (cursor), 0 from the start */
	int64_t limit; /* at most this many pledges, 0 all */
};

/* Streams the pledges visible to the caller (anonymous: public ones), by
 * id, as one document in the format, through write(ctx, bytes, n) in
 * chunks; a non-zero return from write stops with EB_EIO.  *pledges
 * receives the count, *next the id to continue after when the limit cut
 * the list (0 when it did not). */
enum eb_err donation_export(struct eb_conn *c, const struct eb_principal *who,
			    const struct donation_export_opts *o,
			    int (*write)(void *ctx, const char *p, size_t n), void *ctx,
			    int64_t *pledges, int64_t *next, struct eb_detail *d);

#endif
