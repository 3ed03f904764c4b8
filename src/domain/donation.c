/*
 * Supply donations: the item catalogue, needs and pledges (with their
 * lines and amendments), and the helpers the other donation files share
 * (donation_int.h).  Shipments are in shipment.c, reconciliation in
 * donation_recon.c, exports in donation_export.c.  See donation.h for the
 * rules.
 *
 * Every write: check the input (jcheck spec, then the rules), check the
 * caller's right through domain/access.h, then one transaction that locks
 * the pledge row when quantities are involved, writes, refreshes the
 * pledge's reconciliation rows and appends the audit row.
 */
#include "domain/donation.h"
#include "domain/donation_int.h"
#include "domain/access.h"
#include "domain/audit.h"
#include "formats/aidflow.h"
#include "formats/areas.h"
#include "store/db.h"
#include "base/jcheck.h"
#include "base/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const donation_donor_types[] = {"government", "local_government", "company",
					    "red_cross_society", "ngo", "individual", NULL};
const char *const donation_units[] = {"piece", "pair", "set", "kit", "test", "unit", "box",
				      "bottle", "litre", "kilogram", "batch", NULL};

static const char *const categories[] = {"ppe", "diagnostics", "medical_equipment", "disinfection", "other", NULL};
static const char *const priorities[] = {"low", "medium", "high", "critical", NULL};
static const char *const need_statuses[] = {"open", "closed", NULL};
static const char *const pledge_statuses[] = {"pledged", "committed", "cancelled", NULL};
static const char *const vis_values[] = {"private", "partners", "listed", "public", NULL};

/* ---- shared helpers (donation_int.h) ---- */

void donation_today(char out[11])
{
	eb_date_fmt((int32_t)(eb_now_ms() / 86400000), out);
}

enum eb_err donation_check_day(const char *day, const char *field, int not_future, struct eb_detail *d)
{
	if (!day)
		return EB_OK;
	int32_t dd;
	if (eb_date_parse(day, &dd))
		return eb_fail(d, EB_EINVAL, field, "%s must be a date YYYY-MM-DD", field + 1);
	if (not_future && dd > (int32_t)(eb_now_ms() / 86400000) + 1)
		return eb_fail(d, EB_EINVAL, field, "%s %s is in the future", field + 1, day);
	return EB_OK;
}

enum eb_err donation_check_text(json_t *obj, const char *const *names, const char *prefix,
				struct eb_detail *d)
{
	for (int i = 0; names[i]; i++) {
		json_t *v = json_object_get(obj, names[i]);
		if (!json_is_string(v))
			continue;
		if (!eb_utf8_valid(json_string_value(v), json_string_length(v))) {
			char f[96];
			snprintf(f, sizeof f, "%s/%s", prefix ? prefix : "", names[i]);
			return eb_fail(d, EB_EINVAL, f, "%s holds control characters or invalid UTF-8", f + 1);
		}
	}
	return EB_OK;
}

enum eb_err donation_can_act(const struct eb_principal *who, int64_t org, const char *party,
			     struct eb_detail *d)
{
	enum eb_err e = access_can_write(who, org, EB_ROLE_EDITOR, d);
	if (e == EB_EPERM && who->org_id != org)
		return eb_fail(d, EB_EPERM, NULL, "only %s may do this", party);
	return e;
}

json_t *donation_names(const char *en, const char *zh)
{
	return json_pack("{s:s, s:s}", "en", en ? en : "", "zh", zh ? zh : "");
}

json_t *donation_time(int64_t ms)
{
	char t[32];
	eb_fmt_time(ms, t);
	return json_string(t);
}

json_t *donation_col_str_or_null(struct eb_stmt *s, int col)
{
	return eb_col_null(s, col) ? json_null() : json_string(eb_col_text(s, col));
}

json_t *donation_without_lines(json_t *in)
{
	json_t *top = json_copy(in);
	json_object_del(top, "lines");
	return top;
}

#define HEAD_COLS "pl.id, pl.owner_org, pl.recipient_org, pl.visibility, pl.status, pl.version, pl.pledged_on, pl.needed_by"

static void head_from(struct eb_stmt *s, struct pledge_head *h)
{
	h->id = eb_col_i64(s, 0);
	h->owner = eb_col_i64(s, 1);
	h->recipient = eb_col_i64(s, 2);
	int v = eb_visibility_parse(eb_col_text(s, 3));
	h->vis = v < 0 ? EB_VIS_PRIVATE : (enum eb_visibility)v;
	snprintf(h->status, sizeof h->status, "%s", eb_col_text(s, 4));
	h->version = eb_col_i64(s, 5);
	snprintf(h->pledged_on, sizeof h->pledged_on, "%s", eb_col_text(s, 6));
	snprintf(h->needed_by, sizeof h->needed_by, "%s", eb_col_text(s, 7));
}

enum eb_err donation_pledge_head(struct eb_conn *c, const struct eb_principal *who, int64_t id,
				 struct pledge_head *h, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT " HEAD_COLS " FROM pledges pl WHERE pl.id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	int rc = eb_step(s, d);
	if (rc == EB_ROW)
		head_from(s, h);
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	if (rc != EB_ROW || !access_can_read_addressed(c, who, "pledge", id, h->owner, h->recipient, h->vis))
		return eb_fail(d, EB_ENOTFOUND, NULL, "no pledge %" PRId64, id);
	return EB_OK;
}

enum eb_err donation_pledge_lock(struct eb_conn *c, int64_t id, int allow_cancelled,
				 struct pledge_head *h, struct eb_detail *d)
{
	struct eb_stmt *u = eb_stmt(c, "UPDATE pledges SET version = version + 1, updated_at = ? WHERE id = ?", d);
	if (!u)
		return EB_EDB;
	eb_bind_i64(u, 1, eb_now_ms());
	eb_bind_i64(u, 2, id);
	int rc = eb_step(u, d);
	int64_t n = eb_changes(u);
	eb_done(u);
	if (rc < 0)
		return (enum eb_err)rc;
	if (n != 1)
		return eb_fail(d, EB_ENOTFOUND, NULL, "no pledge %" PRId64, id);
	struct eb_stmt *s = eb_stmt(c, "SELECT " HEAD_COLS " FROM pledges pl WHERE pl.id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	rc = eb_step(s, d);
	if (rc == EB_ROW)
		head_from(s, h);
	eb_done(s);
	if (rc != EB_ROW)
		return rc < 0 ? (enum eb_err)rc : eb_fail(d, EB_ENOTFOUND, NULL, "no pledge %" PRId64, id);
	if (!allow_cancelled && strcmp(h->status, "cancelled") == 0)
		return eb_fail(d, EB_ECONFLICT, NULL, "pledge %" PRId64 " was cancelled", id);
	return EB_OK;
}

/* ---- catalogue ---- */

static int item_code_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 40 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static json_t *item_row(struct eb_stmt *s)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", eb_col_text(s, 0), "name_en", eb_col_text(s, 1),
			 "name_zh", eb_col_text(s, 2), "unit", eb_col_text(s, 3), "category", eb_col_text(s, 4));
}

enum eb_err donation_items_list(struct eb_conn *c, json_t **out, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT code, name_en, name_zh, unit, category FROM donation_items "
				       "ORDER BY created_at, code", d);
	if (!s)
		return EB_EDB;
	json_t *a = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW)
		json_array_append_new(a, item_row(s));
	eb_done(s);
	if (rc < 0) {
		json_decref(a);
		return (enum eb_err)rc;
	}
	*out = json_pack("{s:o}", "items", a);
	return EB_OK;
}

static const struct eb_jfield item_spec[] = {
	{"code", EB_J_STR, 1, 40, 2, 0, NULL},
	{"name_en", EB_J_STR, 1, 200, 1, 0, NULL},
	{"name_zh", EB_J_STR, 1, 200, 1, 0, NULL},
	{"unit", EB_J_ENUM, 1, 0, 0, 0, donation_units},
	{"category", EB_J_ENUM, 1, 0, 0, 0, categories},
	{NULL, 0, 0, 0, 0, 0, NULL}};

enum eb_err donation_item_create(struct eb_conn *c, const struct eb_principal *who, json_t *in,
				 json_t **out, struct eb_detail *d)
{
	*out = NULL;
	enum eb_err e = eb_json_check(in, item_spec, 0, d);
	if (e)
		return e;
	static const char *const texts[] = {"name_en", "name_zh", NULL};
	if ((e = donation_check_text(in, texts, NULL, d)))
		return e;
	if (!item_code_ok(eb_jstr(in, "code")))
		return eb_fail(d, EB_EINVAL, "/code", "code must be 2-40 lowercase letters, digits or _, starting with a letter");
	/* The catalogue is the network's: any organisation's admin adds to it. */
	if ((e = access_can_write(who, who->org_id, EB_ROLE_ADMIN, d)))
		return e;
	if ((e = eb_begin(c, d)))
		return e;
	int64_t now = eb_now_ms();
	struct eb_stmt *s = eb_stmt(c, "INSERT INTO donation_items (code, name_en, name_zh, unit, category, created_at, updated_at) "
				       "VALUES (?, ?, ?, ?, ?, ?, ?)", d);
	if (!s) {
		eb_rollback(c);
		return EB_EDB;
	}
	eb_bind_text(s, 1, eb_jstr(in, "code"));
	eb_bind_text(s, 2, eb_jstr(in, "name_en"));
	eb_bind_text(s, 3, eb_jstr(in, "name_zh"));
	eb_bind_text(s, 4, eb_jstr(in, "unit"));
	eb_bind_text(s, 5, eb_jstr(in, "category"));
	eb_bind_i64(s, 6, now);
	eb_bind_i64(s, 7, now);
	int rc = eb_step(s, d);
	eb_done(s);
	if (rc < 0) {
		eb_rollback(c);
		if (rc == EB_EEXIST)
			return eb_fail(d, EB_EEXIST, "/code", "the catalogue already has an item %s", eb_jstr(in, "code"));
		return (enum eb_err)rc;
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", eb_jstr(in, "code"), "name_en", eb_jstr(in, "name_en"),
			      "name_zh", eb_jstr(in, "name_zh"), "unit", eb_jstr(in, "unit"), "category",
			      eb_jstr(in, "category"));
	/* audit entity ids are numbers and items have codes: 0, the code is
	 * in the record */
	json_t *after = json_deep_copy(o);
	e = audit_append(c, who, "create", "donation_item", 0, NULL, after, d);
	json_decref(after);
	if (!e)
		e = eb_commit(c, d);
	if (e) {
		eb_rollback(c);
		json_decref(o);
		return e;
	}
	*out = o;
	return EB_OK;
}

/* The unit of a catalogue item into unit (16 bytes); EB_EINVAL naming
 * field when the item does not exist. */
static enum eb_err item_unit(struct eb_conn *c, const char *code, const char *field, char unit[16],
			     struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT unit FROM donation_items WHERE code = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, code);
	int rc = eb_step(s, d);
	if (rc == EB_ROW)
		snprintf(unit, 16, "%s", eb_col_text(s, 0));
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	if (rc != EB_ROW)
		return eb_fail(d, EB_EINVAL, field, "%s is not an item of the catalogue (GET /api/v1/donations/items)", code);
	return EB_OK;
}

/* ---- places ---- */

/* A subdivision: ISO 3166-2 "CC-XXX" within country (KR-27 for Daegu).
 * The area reference knows few subdivisions, so the form is checked, and
 * the reference only when it knows the code. */
static enum eb_err check_subdivision(const char *sub, const char *country, const char *field,
				     struct eb_detail *d)
{
	if (!sub || !*sub)
		return EB_OK;
	size_t n = strlen(sub);
	int ok = n >= 4 && n <= 6 && country && strncmp(sub, country, 2) == 0 && sub[2] == '-';
	for (size_t i = 3; ok && i < n; i++)
		ok = (sub[i] >= 'A' && sub[i] <= 'Z') || (sub[i] >= '0' && sub[i] <= '9');
	if (!ok)
		return eb_fail(d, EB_EINVAL, field, "subdivision must be an ISO 3166-2 code of country %s, such as %s-27",
			       country ? country : "?", country ? country : "KR");
	return EB_OK;
}

/* ---- needs ---- */

#define NEED_COLS "nd.id, nd.owner_org, nd.visibility, nd.item, nd.quantity, nd.priority, nd.needed_by, " \
	"nd.country, nd.subdivision, nd.city, nd.status, nd.note, nd.version, nd.created_at, nd.updated_at, " \
	"o.name_en, o.name_zh, di.unit, di.name_en, di.name_zh"
#define NEED_FROM " FROM donation_needs nd JOIN orgs o ON o.id = nd.owner_org JOIN donation_items di ON di.code = nd.item "

static json_t *need_row(struct eb_stmt *s)
{
	json_t *o = json_pack("{s:I, s:I, s:o, s:s, s:s, s:o, s:I, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o}",
			      "id", (json_int_t)eb_col_i64(s, 0), "owner_org", (json_int_t)eb_col_i64(s, 1),
			      "owner_org_name", donation_names(eb_col_text(s, 15), eb_col_text(s, 16)),
			      "visibility", eb_col_text(s, 2), "item", eb_col_text(s, 3),
			      "item_name", donation_names(eb_col_text(s, 18), eb_col_text(s, 19)),
			      "quantity", (json_int_t)eb_col_i64(s, 4), "unit", eb_col_text(s, 17),
			      "priority", eb_col_text(s, 5), "needed_by", donation_col_str_or_null(s, 6),
			      "country", eb_col_text(s, 7), "subdivision", eb_col_text(s, 8), "city", eb_col_text(s, 9),
			      "status", eb_col_text(s, 10), "note", eb_col_text(s, 11), "version",
			      (json_int_t)eb_col_i64(s, 12), "created_at", donation_time(eb_col_i64(s, 13)),
			      "updated_at", donation_time(eb_col_i64(s, 14)));
	return o;
}

static enum eb_err need_load(struct eb_conn *c, const struct eb_principal *who, int64_t id, json_t **out,
			     int64_t *owner, struct eb_detail *d)
{
	*out = NULL;
	struct eb_stmt *s = eb_stmt(c, "SELECT " NEED_COLS NEED_FROM "WHERE nd.id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	int rc = eb_step(s, d);
	int64_t own = 0;
	int vis = 0;
	if (rc == EB_ROW) {
		*out = need_row(s);
		own = eb_col_i64(s, 1);
		vis = eb_visibility_parse(eb_col_text(s, 2));
	}
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	if (rc != EB_ROW || (who->kind != EB_CLI && !access_can_read(c, who, "need", id, own, (enum eb_visibility)vis))) {
		json_decref(*out);
		*out = NULL;
		return eb_fail(d, EB_ENOTFOUND, NULL, "no need %" PRId64, id);
	}
	if (owner)
		*owner = own;
	if ((who->kind == EB_CLI || who->org_id == own) && vis == EB_VIS_LISTED)
		json_object_set_new(*out, "shared_with", access_get_shares(c, "need", id));
	return EB_OK;
}

static const struct eb_jfield need_spec[] = {
	{"item", EB_J_STR, 1, 40, 1, 0, NULL},
	{"quantity", EB_J_INT, 1, 0, 1, DONATION_QTY_MAX, NULL},
	{"priority", EB_J_ENUM, 0, 0, 0, 0, priorities},
	{"needed_by", EB_J_DATE, 0, 0, 0, 0, NULL},
	{"country", EB_J_COUNTRY, 1, 0, 0, 0, NULL},
	{"subdivision", EB_J_STR, 0, 6, 0, 0, NULL},
	{"city", EB_J_STR, 0, 100, 0, 0, NULL},
	{"status", EB_J_ENUM, 0, 0, 0, 0, need_statuses},
	{"note", EB_J_STR, 0, 4000, 0, 0, NULL},
	{"visibility", EB_J_ENUM, 0, 0, 0, 0, vis_values},
	{"shared_with", EB_J_IDS, 0, 200, 0, 0, NULL},
	{"owner_org", EB_J_ID, 0, 0, 0, 0, NULL},
	{"version", EB_J_INT, 0, 0, 1, INT64_MAX, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL}};

static const char *const need_texts[] = {"city", "note", NULL};

/* Visibility and share list of a create or update; vis receives the
 * visibility to store.  cur is the current one (-1 on create). */
static enum eb_err check_sharing(json_t *in, int cur, int dflt, int *vis, struct eb_detail *d)
{
	const char *v = eb_jstr(in, "visibility");
	*vis = v ? eb_visibility_parse(v) : cur >= 0 ? cur : dflt;
	json_t *shared = json_object_get(in, "shared_with");
	if (shared && json_array_size(shared) && *vis != EB_VIS_LISTED)
		return eb_fail(d, EB_EINVAL, "/shared_with", "shared_with is only used with visibility listed");
	return EB_OK;
}

enum eb_err donation_need_create(struct eb_conn *c, const struct eb_principal *who, json_t *in, json_t **out,
				 struct eb_detail *d)
{
	*out = NULL;
	enum eb_err e = eb_json_check(in, need_spec, 0, d);
	if (!e)
		e = donation_check_text(in, need_texts, NULL, d);
	if (e)
		return e;
	if (json_object_get(in, "status") || json_object_get(in, "version"))
		return eb_fail(d, EB_EINVAL, json_object_get(in, "status") ? "/status" : "/version",
			       "a new need is open; status and version come later");
	int64_t owner = eb_jint(in, "owner_org", who->org_id);
	if (who->kind == EB_CLI && !owner)
		return eb_fail(d, EB_EINVAL, "/owner_org", "owner_org is required from the command line");
	if ((e = donation_can_act(who, owner, "the recipient organisation posting the need", d)))
		return e;
	char unit[16];
	if ((e = item_unit(c, eb_jstr(in, "item"), "/item", unit, d)))
		return e;
	const char *country = eb_jstr(in, "country");
	if ((e = check_subdivision(eb_jstr(in, "subdivision"), country, "/subdivision", d)))
		return e;
	int vis;
	if ((e = check_sharing(in, -1, EB_VIS_PARTNERS, &vis, d)))
		return e;
	if ((e = eb_begin(c, d)))
		return e;
	int64_t now = eb_now_ms(), id = 0;
	struct eb_stmt *s = eb_stmt(c,
		"INSERT INTO donation_needs (owner_org, visibility, item, quantity, priority, needed_by, country, "
		"subdivision, city, status, note, version, created_at, updated_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, 1, ?, ?) RETURNING id", d);
	int rc = EB_EDB;
	if (s) {
		eb_bind_i64(s, 1, owner);
		eb_bind_text(s, 2, eb_visibility_name((enum eb_visibility)vis));
		eb_bind_text(s, 3, eb_jstr(in, "item"));
		eb_bind_i64(s, 4, eb_jint(in, "quantity", 0));
		eb_bind_text(s, 5, eb_jstr(in, "priority") ? eb_jstr(in, "priority") : "medium");
		eb_bind_text(s, 6, eb_jstr(in, "needed_by"));
		eb_bind_text(s, 7, country);
		eb_bind_text(s, 8, eb_jstr(in, "subdivision") ? eb_jstr(in, "subdivision") : "");
		eb_bind_text(s, 9, eb_jstr(in, "city") ? eb_jstr(in, "city") : "");
		eb_bind_text(s, 10, eb_jstr(in, "note") ? eb_jstr(in, "note") : "");
		eb_bind_i64(s, 11, now);
		eb_bind_i64(s, 12, now);
		rc = eb_step(s, d);
		if (rc == EB_ROW)
			id = eb_col_i64(s, 0);
		eb_done(s);
	}
	e = rc == EB_ROW ? EB_OK : rc < 0 ? (enum eb_err)rc : EB_EDB;
	if (!e && vis == EB_VIS_LISTED) {
		json_t *sh = json_object_get(in, "shared_with");
		e = access_set_shares(c, "need", id, sh ? sh : json_array(), d);
	}
	if (!e)
		e = need_load(c, who, id, out, NULL, d);
	if (!e)
		e = audit_append(c, who, "create", "need", id, NULL, *out, d);
	if (!e)
		e = eb_commit(c, d);
	if (e) {
		eb_rollback(c);
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

enum eb_err donation_need_get(struct eb_conn *c, const struct eb_principal *who, int64_t id, json_t **out,
			      struct eb_detail *d)
{
	return need_load(c, who, id, out, NULL, d);
}

enum eb_err donation_need_update(struct eb_conn *c, const struct eb_principal *who, int64_t id, json_t *patch,
				 json_t **out, struct eb_detail *d)
{
	*out = NULL;
	enum eb_err e = eb_json_check(patch, need_spec, 1, d);
	if (!e)
		e = donation_check_text(patch, need_texts, NULL, d);
	if (e)
		return e;
	if (json_object_get(patch, "owner_org") || json_object_get(patch, "item") || json_object_get(patch, "country"))
		return eb_fail(d, EB_EINVAL, json_object_get(patch, "item") ? "/item" : json_object_get(patch, "country") ? "/country" : "/owner_org",
			       "the organisation, item and country of a need do not change; post a new need");
	json_t *before = NULL;
	int64_t owner = 0;
	if ((e = need_load(c, who, id, &before, &owner, d)))
		return e;
	if ((e = donation_can_act(who, owner, "the organisation that posted the need", d))) {
		json_decref(before);
		return e;
	}
	int vis;
	e = check_sharing(patch, eb_visibility_parse(eb_jstr(before, "visibility")), EB_VIS_PARTNERS, &vis, d);
	const char *sub = json_object_get(patch, "subdivision") ? eb_jstr(patch, "subdivision") : NULL;
	if (!e)
		e = check_subdivision(sub, eb_jstr(before, "country"), "/subdivision", d);
	if (e) {
		json_decref(before);
		return e;
	}
	if ((e = eb_begin(c, d))) {
		json_decref(before);
		return e;
	}
	/* Each field: the patch's value, else the stored one (null clears
	 * needed_by and empties texts). */
#define PICK(k) (json_object_get(patch, k) ? eb_jstr(patch, k) : eb_jstr(before, k))
	struct eb_stmt *s = eb_stmt(c,
		"UPDATE donation_needs SET visibility = ?, quantity = ?, priority = ?, needed_by = ?, subdivision = ?, "
		"city = ?, status = ?, note = ?, version = version + 1, updated_at = ? "
		"WHERE id = ? AND (? = 0 OR version = ?)", d);
	int rc = EB_EDB;
	int64_t n = 0;
	int64_t want = eb_jint(patch, "version", 0);
	if (s) {
		eb_bind_text(s, 1, eb_visibility_name((enum eb_visibility)vis));
		eb_bind_i64(s, 2, eb_jint(patch, "quantity", eb_jint(before, "quantity", 1)));
		eb_bind_text(s, 3, PICK("priority") ? PICK("priority") : "medium");
		eb_bind_text(s, 4, json_object_get(patch, "needed_by") ? eb_jstr(patch, "needed_by") : eb_jstr(before, "needed_by"));
		eb_bind_text(s, 5, PICK("subdivision") ? PICK("subdivision") : "");
		eb_bind_text(s, 6, PICK("city") ? PICK("city") : "");
		eb_bind_text(s, 7, PICK("status") ? PICK("status") : "open");
		eb_bind_text(s, 8, PICK("note") ? PICK("note") : "");
		eb_bind_i64(s, 9, eb_now_ms());
		eb_bind_i64(s, 10, id);
		eb_bind_i64(s, 11, want);
		eb_bind_i64(s, 12, want);
		rc = eb_step(s, d);
		n = eb_changes(s);
		eb_done(s);
	}
#undef PICK
	e = rc < 0 ? (enum eb_err)rc : n != 1 ? eb_fail(d, EB_ECONFLICT, "/version", "the need changed meanwhile; reload it")
					     : EB_OK;
	if (!e && vis == EB_VIS_LISTED && json_object_get(patch, "shared_with"))
		e = access_set_shares(c, "need", id, json_object_get(patch, "shared_with"), d);
	if (!e)
		e = need_load(c, who, id, out, NULL, d);
	if (!e)
		e = audit_append(c, who, "update", "need", id, before, *out, d);
	if (!e)
		e = eb_commit(c, d);
	json_decref(before);
	if (e) {
		eb_rollback(c);
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

enum eb_err donation_need_list(struct eb_conn *c, const struct eb_principal *who, const struct donation_query *q,
			       json_t **items, int64_t *last_id, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c,
		"SELECT " NEED_COLS NEED_FROM "WHERE nd.id > ? AND (? = 0 OR nd.owner_org = ?) AND (? = '' OR nd.item = ?) "
		"AND (? = '' OR nd.status = ?) AND (? <> 0 OR " ACCESS_VISIBLE_SQL("nd") ") ORDER BY nd.id LIMIT ?", d);
	if (!s)
		return EB_EDB;
	const char *item = q->item ? q->item : "", *st = q->status ? q->status : "";
	eb_bind_i64(s, 1, q->after);
	eb_bind_i64(s, 2, q->org);
	eb_bind_i64(s, 3, q->org);
	eb_bind_text(s, 4, item);
	eb_bind_text(s, 5, item);
	eb_bind_text(s, 6, st);
	eb_bind_text(s, 7, st);
	eb_bind_i64(s, 8, who->kind == EB_CLI);
	int idx = access_bind_visible(s, 9, who, "need");
	eb_bind_i64(s, idx, q->limit);
	json_t *a = json_array();
	int rc;
	*last_id = 0;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		json_array_append_new(a, need_row(s));
		*last_id = eb_col_i64(s, 0);
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(a);
		return (enum eb_err)rc;
	}
	*items = a;
	return EB_OK;
}

/* ---- pledges ---- */

#define PLEDGE_COLS "pl.id, pl.owner_org, pl.visibility, pl.donor_type, pl.donor_name, pl.recipient_org, " \
	"pl.country, pl.subdivision, pl.city, pl.need_id, pl.title, pl.status, pl.pledged_on, pl.committed_on, " \
	"pl.needed_by, pl.note, pl.amendments, pl.version, pl.created_at, pl.updated_at, " \
	"od.name_en, od.name_zh, orc.name_en, orc.name_zh"
#define PLEDGE_FROM " FROM pledges pl JOIN orgs od ON od.id = pl.owner_org JOIN orgs orc ON orc.id = pl.recipient_org "

static json_t *pledge_row(struct eb_stmt *s)
{
	json_t *o = json_pack("{s:I, s:I, s:o, s:s, s:s, s:I, s:o, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:I, s:I, s:o, s:o}",
			      "id", (json_int_t)eb_col_i64(s, 0), "donor_org", (json_int_t)eb_col_i64(s, 1),
			      "donor_org_name", donation_names(eb_col_text(s, 20), eb_col_text(s, 21)),
			      "donor_type", eb_col_text(s, 3), "donor_name", eb_col_text(s, 4),
			      "recipient_org", (json_int_t)eb_col_i64(s, 5),
			      "recipient_org_name", donation_names(eb_col_text(s, 22), eb_col_text(s, 23)),
			      "country", eb_col_text(s, 6), "subdivision", eb_col_text(s, 7), "city", eb_col_text(s, 8),
			      "need_id", eb_col_null(s, 9) ? json_null() : json_integer(eb_col_i64(s, 9)),
			      "title", eb_col_text(s, 10), "status", eb_col_text(s, 11), "pledged_on", eb_col_text(s, 12),
			      "committed_on", donation_col_str_or_null(s, 13), "needed_by", donation_col_str_or_null(s, 14),
			      "note", eb_col_text(s, 15), "visibility", eb_col_text(s, 2),
			      "amendments", (json_int_t)eb_col_i64(s, 16), "version", (json_int_t)eb_col_i64(s, 17),
			      "created_at", donation_time(eb_col_i64(s, 18)), "updated_at", donation_time(eb_col_i64(s, 19)));
	return o;
}

static json_t *line_json(int64_t no, const char *item, const char *unit, int64_t qty, int has_value,
			 int64_t minor, const char *cur, const char *note, const char *name_en, const char *name_zh)
{
	json_t *l = json_pack("{s:I, s:s, s:o, s:s, s:I, s:o, s:o, s:s}", "line", (json_int_t)no, "item", item,
			      "item_name", donation_names(name_en, name_zh), "unit", unit, "quantity", (json_int_t)qty,
			      "value", has_value ? json_real(aid_money_major(minor, cur)) : json_null(),
			      "currency", has_value ? json_string(cur) : json_null(), "note", note);
	return l;
}

/* The lines of a pledge as a JSON array. */
static enum eb_err pledge_lines_json(struct eb_conn *c, int64_t pledge_id, json_t **out, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c,
		"SELECT l.line_no, l.item, l.unit, l.quantity, l.value_minor, l.currency, l.note, di.name_en, di.name_zh "
		"FROM pledge_lines l JOIN donation_items di ON di.code = l.item WHERE l.pledge_id = ? ORDER BY l.line_no", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, pledge_id);
	json_t *a = json_array();
	int rc;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		int hv = !eb_col_null(s, 4);
		json_array_append_new(a, line_json(eb_col_i64(s, 0), eb_col_text(s, 1), eb_col_text(s, 2), eb_col_i64(s, 3), hv,
						   eb_col_i64(s, 4), eb_col_text(s, 5), eb_col_text(s, 6), eb_col_text(s, 7),
						   eb_col_text(s, 8)));
	}
	eb_done(s);
	if (rc < 0) {
		json_decref(a);
		return (enum eb_err)rc;
	}
	*out = a;
	return EB_OK;
}

/* A pledge as the API shows it to who; with_history adds amendments. */
static enum eb_err pledge_load(struct eb_conn *c, const struct eb_principal *who, int64_t id, int with_history,
			       json_t **out, struct eb_detail *d)
{
	*out = NULL;
	struct pledge_head h;
	enum eb_err e = donation_pledge_head(c, who, id, &h, d);
	if (e)
		return e;
	struct eb_stmt *s = eb_stmt(c, "SELECT " PLEDGE_COLS PLEDGE_FROM "WHERE pl.id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	int rc = eb_step(s, d);
	json_t *o = rc == EB_ROW ? pledge_row(s) : NULL;
	eb_done(s);
	if (!o)
		return rc < 0 ? (enum eb_err)rc : eb_fail(d, EB_ENOTFOUND, NULL, "no pledge %" PRId64, id);
	json_t *lines = NULL;
	if ((e = pledge_lines_json(c, id, &lines, d))) {
		json_decref(o);
		return e;
	}
	json_object_set_new(o, "lines", lines);
	int owner_view = who->kind == EB_CLI || who->org_id == h.owner;
	if (owner_view && h.vis == EB_VIS_LISTED)
		json_object_set_new(o, "shared_with", access_get_shares(c, "pledge", id));
	if (with_history) {
		struct eb_stmt *a = eb_stmt(c, "SELECT amendment, reason, before_json, after_json, at, by_label "
					       "FROM pledge_amendments WHERE pledge_id = ? ORDER BY amendment", d);
		if (!a) {
			json_decref(o);
			return EB_EDB;
		}
		eb_bind_i64(a, 1, id);
		json_t *hist = json_array();
		while ((rc = eb_step(a, d)) == EB_ROW) {
			json_t *r = json_pack("{s:I, s:s, s:o, s:o, s:o}", "amendment", (json_int_t)eb_col_i64(a, 0),
					      "reason", eb_col_text(a, 1), "before", json_loads(eb_col_text(a, 2), 0, NULL),
					      "after", json_loads(eb_col_text(a, 3), 0, NULL), "at", donation_time(eb_col_i64(a, 4)));
			if (owner_view)
				json_object_set_new(r, "by", json_string(eb_col_text(a, 5)));
			json_array_append_new(hist, r);
		}
		eb_done(a);
		json_object_set_new(o, "amendment_history", hist);
		if (rc < 0) {
			json_decref(o);
			return (enum eb_err)rc;
		}
	}
	*out = o;
	return EB_OK;
}

static const struct eb_jfield pledge_spec[] = {
	{"donor_org", EB_J_ID, 0, 0, 0, 0, NULL},
	{"donor_type", EB_J_ENUM, 1, 0, 0, 0, donation_donor_types},
	{"donor_name", EB_J_STR, 0, 200, 0, 0, NULL},
	{"recipient_org", EB_J_ID, 1, 0, 0, 0, NULL},
	{"country", EB_J_COUNTRY, 1, 0, 0, 0, NULL},
	{"subdivision", EB_J_STR, 0, 6, 0, 0, NULL},
	{"city", EB_J_STR, 0, 100, 0, 0, NULL},
	{"need_id", EB_J_NULLABLE_ID, 0, 0, 0, 0, NULL},
	{"title", EB_J_STR, 0, 300, 0, 0, NULL},
	{"status", EB_J_ENUM, 0, 0, 0, 0, pledge_statuses},
	{"pledged_on", EB_J_DATE, 0, 0, 0, 0, NULL},
	{"committed_on", EB_J_DATE, 0, 0, 0, 0, NULL},
	{"needed_by", EB_J_DATE, 0, 0, 0, 0, NULL},
	{"note", EB_J_STR, 0, 4000, 0, 0, NULL},
	{"visibility", EB_J_ENUM, 0, 0, 0, 0, vis_values},
	{"shared_with", EB_J_IDS, 0, 200, 0, 0, NULL},
	{"version", EB_J_INT, 0, 0, 1, INT64_MAX, NULL},
	{"lines", EB_J_STR, 0, 0, 0, 0, NULL}, /* checked apart (donation_without_lines) */
	{NULL, 0, 0, 0, 0, 0, NULL}};

static const char *const pledge_texts[] = {"donor_name", "city", "title", "note", NULL};

static const struct eb_jfield line_spec[] = {
	{"line", EB_J_INT, 0, 0, 1, DONATION_MAX_LINES * 10, NULL},
	{"item", EB_J_STR, 0, 40, 1, 0, NULL},
	{"quantity", EB_J_INT, 1, 0, 0, DONATION_QTY_MAX, NULL},
	{"unit", EB_J_ENUM, 0, 0, 0, 0, donation_units},
	{"value", EB_J_NUM, 0, 0, 0, 0, NULL},
	{"currency", EB_J_STR, 0, 3, 0, 0, NULL},
	{"note", EB_J_STR, 0, 1000, 0, 0, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL}};

/* A checked line of a create or amendment. */
struct line_in {
	int64_t line_no;  /* 0: new line */
	char item[41];
	char unit[16];
	int64_t quantity;
	int value_given;  /* value/currency present (1), null (-1: clear), absent (0) */
	int64_t minor;
	char currency[4];
	const char *note; /* NULL: keep */
};

/* Checks the "lines" array of in.  amending: "line" may name an existing
 * line, quantity may be 0 there; otherwise every line is new with
 * quantity >= 1. */
static enum eb_err check_lines(struct eb_conn *c, json_t *in, int amending, struct line_in **out, size_t *n,
			       struct eb_detail *d)
{
	*out = NULL;
	*n = 0;
	json_t *lines = json_object_get(in, "lines");
	if (!json_is_array(lines) || json_array_size(lines) == 0)
		return eb_fail(d, EB_EINVAL, "/lines", "lines must be an array of at least one line");
	if (json_array_size(lines) > DONATION_MAX_LINES)
		return eb_fail(d, EB_EINVAL, "/lines", "at most %d lines", DONATION_MAX_LINES);
	struct line_in *v = calloc(json_array_size(lines), sizeof *v);
	if (!v)
		return EB_ENOMEM;
	size_t i;
	json_t *el;
	enum eb_err e = EB_OK;
	json_array_foreach(lines, i, el) {
		char pre[32], f[64];
		snprintf(pre, sizeof pre, "/lines/%zu", i);
		if (!json_is_object(el)) {
			e = eb_fail(d, EB_EINVAL, pre, "lines/%zu must be an object", i);
			break;
		}
		struct eb_detail ld = {0};
		if ((e = eb_json_check(el, line_spec, 0, &ld))) {
			snprintf(f, sizeof f, "%s%s", pre, ld.field);
			eb_fail(d, e, f, "lines/%zu: %s", i, ld.msg);
			break;
		}
		static const char *const texts[] = {"note", NULL};
		if ((e = donation_check_text(el, texts, pre, d)))
			break;
		struct line_in *l = &v[i];
		l->line_no = eb_jint(el, "line", 0);
		if (l->line_no && !amending) {
			snprintf(f, sizeof f, "%s/line", pre);
			e = eb_fail(d, EB_EINVAL, f, "a new pledge numbers its lines itself; leave out line");
			break;
		}
		const char *item = eb_jstr(el, "item");
		if (!item && !l->line_no) {
			snprintf(f, sizeof f, "%s/item", pre);
			e = eb_fail(d, EB_EINVAL, f, "lines/%zu: item is required for a new line", i);
			break;
		}
		snprintf(l->item, sizeof l->item, "%s", item ? item : "");
		l->quantity = eb_jint(el, "quantity", 0);
		if (l->quantity < 1 && !l->line_no) {
			snprintf(f, sizeof f, "%s/quantity", pre);
			e = eb_fail(d, EB_EINVAL, f, "lines/%zu: quantity must be at least 1", i);
			break;
		}
		if (item) {
			char iu[16];
			snprintf(f, sizeof f, "%s/item", pre);
			if ((e = item_unit(c, item, f, iu, d)))
				break;
			const char *u = eb_jstr(el, "unit");
			if (u && strcmp(u, iu) != 0 && strcmp(u, "batch") != 0) {
				snprintf(f, sizeof f, "%s/unit", pre);
				e = eb_fail(d, EB_EINVAL, f, "%s is counted in %s (or batch when only \"a batch\" is known), not %s",
					    item, iu, u);
				break;
			}
			snprintf(l->unit, sizeof l->unit, "%s", u ? u : iu);
		} else if (eb_jstr(el, "unit")) {
			snprintf(f, sizeof f, "%s/unit", pre);
			e = eb_fail(d, EB_EINVAL, f, "the unit of an existing line does not change");
			break;
		}
		json_t *val = json_object_get(el, "value"), *cur = json_object_get(el, "currency");
		int hv = json_is_number(val), hc = json_is_string(cur);
		if (hv != hc) {
			snprintf(f, sizeof f, "%s/%s", pre, hv ? "currency" : "value");
			e = eb_fail(d, EB_EINVAL, f, "value and currency go together");
			break;
		}
		if (hv) {
			snprintf(f, sizeof f, "%s/currency", pre);
			if (aid_currency_exponent(json_string_value(cur)) < 0) {
				e = eb_fail(d, EB_EINVAL, f, "%s is not an ISO 4217 currency code such as CNY or USD",
					    json_string_value(cur));
				break;
			}
			snprintf(f, sizeof f, "%s/value", pre);
			if (aid_money_to_minor(json_number_value(val), json_string_value(cur), &l->minor)) {
				e = eb_fail(d, EB_EINVAL, f, "value must be a non-negative amount below 10^13");
				break;
			}
			snprintf(l->currency, sizeof l->currency, "%s", json_string_value(cur));
			l->value_given = 1;
		} else if ((val && json_is_null(val)) || (cur && json_is_null(cur))) {
			l->value_given = -1;
		}
		json_t *note = json_object_get(el, "note");
		l->note = json_is_string(note) ? json_string_value(note) : json_is_null(note) ? "" : NULL;
		/* one line per item and unit, so that batches can name the item */
		for (size_t j = 0; j < i; j++) {
			if ((v[j].line_no && l->line_no && v[j].line_no == l->line_no) ||
			    (!v[j].line_no && !l->line_no && strcmp(v[j].item, l->item) == 0 && strcmp(v[j].unit, l->unit) == 0)) {
				snprintf(f, sizeof f, "%s", pre);
				e = eb_fail(d, EB_EINVAL, f, "lines/%zu repeats lines/%zu (one line per item and unit)", i, j);
				break;
			}
		}
		if (e)
			break;
	}
	if (e) {
		free(v);
		return e;
	}
	*out = v;
	*n = json_array_size(lines);
	return EB_OK;
}

static enum eb_err insert_line(struct eb_conn *c, int64_t pledge_id, int64_t no, const struct line_in *l,
			       struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, "INSERT INTO pledge_lines (pledge_id, line_no, item, unit, quantity, value_minor, currency, note) "
				       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, pledge_id);
	eb_bind_i64(s, 2, no);
	eb_bind_text(s, 3, l->item);
	eb_bind_text(s, 4, l->unit);
	eb_bind_i64(s, 5, l->quantity);
	if (l->value_given == 1) {
		eb_bind_i64(s, 6, l->minor);
		eb_bind_text(s, 7, l->currency);
	} else {
		eb_bind_null(s, 6);
		eb_bind_null(s, 7);
	}
	eb_bind_text(s, 8, l->note ? l->note : "");
	int rc = eb_step(s, d);
	eb_done(s);
	return rc < 0 ? (enum eb_err)rc : EB_OK;
}

/* An organisation that exists: EB_EINVAL naming field otherwise. */
static enum eb_err org_exists(struct eb_conn *c, int64_t id, const char *field, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT 1 FROM orgs WHERE id = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, id);
	int rc = eb_step(s, d);
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	return rc == EB_ROW ? EB_OK : eb_fail(d, EB_EINVAL, field, "organisation %" PRId64 " does not exist", id);
}

/* A need a pledge answers: visible, open, the recipient's, and one of the
 * lines is its item.  needed_by receives the need's date ("" if none). */
static enum eb_err check_need(struct eb_conn *c, const struct eb_principal *who, int64_t need_id,
			      int64_t recipient, const struct line_in *lines, size_t n, char needed_by[11],
			      struct eb_detail *d)
{
	json_t *need = NULL;
	int64_t owner = 0;
	struct eb_detail nd = {0};
	if (need_load(c, who, need_id, &need, &owner, &nd))
		return eb_fail(d, EB_EINVAL, "/need_id", "need %" PRId64 " does not exist or is not visible to you", need_id);
	enum eb_err e = EB_OK;
	if (owner != recipient)
		e = eb_fail(d, EB_EINVAL, "/need_id", "need %" PRId64 " was posted by another organisation than the recipient", need_id);
	else if (strcmp(eb_jstr(need, "status"), "open") != 0)
		e = eb_fail(d, EB_EINVAL, "/need_id", "need %" PRId64 " is closed", need_id);
	else {
		int found = 0;
		for (size_t i = 0; i < n && !found; i++)
			found = strcmp(lines[i].item, eb_jstr(need, "item")) == 0;
		if (!found && lines)
			e = eb_fail(d, EB_EINVAL, "/need_id", "need %" PRId64 " asks for %s, which no line pledges", need_id,
				    eb_jstr(need, "item"));
	}
	snprintf(needed_by, 11, "%s", eb_jstr(need, "needed_by") ? eb_jstr(need, "needed_by") : "");
	json_decref(need);
	return e;
}

enum eb_err donation_pledge_create(struct eb_conn *c, const struct eb_principal *who, json_t *in, json_t **out,
				   struct eb_detail *d)
{
	*out = NULL;
	json_t *top = donation_without_lines(in);
	enum eb_err e = eb_json_check(top, pledge_spec, 0, d);
	json_decref(top);
	if (!e)
		e = donation_check_text(in, pledge_texts, NULL, d);
	if (e)
		return e;
	if (json_object_get(in, "version"))
		return eb_fail(d, EB_EINVAL, "/version", "a new pledge has no version yet");
	int64_t donor = eb_jint(in, "donor_org", who->org_id);
	if (who->kind == EB_CLI && !donor)
		return eb_fail(d, EB_EINVAL, "/donor_org", "donor_org is required from the command line");
	if ((e = donation_can_act(who, donor, "the donor organisation (donor_org is your own)", d)))
		return e;
	int64_t recipient = eb_jint(in, "recipient_org", 0);
	if ((e = org_exists(c, recipient, "/recipient_org", d)))
		return e;
	if (recipient == donor)
		return eb_fail(d, EB_EINVAL, "/recipient_org", "the recipient must be another organisation than the donor");
	const char *dtype = eb_jstr(in, "donor_type"), *dname = eb_jstr(in, "donor_name");
	if (strcmp(dtype, "individual") == 0 && (!dname || !*dname))
		return eb_fail(d, EB_EINVAL, "/donor_name", "an individual donor is recorded with a name (or \"anonymous\")");
	const char *country = eb_jstr(in, "country");
	if ((e = check_subdivision(eb_jstr(in, "subdivision"), country, "/subdivision", d)))
		return e;
	char today[11];
	donation_today(today);
	const char *pledged_on = eb_jstr(in, "pledged_on") ? eb_jstr(in, "pledged_on") : today;
	const char *committed_on = eb_jstr(in, "committed_on");
	const char *status = eb_jstr(in, "status") ? eb_jstr(in, "status") : committed_on ? "committed" : "pledged";
	if (strcmp(status, "cancelled") == 0)
		return eb_fail(d, EB_EINVAL, "/status", "a new pledge is pledged or committed");
	if (strcmp(status, "committed") == 0 && !committed_on)
		committed_on = pledged_on;
	if (strcmp(status, "pledged") == 0 && committed_on)
		return eb_fail(d, EB_EINVAL, "/committed_on", "committed_on goes with status committed");
	if ((e = donation_check_day(pledged_on, "/pledged_on", 1, d)) ||
	    (e = donation_check_day(committed_on, "/committed_on", 1, d)))
		return e;
	if (committed_on && strcmp(committed_on, pledged_on) < 0)
		return eb_fail(d, EB_EINVAL, "/committed_on", "committed_on is before pledged_on");
	int vis;
	if ((e = check_sharing(in, -1, EB_VIS_PRIVATE, &vis, d)))
		return e;
	struct line_in *lines = NULL;
	size_t n = 0;
	if ((e = check_lines(c, in, 0, &lines, &n, d)))
		return e;
	char need_by[11] = "";
	int64_t need_id = eb_jint(in, "need_id", 0);
	if (need_id && (e = check_need(c, who, need_id, recipient, lines, n, need_by, d))) {
		free(lines);
		return e;
	}
	const char *needed_by = eb_jstr(in, "needed_by") ? eb_jstr(in, "needed_by") : *need_by ? need_by : NULL;
	if ((e = eb_begin(c, d))) {
		free(lines);
		return e;
	}
	int64_t now = eb_now_ms(), id = 0;
	struct eb_stmt *s = eb_stmt(c,
		"INSERT INTO pledges (owner_org, visibility, donor_type, donor_name, recipient_org, country, subdivision, city, "
		"need_id, title, status, pledged_on, committed_on, needed_by, note, amendments, version, created_at, updated_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1, ?, ?) RETURNING id", d);
	int rc = EB_EDB;
	if (s) {
		eb_bind_i64(s, 1, donor);
		eb_bind_text(s, 2, eb_visibility_name((enum eb_visibility)vis));
		eb_bind_text(s, 3, dtype);
		eb_bind_text(s, 4, dname ? dname : "");
		eb_bind_i64(s, 5, recipient);
		eb_bind_text(s, 6, country);
		eb_bind_text(s, 7, eb_jstr(in, "subdivision") ? eb_jstr(in, "subdivision") : "");
		eb_bind_text(s, 8, eb_jstr(in, "city") ? eb_jstr(in, "city") : "");
		if (need_id)
			eb_bind_i64(s, 9, need_id);
		else
			eb_bind_null(s, 9);
		eb_bind_text(s, 10, eb_jstr(in, "title") ? eb_jstr(in, "title") : "");
		eb_bind_text(s, 11, status);
		eb_bind_text(s, 12, pledged_on);
		eb_bind_text(s, 13, committed_on);
		eb_bind_text(s, 14, needed_by);
		eb_bind_text(s, 15, eb_jstr(in, "note") ? eb_jstr(in, "note") : "");
		eb_bind_i64(s, 16, now);
		eb_bind_i64(s, 17, now);
		rc = eb_step(s, d);
		if (rc == EB_ROW)
			id = eb_col_i64(s, 0);
		eb_done(s);
	}
	e = rc == EB_ROW ? EB_OK : rc < 0 ? (enum eb_err)rc : EB_EDB;
	for (size_t i = 0; !e && i < n; i++)
		e = insert_line(c, id, (int64_t)i + 1, &lines[i], d);
	free(lines);
	if (!e && vis == EB_VIS_LISTED) {
		json_t *sh = json_object_get(in, "shared_with");
		e = access_set_shares(c, "pledge", id, sh ? sh : json_array(), d);
	}
	if (!e)
		e = donation_recon_refresh(c, id, d);
	if (!e)
		e = pledge_load(c, who, id, 0, out, d);
	if (!e)
		e = audit_append(c, who, "create", "pledge", id, NULL, *out, d);
	if (!e)
		e = eb_commit(c, d);
	if (e) {
		eb_rollback(c);
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

enum eb_err donation_pledge_get(struct eb_conn *c, const struct eb_principal *who, int64_t id, json_t **out,
				struct eb_detail *d)
{
	return pledge_load(c, who, id, 1, out, d);
}

/* Batches of the pledge that left the donor (not planned, not cancelled). */
static enum eb_err count_moving(struct eb_conn *c, int64_t pledge_id, int64_t *n, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT COUNT(*) FROM shipments WHERE pledge_id = ? AND status IN "
				       "('dispatched', 'in_transit', 'arrived', 'received')", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, pledge_id);
	int rc = eb_step(s, d);
	*n = rc == EB_ROW ? eb_col_i64(s, 0) : 0;
	eb_done(s);
	return rc < 0 ? (enum eb_err)rc : EB_OK;
}

enum eb_err donation_pledge_update(struct eb_conn *c, const struct eb_principal *who, int64_t id, json_t *patch,
				   json_t **out, struct eb_detail *d)
{
	*out = NULL;
	if (json_object_get(patch, "lines"))
		return eb_fail(d, EB_EINVAL, "/lines", "lines change by amendment: POST /api/v1/donations/pledges/%" PRId64 "/amendments", id);
	enum eb_err e = eb_json_check(patch, pledge_spec, 1, d);
	if (!e)
		e = donation_check_text(patch, pledge_texts, NULL, d);
	if (e)
		return e;
	static const char *const fixed[] = {"donor_org", "recipient_org", "country", "need_id", "pledged_on", NULL};
	for (int i = 0; fixed[i]; i++) {
		if (json_object_get(patch, fixed[i])) {
			char f[32];
			snprintf(f, sizeof f, "/%s", fixed[i]);
			return eb_fail(d, EB_EINVAL, f, "%s of a pledge does not change; cancel it and pledge anew", fixed[i]);
		}
	}
	json_t *before = NULL;
	if ((e = pledge_load(c, who, id, 0, &before, d)))
		return e;
	int64_t owner = eb_jint(before, "donor_org", 0);
	if ((e = donation_can_act(who, owner, "the donor organisation", d)))
		goto out;
	const char *from = eb_jstr(before, "status"), *to = eb_jstr(patch, "status");
	const char *committed_on = json_object_get(patch, "committed_on") ? eb_jstr(patch, "committed_on")
									  : eb_jstr(before, "committed_on");
	if (to && strcmp(from, to) != 0) {
		int ok = (strcmp(from, "pledged") == 0 && (strcmp(to, "committed") == 0 || strcmp(to, "cancelled") == 0)) ||
			 (strcmp(from, "committed") == 0 && strcmp(to, "cancelled") == 0);
		if (!ok) {
			e = eb_fail(d, EB_ECONFLICT, "/status", "a pledge that is %s cannot become %s (pledged -> committed -> cancelled)", from, to);
			goto out;
		}
	}
	if (strcmp(from, "cancelled") == 0 && !(json_object_size(patch) == 1 && json_object_get(patch, "note"))) {
		e = eb_fail(d, EB_ECONFLICT, "/status", "a cancelled pledge only takes a note");
		goto out;
	}
	const char *status = to ? to : from;
	char today[11];
	donation_today(today);
	if (strcmp(status, "committed") == 0 && !committed_on)
		committed_on = today;
	if (strcmp(status, "pledged") == 0 && committed_on) {
		e = eb_fail(d, EB_EINVAL, "/committed_on", "committed_on goes with status committed");
		goto out;
	}
	if ((e = donation_check_day(committed_on, "/committed_on", 1, d)))
		goto out;
	if (committed_on && strcmp(committed_on, eb_jstr(before, "pledged_on")) < 0) {
		e = eb_fail(d, EB_EINVAL, "/committed_on", "committed_on is before pledged_on");
		goto out;
	}
	if ((e = check_subdivision(json_object_get(patch, "subdivision") ? eb_jstr(patch, "subdivision") : NULL,
				   eb_jstr(before, "country"), "/subdivision", d)))
		goto out;
	const char *dtype = eb_jstr(patch, "donor_type") ? eb_jstr(patch, "donor_type") : eb_jstr(before, "donor_type");
	const char *dname = json_object_get(patch, "donor_name") ? eb_jstr(patch, "donor_name") : eb_jstr(before, "donor_name");
	if (strcmp(dtype, "individual") == 0 && (!dname || !*dname)) {
		e = eb_fail(d, EB_EINVAL, "/donor_name", "an individual donor is recorded with a name (or \"anonymous\")");
		goto out;
	}
	int vis;
	if ((e = check_sharing(patch, eb_visibility_parse(eb_jstr(before, "visibility")), EB_VIS_PRIVATE, &vis, d)))
		goto out;
	if ((e = eb_begin(c, d)))
		goto out;
	struct pledge_head h;
	e = donation_pledge_lock(c, id, 1, &h, d);
	int64_t want = eb_jint(patch, "version", 0);
	/* the lock itself bumped the version */
	if (!e && want && want + 1 != h.version)
		e = eb_fail(d, EB_ECONFLICT, "/version", "the pledge changed meanwhile (version %" PRId64 "); reload it", h.version - 1);
	if (!e && strcmp(status, "cancelled") == 0 && strcmp(from, "cancelled") != 0) {
		int64_t moving = 0;
		e = count_moving(c, id, &moving, d);
		if (!e && moving)
			e = eb_fail(d, EB_ECONFLICT, "/status", "%" PRId64 " batch(es) of this pledge already left; amend the pledge "
				    "down to what was shipped instead of cancelling it", moving);
		if (!e) {
			struct eb_stmt *cs = eb_stmt(c, "UPDATE shipments SET status = 'cancelled', version = version + 1, updated_at = ? "
							"WHERE pledge_id = ? AND status = 'planned'", d);
			int rc = EB_EDB;
			if (cs) {
				eb_bind_i64(cs, 1, eb_now_ms());
				eb_bind_i64(cs, 2, id);
				rc = eb_step(cs, d);
				eb_done(cs);
			}
			if (rc < 0)
				e = (enum eb_err)rc;
		}
	}
	if (!e) {
#define PICK(k) (json_object_get(patch, k) ? eb_jstr(patch, k) : eb_jstr(before, k))
		struct eb_stmt *s = eb_stmt(c,
			"UPDATE pledges SET visibility = ?, donor_type = ?, donor_name = ?, subdivision = ?, city = ?, title = ?, "
			"status = ?, committed_on = ?, needed_by = ?, note = ? WHERE id = ?", d);
		int rc = EB_EDB;
		if (s) {
			eb_bind_text(s, 1, eb_visibility_name((enum eb_visibility)vis));
			eb_bind_text(s, 2, dtype);
			eb_bind_text(s, 3, dname ? dname : "");
			eb_bind_text(s, 4, PICK("subdivision") ? PICK("subdivision") : "");
			eb_bind_text(s, 5, PICK("city") ? PICK("city") : "");
			eb_bind_text(s, 6, PICK("title") ? PICK("title") : "");
			eb_bind_text(s, 7, status);
			eb_bind_text(s, 8, committed_on);
			eb_bind_text(s, 9, PICK("needed_by"));
			eb_bind_text(s, 10, PICK("note") ? PICK("note") : "");
			eb_bind_i64(s, 11, id);
			rc = eb_step(s, d);
			eb_done(s);
		}
#undef PICK
		if (rc < 0)
			e = (enum eb_err)rc;
	}
	if (!e && vis == EB_VIS_LISTED && json_object_get(patch, "shared_with"))
		e = access_set_shares(c, "pledge", id, json_object_get(patch, "shared_with"), d);
	if (!e)
		e = donation_recon_refresh(c, id, d);
	if (!e)
		e = pledge_load(c, who, id, 0, out, d);
	if (!e)
		e = audit_append(c, who, "update", "pledge", id, before, *out, d);
	if (!e)
		e = eb_commit(c, d);
	if (e) {
		eb_rollback(c);
		json_decref(*out);
		*out = NULL;
	}
out:
	json_decref(before);
	return e;
}

/* The quantity of each line of a pledge on batches that are not lost or
 * cancelled: what the line can no longer go below. */
static enum eb_err allocated_of(struct eb_conn *c, int64_t line_id, int64_t *q, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c,
		"SELECT CAST(COALESCE(SUM(sl.quantity), 0) AS BIGINT) FROM shipment_lines sl JOIN shipments sh ON sh.id = sl.shipment_id "
		"WHERE sl.pledge_line_id = ? AND sh.status NOT IN ('lost', 'cancelled')", d);
	if (!s)
		return EB_EDB;
	eb_bind_i64(s, 1, line_id);
	int rc = eb_step(s, d);
	*q = rc == EB_ROW ? eb_col_i64(s, 0) : 0;
	eb_done(s);
	return rc < 0 ? (enum eb_err)rc : EB_OK;
}

enum eb_err donation_pledge_amend(struct eb_conn *c, const struct eb_principal *who, int64_t id, json_t *in,
				  json_t **out, struct eb_detail *d)
{
	*out = NULL;
	static const struct eb_jfield spec[] = {
		{"reason", EB_J_STR, 1, 1000, 1, 0, NULL},
		{"lines", EB_J_STR, 0, 0, 0, 0, NULL},
		{NULL, 0, 0, 0, 0, 0, NULL}};
	json_t *top = donation_without_lines(in);
	enum eb_err e = eb_json_check(top, spec, 0, d);
	json_decref(top);
	static const char *const texts[] = {"reason", NULL};
	if (!e)
		e = donation_check_text(in, texts, NULL, d);
	if (e)
		return e;
	struct pledge_head h;
	if ((e = donation_pledge_head(c, who, id, &h, d)))
		return e;
	if ((e = donation_can_act(who, h.owner, "the donor organisation", d)))
		return e;
	struct line_in *lines = NULL;
	size_t n = 0;
	if ((e = check_lines(c, in, 1, &lines, &n, d)))
		return e;
	json_t *before_lines = NULL, *after_lines = NULL, *before = NULL;
	if ((e = eb_begin(c, d))) {
		free(lines);
		return e;
	}
	if ((e = donation_pledge_lock(c, id, 0, &h, d)))
		goto fail;
	if ((e = pledge_load(c, who, id, 0, &before, d)))
		goto fail;
	before_lines = json_deep_copy(json_object_get(before, "lines"));
	int64_t next_no = (int64_t)json_array_size(before_lines) + 1;
	for (size_t i = 0; i < n; i++) {
		struct line_in *l = &lines[i];
		char f[64];
		if (!l->line_no) {
			/* a new line: its item and unit must not have a line yet */
			size_t j;
			json_t *bl;
			json_array_foreach(before_lines, j, bl) {
				if (strcmp(eb_jstr(bl, "item"), l->item) == 0 && strcmp(eb_jstr(bl, "unit"), l->unit) == 0) {
					snprintf(f, sizeof f, "/lines/%zu/item", i);
					e = eb_fail(d, EB_EINVAL, f, "line %" PRId64 " already pledges %s; amend it with \"line\": %" PRId64,
						    eb_jint(bl, "line", 0), l->item, eb_jint(bl, "line", 0));
					goto fail;
				}
			}
			if ((e = insert_line(c, id, next_no++, l, d)))
				goto fail;
			continue;
		}
		struct eb_stmt *s = eb_stmt(c, "SELECT id, item, unit FROM pledge_lines WHERE pledge_id = ? AND line_no = ?", d);
		if (!s) {
			e = EB_EDB;
			goto fail;
		}
		eb_bind_i64(s, 1, id);
		eb_bind_i64(s, 2, l->line_no);
		int rc = eb_step(s, d);
		int64_t line_id = rc == EB_ROW ? eb_col_i64(s, 0) : 0;
		int same_item = rc == EB_ROW && (!l->item[0] || strcmp(l->item, eb_col_text(s, 1)) == 0);
		eb_done(s);
		if (rc < 0) {
			e = (enum eb_err)rc;
			goto fail;
		}
		if (!line_id) {
			snprintf(f, sizeof f, "/lines/%zu/line", i);
			e = eb_fail(d, EB_EINVAL, f, "pledge %" PRId64 " has no line %" PRId64, id, l->line_no);
			goto fail;
		}
		if (!same_item) {
			snprintf(f, sizeof f, "/lines/%zu/item", i);
			e = eb_fail(d, EB_EINVAL, f, "the item of line %" PRId64 " does not change; withdraw it (quantity 0) and add a new line",
				    l->line_no);
			goto fail;
		}
		int64_t alloc = 0;
		if ((e = allocated_of(c, line_id, &alloc, d)))
			goto fail;
		if (l->quantity < alloc) {
			snprintf(f, sizeof f, "/lines/%zu/quantity", i);
			e = eb_fail(d, EB_ECONFLICT, f, "line %" PRId64 " cannot go below %" PRId64 ", already on batches that are planned or on their way",
				    l->line_no, alloc);
			goto fail;
		}
		s = eb_stmt(c, "UPDATE pledge_lines SET quantity = ?, "
			       "value_minor = CASE WHEN ? = 1 THEN CAST(? AS BIGINT) WHEN ? = -1 THEN NULL ELSE value_minor END, "
			       "currency = CASE WHEN ? = 1 THEN ? WHEN ? = -1 THEN NULL ELSE currency END, "
			       "note = CASE WHEN ? = 1 THEN ? ELSE note END WHERE id = ?", d);
		if (!s) {
			e = EB_EDB;
			goto fail;
		}
		eb_bind_i64(s, 1, l->quantity);
		eb_bind_i64(s, 2, l->value_given);
		eb_bind_i64(s, 3, l->minor);
		eb_bind_i64(s, 4, l->value_given);
		eb_bind_i64(s, 5, l->value_given);
		eb_bind_text(s, 6, l->currency);
		eb_bind_i64(s, 7, l->value_given);
		eb_bind_i64(s, 8, l->note != NULL);
		eb_bind_text(s, 9, l->note ? l->note : "");
		eb_bind_i64(s, 10, line_id);
		rc = eb_step(s, d);
		eb_done(s);
		if (rc < 0) {
			e = (enum eb_err)rc;
			goto fail;
		}
	}
	if ((e = pledge_lines_json(c, id, &after_lines, d)))
		goto fail;
	{
		char *bj = json_dumps(before_lines, JSON_COMPACT), *aj = json_dumps(after_lines, JSON_COMPACT);
		struct eb_stmt *s = eb_stmt(c, "UPDATE pledges SET amendments = amendments + 1 WHERE id = ?", d);
		struct eb_stmt *ins = NULL;
		int rc = EB_EDB;
		if (s && bj && aj) {
			eb_bind_i64(s, 1, id);
			rc = eb_step(s, d);
			eb_done(s);
			ins = rc >= 0 ? eb_stmt(c, "INSERT INTO pledge_amendments (pledge_id, amendment, reason, before_json, after_json, at, by_label) "
						  "VALUES (?, (SELECT amendments FROM pledges WHERE id = ?), ?, ?, ?, ?, ?)", d) : NULL;
			if (ins) {
				eb_bind_i64(ins, 1, id);
				eb_bind_i64(ins, 2, id);
				eb_bind_text(ins, 3, eb_jstr(in, "reason"));
				eb_bind_text(ins, 4, bj);
				eb_bind_text(ins, 5, aj);
				eb_bind_i64(ins, 6, eb_now_ms());
				eb_bind_text(ins, 7, who->label);
				rc = eb_step(ins, d);
				eb_done(ins);
			} else if (rc >= 0) {
				rc = EB_EDB;
			}
		}
		free(bj);
		free(aj);
		if (rc < 0) {
			e = (enum eb_err)rc;
			goto fail;
		}
	}
	if ((e = donation_recon_refresh(c, id, d)))
		goto fail;
	if ((e = pledge_load(c, who, id, 1, out, d)))
		goto fail;
	{
		json_t *ab = json_pack("{s:s, s:O}", "reason", eb_jstr(in, "reason"), "lines", before_lines);
		json_t *aa = json_pack("{s:s, s:O}", "reason", eb_jstr(in, "reason"), "lines", after_lines);
		e = audit_append(c, who, "amend", "pledge", id, ab, aa, d);
		json_decref(ab);
		json_decref(aa);
	}
	if (!e)
		e = eb_commit(c, d);
	if (!e)
		goto done;
fail:
	eb_rollback(c);
	json_decref(*out);
	*out = NULL;
done:
	free(lines);
	json_decref(before);
	json_decref(before_lines);
	json_decref(after_lines);
	return e;
}

enum eb_err donation_pledge_list(struct eb_conn *c, const struct eb_principal *who, const struct donation_query *q,
				 json_t **items, int64_t *last_id, struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c,
		"SELECT " PLEDGE_COLS PLEDGE_FROM "WHERE pl.id > ? AND (? = 0 OR pl.owner_org = ?) AND (? = 0 OR pl.recipient_org = ?) "
		"AND (? = 0 OR pl.need_id = ?) AND (? = '' OR pl.status = ?) "
		"AND (? = '' OR EXISTS (SELECT 1 FROM pledge_lines l WHERE l.pledge_id = pl.id AND l.item = ?)) AND "
		ACCESS_ADDRESSED_SQL("pl", "recipient_org") " ORDER BY pl.id LIMIT ?", d);
	if (!s)
		return EB_EDB;
	const char *item = q->item ? q->item : "", *st = q->status ? q->status : "";
	eb_bind_i64(s, 1, q->after);
	eb_bind_i64(s, 2, q->org);
	eb_bind_i64(s, 3, q->org);
	eb_bind_i64(s, 4, q->recipient);
	eb_bind_i64(s, 5, q->recipient);
	eb_bind_i64(s, 6, q->need);
	eb_bind_i64(s, 7, q->need);
	eb_bind_text(s, 8, st);
	eb_bind_text(s, 9, st);
	eb_bind_text(s, 10, item);
	eb_bind_text(s, 11, item);
	int idx = access_bind_addressed(s, 12, who, "pledge");
	eb_bind_i64(s, idx, q->limit);
	json_t *a = json_array();
	int rc;
	*last_id = 0;
	while ((rc = eb_step(s, d)) == EB_ROW) {
		json_array_append_new(a, pledge_row(s));
		*last_id = eb_col_i64(s, 0);
	}
	eb_done(s);
	size_t i;
	json_t *p;
	json_array_foreach(a, i, p) {
		json_t *lines = NULL;
		if (rc >= 0 && pledge_lines_json(c, json_integer_value(json_object_get(p, "id")), &lines, d) == EB_OK)
			json_object_set_new(p, "lines", lines);
	}
	if (rc < 0) {
		json_decref(a);
		return (enum eb_err)rc;
	}
	*items = a;
	return EB_OK;
}
