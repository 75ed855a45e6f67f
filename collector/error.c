/*
 * error.c - error values with context, see error.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/*
 * Returned when even the error cannot be allocated, so that a failure is
 * never lost; it is never freed.
 */
static struct error error_oom = {ENOMEM, (char *)"out of memory"};

int error_set(struct error **err, int errnum, const char *fmt, ...)
{
	struct error *e;
	char *text = NULL;
	va_list ap;
	int ret;

	error_free(err);
	va_start(ap, fmt);
	ret = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (ret < 0)
		goto oom;

	e = malloc(sizeof(*e));
	if (!e)
		goto oom;

	e->errnum = errnum;
	e->msg = text;
	if (errnum) {
		if (asprintf(&e->msg, "%s: %s", text, strerror(errnum)) < 0) {
			free(e);
			goto oom;
		}
		free(text);
	}
	*err = e;
	errno = errnum;

	return -1;
oom:
	free(text);
	*err = &error_oom;
	errno = ENOMEM;

	return -1;
}

int error_wrap(struct error **err, const char *fmt, ...)
{
	char *ctx = NULL, *msg = NULL;
	va_list ap;
	int ret;

	if (!*err || *err == &error_oom)
		return -1;

	va_start(ap, fmt);
	ret = vasprintf(&ctx, fmt, ap);
	va_end(ap);
	/* Keep the inner message when the context cannot be added. */
	if (ret < 0)
		return -1;

	if (asprintf(&msg, "%s: %s", ctx, (*err)->msg) >= 0) {
		free((*err)->msg);
		(*err)->msg = msg;
	}
	free(ctx);
	errno = (*err)->errnum;

	return -1;
}

void error_free(struct error **err)
{
	if (!*err)
		return;

	if (*err != &error_oom) {
		free((*err)->msg);
		free(*err);
	}
	*err = NULL;
}

const char *error_message(const struct error *err)
{
	return err ? err->msg : "unknown error";
}
