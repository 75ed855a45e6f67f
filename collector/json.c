/*
 * json.c - JSON string escaping, see json.h.
 */
#include <stdint.h>
#include <stdlib.h>

#include "json.h"

/*
 * Length of the valid UTF-8 sequence at S, or 0 when S does not start
 * one. Overlong forms, surrogates and values past U+10FFFF are invalid.
 */
static size_t json_utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;

	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;

	return n;
}

void json_put_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n;

	fputc('"', f);
	while (*p) {
		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
		} else if (*p == '\n') {
			fputs("\\n", f), p++;
		} else if (*p == '\t') {
			fputs("\\t", f), p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
		} else if ((n = json_utf8_len(p)) == 0) {
			/* Limitation: a path that is not UTF-8 loses bytes in
			 * JSON. */
			fputs("\\ufffd", f), p++;
		} else {
			fwrite(p, 1, n, f);
			p += n;
		}
	}
	fputc('"', f);
}

void json_put_strings(FILE *f, const char *const *argv, size_t argc)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < argc; i++) {
		if (i)
			fputc(',', f);
		json_put_string(f, argv[i]);
	}
	fputc(']', f);
}

char *json_strings(const char *const *argv, size_t argc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;

	json_put_strings(f, argv, argc);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}

	return buf;
}
