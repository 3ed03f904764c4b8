/*
 * Data versions.  See dataver.h.
 */
#include "domain/dataver.h"
#include "store/db.h"

enum eb_err dataver_get(struct eb_conn *c, const char *name, int64_t *version,
			struct eb_detail *d)
{
	struct eb_stmt *s = eb_stmt(c, "SELECT version FROM data_versions WHERE name = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, name);
	int rc = eb_step(s, d);
	if (rc == EB_ROW)
		*version = eb_col_i64(s, 0);
	eb_done(s);
	if (rc < 0)
		return (enum eb_err)rc;
	return rc == EB_ROW ? EB_OK : eb_fail(d, EB_ENOTFOUND, NULL, "no data version %s", name);
}

enum eb_err dataver_bump(struct eb_conn *c, const char *name, struct eb_detail *d)
{
	if (!eb_in_tx(c))
		return eb_fail(d, EB_EINTERNAL, NULL, "dataver_bump outside a transaction");
	struct eb_stmt *s = eb_stmt(c, "UPDATE data_versions SET version = version + 1 WHERE name = ?", d);
	if (!s)
		return EB_EDB;
	eb_bind_text(s, 1, name);
	int rc = eb_step(s, d);
	eb_done(s);
	return rc < 0 ? (enum eb_err)rc : EB_OK;
}
