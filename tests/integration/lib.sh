# lib.sh - shared helpers for the syswho integration tests (bash).
#
# ctest passes the paths in the environment:
#   TEST_SYSWHO    the syswho binary
#   TEST_PROGRAMS  directory of the test programs
#   TEST_PLUGINS   directory of the test plugins
# A test fails with exit 1 and a "FAIL:" line, and is skipped with exit 77
# and a "SKIP:" line naming the reason.

set -euo pipefail

: "${TEST_SYSWHO:?TEST_SYSWHO must name the syswho binary}"
: "${TEST_PROGRAMS:?TEST_PROGRAMS must name the test program directory}"
: "${TEST_PLUGINS:?TEST_PLUGINS must name the test plugin directory}"

SW_TMP=$(mktemp -d "${TMPDIR:-/tmp}/syswho-test.XXXXXX")
trap 'rm -rf "$SW_TMP"' EXIT

# Cores from the signal tests would only litter the build tree.
ulimit -c 0

sw_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

sw_skip() {
	echo "SKIP: $*"
	exit 77
}

# sw_words TEXT: TEXT on one line, for messages.
sw_words() {
	tr '\n' ' ' <<<"$1" | sed 's/ *$//'
}

sw_note() {
	echo "note: $*"
}

# sw_assert_eq ACTUAL EXPECTED WHAT
sw_assert_eq() {
	[[ "$1" == "$2" ]] || sw_fail "$3: expected '$2', got '$1'"
}

# sw_assert_file_eq GOT WANT WHAT: identical files, else show the diff.
sw_assert_file_eq() {
	if ! cmp -s "$1" "$2"; then
		diff -u "$2" "$1" >&2 || true
		sw_fail "$3: output differs (--- expected, +++ got)"
	fi
}

# The whole toolchain must be there; a missing part is a build failure,
# not a reason to skip.
sw_need_syswho() {
	[[ -x "$TEST_SYSWHO" ]] || sw_fail "syswho is not built: $TEST_SYSWHO"
	command -v jq >/dev/null || sw_fail "jq is not installed"
	command -v sqlite3 >/dev/null || sw_fail "sqlite3 is not installed"
	grep -q '^Seccomp:' /proc/self/status ||
		sw_skip "this kernel has no seccomp filters"
}

sw_prog() {
	echo "$TEST_PROGRAMS/$1"
}

sw_plugin() {
	realpath -e "$TEST_PLUGINS/$1"
}

# sw_native NAME CMD...: run CMD, leaving NAME.out, NAME.err and SW_RC.
sw_native() {
	local name=$1

	shift
	SW_RC=0
	"$@" >"$SW_TMP/$name.out" 2>"$SW_TMP/$name.err" </dev/null || SW_RC=$?
}

# sw_traced NAME CMD...: the same under syswho run, profile NAME.db.
sw_traced() {
	local name=$1

	shift
	SW_RC=0
	"$TEST_SYSWHO" run -o "$SW_TMP/$name.db" -- "$@" \
		>"$SW_TMP/$name.out" 2>"$SW_TMP/$name.err" </dev/null || SW_RC=$?
}

# sw_show NAME: print what a run wrote to stderr, to explain a failure.
sw_show() {
	if [[ -s "$SW_TMP/$1.err" ]]; then
		echo "--- stderr of $1:" >&2
		head -n 40 "$SW_TMP/$1.err" >&2
	fi
}

# sw_expect_rc NAME WANT: the last run exited WANT.
sw_expect_rc() {
	if [[ "$SW_RC" != "$2" ]]; then
		sw_show "$1"
		sw_fail "$1: exit status $SW_RC, expected $2"
	fi
}

# sw_report NAME: the JSON report of NAME.db in NAME.json.
sw_report() {
	local rc=0

	"$TEST_SYSWHO" report --format json "$SW_TMP/$1.db" \
		>"$SW_TMP/$1.json" 2>"$SW_TMP/$1.report.err" || rc=$?
	[[ $rc == 0 ]] || sw_fail "syswho report $1.db exited $rc:" \
		"$(head -n 5 "$SW_TMP/$1.report.err")"
	jq -e . "$SW_TMP/$1.json" >/dev/null ||
		sw_fail "syswho report $1.db wrote no valid JSON"
}

# sw_jq NAME [JQ-ARG...] FILTER: run FILTER on NAME.json, raw output.
sw_jq() {
	local name=$1

	shift
	jq -r "${@:1:$#-1}" "${!#}" "$SW_TMP/$name.json"
}

# sw_which NAME SYSCALL: "syswho which" JSON for SYSCALL in NAME.which.
sw_which() {
	local rc=0

	"$TEST_SYSWHO" which --format json "$2" "$SW_TMP/$1.db" \
		>"$SW_TMP/$1.which" 2>"$SW_TMP/$1.which.err" || rc=$?
	[[ $rc == 0 ]] || sw_fail "syswho which $2 $1.db exited $rc:" \
		"$(head -n 5 "$SW_TMP/$1.which.err")"
	sw_assert_eq "$(jq -r .syscall "$SW_TMP/$1.which")" "$2" \
		"which $2: syscall name"
}

# sw_owners NAME SYSCALL: the distinct owner paths of SYSCALL, canonical
# and sorted, one per line.
sw_owners() {
	local path

	sw_which "$1" "$2"
	jq -r '.owners[].path' "$SW_TMP/$1.which" | sort -u |
		while IFS= read -r path; do
			realpath -m "$path"
		done | sort -u
}

# sw_assert_owners NAME SYSCALL PATH...: SYSCALL is owned by exactly PATHs.
sw_assert_owners() {
	local name=$1 call=$2 got want

	shift 2
	got=$(sw_owners "$name" "$call")
	want=$(for p in "$@"; do realpath -m "$p"; done | sort -u)
	[[ "$got" == "$want" ]] ||
		sw_fail "$call must be owned by exactly [$(sw_words "$want")]," \
			"got [$(sw_words "$got")]"
}

# sw_assert_owned_by NAME SYSCALL PATH: PATH is among SYSCALL's owners.
sw_assert_owned_by() {
	local got want

	got=$(sw_owners "$1" "$2")
	want=$(realpath -m "$3")
	grep -qxF "$want" <<<"$got" ||
		sw_fail "$2 must be owned by $want among others, got [$(sw_words "$got")]"
}

# sw_assert_not_owned_by NAME SYSCALL PATH: PATH does not own SYSCALL.
sw_assert_not_owned_by() {
	local got want

	got=$(sw_owners "$1" "$2")
	want=$(realpath -m "$3")
	if grep -qxF "$want" <<<"$got"; then
		sw_fail "$2 must not be owned by $want, got [$(sw_words "$got")]"
	fi
}

# sw_sql NAME SQL: query NAME.db directly.
sw_sql() {
	sqlite3 -batch -noheader "$SW_TMP/$1.db" "$2"
}

# sw_build_id FILE: the GNU build-id of FILE in hex, as readelf shows it.
sw_build_id() {
	readelf -n "$1" | awk '/Build ID:/ { print $3 }'
}

# sw_assert_other_thread NAME SYSCALL: every site of SYSCALL was first
# reached by a thread other than its process's main thread.
sw_assert_other_thread() {
	local rows

	rows=$(sw_sql "$1" "SELECT s.tid || ' ' || p.pid FROM site s
		JOIN process p ON p.id = s.process WHERE s.name = '$2';")
	[[ -n "$rows" ]] || sw_fail "no site of $2 in the profile"
	while read -r tid pid; do
		[[ "$tid" != "$pid" && "$tid" -gt 0 ]] ||
			sw_fail "$2 was recorded for thread $tid of process $pid," \
				"expected another thread"
	done <<<"$rows"
}
