#!/bin/bash
# traced.sh [--only-owner CALL]... [--owned-by CALL]... [--procs N|any]
#           [--child EXE:CODE] [--other-thread CALL]... PROG ARG...
#
# Run a test program natively, then under "syswho run". Both must pass
# (exit 0) with the same stdout; the profile's root process (the one whose
# parent is not in the profile) must be the program and have exited 0; the
# program must own CALL alone (--only-owner) or among others (--owned-by);
# the profile holds N processes (--procs, default 1), among them a child
# of the root running EXE (a file name) that exited CODE, traced from its
# first instruction and owning its exit (--child); CALL
# was made by a thread other than the main one (--other-thread).
. "$(dirname "$0")/lib.sh"

only=() among=() threads=() procs=1 child=
while [[ $# -gt 0 && $1 == --* ]]; do
	case $1 in
	--only-owner) only+=("$2"); shift 2 ;;
	--owned-by) among+=("$2"); shift 2 ;;
	--procs) procs=$2; shift 2 ;;
	--child) child=$2; shift 2 ;;
	--other-thread) threads+=("$2"); shift 2 ;;
	*) sw_fail "traced.sh: unknown option $1" ;;
	esac
done
prog=$(realpath -e "$(sw_prog "$1")")
shift

sw_native native "$prog" "$@"
sw_expect_rc native 0

sw_need_syswho
sw_traced traced "$prog" "$@"
sw_expect_rc traced 0
sw_assert_file_eq "$SW_TMP/traced.out" "$SW_TMP/native.out" \
	"stdout under syswho"
[[ -f "$SW_TMP/traced.db" ]] || sw_fail "syswho run wrote no profile"

sw_report traced
if [[ $procs != any ]]; then
	sw_assert_eq "$(sw_jq traced '.processes | length')" "$procs" \
		"processes in the profile"
fi
roots=$(sw_jq traced '.processes as $all | [$all[].pid] as $pids
	| $all[] | select(.ppid as $pp | $pids | index($pp) | not) | .pid')
sw_assert_eq "$(wc -w <<<"$roots")" 1 "root processes ($(sw_words "$roots"))"
root_q=".processes[] | select(.pid == $roots)"
sw_assert_eq "$(sw_jq traced "$root_q | .exe")" "$prog" "exe of the root"
sw_assert_eq "$(sw_jq traced "$root_q | .exit_code")" 0 "exit_code of the root"

if [[ -n $child ]]; then
	sw_assert_eq "$(sw_jq traced --arg exe "${child%%:*}" --argjson pp "$roots" \
		'[.processes[] | select(.ppid == $pp)
		  | select(.exe | split("/") | last == $exe) | .exit_code]
		 | map(tostring) | join(",")')" "${child##*:}" \
		"exit_code of the ${child%%:*} child"
	# The child's image was traced from its first instruction (its
	# dynamic loader's own calls are there), and its exit is its own.
	for q in "m.path LIKE '%/ld-linux-x86-64.so.2' AND s.name = 'arch_prctl'" \
		"m.path = p.exe AND s.name = 'exit_group'"; do
		sw_assert_eq "$(sw_sql traced "SELECT COUNT(*) > 0 FROM site s
			JOIN process p ON p.id = s.process
			JOIN module m ON m.id = s.owner
			WHERE p.exe LIKE '%/${child%%:*}' AND $q")" 1 \
			"the ${child%%:*} child: a site where $q"
	done
fi

for call in "${only[@]}"; do
	sw_assert_owners traced "$call" "$prog"
done
for call in "${among[@]}"; do
	sw_assert_owned_by traced "$call" "$prog"
done
for call in "${threads[@]}"; do
	sw_assert_other_thread traced "$call"
done
echo "pass: $(basename "$prog") $* under syswho"
