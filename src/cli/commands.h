/*
 * Subcommands implemented outside cli.h's core set, one file each.
 */
#ifndef EB_CLI_COMMANDS_H
#define EB_CLI_COMMANDS_H

int cmd_rt(int argc, char **argv);  /* cmd_rt.c: Rt (Cori) from incidence CSV */
int cmd_cap(int argc, char **argv); /* cmd_cap.c: CAP 1.2 validation */
int cmd_import(int argc, char **argv); /* cmd_import.c: situation data imports */
int cmd_export(int argc, char **argv); /* cmd_import.c: situation data exports */
int cmd_donations_export(int argc, char **argv); /* cmd_donations.c: export iati|hxl|fts (from cmd_export) */
int cmd_reconcile(int argc, char **argv); /* cmd_donations.c: recompute donation reconciliation */

int cmd_indicators(int argc, char **argv);  /* cmd_indicators.c: recompute indicators */
int cmd_import_risk(int argc, char **argv); /* cmd_risk.c: import who-risk (from cmd_import) */

int cmd_alert(int argc, char **argv); /* cmd_alert.c: CAP alerts import/list/show/export */

#endif
