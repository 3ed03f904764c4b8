/*
 * `epibridge cap validate FILE...`: checks CAP 1.2 alert files the way the
 * server checks an imported alert (formats/cap.h: the safe XML parser, the
 * OASIS schema, the model), and says for each file "FILE: valid" or
 * "FILE: invalid: <reason> (line N)".  Exit status 0 when all are valid, 1
 * when any is not, 2 on a usage error or when the schema cannot be found.
 *
 * The schema is data/standards/cap/cap12.xsd found through eb_data_path()
 * ($EB_DATA_DIR, ./data, the program's ../data), or the file given with
 * --schema.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "cli/commands.h"
#include "formats/cap.h"
#include "formats/xml_safe.h"

static void usage(FILE *f)
{
	fputs("usage: epibridge cap validate [--schema XSD] FILE...\n"
	      "       epibridge cap --help\n"
	      "\n"
	      "Checks each FILE ('-' for standard input) as a CAP 1.2 alert: safe XML\n"
	      "(no DOCTYPE or entities, at most 1 MiB and 64 levels deep) that is valid\n"
	      "against the OASIS CAP 1.2 schema.  Prints one line per file:\n"
	      "  FILE: valid\n"
	      "  FILE: invalid: REASON (line N)\n"
	      "\n"
	      "Options:\n"
	      "  --schema XSD   the CAP 1.2 schema to use (default: standards/cap/cap12.xsd\n"
	      "                 under $EB_DATA_DIR, ./data or the program's ../data)\n"
	      "  -h, --help     this text\n"
	      "\n"
	      "Exit status: 0 all files valid, 1 some file invalid or unreadable,\n"
	      "2 usage error or schema not found.\n",
	      f);
}

/* Reads a whole file ("-" = stdin) of at most max bytes into b.
 * Returns 0, or -1 with a reason in why. */
static int read_input(const char *path, size_t max, struct eb_buf *b,
		      char *why, size_t whylen)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		return -1;
	}
	int rc = 0;
	char chunk[16384];
	for (;;) {
		size_t n = fread(chunk, 1, sizeof chunk, f);
		if (n && eb_buf_add(b, chunk, n) != EB_OK) {
			snprintf(why, whylen,
				 "larger than the limit of %zu bytes", max);
			rc = -1;
			break;
		}
		if (n < sizeof chunk) {
			if (ferror(f)) {
				snprintf(why, whylen, "cannot read: %s",
					 strerror(errno));
				rc = -1;
			}
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	return rc;
}

static int validate_files(int nfiles, char **files)
{
	int invalid = 0;
	for (int i = 0; i < nfiles; i++) {
		const char *name = strcmp(files[i], "-") == 0 ? "(stdin)" : files[i];
		struct eb_buf b;
		eb_buf_init(&b, XML_SAFE_MAX_BYTES_DEFAULT);
		char why[256];
		if (read_input(files[i], XML_SAFE_MAX_BYTES_DEFAULT, &b, why,
			       sizeof why)) {
			printf("%s: invalid: %s\n", name, why);
			invalid = 1;
			eb_buf_free(&b);
			continue;
		}
		struct cap_alert *a = NULL;
		struct eb_detail d;
		enum eb_err rc = cap_parse(b.data ? b.data : "", b.len, &a, &d);
		if (rc == EB_OK) {
			printf("%s: valid\n", name);
		} else {
			printf("%s: invalid: %s\n", name, d.msg);
			invalid = 1;
		}
		cap_alert_free(a);
		eb_buf_free(&b);
	}
	fflush(stdout);
	return invalid;
}

int cmd_cap(int argc, char **argv)
{
	/* argv[0] is "cap" */
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *action = argv[1];
	if (strcmp(action, "--help") == 0 || strcmp(action, "-h") == 0 ||
	    strcmp(action, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(action, "validate") != 0) {
		fprintf(stderr, "epibridge cap: unknown action '%s'\n\n", action);
		usage(stderr);
		return 2;
	}

	const char *schema = NULL;
	int i = 2;
	for (; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(arg, "--schema") == 0) {
			if (i + 1 >= argc) {
				fputs("epibridge cap: --schema needs a file\n",
				      stderr);
				return 2;
			}
			schema = argv[++i];
			continue;
		}
		if (strncmp(arg, "--schema=", 9) == 0) {
			schema = arg + 9;
			continue;
		}
		if (arg[0] == '-' && arg[1] != '\0') {
			fprintf(stderr, "epibridge cap: unknown option '%s'\n\n",
				arg);
			usage(stderr);
			return 2;
		}
		break;
	}
	if (i >= argc) {
		fputs("epibridge cap validate: no FILE given\n\n", stderr);
		usage(stderr);
		return 2;
	}

	struct eb_detail d;
	if (cap_init(schema, &d) != EB_OK) {
		fprintf(stderr, "epibridge cap: %s\n", d.msg);
		return 2;
	}
	return validate_files(argc - i, argv + i);
}
