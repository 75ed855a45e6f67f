/*
 * policy_json.c - syswho's own policy format: every allowed syscall with
 * its owners, an example stack, its argument sets and its risk notes.
 */
#include <errno.h>
#include <inttypes.h>

#include "json.h"
#include "policy.h"
#include "risk.h"

static void policy_json_module(const struct model *m, size_t mod, FILE *f)
{
	if (mod == MODEL_NO_MODULE) {
		fputs("\"path\":null,\"build_id\":null", f);
		return;
	}
	fputs("\"path\":", f);
	json_put_string(f, m->modules[mod].path);
	fputs(",\"build_id\":", f);
	json_put_string(f, m->modules[mod].build_id);
}

static void policy_json_stack(const struct model *m, size_t site, FILE *f)
{
	const struct model_site *s = &m->sites[site];
	size_t i;

	fputc('[', f);
	for (i = 0; i < s->n_frames; i++) {
		fprintf(f, "%s{", i ? "," : "");
		policy_json_module(m, s->frames[i].module, f);
		fprintf(f, ",\"offset\":%" PRIu64 "}", s->frames[i].offset);
	}
	fputc(']', f);
}

static void policy_json_owners(const struct policy *p,
			       const struct policy_call *c, FILE *f)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < c->n_owners; i++) {
		fprintf(f, "%s{", i ? "," : "");
		policy_json_module(p->model, c->owners[i].module, f);
		fprintf(
		    f, ",\"count\":%" PRIu64 ",\"stack\":", c->owners[i].count);
		policy_json_stack(p->model, c->owners[i].example, f);
		fputc('}', f);
	}
	fputc(']', f);
}

static void policy_json_args(const struct policy_call *c, FILE *f)
{
	size_t i, j;

	fputc('[', f);
	for (i = 0; i < c->n_args; i++) {
		const struct policy_argset *a = &c->args[i];

		/* Masks pass 2^53, where JSON readers lose integers. */
		fprintf(f,
			"%s{\"index\":%" PRIu32 ",\"mask\":\"0x%" PRIx64
			"\",\"filtered\":%s,\"values\":[",
			i ? "," : "", a->index, a->mask,
			a->open ? "false" : "true");
		for (j = 0; j < a->n_values; j++)
			fprintf(f, "%s%" PRIu64, j ? "," : "", a->values[j]);
		fputs("]}", f);
	}
	fputc(']', f);
}

static void policy_json_risk(const struct policy_call *c, FILE *f)
{
	struct risk_note notes[RISK_MAX_NOTES];
	size_t n = risk_notes(c->name, c->n_args ? &c->args[0] : NULL, notes),
	       i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s{\"kind\":\"%s\",\"note\":", i ? "," : "",
			risk_kind_name(notes[i].kind));
		json_put_string(f, notes[i].text);
		fputc('}', f);
	}
	fputc(']', f);
}

static void policy_json_call(const struct policy *p,
			     const struct policy_call *c, FILE *f)
{
	const char *e = policy_errno_name(c->errno_ret);

	fputs("{\"name\":", f);
	json_put_string(f, c->name);
	fprintf(f, ",\"nr\":%d,\"action\":\"%s\",\"errno\":", c->nr,
		c->errno_ret ? "errno" : "allow");
	if (c->errno_ret && e)
		fprintf(f, "\"%s\"", e);
	else if (c->errno_ret)
		fprintf(f, "%d", c->errno_ret);
	else
		fputs("null", f);
	fprintf(f, ",\"count\":%" PRIu64 ",\"allowance\":", c->count);
	if (c->allowance)
		json_put_string(f, c->allowance);
	else
		fputs("null", f);
	fputs(",\"owners\":", f);
	policy_json_owners(p, c, f);
	fputs(",\"args\":", f);
	policy_json_args(c, f);
	fputs(",\"risk\":", f);
	policy_json_risk(c, f);
	fputc('}', f);
}

static void policy_json_opt(FILE *f, const char *key, const char *v)
{
	fprintf(f, "\"%s\":", key);
	if (v)
		json_put_string(f, v);
	else
		fputs("null", f);
}

int policy_emit_json(const struct policy *p, FILE *f, struct error **err)
{
	const char *e = policy_errno_name(p->sel.deny_errno);
	size_t i;

	fputs("{\"format\":\"syswho-policy\",\"version\":1,\"selection\":{", f);
	policy_json_opt(f, "exe", p->sel.exe);
	fputc(',', f);
	policy_json_opt(f, "library", p->sel.library);
	fprintf(f,
		",\"args\":%s},\"default\":{\"action\":\"errno\","
		"\"errno\":",
		p->sel.no_args ? "false" : "true");
	if (e)
		fprintf(f, "\"%s\"", e);
	else
		fprintf(f, "%d", p->sel.deny_errno);
	fputs("},\"architectures\":[\"x86_64\"],\"syscalls\":[", f);
	for (i = 0; i < p->n_calls; i++) {
		if (i)
			fputc(',', f);
		policy_json_call(p, &p->calls[i], f);
	}
	fputs("]}\n", f);
	if (ferror(f))
		return error_set(err, errno ? errno : EIO, "write the policy");

	return 0;
}
