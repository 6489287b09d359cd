# lib.sh - shared by the shell tests.  Source it, define functions named
# test_*, then call run_tests.  Each test runs in a subshell inside a fresh
# temporary directory; a failed check ends that test.
#
#   test_burn_one_sector() {
#       mkimg img 1
#       run burn -d stdio:disc img
#       expect_exit 0
#       expect_same img disc
#   }
#
# Keeping the suite fast (./check.sh has a budget of 12 minutes on 2
# cores for all its passes):
# every test runs in the normal pass; the ASan+UBSan pass and the valgrind
# memcheck pass run the tests tests/memcheck-set.txt chooses for them (the
# ASan+UBSan pass: tests reaching every line and branch of spindle's code
# that the whole suite reaches; valgrind: the most lines within its budget;
# a new test runs in all passes until `make cov-select` makes the set
# again).  The two memory-checking passes set SPINDLE_MEMCHECK=1
# and SPINDLE_SCALE=10 (percent; 100 in the normal pass).  There a test
# should exercise the code that parses, allocates and frees, not data
# volume: size what is only volume (sectors, files, directories, loop
# counts) with `scaled`, and keep the exact sizes a test is about (a
# limit, a boundary) as they are:
#
#   n=$(scaled 3000 200)    # 3000 in the normal pass, 300 (at least 200)
#   mkimg src "$n"          # in the memory-checking passes
#
# or branch on `memcheck_pass` where a size cannot shrink by a factor (a
# file over 4 GiB).  Assert against the size used, never weaker.  The
# normal pass always runs the full size.  A test whose point is only
# volume, with the same code under memcheck in a smaller test, can instead
# run natively in the valgrind pass: a line in tests/no-memcheck.txt.
# Other defaults of the memory-checking passes, for every test: glibc's
# debug information is read as symbols only (tests/run.sh).
set -u
: "${TOP_SRCDIR:?}" "${SPINDLE:?}"
: "${SPINDLE_SCALE:=100}"

# memcheck_pass: true in make check-valgrind and make check-sanitizers
memcheck_pass() { [ -n "${SPINDLE_MEMCHECK:-}" ]; }
# scaled N [MIN]: N in the normal pass; N * SPINDLE_SCALE / 100, at least
# MIN (default 1), in the memory-checking passes
scaled() {
	v=$(( $1 * SPINDLE_SCALE / 100 ))
	[ "$v" -ge "${2:-1}" ] || v=${2:-1}
	echo "$v"
}
: "${SPINDLE_BIN:=$SPINDLE}"
TEST_SCRIPT=$(basename "$0" .sh)

fail() { echo "# FAIL: $*" >&2; exit 1; }
skip() { echo "# SKIP: $*" >&2; exit 77; }

# Every spindle run is bounded: a hang or a runaway writer must fail the
# test, not stall the suite or fill the disk.  SPINDLE_TEST_TIMEOUT seconds
# (default 300), and no file written larger than 16 GiB.
: "${SPINDLE_TEST_TIMEOUT:=300}"
bounded() {
	( ulimit -f 33554432; exec timeout -k 5 "$SPINDLE_TEST_TIMEOUT" "$@" )
}

# run ARGS...: run spindle, keep exit code in $RC, output in ./out and ./err
# ($SPINDLE is a valgrind wrapper under make check-valgrind; $SPINDLE_BIN is
# always the binary itself)
run() {
	bounded "$SPINDLE" "$@" > out 2> err < /dev/null
	RC=$?
	[ "$RC" -ne 124 ] || echo "# spindle $* timed out after ${SPINDLE_TEST_TIMEOUT}s" >&2
	return 0
}
# run_stdin FILE ARGS...: the same with standard input from FILE
run_stdin() {
	f=$1; shift
	bounded "$SPINDLE" "$@" > out 2> err < "$f"
	RC=$?
	return 0
}

expect_exit() {
	[ "$RC" -eq "$1" ] || {
		echo "# stdout:" >&2; sed 's/^/#   /' out >&2
		echo "# stderr:" >&2; sed 's/^/#   /' err >&2
		fail "exit status $RC, expected $1"
	}
}
expect_err() { grep -qF -- "$1" err || { sed 's/^/#   /' err >&2; fail "stderr lacks '$1'"; }; }
expect_out() { grep -qF -- "$1" out || { sed 's/^/#   /' out >&2; fail "stdout lacks '$1'"; }; }
expect_no_out() { ! grep -qF -- "$1" out || fail "stdout has '$1'"; }
expect_same() { cmp -s "$1" "$2" || fail "$1 and $2 differ"; }
expect_eq() { [ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"; }
# json_get FILTER: jq -r FILTER on the last JSON line on stdout; the simple
# paths (.a.b[0]) are answered by tests/jget, without jq's 30-40 ms start
json_get() {
	if [ -x "$TOP_BUILDDIR/tests/jget" ]; then
		"$TOP_BUILDDIR/tests/jget" "$1" out
		_jget_rc=$?
		[ $_jget_rc -eq 3 ] || return $_jget_rc
	fi
	tail -n 1 out | jq -r "$1"
}

# mkimg FILE SECTORS [EXTRA_BYTES]: deterministic pseudo-random content
mkimg() {
	bytes=$(( $2 * 2048 + ${3:-0} ))
	head -c "$bytes" /dev/zero | openssl enc -aes-128-ctr -nosalt \
		-K 000102030405060708090a0b0c0d0e0f -iv "$(printf '%032x' "$2")" 2>/dev/null > "$1"
}
# sha256 FILE: its SHA-256; a large file through openssl, which uses the
# CPU's SHA instructions (600 MB: 0.6 CPU s against sha256sum's 1.9), a
# small one through sha256sum, which starts faster (5 ms against 14)
sha256() {
	if [ "$(stat -c %s "$1")" -gt 16777216 ]; then
		openssl dgst -sha256 -r "$1" | cut -d' ' -f1
	else
		sha256sum "$1" | cut -d' ' -f1
	fi
}

# without_memcheck: for the rest of this test, run spindle itself, not
# under valgrind (make check-valgrind).  Only for tests whose point is a
# size memcheck cannot get through in time (gigabytes, 66,000
# directories); the same code runs under memcheck in smaller tests.
# Whole tests are better listed in tests/no-memcheck.txt, with the reason.
without_memcheck() {
	SPINDLE=$SPINDLE_BIN
}

# in_ram: move the rest of this test into a fresh directory on tmpfs
# (/dev/shm), removed when the test ends; where there is no /dev/shm, the
# test stays where it is.  For tests whose time is the disk's, not
# spindle's: an fsync after every mapfile save, tens of thousands of
# directories (removing 66,000 from ext4 mounted with discard waits over 3
# minutes), a 4 GiB hole read through ext4's page cache (12 CPU s).  What
# the tests assert does not depend on the filesystem: a SIGKILL leaves the
# page cache as it is, and tmpfs keeps holes.
in_ram() {
	_ram=$(mktemp -d /dev/shm/spindle-XXXXXX 2> /dev/null) || return 0
	# shellcheck disable=SC2064
	trap "rm -rf '$_ram'" EXIT
	cd "$_ram" || fail "cannot enter $_ram"
}

# stop_burn SIGNAL: send SIGNAL (none if empty) to the background burn
# $pid, wait (bounded) for it to end, close the pipe on fd 3 that fed it;
# its exit status in $RC
stop_burn() {
	[ -z "$1" ] || kill -"$1" $pid
	i=0
	while kill -0 $pid 2> /dev/null; do
		i=$((i + 1))
		[ $i -lt 600 ] || { kill -9 $pid; fail "the burn did not stop on SIG$1"; }
		sleep 0.1
	done
	wait $pid
	RC=$?
	exec 3>&-
}

run_tests() {
	base=$(mktemp -d "/tmp/spindle-$TEST_SCRIPT-XXXXXX")
	# the memory-checking passes run tests/memcheck-set.txt's choice
	for t in $(sh "$TOP_SRCDIR/tests/cov/runs.sh" "$0"); do
		case "$t" in ${TEST_ONLY:-*}) ;; *) continue ;; esac
		dir="$base/$t"
		mkdir -p "$dir"
		t0=$(date +%s)
		times > "$dir.times"
		# make check-valgrind: tests/no-memcheck.txt's tests run natively
		native=""
		if [ -n "${SPINDLE_VALGRIND:-}" ] &&
		   grep -q "^$TEST_SCRIPT:$t[[:space:]]" "$TOP_SRCDIR/tests/no-memcheck.txt" 2> /dev/null; then
			native=1
			echo "# $t: spindle without memcheck (tests/no-memcheck.txt)"
		fi
		# make cov-select: each test's coverage profile apart
		if [ -n "${SPINDLE_COV_DIR:-}" ]; then
			mkdir -p -m 1777 "$SPINDLE_COV_DIR/$TEST_SCRIPT:$t"
			LLVM_PROFILE_FILE="$SPINDLE_COV_DIR/$TEST_SCRIPT:$t/%p.profraw"
			export LLVM_PROFILE_FILE
		fi
		( cd "$dir" && { [ -z "$native" ] || without_memcheck; } && "$t" ) > "$dir.log" 2>&1
		rc=$?
		# where a part's time goes (tests/out/PART.log)
		# and its CPU seconds (tests/cov/choose.py weighs tests by them)
		times >> "$dir.times"
		echo "# $t took $(($(date +%s) - t0)) s, $(awk '
			function s(x) { split(x, a, /[ms]/); return a[1] * 60 + a[2] }
			NR == 2 { c = s($1) + s($2) } NR == 4 { printf "%.1f", s($1) + s($2) - c }' "$dir.times") CPU s"
		case $rc in
		0) echo "ok - $TEST_SCRIPT: $t" ;;
		77) echo "skip - $TEST_SCRIPT: $t ($(sed -n 's/^# SKIP: //p' "$dir.log" | head -1))" ;;
		*) echo "not ok - $TEST_SCRIPT: $t"; sed 's/^/    /' "$dir.log" ;;
		esac
	done
	rm -rf "$base"
}
