#!/bin/bash
# reload.sh - plugin_a is unloaded with dlclose, then plugin_b loaded, in
# most runs at the same address: each must own its own calls. Then the
# same with twins, two builds of one code that differ only in build-id:
# their calls make the very same stacks, and each must still be credited
# with exactly its own.
. "$(dirname "$0")/lib.sh"

host=$(realpath -e "$(sw_prog plugin-host)")
a=$(sw_plugin plugin_a.so)
b=$(sw_plugin plugin_b.so)
cmd=("$host" --dlclose "$a" "$b")

sw_native native "${cmd[@]}"
sw_expect_rc native 0

sw_need_syswho
sw_traced traced "${cmd[@]}"
sw_expect_rc traced 0
sw_assert_file_eq "$SW_TMP/traced.out" "$SW_TMP/native.out" \
	"plugin-host stdout under syswho"
sw_report traced

sw_assert_owners traced mincore "$a"
sw_assert_owners traced sched_getscheduler "$b"
sw_assert_owners traced umask "$a" "$b"
for p in "$a" "$b"; do
	sw_assert_eq "$(sw_jq traced --arg p "$p" \
		'[.libraries[] | select(.path == $p) | .syscalls[] | select(.name == "umask") | .count] | add')" \
		2 "umask calls of $(basename "$p")"
done

# Say whether this run exercised the shared address; ownership above was
# checked either way.
bases=$(sw_sql traced "SELECT DISTINCT pm.base FROM process_module pm
	JOIN module m ON m.id = pm.module
	WHERE m.path LIKE '%/plugin_a.so' OR m.path LIKE '%/plugin_b.so';")
if [[ $(wc -l <<<"$bases") == 1 ]]; then
	sw_note "plugin_b was loaded at plugin_a's old address $bases"
else
	sw_note "plugin_b was loaded elsewhere: $(sw_words "$bases")"
fi

# reload_count NAME PLUGIN SYSCALL: the calls of SYSCALL credited to
# PLUGIN in NAME's report, 0 when none are.
reload_count() {
	sw_jq "$1" --arg p "$2" --arg c "$3" \
		'[.libraries[] | select(.path == $p) | .syscalls[] |
		select(.name == $c) | .count] | add // 0'
}

twin_a=$(sw_plugin plugin_twin_a.so)
twin_b=$(sw_plugin plugin_twin_b.so)
[[ "$(sw_build_id "$twin_a")" != "$(sw_build_id "$twin_b")" ]] ||
	sw_fail "the twins must differ in build-id"
objcopy -O binary --only-section=.text "$twin_a" "$SW_TMP/twin_a.text"
objcopy -O binary --only-section=.text "$twin_b" "$SW_TMP/twin_b.text"
cmp -s "$SW_TMP/twin_a.text" "$SW_TMP/twin_b.text" ||
	sw_fail "the twins must have the same code"
cmd=("$host" --dlclose --runs 3,5 "$twin_a" "$twin_b")

sw_native twins.native "${cmd[@]}"
sw_expect_rc twins.native 0
sw_traced twins "${cmd[@]}"
sw_expect_rc twins 0
sw_assert_file_eq "$SW_TMP/twins.out" "$SW_TMP/twins.native.out" \
	"plugin-host stdout with the twins under syswho"
sw_report twins
sw_assert_owners twins getppid "$twin_a" "$twin_b"
sw_assert_eq "$(reload_count twins "$twin_a" getppid)" 3 \
	"getppid calls of plugin_twin_a.so"
sw_assert_eq "$(reload_count twins "$twin_b" getppid)" 5 \
	"getppid calls of plugin_twin_b.so"

twin_at=$(awk '/: plugin_run at / { print $NF }' "$SW_TMP/twins.err" | sort -u)
if [[ $(wc -l <<<"$twin_at") == 1 ]]; then
	sw_note "plugin_twin_b ran at plugin_twin_a's old address $twin_at"
else
	sw_note "plugin_twin_b ran elsewhere: $(sw_words "$twin_at")"
fi
# Twins taking turns at one address 150 times each: each comes back to
# its own call site, so nothing fills the thread's table and nothing is
# lost.
turns=()
for _ in $(seq 150); do
	turns+=("$twin_a" "$twin_b")
done
sw_traced turns "$host" --dlclose "${turns[@]}"
sw_expect_rc turns 0
sw_report turns
sw_assert_eq "$(reload_count turns "$twin_a" getppid) $(reload_count turns \
	"$twin_b" getppid)" "150 150" "getppid calls of the twins taking turns"
sw_assert_eq "$(sw_jq turns '[.processes[].lost_calls] | add')" 0 \
	"calls lost while the twins took turns"
echo "pass: dlclose and reload keep owners apart, even of the same code"
