#!/bin/sh
# run.sh [LIBFUZZER-FLAG...] -- TARGET... - run libFuzzer targets built in
# $FUZZ_DIR (make fuzz-build), FUZZ_JOBS (default 2) at a time, each with
# its seed corpus tests/fuzz/corpus/NAME (read only) and a working corpus
# $FUZZ_DIR/corpus/NAME that grows from run to run.  Prints one
# "ok"/"not ok" line per target with its number of executions, writes them
# to $FUZZ_DIR/results.txt, and exits 1 if any target found something (the
# input is kept as $FUZZ_DIR/crashes/NAME-crash-...).  A target may add
# libFuzzer flags of its own in tests/fuzz/NAME.options (one line, after
# the common ones, so they win).
#
#   make fuzz-smoke                       60 s per target (CI)
#   FUZZ_DIR=build-fuzz nice -n 19 sh tests/fuzz/run.sh -runs=10000000 -- \
#       tests/fuzz/fuzz_size              a long run
set -u
: "${FUZZ_DIR:?}"
: "${FUZZ_JOBS:=2}"
top=$(cd "$(dirname "$0")/../.." && pwd)
flags=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	flags="$flags $1"
	shift
done
[ $# -gt 0 ] && shift
mkdir -p "$FUZZ_DIR/crashes" "$FUZZ_DIR/logs"
# leaks inside libraries that spindle cannot fix (see the file)
LSAN_OPTIONS="suppressions=$top/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

# one TARGET: run it, print its result line
one() {
	name=$(basename "$1")
	work=$FUZZ_DIR/corpus/$name
	seeds=$top/tests/fuzz/corpus/$name
	log=$FUZZ_DIR/logs/$name.log
	mkdir -p "$work"
	[ -d "$seeds" ] || { echo "not ok - fuzz: $name (no seed corpus $seeds)"; return; }
	# a target's own libFuzzer flags, one line (see tests/fuzz/NAME.options)
	extra=$(cat "$top/tests/fuzz/$name.options" 2> /dev/null || true)
	# shellcheck disable=SC2086
	"$FUZZ_DIR/$1" $flags -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 $extra \
		-artifact_prefix="$FUZZ_DIR/crashes/$name-" "$work" "$seeds" > "$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		echo "ok - fuzz: $name (${execs:-?} executions)"
	else
		art=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
		echo "not ok - fuzz: $name (exit $rc after ${execs:-?} executions; input ${art:-none}; see $log)"
	fi
}

results=$FUZZ_DIR/results.txt
: > "$results"
running=0
for t in "$@"; do
	one "$t" >> "$results" &
	running=$((running + 1))
	if [ "$running" -ge "$FUZZ_JOBS" ]; then
		wait
		running=0
	fi
done
wait
cat "$results"
! grep -q '^not ok ' "$results"
