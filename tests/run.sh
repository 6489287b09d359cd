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
# VM (make check-vm), SPINDLE_TEST_JOBS=N parts at a time (default: the
# number of CPUs), SPINDLE_TEST_OUT=DIR for the logs and results (default
# tests/out), SPINDLE_QUICK=1 to run only the unit tests and QUICK_TESTS
# (make check-quick, which make distcheck and the Debian package build
# run), SPINDLE_VALGRIND=1 to run spindle, the unit tests and every fuzz
# target's corpus (tests/fuzz/replay.sh) under valgrind memcheck, leaving
# out tests/valgrind-skip.txt's scripts, TEST_FILTER=glob to run only
# matching scripts, SPINDLE_MEMCHECK_ALL=1 for every test in the
# memory-checking passes (otherwise tests/memcheck-set.txt's choice).
# The memory-checking passes (SPINDLE_VALGRIND, or
# SPINDLE_REPORT_DIR for the sanitizers) export SPINDLE_MEMCHECK=1 and
# SPINDLE_SCALE=10 for the tests (tests/lib.sh: `scaled`, `memcheck_pass`).
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

# reports NAME: fail NAME for each non-empty memory checker report
reports() {
	[ -n "${SPINDLE_REPORT_DIR:-}" ] || return 0
	for f in "$SPINDLE_REPORT_DIR"/*; do
		[ -f "$f" ] || continue
		# valgrind 3.19 knows no BLKRRPART (0x125f), which a stick's
		# release calls (drive/blockdev_open.c), and warns that "this
		# could cause spurious value errors": that ioctl takes no
		# argument, so it cannot.  Exactly that three-line warning goes.
		awk '/noted but unhandled ioctl 0x125f with no size\/direction hints/ { skip = 2; next }
			skip > 0 && /could cause spurious value errors|README_MISSING_SYSCALL_OR_IOCTL/ { skip--; next }
			{ skip = 0; print }' "$f" > "$f.tmp" && mv "$f.tmp" "$f"
		if [ -s "$f" ]; then
			echo "not ok - $1: memory checker report $(basename "$f") (see tests/out/$1.log)"
			{ echo "# report $f:"; sed 's/^/#   /' "$f"; } >> "$out/$1.log"
		fi
	done
}

# light_debuginfo PROGRAM...: in this mount namespace (see the top), bind
# a symbol-table-only copy over each separate debug file of the libraries
# the programs load; one that cannot be made stays whole
light_debuginfo() {
	mkdir -p "$SPINDLE_PUB/debug"
	for lib in $(ldd "$@" 2> /dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }' | sort -u); do
		id=$(readelf -n "$lib" 2> /dev/null | awk '/Build ID:/ { print $3; exit }')
		[ -n "$id" ] || continue
		dbg=/usr/lib/debug/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-).debug
		[ -f "$dbg" ] || continue
		copy=$SPINDLE_PUB/debug/$id.debug
		objcopy --strip-debug "$dbg" "$copy" 2> /dev/null && chmod 644 "$copy" &&
			mount --bind "$copy" "$dbg" 2> /dev/null ||
			echo "# valgrind reads the whole $dbg" >&2
	done
}

# --part NAME COMMAND...: run one part (called through xargs, below), its
# output to tests/out/NAME.log, its result lines to tests/out/NAME.res
if [ "${1:-}" = "--part" ]; then
	name=$2
	shift 2
	out=$SPINDLE_RUN_OUT
	if [ -n "${SPINDLE_REPORT_DIR:-}" ]; then
		# this part's own report directory, for sanitizers and valgrind,
		# in the public directory: tests run spindle as nobody too, and
		# it must be able to report
		base=$SPINDLE_REPORT_DIR
		SPINDLE_REPORT_DIR=$SPINDLE_PUB/reports/$name
		mkdir -p "$SPINDLE_REPORT_DIR"
		chmod 1777 "$SPINDLE_REPORT_DIR"
		ASAN_OPTIONS=$(echo "${ASAN_OPTIONS:-}" | sed "s|log_path=$base/|log_path=$SPINDLE_REPORT_DIR/|")
		UBSAN_OPTIONS=$(echo "${UBSAN_OPTIONS:-}" | sed "s|log_path=$base/|log_path=$SPINDLE_REPORT_DIR/|")
		export SPINDLE_REPORT_DIR ASAN_OPTIONS UBSAN_OPTIONS
	fi
	case "$1" in
	vg:*)	# the unit tests under valgrind
		cmd=${1#vg:}
		shift
		# shellcheck disable=SC2086
		set -- $VALGRIND --log-file="$SPINDLE_REPORT_DIR/vg.%p" "$cmd" "$@" ;;
	esac
	t0=$(date +%s)
	# CPU seconds (user+system, this part's processes) beside the wall
	# time: the wall time depends on the machine's load, the CPU time less
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%U %S' -o "$out/$name.cpu" "$@" > "$out/$name.log" 2>&1
	else
		"$@" > "$out/$name.log" 2>&1
	fi
	rc=$?
	t1=$(date +%s)
	cpu=$(awk '/^[0-9.]+ [0-9.]+$/ { printf "%.1f", $1 + $2 }' "$out/$name.cpu" 2> /dev/null)
	{
		echo "# $name took $((t1 - t0)) s, ${cpu:-?} CPU s"
		grep -E '^(ok|not ok|skip) ' "$out/$name.log"
		# a part that crashed without reporting is a failure of its own
		if [ $rc -ne 0 ] && ! grep -q '^not ok ' "$out/$name.log"; then
			echo "not ok - $name exited with status $rc (see tests/out/$name.log)"
		fi
		reports "$name"
		# kept beside the logs: the public directory goes at the end
		if [ -n "${base:-}" ] && [ -n "$(ls -A "$SPINDLE_REPORT_DIR" 2> /dev/null)" ]; then
			mkdir -p "$base/$name" && cp "$SPINDLE_REPORT_DIR"/* "$base/$name/" 2> /dev/null
		fi
	} | sed -E "s/^(ok|not ok|skip)( [0-9]+)? - /\\1\\2 - $SPINDLE_RUN_LABEL/" > "$out/$name.res"
	exit 0
fi

# make check-valgrind, as root: the whole pass in a mount namespace of its
# own, where glibc's separate debug files (libc6-dbg, which valgrind needs
# for ld.so) are replaced by copies with their symbol tables only (see
# light_debuginfo below).  Valgrind reads them at every start; their DWARF
# costs about 0.3 CPU s of each spindle run's 0.8 s start-up, over a
# thousand runs.  Memcheck's checks and its redirections of glibc's
# functions (found by symbol name) are the same; reports lose only the file
# and line of frames inside glibc.  SPINDLE_VG_FULL_DEBUGINFO=1 keeps them.
if [ -n "${SPINDLE_VALGRIND:-}" ] && [ -z "${SPINDLE_VG_NS:-}" ] &&
   [ -z "${SPINDLE_VG_FULL_DEBUGINFO:-}" ] && [ "$(id -u)" -eq 0 ] &&
   command -v unshare > /dev/null && command -v objcopy > /dev/null &&
   unshare -m true 2> /dev/null; then
	SPINDLE_VG_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi

# Tests run Debian's tools, the ones setup.sh installs (python3 with its
# python3-* modules, the peers), before any a user's PATH puts first: a
# version manager's shim for python3 (pyenv's, on these machines) costs
# 0.7 CPU s a start against 0.1 s, hundreds of times a pass.
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export PATH

: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${TOP_BUILDDIR:=$TOP_SRCDIR}"
: "${SPINDLE:=$TOP_BUILDDIR/spindle}"
: "${UNITTEST:=$TOP_BUILDDIR/tests/unit/unittest}"
# SPINDLE may become a wrapper (valgrind); SPINDLE_BIN is always the binary
: "${SPINDLE_BIN:=$SPINDLE}"
export TOP_SRCDIR TOP_BUILDDIR SPINDLE UNITTEST SPINDLE_BIN

out=${SPINDLE_TEST_OUT:-$TOP_BUILDDIR/tests/out}
rm -rf "$out"
mkdir -p "$out"

# Tests run spindle as an unprivileged user (nobody), who cannot reach
# into a checkout that lives in a private (0700) directory, such as one
# made by mktemp -d.  So whatever such a run needs (spindle, its valgrind
# wrapper and suppressions, the simulator library, the memory checker
# report directories) goes into a directory of this run that everyone can
# reach, removed at the end.  Tests use $SPINDLE_BIN, never the build's
# path, to run spindle.
SPINDLE_PUB=$(mktemp -d /tmp/spindle-run-XXXXXX)
trap 'rm -rf "$SPINDLE_PUB"' EXIT
trap 'exit 130' INT TERM
chmod 755 "$SPINDLE_PUB"
mkdir "$SPINDLE_PUB/bin" "$SPINDLE_PUB/reports"
chmod 1777 "$SPINDLE_PUB/reports"
cp "$SPINDLE_BIN" "$SPINDLE_PUB/bin/spindle"
[ "$SPINDLE" = "$SPINDLE_BIN" ] && SPINDLE=$SPINDLE_PUB/bin/spindle
SPINDLE_BIN=$SPINDLE_PUB/bin/spindle
if [ -n "${MMCSIM_LIB:-}" ] && [ -f "$MMCSIM_LIB" ]; then
	cp "$MMCSIM_LIB" "$SPINDLE_PUB/bin/libmmcsim.so"
	MMCSIM_LIB=$SPINDLE_PUB/bin/libmmcsim.so
	export MMCSIM_LIB
fi
chmod -R a+rX "$SPINDLE_PUB"
export SPINDLE_PUB SPINDLE SPINDLE_BIN
# the fixture generators' outputs, made once (tests/fixture_cache.py):
# check.sh gives its passes one cache; otherwise this run has its own
if [ -z "${SPINDLE_FIXTURE_CACHE:-}" ]; then
	SPINDLE_FIXTURE_CACHE=$SPINDLE_PUB/fixtures
	mkdir -m 1777 "$SPINDLE_FIXTURE_CACHE"
fi
export SPINDLE_FIXTURE_CACHE
log="$out/all.log"
: > "$log"
label=${SPINDLE_PASS:+[$SPINDLE_PASS] }
# SPINDLE_SUBTOTAL=NAME: only the count is a comment (check.sh's first pass)
[ -n "${SPINDLE_SUBTOTAL:-}" ] && SUMMARY_PREFIX="# $SPINDLE_SUBTOTAL pass: "
[ -n "${SPINDLE_PASS:-}" ] && SUMMARY_PREFIX="# $SPINDLE_PASS pass: "

# The parts run SPINDLE_TEST_JOBS at a time (default: the number of
# CPUs); most of them wait on I/O, timeouts and child processes more than
# they compute.  Each part writes its own log and result file, with its
# own memory checker report directory, so that a report is charged to the
# part whose process wrote it.
: "${SPINDLE_TEST_JOBS:=$(nproc 2> /dev/null || echo 2)}"
# The quick form: a few seconds each, covering the command line, the
# installed files, and one master, burn and verify on a virtual drive.
QUICK_TESTS="test_basics test_completion test_install test_burn_dir test_verify"
VALGRIND=
if [ -n "${SPINDLE_VALGRIND:-}" ]; then
	: "${SPINDLE_REPORT_DIR:=$out/valgrind}"
	# definite leaks and errors only: libburn's threads keep "possibly
	# lost" blocks at exit, which are not ours to fix.  The log file is
	# named when valgrind starts, in the part's report directory.
	cp "$TOP_SRCDIR/tests/valgrind.supp" "$SPINDLE_PUB/bin/valgrind.supp"
	VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full \
--show-leak-kinds=definite --errors-for-leak-kinds=definite \
--suppressions=$SPINDLE_PUB/bin/valgrind.supp"
	# shellcheck disable=SC2016
	printf '#!/bin/sh\nexec %s --log-file="$SPINDLE_REPORT_DIR/vg.%%p" "%s" "$@"\n' \
		"$VALGRIND" "$SPINDLE_BIN" > "$SPINDLE_PUB/bin/spindle-vg"
	chmod 755 "$SPINDLE_PUB/bin/spindle-vg" "$SPINDLE_PUB/bin/valgrind.supp"
	SPINDLE=$SPINDLE_PUB/bin/spindle-vg
	[ -z "${SPINDLE_VG_NS:-}" ] || light_debuginfo "$SPINDLE_BIN" "$UNITTEST"
fi
[ -n "${SPINDLE_REPORT_DIR:-}" ] && mkdir -p "$SPINDLE_REPORT_DIR"
export SPINDLE SPINDLE_REPORT_DIR VALGRIND
# the memory-checking passes (valgrind, sanitizers: they report to
# SPINDLE_REPORT_DIR) run what is only data volume smaller: tests/lib.sh
if [ -n "${SPINDLE_VALGRIND:-}${SPINDLE_REPORT_DIR:-}" ]; then
	SPINDLE_MEMCHECK=1
	: "${SPINDLE_SCALE:=10}"
	export SPINDLE_MEMCHECK SPINDLE_SCALE
	# and the tests tests/memcheck-set.txt chooses for each of them
	# (make cov-select), unless SPINDLE_MEMCHECK_ALL=1
	if [ -z "${SPINDLE_MEMCHECK_ALL:-}" ]; then
		SPINDLE_MEMCHECK_SET=asan
		[ -z "${SPINDLE_VALGRIND:-}" ] || SPINDLE_MEMCHECK_SET=valgrind
		export SPINDLE_MEMCHECK_SET
	fi
fi
export SPINDLE_RUN_OUT="$out" SPINDLE_RUN_LABEL="$label"

{
	# the longest part first, so that the others run beside it
	if [ -z "${SPINDLE_NO_VM:-}" ] && [ -x "$TOP_SRCDIR/tests/vm/run.sh" ]; then
		echo "vm $TOP_SRCDIR/tests/vm/run.sh"
	fi
	if [ -z "${SPINDLE_VM_ONLY:-}" ]; then
		# the slowest scripts first (see the "took" lines of a run)
		for t in test_mkiso_big test_kill_rip test_mkiso test_rip_resume; do
			echo "$TOP_SRCDIR/tests/cli/$t.sh"
		done
		echo "unit"
		# the valgrind pass: the parsers on every fuzz target's corpus
		[ -n "${SPINDLE_VALGRIND:-}" ] && echo "fuzz-corpus"
		ls "$TOP_SRCDIR"/tests/cli/test_*.sh "$TOP_SRCDIR"/tests/mmcsim/test_*.sh
	fi | awk '!seen[$0]++' | while read -r t; do
		if [ "$t" = unit ]; then
			echo "unit ${VALGRIND:+vg:}$UNITTEST"
			continue
		fi
		if [ "$t" = fuzz-corpus ]; then
			echo "fuzz-corpus sh $TOP_SRCDIR/tests/fuzz/replay.sh"
			continue
		fi
		[ -f "$t" ] || continue
		case "$(basename "$t")" in ${TEST_FILTER:-*}) ;; *) continue ;; esac
		# the valgrind pass leaves out tests/valgrind-skip.txt's scripts
		if [ -n "${SPINDLE_VALGRIND:-}" ] &&
		   grep -q "^$(basename "$t" .sh)[[:space:]]" "$TOP_SRCDIR/tests/valgrind-skip.txt" 2> /dev/null; then
			continue
		fi
		# a script none of whose tests this pass runs
		if [ -n "${SPINDLE_MEMCHECK_SET:-}" ] && [ -z "$(sh "$TOP_SRCDIR/tests/cov/runs.sh" "$t")" ]; then
			continue
		fi
		if [ -n "${SPINDLE_QUICK:-}" ]; then
			case " $QUICK_TESTS " in *" $(basename "$t" .sh) "*) ;; *) continue ;; esac
		fi
		echo "$(basename "$t" .sh) sh $t"
	done
} > "$out/parts.txt"
# every test tests/no-memcheck.txt names must exist
grep -v '^#' "$TOP_SRCDIR/tests/no-memcheck.txt" 2> /dev/null | while read -r st _; do
	[ -n "$st" ] || continue
	f=$(ls "$TOP_SRCDIR"/tests/*/"${st%%:*}.sh" 2> /dev/null | head -n 1)
	[ -n "$f" ] && grep -q "^${st#*:}()" "$f" ||
		echo "not ok - tests/no-memcheck.txt names $st, which does not exist"
done > "$out/no-memcheck.res"
# and every script tests/valgrind-skip.txt names
grep -v '^#' "$TOP_SRCDIR/tests/valgrind-skip.txt" 2> /dev/null | while read -r st _; do
	[ -n "$st" ] || continue
	ls "$TOP_SRCDIR"/tests/*/"$st.sh" > /dev/null 2>&1 ||
		echo "not ok - tests/valgrind-skip.txt names $st, which does not exist"
done >> "$out/no-memcheck.res"
xargs -P "$SPINDLE_TEST_JOBS" -L 1 sh "$0" --part < "$out/parts.txt"
# the results in the order of parts.txt, whatever order they ended in
while read -r name _; do
	cat "$out/$name.res" 2> /dev/null ||
		echo "not ok - $name did not finish (see tests/out/$name.log)"
	echo "# --- $name" >> "$log"
	cat "$out/$name.log" >> "$log"
done < "$out/parts.txt" > "$out/results.txt"
sed "s/^not ok - /not ok - $label/" "$out/no-memcheck.res" >> "$out/results.txt"

cat "$out/results.txt"
summary "$out/results.txt"
