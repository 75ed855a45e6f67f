/*
 * The module map: which loaded module (executable, shared library, plugin)
 * holds an address, and whether that module is part of the runtime.
 *
 * Entries are only ever appended; an unloaded module is marked dead, never
 * reused, so a module loaded later at the same address gets a new id.
 * When that module is another one (by path, build-id or load address)
 * than the one that was there, the map's generation moves on: the sites
 * a thread cached by return address alone must not be found again.
 * Readers take no lock. Writers (refresh, adding) serialise on a lock that
 * is only taken inside syswho's own code, never around a call into code
 * that might wait for another thread's handler.
 */
#ifndef SYSWHO_MODMAP_H
#define SYSWHO_MODMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODMAP_MAX	    1024
#define MODMAP_PATH_MAX	    256
#define MODMAP_BUILD_ID_MAX 32
#define MODMAP_GLOBS_MAX    32
#define MODMAP_GLOB_LEN	    128

struct module {
	uint32_t id; /* 1-based, stable for the life of the process */
	bool runtime;
	uintptr_t base;		/* load bias */
	uintptr_t start, end;	/* span of the executable segments */
	uintptr_t eh_frame_hdr; /* its .eh_frame_hdr in memory, or 0 */
	uint8_t build_id[MODMAP_BUILD_ID_MAX];
	uint8_t build_id_len;
	char path[MODMAP_PATH_MAX];
	int dead;	      /* atomic: unmapped */
	int announced;	      /* atomic: sent to the collector */
	uint32_t retired_gen; /* the map's generation when it was unmapped */
	uint64_t identity;    /* path, build-id and base, hashed */
};

/* Address ranges where a module took another's place, kept for lookups. */
#define MODMAP_REPLACED_MAX 16

struct modmap_range {
	uintptr_t start, end;
};

struct modmap {
	uint32_t count; /* atomic: published entries */
	int lock;
	uint32_t generation; /* atomic: see modmap_generation */
	/* atomic: ranges in use; past MODMAP_REPLACED_MAX, every address */
	uint32_t n_replaced;
	struct modmap_range replaced[MODMAP_REPLACED_MAX];
	/* atomic: 0, or 1 + the loader's adds when a successor was mapped */
	uint64_t pending;
	char globs[MODMAP_GLOBS_MAX][MODMAP_GLOB_LEN];
	int nglobs;
	struct module mods[MODMAP_MAX];
};

/* What a module looks like before it is in the map. */
struct module_info {
	const char *path;
	uintptr_t base, start, end, eh_frame_hdr;
	const uint8_t *build_id;
	size_t build_id_len;
};

/* Empty MAP and give it the default runtime globs. */
void modmap_init(struct modmap *map);

/* Add a runtime glob (basename match; full-path match if it has '/'). */
int modmap_add_glob(struct modmap *map, const char *glob);

/* Add the globs of a ':'-separated list. Returns how many were added. */
int modmap_add_glob_list(struct modmap *map, const char *list);

/* Whether PATH is a runtime module by MAP's globs. */
bool modmap_is_runtime(const struct modmap *map, const char *path);

/*
 * The live module that holds PC, or NULL. A dead module never matches.
 */
const struct module *modmap_lookup(const struct modmap *map, uintptr_t pc);

/* The module with id ID, or NULL. */
const struct module *modmap_by_id(const struct modmap *map, uint32_t id);

/*
 * Add INFO unless a live module with the same path and span is there.
 * Returns the entry, or NULL when the map is full.
 */
const struct module *modmap_add(struct modmap *map,
				const struct module_info *info);

/* Mark dead every module whose span overlaps [addr, addr + len). */
int modmap_unmap(struct modmap *map, uintptr_t addr, size_t len);

/*
 * A number that changes only when a module was added where a module of
 * another path, build-id or load address was unmapped since the last
 * change: return addresses seen under one generation are held by the same
 * code throughout it. A module reloaded as it was leaves it unchanged, so
 * a host that reloads a plugin in a loop makes no new sites.
 */
uint32_t modmap_generation(const struct modmap *map);

/*
 * What tells the stack PCS (N return addresses) apart from the same
 * addresses held by other code: 0 while no module took another's place
 * where a pc lies, else a digest of the identities (path, build-id, base)
 * of the modules now there. A module reloaded as it was gets the same
 * digest again, so its call sites are found again.
 */
uint32_t modmap_stack_identity(const struct modmap *map, const uintptr_t *pcs,
			       int n);

/*
 * Note a file mapped executable at [ADDR, ADDR + LEN), or where the
 * kernel picks unless FIXED: when a module unmapped in this generation
 * was there, the next modmap_settle after the loader has listed the new
 * object looks at what it is.
 */
void modmap_note_exec_map(struct modmap *map, uintptr_t addr, size_t len,
			  bool fixed);

/*
 * The path of the file mapped at ADDR into BUF (LEN bytes): 0, or -1 when
 * it cannot be told.
 */
typedef int (*modmap_resolve_fn)(uintptr_t addr, char *buf, size_t len);

/*
 * Bring MAP up to date with the modules the dynamic loader knows. EXE
 * names the main program (which the loader calls ""). A module the loader
 * knows by a relative name (dlopen("./x.so")), or by one with "." or ".."
 * in it, is named by RESOLVE, which asks the kernel, since the directory
 * the name was relative to may be another by now; without RESOLVE, or
 * when it fails, by the name itself.
 * Returns the number of modules added.
 */
int modmap_refresh(struct modmap *map, const char *exe,
		   modmap_resolve_fn resolve);

/*
 * The generation, after a refresh (as modmap_refresh) when a noted
 * mapping's object is in the loader's list by now, so that a module
 * loaded in place of another moves it on before its code runs. Costs
 * one load when nothing is noted.
 */
uint32_t modmap_settle(struct modmap *map, const char *exe,
		       modmap_resolve_fn resolve);

#endif
