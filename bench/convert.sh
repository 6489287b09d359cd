#!/bin/sh
# bench/convert.sh - decompressing disc images: spindle convert against the
# Debian peers, side by side in one run, on the same content:
#
#   CHD (CD, from a MODE1/2048 CUE)  spindle convert   vs chdman extractcd
#   CHD (hard disk, chdman createhd) spindle convert   vs chdman extracthd
#   DAA v1 (deflate) and v2 (LZMA)   spindle convert   vs daa2iso
#   DMG (zlib chunks)                spindle convert   vs dmg2img
#   ISZ (zlib chunks)                spindle convert   (no peer in Debian)
#   MDF (raw 2352, Alcohol MDS v1)   spindle convert   vs mdf2iso, iat
#   plain ISO                        cat               (the disk's speed)
#
# The content is real files (programs, libraries and documents from /usr,
# concatenated) so that the codecs see what discs hold.  DAA, DMG and ISZ
# are written by tests/container/ctrgen.py (Python's zlib/lzma; slow for
# LZMA), CHDs by chdman.  Output goes to BENCH_OUT (default /dev/shm) so
# that the figures measure decompression, not the output disk; the inputs
# sit in the page cache (warm), as after a download.
#
# usage: bench/convert.sh [SPINDLE]      (default ./spindle)
# environment: BENCH_MB (image size, default 700), BENCH_DIR (inputs,
#              default /var/tmp), BENCH_OUT (outputs, default /dev/shm),
#              BENCH_THREADS (spindle --threads, default: one per CPU),
#              BENCH_FORMATS (default "chd daa dmg isz mdf": which to run),
#              BENCH_SKIP (peers to leave out, e.g. "iat", which takes
#              minutes on a 700 MB MDF and fails on it),
#              BENCH_RUNS (runs per row, default 3: the row shows the run
#              of median wall time; iat, which takes minutes, runs once), BENCH_KEEP (a directory: the inputs are
#              made there once, kept and reused by later runs)
#
# Each row: wall and CPU seconds (user + system), MB/s of the 700 MiB
# image, and for spindle's rows the ratio of its wall time to the fastest
# peer's on the same format ("peer") and to cat's of the plain ISO ("cat");
# below 1.00 spindle is faster.  chdman 0.251 (bookworm) has no createdvd/
# extractdvd: a DVD-style CHD is made with createhd and read with extracthd.
set -eu
SPINDLE=${1:-./spindle}
MB=${BENCH_MB:-700}
BENCH_DIR=${BENCH_DIR:-/var/tmp}
BENCH_OUT=${BENCH_OUT:-/dev/shm}
top=$(cd "$(dirname "$0")/.." && pwd)
GEN="$top/tests/container/ctrgen.py"
RUNS=${BENCH_RUNS:-3}
out=$(mktemp -d "$BENCH_OUT/spindle-bench-conv-XXXXXX")
if [ -n "${BENCH_KEEP:-}" ]; then
	in=$BENCH_KEEP
	mkdir -p "$in"
	trap 'rm -rf "$out"' EXIT INT TERM
else
	in=$(mktemp -d "$BENCH_DIR/spindle-bench-conv-XXXXXX")
	trap 'rm -rf "$in" "$out"' EXIT INT TERM
fi
thr=${BENCH_THREADS:+--threads $BENCH_THREADS}
FORMATS=${BENCH_FORMATS:-chd daa dmg isz mdf}
want() { case " $FORMATS " in *" $1 "*) return 0 ;; esac; return 1; }

for t in "$SPINDLE" chdman daa2iso dmg2img mdf2iso iat python3; do
	command -v "$t" > /dev/null 2>&1 || [ -x "$t" ] || { echo "bench: $t missing" >&2; exit 1; }
done

bytes=$((MB * 1024 * 1024))
# have FILE: made by an earlier run with the same size (BENCH_KEEP)
have() { [ -s "$in/$1" ] && [ -f "$in/done.$MB" ]; }
echo "bench: building a ${MB} MiB image from files under /usr" >&2
have src.iso || find /usr/lib /usr/share /usr/bin -type f -size +4k 2> /dev/null | sort |
	xargs cat 2> /dev/null | head -c "$bytes" > "$in/src.iso" || true
[ "$(stat -c %s "$in/src.iso")" -eq "$bytes" ] || { echo "bench: not enough data under /usr" >&2; exit 1; }
printf 'FILE "src.iso" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n' > "$in/src.cue"

echo "bench: compressing (chdman, ctrgen.py; LZMA takes a while)" >&2
if want chd && ! have hd.chd; then
	chdman createcd -i "$in/src.cue" -o "$in/cd.chd" > /dev/null 2>&1
	chdman createhd -i "$in/src.iso" -o "$in/hd.chd" -hs 4096 -ss 2048 > /dev/null 2>&1
fi
gen=""
want daa && ! have v2.daa && gen="$gen + daa $in/v1.daa $in/src.iso + daa $in/v2.daa $in/src.iso --lzma"
want dmg && ! have a.dmg && gen="$gen + dmg $in/a.dmg $in/src.iso zlib"
want isz && ! have a.isz && gen="$gen + isz $in/a.isz $in/src.iso"
# shellcheck disable=SC2086
[ -z "$gen" ] || python3 "$GEN" ${gen# + }
if want mdf && ! have mdf/disc.mdf; then
	# raw sectors with EDC/ECC (spindle's BIN/CUE writer; mdf2iso checks
	# nothing, the output is compared with src.iso), an MDS written from
	# the published layout by tests/disc/discgen.py
	"$SPINDLE" convert "$in/src.iso" -o "$in/raw.cue" > /dev/null
	python3 "$top/tests/disc/discgen.py" mds-for "$in" $((bytes / 2048))
	rm -rf "$in/mdf"
	mv "$in/mds3" "$in/mdf"
	mv "$in/raw.bin" "$in/mdf/disc.mdf"
	rm -f "$in/raw.cue"
fi
touch "$in/done.$MB"
cat "$in"/* "$in"/mdf/* > /dev/null 2>&1 || true  # all inputs warm

# run CMD...: times CMD into $out/time ("wall user sys"); the exit status
# is not trusted (daa2iso exits 1 after a good run): the output is compared
# (BENCH_RUNS times; the run of median wall time is kept)
run() {
	: > "$out/times"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		rm -f "$out"/o.*
		/usr/bin/time -f "%e %U %S" -o "$out/time" "$@" > "$out/log" 2>&1 < /dev/null || true
		tail -n 1 "$out/time" >> "$out/times"
		i=$((i + 1))
	done
	sort -n "$out/times" | sed -n "$(((RUNS + 1) / 2))p" > "$out/time"
}

# line FORMAT TOOL: the row from $out/time, also kept in $out/rows
line() {
	tail -n 1 "$out/time" | awk -v f="$1" -v t="$2" -v mb="$MB" '{ w = $1; c = $2 + $3;
		printf "%s|%s|%.2f|%.2f|%.1f\n", f, t, w, c, mb * 1.048576 / (w > 0 ? w : 0.01) }' |
		tee -a "$out/rows" | awk -F'|' '{ printf "%-8s %-22s %8s %8s %9s\n", $1, $2, $3, $4, $5 }'
}

# row FORMAT TOOL OUTPUT CMD...: one line of the table; the file OUTPUT that
# CMD writes must start with the source image (chdman pads to its hunks)
row() {
	fmt=$1 tool=$2 result=$3
	shift 3
	rm -f "$out"/o.*
	run "$@"
	if ! cmp -s -n "$bytes" "$out/$result" "$in/src.iso"; then
		tail -3 "$out/log" | sed 's/^/bench:   /' >&2
		printf "%-8s %-22s %s\n" "$fmt" "$tool" "wrong or no output" | tee -a "$out/failed"
		rm -f "$out"/o.*
		return 0
	fi
	line "$fmt" "$tool"
	rm -f "$out"/o.*
}

# rowx FORMAT TOOL CMD...: a row whose output is not an ISO to compare
rowx() {
	fmt=$1 tool=$2
	shift 2
	run "$@"
	line "$fmt" "$tool"
	rm -f "$out"/o.*
}

echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; $(du -h "$in" | cut -f1) of inputs; $RUNS runs a row, median" >&2
ls -l "$in" | awk 'NR > 1 { printf "bench:   %-8s %12d bytes\n", $9, $5 }' >&2
printf "%-8s %-22s %8s %8s %9s\n" format tool "wall s" "cpu s" "MB/s"
row ISO  "cat"                 o.iso  sh -c "cat '$in/src.iso' > '$out/o.iso'"
if want chd; then
row CHD-CD "spindle convert"   o.iso  "$SPINDLE" convert $thr "$in/cd.chd" -o "$out/o.iso"
row CHD-CD "chdman extractcd"  o.bin  chdman extractcd -i "$in/cd.chd" -o "$out/o.cue" -ob "$out/o.bin"
row CHD-HD "spindle convert"   o.iso  "$SPINDLE" convert $thr "$in/hd.chd" -o "$out/o.iso"
row CHD-HD "chdman extracthd"  o.img  chdman extracthd -i "$in/hd.chd" -o "$out/o.img"
fi
if want daa; then
row DAA-v1 "spindle convert"   o.iso  "$SPINDLE" convert $thr "$in/v1.daa" -o "$out/o.iso"
row DAA-v1 "daa2iso"           o.iso  daa2iso "$in/v1.daa" "$out/o.iso"
row DAA-v2 "spindle convert"   o.iso  "$SPINDLE" convert $thr "$in/v2.daa" -o "$out/o.iso"
row DAA-v2 "daa2iso"           o.iso  daa2iso "$in/v2.daa" "$out/o.iso"
fi
if want dmg; then
row DMG    "spindle convert"   o.iso  "$SPINDLE" convert $thr "$in/a.dmg" -o "$out/o.iso"
row DMG    "dmg2img"           o.img  dmg2img "$in/a.dmg" "$out/o.img"
fi
want isz &&
row ISZ    "spindle convert"   o.iso  "$SPINDLE" convert $thr "$in/a.isz" -o "$out/o.iso"
if want mdf; then
rowx MDF   "cat (the .mdf)"    sh -c "cat '$in/mdf/disc.mdf' > '$out/o.mdf'"
row MDF    "spindle convert"   o.iso  "$SPINDLE" convert "$in/mdf/disc.mds" -o "$out/o.iso"
row MDF    "mdf2iso"           o.iso  mdf2iso "$in/mdf/disc.mdf" "$out/o.iso"
case " ${BENCH_SKIP:-} " in *" iat "*) ;; *)
RUNS=1  # iat scans the image for sync patterns: minutes a run
row MDF    "iat"               o.iso  iat "$in/mdf/disc.mdf" "$out/o.iso" ;;
esac
fi

# the ratios: spindle's wall time over the fastest peer's and over cat's
echo
echo "bench: load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
# ("x cat": against cat of the plain ISO, the bytes spindle writes; "x cat
# in": against cat of the input file itself, for an uncompressed one)
printf "%-8s %8s %13s %7s %7s %9s\n" format "spindle" "fastest peer" "x peer" "x cat" "x cat in"
awk -F'|' '$2 == "cat" { cat = $3 }
	$2 ~ /^cat [(]/ { catin[$1] = $3 }
	$2 ~ /^spindle/ { sp[$1] = $3; order[++n] = $1 }
	$2 !~ /^spindle/ && $2 !~ /^cat/ { if (!($1 in peer) || $3 < peer[$1]) peer[$1] = $3 }
	END { for (i = 1; i <= n; i++) { f = order[i]
		printf "%-8s %8.2f %13s %7s %7.2f %9s\n", f, sp[f],
		       f in peer ? sprintf("%.2f", peer[f]) : "-",
		       f in peer ? sprintf("%.2f", sp[f] / peer[f]) : "-", sp[f] / cat,
		       f in catin ? sprintf("%.2f", sp[f] / catin[f]) : "-" } }' "$out/rows"
[ ! -s "$out/failed" ] || { echo "bench: rows with wrong output:"; cat "$out/failed"; exit 1; }
