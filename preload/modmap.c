/*
 * The module map.
 */
#include "modmap.h"

#include "glob.h"

#include <elf.h>
#include <link.h>
#include <string.h>

/* The loader, libc and its parts, the unwinders and syswho itself. */
static const char *const modmap_default_globs[] = {
    "ld-linux*.so*",  "ld-*.so*",	"libc.so*",	  "libc-*.so",
    "libpthread.so*", "libdl.so*",	"librt.so*",	  "libm.so*",
    "libresolv.so*",  "libanl.so*",	"libutil.so*",	  "libnss_*.so*",
    "libgcc_s.so*",   "libstdc++.so*",	"libunwind*.so*", "libsyswho.so*",
    "linux-vdso.so*", "linux-gate.so*",
};

static void modmap_lock(struct modmap *map)
{
	while (__atomic_exchange_n(&map->lock, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
}

static void modmap_unlock(struct modmap *map)
{
	__atomic_store_n(&map->lock, 0, __ATOMIC_RELEASE);
}

static size_t bounded_copy(char *dst, const char *src, size_t size)
{
	size_t n = 0;

	while (n + 1 < size && src[n]) {
		dst[n] = src[n];
		n++;
	}
	dst[n] = '\0';
	return n;
}

void modmap_init(struct modmap *map)
{
	size_t i;

	/*
	 * Only the header: entries are written before they are published,
	 * and clearing all 1024 of them would touch a third of a megabyte in
	 * every traced process.
	 */
	map->count = 0;
	map->lock = 0;
	map->generation = 0;
	map->pending = 0;
	map->n_replaced = 0;
	map->nglobs = 0;
	for (i = 0;
	     i < sizeof(modmap_default_globs) / sizeof(*modmap_default_globs);
	     i++)
		modmap_add_glob(map, modmap_default_globs[i]);
}

int modmap_add_glob(struct modmap *map, const char *glob)
{
	if (!glob[0])
		return 0;
	if (map->nglobs == MODMAP_GLOBS_MAX)
		return -1;
	bounded_copy(map->globs[map->nglobs++], glob, MODMAP_GLOB_LEN);
	return 1;
}

int modmap_add_glob_list(struct modmap *map, const char *list)
{
	char glob[MODMAP_GLOB_LEN];
	int added = 0;

	while (list && *list) {
		size_t n = 0;

		while (list[n] && list[n] != ':')
			n++;
		if (n < sizeof(glob)) {
			memcpy(glob, list, n);
			glob[n] = '\0';
			if (modmap_add_glob(map, glob) > 0)
				added++;
		}
		list += n;
		if (*list == ':')
			list++;
	}

	return added;
}

bool modmap_is_runtime(const struct modmap *map, const char *path)
{
	const char *base = strrchr(path, '/');
	int i;

	base = base ? base + 1 : path;
	for (i = 0; i < map->nglobs; i++) {
		const char *g = map->globs[i];

		if (glob_match(g, strchr(g, '/') ? path : base))
			return true;
	}

	return false;
}

const struct module *modmap_lookup(const struct modmap *map, uintptr_t pc)
{
	uint32_t n = __atomic_load_n(&map->count, __ATOMIC_ACQUIRE);
	uint32_t i;

	/* Newest first: a reloaded module shadows nothing, but is likelier. */
	for (i = n; i-- > 0;) {
		const struct module *m = &map->mods[i];

		if (pc >= m->start && pc < m->end &&
		    !__atomic_load_n(&m->dead, __ATOMIC_RELAXED))
			return m;
	}

	return NULL;
}

const struct module *modmap_by_id(const struct modmap *map, uint32_t id)
{
	uint32_t n = __atomic_load_n(&map->count, __ATOMIC_ACQUIRE);

	if (id == 0 || id > n)
		return NULL;
	return &map->mods[id - 1];
}

static const struct module *modmap_find_locked(const struct modmap *map,
					       const struct module_info *info)
{
	uint32_t i;

	for (i = 0; i < map->count; i++) {
		const struct module *m = &map->mods[i];

		if (m->start == info->start && m->end == info->end &&
		    m->base == info->base && !m->dead &&
		    strncmp(m->path, info->path, MODMAP_PATH_MAX - 1) == 0)
			return m;
	}

	return NULL;
}

/* Whether M is the module INFO describes, loaded as it was before. */
static bool modmap_same_module(const struct module *m,
			       const struct module_info *info)
{
	size_t id_len =
	    info->build_id_len <= MODMAP_BUILD_ID_MAX ? info->build_id_len : 0;

	return m->base == info->base && m->build_id_len == id_len &&
	       memcmp(m->build_id, info->build_id, id_len) == 0 &&
	       strncmp(m->path, info->path, MODMAP_PATH_MAX - 1) == 0;
}

/*
 * Whether INFO takes the place of another module that was unmapped in
 * this generation: only then may a site cached in this generation hold
 * a return address that INFO's code now holds. One unmapped in an earlier
 * generation cannot be in such a site.
 */
static bool modmap_replaces_other_locked(const struct modmap *map,
					 const struct module_info *info)
{
	uint32_t gen = __atomic_load_n(&map->generation, __ATOMIC_RELAXED);
	uint32_t i;

	for (i = 0; i < map->count; i++) {
		const struct module *m = &map->mods[i];

		if (m->start < info->end && info->start < m->end &&
		    __atomic_load_n(&m->dead, __ATOMIC_ACQUIRE) &&
		    m->retired_gen == gen && !modmap_same_module(m, info))
			return true;
	}

	return false;
}

/* M's path, build-id and load address, hashed (FNV-1a). */
static uint64_t modmap_identity(const struct module *m)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *p;
	size_t i;

	for (p = m->path; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
	for (i = 0; i < m->build_id_len; i++)
		h = (h ^ m->build_id[i]) * 0x100000001b3ULL;
	for (i = 0; i < sizeof(m->base); i++)
		h = (h ^ ((m->base >> (8 * i)) & 0xff)) * 0x100000001b3ULL;

	return h;
}

/*
 * Keep [START, END) among the ranges where a module took another's
 * place; once they are full, every address counts as one.
 */
static void modmap_note_replaced_locked(struct modmap *map, uintptr_t start,
					uintptr_t end)
{
	uint32_t n = __atomic_load_n(&map->n_replaced, __ATOMIC_RELAXED);
	uint32_t i;

	for (i = 0; i < n && i < MODMAP_REPLACED_MAX; i++)
		if (map->replaced[i].start <= start &&
		    end <= map->replaced[i].end)
			return;
	if (n < MODMAP_REPLACED_MAX) {
		map->replaced[n].start = start;
		map->replaced[n].end = end;
	}
	if (n <= MODMAP_REPLACED_MAX)
		__atomic_store_n(&map->n_replaced, n + 1, __ATOMIC_RELEASE);
}

static bool modmap_in_replaced(const struct modmap *map, uint32_t n,
			       uintptr_t pc)
{
	uint32_t i;

	if (n > MODMAP_REPLACED_MAX)
		return true;
	for (i = 0; i < n; i++)
		if (pc >= map->replaced[i].start && pc < map->replaced[i].end)
			return true;

	return false;
}

uint32_t modmap_stack_identity(const struct modmap *map, const uintptr_t *pcs,
			       int n)
{
	uint32_t nrep = __atomic_load_n(&map->n_replaced, __ATOMIC_ACQUIRE);
	uint64_t h = 0;
	bool any = false;
	int i;

	if (!nrep)
		return 0;
	for (i = 0; i < n; i++) {
		const struct module *m;

		if (!modmap_in_replaced(map, nrep, pcs[i]))
			continue;
		m = modmap_lookup(map, pcs[i]);
		h = (h ^ (m ? m->identity : 1)) * 0x100000001b3ULL;
		any = true;
	}

	return any ? (uint32_t)(h ^ (h >> 32)) | 1 : 0;
}

const struct module *modmap_add(struct modmap *map,
				const struct module_info *info)
{
	const struct module *found;
	struct module *m;

	modmap_lock(map);
	found = modmap_find_locked(map, info);
	if (found || map->count == MODMAP_MAX) {
		modmap_unlock(map);
		return found;
	}

	m = &map->mods[map->count];
	memset(m, 0, sizeof(*m));
	m->id = map->count + 1;
	m->base = info->base;
	m->start = info->start;
	m->end = info->end;
	m->eh_frame_hdr = info->eh_frame_hdr;
	bounded_copy(m->path, info->path, sizeof(m->path));
	m->runtime = modmap_is_runtime(map, m->path);
	if (info->build_id_len <= MODMAP_BUILD_ID_MAX) {
		memcpy(m->build_id, info->build_id, info->build_id_len);
		m->build_id_len = (uint8_t)info->build_id_len;
	}
	m->identity = modmap_identity(m);
	/* Before the module is published: who finds it sees the change. */
	if (modmap_replaces_other_locked(map, info)) {
		modmap_note_replaced_locked(map, info->start, info->end);
		__atomic_add_fetch(&map->generation, 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&map->count, map->count + 1, __ATOMIC_RELEASE);
	modmap_unlock(map);

	return m;
}

int modmap_unmap(struct modmap *map, uintptr_t addr, size_t len)
{
	uint32_t n = __atomic_load_n(&map->count, __ATOMIC_ACQUIRE);
	uint32_t gen = modmap_generation(map);
	uint32_t i;
	int marked = 0;

	for (i = 0; i < n; i++) {
		struct module *m = &map->mods[i];

		if (m->start >= addr + len || addr >= m->end ||
		    __atomic_load_n(&m->dead, __ATOMIC_ACQUIRE))
			continue;
		/* Written first: whoever sees it dead sees when it died. */
		m->retired_gen = gen;
		if (!__atomic_exchange_n(&m->dead, 1, __ATOMIC_ACQ_REL))
			marked++;
	}

	return marked;
}

uint32_t modmap_generation(const struct modmap *map)
{
	return __atomic_load_n(&map->generation, __ATOMIC_ACQUIRE);
}

/* Find the GNU build-id note among the segments of a loaded object. */
static void modmap_build_id(const struct dl_phdr_info *info,
			    struct module_info *out)
{
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *nh = (const void *)p;
			size_t name = (nh->n_namesz + 3) & ~3UL;
			size_t desc = (nh->n_descsz + 3) & ~3UL;
			const char *d = p + sizeof(*nh) + name;

			if (d + desc > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID &&
			    nh->n_namesz == 4 &&
			    memcmp(p + sizeof(*nh), "GNU", 4) == 0) {
				out->build_id = (const uint8_t *)d;
				out->build_id_len = nh->n_descsz;
				return;
			}
			p = d + desc;
		}
	}
}

struct refresh_ctx {
	struct modmap *map;
	const char *exe;
	modmap_resolve_fn resolve;
	int added;
};

/*
 * Whether NAME names its file as the kernel does: absolute, with no "."
 * or ".." in it (dlopen("/opt/x/./p.so") and dlopen("p/../p.so") would
 * otherwise make two modules of one file).
 */
static bool modmap_is_clean(const char *name)
{
	return name[0] == '/' && !strstr(name, "/./") && !strstr(name, "/../");
}

static int modmap_refresh_one(struct dl_phdr_info *info, size_t size,
			      void *data)
{
	struct refresh_ctx *ctx = data;
	struct module_info mi = {.base = info->dlpi_addr};
	char path[MODMAP_PATH_MAX];
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	uint32_t before;
	int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_GNU_EH_FRAME)
			mi.eh_frame_hdr = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		if (info->dlpi_addr + ph->p_vaddr < lo)
			lo = info->dlpi_addr + ph->p_vaddr;
		if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > hi)
			hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	if (lo >= hi)
		return 0;

	mi.start = lo;
	mi.end = hi;
	/* Limitation: paths longer than 255 bytes are cut. */
	if (!info->dlpi_name || !info->dlpi_name[0]) {
		mi.path = ctx->exe;
	} else if (!modmap_is_clean(info->dlpi_name) && ctx->resolve &&
		   ctx->resolve(lo, path, sizeof(path)) == 0) {
		mi.path = path;
	} else {
		mi.path = info->dlpi_name;
	}
	modmap_build_id(info, &mi);

	before = __atomic_load_n(&ctx->map->count, __ATOMIC_ACQUIRE);
	if (modmap_add(ctx->map, &mi) && ctx->map->count != before)
		ctx->added++;

	return 0;
}

int modmap_refresh(struct modmap *map, const char *exe,
		   modmap_resolve_fn resolve)
{
	struct refresh_ctx ctx = {.map = map, .exe = exe, .resolve = resolve};

	/*
	 * dl_iterate_phdr takes the loader's recursive lock: safe when this
	 * thread already holds it (a trap inside dlopen), and it only waits
	 * for another thread that is not waiting for us, since no syswho
	 * lock is held here.
	 */
	dl_iterate_phdr(modmap_refresh_one, &ctx);

	return ctx.added;
}

/* The loader's count of objects it added, without walking them all. */
static int modmap_adds_one(struct dl_phdr_info *info, size_t size, void *data)
{
	*(uint64_t *)data = info->dlpi_adds;
	return 1;
}

static uint64_t modmap_loader_adds(void)
{
	uint64_t adds = 0;

	dl_iterate_phdr(modmap_adds_one, &adds);
	return adds;
}

/*
 * Whether code mapped executable at [addr, addr + len) may take the place
 * of a module unmapped in this generation; anywhere, when the kernel
 * picks the address (FIXED false).
 */
static bool modmap_may_replace(const struct modmap *map, uintptr_t addr,
			       size_t len, bool fixed)
{
	uint32_t n = __atomic_load_n(&map->count, __ATOMIC_ACQUIRE);
	uint32_t gen = modmap_generation(map);
	uint32_t i;

	for (i = 0; i < n; i++) {
		const struct module *m = &map->mods[i];

		if (__atomic_load_n(&m->dead, __ATOMIC_ACQUIRE) &&
		    m->retired_gen == gen &&
		    (!fixed || (m->start < addr + len && addr < m->end)))
			return true;
	}

	return false;
}

void modmap_note_exec_map(struct modmap *map, uintptr_t addr, size_t len,
			  bool fixed)
{
	/*
	 * The loader maps an object, then adds it to its list: the object
	 * is there once the count of objects added has passed this one.
	 */
	if (modmap_may_replace(map, addr, len, fixed))
		__atomic_store_n(&map->pending, modmap_loader_adds() + 1,
				 __ATOMIC_RELEASE);
}

uint32_t modmap_settle(struct modmap *map, const char *exe,
		       modmap_resolve_fn resolve)
{
	uint64_t pending = __atomic_load_n(&map->pending, __ATOMIC_ACQUIRE);

	/*
	 * Limitation: a noted mapping the loader never lists costs each
	 * later call this look at its count.
	 */
	if (pending && modmap_loader_adds() >= pending) {
		modmap_refresh(map, exe, resolve);
		/* Unless another mapping was noted meanwhile. */
		__atomic_compare_exchange_n(&map->pending, &pending, 0, false,
					    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
	}

	return modmap_generation(map);
}
