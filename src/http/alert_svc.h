/*
 * The alert service of a running server: the event streams
 * (GET /api/v1/events, server-sent events), the webhook delivery worker,
 * and batched view counts of public alerts.
 *
 * Two threads run beside the HTTP threads:
 *   - the event thread follows the ordered alert events in the database
 *     (domain/alert.h, alert_events_after), woken at once by
 *     alert_svc_kick after a local commit and otherwise every poll_ms (so
 *     alerts written by another process, such as `epibridge alert import`,
 *     arrive too); it hands each event to the connected streams of the
 *     organisations it is for, sends heartbeat comments, ends streams whose
 *     time is up, and writes view counts every few seconds;
 *   - the webhook thread drains the durable outbox: it claims due webhook
 *     deliveries, POSTs them with libcurl signed with HMAC-SHA256 over
 *     timestamp "." body, and records success, or the error and the next
 *     attempt after an exponential backoff with a cap.
 * Both only touch the database through the domain, and survive restarts
 * because everything they follow is rows.
 *
 * Ownership: alert_svc_start returns a service the caller stops and frees
 * with alert_svc_stop (after the HTTP server stopped, so no stream is left).
 * Thread-safety: every function may be called from any thread.
 */
#ifndef EB_HTTP_ALERT_SVC_H
#define EB_HTTP_ALERT_SVC_H

#include <stdint.h>
#include "base/err.h"
#include "http/http.h"

struct eb_db;
struct eb_alert_svc;

struct alert_svc_opts {
	int64_t poll_ms;          /* event poll when not kicked (default 1000) */
	int heartbeat_s;          /* heartbeat comment interval (default 15) */
	int64_t backoff_base_ms;  /* first retry delay (default 10000) */
	int64_t backoff_cap_ms;   /* longest retry delay (default 3600000) */
	int max_attempts;         /* then the delivery is failed (default 20) */
	int64_t webhook_timeout_ms; /* one POST (default 10000) */
};

/* Defaults, overridden by the environment: EB_WEBHOOK_BACKOFF_MS,
 * EB_WEBHOOK_BACKOFF_MAX_MS, EB_WEBHOOK_MAX_ATTEMPTS, EB_WEBHOOK_TIMEOUT_MS,
 * EB_EVENTS_POLL_MS, EB_EVENTS_HEARTBEAT_S. */
void alert_svc_defaults(struct alert_svc_opts *o);

/* Starts the threads (libcurl is initialised here: call from the main
 * thread before other threads use curl).  NULL with d filled on failure. */
struct eb_alert_svc *alert_svc_start(struct eb_db *db, const struct alert_svc_opts *o,
				     struct eb_detail *d);
/* Stops the threads (a webhook in flight finishes or times out), writes
 * the pending view counts, frees.  NULL-safe. */
void alert_svc_stop(struct eb_alert_svc *s);

/* New events or outbox rows were committed: look now.  NULL-safe. */
void alert_svc_kick(struct eb_alert_svc *s);

/* Counts one view of alert id (written in batches).  NULL-safe. */
void alert_svc_view(struct eb_alert_svc *s, int64_t id);

/*
 * Answers r with an event stream for the caller's organisation: events
 * "alert" (a message delivered to its inbox; data {"seq","kind","alert"}),
 * "read", "ack" and "webhook" (receipts of its own messages; data
 * {"seq","kind","alert_id","org_id"}), each with "id: <seq>"; a comment
 * line every heartbeat.  last_id > 0 first replays the organisation's
 * events after it (Last-Event-ID).  timeout_s >= 0 ends the stream after
 * that many seconds (0: send the replay and end); -1 never.
 */
void alert_svc_stream(struct eb_alert_svc *s, struct eb_req *r, int64_t last_id,
		      int timeout_s);

#endif
