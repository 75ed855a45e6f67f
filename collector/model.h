/*
 * model.h - the in-memory profile: processes, modules, call sites.
 *
 * The collector fills one model from all connections and writes it out
 * with profile_write(); profile_load() reads a profile back into one.
 * Elements refer to each other by index, so that growing an array never
 * leaves a dangling pointer behind.
 */
#ifndef SYSWHO_MODEL_H
#define SYSWHO_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Index of "no module": an owner or a frame in anonymous memory. */
#define MODEL_NO_MODULE SIZE_MAX

/*
 * The most calls one site or one loss counter holds: more than a run
 * makes in years, and far enough below SQLite's signed 64 bits that a
 * record claiming more cannot make the profile's sums overflow.
 */
#define MODEL_COUNT_MAX (UINT64_C(1) << 48)

/* *COUNT + DELTA, held at MODEL_COUNT_MAX. */
static inline void model_count_add(uint64_t *count, uint64_t delta)
{
	uint64_t left = *count < MODEL_COUNT_MAX ? MODEL_COUNT_MAX - *count : 0;

	*count += delta < left ? delta : left;
}

/* VALUE, held at MODEL_COUNT_MAX. */
static inline uint64_t model_count_clamp(uint64_t value)
{
	return value < MODEL_COUNT_MAX ? value : MODEL_COUNT_MAX;
}

/*
 * A module is the same module in every process that maps it. Merged runs
 * may have loaded one build-id from several files: PATH is the first seen,
 * ALIASES the others, so that each of its names still selects it.
 */
struct model_module {
	char *path;
	char *build_id; /* lowercase hex, "" when absent */
	bool runtime;
	char **aliases;
	size_t n_aliases, cap_aliases;
};

/* Where one process mapped one module. */
struct model_mapping {
	size_t module;
	uint64_t base;
	uint64_t size;
};

/* One process image: a connection from libsyswho.so. */
/* What a setuid, setgid or setcap program lost under no_new_privs. */
#define MODEL_SETUID 1u
#define MODEL_SETGID 2u
#define MODEL_SETCAP 4u

struct model_process {
	uint32_t pid;
	uint32_t ppid;
	uint32_t arch;
	char *exe;
	char **argv;
	size_t argc;
	uint64_t start_ns;
	uint64_t end_ns; /* 0 while it runs */
	bool exited;	 /* exit_code is known */
	int exit_code;
	int signal;	/* killed by this signal, 0 if not */
	bool execed;	/* the image was replaced by execve */
	bool complete;	/* its Exit record arrived: its counts are whole */
	uint32_t setid; /* MODEL_SETUID | MODEL_SETGID | MODEL_SETCAP */
	uint64_t lost_records;
	uint64_t lost_calls;
	struct model_mapping *maps;
	size_t n_maps, cap_maps;
};

struct model_frame {
	size_t module; /* MODEL_NO_MODULE: offset is absolute */
	uint64_t offset;
};

/* Calls of one syscall from one place of one module, in one process. */
/* A value seen for argument INDEX of a site's syscall (preload/args.c). */
struct model_arg {
	uint32_t index;
	uint64_t value;
};

struct model_site {
	size_t process;
	uint32_t nr;
	uint32_t arch;
	uint32_t tid;
	size_t owner; /* MODEL_NO_MODULE when in no module */
	uint64_t owner_offset;
	char *scope; /* "" when outside any scope */
	uint64_t count;
	struct model_frame *frames; /* innermost first */
	size_t n_frames;
	struct model_arg *args; /* distinct values, unordered */
	size_t n_args, cap_args;
};

struct model {
	struct model_module *modules;
	size_t n_modules, cap_modules;
	struct model_process *procs;
	size_t n_procs, cap_procs;
	struct model_site *sites;
	size_t n_sites, cap_sites;
	/* Open-addressing index of sites by their key; SIZE_MAX is empty. */
	size_t *site_slots;
	size_t n_slots;
	/* Baseline mode: what the kernel allowed untraced, said in meta. */
	char *baseline;
};

void model_init(struct model *m);
void model_free(struct model *m);

/*
 * Find the module PATH with BUILD_ID, adding it when new, and store its
 * index in *OUT. RUNTIME sticks once any process said so.
 */
int model_add_module(struct model *m, const char *path, const char *build_id,
		     bool runtime, size_t *out, struct error **err);

/* Record PATH as another file module MOD was loaded from, once. */
int model_module_add_alias(struct model *m, size_t mod, const char *path,
			   struct error **err);

/* Add an empty process (all fields zero) and store its index in *OUT. */
int model_add_process(struct model *m, size_t *out, struct error **err);

/* Set the exe and a copy of ARGV of process P. */
int model_set_command(struct model *m, size_t p, const char *exe,
		      const char *const *argv, size_t argc, struct error **err);

/* Record that process P mapped MODULE at BASE. */
int model_add_mapping(struct model *m, size_t p, size_t module, uint64_t base,
		      uint64_t size, struct error **err);

/*
 * Find the site with the key of SITE (process, arch, nr, owner,
 * owner_offset, scope) or add a copy of SITE with its frames. An existing
 * site keeps its own stack: the first one wins. Stores the index in *OUT.
 */
int model_add_site(struct model *m, const struct model_site *site, size_t *out,
		   struct error **err);

/*
 * Apply the wait status STATUS of PID to its last image that was not
 * replaced by execve, the one that really ended. Returns -1 when no
 * image of PID is known.
 */
/* Add argument value VALUE of argument INDEX to site SITE, once. */
int model_site_add_arg(struct model *m, size_t site, uint32_t index,
		       uint64_t value);

int model_set_wait_status(struct model *m, uint32_t pid, int status);

/* Totals for the one-line summary. */
struct model_summary {
	size_t processes;
	size_t syscalls;  /* distinct (arch, nr) */
	size_t libraries; /* distinct owner modules */
	uint64_t calls;
};

void model_summarize(const struct model *m, struct model_summary *sum);

#endif
