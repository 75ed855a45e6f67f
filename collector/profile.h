/*
 * profile.h - the SQLite profile file that `syswho run` leaves behind.
 *
 * Tables (one row per element of the model):
 *   meta(key, value)            format='syswho-profile', version='1', ...
 *   process(id, pid, ppid, exe, argv, start_ns, end_ns, exit_code, signal,
 *           lost_records, lost_calls, arch, execed)
 *   module(id, path, build_id, runtime)      unique (path, build_id)
 *   module_path(module, path)   a module's other paths, from merged runs
 *   process_module(process, module, base, size)
 *   site(id, process, nr, name, arch, owner, owner_offset, scope, count, tid)
 *   frame(site, depth, module, offset)
 * Row ids are model indexes + 1. 64-bit offsets are stored as the signed
 * integers SQLite has, bit for bit.
 */
#ifndef SYSWHO_PROFILE_H
#define SYSWHO_PROFILE_H

#include <sqlite3.h>
#include <stdbool.h>

#include "error.h"
#include "model.h"

#define PROFILE_FORMAT	"syswho-profile"
#define PROFILE_VERSION "1"

/*
 * Write M to PATH in one transaction, through a temporary file in the
 * same directory that is renamed over PATH at the end: an existing
 * profile is replaced whole or not at all. COMPLETE says whether every
 * traced process had finished when collection stopped.
 */
int profile_write(const struct model *m, const char *path, bool complete,
		  struct error **err);

/*
 * Open the profile PATH read-only, checking that it is a syswho profile
 * of a version this program reads.
 */
int profile_open(const char *path, sqlite3 **db, struct error **err);

/*
 * Check that the rows of the open profile DB (from PATH) hang together:
 * ids 1..n, and every process, module and site a row names exists. A
 * profile that fails was edited or damaged; nothing read from it is to be
 * trusted. profile_load runs it; readers that query DB directly must.
 */
int profile_verify(sqlite3 *db, const char *path, struct error **err);

/* Read the whole profile PATH into the empty model M. */
int profile_load(const char *path, struct model *m, struct error **err);

#endif
