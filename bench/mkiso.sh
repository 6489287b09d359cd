#!/bin/sh
# bench/mkiso.sh - mastering speed: spindle mkiso against genisoimage -R -J
# and xorriso -as mkisofs -R -J, with and without MD5, page cache warm.
#
# One generated tree of about 2,000 files and 1 GB (incompressible, in 40
# directories, sizes from 4 KiB to 1 MiB), or BENCH_TREE, is mastered by
# each tool in turn, RUNS rounds (default 5): the tools take turns, so that
# a busy moment hits them alike, and the medians of wall and CPU time
# (user + system, all threads) are reported, with the load average before
# and after.  The tree is read once before the first round, so that no tool
# pays for bringing it into the page cache.  Images go to a tmpfs
# (/dev/shm), so the figures measure mastering (reading the tree, laying out
# and writing the image), not the output disk; each image is removed before
# the next run.  BENCH_COLD=1 (root only) adds one cold-cache run per tool,
# after dropping the page cache.
#
# The wall times mean something only on an otherwise idle machine: spindle
# spreads mastering over two threads (and with MD5 tags, over three or
# four), genisoimage and xorriso work in one, so CPU taken by other
# processes lengthens spindle's wall time more.  Compare the CPU column
# and the load average before trusting a wall ratio.
#
# usage: bench/mkiso.sh [SPINDLE]      (default ./spindle)
# environment: RUNS (5), BENCH_TREE (a tree of your own, not generated),
#              BENCH_DIR (where the tree goes, default /var/tmp),
#              BENCH_OUT (where images go, default /dev/shm), BENCH_MB (1000),
#              BENCH_COLD (0)
set -eu
SPINDLE=${1:-./spindle}
BENCH_DIR=${BENCH_DIR:-/var/tmp}
BENCH_OUT=${BENCH_OUT:-/dev/shm}
MB=${BENCH_MB:-1000}
RUNS=${RUNS:-5}
out=$(mktemp -d "$BENCH_OUT/spindle-bench-out-XXXXXX")
if [ -n "${BENCH_TREE:-}" ]; then
	tree=$BENCH_TREE
	trap 'rm -rf "$out"' EXIT INT TERM
else
	tree=$(mktemp -d "$BENCH_DIR/spindle-bench-tree-XXXXXX")
	trap 'rm -rf "$tree" "$out"' EXIT INT TERM
fi

for t in "$SPINDLE" genisoimage xorriso /usr/bin/time; do
	command -v "$t" > /dev/null 2>&1 || [ -x "$t" ] || { echo "bench: $t missing" >&2; exit 1; }
done

if [ -z "${BENCH_TREE:-}" ]; then
	echo "bench: generating ~${MB} MB in ~2000 files under $tree" >&2
	# deterministic incompressible data: AES-CTR keystream, cut into files
	# whose sizes cycle through 4 KiB .. 1 MiB (about 500 KB on average)
	openssl enc -aes-128-ctr -nosalt -K 00112233445566778899aabbccddeeff \
		-iv 0 -in /dev/zero 2>/dev/null | head -c $((MB * 1000 * 1000)) | python3 -c '
import sys, os
root = sys.argv[1]
sizes = [4096, 65536, 262144, 524288, 1048576, 786432, 393216, 917504, 16384, 1048576]
i = 0
inp = sys.stdin.buffer
while True:
    d = os.path.join(root, "dir%02d" % (i % 40))
    os.makedirs(d, exist_ok=True)
    data = inp.read(sizes[i % len(sizes)])
    if not data:
        break
    with open(os.path.join(d, "file%05d.bin" % i), "wb") as f:
        f.write(data)
    i += 1
' "$tree"
	# the new tree's dirty pages go to disk now, not during the first runs
	sync
fi
files=$(find "$tree" -type f | wc -l)
bytes=$(du -sb "$tree" | cut -f1)
echo "bench: $files files, $bytes bytes in $tree" >&2
# bring the tree into the page cache before any timed run
find "$tree" -type f -exec cat {} + > /dev/null

# the tools: LABEL|TITLE|COMMAND (the image is $out/img.iso)
jobs="nomd5|spindle mkiso --no-md5|$SPINDLE mkiso -q --no-md5 $tree -o $out/img.iso
geniso|genisoimage -R -J|genisoimage -quiet -R -J -o $out/img.iso $tree
xorriso|xorriso -as mkisofs -R -J|xorriso -as mkisofs -quiet -R -J -o $out/img.iso $tree
md5|spindle mkiso (MD5 tags)|$SPINDLE mkiso -q $tree -o $out/img.iso
xorrisomd5|xorriso -as mkisofs -R -J --md5|xorriso -as mkisofs -quiet -R -J --md5 -o $out/img.iso $tree"

# run LABEL CMD...: one timed run, appended to $out/LABEL.times as
# "wall cpu"; the image is removed afterwards
run() {
	label=$1
	shift
	/usr/bin/time -f "%e %U %S" -o "$out/time" "$@" < /dev/null > "$out/log" 2>&1 ||
		{ cat "$out/log" >&2; echo "bench: $label failed" >&2; exit 1; }
	rm -f "$out/img.iso"
	awk '{ print $1, $2 + $3 }' "$out/time" >> "$out/$label.times"
}
# median LABEL FIELD: the median of a column of LABEL's runs
median() {
	awk -v f="$2" '{ print $f }' "$out/$1.times" | sort -n |
		awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] }'
}

drop_caches() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
}
if [ "${BENCH_COLD:-0}" = 1 ]; then
	[ -w /proc/sys/vm/drop_caches ] || { echo "bench: BENCH_COLD=1 needs root" >&2; exit 1; }
	echo "$jobs" | while IFS='|' read -r label title cmd; do
		drop_caches
		# shellcheck disable=SC2086
		run "$label-cold" $cmd
	done
	find "$tree" -type f -exec cat {} + > /dev/null
fi

load0=$(cut -d' ' -f1-3 /proc/loadavg)
i=0
while [ $i -lt "$RUNS" ]; do
	echo "$jobs" | while IFS='|' read -r label title cmd; do
		# shellcheck disable=SC2086
		run "$label" $cmd
	done
	i=$((i + 1))
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

echo "bench: load average $load0 before, $load1 after, on $(nproc) cores" >&2
printf "%-34s %8s %8s" "tool (median of $RUNS, warm)" "wall s" "CPU s"
[ "${BENCH_COLD:-0}" = 1 ] && printf " %12s" "cold wall/CPU"
printf "\n"
echo "$jobs" | while IFS='|' read -r label title cmd; do
	printf "%-34s %8s %8s" "$title" "$(median "$label" 1)" "$(median "$label" 2)"
	[ "${BENCH_COLD:-0}" = 1 ] && printf " %12s" "$(median "$label-cold" 1)/$(median "$label-cold" 2)"
	printf "\n"
done
awk -v a="$(median md5 1)" -v b="$(median xorrisomd5 1)" -v c="$(median nomd5 1)" \
	-v d="$(median geniso 1)" 'BEGIN {
	printf "spindle (MD5) / xorriso --md5: %.2fx wall;  spindle --no-md5 / genisoimage: %.2fx wall\n",
		a / b, c / d }'
