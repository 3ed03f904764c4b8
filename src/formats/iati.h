/*
 * IATI 2.03 activity XML for in-kind donations, and its validation against
 * the IATI activity schema shipped in data/standards/iati/.
 *
 * Each pledge (formats/aidflow.h) becomes one iati-activity:
 *   - iati-identifier "<reporting-org ref>-PLEDGE-<id>"; organisations are
 *     referred to as "EPIBRIDGE-<org id>", identifiers local to this
 *     deployment (not registered IATI organisation identifiers);
 *   - the COVID-19 markers of the IATI COVID-19 publishing guidance:
 *     "COVID-19" in the title, @humanitarian="1", sector 12264
 *     (vocabulary 1), tag vocabulary 99 code "COVID-19", humanitarian-scope
 *     type 1 vocabulary 1-2 code EP-2020-000012-001 and type 2 vocabulary
 *     2-1 code HCOVD20;
 *   - participating organisations: the donor (role 1, funding), the
 *     recording organisation (role 3, extending) and the recipient (role 4,
 *     implementing), typed by the IATI OrganisationType code list;
 *   - transactions: an outgoing pledge (type 12) on the pledge date, an
 *     outgoing commitment (type 2) when committed, and one disbursement
 *     (type 3) per batch that arrived, dated on arrival; values are the
 *     lines' values (pro rata per batch), one transaction per currency, or
 *     0 when no value was recorded (in kind);
 *   - one result (type 1, output) with an indicator per line (measure 1,
 *     unit): target = pledged, actual = received.
 * An empty list of pledges gives an iati-activities element without
 * activities, which is well-formed but not schema-valid (the schema asks
 * for at least one activity).
 *
 * Text goes through libxml2's xmlTextWriter, which escapes it; characters
 * XML 1.0 does not allow are replaced.
 *
 * A writer belongs to one thread; different writers and iati_validate may
 * run on many threads at once.
 */
#ifndef EB_FORMATS_IATI_H
#define EB_FORMATS_IATI_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "formats/aidflow.h"

#define IATI_SCHEMA_REL "standards/iati/iati-activities-schema.xsd"

struct iati_writer;

/* Starts a document generated at generated_ms (ms since the epoch).  Owned
 * by the caller; free with iati_free.  EB_ENOMEM. */
enum eb_err iati_begin(int64_t generated_ms, struct iati_writer **out,
		       struct eb_detail *d);
/* Writes one activity. */
enum eb_err iati_activity(struct iati_writer *w, const struct aid_pledge *p,
			  struct eb_detail *d);
/* Moves the XML written so far to the end of b (for streaming).  Errors are
 * b's (EB_ETOOBIG, EB_ENOMEM). */
enum eb_err iati_take(struct iati_writer *w, struct eb_buf *b);
/* Closes the document and moves the rest to b. */
enum eb_err iati_end(struct iati_writer *w, struct eb_buf *b, struct eb_detail *d);
/* NULL is a no-op. */
void iati_free(struct iati_writer *w);

/* The IATI OrganisationType code for a donor type or an organisation kind
 * ("10" government, "11" local government, "70" private sector, "22"
 * national NGO, "40" multilateral, "90" other). */
const char *iati_org_type(const char *donor_type_or_kind);

/*
 * Validates xml[0..len) against the IATI 2.03 activity schema found with
 * eb_data_path(IATI_SCHEMA_REL) (loaded once, then shared).  EB_OK when
 * valid; EB_EINVAL with the first problem (d->field the element path);
 * EB_ENOTFOUND when the schema is not installed; EB_ETOOBIG over 64 MiB.
 */
enum eb_err iati_validate(const char *xml, size_t len, struct eb_detail *d);

#endif
