#!/bin/bash
# collector.sh MODE - a traced program outlives a collector that stops
# reading (MODE stall: SIGSTOP) or vanishes (MODE gone: SIGKILL) between
# its two phases. It must finish promptly, unharmed (no SIGPIPE), with the
# same output as natively; a stalled collector that resumes must still
# get the first phase and a count of what was lost. With MODE term the
# collector is left alone and stopped with SIGTERM once the program has
# exited: it must exit 0 with all of both phases in the profile. With
# MODE resume the collector stalls through phases 2 and 3 and then reads
# again while the program runs on: the sites phase 3 could not send must
# reach it whole (their stacks), though the program is then SIGKILLed.
. "$(dirname "$0")/lib.sh"

mode=${1:?usage: collector.sh stall|gone|term|resume}
prog=$(realpath -e "$(sw_prog chatty)")
lib=$(realpath -e "$(dirname "$TEST_SYSWHO")/../lib/libsyswho.so")
sock=$SW_TMP/collector.sock
profile=$SW_TMP/collected.db

sw_need_syswho
echo go | "$prog" >"$SW_TMP/native.out" 2>&1 || sw_fail "chatty fails natively"

"$TEST_SYSWHO" collect --listen "$sock" -o "$profile" 2>"$SW_TMP/collect.err" &
collector=$!
traced=
# A failing check must not leave the collector (or a stopped one) behind.
sw_cleanup() {
	kill -CONT "$collector" 2>/dev/null || true
	kill -KILL "$collector" $traced 2>/dev/null || true
	[[ -n ${SW_KEEP:-} ]] || rm -rf "$SW_TMP"
}
trap sw_cleanup EXIT
for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.05; done
[[ -S $sock ]] || sw_fail "the collector did not listen on $sock"

mkfifo "$SW_TMP/go"
LD_PRELOAD=$lib SYSWHO_COLLECTOR=$sock "$prog" \
	$([[ $mode == resume ]] && echo resume) <"$SW_TMP/go" \
	>"$SW_TMP/traced.out" 2>&1 &
traced=$!
exec 3>"$SW_TMP/go"

# wait_for TEXT: wait up to 10 s for chatty to print TEXT.
wait_for() {
	for _ in $(seq 200); do
		grep -q "$1" "$SW_TMP/traced.out" && return 0
		sleep 0.05
	done
	sw_fail "chatty did not print '$1': $(cat "$SW_TMP/traced.out")"
}
wait_for "phase 1 done"

if [[ $mode == resume ]]; then
	kill -STOP "$collector"
	echo go >&3
	wait_for "phase 3 done"
	kill -CONT "$collector"
	echo go >&3
	wait_for "spinning"
	kill -KILL "$traced"
	wait "$traced" 2>/dev/null || true
	kill -INT "$collector"
	wait "$collector" || sw_fail "the collector failed: $(cat "$SW_TMP/collect.err")"
	# Sites of one owner's place merge: the five make one, of 5 calls,
	# whose stack must be whole (more than the owner's frame alone).
	sw_assert_eq "$(sqlite3 -batch -noheader "$profile" "SELECT
		SUM(count) || ' ' || MIN((SELECT COUNT(*) FROM stack_frame f
		WHERE f.stack = s.stack) > 5) FROM site s
		WHERE s.name = 'getpid'")" "5 1" \
		"phase 3 calls, and whether their stacks are whole"
	echo "pass: the sites held back by the stall reached the collector whole"
	exit 0
fi

case $mode in
stall) kill -STOP "$collector" ;;
gone) kill -KILL "$collector" ;;
term) ;;
*) sw_fail "unknown mode $mode" ;;
esac

start=$(date +%s%N)
echo go >&3
exec 3>&-
rc=0
# Bounded: a stalled collector may cost a timeout a second, not one a record.
for _ in $(seq 200); do kill -0 "$traced" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$traced" 2>/dev/null; then
	kill -CONT "$collector" 2>/dev/null || true
	sw_fail "chatty still runs 10 s after the collector $mode"
fi
wait "$traced" || rc=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
sw_assert_eq "$rc" 0 "chatty's exit status with the collector $mode"
sw_assert_file_eq "$SW_TMP/traced.out" "$SW_TMP/native.out" "chatty's output"
sw_note "phase 2 took $elapsed_ms ms with the collector $mode"

if [[ $mode == gone ]]; then
	wait "$collector" 2>/dev/null || true
	echo "pass: chatty finished unharmed after the collector was killed"
	exit 0
fi

if [[ $mode == term ]]; then
	kill -TERM "$collector"
else
	kill -CONT "$collector"
	kill -INT "$collector"
fi
rc=0
wait "$collector" || rc=$?
[[ $rc == 0 ]] ||
	sw_fail "the collector exited $rc on SIG$([[ $mode == term ]] && echo TERM || echo INT):" \
		"$(cat "$SW_TMP/collect.err")"
[[ ! -e $sock ]] || sw_fail "the collector left its socket $sock behind"
"$TEST_SYSWHO" report --format json "$profile" >"$SW_TMP/collected.json" ||
	sw_fail "cannot report the collected profile"
sw_assert_eq "$(jq -r --arg p "$prog" \
	'[.libraries[] | select(.path == $p) | .syscalls[].name] | index("getppid") != null' \
	"$SW_TMP/collected.json")" true "phase 1 getppid of chatty in the profile"
if [[ $mode == term ]]; then
	# Nothing was lost: the exit, and phase 2 in all five of its scopes.
	jq -e '.processes | length == 1 and .[0].exit_code == 0 and
		.[0].lost_records == 0 and .[0].lost_calls == 0' \
		"$SW_TMP/collected.json" >/dev/null ||
		sw_fail "the profile after SIGTERM is not whole:" \
			"$(jq -c '.processes' "$SW_TMP/collected.json")"
	sw_assert_eq "$(jq -r '[.scopes[].name] | join(",")' "$SW_TMP/collected.json")" \
		chatty-0,chatty-1,chatty-2,chatty-3,chatty-4 "phase 2 scopes after SIGTERM"
	echo "pass: the collector finished the whole profile on SIGTERM"
	exit 0
fi
final=$(jq -c '[.processes[] | {lost_records, complete, exit_code}]' "$SW_TMP/collected.json")
# What the stall cost is reported: a count of lost records when the final
# Lost record got through, or else a process marked incomplete, since the
# Exit record was lost with the rest (its exit code comes from the kernel).
jq -e '.processes | length == 1 and .[0].exit_code == 0 and
	(.[0].lost_records > 0 or .[0].complete == false)' \
	"$SW_TMP/collected.json" >/dev/null ||
	sw_fail "the profile hides what the stall lost: $final"
echo "pass: chatty finished unharmed; the profile shows the loss: $final"
