/*
 * testutil.h - checks shared by the syswho test programs.
 *
 * Every program checks its own results and exits 1 on the first failure,
 * so that it fails the same way with and without syswho.
 */
#ifndef SYSWHO_TESTUTIL_H
#define SYSWHO_TESTUTIL_H

#include <signal.h>
#include <stdbool.h>
#include <string.h>

/* Print "FAIL: <where>: <message>" to stderr and exit 1. */
void tu_fail(const char *where, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond))                                                   \
			tu_fail(__func__, __VA_ARGS__);                        \
	} while (0)

/* Check that a libc call returned 0 or more; report errno otherwise. */
#define CHECK_OK(expr)                                                         \
	do {                                                                   \
		if ((expr) < 0)                                                \
			tu_fail(__func__, "%s: %m", #expr);                    \
	} while (0)

/* Check a pthread call, which returns an error number instead of -1. */
#define CHECK_PT(expr)                                                         \
	do {                                                                   \
		int tu_err_ = (expr);                                          \
		if (tu_err_ != 0)                                              \
			tu_fail(__func__, "%s: %s", #expr, strerror(tu_err_)); \
	} while (0)

/*
 * The mask a program sees after asking for every signal: all of them but
 * SIGKILL, SIGSTOP (the kernel never blocks those) and the real-time
 * signals glibc keeps for itself.
 */
void tu_full_mask(sigset_t *set);

/* Compare two masks over all 64 signals; name the first difference. */
bool tu_mask_equal(const sigset_t *got, const sigset_t *want, char *why,
		   unsigned long len);

/* Fail unless the calling thread's mask is exactly WANT. */
void tu_check_mask(const char *what, const sigset_t *want);

/* Sleep for MS milliseconds, resuming after signals. */
void tu_sleep_ms(long ms);

/* Install HANDLER for SIG with FLAGS and an empty sa_mask. */
void tu_handle(int sig, void (*handler)(int), int flags);

/* Return the mode given as argv[1], or DEFAULT when there is none. */
const char *tu_mode(int argc, char **argv, const char *def);

#endif
