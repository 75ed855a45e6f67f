/*
 * The kernel's name of a mapping, read from /proc/self/maps: the path of
 * the file mapped at an address, absolute whatever name the dynamic loader
 * was given and wherever the process has moved since.
 */
#ifndef SYSWHO_SELFMAPS_H
#define SYSWHO_SELFMAPS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse one line of /proc/self/maps (LINE, LEN bytes, no newline). When
 * its range holds ADDR and it names a file by an absolute path, copy the
 * path into BUF (LEN_BUF bytes, cut to fit) and return 0; else -1.
 */
int selfmaps_match_line(const char *line, size_t len, uintptr_t addr, char *buf,
			size_t len_buf);

/*
 * The path of the file mapped at ADDR, into BUF. Async-signal-safe: reads
 * through the gate, no allocation. Returns 0, or -1 when no file is
 * mapped there or /proc cannot be read.
 */
int selfmaps_path_at(uintptr_t addr, char *buf, size_t len_buf);

#endif
