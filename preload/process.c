/*
 * Process identity and module bookkeeping.
 */
#include "process.h"

#include "counts.h"
#include "encode.h"
#include "gate.h"
#include "selfmaps.h"
#include "thread.h"
#include "transport.h"
#include "umem.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct process process;

static uint64_t process_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Read /proc/self/cmdline into process.cmdline and split it into argv. */
static void process_read_cmdline(void)
{
	long fd =
	    gate_call3(SYS_open, "/proc/self/cmdline", O_RDONLY | O_CLOEXEC, 0);
	long n = 0, r, i, start = 0;

	if (fd < 0)
		return;
	while (n < (long)sizeof(process.cmdline) - 1) {
		r = gate_call3(SYS_read, fd, process.cmdline + n,
			       sizeof(process.cmdline) - 1 - n);
		if (r <= 0)
			break;
		n += r;
	}
	gate_call1(SYS_close, fd);
	process.cmdline[n] = '\0';

	/* Limitation: argv past 64 words or 4 KiB is cut in the profile. */
	for (i = 0; i < n && process.argc < 64; i++) {
		if (process.cmdline[i] == '\0') {
			process.argv[process.argc++] = process.cmdline + start;
			start = i + 1;
		}
	}
}

void process_init(const char *runtime_globs)
{
	long n;

	process.pid = (uint32_t)gate_call0(SYS_getpid);
	process.ppid = (uint32_t)gate_call0(SYS_getppid);
	process.start_ns = process_now_ns();
	/* Under the loader, /proc/self/exe names the loader: it left the truth.
	 */
	if (gate_data()->loader == GATE_LOADER_MAGIC) {
		n = (long)strnlen(gate_data()->exe, sizeof(process.exe) - 1);
		memcpy(process.exe, gate_data()->exe, (size_t)n);
		process.exe[n] = '\0';
	} else {
		n = gate_call3(SYS_readlink, "/proc/self/exe", process.exe,
			       sizeof(process.exe) - 1);
		process.exe[n > 0 ? n : 0] = '\0';
	}
	process_read_cmdline();

	modmap_init(&process.modules);
	if (runtime_globs)
		modmap_add_glob_list(&process.modules, runtime_globs);
	modmap_refresh(&process.modules, process.exe, selfmaps_path_at);
}

int process_announce_module(const struct module *m)
{
	struct module *mm = (struct module *)m;
	uint8_t buf[512];
	size_t len = 0;
	int ret;

	if (__atomic_exchange_n(&mm->announced, 1, __ATOMIC_ACQ_REL))
		return 0;
	if (encode_module(buf, sizeof(buf), &len, m) != 0)
		return -1;
	ret = transport_send(buf, len, 50);
	if (ret < 0)
		__atomic_store_n(&mm->announced, 0, __ATOMIC_RELEASE);

	return ret;
}

/*
 * Hello and the modules known so far, in as few packets as fit. Only the
 * constructor and a forked child's first trap call this, each while no
 * other thread of the process can be recording.
 */
int process_announce(void)
{
	uint8_t buf[8192];
	size_t len = 0;
	uint32_t i, n;
	int ret;

	if (encode_hello(
		buf, sizeof(buf), &len, process.pid, process.ppid, process.exe,
		process.argv, process.argc, process.start_ns, AUDIT_ARCH_X86_64,
		gate_data()->loader == GATE_LOADER_MAGIC ? gate_data()->setid
							 : 0) != 0)
		return -1;

	n = __atomic_load_n(&process.modules.count, __ATOMIC_ACQUIRE);
	for (i = 0; i < n; i++) {
		struct module *m = &process.modules.mods[i];

		if (m->announced)
			continue;
		if (encode_module(buf, sizeof(buf), &len, m) != 0) {
			/* Full: send what is there, this module in the next. */
			ret = transport_send(buf, len, 100);
			if (ret < 0)
				return ret;
			len = 0;
			if (encode_module(buf, sizeof(buf), &len, m) != 0)
				return -1;
		}
		m->announced = 1;
	}

	return transport_send(buf, len, 100);
}

uint32_t umem_self_pid(void)
{
	return process.pid;
}

void process_after_fork(void)
{
	uint32_t i;

	process.ppid = process.pid;
	process.pid = (uint32_t)gate_call0(SYS_getpid);
	process.start_ns = process_now_ns();
	__atomic_store_n(&process.next_site, 0, __ATOMIC_RELAXED);
	/* A thread of the parent may have held the lock at fork time. */
	process.modules.lock = 0;
	for (i = 0; i < process.modules.count; i++)
		process.modules.mods[i].announced = 0;

	if (transport_reopen() == 0 && process_announce() == 0)
		counts_after_fork();
}

uint32_t process_site_id(void)
{
	return __atomic_add_fetch(&process.next_site, 1, __ATOMIC_RELAXED);
}

/* Ask the loader for modules it added, nested traps kept in their place. */
static int process_refresh(void)
{
	struct thread_state *ts = thread_peek();
	stack_t old;
	bool moved = thread_nest_begin(ts, &old);
	int added;

	added = modmap_refresh(&process.modules, process.exe, selfmaps_path_at);
	if (moved)
		thread_nest_end(&old);

	return added;
}

const struct module *process_module_at(uintptr_t pc)
{
	const struct module *m = modmap_lookup(&process.modules, pc);
	uintptr_t gate = gate_base();

	if (m)
		return m;
	/*
	 * The gate's code is in no module, and is on the stack of every
	 * handler that interrupted a passed-through call: asking the loader
	 * each time would take its lock from every such thread at once.
	 */
	if (gate && pc >= gate && pc < gate + GATE_CODE_SIZE)
		return NULL;
	/* Limitation: code mapped by hand or JIT-compiled has no module. */
	if (process_refresh() == 0)
		return NULL;

	return modmap_lookup(&process.modules, pc);
}

void process_modules_settle(void)
{
	struct thread_state *ts;
	stack_t old;
	bool moved;

	/* One load when nothing is noted: the loader is asked only then. */
	if (!__atomic_load_n(&process.modules.pending, __ATOMIC_ACQUIRE))
		return;
	ts = thread_peek();
	moved = thread_nest_begin(ts, &old);
	modmap_settle(&process.modules, process.exe, selfmaps_path_at);
	if (moved)
		thread_nest_end(&old);
}
