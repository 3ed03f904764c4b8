/*
 * Locating the read-only data files epibridge ships with (standards schemas,
 * country reference data, ...) under the repository's data/ directory.
 *
 * A data file is named by its path relative to data/, for example
 * "standards/cap/cap12.xsd" or "reference/countries.csv".  eb_data_path()
 * tries, in this order, and returns the first candidate that exists:
 *
 *   1. $EB_DATA_DIR/<rel>              (when EB_DATA_DIR is set and non-empty)
 *   2. ./data/<rel>                    (running from the repository root)
 *   3. <dir of executable>/../data/<rel>        (build/epibridge, build-fuzz/x)
 *   4. <dir of executable>/../share/epibridge/<rel>   (installed: bin/ + share/)
 *
 * The executable's directory comes from /proc/self/exe (Linux); where that is
 * unavailable, steps 3 and 4 are skipped.
 *
 * Use it once at start-up (or lazily behind a once-guard) for each file; it
 * does a few stat() calls and is not meant for hot paths.
 */
#ifndef EB_BASE_DATADIR_H
#define EB_BASE_DATADIR_H

#include <stddef.h>

/*
 * Finds data file rel (relative, must not start with '/' nor contain "..")
 * and writes its path into out (outlen bytes, NUL-terminated).
 *
 * Returns out on success.  Returns NULL when no candidate exists, when rel is
 * NULL, absolute or contains a ".." component, or when a candidate path does
 * not fit in outlen (such a candidate is skipped); out then holds "" (if
 * outlen > 0).  The caller owns out.  Thread-safe (reads the environment
 * only; do not call setenv concurrently).
 */
const char *eb_data_path(const char *rel, char *out, size_t outlen);

#endif
