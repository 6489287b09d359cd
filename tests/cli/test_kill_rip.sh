#!/bin/sh
# spindle rip under SIGKILL: the promise ddrescue makes for its mapfile.
# After every kill, wherever it lands,
#   - the mapfile on disk parses (ddrescuelog, and spindle's own parser
#     when the next run loads it),
#   - it marks finished ('+') only data that is really in the image,
#   - the next run resumes, and the last one finishes;
# and the final image and mapfile are byte-identical to an uninterrupted
# rip's.  SPINDLE_KILLS kills at random moments (20 here; make check-slow
# runs 100), then kills at chosen system calls (strace fault injection):
# the moments where a rescue tool most often breaks its promise.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/cli/rip_lib.sh"

SECTORS=3000

# setup: a damaged source (bad areas, flaky sectors that retries fix) and
# the uninterrupted reference.  $ARGS reads it slowly everywhere (1 ms a
# sector), so that a run takes seconds and random kills land mid-run;
# $FAST reads the same damage at full speed, for the runs no kill chooses
# its moment in: the reference, the resumes to the end, and the kills at
# chosen system calls (strace finds those whatever the speed).  Slowness
# changes no byte of the image or the mapfile: --map-interval 0 saves the
# map after every read, however long the read took.
setup() {
	in_ram
	mkimg src $SECTORS
	damagemap dmg.map $SECTORS dvd 7 sparse
	f1=$(goodlba dmg.map 300 16) f2=$(goodlba dmg.map 1700 32)
	[ "$f1" -ge 0 ] && [ "$f2" -ge 0 ] || fail "no good room for flaky sectors"
	printf 'flaky %d 16 2\nflaky %d 32 1\n' "$f1" "$f2" > fast.spec
	{ printf 'slow 0 %d 1\n' $SECTORS; cat fast.spec; } > spec
	set -- --ecc-block 16 --test-mode="$PWD/dmg.map" --retries 3 --map-interval 0 -q
	ARGS="$* --test-damage=$PWD/spec"
	FAST="$* --test-damage=$PWD/fast.spec"
	mkdir ref
	(cd ref && "$SPINDLE_BIN" rip ../src -o out.iso $FAST > /dev/null 2>&1)
	[ $? -eq 6 ] || fail "the reference run did not end with status 6"
	expect_rescue src ref/out.iso ref/out.iso.map dmg.map
}

# after_kill: the state a kill left must keep every promise
after_kill() {
	if [ -f out.iso.map ]; then
		ddrescuelog -t out.iso.map > /dev/null 2> ddrl.err ||
			fail "ddrescuelog cannot parse the mapfile after $1: $(cat ddrl.err)"
		[ -f out.iso ] || ! blocks out.iso.map | grep -q ' +$' ||
			fail "after $1 the mapfile claims data, but there is no image"
		expect_consistent src out.iso out.iso.map
	fi
}

# finish: resume to the end; the result equals the reference
finish() {
	run rip src -o out.iso $FAST
	[ "$RC" -eq 6 ] || { cat err >&2; fail "resuming after $1 ended with status $RC"; }
	expect_same ref/out.iso out.iso
	expect_same ref/out.iso.map out.iso.map
}

# a random number 0 .. $1-1
random() { od -An -N2 -tu2 /dev/urandom | awk -v m="$1" '{ print $1 % m }'; }

test_rip_random_sigkills() {
	setup
	kills=${SPINDLE_KILLS:-20}
	k=0 cycles=0 finished=0
	while [ $k -lt "$kills" ]; do
		"$SPINDLE" rip src -o out.iso $ARGS > /dev/null 2> err &
		pid=$!
		# 0 .. 0.6 s: from before the first read to deep into the passes
		sleep "$(random 60 | awk '{ printf "%.2f", $1 / 100 }')"
		kill -KILL $pid 2> /dev/null
		wait $pid
		rc=$?
		case $rc in
		137)
			k=$((k + 1))
			after_kill "kill $k" ;;
		6)
			# it finished before the kill: check it, then start over
			# so that the next kills land in a rip again
			finished=$((finished + 1))
			expect_same ref/out.iso out.iso
			expect_same ref/out.iso.map out.iso.map
			rm -f out.iso out.iso.map
			cycles=$((cycles + 1)) ;;
		*)
			cat err >&2
			fail "a resumed run ended with status $rc after $k kills" ;;
		esac
		[ $cycles -lt 50 ] || fail "the kills never landed in a running rip"
	done
	finish "$kills kills"
	echo "# $kills kills, $finished runs finished between them" >&2
}

# kill_at SYSCALL N: SIGKILL delivered by strace when the rip makes its Nth
# SYSCALL (any thread); then the promises, then resume to the end
kill_at() {
	# LeakSanitizer cannot run under ptrace: no leak check in the traced
	# run (the resumed runs that follow have it)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -o /dev/null -e trace="$1" -e inject="$1:signal=SIGKILL:when=$2" \
		"$SPINDLE_BIN" rip src -o out.iso $FAST > /dev/null 2> err
	rc=$?
	[ $rc -eq 137 ] || [ $rc -eq 6 ] || { cat err >&2; fail "$1 #$2: status $rc"; }
	after_kill "a kill at $1 #$2"
}

test_rip_sigkill_at_chosen_syscalls() {
	command -v strace > /dev/null || skip "strace is not installed"
	[ -z "${SPINDLE_VALGRIND:-}" ] || skip "strace and valgrind do not mix"
	strace -f -qq -o /dev/null true 2> /dev/null || skip "ptrace is not permitted here"
	setup
	# the output sized, the first and later mapfile commits, data written,
	# data flushed before the map that claims it
	for point in ftruncate:1 rename:1 rename:2 rename:100 pwrite64:1 pwrite64:200 \
		     fdatasync:1 fdatasync:150; do
		rm -f out.iso out.iso.map out.iso.map.tmp
		kill_at "${point%:*}" "${point#*:}"
		# a fresh rip reaches every point: the kill must have landed
		[ $rc -eq 137 ] || fail "a fresh rip never made system call ${point%:*} #${point#*:}"
		# and once more on top of the first kill, at the same point
		kill_at "${point%:*}" "${point#*:}"
		finish "kills at $point"
	done
}

run_tests
