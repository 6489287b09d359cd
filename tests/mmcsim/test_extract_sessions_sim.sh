#!/bin/sh
# spindle ls and extract --session N on a real multi-session CD in a drive
# (the simulated recorder): the sessions come from the drive's table of
# contents, since a CD keeps each session's volume descriptors at its own
# start + 16 and the first session's at 16.  Checked against xorriso's
# reading of the same drive.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/mmcsim/sim.sh"

test_cd_sessions_from_the_drive() {
	need_sim
	mkdir -p one/docs two
	echo first > one/docs/a.txt
	mkimg one/big.bin 200
	echo second > two/b.txt
	echo replaced > two/big.bin
	sim --media cd-r --disc disc -- "$SPINDLE" burn --append --multi -q -d "$DEV" one
	expect_exit 0
	sp disc burn --append -q two
	expect_exit 0
	# xorriso's reading of the drive: the TOC and each session's tree
	sim --disc disc -- xorriso -indev "$DEV" -toc
	expect_exit 0
	s2=$(cat out err | awk -F, '/^ISO session  :   2 ,/ { gsub(/ /, "", $2); print $2 }')
	[ -n "$s2" ] && [ "$s2" -gt 0 ] || fail "xorriso finds no second session"
	sim --disc disc -- xorriso -load session 1 -indev "$DEV" -osirrox on -extract / x1
	expect_exit 0
	sim --disc disc -- xorriso -indev "$DEV" -osirrox on -extract / x2
	expect_exit 0
	# the newest session by default, the first with --session 1
	sp disc ls
	expect_exit 0
	expect_err "session at LBA $s2"
	expect_out "/b.txt"
	sp disc ls --json --session 1
	expect_exit 0
	expect_eq "$(out_json .session_start)" 0
	expect_eq "$(out_json '[.files[].path] | join(" ")')" "/big.bin /docs /docs/a.txt"
	sp disc extract --session 1 -C d1
	expect_exit 0
	sp disc extract -C d2
	expect_exit 0
	diff -r x1 d1 >&2 || fail "session 1 differs from xorriso's"
	diff -r x2 d2 >&2 || fail "session 2 differs from xorriso's"
	expect_same one/big.bin d1/big.bin
	expect_same two/big.bin d2/big.bin
	sp disc ls --session 3
	expect_exit 2
	expect_err "has 2 sessions"
}

run_tests
