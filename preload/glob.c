/*
 * Glob matching with the usual backtracking over the last '*': linear in
 * practice, no recursion, no allocation.
 */
#include "glob.h"

#include <stddef.h>

/*
 * Match one bracket expression at *P against C; advance *P past it. A ']'
 * right after the '[' (or '[!') is a member; a class with no closing ']'
 * matches nothing, and the scan never passes the pattern's end.
 */
static bool glob_class(const char **p, char c)
{
	const char *s = *p + 1;
	bool negate = false, hit = false, first = true;

	if (*s == '!' || *s == '^') {
		negate = true;
		s++;
	}
	while (*s && (*s != ']' || first)) {
		char lo = *s, hi = *s;

		if (s[1] == '-' && s[2] && s[2] != ']') {
			hi = s[2];
			s += 2;
		}
		if (c >= lo && c <= hi)
			hit = true;
		s++;
		first = false;
	}
	if (!*s) {
		*p = s;
		return false;
	}

	*p = s + 1;
	return hit != negate;
}

bool glob_match(const char *pattern, const char *text)
{
	const char *p = pattern, *t = text;
	const char *star = NULL, *resume = NULL;

	while (*t) {
		if (*p == '*') {
			star = ++p;
			resume = t;
			continue;
		}
		if (*p == '?' || (*p && *p != '[' && *p == *t)) {
			p++;
			t++;
			continue;
		}
		if (*p == '[') {
			const char *q = p;

			if (glob_class(&q, *t)) {
				p = q;
				t++;
				continue;
			}
		}
		if (!star)
			return false;
		p = star;
		t = ++resume;
	}
	while (*p == '*')
		p++;

	return *p == '\0';
}
