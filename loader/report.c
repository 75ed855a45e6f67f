/*
 * The static program's reporter. Call sites live in the gate's data pages
 * (struct gate_early): a table shared by all threads, claimed with atomics,
 * so the handler needs no lock but the flusher's try-lock. Each site is
 * also counted in a count table shared with the collector, laid out as
 * the library's (preload/aggregate.h), so that a program killed without
 * warning loses none of its counts: entry I of that table is early[I].
 */
#include "report.h"

#include "aggregate.h"
#include "counts.h"
#include "sys.h"
#include "wire_encode.h"

#include <errno.h>
#include <linux/audit.h>
#include <poll.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>

#define REPORT_FLUSH_EVERY 1024
#define REPORT_BATCH	   64
#define REPORT_FD_FLOOR	   800
#define REPORT_EXE_MODULE  1

#define REPORT_PAGE 4096UL
#define REPORT_TABLE_SIZE                                                      \
	((sizeof(struct agg_table) + REPORT_PAGE - 1) & ~(REPORT_PAGE - 1))

_Static_assert(GATE_EARLY_MAX <= AGG_SLOTS,
	       "every early site has its entry in the count table");

static struct sockaddr_un report_addr;
static int report_sock = -1;
static int report_table_fd = -1;
static struct agg_table *report_table; /* shared with the collector */
static int report_flushing;
static uint32_t report_calls;
static uint32_t report_next_site;

/* What Hello and Module say, kept for a forked child's own. */
static char *const *report_argv;
static int report_argc;
static struct wire_module report_exe;
static uintptr_t report_exe_start, report_exe_end;

static long report_raise_fd(long fd);

static long report_send(const void *buf, size_t len)
{
	struct pollfd pfd = {.fd = report_sock, .events = POLLOUT};
	long ret;

	if (report_sock < 0)
		return -ENOTCONN;
	ret = gate_call6(SYS_sendto, report_sock, buf, len,
			 MSG_DONTWAIT | MSG_NOSIGNAL, 0, 0);
	if (ret == -EAGAIN) {
		gate_call3(SYS_poll, &pfd, 1, 50);
		ret = gate_call6(SYS_sendto, report_sock, buf, len,
				 MSG_DONTWAIT | MSG_NOSIGNAL, 0, 0);
	}
	return ret;
}

static long report_connect(void)
{
	long fd, ret;

	fd = gate_call3(SYS_socket, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	ret = gate_call3(SYS_connect, fd, &report_addr, sizeof(report_addr));
	if (ret < 0) {
		gate_call1(SYS_close, fd);
		return ret;
	}
	report_sock = (int)report_raise_fd(fd);
	return 0;
}

/* A descriptor of syswho's own, kept out of the program's low numbers. */
static long report_raise_fd(long fd)
{
	long moved = gate_call3(SYS_fcntl, fd, 1030 /* F_DUPFD_CLOEXEC */,
				REPORT_FD_FLOOR);

	if (moved < 0)
		return fd;
	gate_call1(SYS_close, fd);
	return moved;
}

/*
 * The count table in a memfd, handed to the collector with the Tables
 * record: it reads the table when the connection ends, however the
 * process ended. Without it counts only stream.
 */
static void report_table_start(void)
{
	union {
		struct cmsghdr hdr;
		char space[CMSG_SPACE(2 * sizeof(int))];
	} ctl = {0};
	uint8_t buf[64];
	struct wire_buf b = {.p = buf, .cap = sizeof(buf)};
	struct iovec iov = {.iov_base = buf};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.space,
			     .msg_controllen = sizeof(ctl.space)};
	struct cmsghdr *c = &ctl.hdr;
	long fd, p, p2, pidfd;
	int fds[2];

	fd = gate_call2(SYS_memfd_create, "syswho-counts", MFD_CLOEXEC);
	if (fd < 0)
		return;
	fd = report_raise_fd(fd);
	/* Sparse: only the pages the program's sites land in are made. */
	p = counts_fit(REPORT_TABLE_SIZE)
		? gate_call2(SYS_ftruncate, fd, REPORT_TABLE_SIZE)
		: -EFBIG;
	if (p == 0)
		p = gate_call6(SYS_mmap, 0, REPORT_TABLE_SIZE,
			       PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p < 0 && p > -4096) {
		gate_call1(SYS_close, fd);
		return;
	}

	wire_tables(&b, AGG_TABLES_MAGIC, REPORT_TABLE_SIZE, AGG_SLOTS,
		    sizeof(struct agg_entry),
		    offsetof(struct agg_table, slots));
	iov.iov_len = b.len;
	/*
	 * With a pidfd of the process, which keeps its exit status once it
	 * is reaped: a program killed by a signal sends no Exit record.
	 */
	pidfd = gate_call2(SYS_pidfd_open, gate_call0(SYS_getpid), 0);
	fds[0] = (int)fd;
	fds[1] = (int)pidfd;
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN((pidfd >= 0 ? 2 : 1) * sizeof(int));
	msg.msg_controllen = CMSG_SPACE((pidfd >= 0 ? 2 : 1) * sizeof(int));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	p2 = gate_call3(SYS_sendmsg, report_sock, &msg,
			MSG_DONTWAIT | MSG_NOSIGNAL);
	if (pidfd >= 0)
		gate_call1(SYS_close, pidfd);
	if (b.overflow || p2 < 0) {
		gate_call2(SYS_munmap, p, REPORT_TABLE_SIZE);
		gate_call1(SYS_close, fd);
		return;
	}
	report_table_fd = (int)fd;
	report_table = (struct agg_table *)p;
}

/* A forked child must not count into its parent's table. */
static void report_table_stop(void)
{
	if (report_table)
		gate_call2(SYS_munmap, report_table, REPORT_TABLE_SIZE);
	if (report_table_fd >= 0)
		gate_call1(SYS_close, report_table_fd);
	report_table = NULL;
	report_table_fd = -1;
}

/* E's entry in the shared table, or NULL without one. */
static struct agg_entry *report_entry(const struct gate_early *e)
{
	if (!report_table || !e)
		return NULL;
	return &report_table->slots[e - gate_data()->early];
}

static uint64_t report_now_ns(void)
{
	struct timespec t = {0};

	gate_call2(SYS_clock_gettime, CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static long report_hello(void)
{
	uint8_t buf[8192];
	struct wire_buf b = {.p = buf, .cap = sizeof(buf)};

	wire_hello(&b, (uint32_t)gate_call0(SYS_getpid),
		   (uint32_t)gate_call0(SYS_getppid), report_exe.path,
		   report_argv, report_argc, report_now_ns(), AUDIT_ARCH_X86_64,
		   gate_data()->setid);
	wire_module(&b, &report_exe);
	if (b.overflow)
		return -E2BIG;
	return report_send(buf, b.len);
}

/* The GNU build-id among the notes of the mapped image. */
static void report_build_id(const struct elf_image *img)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)img->phdr;
	int i;

	for (i = 0; i < img->phnum; i++) {
		const char *p, *end;

		if (ph[i].p_type != PT_NOTE)
			continue;
		p = (const char *)(img->bias + ph[i].p_vaddr);
		end = p + ph[i].p_memsz;
		while (p + sizeof(Elf64_Nhdr) <= end) {
			const Elf64_Nhdr *nh = (const void *)p;
			const char *d =
			    p + sizeof(*nh) + ((nh->n_namesz + 3) & ~3UL);

			if (d + nh->n_descsz > end)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID &&
			    nh->n_namesz == 4 &&
			    memcmp(p + sizeof(*nh), "GNU", 4) == 0) {
				report_exe.build_id = (const uint8_t *)d;
				report_exe.build_id_len = nh->n_descsz;
				return;
			}
			p = d + ((nh->n_descsz + 3) & ~3UL);
		}
	}
}

int report_start(char *const *envp, const struct elf_image *img,
		 const char *path, char *const *argv, int argc)
{
	const char *sock = NULL;
	int i;

	for (i = 0; envp[i]; i++)
		if (strncmp(envp[i], "SYSWHO_COLLECTOR=", 17) == 0)
			sock = envp[i] + 17;
	if (!sock || !*sock || strlen(sock) >= sizeof(report_addr.sun_path))
		return -ENOENT;
	report_addr.sun_family = AF_UNIX;
	sys_strlcpy(report_addr.sun_path, sock, sizeof(report_addr.sun_path));

	report_argv = argv;
	report_argc = argc;
	report_exe.id = REPORT_EXE_MODULE;
	report_exe.path = path;
	report_exe.load_bias = img->bias;
	report_exe.size = img->end - img->start;
	report_exe_start = img->start;
	report_exe_end = img->end;
	report_build_id(img);

	if (report_connect() < 0)
		return -ECONNREFUSED;
	if (report_hello() < 0)
		return -EIO;
	report_table_start();
	return 0;
}

int report_active(void)
{
	return report_sock >= 0;
}

/* As agg_set_site_state: the fields STATE vouches for are stored first. */
static void report_set_state(struct agg_entry *t, enum agg_site_state state)
{
	__atomic_store_n(&t->site_state, (uint32_t)state, __ATOMIC_RELEASE);
}

/*
 * Fill T, E's entry in the shared table, for a site with id SITE: what
 * the collector needs to rebuild the site should its record never arrive.
 */
static void report_fill_entry(struct agg_entry *t, const struct gate_early *e,
			      uint32_t site, uint32_t module, uint64_t offset,
			      uint32_t tid)
{
	uint32_t i;

	t->nr = e->nr;
	t->arch = e->arch;
	t->owner = module;
	t->owner_offset = offset;
	t->tid = tid;
	t->nargs = (uint8_t)e->nargs;
	for (i = 0; i < e->nargs && i < ARGS_MAX; i++) {
		t->arg_index[i] = (uint8_t)e->arg_index[i];
		t->arg_values[i] = e->arg_values[i];
	}
	t->hash = (uint64_t)(e - gate_data()->early) + 1;
	__atomic_store_n(&t->site, site, __ATOMIC_RELAXED);
	report_set_state(t, AGG_SITE_PENDING);
}

/*
 * Send E's Site record. With a shared table, one thread claims the
 * entry (its site id) and the others leave the record to it; a record
 * that could not be sent is sent again by the next call there.
 */
static void report_site(struct gate_early *e, struct agg_entry *t)
{
	uint8_t buf[256];
	struct wire_buf b = {.p = buf, .cap = sizeof(buf)};
	struct wire_site ws = {0};
	uint32_t tid = (uint32_t)gate_call0(SYS_gettid);
	uint32_t module = 0, site, none = 0;
	uint32_t unsent = AGG_SITE_UNSENT;
	uint64_t offset = e->ip;

	/* A static program's calls are its own; the vDSO's are nobody's. */
	if (e->ip >= report_exe_start && e->ip < report_exe_end) {
		module = REPORT_EXE_MODULE;
		offset = e->ip - report_exe.load_bias;
	}
	site = __atomic_add_fetch(&report_next_site, 1, __ATOMIC_RELAXED);
	if (t) {
		if (__atomic_compare_exchange_n(&t->site, &none, site, 0,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			report_fill_entry(t, e, site, module, offset, tid);
		else if (__atomic_compare_exchange_n(
			     &t->site_state, &unsent, AGG_SITE_PENDING, 0,
			     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			site = none;
		else
			return;
		tid = t->tid;
	}
	ws.id = site;
	ws.nr = e->nr;
	ws.arch = e->arch;
	ws.owner = module;
	ws.owner_offset = offset;
	ws.tid = tid;
	ws.modules = &module;
	ws.offsets = &offset;
	ws.depth = 1;
	ws.arg_index = e->arg_index;
	ws.arg_values = e->arg_values;
	ws.nargs = (int)e->nargs;
	wire_site(&b, &ws);
	if (!b.overflow && report_send(buf, b.len) >= 0) {
		if (t)
			report_set_state(t, AGG_SITE_SENT);
		__atomic_store_n(&e->site, site, __ATOMIC_RELEASE);
	} else if (t) {
		report_set_state(t, AGG_SITE_UNSENT);
	}
}

/* Send the counts gathered since the last flush, unless one is running. */
static void report_flush(void)
{
	struct gate_data *gd = gate_data();
	uint32_t sites[REPORT_BATCH];
	uint64_t deltas[REPORT_BATCH];
	uint8_t buf[2048];
	uint32_t i, n;
	int k = 0;

	if (__atomic_exchange_n(&report_flushing, 1, __ATOMIC_ACQUIRE))
		return;
	n = __atomic_load_n(&gd->early_count, __ATOMIC_ACQUIRE);
	if (n > GATE_EARLY_MAX)
		n = GATE_EARLY_MAX;
	for (i = 0; i <= n; i++) {
		struct gate_early *e = &gd->early[i < n ? i : 0];
		uint64_t count;

		if (i < n && __atomic_load_n(&e->site, __ATOMIC_ACQUIRE)) {
			count =
			    report_entry(e)
				? __atomic_load_n(&report_entry(e)->count,
						  __ATOMIC_RELAXED)
				: __atomic_load_n(&e->count, __ATOMIC_RELAXED);
			if (count != e->sent) {
				sites[k] = e->site;
				deltas[k++] = count - e->sent;
				e->sent = count;
			}
		}
		if (k && (k == REPORT_BATCH || i == n)) {
			struct wire_buf b = {.p = buf, .cap = sizeof(buf)};

			wire_counts(&b, sites, deltas, k);
			if (!b.overflow)
				report_send(buf, b.len);
			k = 0;
		}
	}
	__atomic_store_n(&report_flushing, 0, __ATOMIC_RELEASE);
}

void report_call(struct gate_early *e)
{
	struct agg_entry *t = report_entry(e);

	/* Counted before its entry is shown, so a shown entry is never 0. */
	if (t)
		__atomic_fetch_add(&t->count, 1, __ATOMIC_RELAXED);
	if (e && !__atomic_load_n(&e->site, __ATOMIC_ACQUIRE))
		report_site(e, t);
	if (__atomic_add_fetch(&report_calls, 1, __ATOMIC_RELAXED) %
		REPORT_FLUSH_EVERY ==
	    0)
		report_flush();
}

void report_exit(int code, int exec)
{
	uint8_t buf[64];
	struct wire_buf b = {.p = buf, .cap = sizeof(buf)};

	report_flush();
	wire_exit(&b, code, exec);
	if (!b.overflow)
		report_send(buf, b.len);
}

void report_after_fork(void)
{
	struct gate_data *gd = gate_data();
	uint32_t i;

	if (report_sock >= 0)
		gate_call1(SYS_close, report_sock);
	report_sock = -1;
	report_table_stop();
	report_flushing = 0;
	for (i = 0; i < GATE_EARLY_MAX; i++) {
		gd->early[i].site = 0;
		gd->early[i].count = 0;
		gd->early[i].sent = 0;
	}
	if (report_connect() == 0 && report_hello() >= 0)
		report_table_start();
}
