/*
 * Tests of the data-file lookup (src/base/datadir.c): $EB_DATA_DIR wins over
 * ./data, ./data is found from the repository root, unsafe names and paths
 * that do not fit are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/datadir.h"

static void test_repo_data(void **state)
{
	(void)state;
	unsetenv("EB_DATA_DIR");
	char out[4096];
	const char *p = eb_data_path("standards/cap/cap12.xsd", out, sizeof out);
	assert_non_null(p);
	assert_ptr_equal(p, out);
	assert_string_equal(out, "data/standards/cap/cap12.xsd");
	assert_null(eb_data_path("standards/no-such-file.xsd", out, sizeof out));
	assert_string_equal(out, "");
}

static void test_env_wins(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_datadir_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char sub[4200], file[4300];
	snprintf(sub, sizeof sub, "%s/standards", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(sub, sizeof sub, "%s/standards/cap", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(file, sizeof file, "%s/cap12.xsd", sub);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);

	setenv("EB_DATA_DIR", dir, 1);
	char out[4096];
	assert_non_null(eb_data_path("standards/cap/cap12.xsd", out, sizeof out));
	assert_string_equal(out, file);
	/* a file missing there falls back to ./data */
	assert_non_null(
		eb_data_path("standards/edxl-de/edxlde-1_0.xsd", out, sizeof out));
	assert_string_equal(out, "data/standards/edxl-de/edxlde-1_0.xsd");
	/* a path that does not fit is not returned truncated */
	char tiny[12];
	assert_null(eb_data_path("standards/cap/cap12.xsd", tiny, sizeof tiny));
	assert_string_equal(tiny, "");
	unsetenv("EB_DATA_DIR");

	unlink(file);
	rmdir(sub);
	snprintf(sub, sizeof sub, "%s/standards", dir);
	rmdir(sub);
	rmdir(dir);
}

static void test_unsafe_names(void **state)
{
	(void)state;
	char out[4096];
	assert_null(eb_data_path("/etc/passwd", out, sizeof out));
	assert_null(eb_data_path("../data/standards/cap/cap12.xsd", out, sizeof out));
	assert_null(eb_data_path("standards/../standards/cap/cap12.xsd", out,
				 sizeof out));
	assert_null(eb_data_path("standards/cap/..", out, sizeof out));
	assert_null(eb_data_path("", out, sizeof out));
	assert_null(eb_data_path(NULL, out, sizeof out));
	assert_null(eb_data_path("standards/cap/cap12.xsd", NULL, 0));
	/* ".." inside a name is not a component */
	assert_null(eb_data_path("standards/cap/x..y", out, sizeof out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repo_data),
		cmocka_unit_test(test_env_wins),
		cmocka_unit_test(test_unsafe_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
