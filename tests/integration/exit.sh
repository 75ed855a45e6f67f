#!/bin/bash
# exit.sh - "syswho run" exits with the program's code, or 128 + N when
# the program dies by signal N, and the profile records the same.
. "$(dirname "$0")/lib.sh"

prog=$(realpath -e "$(sw_prog exit-status)")

# check_status NAME WANT_RC WANT_CODE WANT_SIGNAL ARG...
check_status() {
	local name=$1 rc=$2 code=$3 sig=$4

	shift 4
	sw_native "$name.native" "$prog" "$@"
	sw_expect_rc "$name.native" "$rc"
	sw_traced "$name" "$prog" "$@"
	sw_expect_rc "$name" "$rc"
	sw_assert_file_eq "$SW_TMP/$name.out" "$SW_TMP/$name.native.out" \
		"stdout of exit-status $*"
	sw_report "$name"
	sw_assert_eq "$(sw_jq "$name" '.processes | length')" 1 \
		"$name: processes"
	sw_assert_eq "$(sw_jq "$name" '.processes[0].exit_code')" "$code" \
		"$name: exit_code in the profile"
	sw_assert_eq "$(sw_jq "$name" '.processes[0].signal // 0')" "$sig" \
		"$name: signal in the profile"
}

sw_need_syswho
check_status code0 0 0 0 0
check_status code3 3 3 0 3
check_status code255 255 255 0 255
check_status term 143 null 15 -s 15
check_status kill 137 null 9 -s 9
check_status abort 134 null 6 -s 6
# SIGSYS the program sends itself, with the default action: it must die
# of it as it would without syswho, not be swallowed by syswho's handler.
check_status sigsys 159 null 31 -s 31
echo "pass: exit codes and signals pass through syswho run"
