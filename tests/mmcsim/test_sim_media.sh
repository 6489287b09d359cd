#!/bin/sh
# The simulated recorder's media rules and faults, checked through
# cdrskin, xorriso and spindle: Test Write leaves discs blank, DVD-R DAO
# closes the disc, write errors, capacities, speeds, several drives.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/mmcsim/sim.sh"

test_test_write_leaves_cd_r_and_dvd_r_blank() {
	need_sim
	need_tool cdrskin
	mkimg img 100
	sim --media cd-r --disc cd --log log -- cdrskin dev="$DEV" -dummy -sao -data img
	expect_exit 0
	grep -q "cdb 2a " log || fail "no WRITE sent in the simulation"
	sim --disc cd -- cdrskin dev="$DEV" -toc
	expect_out "blank CD-R"
	expect_eq "$(state_get cd writes)" "0"
	sim --media dvd-r --disc dvd -- cdrskin dev="$DEV" -dummy -tao -data img
	expect_exit 0
	sim --disc dvd -- cdrskin dev="$DEV" -toc
	expect_out "blank DVD-R"
}

test_dvd_r_dao_closes_the_disc() {
	need_sim
	need_tool cdrskin
	mkimg img 200
	sim --media dvd-r --disc disc --log log -- cdrskin dev="$DEV" -sao -data img
	expect_exit 0
	grep -q "cdb 53 00 00 00 00 00 00 00 c8 00" log || fail "no RESERVE TRACK of 200"
	sim --disc disc -- cdrskin dev="$DEV" -toc
	expect_out "closed DVD-R"
	expect_out "track:lout lba:       208 "
}

test_dvd_r_incremental_multisession() {
	need_sim
	mkimg img 100
	sim --media dvd-r --disc disc -- cdrskin dev="$DEV" -tao -multi -data img
	expect_exit 0
	sim --disc disc -- cdrskin dev="$DEV" -tao -data img
	expect_exit 0
	sim --disc disc -- cdrskin dev="$DEV" -toc
	expect_out "2 sessions, 2 tracks, closed DVD-R"
}

test_write_error_names_the_lba() {
	need_sim
	mkimg img 300
	echo "write-error 100" > dmg
	sim --media dvd+r --damage dmg --disc disc --log log -- \
		xorriso -outdev "$DEV" -map img /x -commit
	[ "$RC" -ne 0 ] || fail "a failing burn succeeded"
	expect_log "[3 0C 00] Medium error. Write error."
	grep -q "cdb 2a 00 00 00 00 60 .*-> 3/0c/00" log || fail "no 03/0C/00 on the WRITE"
	expect_eq "$(state_get disc writes)" "100"
}

test_dvd_plus_r_dl_capacity() {
	need_sim
	sp_dl() { sim --media dvd+r-dl --disc disc -- "$SPINDLE" info --json -d "$DEV"; }
	sp_dl
	expect_exit 0
	expect_eq "$(out_json .profile_name)" "DVD+R/DL"
	expect_eq "$(out_json .capacity_sectors)" "4173824"
	sim --disc disc -- xorriso -outdev "$DEV" -toc
	expect_log "Media blocks : 0 readable , 4173824 writable"
}

test_speed_set_by_xorriso_is_honoured() {
	need_sim
	mkimg img 100
	sim --media dvd+r --disc disc --log log -- xorriso -outdev "$DEV" -speed 4 -map img /x -commit
	expect_exit 0
	grep -q "speed read=[0-9]* write=5540 kB/s" log || fail "4x (5540 kB/s) not set"
}

test_two_drives_in_one_process() {
	need_sim
	sim --media dvd+r --disc a --media bd-re --disc b -- "$SPINDLE" drives --json
	expect_exit 0
	expect_eq "$(out_json '[.drives[].address] | join(",")')" "/dev/sr7,/dev/sr8"
	expect_eq "$(out_json '[.drives[1].profiles[] | select(.current) | .name] | join(",")')" "BD-RE"
	mkimg img 50
	sim --disc a --disc b -- sh -c 'xorriso -outdev "$MMCSIM_DEV" -map img /x -commit &&
		xorriso -outdev "$MMCSIM_DEV2" -map img /x -commit'
	expect_exit 0
	expect_eq "$(state_get a media)" "dvd+r"
	expect_eq "$(state_get b formatted)" "1"
}

test_slow_reads_cost_drive_time() {
	need_sim
	need_tool ddrescue
	mkimg img 64
	echo "slow 0 64 2.5" > dmg
	sim --media dvd-rom --image img --disc fast --clock c1 -- ddrescue -q -b 2048 "$DEV" o1 m1
	sim --media dvd-rom --image img --damage dmg --disc slow --clock c2 -- ddrescue -q -b 2048 "$DEV" o2 m2
	expect_same img o2
	t1=$(awk '{ t += $2 } END { print t }' c1)
	t2=$(awk '{ t += $2 } END { print t }' c2)
	awk -v a="$t1" -v b="$t2" 'BEGIN { exit !(b >= a + 2.5) }' || fail "slow reads took $t2 s vs $t1 s"
}

test_state_file_media_mismatch_refused() {
	need_sim
	sim --media dvd+r --disc disc -- ls "$DEV"
	expect_exit 0
	sim --media cd-r --disc disc -- ls "$DEV"
	[ "$RC" -ne 0 ] || fail "the device exists for a mismatched disc"
	expect_err "holds a dvd+r disc, not cd-r"
	sim --media dvd+r --disc disc2 --damage dmg -- ls
	expect_exit 2
	expect_err "must come before the --disc"
}

# spindle rip meets the damage as a drive reports it: a whole ECC block
test_rip_sees_ecc_block_damage() {
	need_sim
	mkimg img 1000
	echo "read-error 100 3" > dmg
	sim --media dvd-rom --image img --damage dmg --disc disc -- "$SPINDLE" rip -d "$DEV" -o out.iso
	expect_exit 6
	expect_log "LBA 96-111 (16 sectors)"
	cmp -s -n $((96 * 2048)) img out.iso || fail "data before the bad block differs"
	tail -c +$((112 * 2048 + 1)) img > a
	tail -c +$((112 * 2048 + 1)) out.iso > b
	expect_same a b
	echo "read-error 100 3" > dmg2
	sim --media bd-rom --image img --damage dmg2 --disc bd -- "$SPINDLE" rip -d "$DEV" -o bd.iso
	expect_exit 6
	expect_log "LBA 96-127 (32 sectors)"
}

run_tests
