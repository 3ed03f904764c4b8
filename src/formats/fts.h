/*
 * Flows shaped like those of OCHA's Financial Tracking Service (FTS) public
 * API (api.hpc.tools/v1/public/fts/flow): {"status": "ok", "data":
 * {"flows": [...]}} with, per flow, id, status, contributionType,
 * originalAmount/originalCurrency, amountUSD, date, decisionDate,
 * description, keywords, sourceObjects and destinationObjects
 * (Organization, Location, UsageYear, Emergency, GlobalCluster) and
 * reportDetails.
 *
 * A pledge (formats/aidflow.h) gives up to two flows, both with
 * contributionType "inKind":
 *   - "paid" for what the recipient received (valued pro rata), when
 *     anything was received;
 *   - "pledge" (or "commitment" once committed) for what is still
 *     outstanding, unless the pledge was cancelled.
 * Amounts are the lines' recorded values in their currency (originalAmount,
 * originalCurrency); amountUSD is set only for USD, since no exchange rates
 * are kept, and is null otherwise.  Each flow adds "items": the item lines
 * it covers with quantities and units, which FTS does not have.
 *
 * The writer builds each flow with jansson and streams the document; one
 * writer belongs to one thread.
 */
#ifndef EB_FORMATS_FTS_H
#define EB_FORMATS_FTS_H

#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "formats/aidflow.h"

/* The flows of one pledge as a JSON array (new reference; never NULL
 * except out of memory). */
json_t *fts_flows(const struct aid_pledge *p);

/* Streaming: fts_begin appends the opening of the document to b,
 * fts_pledge the flows of one pledge (first: no flow written before),
 * fts_end the closing.  Errors are b's; fts_pledge returns how many flows
 * it wrote through *n (may be NULL). */
enum eb_err fts_begin(struct eb_buf *b);
enum eb_err fts_pledge(struct eb_buf *b, const struct aid_pledge *p, int first, int *n);
enum eb_err fts_end(struct eb_buf *b);

#endif
