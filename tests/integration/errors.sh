#!/bin/bash
# errors.sh - the CLI fails cleanly: a clear message naming what failed,
# a non-zero status, and no half-written profile.
. "$(dirname "$0")/lib.sh"

sw_need_syswho

# expect_error NAME PATTERN CMD...: CMD exits non-zero, writes nothing to
# stdout and one stderr line matching PATTERN (an extended regex). With
# SW_ANY_LINES=1, stderr may hold more lines (a usage text).
expect_error() {
	local name=$1 pattern=$2 rc=0

	shift 2
	"$@" >"$SW_TMP/$name.out" 2>"$SW_TMP/$name.err" </dev/null || rc=$?
	[[ $rc != 0 ]] || sw_fail "$name: $* exited 0"
	[[ $rc -lt 128 ]] || sw_fail "$name: $* died by signal $((rc - 128))"
	[[ ! -s "$SW_TMP/$name.out" ]] ||
		sw_fail "$name: wrote to stdout: $(head -n 3 "$SW_TMP/$name.out")"
	if [[ ${SW_ANY_LINES:-0} == 0 ]]; then
		sw_assert_eq "$(wc -l <"$SW_TMP/$name.err")" 1 \
			"$name: lines on stderr ($(head -c 300 "$SW_TMP/$name.err"))"
	fi
	grep -Eq "$pattern" "$SW_TMP/$name.err" ||
		sw_fail "$name: stderr '$(cat "$SW_TMP/$name.err")' does not match /$pattern/"
	SW_RC=$rc
}

# A program that cannot be started: no profile is left behind.
expect_error nonexistent '/nonexistent' \
	"$TEST_SYSWHO" run -o "$SW_TMP/none.db" -- /nonexistent
[[ ! -e "$SW_TMP/none.db" ]] || sw_fail "a failed run left none.db behind"

sw_assert_eq "$SW_RC" 127 "exit status for a missing command"

# Found but not executable as it is: one line, a shell's status, no profile.
printf 'just text, no "#!" and no ELF header\n' >"$SW_TMP/noelf"
printf '#!/nonexistent/interpreter\necho hi\n' >"$SW_TMP/badinterp"
"$(sw_prog reexec)" badinterp "$SW_TMP/elfinterp"
head -c 64 "$(sw_prog reexec)" >"$SW_TMP/headonly"
cp "$(sw_prog exit-status)" "$SW_TMP/busy"
chmod +x "$SW_TMP/noelf" "$SW_TMP/badinterp" "$SW_TMP/headonly"
wants=(noelf:126:'Exec format error' badinterp:127:'No such file'
	elfinterp:127:'No such file' headonly:126:'Exec format error'
	passwd:126:'Permission denied')
# Open for writing while it is exec'd: ETXTBSY, which syswho can check
# from Linux 6.14 (AT_EXECVE_CHECK).
exec 3>>"$SW_TMP/busy"
printf '%s\n' 6.14 "$(uname -r)" | sort -V -C && wants+=(busy:126:'Text file busy')
for want in "${wants[@]}"; do
	name=${want%%:*} rc=${want#*:} rc=${rc%%:*}
	target=$SW_TMP/$name
	[[ $name == passwd ]] && target=/etc/passwd
	expect_error "$name" "cannot execute .*$name: ${want##*:}" \
		"$TEST_SYSWHO" run -o "$SW_TMP/$name.db" -- "$target"
	sw_assert_eq "$SW_RC" "$rc" "exit status for $name"
	[[ ! -e "$SW_TMP/$name.db" ]] || sw_fail "a failed run of $name left a profile"
done
exec 3>&-

# A gate address the program already uses: syswho says so, the run says
# that nothing was traced, and no empty profile is left behind.
printf 'int main(void) { return 0; }\n' >"$SW_TMP/nopie.c"
cc -no-pie -o "$SW_TMP/nopie" "$SW_TMP/nopie.c" ||
	sw_fail "cannot build a program that is not position-independent"
SW_ANY_LINES=1 SYSWHO_GATE=0x400000 expect_error gate \
	'nothing was traced; no profile written' \
	"$TEST_SYSWHO" run -o "$SW_TMP/gate.db" -- "$SW_TMP/nopie"
grep -q 'cannot map the gate at 0x400000' "$SW_TMP/gate.err" ||
	sw_fail "gate: no word of the gate: $(cat "$SW_TMP/gate.err")"
[[ ! -e "$SW_TMP/gate.db" ]] || sw_fail "a run that traced nothing left a profile"

# A good profile to query.
sw_traced good "$(sw_prog exit-status)" 0
sw_expect_rc good 0

expect_error which-unknown 'nosuchcall' \
	"$TEST_SYSWHO" which nosuchcall "$SW_TMP/good.db"
expect_error which-unknown-json 'nosuchcall' \
	"$TEST_SYSWHO" which --format json nosuchcall "$SW_TMP/good.db"

# Files that are not profiles, each rejected in one line naming the file.
echo "just some text" >"$SW_TMP/text.db"
expect_error report-text 'text\.db' "$TEST_SYSWHO" report "$SW_TMP/text.db"
sqlite3 "$SW_TMP/other.db" <<'SQL'
CREATE TABLE meta(key, value);
INSERT INTO meta VALUES ('format', 'something-else');
SQL
expect_error report-other 'other\.db' "$TEST_SYSWHO" report "$SW_TMP/other.db"
expect_error report-missing 'missing\.db' \
	"$TEST_SYSWHO" report "$SW_TMP/missing.db"
[[ ! -e "$SW_TMP/missing.db" ]] || sw_fail "report created missing.db"
expect_error which-text 'text\.db' \
	"$TEST_SYSWHO" which getpid "$SW_TMP/text.db"

# A profile edited by hand so that a site names a module it does not
# hold: report and which refuse it as policy does, before printing.
cp "$SW_TMP/good.db" "$SW_TMP/edited.db"
call=$(sqlite3 "$SW_TMP/edited.db" "SELECT name FROM site WHERE id = 1")
[[ -n $call ]] || sw_fail "the good profile has no site 1 to edit"
sqlite3 "$SW_TMP/edited.db" "UPDATE site SET owner = 9999 WHERE id = 1"
expect_error report-edited 'edited\.db: a site names an unknown row' \
	"$TEST_SYSWHO" report "$SW_TMP/edited.db"
expect_error report-edited-json 'edited\.db: a site names an unknown row' \
	"$TEST_SYSWHO" report --format json "$SW_TMP/edited.db"
expect_error which-edited 'edited\.db: a site names an unknown row' \
	"$TEST_SYSWHO" which "$call" "$SW_TMP/edited.db"
expect_error policy-edited 'edited\.db: a site names an unknown row' \
	"$TEST_SYSWHO" policy --format json "$SW_TMP/edited.db"
# A negative count (SQLite's integers are signed): refused, not summed.
cp "$SW_TMP/good.db" "$SW_TMP/neg.db"
sqlite3 "$SW_TMP/neg.db" "UPDATE site SET count = -5 WHERE id = 1"
for c in report "which $call" "policy --format json"; do
	# shellcheck disable=SC2086
	expect_error "neg-${c%% *}" 'neg\.db: a count is negative' \
		"$TEST_SYSWHO" $c "$SW_TMP/neg.db"
done
# An argv that is not a JSON array of strings: refused by every reader
# before it prints anything.
for argv in 'notjson' '[1, 2]' '"one"'; do
	cp "$SW_TMP/good.db" "$SW_TMP/argv.db"
	sqlite3 "$SW_TMP/argv.db" "UPDATE process SET argv = '$argv'"
	for c in report "report --format json" "which $call" \
		"policy --format json" "diff $SW_TMP/good.db"; do
		# shellcheck disable=SC2086
		expect_error "argv-${c%% *}" "argv\.db: a process's argv is not" \
			"$TEST_SYSWHO" $c "$SW_TMP/argv.db"
	done
done

# A collector whose profile could not be written says so before it
# listens, not after collecting for hours. A collector that listens
# anyway is killed by timeout, silently, and so fails the check.
expect_error collect-no-dir '/nonexistent/dir.*No such file or directory' \
	timeout -s KILL 5 "$TEST_SYSWHO" collect --listen "$SW_TMP/c.sock" \
	-o /nonexistent/dir/c.db
[[ ! -e "$SW_TMP/c.sock" ]] || sw_fail "collect-no-dir: created its socket"
# A file size limit too small for the profile: a clear error, not
# SIGXFSZ, and no half-written file.
expect_error run-fsize 'write profile' \
	bash -c "ulimit -f 16; exec \"\$0\" run -o \"\$1\" -- /bin/true" \
	"$TEST_SYSWHO" "$SW_TMP/big.db"
compgen -G "$SW_TMP/big.db*" >/dev/null && sw_fail "run-fsize left $(ls "$SW_TMP"/big.db*)"
expect_error policy-fsize 'File too large' \
	bash -c "ulimit -f 1; exec \"\$0\" policy --format json -o \"\$1\" \"\$2\"" \
	"$TEST_SYSWHO" "$SW_TMP/big.json" "$SW_TMP/good.db"
compgen -G "$SW_TMP/big.json*" >/dev/null && sw_fail "policy-fsize left a file"
# The same for run: the command does not even start.
expect_error run-no-dir '/nonexistent/dir.*No such file or directory' \
	"$TEST_SYSWHO" run -o /nonexistent/dir/r.db -- touch "$SW_TMP/ran"
[[ ! -e "$SW_TMP/ran" ]] || sw_fail "run-no-dir: the command ran anyway"
# A directory where the profile should go: refused before the command
# runs, as the profile is renamed into place.
mkdir "$SW_TMP/outdir"
expect_error run-dir 'write profile .*outdir: Is a directory' \
	"$TEST_SYSWHO" run -o "$SW_TMP/outdir" -- touch "$SW_TMP/ran"
[[ ! -e "$SW_TMP/ran" ]] || sw_fail "run-dir: the command ran anyway"
expect_error run-empty-name "write profile '': empty file name" \
	"$TEST_SYSWHO" run -o '' -- touch "$SW_TMP/ran"
expect_error run-slash "write profile '.*/nosuch/': names a directory" \
	"$TEST_SYSWHO" run -o "$SW_TMP/nosuch/" -- touch "$SW_TMP/ran"
[[ ! -e "$SW_TMP/ran" ]] || sw_fail "run -o '' or DIR/: the command ran anyway"
expect_error collect-dir 'write profile .*outdir: Is a directory' \
	timeout -s KILL 5 "$TEST_SYSWHO" collect --listen "$SW_TMP/c.sock" \
	-o "$SW_TMP/outdir"

SW_ANY_LINES=1 expect_error bad-format 'yaml' \
	"$TEST_SYSWHO" report --format yaml "$SW_TMP/good.db"
SW_ANY_LINES=1 expect_error no-command '.' "$TEST_SYSWHO" run -o "$SW_TMP/empty.db" --
[[ ! -e "$SW_TMP/empty.db" ]] || sw_fail "a run without command left empty.db"
echo "pass: errors are clear, one line, non-zero"
