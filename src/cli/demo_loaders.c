/*
 * The list of capability demo loaders, run in order by `epibridge demo`.
 */
#include "cli/demo.h"

const demo_loader demo_loaders[] = {
	NULL};
