/*
 * The static program's reporter. Call sites live in the gate's data pages
 * (struct gate_early): a table shared by all threads, claimed with atomics,
 * so the handler needs no lock but the flusher's try-lock.
 */
#include "report.h"

#include "sys.h"
#include "wire.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>

#define REPORT_FLUSH_EVERY 1024
#define REPORT_BATCH	   64
#define REPORT_FD_FLOOR	   800
#define REPORT_EXE_MODULE  1

static struct sockaddr_un report_addr;
static int report_sock = -1;
static int report_flushing;
static uint32_t report_calls;
static uint32_t report_next_site;

/* What Hello and Module say, kept for a forked child's own. */
static char *const *report_argv;
static int report_argc;
static struct wire_module report_exe;
static uintptr_t report_exe_start, report_exe_end;

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
	long fd, ret, moved;

	fd = gate_call3(SYS_socket, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	ret = gate_call3(SYS_connect, fd, &report_addr, sizeof(report_addr));
	if (ret < 0) {
		gate_call1(SYS_close, fd);
		return ret;
	}
	moved = gate_call3(SYS_fcntl, fd, 1030 /* F_DUPFD_CLOEXEC */,
			   REPORT_FD_FLOOR);
	if (moved >= 0) {
		gate_call1(SYS_close, fd);
		fd = moved;
	}
	report_sock = (int)fd;
	return 0;
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
		   report_argv, report_argc, report_now_ns(),
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
	return report_hello() < 0 ? -EIO : 0;
}

int report_active(void)
{
	return report_sock >= 0;
}

static void report_site(struct gate_early *e)
{
	uint8_t buf[256];
	struct wire_buf b = {.p = buf, .cap = sizeof(buf)};
	uint32_t module = 0;
	uint64_t offset = e->ip;
	uint32_t site =
	    __atomic_add_fetch(&report_next_site, 1, __ATOMIC_RELAXED);

	/* A static program's calls are its own; the vDSO's are nobody's. */
	if (e->ip >= report_exe_start && e->ip < report_exe_end) {
		module = REPORT_EXE_MODULE;
		offset = e->ip - report_exe.load_bias;
	}
	wire_site(&b, site, e->nr, e->arch, module, offset,
		  (uint32_t)gate_call0(SYS_gettid), e->arg_index, e->arg_values,
		  (int)e->nargs);
	if (!b.overflow && report_send(buf, b.len) >= 0)
		__atomic_store_n(&e->site, site, __ATOMIC_RELEASE);
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
			count = __atomic_load_n(&e->count, __ATOMIC_RELAXED);
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
	if (e && !__atomic_load_n(&e->site, __ATOMIC_ACQUIRE))
		report_site(e);
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
	report_flushing = 0;
	for (i = 0; i < GATE_EARLY_MAX; i++) {
		gd->early[i].site = 0;
		gd->early[i].count = 0;
		gd->early[i].sent = 0;
	}
	if (report_connect() == 0)
		report_hello();
}
