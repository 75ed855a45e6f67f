/*
 * risk.h - what allowing one syscall exposes, for reviewers of a policy.
 */
#ifndef SYSWHO_RISK_H
#define SYSWHO_RISK_H

#include <stddef.h>

#include "policy.h"

enum risk_kind {
	RISK_TIMING,	 /* a clock precise enough for timing attacks */
	RISK_STATE_LEAK, /* reads state of this or other processes */
	RISK_COVERT,	 /* a channel between processes, or kernel memory */
	RISK_DANGEROUS,	 /* a large or privileged kernel surface */
	RISK_WX,	 /* memory both writable and executable */
};

struct risk_note {
	enum risk_kind kind;
	const char *text;
};

/* Most notes one syscall gets. */
#define RISK_MAX_NOTES 3

/*
 * The notes for syscall NAME into OUT (RISK_MAX_NOTES of room); ARGS, when
 * not NULL, is its first argument set, which sharpens the advice for
 * clocks and memory protections. Returns how many.
 */
size_t risk_notes(const char *name, const struct policy_argset *args,
		  struct risk_note *out);

/* "timing", "state-leak", "covert-channel", "dangerous" or "write+exec". */
const char *risk_kind_name(enum risk_kind kind);

#endif
