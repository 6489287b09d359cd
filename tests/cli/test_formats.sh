#!/bin/sh
# Disc image formats: spindle info IMAGE and convert on every format
# tests/disc/discgen.py writes from known sectors (BIN/CUE, cdrdao TOC, Nero
# NRG v1/v2, Alcohol MDS/MDF, Daemon Tools MDS v2/MDX, CloneCD, DiscJuggler
# CDI v2/v3/v3.5), checked
# against the generator's answers and against the Debian peers (bchunk,
# mdf2iso, ccd2iso, nrg2iso, iat, cd-info) -- where a peer is wrong, the test
# shows it; and damaged images, each refused with a clear error.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/mmcsim/sim.sh"

GEN="$TOP_SRCDIR/tests/disc/discgen.py"
# the discs are generated once for all tests (a few seconds)
SHARED=$(mktemp -d "/tmp/spindle-formats-XXXXXX")
trap 'rm -rf "$SHARED"' EXIT
python3 "$GEN" gen "$SHARED/g" || fail "discgen.py gen failed"
python3 "$GEN" gen "$SHARED/g2" --two-sessions || fail "discgen.py gen --two-sessions failed"
G=$SHARED/g
G2=$SHARED/g2

# every image of the one-session disc: path, format name
IMAGES="cue/disc.cue:BIN/CUE cue2/disc.cue:BIN/CUE toc/disc.toc:cdrdao_TOC
toc2/disc.toc:cdrdao_TOC nrg/disc.nrg:NRG_v2 nrg1/disc.nrg:NRG_v1 mds/disc.mds:MDS_v1.5
mds2/disc.mds:MDS_v1.5 ccd/disc.ccd:CloneCD_v3 cdi/disc.cdi:CDI_v3.5 cdi2/disc.cdi:CDI_v2
cdi3/disc.cdi:CDI_v3 mdx/disc.mdx:MDX_v2.1 mdx2/disc.mds:MDS_v2.0"

# track_field N FIELD: a field of track N in the info --json result on stdout
track_field() { json_get ".tracks[$1].$2"; }

test_info_every_format() {
	for e in $IMAGES; do
		img=${e%%:*} fmt=$(echo "${e#*:}" | tr _ ' ')
		run info --json "$G/$img"
		expect_exit 0
		cp out "info-$(echo "$img" | tr / _)"
		expect_eq "$(json_get .format)" "$fmt" "$img format"
		expect_eq "$(json_get .sessions)" 1 "$img sessions"
		expect_eq "$(json_get '.tracks | length')" 3 "$img tracks"
		expect_eq "$(json_get '[.tracks[].start_lba] | join(",")')" "0,210,310" "$img starts"
		expect_eq "$(json_get '[.tracks[].sectors] | join(",")')" "60,100,80" "$img lengths"
		expect_eq "$(json_get '[.tracks[].mode] | join(",")')" "mode1,audio,audio" "$img modes"
		expect_eq "$(track_field 1 pregap)" 150 "$img track 2 pregap"
		case $img in md[sx]*) ;; *)   # MDS and MDX keep no ISRC
			expect_eq "$(track_field 2 isrc)" USABC2600001 "$img track 3 ISRC" ;;
		esac
		expect_eq "$(json_get .leadout_lba)" 390 "$img lead-out"
		expect_eq "$(json_get .file_system)" "ISO 9660" "$img file system"
		expect_eq "$(json_get .volume_id)" DISCGEN_VOL "$img volume ID"
	done
	# CD-TEXT and catalog where the format carries them
	# (from the JSON of the loop above: no second run)
	for img in cue/disc.cue toc/disc.toc nrg/disc.nrg nrg1/disc.nrg ccd/disc.ccd; do
		cp "info-$(echo "$img" | tr / _)" out
		expect_eq "$(json_get .cdtext.title)" "Disc Gen" "$img CD-TEXT title"
		expect_eq "$(json_get .mcn)" 1234567890123 "$img catalog"
		expect_eq "$(track_field 2 title)" "Track 3" "$img track 3 title"
		expect_eq "$(track_field 2 performer)" "Artist 3" "$img track 3 performer"
	done
	cp info-mdx_disc.mdx out
	expect_eq "$(json_get .cdtext.title)" "Disc Gen" "MDX CD-TEXT title"
	expect_eq "$(track_field 2 performer)" "Artist 3" "MDX track 3 performer"
	cp info-cdi_disc.cdi out
	expect_eq "$(track_field 0 title)" "Track 1" "CDI track CD-TEXT"
	expect_eq "$(json_get .mcn)" 1234567890123 "CDI catalog"
	for img in mds/disc.mds ccd/disc.ccd mdx2/disc.mds; do
		cp "info-$(echo "$img" | tr / _)" out
		expect_eq "$(json_get .subchannel)" true "$img subchannel"
	done
	run info "$G/nrg/disc.nrg"
	expect_exit 0
	expect_out "format:        NRG v2"
	expect_out "track  2  session 1  audio"
	expect_out 'volume ID "DISCGEN_VOL"'
}

test_info_two_sessions() {
	for img in cue/disc.cue nrg/disc.nrg nrg1/disc.nrg ccd/disc.ccd cdi/disc.cdi mdx/disc.mdx; do
		run info --json "$G2/$img"
		expect_exit 0
		expect_eq "$(json_get .sessions)" 2 "$img sessions"
		expect_eq "$(track_field 3 session)" 2 "$img track 4 session"
		expect_eq "$(track_field 3 start_lba)" 11790 "$img track 4 start"
		expect_eq "$(json_get '.session_list[0].leadout_lba')" 390 "$img session 1 lead-out"
	done
	# a second session does not fit an ISO or a plain sheet: refused ...
	run convert -o out.iso "$G2/nrg/disc.nrg"
	expect_exit 4
	expect_err "would lose data: the data of later sessions"
	expect_err "add --lossy"
	[ ! -e out.iso ] && [ ! -e out.iso.tmp ] || fail "an ISO was left behind"
	run convert -o out.cue "$G2/ccd/disc.ccd"
	expect_exit 4
	expect_err "the subchannel data"
	# ... unless --lossy says so
	run convert --lossy -o out.cue "$G2/nrg/disc.nrg"
	expect_exit 0
	expect_err "dropped as --lossy allowed: the session boundaries"
	expect_same out.bin "$G2/expected.raw"
	# the MDX keeps track 4's empty pregap sectors as one-byte groups
	run convert --lossy --force -o out.cue "$G2/mdx/disc.mdx"
	expect_exit 0
	expect_same out.bin "$G2/expected.raw"
	grep -q "REM SESSION 02" out.cue || fail "the sheet does not mark session 2"
}

test_convert_iso_every_format() {
	for e in $IMAGES mds3/disc.mds:x; do
		img=${e%%:*}
		rm -f out.iso
		run convert --lossy -o out.iso "$G/$img"
		expect_exit 0
		expect_same out.iso "$G/expected.iso"
	done
	# subchannel is data an ISO cannot keep: refused without --lossy
	run convert -o out2.iso "$G/mds/disc.mds"
	expect_exit 4
	expect_err "converting to 'out2.iso' would lose data: the subchannel data"
	run convert --json -o out2.iso "$G/nrg/disc.nrg"
	expect_exit 0
	expect_eq "$(json_get .input_format)" "NRG v2"
	expect_eq "$(json_get .sectors)" 60
	expect_eq "$(json_get .mode)" "MODE1/2048"
}

# be RAW: RAW.be, its audio sectors (after track 1's 60) big endian
be() {
	python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); n = 60 * 2352
a = bytearray(d); a[n::2], a[n + 1::2] = d[n + 1::2], d[n::2]
open(sys.argv[1] + ".be", "wb").write(a)' "$1"
}

# Raw 2352-byte output: sync, header, EDC and ECC built from 2048-byte
# sources (cue2, toc2, nrg v2, mds2, cdi v3) must equal the generator's,
# which computes them from ECMA-130's equations in Python.  A TOC's bin
# holds its audio big endian (cdrdao(1)).
test_convert_cue_toc_every_format() {
	be "$G/expected.raw" && be "$G/expected_nogap.raw" || fail "be"
	for e in $IMAGES; do
		img=${e%%:*}
		want=$G/expected.raw
		case $img in mds*) want=$G/expected_nogap.raw ;; esac
		rm -f out.cue out.bin out.toc
		run convert --lossy -o out.cue "$G/$img"
		expect_exit 0
		expect_same out.bin "$want"
		# the sheets' track starts (their reading: test_cue_audio_partial_sector,
		# test_toc_audio_big_endian, test_peers_agree)
		expect_eq "$(grep "INDEX 01" out.cue | awk '{print $3}' | paste -sd,)" \
			"00:00:00,00:02:60,00:04:10" "$img: out.cue"
		rm -f out.bin
		run convert --lossy -o out.toc "$G/$img"
		expect_exit 0
		expect_same out.bin "$want.be"
		expect_eq "$(grep -E "^(FILE|START)" out.toc | sed 's/"[^"]*"//' | paste -sd,)" \
			"FILE  00:00:00 00:00:60,FILE  00:00:60 00:03:25,START 00:02:00,FILE  00:04:10 00:01:05" \
			"$img: out.toc"
	done
	run convert -o out.cue "$G/nrg/disc.nrg"
	expect_exit 1
	expect_err "'out.cue' already exists"
	run convert --force --json -o out.cue "$G/nrg/disc.nrg"
	expect_exit 0
	expect_eq "$(json_get .tracks)" 3
	expect_eq "$(json_get .bytes)" $((390 * 2352))
	run convert -o out.img "$G/nrg/disc.nrg"
	expect_exit 2
	expect_err "OUT.iso, OUT.cue or OUT.toc"
}

# bchunk and cd-info read what spindle reads, and what spindle writes.
test_peers_agree() {
	cp -r "$G/cue" cue && cp -r "$G/toc" toc
	(cd cue && bchunk disc.bin disc.cue bc > /dev/null) || fail "bchunk failed"
	expect_same cue/bc01.iso "$G/expected.iso"
	run convert -o sp.cue "$G/nrg/disc.nrg"
	expect_exit 0
	bchunk sp.bin sp.cue bc > /dev/null || fail "bchunk rejects spindle's sheet"
	expect_same bc01.iso "$G/expected.iso"
	cmp -s bc02.cdr "$G/expected.raw" && fail "bchunk split nothing"
	# cd-info: the same track starts and lead-out (LSN column)
	lsns() { sed -n 's/^ *\([0-9]*\): [0-9:]* *\([0-9]*\) .*/\1 \2/p' | tr '\n' ' '; }
	want="1 000000 2 000210 3 000310 170 000390 "
	got=$(cd cue && cd-info --no-device-info -q --cue-file disc.cue 2>&1 | lsns)
	expect_eq "$got" "$want" "cd-info on the generated CUE"
	got=$(cd toc && cd-info --no-device-info -q --toc-file disc.toc 2>&1 | lsns)
	expect_eq "$got" "$want" "cd-info on the generated TOC"
	got=$(cd-info --no-device-info -q --nrg-file "$G/nrg/disc.nrg" 2>&1 | lsns)
	expect_eq "$got" "$want" "cd-info on the generated NRG"
	got=$(cd-info --no-device-info -q --cue-file sp.cue 2>&1 | lsns)
	expect_eq "$got" "$want" "cd-info on spindle's CUE"
	run convert -o sp2.toc "$G/cdi/disc.cdi"
	expect_exit 0
	got=$(cd-info --no-device-info -q --toc-file sp2.toc 2>&1 | sed -n '/^ *[123]:/p' | lsns)
	expect_eq "$got" "1 000000 2 000210 3 000310 " "cd-info on spindle's TOC"
	# mdf2iso reads a data-only raw MDF as spindle does
	mdf2iso "$G/mds3/disc.mdf" m.iso > /dev/null 2>&1 || fail "mdf2iso failed"
	expect_same m.iso "$G/expected.iso"
}

# Where the Debian converters go wrong on these discs, spindle is right.
test_peers_wrong_spindle_right() {
	# nrg2iso skips 307,200 bytes and copies the rest: audio and the trailer
	nrg2iso "$G/nrg/disc.nrg" n.iso > /dev/null 2>&1
	cmp -s n.iso "$G/expected.iso" && fail "nrg2iso got it right now?"
	cmp -s -n 122880 n.iso "$G/expected.iso" || fail "nrg2iso's data differs"
	tail -c 12 n.iso | grep -q NER5 || fail "nrg2iso's output has no Nero trailer"
	run convert -o s.iso "$G/nrg/disc.nrg"
	expect_exit 0
	expect_same s.iso "$G/expected.iso"
	# ccd2iso ignores the .ccd and stops on the audio track
	cp -r "$G/ccd" ccd
	ccd2iso ccd/disc.img c.iso > c.log 2>&1 && fail "ccd2iso now handles audio?"
	grep -q "Unrecognized sector mode" c.log || fail "ccd2iso failed differently"
	run convert --lossy -o s2.iso ccd/disc.ccd
	expect_exit 0
	expect_same s2.iso "$G/expected.iso"
	# mdf2iso ignores the .mds: a mixed-mode MDF with subchannel is unknown to it
	mdf2iso "$G/mds/disc.mdf" m.iso > m.log 2>&1
	[ ! -s m.iso ] || cmp -s m.iso "$G/expected.iso" && grep -q "Unknown format" m.log ||
		fail "mdf2iso read the mixed MDF?"
	run convert --lossy -o s3.iso "$G/mds/disc.mds"
	expect_exit 0
	expect_same s3.iso "$G/expected.iso"
	# iat guesses from sync patterns: the audio tracks end up in the ISO
	iat "$G/nrg/disc.nrg" i.iso > /dev/null 2>&1
	[ "$(stat -c %s i.iso)" -gt 122880 ] || fail "iat now stops at the data track?"
}

# A Windows-made sheet: FILE names in other case, or a bin renamed since.
test_cue_file_resolution() {
	run info "$G/cue2/disc.cue"
	expect_exit 0
	expect_out "FILE \"AUDIO.BIN\" found as"
	expect_out "(case differs)"
	mkdir game && cp "$G/cue/disc.bin" "game/Game (Europe).bin"
	sed 's/disc.bin/Game (USA).bin/' "$G/cue/disc.cue" > "game/Game (Europe).cue"
	run info "game/Game (Europe).cue"
	expect_exit 0
	expect_out "the only image file with the sheet's name"
	expect_out "track  3"
	sed 's/disc.bin/nothing.bin/' "$G/cue/disc.cue" > none.cue
	run info none.cue
	expect_exit 1
	expect_err "CUE sheet 'none.cue' names track file 'nothing.bin', which is not there"
}

# The content decides, not the name.
test_probe_by_content() {
	cp "$G/nrg/disc.nrg" nero.iso
	run info --json nero.iso
	expect_exit 0
	expect_eq "$(json_get .format)" "NRG v2"
	cp "$G/expected.iso" plain.bin
	run info --json plain.bin
	expect_exit 0
	expect_eq "$(json_get .format)" ISO
	expect_eq "$(json_get .volume_id)" DISCGEN_VOL
	cp "$G/cdi/disc.cdi" dj.img
	run info --json dj.img
	expect_eq "$(json_get .format)" "CDI v3.5"
	head -c 1000 /dev/urandom > junk.iso
	run info junk.iso
	expect_exit 1
	expect_err "is not a disc image spindle knows"
}

# bad IMAGE WHAT: spindle info refuses it with WHAT, quickly
bad() {
	run info "$1"
	[ "$RC" -ne 0 ] && [ "$RC" -ne 124 ] || fail "$1: exit $RC"
	expect_err "$2"
}

test_bad_inputs() {
	s=$(stat -c %s "$G/nrg/disc.nrg")
	# NRG: truncated (no trailer), chunk list offset past the end, a chunk
	# larger than the list, no END! chunk
	head -c $((s - 100)) "$G/nrg/disc.nrg" > cut.nrg
	bad cut.nrg "no NERO or NER5 trailer"
	python3 - "$G/nrg/disc.nrg" <<-'EOF'
	import struct, sys
	d = bytearray(open(sys.argv[1], "rb").read())
	off = struct.unpack(">Q", d[-8:])[0]
	open("past.nrg", "wb").write(d[:-8] + struct.pack(">Q", len(d) - 4))
	big = bytearray(d); big[off + 4:off + 8] = b"\xff\xff\xff\x00"
	open("big.nrg", "wb").write(big)
	nochain = bytearray(d); i = nochain.rfind(b"END!"); nochain[i:i + 4] = b"XXXX"
	open("noend.nrg", "wb").write(nochain)
	dao = bytearray(d); i = dao.find(b"DAOX") + 8
	struct.pack_into(">Q", dao, i + 22 + 34, len(d) * 4)   # track 1 ends past the file
	open("dao.nrg", "wb").write(dao)
	EOF
	bad past.nrg "malformed NRG image"
	bad big.nrg "runs past the chunk list"
	bad noend.nrg "without an END! chunk"
	bad dao.nrg "past the end"
	# MDS: absurd session count, a track past the end of the MDF
	python3 - "$G/mds2/disc.mds" <<-'EOF'
	import struct, sys
	d = bytearray(open(sys.argv[1], "rb").read())
	s = bytearray(d); struct.pack_into("<H", s, 0x14, 0xffff)
	open("sess.mds", "wb").write(s)
	t = bytearray(d); b = 0x58 + 0x18 + 3 * 0x50
	struct.pack_into("<Q", t, b + 0x28, 1 << 40)
	open("far.mds", "wb").write(t)
	EOF
	cp "$G/mds2/disc.mdf" sess.mdf && cp "$G/mds2/disc.mdf" far.mdf
	bad sess.mds "65535 sessions"
	bad far.mds "which has only"
	cp "$G/mds2/disc.mds" lonely.mds
	bad lonely.mds "is not there"
	head -c 10000 "$G/mds2/disc.mdf" > short.mdf && cp "$G/mds2/disc.mds" short.mds
	bad short.mds "MDS image: the sectors at LBA"
	# CloneCD without its .img; CDI with its descriptor offset past the end
	cp "$G/ccd/disc.ccd" alone.ccd
	bad alone.ccd "ending in .img) are not there"
	python3 - "$G/cdi2/disc.cdi" <<-'EOF'
	import struct, sys
	d = bytearray(open(sys.argv[1], "rb").read())
	struct.pack_into("<I", d, len(d) - 4, len(d) + 5)
	open("far.cdi", "wb").write(d)
	EOF
	bad far.cdi "malformed CDI image"
	# TOC: an unknown keyword names its line
	printf 'CD_DA\nTRACK AUDIO\nFILE "x.bin" 0\nBOGUS\n' > bad.toc
	bad bad.toc "is not there"
	head -c $((2352 * 4)) /dev/zero > x.bin
	bad bad.toc "line 4: unknown keyword 'BOGUS'"
	# CUE: a track past the end of its file
	head -c 100000 "$G/cue/disc.bin" > short.bin
	sed 's/disc.bin/short.bin/' "$G/cue/disc.cue" > short.cue
	bad short.cue "track 1 runs past the end of 'short.bin'"
	# MDX: a changed salt (the header no longer deciphers), cut short, track
	# data enciphered with a password, a deflated group that cannot inflate
	s=$(stat -c %s "$G/mdx/disc.mdx")
	python3 - "$G/mdx/disc.mdx" "$TOP_SRCDIR/tests/disc" <<-'EOF'
	import sys
	d = bytearray(open(sys.argv[1], "rb").read())
	salt = bytearray(d); salt[-512] ^= 1
	open("salt.mdx", "wb").write(salt)
	grp = bytearray(d); grp[64 + 4 * 2048] = 0xff    # group 1 of track 1: deflate
	open("grp.mdx", "wb").write(grp)
	sys.path.insert(0, sys.argv[2])
	import discgen, mdxgen
	mdxgen.gen_mdx(discgen, "enc", discgen.disc(False, tiny=True), "mdx", enc_data=True)
	EOF
	bad salt.mdx "malformed MDS v2 image 'salt.mdx' at byte $((s - 512)): the descriptor's encryption header does not decipher"
	head -c $((s / 2)) "$G/mdx/disc.mdx" > cut.mdx
	bad cut.mdx "malformed MDX image 'cut.mdx' at byte 48: a descriptor of"
	bad enc/mdx/disc.mdx "is enciphered (a password-protected MDX image)"
	run convert -o grp.iso grp.mdx
	expect_exit 1
	expect_err "malformed MDS v2 image 'grp.mdx' at byte $((64 + 4 * 2048)): sector group 1 does not inflate"
}

# A BIN whose audio ends inside a sector: the sector is kept, its rest
# silence (libcdio's cd-info drops it: lead-out 389).
test_cue_audio_partial_sector() {
	cp "$G/cue/disc.cue" . && head -c $((390 * 2352 - 1000)) "$G/cue/disc.bin" > disc.bin
	run info --json disc.cue
	expect_exit 0
	expect_eq "$(json_get .leadout_lba) $(track_field 2 sectors)" "390 80"
	expect_eq "$(json_get .note)" "'disc.bin' ends 1352 bytes into a sector; the rest of track 3's last sector is silence."
	run convert -o out.cue disc.cue
	expect_exit 0
	head -c $((390 * 2352 - 1000)) "$G/expected.raw" > want && head -c 1000 /dev/zero >> want
	expect_same out.bin want
	got=$(cd-info --no-device-info -q --cue-file disc.cue 2>&1 | sed -n 's/^170: [0-9:]* *\([0-9]*\) leadout.*/\1/p')
	expect_eq "$got" 000389 "cd-info's lead-out"
}

# cdrdao(1): raw audio files in a TOC are big endian.  cdrdao itself reads
# the samples of a TOC spindle writes as the disc's, and spindle reads a
# big-endian file a TOC names as cdrdao does.
test_toc_audio_big_endian() {
	python3 -c 'import struct, sys
sys.stdout.buffer.write(b"".join(struct.pack("<hh", i % 30000, -(i % 30000)) for i in range(588 * 300)))' > a.bin
	printf 'FILE "a.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n' > a.cue
	run convert -o t.toc a.cue
	expect_exit 0
	got=$(cdrdao show-data t.toc 2>/dev/null | awk 'NR < 4 { printf "%s%s %s", s, $2, $3; s = "," }')
	expect_eq "$got" "0 0,1 -1,2 -2" "cdrdao show-data of spindle's TOC"
	printf 'CD_DA\nTRACK AUDIO\nFILE "t.bin" 0\n' > b.toc
	run convert -o b.cue b.toc
	expect_exit 0
	expect_same b.bin a.bin
}

# Mode 2 (XA): form 1 sectors go into an ISO, form 2 ones only with
# --lossy; MODE2/2336 gets its sync and header back, EDC/ECC per form.
test_mode2_xa() {
	run info --json "$G/xa/disc.cue"
	expect_exit 0
	expect_eq "$(track_field 0 mode)" mode2-xa
	expect_eq "$(json_get .volume_id)" DISCGEN_VOL
	run convert -o x.iso "$G/xa/disc.cue"
	expect_exit 4
	expect_err "sector 20 of track 1 is mode 2 form 2"
	[ ! -e x.iso ] && [ ! -e x.iso.tmp ] || fail "a partial ISO was left"
	run convert --lossy -o x.iso "$G/xa/disc.cue"
	expect_exit 0
	head -c $((20 * 2048)) x.iso > x20.iso
	expect_same x20.iso "$G/expected_xa.iso"
	run convert -o x.cue "$G/xa2336/disc.cue"
	expect_exit 0
	expect_same x.bin "$G/xa/disc.bin"
	grep -q "TRACK 01 MODE2/2352" x.cue || fail "the sheet lost the mode"
}

# A MAME CHD (imaging/container/) backs the same model: chdman's CD image
# of the generated sheet reads back sector for sector.
test_chd_through_the_model() {
	chdman createcd -i "$G/cue/disc.cue" -o d.chd > /dev/null 2>&1 || fail "chdman createcd failed"
	run info --json d.chd
	expect_exit 0
	expect_eq "$(json_get .format)" CHD
	run convert --lossy -o out.cue d.chd
	expect_exit 0
	expect_same out.bin "$G/expected.raw"
	run info --json out.cue
	expect_eq "$(json_get '[.tracks[].start_lba] | join(",")')" "0,210,310"
	expect_eq "$(json_get '[.tracks[].mode] | join(",")')" "mode1,audio,audio"
	run convert --lossy -o out.iso d.chd
	expect_exit 0
	expect_same out.iso "$G/expected.iso"
}

# burn and verify take a data-only image in any format, through the model
test_burn_verify_any_format() {
	for img in nrgdata/disc.nrg mds3/disc.mds cdidata/disc.cdi ccddata/disc.ccd; do
		rm -f vdisc
		run burn -d stdio:vdisc "$G/$img"
		expect_exit 0
		expect_out "verify: match, 60 sectors"
		expect_same vdisc "$G/expected.iso"
		run verify -d stdio:vdisc "$G/$img"
		expect_exit 0
	done
	# on the simulated recorder: a CD-R written from an NRG, verified
	need_sim
	sim --media cd-r --disc disc -- "$SPINDLE" burn -d "$DEV" "$G/nrgdata/disc.nrg"
	expect_exit 0
	expect_log "verify: match, 60 sectors"
	sp disc verify "$G/cdidata/disc.cdi"
	expect_exit 0
	expect_log "verify: match"
	# a mixed-mode image is burnt as CD tracks (tests/mmcsim/
	# test_burn_images_sim.sh); these tracks are too short for a CD, which
	# is said before the drive is touched
	run burn -d stdio:vdisc2 "$G/nrg/disc.nrg"
	expect_exit 1
	expect_err "track 1 is 60 sectors long; a CD track must last at least 4 seconds"
	[ ! -e vdisc2 ] || fail "a disc was written from a mixed image"
}

# rip --audio reads the audio of any format (NRG, MDS, CCD, CDI through a
# BIN/CUE copy): track 3's samples are the generator's
test_rip_audio_any_format() {
	dd if="$G/expected.raw" of=want3.raw bs=2352 skip=310 count=80 2> /dev/null
	mkdir tmp && TMPDIR=$PWD/tmp && export TMPDIR
	for img in nrg/disc.nrg nrg1/disc.nrg mds/disc.mds ccd/disc.ccd cdi/disc.cdi toc/disc.toc \
		   mdx/disc.mdx; do
		rm -rf rip
		run rip --audio --format wav -o rip "$G/$img"
		expect_exit 0
		expect_out "All 2 audio tracks were ripped without errors"
		tail -c +45 rip/03.wav > got3.raw
		expect_same got3.raw want3.raw
		grep -q "^source *$G/$img" rip/rip.log || fail "$img: the log names another source"
	done
	[ -z "$(ls tmp)" ] || fail "a temporary BIN/CUE copy was left: $(ls tmp)"
	return 0
}

run_tests
