/*
 * onstack-nest - syscalls made from threads whose SIGSYS action has
 * SA_ONSTACK (as a Go runtime's has), while syswho's own work traps
 * again: code mapped by hand belongs to no module, so each call from it
 * makes syswho ask the dynamic loader, whose lock other threads hold
 * (dl_iterate_phdr) and wait on with a futex, which traps. Those nested
 * frames must not land over the frames on the alternate stack.
 */
#define _GNU_SOURCE
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "testutil.h"

#define NEST_CALLERS 2
#define NEST_HOLDERS 2
#define NEST_CALLS   10000

static volatile int nest_stop;
static long (*nest_code)(void);

/* Keep the loader's lock busy a while on each object. */
static int nest_slow(struct dl_phdr_info *info, size_t size, void *data)
{
	for (volatile int k = 0; k < 2000; k++)
		;

	return 0;
}

static void *nest_holder(void *arg)
{
	while (!nest_stop)
		dl_iterate_phdr(nest_slow, NULL);

	return arg;
}

static void *nest_caller(void *arg)
{
	stack_t ss = {.ss_size = 64 * 1024};
	long ppid = getppid(), i;

	ss.ss_sp = malloc(ss.ss_size);
	CHECK(ss.ss_sp != NULL, "no memory for an alternate stack");
	CHECK_OK(sigaltstack(&ss, NULL));
	for (i = 0; i < NEST_CALLS; i++)
		CHECK(nest_code() == ppid, "getppid from mapped code: %ld",
		      nest_code());

	return arg;
}

static void nest_on_sigsys(int sig, siginfo_t *info, void *uc)
{
}

int main(void)
{
	/* mov $SYS_getppid, %eax; syscall; ret */
	static const unsigned char code[] = {0xb8, SYS_getppid, 0,    0,
					     0,	   0x0f,	0x05, 0xc3};
	struct sigaction sa = {.sa_sigaction = nest_on_sigsys,
			       .sa_flags = SA_SIGINFO | SA_ONSTACK};
	pthread_t holders[NEST_HOLDERS], callers[NEST_CALLERS];
	void *page;
	int i;

	CHECK_OK(sigaction(SIGSYS, &sa, NULL));
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED, "mmap: %m");
	memcpy(page, code, sizeof(code));
	CHECK_OK(mprotect(page, 4096, PROT_READ | PROT_EXEC));
	nest_code = (long (*)(void))page;

	for (i = 0; i < NEST_HOLDERS; i++)
		CHECK(pthread_create(&holders[i], NULL, nest_holder, NULL) == 0,
		      "pthread_create");
	for (i = 0; i < NEST_CALLERS; i++)
		CHECK(pthread_create(&callers[i], NULL, nest_caller, NULL) == 0,
		      "pthread_create");
	for (i = 0; i < NEST_CALLERS; i++)
		pthread_join(callers[i], NULL);
	nest_stop = 1;
	for (i = 0; i < NEST_HOLDERS; i++)
		pthread_join(holders[i], NULL);
	printf("%d calls from mapped code on alternate stacks\n",
	       NEST_CALLERS * NEST_CALLS);

	return 0;
}
