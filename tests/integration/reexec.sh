#!/bin/bash
# reexec.sh MODE [PROGRAM] - a program execs itself through a name that
# means something else once syswho's loader runs (/proc/self/exe,
# /proc/self/fd/N of a close-on-exec descriptor), with execveat arguments
# the kernel checks, or after execs that must fail with the kernel's errno
# and leave it running. The output is the native one and both images are
# in the profile.
#
# MODE: self | fd | execveat | efault | badelf | script | script-memfd
# PROGRAM: reexec (the default) or reexec-static
# nobody: run both as user nobody, for whom the loader cannot point
# /proc/self/exe at the program (that needs CAP_CHECKPOINT_RESTORE).
. "$(dirname "$0")/lib.sh"

mode=${1:?usage: reexec.sh MODE [PROGRAM [nobody]]}
prog=$(realpath -e "$(sw_prog "${2:-reexec}")")
as=()
if [[ ${3:-} == nobody ]]; then
	[[ $(id -u) == 0 ]] || sw_skip "needs root to become nobody"
	command -v setpriv >/dev/null || sw_skip "setpriv is not installed"
	as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	"${as[@]}" test -x "$TEST_SYSWHO" -a -x "$prog" ||
		sw_skip "user nobody cannot run $TEST_SYSWHO or $prog"
	chmod 755 "$SW_TMP"
	mkdir "$SW_TMP/nobody"
	chown nobody "$SW_TMP/nobody"
fi

sw_native native ${as[@]+"${as[@]}"} "$prog" "$mode"
sw_expect_rc native 0
sw_need_syswho
if [[ ${3:-} == nobody ]]; then
	SW_RC=0
	"${as[@]}" "$TEST_SYSWHO" run -o "$SW_TMP/nobody/traced.db" -- \
		"$prog" "$mode" >"$SW_TMP/traced.out" 2>"$SW_TMP/traced.err" \
		</dev/null || SW_RC=$?
	mv "$SW_TMP/nobody/traced.db" "$SW_TMP/traced.db"
	# The documented limitation: the new image's link names the loader.
	sed -i "s/^\(again: argc [0-9]*, exe \)syswho-loader,/\1${prog##*/},/" \
		"$SW_TMP/traced.out"
else
	sw_traced traced "$prog" "$mode"
fi
sw_expect_rc traced 0
sw_assert_file_eq "$SW_TMP/traced.out" "$SW_TMP/native.out" \
	"reexec $mode ${3:+as $3 }under syswho"
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
