/*
 * policy_systemd.c - SystemCallFilter= lines for systemd units and for
 * systemd-nspawn --system-call-filter, using systemd's groups where the
 * policy holds a whole group.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "policy_systemd.h"
#include "risk.h"
#include "syscalls.h"

/* Every x86_64 number libseccomp names lies below this. */
#define POLICY_SYSTEMD_MAX_NR 1024

/*
 * Which numbers the line allows. clone3 is allowed with clone rather
 * than answered ENOSYS: systemd-nspawn's --system-call-filter takes bare
 * names (clone3:ENOSYS names nothing and is ignored) and denies with
 * EPERM, which glibc's pthread_create does not fall back from. systemd
 * compares no arguments, so clone's flags go unchecked anyway.
 */
/* Limitation: the systemd format allows clone3; nspawn cannot say ENOSYS. */
static void policy_systemd_allowed(const struct policy *p, bool *allowed)
{
	size_t i;

	for (i = 0; i < p->n_calls; i++) {
		const struct policy_call *c = &p->calls[i];

		if (c->nr >= 0 && c->nr < POLICY_SYSTEMD_MAX_NR)
			allowed[c->nr] = true;
	}
}

/*
 * Whether every x86_64 member of group G is allowed; *NEW says whether
 * one of them is not covered yet. Counts its x86_64 members in *N.
 */
static bool policy_systemd_fits(const struct policy_systemd_group *g,
				const bool *allowed, const bool *covered,
				bool *new, size_t *n)
{
	size_t i;
	int nr;

	*new = false;
	*n = 0;
	for (i = 0; g->members[i]; i++) {
		nr = syscalls_number(0, g->members[i]);
		if (nr < 0 || nr >= POLICY_SYSTEMD_MAX_NR)
			continue;
		if (!allowed[nr])
			return false;
		if (!covered[nr])
			*new = true;
		(*n)++;
	}

	return *n > 1;
}

static void policy_systemd_cover(const struct policy_systemd_group *g,
				 bool *covered)
{
	size_t i;
	int nr;

	for (i = 0; g->members[i]; i++) {
		nr = syscalls_number(0, g->members[i]);
		if (nr >= 0 && nr < POLICY_SYSTEMD_MAX_NR)
			covered[nr] = true;
	}
}

/* Groups first, the largest that fits each time, then single names. */
static void policy_systemd_allow_line(const bool *allowed, FILE *f)
{
	bool covered[POLICY_SYSTEMD_MAX_NR] = {0}, new, used[64] = {0};
	size_t i, n, best_n, best;
	char name[64];

	fputs("SystemCallFilter=", f);
	for (;;) {
		best = SIZE_MAX;
		best_n = 0;
		for (i = 0; i < policy_systemd_n_groups && i < 64; i++) {
			if (used[i] ||
			    !policy_systemd_fits(&policy_systemd_groups[i],
						 allowed, covered, &new, &n))
				continue;
			if (new &&n > best_n) {
				best = i;
				best_n = n;
			}
		}
		if (best == SIZE_MAX)
			break;
		used[best] = true;
		policy_systemd_cover(&policy_systemd_groups[best], covered);
		fprintf(f, "%s ", policy_systemd_groups[best].name);
	}
	for (i = 0; i < POLICY_SYSTEMD_MAX_NR; i++) {
		if (allowed[i] && !covered[i] &&
		    syscalls_name(0, (uint32_t)i, name, sizeof(name)) == 0)
			fprintf(f, "%s ", name);
	}
	fputc('\n', f);
}

/*
 * systemd-nspawn adds the allow line to its own list instead of
 * replacing it; denying every other syscall by name takes its list back
 * to the policy. In a unit this line changes nothing.
 */
static void policy_systemd_deny_line(const bool *allowed, FILE *f)
{
	char name[64];
	size_t i;

	fputs("SystemCallFilter=~", f);
	for (i = 0; i < POLICY_SYSTEMD_MAX_NR; i++) {
		if (!allowed[i] &&
		    syscalls_name(0, (uint32_t)i, name, sizeof(name)) == 0)
			fprintf(f, "%s ", name);
	}
	fputc('\n', f);
}

int policy_emit_systemd(const struct policy *p, FILE *f, struct error **err)
{
	bool allowed[POLICY_SYSTEMD_MAX_NR] = {0};
	const char *e = policy_errno_name(p->sel.deny_errno);

	policy_systemd_allowed(p, allowed);
	fprintf(f, "# syswho policy: %zu syscalls; the rest fail with %s.\n",
		p->n_calls, e ? e : "the errno below");
	/* Limitation: systemd filters by name: argument sets are dropped. */
	fputs("# systemd compares names only: argument sets are not "
	      "enforced here.\n",
	      f);
	policy_put_comment_notes(p, f);
	policy_systemd_allow_line(allowed, f);
	policy_systemd_deny_line(allowed, f);
	if (e)
		fprintf(f, "SystemCallErrorNumber=%s\n", e);
	else
		fprintf(f, "SystemCallErrorNumber=%d\n", p->sel.deny_errno);
	fputs("SystemCallArchitectures=native\n", f);
	if (ferror(f))
		return error_set(err, errno ? errno : EIO, "write the policy");

	return 0;
}
