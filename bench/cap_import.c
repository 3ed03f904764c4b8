/*
 * Benchmark driver for bench/b_cap_import.sh: imports CAP 1.2 files the way
 * the server does (read the file, cap_parse: safe parse + schema validation
 * + model), ROUNDS times over the files given, and prints
 * "valid=N invalid=M seconds=S" (S measured around the loop only; the
 * script also times the whole process, which is what it compares).
 *
 *   cap_import ROUNDS FILE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "formats/cap.h"
#include "formats/xml_safe.h"

static int read_file(const char *path, struct eb_buf *b)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	char chunk[65536];
	size_t n;
	int rc = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (eb_buf_add(b, chunk, n) != EB_OK) {
			rc = -1;
			break;
		}
	fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fputs("usage: cap_import ROUNDS FILE...\n", stderr);
		return 2;
	}
	char *end;
	long rounds = strtol(argv[1], &end, 10);
	if (*end || rounds < 1) {
		fputs("cap_import: ROUNDS must be a positive integer\n", stderr);
		return 2;
	}
	struct eb_detail d;
	if (cap_init(NULL, &d) != EB_OK) {
		fprintf(stderr, "cap_import: %s\n", d.msg);
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long valid = 0, invalid = 0;
	struct eb_buf b;
	eb_buf_init(&b, XML_SAFE_MAX_BYTES_DEFAULT);
	for (long r = 0; r < rounds; r++) {
		for (int i = 2; i < argc; i++) {
			eb_buf_reset(&b);
			struct cap_alert *a = NULL;
			if (read_file(argv[i], &b) == 0 &&
			    cap_parse(b.data, b.len, &a, &d) == EB_OK)
				valid++;
			else
				invalid++;
			cap_alert_free(a);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	eb_buf_free(&b);
	double s = (double)(t1.tv_sec - t0.tv_sec) +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("valid=%ld invalid=%ld seconds=%.6f\n", valid, invalid, s);
	return 0;
}
