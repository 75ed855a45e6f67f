#!/bin/bash
# tree.sh MODE - whole process trees under syswho run: every process of
# the tree is in the profile with its parent and executable, each image is
# traced from its first instruction (the dynamic loader's own calls are
# there), and exit codes and signals come back as without syswho.
#
# MODE: pipeline | python | make | env-i | script | sigkill | static |
#       counts | static-counts | unprivileged | path | fsize | signal |
#       teardown | setid | baseline | exit | badinterp
. "$(dirname "$0")/lib.sh"

mode=${1:?usage: tree.sh MODE}
sw_need_syswho

# exes NAME: the executables of NAME's profile, sorted, one per line.
exes() {
	sw_jq "$1" '[.processes[].exe] | unique | .[]'
}

# assert_images NAME PATH...: NAME's profile holds exactly one process
# image per PATH given, no more and no fewer.
assert_images() {
	local name=$1 want

	shift
	want=$(for p in "$@"; do realpath -e "$p"; done | sort | tr '\n' ' ')
	sw_assert_eq "$(sw_jq "$name" '[.processes[].exe] | sort | join(" ")') " \
		"$want" "the process images"
}

# assert_has_exe NAME PATH: some process of NAME ran PATH.
assert_has_exe() {
	exes "$1" | grep -qxF "$(realpath -e "$2")" ||
		sw_fail "no process ran $2 (processes: $(sw_words "$(exes "$1")"))"
}

# assert_loader_traced NAME EXE: the dynamic loader's own arch_prctl was
# recorded in a process running EXE, so it was traced from its start.
# (A forked copy of a shell has EXE too but starts with no loader.)
assert_loader_traced() {
	local exe
	exe=$(realpath -e "$2")
	sw_assert_eq "$(sw_sql "$1" "SELECT COUNT(*) > 0 FROM site s
		JOIN process p ON p.id = s.process
		JOIN module m ON m.id = s.owner
		WHERE p.exe = '$exe' AND s.name = 'arch_prctl'
		AND m.path LIKE '%/ld-linux-x86-64.so.2'")" 1 \
		"arch_prctl of the dynamic loader in $exe"
}

# assert_parent NAME CHILD_EXE PARENT_EXE: CHILD_EXE ran in a child of a
# process that ran PARENT_EXE.
assert_parent() {
	local child parent
	child=$(realpath -e "$2")
	parent=$(realpath -e "$3")
	sw_assert_eq "$(sw_sql "$1" "SELECT COUNT(*) FROM process c
		WHERE c.exe = '$child' AND c.ppid IN
		(SELECT pid FROM process WHERE exe = '$parent')")" 1 \
		"processes running $2 whose parent ran $3"
}

# kill_spinning PROG ARG...: run PROG ARG... under syswho until it says
# it is spinning after 1000 getppid calls, SIGKILL it there, and check
# that all 1000 are in the profile.
kill_spinning() {
	local run rc=0

	"$TEST_SYSWHO" run -o "$SW_TMP/traced.db" -- "$@" \
		>"$SW_TMP/traced.out" 2>"$SW_TMP/traced.err" &
	run=$!
	for _ in $(seq 200); do
		grep -q spinning "$SW_TMP/traced.out" && break
		sleep 0.05
	done
	grep -q spinning "$SW_TMP/traced.out" || sw_fail "$1 did not start"
	kill -KILL "$(pgrep -P "$run")"
	wait "$run" || rc=$?
	sw_assert_eq "$rc" 137 "exit status of syswho run"
	sw_assert_eq "$(sw_sql traced "SELECT SUM(s.count) FROM site s
		JOIN process p ON p.id = s.process
		WHERE s.name = 'getppid' AND p.exe = '$1'")" 1000 \
		"getppid calls of $1 counted before the SIGKILL"
}

run_both() {
	sw_native native "$@"
	sw_traced traced "$@"
	sw_assert_eq "$SW_RC" "$native_rc" "exit status under syswho"
	sw_assert_file_eq "$SW_TMP/traced.out" "$SW_TMP/native.out" \
		"output under syswho"
	sw_report traced
}

case $mode in
badinterp)
	# An ELF whose interpreter is missing fails to exec in the caller
	# with ENOENT, which Python raises as FileNotFoundError; a shell
	# says so and exits 127.
	py=/usr/bin/python3
	[[ -x $py ]] || sw_fail "$py is not installed"
	"$(sw_prog reexec)" badinterp "$SW_TMP/badinterp"
	native_rc=0
	run_both "$py" -c '
import subprocess, sys
try:
    print(subprocess.run([sys.argv[1]]).returncode)
except FileNotFoundError as e:
    print("FileNotFoundError", e.errno)' "$SW_TMP/badinterp"
	sw_assert_eq "$(cat "$SW_TMP/traced.out")" "FileNotFoundError 2" \
		"python output"
	native_rc=0
	run_both sh -c '{ "$1"; echo "status $?"; } 2>&1' sh "$SW_TMP/badinterp"
	grep -q '^status 127$' "$SW_TMP/traced.out" ||
		sw_fail "shell: $(sw_words "$(cat "$SW_TMP/traced.out")")"
	;;
ctor-exec)
	# A library constructor run before libsyswho.so's forks and execs,
	# and calls system(): every new image is traced and reports.
	native_rc=0
	run_both "$(sw_prog ctor-exec)"
	sw_assert_eq "$(sw_words "$(cat "$SW_TMP/traced.out")")" \
		"exec from a constructor system from a constructor main" \
		"output of ctor-exec"
	assert_has_exe traced /bin/echo
	assert_has_exe traced /bin/sh
	assert_loader_traced traced /bin/echo
	;;
pipeline)
	native_rc=0
	run_both sh -c 'printf "b\na\n" | sort | head -n 1'
	sw_assert_eq "$(cat "$SW_TMP/traced.out")" a "pipeline output"
	for exe in /bin/sh /usr/bin/sort /usr/bin/head; do
		assert_has_exe traced "$exe"
		assert_loader_traced traced "$exe"
	done
	assert_parent traced /usr/bin/sort /bin/sh
	assert_parent traced /usr/bin/head /bin/sh
	# sort was exec'd from a forked copy of the shell, a child of the root.
	sw_assert_eq "$(sw_jq traced --arg e "$(realpath -e /usr/bin/sort)" '
		.processes as $all | $all[] | select(.exe == $e) | .exec_from as $f
		| $all[] | select(.id == $f) | .parent as $p
		| $all[] | select(.id == $p) | .parent')" null \
		"parent of the shell that sort was exec'd from (the root's)"
	# Policy arguments: openat's flags and mmap's protections were kept.
	sw_assert_eq "$(sw_sql traced "SELECT COUNT(DISTINCT s.name) FROM site_arg a
		JOIN site s ON s.id = a.site WHERE (s.name = 'openat' AND a.arg = 2
		AND (a.value & 524288) != 0) OR (s.name = 'mmap' AND a.arg = 2
		AND a.value = 5)")" 2 "openat O_CLOEXEC flags and mmap PROT_READ|PROT_EXEC"
	# The dynamic loader's own calls (noted by the exec loader) keep theirs.
	sw_assert_eq "$(sw_sql traced "SELECT COUNT(*) > 0 FROM site_arg a
		JOIN site s ON s.id = a.site JOIN module m ON m.id = s.owner
		WHERE s.name = 'mmap' AND m.path LIKE '%/ld-linux-x86-64.so.2'")" 1 \
		"mmap protections of the dynamic loader"
	"$TEST_SYSWHO" report --by process "$SW_TMP/traced.db" >"$SW_TMP/tree.txt"
	grep -qE "^    exec: pid [0-9]+  ppid [0-9]+  $(realpath -e /usr/bin/sort)  exit 0$" \
		"$SW_TMP/tree.txt" ||
		sw_fail "report --by process does not show sort under its shell: $(cat "$SW_TMP/tree.txt")"
	;;
python)
	py=/usr/bin/python3
	[[ -x $py ]] || sw_fail "$py is not installed"
	native_rc=0
	run_both "$py" -c '
import os, subprocess
os.getpriority(os.PRIO_PROCESS, 0)
subprocess.run(["true"], check=True)
p = subprocess.Popen("echo hi | tr a-z A-Z", shell=True, stdout=subprocess.PIPE)
print(p.communicate()[0].decode().strip())
a = subprocess.Popen(["printf", "b\\na\\n"], stdout=subprocess.PIPE)
b = subprocess.Popen(["sort"], stdin=a.stdout, stdout=subprocess.PIPE)
a.stdout.close()
print(b.communicate()[0].decode().split())
a.wait()
print(subprocess.run(["sh", "-c", "exit 5"]).returncode)'
	sw_assert_eq "$(sw_words "$(cat "$SW_TMP/traced.out")")" \
		"HI ['a', 'b'] 5" "python output"
	# Exactly these images were exec'd, each once (the two shells: the
	# shell=True one and "exit 5"), each traced from its first instruction.
	sw_assert_eq "$(sw_jq traced '[.processes[] | select(.exec_from != null
		or .parent == null) | .exe] | sort | join(" ")')" \
		"$(for e in /usr/bin/printf "$py" /bin/sh /bin/sh /usr/bin/sort \
			/usr/bin/tr /usr/bin/true; do realpath -e "$e"; done |
			sort | tr '\n' ' ' | sed 's/ $//')" \
		"the images of the tree"
	for exe in "$py" /usr/bin/true /bin/sh /usr/bin/tr /usr/bin/printf \
		/usr/bin/sort; do
		assert_has_exe traced "$exe"
		assert_loader_traced traced "$exe"
	done
	assert_parent traced /usr/bin/true "$py"
	assert_parent traced /usr/bin/sort "$py"
	assert_parent traced /usr/bin/tr /bin/sh
	# The interpreter's own call is owned by the interpreter.
	sw_assert_owners traced getpriority "$py"
	;;
make)
	command -v cc >/dev/null || sw_fail "cc is not installed"
	mkdir "$SW_TMP/proj"
	printf 'int main(void) { return 0; }\n' >"$SW_TMP/proj/hello.c"
	printf 'hello: hello.c\n\tcc -o hello hello.c\n' >"$SW_TMP/proj/Makefile"
	sw_traced traced make -s -C "$SW_TMP/proj"
	sw_expect_rc traced 0
	[[ -x $SW_TMP/proj/hello ]] || sw_fail "make under syswho built nothing"
	"$SW_TMP/proj/hello" || sw_fail "the program built under syswho fails"
	sw_report traced
	cc1=$(cc -print-prog-name=cc1)
	for exe in /usr/bin/make "$(command -v cc)" "$cc1" /usr/bin/as /usr/bin/ld; do
		assert_has_exe traced "$exe"
	done
	assert_loader_traced traced "$cc1"
	# make runs the compiler driver, which runs cc1 and as, and collect2 ld.
	assert_parent traced "$(command -v cc)" /usr/bin/make
	assert_parent traced "$cc1" "$(command -v cc)"
	assert_parent traced /usr/bin/as "$(command -v cc)"
	# The same output as a native build of a copy, which fails the same way.
	printf 'int main(void) { return undefined_thing; }\n' >"$SW_TMP/proj/hello.c"
	rm -f "$SW_TMP/proj/hello"
	cp -r "$SW_TMP/proj" "$SW_TMP/proj-native"
	sw_native native make -s -C "$SW_TMP/proj-native"
	native_rc=$SW_RC
	sw_assert_eq "$native_rc" 2 "make's status for a failing build, natively"
	sw_traced traced make -s -C "$SW_TMP/proj"
	sw_assert_eq "$SW_RC" "$native_rc" "make's status for a failing build"
	sed "s|$SW_TMP/proj-native|DIR|g" "$SW_TMP/native.err" >"$SW_TMP/native.cmp"
	sed "s|$SW_TMP/proj|DIR|g; /^syswho: [0-9]* processes/d" "$SW_TMP/traced.err" \
		>"$SW_TMP/traced.cmp"
	sw_assert_file_eq "$SW_TMP/traced.cmp" "$SW_TMP/native.cmp" \
		"the compiler's diagnostics under syswho"
	;;
env-i)
	native_rc=4
	run_both env -i /bin/sh -c 'exit 4'
	assert_images traced /usr/bin/env /bin/sh
	env_pid=$(sw_jq traced --arg e "$(realpath -e /usr/bin/env)" \
		'.processes[] | select(.exe == $e) | .pid')
	sw_assert_eq "$(sw_jq traced --argjson p "$env_pid" --arg e "$(realpath -e /bin/sh)" \
		'[.processes[] | select(.pid == $p and .exe == $e) | .exit_code] | join(",")')" \
		4 "exit code of the shell env -i started in the same process"
	assert_loader_traced traced /bin/sh
	;;
script)
	# The kernel names the process after the script, not its interpreter.
	printf '#!/bin/sh\necho "script:$1 $(cat /proc/$$/comm)"\n' \
		>"$SW_TMP/hello.sh"
	chmod +x "$SW_TMP/hello.sh"
	native_rc=0
	run_both "$SW_TMP/hello.sh" arg
	# The script's shell, its copy forked for $(cat), and cat.
	assert_images traced /bin/sh /bin/sh /bin/cat
	sw_assert_eq "$(cat "$SW_TMP/traced.out")" "script:arg hello.sh" \
		"script output"
	# (The script's forked copy for $(cat) has the same argv.)
	sw_assert_eq "$(sw_jq traced --arg e "$(realpath -e /bin/sh)" \
		'[.processes[] | select(.exe == $e) | .argv | join(" ")]
		 | unique | .[]')" \
		"/bin/sh $SW_TMP/hello.sh arg" "argv the kernel would give the interpreter"
	# Five scripts may nest, each the interpreter of the one before; a
	# sixth is ELOOP, as the kernel has it.
	printf '#!/bin/sh\necho nested\n' >"$SW_TMP/nest0"
	for i in 1 2 3 4 5; do
		printf '#!%s\n' "$SW_TMP/nest$((i - 1))" >"$SW_TMP/nest$i"
	done
	chmod +x "$SW_TMP"/nest?
	run_both sh -c "$SW_TMP/nest4; $SW_TMP/nest5 2>/dev/null; echo \$?"
	sw_assert_eq "$(tr '\n' ' ' <"$SW_TMP/traced.out")" "nested 127 " \
		"five nested scripts run, six do not"
	;;
sigkill)
	# Everything the shell did before it was killed is in the profile.
	native_rc=137
	run_both sh -c 'cat /dev/null; kill -KILL $$'
	sw_assert_owners traced kill "$(realpath -e /bin/sh)"
	assert_has_exe traced /usr/bin/cat
	assert_parent traced /usr/bin/cat /bin/sh
	sw_assert_eq "$(sw_jq traced --arg e "$(realpath -e /bin/sh)" \
		'[.processes[] | select(.exe == $e and .signal != null) | .signal] | join(",")')" 9 \
		"signal that ended the shell"
	;;
static)
	# Dynamic shell -> static program -> dynamic program.
	hop=$(realpath -e "$(sw_prog static-hop)")
	native_rc=0
	run_both sh -c "$hop /bin/echo hopped"
	sw_assert_eq "$(sw_words "$(cat "$SW_TMP/traced.out")")" \
		"static-hop: getpriority ok hopped" "output"
	sw_assert_owners traced getpriority "$hop"
	assert_parent traced "$hop" /bin/sh
	assert_has_exe traced /bin/echo
	assert_loader_traced traced /bin/echo
	sw_assert_eq "$(sw_jq traced --arg e "$(realpath -e /bin/echo)" \
		'[.processes[] | select(.exe == $e) | .pid] | join(",")')" \
		"$(sw_jq traced --arg e "$hop" \
		'[.processes[] | select(.exe == $e) | .pid] | join(",")')" \
		"pid of the echo the static program became"
	# A static program as the root command.
	run_both "$hop"
	sw_assert_owners traced getpriority "$hop"
	sw_assert_eq "$(sw_jq traced '[.processes[].exit_code] | join(",")')" 0 \
		"exit code of the static root"
	;;
counts)
	# Killed before it flushed a single count: the shared tables hold all.
	prog=$(realpath -e "$(sw_prog chatty)")
	kill_spinning "$prog" spin 1000
	;;
static-counts)
	# A static program killed mid-run: its loader's shared table holds all.
	prog=$(realpath -e "$(sw_prog static-spin)")
	kill_spinning "$prog" 1000
	sw_report traced
	sw_assert_owners traced getppid "$prog"
	;;
unprivileged)
	# Without CAP_CHECKPOINT_RESTORE the loader still sets the command line.
	[[ $(id -u) == 0 ]] || sw_skip "needs root to become nobody"
	command -v setpriv >/dev/null || sw_fail "setpriv is not installed"
	as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	"${as_nobody[@]}" test -x "$TEST_SYSWHO" ||
		sw_skip "user nobody cannot run $TEST_SYSWHO"
	chmod 755 "$SW_TMP"
	mkdir "$SW_TMP/nobody"
	chown nobody "$SW_TMP/nobody"
	sw_native native "${as_nobody[@]}" sh -c 'cat /proc/self/cmdline; cat /proc/$$/cmdline'
	sw_expect_rc native 0
	SW_RC=0
	"${as_nobody[@]}" "$TEST_SYSWHO" run -o "$SW_TMP/nobody/traced.db" -- \
		sh -c 'cat /proc/self/cmdline; cat /proc/$$/cmdline' \
		>"$SW_TMP/traced.out" 2>"$SW_TMP/traced.err" </dev/null || SW_RC=$?
	sw_expect_rc traced 0
	sw_assert_file_eq "$SW_TMP/traced.out" "$SW_TMP/native.out" \
		"/proc/self/cmdline of a traced cat and sh as nobody"
	;;
path)
	# A PATH search that fails in many directories before it finds the
	# program: each failed exec fails as it would, the last one runs.
	dirs=$(printf '/nonexistent/%d:' $(seq 40))
	native_rc=0
	run_both env "PATH=${dirs}/usr/bin:/bin" sh -c 'id -u; nosuchprogram 2>/dev/null; echo $?'
	sw_assert_eq "$(sw_words "$(cat "$SW_TMP/traced.out")")" "$(id -u) 127" \
		"output of the PATH search"
	assert_has_exe traced /usr/bin/id
	assert_loader_traced traced /usr/bin/id
	assert_parent traced /usr/bin/id /bin/sh
	# execve itself fails as the kernel would: missing, not executable,
	# neither ELF nor "#!" (execve, unlike execvp, tries no shell).
	printf 'garbage\n' >"$SW_TMP/noexec"
	chmod +x "$SW_TMP/noexec"
	printf 'garbage\n' >"$SW_TMP/noperm"
	run_both /usr/bin/python3 -c '
import os, sys
for p in sys.argv[1:]:
    try:
        os.execv(p, [p])
    except OSError as e:
        print(os.strerror(e.errno))' \
		/nonexistent "$SW_TMP/noperm" "$SW_TMP/noexec"
	sw_assert_eq "$(tr '\n' , <"$SW_TMP/traced.out")" \
		"No such file or directory,Permission denied,Exec format error," \
		"errors of the failed execs"
	;;
fsize)
	# A file size limit the program runs under must not kill it: a
	# thread whose count table would pass it counts by streaming instead.
	prog=$(realpath -e "$(sw_prog threads)")
	native_rc=0
	run_both sh -c "ulimit -f 256; exec $prog pthreads"
	sw_assert_owners traced gettid "$prog"
	sw_assert_other_thread traced gettid
	;;
signal)
	# A process other than the root killed by a signal: its signal is kept.
	native_rc=143
	run_both sh -c 'sh -c "kill -TERM \$\$"'
	root=$(sw_jq traced '.processes as $all | [$all[].pid] as $pids
		| $all[] | select(.ppid as $pp | $pids | index($pp) | not) | .pid')
	sw_assert_eq "$(sw_jq traced --argjson r "$root" \
		'[.processes[] | select(.pid == $r) | .exit_code] | join(",")')" 143 \
		"exit code of the outer shell"
	sw_assert_eq "$(sw_jq traced --argjson r "$root" \
		'[.processes[] | select(.ppid == $r and .signal != null)
		  | "\(.exe) \(.signal)"] | join(",")')" \
		"$(realpath -e /bin/sh) 15" "signal of the inner shell"
	# And one killed with SIGKILL, which no handler could ever report.
	es=$(realpath -e "$(sw_prog exit-status)")
	native_rc=0
	run_both sh -c "$es -s 9; true"
	[[ $(sw_jq traced --arg e "$es" \
		'[.processes[] | select(.exe == $e) | .signal] | join(",")') == 9 ]] || {
		sw_show traced
		jq -c '.processes[]' "$SW_TMP/traced.json" >&2
		sw_fail "exit-status -s 9 has no signal 9 in the profile"
	}
	;;
teardown)
	# atexit, a destructor, exit_group, and a fatal signal's handler.
	td=$(realpath -e "$(sw_prog teardown)")
	native_rc=0
	run_both "$td" exit
	for call in getpgrp getpriority exit_group; do
		sw_assert_owners traced "$call" "$td"
	done
	native_rc=139
	run_both "$td" crash
	sw_assert_owners traced getpgid "$td"
	;;
setid)
	# A setuid and a setcap copy of id: recorded, warned about once.
	command -v setcap >/dev/null || sw_fail "setcap is not installed (libcap2-bin)"
	cp "$(realpath -e /usr/bin/id)" "$SW_TMP/id-setuid"
	chmod 4755 "$SW_TMP/id-setuid"
	cp "$(realpath -e /usr/bin/id)" "$SW_TMP/id-setcap"
	setcap cap_net_raw+ep "$SW_TMP/id-setcap" ||
		sw_skip "this filesystem keeps no file capabilities"
	native_rc=0
	run_both sh -c "$SW_TMP/id-setuid -u; $SW_TMP/id-setcap -u"
	sw_assert_eq "$(sw_jq traced --arg e "$SW_TMP/id-setuid" \
		'[.processes[] | select(.exe == $e) | .setid[]] | join(",")')" \
		setuid "privileges noted for the setuid program"
	sw_assert_eq "$(sw_jq traced --arg e "$SW_TMP/id-setcap" \
		'[.processes[] | select(.exe == $e) | .setid[]] | join(",")')" \
		setcap "privileges noted for the setcap program"
	sw_assert_eq "$(sw_jq traced '[.processes[] | select(.exe | test("/id-set") | not) | .setid[]] | length')" \
		0 "privileges noted for the other processes"
	sw_assert_eq "$(grep -c 'ran without those privileges' "$SW_TMP/traced.err")" 1 \
		"warnings on stderr"
	;;
baseline)
	# A re-run under --baseline traces only what the first run lacked.
	host=$(realpath -e "$(sw_prog plugin-host)")
	eventfd=$(sw_plugin plugin_eventfd.so)
	ctor=$(sw_plugin plugin_ctor.so)
	sw_traced base "$host" "$eventfd"
	sw_expect_rc base 0
	native_rc=0
	sw_native native "$host" "$eventfd" "$ctor"
	SW_RC=0
	"$TEST_SYSWHO" run --baseline "$SW_TMP/base.db" -o "$SW_TMP/traced.db" \
		-- "$host" "$eventfd" "$ctor" >"$SW_TMP/traced.out" \
		2>"$SW_TMP/traced.err" </dev/null || SW_RC=$?
	sw_expect_rc traced 0
	sw_assert_file_eq "$SW_TMP/traced.out" "$SW_TMP/native.out" "output"
	sw_report traced
	sw_assert_owners traced timerfd_create "$ctor"
	# close passes untrapped too, but for syswho's own socket.
	sw_assert_eq "$(sw_sql traced "SELECT COUNT(*) FROM site
		WHERE name IN ('eventfd2', 'getpriority', 'sysinfo', 'close')")" 0 \
		"sites of syscalls the baseline already held"
	"$TEST_SYSWHO" report "$SW_TMP/traced.db" | grep -q "^note: baseline mode" ||
		sw_fail "the report does not say it was made in baseline mode"
	;;
exit)
	for want in 3:'exit 3' 143:'kill -TERM $$' 0:'/bin/true' \
		127:'/nonexistent/program' 126:'/etc/passwd'; do
		native_rc=${want%%:*}
		run_both sh -c "${want#*:}"
	done
	;;
*)
	sw_fail "unknown mode $mode"
	;;
esac
echo "pass: tree $mode"
