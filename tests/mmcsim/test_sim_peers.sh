#!/bin/sh
# The simulated recorder seen by libburn's own programs (xorriso, cdrskin)
# and by a block-device reader (ddrescue): every media class, burnt and read
# back in separate processes, as a disc left in the tray.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/mmcsim/sim.sh"

# burn_and_check MEDIA: xorriso writes a tree, a new process reads it back
burn_and_check() {
	need_sim
	need_tool xorriso
	mktree tree
	sim --media "$1" --disc disc -- xorriso -outdev "$DEV" -map tree / -commit
	expect_exit 0
	expect_err "Writing to '$DEV' completed successfully"
	sim --disc disc -- xorriso -indev "$DEV" -toc -check_media -- \
		-osirrox on -extract /sub/b.bin got.bin
	expect_exit 0
	expect_log "Media status : is written"
	expect_log "+ good"
	! grep -q -- "- damaged\|- unreadable" err || fail "bad blocks reported"
	expect_same tree/sub/b.bin got.bin
}

test_xorriso_toc_blank_dvd_plus_r() {
	need_sim
	need_tool xorriso
	sim --media dvd+r --disc disc -- xorriso -outdev "$DEV" -toc
	expect_exit 0
	expect_log "Drive type   : vendor 'MMCSIM' product 'Virtual BD-RE'"
	expect_log "Media current: DVD+R"
	expect_log "Media product: MMCSIM/R01"
	expect_log "Media status : is blank"
	expect_log "Media blocks : 0 readable , 2295104 writable , 2295104 overall"
}

test_cdrskin_atip_blank_cd_rw() {
	need_sim
	need_tool cdrskin
	sim --media cd-rw --disc disc -- cdrskin dev="$DEV" -atip -toc
	expect_exit 0
	expect_out "Is erasable"
	expect_out "ATIP start of lead out: 359849 (79:59/74)"
	expect_out "Producer:      Ritek"
	expect_out "blank CD-RW"
}

test_burn_cd_r() { burn_and_check cd-r; }
test_burn_cd_rw() { burn_and_check cd-rw; }
test_burn_dvd_r() { burn_and_check dvd-r; }
test_burn_dvd_rw_sequential() { burn_and_check dvd-rw; }
test_burn_dvd_rw_restricted_overwrite() { burn_and_check dvd-rw-ro; }
test_burn_dvd_plus_r() { burn_and_check dvd+r; }
test_burn_dvd_plus_r_dl() { burn_and_check dvd+r-dl; }
test_burn_dvd_plus_rw() { burn_and_check dvd+rw; }
test_burn_dvd_ram() { burn_and_check dvd-ram; }
test_burn_bd_r() { burn_and_check bd-r; }
test_burn_bd_r_spare() { burn_and_check bd-r-spare; }
test_burn_bd_re() { burn_and_check bd-re; }

# cdrskin SAO and TAO on CD-R: the TOC shows the two run-out blocks of TAO
test_cdrskin_sao_and_tao_cd_r() {
	need_sim
	need_tool cdrskin
	mkimg img 300
	sim --media cd-r --disc sao -- cdrskin dev="$DEV" -sao -data img
	expect_exit 0
	sim --disc sao -- cdrskin dev="$DEV" -toc
	expect_out "track:lout lba:       300 "
	expect_out "closed CD-R"
	sim --media cd-r --disc tao -- cdrskin dev="$DEV" -tao -data img
	expect_exit 0
	sim --disc tao -- cdrskin dev="$DEV" -toc
	expect_out "track:lout lba:       302 "
	sim --disc tao -- dd if="$DEV" of=back bs=2048 count=300
	expect_exit 0
	expect_same img back
}

# multi-session CD-RW: append a session, then blank it
test_cdrskin_multisession_and_blank_cd_rw() {
	need_sim
	need_tool cdrskin
	mkimg img 200
	sim --media cd-rw --disc disc -- cdrskin dev="$DEV" -tao -multi -data img
	expect_exit 0
	sim --disc disc -- cdrskin dev="$DEV" -tao -data img
	expect_exit 0
	sim --disc disc -- cdrskin dev="$DEV" -toc
	expect_out "2 sessions, 2 tracks, closed CD-RW"
	expect_out "track:   2 lba:     11702 "
	sim --disc disc -- cdrskin dev="$DEV" blank=fast
	expect_exit 0
	sim --disc disc -- cdrskin dev="$DEV" -toc
	expect_out "blank CD-RW"
}

# DVD+R: a second session appended by xorriso shows old and new files
test_xorriso_append_session_dvd_plus_r() {
	need_sim
	need_tool xorriso
	mktree tree
	sim --media dvd+r --disc disc -- xorriso -outdev "$DEV" -map tree / -close off -commit
	expect_exit 0
	echo second > new.txt
	sim --disc disc -- xorriso -dev "$DEV" -map new.txt /new.txt -commit -toc -ls /
	expect_exit 0
	expect_log "ISO session  :   2 "
	expect_out "'new.txt'"
	expect_out "'a.txt'"
}

# read-only media pressed from an image: xorriso, cdrskin and ddrescue
test_rom_media_read_back() {
	need_sim
	need_tool ddrescue
	mkimg img 150
	for m in cd-rom dvd-rom bd-rom; do
		sim --media $m --image img --disc $m -- ddrescue -q -b 2048 "$DEV" back.$m map.$m
		expect_exit 0
		expect_same img back.$m
		sim --disc $m -- xorriso -outdev "$DEV" -toc
		expect_log "is written , is closed"
	done
	sim --disc cd-rom -- cdrskin dev="$DEV" -toc
	expect_out "closed CD-ROM"
}

# a write to a read-only medium is refused with the drive's sense code
test_write_to_rom_refused() {
	need_sim
	mkimg img 20
	sim --media dvd-rom --image img --disc disc --log log -- \
		xorriso -outdev "$DEV" -blank as_needed -map img /x -commit
	[ "$RC" -ne 0 ] || fail "burning a DVD-ROM succeeded"
	grep -q "^/dev/sr7 cdb 2a .*-> 5/30/05" log ||
		! grep -q "^/dev/sr7 cdb 2a" log || fail "WRITE answered without 05/30/05"
}

# damage: ddrescue meets 03/11/00 on a whole ECC block (16 sectors on DVD)
test_read_damage_ecc_block() {
	need_sim
	need_tool ddrescue
	mkimg img 64
	echo "read-error 20" > dmg
	sim --media dvd-rom --image img --damage dmg --disc disc -- \
		ddrescue -q -b 2048 "$DEV" back map
	bad=$(awk '$3 == "-" { print $1, $2 }' map)
	expect_eq "$bad" "0x00008000 0x00008000" "bad area"
}

# a tray left open is closed by libburn's load; no medium stays missing
test_tray_open_and_no_medium() {
	need_sim
	echo "tray-open" > dmg
	sim --media dvd+r --damage dmg --disc disc --log log -- xorriso -outdev "$DEV" -toc
	grep -q "cdb 00 00 00 00 00 00 -> 2/3a/02" log || fail "no 'tray open' answer"
	grep -q "cdb 1b 00 00 00 03 00 -> 0/00/00" log || fail "tray not loaded"
	expect_log "Media current: DVD+R"
	echo "no-medium" > dmg2
	sim --media dvd+r --damage dmg2 --disc disc2 --log log2 -- xorriso -outdev "$DEV" -toc
	grep -q "cdb 00 00 00 00 00 00 -> 2/3a/01" log2 || fail "no 'no medium' answer"
	expect_log "Media current: is not recognizable"
}

# a drive held with O_EXCL is busy for a second process, and state persists
test_exclusive_open_busy() {
	need_sim
	need_tool python3
	sim --media dvd+r --disc disc -- python3 -c "
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL)
try:
    os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL)
    print('second open ok')
except OSError as e:
    print('second open:', e.strerror)
os.close(fd)
os.close(os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL))
print('open after close ok')
" "$DEV"
	expect_exit 0
	expect_out "second open: Device or resource busy"
	expect_out "open after close ok"
}

# immediate commands answered "not ready, in progress" are polled through
test_not_ready_polling() {
	need_sim
	mkimg img 40
	MMCSIM_BUSY_POLLS=2 sim --media dvd+r --disc disc --log log -- \
		xorriso -outdev "$DEV" -map img /x -commit
	expect_exit 0
	grep -q "cdb 00 00 00 00 00 00 -> 2/04/08" log || fail "no long-write-in-progress answer"
	grep -q "cdb 00 00 00 00 00 00 -> 2/04/07" log || fail "no operation-in-progress answer"
	sim --disc disc -- xorriso -indev "$DEV" -toc
	expect_log "is written"
}

# the virtual clock: drive time grows with the amount written
test_virtual_clock() {
	need_sim
	mkimg img 2000
	sim --media dvd+r --disc disc --clock clock -- xorriso -outdev "$DEV" -map img /x -commit
	expect_exit 0
	t=$(awk '{ t += $2 } END { print t }' clock)
	awk -v t="$t" 'BEGIN { exit !(t > 0.1 && t < 60) }' || fail "drive time $t s"
	sim --media dvd+r --disc disc2 --time -- xorriso -outdev "$DEV" -toc
	expect_err "mmcsim: drive time"
}

# CD-DA: 2352-byte sectors survive; READ(10) refuses audio, READ CD reads it.
# Run inside one shell, which must not write its stale view of the disc back.
test_cdrskin_audio_round_trip_read_cd() {
	need_sim
	need_tool cdrskin
	need_tool python3
	python3 -c "
import wave
w = wave.open('t.wav', 'wb'); w.setnchannels(2); w.setsampwidth(2); w.setframerate(44100)
w.writeframes(bytes((i * 7 + i // 2352) & 255 for i in range(2352 * 320))); w.close()"
	mkdir ex
	sim --media cd-r --disc disc --log log -- sh -c \
		'cdrskin dev="$MMCSIM_DEV" -sao -audio t.wav && cdrskin dev="$MMCSIM_DEV" extract_audio_to=ex'
	expect_exit 0
	grep -q "cdb be " log || fail "no READ CD"
	python3 -c "
import wave, sys
a = wave.open('t.wav').readframes(10**9); b = wave.open('ex/01.wav').readframes(10**9)
sys.exit(0 if a == b else 1)" || fail "audio differs after the round trip"
	sim --disc disc -- dd if="$DEV" of=x bs=2048 count=1
	[ "$RC" -ne 0 ] || fail "an audio sector was read as data"
	sim --disc disc -- cdrskin dev="$DEV" -toc
	expect_out "control: 0 mode: 0"
	# libcdio's tools go through the kernel's CD-ROM ioctls
	if command -v cd-paranoia > /dev/null; then
		sim --disc disc -- cd-info --no-header "$DEV"
		expect_out "Disc mode is listed as: CD-DA"
		expect_out "170: 00:06:20  000320 leadout"
		sim --disc disc -- cd-paranoia -d "$DEV" 1 par.wav
		expect_exit 0
		python3 -c "
import wave, sys
a = wave.open('t.wav').readframes(10**9); b = wave.open('par.wav').readframes(10**9)
sys.exit(0 if a == b else 1)" || fail "cd-paranoia's rip differs"
	fi
}

run_tests
