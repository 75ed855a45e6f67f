#!/usr/bin/env bash
# bench.sh [-b BUILD] [-r ROUNDS] [-o DIR] [-q]
#
# syswho against native runs and its peers, in one invocation. Every
# workload runs natively, under syswho's floor mode (trap and pass
# through, nothing recorded), under syswho, under strace -f -c, under
# strace -f -k (the peer that gives stacks: one round, it is slow) and
# under perf trace where it works, and under syswho --baseline against a
# profile of the same workload (a regression re-run). Runs alternate, ROUNDS times; the
# report gives medians and ratios to native measured in the same run,
# since absolute times drift on a shared machine. Then memory: the peak
# RSS a traced process gains, and the collector's peak RSS.
#
# Writes DIR/bench.md (the table the README quotes) and DIR/bench.svg.
# -q: a quick run (one round, small workloads), for a smoke test.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=build rounds=3 outdir=. quick=0
while getopts "b:r:o:q" opt; do
	case $opt in
	b) build=$OPTARG ;;
	r) rounds=$OPTARG ;;
	o) outdir=$OPTARG ;;
	q) quick=1 rounds=1 ;;
	*) echo "usage: bench.sh [-b BUILD] [-r ROUNDS] [-o DIR] [-q]" >&2; exit 2 ;;
	esac
done
build=$(cd "$build" && pwd)
syswho=$build/bin/syswho
bin=$build/tools/bench
for f in "$syswho" "$bin/maxrss" "$bin/syscall_loop" "$bin/openclose" "$bin/bench_threads"; do
	[[ -x $f ]] || { echo "bench: missing $f (build first)" >&2; exit 2; }
done
for tool in python3 perl make cc; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 2; }
done
mkdir -p "$outdir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Sizes shrink with -q. The interpreters and the pipeline run natively
# for 50 ms or more here, so that syswho run's own start and profile
# writing (some 7 to 10 ms) weigh little; the syscall loops are short
# natively but spend their time in traps under every tracer.
n=20000
((quick)) && n=2000
mkdir -p "$tmp/proj"
for i in 1 2 3 4 5 6 7 8; do
	printf '#include <stdio.h>\nint f%d(void) { return printf("%%d", %d); }\n' \
		"$i" "$i" >"$tmp/proj/f$i.c"
done
printf 'int main(void) { return 0; }\n' >"$tmp/proj/main.c"
cat >"$tmp/proj/Makefile" <<'MK'
OBJS = main.o f1.o f2.o f3.o f4.o f5.o f6.o f7.o f8.o
prog: $(OBJS)
	cc -o $@ $(OBJS)
%.o: %.c
	cc -O2 -c $<
MK
cat >"$tmp/work.py" <<'PY'
# C extensions (sqlite3, zlib, decimal, hashlib) and a sqlite query.
import decimal, hashlib, json, sqlite3, zlib
c = sqlite3.connect(":memory:")
c.execute("create table t(x)")
c.executemany("insert into t values (?)", [(i,) for i in range(@ROWS@)])
print(c.execute("select sum(x) from t").fetchone()[0], json.dumps([1]),
      len(zlib.compress(b"x" * 99999)), hashlib.sha256(b"x").hexdigest()[:8],
      decimal.Decimal(1) / 7)
PY
cat >"$tmp/work.pl" <<'PL'
# XS modules: List::Util, Storable, POSIX, Data::Dumper.
use List::Util qw(sum); use Storable qw(dclone); use POSIX qw(floor);
use Data::Dumper;
print sum(map { floor($_ / 3) } 1 .. @COUNT@), " ",
    scalar(@{ dclone([1 .. 1000]) }), "\n";
PL
sed -i "s/@ROWS@/$((n * 3))/" "$tmp/work.py"
sed -i "s/@COUNT@/$((n * 20))/" "$tmp/work.pl"
printf 'seq 1 %d | sort -n | uniq | wc -l\n' $((n * 20)) >"$tmp/pipeline.sh"

# The workloads: NAME and a command line of plain words.
workloads=(syscall openclose threads python perl make pipeline)
declare -A cmd=(
	[syscall]="$bin/syscall_loop $((n * 10))"
	[openclose]="$bin/openclose $n"
	[threads]="$bin/bench_threads 8 $((n * 5 / 2))"
	[python]="/usr/bin/python3 $tmp/work.py"
	[perl]="perl $tmp/work.pl"
	[make]="make -s -j2 -C $tmp/proj -B"
	[pipeline]="sh $tmp/pipeline.sh"
)

modes=(native floor syswho baseline strace-c strace-k)
have_strace=1 have_perf=1
command -v strace >/dev/null || have_strace=0
perf trace -o /dev/null -- /bin/true >/dev/null 2>&1 || have_perf=0
((have_perf)) && modes+=(perf)
((have_strace)) || modes=(native floor syswho baseline)

# run MODE WORKLOAD: time one run, append "ns rss status" to its file.
run() {
	local mode=$1 w=$2 file="$tmp/$1.$2"
	local -a c
	read -r -a c <<<"${cmd[$w]}"
	case $mode in
	native) "$bin/maxrss" "$file" "${c[@]}" ;;
	floor) SYSWHO_MODE=floor "$bin/maxrss" "$file" "$syswho" run -o "$tmp/p.db" -- "${c[@]}" ;;
	syswho) "$bin/maxrss" "$file" "$syswho" run -o "$tmp/p.db" -- "${c[@]}" ;;
	baseline) "$bin/maxrss" "$file" "$syswho" run --baseline "$tmp/base.$w.db" \
		-o "$tmp/p.db" -- "${c[@]}" ;;
	strace-c) "$bin/maxrss" "$file" strace -f -c -o /dev/null "${c[@]}" ;;
	strace-k) "$bin/maxrss" "$file" strace -f -k -o /dev/null "${c[@]}" ;;
	perf) "$bin/maxrss" "$file" perf trace -o /dev/null -- "${c[@]}" ;;
	esac >/dev/null 2>>"$tmp/errors" || {
		echo "bench: $w failed under $mode (see below)" >&2
		tail -5 "$tmp/errors" >&2
		exit 1
	}
}

# The baseline mode re-runs each workload against a profile of itself.
for w in "${workloads[@]}"; do
	read -r -a c <<<"${cmd[$w]}"
	"$syswho" run -o "$tmp/base.$w.db" -- "${c[@]}" >/dev/null 2>&1
done

# Each round starts the modes at another one, so that no mode always runs
# first (after another workload) or right after the same neighbour.
for ((r = 1; r <= rounds; r++)); do
	for w in "${workloads[@]}"; do
		for ((k = 0; k < ${#modes[@]}; k++)); do
			m=${modes[$(((k + r) % ${#modes[@]}))]}
			# strace -k costs minutes a round: one round is enough.
			[[ $m == strace-k && $r -gt 1 ]] && continue
			run "$m" "$w"
		done
	done
done

# median FILE COLUMN
median() {
	awk -v c="$2" '{ print $c }' "$1" | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# Memory: the traced process alone (its collector apart), and the
# collector, both under the same stopwatch.
mem_rss() {
	local w=$1 sock="$tmp/mem.sock"
	local -a c
	read -r -a c <<<"${cmd[$w]}"
	rm -f "$sock" "$tmp/collect.$w" "$tmp/traced.$w"
	"$bin/maxrss" "$tmp/collect.$w" "$syswho" collect --listen "$sock" \
		-o "$tmp/mem.db" 2>/dev/null &
	local collector=$!
	while [[ ! -S $sock ]]; do sleep 0.02; done
	LD_PRELOAD=$build/lib/libsyswho.so SYSWHO_COLLECTOR=$sock \
		"$bin/maxrss" "$tmp/traced.$w" "${c[@]}" >/dev/null 2>&1
	kill -INT "$(pgrep -P "$collector")"
	wait "$collector" || true
}
for w in "${workloads[@]}"; do
	mem_rss "$w"
done

table="$outdir/bench.md"
{
	echo "| workload | native ms | $(printf '%s | ' "${modes[@]:1}")RSS native KiB | RSS traced +KiB | collector KiB |"
	printf '|---|---:|'; printf -- '---:|%.0s' "${modes[@]:1}"; echo '---:|---:|---:|'
	for w in "${workloads[@]}"; do
		nat=$(median "$tmp/native.$w" 1)
		row="| $w | $(awk -v v="$nat" 'BEGIN { printf "%.1f", v / 1e6 }') |"
		for m in "${modes[@]:1}"; do
			v=$(median "$tmp/$m.$w" 1)
			row+=$(awk -v v="$v" -v n="$nat" 'BEGIN { printf " %.2fx |", v / n }')
		done
		rn=$(median "$tmp/native.$w" 2)
		rt=$(median "$tmp/traced.$w" 2)
		rc=$(median "$tmp/collect.$w" 2)
		row+=" $rn | $((rt - rn)) | $rc |"
		echo "$row"
	done
} >"$table"
cat "$table"

# The chart: per workload, each mode's ratio to native on a log scale.
svg="$outdir/bench.svg"
colors=(0 "#9e9e9e" "#1565c0" "#2e7d32" "#ef6c00" "#c62828" "#6a1b9a")
{
	nw=${#workloads[@]} nm=$((${#modes[@]} - 1))
	height=$((40 + nw * (nm * 14 + 16) + 30))
	echo "<svg xmlns='http://www.w3.org/2000/svg' width='860' height='$height' font-family='sans-serif' font-size='11'>"
	echo "<text x='10' y='18' font-size='13'>Run time relative to native (log scale; 1x at the grey line)</text>"
	echo "<line x1='160' y1='28' x2='160' y2='$((height - 20))' stroke='#bbb'/>"
	y=36
	for w in "${workloads[@]}"; do
		nat=$(median "$tmp/native.$w" 1)
		echo "<text x='10' y='$((y + 10))'>$w</text>"
		for ((k = 1; k <= nm; k++)); do
			m=${modes[$k]}
			v=$(median "$tmp/$m.$w" 1)
			awk -v v="$v" -v n="$nat" -v y="$y" -v col="${colors[$k]}" -v m="$m" 'BEGIN {
				r = v / n; w = (log(r) / log(10)) * 150; if (w < 1) w = 1
				printf "<rect x=\"160\" y=\"%d\" width=\"%.1f\" height=\"11\" fill=\"%s\"/>", y, w, col
				printf "<text x=\"%.1f\" y=\"%d\">%s %.2fx</text>\n", 164 + w, y + 9, m, r }'
			y=$((y + 14))
		done
		y=$((y + 16))
	done
	echo "</svg>"
} >"$svg"
echo "bench: wrote $table and $svg"
