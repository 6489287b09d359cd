#!/bin/sh
# Audio CDs: rip --audio, rip --raw and convert, on BIN/CUE and cdrdao TOC
# images made at test time by tests/audio/cdgen.py with known PCM.  Samples,
# CUE sheets and checksums are checked against cdgen.py's own, independent
# computation.
. "$TOP_SRCDIR/tests/lib.sh"

GEN="$TOP_SRCDIR/tests/audio/cdgen.py"
. "$TOP_SRCDIR/tests/audio/audio_lib.sh"

need_tools() {
	command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
	command -v flac >/dev/null 2>&1 || skip "flac is not installed"
}

# decode DIR/NN.flac to DIR/NN.raw (little-endian PCM), testing it first
decode() {
	flac -s -t "$1/$2.flac" || fail "flac -t rejects $1/$2.flac"
	flac -s -d -f --force-raw-format --endian=little --sign=signed \
		-o "$1/$2.raw" "$1/$2.flac" || fail "flac -d fails on $1/$2.flac"
}

# expect_track DIR NUMBER OFFSET: the ripped track equals the source PCM
expect_track() {
	f=$(printf %02d "$2")
	if [ -f "$1/$f.flac" ]; then
		decode "$1" "$f"
	else
		tail -c +45 "$1/$f.wav" > "$1/$f.raw"
	fi
	expected_pcm src "$3" "$2" "expected$2.raw"
	cmp -s "$1/$f.raw" "expected$2.raw" || fail "track $2 (offset $3) differs from the source"
}

test_rip_audio_flac_samples_cue_and_checksums() {
	need_tools
	cdgen_src src
	run rip --audio -o ripped src/disc.cue
	expect_exit 0
	for n in 0 1 2 3 4; do expect_track ripped "$n" 0; done
	cat > cue.expected <<-'EOF'
	FILE "00.flac" WAVE
	  TRACK 01 AUDIO
	    INDEX 00 00:00:00
	FILE "01.flac" WAVE
	    INDEX 01 00:00:00
	  TRACK 02 AUDIO
	    INDEX 00 00:02:00
	FILE "02.flac" WAVE
	    INDEX 01 00:00:00
	FILE "03.flac" WAVE
	  TRACK 03 AUDIO
	    INDEX 01 00:00:00
	  TRACK 04 AUDIO
	    INDEX 00 00:01:45
	FILE "04.flac" WAVE
	    INDEX 01 00:00:00
	EOF
	expect_same cue.expected ripped/disc.cue
	[ -s ripped/rip.log ] || fail "no rip.log"
	# CRC32 and AccurateRip against the independent implementation
	for n in 1 2 3 4; do
		first=0; last=0
		[ "$n" = 1 ] && first=1
		[ "$n" = 4 ] && last=1
		set -- $(python3 "$GEN" sums "expected$n.raw" $first $last)
		grep -A6 "^Track  $n\$" ripped/rip.log > t$n.log
		grep -q "copy CRC        $1" t$n.log || fail "track $n: CRC32 is not $1"
		grep -q "AccurateRip     v1 $2  v2 $3" t$n.log || fail "track $n: AccurateRip is not $2/$3"
	done
	# the log on stdout is the one saved
	expect_same ripped/rip.log out
}

# expect_files DIR [prepend] NUMBER...: the WAV files of the rip hold the
# disc's samples of their tracks' ranges, with a WAV header and no more
expect_files() {
	d=$1 mode=$2
	shift 2
	python3 "$GEN" pcm src all 0 want $mode
	for n in "$@"; do
		f="$d/$(printf %02d "$n").wav" w="want$(printf %02d "$n").raw"
		expect_eq "$(stat -c %s "$f")" "$(( $(stat -c %s "$w") + 44 ))" "size of $f"
		tail -c +45 "$f" | cmp -s - "$w" || fail "$f differs from the disc (--gaps $mode)"
	done
}

# crc FILE.wav: CRC32 of its samples, as gzip's trailer has it
crc() {
	tail -c +45 "$1" | gzip -c | tail -c 8 | head -c 4 | od -An -tx4 | tr -d ' ' | tr a-f A-F
}

test_rip_audio_gaps_modes() {
	need_tools
	cdgen_src src
	python3 "$GEN" dbar src db.bin
	# prepend: each file starts at its INDEX 00, track 1's at sector 0
	run rip --audio --json --format wav --gaps prepend --accuraterip-db db.bin -o pre src/disc.cue
	expect_exit 0
	expect_eq "$(json_get .gaps_mode)" prepend
	[ ! -e pre/00.wav ] || fail "prepend kept a hidden track file"
	expect_files pre prepend 1 2 3 4
	expect_eq "$(json_get '.tracks[0].track')" 1 "the first entry is track 1, no hidden track"
	expect_eq "$(json_get '.tracks[1].file_start')" 183 "track 2's file starts at its INDEX 00"
	expect_eq "$(json_get '.tracks[1].file_sectors')" 210
	cat > cue.expected <<-'EOF'
	FILE "01.wav" WAVE
	  TRACK 01 AUDIO
	    INDEX 00 00:00:00
	    INDEX 01 00:00:33
	FILE "02.wav" WAVE
	  TRACK 02 AUDIO
	    INDEX 00 00:00:00
	    INDEX 01 00:00:40
	FILE "03.wav" WAVE
	  TRACK 03 AUDIO
	    INDEX 01 00:00:00
	FILE "04.wav" WAVE
	  TRACK 04 AUDIO
	    INDEX 00 00:00:00
	    INDEX 01 00:00:25
	EOF
	expect_same cue.expected pre/disc.cue
	# AccurateRip still counts INDEX 01 to INDEX 01 (the dBAR file holds
	# cdgen.py's checksums of those ranges); the CRC is the file's
	for i in 1 2 3 4; do
		expect_eq "$(json_get ".tracks[$((i - 1))].copy_crc32")" "$(crc pre/0$i.wav)" "track $i CRC of its file"
	done
	grep -qx "All 4 tracks were accurately ripped." pre/rip.log ||
		fail "prepend: AccurateRip does not match"
	# the sheet describes the disc: the same layout as the source's
	layout() { "$SPINDLE" info --json "$1" | jq -c '[.leadout_lba, .tracks]'; }
	expect_eq "$(layout pre/disc.cue)" "$(layout src/disc.cue)" "layout of the prepend sheet"
	# a silent pregap before track 1: append leaves it out, htoa keeps it
	dd if=/dev/zero of=src/disc.bin bs=2352 count=33 conv=notrunc status=none
	run rip --audio --format wav --gaps append -o app src/disc.cue
	expect_exit 0
	[ ! -e app/00.wav ] || fail "append kept a silent hidden track"
	sed -n 1,4p app/disc.cue > head.got
	printf 'FILE "01.wav" WAVE\n  TRACK 01 AUDIO\n    PREGAP 00:00:33\n    INDEX 01 00:00:00\n' > head.want
	expect_same head.want head.got
	run rip --audio --format wav --gaps htoa -o htoa src/disc.cue
	expect_exit 0
	expect_out "gaps go         htoa: each ends the previous track's file; track 1's pregap is track 0"
	expect_files htoa append 0 1 2 3 4
	sed -n 1,5p htoa/disc.cue > head.got
	printf 'FILE "00.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 00 00:00:00\nFILE "01.wav" WAVE\n    INDEX 01 00:00:00\n' > head.want
	expect_same head.want head.got
	expect_eq "$(layout htoa/disc.cue)" "$(layout src/disc.cue)" "layout of the htoa sheet"
	expect_eq "$(layout app/disc.cue)" "$(layout src/disc.cue)" "layout of the append sheet"
	run rip --raw --gaps prepend -o x.bin src/disc.cue
	expect_exit 2
	expect_err "--gaps"
	run rip --audio --gaps middle -o x src/disc.cue
	expect_exit 2
	expect_err "'middle' is none of append, prepend and htoa"
}

# De-emphasis: a track flagged pre-emphasis (FLAGS PRE) holding a 15 kHz
# tone (left) and a 1 kHz tone (right), then a track without the flag.
# The file must equal sox's deemph effect on the same samples (within one
# step of rounding), the tones must lose what the 50/15 us curve takes
# (-8.89 dB at 15 kHz, -0.37 dB at 1 kHz), and the checksums of the disc's
# samples must not change.
test_rip_audio_deemphasis_matches_sox() {
	need_tools
	python3 - <<-'PY'
	import math, random, struct
	n = 200 * 588
	pcm = bytearray()
	for i in range(n):
	    l = round(10000 * math.sin(2 * math.pi * 15000 * i / 44100))
	    r = round(10000 * math.sin(2 * math.pi * 1000 * i / 44100))
	    pcm += struct.pack("<hh", l, r)
	open("t1.raw", "wb").write(pcm)
	open("d.bin", "wb").write(pcm + random.Random(5).randbytes(150 * 2352))
	open("d.cue", "w").write('FILE "d.bin" BINARY\n  TRACK 01 AUDIO\n    FLAGS PRE\n'
	    '    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 01 00:02:50\n')
	PY
	run rip --audio --json --format wav -o plain d.cue
	expect_exit 0
	expect_eq "$(json_get '.tracks[0].pre_emphasis')" true
	expect_eq "$(json_get '.tracks[0].deemphasized')" false
	json_get '[.tracks[] | .accuraterip_v1, .accuraterip_v2] | join(" ")' > plain.ar
	tail -c +45 plain/01.wav | cmp -s - t1.raw || fail "without --deemphasis the samples changed"
	run rip --audio --json --format wav --deemphasis -o de d.cue
	expect_exit 0
	expect_eq "$(json_get '.tracks[0].deemphasized')" true
	expect_eq "$(json_get '.tracks[1].deemphasized')" false
	json_get '[.tracks[] | .accuraterip_v1, .accuraterip_v2] | join(" ")' > de.ar
	expect_same plain.ar de.ar
	cmp -s plain/02.wav de/02.wav || fail "a track without pre-emphasis was filtered"
	grep -q "^  pre-emphasis    yes (de-emphasised in the file, --deemphasis)$" de/rip.log ||
		fail "the log does not say the track was de-emphasised"
	sox -D -t raw -r 44100 -e signed -b 16 -c 2 -L t1.raw -t raw -e signed -b 16 -L sox.raw deemph ||
		fail "sox failed"
	tail -c +45 de/01.wav > de1.raw
	[ -s de1.raw ] && [ -s sox.raw ] || fail "nothing to compare"
	python3 - <<-'PY' || fail "the de-emphasised track differs from sox's"
	import math, struct, sys
	got = struct.unpack("<%dh" % (len(open("de1.raw", "rb").read()) // 2), open("de1.raw", "rb").read())
	ref = struct.unpack("<%dh" % (len(open("sox.raw", "rb").read()) // 2), open("sox.raw", "rb").read())
	src = struct.unpack("<%dh" % (len(open("t1.raw", "rb").read()) // 2), open("t1.raw", "rb").read())
	if len(got) != len(ref):
	    sys.exit("lengths %d and %d" % (len(got), len(ref)))
	worst = max(abs(a - b) for a, b in zip(got, ref))
	print("# largest difference from sox: %d" % worst)
	if worst > 1:
	    sys.exit("differs from sox by up to %d" % worst)
	def db(ch):
	    o = got[2000 + ch::2]; i = src[2000 + ch::2]
	    return 10 * math.log10(sum(x * x for x in o) / sum(x * x for x in i))
	for ch, want in ((0, -8.89), (1, -0.37)):
	    g = db(ch)
	    print("# channel %d: %.2f dB, the 50/15 us curve %.2f dB" % (ch, g, want))
	    if abs(g - want) > 0.3:
	        sys.exit("channel %d: %.2f dB, not %.2f" % (ch, g, want))
	PY
}

test_rip_audio_json_log() {
	need_tools
	cdgen_src src
	run rip --audio --json --test-and-copy --retries 5 -o dir src/disc.cue
	expect_exit 0
	expect_eq "$(json_get .type)" result
	expect_eq "$(json_get .command)" rip
	expect_eq "$(json_get .ok)" true
	expect_eq "$(json_get .offset)" 0
	expect_eq "$(json_get .paranoia_mode)" "full paranoia, skip after 5 retries"
	expect_eq "$(json_get .driver)" "BIN/CUE"
	expect_eq "$(json_get '.tracks | length')" 5
	expect_eq "$(json_get '.tracks[0].track')" 0
	expect_eq "$(json_get '.tracks[0].accuraterip_v1')" null
	expect_eq "$(json_get '.tracks[2].start')" 223
	expect_eq "$(json_get '.tracks[2].sectors')" 170
	expect_eq "$(json_get '.tracks[2].pregap_sectors')" 40
	expect_eq "$(json_get '.tracks[2].paranoia.skips')" 0
	expect_eq "$(json_get '.tracks[2].paranoia.unrecoverable | length')" 0
	for i in 1 2 3 4; do
		expect_eq "$(json_get ".tracks[$i].test_crc32")" "$(json_get ".tracks[$i].copy_crc32")"
	done
	expected_pcm src 0 3 t3.raw
	set -- $(python3 "$GEN" sums t3.raw 0 0)
	expect_eq "$(json_get '.tracks[3].copy_crc32')" "$1"
	expect_eq "$(json_get '.tracks[3].accuraterip_v1')" "$2"
	expect_eq "$(json_get '.tracks[3].accuraterip_v2')" "$3"
	# every line before the result is a progress event of a track's pass
	n=$(head -n -1 out | jq -c 'select(.type == "progress" and .command == "rip" and .phase == "audio" and (.track | type) == "number")' | wc -l)
	expect_eq "$n" "$(( $(wc -l < out) - 1 ))" "progress lines"
	[ "$n" -ge 8 ] || fail "expected a final progress event per pass of each track, got $n"
}

test_rip_audio_offset_shifts_samples() {
	need_tools
	cdgen_src src
	for off in 7 -600 1300; do
		run rip --audio --format wav --offset "$off" -o "o$off" src/disc.cue
		expect_exit 0
		for n in 0 1 2 3 4; do expect_track "o$off" "$n" "$off"; done
	done
	# and the shift is real: offset 7 differs from offset 0
	expected_pcm src 0 2 zero.raw
	cmp -s zero.raw o7/02.raw && fail "--offset 7 gave the unshifted samples"
	return 0
}

test_rip_audio_mixed_mode() {
	need_tools
	cdgen_src src --mixed
	run rip --audio --format wav -o ripped src/disc.cue
	expect_exit 0
	expect_out "data track, not ripped (100 sectors from 0)"
	[ ! -e ripped/01.wav ] || fail "the data track was ripped as audio"
	for n in 2 3 4; do expect_track ripped "$n" 0; done
	# negative offset reads into the audio pregap after the data track
	run rip --audio --format wav --offset -700 -o neg src/disc.cue
	expect_exit 0
	for n in 2 3 4; do expect_track neg "$n" -700; done
	cat > cue.expected <<-'EOF'
	FILE "02.wav" WAVE
	  TRACK 02 AUDIO
	    PREGAP 00:02:00
	    INDEX 01 00:00:00
	FILE "03.wav" WAVE
	  TRACK 03 AUDIO
	    INDEX 01 00:00:00
	  TRACK 04 AUDIO
	    INDEX 00 00:01:55
	FILE "04.wav" WAVE
	    INDEX 01 00:00:00
	EOF
	expect_same cue.expected ripped/disc.cue
}

test_rip_audio_cdrdao_toc_last_track() {
	need_tools
	cdgen_src src --no-htoa
	run rip --audio --json --format wav -o toc src/disc.toc
	expect_exit 0
	# the last track has a START: libcdio reports it 25 sectors too long
	expect_eq "$(json_get '.tracks[3].sectors')" 200
	expect_eq "$(json_get '.tracks[3].pregap_sectors')" 25
	for n in 1 2 3 4; do expect_track toc "$n" 0; done
}

test_rip_audio_unreadable_sectors_kept_and_logged() {
	need_tools
	cdgen_src src
	run rip --audio --json --retries 5 --test-unreadable 300,500 -o ripped src/disc.cue
	expect_exit 6
	expect_err "track 2 has unrecoverable read errors from sector 300"
	expect_err "the track was kept"
	expect_eq "$(json_get .ok)" false
	expect_eq "$(json_get .error.code)" unreadable
	expect_eq "$(json_get .error.lba)" 300
	expect_eq "$(json_get '.tracks[2].paranoia.unrecoverable[0].lba')" 300
	expect_eq "$(json_get '.tracks[3].paranoia.unrecoverable[0].lba')" 500
	[ "$(json_get '.tracks[3].paranoia.read_errors')" -gt 0 ] || fail "no read errors counted"
	flac -s -t ripped/02.flac || fail "the damaged track was not kept"
	flac -s -t ripped/03.flac || fail "the damaged track was not kept"
	grep -q "unrecoverable   300" ripped/rip.log || fail "rip.log lacks the position"
	# the undamaged tracks are exact
	expect_track ripped 1 0
	expect_track ripped 4 0
}

test_rip_audio_refuses_to_overwrite() {
	need_tools
	cdgen_src src
	run rip --audio -o ripped src/disc.cue
	expect_exit 0
	cp ripped/02.flac keep.flac
	run rip --audio --format flac -o ripped src/disc.cue
	expect_exit 1
	expect_err "already exists"
	expect_err "--force"
	expect_same keep.flac ripped/02.flac
	run rip --audio --force -o ripped src/disc.cue
	expect_exit 0
}

test_rip_audio_bad_inputs() {
	need_tools
	cdgen_src src --mixed
	# a missing track file
	sed 's/disc.bin/gone.bin/' src/disc.cue > src/missing.cue
	run rip --audio -o ripped src/missing.cue
	expect_exit 1
	expect_err "names track file 'src/gone.bin'"
	expect_err "No such file or directory"
	# a malformed sheet
	printf 'FILE "disc.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:99:00\n' > src/bad.cue
	run rip --audio -o ripped src/bad.cue
	expect_exit 1
	expect_err "malformed CUE sheet 'src/bad.cue', line 3: '00:99:00' is not a time mm:ss:ff"
	printf 'FILE "disc.bin" BINARY\nINDEX 01 00:00:00\n' > src/bad2.cue
	run rip --audio -o ripped src/bad2.cue
	expect_exit 1
	expect_err "line 2: INDEX before any TRACK"
	# a data-only disc
	printf 'FILE "data.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n' > src/data.cue
	head -c $((2352 * 100)) src/disc.bin > src/data.bin
	run rip --audio -o ripped src/data.cue
	expect_exit 4
	expect_err "'src/data.cue' holds no audio tracks: it is a data disc"
	[ ! -e ripped/disc.cue ] || fail "a sheet was written for a data disc"
	# a file that is not an image, and usage errors
	run rip --audio -o ripped src/disc.bin
	expect_exit 2
	expect_err "is not a CD image"
	run rip --audio src/disc.cue
	expect_exit 2
	expect_err "-o is missing"
	run rip --audio --raw -o x src/disc.cue
	expect_exit 2
	expect_err "give one of --audio and --raw"
	run rip --audio --offset 99999 -o ripped src/disc.cue
	expect_exit 2
	expect_err "--offset"
	run rip --audio -d /dev/nonexistent-sr9 -o ripped
	expect_exit 3
	expect_err "cannot use drive '/dev/nonexistent-sr9'"
	run rip --audio -o ripped src/gone.cue
	expect_exit 1
	expect_err "cannot open 'src/gone.cue'"
	run rip --audio -d stdio:x -o ripped
	expect_exit 2
	expect_err "is a virtual drive"
	run rip --audio --format mp3 -o ripped src/disc.cue
	expect_exit 2
	expect_err "'mp3' is neither flac nor wav"
}

test_rip_audio_bin_with_another_name() {
	need_tools
	cdgen_src src --no-htoa
	mkdir other
	mv src/disc.bin other/Album.bin
	sed 's|disc.bin|../other/Album.bin|' src/disc.cue > src/x.cue
	run rip --audio --format wav -o ripped src/x.cue
	expect_exit 0
	mv other/Album.bin src/disc.bin
	for n in 1 2 3 4; do expect_track ripped "$n" 0; done
}

test_rip_audio_options_after_source() {
	need_tools
	cdgen_src src --no-htoa
	run rip --audio src/disc.cue -o ripped --format=wav --offset -3
	expect_exit 0
	for n in 1 2 3 4; do expect_track ripped "$n" -3; done
}

test_rip_raw_mixed_mode() {
	need_tools
	cdgen_src src --mixed
	run rip --raw -o copy.bin src/disc.cue
	expect_exit 0
	expect_same src/disc.bin copy.bin
	sed 's/disc.bin/copy.bin/' src/disc.cue > expected.cue
	cat > expected.cue <<-'EOF'
	FILE "copy.bin" BINARY
	  TRACK 01 MODE1/2352
	    INDEX 01 00:00:00
	  TRACK 02 AUDIO
	    INDEX 00 00:01:25
	    INDEX 01 00:03:25
	  TRACK 03 AUDIO
	    INDEX 01 00:05:15
	  TRACK 04 AUDIO
	    INDEX 00 00:06:70
	    INDEX 01 00:07:32
	EOF
	expect_same expected.cue copy.cue
	run rip --raw -o copy.bin src/disc.cue
	expect_exit 1
	expect_err "already exists"
	run rip --raw --json --force -o copy.bin src/disc.cue
	expect_exit 0
	expect_eq "$(json_get .sectors)" 717
	expect_eq "$(json_get .bad_sectors)" 0
	run rip --raw --c2 --force -o copy.bin src/disc.cue
	expect_exit 0
	expect_err "--c2: an image has no C2 error pointers"
	run rip --raw -o copy.img src/disc.cue
	expect_exit 2
	expect_err "should be named like DISC.bin"
}

test_convert_mixed_to_iso() {
	need_tools
	cdgen_src src --mixed
	run convert -o out.iso src/disc.cue
	expect_exit 0
	expect_same src/expected.iso out.iso
	expect_out "track 1 (MODE1/2352), 100 sectors"
	run convert -o out.iso src/disc.cue
	expect_exit 1
	expect_err "'out.iso' already exists"
	run convert --json --force -o out.iso src/disc.cue
	expect_exit 0
	expect_eq "$(json_get .sectors)" 100
}

test_convert_bad_inputs() {
	need_tools
	cdgen_src src
	run convert -o out.iso src/disc.cue
	expect_exit 4
	expect_err "holds only audio tracks"
	[ ! -e out.iso ] || fail "an ISO was written from audio"
	# audio declared as MODE1/2352: no sync pattern
	sed 's/AUDIO/MODE1\/2352/' src/disc.cue > src/liar.cue
	run convert -o out.iso src/liar.cue
	expect_exit 1
	expect_err "sector 0 of track 1 has no sync pattern"
	[ ! -e out.iso ] && [ ! -e out.iso.tmp ] || fail "a partial ISO was left"
	run convert -o out.iso src/nothing.cue
	expect_exit 1
	expect_err "cannot open 'src/nothing.cue'"
	run convert src/disc.cue
	expect_exit 2
	expect_err "-o is missing"
}

run_tests
