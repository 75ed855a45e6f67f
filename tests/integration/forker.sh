#!/bin/bash
# forker.sh - a forked child is a process of its own in the profile, with
# the right parent, its own exit code and its own getsid.
. "$(dirname "$0")/lib.sh"

prog=$(realpath -e "$(sw_prog forker)")

sw_native native "$prog" fork
sw_expect_rc native 0

sw_need_syswho
sw_traced traced "$prog" fork
sw_expect_rc traced 0
sw_assert_file_eq "$SW_TMP/traced.out" "$SW_TMP/native.out" \
	"forker stdout under syswho"
sw_report traced

sw_assert_eq "$(sw_jq traced '.processes | length')" 2 "processes"
parent=$(sw_jq traced '.processes as $all | $all[]
	| select(.pid as $me | any($all[]; .ppid == $me)) | .pid')
[[ -n "$parent" ]] || sw_fail "no process is the parent of another"
child=$(sw_jq traced --argjson pp "$parent" \
	'.processes[] | select(.ppid == $pp) | .pid')
sw_assert_eq "$(wc -w <<<"$child")" 1 "children of $parent"

sw_assert_eq "$(sw_jq traced --argjson p "$parent" \
	'.processes[] | select(.pid == $p) | .exit_code')" 0 "parent exit_code"
sw_assert_eq "$(sw_jq traced --argjson p "$child" \
	'.processes[] | select(.pid == $p) | .exit_code')" 7 "child exit_code"
for pid in "$parent" "$child"; do
	sw_assert_eq "$(sw_jq traced --argjson p "$pid" \
		'.processes[] | select(.pid == $p) | .exe')" "$prog" "exe of $pid"
done

sw_assert_owners traced getsid "$prog"
sw_which traced getsid
sw_assert_eq "$(jq -r '[.owners[].pids[]] | unique | join(",")' \
	"$SW_TMP/traced.which")" "$child" "pids that called getsid"
sw_assert_eq "$(sw_jq traced --arg exe "$prog" \
	'[.libraries[] | select(.path == $exe) | .syscalls[] | select(.name == "wait4") | .pids[]] | unique | join(",")')" \
	"$parent" "pids that called wait4"
echo "pass: the forked child is its own process"
