/*
 * Unit tests of `epibridge rt` (src/cli/cmd_rt.c, included here so that its
 * static helpers can be tested and no main() is needed):
 *  - the fast %.17g formatter prints exactly what snprintf prints;
 *  - every EpiEstim reference case, fed through the command as a CSV with
 *    its serial interval (options or --si-file with the reference si_ file)
 *    and window, reproduces EpiEstim (mean/std 1e-9, quantiles 1e-6, NA);
 *  - many areas in shuffled order give the same rows as one area at a time;
 *  - dates, gaps, missing counts, and the error messages (line, column, what
 *    to do) and exit statuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <unistd.h>

#include "cli/cmd_rt.c"
#include "epi_ref.h"

/* ---- helpers --------------------------------------------------------- */

struct run {
	int rc;
	char *out, *err;
};

static char *slurp(FILE *f)
{
	long n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	char *s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

/* Run the command with argv (NULL-terminated) and input text on stdin. */
static struct run run_cmd(const char *input, const char *const *args)
{
	char *argv[32];
	int argc = 0;
	argv[argc++] = (char *)"rt";
	for (; args[argc - 1]; argc++) {
		assert_true(argc < 31);
		argv[argc] = (char *)args[argc - 1];
	}
	argv[argc] = NULL;
	FILE *in = tmpfile(), *out = tmpfile(), *err = tmpfile();
	assert_true(in && out && err);
	fputs(input ? input : "", in);
	rewind(in);
	struct run r;
	r.rc = rt_main(argc, argv, in, out, err);
	fclose(in);
	r.out = slurp(out);
	r.err = slurp(err);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* ---- %.17g ------------------------------------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void check_fmt(double v)
{
	char a[40], b[40];
	fmt_g17(a, v);
	snprintf(b, sizeof b, "%.17g", v);
	if (strcmp(a, b) != 0)
		fail_msg("fmt_g17(%a): '%s', printf '%s'", v, a, b);
}

static void test_format_g17(void **state)
{
	(void)state;
	static const double fixed[] = {
		0.0, -0.0, 1.0, 0.1, 0.2, 0.3, 1e-6, 9.9999999999999995e-07, 1e-5,
		1e-4, 0.001, 5e-5, 0.0001234, 9.9999999999999991e-05, 0.99999999999999989,
		1.0000000000000002, 9.999999999999998, 10.0, 99.999999999999986, 100.0,
		123456789012345.67, 9007199254740991.0, 9007199254740992.0, 1e16, 1e17,
		4.9406564584124654e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
		0.5, 0.25, 0.125, 1.5, 2.5, 3.7836772980233531, 14.999783279743614,
		5.2732025912599957e-07, -2.5, -1e-5, NAN, INFINITY, -INFINITY};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		check_fmt(fixed[i]);
	for (int i = -330; i <= 310; i++) {
		check_fmt(pow(10.0, i));
		check_fmt(nextafter(pow(10.0, i), 0));
		check_fmt(nextafter(pow(10.0, i), INFINITY));
	}
	/* random bit patterns, and random values in the range Rt outputs use */
	for (int i = 0; i < 300000; i++) {
		uint64_t u = rng();
		double v;
		memcpy(&v, &u, sizeof v);
		check_fmt(v);
		double x = (double)(rng() >> 11) * 0x1.0p-53; /* [0, 1) */
		check_fmt(x * pow(10.0, (double)(int)(rng() % 24) - 8));
	}
}

/* ---- reference cases through the CLI ----------------------------------- */

static const char *const qcols[RT_NQ] = {"q0025", "q005",  "q025", "median",
					 "q075",  "q095", "q0975"};

/* Parse the command's CSV output into a ref_table (via a temp file in the
 * same format as the reference files). */
static void parse_output(const char *csv, struct ref_table *t)
{
	char path[] = "/tmp/eb_rt_outXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(csv, f);
	fclose(f);
	ref_load_path(t, path);
	unlink(path);
}

static size_t run_reference_case(const char *file, double *worst_m, double *worst_q)
{
	char name[256], dataset[256], fname[400];
	size_t flen = strlen(file);
	memcpy(name, file + 2, flen - 6);
	name[flen - 6] = '\0';
	const char *sep = strstr(name, "__");
	assert_non_null(sep);
	memcpy(dataset, name, (size_t)(sep - name));
	dataset[sep - name] = '\0';
	double m = 0, s = 0, pm = 5, ps = 5;
	int param = sscanf(sep + 2, "param_m%lf_s%lf", &m, &s) == 2;
	const char *pr = strstr(name, "prior_m");
	if (pr)
		assert_int_equal(sscanf(pr, "prior_m%lf_s%lf", &pm, &ps), 2);

	struct ref_table in, ref;
	snprintf(fname, sizeof fname, "input_%s.csv", dataset);
	ref_load(&in, fname);
	ref_load(&ref, file);
	size_t cl = ref_col(&in, "local"), ci = ref_col(&in, "imported"),
	       ct = ref_col(&in, "t");
	/* input CSV, rows in reverse order to exercise sorting */
	size_t cap = 64 + in.nrow * 64, len = 0;
	char *csv = malloc(cap);
	assert_non_null(csv);
	len += (size_t)snprintf(csv + len, cap - len, "t,local,imported,area\n");
	for (size_t i = in.nrow; i-- > 0;)
		len += (size_t)snprintf(csv + len, cap - len, "%s,%s,%s,%s\n",
					ref_str(&in, i, ct), ref_str(&in, i, cl),
					ref_str(&in, i, ci), dataset);
	size_t ts0 = (size_t)ref_num(&ref, 0, ref_col(&ref, "t_start"));
	size_t te0 = (size_t)ref_num(&ref, 0, ref_col(&ref, "t_end"));
	assert_int_equal(ts0, 2); /* all reference windows are sliding from day 2 */
	char win[32], a1[32], a2[32], pmean[32], psd[32], sipath[1400];
	snprintf(win, sizeof win, "%zu", te0 - ts0 + 1);
	snprintf(pmean, sizeof pmean, "%.17g", pm);
	snprintf(psd, sizeof psd, "%.17g", ps);
	const char *args[16];
	int k = 0;
	if (param) {
		snprintf(a1, sizeof a1, "%.17g", m);
		snprintf(a2, sizeof a2, "--si-sd=%.17g", s);
		args[k++] = "--si-mean";
		args[k++] = a1;
		args[k++] = a2;
	} else {
		snprintf(sipath, sizeof sipath, "%s/si_%s.csv", ref_dir(), name);
		args[k++] = "--si-file";
		args[k++] = sipath;
	}
	args[k++] = "--window";
	args[k++] = win;
	args[k++] = "--prior-mean";
	args[k++] = pmean;
	args[k++] = "--prior-sd";
	args[k++] = psd;
	args[k++] = "-";
	args[k] = NULL;
	struct run r = run_cmd(csv, args);
	if (r.rc != 0)
		fail_msg("%s: exit %d: %s", name, r.rc, r.err);
	struct ref_table out;
	parse_output(r.out, &out);
	assert_int_equal(out.nrow, ref.nrow);
	size_t mism = 0;
	for (size_t i = 0; i < ref.nrow; i++) {
		assert_string_equal(ref_str(&out, i, ref_col(&out, "area")), dataset);
		assert_true(ref_num(&out, i, ref_col(&out, "t_start")) ==
			    ref_num(&ref, i, ref_col(&ref, "t_start")));
		assert_true(ref_num(&out, i, ref_col(&out, "t_end")) ==
			    ref_num(&ref, i, ref_col(&ref, "t_end")));
		const char *mc[2] = {"mean", "std"};
		for (int j = 0; j < 2; j++) {
			double d = ref_reldiff(ref_num(&out, i, ref_col(&out, mc[j])),
					       ref_num(&ref, i, ref_col(&ref, mc[j])));
			if (d > 1e-9)
				mism++;
			else
				*worst_m = fmax(*worst_m, d);
		}
		for (int q = 0; q < RT_NQ; q++) {
			double d = ref_reldiff(ref_num(&out, i, ref_col(&out, qcols[q])),
					       ref_num(&ref, i, ref_col(&ref, qcols[q])));
			if (d > 1e-6)
				mism++;
			else
				*worst_q = fmax(*worst_q, d);
		}
	}
	if (mism)
		fail_msg("%s: %zu values differ from EpiEstim", name, mism);
	size_t n = ref.nrow;
	ref_free(&out);
	ref_free(&in);
	ref_free(&ref);
	run_free(&r);
	free(csv);
	return n;
}

static void test_reference_cases(void **state)
{
	(void)state;
	DIR *d = opendir(ref_dir());
	if (!d)
		fail_msg("cannot open %s (set EB_SHARED)", ref_dir());
	struct dirent *de;
	size_t cases = 0, windows = 0;
	double wm = 0, wq = 0;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len < 7 || strncmp(de->d_name, "R_", 2) != 0 ||
		    strcmp(de->d_name + len - 4, ".csv") != 0)
			continue;
		windows += run_reference_case(de->d_name, &wm, &wq);
		cases++;
	}
	closedir(d);
	fprintf(stderr, "cli rt: %zu EpiEstim cases, %zu windows through the CSV interface; max rel diff mean/std %.2e quantiles %.2e\n",
		cases, windows, wm, wq);
	assert_true(cases >= 18);
}

/* ---- areas, dates, gaps -------------------------------------------------- */

static void test_many_areas_shuffled(void **state)
{
	(void)state;
	/* three areas, 40 days each, rows interleaved and out of order */
	char one[3][8192], all[32768];
	size_t lone[3] = {0}, lall = 0;
	const char *names[3] = {"Korea, Rep.", "FR", "DE"};
	lall += (size_t)snprintf(all, sizeof all, "area,t,cases\n");
	for (int a = 0; a < 3; a++)
		lone[a] += (size_t)snprintf(one[a], sizeof one[a], "area,t,cases\n");
	for (int i = 0; i < 40; i++) {
		int day = (i * 17) % 40 + 1; /* a permutation of 1..40 */
		for (int a = 0; a < 3; a++) {
			int cases = (day * (a + 3) * 7) % 23 + a;
			lall += (size_t)snprintf(all + lall, sizeof all - lall,
						 "\"%s\",%d,%d\n", names[a], day, cases);
		}
	}
	for (int a = 0; a < 3; a++)
		for (int day = 1; day <= 40; day++)
			lone[a] += (size_t)snprintf(one[a] + lone[a], sizeof one[a] - lone[a],
						    "\"%s\",%d,%d\n", names[a], day,
						    (day * (a + 3) * 7) % 23 + a);
	const char *args[] = {"--si-mean", "4.7", "--si-sd", "2.9", NULL};
	struct run r = run_cmd(all, args);
	assert_int_equal(r.rc, 0);
	/* output: areas in order of first appearance, each equal to its own run */
	char expect[65536];
	size_t le = 0;
	for (int a = 0; a < 3; a++) {
		struct run ra = run_cmd(one[a], args);
		assert_int_equal(ra.rc, 0);
		const char *body = strchr(ra.out, '\n') + 1;
		if (a == 0)
			le += (size_t)snprintf(expect, sizeof expect, "%.*s",
					       (int)(body - ra.out), ra.out);
		le += (size_t)snprintf(expect + le, sizeof expect - le, "%s", body);
		run_free(&ra);
	}
	assert_string_equal(r.out, expect);
	assert_non_null(strstr(r.out, "\"Korea, Rep.\",2,8,"));
	assert_string_equal(r.err, "");
	run_free(&r);
}

static void test_dates_gaps_missing(void **state)
{
	(void)state;
	const char *csv = "\xEF\xBB\xBF" "date,cases\r\n"
			  "2020-02-27,3\r\n2020-02-28,4\r\n2020-02-29,\r\n2020-03-01,5\r\n"
			  "2020-03-03,7\r\n2020-03-04,NA\r\n2020-03-05,9\r\n2020-03-06,9\r\n"
			  "2020-03-07,8\r\n2020-03-08,12\r\n";
	const char *args[] = {"--si-mean", "2.6", "--si-sd", "1.5", NULL};
	struct run r = run_cmd(csv, args);
	assert_int_equal(r.rc, 0);
	/* 11 days (one gap), window 7: t_start 2020-02-28 .. 2020-03-02 */
	assert_non_null(strstr(r.out, "\n,2020-02-28,2020-03-05,"));
	assert_non_null(strstr(r.out, "\n,2020-03-02,2020-03-08,"));
	assert_null(strstr(r.out, "2020-03-03,2020-03-09"));
	assert_non_null(strstr(r.err, "2 missing count(s) and 1 missing day(s)"));
	run_free(&r);

	/* a series too short for the window: a note, no rows, success */
	const char *shortcsv = "t,cases\n1,3\n2,4\n";
	struct run s = run_cmd(shortcsv, args);
	assert_int_equal(s.rc, 0);
	assert_non_null(strstr(s.err, "too short"));
	run_free(&s);
}

/* ---- errors ------------------------------------------------------------ */

static void expect_error(const char *csv, const char *const *args, int rc,
			 const char *needle)
{
	struct run r = run_cmd(csv, args);
	if (r.rc != rc || !strstr(r.err, needle))
		fail_msg("exit %d (want %d), stderr '%s' (want '%s')", r.rc, rc, r.err,
			 needle);
	assert_string_equal(r.out, ""); /* nothing half-written */
	run_free(&r);
}

static void test_errors(void **state)
{
	(void)state;
	const char *p[] = {"--si-mean", "2.6", "--si-sd", "1.5", NULL};
	expect_error("area,day,cases\nA,1,2\n", p, 1, "no 't' or 'date' column");
	expect_error("t,count\n1,2\n", p, 1, "name the count column 'cases'");
	expect_error("t,cases,local,imported\n1,2,1,1\n", p, 1, "not both");
	expect_error("t,t,cases\n1,1,2\n", p, 1, "appears twice");
	expect_error("t,cases\n1,2\n2,x3\n", p, 1, "line 3, column 'cases': 'x3' is not a number");
	expect_error("t,cases\n1,2\n2,-3\n", p, 1, "line 3, column 'cases': -3 is negative");
	expect_error("t,cases\n1,2\n2.5,3\n", p, 1, "line 3, column 't': '2.5' is not an integer");
	expect_error("date,cases\n2020-02-30,3\n", p, 1, "line 2, column 'date': '2020-02-30' is not a date");
	expect_error("t,local,imported\n1,2,1\n2,3,inf\n", p, 1, "column 'imported'");
	expect_error("t,cases\n1,2\n2,3,4\n", p, 1, "line 3: 3 fields, the header has 2");
	expect_error("area,t,cases\n\"A,1,2\n", p, 1, "line 2: unterminated");
	expect_error("area,t,cases\nA,1,2\nB,1,2\nA,1,5\n", p, 1,
		     "line 4: area 'A' day 1 appears again (first on line 2)");
	expect_error("", p, 1, "is empty");
	expect_error("t,cases\n", p, 1, "no rows");
	char longline[RTCLI_MAX_LINE + 100];
	memset(longline, 'x', sizeof longline - 1);
	longline[sizeof longline - 1] = '\0';
	char buf[sizeof longline + 32];
	snprintf(buf, sizeof buf, "t,cases\n1,%s\n", longline);
	expect_error(buf, p, 1, "line 2 is longer than 4096 bytes");

	const char *none[] = {NULL};
	expect_error("t,cases\n1,2\n", none, 2, "no serial interval");
	const char *both[] = {"--si-mean", "2", "--si-sd", "1", "--si-file", "x", NULL};
	expect_error("t,cases\n1,2\n", both, 2, "not both");
	const char *half[] = {"--si-mean", "2", NULL};
	expect_error("t,cases\n1,2\n", half, 2, "needs both");
	const char *badmean[] = {"--si-mean", "0.5", "--si-sd", "1", NULL};
	expect_error("t,cases\n1,2\n", badmean, 2, "mean > 1");
	const char *nan_opt[] = {"--si-mean", "abc", "--si-sd", "1", NULL};
	expect_error("t,cases\n1,2\n", nan_opt, 2, "--si-mean: 'abc' is not a number");
	const char *unk[] = {"--si-mean", "2", "--si-sd", "1", "--frobnicate", NULL};
	expect_error("t,cases\n1,2\n", unk, 2, "unknown option --frobnicate");
	const char *win[] = {"--si-mean", "2", "--si-sd", "1", "--window", "2.5", NULL};
	expect_error("t,cases\n1,2\n", win, 2, "--window");
	const char *prior[] = {"--si-mean", "2", "--si-sd", "1", "--prior-sd", "-1", NULL};
	expect_error("t,cases\n1,2\n", prior, 2, "must be positive");
	const char *nofile[] = {"--si-file", "/nonexistent/si.txt", NULL};
	expect_error("t,cases\n1,2\n", nofile, 1, "--si-file /nonexistent/si.txt");
	const char *twoin[] = {"--si-mean", "2", "--si-sd", "1", "a.csv", "b.csv", NULL};
	expect_error("", twoin, 2, "more than one input file");
	const char *missing_in[] = {"--si-mean", "2", "--si-sd", "1", "/nonexistent/in.csv", NULL};
	expect_error("", missing_in, 1, "cannot open /nonexistent/in.csv");
}

static void test_si_file_formats(void **state)
{
	(void)state;
	char path[] = "/tmp/eb_rt_siXXXXXX";
	const char *inc = "t,cases\n1,5\n2,6\n3,8\n4,9\n5,12\n6,11\n7,15\n8,14\n9,20\n";
	const char *layouts[] = {"0\n0.25\n0.5\n0.25\n", "0, 0.25, 0.5, 0.25\n",
				 "# flu\nk,w\n0,0\n1,0.25\n2,0.5\n3,0.25\n"};
	char *first = NULL;
	for (int i = 0; i < 3; i++) {
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_true(write(fd, layouts[i], strlen(layouts[i])) == (ssize_t)strlen(layouts[i]));
		close(fd);
		const char *args[] = {"--si-file", path, NULL};
		struct run r = run_cmd(inc, args);
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
		if (r.rc != 0)
			fail_msg("layout %d: %s", i, r.err);
		if (first)
			assert_string_equal(r.out, first);
		else
			first = strdup(r.out);
		run_free(&r);
	}
	free(first);
	const char *bad[] = {"0\n0.5\n0.3\n", "0.1\n0.9\n", "0\n0.5\nabc\n", "0,1\n0,2\n"};
	const char *msg[] = {"sums to 0.8", "start with 0", "'abc' is not a number",
			     "several values per line"};
	for (int i = 0; i < 4; i++) {
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_true(write(fd, bad[i], strlen(bad[i])) == (ssize_t)strlen(bad[i]));
		close(fd);
		const char *args[] = {"--si-file", path, NULL};
		struct run r = run_cmd(inc, args);
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
		if (r.rc == 0 || !strstr(r.err, msg[i]))
			fail_msg("bad SI %d: exit %d, '%s'", i, r.rc, r.err);
		run_free(&r);
	}
}

static void test_help(void **state)
{
	(void)state;
	const char *args[] = {"--help", NULL};
	struct run r = run_cmd("", args);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "usage: epibridge rt"));
	assert_non_null(strstr(r.out, "area,t_start,t_end,mean,std,q0025"));
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_g17),
		cmocka_unit_test(test_reference_cases),
		cmocka_unit_test(test_many_areas_shuffled),
		cmocka_unit_test(test_dates_gaps_missing),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_si_file_formats),
		cmocka_unit_test(test_help),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
