#!/bin/bash
# golang.sh static|cgo - a Go program, built here with the machine's Go,
# runs under syswho as it does natively: statically linked (CGO_ENABLED=0)
# or dynamically, through cgo and glibc.
#
# Go's runtime installs a handler with a full sa_mask and SA_ONSTACK for
# every signal, SIGSYS included, makes its syscalls on goroutine stacks of
# a few KiB, and ends threads after disabling their alternate stacks. A
# static Go program loads no libsyswho.so, so the loader's handler must
# keep all of that working; a cgo program loads it, and the library must.
# Skipped when go is not installed.
. "$(dirname "$0")/lib.sh"

mode=${1:?usage: golang.sh static|cgo}
case $mode in
static) cgo=0 want='statically linked' ;;
cgo) cgo=1 want='dynamically linked' ;;
*) sw_fail "golang.sh: unknown mode $mode" ;;
esac

command -v go >/dev/null ||
	sw_skip "go is not installed (apt-get install golang-go)"
sw_need_syswho

# Goroutines doing file I/O, os/exec, threads that end, a timer, and
# setuid and setgid to the ids it has.
mkdir -p "$SW_TMP/src"
cat >"$SW_TMP/src/main.go" <<'GO'
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"
)

func main() {
	dir := os.Args[1]
	var wg sync.WaitGroup
	errs := make(chan error, 256)

	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := filepath.Join(dir, fmt.Sprintf("f%d", i))
			want := bytes.Repeat([]byte{byte('a' + i%26)}, 4096+i)
			if err := os.WriteFile(name, want, 0o600); err != nil {
				errs <- err
				return
			}
			got, err := os.ReadFile(name)
			if err != nil || !bytes.Equal(got, want) {
				errs <- fmt.Errorf("read back %s: %v", name, err)
			}
		}(i)
	}
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := exec.Command("/bin/true").Run(); err != nil {
				errs <- err
			}
		}()
	}
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Ends locked to its thread: the runtime ends the thread.
			runtime.LockOSThread()
		}()
	}
	wg.Wait()
	close(errs)
	failed := false
	for err := range errs {
		fmt.Fprintln(os.Stderr, err)
		failed = true
	}
	timer := time.NewTimer(10 * time.Millisecond)
	<-timer.C
	fmt.Println("files: 64, execs: 8, locked threads: 4, timer: fired")
	// Setuid and Setgid reach every thread (through glibc's SIGSETXID
	// with cgo), also those blocked in a call syswho passes through.
	go func() {
		for {
			time.Sleep(time.Millisecond)
		}
	}()
	time.Sleep(10 * time.Millisecond)
	fmt.Println("setgid:", syscall.Setgid(os.Getgid()),
		"setuid:", syscall.Setuid(os.Getuid()))
	if failed {
		os.Exit(1)
	}
}
GO

# With cgo the runtime starts its threads through glibc's pthread_create.
if ((cgo)); then
	printf 'package main\n\nimport "C"\n' >"$SW_TMP/src/cgo.go"
fi

# Only the standard library, and nothing outside the test's directory.
mkdir -p "$SW_TMP/gocache" "$SW_TMP/gopath" "$SW_TMP/home"
prog="$SW_TMP/go$mode"
if ! (cd "$SW_TMP/src" &&
	env HOME="$SW_TMP/home" GOCACHE="$SW_TMP/gocache" \
		GOPATH="$SW_TMP/gopath" GOPROXY=off GOFLAGS= GOENV=off \
		GOTOOLCHAIN=local GOTELEMETRY=off CGO_ENABLED=$cgo \
		go build -o "$prog" ./*.go) >"$SW_TMP/build.err" 2>&1; then
	cat "$SW_TMP/build.err" >&2
	sw_fail "go build of the test program failed"
fi
file -b "$prog" | grep -q "$want" ||
	sw_fail "the Go program is not $want: $(file -b "$prog")"

mkdir -p "$SW_TMP/native.dir"
sw_native native "$prog" "$SW_TMP/native.dir"
sw_expect_rc native 0

# Several runs: threads, goroutines and execs interleave differently.
for run in 1 2 3; do
	mkdir -p "$SW_TMP/traced$run.dir"
	sw_traced "traced$run" "$prog" "$SW_TMP/traced$run.dir"
	sw_expect_rc "traced$run" 0
	sw_assert_file_eq "$SW_TMP/traced$run.out" "$SW_TMP/native.out" \
		"stdout of run $run under syswho"
done

root=$(sw_sql traced1 "SELECT pid FROM process WHERE ppid NOT IN
	(SELECT pid FROM process) AND execed = 0")
sw_assert_eq "$(wc -w <<<"$root")" 1 "root processes ($(sw_words "$root"))"
sw_assert_eq "$(sw_sql traced1 "SELECT exe || ' ' || exit_code FROM process
	WHERE pid = $root AND execed = 0")" "$prog 0" "the root's exe and exit"
sw_assert_eq "$(sw_sql traced1 "SELECT COUNT(*) FROM process
	WHERE ppid = $root AND exe LIKE '%/true' AND exit_code = 0")" 8 \
	"traced /bin/true children that exited 0"

sw_assert_eq "$(sw_sql traced1 "SELECT COUNT(*) > 0 FROM site s
	JOIN process p ON p.id = s.process
	WHERE p.pid = $root AND p.execed = 0")" 1 "the Go program's sites"
# A static program's calls are all its executable's.
if [[ $mode == static ]]; then
	sw_assert_eq "$(sw_sql traced1 "SELECT COUNT(*) FROM site s
		JOIN process p ON p.id = s.process
		LEFT JOIN module m ON m.id = s.owner
		WHERE p.pid = $root AND p.execed = 0
		AND (m.path IS NULL OR m.path != '$prog')")" 0 \
		"sites of the Go program owned by anything but it"
fi
# Go makes these itself, and with cgo starts its threads through glibc.
for call in openat write rt_sigaction sigaltstack clone execve; do
	sw_assert_owned_by traced1 "$call" "$prog"
done
echo "pass: a $mode Go program under syswho"
