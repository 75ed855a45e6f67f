/*
 * log.c - one line per event on stderr, see log.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static enum log_level log_threshold = LOG_LEVEL_WARN;
static const char *log_component = "collector";

static const char *const log_names[] = {
    [LOG_LEVEL_ERROR] = "error",
    [LOG_LEVEL_WARN] = "warn",
    [LOG_LEVEL_INFO] = "info",
    [LOG_LEVEL_DEBUG] = "debug",
};

void log_init(const char *component)
{
	const char *env = getenv("SYSWHO_LOG");
	size_t i;

	if (component)
		log_component = component;
	if (!env || !*env)
		return;

	for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (strcmp(env, log_names[i]) == 0) {
			log_threshold = (enum log_level)i;
			return;
		}
	}
	log_warn("SYSWHO_LOG=%s is not one of debug, info, warn, error", env);
}

void log_louder(int n)
{
	int level = (int)log_threshold + n;

	if (level > LOG_LEVEL_DEBUG)
		level = LOG_LEVEL_DEBUG;
	log_threshold = (enum log_level)level;
}

void log_set_level(enum log_level level)
{
	log_threshold = level;
}

bool log_enabled(enum log_level level)
{
	return level <= log_threshold;
}

void log_write(enum log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int len;

	if (!log_enabled(level))
		return;

	/* Build the line first so that it reaches stderr in one write. */
	len = snprintf(line, sizeof(line), "syswho: %s[%d]: ", log_component,
		       (int)getpid());
	va_start(ap, fmt);
	vsnprintf(line + len, sizeof(line) - (size_t)len - 1, fmt, ap);
	va_end(ap);
	len = (int)strlen(line);
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)len) < 0)
		return;
}
