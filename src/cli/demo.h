/*
 * The demo loader, shared by the capabilities that add demo records.
 *
 * Each capability adds a loader function to demo_loaders (demo_loaders.c);
 * loaders run in order after the organisations exist, must be idempotent,
 * and report progress with cli_progress.
 */
#ifndef EB_CLI_DEMO_H
#define EB_CLI_DEMO_H

#include <stddef.h>
#include <stdint.h>
#include "domain/principal.h"

struct eb_db;
struct eb_conn;

struct demo_org {
	const char *key, *kind, *name_en, *name_zh, *country, *parent;
};

/* Organisation id of a demo organisation by key ("moh-jp", "emb-jp", ...). */
int64_t demo_org_id(struct eb_conn *c, const char *key);
const struct demo_org *demo_org_table(size_t *n);
int demo_load(struct eb_db *db);

typedef int (*demo_loader)(struct eb_db *db, struct eb_conn *c,
			   const struct eb_principal *who);
int demo_situation(struct eb_db *db, struct eb_conn *c, const struct eb_principal *who);

/* NULL-terminated. */
extern const demo_loader demo_loaders[];

/* The loaders of the capabilities, one file each. */
int demo_donations(struct eb_db *db, struct eb_conn *c, const struct eb_principal *who); /* demo_donations.c */

int demo_alerts(struct eb_db *db, struct eb_conn *c, const struct eb_principal *who); /* demo_alerts.c */

#endif
