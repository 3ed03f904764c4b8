/*
 * Risk assessments and the proposed level.  See risk.h; the rules are
 * written out in docs/risk-rules.md and implemented in risk_propose only.
 *
 * One upsert path serves the API (risk_put) and imports (risk_import):
 * insert, and on the (owner, scope, code, day) conflict compare with the
 * stored values; a difference updates the row and appends an audit row
 * holding the values before and after, which is the history of
 * corrections.
 */
#include "domain/risk.h"
#include "domain/dataver.h"
#include "domain/audit.h"
#include "domain/indicators.h"
#include "formats/areas.h"
#include "store/db.h"
#include "base/jcheck.h"
#include "base/util.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const risk_level_names[] = {"low", "moderate", "high", "very_high", NULL};
const char *const risk_scope_names[] = {"area", "region", "world", NULL};
const char *const risk_who_regions[] = {"AFRO", "AMRO", "EMRO", "EURO", "SEARO", "WPRO", NULL};

#define RISK_RULES_ID "ecdc-nr14-v1"
#define RISK_KIND "risk"

enum risk_level risk_level_parse(const char *s)
{
	for (int i = 0; s && risk_level_names[i]; i++)
		if (strcmp(s, risk_level_names[i]) == 0)
			return (enum risk_level)i;
	return RISK_NONE;
}

const char *risk_level_name(enum risk_level l)
{
	return l >= RISK_LOW && l <= RISK_VERY_HIGH ? risk_level_names[l] : "none";
}

/* ---- the rules (docs/risk-rules.md) ---- */

static void reason(struct risk_proposal *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reason(struct risk_proposal *p, const char *fmt, ...)
{
	if (p->nreasons >= RISK_MAX_REASONS)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->reasons[p->nreasons++], RISK_REASON_LEN, fmt, ap);
	va_end(ap);
}

void risk_propose(const struct risk_inputs *in, struct risk_proposal *p)
{
	memset(p, 0, sizeof *p);
	p->level = RISK_NONE;
	if (!isfinite(in->nr14)) {
		reason(p, "no 14-day notification rate (needs 14 reported days and the area's population): no proposal");
		return;
	}
	enum risk_level base;
	const char *band;
	if (in->nr14 < 25) {
		base = RISK_LOW;
		band = "below 25";
	} else if (in->nr14 < 50) {
		base = RISK_MODERATE;
		band = "25 to below 50";
	} else if (in->nr14 <= 150) {
		base = RISK_HIGH;
		band = "50 to 150";
	} else {
		base = RISK_VERY_HIGH;
		band = "above 150";
	}
	reason(p, "14-day notification rate %.1f per 100,000 (%s): %s", in->nr14, band, risk_level_name(base));
	int g_up = in->growth_lo > 0, g_down = in->growth_hi < 0; /* false on NaN */
	int r_up = in->rt_q025 > 1, r_down = in->rt_q975 < 1;
	if (g_up || g_down)
		reason(p, "growth rate %.3f per day, 95%% CI %.3f to %.3f, %s 0",
		       in->growth_r, in->growth_lo, in->growth_hi, g_up ? "above" : "below");
	if (r_up || r_down)
		reason(p, "Rt 95%% credible interval %.2f to %.2f, %s 1",
		       in->rt_q025, in->rt_q975, r_up ? "above" : "below");
	int up = g_up || r_up, down = g_down || r_down;
	enum risk_level lv = base;
	if (up && down) {
		reason(p, "growth and Rt disagree: level kept");
	} else if (up) {
		lv = base < RISK_VERY_HIGH ? base + 1 : base;
		reason(p, lv == base ? "rising: already the highest level" : "rising: raised one level to %s",
		       risk_level_name(lv));
	} else if (down) {
		lv = base > RISK_LOW ? base - 1 : base;
		reason(p, lv == base ? "falling: already the lowest level" : "falling: lowered one level to %s",
		       risk_level_name(lv));
	} else {
		reason(p, "no significant growth or decline (or not enough data for it): level kept");
	}
	p->level = lv;
}

static json_t *num_or_null(double v)
{
	json_t *j = isfinite(v) ? json_real(v) : NULL;
	return j ? j : json_null();
}

/* The proposal JSON for area and day (both already valid). */
static enum eb_err proposal_json(struct eb_conn *c, const char *area, const char *day,
				 json_t **out, struct eb_detail *d)
{
	struct indicators_basis b;
	int rc = indicators_basis_get(c, area, day, &b, d);
	if (rc < 0)
		return (enum eb_err)rc;
	struct risk_proposal p;
	json_t *o = json_object();
	json_object_set_new(o, "rules", json_string(RISK_RULES_ID));
	if (rc == 0) {
		json_object_set_new(o, "level", json_null());
		json_object_set_new(o, "reasons", json_pack("[s]",
			"no indicators for this area and day (no public reports, or `epibridge indicators` has not run since): no proposal"));
		json_object_set_new(o, "inputs", json_null());
		*out = o;
		return EB_OK;
	}
	struct risk_inputs in = {b.nr14, b.growth_r, b.growth_lo, b.growth_hi, b.rt_q025, b.rt_q975};
	risk_propose(&in, &p);
	json_object_set_new(o, "level", p.level == RISK_NONE ? json_null() : json_string(risk_level_name(p.level)));
	json_t *rs = json_array();
	for (int i = 0; i < p.nreasons; i++)
		json_array_append_new(rs, json_string(p.reasons[i]));
	json_object_set_new(o, "reasons", rs);
	json_t *inp = json_object();
	json_object_set_new(inp, "source_org", json_integer(b.source_org));
	json_object_set_new(inp, "avg7", num_or_null(b.avg7));
	json_object_set_new(inp, "nr14", num_or_null(b.nr14));
	json_object_set_new(inp, "growth_r", num_or_null(b.growth_r));
	json_object_set_new(inp, "growth_lo", num_or_null(b.growth_lo));
	json_object_set_new(inp, "growth_hi", num_or_null(b.growth_hi));
	json_object_set_new(inp, "rt_mean", num_or_null(b.rt_mean));
	json_object_set_new(inp, "rt_q025", num_or_null(b.rt_q025));
	json_object_set_new(inp, "rt_q975", num_or_null(b.rt_q975));
	json_object_set_new(o, "inputs", inp);
	*out = o;
	return EB_OK;
}

/* ---- checks shared by the API and imports ---- */

static enum eb_err check_area(const char *code, char out[16], const char *field, struct eb_detail *d)
{
	struct eb_detail ad = {0};
	const struct areas *a = areas_default(&ad);
	if (!a)
		return eb_fail(d, EB_EINTERNAL, NULL, "the area reference is not loaded: %s", ad.msg);
	const struct area *x = code ? areas_by_code(a, code) : NULL;
	if (!x)
		return eb_fail(d, EB_EINVAL, field, "%s is not a known ISO 3166-1 alpha-2 or subdivision code",
			       code ? code : "(none)");
	snprintf(out, 16, "%s", x->code);
	return EB_OK;
}

/* Canonical code of a scope: area code, region in capitals, "world". */
static enum eb_err check_scope_code(const char *scope, const char *code, char out[16],
				    const char *field, struct eb_detail *d)
{
	if (strcmp(scope, "area") == 0) {
		if (!code || !*code)
			return eb_fail(d, EB_EINVAL, field, "an area assessment needs the area code, e.g. \"CN\"");
		return check_area(code, out, field, d);
	}
	if (strcmp(scope, "region") == 0) {
		char up[16] = "";
		for (size_t i = 0; code && code[i] && i + 1 < sizeof up; i++)
			up[i] = (char)toupper((unsigned char)code[i]);
		for (int i = 0; risk_who_regions[i]; i++)
			if (code && strlen(code) < sizeof up && strcmp(up, risk_who_regions[i]) == 0) {
				snprintf(out, 16, "%s", risk_who_regions[i]);
				return EB_OK;
			}
		return eb_fail(d, EB_EINVAL, field, "a region is one of the WHO regions AFRO AMRO EMRO EURO SEARO WPRO");
	}
	if (strcmp(scope, "world") == 0) {
		if (code && *code && strcmp(code, "world") != 0)
			return eb_fail(d, EB_EINVAL, field, "a world assessment has no code (or \"world\")");
		snprintf(out, 16, "world");
		return EB_OK;
	}
	return eb_fail(d, EB_EINVAL, field, "scope must be area, region or world");
}

static enum eb_err check_day(const char *day, const char *field, struct eb_detail *d)
{
	int32_t dd;
	if (!day || eb_date_parse(day, &dd))
		return eb_fail(d, EB_EINVAL, field, "date must be YYYY-MM-DD");
	int32_t today = (int32_t)(eb_now_ms() / 86400000);
	if (dd > today + 1)
		return eb_fail(d, EB_EINVAL, field, "date %s is in the future", day);
	return EB_OK;
}

/* ---- rows ---- */

#define RISK_COLS "a.id, a.owner_org, a.visibility, a.scope, a.scope_code, a.day, a.level, " \
	"a.rationale, a.source, a.created_at, a.updated_at"

static json_t *row_json(struct eb_stmt *s)
{
	char cr[32], up[32];
	eb_fmt_time(eb_col_i64(s, 9), cr);
	eb_fmt_time(eb_col_i64(s, 10), up);
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "id", (json_int_t)eb_col_i64(s, 0), "owner_org", (json_int_t)eb_col_i64(s, 1),
			 "visibility", eb_col_text(s, 2), "scope", eb_col_text(s, 3),
			 "code", eb_col_text(s, 4), "date", eb_col_text(s, 5), "level", eb_col_text(s, 6),
			 "rationale", eb_col_text(s, 7), "source", eb_col_text(s, 8),
			 "created_at", cr, "updated_at", up);
}

static int owner_view(const struct eb_principal *who, int64_t owner)
{
	return who->kind == EB_CLI || (who->kind != EB_ANON && who->org_id == owner);
}

/* Adds what depends on the reader and on other tables: the share list (to
 * the owner) and the proposal (area scope). */
static enum eb_err decorate(struct eb_conn *c, const struct eb_principal *who, json_t *o,
			    struct eb_detail *d)
{
	int64_t id = json_integer_value(json_object_get(o, "id"));
	int64_t owner = json_integer_value(json_object_get(o, "owner_org"));
	if (owner_view(who, owner) && strcmp(eb_jstr(o, "visibility"), "listed") == 0)
		json_object_set_new(o, "shared_with", access_get_shares(c, RISK_KIND, id));
	if (strcmp(eb_jstr(o, "scope"), "area") == 0) {
		json_t *p = NULL;
		enum eb_err e = proposal_json(c, eb_jstr(o, "code"), eb_jstr(o, "date"), &p, d);
		if (e)
			return e;
		json_object_set_new(o, "proposed", p);
	}
	return EB_OK;
}

/* The stored row with its share list (for the audit log); no visibility
 * check. */
static enum eb_err load_raw(struct eb_conn *c, int64_t id, json_t **out, struct eb_detail *d)
{
	*out = NULL;
	struct eb_stmt *s = eb_stmt(c, "SELECT " RISK_COLS " FROM risk_assessments a WHERE a.id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	int rc = eb_step(s, d);
	if (rc == EB_ROW)
		*out = row_json(s);
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	if (rc != EB_ROW)
		return eb_fail(d, EB_ENOTFOUND, NULL, "no risk assessment %" PRId64, id);
	if (strcmp(eb_jstr(*out, "visibility"), "listed") == 0)
		json_object_set_new(*out, "shared_with", access_get_shares(c, RISK_KIND, id));
	return EB_OK;
}

enum eb_err risk_get(struct eb_conn *c, const struct eb_principal *who, int64_t id,
		     json_t **out, struct eb_detail *d)
{
	*out = NULL;
	json_t *o = NULL;
	enum eb_err e = load_raw(c, id, &o, d);
	if (e)
		return e;
	int64_t owner = json_integer_value(json_object_get(o, "owner_org"));
	int vis = eb_visibility_parse(eb_jstr(o, "visibility"));
	if (who->kind != EB_CLI && !access_can_read(c, who, RISK_KIND, id, owner, (enum eb_visibility)vis)) {
		json_decref(o);
		return eb_fail(d, EB_ENOTFOUND, NULL, "no risk assessment %" PRId64, id);
	}
	json_object_del(o, "shared_with"); /* decorate adds it for the owner */
	if ((e = decorate(c, who, o, d))) {
		json_decref(o);
		return e;
	}
	*out = o;
	return EB_OK;
}

/* ---- writing ---- */

struct risk_vals {
	char scope[8];
	char code[16];
	const char *day;
	enum risk_level level;
	const char *rationale;
	const char *source;
	enum eb_visibility vis;
	json_t *shared; /* sorted unique org ids, for listed */
};

enum { RK_UNCHANGED = 0, RK_INSERTED = 1, RK_CORRECTED = 2 };

static json_t *sorted_ids(json_t *ids)
{
	json_t *out = json_array();
	size_t n = json_array_size(ids);
	int64_t *v = n ? malloc(n * sizeof *v) : NULL;
	if (n && !v)
		return out;
	for (size_t i = 0; i < n; i++)
		v[i] = json_integer_value(json_array_get(ids, i));
	for (size_t i = 1; i < n; i++) /* insertion sort: at most 200 ids */
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++)
		if (i == 0 || v[i] != v[i - 1])
			json_array_append_new(out, json_integer(v[i]));
	free(v);
	return out;
}

/* Inserts or corrects one assessment inside the caller's transaction and
 * appends its audit row when something changed. */
static enum eb_err upsert(struct eb_conn *c, const struct eb_principal *who, int64_t owner,
			  const struct risk_vals *v, int *outcome, int64_t *id,
			  struct eb_detail *d)
{
	int64_t now = eb_now_ms();
	struct eb_stmt *ins = eb_stmt(c,
		"INSERT INTO risk_assessments (owner_org, visibility, scope, scope_code, day, level, rationale, "
		"source, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
		"ON CONFLICT (owner_org, scope, scope_code, day) DO NOTHING RETURNING id", d);
	if (!ins)
		return EB_EDB;
	eb_bind_i64(ins, 1, owner);
	eb_bind_text(ins, 2, eb_visibility_name(v->vis));
	eb_bind_text(ins, 3, v->scope);
	eb_bind_text(ins, 4, v->code);
	eb_bind_text(ins, 5, v->day);
	eb_bind_text(ins, 6, risk_level_name(v->level));
	eb_bind_text(ins, 7, v->rationale ? v->rationale : "");
	eb_bind_text(ins, 8, v->source ? v->source : "");
	eb_bind_i64(ins, 9, now);
	eb_bind_i64(ins, 10, now);
	int rc = eb_step(ins, d);
	if (rc == EB_ROW)
		*id = eb_col_i64(ins, 0);
	eb_done(ins);
	if (rc < 0)
		return (enum eb_err)rc;
	json_t *before = NULL, *after = NULL;
	enum eb_err e = EB_OK;
	if (rc == EB_ROW) {
		*outcome = RK_INSERTED;
		if (v->vis == EB_VIS_LISTED)
			e = access_set_shares(c, RISK_KIND, *id, v->shared, d);
	} else {
		struct eb_stmt *sel = eb_stmt(c,
			"SELECT id FROM risk_assessments WHERE owner_org = ? AND scope = ? AND scope_code = ? AND day = ?", d);
		if (!sel)
			return EB_EDB;
		eb_bind_i64(sel, 1, owner);
		eb_bind_text(sel, 2, v->scope);
		eb_bind_text(sel, 3, v->code);
		eb_bind_text(sel, 4, v->day);
		rc = eb_step(sel, d);
		if (rc == EB_ROW)
			*id = eb_col_i64(sel, 0);
		eb_done(sel);
		if (rc != EB_ROW)
			return rc < 0 ? (enum eb_err)rc : eb_fail(d, EB_EDB, NULL, "assessment vanished during correction");
		if ((e = load_raw(c, *id, &before, d)))
			return e;
		json_t *want_shares = v->vis == EB_VIS_LISTED ? v->shared : NULL;
		json_t *have_shares = json_object_get(before, "shared_with");
		int same = strcmp(eb_jstr(before, "visibility"), eb_visibility_name(v->vis)) == 0 &&
			   strcmp(eb_jstr(before, "level"), risk_level_name(v->level)) == 0 &&
			   strcmp(eb_jstr(before, "rationale"), v->rationale ? v->rationale : "") == 0 &&
			   strcmp(eb_jstr(before, "source"), v->source ? v->source : "") == 0 &&
			   (want_shares ? have_shares && json_equal(want_shares, have_shares) : !have_shares);
		if (same) {
			json_decref(before);
			*outcome = RK_UNCHANGED;
			return EB_OK;
		}
		*outcome = RK_CORRECTED;
		struct eb_stmt *up = eb_stmt(c,
			"UPDATE risk_assessments SET visibility = ?, level = ?, rationale = ?, source = ?, updated_at = ? "
			"WHERE id = ?", d);
		if (!up) {
			json_decref(before);
			return EB_EDB;
		}
		eb_bind_text(up, 1, eb_visibility_name(v->vis));
		eb_bind_text(up, 2, risk_level_name(v->level));
		eb_bind_text(up, 3, v->rationale ? v->rationale : "");
		eb_bind_text(up, 4, v->source ? v->source : "");
		eb_bind_i64(up, 5, now);
		eb_bind_i64(up, 6, *id);
		rc = eb_step(up, d);
		eb_done(up);
		if (rc < 0)
			e = (enum eb_err)rc;
		if (!e) {
			json_t *empty = json_array();
			e = access_set_shares(c, RISK_KIND, *id, want_shares ? want_shares : empty, d);
			json_decref(empty);
		}
	}
	if (!e)
		e = load_raw(c, *id, &after, d);
	if (!e)
		e = audit_append(c, who, *outcome == RK_INSERTED ? "create" : "update", RISK_KIND, *id,
				 before, after, d);
	if (!e)
		e = dataver_bump(c, "risk", d);
	json_decref(before);
	json_decref(after);
	return e;
}

static const char *const vis_values[] = {"private", "partners", "listed", "public", NULL};

static const struct eb_jfield put_spec[] = {
	{"scope", EB_J_ENUM, 1, 0, 0, 0, risk_scope_names},
	{"code", EB_J_STR, 0, 15, 0, 0, NULL},
	{"date", EB_J_DATE, 1, 0, 0, 0, NULL},
	{"level", EB_J_ENUM, 1, 0, 0, 0, risk_level_names},
	{"rationale", EB_J_STR, 0, 8000, 0, 0, NULL},
	{"source", EB_J_STR, 0, 400, 0, 0, NULL},
	{"visibility", EB_J_ENUM, 0, 0, 0, 0, vis_values},
	{"shared_with", EB_J_IDS, 0, 200, 0, 0, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL}};

/* Checks the values of one assessment; fields are prefixed by `pfx` ("/"
 * for the API, "" for imports). */
static enum eb_err check_vals(const char *scope, const char *code, const char *day,
			      const char *level, enum eb_visibility vis, json_t *shared,
			      int pointer, struct risk_vals *v, struct eb_detail *d)
{
	memset(v, 0, sizeof *v);
	const char *p = pointer ? "/" : "";
	char f[32];
	snprintf(f, sizeof f, "%scode", p);
	if (!scope)
		return eb_fail(d, EB_EINVAL, pointer ? "/scope" : "scope", "scope must be area, region or world");
	enum eb_err e = check_scope_code(scope, code, v->code, f, d);
	if (e)
		return e;
	snprintf(v->scope, sizeof v->scope, "%s", scope);
	snprintf(f, sizeof f, "%sdate", p);
	if ((e = check_day(day, f, d)))
		return e;
	v->day = day;
	v->level = risk_level_parse(level);
	if (v->level == RISK_NONE) {
		snprintf(f, sizeof f, "%slevel", p);
		return eb_fail(d, EB_EINVAL, f, "level must be low, moderate, high or very_high");
	}
	v->vis = vis;
	if (shared && json_array_size(shared) && vis != EB_VIS_LISTED) {
		snprintf(f, sizeof f, "%sshared_with", p);
		return eb_fail(d, EB_EINVAL, f, "shared_with is only used with visibility listed");
	}
	return EB_OK;
}

enum eb_err risk_put(struct eb_conn *c, const struct eb_principal *who, json_t *in,
		     json_t **out, int *created, struct eb_detail *d)
{
	*out = NULL;
	*created = 0;
	enum eb_err e = eb_json_check(in, put_spec, 0, d);
	if (e)
		return e;
	if ((e = access_can_write(who, who->org_id, EB_ROLE_EDITOR, d)))
		return e;
	if (who->kind == EB_CLI)
		return eb_fail(d, EB_EINVAL, NULL, "the command line has no organisation of its own; use risk_import with an owner");
	const char *vis_s = eb_jstr(in, "visibility");
	enum eb_visibility vis = vis_s ? (enum eb_visibility)eb_visibility_parse(vis_s) : EB_VIS_PARTNERS;
	json_t *shared = json_object_get(in, "shared_with");
	struct risk_vals v;
	if ((e = check_vals(eb_jstr(in, "scope"), eb_jstr(in, "code"), eb_jstr(in, "date"),
			    eb_jstr(in, "level"), vis, shared, 1, &v, d)))
		return e;
	v.rationale = eb_jstr(in, "rationale");
	v.source = eb_jstr(in, "source");
	v.shared = sorted_ids(shared);
	if ((e = eb_begin(c, d))) {
		json_decref(v.shared);
		return e;
	}
	int outcome = 0;
	int64_t id = 0;
	e = upsert(c, who, who->org_id, &v, &outcome, &id, d);
	json_decref(v.shared);
	if (e) {
		eb_rollback(c);
		return e;
	}
	if ((e = eb_commit(c, d)))
		return e;
	*created = outcome == RK_INSERTED;
	return risk_get(c, who, id, out, d);
}

enum eb_err risk_import(struct eb_conn *c, const struct eb_principal *who, int64_t org,
			enum eb_visibility vis, json_t *shared_with,
			const struct risk_item *items, size_t n,
			struct risk_import_stats *st, struct eb_detail *d)
{
	memset(st, 0, sizeof *st);
	enum eb_err e = access_can_write(who, org, EB_ROLE_EDITOR, d);
	if (e)
		return e;
	int64_t found = 0;
	char ids[24];
	snprintf(ids, sizeof ids, "%" PRId64, org);
	if ((e = eb_run(c, "SELECT id FROM orgs WHERE id = CAST(? AS BIGINT)", &found, d, 1, ids)))
		return e;
	if (!found)
		return eb_fail(d, EB_EINVAL, "org", "there is no organisation %" PRId64, org);
	if (shared_with && json_array_size(shared_with) && vis != EB_VIS_LISTED)
		return eb_fail(d, EB_EINVAL, "shared_with", "shared_with is only used with visibility listed");
	json_t *shared = sorted_ids(shared_with);
	if ((e = eb_begin(c, d))) {
		json_decref(shared);
		return e;
	}
	for (size_t i = 0; !e && i < n; i++) {
		struct risk_vals v;
		e = check_vals(items[i].scope, items[i].code, items[i].day, items[i].level, vis, NULL, 0, &v, d);
		if (!e) {
			v.rationale = items[i].rationale;
			v.source = items[i].source;
			v.shared = shared;
			int outcome = 0;
			int64_t id = 0;
			e = upsert(c, who, org, &v, &outcome, &id, d);
			if (!e) {
				if (outcome == RK_INSERTED)
					st->inserted++;
				else if (outcome == RK_CORRECTED)
					st->corrected++;
				else
					st->unchanged++;
			}
		}
		if (e && d && items[i].line) {
			char tmp[sizeof d->msg];
			snprintf(tmp, sizeof tmp, "line %ld: %s", items[i].line, d->msg);
			memcpy(d->msg, tmp, sizeof tmp);
		}
	}
	json_decref(shared);
	if (e) {
		eb_rollback(c);
		memset(st, 0, sizeof *st);
		return e;
	}
	return eb_commit(c, d);
}

/* ---- lists ---- */

#define CURSOR_DAY_OFFSET 40000 /* days: keeps dates from 1900 positive */

static int64_t cursor_of(const char *day, int64_t id)
{
	int32_t dd = 0;
	if (eb_date_parse(day, &dd))
		return 0;
	return ((int64_t)(dd + CURSOR_DAY_OFFSET) << 40) | (id & (((int64_t)1 << 40) - 1));
}

static enum eb_err finish_items(struct eb_conn *c, const struct eb_principal *who, json_t *arr,
				struct eb_detail *d)
{
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		enum eb_err e = decorate(c, who, o, d);
		if (e)
			return e;
	}
	return EB_OK;
}

enum eb_err risk_list(struct eb_conn *c, const struct eb_principal *who,
		      const struct risk_query *q, json_t **items, int64_t *cursor,
		      struct eb_detail *d)
{
	*items = NULL;
	*cursor = 0;
	const char *scope = q->scope ? q->scope : "";
	char code[16] = "";
	if (*scope) {
		int ok = 0;
		for (int i = 0; risk_scope_names[i]; i++)
			ok |= strcmp(scope, risk_scope_names[i]) == 0;
		if (!ok)
			return eb_fail(d, EB_EINVAL, "scope", "scope must be area, region or world");
		if (q->code && *q->code) {
			enum eb_err e = check_scope_code(scope, q->code, code, "code", d);
			if (e)
				return e;
		}
	} else if (q->code && *q->code) {
		return eb_fail(d, EB_EINVAL, "code", "give the scope with the code (?scope=area&code=CN)");
	}
	if (q->from && !eb_date_valid(q->from))
		return eb_fail(d, EB_EINVAL, "from", "from must be YYYY-MM-DD");
	if (q->to && !eb_date_valid(q->to))
		return eb_fail(d, EB_EINVAL, "to", "to must be YYYY-MM-DD");
	char after_day[11] = "";
	int64_t after_id = 0;
	if (q->after) {
		int64_t dd = (q->after >> 40) - CURSOR_DAY_OFFSET;
		if (dd < -30000 || dd > 90000)
			return eb_fail(d, EB_EINVAL, "cursor", "cursor is not one this server issued; use next_cursor from the previous page");
		eb_date_fmt((int32_t)dd, after_day);
		after_id = q->after & (((int64_t)1 << 40) - 1);
	}
	struct eb_stmt *s = eb_stmt(c,
		"SELECT " RISK_COLS " FROM risk_assessments a WHERE (a.day > ? OR (a.day = ? AND a.id > ?)) "
		"AND (? = '' OR a.scope = ?) AND (? = '' OR a.scope_code = ?) "
		"AND (? = '' OR a.day >= ?) AND (? = '' OR a.day <= ?) "
		"AND (CAST(? AS BIGINT) = 0 OR a.owner_org = CAST(? AS BIGINT)) AND "
		ACCESS_VISIBLE_SQL("a") " ORDER BY a.day, a.id LIMIT ?", d);
	if (!s)
		return EB_EDB;
	const char *from = q->from ? q->from : "", *to = q->to ? q->to : "";
	eb_bind_text(s, 1, after_day);
	eb_bind_text(s, 2, after_day);
	eb_bind_i64(s, 3, after_id);
	eb_bind_text(s, 4, scope);
	eb_bind_text(s, 5, scope);
	eb_bind_text(s, 6, code);
	eb_bind_text(s, 7, code);
	eb_bind_text(s, 8, from);
	eb_bind_text(s, 9, from);
	eb_bind_text(s, 10, to);
	eb_bind_text(s, 11, to);
	eb_bind_i64(s, 12, q->org);
	eb_bind_i64(s, 13, q->org);
	int idx = access_bind_visible(s, 14, who, RISK_KIND);
	eb_bind_i64(s, idx, q->limit);
	json_t *arr = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		json_array_append_new(arr, row_json(s));
		*cursor = cursor_of(eb_col_text(s, 5), eb_col_i64(s, 0));
	}
	eb_done(s);
	enum eb_err e = rc < 0 ? (enum eb_err)rc : finish_items(c, who, arr, d);
	if (e) {
		json_decref(arr);
		*cursor = 0;
		return e;
	}
	*items = arr;
	return EB_OK;
}

enum eb_err risk_world(struct eb_conn *c, const struct eb_principal *who,
		       const char *day, int64_t org, json_t **out, struct eb_detail *d)
{
	*out = NULL;
	if (!day || !eb_date_valid(day))
		return eb_fail(d, EB_EINVAL, "date", "the date must be YYYY-MM-DD");
	struct eb_stmt *s = eb_stmt(c,
		"SELECT " RISK_COLS " FROM (SELECT b.*, ROW_NUMBER() OVER (PARTITION BY b.scope, b.scope_code "
		"ORDER BY b.day DESC, b.updated_at DESC, b.id DESC) AS rn FROM risk_assessments b "
		"WHERE b.day <= ? AND (CAST(? AS BIGINT) = 0 OR b.owner_org = CAST(? AS BIGINT)) AND "
		ACCESS_VISIBLE_SQL("b") ") a WHERE a.rn = 1 ORDER BY a.scope, a.scope_code", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, day);
	eb_bind_i64(s, 2, org);
	eb_bind_i64(s, 3, org);
	access_bind_visible(s, 4, who, RISK_KIND);
	json_t *arr = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW)
		json_array_append_new(arr, row_json(s));
	eb_done(s);
	enum eb_err e = rc < 0 ? (enum eb_err)rc : finish_items(c, who, arr, d);
	if (e) {
		json_decref(arr);
		return e;
	}
	*out = json_pack("{s:s, s:o}", "date", day, "items", arr);
	return EB_OK;
}

enum eb_err risk_proposed(struct eb_conn *c, const char *area, const char *day,
			  json_t **out, struct eb_detail *d)
{
	*out = NULL;
	char code[16];
	enum eb_err e = check_area(area, code, "area", d);
	if (e)
		return e;
	if (!day || !eb_date_valid(day))
		return eb_fail(d, EB_EINVAL, "date", "date must be YYYY-MM-DD");
	json_t *p = NULL;
	if ((e = proposal_json(c, code, day, &p, d)))
		return e;
	json_object_set_new(p, "area", json_string(code));
	json_object_set_new(p, "date", json_string(day));
	*out = p;
	return EB_OK;
}
