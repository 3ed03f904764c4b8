/*
 * Access control: the one module that decides who may read or change what.
 *
 * Every shared record carries an owner organisation and a visibility:
 *   private   only the owner organisation;
 *   partners  the owner and organisations in an active partnership with it;
 *   listed    the owner and the organisations named in record_shares;
 *   public    everyone, including anonymous callers.
 * Reading follows visibility; changing a record needs role editor (or as the
 * capability says) in the owner organisation.  Administration of an
 * organisation needs role admin in it, or admin in the operator organisation
 * (which runs the deployment).  The command line acts as the operator.
 *
 * List queries embed the visibility rule as SQL with ACCESS_VISIBLE_SQL so
 * that filtering happens in the database; single records are checked with
 * access_can_read.  Both express the same rule and are tested together.
 */
#ifndef EB_DOMAIN_ACCESS_H
#define EB_DOMAIN_ACCESS_H

#include <jansson.h>
#include <stdint.h>
#include "base/err.h"
#include "domain/principal.h"

struct eb_conn;

enum eb_visibility { EB_VIS_PRIVATE = 0, EB_VIS_PARTNERS, EB_VIS_LISTED, EB_VIS_PUBLIC };

extern const char *const eb_visibility_names[]; /* NULL-terminated */
const char *eb_visibility_name(enum eb_visibility v);
/* -1 when unknown. */
int eb_visibility_parse(const char *s);

/*
 * SQL condition that row T (a table alias) is visible to the caller.  The
 * table must have columns id, owner_org and visibility.  Bind its six
 * parameters with access_bind_visible.  Example:
 *   "SELECT ... FROM sitreps r WHERE r.area = ? AND " ACCESS_VISIBLE_SQL("r")
 */
#define ACCESS_VISIBLE_SQL(T)                                                  \
	"(" T ".visibility = 'public' OR (? <> 0 AND (" T ".owner_org = ? OR "  \
	"(" T ".visibility = 'partners' AND EXISTS (SELECT 1 FROM partnerships p " \
	"WHERE p.status = 'active' AND ((p.org_a = " T ".owner_org AND p.org_b = ?) " \
	"OR (p.org_b = " T ".owner_org AND p.org_a = ?)))) OR "                 \
	"(" T ".visibility = 'listed' AND EXISTS (SELECT 1 FROM record_shares s " \
	"WHERE s.kind = ? AND s.record_id = " T ".id AND s.org_id = ?)))))"

/*
 * The same rule for an organisation given as an SQL expression O (a column
 * or a bound parameter) instead of the caller: whether row T is visible to
 * (a logged-in member of) organisation O.  For set-based work such as
 * fanning an alert out to every subscribing organisation in one statement,
 * where binding one caller per organisation would mean one query each.
 * Bind its one parameter, the record kind, as text.  Example:
 *   "... FROM alert_subscriptions s, alerts a WHERE a.id = ? AND "
 *   ACCESS_VISIBLE_TO_ORG_SQL("a", "s.org_id")
 */
#define ACCESS_VISIBLE_TO_ORG_SQL(T, O)                                        \
	"(" T ".visibility = 'public' OR " T ".owner_org = " O " OR "           \
	"(" T ".visibility = 'partners' AND EXISTS (SELECT 1 FROM partnerships p " \
	"WHERE p.status = 'active' AND ((p.org_a = " T ".owner_org AND p.org_b = " O ") " \
	"OR (p.org_b = " T ".owner_org AND p.org_a = " O ")))) OR "             \
	"(" T ".visibility = 'listed' AND EXISTS (SELECT 1 FROM record_shares s " \
	"WHERE s.kind = ? AND s.record_id = " T ".id AND s.org_id = " O ")))"

struct eb_stmt;
/* Binds the parameters of ACCESS_VISIBLE_SQL starting at index idx; returns
 * the next free index. */
int access_bind_visible(struct eb_stmt *s, int idx, const struct eb_principal *who,
			const char *kind);

/*
 * Records addressed to an organisation (a pledge to its recipient, and what
 * hangs off it: shipments, receipts, reconciliation) add one rule to
 * visibility: the addressee always sees them, whatever their visibility.
 * The command line, which acts as the operator, sees every such record.
 * Everyone else follows ACCESS_VISIBLE_SQL.  COL is the column of table T
 * that holds the addressee's organisation id.  Bind its nine parameters
 * with access_bind_addressed.  Example:
 *   "SELECT ... FROM pledges p WHERE " ACCESS_ADDRESSED_SQL("p", "recipient_org")
 */
#define ACCESS_ADDRESSED_SQL(T, COL)                                           \
	"(? <> 0 OR (? <> 0 AND " T "." COL " = ?) OR " ACCESS_VISIBLE_SQL(T) ")"

/* Binds the parameters of ACCESS_ADDRESSED_SQL from idx; returns the next
 * free index. */
int access_bind_addressed(struct eb_stmt *s, int idx, const struct eb_principal *who,
			  const char *kind);

/* access_can_read for a record addressed to organisation `addressee`
 * (the same rule as ACCESS_ADDRESSED_SQL).  1 or 0. */
int access_can_read_addressed(struct eb_conn *c, const struct eb_principal *who,
			      const char *kind, int64_t record_id, int64_t owner_org,
			      int64_t addressee, enum eb_visibility vis);

/* Whether org a and org b have an active partnership. */
int access_partners(struct eb_conn *c, int64_t a, int64_t b);

/* Whether the caller may read a record of `kind` with this owner, visibility
 * and id.  Returns 1 or 0 (0 also on database error). */
int access_can_read(struct eb_conn *c, const struct eb_principal *who,
		    const char *kind, int64_t record_id, int64_t owner_org,
		    enum eb_visibility vis);

/* Change a record owned by owner_org: role >= min_role in that organisation.
 * Returns EB_OK or EB_EPERM with a message. */
enum eb_err access_can_write(const struct eb_principal *who, int64_t owner_org,
			     enum eb_role min_role, struct eb_detail *d);

/* Administer organisation org_id (its users, tokens, partnerships, profile). */
enum eb_err access_can_admin_org(const struct eb_principal *who, int64_t org_id,
				 struct eb_detail *d);
/* See the members of organisation org_id. */
int access_can_see_members(const struct eb_principal *who, int64_t org_id);

/* Replaces the share list of a record (inside the caller's transaction). */
enum eb_err access_set_shares(struct eb_conn *c, const char *kind,
			      int64_t record_id, json_t *org_ids,
			      struct eb_detail *d);
/* The share list as a JSON array of org ids (new reference). */
json_t *access_get_shares(struct eb_conn *c, const char *kind, int64_t record_id);

#endif
