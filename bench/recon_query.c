/*
 * Benchmark driver for B-RECON (bench/b_reconcile.sh): the latency of the
 * single-pledge reconciliation query (donation_recon_pledge, the fast path
 * computed live from the pledge's lines and batches), on the database
 * named by its first argument.
 *
 *   recon_query DB_URL PLEDGES QUERIES
 *
 * Asks QUERIES times for a pledge id spread over 1..PLEDGES (a fixed
 * pseudo-random sequence, so that both databases answer the same
 * questions), after 200 warm-up queries, acting as the command line (no
 * visibility filtering beyond the pledge's own check).  Prints one line:
 *   queries=N mean_us=... p50_us=... p90_us=... p99_us=... max_us=...
 *   checksum=<sum of received over the answers>
 * The checksum lets the script check that both databases gave the same
 * answers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "domain/donation.h"
#include "store/db.h"

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: recon_query DB_URL PLEDGES QUERIES\n");
		return 2;
	}
	int64_t pledges = 0, queries = 0;
	if (eb_parse_i64(argv[2], 1, INT64_MAX, &pledges) || eb_parse_i64(argv[3], 1, 10000000, &queries)) {
		fprintf(stderr, "recon_query: PLEDGES and QUERIES must be positive integers\n");
		return 2;
	}
	eb_util_init();
	struct eb_db *db = NULL;
	struct eb_detail d = {0};
	if (eb_db_open(argv[1], 1, &db, &d)) {
		fprintf(stderr, "recon_query: %s\n", d.msg);
		return 1;
	}
	struct eb_conn *c = eb_db_acquire(db);
	struct eb_principal who = {0};
	who.kind = EB_CLI;
	who.role = EB_ROLE_ADMIN;
	who.operator_org = 1;
	double *lat = calloc((size_t)queries, sizeof *lat);
	if (!lat)
		return 1;
	uint64_t seed = 42, checksum = 0;
	int rc = 0;
	for (int64_t i = -200; i < queries && !rc; i++) {
		int64_t id = 1 + (int64_t)(splitmix(&seed) % (uint64_t)pledges);
		json_t *out = NULL;
		double t0 = now_us();
		enum eb_err e = donation_recon_pledge(c, &who, id, &out, &d);
		double t1 = now_us();
		if (e) {
			fprintf(stderr, "recon_query: pledge %" PRId64 ": %s\n", id, d.msg);
			rc = 1;
			break;
		}
		if (i >= 0) {
			lat[i] = t1 - t0;
			size_t k;
			json_t *l;
			json_array_foreach(json_object_get(out, "lines"), k, l)
				checksum += (uint64_t)json_integer_value(json_object_get(l, "received"));
		}
		json_decref(out);
	}
	if (!rc) {
		double sum = 0;
		for (int64_t i = 0; i < queries; i++)
			sum += lat[i];
		qsort(lat, (size_t)queries, sizeof *lat, cmp_d);
		printf("queries=%" PRId64 " mean_us=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f checksum=%" PRIu64 "\n",
		       queries, sum / (double)queries, lat[queries / 2], lat[queries * 9 / 10], lat[queries * 99 / 100],
		       lat[queries - 1], checksum);
	}
	free(lat);
	eb_db_release(c);
	eb_db_close(db);
	return rc;
}
