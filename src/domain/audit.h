/*
 * The append-only, hash-chained audit log of every write.
 *
 * Each row records who (principal), when, what (action, entity, id) and the
 * record before and after as JSON.  Its hash is SHA-256 over the previous
 * row's hash and this row's fields, so changing or deleting any row breaks
 * the chain from there on; audit_verify finds the first such row.  Appends
 * run inside the caller's write transaction, so an audit row exists exactly
 * when the change it describes was committed.  Appends are serialised through
 * the single row of audit_head (a row lock on PostgreSQL, the write lock on
 * SQLite).
 */
#ifndef EB_DOMAIN_AUDIT_H
#define EB_DOMAIN_AUDIT_H

#include <jansson.h>
#include <stdint.h>
#include "base/err.h"
#include "domain/principal.h"

struct eb_conn;

/* before/after may be NULL; they are not consumed. Must be called inside a
 * transaction. */
enum eb_err audit_append(struct eb_conn *c, const struct eb_principal *who,
			 const char *action, const char *entity, int64_t entity_id,
			 json_t *before, json_t *after, struct eb_detail *d);

struct audit_report {
	int64_t rows;        /* rows checked */
	int64_t first_bad;   /* seq of the first tampered or missing row, 0 if intact */
	char reason[160];
};

/* Walks the whole chain.  progress (may be NULL) is called every 10,000 rows
 * with rows checked so far and the total. */
enum eb_err audit_verify(struct eb_conn *c, struct audit_report *rep,
			 void (*progress)(int64_t done, int64_t total, void *),
			 void *arg, struct eb_detail *d);

/* Lists audit rows newest first; operators see all, others their own
 * organisation's actions.  Returns a JSON array (new reference). */
enum eb_err audit_list(struct eb_conn *c, const struct eb_principal *who,
		       int limit, int64_t before_seq, json_t **out,
		       int64_t *last_seq, struct eb_detail *d);

#endif
