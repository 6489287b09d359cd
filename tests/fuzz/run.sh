#!/bin/sh
# run.sh [LIBFUZZER-FLAG...] -- TARGET... - run libFuzzer targets built in
# $FUZZ_DIR (make fuzz-build), FUZZ_JOBS (default: the number of CPUs) at
# a time.  Each target first runs every input of its committed corpus
# tests/fuzz/corpus/NAME (read only; libFuzzer executes all of it before it
# mutates anything, whatever the time limit), then fuzzes from it, adding
# what it finds to a working corpus $FUZZ_DIR/corpus/NAME.  Prints one
# "ok"/"not ok" line per target with the number of corpus inputs and of
# executions, writes them to $FUZZ_DIR/results.txt, and exits 1 if any
# target found something (the input is kept as
# $FUZZ_DIR/crashes/NAME-crash-...) or did not get through its corpus.  A
# target may add libFuzzer flags of its own in tests/fuzz/NAME.options
# (one line, after the common ones, so they win).  With FUZZ_ALL=1 (make
# fuzz-smoke), every tests/fuzz/*.c defining LLVMFuzzerTestOneInput (a line
# starting "int LLVMFuzzerTestOneInput(") must be
# among the targets given (FUZZ_TARGETS), so that a new target cannot be
# left out of the smoke.
#
#   make fuzz-smoke                       the corpus, then FUZZ_SECONDS (CI)
#   FUZZ_DIR=build-fuzz nice -n 19 sh tests/fuzz/run.sh -runs=10000000 -- \
#       tests/fuzz/fuzz_size              a long run
#   FUZZ_DIR=build-fuzz FUZZ_MERGE=1 sh tests/fuzz/run.sh -max_total_time=300 -- \
#       tests/fuzz/fuzz_size              grow the committed corpus: fuzz, then
#                                         merge what adds coverage into it
set -u
: "${FUZZ_DIR:?}"
: "${FUZZ_JOBS:=$(nproc 2> /dev/null || echo 2)}"
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
	nseeds=$(find "$seeds" -type f | wc -l)
	# "#N INITED": N inputs run before the first mutation, the corpus at least
	inited=$(sed -n 's/^#\([0-9]*\)[[:space:]]*INITED .*/\1/p' "$log" | head -n 1)
	if [ $rc -eq 0 ] && [ "${inited:-0}" -lt "$nseeds" ]; then
		echo "not ok - fuzz: $name (did not get through its corpus of $nseeds inputs; see $log)"
	elif [ $rc -eq 0 ]; then
		echo "ok - fuzz: $name ($nseeds corpus inputs, then ${execs:-?} executions in all)"
		if [ -n "${FUZZ_MERGE:-}" ]; then
			# keep what the run found that the committed corpus lacks
			"$FUZZ_DIR/$1" -merge=1 -rss_limit_mb=2048 $extra "$seeds" "$work" \
				> "$FUZZ_DIR/logs/$name.merge.log" 2>&1 ||
				echo "# fuzz: $name: merge failed, see $FUZZ_DIR/logs/$name.merge.log"
		fi
	else
		art=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
		echo "not ok - fuzz: $name (exit $rc after ${execs:-?} executions; input ${art:-none}; see $log)"
	fi
}

results=$FUZZ_DIR/results.txt
: > "$results"
# a fuzz target left out of FUZZ_TARGETS would silently never run
for src in "$top"/tests/fuzz/*.c; do
	[ -n "${FUZZ_ALL:-}" ] || break
	grep -q '^int LLVMFuzzerTestOneInput *(' "$src" 2> /dev/null || continue
	t=tests/fuzz/$(basename "$src" .c)
	case " $* " in *" $t "*) ;; *)
		echo "not ok - fuzz: $t is not in FUZZ_TARGETS (Makefile.am)" >> "$results" ;;
	esac
done
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
