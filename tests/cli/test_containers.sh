#!/bin/sh
# Compressed disc image containers: MAME CHD, Apple DMG, PowerISO DAA and
# UltraISO ISZ.  CHDs are made by the peer (chdman) from a CUE/BIN or an ISO
# that tests/container/ctrgen.py writes; DMG, DAA and ISZ are written by
# ctrgen.py from the published layouts and cross-read by dmg2img, 7zz and
# daa2iso.  Every image must read back byte for byte; damaged ones must
# fail fast with an error that names the format and the offset.
. "$TOP_SRCDIR/tests/lib.sh"

GEN="$TOP_SRCDIR/tests/container/ctrgen.py"
CAT="$TOP_BUILDDIR/tests/container/ctrcat"

gen() { python3 "$GEN" "$@" || fail "ctrgen.py $*"; }

# src.iso: 160 sectors; cd/: disc.bin + disc.cue (MODE1/2352 with real
# EDC/ECC, then an audio track with a stored pregap), made once for all
# tests (each python start costs), copied in by mksrc and src
SHARED=$(mktemp -d "/tmp/spindle-containers-XXXXXX")
trap 'rm -rf "$SHARED"' EXIT
(cd "$SHARED" && mkdir cd && python3 "$GEN" iso src.iso 160 + cd cd src.iso 60) ||
	{ echo "ctrgen.py failed" >&2; exit 1; }
src() { cp "$SHARED/src.iso" .; }
mksrc() { src && cp -r "$SHARED/cd" .; }

chd() {         # chd ARGS...: chdman, quiet, must succeed
	chdman "$@" > chdman.log 2>&1 || { cat chdman.log >&2; fail "chdman $*"; }
}

# doc_keys: every key of the JSON on stdout is named in docs/json.md
doc_keys() {
	for key in $(jq -r '[paths | .[-1] | strings] | unique | .[]' out); do
		grep -qF "\`$key\`" "$TOP_SRCDIR/docs/json.md" ||
			fail "key '$key' is not in docs/json.md"
	done
}

# bad_input FILE WORDS...: convert fails within seconds, exit 1, naming WORDS
bad_input() {
	f=$1; shift
	SPINDLE_TEST_TIMEOUT=20 run convert "$f" -o bad.iso
	expect_exit 1
	for w in "$@"; do expect_err "$w"; done
	[ ! -e bad.iso ] && [ ! -e bad.iso.tmp ] || fail "a failed convert left output"
}

test_chd_cd() {
	mksrc
	chd createcd -i cd/disc.cue -o cd.chd
	run info cd.chd
	expect_exit 0
	expect_out "CHD (cd)"
	expect_out "track  1  mode1_raw      160 frames"
	expect_out "track  2  audio          60 frames  pregap 150 (stored)"
	run info --json cd.chd
	expect_exit 0
	doc_keys
	expect_eq "$(json_get '.tracks | length')" 2
	expect_eq "$(json_get '.tracks[1].offset')" $((160 * 2448))
	run convert cd.chd -o out.iso
	expect_exit 0
	expect_out "CHD track 1 of 2, 160 sectors"
	expect_same out.iso src.iso
	# the whole disc, as a BIN holds it: sync and ECC the compressor
	# dropped are rebuilt, audio comes back little-endian
	"$CAT" --bin cd.chd > all.bin || fail "ctrcat"
	expect_same all.bin cd/disc.bin
	# one thread (decoding inline) and many agree
	"$CAT" --threads 1 --bin cd.chd > one.bin || fail "ctrcat"
	expect_same one.bin cd/disc.bin
	"$CAT" --threads 5 --bin cd.chd > five.bin || fail "ctrcat"
	expect_same five.bin cd/disc.bin
	# and chdman's own reading agrees
	chd extractcd -i cd.chd -o peer.cue -ob peer.bin
	expect_same all.bin peer.bin
}

# chdman createcd from a cdrdao TOC whose track 2 has START (its pregap held
# in the file) records PREGAP:150 with PGTYPE MODE1, not VMODE1 (not stored),
# and counts the pregap's 150 frames in the track's 400.  MAME reads that as
# 150 sectors of silence, then 400 of track (chdman extractcd writes PREGAP
# 00:02:00): the pregap moved when chdman made the CHD.  spindle reads the
# CHD as chdman does, layout and bytes.
test_chd_from_toc_with_start() {
	python3 -c "import random; open('a.bin','wb').write(random.Random(3).randbytes(2352 * 700))"
	printf 'CD_DA\nTRACK AUDIO\nFILE "a.bin" 0 00:04:00\nTRACK AUDIO\nFILE "a.bin" 00:04:00 00:05:25\nSTART 00:02:00\n' > t.toc
	chd createcd -i t.toc -o t.chd
	run info t.chd
	expect_exit 0
	expect_out "track  2  audio          400 frames  pregap 150  postgap 0"
	run convert t.chd -o s.cue
	expect_exit 0
	grep -q "INDEX 00 00:04:00" s.cue && grep -q "INDEX 01 00:06:00" s.cue || fail "$(cat s.cue)"
	chd extractcd -i t.chd -o peer.cue -ob peer.bin
	grep -q "PREGAP 00:02:00" peer.cue || fail "chdman reads the pregap otherwise: $(cat peer.cue)"
	# spindle's BIN holds the 150 silent sectors; chdman's leaves them to PREGAP
	python3 - s.bin peer.bin <<-'PY' || fail "spindle and chdman read the CHD differently"
	import sys
	s, p, n = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), 2352
	assert len(s) == 850 * n and len(p) == 700 * n
	assert s[:300 * n] == p[:300 * n] and s[300 * n:450 * n] == bytes(150 * n)
	assert s[450 * n:] == p[300 * n:]
	PY
}

test_chd_cd_codecs() {
	mksrc
	for codec in cdzl cdfl cdlz; do
		rm -f x.chd
		chd createcd -i cd/disc.cue -o x.chd -c $codec
		"$CAT" --bin x.chd > x.bin || fail "ctrcat on $codec"
		cmp -s x.bin cd/disc.bin || fail "codec $codec reads back wrong"
	done
}

test_chd_hd_codecs() {
	src
	for codec in lzma zlib huff flac none lzma,zlib,huff,flac; do
		rm -f x.chd x.iso
		chd createhd -i src.iso -o x.chd -hs 4096 -ss 2048 -c $codec
		run convert x.chd -o x.iso
		expect_exit 0
		cmp -s x.iso src.iso || fail "createhd -c $codec reads back wrong"
	done
	chd createraw -i src.iso -o raw.chd -hs 8192 -us 2048
	run info raw.chd
	expect_out "CHD (raw)"
	expect_out "327680 bytes"
	run convert --json raw.chd -o raw.iso
	expect_exit 0
	doc_keys
	expect_eq "$(json_get .format)" CHD
	expect_eq "$(json_get .track)" null
	expect_same raw.iso src.iso
}

# chdman 0.251 cannot write zstd: ctrgen.py writes the CHDs, and chdman
# reading its zlib twins proves the writer right
test_chd_zstd() {
	mksrc
	gen chd z.chd src.iso zlib + \
		chd s.chd src.iso zstd + chdcd zc.chd cd cdzl + chdcd sc.chd cd cdzs
	chd extracthd -i z.chd -o peer.img
	expect_same peer.img src.iso
	chd extractcd -i zc.chd -o peer.cue -ob peer.bin
	expect_same peer.bin cd/disc.bin
	run convert s.chd -o s.iso
	expect_exit 0
	expect_same s.iso src.iso
	"$CAT" --bin sc.chd > sc.bin || fail "ctrcat"
	expect_same sc.bin cd/disc.bin
	run convert sc.chd -o sc.iso
	expect_exit 0
	expect_same sc.iso src.iso
}

test_dmg() {
	src
	gen dmg a.dmg src.iso raw,zlib,bzip2,adc,zero,ignore
	run info a.dmg
	expect_exit 0
	expect_out "DMG (iso)"
	run convert a.dmg -o out.iso
	expect_exit 0
	expect_same out.iso src.iso
	dmg2img a.dmg peer.img > /dev/null 2>&1 || fail "dmg2img"
	expect_same peer.img src.iso
	7zz e -tdmg -so a.dmg > peer7.img 2> /dev/null || fail "7zz"
	expect_same peer7.img src.iso
}

test_daa() {
	src
	gen daa 1.daa src.iso + daa 2.daa src.iso --lzma + \
		daa 3.daa src.iso --bcj + daa 4.daa src.iso --split 3 + \
		daa 5.daa src.iso --lzma --split 3 + daa 6.gbi src.iso --gbi + \
		daa 7.gbi src.iso --gbi --bcj + iso noise.iso 96 --noise + \
		daa 8.daa noise.iso --lzma
	[ -f 5.d01 ] || fail "no split parts"
	for i in 1 2 3 4 5 6 7 8; do
		f=$i.daa
		[ $i -lt 6 ] || [ $i -gt 7 ] || f=$i.gbi
		[ $i -ne 8 ] || cp noise.iso src.iso   # stored (incompressible) chunks
		rm -f out.iso peer.iso
		run convert $f -o out.iso
		expect_exit 0
		cmp -s out.iso src.iso || fail "$f reads back wrong"
		daa2iso $f peer.iso < /dev/null > /dev/null 2>&1
		cmp -s peer.iso src.iso || fail "daa2iso disagrees on $f"
	done
	run info --json 7.gbi
	expect_eq "$(json_get .format)" GBI
}

test_isz() {
	src
	gen isz 1.isz src.iso + isz 2.isz src.iso --bzip2 + \
		isz 3.isz src.iso --split 3 + isz 4.isz src.iso --bzip2 --split 4
	[ -f 4.i03 ] || fail "no split segments"
	for i in 1 2 3 4; do
		rm -f out.iso
		run convert $i.isz -o out.iso
		expect_exit 0
		cmp -s out.iso src.iso || fail "ISZ $i reads back wrong"
	done
	expect_out "from the ISZ image"
}

test_isz_password() {
	gen iso src.iso 40 + isz a.isz src.iso --password
	run convert a.isz -o out.iso
	expect_exit 2
	expect_err "is protected with a password"
	expect_err "--password"
	run convert --password secret a.isz -o out.iso
	expect_exit 4
	expect_err "cannot decrypt"
}

# patch FILE OFFSET HEXBYTES: overwrite bytes in place
patch() {
	oct=""
	for b in $(printf '%s' "$3" | sed 's/../& /g'); do
		oct="$oct\\$(printf '%03o' "0x$b")"
	done
	printf "$oct" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none ||
		fail "patch $*"
}
# be64 FILE OFFSET: a big-endian 64-bit number
be64() { od -An -tx1 -j "$2" -N 8 "$1" | tr -d ' \n' | sed 's/^/0x/' | xargs printf '%d\n'; }

test_bad_chd() {
	src
	chd createhd -i src.iso -o x.chd -hs 4096 -ss 2048
	size=$(stat -c %s x.chd)
	head -c $((size / 2)) x.chd > trunc.chd
	bad_input trunc.chd "CHD image" "at byte"
	head -c 100 x.chd > short.chd
	bad_input short.chd "CHD image" "the header"
	# the map offset past the end of the file
	cp x.chd far.chd
	patch far.chd 40 00000000ffffff00
	bad_input far.chd "CHD image" "hunk map header" "past the end"
	# a metadata entry that points at itself
	cp x.chd loop.chd
	meta=$(be64 x.chd 48)
	patch loop.chd $((meta + 8)) "$(printf '%016x' "$meta")"
	bad_input loop.chd "CHD image" "metadata list loops"
}

test_bad_dmg() {
	gen iso src.iso 100 + dmg a.dmg src.iso zlib,raw,adc + \
		dmg loop.dmg src.iso zlib,raw,adc --repeat
	size=$(stat -c %s a.dmg)
	# the plist offset past the end
	cp a.dmg far.dmg
	patch far.dmg $((size - 512 + 216)) 00000000ffff0000
	bad_input far.dmg "DMG image" "past the end"
	# truncated: the koly trailer is gone
	head -c $((size - 300)) a.dmg > trunc.dmg
	SPINDLE_TEST_TIMEOUT=20 run convert trunc.dmg -o bad.iso
	expect_exit 1
	# a chunk table that lists the same sectors twice (as a loop would)
	bad_input loop.dmg "DMG image" "claim sector"
}

test_bad_daa() {
	src
	gen daa a.daa src.iso --lzma --split 3 + daa b.daa src.iso --lzma
	rm a.d01
	bad_input a.daa "a.d01" "part of the split image"
	size=$(stat -c %s b.daa)
	head -c $((size - 5000)) b.daa > trunc.daa
	bad_input trunc.daa "DAA image" "at byte"
	cp b.daa crc.daa
	patch crc.daa 40 ff
	bad_input crc.daa "DAA image" "CRC does not match" "at byte 72"
}

test_bad_isz() {
	src
	gen isz a.isz src.iso --split 3 + isz b.isz src.iso
	rm a.i02
	bad_input a.isz "a.i02" "part of the split image"
	# the chunk table offset past the end
	cp b.isz far.isz
	patch far.isz 35 ffffff00
	bad_input far.isz "ISZ image" "chunk table" "past the end"
	size=$(stat -c %s b.isz)
	head -c $((size / 2)) b.isz > trunc.isz
	bad_input trunc.isz "ISZ image"
}

run_tests
