#!/bin/bash
# reexec.sh MODE [PROGRAM] - a program execs itself through a name that
# means something else once syswho's loader runs (/proc/self/exe,
# /proc/self/fd/N of a close-on-exec descriptor), with execveat arguments
# the kernel checks, or after execs that must fail with the kernel's errno
# and leave it running. The output is the native one and both images are
# in the profile.
#
# MODE: self | fd | execveat | efault | badelf
# PROGRAM: reexec (the default) or reexec-static
. "$(dirname "$0")/lib.sh"

mode=${1:?usage: reexec.sh MODE [PROGRAM]}
prog=$(realpath -e "$(sw_prog "${2:-reexec}")")

sw_native native "$prog" "$mode"
sw_expect_rc native 0
sw_need_syswho
sw_traced traced "$prog" "$mode"
sw_expect_rc traced 0
sw_assert_file_eq "$SW_TMP/traced.out" "$SW_TMP/native.out" \
	"reexec $mode under syswho"
grep -q '^reexec again: pass$' "$SW_TMP/traced.out" ||
	sw_fail "the second image did not run"
sw_report traced

sw_assert_eq "$(sw_jq traced '[.processes[] | .exe] | join(",")')" \
	"$prog,$prog" "images in the profile"
sw_assert_eq "$(sw_jq traced '[.processes[].pid] | unique | length')" 1 \
	"pids of the two images"
sw_assert_eq "$(sw_jq traced '.processes[] | select(.exec_from != null) | .argv[1]')" \
	again "argv[1] of the exec'd image"
sw_assert_eq "$(sw_jq traced '.processes[] | select(.exec_from != null) | .exit_code')" \
	0 "exit code of the exec'd image"
echo "pass: reexec $mode"
