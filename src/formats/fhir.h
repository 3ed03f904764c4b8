/*
 * FHIR R4 MeasureReport for situation data: the aggregate counts of one
 * area on one day as a MeasureReport, and a Bundle (type collection) of
 * them written piece by piece into a buffer so that an export of any size
 * streams.
 *
 * The mapping (docs/formats-situation.md, "FHIR MeasureReport"):
 *
 *   MeasureReport.id          "sitrep-<report id>"
 *   .identifier               system FHIR_NS_SITREP, value the report id
 *   .status / .type           "complete" / "summary"
 *   .measure                  FHIR_MEASURE_URL, the canonical URL of the
 *                             epibridge "situation counts" measure
 *   .subject                  the area as a Location reference by identifier:
 *                             system "urn:iso:std:iso:3166" (country) or
 *                             "urn:iso:std:iso:3166:-2" (subdivision),
 *                             value the code, display the English name
 *   .date                     when the report was last changed
 *   .reporter                 the reporting organisation by identifier
 *                             (system FHIR_NS_ORG, value its id), display
 *                             its name
 *   .period                   start = end = the day (a FHIR date)
 *   .group[]                  one per count that was reported (a missing
 *                             count has no group; 0 is a group with 0):
 *                             code = FHIR_CS_COUNT | new_confirmed ...
 *                             cum_tests (the names of the epibridge API),
 *                             measureScore = Quantity (UCUM annotation
 *                             {cases}, {deaths} or {tests}); a Quantity,
 *                             not population.count, because corrections
 *                             make new counts negative and FHIR integers
 *                             stop at 2^31 - 1
 *   .extension[]              transmission class (FHIR_EXT_TRANSMISSION,
 *                             valueCoding FHIR_CS_TRANSMISSION | no_cases,
 *                             sporadic, clusters, community) and one
 *                             FHIR_EXT_FLAG per data flag (valueCode
 *                             negative_new_cases, negative_new_deaths,
 *                             derived_new, summed)
 *
 * Pure code: no database, no HTTP.  Thread-safe.
 */
#ifndef EB_FORMATS_FHIR_H
#define EB_FORMATS_FHIR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "formats/sitrep_rows.h"

#define FHIR_BASE "https://epibridge.org/fhir"
#define FHIR_MEASURE_URL FHIR_BASE "/Measure/situation-counts"
#define FHIR_CS_COUNT FHIR_BASE "/CodeSystem/situation-count"
#define FHIR_CS_TRANSMISSION FHIR_BASE "/CodeSystem/transmission-classification"
#define FHIR_EXT_TRANSMISSION FHIR_BASE "/StructureDefinition/transmission-classification"
#define FHIR_EXT_FLAG FHIR_BASE "/StructureDefinition/situation-flag"
#define FHIR_NS_SITREP FHIR_BASE "/NamingSystem/situation-report"
#define FHIR_NS_ORG FHIR_BASE "/NamingSystem/organization"

#define FHIR_NCOUNTS 10

/* The count codes, in the order of struct fhir_sitrep.counts (the same
 * names and order as the epibridge API): new_confirmed, cum_confirmed,
 * new_suspected, cum_suspected, new_deaths, cum_deaths, new_recovered,
 * cum_recovered, new_tests, cum_tests. */
extern const char *const fhir_count_codes[FHIR_NCOUNTS];

/* One situation report, as the writer needs it.  Strings are borrowed. */
struct fhir_sitrep {
	int64_t id;                /* report id; 0: no id or identifier */
	const char *area;          /* "CN", "CN-HB" (required) */
	const char *area_name;     /* English name, may be NULL */
	const char *date;          /* YYYY-MM-DD (required) */
	int64_t org;               /* reporting organisation; 0: no reporter */
	const char *org_name;      /* may be NULL */
	struct sitrep_count counts[FHIR_NCOUNTS];
	int transmission;          /* enum sitrep_transmission (-1 unknown) */
	int flags;                 /* enum sitrep_flag bits */
	const char *updated;       /* RFC 3339 time of the last change, may be NULL */
};

/*
 * The MeasureReport of s as a new JSON object (caller owns it), or NULL
 * when s lacks its area or date or memory ran out.
 */
json_t *fhir_measure_report(const struct fhir_sitrep *s);

/*
 * Streaming Bundle writer.  fhir_bundle_begin appends the opening of a
 * Bundle of type collection with the given timestamp (an RFC 3339 instant);
 * fhir_bundle_add appends one entry holding the MeasureReport of s (first
 * is true for the first entry); fhir_bundle_end closes the entry list and,
 * when next_url is not NULL, adds Bundle.link "next" (a page of a larger
 * export).  The bytes form one JSON object once fhir_bundle_end has run.
 * Errors: EB_EINVAL (s incomplete), EB_ENOMEM, or the buffer's EB_ETOOBIG.
 */
enum eb_err fhir_bundle_begin(struct eb_buf *b, const char *timestamp);
enum eb_err fhir_bundle_add(struct eb_buf *b, const struct fhir_sitrep *s,
			    bool first);
enum eb_err fhir_bundle_end(struct eb_buf *b, const char *next_url);

#endif
