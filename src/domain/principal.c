/*
 * Role names.  See principal.h.
 */
#include "domain/principal.h"

#include <string.h>

const char *eb_role_name(enum eb_role r)
{
	switch (r) {
	case EB_ROLE_VIEWER: return "viewer";
	case EB_ROLE_EDITOR: return "editor";
	case EB_ROLE_ADMIN: return "admin";
	default: return "none";
	}
}

enum eb_role eb_role_parse(const char *s)
{
	if (!s)
		return EB_ROLE_NONE;
	if (strcmp(s, "viewer") == 0)
		return EB_ROLE_VIEWER;
	if (strcmp(s, "editor") == 0)
		return EB_ROLE_EDITOR;
	if (strcmp(s, "admin") == 0)
		return EB_ROLE_ADMIN;
	return EB_ROLE_NONE;
}
