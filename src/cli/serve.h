/*
 * Serving, shared by `serve` and `demo`.
 */
#ifndef EB_CLI_SERVE_H
#define EB_CLI_SERVE_H

#include <stddef.h>

struct eb_db;
struct eb_app;

struct serve_opts {
	const char *db, *bind, *web, *port_file, *trusted_proxy;
	int port, threads, secure_cookies, quiet, help, load_only;
	size_t max_body;
	size_t max_upload;
};

void serve_defaults(struct serve_opts *o);
/* Parses serve's options (and demo's --load-only); returns 0 or an exit status. */
int serve_parse(int argc, char **argv, struct serve_opts *o);
/* Serves db until a stop signal; bootstrap creates a first admin if none. */
int serve_run(struct eb_db *db, const struct serve_opts *o, int bootstrap);
/* Installs optional hooks (reference data for validation) into the app. */
void serve_hooks(struct eb_app *app);

#endif
