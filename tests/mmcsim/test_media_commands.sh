#!/bin/sh
# spindle info, blank, format and eject on the simulated recorder, checked
# against the disc's state and against xorriso/cdrskin as independent readers.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/mmcsim/sim.sh"

test_info_blank_dvd_plus_r() {
	need_sim
	sim --media dvd+r --disc disc -- "$SPINDLE" info --json -d "$DEV"
	expect_exit 0
	expect_eq "$(out_json .profile_name)" "DVD+R"
	expect_eq "$(out_json .status)" "blank"
	expect_eq "$(out_json .capacity_sectors)" "2295104"
	expect_eq "$(out_json .media_id)" "MMCSIM/R01/48"
	expect_eq "$(out_json '.write_speeds_kbps | join(",")')" "22160,11080,5540"
	expect_eq "$(out_json '.read_speeds_kbps[0]')" "22160"
	expect_eq "$(out_json '.tracks | length')" "0"
	sp disc info
	expect_out "write speeds:  16.0x 8.0x 4.0x (22160 kB/s max)"
	expect_out "read speed:    16.0x (22160 kB/s max)"
}

test_info_written_cd_r_with_atip_id() {
	need_sim
	mkimg img 300
	sim --media cd-r --disc disc -- cdrskin dev="$DEV" -sao -data img
	expect_exit 0
	sp disc info --json
	expect_exit 0
	expect_eq "$(out_json .status)" "closed"
	expect_eq "$(out_json .media_id)" "97m26s66f/79m59s74f"
	expect_eq "$(out_json .manufacturer)" "CMC Magnetics Corporation"
	expect_eq "$(out_json '.tracks[0].sectors')" "300"
	sp disc info
	expect_out "write speeds:  48.0x 24.0x 12.0x"
}

test_info_bd_r_two_sessions() {
	need_sim
	mktree tree
	sim --media bd-r --disc disc -- xorriso -outdev "$DEV" -map tree / -close off -commit
	expect_exit 0
	echo two > two.txt
	sim --disc disc -- xorriso -dev "$DEV" -map two.txt /two.txt -commit
	expect_exit 0
	sp disc info --json
	expect_eq "$(out_json .status)" "appendable"
	expect_eq "$(out_json .sessions)" "2"
	expect_eq "$(out_json '.tracks[1].session')" "2"
	expect_eq "$(out_json .media_id)" "MMCSIM/BR1/1"
}

test_blank_fast_cd_rw() {
	need_sim
	mkimg img 200
	sim --media cd-rw --disc disc -- cdrskin dev="$DEV" -data img
	expect_exit 0
	sp disc blank --json
	expect_exit 0
	expect_eq "$(out_json .mode)" "fast"
	expect_eq "$(out_json .status)" "blank"
	sim --disc disc -- cdrskin dev="$DEV" -toc
	expect_out "blank CD-RW"
	expect_eq "$(state_get disc tracks)" "1"
}

test_blank_full_dvd_rw_from_restricted_overwrite() {
	need_sim
	mktree tree
	sim --media dvd-rw-ro --disc disc -- xorriso -outdev "$DEV" -map tree / -commit
	expect_exit 0
	sp disc blank --full
	expect_exit 0
	expect_err "blanked the DVD-RW"
	expect_err "(full)"
	expect_eq "$(state_get disc profile)" "20"
	sim --disc disc -- xorriso -outdev "$DEV" -toc
	expect_log "Media current: DVD-RW sequential recording"
	expect_log "Media status : is blank"
}

# a fast-blanked DVD-RW takes DAO only; a full blank brings incremental back
test_fast_blanked_dvd_rw_is_dao_only() {
	need_sim
	need_tool cdrskin
	mkimg img 100
	sim --media dvd-rw --disc disc -- cdrskin dev="$DEV" -tao -data img
	expect_exit 0
	sp disc blank --fast
	expect_exit 0
	expect_eq "$(state_get disc quick_blanked)" "1"
	sim --disc disc -- cdrskin dev="$DEV" -tao -multi -data img
	[ "$RC" -ne 0 ] || fail "incremental writing on a fast-blanked DVD-RW succeeded"
	sim --disc disc -- cdrskin dev="$DEV" -toc
	expect_out "blank DVD-RW"
	sp disc blank --full
	expect_exit 0
	expect_err "(full)"
	sim --disc disc -- cdrskin dev="$DEV" -tao -multi -data img
	expect_exit 0
	sim --disc disc -- cdrskin dev="$DEV" -toc
	expect_out "appendable DVD-RW"
}

test_blank_already_blank_is_a_no_op() {
	need_sim
	sim --media cd-rw --disc disc --log log -- "$SPINDLE" blank -d "$DEV"
	expect_exit 0
	expect_err "blank already; nothing to do"
	! grep -q "cdb a1" log || fail "BLANK sent to a blank disc"
	sim --disc disc --log log2 -- "$SPINDLE" blank --force -d "$DEV"
	expect_exit 0
	grep -q "cdb a1" log2 || fail "--force sent no BLANK"
}

test_blank_refuses_write_once_and_overwritable() {
	need_sim
	sim --media dvd+r --disc disc -- "$SPINDLE" blank -d "$DEV"
	expect_exit 4
	expect_err "a DVD+R cannot be blanked"
	sim --media bd-re --disc disc2 -- "$SPINDLE" blank -d "$DEV"
	expect_exit 4
	expect_err "is not blanked, it is formatted"
	expect_err "spindle format --force"
}

test_blank_virtual_drive_refused() {
	need_sim
	mkimg img 10
	run blank -d "stdio:$PWD/img"
	expect_exit 4
	expect_err "a virtual drive cannot be blanked"
}

test_format_dvd_rw_to_restricted_overwrite_and_back() {
	need_sim
	sp_media() { sim --media dvd-rw --disc disc -- "$SPINDLE" "$@" -d "$DEV"; }
	sp_media format --json
	expect_exit 0
	expect_eq "$(out_json .profile)" "19"
	expect_eq "$(out_json .capacity_sectors)" "2298496"
	sp disc format
	expect_exit 4
	expect_err "formatted already"
	expect_err "--force"
	mktree tree
	sim --disc disc -- xorriso -outdev "$DEV" -map tree / -commit
	expect_exit 0
	sim --disc disc -- xorriso -indev "$DEV" -toc
	expect_log "Media current: DVD-RW restricted overwrite"
	sp disc blank
	expect_exit 0
	expect_eq "$(state_get disc profile)" "20"
}

test_format_dvd_plus_rw_then_xorriso_writes() {
	need_sim
	sim --media dvd+rw --disc disc --log log -- "$SPINDLE" format -d "$DEV"
	expect_exit 0
	grep -q "cdb 04 11 " log || fail "no FORMAT UNIT"
	expect_eq "$(state_get disc formatted)" "1"
	mktree tree
	sim --disc disc -- xorriso -outdev "$DEV" -map tree / -commit
	expect_exit 0
	sim --disc disc -- xorriso -indev "$DEV" -osirrox on -extract /a.txt a.txt
	expect_same tree/a.txt a.txt
}

test_format_bd_re_with_and_without_spare() {
	need_sim
	sim --media bd-re --disc disc -- "$SPINDLE" format --json -d "$DEV"
	expect_exit 0
	expect_eq "$(out_json .capacity_sectors)" "11826176"
	expect_eq "$(state_get disc spare)" "393216"
	sp disc format --force --no-spare --json
	expect_exit 0
	expect_eq "$(out_json .capacity_sectors)" "12219392"
	expect_eq "$(state_get disc spare)" "0"
	sim --disc disc -- xorriso -outdev "$DEV" -toc
	expect_log "Media blocks : 0 readable , 12219392 writable"
}

test_format_bd_r_spare_area() {
	need_sim
	sim --media bd-r --disc disc -- "$SPINDLE" format --json -d "$DEV"
	expect_exit 0
	expect_eq "$(out_json .capacity_sectors)" "11826176"
	expect_eq "$(state_get disc formatted)" "1"
	sim --disc disc -- xorriso -outdev "$DEV" -list_formats
	expect_log "BD Spare Area: 0 blocks consumed, 393216 blocks available"
	# a formatted or written BD-R cannot be formatted again
	sp disc format
	expect_exit 4
	expect_err "formatted already"
	sim --media bd-r --disc fresh -- "$SPINDLE" format --no-spare -d "$DEV"
	expect_exit 2
	expect_err "needs no formatting"
}

test_format_dvd_ram_sizes() {
	need_sim
	sim --media dvd-ram --disc disc -- "$SPINDLE" format --force --no-spare --json -d "$DEV"
	expect_exit 0
	expect_eq "$(out_json .capacity_sectors)" "2295104"
	sp disc format --force --json
	expect_exit 0
	expect_eq "$(out_json .capacity_sectors)" "2236704"
}

test_format_refuses_cd_and_bad_options() {
	need_sim
	sim --media cd-rw --disc disc -- "$SPINDLE" format -d "$DEV"
	expect_exit 4
	expect_err "a CD-RW cannot be formatted"
	expect_err "spindle blank"
	run format --no-spare --size 1G -d /dev/sr7
	expect_exit 2
	expect_err "exclude each other"
	run format --size banana -d /dev/sr7
	expect_exit 2
}

test_eject_load_lock() {
	need_sim
	sim --media dvd+r --disc disc --log log -- "$SPINDLE" eject -d "$DEV"
	expect_exit 0
	expect_err "opened the tray of /dev/sr7"
	grep -q "cdb 1b .. 00 00 02 00" log || fail "no START STOP UNIT eject"
	expect_eq "$(state_get disc tray_open)" "1"
	# ejecting an open tray leaves it open: nothing is sent
	sim --disc disc --log log2 -- "$SPINDLE" eject -d "$DEV"
	expect_exit 0
	! grep -q "cdb " log2 || fail "commands sent to an open tray"
	sp disc eject --load
	expect_exit 0
	expect_eq "$(state_get disc tray_open)" "0"
	sp disc eject --lock --json
	expect_exit 0
	expect_eq "$(out_json .action)" "lock"
	expect_eq "$(state_get disc locked)" "1"
	sp disc eject --unlock
	expect_exit 0
	expect_eq "$(state_get disc locked)" "0"
	run eject --load --lock -d /dev/sr7
	expect_exit 2
	run eject -d "stdio:$PWD/disc"
	expect_exit 4
	expect_err "a virtual drive has no tray"
}

# on a terminal, blank and format show the drive's progress (taken from
# the sense data of the "format/operation in progress" answers)
test_progress_on_a_terminal() {
	need_sim
	need_tool script
	MMCSIM_BUSY_POLLS=3 script -qec "'$MMCSIM_RUN' --media dvd-rw --disc disc -- \
		'$SPINDLE' format --full -d $DEV" typescript > /dev/null
	grep -q "formatting:  50%" typescript || fail "no format progress: $(cat -v typescript)"
	grep -q "formatting: 100%" typescript || fail "format progress does not end at 100%"
	MMCSIM_BUSY_POLLS=3 script -qec "'$MMCSIM_RUN' --disc disc -- \
		'$SPINDLE' blank -d $DEV" typescript2 > /dev/null
	grep -q "blanking: .*%" typescript2 || fail "no blank progress: $(cat -v typescript2)"
	expect_eq "$(state_get disc profile)" "20"
}

run_tests
