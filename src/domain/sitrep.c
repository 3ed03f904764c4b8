/*
 * Situation reports.  See sitrep.h.
 *
 * One upsert path serves the API (sitrep_put) and imports
 * (sitrep_import_row): insert, and on the (owner, area, day) conflict
 * compare with the stored values; a difference moves the stored values to
 * sitrep_revisions and bumps the revision.  Inserting first and comparing
 * only on conflict keeps a first import of a large file at one statement
 * per row.
 */
#include "domain/sitrep.h"
#include "domain/audit.h"
#include "domain/dataver.h"
#include "formats/areas.h"
#include "formats/sitrep_rows.h"
#include "store/db.h"
#include "base/jcheck.h"
#include "base/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const sitrep_count_names[SITREP_NCOUNTS + 1] = {
	"new_confirmed", "cum_confirmed", "new_suspected", "cum_suspected",
	"new_deaths", "cum_deaths", "new_recovered", "cum_recovered",
	"new_tests", "cum_tests", NULL};

const char *const sitrep_transmission_names[5] = {"no_cases", "sporadic", "clusters", "community", NULL};

static const char *const flag_names[] = {"negative_new_cases", "negative_new_deaths", "derived_new", "summed"};

#define COUNT_MAX 10000000000LL

struct sr_vals {
	int64_t v[SITREP_NCOUNTS];
	unsigned present;
	int tx;    /* -1 unknown */
	int flags;
	const char *source;
	const char *note;
	enum eb_visibility vis;
};

/* The columns every read selects, in this order. */
#define SR_COLS "r.id, r.owner_org, r.visibility, r.area, r.day, r.new_confirmed, r.cum_confirmed, " \
	"r.new_suspected, r.cum_suspected, r.new_deaths, r.cum_deaths, r.new_recovered, r.cum_recovered, " \
	"r.new_tests, r.cum_tests, r.transmission, r.flags, r.source, r.note, r.revision, r.created_at, " \
	"r.updated_at, r.updated_by"
#define COL_COUNTS 5

static int tx_index(const char *s)
{
	for (int i = 0; s && sitrep_transmission_names[i]; i++)
		if (strcmp(s, sitrep_transmission_names[i]) == 0)
			return i;
	return -1;
}

static json_t *flags_json(int flags)
{
	json_t *a = json_array();
	for (int i = 0; i < 4; i++)
		if (flags & (1 << i))
			json_array_append_new(a, json_string(flag_names[i]));
	return a;
}

static json_t *row_json(struct eb_stmt *s, const struct eb_principal *who)
{
	char cr[32], up[32];
	eb_fmt_time(eb_col_i64(s, 20), cr);
	eb_fmt_time(eb_col_i64(s, 21), up);
	json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s}", "id", (json_int_t)eb_col_i64(s, 0),
			      "owner_org", (json_int_t)eb_col_i64(s, 1), "visibility", eb_col_text(s, 2),
			      "area", eb_col_text(s, 3), "date", eb_col_text(s, 4));
	for (int i = 0; i < SITREP_NCOUNTS; i++)
		json_object_set_new(o, sitrep_count_names[i],
				    eb_col_null(s, COL_COUNTS + i) ? json_null() : json_integer(eb_col_i64(s, COL_COUNTS + i)));
	json_object_set_new(o, "transmission", eb_col_null(s, 15) ? json_null() : json_string(eb_col_text(s, 15)));
	json_object_set_new(o, "flags", flags_json((int)eb_col_i64(s, 16)));
	json_object_set_new(o, "source", json_string(eb_col_text(s, 17)));
	json_object_set_new(o, "note", json_string(eb_col_text(s, 18)));
	json_object_set_new(o, "revision", json_integer(eb_col_i64(s, 19)));
	json_object_set_new(o, "created_at", json_string(cr));
	json_object_set_new(o, "updated_at", json_string(up));
	/* Who corrected it is shown to the owner only. */
	if (who && (who->kind == EB_CLI || who->org_id == eb_col_i64(s, 1)))
		json_object_set_new(o, "updated_by", json_string(eb_col_text(s, 22)));
	return o;
}

/* Values of a stored row (SR_COLS order) as JSON for the history. */
static json_t *values_json(struct eb_stmt *s)
{
	json_t *o = json_object();
	for (int i = 0; i < SITREP_NCOUNTS; i++)
		json_object_set_new(o, sitrep_count_names[i],
				    eb_col_null(s, COL_COUNTS + i) ? json_null() : json_integer(eb_col_i64(s, COL_COUNTS + i)));
	json_object_set_new(o, "transmission", eb_col_null(s, 15) ? json_null() : json_string(eb_col_text(s, 15)));
	json_object_set_new(o, "flags", flags_json((int)eb_col_i64(s, 16)));
	json_object_set_new(o, "source", json_string(eb_col_text(s, 17)));
	json_object_set_new(o, "note", json_string(eb_col_text(s, 18)));
	json_object_set_new(o, "visibility", json_string(eb_col_text(s, 2)));
	return o;
}

static int same_values(struct eb_stmt *s, const struct sr_vals *v)
{
	for (int i = 0; i < SITREP_NCOUNTS; i++) {
		int have = !eb_col_null(s, COL_COUNTS + i);
		int want = (v->present >> i) & 1;
		if (have != want || (have && eb_col_i64(s, COL_COUNTS + i) != v->v[i]))
			return 0;
	}
	int tx = eb_col_null(s, 15) ? -1 : tx_index(eb_col_text(s, 15));
	return tx == v->tx && (int)eb_col_i64(s, 16) == v->flags &&
	       strcmp(eb_col_text(s, 17), v->source ? v->source : "") == 0 &&
	       strcmp(eb_col_text(s, 18), v->note ? v->note : "") == 0 &&
	       strcmp(eb_col_text(s, 2), eb_visibility_name(v->vis)) == 0;
}

static void bind_vals(struct eb_stmt *s, int idx, const struct sr_vals *v)
{
	for (int i = 0; i < SITREP_NCOUNTS; i++) {
		if ((v->present >> i) & 1)
			eb_bind_i64(s, idx + i, v->v[i]);
		else
			eb_bind_null(s, idx + i);
	}
	idx += SITREP_NCOUNTS;
	if (v->tx >= 0)
		eb_bind_text(s, idx, sitrep_transmission_names[v->tx]);
	else
		eb_bind_null(s, idx);
	eb_bind_i64(s, idx + 1, v->flags);
	eb_bind_text(s, idx + 2, v->source ? v->source : "");
	eb_bind_text(s, idx + 3, v->note ? v->note : "");
}

enum outcome { SR_UNCHANGED = 0, SR_INSERTED = 1, SR_REVISED = 2 };

/* The INSERT of upsert(), with or without RETURNING id. */
#define SR_INSERT "INSERT INTO sitreps (owner_org, visibility, area, day, new_confirmed, cum_confirmed, new_suspected, " \
	"cum_suspected, new_deaths, cum_deaths, new_recovered, cum_recovered, new_tests, cum_tests, " \
	"transmission, flags, source, note, revision, created_at, updated_at, updated_by) " \
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) " \
	"ON CONFLICT (owner_org, area, day) DO NOTHING"

/* Inserts or corrects one report inside the caller's transaction.  *id is
 * set for a correction or an unchanged report, and for a new report only
 * when need_id: RETURNING costs SQLite an ephemeral table per execution
 * (about half the time of a large import), so imports that do not need
 * the new id ask whether a row was inserted instead. */
static enum eb_err upsert(struct eb_conn *c, int64_t owner, const char *area,
			  const char *day, const struct sr_vals *v, const char *by,
			  int64_t now, int need_id, int *outcome, int64_t *id, struct eb_detail *d)
{
	struct eb_stmt *ins = need_id ? eb_stmt(c, SR_INSERT " RETURNING id", d) : eb_stmt(c, SR_INSERT, d);
	if (!ins)
		return EB_EDB;
	eb_bind_i64(ins, 1, owner);
	eb_bind_text(ins, 2, eb_visibility_name(v->vis));
	eb_bind_text(ins, 3, area);
	eb_bind_text(ins, 4, day);
	bind_vals(ins, 5, v);
	eb_bind_i64(ins, 19, now);
	eb_bind_i64(ins, 20, now);
	eb_bind_text(ins, 21, by);
	int rc = eb_step(ins, d);
	int inserted = need_id ? rc == EB_ROW : rc == EB_DONE && eb_changes(ins) == 1;
	if (rc == EB_ROW)
		*id = eb_col_i64(ins, 0);
	eb_done(ins);
	if (inserted) {
		*outcome = SR_INSERTED;
		return EB_OK;
	}
	if (rc < 0)
		return (enum eb_err)rc;
	/* It exists: a correction, or the same values again. */
	struct eb_stmt *sel = eb_stmt(c, "SELECT " SR_COLS " FROM sitreps r WHERE r.owner_org = ? AND r.area = ? AND r.day = ?", d);
	if (!sel)
		return EB_EDB;
	eb_bind_i64(sel, 1, owner);
	eb_bind_text(sel, 2, area);
	eb_bind_text(sel, 3, day);
	rc = eb_step(sel, d);
	if (rc != EB_ROW) {
		eb_done(sel);
		return rc < 0 ? (enum eb_err)rc : eb_fail(d, EB_EDB, NULL, "report vanished during correction");
	}
	*id = eb_col_i64(sel, 0);
	if (same_values(sel, v)) {
		eb_done(sel);
		*outcome = SR_UNCHANGED;
		return EB_OK;
	}
	int64_t revision = eb_col_i64(sel, 19);
	int64_t changed_at = eb_col_i64(sel, 21);
	char *old = NULL;
	{
		json_t *ov = values_json(sel);
		old = json_dumps(ov, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(ov);
	}
	char old_by[96];
	snprintf(old_by, sizeof old_by, "%s", eb_col_text(sel, 22));
	eb_done(sel);
	struct eb_stmt *hist = eb_stmt(c, "INSERT INTO sitrep_revisions (sitrep_id, revision, values_json, changed_at, changed_by) VALUES (?, ?, ?, ?, ?)", d);
	if (!hist) {
		free(old);
		return EB_EDB;
	}
	eb_bind_i64(hist, 1, *id);
	eb_bind_i64(hist, 2, revision);
	eb_bind_text(hist, 3, old);
	eb_bind_i64(hist, 4, changed_at);
	eb_bind_text(hist, 5, old_by);
	rc = eb_step(hist, d);
	eb_done(hist);
	free(old);
	if (rc < 0)
		return (enum eb_err)rc;
	struct eb_stmt *up = eb_stmt(c,
		"UPDATE sitreps SET visibility = ?, new_confirmed = ?, cum_confirmed = ?, new_suspected = ?, cum_suspected = ?, "
		"new_deaths = ?, cum_deaths = ?, new_recovered = ?, cum_recovered = ?, new_tests = ?, cum_tests = ?, "
		"transmission = ?, flags = ?, source = ?, note = ?, revision = revision + 1, updated_at = ?, updated_by = ? WHERE id = ?", d);
	if (!up)
		return EB_EDB;
	eb_bind_text(up, 1, eb_visibility_name(v->vis));
	bind_vals(up, 2, v);
	eb_bind_i64(up, 16, now);
	eb_bind_text(up, 17, by);
	eb_bind_i64(up, 18, *id);
	rc = eb_step(up, d);
	eb_done(up);
	if (rc < 0)
		return (enum eb_err)rc;
	*outcome = SR_REVISED;
	return EB_OK;
}

/* ---- area and date rules shared by the API and imports ---- */

static enum eb_err check_area(const char *code, char out[16], const char *field, struct eb_detail *d)
{
	struct eb_detail ad = {0};
	const struct areas *a = areas_default(&ad);
	if (!a)
		return eb_fail(d, EB_EINTERNAL, NULL, "the area reference is not loaded: %s", ad.msg);
	const struct area *x = areas_by_code(a, code);
	if (!x)
		return eb_fail(d, EB_EINVAL, field, "%s is not a known ISO 3166-1 alpha-2 or subdivision code", code);
	snprintf(out, 16, "%s", x->code);
	return EB_OK;
}

static enum eb_err check_day(const char *day, const char *field, struct eb_detail *d)
{
	int32_t dd;
	if (eb_date_parse(day, &dd))
		return eb_fail(d, EB_EINVAL, field, "date must be YYYY-MM-DD");
	int32_t today = (int32_t)(eb_now_ms() / 86400000);
	if (dd > today + 1)
		return eb_fail(d, EB_EINVAL, field, "date %s is in the future", day);
	return EB_OK;
}

/* Rules on the values: cumulative and stock counts are not negative; a
 * negative new count is kept (a correction) and flagged; "no cases" has no
 * confirmed cases. */
static enum eb_err check_vals(struct sr_vals *v, int pointer_fields, struct eb_detail *d)
{
	for (int i = 0; i < SITREP_NCOUNTS; i++) {
		if (!((v->present >> i) & 1))
			continue;
		int is_new = (i % 2) == 0;
		if (v->v[i] >= 0 && v->v[i] <= COUNT_MAX)
			continue; /* the common case: no message to prepare */
		char f[40];
		snprintf(f, sizeof f, "%s%s", pointer_fields ? "/" : "", sitrep_count_names[i]);
		if (v->v[i] > COUNT_MAX || v->v[i] < -COUNT_MAX)
			return eb_fail(d, EB_EINVAL, f, "%s is out of range", sitrep_count_names[i]);
		if (!is_new && v->v[i] < 0)
			return eb_fail(d, EB_EINVAL, f, "%s cannot be negative", sitrep_count_names[i]);
		if (is_new && v->v[i] < 0) {
			if (i == 0)
				v->flags |= SITREP_F_NEGATIVE_NEW;
			else if (i == 4)
				v->flags |= SITREP_F_NEGATIVE_NEW_DEATHS;
			else
				return eb_fail(d, EB_EINVAL, f, "%s cannot be negative", sitrep_count_names[i]);
		}
	}
	if (v->tx == 0) {
		for (int i = 0; i < 4; i++)
			if (((v->present >> i) & 1) && v->v[i] > 0)
				return eb_fail(d, EB_EINVAL, pointer_fields ? "/transmission" : "transmission",
					       "transmission no_cases contradicts %s = %" PRId64,
					       sitrep_count_names[i], v->v[i]);
	}
	if (!v->present && v->tx < 0)
		return eb_fail(d, EB_EINVAL, pointer_fields ? "/new_confirmed" : "counts",
			       "a report needs at least one count or a transmission class");
	return EB_OK;
}

/* ---- the API ---- */

static const char *const vis_values[] = {"private", "partners", "listed", "public", NULL};
static const char *const tx_values[] = {"no_cases", "sporadic", "clusters", "community", NULL};

#define COUNT_FIELD(n) {n, EB_J_INT, 0, 0, -COUNT_MAX, COUNT_MAX, NULL}
static const struct eb_jfield put_spec[] = {
	{"area", EB_J_STR, 1, 15, 2, 0, NULL},
	{"date", EB_J_DATE, 1, 0, 0, 0, NULL},
	COUNT_FIELD("new_confirmed"), COUNT_FIELD("cum_confirmed"),
	COUNT_FIELD("new_suspected"), COUNT_FIELD("cum_suspected"),
	COUNT_FIELD("new_deaths"), COUNT_FIELD("cum_deaths"),
	COUNT_FIELD("new_recovered"), COUNT_FIELD("cum_recovered"),
	COUNT_FIELD("new_tests"), COUNT_FIELD("cum_tests"),
	{"transmission", EB_J_ENUM, 0, 0, 0, 0, tx_values},
	{"visibility", EB_J_ENUM, 0, 0, 0, 0, vis_values},
	{"shared_with", EB_J_IDS, 0, 200, 0, 0, NULL},
	{"source", EB_J_STR, 0, 200, 0, 0, NULL},
	{"note", EB_J_STR, 0, 4000, 0, 0, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL}};

static enum eb_err load_one(struct eb_conn *c, const struct eb_principal *who, int64_t id,
			    json_t **out, int64_t *owner, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT " SR_COLS " FROM sitreps r WHERE r.id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	int rc = eb_step(s, d);
	enum eb_err e = EB_OK;
	if (rc == EB_ROW) {
		int64_t own = eb_col_i64(s, 1);
		int vis = eb_visibility_parse(eb_col_text(s, 2));
		*out = row_json(s, who);
		if (owner)
			*owner = own;
		eb_done(s);
		if (who->kind != EB_CLI && !access_can_read(c, who, "sitrep", id, own, (enum eb_visibility)vis)) {
			json_decref(*out);
			*out = NULL;
			e = eb_fail(d, EB_ENOTFOUND, NULL, "no situation report %" PRId64, id);
		}
	} else {
		eb_done(s);
		e = rc < 0 ? (enum eb_err)rc : eb_fail(d, EB_ENOTFOUND, NULL, "no situation report %" PRId64, id);
	}
	return e;
}

enum eb_err sitrep_put(struct eb_conn *c, const struct eb_principal *who,
		       json_t *in, json_t **out, int *created, struct eb_detail *d)
{
	*out = NULL;
	*created = 0;
	enum eb_err e = eb_json_check(in, put_spec, 0, d);
	if (e)
		return e;
	if ((e = access_can_write(who, who->org_id, EB_ROLE_EDITOR, d)))
		return e;
	char area[16];
	if ((e = check_area(eb_jstr(in, "area"), area, "/area", d)))
		return e;
	const char *day = eb_jstr(in, "date");
	if ((e = check_day(day, "/date", d)))
		return e;
	struct sr_vals v = {0};
	for (int i = 0; i < SITREP_NCOUNTS; i++) {
		json_t *x = json_object_get(in, sitrep_count_names[i]);
		if (json_is_integer(x)) {
			v.v[i] = json_integer_value(x);
			v.present |= 1u << i;
		}
	}
	v.tx = tx_index(eb_jstr(in, "transmission"));
	v.source = eb_jstr(in, "source");
	v.note = eb_jstr(in, "note");
	const char *vis = eb_jstr(in, "visibility");
	v.vis = vis ? (enum eb_visibility)eb_visibility_parse(vis) : EB_VIS_PARTNERS;
	json_t *shared = json_object_get(in, "shared_with");
	if (shared && json_array_size(shared) && v.vis != EB_VIS_LISTED)
		return eb_fail(d, EB_EINVAL, "/shared_with", "shared_with is only used with visibility listed");
	if ((e = check_vals(&v, 1, d)))
		return e;
	if ((e = eb_begin(c, d)))
		return e;
	int outcome = 0;
	int64_t id = 0;
	json_t *before = NULL;
	e = upsert(c, who->org_id, area, day, &v, who->label, eb_now_ms(), 1, &outcome, &id, d);
	if (!e && v.vis == EB_VIS_LISTED)
		e = access_set_shares(c, "sitrep", id, shared ? shared : json_array(), d);
	if (!e)
		e = load_one(c, who, id, out, NULL, d);
	if (!e && outcome != SR_UNCHANGED)
		e = audit_append(c, who, outcome == SR_INSERTED ? "create" : "revise", "sitrep", id, before, *out, d);
	if (!e && outcome != SR_UNCHANGED)
		e = dataver_bump(c, "sitreps", d);
	if (e) {
		eb_rollback(c);
		json_decref(*out);
		*out = NULL;
		return e;
	}
	if ((e = eb_commit(c, d))) {
		json_decref(*out);
		*out = NULL;
		return e;
	}
	if (v.vis == EB_VIS_LISTED)
		json_object_set_new(*out, "shared_with", access_get_shares(c, "sitrep", id));
	*created = outcome == SR_INSERTED;
	return EB_OK;
}

enum eb_err sitrep_get(struct eb_conn *c, const struct eb_principal *who,
		       int64_t id, int with_history, json_t **out, struct eb_detail *d)
{
	int64_t owner = 0;
	enum eb_err e = load_one(c, who, id, out, &owner, d);
	if (e)
		return e;
	if (who->kind == EB_CLI || who->org_id == owner) {
		if (strcmp(eb_jstr(*out, "visibility"), "listed") == 0)
			json_object_set_new(*out, "shared_with", access_get_shares(c, "sitrep", id));
	}
	if (!with_history)
		return EB_OK;
	struct eb_stmt *s = eb_stmt(c, "SELECT revision, values_json, changed_at, changed_by FROM sitrep_revisions WHERE sitrep_id = ? ORDER BY revision", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	json_t *h = json_array();
	int rc;
	int owner_view = who->kind == EB_CLI || who->org_id == owner;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		char t[32];
		eb_fmt_time(eb_col_i64(s, 2), t);
		json_t *r = json_pack("{s:I, s:o, s:s}", "revision", (json_int_t)eb_col_i64(s, 0),
				      "values", json_loads(eb_col_text(s, 1), 0, NULL), "changed_at", t);
		if (owner_view)
			json_object_set_new(r, "changed_by", json_string(eb_col_text(s, 3)));
		json_array_append_new(h, r);
	}
	eb_done(s);
	json_object_set_new(*out, "history", h);
	return rc < 0 ? (enum eb_err)rc : EB_OK;
}

enum eb_err sitrep_list(struct eb_conn *c, const struct eb_principal *who,
			const struct sitrep_query *q, json_t **items,
			int64_t *last_id, struct eb_detail *d)
{
	/* One statement per shape of filter, written so that the database can
	 * use an index: (area, day) with an area, day with dates only, the
	 * primary key otherwise.  Absent dates become bounds every date
	 * passes. */
	const char *sql;
	if (q->area && *q->area)
		sql = "SELECT " SR_COLS " FROM sitreps r WHERE r.area = ? AND r.day >= ? AND r.day <= ? "
		      "AND r.id > ? AND (? = 0 OR r.owner_org = ?) AND " ACCESS_VISIBLE_SQL("r") " ORDER BY r.id LIMIT ?";
	else if ((q->from && *q->from) || (q->to && *q->to))
		sql = "SELECT " SR_COLS " FROM sitreps r WHERE ? = '' AND r.day >= ? AND r.day <= ? "
		      "AND r.id > ? AND (? = 0 OR r.owner_org = ?) AND " ACCESS_VISIBLE_SQL("r") " ORDER BY r.id LIMIT ?";
	else
		sql = "SELECT " SR_COLS " FROM sitreps r WHERE ? = '' AND ? = '' AND ? = '' "
		      "AND r.id > ? AND (? = 0 OR r.owner_org = ?) AND " ACCESS_VISIBLE_SQL("r") " ORDER BY r.id LIMIT ?";
	struct eb_stmt *s = eb_stmt(c, sql, d);
	if (!s)
		return EB_EDB;
	const char *area = q->area ? q->area : "";
	const char *from = q->from && *q->from ? q->from : "0000-00-00";
	const char *to = q->to && *q->to ? q->to : "9999-99-99";
	int unfiltered = !(q->area && *q->area) && !(q->from && *q->from) && !(q->to && *q->to);
	eb_bind_text(s, 1, area);
	eb_bind_text(s, 2, unfiltered ? "" : from);
	eb_bind_text(s, 3, unfiltered ? "" : to);
	eb_bind_i64(s, 4, q->after);
	eb_bind_i64(s, 5, q->org);
	eb_bind_i64(s, 6, q->org);
	int idx = access_bind_visible(s, 7, who, "sitrep");
	eb_bind_i64(s, idx, q->limit);
	json_t *arr = json_array();
	int rc;
	*last_id = 0;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		json_array_append_new(arr, row_json(s, who));
		*last_id = eb_col_i64(s, 0);
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(arr);
		return (enum eb_err)rc;
	}
	*items = arr;
	return EB_OK;
}

enum eb_err sitrep_changes(struct eb_conn *c, const struct eb_principal *who,
			   int64_t since_ms, int64_t after_id, int limit,
			   json_t **items, int64_t *next_ms, int64_t *next_id,
			   struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c,
		"SELECT " SR_COLS " FROM sitreps r WHERE (r.updated_at > ? OR (r.updated_at = ? AND r.id > ?)) AND "
		ACCESS_VISIBLE_SQL("r") " ORDER BY r.updated_at, r.id LIMIT ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, since_ms);
	eb_bind_i64(s, 2, since_ms);
	eb_bind_i64(s, 3, after_id);
	int idx = access_bind_visible(s, 4, who, "sitrep");
	eb_bind_i64(s, idx, limit);
	json_t *arr = json_array();
	int rc;
	*next_ms = since_ms;
	*next_id = after_id;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		json_array_append_new(arr, row_json(s, who));
		*next_ms = eb_col_i64(s, 21);
		*next_id = eb_col_i64(s, 0);
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(arr);
		return (enum eb_err)rc;
	}
	*items = arr;
	return EB_OK;
}

enum eb_err sitrep_day(struct eb_conn *c, const struct eb_principal *who,
		       const char *day, int64_t org, json_t **out, struct eb_detail *d)
{
	if (!eb_date_valid(day))
		return eb_fail(d, EB_EINVAL, "date", "the date must be YYYY-MM-DD");
	struct eb_stmt *s = eb_stmt(c,
		"SELECT " SR_COLS " FROM sitreps r WHERE r.day = ? AND (? = 0 OR r.owner_org = ?) AND "
		ACCESS_VISIBLE_SQL("r") " ORDER BY r.area, r.owner_org", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, day);
	eb_bind_i64(s, 2, org);
	eb_bind_i64(s, 3, org);
	access_bind_visible(s, 4, who, "sitrep");
	json_t *arr = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW)
		json_array_append_new(arr, row_json(s, who));
	eb_done(s);
	if (rc < 0) {
		json_decref(arr);
		return (enum eb_err)rc;
	}
	*out = json_pack("{s:s, s:o}", "date", day, "items", arr);
	return EB_OK;
}

enum eb_err sitrep_series(struct eb_conn *c, const struct eb_principal *who,
			  const char *area, const char *from, const char *to,
			  int64_t org, json_t **out, struct eb_detail *d)
{
	char code[16];
	enum eb_err e = check_area(area, code, "area", d);
	if (e)
		return e;
	if ((from && *from && !eb_date_valid(from)) || (to && *to && !eb_date_valid(to)))
		return eb_fail(d, EB_EINVAL, from && *from && !eb_date_valid(from) ? "from" : "to",
			       "dates must be YYYY-MM-DD");
	if (!org) {
		struct eb_stmt *p = eb_stmt(c,
			"SELECT r.owner_org FROM sitreps r WHERE r.area = ? AND " ACCESS_VISIBLE_SQL("r")
			" GROUP BY r.owner_org ORDER BY COUNT(*) DESC, r.owner_org LIMIT 1", d);
		if (!p)
			return EB_EDB;
		eb_bind_text(p, 1, code);
		access_bind_visible(p, 2, who, "sitrep");
		int rc = eb_step(p, d);
		if (rc == EB_ROW)
			org = eb_col_i64(p, 0);
		eb_done(p);
		if (rc < 0)
			return (enum eb_err)rc;
	}
	json_t *dates = json_array(), *cols[SITREP_NCOUNTS], *txs = json_array();
	for (int i = 0; i < SITREP_NCOUNTS; i++)
		cols[i] = json_array();
	struct eb_stmt *s = eb_stmt(c,
		"SELECT " SR_COLS " FROM sitreps r WHERE r.area = ? AND r.owner_org = ? AND (? = '' OR r.day >= ?) "
		"AND (? = '' OR r.day <= ?) AND " ACCESS_VISIBLE_SQL("r") " ORDER BY r.day", d);
	int rc = EB_DONE;
	if (s) {
		const char *f = from ? from : "", *t = to ? to : "";
		eb_bind_text(s, 1, code);
		eb_bind_i64(s, 2, org);
		eb_bind_text(s, 3, f);
		eb_bind_text(s, 4, f);
		eb_bind_text(s, 5, t);
		eb_bind_text(s, 6, t);
		access_bind_visible(s, 7, who, "sitrep");
		while ((rc = eb_step(s, d)) == EB_ROW) {
			json_array_append_new(dates, json_string(eb_col_text(s, 4)));
			for (int i = 0; i < SITREP_NCOUNTS; i++)
				json_array_append_new(cols[i], eb_col_null(s, COL_COUNTS + i) ? json_null()
								     : json_integer(eb_col_i64(s, COL_COUNTS + i)));
			json_array_append_new(txs, eb_col_null(s, 15) ? json_null() : json_string(eb_col_text(s, 15)));
		}
		eb_done(s);
	}
	json_t *o = json_pack("{s:s, s:o, s:o}", "area", code, "source_org", org ? json_integer(org) : json_null(),
			      "dates", dates);
	for (int i = 0; i < SITREP_NCOUNTS; i++)
		json_object_set_new(o, sitrep_count_names[i], cols[i]);
	json_object_set_new(o, "transmission", txs);
	if (!s || rc < 0) {
		json_decref(o);
		return s ? (enum eb_err)rc : EB_EDB;
	}
	*out = o;
	return EB_OK;
}

/* ---- imports ---- */

struct sitrep_import {
	struct eb_conn *c;
	struct eb_principal who;
	struct sitrep_import_opts o;
	struct sitrep_import_stats st;
	json_t *rejects;
	int64_t now;
	char source[201];
	char label[201];
};

enum eb_err sitrep_import_begin(struct eb_conn *c, const struct eb_principal *who,
				const struct sitrep_import_opts *opts,
				struct sitrep_import **out, struct eb_detail *d)
{
	*out = NULL;
	enum eb_err e = access_can_write(who, opts->org, EB_ROLE_EDITOR, d);
	if (e)
		return e;
	if (opts->visibility != EB_VIS_LISTED && opts->shared_with && json_array_size(opts->shared_with))
		return eb_fail(d, EB_EINVAL, "shared_with", "sharing with named organisations needs visibility listed");
	struct eb_detail ad = {0};
	if (!areas_default(&ad))
		return eb_fail(d, EB_EINTERNAL, NULL, "the area reference is not loaded: %s", ad.msg);
	struct sitrep_import *imp = calloc(1, sizeof *imp);
	if (!imp)
		return EB_ENOMEM;
	imp->c = c;
	imp->who = *who;
	imp->o = *opts;
	if (imp->o.max_rejects_kept <= 0)
		imp->o.max_rejects_kept = 100;
	snprintf(imp->source, sizeof imp->source, "%s", opts->source ? opts->source : "");
	snprintf(imp->label, sizeof imp->label, "%s", opts->label ? opts->label : "");
	imp->o.source = imp->source;
	imp->o.label = imp->label;
	imp->rejects = json_array();
	imp->now = eb_now_ms();
	if ((e = eb_begin(c, d))) {
		json_decref(imp->rejects);
		free(imp);
		return e;
	}
	*out = imp;
	return EB_OK;
}

/* A row read and rejected (by the domain's rules or the reader's). */
static void note_reject(struct sitrep_import *imp, long line, const char *field,
			const char *reason)
{
	imp->st.rejected++;
	if ((int)json_array_size(imp->rejects) < imp->o.max_rejects_kept)
		json_array_append_new(imp->rejects, json_pack("{s:I, s:s, s:s}", "line", (json_int_t)line,
							       "field", field ? field : "", "reason", reason));
}

/* Rows the reader rejected never reach sitrep_import_row: count them as
 * read here, so that read = inserted + revised + unchanged + rejected. */
void sitrep_import_reject(struct sitrep_import *imp, long line, const char *field,
			  const char *reason)
{
	imp->st.read++;
	note_reject(imp, line, field, reason);
}

enum eb_err sitrep_import_row(struct sitrep_import *imp, const struct sitrep_row *row,
			      struct eb_detail *d)
{
	imp->st.read++;
	char area[16];
	struct eb_detail rd = {0};
	if (check_area(row->area, area, "area", &rd) || check_day(row->date, "date", &rd)) {
		note_reject(imp, row->line, rd.field, rd.msg);
		return EB_OK;
	}
	struct sr_vals v = {0};
	const struct sitrep_count *src[SITREP_NCOUNTS] = {
		&row->new_confirmed, &row->cum_confirmed, NULL, &row->suspected,
		&row->new_deaths, &row->cum_deaths, NULL, &row->recovered, NULL, &row->tests};
	for (int i = 0; i < SITREP_NCOUNTS; i++) {
		if (src[i] && src[i]->present) {
			v.v[i] = src[i]->value;
			v.present |= 1u << i;
		}
	}
	v.tx = row->transmission >= 0 && row->transmission <= 3 ? row->transmission : -1;
	v.flags = row->flags;
	v.source = imp->source;
	v.vis = imp->o.visibility;
	if (check_vals(&v, 0, &rd)) {
		note_reject(imp, row->line, rd.field, rd.msg);
		return EB_OK;
	}
	int outcome = 0;
	int64_t id = 0;
	int listed = imp->o.visibility == EB_VIS_LISTED && imp->o.shared_with;
	enum eb_err e = upsert(imp->c, imp->o.org, area, row->date, &v, imp->who.label, imp->now, listed,
			       &outcome, &id, d);
	if (e)
		return e;
	if (outcome == SR_INSERTED)
		imp->st.inserted++;
	else if (outcome == SR_REVISED)
		imp->st.revised++;
	else
		imp->st.unchanged++;
	if (imp->o.visibility == EB_VIS_LISTED && outcome != SR_UNCHANGED && imp->o.shared_with)
		return access_set_shares(imp->c, "sitrep", id, imp->o.shared_with, d);
	return EB_OK;
}

enum eb_err sitrep_import_end(struct sitrep_import *imp, int commit,
			      struct sitrep_import_stats *st, json_t **report,
			      struct eb_detail *d)
{
	enum eb_err e = EB_OK;
	int keep = commit && (imp->st.rejected == 0 || imp->o.keep_valid);
	json_t *summary = json_pack("{s:I, s:I, s:I, s:I, s:I}", "read", (json_int_t)imp->st.read,
				    "inserted", (json_int_t)imp->st.inserted, "revised", (json_int_t)imp->st.revised,
				    "unchanged", (json_int_t)imp->st.unchanged, "rejected", (json_int_t)imp->st.rejected);
	if (keep) {
		json_t *after = json_deep_copy(summary);
		json_object_set_new(after, "file", json_string(imp->label));
		json_object_set_new(after, "source", json_string(imp->source));
		json_object_set_new(after, "owner_org", json_integer(imp->o.org));
		json_object_set_new(after, "visibility", json_string(eb_visibility_name(imp->o.visibility)));
		e = audit_append(imp->c, &imp->who, "import", "sitrep_import", imp->o.org, NULL, after, d);
		json_decref(after);
		if (!e && imp->st.inserted + imp->st.revised > 0)
			e = dataver_bump(imp->c, "sitreps", d);
		if (!e)
			e = eb_commit(imp->c, d);
		else
			eb_rollback(imp->c);
	} else {
		eb_rollback(imp->c);
	}
	json_object_set_new(summary, "committed", json_boolean(keep && !e));
	json_object_set_new(summary, "rejects", imp->rejects);
	if (st)
		*st = imp->st;
	if (report)
		*report = summary;
	else
		json_decref(summary);
	free(imp);
	return e;
}
