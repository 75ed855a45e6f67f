/*
 * openclose [N] - N rounds of open, read and close of a small file: the
 * commonest pattern of real programs, three syscalls a round.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	char buf[256];
	long i;

	for (i = 0; i < n; i++) {
		int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);

		if (fd < 0 || read(fd, buf, sizeof(buf)) < 0) {
			perror("openclose");
			return 1;
		}
		close(fd);
	}

	return 0;
}
