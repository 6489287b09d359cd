#!/bin/sh
# spindle burn on every writable media class of the simulated recorder,
# verified by spindle and read back by xorriso or cdrskin; write modes,
# simulation, sessions, BD stream recording, capacity checks, write errors.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/mmcsim/sim.sh"

# mkiso FILE: a small ISO 9660 image holding tree/
mkiso() {
	mktree tree
	xorriso -as mkisofs -quiet -R -o "$1" tree 2> /dev/null || fail "cannot master $1"
}

# burn_and_read MEDIA [BURN OPTIONS]: burn, verify, read back with xorriso
burn_and_read() {
	need_sim
	need_tool xorriso
	media=$1
	shift
	mkiso img.iso
	sim --media "$media" --disc disc -- "$SPINDLE" burn -d "$DEV" "$@" img.iso
	expect_exit 0
	expect_log "verify: match"
	sim --disc disc -- xorriso -indev "$DEV" -check_media -- \
		-osirrox on -extract /sub/b.bin got.bin
	expect_exit 0
	expect_log "+ good"
	expect_same tree/sub/b.bin got.bin
}

test_burn_cd_r() { burn_and_read cd-r; }
test_burn_cd_rw() { burn_and_read cd-rw; }
test_burn_dvd_r() { burn_and_read dvd-r; }
test_burn_dvd_rw() { burn_and_read dvd-rw; }
test_burn_dvd_rw_restricted_overwrite() { burn_and_read dvd-rw-ro; }
test_burn_dvd_plus_r() { burn_and_read dvd+r; }
test_burn_dvd_plus_r_dl() { burn_and_read dvd+r-dl; }
test_burn_dvd_plus_rw() { burn_and_read dvd+rw; }
test_burn_dvd_ram() { burn_and_read dvd-ram; }
test_burn_bd_r() { burn_and_read bd-r; }
test_burn_bd_r_with_spare() { burn_and_read bd-r-spare; }
test_burn_bd_r_stream_recording() { burn_and_read bd-r-spare --stream-recording; }

test_burn_bd_re_after_format() {
	need_sim
	sim --media bd-re --disc disc -- "$SPINDLE" format -d "$DEV"
	expect_exit 0
	burn_and_read bd-re
}

# CD-R in SAO and TAO: TAO leaves two run-out blocks that verify must skip
test_burn_cd_r_sao_and_tao() {
	need_sim
	need_tool cdrskin
	mkimg img 300
	sim --media cd-r --disc sao --log log -- "$SPINDLE" burn --mode sao -d "$DEV" img
	expect_exit 0
	expect_log "verify: match"
	grep -q "cdb 5d " log || fail "SAO sent no cue sheet"
	sim --disc sao -- cdrskin dev="$DEV" -toc
	expect_out "track:lout lba:       300 "
	sim --media cd-r --disc tao --log log2 -- "$SPINDLE" burn --mode tao -d "$DEV" img
	expect_exit 0
	expect_log "verify: match"
	! grep -q "cdb 5d " log2 || fail "TAO sent a cue sheet"
	sim --disc tao -- cdrskin dev="$DEV" -toc
	expect_out "track:lout lba:       302 "
}

# DVD-R: SAO is DAO (one reserved track, disc closed); TAO is incremental
test_burn_dvd_r_dao_and_incremental() {
	need_sim
	need_tool cdrskin
	mkimg img 100
	sim --media dvd-r --disc dao --log log -- "$SPINDLE" burn --mode sao -d "$DEV" img
	expect_exit 0
	grep -q "cdb 53 " log || fail "DAO reserved no track"
	sim --disc dao -- cdrskin dev="$DEV" -toc
	expect_out "closed DVD-R"
	sim --media dvd-r --disc inc -- "$SPINDLE" burn --mode tao --multi -d "$DEV" img
	expect_exit 0
	sim --disc inc -- cdrskin dev="$DEV" -toc
	expect_out "appendable DVD-R"
}

# --simulate: the drive goes through the motions, the disc stays blank
test_burn_simulate_leaves_disc_blank() {
	need_sim
	mkimg img 100
	for m in cd-r dvd-r; do
		sim --media $m --disc $m --log log.$m -- "$SPINDLE" burn --simulate -d "$DEV" img
		expect_exit 0
		expect_err "simulated writing"
		grep -q "cdb 2a " log.$m || fail "$m: no WRITE in the simulation"
		expect_eq "$(state_get $m writes)" "0"
		sp $m info --json
		expect_eq "$(out_json .status)" "blank"
	done
	# DVD+R has no Test Write: refused before anything is written
	sim --media dvd+r --disc plus --log log.plus -- "$SPINDLE" burn --simulate -d "$DEV" img
	[ "$RC" -ne 0 ] || fail "simulation on DVD+R succeeded"
	! grep -q "cdb 2a " log.plus || fail "DVD+R written in a simulation"
	expect_eq "$(state_get plus writes)" "0"
}

# --multi, a second session, then a closing one; cdrskin sees all three
test_burn_multi_append_close_dvd_plus_r() {
	need_sim
	need_tool cdrskin
	mkimg one 100
	mkimg two 50
	mkimg three 30
	sim --media dvd+r --disc disc -- "$SPINDLE" burn --multi -d "$DEV" one
	expect_exit 0
	sp disc burn --multi two
	expect_exit 4
	expect_err "already holds data"
	sp disc burn --multi --force two
	expect_exit 0
	expect_log "verify: match"
	sp disc burn --force three
	expect_exit 0
	expect_log "verify: match"
	sim --disc disc -- cdrskin dev="$DEV" -toc
	expect_out "3 sessions, 3 tracks, closed DVD+R"
	sp disc burn --force one
	expect_exit 4
	expect_err "is closed and cannot be written again"
}

test_burn_multi_cd_r_sessions() {
	need_sim
	need_tool cdrskin
	mkimg img 100
	sim --media cd-r --disc disc -- "$SPINDLE" burn --multi -d "$DEV" img
	expect_exit 0
	sp disc burn --force img
	expect_exit 0
	expect_log "verify: match"
	sim --disc disc -- cdrskin dev="$DEV" -toc
	expect_out "2 sessions, 2 tracks, closed CD-R"
}

# BD-R with spare areas: --stream-recording sets the Streaming bit of
# WRITE(12) and skips the verify-after-write the drive does otherwise
test_burn_bd_stream_recording_bit_and_time() {
	need_sim
	mkimg img 2000
	sim --media bd-r-spare --disc dm --log log --clock c1 -- "$SPINDLE" burn --no-verify -d "$DEV" img
	expect_exit 0
	! grep -q "cdb aa .* 80 00 -> 0/00/00" log || fail "Streaming bit without --stream-recording"
	sim --media bd-r-spare --disc st --log log2 --clock c2 -- \
		"$SPINDLE" burn --no-verify --stream-recording -d "$DEV" img
	expect_exit 0
	grep -q "cdb aa .* 80 00 -> 0/00/00" log2 || fail "no WRITE(12) with the Streaming bit"
	t1=$(awk '{ t += $2 } END { print t }' c1)
	t2=$(awk '{ t += $2 } END { print t }' c2)
	awk -v a="$t1" -v b="$t2" 'BEGIN { exit !(b < a) }' || fail "stream recording took $t2 s, not less than $t1 s"
}

# an image one sector too large is refused with nothing written
test_burn_one_sector_too_large_refused() {
	need_sim
	truncate -s $(( 359850 * 2048 )) big
	sim --media cd-r --disc disc --log log -- "$SPINDLE" burn -d "$DEV" big
	expect_exit 4
	expect_err "does not fit"
	expect_err "359849 sectors"
	! grep -q "cdb \(2a\|aa\|5d\|53\) " log || fail "something was written or prepared"
	expect_eq "$(state_get disc writes)" "0"
	truncate -s $(( 4173825 * 2048 )) dl
	sim --media dvd+r-dl --disc dldisc --log log2 -- "$SPINDLE" burn -d "$DEV" dl
	expect_exit 4
	expect_err "4173824 sectors"
	! grep -q "cdb \(2a\|aa\|53\) " log2 || fail "something was written on the DL disc"
}

# a write error: exit 7, the LBA named, the drive released
test_burn_write_error() {
	need_sim
	mkimg img 200
	echo "write-error 40" > dmg
	sim --media dvd+r --damage dmg --disc disc -- "$SPINDLE" burn -d "$DEV" img
	expect_exit 7
	expect_err "03/0C/00"
	expect_err "writing LBA 32-47"
	sim --disc disc -- "$SPINDLE" info --json -d "$DEV"
	expect_exit 0
	expect_eq "$(out_json .profile_name)" "DVD+R"
}

test_burn_speed_honoured() {
	need_sim
	mkimg img 100
	sim --media dvd+r --disc disc --log log -- "$SPINDLE" burn --speed 4x -d "$DEV" img
	expect_exit 0
	grep -q "speed read=[0-9]* write=5540 kB/s" log || fail "4x (5540 kB/s) not set"
	sim --media cd-r --disc cd --log log2 -- "$SPINDLE" burn --speed 2822 -d "$DEV" img
	expect_exit 0
	grep -q "speed read=[0-9]* write=2117 kB/s" log2 || fail "12x CD (2117 kB/s) not chosen for 2822 kB/s"
}

# --blank prepares rewritables only when asked
test_burn_blank_cd_rw_only_when_asked() {
	need_sim
	mkimg one 400
	mkimg two 350
	sim --media cd-rw --disc disc -- "$SPINDLE" burn -d "$DEV" one
	expect_exit 0
	sim --disc disc --log log -- "$SPINDLE" burn -d "$DEV" two
	expect_exit 4
	expect_err "is closed"
	expect_err "--blank"
	! grep -q "cdb a1 " log || fail "blanked without --blank"
	sim --disc disc --log log2 -- "$SPINDLE" burn --blank -d "$DEV" two
	expect_exit 0
	expect_err "blanked the disc"
	expect_log "verify: match"
	grep -q "cdb a1 11 " log2 || fail "no fast BLANK (immediate)"
	sim --disc disc -- cdrskin dev="$DEV" -toc
	expect_out "track:lout lba:       350 "
	expect_out "1 sessions, 1 tracks, closed CD-RW"
	run burn --blank --simulate -d /dev/sr7 two
	expect_exit 2
	expect_err "cannot go with --simulate"
}

test_burn_blank_dvd_rw_and_overwritables() {
	need_sim
	mkimg img 100
	sim --media dvd-rw --disc rw -- "$SPINDLE" burn -d "$DEV" img
	expect_exit 0
	sp rw burn --blank img
	expect_exit 0
	expect_err "blanked the disc"
	# formatted overwritable media holding data: refused, unless --blank/--force
	sim --media dvd+rw --disc plus -- "$SPINDLE" burn -d "$DEV" img
	expect_exit 0
	sp plus burn img
	expect_exit 4
	expect_err "already holds data"
	sp plus burn --blank img
	expect_exit 0
	expect_err "writing over the disc"
	# an unformatted BD-RE is explained, and formatted with --blank
	sim --media bd-re --disc re -- "$SPINDLE" burn -d "$DEV" img
	expect_exit 4
	expect_err "is not formatted"
	expect_eq "$(state_get re writes)" "0"
	sp re burn --blank img
	expect_exit 0
	expect_err "formatted the disc"
	expect_eq "$(state_get re formatted)" "1"
}

run_tests
