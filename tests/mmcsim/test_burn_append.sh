#!/bin/sh
# spindle burn --append DIR: the ISO 9660 tree grows by a session, and
# xorriso (an independent reader) sees the old and the new files together.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/mmcsim/sim.sh"

mkdirs() {
	mkdir -p one/docs two
	echo "first" > one/docs/a.txt
	mkimg one/big.bin 200
	echo "second" > two/b.txt
	echo "replaced" > two/big.bin
}

# append_twice MEDIA: first session, second session, then read back
append_twice() {
	need_sim
	need_tool xorriso
	mkdirs
	sim --media "$1" --disc disc -- "$SPINDLE" burn --append --multi --json -d "$DEV" one
	expect_exit 0
	expect_eq "$(out_json .first_session)" "true"
	sp disc burn --append --json two
	expect_exit 0
	expect_eq "$(out_json .first_session)" "false"
	start=$(out_json .start_lba)
	[ "$start" -gt 0 ] || fail "second session at LBA $start"
	sim --disc disc -- xorriso -md5 on -indev "$DEV" -toc -check_md5_r FAILURE / -- \
		-osirrox on -extract /docs/a.txt a.txt -extract /b.txt b.txt -extract /big.bin big.bin
	expect_exit 0
	expect_log "ISO session  :   2 ,"
	expect_log "File contents and their MD5 checksums match."
	expect_same one/docs/a.txt a.txt
	expect_same two/b.txt b.txt
	expect_same two/big.bin big.bin
}

test_append_dvd_plus_r() { append_twice dvd+r; }
test_append_cd_r() { append_twice cd-r; }
test_append_bd_r() { append_twice bd-r; }
test_append_dvd_plus_rw_emulated_sessions() { append_twice dvd+rw; }

test_append_bd_re_needs_format() {
	need_sim
	mkdirs
	sim --media bd-re --disc disc -- "$SPINDLE" burn --append -d "$DEV" one
	expect_exit 4
	expect_err "is not formatted"
	sp disc format
	expect_exit 0
	append_twice bd-re
}

test_append_closed_disc_refused() {
	need_sim
	mkdirs
	sim --media dvd+r --disc disc -- "$SPINDLE" burn --append -d "$DEV" one
	expect_exit 0
	sim --disc disc --log log -- "$SPINDLE" burn --append -d "$DEV" two
	expect_exit 4
	expect_err "is closed"
	! grep -q "cdb 2a " log || fail "written to a closed disc"
}

test_append_session_md5_checked_by_xorriso() {
	need_sim
	mkdirs
	sim --media dvd-r --disc disc -- "$SPINDLE" burn --append --multi -d "$DEV" one
	expect_exit 0
	sim --disc disc -- xorriso -md5 on -indev "$DEV" -check_md5 FAILURE --
	expect_exit 0
	expect_log "Ok, session data match recorded md5."
}

test_append_bad_arguments() {
	mkdirs
	run burn --append -d /dev/sr7 one/big.bin
	expect_exit 2
	expect_err "is not a directory"
	run burn --append --blank -d /dev/sr7 one
	expect_exit 2
	run burn --append -d /dev/sr7 -d /dev/sr8 one
	expect_exit 2
	expect_err "one drive"
	run burn -d stdio:a -d stdio:b one
	expect_exit 2
	expect_err "duplication takes an image file"
}

run_tests
