#!/bin/sh
# run.sh - the whole test suite: unit tests, integration tests (tests/cli,
# tests/mmcsim), and the VM test bed (tests/vm, unless SPINDLE_NO_VM=1).
# Every part prints "ok"/"not ok"/"skip" lines; this counts them and ends
# with one line "N passed, M failed[, K skipped]".  Exit status 1 on any
# failure.
#
# Environment: SPINDLE, UNITTEST, TOP_SRCDIR, TOP_BUILDDIR (set by make),
# SPINDLE_NO_VM=1 to leave out the VM, SPINDLE_VM_ONLY=1 to run only the
# VM (make check-vm), SPINDLE_VALGRIND=1 to run spindle
# and the unit tests under valgrind memcheck, TEST_FILTER=glob to run only
# matching scripts.
set -u
: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${TOP_BUILDDIR:=$TOP_SRCDIR}"
: "${SPINDLE:=$TOP_BUILDDIR/spindle}"
: "${UNITTEST:=$TOP_BUILDDIR/tests/unit/unittest}"
export TOP_SRCDIR TOP_BUILDDIR SPINDLE UNITTEST

out="$TOP_BUILDDIR/tests/out"
rm -rf "$out"
mkdir -p "$out"
log="$out/all.log"
: > "$log"

run_part() {
	name=$1
	shift
	echo "# --- $name" >> "$log"
	"$@" > "$out/$name.log" 2>&1
	rc=$?
	cat "$out/$name.log" >> "$log"
	grep -E '^(ok|not ok|skip) ' "$out/$name.log"
	# a part that crashed without reporting is a failure of its own
	if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out/$name.log"; then
		echo "not ok - $name exited with status $rc (see tests/out/$name.log)"
	fi
}

{
	if [ -n "${SPINDLE_VM_ONLY:-}" ]; then
		:
	elif [ -n "${SPINDLE_VALGRIND:-}" ]; then
		run_part unit valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite "$UNITTEST"
	else
		run_part unit "$UNITTEST"
	fi
	for t in "$TOP_SRCDIR"/tests/cli/test_*.sh "$TOP_SRCDIR"/tests/mmcsim/test_*.sh; do
		[ -f "$t" ] && [ -z "${SPINDLE_VM_ONLY:-}" ] || continue
		case "$(basename "$t")" in ${TEST_FILTER:-*}) ;; *) continue ;; esac
		run_part "$(basename "$t" .sh)" sh "$t"
	done
	if [ -z "${SPINDLE_NO_VM:-}" ] && [ -x "$TOP_SRCDIR/tests/vm/run.sh" ]; then
		run_part vm "$TOP_SRCDIR/tests/vm/run.sh"
	fi
} > "$out/results.txt"

cat "$out/results.txt"
pass=$(grep -c '^ok ' "$out/results.txt")
fail=$(grep -c '^not ok ' "$out/results.txt")
skip=$(grep -c '^skip ' "$out/results.txt")
if [ "$fail" -gt 0 ]; then
	echo "# failures (details in tests/out/*.log):"
	grep '^not ok ' "$out/results.txt" | sed 's/^/#   /'
fi
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
