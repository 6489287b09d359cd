#!/bin/sh
# Audio CD burning: the layout and the PCM that would be burned (--dry-run
# reads every track through its libburn source and prints its CRC32), and
# libburn's refusal of audio on a stdio: drive.  libburn writes audio only
# to CD media, so the burn itself needs a CD recorder (real or simulated).
. "$TOP_SRCDIR/tests/lib.sh"

need_tools() {
	command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
	command -v flac >/dev/null 2>&1 || skip "flac is not installed"
}

# mkwav NAME SAMPLES [CHANNELS]: random CD audio (NAME.raw holds the PCM)
mkwav() {
	python3 - "$1" "$2" "${3:-2}" <<-'EOF'
	import random, struct, sys
	name, n, ch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
	data = random.Random(name).randbytes(n * 2 * ch)
	hdr = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + \
	    struct.pack("<IHHIIHH", 16, 1, ch, 44100, 44100 * 2 * ch, 2 * ch, 16) + \
	    b"data" + struct.pack("<I", len(data))
	open(name, "wb").write(hdr + data)
	open(name + ".raw", "wb").write(data)
	EOF
}

# crc FILE...: CRC32 of the concatenation, each file but the last padded to
# whole sectors, the whole padded to whole sectors (python zlib)
crc() {
	python3 - "$@" <<-'EOF'
	import sys, zlib
	out = b""
	for i, f in enumerate(sys.argv[1:]):
	    d = open(f, "rb").read()
	    out += d
	    out += bytes(-len(out) % 2352)
	print("%08X %d" % (zlib.crc32(out) & 0xffffffff, len(out) // 2352))
	EOF
}

test_burn_audio_dry_run_cue_with_gap_in_previous_file() {
	need_tools
	mkwav a.wav $((588 * 320 + 100))
	mkwav b.wav $((588 * 400))
	flac -s b.wav -o b.flac || fail "flac cannot encode"
	head -c $((300 * 2352)) a.wav.raw > t1.raw
	tail -c +$((300 * 2352 + 1)) a.wav.raw > t2a.raw
	cat > s.cue <<-'EOF'
	TITLE "Album"
	PERFORMER "Someone"
	FILE "a.wav" WAVE
	  TRACK 01 AUDIO
	    TITLE "One"
	    INDEX 01 00:00:00
	  TRACK 02 AUDIO
	    INDEX 00 00:04:00
	FILE "b.flac" WAVE
	    INDEX 01 00:00:00
	EOF
	run burn --dry-run --json s.cue
	expect_exit 0
	expect_eq "$(json_get .write_type)" sao
	expect_eq "$(json_get .title)" Album
	expect_eq "$(json_get '.tracks[0].title')" One
	set -- $(crc t1.raw)
	expect_eq "$(json_get '.tracks[0].crc32')" "$1"
	expect_eq "$(json_get '.tracks[0].sectors')" "$2"
	set -- $(crc t2a.raw b.wav.raw)
	expect_eq "$(json_get '.tracks[1].crc32')" "$1"
	expect_eq "$(json_get '.tracks[1].sectors')" "$2"
	# INDEX 01 of track 2 lies where b.flac starts: a.wav's 21st sector on
	expect_eq "$(json_get '.tracks[1].index1')" 21
	expect_eq "$(json_get .total_sectors)" $((150 + 300 + 421))
}

test_burn_audio_dry_run_file_list_and_bin_cue() {
	need_tools
	mkwav a.wav $((588 * 310 + 7))
	mkwav b.wav $((588 * 305))
	flac -s a.wav -o a.flac || fail "flac cannot encode"
	run burn --audio --dry-run --json a.flac b.wav
	expect_exit 0
	set -- $(crc a.wav.raw)
	expect_eq "$(json_get '.tracks[0].crc32')" "$1"
	expect_eq "$(json_get '.tracks[0].sectors')" 311
	set -- $(crc b.wav.raw)
	expect_eq "$(json_get '.tracks[1].crc32')" "$1"
	# the same audio as one BIN with a CUE sheet
	cat a.wav.raw > disc.bin
	head -c $((2352 - 7 * 4)) /dev/zero >> disc.bin
	cat b.wav.raw >> disc.bin
	printf 'FILE "disc.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 01 00:04:11\n' > disc.cue
	run burn --dry-run --json disc.cue
	expect_exit 0
	set -- $(crc a.wav.raw)
	expect_eq "$(json_get '.tracks[0].crc32')" "$1"
	set -- $(crc b.wav.raw)
	expect_eq "$(json_get '.tracks[1].crc32')" "$1"
}

test_burn_audio_stdio_refused() {
	need_tools
	mkwav a.wav $((588 * 300))
	run burn -d stdio:disc.img a.wav
	expect_exit 4
	expect_err "cannot take an audio CD: libburn writes audio tracks only to CD-R and CD-RW media"
	expect_err "hint: "
	run burn --json -d stdio:disc.img --cd-text a.wav
	expect_exit 4
	expect_eq "$(json_get .error.code)" medium
}

test_burn_audio_bad_inputs() {
	need_tools
	mkwav short.wav $((588 * 200))
	run burn --dry-run short.wav
	expect_exit 1
	expect_err "'short.wav' lasts 2.67 s; a CD track must last at least 4 seconds"
	mkwav mono.wav $((588 * 400)) 1
	run burn --dry-run mono.wav
	expect_exit 1
	expect_err "'mono.wav' is not CD audio: 1 channels, 44100 Hz, 16 bits"
	printf 'FILE "gone.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' > gone.cue
	run burn --dry-run gone.cue
	expect_exit 1
	expect_err "names track file 'gone.wav'"
	printf 'FILE "x.bin" BINARY\n  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n' > m2.cue
	head -c $((2352 * 400)) /dev/zero > x.bin
	printf 'FILE "a.wav" WAVE\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' >> m2.cue
	mkwav a.wav $((588 * 400))
	sed -i 's/TRACK 01 AUDIO/TRACK 02 AUDIO/' m2.cue
	run burn --dry-run m2.cue
	expect_exit 4
	expect_err "track 1 of 'm2.cue' is a MODE2/2352 track: libburn writes audio and Mode 1 tracks only"
	echo "not audio" > fake.wav
	run burn --dry-run fake.wav
	expect_exit 1
	expect_err "'fake.wav' is neither a WAV nor a FLAC file"
	run burn --dry-run --audio
	expect_exit 2
	expect_err "nothing to burn"
}

# A CUE sheet of one data track is a data disc: it streams as one, not as
# CD tracks (the bytes written are its user data).
test_burn_data_cue_takes_the_data_path() {
	python3 -c "import random; open('x.bin','wb').write(random.Random(5).randbytes(2048 * 320))"
	printf 'FILE "x.bin" BINARY\n  TRACK 01 MODE1/2048\n    INDEX 01 00:00:00\n' > data.cue
	run burn -d stdio:out.img --json data.cue
	expect_exit 0
	expect_eq "$(json_get .bytes)" $((2048 * 320))
	cmp -s x.bin out.img || fail "the disc is not the CUE sheet's data track"
}

run_tests
