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
# The JSON lists as libraries only the modules that own a call: syswho's
# own library is mapped in the process (so in the module table) but makes
# no call the program asked for.
"$TEST_SYSWHO" report --format json demo.db >report.json 2>report.err ||
	sw_fail "syswho report --format json demo.db failed: $(head -n 3 report.err)"
[[ -n $(sqlite3 demo.db "SELECT 1 FROM module WHERE path LIKE '%/libsyswho.so'") ]] ||
	sw_fail "libsyswho.so is not among the profile's modules"
empty=$(jq -r '.libraries[] | select((.syscalls | length) == 0) | .path' report.json)
[[ -z "$empty" ]] ||
	sw_fail "libraries without a syscall in the JSON: $(sw_words "$empty")"
jq -e '[.libraries[].path | select(endswith("/libsyswho.so"))] | length == 0' \
	report.json >/dev/null || sw_fail "the JSON lists libsyswho.so as a library"

# With no -o, run writes ./syswho.db, which report reads by default.
"$TEST_SYSWHO" run -- "$(sw_prog exit-status)" 0 >/dev/null 2>&1 ||
	sw_fail "syswho run without -o failed"
[[ -f syswho.db ]] || sw_fail "syswho run without -o wrote no ./syswho.db"
"$TEST_SYSWHO" report >/dev/null 2>report.err ||
	sw_fail "syswho report without a path failed: $(head -n 3 report.err)"
echo "pass: the demo runs and its report names every plugin"
