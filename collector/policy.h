/*
 * policy.h - least-privilege seccomp policies made from a profile.
 *
 * A policy is the set of syscalls one selection of a profile made (the
 * whole program, one executable, or one library), each with the modules
 * that own it, the argument values the kernel can compare, and why a
 * consumer needs it when the profile cannot show it. The emitters turn
 * one policy into each consumer's format; none of this code prints.
 */
#ifndef SYSWHO_POLICY_H
#define SYSWHO_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "model.h"

/* Past this many distinct values an argument is not filtered. */
#define POLICY_MAX_VALUES 16
/* socket has two filtered arguments; every other syscall one. */
#define POLICY_MAX_ARGSETS 2

enum policy_format {
	POLICY_FORMAT_JSON,
	POLICY_FORMAT_OCI,
	POLICY_FORMAT_BPF,
	POLICY_FORMAT_SYSTEMD,
	POLICY_FORMAT_LIBSECCOMP,
};

/* Who loads the filter, and so which of its own calls follow the load. */
enum policy_consumer {
	POLICY_CONSUMER_ANY,	/* any consumer: only the exec itself */
	POLICY_CONSUMER_BWRAP,	/* bubblewrap --seccomp FD */
	POLICY_CONSUMER_RUNC,	/* runc, linux.seccomp of config.json */
	POLICY_CONSUMER_NSPAWN, /* systemd-nspawn and systemd units */
};

/*
 * The values seen for argument INDEX, compared under MASK. OPEN means the
 * argument cannot be filtered: a site without recorded values, too many
 * values, or --no-args. VALUES are sorted and already masked.
 */
struct policy_argset {
	uint32_t index;
	uint64_t mask;
	bool open;
	uint64_t values[POLICY_MAX_VALUES];
	size_t n_values;
};

/* One module that owns calls of a syscall in the selection. */
struct policy_owner {
	size_t module; /* model index, MODEL_NO_MODULE for anonymous code */
	uint64_t count;
	size_t example; /* model site with the most calls, for its stack */
};

struct policy_call {
	char name[40];
	int nr;
	uint64_t count;
	/* Answer this errno instead of allowing (clone3: ENOSYS). */
	int errno_ret;
	struct policy_owner *owners;
	size_t n_owners, cap_owners;
	struct policy_argset args[POLICY_MAX_ARGSETS];
	size_t n_args;
	/* Why the consumer needs the call; NULL when only the profile does. */
	const char *allowance;
};

/* What to take from a profile. */
struct policy_select {
	const char *exe;      /* only processes running this executable */
	const char *library;  /* only calls owned by this module */
	bool no_args;	      /* drop every argument filter */
	char *const *without; /* syscalls to leave out, to see what fails */
	size_t n_without;
	enum policy_consumer consumer;
	int deny_errno; /* default action's errno */
};

struct policy {
	const struct model *model;
	struct policy_select sel;
	struct policy_call *calls; /* sorted by name */
	size_t n_calls, cap_calls;
	size_t n_sites; /* model sites selected */
};

/*
 * Build the policy of the selection SEL of model M (which must outlive
 * P). Fails when the selection names nothing the profile has, or holds
 * no syscall.
 */
int policy_build(struct policy *p, const struct model *m,
		 const struct policy_select *sel, struct error **err);
void policy_free(struct policy *p);

/* The call named NAME in P, or NULL. */
const struct policy_call *policy_find(const struct policy *p, const char *name);

/*
 * Whether NAME names module MOD of M: its build-id, or the path or file
 * name of any file it was loaded from.
 */
bool policy_module_matches(const struct model *m, size_t mod, const char *name);

/* The consumer that loads FORMAT. */
enum policy_consumer policy_format_consumer(enum policy_format format);

/* Parse a format name; -1 when unknown. */
int policy_parse_format(const char *name, enum policy_format *out);

/* Parse an errno name ("EPERM") or number into *OUT; -1 when neither. */
int policy_parse_errno(const char *name, int *out);

/* The name of errno E ("EPERM"), or NULL for a number without one. */
const char *policy_errno_name(int e);

/* Comparison helpers the emitters share. */
bool policy_call_filtered(const struct policy_call *c);
bool policy_mask_full(uint64_t mask);

/*
 * Emitters: write P in one format to F (bpf and libseccomp need its
 * descriptor: F is flushed and written through fileno(F)).
 */
int policy_emit(const struct policy *p, enum policy_format format, FILE *f,
		struct error **err);
int policy_emit_json(const struct policy *p, FILE *f, struct error **err);

/*
 * For formats with '#' comments: each allowed syscall's risk notes and,
 * for a consumer's allowance, why it is there.
 */
void policy_put_comment_notes(const struct policy *p, FILE *f);
int policy_emit_oci(const struct policy *p, FILE *f, struct error **err);
int policy_emit_seccomp(const struct policy *p, bool pfc, FILE *f,
			struct error **err);
int policy_emit_systemd(const struct policy *p, FILE *f, struct error **err);

/*
 * The consumer's allowances: calls the consumer itself makes between
 * loading the filter and the exec, with why. Returns how many, *OUT the
 * table.
 */
struct policy_allowance {
	const char *name;
	const char *why;
};

size_t policy_allowances(enum policy_consumer c,
			 const struct policy_allowance **out);

/*
 * The values consumer C passes in the one argument the policy filters for
 * its allowance NAME. Returns how many, *OUT the values; 0 when they are
 * not known, which leaves the argument unfiltered.
 */
size_t policy_allowance_values(enum policy_consumer c, const char *name,
			       const uint64_t **out);

#endif
