/*
 * Internal interface between the two files of the alert module: alert.c
 * (messages, statements, exports) and alert_delivery.c (fan-out, inbox,
 * subscriptions, outbox, events).  Not for use outside src/domain/alert*.c.
 * All functions run inside the caller's write transaction unless noted.
 */
#ifndef EB_DOMAIN_ALERT_INT_H
#define EB_DOMAIN_ALERT_INT_H

#include <jansson.h>
#include <stdint.h>
#include "base/err.h"
#include "domain/principal.h"

struct eb_conn;

/* Writes the deliveries of issued alert `id` (inbox rows, pending webhook
 * rows) and its stream event; *recipients gets the inbox count. */
enum eb_err alert_fanout(struct eb_conn *c, int64_t id, const char *kind,
			 const char *incident, int64_t now, int64_t *recipients,
			 struct eb_detail *d);

/* Appends an event (kind "alert", "read", "ack", "webhook") to the
 * ordered event table. */
enum eb_err alert_event_add(struct eb_conn *c, int64_t alert_id,
			    const char *kind, int64_t org_id, int64_t now,
			    struct eb_detail *d);

/* Marks the inbox row of (alert, org) acknowledged by `by` (and read),
 * optionally by CAP Ack message ack_alert (0: none).  *changed is 1 when
 * it was not acknowledged before.  No audit row. */
enum eb_err alert_mark_acked(struct eb_conn *c, int64_t alert_id, int64_t org,
			     const char *by, int64_t ack_alert, int64_t now,
			     int *changed, struct eb_detail *d);

/* The full record of one alert without an access check (system use:
 * webhooks, events).  NULL when it does not exist. */
json_t *alert_record_system(struct eb_conn *c, int64_t id, int with_cap);

#endif
