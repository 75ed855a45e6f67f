#!/bin/bash
# sigsys.sh blocked|ignored - a program that inherits SIGSYS blocked (a
# launcher blocked every signal, as supervisors do) or ignored (exec keeps
# SIG_IGN) must see it so from its first instruction, and survive, under
# syswho as natively. syswho keeps the program's SIGSYS state virtual, so
# every way a traced image starts has to take it over: an exec from a
# traced process (the state is only in syswho's view, also when the
# program set it itself), the root of "syswho run" (the state is the
# kernel's, under the loader), and a bare LD_PRELOAD reporting to
# "syswho collect --listen" (the library's start).
. "$(dirname "$0")/lib.sh"

case ${1:?usage: sigsys.sh blocked|ignored} in
blocked) launcher=(block-all launch) prog=block-all mode=inherited ;;
ignored) launcher=(own-sigsys launch-ignored) prog=own-sigsys mode=ignored ;;
*) sw_fail "unknown mode $1" ;;
esac
launch=("$(realpath -e "$(sw_prog "${launcher[0]}")")" "${launcher[1]}")
prog=$(realpath -e "$(sw_prog "$prog")")
lib=$(realpath -e "$(dirname "$TEST_SYSWHO")/../lib/libsyswho.so")
env=$(command -v env)

sw_native native "${launch[@]}" "$prog" "$mode"
sw_expect_rc native 0

sw_need_syswho
# sw_same NAME: the run NAME passed with the native output.
sw_same() {
	sw_expect_rc "$1" 0
	sw_assert_file_eq "$SW_TMP/$1.out" "$SW_TMP/native.out" "stdout of $1"
}

# The launcher is traced and execs the program.
sw_traced exec "${launch[@]}" "$prog" "$mode"
sw_same exec
if [[ $1 == ignored ]]; then
	# The program ignores SIGSYS itself, then execs itself.
	sw_native reexec-native "$prog" ignore-exec
	sw_assert_file_eq "$SW_TMP/reexec-native.out" "$SW_TMP/native.out" \
		"stdout of ignore-exec natively"
	sw_traced reexec "$prog" ignore-exec
	sw_same reexec
fi

# The launcher starts "syswho run", whose root is the program.
sw_native root "${launch[@]}" "$TEST_SYSWHO" run -o "$SW_TMP/root.db" -- \
	"$prog" "$mode"
sw_same root
sw_report root
sw_assert_eq "$(sw_jq root '[.processes[] | .exe] | join(",")')" "$prog" \
	"processes of the syswho run profile"

# The program alone is preloaded (env sets LD_PRELOAD for it only).
sock=$SW_TMP/collector.sock
"$TEST_SYSWHO" collect --listen "$sock" -o "$SW_TMP/bare.db" \
	2>"$SW_TMP/collect.err" &
collector=$!
sw_cleanup() {
	kill -KILL "$collector" 2>/dev/null || true
	[[ -n ${SW_KEEP:-} ]] || rm -rf "$SW_TMP"
}
trap sw_cleanup EXIT
for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.05; done
[[ -S $sock ]] || sw_fail "the collector did not listen on $sock"
SYSWHO_COLLECTOR=$sock sw_native bare "${launch[@]}" "$env" \
	"LD_PRELOAD=$lib" "$prog" "$mode"
kill -INT "$collector"
wait "$collector" ||
	sw_fail "the collector failed: $(cat "$SW_TMP/collect.err")"
sw_same bare
sw_report bare
sw_assert_eq "$(sw_jq bare '[.processes[] | "\(.exe) \(.exit_code)"]
	| join(",")')" "$prog 0" "processes of the collected profile"
echo "pass: SIGSYS $1 is inherited under syswho as natively"
