#!/bin/sh
# Audio CDs burnt by spindle on the simulated recorder, through libburn's
# audio tracks in SAO, then read back by spindle rip --audio (libcdio-
# paranoia through the kernel's CD-ROM ioctls): the samples must come back
# exactly.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/mmcsim/sim.sh"

# pcm WAV OUT: the sample bytes of WAV
pcm() {
	python3 -c "
import sys, wave
open(sys.argv[2], 'wb').write(wave.open(sys.argv[1]).readframes(10**9))" "$1" "$2"
}

need_audio() {
	need_sim
	need_tool python3
	need_tool cd-info
}

# rip_mcn_from_q_frames DIR MCN: rip the disc to DIR on a drive that does
# not report the MCN (READ SUB-CHANNEL, CDROM_GET_MCN): spindle must find
# MCN in the Q frames
rip_mcn_from_q_frames() {
	export MMCSIM_HIDE_MCN=1
	sp disc rip --audio --json --format wav -o "$1"
	unset MMCSIM_HIDE_MCN
	expect_exit 0
	expect_eq "$(out_json .mcn)" "$2"
	expect_eq "$(out_json .mcn_source)" "the Q subchannel's mode-2 frames"
}

test_burn_audio_wav_list_and_rip_back() {
	need_audio
	mkwav t1.wav 320 1
	mkwav t2.wav 450 2
	sim --media cd-r --disc disc -- "$SPINDLE" burn -d "$DEV" --json t1.wav t2.wav
	expect_exit 0
	expect_eq "$(out_json .ok)" true
	expect_eq "$(out_json '.tracks | length')" 2
	expect_eq "$(out_json '.tracks[1].sectors')" 450
	sim --disc disc -- cd-info --no-header --no-cddb "$DEV"
	expect_out "Disc mode is listed as: CD-DA"
	# two audio tracks, gapless: a file list gets no pause between tracks
	expect_out "  1: 00:02:00  000000 audio"
	expect_out "  2: 00:06:20  000320 audio"
	expect_out "170: 00:12:20  000770 leadout"
	sp disc rip --audio --format wav -o got
	expect_exit 0
	for n in 1 2; do
		pcm "t$n.wav" "want$n"
		pcm "got/0$n.wav" "got$n"
		cmp -s "want$n" "got$n" || fail "track $n differs after the round trip"
	done
	[ -f got/disc.cue ] || fail "no CUE sheet"
	grep -q 'TRACK 02 AUDIO' got/disc.cue || fail "the CUE sheet lacks track 2"
}

test_burn_audio_cue_with_index0_gap() {
	need_audio
	mkwav a.wav 400 3
	mkwav b.wav 350 4
	cat > album.cue <<-EOF
	CATALOG 0724384960650
	TITLE "Album"
	PERFORMER "Band"
	FILE "a.wav" WAVE
	  TRACK 01 AUDIO
	    TITLE "One"
	    ISRC GBAYE0000001
	    INDEX 01 00:00:00
	FILE "b.wav" WAVE
	  TRACK 02 AUDIO
	    TITLE "Two"
	    INDEX 00 00:00:00
	    INDEX 01 00:01:00
	EOF
	sim --media cd-r --disc disc -- "$SPINDLE" burn -d "$DEV" --cd-text album.cue
	expect_exit 0
	expect_out "burned 2 audio tracks"
	sim --disc disc -- cd-info --no-header --no-cddb "$DEV"
	# track 2's INDEX 01 is 75 sectors (1 s) into b.wav: LBA 475, MSF
	# 00:08:25 counting the 150 sectors before LBA 0
	expect_out "  2: 00:08:25  000475 audio"
	expect_out "170: 00:12:00  000750 leadout
	# the CD-TEXT libburn wrote into the lead-in, as cd-info reads it
	# (READ TOC format 5)
	tr '\t' ' ' < out > out.cdinfo
	grep -A2 "CD-TEXT for Disc:" out.cdinfo | grep -q " TITLE: Album" || fail "cd-info sees no disc title"
	grep -A1 "CD-TEXT for Track  2:" out.cdinfo | grep -q " TITLE: Two" || fail "cd-info sees no title of track 2""
	sp disc rip --audio --format wav -o got
	expect_exit 0
	pcm a.wav a
	pcm b.wav b
	pcm got/01.wav got1
	pcm got/02.wav got2
	# the gap (b.wav's first second) ends track 1: no sample is lost
	head -c $((75 * 2352)) b >> a
	cmp -s a got1 || fail "track 1 is not a.wav and the gap"
	tail -c +$((75 * 2352 + 1)) b > b2
	cmp -s b2 got2 || fail "track 2 is not b.wav from INDEX 01"
	grep -q 'TRACK 02 AUDIO' got/disc.cue || fail "the rip's CUE sheet lacks track 2"
	# the gap found from the Q subchannel (the TOC has only INDEX 01):
	# INDEX 00 of track 2 is 400 sectors (00:05:25) into track 1's file
	cat > cue.expected <<-EOF
	FILE "01.wav" WAVE
	  TRACK 01 AUDIO
	    INDEX 01 00:00:00
	  TRACK 02 AUDIO
	    INDEX 00 00:05:25
	FILE "02.wav" WAVE
	    INDEX 01 00:00:00
	EOF
	expect_same cue.expected got/disc.cue
	grep -q "^gaps            from the Q subchannel: 1 found$" got/rip.log ||
		fail "the log does not say the gap came from the Q subchannel"
	# and the CD-TEXT came into the log and the tags (format wav: none)
	grep -q "^  album         Album$" got/rip.log || fail "the rip's log lacks the CD-TEXT album"
	grep -A3 "^Track  2$" got/rip.log | grep -q "^  title           Two$" || fail "the rip's log lacks track 2's title"
	sp disc rip --audio -o flac
	expect_exit 0
	metaflac --export-tags-to=- flac/02.flac > tags2
	grep -qx "TITLE=Two" tags2 || fail "02.flac is not tagged with its CD-TEXT title"
	grep -qx "ALBUM=Album" tags2 || fail "02.flac is not tagged with the CD-TEXT album"
	grep -qx "ALBUMARTIST=Band" tags2 || fail "02.flac lacks the CD-TEXT performer"
	# the ISRC from the cue sheet, read back with READ SUB-CHANNEL; the
	# catalog number too (the drive writes it into mode-2 Q frames)
	metaflac --export-tags-to=- flac/01.flac | grep -qx "ISRC=GBAYE0000001" ||
		fail "01.flac lacks its ISRC"
	grep -A4 "^Track  1$" flac/rip.log | grep -q "^  ISRC            GBAYE0000001$" ||
		fail "the log lacks track 1's ISRC"
	grep -q "^MCN             0724384960650$" flac/rip.log || fail "the log lacks the catalog number"
	grep -q "^MCN from        the drive (READ SUB-CHANNEL)$" flac/rip.log ||
		fail "the MCN did not come from the drive"
	# a drive that does not report the MCN: spindle finds it in the Q
	# frames, and the gap search steps over those frames
	rip_mcn_from_q_frames hidden 0724384960650
	expect_same cue.expected hidden/disc.cue
}

test_rip_audio_mcn_only_in_q_frames() {
	need_audio
	mkwav a.wav 300 5
	printf 'CATALOG 4006381333931\nFILE "a.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' > one.cue
	sim --media cd-r --disc disc -- "$SPINDLE" burn -d "$DEV" one.cue
	expect_exit 0
	expect_eq "$(state_get disc mcn)" 4006381333931 "the simulator's MCN from the cue sheet"
	# no CD-TEXT: the MCN can only come from the subchannel
	rip_mcn_from_q_frames got 4006381333931
	expect_eq "$(out_json .cdtext)" null
	pcm a.wav want
	pcm got/01.wav got1
	cmp -s want got1 || fail "the track differs"
}

# An enhanced CD (CD-Extra): an audio session left open with --multi, then
# a data session.  The rip takes the audio tracks only, the last one ending
# 11400 sectors before the data session (lead-out, lead-in, pregap), and
# the disc IDs count as python3-libdiscid and whipper count them.
test_rip_audio_enhanced_cd() {
	need_audio
	mkwav a.wav 300 6
	mkwav b.wav 350 7
	sim --media cd-r --disc disc -- "$SPINDLE" burn -d "$DEV" --multi a.wav b.wav
	expect_exit 0
	mkdir tree && echo hello > tree/readme.txt
	"$SPINDLE" mkiso -o data.iso tree > /dev/null || fail "mkiso failed"
	sim --disc disc -- "$SPINDLE" burn -d "$DEV" --force data.iso
	expect_exit 0
	expect_eq "$(state_get disc sessions)" 2
	sp disc rip --audio --json --format wav -o got
	expect_exit 0
	expect_eq "$(out_json '[.tracks[] | [.track, .audio, .start, .sectors, .file] | tostring] | join(" ")')" \
		'[1,true,0,300,"01.wav"] [2,true,300,350,"02.wav"] [3,false,12050,302,null]'
	for n in 1 2; do
		pcm "$(echo a b | cut -d' ' -f$n).wav" "want$n"
		pcm "got/0$n.wav" "got$n"
		cmp -s "want$n" "got$n" || fail "track $n differs"
	done
	# MusicBrainz: the audio session only, its lead-out 11400 before the data
	set -- $(/usr/bin/python3 -c "import libdiscid
d = libdiscid.put(1, 2, 650 + 150, [150, 450])
print(d.id)")
	expect_eq "$(out_json .disc_ids.musicbrainz)" "$1" "MusicBrainz disc ID (libdiscid)"
	cat > layout.json <<-'EOF'
	{"tracks": [{"number": 1, "audio": true, "start": 0},
	            {"number": 2, "audio": true, "start": 300},
	            {"number": 3, "audio": false, "start": 12050, "session": 2}],
	 "leadout": 12352}
	EOF
	set -- $(/usr/bin/python3 "$TOP_SRCDIR/tests/audio/whipper_peer.py" ids layout.json)
	expect_eq "$(out_json .disc_ids.accuraterip_url)" "http://www.accuraterip.com/accuraterip/$1" \
		"dBAR address (whipper)"
	expect_eq "$(out_json .disc_ids.freedb)" "$2" "freedb ID (whipper)"
	expect_eq "$(out_json .disc_ids.musicbrainz)" "$3" "MusicBrainz disc ID (whipper)"
}

test_burn_audio_refused_on_dvd() {
	need_audio
	mkwav t1.wav 320 1
	sim --media dvd+r --disc disc -- "$SPINDLE" burn -d "$DEV" t1.wav
	expect_exit 4
	expect_err "audio"
	# nothing was written
	sp disc info --json
	expect_exit 0
	expect_eq "$(out_json .status)" blank
}

run_tests
