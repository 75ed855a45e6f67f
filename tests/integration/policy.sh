# policy.sh MODE - policies made from traced runs, loaded by the real
# consumers. Each mode traces a small workload, makes the policy, runs the
# same workload under the consumer with it (it must pass), then again
# with one of its syscalls left out (it must fail with that call's errno,
# in the words of the tool that made it).
#
#   cli     formats parsed back, bad input refused with nothing written
#   bwrap   the bpf format through bwrap --seccomp, argument filters too
#   runc    the oci format as linux.seccomp of a runc bundle
#   nspawn  the systemd format through systemd-nspawn --system-call-filter
#   merge   syswho merge and syswho diff
source "$(dirname "$0")/lib.sh"

sw_need_syswho
S=$TEST_SYSWHO
mode=${1:?usage: policy.sh cli|bwrap|runc|nspawn|merge}

# The workload: list a directory. ls owns getdents64 (libc only passes
# it through), and without it ls says "reading directory".
D=$SW_TMP/data
mkdir -p "$D"
touch "$D/alpha" "$D/beta"

pol_trace_ls() {
	sw_traced ls /usr/bin/ls -1 "${1:-$D}"
	sw_expect_rc ls 0
	sw_assert_eq "$(cat "$SW_TMP/ls.out" | tr '\n' ' ')" "alpha beta " \
		"traced ls output"
	sw_assert_owned_by ls getdents64 /usr/bin/ls
}

# pol_make NAME ARGS...: syswho policy ARGS -o NAME, which must succeed.
pol_make() {
	local out=$1 rc=0

	shift
	"$S" policy -o "$SW_TMP/$out" "$@" 2>"$SW_TMP/$out.err" || rc=$?
	[[ $rc == 0 ]] || sw_fail "syswho policy $* exited $rc:" \
		"$(head -n 3 "$SW_TMP/$out.err")"
}

# pol_expect_denied NAME WHAT: the last run (NAME.out/.err) failed, and
# its stderr holds WHAT: the tool's own words for the denied call.
pol_expect_denied() {
	[[ $SW_RC != 0 ]] || sw_fail "$1: passed without the syscall"
	grep -qF -- "$2" "$SW_TMP/$1.err" || {
		sw_show "$1"
		sw_fail "$1: expected '$2' on stderr"
	}
	sw_note "$1 failed as expected: $(grep -F -- "$2" "$SW_TMP/$1.err" | head -n 1)"
}

pol_expect_ls() {
	sw_expect_rc "$1" 0
	sw_assert_eq "$(tr '\n' ' ' <"$SW_TMP/$1.out")" "alpha beta " \
		"$1: ls output under the policy"
}

# Bad input: a clear one-line error, nothing written, non-zero exit.
pol_refused() {
	local what=$1 want=$2 rc=0

	shift 2
	rm -f "$SW_TMP/refused.out"
	"$S" policy -o "$SW_TMP/refused.out" "$@" 2>"$SW_TMP/refused.err" ||
		rc=$?
	[[ $rc != 0 ]] || sw_fail "$what: syswho policy succeeded"
	[[ ! -e "$SW_TMP/refused.out" ]] || sw_fail "$what: wrote the output"
	[[ $(wc -l <"$SW_TMP/refused.err") == 1 ]] ||
		sw_fail "$what: expected one line, got: $(cat "$SW_TMP/refused.err")"
	grep -qF -- "$want" "$SW_TMP/refused.err" ||
		sw_fail "$what: expected '$want', got: $(cat "$SW_TMP/refused.err")"
	if compgen -G "$SW_TMP/refused.out.*" >/dev/null; then
		sw_fail "$what: left a temporary file behind"
	fi
}

mode_cli() {
	local db=$SW_TMP/ls.db

	pol_trace_ls
	pol_make ls.json --format json "$db"
	jq -e '.format == "syswho-policy" and .default.errno == "EPERM"' \
		"$SW_TMP/ls.json" >/dev/null || sw_fail "json: header"
	jq -e '.syscalls[] | select(.name == "getdents64") |
		.owners[0].path == "/usr/bin/ls" and
		(.risk[0].kind == "state-leak") and (.owners[0].stack | length > 0)' \
		"$SW_TMP/ls.json" >/dev/null ||
		sw_fail "json: getdents64 must be owned by ls, with a stack and a risk"
	jq -e '.syscalls[] | select(.name == "execve") | .allowance != null' \
		"$SW_TMP/ls.json" >/dev/null || sw_fail "json: execve allowance"

	pol_make ls.oci --format oci --deny-errno EACCES "$db"
	jq -e '.defaultAction == "SCMP_ACT_ERRNO" and .defaultErrnoRet == 13 and
		.architectures == ["SCMP_ARCH_X86_64"] and
		([.syscalls[].names[]] | index("getdents64") != null) and
		([.syscalls[].names[]] | index("ptrace") == null)' \
		"$SW_TMP/ls.oci" >/dev/null || sw_fail "oci: shape or content"

	pol_make ls.pfc --format libseccomp "$db"
	grep -q '^# getdents64: state-leak' "$SW_TMP/ls.pfc" ||
		sw_fail "libseccomp: risk comment for getdents64"
	grep -q 'filter for syscall "getdents64"' "$SW_TMP/ls.pfc" ||
		sw_fail "libseccomp: no rule for getdents64"

	pol_make ls.sd --format systemd "$db"
	grep -q '^SystemCallFilter=.*getdents64' "$SW_TMP/ls.sd" ||
		sw_fail "systemd: getdents64 not allowed"
	grep -q '^SystemCallFilter=~.*ptrace' "$SW_TMP/ls.sd" ||
		sw_fail "systemd: ptrace not in the deny line"
	grep -q '^SystemCallErrorNumber=EPERM$' "$SW_TMP/ls.sd" ||
		sw_fail "systemd: errno line"

	pol_make ls.lib.json --format json --library libc.so.6 "$db"
	jq -e '[.syscalls[] | select(.allowance != null and
		.errno == null)] | length == 0' "$SW_TMP/ls.lib.json" \
		>/dev/null || sw_fail "a library policy has no allowances"
	# A path names the library as the file it is here: relative, or
	# through another directory's link (/lib is /usr/lib on Debian 12).
	libc=$(sw_sql ls "SELECT path FROM module
		WHERE path GLOB '*/libc.so.6' LIMIT 1")
	[[ -n $libc ]] || sw_fail "the ls profile has no libc.so.6"
	(cd "$(dirname "$libc")/.." &&
		"$S" policy --format json -o "$SW_TMP/ls.rel.json" \
			--library "./$(basename "$(dirname "$libc")")/libc.so.6" \
			"$db") || sw_fail "--library with a relative path failed"
	[[ $(jq -c 'del(.selection)' "$SW_TMP/ls.rel.json") == \
		"$(jq -c 'del(.selection)' "$SW_TMP/ls.lib.json")" ]] ||
		sw_fail "--library ./DIR/libc.so.6 selects another policy"
	pol_make ls.real.json --format json --library "$(realpath "$libc")" "$db"
	jq -e '.selection.library != null and (.syscalls | length > 0)' \
		"$SW_TMP/ls.real.json" >/dev/null ||
		sw_fail "--library $(realpath "$libc") selects nothing"

	# The reports carry the same review: risk, arguments, a stack.
	sw_report ls
	sw_jq ls -e '.libraries[] | select(.path == "/usr/bin/ls") |
		.syscalls[] | select(.name == "getdents64") |
		.risk[0].kind == "state-leak"' >/dev/null ||
		sw_fail "report json: getdents64 of ls lacks its risk"
	sw_jq ls -e '[.libraries[].syscalls[] | select(.name == "openat") |
		.args[] | select(.index == 2)] | length > 0' >/dev/null ||
		sw_fail "report json: openat lacks its recorded flags"
	"$S" report --by library "$db" >"$SW_TMP/bylib.txt"
	grep -A3 '^    getdents64 ' "$SW_TMP/bylib.txt" |
		grep -Eq 'stack: (.* < )?(ls\+0x|[^ ]+ \(ls\))' ||
		sw_fail "report: no stack through ls for getdents64"
	"$S" report --by syscall "$db" >"$SW_TMP/bycall.txt"
	grep -A2 '^getdents64 ' "$SW_TMP/bycall.txt" | grep -q 'risk: state-leak' ||
		sw_fail "report --by syscall: no risk for getdents64"

	# The reports read the recorded values as the policy does: a
	# write+exec mapping and a coarse clock alone sharpen the notes.
	sw_traced wx python3 -c 'import ctypes, mmap
mmap.mmap(-1, 4096, prot=7)
ctypes.CDLL(None).syscall(228, 6, ctypes.create_string_buffer(16))'
	sw_expect_rc wx 0
	sw_report wx
	sw_jq wx -e '[.libraries[].syscalls[] | select(.name == "mmap") |
		.risk[] | select(.kind == "write+exec")] | length > 0' \
		>/dev/null || sw_fail "report json: no write+exec note for mmap"
	sw_jq wx -e '[.libraries[].syscalls[] | select(.name == "clock_gettime")
		| .risk[].note | select(startswith("only coarse"))] | length > 0' \
		>/dev/null || sw_fail "report json: no coarse-clock note"
	"$S" report "$SW_TMP/wx.db" >"$SW_TMP/wx.txt"
	grep -q 'risk: write+exec' "$SW_TMP/wx.txt" ||
		sw_fail "report: no write+exec note for mmap"

	echo "not a profile" >"$SW_TMP/foreign.db"
	pol_refused "foreign file" "not a syswho profile" --format oci \
		"$SW_TMP/foreign.db"
	head -c 3000 "$db" >"$SW_TMP/corrupt.db"
	pol_refused "corrupt profile" "corrupt.db" --format oci \
		"$SW_TMP/corrupt.db"
	pol_refused "unknown library" "no library of the profile is named" \
		--format oci --library libnothere.so "$db"
	pol_refused "unknown exe" "no process of the profile ran" \
		--format bpf --exe /no/such/program "$db"
	pol_refused "missing profile" "No such file or directory" \
		--format json "$SW_TMP/none.db"
	pol_refused "bad errno" "--deny-errno" --format json \
		--deny-errno EWHAT "$db"
	pol_refused "bad without" "no such syscall" --format json \
		--without nosuchcall "$db"
	pol_special_outputs "$db"
}

# pol_special_outputs PROFILE: -o into a FIFO or through a link writes
# the policy into what is there, leaving the FIFO and the link in place;
# a profile is never written over a FIFO.
pol_special_outputs() {
	local db=$1

	pol_make ls.bpf --format bpf "$db"
	mkfifo "$SW_TMP/fifo"
	timeout 10 cat "$SW_TMP/fifo" >"$SW_TMP/fifo.bpf" &
	"$S" policy --format bpf -o "$SW_TMP/fifo" "$db" ||
		sw_fail "policy -o FIFO failed"
	wait $! || sw_fail "the FIFO's reader failed"
	[[ -p "$SW_TMP/fifo" ]] || sw_fail "policy -o replaced the FIFO"
	cmp -s "$SW_TMP/fifo.bpf" "$SW_TMP/ls.bpf" ||
		sw_fail "the policy read from the FIFO differs from the file's"
	: >"$SW_TMP/target.bpf"
	ln -s target.bpf "$SW_TMP/link.bpf"
	"$S" policy --format bpf -o "$SW_TMP/link.bpf" "$db" ||
		sw_fail "policy -o LINK failed"
	[[ -L "$SW_TMP/link.bpf" ]] || sw_fail "policy -o replaced the link"
	cmp -s "$SW_TMP/target.bpf" "$SW_TMP/ls.bpf" ||
		sw_fail "the policy written through the link differs"
	# The file behind the link is replaced whole, not rewritten in place.
	exec 4<"$SW_TMP/target.bpf"
	"$S" policy --format json -o "$SW_TMP/link.bpf" "$db" ||
		sw_fail "policy -o LINK failed the second time"
	cmp -s /dev/fd/4 "$SW_TMP/ls.bpf" ||
		sw_fail "the file behind the link was rewritten in place"
	exec 4<&-
	"$S" merge -o "$SW_TMP/fifo" "$db" 2>"$SW_TMP/merge-fifo.err" &&
		sw_fail "merge -o FIFO succeeded"
	grep -q "not a regular file" "$SW_TMP/merge-fifo.err" ||
		sw_fail "merge -o FIFO: $(cat "$SW_TMP/merge-fifo.err")"
	[[ -p "$SW_TMP/fifo" ]] || sw_fail "merge -o replaced the FIFO"
}

# bwrap needs user namespaces or root; without both it cannot run at all.
pol_need_bwrap() {
	command -v bwrap >/dev/null ||
		sw_fail "bwrap is not installed (Debian package bubblewrap)"
	bwrap --ro-bind / / --dev /dev /bin/true 2>"$SW_TMP/bwrap-probe.err" ||
		sw_skip "bwrap cannot make a sandbox here:" \
			"$(head -n 1 "$SW_TMP/bwrap-probe.err")"
}

# pol_bwrap NAME BPF CMD...: run CMD under bwrap with the filter BPF.
pol_bwrap() {
	local name=$1 bpf=$2

	shift 2
	sw_native "$name" bwrap --ro-bind / / --dev /dev --proc /proc \
		--unshare-pid --die-with-parent --seccomp 9 "$@" 9<"$bpf"
}

# A sleep stopped and continued resumes through restart_syscall, which
# no profile shows (syswho restarts through its gate): the policy of a
# sleep must still let a stopped sleep finish.
pol_bwrap_stopped_sleep() {
	local bw pid i

	sw_traced sleep /usr/bin/sleep 0.1
	sw_expect_rc sleep 0
	pol_make sleep.bpf --format bpf "$SW_TMP/sleep.db"
	bwrap --ro-bind / / --dev /dev --proc /proc --die-with-parent \
		--seccomp 9 /usr/bin/sleep 1 9<"$SW_TMP/sleep.bpf" \
		>"$SW_TMP/stopped.out" 2>"$SW_TMP/stopped.err" </dev/null &
	bw=$!
	# Stop it only once it sleeps in clock_nanosleep (230).
	for ((i = 0; i < 400; i++)); do
		pid=$(pgrep -P "$bw" -x sleep || true)
		[[ -n $pid && $(cut -d' ' -f1 "/proc/$pid/syscall" \
			2>/dev/null) == 230 ]] && break
		pid=
		sleep 0.005
	done
	[[ -n $pid ]] || sw_fail "the sleep under bwrap never reached" \
		"clock_nanosleep"
	kill -STOP "$pid"
	sleep 0.1
	kill -CONT "$pid"
	SW_RC=0
	wait "$bw" || SW_RC=$?
	sw_expect_rc stopped 0
}

mode_bwrap() {
	local py='import socket, sys; socket.socket(int(sys.argv[1])).close()'

	pol_need_bwrap
	pol_trace_ls
	pol_make ls.bpf --format bpf "$SW_TMP/ls.db"
	pol_bwrap run "$SW_TMP/ls.bpf" /usr/bin/ls -1 "$D"
	pol_expect_ls run

	pol_make nodents.bpf --format bpf --without getdents64 "$SW_TMP/ls.db"
	pol_bwrap nodents "$SW_TMP/nodents.bpf" /usr/bin/ls -1 "$D"
	pol_expect_denied nodents "reading directory '$D': Operation not permitted"

	# The errno is the policy's: another one shows in ls's words.
	pol_make eacces.bpf --format bpf --without getdents64 \
		--deny-errno EACCES "$SW_TMP/ls.db"
	pol_bwrap eacces "$SW_TMP/eacces.bpf" /usr/bin/ls -1 "$D"
	pol_expect_denied eacces "reading directory '$D': Permission denied"

	pol_bwrap_stopped_sleep

	# Argument filters: a profile of AF_UNIX sockets lets AF_UNIX (1)
	# through and stops AF_INET6 (10); --no-args lets both through.
	# Without HOME, glibc asks nscd over an AF_UNIX socket of its own,
	# and python3 may be a wrapper script (pyenv's shim) whose shells do
	# the same: the python process must have at least one such site.
	sw_traced py python3 -c "$py" 1
	sw_expect_rc py 0
	(($(sw_sql py "SELECT COUNT(*) FROM site_arg a JOIN site s
		ON s.id = a.site JOIN process p ON p.id = s.process
		WHERE s.name = 'socket' AND p.exe GLOB '*/python3*'
		AND a.arg = 0 AND a.value = 1") >= 1)) || {
		sw_show py
		sw_sql py "SELECT s.id, s.count, s.stack, a.arg, a.value
			FROM site s LEFT JOIN site_arg a ON a.site = s.id
			WHERE s.name = 'socket'" >&2
		sw_fail "the profile holds no socket domain AF_UNIX"
	}
	pol_make py.bpf --format bpf "$SW_TMP/py.db"
	pol_bwrap unix "$SW_TMP/py.bpf" python3 -c "$py" 1
	sw_expect_rc unix 0
	pol_bwrap inet6 "$SW_TMP/py.bpf" python3 -c "$py" 10
	pol_expect_denied inet6 "PermissionError: [Errno 1] Operation not permitted"
	pol_make py-noargs.bpf --format bpf --no-args "$SW_TMP/py.db"
	pol_bwrap noargs "$SW_TMP/py-noargs.bpf" python3 -c "$py" 10
	sw_expect_rc noargs 0
}

# pol_rootfs DIR: a root file system with ls, its libraries and the
# loader's cache copied from the host, so that ls in the container does
# exactly what the traced ls did; /data holds the listed files. The
# threads test program is /usr/bin/threads there.
pol_rootfs() {
	local root=$1 threads f

	threads=$(sw_prog threads)
	mkdir -p "$root"/{etc,proc,dev,sys,tmp,run,data,usr/bin}
	for f in /usr/bin/ls /etc/ld.so.cache \
		$( (ldd /usr/bin/ls && ldd "$threads") | grep -o '/[^ ]*' |
			sort -u); do
		cp -L --parents "$f" "$root/" ||
			sw_fail "copy $f into the root file system"
	done
	cp "$threads" "$root/usr/bin/threads" ||
		sw_fail "copy $threads into the root file system"
	# systemd-nspawn wants to see an OS tree.
	touch "$root/etc/os-release" "$root/data/alpha" "$root/data/beta"
}

# runc as root needs cgroups; a rootless runc needs a delegated cgroup v2.
pol_need_runc() {
	command -v runc >/dev/null ||
		sw_fail "runc is not installed (Debian package runc)"
	[[ $(id -u) == 0 ]] ||
		sw_skip "runc needs root here (rootless runc needs a" \
			"delegated cgroup v2 tree, which the tests do not set up)"
}

# pol_runc NAME SECCOMP [PATH]: run ls -1 PATH (default /data) in a runc
# bundle whose linux.seccomp is the file SECCOMP ("" for none).
pol_runc() {
	local name=$1 seccomp=$2 path=${3:-/data} b=$SW_TMP/bundle-$1 filter='.'

	mkdir -p "$b"
	(cd "$b" && runc spec) || sw_fail "runc spec failed"
	[[ -z $seccomp ]] || filter='.linux.seccomp = $sc[0]'
	jq --slurpfile sc "${seccomp:-/dev/null}" \
		".process.terminal = false | .process.args =
		[\"/usr/bin/ls\", \"-1\", \"$path\"] | .root.readonly = true
		| .root.path = \"$SW_TMP/rootfs\" | $filter" "$b/config.json" >"$b/config.new" ||
		sw_fail "cannot edit $b/config.json"
	mv "$b/config.new" "$b/config.json"
	sw_native "$name" runc --root "$SW_TMP/runc-state" run \
		--bundle "$b" "syswho-policy-$$-$name"
	runc --root "$SW_TMP/runc-state" delete -f \
		"syswho-policy-$$-$name" >/dev/null 2>&1 || true
}

# pol_assert_no_wx OCI: mmap is allowed only by rules that compare its
# protection, and none of them lets PROT_WRITE|PROT_EXEC through, though
# runc's own init maps memory after loading the filter.
pol_assert_no_wx() {
	jq -e '[.syscalls[] | select(.names | index("mmap"))] as $r |
		($r | length > 0) and ($r | all(.action != "SCMP_ACT_ALLOW" or
		(.args != null and (.args | any(.index == 2 and
		.op == "SCMP_CMP_EQ" and ((.value / 2 | floor) % 4 != 3))))))' \
		"$1" >/dev/null ||
		sw_fail "$1: mmap must be filtered on its protection, without" \
			"write+exec: $(jq -c '[.syscalls[] |
			select(.names | index("mmap"))]' "$1")"
}

mode_runc() {
	pol_need_runc
	pol_rootfs "$SW_TMP/rootfs"
	pol_trace_ls

	# Without a policy first: a machine without usable cgroups cannot
	# run any container, which is no fault of the policy.
	pol_runc plain ""
	if [[ $SW_RC != 0 ]] && grep -qi cgroup "$SW_TMP/plain.err"; then
		sw_skip "runc cannot run a container on this machine:" \
			"$(head -n 1 "$SW_TMP/plain.err")"
	fi
	pol_expect_ls plain

	pol_make ls.oci --format oci "$SW_TMP/ls.db"
	pol_assert_no_wx "$SW_TMP/ls.oci"
	pol_runc run "$SW_TMP/ls.oci"
	pol_expect_ls run

	# runc's init lists its descriptors with getdents64 itself, so leave
	# out statx, which ls calls on a file operand and runc never does.
	sw_traced file /usr/bin/ls -1 "$SW_TMP/rootfs/data/alpha"
	sw_expect_rc file 0
	sw_assert_owned_by file statx /usr/bin/ls
	pol_make nostatx.oci --format oci --without statx "$SW_TMP/file.db"
	pol_runc nostatx "$SW_TMP/nostatx.oci" /data/alpha
	pol_expect_denied nostatx \
		"cannot access '/data/alpha': Operation not permitted"

	# Leaving out a call runc itself needs stops runc before the exec:
	# that is why the allowances are there.
	pol_make nodents.oci --format oci --without getdents64 "$SW_TMP/ls.db"
	pol_runc nodents "$SW_TMP/nodents.oci"
	pol_expect_denied nodents "/proc/self/fd: operation not permitted"
}

# systemd-nspawn runs a directory tree as root without a booted systemd
# when it neither registers with machined nor makes a scope unit.
pol_need_nspawn() {
	command -v systemd-nspawn >/dev/null ||
		sw_fail "systemd-nspawn is not installed" \
			"(Debian package systemd-container)"
	[[ $(id -u) == 0 ]] || sw_skip "systemd-nspawn needs root"
}

# pol_nspawn NAME POLICY [CMD...]: CMD (default: ls -1 /data) in the tree
# under the two filter lines of the systemd policy file POLICY ("" for
# nspawn's own filter only), with the options in the array nspawn_opts.
nspawn_opts=()
pol_nspawn() {
	local name=$1 policy=$2 args=() cmd=(/usr/bin/ls -1 /data)

	if [[ -n $policy ]]; then
		while IFS= read -r line; do
			args+=("--system-call-filter=$line")
		done < <(sed -n 's/^SystemCallFilter=//p' "$policy")
		[[ ${#args[@]} == 2 ]] ||
			sw_fail "$policy: expected two SystemCallFilter= lines"
	fi
	[[ $# -le 2 ]] || cmd=("${@:3}")
	# A machine name of its own: nspawn keeps per-name state in /run.
	sw_native "$name" systemd-nspawn --pipe --register=no --keep-unit \
		--machine "syswho-policy-$$-$name" \
		-D "$SW_TMP/rootfs" "${nspawn_opts[@]}" "${args[@]}" "${cmd[@]}"
}

mode_nspawn() {
	pol_need_nspawn
	pol_rootfs "$SW_TMP/rootfs"
	pol_trace_ls

	pol_nspawn plain ""
	if [[ $SW_RC != 0 ]]; then
		sw_show plain
		sw_skip "systemd-nspawn cannot run a container here:" \
			"$(grep -v 'propagate' "$SW_TMP/plain.err" | head -n 1)"
	fi
	pol_expect_ls plain

	pol_make ls.sd --format systemd "$SW_TMP/ls.db"
	pol_nspawn run "$SW_TMP/ls.sd"
	pol_expect_ls run
	# nspawn's --chdir runs under the filter too.
	nspawn_opts=(--chdir=/data)
	pol_nspawn chdir "$SW_TMP/ls.sd" /usr/bin/ls -1 /data
	nspawn_opts=()
	pol_expect_ls chdir

	pol_make nodents.sd --format systemd --without getdents64 \
		"$SW_TMP/ls.db"
	pol_nspawn nodents "$SW_TMP/nodents.sd"
	pol_expect_denied nodents \
		"reading directory '/data': Operation not permitted"

	# nspawn takes bare names and denies with EPERM, which glibc does not
	# fall back from as it does from ENOSYS: clone3 stays allowed beside
	# clone, and a threaded program runs under its policy.
	sw_traced threads "$(sw_prog threads)" pthreads
	sw_expect_rc threads 0
	pol_make threads.sd --format systemd "$SW_TMP/threads.db"
	grep -Eq '^SystemCallFilter=([^~].* )?clone3 ' "$SW_TMP/threads.sd" ||
		sw_fail "systemd: clone3 is not on the allow line"
	if grep -Eq '^SystemCallFilter=~(.* )?clone3[ :]' "$SW_TMP/threads.sd"; then
		sw_fail "systemd: clone3 is on the deny line"
	fi
	pol_nspawn threads-run "$SW_TMP/threads.sd" /usr/bin/threads pthreads
	sw_expect_rc threads-run 0
}

# pol_host NAME PLUGIN...: the plugin host traced with PLUGINs.
pol_host() {
	local name=$1

	shift
	sw_traced "$name" "$(sw_prog plugin-host)" "$@"
	sw_expect_rc "$name" 0
}

# pol_plugin_policy NAME LIBRARY WANT PROFILE...: the policy of LIBRARY
# in the PROFILEs must hold the plugin's eventfd2, owned by the module
# named by its first path, WANT.
pol_plugin_policy() {
	local out=$1 lib=$2 want=$3

	shift 3
	pol_make "$out" --format json --library "$lib" "$@"
	jq -e --arg p "$want" '([.syscalls[].name] | index("eventfd2") != null)
		and ([.syscalls[].owners[].path] | unique == [$p])' \
		"$SW_TMP/$out" >/dev/null ||
		sw_fail "$out: --library $lib must hold eventfd2, owned by" \
			"$want: $(jq -c '[.syscalls[] | [.name,
			.owners[].path]]' "$SW_TMP/$out")"
}

# One plugin under two file names, one per run: merged, it is one module
# that keeps both paths, and either name selects it in either order.
pol_merge_names() {
	local foo=$SW_TMP/x/libfoo.so bar=$SW_TMP/y/libbar.so id

	mkdir -p "$SW_TMP/x" "$SW_TMP/y"
	cp "$(sw_plugin plugin_eventfd.so)" "$foo"
	cp "$(sw_plugin plugin_eventfd.so)" "$bar"
	id=$(sw_build_id "$foo")
	pol_host m1 "$foo"
	pol_host m2 "$bar"
	"$TEST_SYSWHO" merge -o "$SW_TMP/mm.db" "$SW_TMP/m1.db" \
		"$SW_TMP/m2.db" 2>"$SW_TMP/merge.err" ||
		sw_fail "syswho merge failed: $(cat "$SW_TMP/merge.err")"
	sw_assert_eq "$(sw_sql mm "SELECT path FROM module
		WHERE build_id = '$id'")" "$foo" \
		"merged profile: the module's first path"
	sw_assert_eq "$(sw_sql mm "SELECT p.path FROM module_path p
		JOIN module m ON m.id = p.module WHERE m.build_id = '$id'")" \
		"$bar" "merged profile: the module's other path"
	pol_plugin_policy mm-bar.json libbar.so "$foo" "$SW_TMP/mm.db"
	pol_plugin_policy mm-foo.json "$foo" "$foo" "$SW_TMP/mm.db"
	pol_plugin_policy m12.json libbar.so "$foo" "$SW_TMP/m1.db" \
		"$SW_TMP/m2.db"
	pol_plugin_policy m21.json libbar.so "$bar" "$SW_TMP/m2.db" \
		"$SW_TMP/m1.db"
	pol_plugin_policy m21-foo.json libfoo.so "$bar" "$SW_TMP/m2.db" \
		"$SW_TMP/m1.db"

	# The report names the module by its first path only.
	sw_report mm
	sw_assert_eq "$(sw_jq mm -r --arg id "$id" '.libraries[] |
		select(.build_id == $id) | .path')" "$foo" \
		"report of the merged profile: the plugin's path"
}

mode_merge() {
	local ev=$SW_TMP/a/libplug.so rc=0

	# The same plugin from two paths is one module: by build-id.
	mkdir -p "$SW_TMP/a" "$SW_TMP/b"
	cp "$(sw_plugin plugin_eventfd.so)" "$ev"
	cp "$(sw_plugin plugin_eventfd.so)" "$SW_TMP/b/libplug.so"
	pol_host one "$ev"
	pol_host two "$SW_TMP/b/libplug.so" "$(sw_plugin plugin_thread.so)"
	"$TEST_SYSWHO" merge -o "$SW_TMP/all.db" "$SW_TMP/one.db" \
		"$SW_TMP/two.db" 2>"$SW_TMP/merge.err" ||
		sw_fail "syswho merge failed: $(cat "$SW_TMP/merge.err")"
	sw_assert_eq "$(sw_sql all "SELECT COUNT(*) FROM module
		WHERE build_id = '$(sw_build_id "$ev")'")" 1 \
		"merged profile: modules with the plugin's build-id"
	sw_assert_eq "$(sw_sql all "SELECT COUNT(*) FROM process")" \
		"$(($(sw_sql one "SELECT COUNT(*) FROM process") +
			$(sw_sql two "SELECT COUNT(*) FROM process")))" \
		"merged profile: processes"
	pol_make plug.json --format json --library libplug.so "$SW_TMP/all.db"
	jq -e '[.syscalls[].name] | index("eventfd2") != null' \
		"$SW_TMP/plug.json" >/dev/null ||
		sw_fail "the plugin's policy lacks eventfd2"
	pol_make thread.json --format json --library plugin_thread.so \
		"$SW_TMP/all.db"

	pol_merge_names

	# An "upgrade": another plugin at the same path, another build-id.
	cp "$(sw_plugin plugin_thread.so)" "$ev"
	pol_host three "$ev"
	"$TEST_SYSWHO" diff --format json "$SW_TMP/one.db" "$SW_TMP/three.db" \
		>"$SW_TMP/diff.json" 2>"$SW_TMP/diff.err" || rc=$?
	sw_assert_eq "$rc" 1 "syswho diff exit status with differences"
	jq -e --arg p "$ev" '.libraries[] | select(.path == $p) |
		(.lost | index("eventfd2") != null) and
		(.old_build_id != .new_build_id)' "$SW_TMP/diff.json" \
		>/dev/null || sw_fail "diff: the plugin must lose eventfd2:" \
		"$(cat "$SW_TMP/diff.json")"
	rc=0
	"$TEST_SYSWHO" diff "$SW_TMP/one.db" "$SW_TMP/one.db" \
		>"$SW_TMP/same.txt" 2>&1 || rc=$?
	sw_assert_eq "$rc" 0 "syswho diff of a profile with itself"
	[[ ! -s "$SW_TMP/same.txt" ]] || sw_fail "diff of the same profile" \
		"printed: $(cat "$SW_TMP/same.txt")"
}

case $mode in
merge) mode_merge ;;
cli) mode_cli ;;
bwrap) mode_bwrap ;;
runc) mode_runc ;;
nspawn) mode_nspawn ;;
*) sw_fail "unknown mode '$mode'" ;;
esac
