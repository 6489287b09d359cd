#!/bin/sh
# check.sh - the whole test suite, from a fresh clone, as root on Debian
# bookworm: installs what is missing, builds, then runs
#   1. make check             unit, integration, simulator and VM tests;
#   2. make check-sanitizers  the suite built with ASan+UBSan in build-san/
#      make check-valgrind    and the suite under valgrind memcheck, side by
#                             side (both wait on processes more than they
#                             compute); any report fails;
#   3. make fuzz-smoke        every libFuzzer target for 60 s (build-fuzz/).
# Ends with one line "N passed, M failed[, K skipped]" counting them all;
# exit status 1 on any failure.  SPINDLE_CHECK_QUICK=1 runs only step 1.
set -eu
cd "$(dirname "$0")"
./setup.sh --no-demo
rm -f build-san/tests/out/results.txt tests/out-valgrind/results.txt build-fuzz/results.txt

status=0
SPINDLE_SUBTOTAL=normal make check || status=1
results=tests/out/results.txt
if [ -z "${SPINDLE_CHECK_QUICK:-}" ]; then
	make check-sanitizers > tests/out/check-sanitizers.log 2>&1 &
	san=$!
	make check-valgrind > tests/out/check-valgrind.log 2>&1 || status=1
	wait $san || status=1
	cat tests/out/check-sanitizers.log tests/out/check-valgrind.log
	make fuzz-smoke || status=1
	results="$results build-san/tests/out/results.txt tests/out-valgrind/results.txt build-fuzz/results.txt"
fi
for f in $results; do
	[ -f "$f" ] || { echo "not ok - $f was not written: that step failed to build or run"; status=1; }
done > tests/out/missing.txt
cat tests/out/missing.txt
# shellcheck disable=SC2086
sh tests/run.sh --total tests/out/missing.txt $(ls $results 2> /dev/null) || status=1
exit $status
