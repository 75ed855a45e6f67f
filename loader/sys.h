/*
 * The loader's whole runtime: it has no libc, since every syscall must
 * go through the gate and nothing may touch TLS before the program sets
 * it up.
 */
#ifndef SYSWHO_LOADER_SYS_H
#define SYSWHO_LOADER_SYS_H

#include <stddef.h>
#include <stdint.h>

#include "gate.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
char *strcpy(char *dst, const char *src);
char *strstr(const char *hay, const char *needle);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* Copy SRC into DST of SIZE bytes, always terminated. Returns its length. */
size_t sys_strlcpy(char *dst, const char *src, size_t size);

/* V in decimal at BUF (24 bytes are enough). Returns its length. */
size_t sys_utoa(char *buf, unsigned long v);

/* One line on stderr, then exit with CODE (the program never started). */
void sys_die(int code, const char *what, const char *detail, long err)
    __attribute__((noreturn));

/* Read exactly LEN bytes at OFFSET of FD. 0 or a negative errno. */
long sys_pread_all(int fd, void *buf, size_t len, uint64_t offset);

#endif
