#!/bin/bash
# plugins.sh - plugins loaded with dlopen after start-up are each named as
# the owner of exactly their own syscalls; the host owns its own calls and
# the loading work; a scope marks the calls made inside it; --runtime
# hands the calls of the plugins it names to their caller.
. "$(dirname "$0")/lib.sh"

host=$(realpath -e "$(sw_prog plugin-host)")
eventfd=$(sw_plugin plugin_eventfd.so)
ctor=$(sw_plugin plugin_ctor.so)
thread=$(sw_plugin plugin_thread.so)
scope=$(sw_plugin plugin_scope.so)
cmd=("$host" --exit 3 "$eventfd" "$ctor" "$thread" "$scope")

sw_native native "${cmd[@]}"
sw_expect_rc native 3

sw_need_syswho
sw_traced traced "${cmd[@]}"
sw_expect_rc traced 3
sw_assert_file_eq "$SW_TMP/traced.out" "$SW_TMP/native.out" \
	"plugin-host stdout under syswho"
sw_report traced

# The process: one, with the status it exited with.
sw_assert_eq "$(sw_jq traced '.processes | length')" 1 "processes"
sw_assert_eq "$(sw_jq traced '.processes[0].exe')" "$host" "process exe"
sw_assert_eq "$(sw_jq traced '.processes[0].exit_code')" 3 "exit_code"

# Each plugin owns exactly its own calls.
sw_assert_owners traced eventfd2 "$eventfd"
sw_assert_owners traced getpriority "$eventfd"
sw_assert_owners traced timerfd_create "$ctor"
sw_assert_owners traced memfd_create "$ctor"
sw_assert_owners traced flock "$ctor"
sw_assert_owners traced inotify_init1 "$thread"
sw_assert_other_thread traced inotify_init1
sw_assert_owners traced sysinfo "$host"

# getrusage: the plugin's inside the scope, the host's after it.
sw_assert_owners traced getrusage "$scope" "$host"
sw_which traced getrusage
sw_assert_eq "$(jq -r --arg p "$scope" \
	'[.owners[] | select(.path == $p) | .scope] | unique | join(",")' \
	"$SW_TMP/traced.which")" lua-tool "scope of the plugin's getrusage"
sw_assert_eq "$(jq -r --arg p "$host" \
	'[.owners[] | select(.path == $p) | .scope] | unique | join(",")' \
	"$SW_TMP/traced.which")" "" "scope of the host's getrusage"
sw_assert_eq "$(sw_jq traced \
	'[.scopes[] | select(.name == "lua-tool") | .syscalls[].name] | join(",")')" \
	getrusage "syscalls in scope lua-tool"
sw_assert_eq "$(sw_jq traced --arg p "$scope" \
	'[.scopes[] | select(.name == "lua-tool") | .syscalls[].owners[]] | unique | join(",")')" \
	"$scope" "owners in scope lua-tool"

# dlopen's own work (open the file, map it) is the host's doing.
sw_assert_owned_by traced openat "$host"
sw_assert_owned_by traced mmap "$host"
for p in "$eventfd" "$ctor" "$thread" "$scope"; do
	sw_assert_not_owned_by traced openat "$p"
done
for p in "$eventfd" "$ctor" "$scope"; do
	sw_assert_not_owned_by traced mmap "$p"
done

# The modules: the plugins and the host are not runtime, libc is, and
# the build-ids are those readelf reads from the files.
for p in "$host" "$eventfd" "$ctor" "$thread" "$scope"; do
	sw_assert_eq "$(sw_jq traced --arg p "$p" \
		'[.libraries[] | select(.path == $p) | .runtime] | unique | join(",")')" \
		false "runtime flag of $p"
	sw_assert_eq "$(sw_jq traced --arg p "$p" \
		'[.libraries[] | select(.path == $p) | .build_id] | unique | join(",")')" \
		"$(sw_build_id "$p")" "build_id of $p"
done
libc=$(sw_jq traced '[.libraries[] | select(.path | test("/libc\\.so")) | .runtime] | unique | join(",")')
[[ -z "$libc" || "$libc" == true ]] ||
	sw_fail "libc must be a runtime module, runtime=[$libc]"

# The report counts what the plugin really did: one eventfd2.
sw_assert_eq "$(sw_jq traced --arg p "$eventfd" \
	'[.libraries[] | select(.path == $p) | .syscalls[] | select(.name == "eventfd2") | .count] | add')" \
	1 "eventfd2 count"
# The busiest stack of each call, symbolised as "which" does: in the JSON
# a frame in the plugin names its function, in both text views too.
jq -e --arg p "$eventfd" '[.libraries[] | select(.path == $p) |
	.syscalls[] | select(.name == "eventfd2") | .stack[] |
	select(.module == $p and (.symbol // "" | startswith("plugin_run+0x")))] |
	length == 1' "$SW_TMP/traced.json" >/dev/null ||
	sw_fail "report json: the eventfd2 stack has no plugin_run frame in" \
		"$(basename "$eventfd"):" \
		"$(sw_jq traced -c --arg p "$eventfd" '.libraries[] | select(.path == $p) |
			.syscalls[] | select(.name == "eventfd2") | .stack')"
jq -e --arg p "$ctor" '[.libraries[] | select(.path == $p) |
	.syscalls[] | select(.name == "timerfd_create") | .stack[] |
	select(.module == $p) | .symbol] | index(null) == null and
	(map(startswith("plugin_ctor_init+0x")) | any)' \
	"$SW_TMP/traced.json" >/dev/null ||
	sw_fail "report json: the timerfd_create stack does not name the constructor"
"$TEST_SYSWHO" report --by library "$SW_TMP/traced.db" >"$SW_TMP/bylib.txt"
awk -v lib="$eventfd" '$1 == lib { on = 1; next } /^[^ ]/ { on = 0 }
	on && /^    [^ ]/ { call = $1 }
	on && call == "eventfd2" && /^        stack: / { print }' \
	"$SW_TMP/bylib.txt" |
	grep -Eq '^        stack: (.* < )?plugin_run\+0x[0-9a-f]+ \(plugin_eventfd\.so\)' ||
	sw_fail "report --by library: the eventfd2 stack is not symbolised:" \
		"$(grep -A2 '^    eventfd2 ' "$SW_TMP/bylib.txt")"
"$TEST_SYSWHO" report --by syscall "$SW_TMP/traced.db" >"$SW_TMP/bycall.txt"
grep -A3 '^timerfd_create ' "$SW_TMP/bycall.txt" |
	grep -Eq '^        stack: (.* < )?plugin_ctor_init\+0x[0-9a-f]+ \(plugin_ctor\.so\)' ||
	sw_fail "report --by syscall: the timerfd_create stack is not symbolised:" \
		"$(grep -A3 '^timerfd_create ' "$SW_TMP/bycall.txt")"

# --runtime, repeated: one glob on the file name, one on the full path
# (it holds a '/'). The plugins they name pass their calls through to
# the next owner down the stack, the host that called them; the others
# keep theirs.
SW_RC=0
"$TEST_SYSWHO" run -o "$SW_TMP/rt.db" --runtime 'plugin_event*.so' \
	--runtime "*/$(basename "$(dirname "$ctor")")/plugin_ctor.so" -- \
	"${cmd[@]}" >"$SW_TMP/rt.out" 2>"$SW_TMP/rt.err" </dev/null || SW_RC=$?
sw_expect_rc rt 3
sw_assert_file_eq "$SW_TMP/rt.out" "$SW_TMP/native.out" \
	"plugin-host stdout with --runtime"
for call in eventfd2 getpriority timerfd_create memfd_create flock; do
	sw_assert_owners rt "$call" "$host"
done
sw_assert_owners rt inotify_init1 "$thread"
sw_assert_owners rt getrusage "$scope" "$host"
for p in "$eventfd" "$ctor"; do
	sw_assert_eq "$(sw_sql rt "SELECT runtime FROM module
		WHERE path = '$p'")" 1 "runtime flag of $p with --runtime"
done
for p in "$host" "$thread" "$scope"; do
	sw_assert_eq "$(sw_sql rt "SELECT runtime FROM module
		WHERE path = '$p'")" 0 "runtime flag of $p with --runtime"
done

# A plugin opened by a relative name is named by its real path, even when
# the host has moved to another directory before the plugin's first call.
SW_RC=0
(cd "$(dirname "$eventfd")" &&
	"$TEST_SYSWHO" run -o "$SW_TMP/rel.db" -- "$host" --chdir / \
		"./$(basename "$eventfd")") >"$SW_TMP/rel.out" \
	2>"$SW_TMP/rel.err" </dev/null || SW_RC=$?
sw_expect_rc rel 0
sw_report rel
sw_assert_owners rel eventfd2 "$eventfd"

# The scope API in an executable built without PIE names its scope too.
nopie=$(realpath -e "$(sw_prog scope-nopie)")
file -b "$nopie" | grep -q '^ELF 64-bit LSB executable' ||
	sw_fail "scope-nopie is not a non-PIE executable: $(file -b "$nopie")"
sw_traced nopie "$nopie"
sw_expect_rc nopie 0
sw_assert_eq "$(sw_sql nopie "SELECT GROUP_CONCAT(DISTINCT scope) FROM site
	WHERE name = 'getrusage'")" nopie-tool "scope of a non-PIE getrusage"

echo "pass: every plugin owns exactly its own syscalls, unless named runtime"
