/*
 * symbolize.h - name the function at an offset of an ELF file on disk.
 *
 * Offsets are relative to the load bias, which for an ELF object makes
 * them equal to its virtual addresses: the st_value of its symbols. The
 * full symbol table (.symtab) is used when present, else the dynamic one
 * (.dynsym) that stripped distribution libraries keep. The file is mapped
 * read-only and every offset in it is checked, since it may be truncated,
 * replaced or not ELF at all.
 */
#ifndef SYSWHO_SYMBOLIZE_H
#define SYSWHO_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct symbolize_file;

/* Map the ELF file PATH. */
int symbolize_open(const char *path, struct symbolize_file **out,
		   struct error **err);
void symbolize_close(struct symbolize_file *f);

/*
 * Find the function that contains OFFSET: its name in *NAME (valid until
 * the file is closed) and OFFSET minus its start in *DELTA. Returns -1
 * when no symbol covers OFFSET.
 */
int symbolize_lookup(const struct symbolize_file *f, uint64_t offset,
		     const char **name, uint64_t *delta);

/*
 * The GNU build-id of F as lowercase hex in BUF, "" when F has none.
 * Returns -1 when BUF is too small.
 */
int symbolize_file_build_id(const struct symbolize_file *f, char *buf,
			    size_t cap);

/* Same, for the file PATH. */
int symbolize_build_id(const char *path, char *buf, size_t cap,
		       struct error **err);

#endif
