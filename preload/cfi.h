/*
 * Reading DWARF call frame information (.eh_frame, found through
 * .eh_frame_hdr) to learn how to step from one frame to its caller, for
 * the few rules x86_64 code uses: a CFA of rsp or rbp plus an offset, the
 * return address just below the CFA, rbp saved at an offset from it.
 * Pure: it reads loaded modules' memory and makes no call at all.
 */
#ifndef SYSWHO_CFI_H
#define SYSWHO_CFI_H

#include <stdbool.h>
#include <stdint.h>

enum cfi_reg { CFI_RSP = 7, CFI_RBP = 6 };

/* How to find the caller of a frame at a given instruction. */
struct cfi_rule {
	uint8_t cfa_reg; /* CFI_RSP or CFI_RBP */
	int32_t cfa_off; /* CFA = cfa_reg + cfa_off */
	bool rbp_saved;	 /* rbp of the caller is at CFA + rbp_off */
	int32_t rbp_off;
	bool ra_undefined; /* the outermost frame: no caller */
};

/*
 * The rule at address TARGET of a module whose .eh_frame_hdr is loaded at
 * HDR. false when no FDE covers TARGET or its CFI uses what this reader
 * does not follow (CFA expressions, other registers).
 */
bool cfi_find(uintptr_t hdr, uintptr_t target, struct cfi_rule *rule);

#endif
