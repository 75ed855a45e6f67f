#!/bin/bash
# visible.sh MODE - what a program sees of its own process is what it sees
# without syswho: its first descriptor (syswho keeps its own at 800 and
# above), its argv after an exec with none, its environment (syswho's
# variables are taken out again, in dynamic and static programs, at the
# root, after env -i and under bash).
#
# MODE: fd | argv | env | errno | static-env
. "$(dirname "$0")/lib.sh"

mode=${1:?usage: visible.sh MODE}
sw_need_syswho

# both WHAT CMD...: CMD's output and status under syswho are the native ones.
both() {
	local what=$1 native_rc

	shift
	sw_native native "$@"
	native_rc=$SW_RC
	sw_traced traced "$@"
	sw_assert_eq "$SW_RC" "$native_rc" "$what: exit status under syswho"
	sw_assert_file_eq "$SW_TMP/traced.out" "$SW_TMP/native.out" \
		"$what under syswho"
}

vis=$(realpath -e "$(sw_prog visible)")
spin=$(realpath -e "$(sw_prog static-spin)")
case $mode in
fd)
	both "first descriptor" "$vis" fd
	both "first descriptor after an exec" sh -c "exec $vis fd"
	;;
argv)
	both "argv after execve with none" "$vis" argv
	grep -qx 'after exec with no argv: argc 1, argv\[0\] ""' \
		"$SW_TMP/traced.out" || sw_fail "argv: $(cat "$SW_TMP/traced.out")"
	;;
env)
	both "environment of the root" "$vis" env
	both "environment after env -i" env -i VISIBLE=1 "$vis" env
	sw_assert_eq "$(cat "$SW_TMP/traced.out")" VISIBLE=1 "env -i environment"
	both "environment of env -i env" env -i env
	# bash has its own unsetenv, which leaves environ as it was.
	both "environment under bash" bash -c "$vis env"
	both "environment under sh and bash" sh -c "bash -c '$vis env'"
	;;
errno)
	both "errnos of malformed signal calls" "$vis" errno
	;;
static-env)
	both "environment of a static root" "$spin" env
	both "environment of a static program after env -i" \
		env -i VISIBLE=1 "$spin" env
	sw_assert_eq "$(cat "$SW_TMP/traced.out")" VISIBLE=1 "env -i environment"
	;;
*)
	sw_fail "unknown mode $mode"
	;;
esac
echo "pass: visible $mode"
