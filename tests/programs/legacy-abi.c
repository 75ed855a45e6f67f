/*
 * legacy-abi - the two old ways into the kernel that bypass the syscall
 * instruction: the vsyscall page (gettimeofday through its fixed
 * address, which the kernel emulates; skipped when the kernel has no
 * such page) and int 0x80 (getpid in the i386 numbering, 20).
 *
 * Under syswho both must be traced and answer as natively; the vsyscall
 * must never be issued again from its page.
 */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "testutil.h"

#define VSYSCALL_GETTIMEOFDAY 0xffffffffff600000UL

static int has_vsyscall_page(void)
{
	char line[256];
	FILE *maps = fopen("/proc/self/maps", "r");
	int found = 0;

	CHECK(maps != NULL, "open /proc/self/maps: %m");
	while (fgets(line, sizeof(line), maps))
		if (strstr(line, "[vsyscall]"))
			found = 1;
	fclose(maps);
	return found;
}

int main(void)
{
	int (*gtod)(struct timeval *, void *) = (void *)VSYSCALL_GETTIMEOFDAY;
	struct timeval tv = {0};
	long pid;

	if (has_vsyscall_page()) {
		CHECK(gtod(&tv, NULL) == 0, "vsyscall gettimeofday failed");
		CHECK(tv.tv_sec > 1000000000, "vsyscall gettimeofday: no time");
	}
	printf("vsyscall: ok\n");

	__asm__ volatile("int $0x80" : "=a"(pid) : "a"(20L) : "memory");
	CHECK(pid == getpid(), "int 0x80 getpid gave %ld", pid);
	printf("int 0x80: ok\n");

	return 0;
}
