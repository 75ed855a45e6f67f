/*
 * plugin_scope.c - a plugin host's view of an interpreted tool: the work
 * done on behalf of "lua-tool" is wrapped in a syswho scope.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/resource.h>

#include <syswho/syswho.h>

#include "plugin.h"

int plugin_run(void)
{
	struct rusage usage;
	int ret;

	/* Only getrusage runs inside the scope: the scope must hold it alone.
	 */
	syswho_scope_enter("lua-tool");
	ret = getrusage(RUSAGE_SELF, &usage);
	syswho_scope_leave();

	if (ret < 0) {
		perror("getrusage");
		return 1;
	}
	printf("getrusage: ok\n");

	return 0;
}
