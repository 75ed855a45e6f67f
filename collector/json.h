/*
 * json.h - just enough JSON output for argv columns and reports.
 */
#ifndef SYSWHO_JSON_H
#define SYSWHO_JSON_H

#include <stddef.h>
#include <stdio.h>

/*
 * Write S as a JSON string with its quotes. Control characters, quotes
 * and backslashes are escaped; bytes that are not UTF-8 become U+FFFD.
 */
void json_put_string(FILE *f, const char *s);

/* Write ARGV as a JSON array of strings. */
void json_put_strings(FILE *f, const char *const *argv, size_t argc);

/* ARGV as a JSON array in a new string, NULL without memory. */
char *json_strings(const char *const *argv, size_t argc);

#endif
