/*
 * Compute-only timing for benchmarks B1 / B1-long: the same work EpiEstim's
 * estimate_R does (incidence arrays in memory to the posterior table in
 * memory), through the public epi/rt.h API, without CSV parsing or output.
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Isrc bench/b1_core.c build/libepibridge.a -lm -lpthread
 *   b1_core INPUT.csv MEAN_SI SD_SI [REPEAT]
 *
 * INPUT is the generator's area,t,cases file (grouped by area, t = 1..T).
 * Prints "CORE_SECONDS=<best seconds of one pass over all areas>" and
 * "WINDOWS=<n>" plus a checksum so the work cannot be optimised away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "epi/rt.h"

#define MAX_AREAS 100000

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: b1_core INPUT.csv MEAN_SI SD_SI [REPEAT]\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	char line[512], prev[512] = "";
	size_t cap = 1 << 20, n = 0, nareas = 0;
	double *cases = malloc(cap * sizeof *cases);
	size_t *start = malloc((MAX_AREAS + 1) * sizeof *start);
	if (!cases || !start || !fgets(line, sizeof line, f))
		return 1;
	while (fgets(line, sizeof line, f)) {
		char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
		if (!c2)
			return fprintf(stderr, "bad line: %s", line), 1;
		*c1 = '\0';
		if (strcmp(line, prev) != 0) {
			if (nareas == MAX_AREAS)
				return fprintf(stderr, "too many areas\n"), 1;
			start[nareas++] = n;
			snprintf(prev, sizeof prev, "%s", line);
		}
		if (n == cap) {
			cap *= 2;
			cases = realloc(cases, cap * sizeof *cases);
			if (!cases)
				return 1;
		}
		cases[n++] = strtod(c2 + 1, NULL);
	}
	fclose(f);
	start[nareas] = n;
	size_t maxT = 0;
	for (size_t a = 0; a < nareas; a++)
		if (start[a + 1] - start[a] > maxT)
			maxT = start[a + 1] - start[a];
	size_t *ts = malloc(maxT * sizeof *ts), *te = malloc(maxT * sizeof *te);
	struct rt_window *out = malloc(maxT * sizeof *out);
	struct rt_si si = {NULL, 0, strtod(argv[2], NULL), strtod(argv[3], NULL)};
	struct rt_estimator *e;
	struct eb_detail d;
	if (!ts || !te || !out || rt_estimator_new(&si, 0, 0, &e, &d) != EB_OK)
		return fprintf(stderr, "setup failed\n"), 1;
	long repeat = argc > 4 ? strtol(argv[4], NULL, 10) : 5;
	if (repeat < 1 || repeat > 1000)
		repeat = 5;
	double best = 1e300, check = 0;
	size_t windows = 0;
	for (long r = 0; r < repeat; r++) {
		double t0 = now();
		windows = 0;
		for (size_t a = 0; a < nareas; a++) {
			size_t T = start[a + 1] - start[a];
			size_t nw = rt_windows_sliding(T, 7, ts, te, maxT);
			if (rt_estimator_run(e, cases + start[a], NULL, T, ts, te, nw, out,
					     NULL, &d) != EB_OK)
				return fprintf(stderr, "%s\n", d.msg), 1;
			windows += nw;
			check += out[nw / 2].q[3];
		}
		double dt = now() - t0;
		if (dt < best)
			best = dt;
	}
	printf("CORE_SECONDS=%.6f\nWINDOWS=%zu\nCHECKSUM=%.6g\n", best, windows, check);
	rt_estimator_free(e);
	free(cases);
	free(start);
	free(ts);
	free(te);
	free(out);
	return 0;
}
