/*
 * The list of capability demo loaders, run in order by `epibridge demo`.
 */
#include "cli/demo.h"

const demo_loader demo_loaders[] = {
	demo_alerts, /* demo_alerts.c: the joint statement, information exchanges and advisory (C3) */
	NULL};
