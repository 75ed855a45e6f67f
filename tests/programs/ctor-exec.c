/*
 * ctor-exec - a program linked with a library whose constructor runs
 * programs before main (ctor-exec-lib.c).
 */
#include <stdio.h>

void ctor_exec_linked(void);

int main(void)
{
	ctor_exec_linked();
	printf("main\n");

	return 0;
}
