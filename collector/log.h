/*
 * log.h - a leveled logger for the collector and the CLI.
 *
 * Quiet by default (warnings and errors only). SYSWHO_LOG=debug|info|
 * warn|error or -v on the command line makes it louder. Every event is one
 * line on stderr: "syswho: collector[1234]: message".
 */
#ifndef SYSWHO_LOG_H
#define SYSWHO_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Name the component shown in each line and read SYSWHO_LOG. */
void log_init(const char *component);

/* Raise the threshold by N levels, as each -v does. */
void log_louder(int n);

void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);

void log_write(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_error(...) log_write(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_write(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)  log_write(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_write(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
