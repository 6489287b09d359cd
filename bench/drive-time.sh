#!/bin/sh
# bench/drive-time.sh - simulated drive time of burns, from the virtual
# clock of the simulated recorder (tests/mmcsim): what a burn would cost on
# a drive writing at the speed asked for, independent of this machine.
# Each row burns and verifies the same image on a fresh simulated disc and
# quotes the drive's seconds (seek, transfer at the set speed, closing) and
# the wall-clock seconds the simulation took.
#
#   sh bench/drive-time.sh [SIZE_MB]        (default 64; build first: make check-fast)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
SPINDLE=${SPINDLE:-$here/spindle}
RUN="$here/tests/mmcsim/mmcsim-run"
size_mb=${1:-64}
export MMCSIM_SLEEP_SCALE=${MMCSIM_SLEEP_SCALE:-0.03}

dir=$(mktemp -d /tmp/spindle-drivetime-XXXXXX)
trap 'rm -rf "$dir"' EXIT
head -c $((size_mb * 1024 * 1024)) /dev/urandom > "$dir/img"

row() {
	label=$1 media=$2
	shift 2
	rm -f "$dir/disc" "$dir/disc.lock" "$dir/clock"
	t0=$(date +%s.%N)
	"$RUN" --media "$media" --disc "$dir/disc" --clock "$dir/clock" -- \
		"$SPINDLE" burn -q -d /dev/sr7 "$@" "$dir/img" > /dev/null 2>&1 || echo "# $label: burn failed" >&2
	t1=$(date +%s.%N)
	awk -v l="$label" -v w0="$t0" -v w1="$t1" '{ t += $2 } END { w = w1 - w0
		printf "%-34s %8.1f s drive  %6.1f s wall\n", l, t, w }' "$dir/clock"
}

echo "burn + verify of ${size_mb} MiB on the simulated recorder"
row "CD-R 48x" cd-r
row "CD-R 16x (--speed 16x)" cd-r --speed 16x
row "DVD+R 16x" dvd+r
row "DVD+R 4x (--speed 4x)" dvd+r --speed 4x
row "BD-R 6x, no spare" bd-r
row "BD-R 6x, spare areas" bd-r-spare
row "BD-R 6x, spare, --stream-recording" bd-r-spare --stream-recording
