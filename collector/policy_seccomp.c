/*
 * policy_seccomp.c - the policy compiled by libseccomp: classic BPF for
 * bubblewrap's --seccomp, or libseccomp's PFC text for review.
 */
#include <errno.h>
#include <inttypes.h>
#include <seccomp.h>
#include <string.h>

#include "policy.h"
#include "risk.h"

static struct scmp_arg_cmp policy_seccomp_cmp(const struct policy_argset *a,
					      uint64_t value)
{
	if (policy_mask_full(a->mask))
		return (struct scmp_arg_cmp){a->index, SCMP_CMP_EQ, value, 0};

	return (struct scmp_arg_cmp){a->index, SCMP_CMP_MASKED_EQ, a->mask,
				     value};
}

/* One rule per combination of values, as in the OCI form. */
static int policy_seccomp_filtered(scmp_filter_ctx ctx,
				   const struct policy_call *c)
{
	struct scmp_arg_cmp cmp[POLICY_MAX_ARGSETS];
	size_t n2 = c->n_args > 1 ? c->args[1].n_values : 1, i, j;
	int rc;

	for (i = 0; i < c->args[0].n_values; i++) {
		for (j = 0; j < n2; j++) {
			cmp[0] = policy_seccomp_cmp(&c->args[0],
						    c->args[0].values[i]);
			if (c->n_args > 1)
				cmp[1] = policy_seccomp_cmp(
				    &c->args[1], c->args[1].values[j]);
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, c->nr,
						    (unsigned)c->n_args, cmp);
			if (rc < 0)
				return rc;
		}
	}

	return 0;
}

static int policy_seccomp_rule(scmp_filter_ctx ctx, const struct policy *p,
			       const struct policy_call *c)
{
	if (c->errno_ret == p->sel.deny_errno)
		return 0;
	if (c->errno_ret)
		return seccomp_rule_add_array(
		    ctx, SCMP_ACT_ERRNO((uint32_t)c->errno_ret), c->nr, 0,
		    NULL);
	if (policy_call_filtered(c))
		return policy_seccomp_filtered(ctx, c);

	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, c->nr, 0, NULL);
}

/* Risk notes as comments above libseccomp's own text. */
static void policy_seccomp_notes(const struct policy *p, FILE *f)
{
	fprintf(f,
		"# syswho policy: %zu syscalls allowed or answered, "
		"everything else fails with errno %d\n",
		p->n_calls, p->sel.deny_errno);
	policy_put_comment_notes(p, f);
}

int policy_emit_seccomp(const struct policy *p, bool pfc, FILE *f,
			struct error **err)
{
	scmp_filter_ctx ctx;
	size_t i;
	int rc = 0;

	ctx = seccomp_init(SCMP_ACT_ERRNO((uint32_t)p->sel.deny_errno));
	if (!ctx)
		return error_set(err, ENOMEM, "libseccomp: start a filter");

	for (i = 0; i < p->n_calls && rc == 0; i++) {
		rc = policy_seccomp_rule(ctx, p, &p->calls[i]);
		if (rc < 0)
			error_set(err, -rc, "libseccomp: add the rule for %s",
				  p->calls[i].name);
	}
	if (rc == 0 && pfc)
		policy_seccomp_notes(p, f);
	if (rc == 0 && fflush(f) != 0)
		rc = error_set(err, errno, "write the policy");
	if (rc == 0) {
		rc = pfc ? seccomp_export_pfc(ctx, fileno(f))
			 : seccomp_export_bpf(ctx, fileno(f));
		if (rc < 0)
			error_set(err, -rc, "libseccomp: export the filter");
	}
	seccomp_release(ctx);

	return rc < 0 ? -1 : 0;
}
