/*
 * The CFI reader: .eh_frame_hdr's binary search table finds the FDE, and
 * its CIE's and FDE's instructions run up to the target address.
 */
#include "cfi.h"

#include <stddef.h>
#include <string.h>

/* Pointer encodings (DW_EH_PE_*). */
#define PE_OMIT	    0xff
#define PE_ABSPTR   0x00
#define PE_ULEB128  0x01
#define PE_UDATA2   0x02
#define PE_UDATA4   0x03
#define PE_UDATA8   0x04
#define PE_SLEB128  0x09
#define PE_SDATA2   0x0a
#define PE_SDATA4   0x0b
#define PE_SDATA8   0x0c
#define PE_PCREL    0x10
#define PE_DATAREL  0x30
#define PE_INDIRECT 0x80

#define CFI_STATE_DEPTH 8
#define CFI_REG_RA	16

struct cfi_reader {
	const uint8_t *p, *end;
	bool bad;
};

static uint64_t cfi_uleb(struct cfi_reader *r)
{
	uint64_t v = 0;
	int shift = 0;

	while (r->p < r->end) {
		uint8_t b = *r->p++;

		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

static int64_t cfi_sleb(struct cfi_reader *r)
{
	int64_t v = 0;
	int shift = 0;
	uint8_t b = 0x80;

	while (r->p < r->end && (b & 0x80)) {
		b = *r->p++;
		if (shift < 64)
			v |= (int64_t)(b & 0x7f) << shift;
		shift += 7;
	}
	if (b & 0x80)
		r->bad = true;
	else if (shift < 64 && (b & 0x40))
		v |= -((int64_t)1 << shift);
	return v;
}

static uint64_t cfi_fixed(struct cfi_reader *r, size_t n)
{
	uint64_t v = 0;

	if ((size_t)(r->end - r->p) < n) {
		r->bad = true;
		return 0;
	}
	memcpy(&v, r->p, n);
	r->p += n;
	return v;
}

/* A pointer in encoding ENC; DATA is the base for datarel. */
static uintptr_t cfi_pointer(struct cfi_reader *r, uint8_t enc, uintptr_t data)
{
	uintptr_t at = (uintptr_t)r->p, v;

	switch (enc & 0x0f) {
	case PE_ABSPTR:
	case PE_UDATA8:
	case PE_SDATA8:
		v = (uintptr_t)cfi_fixed(r, 8);
		break;
	case PE_UDATA4:
		v = (uintptr_t)cfi_fixed(r, 4);
		break;
	case PE_SDATA4:
		v = (uintptr_t)(int64_t)(int32_t)cfi_fixed(r, 4);
		break;
	case PE_UDATA2:
		v = (uintptr_t)cfi_fixed(r, 2);
		break;
	case PE_SDATA2:
		v = (uintptr_t)(int64_t)(int16_t)cfi_fixed(r, 2);
		break;
	case PE_ULEB128:
		v = (uintptr_t)cfi_uleb(r);
		break;
	case PE_SLEB128:
		v = (uintptr_t)cfi_sleb(r);
		break;
	default:
		r->bad = true;
		return 0;
	}
	if ((enc & 0x70) == PE_PCREL)
		v += at;
	else if ((enc & 0x70) == PE_DATAREL)
		v += data;
	else if (enc & 0x70)
		r->bad = true;
	if ((enc & PE_INDIRECT) && !r->bad)
		v = *(const uintptr_t *)v;
	return v;
}

struct cfi_cie {
	uint64_t code_align;
	int64_t data_align;
	uint8_t fde_enc;
	bool has_z;
	const uint8_t *insns, *end;
};

static bool cfi_parse_cie(const uint8_t *cie, struct cfi_cie *c)
{
	uint32_t len = *(const uint32_t *)cie;
	struct cfi_reader r = {.p = cie + 9, .end = cie + 4 + len};
	const char *aug = (const char *)r.p;
	const uint8_t *data_end;
	uint64_t n;

	/* Version 1 or 3 (the byte after the CIE id). */
	if (len == 0 || len == 0xffffffff || (cie[8] != 1 && cie[8] != 3))
		return false;
	r.p += strnlen(aug, (size_t)(r.end - r.p)) + 1;
	c->code_align = cfi_uleb(&r);
	c->data_align = cfi_sleb(&r);
	if (cie[8] == 1)
		r.p++;
	else
		cfi_uleb(&r);
	c->fde_enc = PE_ABSPTR;
	c->has_z = aug[0] == 'z';
	if (c->has_z) {
		n = cfi_uleb(&r);
		data_end = r.p + n;
		for (aug++; *aug && !r.bad; aug++) {
			if (*aug == 'R') {
				c->fde_enc = *r.p++;
			} else if (*aug == 'L') {
				r.p++;
			} else if (*aug == 'P') {
				uint8_t enc = *r.p++;

				cfi_pointer(&r, enc & 0x7f, 0);
			} else if (*aug != 'S') {
				break;
			}
		}
		r.p = data_end;
	}
	c->insns = r.p;
	c->end = r.end;

	return !r.bad && r.p <= r.end;
}

struct cfi_state {
	uint8_t cfa_reg;
	int64_t cfa_off;
	bool rbp_saved, ra_undefined;
	int64_t rbp_off;
};

/* Run instructions [P, END) from LOC while LOC <= TARGET. */
static bool cfi_run(const uint8_t *p, const uint8_t *end,
		    const struct cfi_cie *c, uintptr_t loc, uintptr_t target,
		    struct cfi_state *s, const struct cfi_state *initial)
{
	struct cfi_state stack[CFI_STATE_DEPTH];
	struct cfi_reader r = {.p = p, .end = end};
	int depth = 0;

	while (r.p < r.end && !r.bad) {
		uint8_t op = *r.p++;
		uint64_t reg, delta = 0;
		int64_t off;

		switch (op >> 6) {
		case 1: /* advance_loc */
			delta = (op & 0x3f) * c->code_align;
			goto advance;
		case 2: /* offset */
			off = (int64_t)cfi_uleb(&r) * c->data_align;
			if ((op & 0x3f) == CFI_RBP) {
				s->rbp_saved = true;
				s->rbp_off = off;
			}
			continue;
		case 3: /* restore */
			if ((op & 0x3f) == CFI_RBP) {
				s->rbp_saved = initial->rbp_saved;
				s->rbp_off = initial->rbp_off;
			}
			continue;
		default:
			break;
		}
		switch (op) {
		case 0x00: /* nop */
			continue;
		case 0x02: /* advance_loc1 */
			delta = cfi_fixed(&r, 1) * c->code_align;
			break;
		case 0x03: /* advance_loc2 */
			delta = cfi_fixed(&r, 2) * c->code_align;
			break;
		case 0x04: /* advance_loc4 */
			delta = cfi_fixed(&r, 4) * c->code_align;
			break;
		case 0x05: /* offset_extended */
			reg = cfi_uleb(&r);
			off = (int64_t)cfi_uleb(&r) * c->data_align;
			if (reg == CFI_RBP) {
				s->rbp_saved = true;
				s->rbp_off = off;
			}
			continue;
		case 0x06: /* restore_extended */
		case 0x08: /* same_value */
			if (cfi_uleb(&r) == CFI_RBP)
				s->rbp_saved = false;
			continue;
		case 0x07: /* undefined */
			reg = cfi_uleb(&r);
			if (reg == CFI_REG_RA)
				s->ra_undefined = true;
			continue;
		case 0x09: /* register */
			reg = cfi_uleb(&r);
			cfi_uleb(&r);
			if (reg == CFI_RBP || reg == CFI_REG_RA)
				return false;
			continue;
		case 0x0a: /* remember_state */
			if (depth == CFI_STATE_DEPTH)
				return false;
			stack[depth++] = *s;
			continue;
		case 0x0b: /* restore_state */
			if (depth == 0)
				return false;
			*s = stack[--depth];
			continue;
		case 0x0c: /* def_cfa */
			s->cfa_reg = (uint8_t)cfi_uleb(&r);
			s->cfa_off = (int64_t)cfi_uleb(&r);
			continue;
		case 0x0d: /* def_cfa_register */
			s->cfa_reg = (uint8_t)cfi_uleb(&r);
			continue;
		case 0x0e: /* def_cfa_offset */
			s->cfa_off = (int64_t)cfi_uleb(&r);
			continue;
		case 0x11: /* offset_extended_sf */
			reg = cfi_uleb(&r);
			off = cfi_sleb(&r) * c->data_align;
			if (reg == CFI_RBP) {
				s->rbp_saved = true;
				s->rbp_off = off;
			}
			continue;
		case 0x12: /* def_cfa_sf */
			s->cfa_reg = (uint8_t)cfi_uleb(&r);
			s->cfa_off = cfi_sleb(&r) * c->data_align;
			continue;
		case 0x13: /* def_cfa_offset_sf */
			s->cfa_off = cfi_sleb(&r) * c->data_align;
			continue;
		case 0x10: /* expression: fine unless for rbp or the RA */
			reg = cfi_uleb(&r);
			r.p += cfi_uleb(&r);
			if (reg == CFI_RBP || reg == CFI_REG_RA)
				return false;
			continue;
		case 0x2e: /* GNU_args_size */
			cfi_uleb(&r);
			continue;
		default: /* def_cfa_expression, val_*, and the rest */
			return false;
		}
	advance:
		loc += delta;
		if (loc > target)
			break;
	}

	return !r.bad;
}

/* Binary search of .eh_frame_hdr's table for the FDE covering TARGET. */
static const uint8_t *cfi_lookup(uintptr_t hdr, uintptr_t target)
{
	const uint8_t *h = (const uint8_t *)hdr;
	struct cfi_reader r = {.p = h + 4, .end = h + 4 + 16};
	const int32_t *table;
	uint64_t count, lo = 0, hi;

	/* The usual layout: datarel|sdata4 pairs, which all linkers write. */
	if (h[0] != 1 || h[3] != (PE_DATAREL | PE_SDATA4))
		return NULL;
	cfi_pointer(&r, h[1], hdr);
	count = cfi_pointer(&r, h[2], hdr);
	if (r.bad || count == 0)
		return NULL;
	table = (const int32_t *)r.p;
	hi = count;
	while (lo + 1 < hi) {
		uint64_t mid = (lo + hi) / 2;

		if (hdr + (intptr_t)table[2 * mid] <= target)
			lo = mid;
		else
			hi = mid;
	}
	if (hdr + (intptr_t)table[2 * lo] > target)
		return NULL;
	return (const uint8_t *)(hdr + (intptr_t)table[2 * lo + 1]);
}

bool cfi_find(uintptr_t hdr, uintptr_t target, struct cfi_rule *rule)
{
	const uint8_t *fde = cfi_lookup(hdr, target);
	struct cfi_state s = {0}, initial;
	struct cfi_reader r;
	struct cfi_cie cie;
	uintptr_t begin, range;
	uint32_t len;

	if (!fde)
		return false;
	len = *(const uint32_t *)fde;
	if (len == 0 || len == 0xffffffff)
		return false;
	if (!cfi_parse_cie(fde + 4 - *(const uint32_t *)(fde + 4), &cie))
		return false;
	r.p = fde + 8;
	r.end = fde + 4 + len;
	r.bad = false;
	begin = cfi_pointer(&r, cie.fde_enc, 0);
	range = cfi_pointer(&r, cie.fde_enc & 0x0f, 0);
	if (r.bad || target < begin || target >= begin + range)
		return false;
	if (cie.has_z)
		r.p += cfi_uleb(&r);

	s.cfa_reg = CFI_RSP;
	if (!cfi_run(cie.insns, cie.end, &cie, 0, UINTPTR_MAX, &s, &s))
		return false;
	initial = s;
	if (!cfi_run(r.p, r.end, &cie, begin, target, &s, &initial))
		return false;
	if (s.cfa_reg != CFI_RSP && s.cfa_reg != CFI_RBP)
		return false;

	rule->cfa_reg = s.cfa_reg;
	rule->cfa_off = (int32_t)s.cfa_off;
	rule->rbp_saved = s.rbp_saved;
	rule->rbp_off = (int32_t)s.rbp_off;
	rule->ra_undefined = s.ra_undefined;
	return true;
}
