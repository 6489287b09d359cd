#!/bin/sh
# bench/rescue.sh - spindle rip against GNU ddrescue on the same damage.
#
# For several seeds of DVD-like (16-sector ECC blocks), BD-like (32) and
# CD-like (single sectors) damage maps, both tools copy the same sparse
# source in --test-mode with --log-reads; ddrescue runs with -b2048 and its
# defaults otherwise, spindle with its defaults plus --ecc-block.  Per map
# it prints bytes rescued, failing and total read commands, and a modeled
# drive time: 3 s per failing read plus size / 22 MB/s per good read.
#
#   bench/rescue.sh [SEEDS]      (default "1 2 3"; SPINDLE=path overrides)
#
# Targets (issue 3): on DVD/BD maps at least ddrescue's bytes with at most
# 1/8 of its failing reads; on CD maps no more failing reads than ddrescue.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
SPINDLE=${SPINDLE:-$top/spindle}
seeds=${1:-1 2 3}
command -v ddrescue >/dev/null || { echo "bench: ddrescue (gddrescue) is needed" >&2; exit 1; }
[ -x "$SPINDLE" ] || { echo "bench: build spindle first ($SPINDLE)" >&2; exit 1; }

dir=$(mktemp -d /tmp/spindle-bench-XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM

# count LOG: "reads failing modeled_seconds" from a --log-reads file
count() {
	awk '!/^#/ && NF == 4 {
		n++
		if ($4 > 0) { f++; t += 3 }
		t += $3 / 22000000
	} END { printf "%d %d %.0f\n", n, f, t }' "$1"
}
# rescued MAPFILE: bytes marked '+'
rescued() {
	awk 'BEGIN { st = 0 } /^#/ || NF == 0 { next }
	     st == 0 { st = 1; next }
	     $3 == "+" { s += $2 } END { printf "%d\n", s }' "$1"
}

printf '%-10s %6s | %13s %7s %7s %8s | %13s %7s %7s %8s | %6s\n' \
	map badsec "spindle bytes" fail reads time "ddrescue bytes" fail reads time "fail/"
status=0
for kind in dvd bd cd; do
	case $kind in
	dvd) ecc=16 size=400 ;;
	bd) ecc=32 size=400 ;;
	cd) ecc=1 size=300 ;;
	esac
	sectors=$((size * 512))
	rm -f "$dir/src"
	truncate -s "${size}M" "$dir/src"
	for seed in $seeds; do
		map="$dir/$kind$seed.map"
		awk -v sectors=$sectors -v kind=$kind -v seed="$seed" \
			-f "$top/tests/damagemap.awk" > "$map" 2> "$dir/bad"
		bad=$(awk '{print $2}' "$dir/bad")
		rm -f "$dir"/s.iso* "$dir"/d.iso*
		"$SPINDLE" rip -q "$dir/src" -o "$dir/s.iso" --ecc-block $ecc \
			--test-mode="$map" --log-reads="$dir/s.log" > /dev/null 2>&1 || true
		ddrescue -q -b2048 --test-mode="$map" --log-reads="$dir/d.log" \
			"$dir/src" "$dir/d.iso" "$dir/d.iso.map" > /dev/null 2>&1 || true
		set -- $(count "$dir/s.log")
		sn=$1 sf=$2 st=$3
		set -- $(count "$dir/d.log")
		dn=$1 df=$2 dt=$3
		sb=$(rescued "$dir/s.iso.map")
		db=$(rescued "$dir/d.iso.map")
		ratio=$(awk -v a="$sf" -v b="$df" 'BEGIN { if (b) printf "%.3f", a / b; else print "-" }')
		printf '%-10s %6s | %13s %7s %7s %7ss | %13s %7s %7s %7ss | %6s\n' \
			"$kind-$seed" "$bad" "$sb" "$sf" "$sn" "$st" "$db" "$df" "$dn" "$dt" "$ratio"
		# the targets
		if [ "$sb" -lt "$db" ]; then
			echo "  MISSED: fewer bytes than ddrescue" >&2; status=1
		fi
		case $kind in
		cd) [ "$sf" -le "$df" ] || { echo "  MISSED: more failing reads than ddrescue" >&2; status=1; } ;;
		*) [ $((sf * 8)) -le "$df" ] || { echo "  MISSED: more than 1/8 of ddrescue's failing reads" >&2; status=1; } ;;
		esac
	done
done
exit $status
