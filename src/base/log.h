/*
 * Logging to standard error: one line per event, with UTC time and level.
 * Thread-safe (each line is written with one write call).
 */
#ifndef EB_BASE_LOG_H
#define EB_BASE_LOG_H

enum eb_log_level { EB_LOG_DEBUG, EB_LOG_INFO, EB_LOG_WARN, EB_LOG_ERROR };

void eb_log_set_level(enum eb_log_level lvl);
void eb_log(enum eb_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define eb_info(...) eb_log(EB_LOG_INFO, __VA_ARGS__)
#define eb_warn(...) eb_log(EB_LOG_WARN, __VA_ARGS__)
#define eb_error(...) eb_log(EB_LOG_ERROR, __VA_ARGS__)

#endif
