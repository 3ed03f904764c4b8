/*
 * Hash-chained audit log.  See audit.h.
 *
 * The hashed text is the fields joined by '\n' in a fixed order, with JSON
 * dumped compactly with sorted keys, so that the same row always hashes the
 * same on both databases.
 */
#include "domain/audit.h"
#include "store/db.h"
#include "base/buf.h"
#include "base/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dump(json_t *v)
{
	return v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
}

static enum eb_err row_hash(const char *prev, int64_t seq, int64_t at,
			    const char *kind, int64_t user, int64_t org,
			    const char *label, const char *action,
			    const char *entity, const char *entity_id,
			    const char *before, const char *after, char out[65])
{
	struct eb_buf b;
	eb_buf_init(&b, 0);
	enum eb_err e = eb_buf_printf(&b, "%s\n%" PRId64 "\n%" PRId64 "\n%s\n%" PRId64 "\n%" PRId64 "\n%s\n%s\n%s\n%s\n%s\n%s",
				      prev, seq, at, kind, user, org, label, action, entity,
				      entity_id, before ? before : "", after ? after : "");
	if (!e)
		eb_sha256_hex(b.data, b.len, out);
	eb_buf_free(&b);
	return e;
}

static const char *kind_name(enum eb_principal_kind k)
{
	switch (k) {
	case EB_USER: return "user";
	case EB_TOKEN: return "token";
	case EB_CLI: return "cli";
	default: return "anonymous";
	}
}

enum eb_err audit_append(struct eb_conn *c, const struct eb_principal *who,
			 const char *action, const char *entity, int64_t entity_id,
			 json_t *before, json_t *after, struct eb_detail *d)
{
	if (!eb_in_tx(c))
		return eb_fail(d, EB_EINTERNAL, NULL, "audit_append outside a transaction");
	struct eb_stmt *h = eb_stmt(c, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash", d);
	if (!h)
		return EB_EDB;
	int rc = eb_step(h, d);
	if (rc != EB_ROW) {
		eb_done(h);
		return rc < 0 ? (enum eb_err)rc : eb_fail(d, EB_EDB, NULL, "audit head missing");
	}
	int64_t seq = eb_col_i64(h, 0);
	char prev[65];
	snprintf(prev, sizeof prev, "%s", eb_col_text(h, 1));
	eb_done(h);

	int64_t at = eb_now_ms();
	char eid[24];
	snprintf(eid, sizeof eid, "%" PRId64, entity_id);
	char *b = dump(before), *a = dump(after);
	char hash[65];
	int64_t user = who->user_id, org = who->org_id;
	enum eb_err e = row_hash(prev, seq, at, kind_name(who->kind), user, org,
				 who->label, action, entity, eid, b, a, hash);
	struct eb_stmt *ins = e ? NULL : eb_stmt(c,
		"INSERT INTO audit_log (seq, at, actor_kind, actor_user, actor_org, actor_label, action, entity, entity_id, before_json, after_json, prev_hash, hash) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", d);
	if (ins) {
		eb_bind_i64(ins, 1, seq);
		eb_bind_i64(ins, 2, at);
		eb_bind_text(ins, 3, kind_name(who->kind));
		eb_bind_i64(ins, 4, user);
		eb_bind_i64(ins, 5, org);
		eb_bind_text(ins, 6, who->label);
		eb_bind_text(ins, 7, action);
		eb_bind_text(ins, 8, entity);
		eb_bind_text(ins, 9, eid);
		eb_bind_text(ins, 10, b);
		eb_bind_text(ins, 11, a);
		eb_bind_text(ins, 12, prev);
		eb_bind_text(ins, 13, hash);
		rc = eb_step(ins, d);
		eb_done(ins);
		e = rc < 0 ? (enum eb_err)rc : EB_OK;
		if (!e) {
			struct eb_stmt *u = eb_stmt(c, "UPDATE audit_head SET last_hash = ? WHERE id = 1", d);
			if (!u)
				e = EB_EDB;
			else {
				eb_bind_text(u, 1, hash);
				rc = eb_step(u, d);
				eb_done(u);
				e = rc < 0 ? (enum eb_err)rc : EB_OK;
			}
		}
	} else if (!e) {
		e = EB_EDB;
	}
	free(b);
	free(a);
	return e;
}

enum eb_err audit_verify(struct eb_conn *c, struct audit_report *rep,
			 void (*progress)(int64_t, int64_t, void *), void *arg,
			 struct eb_detail *d)
{
	memset(rep, 0, sizeof *rep);
	int64_t total = 0;
	enum eb_err e = eb_run(c, "SELECT COUNT(*) FROM audit_log", &total, d, 0);
	if (e)
		return e;
	struct eb_stmt *s = eb_stmt(c,
		"SELECT seq, at, actor_kind, actor_user, actor_org, actor_label, action, entity, entity_id, "
		"before_json, after_json, prev_hash, hash FROM audit_log ORDER BY seq", d);
	if (!s)
		return EB_EDB;
	char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
	int64_t expect = 1;
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		int64_t seq = eb_col_i64(s, 0);
		char hash[65];
		if (seq != expect) {
			rep->first_bad = expect;
			snprintf(rep->reason, sizeof rep->reason,
				 "row %" PRId64 " is missing (next present row is %" PRId64 ")", expect, seq);
			break;
		}
		if (strcmp(eb_col_text(s, 11), prev) != 0) {
			rep->first_bad = seq;
			snprintf(rep->reason, sizeof rep->reason,
				 "row %" PRId64 " does not link to the previous row's hash", seq);
			break;
		}
		row_hash(prev, seq, eb_col_i64(s, 1), eb_col_text(s, 2), eb_col_i64(s, 3),
			 eb_col_i64(s, 4), eb_col_text(s, 5), eb_col_text(s, 6), eb_col_text(s, 7),
			 eb_col_text(s, 8), eb_col_null(s, 9) ? NULL : eb_col_text(s, 9),
			 eb_col_null(s, 10) ? NULL : eb_col_text(s, 10), hash);
		if (strcmp(hash, eb_col_text(s, 12)) != 0) {
			rep->first_bad = seq;
			snprintf(rep->reason, sizeof rep->reason,
				 "row %" PRId64 " was changed after it was written (its hash does not match its contents)", seq);
			break;
		}
		memcpy(prev, hash, sizeof prev);
		rep->rows++;
		expect++;
		if (progress && rep->rows % 10000 == 0)
			progress(rep->rows, total, arg);
	}
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	if (!rep->first_bad) {
		int64_t head = 0;
		e = eb_run(c, "SELECT seq FROM audit_head WHERE id = 1", &head, d, 0);
		if (e)
			return e;
		if (head != expect - 1) {
			rep->first_bad = expect;
			snprintf(rep->reason, sizeof rep->reason,
				 "rows %" PRId64 " to %" PRId64 " are missing at the end of the log", expect, head);
		}
	}
	if (progress)
		progress(rep->rows, total, arg);
	return EB_OK;
}

enum eb_err audit_list(struct eb_conn *c, const struct eb_principal *who,
		       int limit, int64_t before_seq, json_t **out,
		       int64_t *last_seq, struct eb_detail *d)
{
	int all = who->kind == EB_CLI || (who->operator_org && who->role == EB_ROLE_ADMIN);
	struct eb_stmt *s = eb_stmt(c,
		"SELECT seq, at, actor_kind, actor_user, actor_org, actor_label, action, entity, entity_id, before_json, after_json, hash "
		"FROM audit_log WHERE (? = 1 OR actor_org = ?) AND (? = 0 OR seq < ?) ORDER BY seq DESC LIMIT ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, all);
	eb_bind_i64(s, 2, who->org_id);
	eb_bind_i64(s, 3, before_seq);
	eb_bind_i64(s, 4, before_seq);
	eb_bind_i64(s, 5, limit);
	json_t *arr = json_array();
	int rc;
	*last_seq = 0;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		char t[32];
		eb_fmt_time(eb_col_i64(s, 1), t);
		json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s}",
				      "seq", (json_int_t)eb_col_i64(s, 0), "at", t,
				      "actor_kind", eb_col_text(s, 2),
				      "actor_user", (json_int_t)eb_col_i64(s, 3),
				      "actor_org", (json_int_t)eb_col_i64(s, 4),
				      "actor", eb_col_text(s, 5), "action", eb_col_text(s, 6),
				      "entity", eb_col_text(s, 7), "entity_id", eb_col_text(s, 8),
				      "hash", eb_col_text(s, 11));
		json_object_set_new(o, "before", eb_col_null(s, 9) ? json_null() : json_loads(eb_col_text(s, 9), JSON_DECODE_ANY, NULL));
		json_object_set_new(o, "after", eb_col_null(s, 10) ? json_null() : json_loads(eb_col_text(s, 10), JSON_DECODE_ANY, NULL));
		json_array_append_new(arr, o);
		*last_seq = eb_col_i64(s, 0);
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(arr);
		return (enum eb_err)rc;
	}
	*out = arr;
	return EB_OK;
}
