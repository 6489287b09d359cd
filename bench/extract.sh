#!/bin/sh
# bench/extract.sh - read commands of a targeted extraction from a damaged
# disc against a full rip of the same disc (issue 14's closing figure).
#
# The source: an ISO with /a (200 sectors), /d/b (300 sectors and 100
# bytes, 5 of them unreadable) and /c (2,000 sectors, never asked for),
# read as a drive in --test-mode.  Prints the read commands (and failing
# ones) of each extraction, of spindle rip of the whole disc, and of the
# same extraction run again once the bad blocks read (it resumes from its
# mapfile and reads only them).
#
#   bench/extract.sh            (SPINDLE=path overrides)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
SPINDLE=${SPINDLE:-$top/spindle}
[ -x "$SPINDLE" ] || { echo "bench: build spindle first ($SPINDLE)" >&2; exit 1; }
dir=$(mktemp -d /tmp/spindle-bench-XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM
cd "$dir"

mkimg() {
	head -c $(($2 * 2048 + ${3:-0})) /dev/zero | openssl enc -aes-128-ctr -nosalt \
		-K 000102030405060708090a0b0c0d0e0f -iv "$(printf '%032x' "$2")" 2> /dev/null > "$1"
}
mkdir -p tree/d
mkimg tree/a 200
mkimg tree/d/b 300 100
mkimg tree/c 2000
xorriso -as mkisofs -quiet -R -o disc.iso tree 2> /dev/null
b=$("$SPINDLE" ls --json disc.iso /d/b | jq '.files[-1].lba')
size=$(stat -c %s disc.iso)
printf '0 +\n0 %d +\n%d %d -\n%d %d +\n' $(((b + 10) * 2048)) $(((b + 10) * 2048)) \
	$((5 * 2048)) $(((b + 15) * 2048)) $((size - (b + 15) * 2048)) > disc.map
printf '0 +\n0 %d +\n' "$size" > good.map

printf '%-44s %8s %8s\n' "source: $((size / 2048)) sectors, 5 bad in /d/b" reads failing
row() {
	printf '%-44s %8s %8s\n' "$1" "$(jq -r "$2" out | tail -n 1)" "$(jq -r "$3" out | tail -n 1)"
}
for what in "/a" "/d/b" "/d/b /a" ""; do
	rm -rf dest
	# shellcheck disable=SC2086
	"$SPINDLE" extract --json -d stdio:disc.iso --test-mode disc.map --log-reads log $what \
		-C dest > out 2> /dev/null || true
	row "extract ${what:-(all files)}" .summary.reads \
		"\"$(awk '!/^#/ && NF == 4 && $4 > 0' log | wc -l)\""
done
"$SPINDLE" rip --json -d stdio:disc.iso --test-mode disc.map -o rip.iso > out 2> /dev/null || true
row "rip (the whole disc)" .reads .failed_reads
"$SPINDLE" extract --json -d stdio:disc.iso --test-mode good.map -C dest > out 2> /dev/null || true
row "extract (all files) again, bad blocks now good" .summary.reads '"0"'
