/*
 * Access control rules.  See access.h: this file and ACCESS_VISIBLE_SQL are
 * the only places where visibility, roles and organisations are compared.
 */
#include "domain/access.h"
#include "store/db.h"

#include <string.h>

const char *const eb_visibility_names[] = {"private", "partners", "listed", "public", NULL};

const char *eb_visibility_name(enum eb_visibility v)
{
	return (unsigned)v <= EB_VIS_PUBLIC ? eb_visibility_names[v] : "private";
}

int eb_visibility_parse(const char *s)
{
	for (int i = 0; s && eb_visibility_names[i]; i++)
		if (strcmp(s, eb_visibility_names[i]) == 0)
			return i;
	return -1;
}

int access_bind_visible(struct eb_stmt *s, int idx, const struct eb_principal *who,
			const char *kind)
{
	int64_t org = who->kind == EB_ANON ? 0 : who->org_id;
	eb_bind_i64(s, idx++, org);
	eb_bind_i64(s, idx++, org);
	eb_bind_i64(s, idx++, org);
	eb_bind_i64(s, idx++, org);
	eb_bind_text(s, idx++, kind);
	eb_bind_i64(s, idx++, org);
	return idx;
}

int access_partners(struct eb_conn *c, int64_t a, int64_t b)
{
	struct eb_stmt *s = eb_stmt(c,
				    "SELECT 1 FROM partnerships WHERE status = 'active' AND "
				    "((org_a = ? AND org_b = ?) OR (org_a = ? AND org_b = ?))",
				    NULL);
	if (!s)
		return 0;
	eb_bind_i64(s, 1, a);
	eb_bind_i64(s, 2, b);
	eb_bind_i64(s, 3, b);
	eb_bind_i64(s, 4, a);
	int ok = eb_step(s, NULL) == EB_ROW;
	eb_done(s);
	return ok;
}

int access_can_read(struct eb_conn *c, const struct eb_principal *who,
		    const char *kind, int64_t record_id, int64_t owner_org,
		    enum eb_visibility vis)
{
	if (vis == EB_VIS_PUBLIC)
		return 1;
	if (who->kind == EB_ANON)
		return 0;
	if (who->org_id == owner_org)
		return 1;
	if (vis == EB_VIS_PARTNERS)
		return access_partners(c, who->org_id, owner_org);
	if (vis == EB_VIS_LISTED) {
		struct eb_stmt *s = eb_stmt(c,
					    "SELECT 1 FROM record_shares WHERE kind = ? AND record_id = ? AND org_id = ?",
					    NULL);
		if (!s)
			return 0;
		eb_bind_text(s, 1, kind);
		eb_bind_i64(s, 2, record_id);
		eb_bind_i64(s, 3, who->org_id);
		int ok = eb_step(s, NULL) == EB_ROW;
		eb_done(s);
		return ok;
	}
	return 0;
}

int access_bind_addressed(struct eb_stmt *s, int idx, const struct eb_principal *who,
			  const char *kind)
{
	int64_t org = who->kind == EB_ANON || who->kind == EB_CLI ? 0 : who->org_id;
	eb_bind_i64(s, idx++, who->kind == EB_CLI);
	eb_bind_i64(s, idx++, org);
	eb_bind_i64(s, idx++, org);
	return access_bind_visible(s, idx, who, kind);
}

int access_can_read_addressed(struct eb_conn *c, const struct eb_principal *who,
			      const char *kind, int64_t record_id, int64_t owner_org,
			      int64_t addressee, enum eb_visibility vis)
{
	if (who->kind == EB_CLI)
		return 1;
	if (who->kind != EB_ANON && who->org_id && who->org_id == addressee)
		return 1;
	return access_can_read(c, who, kind, record_id, owner_org, vis);
}

enum eb_err access_can_write(const struct eb_principal *who, int64_t owner_org,
			     enum eb_role min_role, struct eb_detail *d)
{
	if (who->kind == EB_ANON)
		return eb_fail(d, EB_EAUTH, NULL, "log in to change records");
	if (who->kind == EB_CLI)
		return EB_OK;
	if (who->org_id != owner_org)
		return eb_fail(d, EB_EPERM, NULL, "only the organisation that owns this record may change it");
	if (who->role < min_role)
		return eb_fail(d, EB_EPERM, NULL, "this change needs the %s role", eb_role_name(min_role));
	return EB_OK;
}

enum eb_err access_can_admin_org(const struct eb_principal *who, int64_t org_id,
				 struct eb_detail *d)
{
	if (who->kind == EB_ANON)
		return eb_fail(d, EB_EAUTH, NULL, "log in to administer an organisation");
	if (who->kind == EB_CLI)
		return EB_OK;
	if (who->role < EB_ROLE_ADMIN)
		return eb_fail(d, EB_EPERM, NULL, "administering an organisation needs the admin role");
	if (who->org_id != org_id && !who->operator_org)
		return eb_fail(d, EB_EPERM, NULL, "you can administer only your own organisation");
	return EB_OK;
}

int access_can_see_members(const struct eb_principal *who, int64_t org_id)
{
	if (who->kind == EB_CLI)
		return 1;
	if (who->kind == EB_ANON)
		return 0;
	return who->org_id == org_id || (who->operator_org && who->role == EB_ROLE_ADMIN);
}

enum eb_err access_set_shares(struct eb_conn *c, const char *kind,
			      int64_t record_id, json_t *org_ids,
			      struct eb_detail *d)
{
	struct eb_stmt *del = eb_stmt(c, "DELETE FROM record_shares WHERE kind = ? AND record_id = ?", d);
	if (!del)
		return EB_EDB;
	eb_bind_text(del, 1, kind);
	eb_bind_i64(del, 2, record_id);
	int rc = eb_step(del, d);
	eb_done(del);
	if (rc < 0)
		return (enum eb_err)rc;
	size_t i;
	json_t *v;
	json_array_foreach(org_ids, i, v) {
		struct eb_stmt *ins = eb_stmt(c,
					      "INSERT INTO record_shares (kind, record_id, org_id) VALUES (?, ?, ?) "
					      "ON CONFLICT DO NOTHING",
					      d);
		if (!ins)
			return EB_EDB;
		eb_bind_text(ins, 1, kind);
		eb_bind_i64(ins, 2, record_id);
		eb_bind_i64(ins, 3, json_integer_value(v));
		rc = eb_step(ins, d);
		eb_done(ins);
		if (rc == EB_EINVAL) {
			char f[48];
			snprintf(f, sizeof f, "/shared_with/%zu", i);
			return eb_fail(d, EB_EINVAL, f, "shared_with names organisation %lld, which does not exist",
				       (long long)json_integer_value(v));
		}
		if (rc < 0)
			return (enum eb_err)rc;
	}
	return EB_OK;
}

json_t *access_get_shares(struct eb_conn *c, const char *kind, int64_t record_id)
{
	json_t *a = json_array();
	struct eb_stmt *s = eb_stmt(c, "SELECT org_id FROM record_shares WHERE kind = ? AND record_id = ? ORDER BY org_id", NULL);
	if (!s)
		return a;
	eb_bind_text(s, 1, kind);
	eb_bind_i64(s, 2, record_id);
	while (eb_step(s, NULL) == EB_ROW)
		json_array_append_new(a, json_integer(eb_col_i64(s, 0)));
	eb_done(s);
	return a;
}
