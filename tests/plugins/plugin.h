/*
 * plugin.h - the entry point every test plugin exports.
 *
 * plugin-host calls plugin_run() after dlopen, once unless told otherwise;
 * a non-zero return fails the host. Each plugin makes syscalls that
 * neither the loader nor libc makes on their own, so that syswho must
 * name the plugin as owner.
 */
#ifndef SYSWHO_TEST_PLUGIN_H
#define SYSWHO_TEST_PLUGIN_H

__attribute__((visibility("default"))) int plugin_run(void);

#endif
