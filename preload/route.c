/*
 * Routing of trapped calls.
 */
#include "route.h"

#include "clone.h"
#include "exec.h"
#include "modmap.h"
#include "passthrough.h"
#include "process.h"
#include "record.h"
#include "sigcore.h"
#include "signals.h"
#include "transport.h"

#include <errno.h>
#include <linux/audit.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

/* clone, remembering who creates a thread and whether it shares TLS. */
static void route_clone(struct thread_state *ts, ucontext_t *uc,
			const struct trap_call *call)
{
	unsigned long flags = (unsigned long)call->args[0];
	uintptr_t stack = (uintptr_t)call->args[1];

	if (ts && stack && (flags & CLONE_VM))
		thread_note_birth(ts, stack);
	if (ts && stack && (flags & CLONE_VM) && !(flags & CLONE_SETTLS))
		ts->shares_tls = true;
	clone_pass(uc, call);
}

struct route_exec_args {
	const struct thread_state *ts;
	ucontext_t *uc;
	const struct trap_call *call;
	bool routed;
};

static void route_exec_thunk(void *arg)
{
	struct route_exec_args *a = arg;

	a->routed = exec_route(a->ts, a->uc, a->call);
}

/* exec_route needs pages of buffers: give it the private stack. */
static bool route_exec(struct thread_state *ts, ucontext_t *uc,
		       const struct trap_call *call)
{
	struct route_exec_args a = {.ts = ts, .uc = uc, .call = call};

	syswho_call_on_stack(&a, route_exec_thunk,
			     ts->stack + sizeof(ts->stack));
	return a.routed;
}

/* close_range over syswho's socket closes around it. */
static long route_close_range(const struct trap_call *call, int fd)
{
	unsigned long first = (unsigned long)call->args[0];
	unsigned long last = (unsigned long)call->args[1];
	long ret = 0;

	if (first < (unsigned long)fd)
		ret = gate_call3(SYS_close_range, first, fd - 1, call->args[2]);
	if (ret == 0 && last > (unsigned long)fd)
		ret = gate_call3(SYS_close_range, fd + 1, last, call->args[2]);

	return ret;
}

/*
 * A file mapped executable is how the loader maps a module's code, maybe
 * where another module was.
 * Limitation: code made executable by mprotect where a module was
 * unloaded is not told from it when their stacks match.
 */
static void route_mmap(const struct trap_call *call)
{
	unsigned long prot = (unsigned long)call->args[2];
	unsigned long flags = (unsigned long)call->args[3];

	if (!(prot & PROT_EXEC) || (flags & MAP_ANONYMOUS))
		return;
	modmap_note_exec_map(&process.modules, (uintptr_t)call->args[0],
			     (size_t)call->args[1],
			     (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0);
}

static bool route_owns_fd(long fd)
{
	return transport_fd() >= 0 && fd == transport_fd();
}

static enum route_after route_x86_64(struct thread_state *ts, ucontext_t *uc,
				     const struct trap_call *call, bool nested)
{
	switch (call->nr) {
	case SYS_rt_sigprocmask:
		decode_set_return(uc,
				  signals_sigprocmask(ts, uc, call, nested));
		return ROUTE_DONE;
	case SYS_rt_sigaction:
		decode_set_return(uc, signals_sigaction(call));
		return ROUTE_DONE;
	case SYS_sigaltstack:
		sigcore_pass_on_own_stack(uc, call);
		return ROUTE_DONE;
	case SYS_clone3:
		/*
		 * glibc falls back to clone, whose stack argument we can move.
		 * Limitation: a program that calls clone3 with no fallback
		 * fails.
		 */
		decode_set_return(uc, -ENOSYS);
		return ROUTE_DONE;
	case SYS_clone:
		route_clone(nested ? NULL : ts, uc, call);
		return ROUTE_DONE;
	case SYS_fork:
		pass_via(uc, GATE_FORK);
		return ROUTE_DONE;
	case SYS_vfork:
		clone_pass_vfork(uc);
		return ROUTE_DONE;
	case SYS_close:
		if (route_owns_fd(call->args[0])) {
			decode_set_return(uc, -EBADF);
			return ROUTE_DONE;
		}
		break;
	case SYS_close_range:
		if (transport_fd() >= 0 &&
		    (unsigned long)call->args[0] <=
			(unsigned long)transport_fd() &&
		    (unsigned long)call->args[1] >=
			(unsigned long)transport_fd()) {
			decode_set_return(
			    uc, route_close_range(call, transport_fd()));
			return ROUTE_DONE;
		}
		break;
	case SYS_dup2:
	case SYS_dup3:
		if (route_owns_fd(call->args[1]))
			transport_move();
		break;
	case SYS_munmap:
		modmap_unmap(&process.modules, (uintptr_t)call->args[0],
			     (size_t)call->args[1]);
		break;
	case SYS_mmap:
		route_mmap(call);
		break;
	case SYS_exit_group:
		if (!nested)
			record_exit((int)call->args[0] & 0xff, false);
		break;
	case SYS_execve:
	case SYS_execveat:
		if (!nested && ts && route_exec(ts, uc, call))
			return ROUTE_DONE;
		/*
		 * Limitation: an image the loader cannot start (32-bit, not
		 * readable) dies of SIGSYS at its first syscall.
		 */
		if (!nested)
			record_exit(0, true);
		break;
	case SYS_exit:
		pass_via(uc, GATE_PASS);
		if (ts && !nested) {
			record_flush(ts, 100);
			return ROUTE_THREAD_EXIT;
		}
		return ROUTE_DONE;
	default:
		break;
	}

	pass_via(uc, GATE_PASS);
	return ROUTE_DONE;
}

enum route_after route_call(struct thread_state *ts, ucontext_t *uc,
			    const struct trap_call *call, bool nested)
{
	if (call->arch == AUDIT_ARCH_I386) {
		/* Limitation: masks set through int 0x80 are not filtered. */
		pass_via(uc, GATE_PASS_INT80);
		return ROUTE_DONE;
	}

	/* Another trap of this thread: its temporary-mask call is over. */
	if (ts && !nested)
		ts->temp_frame = 0;
	if (signals_route_temp_mask(nested ? NULL : ts, uc, call))
		return ROUTE_DONE;

	return route_x86_64(ts, uc, call, nested);
}

bool route_may_block(int nr)
{
	switch (nr) {
	case SYS_futex:
	case SYS_nanosleep:
	case SYS_clock_nanosleep:
	case SYS_poll:
	case SYS_ppoll:
	case SYS_select:
	case SYS_pselect6:
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
	case SYS_wait4:
	case SYS_waitid:
	case SYS_pause:
	case SYS_rt_sigsuspend:
	case SYS_rt_sigtimedwait:
	case SYS_accept:
	case SYS_accept4:
	case SYS_read:
	case SYS_recvfrom:
	case SYS_recvmsg:
	case SYS_msgrcv:
	case SYS_semop:
		return true;
	default:
		return false;
	}
}
