#!/bin/sh
# bench/usb.sh - writing an image to a stick, in MB/s and CPU seconds per
# GB: spindle burn (O_DIRECT, reader thread, readback off with
# --no-verify for the write figure, and once with its verify), dd bs=4M
# oflag=direct, and bmaptool copy, all onto the same file-backed loop
# device (direct I/O on, so the backing file's page cache does not
# flatter anyone); then the same image as .xz: spindle (multi-threaded
# liblzma on more than two cores), xz -dc | dd, and bmaptool
# copy of the .xz.  The image (SIZE MiB, default 1024) is half random,
# half zeros, like a distribution image with free space, and is made
# here; RUNS (default 3) runs each, taking turns; medians.  Run as root.
#
#   sh bench/usb.sh [SPINDLE]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
spindle=${1:-$top/spindle}
size=${SIZE:-1024}
runs=${RUNS:-3}
for t in bmaptool xz losetup /usr/bin/time; do
	command -v $t >/dev/null || { echo "$t is missing (setup.sh installs it)"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "bench/usb.sh needs root for a loop device"; exit 1; }
w=$(mktemp -d /tmp/spindle-bench-usb-XXXXXX)
dev=""
trap '[ -z "$dev" ] || losetup -d "$dev"; rm -rf "$w"' EXIT
half=$((size / 2))
{ head -c $((half << 20)) /dev/zero | openssl enc -aes-128-ctr -nosalt \
	-K 000102030405060708090a0b0c0d0e0f -iv 0 2>/dev/null
  head -c $(((size - half) << 20)) /dev/zero; } > "$w/img"
xz -T0 -1 --block-size=32MiB -kc "$w/img" > "$w/img.xz"
bytes=$(stat -c %s "$w/img")
truncate -s $(((size + 16) << 20)) "$w/stick"
dev=$(losetup -f --show --direct-io=on "$w/stick")
cat "$w/img" "$w/img.xz" > /dev/null           # into the page cache

run() {
	label=$1; shift
	/usr/bin/time -f "%e %U %S" -o "$w/time" sh -c "$*" > /dev/null 2>&1 ||
		{ echo "$label failed"; exit 1; }
	awk '{ print $1, $2 + $3 }' "$w/time" >> "$w/$label.times"
}
report() {
	sort -n "$w/$1.times" | awk -v t="$2" -v b="$bytes" '{ wall[NR] = $1; cpu[NR] = $2 }
		END { m = int((NR + 1) / 2); gb = b / 1e9
		      printf "%-44s %7.0f MB/s, %5.2f CPU s/GB (median of %d)\n", t,
			     b / 1e6 / wall[m], cpu[m] / gb, NR }'
}
load0=$(cut -d' ' -f1-3 /proc/loadavg)
i=0
while [ $i -lt "$runs" ]; do
	run sp "$spindle burn -d $dev --force --yes --no-verify $w/img"
	run spv "$spindle burn -d $dev --force --yes $w/img"
	run dd "dd if=$w/img of=$dev bs=4M oflag=direct conv=fsync status=none"
	run bmap "bmaptool -q copy --nobmap $w/img $dev"
	run spx "$spindle burn -d $dev --force --yes --no-verify $w/img.xz"
	run xzdd "xz -dc $w/img.xz | dd of=$dev bs=4M iflag=fullblock oflag=direct conv=fsync status=none"
	run bmapx "bmaptool -q copy --nobmap $w/img.xz $dev"
	i=$((i + 1))
done
echo "image: $size MiB (half random, half zeros), onto a loop device with direct I/O;" \
	"$(nproc) CPUs, load average $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after"
report sp "spindle burn --no-verify"
report spv "spindle burn (write + O_DIRECT readback)"
report dd "dd bs=4M oflag=direct"
report bmap "bmaptool copy --nobmap"
report spx "spindle burn --no-verify IMAGE.xz"
report xzdd "xz -dc | dd bs=4M oflag=direct"
report bmapx "bmaptool copy --nobmap IMAGE.xz"
# the targets of issue 15: spindle against dd, and from .xz against xz -dc | dd
ratio() {
	sort -n "$w/$1.times" > "$w/a"; sort -n "$w/$2.times" > "$w/b"
	awk -v t="$3" 'NR == FNR { a[FNR] = $1; n = FNR; next } { b[FNR] = $1 }
		END { m = int((n + 1) / 2); printf "%-44s %.2fx (medians of wall time)\n", t, b[m] / a[m] }' \
		"$w/a" "$w/b"
}
ratio sp dd "spindle --no-verify against dd"
ratio spx xzdd "spindle .xz against xz -dc | dd"
