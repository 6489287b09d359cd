#!/bin/sh
# check.sh - the whole test suite, from a fresh clone, as root on Debian
# bookworm: installs what is missing, builds, then runs
#   make check                unit, integration, simulator and VM tests;
#   make check-valgrind       the suite under valgrind memcheck, then
#   make fuzz-build, fuzz-smoke
#                             the libFuzzer build (build-fuzz/) and every
#                             target: its committed corpus, then
#                             FUZZ_SECONDS of fuzzing;
#   make san-build, check-sanitizers
#                             the ASan+UBSan build (build-san/) and the
#                             suite with it.
# The three lines run side by side from the start, so that no core waits
# for a pass to end.  Any memory checker report fails.  The
# memory-checking passes run the tests tests/memcheck-set.txt chooses
# for them, with data volume smaller (SPINDLE_SCALE, tests/lib.sh).
# Each configuration is built once; compilers go through ccache when it is
# installed (setup.sh installs it).  Ends with the wall and CPU time of
# each pass and of the whole run, then one line "N passed, M failed[, K
# skipped]" counting them all; exit status 1 on any failure.
# SPINDLE_CHECK_QUICK=1 runs only make check (without the other builds).
set -eu
cd "$(dirname "$0")"
t_start=$(date +%s)
./setup.sh --no-demo
t_built=$(date +%s)
# the builds of the other configurations use the compiler cache too
if [ -d /usr/lib/ccache ] && [ -z "${SPINDLE_NO_CCACHE:-}" ]; then
	PATH=/usr/lib/ccache:$PATH
	CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=$(pwd)
	export PATH CCACHE_NOHASHDIR CCACHE_BASEDIR
fi
# check.sh's own logs: tests/out belongs to the normal pass, which clears it
logs=tests/out-check
rm -rf "$logs" build-san/tests/out/results.txt tests/out-valgrind/results.txt build-fuzz/results.txt
mkdir -p "$logs"
# one cache of generated fixtures for all the passes (tests/fixture_cache.py),
# where tests run as nobody can reach it too
SPINDLE_FIXTURE_CACHE=$(mktemp -d /tmp/spindle-fixtures-XXXXXX)
chmod 1777 "$SPINDLE_FIXTURE_CACHE"
trap 'rm -rf "$SPINDLE_FIXTURE_CACHE"' EXIT
export SPINDLE_FIXTURE_CACHE

# timed NAME COMMAND...: run COMMAND, record "NAME WALL CPU STATUS" in
# $logs/times (CPU: user+system seconds of all its processes)
timed() {
	name=$1
	shift
	t0=$(date +%s)
	/usr/bin/time -f '%U %S' -o "$logs/$name.cpu" "$@"
	rc=$?
	t1=$(date +%s)
	cpu=$(awk '/^[0-9.]+ [0-9.]+$/ { printf "%.0f", $1 + $2 }' "$logs/$name.cpu" 2> /dev/null)
	echo "$name $((t1 - t0)) ${cpu:-?} $rc" >> "$logs/times"
	return $rc
}

status=0
results=tests/out/results.txt
if [ -z "${SPINDLE_CHECK_QUICK:-}" ]; then
	# what all the passes of this build run, made before they start side
	# by side (two makes must not build the same file at once)
	make -j"$(nproc)" check-programs > "$logs/check-programs.log" 2>&1 ||
		{ cat "$logs/check-programs.log"; exit 1; }
	# All passes at once, so that the cores never wait for a pass to end,
	# in three lines of about the same CPU time beside the normal pass: the
	# valgrind pass, then the fuzzing build and the fuzz smoke; the
	# sanitizer build, then the ASan+UBSan pass.  Each pass starts its
	# longest parts first (tests/run.sh).
	(
		rc=0
		timed valgrind make check-valgrind > "$logs/check-valgrind.log" 2>&1 || rc=1
		if timed build-fuzz make fuzz-build > "$logs/builds-fuzz.log" 2>&1; then
			timed fuzz make fuzz-smoke > "$logs/fuzz-smoke.log" 2>&1 || rc=1
		else
			rc=1
		fi
		exit $rc
	) &
	vg=$!
	(
		if timed build-san make san-build > "$logs/builds.log" 2>&1; then
			timed asan+ubsan make check-sanitizers > "$logs/check-sanitizers.log" 2>&1 || exit 1
		else
			exit 1
		fi
	) &
	san=$!
fi
SPINDLE_SUBTOTAL=normal timed normal make check || status=1
if [ -z "${SPINDLE_CHECK_QUICK:-}" ]; then
	wait $san || status=1
	wait $vg || status=1
	cat "$logs/builds.log" "$logs/builds-fuzz.log" "$logs/check-sanitizers.log" \
		"$logs/check-valgrind.log" "$logs/fuzz-smoke.log" 2> /dev/null
	results="$results build-san/tests/out/results.txt tests/out-valgrind/results.txt build-fuzz/results.txt"
fi
for f in $results; do
	[ -f "$f" ] || { echo "not ok - $f was not written: that step failed to build or run"; status=1; }
done > "$logs/missing.txt"
cat "$logs/missing.txt"
t_end=$(date +%s)
echo "# time per pass (wall s, CPU s; side by side passes overlap):"
echo "#   setup and build: $((t_built - t_start)) s wall"
while read -r name wall cpu rc; do
	line="#   $name: $wall s wall, $cpu CPU s"
	[ "$rc" = 0 ] || line="$line, exit status $rc"
	echo "$line"
done < "$logs/times"
echo "#   whole run: $((t_end - t_start)) s wall ($(((t_end - t_start) / 60)) min $(((t_end - t_start) % 60)) s)"
# shellcheck disable=SC2086
sh tests/run.sh --total "$logs/missing.txt" $(ls $results 2> /dev/null) || status=1
exit $status
