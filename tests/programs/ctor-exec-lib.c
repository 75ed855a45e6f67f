/*
 * ctor-exec-lib - a library whose constructor starts a program, as some
 * do to probe the system: it runs before libsyswho.so's own constructor,
 * while only the exec loader's handler is there, so its fork, exec and
 * system() must be traced as any other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

__attribute__((constructor)) static void ctor_exec(void)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/bin/echo", "echo", "exec from a constructor",
		      (char *)0);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0) {
		fprintf(stderr, "ctor-exec: the child failed: status %#x\n",
			status);
		exit(1);
	}
	if (system("echo system from a constructor") != 0) {
		fprintf(stderr, "ctor-exec: system() failed\n");
		exit(1);
	}
}

void ctor_exec_linked(void);

/* What the program calls, so that it links with this library. */
void ctor_exec_linked(void)
{
}
