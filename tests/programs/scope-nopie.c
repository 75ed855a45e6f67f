/*
 * scope-nopie - an executable built without PIE names a scope with
 * syswho.h: its weak references are settled at link time there, so the
 * header looks the calls up at run time instead.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <syswho/syswho.h>

int main(void)
{
	struct rusage ru;

	syswho_scope_enter("nopie-tool");
	if (getrusage(RUSAGE_SELF, &ru) != 0) {
		perror("getrusage");
		return 1;
	}
	syswho_scope_leave();
	printf("scoped\n");

	return 0;
}
