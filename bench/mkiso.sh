#!/bin/sh
# bench/mkiso.sh - mastering speed: spindle mkiso against genisoimage -R -J
# and xorriso -as mkisofs -R -J, with and without MD5, cold and warm cache.
#
# One generated tree of about 2,000 files and 1 GB (incompressible, in 40
# directories, sizes from 4 KiB to 1 MiB) is mastered by each tool in turn.
# The images go to a tmpfs (/dev/shm) so that the figures measure mastering
# (reading the tree, laying out and writing the image), not the output
# disk; spindle's fsync costs nothing there.  "cold" drops the page cache
# before each run (root only: echo 3 > /proc/sys/vm/drop_caches).
#
# usage: bench/mkiso.sh [SPINDLE]      (default ./spindle)
# environment: BENCH_DIR (where the tree goes, default /var/tmp),
#              BENCH_OUT (where images go, default /dev/shm), BENCH_MB (1000)
set -eu
SPINDLE=${1:-./spindle}
BENCH_DIR=${BENCH_DIR:-/var/tmp}
BENCH_OUT=${BENCH_OUT:-/dev/shm}
MB=${BENCH_MB:-1000}
tree=$(mktemp -d "$BENCH_DIR/spindle-bench-tree-XXXXXX")
out=$(mktemp -d "$BENCH_OUT/spindle-bench-out-XXXXXX")
trap 'rm -rf "$tree" "$out"' EXIT INT TERM

for t in "$SPINDLE" genisoimage xorriso; do
	command -v "$t" > /dev/null 2>&1 || [ -x "$t" ] || { echo "bench: $t missing" >&2; exit 1; }
done

echo "bench: generating ~${MB} MB in ~2000 files under $tree" >&2
# deterministic incompressible data: AES-CTR keystream, cut into files whose
# sizes cycle through 4 KiB .. 1 MiB (about 500 KB on average)
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
print(i, file=sys.stderr)
' "$tree" 2> "$out/count"
files=$(cat "$out/count")
bytes=$(du -sb "$tree" | cut -f1)
echo "bench: $files files, $bytes bytes" >&2

drop_caches() {
	sync
	if [ -w /proc/sys/vm/drop_caches ]; then
		echo 3 > /proc/sys/vm/drop_caches
	else
		echo "bench: cannot drop caches (not root): cold runs are warm" >&2
	fi
}

# run NAME CMD...: "wall/cpu" seconds for CMD (cpu: user + system, all
# threads), output image removed afterwards
run() {
	name=$1
	shift
	/usr/bin/time -f "%e %U %S" -o "$out/time" "$@" > "$out/log" 2>&1 ||
		{ cat "$out/log" >&2; echo "bench: $name failed" >&2; exit 1; }
	rm -f "$out/img.iso"
	awk '{ printf "%.2f/%.2f", $1, $2 + $3 }' "$out/time"
}

echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
printf "%-34s %12s %12s\n" "tool (seconds: wall/cpu)" "cold" "warm"
for job in \
	"spindle mkiso --no-md5|$SPINDLE mkiso -q --no-md5 $tree -o $out/img.iso" \
	"genisoimage -R -J|genisoimage -quiet -R -J -o $out/img.iso $tree" \
	"xorriso -as mkisofs -R -J|xorriso -as mkisofs -quiet -R -J -o $out/img.iso $tree" \
	"spindle mkiso (MD5)|$SPINDLE mkiso -q $tree -o $out/img.iso" \
	"xorriso -as mkisofs -R -J --md5|xorriso -as mkisofs -quiet -R -J --md5 -o $out/img.iso $tree"
do
	name=${job%%|*}
	cmd=${job#*|}
	drop_caches
	# shellcheck disable=SC2086
	cold=$(run "$name" $cmd)
	# shellcheck disable=SC2086
	warm=$(run "$name" $cmd)
	printf "%-34s %12s %12s\n" "$name" "$cold" "$warm"
done
