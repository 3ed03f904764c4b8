/*
 * The area reference lookup: loads data/reference/{areas,subdivisions,
 * area_names,jhu_lookup}.csv through the CSV reader into flat arrays and
 * indexes them with small open-addressing hash tables (keys compared
 * ignoring ASCII case).  Everything is built in areas_load; afterwards the
 * structure is never written, which is what makes concurrent lookups safe.
 * See areas.h.
 */
#include "formats/areas.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/datadir.h"
#include "formats/csv.h"

#define AREAS_KEY_MAX 160
#define AREAS_POP_MAX 100000000000LL

struct name_ent {
	char name[128];
	uint32_t idx;
};

struct jhu_ent {
	char key[AREAS_KEY_MAX]; /* province \x1f country */
	int area;                /* index into v, or -1 */
	int sub;                 /* index into v, or -1 */
	enum areas_jhu_level level;
};

struct slot {
	const char *key;
	uint32_t idx;
};

struct htab {
	struct slot *s;
	size_t mask; /* capacity - 1; capacity is a power of two */
};

struct areas {
	struct area *v;
	size_t n, cap, ncountries;
	char (*subkeys)[AREAS_KEY_MAX]; /* per area: parent \x1f name */
	struct name_ent *names;
	size_t nnames, capnames;
	struct jhu_ent *jhu;
	size_t njhu, capjhu;
	struct htab codes, iso3s, byname, subnames, jhus;
	int16_t numeric[1000]; /* index + 1 of the area, 0 when none */
};

/* --- hashing ------------------------------------------------------------ */

static int fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static uint64_t hash_key(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)fold((unsigned char)*s);
		h *= 1099511628211ULL;
	}
	return h;
}

static bool key_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (fold((unsigned char)*a) != fold((unsigned char)*b))
			return false;
	return *a == *b;
}

static bool htab_init(struct htab *t, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2 + 1)
		cap *= 2;
	t->s = calloc(cap, sizeof *t->s);
	t->mask = cap - 1;
	return t->s != NULL;
}

/* Inserts key -> idx unless key is present (the first insertion wins). */
static void htab_put(struct htab *t, const char *key, uint32_t idx)
{
	size_t i = hash_key(key) & t->mask;
	while (t->s[i].key) {
		if (key_eq(t->s[i].key, key))
			return;
		i = (i + 1) & t->mask;
	}
	t->s[i].key = key;
	t->s[i].idx = idx;
}

static bool htab_get(const struct htab *t, const char *key, uint32_t *idx)
{
	if (!t->s || !key)
		return false;
	size_t i = hash_key(key) & t->mask;
	while (t->s[i].key) {
		if (key_eq(t->s[i].key, key)) {
			*idx = t->s[i].idx;
			return true;
		}
		i = (i + 1) & t->mask;
	}
	return false;
}

/* --- loading ------------------------------------------------------------ */

/* Copies a field into dst (dstlen bytes); false when it does not fit. */
static bool copy_field(char *dst, size_t dstlen, const struct csv_field *f)
{
	if (f->len >= dstlen)
		return false;
	memcpy(dst, f->p, f->len);
	dst[f->len] = '\0';
	return true;
}

static bool is_upper(const struct csv_field *f, size_t n)
{
	if (f->len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (f->p[i] < 'A' || f->p[i] > 'Z')
			return false;
	return true;
}

/* Parses an optional non-negative integer field; -1 when empty. */
static bool parse_opt_int(const struct csv_field *f, long long max,
			  long long *out)
{
	*out = -1;
	if (f->len == 0)
		return true;
	if (f->p[0] < '0' || f->p[0] > '9')
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(f->p, &end, 10);
	if (errno || end != f->p + f->len || v < 0 || v > max)
		return false;
	*out = v;
	return true;
}

struct table {
	const char *path;
	const char *const *cols; /* wanted column names */
	size_t ncols;
	size_t idx[12];          /* their positions in the file */
};

typedef enum eb_err row_fn(struct areas *a, const struct csv_field *const *f,
			   struct eb_detail *d);

/* Reads one reference CSV, calling fn with the wanted columns in order. */
static enum eb_err load_table(struct areas *a, struct table *t, row_fn *fn,
			      struct eb_detail *d)
{
	FILE *fp = fopen(t->path, "rb");
	if (!fp)
		return eb_fail(d, errno == ENOENT ? EB_ENOTFOUND : EB_EIO, NULL,
			       "cannot open %s: %s", t->path, strerror(errno));
	struct csv_reader *r = csv_open_file(fp, NULL);
	enum eb_err e = EB_OK;
	struct csv_row row;
	struct eb_detail rd;
	if (!r) {
		e = eb_fail(d, EB_ENOMEM, NULL, "out of memory");
		goto out;
	}
	int rc = csv_next(r, &row, &rd);
	if (rc != 1) {
		e = eb_fail(d, EB_EINVAL, NULL, "%s: no header row", t->path);
		goto out;
	}
	for (size_t c = 0; c < t->ncols; c++) {
		size_t i = 0;
		while (i < row.nfields && strcmp(row.f[i].p, t->cols[c]) != 0)
			i++;
		if (i == row.nfields) {
			e = eb_fail(d, EB_EINVAL, NULL,
				    "%s: no column \"%s\" in the header",
				    t->path, t->cols[c]);
			goto out;
		}
		t->idx[c] = i;
	}
	size_t width = row.nfields;
	while ((rc = csv_next(r, &row, &rd)) == 1) {
		const struct csv_field *f[12];
		if (row.nfields != width) {
			e = eb_fail(d, EB_EINVAL, NULL,
				    "%s line %ld: %zu fields, the header has "
				    "%zu",
				    t->path, csv_line(r), row.nfields, width);
			goto out;
		}
		for (size_t c = 0; c < t->ncols; c++)
			f[c] = &row.f[t->idx[c]];
		e = fn(a, f, &rd);
		if (e) {
			eb_fail(d, e, rd.field, "%s line %ld: %.180s", t->path,
				csv_line(r), rd.msg);
			goto out;
		}
	}
	if (rc < 0)
		e = eb_fail(d, (enum eb_err)rc, NULL, "%s line %ld: %.180s",
			    t->path, csv_line(r), rd.msg);
out:
	csv_free(r);
	fclose(fp);
	return e;
}

static struct area *area_push(struct areas *a)
{
	if (a->n == a->cap) {
		size_t ncap = a->cap ? a->cap * 2 : 512;
		if (ncap > 30000)
			return NULL;
		struct area *v = realloc(a->v, ncap * sizeof *v);
		if (!v)
			return NULL;
		a->v = v;
		a->cap = ncap;
	}
	struct area *ar = &a->v[a->n++];
	memset(ar, 0, sizeof *ar);
	ar->population = -1;
	return ar;
}

static const char *const REGIONS[] = {"AFRO", "AMRO", "SEARO",
				      "EURO", "EMRO", "WPRO"};

static enum eb_err area_row(struct areas *a, const struct csv_field *const *f,
			    struct eb_detail *d)
{
	/* iso2,iso3,numeric,name_en,name_zh,who_region,population,
	 * population_year */
	if (!is_upper(f[0], 2))
		return eb_fail(d, EB_EINVAL, "iso2", "bad iso2 '%.8s'",
			       f[0]->p);
	if (f[1]->len && !is_upper(f[1], 3))
		return eb_fail(d, EB_EINVAL, "iso3", "bad iso3 '%.8s'",
			       f[1]->p);
	long long num, pop, year;
	if (!parse_opt_int(f[2], 999, &num) || (f[2]->len && f[2]->len != 3))
		return eb_fail(d, EB_EINVAL, "numeric", "bad numeric '%.8s'",
			       f[2]->p);
	if (!parse_opt_int(f[6], AREAS_POP_MAX, &pop))
		return eb_fail(d, EB_EINVAL, "population",
			       "bad population '%.20s'", f[6]->p);
	if (!parse_opt_int(f[7], 2100, &year))
		return eb_fail(d, EB_EINVAL, "population_year",
			       "bad population_year '%.8s'", f[7]->p);
	bool region_ok = f[5]->len == 0;
	for (size_t i = 0; i < 6 && !region_ok; i++)
		region_ok = strcmp(f[5]->p, REGIONS[i]) == 0;
	if (!region_ok)
		return eb_fail(d, EB_EINVAL, "who_region",
			       "bad who_region '%.8s'", f[5]->p);
	struct area *ar = area_push(a);
	if (!ar)
		return eb_fail(d, EB_ENOMEM, NULL, "out of memory");
	if (!copy_field(ar->name_en, sizeof ar->name_en, f[3]) || !f[3]->len ||
	    !copy_field(ar->name_zh, sizeof ar->name_zh, f[4]) || !f[4]->len)
		return eb_fail(d, EB_EINVAL, "name_en", "name missing or too long");
	copy_field(ar->code, sizeof ar->code, f[0]);
	copy_field(ar->iso2, sizeof ar->iso2, f[0]);
	copy_field(ar->iso3, sizeof ar->iso3, f[1]);
	copy_field(ar->who_region, sizeof ar->who_region, f[5]);
	ar->numeric = num < 0 ? 0 : (int)num;
	ar->population = pop;
	ar->population_year = year < 0 ? 0 : (int)year;
	return EB_OK;
}

static const struct area *country_by_code_linear(const struct areas *a,
						 const char *code)
{
	for (size_t i = 0; i < a->ncountries; i++)
		if (strcmp(a->v[i].code, code) == 0)
			return &a->v[i];
	return NULL;
}

static enum eb_err sub_row(struct areas *a, const struct csv_field *const *f,
			   struct eb_detail *d)
{
	/* code,parent_iso2,name_en,name_zh,population */
	if (!is_upper(f[1], 2))
		return eb_fail(d, EB_EINVAL, "parent_iso2", "bad parent '%.8s'",
			       f[1]->p);
	if (f[0]->len < 4 || f[0]->len >= 16 ||
	    memcmp(f[0]->p, f[1]->p, 2) != 0 || f[0]->p[2] != '-')
		return eb_fail(d, EB_EINVAL, "code",
			       "bad subdivision code '%.20s' (want "
			       "<parent>-<code>)",
			       f[0]->p);
	const struct area *parent = country_by_code_linear(a, f[1]->p);
	if (!parent)
		return eb_fail(d, EB_EINVAL, "parent_iso2",
			       "unknown parent '%.8s'", f[1]->p);
	long long pop;
	if (!parse_opt_int(f[4], AREAS_POP_MAX, &pop))
		return eb_fail(d, EB_EINVAL, "population",
			       "bad population '%.20s'", f[4]->p);
	char region[6];
	memcpy(region, parent->who_region, sizeof region);
	struct area *ar = area_push(a);
	if (!ar)
		return eb_fail(d, EB_ENOMEM, NULL, "out of memory");
	if (!copy_field(ar->name_en, sizeof ar->name_en, f[2]) || !f[2]->len ||
	    !copy_field(ar->name_zh, sizeof ar->name_zh, f[3]) || !f[3]->len)
		return eb_fail(d, EB_EINVAL, "name_en", "name missing or too long");
	copy_field(ar->code, sizeof ar->code, f[0]);
	copy_field(ar->iso2, sizeof ar->iso2, f[1]);
	memcpy(ar->who_region, region, sizeof region);
	ar->population = pop;
	ar->population_year = pop >= 0 ? 2020 : 0;
	ar->subdivision = true;
	return EB_OK;
}

/* Index of the area with this code among the first n areas, or -1. */
static int find_loaded(const struct areas *a, const char *code)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].code, code) == 0)
			return (int)i;
	return -1;
}

static enum eb_err name_row(struct areas *a, const struct csv_field *const *f,
			    struct eb_detail *d)
{
	/* name,code */
	int idx = find_loaded(a, f[1]->p);
	if (idx < 0)
		return eb_fail(d, EB_EINVAL, "code", "unknown code '%.16s'",
			       f[1]->p);
	if (a->nnames == a->capnames) {
		size_t ncap = a->capnames ? a->capnames * 2 : 1024;
		if (ncap > 100000)
			return eb_fail(d, EB_ETOOBIG, NULL, "too many names");
		struct name_ent *v = realloc(a->names, ncap * sizeof *v);
		if (!v)
			return eb_fail(d, EB_ENOMEM, NULL, "out of memory");
		a->names = v;
		a->capnames = ncap;
	}
	struct name_ent *ne = &a->names[a->nnames];
	if (!f[0]->len || !copy_field(ne->name, sizeof ne->name, f[0]))
		return eb_fail(d, EB_EINVAL, "name", "name missing or too long");
	ne->idx = (uint32_t)idx;
	a->nnames++;
	return EB_OK;
}

static enum eb_err jhu_row(struct areas *a, const struct csv_field *const *f,
			   struct eb_detail *d)
{
	/* province,country,area,level,subdivision */
	if (a->njhu == a->capjhu) {
		size_t ncap = a->capjhu ? a->capjhu * 2 : 1024;
		if (ncap > 100000)
			return eb_fail(d, EB_ETOOBIG, NULL, "too many rows");
		struct jhu_ent *v = realloc(a->jhu, ncap * sizeof *v);
		if (!v)
			return eb_fail(d, EB_ENOMEM, NULL, "out of memory");
		a->jhu = v;
		a->capjhu = ncap;
	}
	struct jhu_ent *je = &a->jhu[a->njhu];
	int n = snprintf(je->key, sizeof je->key, "%s\x1f%s", f[0]->p, f[1]->p);
	if (n < 0 || (size_t)n >= sizeof je->key)
		return eb_fail(d, EB_EINVAL, "province", "names too long");
	je->area = f[2]->len ? find_loaded(a, f[2]->p) : -1;
	if (f[2]->len && je->area < 0)
		return eb_fail(d, EB_EINVAL, "area", "unknown area '%.16s'",
			       f[2]->p);
	je->sub = -1;
	if (strcmp(f[3]->p, "country") == 0) {
		je->level = AREAS_JHU_COUNTRY;
	} else if (strcmp(f[3]->p, "part") == 0) {
		je->level = AREAS_JHU_PART;
	} else if (strcmp(f[3]->p, "subdivision") == 0) {
		je->level = AREAS_JHU_SUBDIVISION;
		je->sub = find_loaded(a, f[4]->p);
		if (je->sub < 0 || !a->v[je->sub].subdivision)
			return eb_fail(d, EB_EINVAL, "subdivision",
				       "unknown subdivision '%.16s'", f[4]->p);
	} else {
		return eb_fail(d, EB_EINVAL, "level", "bad level '%.16s'",
			       f[3]->p);
	}
	if (je->level != AREAS_JHU_COUNTRY && je->area < 0)
		return eb_fail(d, EB_EINVAL, "area", "area missing");
	a->njhu++;
	return EB_OK;
}

static enum eb_err build_index(struct areas *a)
{
	if (!htab_init(&a->codes, a->n) || !htab_init(&a->iso3s, a->n) ||
	    !htab_init(&a->byname, a->n + a->nnames) ||
	    !htab_init(&a->subnames, a->n) || !htab_init(&a->jhus, a->njhu))
		return EB_ENOMEM;
	a->subkeys = calloc(a->n ? a->n : 1, sizeof *a->subkeys);
	if (!a->subkeys)
		return EB_ENOMEM;
	for (size_t i = 0; i < a->n; i++) {
		struct area *ar = &a->v[i];
		htab_put(&a->codes, ar->code, (uint32_t)i);
		if (ar->subdivision) {
			snprintf(a->subkeys[i], AREAS_KEY_MAX, "%s\x1f%s",
				 ar->iso2, ar->name_en);
			htab_put(&a->subnames, a->subkeys[i], (uint32_t)i);
			continue;
		}
		htab_put(&a->byname, ar->name_en, (uint32_t)i);
		if (ar->iso3[0])
			htab_put(&a->iso3s, ar->iso3, (uint32_t)i);
		if (ar->numeric > 0 && ar->numeric < 1000 &&
		    !a->numeric[ar->numeric])
			a->numeric[ar->numeric] = (int16_t)(i + 1);
	}
	for (size_t i = 0; i < a->nnames; i++)
		htab_put(&a->byname, a->names[i].name, a->names[i].idx);
	for (size_t i = 0; i < a->njhu; i++)
		htab_put(&a->jhus, a->jhu[i].key, (uint32_t)i);
	return EB_OK;
}

enum eb_err areas_load(const char *dir, struct areas **out,
		       struct eb_detail *d)
{
	if (!out)
		return eb_fail(d, EB_EINVAL, NULL, "no output pointer");
	*out = NULL;
	char base[4096];
	if (!dir) {
		char p[4096];
		if (!eb_data_path("reference/areas.csv", p, sizeof p))
			return eb_fail(d, EB_ENOTFOUND, NULL,
				       "reference/areas.csv not found under "
				       "$EB_DATA_DIR, ./data or the program's "
				       "../data");
		char *slash = strrchr(p, '/');
		if (slash)
			*slash = '\0';
		snprintf(base, sizeof base, "%s", p);
	} else {
		int n = snprintf(base, sizeof base, "%s", dir);
		if (n < 0 || (size_t)n >= sizeof base)
			return eb_fail(d, EB_EINVAL, NULL, "path too long");
	}
	struct areas *a = calloc(1, sizeof *a);
	if (!a)
		return eb_fail(d, EB_ENOMEM, NULL, "out of memory");

	char path[4200];
	enum eb_err e;
	static const char *const area_cols[] = {
		"iso2",    "iso3",       "numeric",    "name_en",
		"name_zh", "who_region", "population", "population_year"};
	static const char *const sub_cols[] = {"code", "parent_iso2", "name_en",
					       "name_zh", "population"};
	static const char *const name_cols[] = {"name", "code"};
	static const char *const jhu_cols[] = {"province", "country", "area",
					       "level", "subdivision"};
	struct table t;

	snprintf(path, sizeof path, "%s/areas.csv", base);
	t = (struct table){.path = path, .cols = area_cols, .ncols = 8};
	if ((e = load_table(a, &t, area_row, d)) != EB_OK)
		goto fail;
	a->ncountries = a->n;
	snprintf(path, sizeof path, "%s/subdivisions.csv", base);
	t = (struct table){.path = path, .cols = sub_cols, .ncols = 5};
	if ((e = load_table(a, &t, sub_row, d)) != EB_OK)
		goto fail;
	snprintf(path, sizeof path, "%s/area_names.csv", base);
	t = (struct table){.path = path, .cols = name_cols, .ncols = 2};
	if ((e = load_table(a, &t, name_row, d)) != EB_OK)
		goto fail;
	snprintf(path, sizeof path, "%s/jhu_lookup.csv", base);
	t = (struct table){.path = path, .cols = jhu_cols, .ncols = 5};
	if ((e = load_table(a, &t, jhu_row, d)) != EB_OK)
		goto fail;
	if ((e = build_index(a)) != EB_OK) {
		eb_fail(d, e, NULL, "out of memory");
		goto fail;
	}
	*out = a;
	return EB_OK;
fail:
	areas_free(a);
	return e;
}

void areas_free(struct areas *a)
{
	if (!a)
		return;
	free(a->v);
	free(a->subkeys);
	free(a->names);
	free(a->jhu);
	free(a->codes.s);
	free(a->iso3s.s);
	free(a->byname.s);
	free(a->subnames.s);
	free(a->jhus.s);
	free(a);
}

static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static struct areas *default_areas;
static struct eb_detail default_err;

static void default_load(void)
{
	if (areas_load(NULL, &default_areas, &default_err) != EB_OK)
		default_areas = NULL;
}

const struct areas *areas_default(struct eb_detail *d)
{
	pthread_once(&default_once, default_load);
	if (!default_areas && d)
		*d = default_err;
	return default_areas;
}

/* --- queries ------------------------------------------------------------ */

size_t areas_count(const struct areas *a)
{
	return a ? a->n : 0;
}

const struct area *areas_at(const struct areas *a, size_t i)
{
	return a && i < a->n ? &a->v[i] : NULL;
}

/* Copies s without surrounding spaces into buf; NULL if it does not fit. */
static const char *trimmed(const char *s, char *buf, size_t buflen)
{
	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= buflen)
		return NULL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

const struct area *areas_by_code(const struct areas *a, const char *code)
{
	char k[AREAS_KEY_MAX];
	uint32_t i;
	if (!a || !trimmed(code, k, sizeof k) || !htab_get(&a->codes, k, &i))
		return NULL;
	return &a->v[i];
}

const struct area *areas_by_iso3(const struct areas *a, const char *iso3)
{
	char k[AREAS_KEY_MAX];
	uint32_t i;
	if (!a || !trimmed(iso3, k, sizeof k) || !htab_get(&a->iso3s, k, &i))
		return NULL;
	return &a->v[i];
}

const struct area *areas_by_numeric(const struct areas *a, int numeric)
{
	if (!a || numeric <= 0 || numeric >= 1000 || !a->numeric[numeric])
		return NULL;
	return &a->v[a->numeric[numeric] - 1];
}

const struct area *areas_by_name(const struct areas *a, const char *name)
{
	char k[AREAS_KEY_MAX];
	uint32_t i;
	if (!a || !trimmed(name, k, sizeof k) || !htab_get(&a->byname, k, &i))
		return NULL;
	return &a->v[i];
}

const struct area *areas_by_subdivision_name(const struct areas *a,
					     const char *parent_iso2,
					     const char *name)
{
	char t[AREAS_KEY_MAX], k[AREAS_KEY_MAX];
	uint32_t i;
	if (!a || !parent_iso2 || !trimmed(name, t, sizeof t))
		return NULL;
	int n = snprintf(k, sizeof k, "%s\x1f%s", parent_iso2, t);
	if (n < 0 || (size_t)n >= sizeof k || !htab_get(&a->subnames, k, &i))
		return NULL;
	return &a->v[i];
}

const struct area *areas_resolve(const struct areas *a, const char *s)
{
	char k[AREAS_KEY_MAX];
	if (!a || !trimmed(s, k, sizeof k))
		return NULL;
	const struct area *ar = areas_by_code(a, k);
	if (ar)
		return ar;
	size_t n = strlen(k);
	if (n == 3 && (ar = areas_by_iso3(a, k)) != NULL)
		return ar;
	if (n >= 1 && n <= 3 && strspn(k, "0123456789") == n) {
		int v = 0;
		for (size_t i = 0; i < n; i++)
			v = v * 10 + (k[i] - '0');
		return areas_by_numeric(a, v);
	}
	return areas_by_name(a, k);
}

bool areas_jhu_find(const struct areas *a, const char *province,
		    const char *country, struct areas_jhu *out)
{
	char k[AREAS_KEY_MAX];
	uint32_t i;
	if (!a || !country)
		return false;
	int n = snprintf(k, sizeof k, "%s\x1f%s", province ? province : "",
			 country);
	if (n < 0 || (size_t)n >= sizeof k || !htab_get(&a->jhus, k, &i))
		return false;
	const struct jhu_ent *je = &a->jhu[i];
	out->area = je->area >= 0 ? &a->v[je->area] : NULL;
	out->subdivision = je->sub >= 0 ? &a->v[je->sub] : NULL;
	out->level = je->level;
	return true;
}
