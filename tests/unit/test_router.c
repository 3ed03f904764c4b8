/*
 * Unit tests for the router: parameters, 404 versus 405 with Allow, and
 * hostile paths.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "http/router.h"

static const struct eb_route *match(const char *m, const char *p, const char **params,
				    int *np, char *allowed)
{
	static char buf[1024];
	return eb_route_match(m, p, buf, sizeof buf, params, np, allowed, 128);
}

static void routes_match_with_params(void **state)
{
	(void)state;
	const char *params[EB_MAX_PARAMS];
	int np;
	char allowed[128];
	const struct eb_route *r = match("GET", "/api/v1/orgs/42/users", params, &np, allowed);
	assert_non_null(r);
	assert_string_equal(r->pattern, "/api/v1/orgs/{id}/users");
	assert_int_equal(np, 1);
	assert_string_equal(params[0], "42");
	r = match("HEAD", "/api/v1/orgs", params, &np, allowed);
	assert_non_null(r);
	assert_string_equal(r->method, "GET");
}

static void wrong_method_lists_allowed(void **state)
{
	(void)state;
	const char *params[EB_MAX_PARAMS];
	int np;
	char allowed[128];
	assert_null(match("PUT", "/api/v1/orgs/1", params, &np, allowed));
	assert_non_null(strstr(allowed, "GET"));
	assert_non_null(strstr(allowed, "PATCH"));
	assert_null(match("GET", "/api/v1/nope", params, &np, allowed));
	assert_string_equal(allowed, "");
}

static void hostile_paths_do_not_match(void **state)
{
	(void)state;
	const char *params[EB_MAX_PARAMS];
	int np;
	char allowed[128];
	assert_null(match("GET", "/api/v1/orgs/", params, &np, allowed));     /* trailing slash */
	assert_null(match("GET", "/api/v1/orgs//users", params, &np, allowed)); /* empty param */
	assert_null(match("GET", "api/v1/orgs", params, &np, allowed));
	assert_null(match("GET", "", params, &np, allowed));
	char longp[2048];
	memset(longp, 'a', sizeof longp - 1);
	longp[0] = '/';
	longp[sizeof longp - 1] = '\0';
	assert_null(match("GET", longp, params, &np, allowed));
	assert_null(match("GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s", params, &np, allowed));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(routes_match_with_params),
		cmocka_unit_test(wrong_method_lists_allowed),
		cmocka_unit_test(hostile_paths_do_not_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
