#!/bin/bash
# reload.sh - plugin_a is unloaded with dlclose, then plugin_b loaded, in
# most runs at the same address: each must own its own calls.
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
echo "pass: dlclose and reload keep owners apart"
