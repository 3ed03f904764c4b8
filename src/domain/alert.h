/*
 * Alerts, joint statements and travel advisories (C3), and their delivery.
 *
 * Every message is a CAP 1.2 alert (formats/cap.h) with an epibridge kind:
 *   alert            an alert, update, cancellation or acknowledgement;
 *   joint_statement  a draft co-signed by several organisations, each of
 *                    which approves or declines in its own account; issued
 *                    only when all approved, in one transaction;
 *   advisory         a travel advisory for citizens of one country entering
 *                    another (citizens_of, entering), with instructions and
 *                    an effective period.
 * CAP scope maps to the visibility of domain/access.h: Public -> public,
 * Restricted and Private -> listed to the addressed organisations
 * (record_shares, kind "alert"); drafts are listed to their co-signers.
 * Updates, cancellations and acks chain through CAP references; the
 * incident of an alert is the identifier of the first alert of its chain,
 * and alert_incidents gives the current message of every incident in one
 * query.
 *
 * Delivery: issuing an alert writes, in the same transaction, one inbox row
 * per recipient organisation (subscribers whose subscription matches the
 * alert's kind and area, the addressed organisations, co-signers and the
 * recipients of earlier messages of the incident — each only if it may read
 * the alert), one pending webhook row per recipient with a webhook, and one
 * event for the event streams.  The server's worker threads send webhooks
 * from that outbox (alert_outbox_*) and follow the events
 * (alert_events_after); both survive restarts because they are rows.
 *
 * Conventions as in the other domain modules: every function takes the
 * caller's principal (the command line acts for who->org_id, which must be
 * set for writes); inputs are JSON checked here; results are new JSON
 * references owned by the caller; writes run in one transaction with their
 * audit row.  Errors: EB_EINVAL (field as a JSON pointer), EB_ENOTFOUND
 * (also for records the caller may not read), EB_EPERM, EB_EAUTH,
 * EB_ECONFLICT (wrong state), EB_EEXIST (identifier taken), EB_EDB.
 * Thread-safety: functions may run on many threads with distinct
 * connections.
 */
#ifndef EB_DOMAIN_ALERT_H
#define EB_DOMAIN_ALERT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "base/err.h"
#include "domain/principal.h"

struct eb_conn;
struct cap_alert;

/* alert, joint_statement, advisory; NULL-terminated. */
extern const char *const alert_kinds[];

/* ---- messages ---- */

/*
 * Creates a message from JSON:
 *   {"kind": "alert"|"joint_statement"|"advisory" (default alert),
 *    "cap": {CAP JSON as cap_to_json writes it; identifier, sender, sent,
 *            status (Actual), msgType (Alert, or Update with
 *            references_alert), scope (Public) and info categories (Health)
 *            may be left out and are filled in},
 *    "areas": ["BA", "CN-HB"]   ISO codes added as an area to every info,
 *    "shared_with": [org ids]   addressed organisations,
 *    "cosigners": [org ids]     joint statements: who must approve,
 *    "citizens_of": "CN", "entering": "BA"   advisories,
 *    "references_alert": id     the alert this one updates, cancels or acks}
 * Alerts and advisories are issued (and delivered) at once; joint
 * statements are drafts until alert_issue.  Needs role editor.
 */
enum eb_err alert_create(struct eb_conn *c, const struct eb_principal *who,
			 json_t *in, json_t **out, struct eb_detail *d);

struct alert_import_opts {
	const char *kind;     /* NULL: "alert" (or "advisory" with entering) */
	json_t *shared_with;  /* addressed org ids, may be NULL (borrowed) */
	const char *label;    /* file name for the audit row, may be NULL */
};

/*
 * Imports one CAP 1.2 XML document (untrusted: cap_parse, schema checked;
 * an invalid document fails with EB_EINVAL and the schema's reason) as a
 * message of who->org_id, issued and delivered.  Private alerts are
 * addressed to the organisations named "org:<id>" in addresses and to
 * opts->shared_with.  A msgType Ack acknowledges the referenced alerts in
 * the importing organisation's inbox.
 */
enum eb_err alert_import_xml(struct eb_conn *c, const struct eb_principal *who,
			     const char *xml, size_t len,
			     const struct alert_import_opts *opts, json_t **out,
			     struct eb_detail *d);

/* One message with its CAP JSON ("cap"), signers and, for the owner,
 * shared_with. */
enum eb_err alert_get(struct eb_conn *c, const struct eb_principal *who,
		      int64_t id, json_t **out, struct eb_detail *d);

/* The stored message as a CAP model (caller frees with cap_alert_free). */
enum eb_err alert_get_cap(struct eb_conn *c, const struct eb_principal *who,
			  int64_t id, struct cap_alert **out,
			  struct eb_detail *d);

/* Appends the message as CAP 1.2 XML to out. */
enum eb_err alert_export_cap(struct eb_conn *c, const struct eb_principal *who,
			     int64_t id, struct eb_buf *out, struct eb_detail *d);

/* Appends an EDXL-DE 1.0 envelope around the message, explicitly addressed
 * to its addressed organisations ("org:<id>"), to out. */
enum eb_err alert_export_edxl(struct eb_conn *c, const struct eb_principal *who,
			      int64_t id, struct eb_buf *out,
			      struct eb_detail *d);

struct alert_query {
	const char *kind;      /* NULL: all */
	const char *area;      /* ISO code, NULL: all */
	const char *incident;  /* NULL: all */
	const char *state;     /* draft|issued|withdrawn, NULL: all */
	int64_t org;           /* owner, 0: all */
	int full;              /* include "cap" */
	int limit;
	int64_t after;         /* id cursor (newest first: ids below it) */
};
/* Messages visible to the caller, newest first. */
enum eb_err alert_list(struct eb_conn *c, const struct eb_principal *who,
		       const struct alert_query *q, json_t **items,
		       int64_t *last_id, struct eb_detail *d);

/* The current message of every incident visible to the caller (the latest
 * issued Alert/Update/Cancel of each chain), newest first, with
 * "cancelled" and "messages" (the chain length visible to the caller). */
enum eb_err alert_incidents(struct eb_conn *c, const struct eb_principal *who,
			    int limit, json_t **items, struct eb_detail *d);

/* ---- joint statements ---- */

/* A co-signer organisation's decision (role editor in it): approve 1 or
 * decline 0, with an optional note.  Only while the statement is a draft. */
enum eb_err alert_decide(struct eb_conn *c, const struct eb_principal *who,
			 int64_t id, int approve, const char *note,
			 json_t **out, struct eb_detail *d);
/* Issues a draft (owner, role editor) when every co-signer approved: one
 * transaction changes its state and visibility and writes its deliveries.
 * EB_ECONFLICT naming who has not approved otherwise. */
enum eb_err alert_issue(struct eb_conn *c, const struct eb_principal *who,
			int64_t id, json_t **out, struct eb_detail *d);
/* Withdraws a draft (owner, role editor). */
enum eb_err alert_withdraw(struct eb_conn *c, const struct eb_principal *who,
			   int64_t id, struct eb_detail *d);

/* ---- delivery: the sender's view, inbox, subscriptions ---- */

/* Per recipient organisation: inbox delivered/read/acknowledged and the
 * webhook's state, attempts and last error, with totals; for members of
 * the owner organisation.  Paged by organisation id (after). */
enum eb_err alert_deliveries(struct eb_conn *c, const struct eb_principal *who,
			     int64_t id, int limit, int64_t after,
			     json_t **out, int64_t *last_org,
			     struct eb_detail *d);

/* The caller's organisation's inbox, newest delivery first; unread_only
 * leaves out what was read.  Paged by delivery id. */
enum eb_err alert_inbox(struct eb_conn *c, const struct eb_principal *who,
			int unread_only, int limit, int64_t after,
			json_t **items, int64_t *last_id, struct eb_detail *d);

enum alert_receipt { ALERT_READ = 1, ALERT_ACK = 2 };
/* Marks alert `id` in the caller's organisation's inbox read, or
 * acknowledged (role editor; also read).  Idempotent; the first mark adds
 * an event for the sender. */
enum eb_err alert_inbox_mark(struct eb_conn *c, const struct eb_principal *who,
			     int64_t id, enum alert_receipt what,
			     json_t **out, struct eb_detail *d);

/* The caller's organisation's subscriptions (secrets never shown). */
enum eb_err alert_sub_list(struct eb_conn *c, const struct eb_principal *who,
			   json_t **items, struct eb_detail *d);
/* {"area": ISO code or "*", "kind": kind or "*", "webhook_url": "http(s)://..."}
 * (role editor).  The answer carries the webhook's signing secret, shown
 * this once. */
enum eb_err alert_sub_create(struct eb_conn *c, const struct eb_principal *who,
			     json_t *in, json_t **out, struct eb_detail *d);
enum eb_err alert_sub_delete(struct eb_conn *c, const struct eb_principal *who,
			     int64_t id, struct eb_detail *d);

/* ---- public alerts ---- */

/* Issued public alerts (not Draft status, not acks), newest first, with
 * "cap" when full. */
enum eb_err alert_public_list(struct eb_conn *c, int limit, int full,
			      json_t **items, struct eb_detail *d);
/* Adds counts[i] views to alert ids[i] in one transaction. */
enum eb_err alert_views_add(struct eb_conn *c, const int64_t *ids,
			    const int64_t *counts, size_t n,
			    struct eb_detail *d);

/* ---- the outbox, for the delivery worker ---- */

struct alert_webhook_job {
	int64_t id;        /* delivery */
	int64_t alert_id;
	int64_t org_id;
	int attempts;      /* before this one */
	char url[512];
	char secret[80];
};

/* Claims up to max webhook deliveries due at `now` for lease_ms (another
 * worker, in this or another process, skips them meanwhile).  *n gets the
 * count.  A delivery whose subscription was deleted is marked failed. */
enum eb_err alert_outbox_claim(struct eb_conn *c, int64_t now, int64_t lease_ms,
			       struct alert_webhook_job *jobs, int max, int *n,
			       struct eb_detail *d);
/* Records an attempt: delivered (ok), or failed with error and retried at
 * retry_at, or given up when retry_at is 0.  Adds a receipt event. */
enum eb_err alert_outbox_done(struct eb_conn *c, int64_t delivery_id, int ok,
			      const char *error, int64_t retry_at,
			      struct eb_detail *d);
/* The webhook body of a delivery: {"delivery": id, "org": org id,
 * "alert": the message as alert_get gives it}. */
enum eb_err alert_webhook_body(struct eb_conn *c, const struct alert_webhook_job *job,
			       json_t **out, struct eb_detail *d);
/* The webhook signature: "sha256=" and the lowercase hex of
 * HMAC-SHA256(key = secret, message = ts "." body), as sent in
 * X-Epibridge-Signature (ts is X-Epibridge-Timestamp, Unix seconds). */
#define ALERT_SIGNATURE_LEN 72
void alert_webhook_sign(const char *secret, const char *ts, const char *body,
			size_t len, char out[ALERT_SIGNATURE_LEN]);
/* Exponential backoff: base_ms * 2^attempts, at most cap_ms. */
int64_t alert_backoff_ms(int attempts, int64_t base_ms, int64_t cap_ms);

/* ---- events, for the event streams ---- */

struct alert_event {
	int64_t seq;
	int64_t alert_id;
	int64_t org_id;    /* receipts: the recipient; alerts: 0 */
	char kind[12];     /* "alert", "read", "ack", "webhook" */
};

/* The last event's seq (0 when none). */
enum eb_err alert_events_head(struct eb_conn *c, int64_t *seq, struct eb_detail *d);
/* Up to max events after `after`, in order. */
enum eb_err alert_events_after(struct eb_conn *c, int64_t after,
			       struct alert_event *ev, int max, int *n,
			       struct eb_detail *d);
/* The organisations an event goes to, as a sorted array of org ids
 * (malloc'd, caller frees): the inbox recipients of an alert, the owner
 * organisation for a receipt. */
enum eb_err alert_event_audience(struct eb_conn *c, const struct alert_event *ev,
				 int64_t **orgs, size_t *n, struct eb_detail *d);
/* The event's data as JSON: {"seq", "kind", "alert": record} for alerts,
 * {"seq", "kind", "alert_id", "org_id", "at"} for receipts. */
enum eb_err alert_event_json(struct eb_conn *c, const struct alert_event *ev,
			     json_t **out, struct eb_detail *d);
/* Events in (after, upto] for organisation org, for a reconnecting
 * stream (Last-Event-ID). */
enum eb_err alert_events_for_org(struct eb_conn *c, int64_t org, int64_t after,
				 int64_t upto, struct alert_event *ev, int max,
				 int *n, struct eb_detail *d);

#endif
