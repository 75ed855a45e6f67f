#!/bin/bash
# demo.sh - the README's quick start: plugin-host with every bundled
# plugin under syswho, then the text report, which names each plugin.
. "$(dirname "$0")/lib.sh"

sw_need_syswho
plugins=("$TEST_PLUGINS"/*.so)
[[ ${#plugins[@]} -ge 6 ]] || sw_fail "expected 6 plugins in $TEST_PLUGINS"

cd "$SW_TMP" || sw_fail "cannot enter $SW_TMP"
"$TEST_SYSWHO" run -o demo.db -- "$(sw_prog plugin-host)" "${plugins[@]}" \
	>demo.out 2>demo.err || { sw_show demo; sw_fail "demo run failed"; }
"$TEST_SYSWHO" report demo.db >report.txt 2>report.err ||
	sw_fail "syswho report demo.db failed: $(head -n 3 report.err)"

for p in "${plugins[@]}"; do
	grep -qF "$(basename "$p")" report.txt ||
		sw_fail "the report does not name $(basename "$p")"
done
for call in eventfd2 timerfd_create inotify_init1 mincore sysinfo; do
	grep -qw "$call" report.txt || sw_fail "the report does not list $call"
done
# With no -o, run writes ./syswho.db, which report reads by default.
"$TEST_SYSWHO" run -- "$(sw_prog exit-status)" 0 >/dev/null 2>&1 ||
	sw_fail "syswho run without -o failed"
[[ -f syswho.db ]] || sw_fail "syswho run without -o wrote no ./syswho.db"
"$TEST_SYSWHO" report >/dev/null 2>report.err ||
	sw_fail "syswho report without a path failed: $(head -n 3 report.err)"
echo "pass: the demo runs and its report names every plugin"
