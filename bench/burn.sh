#!/bin/sh
# bench/burn.sh - burn the same ~1 GB image to a stdio: virtual drive with
# spindle, cdrskin and xorriso -as cdrecord, one after the other in one
# run, and compare MB/s and CPU seconds per GB (user + system, children
# included).  Each tool runs with its defaults, no verify; the target file
# is removed before each run.  cdrskin refuses stdio: drives as root, so
# all three run as an unprivileged user (nobody) for the same conditions.
#
#   sh bench/burn.sh [SIZE_MB]          (default 1000; run as root)
#
# Targets (issue 2): spindle >= 1.0x cdrskin, >= 5x xorriso, < 0.5 CPU-s/GB.
# A "dd conv=fsync" row shows what the disk itself allows; the same burns to
# stdio:/dev/null show each tool's own speed and CPU cost without the disk
# and the filesystem (whose page-cache copies every tool pays alike).
# Files live under /tmp (not a size-limited tmpfs) and are deleted at the end.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
SPINDLE=${SPINDLE:-$here/spindle}
size_mb=${1:-1000}
user=${BENCH_USER:-nobody}

for t in cdrskin xorriso /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "bench: '$t' is missing (apt-get install ${t##*/})" >&2; exit 1; }
done
[ -x "$SPINDLE" ] || { echo "bench: build spindle first ($SPINDLE)" >&2; exit 1; }
as_user() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}

dir=$(mktemp -d /tmp/spindle-bench-XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM
chmod 755 "$dir"
[ "$(id -u)" -eq 0 ] && chown "$user" "$dir"
img=$dir/image.iso
bytes=$((size_mb * 1000000))
# incompressible, made fast: AES-CTR of zeros
head -c "$bytes" /dev/zero | openssl enc -aes-128-ctr -nosalt \
	-K 000102030405060708090a0b0c0d0e0f -iv 0 2>/dev/null > "$img"
chmod 644 "$img"
cat "$img" > /dev/null          # the same warm page cache for everyone

# run NAME CMD...: time one burn, print "NAME seconds cpu-seconds"
run() {
	name=$1; shift
	rm -f "$dir/$name.disc"
	sync
	as_user /usr/bin/time -f "%e %U %S" -o "$dir/$name.time" "$@" \
		> "$dir/$name.log" 2>&1 || {
		echo "bench: $name failed:" >&2; tail -5 "$dir/$name.log" >&2; exit 1; }
	if [ -f "$dir/$name.disc" ]; then
		written=$(stat -c %s "$dir/$name.disc")
		[ "$written" -ge "$bytes" ] || { echo "bench: $name wrote only $written bytes" >&2; exit 1; }
		cmp -s -n "$bytes" "$img" "$dir/$name.disc" || { echo "bench: $name wrote wrong data" >&2; exit 1; }
		rm -f "$dir/$name.disc"
	fi
	awk -v n="$name" '{ printf "%s %s %.3f\n", n, $1, $2 + $3 }' "$dir/$name.time"
}

{
	run spindle "$SPINDLE" burn -q --no-verify -d "stdio:$dir/spindle.disc" "$img"
	run cdrskin cdrskin --allow_emulated_drives -data "dev=stdio:$dir/cdrskin.disc" "$img"
	run xorriso xorriso -as cdrecord -data "dev=stdio:$dir/xorriso.disc" "$img"
	# what the disk allows: a plain copy that is synced, like the burns
	run dd dd if="$img" of="$dir/dd.disc" bs=1M conv=fsync status=none
} > "$dir/results"
# the same burns to stdio:/dev/null: each tool's own speed and cost, with
# the disk and the filesystem out of the way
{
	run spindle "$SPINDLE" burn -q --no-verify --force -d stdio:/dev/null "$img"
	run cdrskin cdrskin --allow_emulated_drives -data dev=stdio:/dev/null "$img"
	run xorriso xorriso -as cdrecord -data dev=stdio:/dev/null "$img"
} > "$dir/null"

echo "burn of a $size_mb MB image to a stdio: file on $(df -T "$dir" | awk 'NR==2 {print $2}'), as user $user:"
printf "%-9s %9s %9s %12s\n" tool seconds MB/s "CPU-s/GB"
awk -v b="$bytes" '{ printf "%-9s %9.2f %9.1f %12.3f\n", $1, $2, b / 1e6 / $2, $3 / (b / 1e9) }' "$dir/results"

summary() {
	awk -v b="$bytes" '
	{ mbs[$1] = b / 1e6 / $2; cpu[$1] = $3 / (b / 1e9) }
	END {
		printf "spindle vs cdrskin: %.2fx (target >= 1.0x)\n", mbs["spindle"] / mbs["cdrskin"]
		printf "spindle vs xorriso: %.2fx (target >= 5x)\n", mbs["spindle"] / mbs["xorriso"]
		printf "spindle CPU: %.3f s/GB (target < 0.5)\n", cpu["spindle"]
	}' "$1"
}
summary "$dir/results"
echo
echo "the same to stdio:/dev/null (no disk, no filesystem):"
printf "%-9s %9s %9s %12s\n" tool seconds MB/s "CPU-s/GB"
awk -v b="$bytes" '{ printf "%-9s %9.2f %9.1f %12.3f\n", $1, $2, b / 1e6 / $2, $3 / (b / 1e9) }' "$dir/null"
summary "$dir/null"
