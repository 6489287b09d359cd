#!/bin/sh
# Interrupted burns on the simulated recorder: SIGINT and SIGTERM before
# writing, in the middle of the track and while the disc is being closed,
# on CD-R (SAO and TAO), DVD+R, DVD-R, BD-R, an audio CD and a --append
# session, and during the --blank of a CD-RW or the format of a BD-RE.  The simulator holds the burn at a chosen
# SCSI command (mmcsim-run --stall) until we have signalled it and spindle
# has said it is stopping, so every signal lands at a known point.  After
# each: exit status 8, a message that says what the disc holds now and
# what to do, the tray not left locked, the drive free for the next
# command, and the disc really in the state the message names.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/mmcsim/sim.sh"

# poll PROBE WHAT: wait (at most 30 s) until the command PROBE succeeds
poll() {
	i=0
	until eval "$1"; do
		i=$((i + 1))
		[ $i -lt 600 ] || { kill -9 $pid 2> /dev/null; fail "timed out waiting until $2"; }
		sleep 0.05
	done
}

# newdisc MEDIA DISC: a fresh disc in the tray
newdisc() {
	sim --media "$1" --disc "$2" -- "$SPINDLE" info -d "$DEV"
	expect_exit 0
}

# start_held DISC WHAT BURN-ARGS...: a burn in the background that the
# simulator holds at the first command matching WHAT (see mmcsim-run); $pid
start_held() {
	disc=$1 what=$2
	shift 2
	rm -f hold.held hold.go
	# mmcsim-run execs spindle: $pid is spindle's
	"$MMCSIM_RUN" --disc "$disc" --log log --stall "$what" hold -- \
		"$SPINDLE" burn -d "$DEV" "$@" > out 2> err < /dev/null &
	pid=$!
	poll '[ -e hold.held ] || ! kill -0 $pid 2> /dev/null' "the burn reached '$what'"
	[ -e hold.held ] || { sed 's/^/#   /' err >&2; fail "the burn ended before '$what'"; }
}

# ended: wait (bounded) for the burn to end; $RC
ended() {
	poll '! kill -0 $pid 2> /dev/null' "the burn ended"
	wait $pid
	RC=$?
}

# signal_held SIG [NOTICE]: send SIG and wait until the process has taken it
# (and, with NOTICE, until spindle says it is stopping the burn); then let
# the held command go on, and wait for the end; $RC
signal_held() {
	kill -"$1" $pid
	# kill queued it; a thread has taken it once it is no longer pending
	poll '! grep -q "^ShdPnd:.*[1-9a-f]" /proc/$pid/status 2> /dev/null' "spindle took SIG$1"
	notice=${2:-}
	[ -z "$notice" ] || poll 'grep -qF -- "$notice" err out' "spindle said '$notice'"
	touch hold.go
	ended
}

# released DISC: the tray is not locked, no process holds the drive, and
# the next command can use it (spindle info, with --json); $status
released() {
	expect_eq "$(state_get "$1" locked)" 0 "tray locked (PREVENT MEDIUM REMOVAL)"
	flock -n -x "$1.lock" true || fail "a process still holds the drive"
	sim --disc "$1" -- "$SPINDLE" info --json -d "$DEV"
	expect_exit 0
	status=$(out_json .status)
}

# burn_ok DISC IMAGE [ARGS]: a burn that must succeed and verify
burn_ok() {
	d=$1 f=$2
	shift 2
	sim --disc "$d" -- "$SPINDLE" burn -d "$DEV" "$@" "$f"
	expect_exit 0
	expect_log "verify: match"
}

# aborted SIG MESSAGE: exit status 8, the notice and the final message
aborted() {
	expect_exit 8
	expect_err "spindle burn: error: interrupted by SIG$1"
	expect_err "$2"
}

# ---- CD-R, SAO: the cue sheet lays the whole session out beforehand ----

test_cd_r_sao_sigint_before_writing() {
	need_sim
	mkimg img 2000
	newdisc cd-r disc
	start_held disc cue --mode sao img
	signal_held INT "interrupted by SIGINT: stopping the burn"
	aborted INT "before the first sector was recorded; the CD-R is still blank"
	expect_err "run the burn again"
	expect_eq "$(state_get disc writes)" 0
	released disc
	expect_eq "$status" blank
	burn_ok disc img --mode sao
}

test_cd_r_sao_sigterm_mid_track() {
	need_sim
	mkimg img 2000
	newdisc cd-r disc
	start_held disc write@1000 --mode sao img
	signal_held TERM "interrupted by SIGTERM: stopping the burn"
	aborted TERM "the CD-R is closed and holds an incomplete track"
	expect_err "hint: it cannot be written again: use a new disc"
	released disc
	expect_eq "$status" closed
	# less than the image was recorded, and the disc takes no more
	[ "$(state_get disc writes)" -lt 2000 ] || fail "the whole track was written"
	sim --disc disc -- "$SPINDLE" burn --force -d "$DEV" img
	expect_exit 4
	expect_err "is closed and cannot be written again"
	newdisc cd-r fresh
	burn_ok fresh img --mode sao
}

test_cd_r_sao_sigint_during_closing() {
	need_sim
	mkimg img 2000
	newdisc cd-r disc
	start_held disc sync --mode sao img
	signal_held INT "interrupted by SIGINT: stopping the burn"
	aborted INT "while closing; the drive finished first: all 2000 sectors are on the CD-R, but it was not verified"
	expect_err "spindle verify -d $DEV IMAGE"
	released disc
	expect_eq "$status" closed
	sim --disc disc -- "$SPINDLE" verify -d "$DEV" img
	expect_exit 0
	expect_log "verify: match"
}

# ---- CD-R, TAO ----

test_cd_r_tao_sigterm_before_writing() {
	need_sim
	mkimg img 2000
	newdisc cd-r disc
	# PREVENT MEDIUM REMOVAL: the drive has just been grabbed and locked
	start_held disc 1e --mode tao img
	signal_held TERM
	aborted TERM "before writing; nothing was written"
	expect_err "hint: the disc is unchanged"
	! grep -q "cdb 2a " log || fail "something was written"
	released disc
	expect_eq "$status" blank
	burn_ok disc img --mode tao
}

test_cd_r_tao_sigint_mid_track() {
	need_sim
	mkimg img 2000
	newdisc cd-r disc
	start_held disc write@1000 --mode tao img
	signal_held INT "interrupted by SIGINT: stopping the burn"
	aborted INT "the CD-R is closed and holds an incomplete track"
	expect_err "use a new disc"
	released disc
	expect_eq "$status" closed
	[ "$(out_json .readable_sectors)" -lt 2000 ] || fail "the whole track is readable"
}

test_cd_r_tao_sigterm_during_closing() {
	need_sim
	mkimg img 2000
	newdisc cd-r disc
	start_held disc sync --mode tao img
	signal_held TERM "interrupted by SIGTERM: stopping the burn"
	aborted TERM "while closing; the drive finished first: all 2000 sectors are on the CD-R"
	released disc
	expect_eq "$status" closed
	sim --disc disc -- "$SPINDLE" verify -d "$DEV" img
	expect_exit 0
}

# ---- DVD+R ----

# before writing: spindle waits for its first input before it grabs the drive
test_dvd_plus_r_sigint_waiting_for_input() {
	need_sim
	[ "$(uname -m)" = x86_64 ] || skip "syscall numbers are x86-64's"
	newdisc dvd+r disc
	rm -f pipe
	mkfifo pipe
	"$MMCSIM_RUN" --disc disc --log log -- "$SPINDLE" burn -d "$DEV" - \
		< pipe > out 2> err &
	pid=$!
	exec 3> pipe
	# a thread sits in read(0, ...) or poll(): it waits for its first byte
	poll 'cat /proc/$pid/task/*/syscall 2> /dev/null | grep -qE "^(0 0x0|7) "' \
		"the burn waits for its input"
	kill -INT $pid
	ended
	exec 3>&-
	expect_exit 8
	expect_err "spindle burn: error: interrupted while waiting for standard input"
	! grep -q "cdb " log || fail "the drive was used"
	released disc
	expect_eq "$status" blank
}

test_dvd_plus_r_sigterm_mid_track() {
	need_sim
	mkimg img 2000
	mkimg next 300
	newdisc dvd+r disc
	start_held disc write@1000 img
	signal_held TERM "interrupted by SIGTERM: stopping the burn"
	aborted TERM "the DVD+R is left appendable, with an unfinished track in an open session"
	expect_err "use a new disc; --force would write after the unfinished track"
	released disc
	expect_eq "$status" appendable
	# as the hint says: refused without --force, written after it with it
	sim --disc disc -- "$SPINDLE" burn -d "$DEV" next
	expect_exit 4
	expect_err "already holds data"
	burn_ok disc next --force
	sim --disc disc -- "$SPINDLE" info --json -d "$DEV"
	expect_eq "$(out_json '.tracks | length')" 2
}

test_dvd_plus_r_sigint_closing_session() {
	need_sim
	mkimg img 2000
	newdisc dvd+r disc
	start_held disc close-session img
	signal_held INT "interrupted by SIGINT: stopping the burn"
	aborted INT "while closing; the drive finished first: all 2000 sectors are on the DVD+R"
	released disc
	expect_eq "$status" closed
	sim --disc disc -- "$SPINDLE" verify -d "$DEV" img
	expect_exit 0
}

# ---- DVD-R, DAO: the result object under --json ----

test_dvd_r_dao_sigint_mid_track_json() {
	need_sim
	mkimg img 2000
	newdisc dvd-r disc
	start_held disc write@1000 --json --mode sao img
	signal_held INT '"phase":"cancelling"'
	expect_exit 8
	grep -q '"type":"progress".*"phase":"cancelling"' out || fail "no cancelling progress object"
	expect_eq "$(json_get .type)" result
	expect_eq "$(json_get .ok)" false
	expect_eq "$(json_get .error.code)" aborted
	expect_eq "$(json_get .error.exit)" 8
	json_get .error.message | grep -q "closed and holds an incomplete track" ||
		fail "message: $(json_get .error.message)"
	released disc
	expect_eq "$status" closed
}

test_dvd_r_dao_sigterm_during_closing() {
	need_sim
	mkimg img 2000
	newdisc dvd-r disc
	start_held disc sync --mode sao img
	signal_held TERM "interrupted by SIGTERM: stopping the burn"
	aborted TERM "while closing; the drive finished first: all 2000 sectors are on the DVD-R"
	released disc
	expect_eq "$status" closed
	sim --disc disc -- "$SPINDLE" verify -d "$DEV" img
	expect_exit 0
}

# ---- BD-R ----

test_bd_r_sigterm_before_writing_json() {
	need_sim
	mkimg img 2000
	newdisc bd-r disc
	start_held disc 1e --json img
	signal_held TERM
	expect_exit 8
	expect_eq "$(json_get .ok)" false
	expect_eq "$(json_get .error.code)" aborted
	expect_eq "$(json_get .error.message)" "interrupted by SIGTERM before writing; nothing was written"
	released disc
	expect_eq "$status" blank
	expect_eq "$(state_get disc writes)" 0
	burn_ok disc img
}

test_bd_r_sigint_mid_track() {
	need_sim
	mkimg img 2000
	newdisc bd-r disc
	start_held disc write@1000 img
	signal_held INT "interrupted by SIGINT: stopping the burn"
	aborted INT "the BD-R"
	expect_err "is left appendable, with an unfinished track"
	released disc
	expect_eq "$status" appendable
	# the tray is free: the disc can be taken out
	sim --disc disc -- "$SPINDLE" eject -d "$DEV"
	expect_exit 0
	expect_eq "$(state_get disc tray_open)" 1
}

test_bd_r_sigterm_closing_session() {
	need_sim
	mkimg img 2000
	newdisc bd-r disc
	start_held disc close-session img
	signal_held TERM "interrupted by SIGTERM: stopping the burn"
	aborted TERM "while closing; the drive finished first: all 2000 sectors are on the BD-R"
	released disc
	expect_eq "$status" closed
	sim --disc disc -- "$SPINDLE" verify -d "$DEV" img
	expect_exit 0
}

# ---- --append: a new ISO 9660 session through libisoburn ----

test_append_dvd_plus_r_sigint_mid_session() {
	need_sim
	mkdir tree
	mkimg tree/big.bin 2500
	mkimg img 300
	newdisc dvd+r disc
	start_held disc write@1000 --append tree
	signal_held INT "interrupted by SIGINT: stopping the burn"
	aborted INT "after"
	expect_err "the session was cancelled"
	expect_err "unfinished session, which --append cannot grow"
	released disc
	expect_eq "$status" appendable
	burn_ok disc img --force
}

# ---- an audio CD (SAO, two tracks) ----

test_audio_cd_sigterm_mid_track() {
	need_sim
	need_tool python3
	mkwav t1.wav 320 1
	mkwav t2.wav 450 2
	newdisc cd-r disc
	# in the second track: the count covers both
	start_held disc write@400 t1.wav t2.wav
	signal_held TERM "interrupted by SIGTERM: stopping the burn"
	aborted TERM "the CD-R is closed and holds an incomplete track"
	err_sectors=$(sed -n 's/.*interrupted by SIGTERM after \([0-9]*\) sectors.*/\1/p' err)
	[ "$err_sectors" -gt 320 ] && [ "$err_sectors" -lt 770 ] ||
		fail "sectors in the message: '$err_sectors', not in the second track"
	released disc
	expect_eq "$status" closed
}

test_audio_cd_sigint_during_closing() {
	need_sim
	need_tool python3
	mkwav t1.wav 320 1
	mkwav t2.wav 450 2
	newdisc cd-r disc
	start_held disc sync t1.wav t2.wav
	signal_held INT "interrupted by SIGINT: stopping the burn"
	aborted INT "while closing; the drive finished first: all 770 sectors are on the CD-R"
	expect_err "spindle rip --audio -d $DEV"
	released disc
	expect_eq "$status" closed
	expect_eq "$(out_json '.tracks | length')" 2
}

# ---- --blank: neither libburn nor a drive stops a blank or format ----

test_cd_rw_sigint_while_blanking() {
	need_sim
	mkimg old 400
	mkimg img 300
	newdisc cd-rw disc
	burn_ok disc old
	start_held disc blank --blank img
	signal_held INT
	aborted INT "while blanking the disc; the drive finished first, and nothing was written"
	expect_err "the disc is blank now: run the burn again, without --blank"
	released disc
	expect_eq "$status" blank
	burn_ok disc img
}

test_bd_re_sigterm_while_formatting() {
	need_sim
	mkimg img 300
	newdisc bd-re disc
	start_held disc format --blank img
	signal_held TERM
	aborted TERM "while formatting the disc; the drive finished first, and nothing was written"
	released disc
	expect_eq "$(state_get disc formatted)" 1
	expect_eq "$(state_get disc writes)" 0
	burn_ok disc img
}

run_tests
