#!/bin/sh
# Interrupted burns: SIGINT, SIGTERM and SIGHUP before anything is written
# and around the end of the track leave the drive released and usable by
# the next command, with exit status 8 when the burn was cut short.  (The
# mid-track case is in test_burn.sh.)  No sleep decides an outcome: we poll
# for states, and where the moment of a signal cannot be pinned down every
# possible outcome is checked.
. "$TOP_SRCDIR/tests/lib.sh"

# start_burn ARGS...: a burn reading the FIFO ./pipe, which we hold open
# on descriptor 3 (so it cannot see the end of its input); $pid
start_burn() {
	rm -f pipe
	mkfifo pipe
	"$SPINDLE" burn "$@" - < pipe > out 2> err &
	pid=$!
	exec 3> pipe
}

# wait_reading_stdin: until a thread of the burn sits in read(0, ...) or
# poll() (x86-64 syscalls 0 and 7): it has started and waits for its first
# byte of input
wait_reading_stdin() {
	[ "$(uname -m)" = x86_64 ] || { kill -9 $pid; skip "syscall numbers are x86-64's"; }
	i=0
	until cat /proc/$pid/task/*/syscall 2> /dev/null | grep -qE '^(0 0x0|7) '; do
		i=$((i + 1))
		[ $i -lt 600 ] || { kill -9 $pid; fail "the burn did not start reading"; }
		sleep 0.1
	done
}

# usable DISC: the next commands can grab the drive, and write to it
expect_usable() {
	if [ -e "$1" ]; then
		run info -d "stdio:$1"
		expect_exit 0
	fi
	mkimg next 7
	run burn --force -d "stdio:$1" next
	expect_exit 0
	cmp -s -n $((7 * 2048)) next "$1" || fail "the next burn did not write"
}

before_writing() {
	start_burn --no-verify -d stdio:disc
	wait_reading_stdin
	stop_burn "$1"
	expect_exit 8
	expect_err "interrupted while waiting for standard input"
	[ ! -s disc ] || fail "something was written"
	expect_usable disc
}

test_burn_sigint_before_writing() { before_writing INT; }
test_burn_sigterm_before_writing() { before_writing TERM; }
test_burn_sighup_before_writing() { before_writing HUP; }

test_burn_interrupt_before_writing_keeps_old_data() {
	# --force was given, but nothing was written yet: the old content stays
	mkimg old 300
	cp old disc
	start_burn --force --no-verify -d stdio:disc
	wait_reading_stdin
	stop_burn TERM
	expect_exit 8
	expect_same old disc
	expect_usable disc
}

# The signal arrives as the input ends: the burn is then writing its last
# sectors, closing the track or releasing the drive.  Either it stops
# (8, with the message) or it had finished (0, the whole image written);
# in both cases the drive is released.  Ten rounds land the signal at
# different points of the end of the burn.
test_burn_interrupt_at_end_of_track() {
	mkimg img 2048 5
	for r in 1 2 3 4 5 6 7 8 9 10; do
		rm -f disc
		start_burn --no-verify -d stdio:disc
		cat img >&3
		exec 3>&-
		sig=INT
		[ $((r % 2)) -eq 0 ] && sig=TERM
		# no wait here: the burn may still be copying or already closing
		kill -$sig $pid 2> /dev/null
		stop_burn ""
		case $RC in
		0)
			expect_eq "$(stat -c %s disc)" $((2049 * 2048)) "size of disc"
			cmp -s -n $((2048 * 2048 + 5)) img disc || fail "round $r: finished, but disc differs" ;;
		8)
			grep -q "interrupted by SIG$sig" err ||
				grep -q "interrupted while" err || { cat err >&2; fail "round $r: no interruption message"; } ;;
		*)
			cat err >&2
			fail "round $r: exit status $RC after SIG$sig at the end of the track" ;;
		esac
		expect_usable disc
	done
}

run_tests
