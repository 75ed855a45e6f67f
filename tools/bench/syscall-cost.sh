#!/usr/bin/env bash
# syscall-cost.sh [BUILD_DIR] [CALLS] [ROUNDS]
#
# The cost of one traced syscall, measured in one run: a getppid loop
# natively, under an allow-all seccomp filter (the kernel's price of any
# filter, the bound for a baseline re-run), under syswho's floor mode
# (trap and pass through, nothing recorded), under syswho with full
# attribution, under syswho --baseline against a profile of the loop, and
# under strace -f -c and strace -f -k when strace is installed. The runs alternate and
# repeat; the table gives medians (ns per call) and ratios to native and
# to the floor, since absolute times drift on a shared machine.
set -euo pipefail

build=${1:-build}
calls=${2:-200000}
rounds=${3:-5}
loop=$build/tools/bench/syscall_loop
syswho=$build/bin/syswho
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[[ -x $loop && -x $syswho ]] || {
	echo "syscall-cost: build first (missing $loop or $syswho)" >&2
	exit 2
}

modes=(native filter floor syswho baseline)
command -v strace >/dev/null && modes+=(strace-c strace-k)

run_mode() {
	case $1 in
	native) "$loop" "$calls" ;;
	filter) "$loop" --allow-all "$calls" ;;
	floor) SYSWHO_MODE=floor "$syswho" run -o "$tmp/f.db" -- "$loop" "$calls" 2>/dev/null ;;
	syswho) "$syswho" run -o "$tmp/s.db" -- "$loop" "$calls" 2>/dev/null ;;
	baseline) "$syswho" run --baseline "$tmp/base.db" -o "$tmp/b.db" -- \
		"$loop" "$calls" 2>/dev/null ;;
	# strace -k is two orders slower: a tenth of the calls is enough.
	strace-c) strace -f -c -o /dev/null "$loop" "$calls" ;;
	strace-k) strace -f -k -o /dev/null "$loop" $((calls / 10)) ;;
	esac
}

# The baseline mode re-runs the loop against a profile of itself.
"$syswho" run -o "$tmp/base.db" -- "$loop" 1000 >/dev/null 2>&1

for ((r = 0; r < rounds; r++)); do
	for m in "${modes[@]}"; do
		run_mode "$m" >>"$tmp/$m"
	done
done

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

native=$(median "$tmp/native")
floor=$(median "$tmp/floor")
echo "| mode | ns per getppid | x native | x floor |"
echo "|---|---:|---:|---:|"
for m in "${modes[@]}"; do
	v=$(median "$tmp/$m")
	awk -v m="$m" -v v="$v" -v n="$native" -v f="$floor" \
		'BEGIN { printf "| %s | %.0f | %.2f | %.2f |\n", m, v, v / n, v / f }'
done
