#!/bin/sh
# bench/audio.sh - rip time per minute of audio: spindle rip --audio (FLAC
# and WAV) against cd-paranoia -B (WAV), both through libcdio-paranoia in
# full paranoia mode, on the same BIN/CUE image made here: 4 tracks, one
# minute of audio in all.  RUNS (default 7) runs each, taking turns; the
# medians are reported.  spindle fsyncs every file it
# writes (tmp, fsync, rename); cd-paranoia does not.
#
#   sh bench/audio.sh [SPINDLE]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
spindle=${1:-$top/spindle}
command -v cd-paranoia >/dev/null || { echo "cd-paranoia (Debian package cd-paranoia) is missing"; exit 1; }
w=$(mktemp -d /tmp/spindle-bench-audio-XXXXXX)
trap 'rm -rf "$w"' EXIT
python3 - "$w" <<'PY'
import random, sys
d = sys.argv[1]
r = random.Random(1)
lens = [1200, 1100, 1300, 900]          # sectors: 4500 = 60 s
open(d + "/disc.bin", "wb").write(r.randbytes(sum(lens) * 2352))
cue, pos = ['FILE "disc.bin" BINARY'], 0
for i, n in enumerate(lens):
    cue += ["  TRACK %02d AUDIO" % (i + 1), "    INDEX 01 %02d:%02d:%02d" % (pos // 4500, pos // 75 % 60, pos % 75)]
    pos += n
open(d + "/disc.cue", "w").write("\n".join(cue) + "\n")
PY
# run LABEL CMD...: one timed run, appended to $w/LABEL.times as
# "wall cpu" (seconds; one minute of audio, so per minute of audio)
run() {
	label=$1; shift
	/usr/bin/time -f "%e %U %S" -o "$w/time" "$@" > /dev/null 2>&1
	awk '{ print $1, $2 + $3 }' "$w/time" >> "$w/$label.times"
}
# report LABEL TITLE: the median wall and CPU time of LABEL's runs
report() {
	sort -n "$w/$1.times" | awk -v t="$2" '{ wall[NR] = $1; cpu[NR] = $2 }
		END { m = int((NR + 1) / 2); printf "%-28s %5.2f s wall, %5.2f s CPU per minute of audio (median of %d)\n", t, wall[m], cpu[m], NR }'
}
command -v /usr/bin/time >/dev/null || { echo "/usr/bin/time (Debian package time) is missing"; exit 1; }

# the tools take turns, RUNS times, so that a busy moment hits them alike
RUNS=${RUNS:-7}
mkdir "$w/cdp"
i=0
while [ $i -lt "$RUNS" ]; do
	rm -rf "$w/flac" "$w/wav" "$w/cdp"/*
	run flac "$spindle" rip --audio -q -o "$w/flac" "$w/disc.cue"
	run wav "$spindle" rip --audio -q --format wav -o "$w/wav" "$w/disc.cue"
	(cd "$w/cdp" && run cdp cd-paranoia -q -c -B -d "$w/disc.cue")
	i=$((i + 1))
done
report flac "spindle rip --audio (FLAC)"
report wav "spindle rip --audio (WAV)"
report cdp "cd-paranoia -B (WAV)"
# the same samples, or the comparison means nothing
for n in 1 2 3 4; do
	cmp -s "$w/wav/0$n.wav" "$w/cdp/track0$n.cdda.wav" || echo "warning: track $n differs between the tools"
done
