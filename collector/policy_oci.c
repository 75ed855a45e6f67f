/*
 * policy_oci.c - the OCI runtime-spec seccomp object (linux.seccomp of a
 * config.json), as runc and crun load it.
 */
#include <errno.h>
#include <inttypes.h>

#include "json.h"
#include "policy.h"

/* One comparison: EQ on the whole register, else MASKED_EQ on MASK. */
static void policy_oci_cmp(const struct policy_argset *a, uint64_t value,
			   FILE *f)
{
	if (policy_mask_full(a->mask))
		fprintf(f,
			"{\"index\":%" PRIu32 ",\"value\":%" PRIu64
			",\"valueTwo\":0,\"op\":\"SCMP_CMP_EQ\"}",
			a->index, value);
	else
		fprintf(f,
			"{\"index\":%" PRIu32 ",\"value\":%" PRIu64
			",\"valueTwo\":%" PRIu64
			",\"op\":\"SCMP_CMP_MASKED_EQ\"}",
			a->index, a->mask, value);
}

/*
 * One rule per combination of values: the comparisons of one rule must
 * all hold, so a rule per value of each argument is the closed set.
 */
static void policy_oci_filtered(const struct policy_call *c, FILE *f,
				bool *first)
{
	size_t n1 = c->args[0].n_values, i, j;
	size_t n2 = c->n_args > 1 ? c->args[1].n_values : 1;

	for (i = 0; i < n1; i++) {
		for (j = 0; j < n2; j++) {
			fprintf(f,
				"%s\n    {\"names\":[\"%s\"],"
				"\"action\":\"SCMP_ACT_ALLOW\",\"args\":[",
				*first ? "" : ",", c->name);
			policy_oci_cmp(&c->args[0], c->args[0].values[i], f);
			if (c->n_args > 1) {
				fputc(',', f);
				policy_oci_cmp(&c->args[1],
					       c->args[1].values[j], f);
			}
			fputs("]}", f);
			*first = false;
		}
	}
}

static void policy_oci_plain(const struct policy *p, FILE *f, bool *first)
{
	bool any = false;
	size_t i;

	for (i = 0; i < p->n_calls; i++) {
		const struct policy_call *c = &p->calls[i];

		if (c->errno_ret || policy_call_filtered(c))
			continue;
		fprintf(f, "%s\"%s\"", any ? "," : "\n    {\"names\":[",
			c->name);
		any = true;
	}
	if (any) {
		fputs("],\"action\":\"SCMP_ACT_ALLOW\"}", f);
		*first = false;
	}
}

int policy_emit_oci(const struct policy *p, FILE *f, struct error **err)
{
	bool first = true;
	size_t i;

	fprintf(f,
		"{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":%d,"
		"\n  \"architectures\":[\"SCMP_ARCH_X86_64\"],"
		"\n  \"syscalls\":[",
		p->sel.deny_errno);
	policy_oci_plain(p, f, &first);
	for (i = 0; i < p->n_calls; i++) {
		const struct policy_call *c = &p->calls[i];

		if (c->errno_ret && c->errno_ret != p->sel.deny_errno) {
			fprintf(f,
				"%s\n    {\"names\":[\"%s\"],"
				"\"action\":\"SCMP_ACT_ERRNO\","
				"\"errnoRet\":%d}",
				first ? "" : ",", c->name, c->errno_ret);
			first = false;
		} else if (!c->errno_ret && policy_call_filtered(c)) {
			policy_oci_filtered(c, f, &first);
		}
	}
	fputs("\n  ]\n}\n", f);
	if (ferror(f))
		return error_set(err, errno ? errno : EIO, "write the policy");

	return 0;
}
