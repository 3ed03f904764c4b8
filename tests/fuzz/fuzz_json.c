/*
 * libFuzzer target for request-body decoding (src/base/jcheck.c) and the
 * response JSON writer (eb_json_dump in src/http/server.c).
 *
 * Every input is parsed with eb_json_parse (depth limit 32, as the server
 * uses) and, when it parses, checked with eb_json_check against a field
 * specification holding every field type, both whole (POST) and partial
 * (PATCH), with and without the known-country hook.  Beyond "no crash, no
 * leak, no undefined behaviour" it checks the promises the callers rely on:
 *   - an error always names a NUL-terminated message, and a field error's
 *     pointer names a field of the spec (or an element of one);
 *   - eb_json_dump writes exactly what json_dumps(v, JSON_COMPACT) writes,
 *     for the parsed document and for the raw input bytes as one string
 *     (which reaches the escaping and UTF-8 validation paths that parsed,
 *     always-valid strings do not);
 *   - whatever eb_json_dump writes parses back to an equal value.
 * A broken promise aborts.
 *
 * Sources: src/base/jcheck.c, src/base/util.c, src/base/err.c,
 * src/base/buf.c and src/http/server.c (which pulls in the rest of the
 * library: libmicrohttpd, libsodium, the database layer); scripts/build-fuzz.sh
 * links every target against all of src/ except src/cli/.
 *
 *   sh scripts/build-fuzz.sh && build-fuzz/fuzz_json -max_total_time=60 \
 *     -dict=tests/fuzz/json.dict CORPUS_COPY tests/fuzz/corpus/json
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/jcheck.h"
#include "http/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const colours[] = {"red", "amber", "green", NULL};

static const struct eb_jfield spec[] = {
	{"name", EB_J_STR, 1, 20, 1, 0, NULL},
	{"note", EB_J_STR, 0, 0, 0, 0, NULL},
	{"count", EB_J_INT, 0, 0, -5, 1000, NULL},
	{"rate", EB_J_NUM, 0, 0, 0, 100, NULL},
	{"any", EB_J_NUM, 0, 0, 0, 0, NULL},
	{"active", EB_J_BOOL, 0, 0, 0, 0, NULL},
	{"day", EB_J_DATE, 0, 0, 0, 0, NULL},
	{"at", EB_J_TIME, 0, 0, 0, 0, NULL},
	{"level", EB_J_ENUM, 1, 0, 0, 0, colours},
	{"org_id", EB_J_ID, 0, 0, 0, 0, NULL},
	{"country", EB_J_COUNTRY, 0, 0, 0, 0, NULL},
	{"ids", EB_J_IDS, 0, 3, 0, 0, NULL},
	{"tags", EB_J_STRS, 0, 8, 0, 4, NULL},
	{"parent_id", EB_J_NULLABLE_ID, 0, 0, 0, 0, NULL},
	{NULL, 0, 0, 0, 0, 0, NULL}};

static int known(const char *iso2)
{
	return strcmp(iso2, "CN") == 0 || strcmp(iso2, "IT") == 0 || strcmp(iso2, "UG") == 0;
}

static void check_detail(const struct eb_detail *d)
{
	if (!memchr(d->msg, '\0', sizeof d->msg) || !memchr(d->field, '\0', sizeof d->field) || !d->msg[0])
		abort();
}

/* A field error is a JSON pointer: "/name", "/ids/2", or "" for the body. */
static void check_pointer(const char *ptr)
{
	if (ptr[0] && ptr[0] != '/')
		abort();
}

/* eb_json_dump must equal json_dumps(JSON_COMPACT), failures included. */
static void same_dump(json_t *v)
{
	char *ref = json_dumps(v, JSON_COMPACT);
	struct eb_buf b;
	eb_buf_init(&b, 0);
	eb_buf_add(&b, "x", 1); /* appends after existing contents */
	int rc = eb_json_dump(&b, v);
	if ((ref == NULL) != (rc != 0))
		abort();
	if (rc) {
		if (b.len != 1)
			abort();
	} else {
		if (b.len - 1 != strlen(ref) || memcmp(b.data + 1, ref, b.len - 1) != 0)
			abort();
		json_error_t je;
		json_t *back = json_loadb(b.data + 1, b.len - 1, JSON_ALLOW_NUL, &je);
		/* json_equal treats 1.0 and 1 as different types; the dump keeps
		 * reals as reals (".0" added), so equality must hold */
		if (!back || !json_equal(back, v))
			abort();
		json_decref(back);
	}
	eb_buf_free(&b);
	free(ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eb_detail d;
	json_t *v = NULL;

	/* The raw bytes as one string value: escapes and UTF-8 checks. */
	json_t *raw = json_object();
	json_object_set_new_nocheck(raw, "s", json_stringn_nocheck((const char *)data, size));
	json_t *arr = json_array();
	json_array_append(arr, raw);
	json_array_append_new(arr, json_integer(size ? (json_int_t)data[0] * -1234567890123LL : INT64_MIN));
	json_array_append_new(arr, json_real(size ? (double)data[size - 1] / 7.0 : 1e300));
	same_dump(arr);
	json_decref(arr);
	json_decref(raw);

	memset(&d, 0, sizeof d);
	enum eb_err e = eb_json_parse((const char *)data, size, 32, &v, &d);
	if (e) {
		if (v)
			abort();
		check_detail(&d);
		return 0;
	}
	if (!json_is_object(v))
		abort();
	same_dump(v);

	for (int mode = 0; mode < 4; mode++) {
		eb_country_known = (mode & 2) ? known : NULL;
		memset(&d, 0, sizeof d);
		e = eb_json_check(v, spec, mode & 1, &d);
		if (e) {
			if (e != EB_EINVAL)
				abort();
			check_detail(&d);
			check_pointer(d.field);
		} else {
			/* what passed can be read back with the getters */
			const char *name = eb_jstr(v, "name");
			if (!(mode & 1) && (!name || !*name || strlen(name) > 20))
				abort();
			int64_t count = eb_jint(v, "count", 0);
			if (count < -5 || count > 1000)
				abort();
		}
	}
	eb_country_known = NULL;
	json_decref(v);
	return 0;
}
