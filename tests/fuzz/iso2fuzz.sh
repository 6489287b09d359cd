#!/bin/sh
# iso2fuzz.sh MODE ARG IMAGE OUT [SIZE [LBA...]] - an image as a seed for
# tests/fuzz/fuzz_iso (input format at the top of fuzz_iso.c): MODE 0
# damaged files, 1 rescue extent, 2 MD5 tags; ARG its byte 1; SIZE the
# image size in sectors (default: the image's, at most 1023); the LBAs
# to keep (default: every sector below SIZE that is not all zeros).
set -eu
[ $# -ge 4 ] || { echo "usage: $0 MODE ARG IMAGE OUT [SIZE [LBA...]]" >&2; exit 2; }
mode=$1 arg=$2 img=$3 out=$4
shift 4
total=$(( ($(stat -c %s "$img") + 2047) / 2048 ))
size=${1:-$total}
[ $# -gt 0 ] && shift
[ "$size" -gt 1023 ] && size=1023
byte() { printf "\\$(printf %03o "$1")"; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
	byte "$mode"; byte "$arg"; byte $((size % 256)); byte $((size / 256))
} > "$out"
if [ $# -gt 0 ]; then
	lbas="$*"
else
	lbas=$(i=0; while [ $i -lt "$size" ] && [ $i -lt "$total" ]; do echo $i; i=$((i + 1)); done)
fi
for lba in $lbas; do
	dd if="$img" of="$tmp" bs=2048 skip="$lba" count=1 2> /dev/null
	[ -s "$tmp" ] || continue
	if [ $# -eq 0 ] && cmp -s -n 2048 "$tmp" /dev/zero; then
		continue
	fi
	{ byte $((lba % 256)); byte $((lba / 256)); cat "$tmp"; } >> "$out"
done
