#!/bin/sh
# run.sh - the whole test suite: unit tests, integration tests (tests/cli,
# tests/mmcsim), and the VM test bed (tests/vm, unless SPINDLE_NO_VM=1).
# Every part prints "ok"/"not ok"/"skip" lines; this counts them and ends
# with one line "N passed, M failed[, K skipped]".  Exit status 1 on any
# failure.
#
#   run.sh                  run the suite
#   run.sh --total FILE...  only count the result lines of earlier runs
#                           (check.sh adds up its passes this way)
#
# Environment: SPINDLE, UNITTEST, TOP_SRCDIR, TOP_BUILDDIR (set by make),
# SPINDLE_NO_VM=1 to leave out the VM, SPINDLE_VM_ONLY=1 to run only the
# VM (make check-vm), SPINDLE_VALGRIND=1 to run spindle
# and the unit tests under valgrind memcheck, TEST_FILTER=glob to run only
# matching scripts.
#
# Memory checkers: SPINDLE_REPORT_DIR names a directory where sanitizers
# (ASAN_OPTIONS/UBSAN_OPTIONS log_path=...) or valgrind (--log-file) write
# their reports.  Any non-empty report that appears while a part runs makes
# that part fail, whatever the exit status of the process: a test that
# expects spindle to fail must not hide a memory error.  SPINDLE_PASS=NAME
# labels every result line "[NAME]" and turns the per-run count into a
# comment, so that several passes can be added up by --total.
set -u

# summary FILE...: the one-line count, exit status 1 on any failure
summary() {
	pass=$(cat "$@" | grep -c '^ok ')
	fail=$(cat "$@" | grep -c '^not ok ')
	skip=$(cat "$@" | grep -c '^skip ')
	if [ "$fail" -gt 0 ]; then
		echo "# failures (details in tests/out/*.log):"
		cat "$@" | grep '^not ok ' | sed 's/^/#   /'
	fi
	line="$pass passed, $fail failed"
	[ "$skip" -gt 0 ] && line="$line, $skip skipped"
	echo "$SUMMARY_PREFIX$line"
	[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
}

SUMMARY_PREFIX=
if [ "${1:-}" = "--total" ]; then
	shift
	summary "$@"
	exit
fi

: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${TOP_BUILDDIR:=$TOP_SRCDIR}"
: "${SPINDLE:=$TOP_BUILDDIR/spindle}"
: "${UNITTEST:=$TOP_BUILDDIR/tests/unit/unittest}"
# SPINDLE may become a wrapper (valgrind); SPINDLE_BIN is always the binary
: "${SPINDLE_BIN:=$SPINDLE}"
export TOP_SRCDIR TOP_BUILDDIR SPINDLE UNITTEST SPINDLE_BIN

out="$TOP_BUILDDIR/tests/out"
rm -rf "$out"
mkdir -p "$out"
log="$out/all.log"
: > "$log"
label=${SPINDLE_PASS:+[$SPINDLE_PASS] }
# SPINDLE_SUBTOTAL=NAME: only the count is a comment (check.sh's first pass)
[ -n "${SPINDLE_SUBTOTAL:-}" ] && SUMMARY_PREFIX="# $SPINDLE_SUBTOTAL pass: "
[ -n "${SPINDLE_PASS:-}" ] && SUMMARY_PREFIX="# $SPINDLE_PASS pass: "

if [ -n "${SPINDLE_VALGRIND:-}" ]; then
	: "${SPINDLE_REPORT_DIR:=$out/valgrind}"
	mkdir -p "$SPINDLE_REPORT_DIR"
	# definite leaks and errors only: libburn's threads keep "possibly
	# lost" blocks at exit, which are not ours to fix
	VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full \
--show-leak-kinds=definite --errors-for-leak-kinds=definite \
--suppressions=$TOP_SRCDIR/tests/valgrind.supp \
--log-file=$SPINDLE_REPORT_DIR/vg.%p"
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$VALGRIND" "$SPINDLE_BIN" > "$out/spindle-vg"
	chmod +x "$out/spindle-vg"
	SPINDLE=$out/spindle-vg
fi
if [ -n "${SPINDLE_REPORT_DIR:-}" ]; then
	mkdir -p "$SPINDLE_REPORT_DIR/seen"
fi
export SPINDLE SPINDLE_REPORT_DIR

# reports NAME: fail NAME for each new non-empty memory checker report
reports() {
	[ -n "${SPINDLE_REPORT_DIR:-}" ] || return 0
	for f in "$SPINDLE_REPORT_DIR"/*; do
		[ -f "$f" ] || continue
		if [ -s "$f" ]; then
			echo "not ok - $1: memory checker report $(basename "$f") (see tests/out/$1.log)"
			{ echo "# report $f:"; sed 's/^/#   /' "$f"; } >> "$out/$1.log"
		fi
		mv "$f" "$SPINDLE_REPORT_DIR/seen/"
	done
}

run_part() {
	name=$1
	shift
	echo "# --- $name" >> "$log"
	"$@" > "$out/$name.log" 2>&1
	rc=$?
	{
		grep -E '^(ok|not ok|skip) ' "$out/$name.log"
		# a part that crashed without reporting is a failure of its own
		if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out/$name.log"; then
			echo "not ok - $name exited with status $rc (see tests/out/$name.log)"
		fi
		reports "$name"
	} | sed -E "s/^(ok|not ok|skip)( [0-9]+)? - /\\1\\2 - $label/"
	cat "$out/$name.log" >> "$log"
}

{
	if [ -n "${SPINDLE_VM_ONLY:-}" ]; then
		:
	elif [ -n "${SPINDLE_VALGRIND:-}" ]; then
		# shellcheck disable=SC2086
		run_part unit $VALGRIND "$UNITTEST"
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
summary "$out/results.txt"
