/*
 * The list of capability demo loaders, run in order by `epibridge demo`.
 */
#include "cli/demo.h"

const demo_loader demo_loaders[] = {
	demo_situation, /* demo_situation.c: WHO and JHU data of 2020, WHO risk, Bosnia and Herzegovina's report (C1, C2) */
	demo_donations, /* demo_donations.c: the donations of the report (C4) */
	demo_alerts, /* demo_alerts.c: the joint statement, information exchanges and advisory (C3) */
	NULL};
