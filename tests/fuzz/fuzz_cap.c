/*
 * libFuzzer target for cap_parse (src/formats/cap.c) and the untrusted XML
 * wrapper under it (src/formats/xml_safe.c).
 *
 * Beyond "no crash, no leak, no undefined behaviour", it checks that every
 * refusal carries a message that is clean UTF-8 (messages quote the input),
 * and the promise the CAP layer makes: whatever cap_parse accepts can be written back with
 * cap_write, that output parses again to an equal model, and the model
 * survives the JSON form unchanged too.  A broken promise aborts.
 *
 * Build (one command, from the repository root; clang and libclang-rt-dev):
 *
 *   mkdir -p build-fuzz && clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -Isrc $(pkg-config --cflags libxml-2.0 jansson) \
 *     tests/fuzz/fuzz_cap.c src/formats/cap.c src/formats/xml_safe.c \
 *     src/base/datadir.c src/base/buf.c src/base/err.c \
 *     $(pkg-config --libs libxml-2.0 jansson) -lm -o build-fuzz/fuzz_cap
 *
 * Run (the CAP schema is found as data/standards/cap/cap12.xsd from the
 * repository root, via the binary's ../data, or under $EB_DATA_DIR):
 *
 *   build-fuzz/fuzz_cap -max_total_time=60 -dict=tests/fuzz/cap.dict \
 *     build-fuzz/corpus-cap tests/fuzz/corpus/cap
 *
 * (the first directory collects new inputs; the seed corpus stays clean).
 * scripts/build-fuzz.sh cap and scripts/run-fuzz.sh cap do the same through
 * the fuzz build of the whole library.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "formats/cap.h"
#include "formats/xml_safe.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	struct eb_detail d;
	if (cap_init(NULL, &d) != EB_OK) {
		fprintf(stderr, "fuzz_cap: %s\n", d.msg);
		abort();
	}
	return 0;
}

static void promise_broken(const char *what, const struct eb_detail *d)
{
	fprintf(stderr, "fuzz_cap: %s: %s [%s]\n", what, d ? d->msg : "",
		d ? d->field : "");
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cap_alert *a = NULL;
	struct eb_detail d;
	if (cap_parse((const char *)data, size, &a, &d) != EB_OK) {
		if (a)
			promise_broken("failed parse returned an alert", NULL);
		if (!d.msg[0])
			promise_broken("failed parse without a message", NULL);
		/* messages quote input; they must stay clean for JSON */
		if (!xml_safe_text_valid(d.msg) || !xml_safe_text_valid(d.field) ||
		    strchr(d.msg, '\n') || strchr(d.msg, '\r') || strchr(d.msg, '\t'))
			promise_broken("error message is not clean UTF-8", &d);
		return 0;
	}

	/* accepted: must write back, re-read equal */
	struct eb_buf out;
	eb_buf_init(&out, (size_t)16 << 20);
	if (cap_check(a, &d) != EB_OK)
		promise_broken("parsed alert fails cap_check", &d);
	if (cap_write(a, &out) != EB_OK)
		promise_broken("parsed alert cannot be written", NULL);
	struct cap_alert *b = NULL;
	if (cap_parse(out.data, out.len, &b, &d) != EB_OK) {
		fprintf(stderr, "%.*s\n", (int)(out.len < 4000 ? out.len : 4000),
			out.data);
		promise_broken("written alert does not parse", &d);
	}
	if (!cap_alert_equal(a, b))
		promise_broken("XML round trip changed the alert", NULL);

	/* and through JSON */
	json_t *j = cap_to_json(a);
	if (!j)
		promise_broken("cap_to_json failed", NULL);
	struct cap_alert *c = NULL;
	if (cap_from_json(j, &c, &d) != EB_OK)
		promise_broken("JSON of a parsed alert is refused", &d);
	if (!cap_alert_equal(a, c))
		promise_broken("JSON round trip changed the alert", NULL);

	json_decref(j);
	cap_alert_free(c);
	cap_alert_free(b);
	cap_alert_free(a);
	eb_buf_free(&out);
	return 0;
}
