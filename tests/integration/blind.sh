#!/bin/bash
# blind.sh - what seccomp never sees stays unseen, and costs the program
# nothing: clock_gettime through the vDSO and the operations of an
# io_uring make no syscall, so the profile holds only the one direct
# clock_gettime, and the ring's io_uring_setup and io_uring_enter but no
# openat or read of the program's own.
. "$(dirname "$0")/lib.sh"

prog=$(realpath -e "$(sw_prog blind)")

sw_native native "$prog"
sw_expect_rc native 0
sw_need_syswho
sw_traced traced "$prog"
sw_expect_rc traced 0
sw_assert_file_eq "$SW_TMP/traced.out" "$SW_TMP/native.out" \
	"blind's output under syswho"

# count CALL: how often the program itself made CALL.
count() {
	sw_sql traced "SELECT COALESCE(SUM(s.count), 0) FROM site s
		JOIN module m ON m.id = s.owner
		WHERE m.path = '$prog' AND s.name = '$1'"
}

sw_assert_eq "$(count clock_gettime)" 1 \
	"clock_gettime calls (100 through the vDSO, 1 through syscall)"
if grep -q '^io_uring: unavailable' "$SW_TMP/native.out"; then
	sw_note "io_uring is refused by this kernel: its part is not checked"
else
	sw_assert_eq "$(count io_uring_setup)" 1 "io_uring_setup calls"
	sw_assert_eq "$(count io_uring_enter)" 2 "io_uring_enter calls"
	sw_assert_eq "$(count openat)" 0 "openat calls of the ring's open"
	sw_assert_eq "$(count read)" 0 "read calls of the ring's read"
fi
echo "pass: the vDSO's and io_uring's work is unseen, as documented"
