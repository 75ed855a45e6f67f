/*
 * The owner rule.
 */
#include "owner.h"

int owner_pick(const struct module *const *mods, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!mods[i] || !mods[i]->runtime)
			return i;

	return 0;
}
