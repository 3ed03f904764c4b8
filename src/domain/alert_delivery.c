/*
 * Delivery of alerts: the fan-out written with an issued alert, the inbox
 * and its receipts, subscriptions, the webhook outbox the delivery worker
 * drains, and the ordered events the event streams follow.  See alert.h.
 *
 * The fan-out is two set-based statements, whatever the number of
 * recipients: one INSERT ... SELECT of the inbox rows (subscribers matching
 * kind and area, addressed organisations, co-signers and the recipients of
 * earlier messages of the incident, filtered by the visibility rule of
 * domain/access.h in its set form) and one of the webhook rows.  Events get
 * their seq from alert_event_head inside the writing transaction, which
 * serialises writers on that row, so seqs become visible in order.
 */
#include "domain/alert.h"
#include "domain/alert_int.h"
#include "domain/access.h"
#include "domain/audit.h"
#include "formats/areas.h"
#include "store/db.h"
#include "base/jcheck.h"
#include "base/util.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *ms_json(struct eb_stmt *s, int col)
{
	if (eb_col_null(s, col))
		return json_null();
	char t[32];
	eb_fmt_time(eb_col_i64(s, col), t);
	return json_string(t);
}

/* ---- events ---- */

enum eb_err alert_event_add(struct eb_conn *c, int64_t alert_id, const char *kind,
			    int64_t org_id, int64_t now, struct eb_detail *d)
{
	struct eb_stmt *h = eb_stmt(c, "UPDATE alert_event_head SET seq = seq + 1 WHERE id = 1 RETURNING seq", d);
	if (!h)
		return EB_EDB;
	int rc = eb_step(h, d);
	int64_t seq = rc == EB_ROW ? eb_col_i64(h, 0) : 0;
	eb_done(h);
	if (rc != EB_ROW)
		return rc < 0 ? (enum eb_err)rc : eb_fail(d, EB_EDB, NULL, "alert_event_head missing");
	struct eb_stmt *s = eb_stmt(c, "INSERT INTO alert_events (seq, alert_id, kind, org_id, at) VALUES (?, ?, ?, ?, ?)", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, seq);
	eb_bind_i64(s, 2, alert_id);
	eb_bind_text(s, 3, kind);
	if (org_id)
		eb_bind_i64(s, 4, org_id);
	else
		eb_bind_null(s, 4);
	eb_bind_i64(s, 5, now);
	rc = eb_step(s, d);
	eb_done(s);
	return rc < 0 ? (enum eb_err)rc : EB_OK;
}

enum eb_err alert_events_head(struct eb_conn *c, int64_t *seq, struct eb_detail *d)
{
	return eb_run(c, "SELECT seq FROM alert_event_head WHERE id = 1", seq, d, 0);
}

static enum eb_err read_events(struct eb_stmt *s, struct alert_event *ev, int max, int *n,
			       struct eb_detail *d)
{
	int rc = EB_DONE;
	*n = 0;
	while (*n < max && (rc = eb_step(s, d)) == EB_ROW) {
		struct alert_event *e = &ev[(*n)++];
		e->seq = eb_col_i64(s, 0);
		e->alert_id = eb_col_i64(s, 1);
		snprintf(e->kind, sizeof e->kind, "%s", eb_col_text(s, 2));
		e->org_id = eb_col_null(s, 3) ? 0 : eb_col_i64(s, 3);
	}
	if (*n < max && rc < 0) {
		eb_done(s);
		return (enum eb_err)rc;
	}
	eb_done(s);
	return EB_OK;
}

enum eb_err alert_events_after(struct eb_conn *c, int64_t after,
			       struct alert_event *ev, int max, int *n,
			       struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT seq, alert_id, kind, org_id FROM alert_events WHERE seq > ? ORDER BY seq LIMIT ?", d);
	*n = 0;
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, after);
	eb_bind_i64(s, 2, max);
	return read_events(s, ev, max, n, d);
}

enum eb_err alert_events_for_org(struct eb_conn *c, int64_t org, int64_t after,
				 int64_t upto, struct alert_event *ev, int max,
				 int *n, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c,
		"SELECT e.seq, e.alert_id, e.kind, e.org_id FROM alert_events e WHERE e.seq > ? AND e.seq <= ? AND ("
		"(e.kind = 'alert' AND EXISTS (SELECT 1 FROM alert_deliveries x WHERE x.alert_id = e.alert_id "
		"AND x.org_id = ? AND x.channel = 'inbox')) OR "
		"(e.kind <> 'alert' AND EXISTS (SELECT 1 FROM alerts a WHERE a.id = e.alert_id AND a.owner_org = ?))) "
		"ORDER BY e.seq LIMIT ?", d);
	*n = 0;
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, after);
	eb_bind_i64(s, 2, upto);
	eb_bind_i64(s, 3, org);
	eb_bind_i64(s, 4, org);
	eb_bind_i64(s, 5, max);
	return read_events(s, ev, max, n, d);
}

enum eb_err alert_event_audience(struct eb_conn *c, const struct alert_event *ev,
				 int64_t **orgs, size_t *n, struct eb_detail *d)
{
	*orgs = NULL;
	*n = 0;
	struct eb_stmt *s = strcmp(ev->kind, "alert") == 0
		? eb_stmt(c, "SELECT org_id FROM alert_deliveries WHERE alert_id = ? AND channel = 'inbox' ORDER BY org_id", d)
		: eb_stmt(c, "SELECT owner_org FROM alerts WHERE id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, ev->alert_id);
	size_t cap = 0;
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			int64_t *p = realloc(*orgs, nc * sizeof *p);
			if (!p) {
				eb_done(s);
				free(*orgs);
				*orgs = NULL;
				*n = 0;
				return EB_ENOMEM;
			}
			*orgs = p;
			cap = nc;
		}
		(*orgs)[(*n)++] = eb_col_i64(s, 0);
	}
	eb_done(s);
	if (rc < 0) {
		free(*orgs);
		*orgs = NULL;
		*n = 0;
		return (enum eb_err)rc;
	}
	return EB_OK;
}

enum eb_err alert_event_json(struct eb_conn *c, const struct alert_event *ev,
			     json_t **out, struct eb_detail *d)
{
	*out = NULL;
	if (strcmp(ev->kind, "alert") == 0) {
		json_t *rec = alert_record_system(c, ev->alert_id, 1);
		if (!rec)
			return eb_fail(d, EB_ENOTFOUND, NULL, "alert %" PRId64 " of event %" PRId64 " is gone", ev->alert_id, ev->seq);
		*out = json_pack("{s:I, s:s, s:o}", "seq", (json_int_t)ev->seq, "kind", "alert", "alert", rec);
		return EB_OK;
	}
	*out = json_pack("{s:I, s:s, s:I, s:I}", "seq", (json_int_t)ev->seq, "kind", ev->kind,
			 "alert_id", (json_int_t)ev->alert_id, "org_id", (json_int_t)ev->org_id);
	return EB_OK;
}

/* ---- fan-out ---- */

enum eb_err alert_fanout(struct eb_conn *c, int64_t id, const char *kind,
			 const char *incident, int64_t now, int64_t *recipients,
			 struct eb_detail *d)
{
	*recipients = 0;
	struct eb_stmt *s = eb_stmt(c,
		"INSERT INTO alert_deliveries (alert_id, org_id, channel, state, created_at, delivered_at) "
		"SELECT a.id, x.org_id, 'inbox', 'delivered', CAST(? AS BIGINT), CAST(? AS BIGINT) FROM alerts a, ("
		"SELECT u.org_id FROM alert_subscriptions u WHERE (u.kind = '*' OR u.kind = ?) AND (u.area = '*' OR "
		"u.area IN (SELECT r.code FROM alert_areas r WHERE r.alert_id = ?)) "
		"UNION SELECT h.org_id FROM record_shares h WHERE h.kind = 'alert' AND h.record_id = ? "
		"UNION SELECT g.org_id FROM alert_signers g WHERE g.alert_id = ? "
		"UNION SELECT q.org_id FROM alert_deliveries q JOIN alerts pa ON pa.id = q.alert_id "
		"WHERE pa.incident = ? AND pa.id <> ? AND q.channel = 'inbox') x "
		"WHERE a.id = ? AND x.org_id <> a.owner_org AND " ACCESS_VISIBLE_TO_ORG_SQL("a", "x.org_id"), d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, now);
	eb_bind_i64(s, 2, now);
	eb_bind_text(s, 3, kind);
	eb_bind_i64(s, 4, id);
	eb_bind_i64(s, 5, id);
	eb_bind_i64(s, 6, id);
	eb_bind_text(s, 7, incident);
	eb_bind_i64(s, 8, id);
	eb_bind_i64(s, 9, id);
	eb_bind_text(s, 10, "alert");
	int rc = eb_step(s, d);
	*recipients = rc >= 0 ? eb_changes(s) : 0;
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	/* A webhook for every recipient with one for this kind; the first
	 * subscription (lowest id) that names one. */
	s = eb_stmt(c,
		"INSERT INTO alert_deliveries (alert_id, org_id, channel, state, subscription_id, next_at, created_at) "
		"SELECT q.alert_id, q.org_id, 'webhook', 'pending', MIN(u.id), CAST(? AS BIGINT), CAST(? AS BIGINT) "
		"FROM alert_deliveries q JOIN alert_subscriptions u ON u.org_id = q.org_id "
		"WHERE q.alert_id = ? AND q.channel = 'inbox' AND u.webhook_url IS NOT NULL AND (u.kind = '*' OR u.kind = ?) "
		"GROUP BY q.alert_id, q.org_id", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, now);
	eb_bind_i64(s, 2, now);
	eb_bind_i64(s, 3, id);
	eb_bind_text(s, 4, kind);
	rc = eb_step(s, d);
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	return alert_event_add(c, id, "alert", 0, now, d);
}

/* ---- the sender's view ---- */

enum eb_err alert_deliveries(struct eb_conn *c, const struct eb_principal *who,
			     int64_t id, int limit, int64_t after,
			     json_t **out, int64_t *last_org, struct eb_detail *d)
{
	*out = NULL;
	*last_org = 0;
	json_t *rec = NULL;
	enum eb_err e = alert_get(c, who, id, &rec, d);
	if (e)
		return e;
	int64_t owner = json_integer_value(json_object_get(rec, "owner_org"));
	json_decref(rec);
	if (who->kind != EB_CLI && who->org_id != owner)
		return eb_fail(d, EB_EPERM, NULL, "only the sending organisation sees who received an alert");
	json_t *totals = json_object();
	struct eb_stmt *t = eb_stmt(c,
		"SELECT channel, state, COUNT(*), COUNT(read_at), COUNT(acked_at) FROM alert_deliveries "
		"WHERE alert_id = ? GROUP BY channel, state", d);
	if (!t) {
		json_decref(totals);
		return EB_EDB;
	}
	eb_bind_i64(t, 1, id);
	int64_t recipients = 0, read = 0, acked = 0;
	json_t *hooks = json_pack("{s:i, s:i, s:i}", "pending", 0, "delivered", 0, "failed", 0);
	int rc;
	while ((rc = eb_step(t, d)) == EB_ROW) {
		if (strcmp(eb_col_text(t, 0), "inbox") == 0) {
			recipients += eb_col_i64(t, 2);
			read += eb_col_i64(t, 3);
			acked += eb_col_i64(t, 4);
		} else {
			json_object_set_new(hooks, eb_col_text(t, 1), json_integer(eb_col_i64(t, 2)));
		}
	}
	eb_done(t);
	json_object_set_new(totals, "recipients", json_integer(recipients));
	json_object_set_new(totals, "delivered", json_integer(recipients));
	json_object_set_new(totals, "read", json_integer(read));
	json_object_set_new(totals, "acknowledged", json_integer(acked));
	json_object_set_new(totals, "webhooks", hooks);
	struct eb_stmt *s = eb_stmt(c,
		"SELECT d.org_id, o.name_en, o.name_zh, d.channel, d.state, d.attempts, d.last_error, d.delivered_at, "
		"d.read_at, d.read_by, d.acked_at, d.acked_by, d.next_at, d.ack_alert FROM alert_deliveries d "
		"JOIN orgs o ON o.id = d.org_id WHERE d.alert_id = ? AND d.org_id > ? AND d.org_id IN "
		"(SELECT y.org_id FROM alert_deliveries y WHERE y.alert_id = ? AND y.channel = 'inbox' AND y.org_id > ? "
		"ORDER BY y.org_id LIMIT ?) ORDER BY d.org_id, d.channel", d);
	if (!s) {
		json_decref(totals);
		return EB_EDB;
	}
	eb_bind_i64(s, 1, id);
	eb_bind_i64(s, 2, after);
	eb_bind_i64(s, 3, id);
	eb_bind_i64(s, 4, after);
	eb_bind_i64(s, 5, limit);
	json_t *items = json_array(), *cur = NULL;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		int64_t org = eb_col_i64(s, 0);
		if (!cur || org != *last_org) {
			cur = json_pack("{s:I, s:s, s:s, s:n, s:n, s:n, s:n}", "org_id", (json_int_t)org,
					"name_en", eb_col_text(s, 1), "name_zh", eb_col_text(s, 2),
					"delivered_at", "read_at", "acknowledged_at", "webhook");
			json_array_append_new(items, cur);
			*last_org = org;
		}
		if (strcmp(eb_col_text(s, 3), "inbox") == 0) {
			json_object_set_new(cur, "delivered_at", ms_json(s, 7));
			json_object_set_new(cur, "read_at", ms_json(s, 8));
			json_object_set_new(cur, "acknowledged_at", ms_json(s, 10));
			if (!eb_col_null(s, 10)) {
				json_object_set_new(cur, "acknowledged_by", json_string(eb_col_text(s, 11)));
				if (!eb_col_null(s, 13))
					json_object_set_new(cur, "ack_alert", json_integer(eb_col_i64(s, 13)));
			}
		} else {
			json_t *w = json_pack("{s:s, s:i, s:s, s:o}", "state", eb_col_text(s, 4),
					      "attempts", (int)eb_col_i64(s, 5), "last_error", eb_col_text(s, 6),
					      "delivered_at", ms_json(s, 7));
			if (strcmp(eb_col_text(s, 4), "pending") == 0)
				json_object_set_new(w, "next_attempt_at", ms_json(s, 12));
			json_object_set_new(cur, "webhook", w);
		}
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(items);
		json_decref(totals);
		return (enum eb_err)rc;
	}
	*out = json_pack("{s:I, s:o, s:o}", "alert_id", (json_int_t)id, "totals", totals, "items", items);
	return EB_OK;
}

/* ---- inbox ---- */

enum eb_err alert_inbox(struct eb_conn *c, const struct eb_principal *who,
			int unread_only, int limit, int64_t after,
			json_t **items, int64_t *last_id, struct eb_detail *d)
{
	*items = NULL;
	*last_id = 0;
	if (who->kind == EB_ANON)
		return eb_fail(d, EB_EAUTH, NULL, "log in to read your inbox");
	struct eb_stmt *s = eb_stmt(c,
		"SELECT d.id, d.alert_id, d.delivered_at, d.read_at, d.acked_at, d.acked_by FROM alert_deliveries d "
		"JOIN alerts a ON a.id = d.alert_id WHERE d.org_id = ? AND d.channel = 'inbox' "
		"AND (? = 0 OR d.id < ?) AND (? = 0 OR d.read_at IS NULL) AND " ACCESS_VISIBLE_SQL("a")
		" ORDER BY d.id DESC LIMIT ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, who->org_id);
	eb_bind_i64(s, 2, after);
	eb_bind_i64(s, 3, after);
	eb_bind_i64(s, 4, unread_only);
	int idx = access_bind_visible(s, 5, who, "alert");
	eb_bind_i64(s, idx, limit);
	json_t *arr = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		json_t *o = json_pack("{s:I, s:I, s:o, s:o, s:o}", "delivery_id", (json_int_t)eb_col_i64(s, 0),
				      "alert_id", (json_int_t)eb_col_i64(s, 1), "delivered_at", ms_json(s, 2),
				      "read_at", ms_json(s, 3), "acknowledged_at", ms_json(s, 4));
		if (!eb_col_null(s, 4))
			json_object_set_new(o, "acknowledged_by", json_string(eb_col_text(s, 5)));
		json_array_append_new(arr, o);
		*last_id = eb_col_i64(s, 0);
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(arr);
		return (enum eb_err)rc;
	}
	/* The messages themselves, one query each (a page is small). */
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		json_t *rec = alert_record_system(c, json_integer_value(json_object_get(o, "alert_id")), 0);
		json_object_set_new(o, "alert", rec ? rec : json_null());
	}
	*items = arr;
	return EB_OK;
}

enum eb_err alert_mark_acked(struct eb_conn *c, int64_t alert_id, int64_t org,
			     const char *by, int64_t ack_alert, int64_t now,
			     int *changed, struct eb_detail *d)
{
	*changed = 0;
	struct eb_stmt *s = eb_stmt(c,
		"UPDATE alert_deliveries SET acked_at = ?, acked_by = ?, ack_alert = ?, "
		"read_at = COALESCE(read_at, ?), read_by = COALESCE(read_by, ?) "
		"WHERE alert_id = ? AND org_id = ? AND channel = 'inbox' AND acked_at IS NULL", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, now);
	eb_bind_text(s, 2, by);
	if (ack_alert)
		eb_bind_i64(s, 3, ack_alert);
	else
		eb_bind_null(s, 3);
	eb_bind_i64(s, 4, now);
	eb_bind_text(s, 5, by);
	eb_bind_i64(s, 6, alert_id);
	eb_bind_i64(s, 7, org);
	int rc = eb_step(s, d);
	*changed = rc >= 0 && eb_changes(s) > 0;
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	return *changed ? alert_event_add(c, alert_id, "ack", org, now, d) : EB_OK;
}

static int in_inbox(struct eb_conn *c, int64_t alert_id, int64_t org)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT 1 FROM alert_deliveries WHERE alert_id = ? AND org_id = ? AND channel = 'inbox'", NULL);
	if (!s)
		return 0;
	eb_bind_i64(s, 1, alert_id);
	eb_bind_i64(s, 2, org);
	int ok = eb_step(s, NULL) == EB_ROW;
	eb_done(s);
	return ok;
}

enum eb_err alert_inbox_mark(struct eb_conn *c, const struct eb_principal *who,
			     int64_t id, enum alert_receipt what,
			     json_t **out, struct eb_detail *d)
{
	*out = NULL;
	if (who->kind == EB_ANON)
		return eb_fail(d, EB_EAUTH, NULL, "log in to mark your inbox");
	json_t *rec = NULL;
	enum eb_err e = alert_get(c, who, id, &rec, d);
	if (e)
		return e;
	json_decref(rec);
	if (!in_inbox(c, id, who->org_id))
		return eb_fail(d, EB_ENOTFOUND, NULL, "alert %" PRId64 " is not in your organisation's inbox", id);
	if (what == ALERT_ACK && (e = access_can_write(who, who->org_id, EB_ROLE_EDITOR, d)))
		return e;
	if ((e = eb_begin(c, d)))
		return e;
	int64_t now = eb_now_ms();
	int changed = 0;
	if (what == ALERT_ACK) {
		e = alert_mark_acked(c, id, who->org_id, who->label, 0, now, &changed, d);
		if (!e && changed) {
			json_t *after = json_pack("{s:I}", "org_id", (json_int_t)who->org_id);
			e = audit_append(c, who, "acknowledge", "alert", id, NULL, after, d);
			json_decref(after);
		}
	} else {
		struct eb_stmt *s = eb_stmt(c, "UPDATE alert_deliveries SET read_at = ?, read_by = ? "
					       "WHERE alert_id = ? AND org_id = ? AND channel = 'inbox' AND read_at IS NULL", d);
		if (!s) {
			e = EB_EDB;
		} else {
			eb_bind_i64(s, 1, now);
			eb_bind_text(s, 2, who->label);
			eb_bind_i64(s, 3, id);
			eb_bind_i64(s, 4, who->org_id);
			int rc = eb_step(s, d);
			changed = rc >= 0 && eb_changes(s) > 0;
			eb_done(s);
			if (rc < 0)
				e = (enum eb_err)rc;
			else if (changed)
				e = alert_event_add(c, id, "read", who->org_id, now, d);
		}
	}
	if (e) {
		eb_rollback(c);
		return e;
	}
	if ((e = eb_commit(c, d)))
		return e;
	struct eb_stmt *s = eb_stmt(c, "SELECT id, alert_id, delivered_at, read_at, acked_at, acked_by FROM alert_deliveries "
				       "WHERE alert_id = ? AND org_id = ? AND channel = 'inbox'", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	eb_bind_i64(s, 2, who->org_id);
	if (eb_step(s, d) == EB_ROW) {
		*out = json_pack("{s:I, s:I, s:o, s:o, s:o}", "delivery_id", (json_int_t)eb_col_i64(s, 0),
				 "alert_id", (json_int_t)eb_col_i64(s, 1), "delivered_at", ms_json(s, 2),
				 "read_at", ms_json(s, 3), "acknowledged_at", ms_json(s, 4));
		if (!eb_col_null(s, 4))
			json_object_set_new(*out, "acknowledged_by", json_string(eb_col_text(s, 5)));
	}
	eb_done(s);
	return *out ? EB_OK : eb_fail(d, EB_EDB, NULL, "inbox row vanished");
}

/* ---- subscriptions ---- */

static const char *const sub_kinds[] = {"*", "alert", "joint_statement", "advisory", NULL};

static const struct eb_jfield sub_spec[] = {
	{"area", EB_J_STR, 1, 15, 1, 0, NULL},
	{"kind", EB_J_ENUM, 0, 0, 0, 0, sub_kinds},
	{"webhook_url", EB_J_STR, 0, 500, 8, 0, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL}};

static json_t *sub_json(struct eb_stmt *s)
{
	json_t *o = json_pack("{s:I, s:I, s:s, s:s}", "id", (json_int_t)eb_col_i64(s, 0),
			      "org_id", (json_int_t)eb_col_i64(s, 1), "area", eb_col_text(s, 2), "kind", eb_col_text(s, 3));
	json_object_set_new(o, "webhook_url", eb_col_null(s, 4) ? json_null() : json_string(eb_col_text(s, 4)));
	json_object_set_new(o, "created_at", ms_json(s, 5));
	return o;
}

enum eb_err alert_sub_list(struct eb_conn *c, const struct eb_principal *who,
			   json_t **items, struct eb_detail *d)
{
	*items = NULL;
	if (who->kind == EB_ANON)
		return eb_fail(d, EB_EAUTH, NULL, "log in to see subscriptions");
	struct eb_stmt *s = eb_stmt(c, "SELECT id, org_id, area, kind, webhook_url, created_at FROM alert_subscriptions "
				       "WHERE org_id = ? ORDER BY id", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, who->org_id);
	json_t *arr = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW)
		json_array_append_new(arr, sub_json(s));
	eb_done(s);
	if (rc < 0) {
		json_decref(arr);
		return (enum eb_err)rc;
	}
	*items = arr;
	return EB_OK;
}

/* http:// or https:// followed by a host, with no white space or control
 * characters. */
static int url_ok(const char *u)
{
	const char *rest = strncmp(u, "https://", 8) == 0 ? u + 8 : strncmp(u, "http://", 7) == 0 ? u + 7 : NULL;
	if (!rest || !*rest || *rest == '/')
		return 0;
	for (const unsigned char *p = (const unsigned char *)u; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

enum eb_err alert_sub_create(struct eb_conn *c, const struct eb_principal *who,
			     json_t *in, json_t **out, struct eb_detail *d)
{
	*out = NULL;
	enum eb_err e = eb_json_check(in, sub_spec, 0, d);
	if (e)
		return e;
	if ((e = access_can_write(who, who->org_id, EB_ROLE_EDITOR, d)))
		return e;
	const char *area = eb_jstr(in, "area"), *kind = eb_jstr(in, "kind"), *url = eb_jstr(in, "webhook_url");
	char code[16] = "*";
	if (strcmp(area, "*") != 0) {
		const struct areas *ref = areas_default(NULL);
		const struct area *x = ref ? areas_by_code(ref, area) : NULL;
		if (!x)
			return eb_fail(d, EB_EINVAL, "/area", "%s is not \"*\" or a known ISO 3166 code", area);
		snprintf(code, sizeof code, "%s", x->code);
	}
	if (url && !url_ok(url))
		return eb_fail(d, EB_EINVAL, "/webhook_url", "webhook_url must be an http:// or https:// URL");
	char secret[65];
	eb_random_hex(secret, 32);
	if ((e = eb_begin(c, d)))
		return e;
	struct eb_stmt *s = eb_stmt(c, "INSERT INTO alert_subscriptions (org_id, area, kind, webhook_url, webhook_secret, "
				       "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id, org_id, area, kind, "
				       "webhook_url, created_at", d);
	if (!s) {
		eb_rollback(c);
		return EB_EDB;
	}
	eb_bind_i64(s, 1, who->org_id);
	eb_bind_text(s, 2, code);
	eb_bind_text(s, 3, kind ? kind : "*");
	eb_bind_text(s, 4, url);
	eb_bind_text(s, 5, url ? secret : NULL);
	eb_bind_text(s, 6, who->label);
	eb_bind_i64(s, 7, eb_now_ms());
	int rc = eb_step(s, d);
	json_t *o = rc == EB_ROW ? sub_json(s) : NULL;
	eb_done(s);
	if (!o) {
		eb_rollback(c);
		return rc < 0 ? (enum eb_err)rc : eb_fail(d, EB_EDB, NULL, "insert returned nothing");
	}
	e = audit_append(c, who, "create", "alert_subscription", json_integer_value(json_object_get(o, "id")), NULL, o, d);
	if (!e)
		e = eb_commit(c, d);
	else
		eb_rollback(c);
	if (e) {
		json_decref(o);
		return e;
	}
	if (url)
		json_object_set_new(o, "webhook_secret", json_string(secret));
	*out = o;
	return EB_OK;
}

enum eb_err alert_sub_delete(struct eb_conn *c, const struct eb_principal *who,
			     int64_t id, struct eb_detail *d)
{
	if (who->kind == EB_ANON)
		return eb_fail(d, EB_EAUTH, NULL, "log in to change subscriptions");
	struct eb_stmt *s = eb_stmt(c, "SELECT id, org_id, area, kind, webhook_url, created_at FROM alert_subscriptions WHERE id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	int rc = eb_step(s, d);
	json_t *before = rc == EB_ROW ? sub_json(s) : NULL;
	eb_done(s);
	if (!before || (who->kind != EB_CLI && json_integer_value(json_object_get(before, "org_id")) != who->org_id)) {
		json_decref(before);
		return rc < 0 ? (enum eb_err)rc : eb_fail(d, EB_ENOTFOUND, NULL, "no subscription %" PRId64, id);
	}
	enum eb_err e = access_can_write(who, json_integer_value(json_object_get(before, "org_id")), EB_ROLE_EDITOR, d);
	if (!e)
		e = eb_begin(c, d);
	if (e) {
		json_decref(before);
		return e;
	}
	s = eb_stmt(c, "DELETE FROM alert_subscriptions WHERE id = ?", d);
	if (!s) {
		e = EB_EDB;
	} else {
		eb_bind_i64(s, 1, id);
		rc = eb_step(s, d);
		eb_done(s);
		if (rc < 0)
			e = (enum eb_err)rc;
	}
	if (!e)
		e = audit_append(c, who, "delete", "alert_subscription", id, before, NULL, d);
	json_decref(before);
	if (e) {
		eb_rollback(c);
		return e;
	}
	return eb_commit(c, d);
}

/* ---- the webhook outbox ---- */

void alert_webhook_sign(const char *secret, const char *ts, const char *body,
			size_t len, char out[ALERT_SIGNATURE_LEN])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "sha256=", 7);
	eb_hex(mac, sizeof mac, out + 7);
	out[7 + 2 * sizeof mac] = '\0';
}

int64_t alert_backoff_ms(int attempts, int64_t base_ms, int64_t cap_ms)
{
	int64_t v = base_ms > 0 ? base_ms : 1;
	for (int i = 0; i < attempts && v < cap_ms; i++)
		v *= 2;
	return v < cap_ms ? v : cap_ms;
}

enum eb_err alert_outbox_claim(struct eb_conn *c, int64_t now, int64_t lease_ms,
			       struct alert_webhook_job *jobs, int max, int *n,
			       struct eb_detail *d)
{
	*n = 0;
	struct eb_stmt *s = eb_stmt(c,
		"SELECT d.id, d.alert_id, d.org_id, d.attempts, d.next_at, u.webhook_url, u.webhook_secret "
		"FROM alert_deliveries d LEFT JOIN alert_subscriptions u ON u.id = d.subscription_id "
		"WHERE d.channel = 'webhook' AND d.state = 'pending' AND d.next_at <= ? ORDER BY d.next_at, d.id LIMIT ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, now);
	eb_bind_i64(s, 2, max);
	struct cand {
		int64_t next_at;
		int orphan;
	} cand[64];
	int rc, k = 0;
	if (max > 64)
		max = 64;
	while (k < max && (rc = eb_step(s, d)) == EB_ROW) {
		struct alert_webhook_job *j = &jobs[k];
		j->id = eb_col_i64(s, 0);
		j->alert_id = eb_col_i64(s, 1);
		j->org_id = eb_col_i64(s, 2);
		j->attempts = (int)eb_col_i64(s, 3);
		cand[k].next_at = eb_col_i64(s, 4);
		cand[k].orphan = eb_col_null(s, 5);
		snprintf(j->url, sizeof j->url, "%s", eb_col_text(s, 5));
		snprintf(j->secret, sizeof j->secret, "%s", eb_col_text(s, 6));
		k++;
	}
	eb_done(s);
	/* Claim each by moving next_at forward only if nobody else did. */
	for (int i = 0; i < k; i++) {
		struct eb_stmt *u = cand[i].orphan
			? eb_stmt(c, "UPDATE alert_deliveries SET state = 'failed', last_error = 'the subscription was deleted' "
				     "WHERE id = ? AND state = 'pending' AND next_at = ?", d)
			: eb_stmt(c, "UPDATE alert_deliveries SET next_at = ? WHERE id = ? AND state = 'pending' AND next_at = ?", d);
		if (!u)
			return EB_EDB;
		if (cand[i].orphan) {
			eb_bind_i64(u, 1, jobs[i].id);
			eb_bind_i64(u, 2, cand[i].next_at);
		} else {
			eb_bind_i64(u, 1, now + lease_ms);
			eb_bind_i64(u, 2, jobs[i].id);
			eb_bind_i64(u, 3, cand[i].next_at);
		}
		rc = eb_step(u, d);
		int got = rc >= 0 && eb_changes(u) == 1;
		eb_done(u);
		if (rc < 0)
			return (enum eb_err)rc;
		if (got && !cand[i].orphan)
			jobs[(*n)++] = jobs[i];
	}
	return EB_OK;
}

enum eb_err alert_outbox_done(struct eb_conn *c, int64_t delivery_id, int ok,
			      const char *error, int64_t retry_at, struct eb_detail *d)
{
	int64_t now = eb_now_ms();
	enum eb_err e = eb_begin(c, d);
	if (e)
		return e;
	struct eb_stmt *s = eb_stmt(c,
		"UPDATE alert_deliveries SET attempts = attempts + 1, state = ?, last_error = ?, next_at = ?, "
		"delivered_at = ? WHERE id = ? AND state = 'pending' RETURNING alert_id, org_id", d);
	if (!s) {
		eb_rollback(c);
		return EB_EDB;
	}
	eb_bind_text(s, 1, ok ? "delivered" : retry_at ? "pending" : "failed");
	eb_bind_text(s, 2, ok ? "" : error ? error : "failed");
	eb_bind_i64(s, 3, ok ? now : retry_at ? retry_at : now);
	if (ok)
		eb_bind_i64(s, 4, now);
	else
		eb_bind_null(s, 4);
	eb_bind_i64(s, 5, delivery_id);
	int rc = eb_step(s, d);
	int64_t alert_id = rc == EB_ROW ? eb_col_i64(s, 0) : 0, org = rc == EB_ROW ? eb_col_i64(s, 1) : 0;
	eb_done(s);
	if (rc < 0)
		e = (enum eb_err)rc;
	else if (alert_id && (ok || !retry_at))
		e = alert_event_add(c, alert_id, "webhook", org, now, d);
	if (e) {
		eb_rollback(c);
		return e;
	}
	return eb_commit(c, d);
}

enum eb_err alert_webhook_body(struct eb_conn *c, const struct alert_webhook_job *job,
			       json_t **out, struct eb_detail *d)
{
	json_t *rec = alert_record_system(c, job->alert_id, 1);
	if (!rec) {
		*out = NULL;
		return eb_fail(d, EB_ENOTFOUND, NULL, "alert %" PRId64 " is gone", job->alert_id);
	}
	*out = json_pack("{s:I, s:I, s:o}", "delivery", (json_int_t)job->id, "org", (json_int_t)job->org_id, "alert", rec);
	return EB_OK;
}
