#!/bin/bash
# fdlimit.sh - a collector out of descriptors (its hard limit is small,
# and idle clients hold what there is) says so once, keeps later
# processes waiting in the listen queue rather than spinning, and takes
# their data once descriptors are free again.
. "$(dirname "$0")/lib.sh"

sw_need_syswho
host=$(realpath -e "$(sw_prog plugin-host)")
lib=$(realpath -e "$(dirname "$TEST_SYSWHO")/../lib/libsyswho.so")
eventfd=$(sw_plugin plugin_eventfd.so)
sock=$SW_TMP/collector.sock
command -v python3 >/dev/null || sw_fail "python3 is not installed"

# Soft and hard limit both: the collector cannot raise it past 64.
(ulimit -n 64 && exec "$TEST_SYSWHO" collect --listen "$sock" \
	-o "$SW_TMP/fd.db") 2>"$SW_TMP/collect.err" &
collector=$!
idle=
sw_cleanup() {
	kill -KILL "$collector" $idle 2>/dev/null || true
	[[ -n ${SW_KEEP:-} ]] || rm -rf "$SW_TMP"
}
trap sw_cleanup EXIT
for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.05; done
[[ -S $sock ]] || sw_fail "the collector did not listen on $sock"

# 80 clients that connect and say nothing, until the file "go" appears.
python3 - "$sock" "$SW_TMP/go" "$SW_TMP/idle.ready" <<'PY' &
import os, socket, sys, time
conns = []
for _ in range(80):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    conns.append(s)
open(sys.argv[3], "w").close()
for _ in range(400):
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.025)
PY
idle=$!
for _ in $(seq 200); do [[ -e $SW_TMP/idle.ready ]] && break; sleep 0.05; done
[[ -e $SW_TMP/idle.ready ]] || sw_fail "the idle clients did not connect"

# An honest process while the collector has no descriptor left.
LD_PRELOAD=$lib SYSWHO_COLLECTOR=$sock "$host" "$eventfd" \
	>"$SW_TMP/host.out" 2>&1 || sw_fail "plugin-host failed: $(cat "$SW_TMP/host.out")"
sleep 0.5
touch "$SW_TMP/go"
wait "$idle" || sw_fail "the idle clients failed"
idle=
sleep 0.5
kill -INT "$collector"
wait "$collector" || sw_fail "the collector failed: $(cat "$SW_TMP/collect.err")"

n=$(grep -c 'Too many open files' "$SW_TMP/collect.err" || true)
sw_assert_eq "$n" 1 "lines about the missing descriptors ($(sw_words \
	"$(sort "$SW_TMP/collect.err" | uniq -c | head -n 3)"))"
sw_assert_eq "$(sqlite3 -batch -noheader "$SW_TMP/fd.db" "SELECT m.path
	FROM site s JOIN module m ON m.id = s.owner
	WHERE s.name = 'eventfd2'")" "$eventfd" \
	"owner of eventfd2 from the process that waited in the queue"
echo "pass: a collector out of descriptors waits and loses nothing"
