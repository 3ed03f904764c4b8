/*
 * Helpers shared by the format reader tests (test_csv, test_who_csv,
 * test_jhu_csv, test_hxl, test_areas): locating the real data files under
 * $EB_SHARED (default ../shared, relative to the repository root where the
 * tests run) and reading small in-memory inputs.  Header-only; each test
 * program includes it once.
 */
#ifndef EB_TESTS_FORMATS_TESTUTIL_H
#define EB_TESTS_FORMATS_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Path of rel under the shared data directory, in a static buffer. */
static const char *shared_path(const char *rel)
{
	static char path[4096];
	const char *base = getenv("EB_SHARED");
	if (!base || !*base)
		base = "../shared";
	snprintf(path, sizeof path, "%s/%s", base, rel);
	return path;
}

/* Opens a shared data file; fails the test (via abort message) if absent. */
static FILE *shared_open(const char *rel)
{
	const char *p = shared_path(rel);
	FILE *f = fopen(p, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s (set EB_SHARED)\n", p);
		abort();
	}
	return f;
}

#endif
