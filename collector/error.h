/*
 * error.h - error values that carry errno plus a message with context.
 *
 * A fallible function takes a struct error ** and returns -1 after filling
 * it. Each caller that knows more adds its own context in front, so the
 * final message reads from the outside in: "write profile x.db: insert
 * site: disk I/O error". Library code never prints; the CLI does.
 */
#ifndef SYSWHO_ERROR_H
#define SYSWHO_ERROR_H

struct error {
	int errnum; /* errno of the root cause, 0 when there is none */
	char *msg;
};

/*
 * Replace *ERR by a new error. When ERRNUM is not 0, its strerror text is
 * appended after ": ". Always returns -1 so that callers can write
 * "return error_set(...)".
 */
int error_set(struct error **err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Put "context: " in front of the message of *ERR; returns -1. */
int error_wrap(struct error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Free *ERR (which may be NULL) and set it to NULL. */
void error_free(struct error **err);

/* The message of ERR, or "unknown error" when ERR is NULL. */
const char *error_message(const struct error *err);

#endif
