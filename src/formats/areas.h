/*
 * The area reference: every ISO 3166-1 country or territory (plus XK Kosovo
 * and XZ international conveyance) and the subdivisions epibridge knows
 * (China's provinces, Australia's states, Canada's provinces), with names in
 * English and Chinese, WHO region and population.
 *
 * It is loaded from data/reference/ (areas.csv, subdivisions.csv,
 * area_names.csv, jhu_lookup.csv; see data/reference/SOURCE.txt) into
 * memory once and is read-only afterwards, so any number of threads may
 * query one struct areas at the same time.  Lookups are hash probes and
 * allocate nothing.  Codes and English names match case-insensitively
 * (ASCII letters); names match any of the variants WHO, JHU, UN, CLDR and
 * ISO use ("Korea, South", "The United Kingdom", "Viet Nam", ...).
 */
#ifndef EB_FORMATS_AREAS_H
#define EB_FORMATS_AREAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct area {
	char code[16];      /* "CN", "NA", "XK", "CN-HB" */
	char iso2[3];       /* the area's alpha-2; a subdivision's parent's */
	char iso3[4];       /* "" for subdivisions and XZ */
	int numeric;        /* ISO 3166-1 numeric; 0 when none */
	char name_en[128];
	char name_zh[128];
	char who_region[6]; /* AFRO AMRO SEARO EURO EMRO WPRO, or "" */
	int64_t population; /* -1 when unknown */
	int population_year; /* 0 when unknown */
	bool subdivision;
};

/* How a row of the JHU CSSE time series maps to areas (jhu_lookup.csv). */
enum areas_jhu_level {
	AREAS_JHU_COUNTRY,     /* the row is the whole area */
	AREAS_JHU_SUBDIVISION, /* the row is a subdivision of area */
	AREAS_JHU_PART         /* part of area without a code of its own
				  (Unknown, cruise ships, Channel Islands) */
};

struct areas_jhu {
	const struct area *area;        /* NULL: no area (Summer Olympics) */
	const struct area *subdivision; /* set for AREAS_JHU_SUBDIVISION */
	enum areas_jhu_level level;
};

struct areas;

/*
 * Loads the reference files from directory dir (for example
 * "data/reference"); with dir NULL, from the "reference" directory found by
 * eb_data_path().  On success *out owns the lookup (release with
 * areas_free).  Errors: EB_ENOTFOUND (no data directory or file), EB_EIO,
 * EB_EINVAL (a malformed reference file; d names the file and line),
 * EB_ENOMEM.
 */
enum eb_err areas_load(const char *dir, struct areas **out,
		       struct eb_detail *d);

/* Releases a lookup; NULL is a no-op. */
void areas_free(struct areas *a);

/*
 * The process-wide lookup, loaded from eb_data_path() on first use
 * (thread-safe, once) and never freed.  NULL if loading failed; d then
 * says why (the same failure is reported on every call).
 */
const struct areas *areas_default(struct eb_detail *d);

/* Number of areas (countries first, then subdivisions) and the i-th. */
size_t areas_count(const struct areas *a);
const struct area *areas_at(const struct areas *a, size_t i);

/* By ISO alpha-2 (also XK, XZ) or subdivision code ("CN-HB"). */
const struct area *areas_by_code(const struct areas *a, const char *code);
/* By ISO alpha-3 ("NAM"; Kosovo as XKX). Countries only. */
const struct area *areas_by_iso3(const struct areas *a, const char *iso3);
/* By ISO numeric (516). Countries only. */
const struct area *areas_by_numeric(const struct areas *a, int numeric);
/* By English name or a known variant. Countries only. */
const struct area *areas_by_name(const struct areas *a, const char *name);
/* A subdivision of parent_iso2 by English name ("Hubei"). */
const struct area *areas_by_subdivision_name(const struct areas *a,
					     const char *parent_iso2,
					     const char *name);
/*
 * Any identifier: alpha-2 or subdivision code, alpha-3, numeric digits, or
 * English name, tried in that order.  NULL when nothing matches.
 */
const struct area *areas_resolve(const struct areas *a, const char *s);

/*
 * Maps a JHU time series row (Province/State, Country/Region, as written in
 * the file) through jhu_lookup.csv.  Returns false when the pair is not in
 * the lookup.
 */
bool areas_jhu_find(const struct areas *a, const char *province,
		    const char *country, struct areas_jhu *out);

#endif
