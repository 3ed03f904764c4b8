/*
 * Who is making a call: anonymous, a user in a browser session, an API token,
 * or the command line (trusted, acts as the operator).
 *
 * Roles are ordered: viewer < editor < admin.  A principal always belongs to
 * exactly one organisation (except anonymous, org_id 0).  "operator" marks the
 * organisation that runs this deployment: its admins administer every
 * organisation.
 */
#ifndef EB_DOMAIN_PRINCIPAL_H
#define EB_DOMAIN_PRINCIPAL_H

#include <stdint.h>

enum eb_role { EB_ROLE_NONE = 0, EB_ROLE_VIEWER = 1, EB_ROLE_EDITOR = 2, EB_ROLE_ADMIN = 3 };

enum eb_principal_kind { EB_ANON = 0, EB_USER = 1, EB_TOKEN = 2, EB_CLI = 3 };

struct eb_principal {
	enum eb_principal_kind kind;
	int64_t user_id;   /* 0 for tokens, anonymous and CLI */
	int64_t token_id;  /* for tokens */
	int64_t org_id;
	enum eb_role role;
	int operator_org;  /* the caller's organisation runs this deployment */
	char label[80];    /* login, "token:<prefix>", "cli" — for the audit log */
};

const char *eb_role_name(enum eb_role r);
/* Returns EB_ROLE_NONE for an unknown name. */
enum eb_role eb_role_parse(const char *s);

#endif
