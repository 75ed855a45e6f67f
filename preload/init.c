/*
 * Start-up of libsyswho.so: runs as a constructor of the preloaded library,
 * before main. Everything that may allocate or print happens here, outside
 * signal context; once the filter is in, only the handler runs.
 *
 * Setup that cannot finish ends the program with a one-line message rather
 * than letting it run half-traced: a profile that silently misses calls is
 * worse than none.
 */
#include "counts.h"
#include "exec.h"
#include "filter.h"
#include "gate.h"
#include "handler.h"
#include "process.h"
#include "record.h"
#include "sigentry.h"
#include "signals.h"
#include "transport.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INIT_EXIT_CODE 125

static void __attribute__((noreturn, format(printf, 1, 2)))
init_fail(const char *fmt, ...);

static void init_fail(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		_exit(INIT_EXIT_CODE);
	_exit(INIT_EXIT_CODE);
}

/* The filter, letting through untraced what SYSWHO_BASELINE lists. */
static int init_filter(struct sock_filter *prog)
{
	uint32_t nrs[FILTER_MAX_INSNS / 2];
	int n = filter_parse_baseline(getenv("SYSWHO_BASELINE"), nrs,
				      FILTER_MAX_INSNS / 2);

	if (n < 0)
		init_fail("syswho: SYSWHO_BASELINE: not a list of syscall "
			  "numbers");
	return filter_build_baseline(prog, gate_base(), GATE_CODE_SIZE, nrs, n);
}

static uintptr_t init_gate_addr(void)
{
	const char *s = getenv("SYSWHO_GATE");
	char *end;
	unsigned long v;

	if (!s || !*s)
		return GATE_DEFAULT_ADDR;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v == 0)
		init_fail("syswho: SYSWHO_GATE=%s: not an address", s);

	return (uintptr_t)v;
}

__attribute__((constructor(101))) static void syswho_init(void)
{
	const char *collector = getenv("SYSWHO_COLLECTOR");
	struct sock_filter prog[FILTER_MAX_INSNS];
	uintptr_t gate;
	int ret, len;

	/*
	 * Limitation: calls made before this constructor (the loader's, and
	 * those of libraries initialised earlier) are not seen.
	 */
	/* Preloaded without a collector (say, inherited): stay out of the way.
	 */
	if (!collector || !*collector)
		return;

	handler_floor = getenv("SYSWHO_MODE") &&
			strcmp(getenv("SYSWHO_MODE"), "floor") == 0;
	gate = init_gate_addr();
	/*
	 * Started by syswho's exec loader: its gate and filter are in place,
	 * and from here on what this constructor does is syswho's, not the
	 * program's (the loader's handler notes the program's early calls).
	 */
	ret = gate_adopt_from_auxv(gate);
	if (ret == 0)
		__atomic_store_n(&gate_data()->quiet, 1, __ATOMIC_RELAXED);
	else
		ret = gate_map(gate);
	if (ret == -EEXIST && gate_adopt(gate) == 0)
		ret = 0;
	if (ret < 0)
		init_fail("syswho: cannot map the gate at %#lx: %s "
			  "(choose another address with SYSWHO_GATE)",
			  (unsigned long)gate, strerror(-ret));

	ret = transport_open(collector);
	if (ret < 0)
		init_fail("syswho: cannot reach the collector at %s: %s",
			  collector, strerror(-ret));

	process_init(getenv("SYSWHO_RUNTIME"));
	ret = process_announce();
	if (ret < 0)
		init_fail("syswho: cannot talk to the collector at %s: %s",
			  collector, strerror(-ret));
	/* Limitation: without a memfd, counts of a killed process may lag. */
	counts_init();

	/* Limitation: without the loader next to the library, exec kills. */
	exec_init(collector);

	ret = signals_install(syswho_sigsys_entry);
	if (ret < 0)
		init_fail("syswho: cannot install the SIGSYS handler: %s",
			  strerror(-ret));
	if (gate_data()->loader == GATE_LOADER_MAGIC) {
		record_early();
		exec_hide_env();
		return;
	}

	len = init_filter(prog);
	if (len < 0)
		init_fail("syswho: the gate at %#lx cannot be filtered",
			  (unsigned long)gate);
	ret = filter_install(prog, (unsigned short)len);
	if (ret < 0)
		init_fail("syswho: cannot install the seccomp filter: %s",
			  strerror(-ret));
	exec_hide_env();
}
