#!/bin/sh
# Disc images of every format burnt through the disc model on the simulated
# recorder (libburn's tracks: SAO for audio, TAO for mixed mode), then read
# back with READ CD (spindle rip --raw): the layout, index points, MCN, ISRC
# and CD-TEXT are what the simulator logged from the cue sheet and the
# lead-in, and every sector must come back as tests/disc/discgen.py wrote it.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/mmcsim/sim.sh"

GEN="$TOP_SRCDIR/tests/disc/discgen.py"

# has_log IMAGE LINE...: the simulator logged each LINE for IMAGE's burn
has_log() {
	img=$1
	shift
	for l in "$@"; do
		grep -qF -- "$l" log || fail "$img: the recorder did not get '$l'"
	done
}

test_burn_audio_images_of_every_format() {
	need_sim
	need_tool chdman
	python3 "$GEN" gen g --burnable --audio || fail "discgen.py failed"
	chdman createcd -i g/cue/disc.cue -o g/disc.chd > /dev/null 2>&1 || fail "chdman createcd failed"
	for img in cue/disc.cue toc/disc.toc nrg/disc.nrg nrg1/disc.nrg mds/disc.mds \
		   mds2/disc.mds ccd/disc.ccd cdi/disc.cdi cdi2/disc.cdi cdi3/disc.cdi disc.chd \
		   mdx/disc.mdx; do
		rm -f disc log got.bin got.cue
		MMCSIM_LOG=$PWD/log sim --media cd-r --disc disc -- "$SPINDLE" burn -d "$DEV" --cd-text "g/$img"
		[ "$RC" = 0 ] || fail "$img: burn exit $RC: $(cat err)"
		grep -q "burned 3 audio tracks" out || fail "$img: $(cat out)"
		# burn compared the disc with the image, through the model
		grep -q "^verify: match, " out || fail "$img: not verified: $(cat out)"
		# one SAO session: pregaps of 150 before tracks 2 and 3
		has_log "$img" "cue track 1 index 1 at 0 " "cue track 2 index 0 at 300 " \
			"cue track 2 index 1 at 450 " "cue track 3 index 0 at 750 " \
			"cue track 3 index 1 at 900 " "cue track 170 index 1 at 1200 " \
			"SAO session 1 laid out: tracks 1-3, lead-out 1200"
		case $img in
		md[sx]*|*.chd) ;;  # these formats keep no MCN nor ISRC
		*) has_log "$img" "cue MCN 1234567890123" "cue track 3 ISRC USABC2600001" ;;
		esac
		case $img in
		cue*|toc*|nrg*|ccd*|mdx*)
			has_log "$img" "cdtext 80 track 0: Disc Gen" "cdtext 81 track 0: Spindle Tests" \
				"cdtext 80 track 2: Track 2" "cdtext 81 track 3: Artist 3" ;;
		esac
		sp disc rip --raw -o got.bin
		[ "$RC" = 0 ] || fail "$img: rip --raw exit $RC: $(cat err)"
		# MDS keeps no pregaps: they are burnt as silence
		want=g/expected.raw
		case $img in mds*) want=g/expected_nogap.raw ;; esac
		cmp -s got.bin "$want" || fail "$img: the disc read back differs from the image"
	done
	# spindle verify -d against an image of another format, then a damaged one
	sp disc verify g/cue/disc.cue
	expect_exit 0
	expect_out "verify: match, 1200 sectors (2822400 bytes)"
	sp disc verify g/mdx2/disc.mds
	expect_exit 0
	expect_out "verify: match, 1200 sectors (2822400 bytes)"
	cp g/toc/disc.toc g/toc/disc.bin .
	printf 'X' | dd of=disc.bin bs=1 seek=$((2352 * 1000 + 7)) conv=notrunc 2> /dev/null
	sp disc verify --json disc.toc
	expect_exit 5
	expect_eq "$(out_json '.differ[0].lba')" 1000
	expect_eq "$(out_json '.differ[0].count')" 1
}

# A mixed-mode disc (Mode 1, then audio): libburn writes no such session
# disc-at-once, so it goes track at once; the data track's user data and the
# audio come back, each track after the drive's 2-second gap.
test_burn_mixed_mode_image() {
	need_sim
	python3 "$GEN" gen g --burnable || fail "discgen.py failed"
	MMCSIM_LOG=$PWD/log sim --media cd-r --disc disc -- "$SPINDLE" burn -d "$DEV" --json g/nrg/disc.nrg
	expect_exit 0
	# said before the burn, in one line, and in the result
	expect_err "mixes data and audio tracks: it is burned track at once (TAO), not disc at once (SAO), because libburn cannot write such a disc at once"
	expect_eq "$(grep -c 'track at once' err)" 1 "notice lines"
	expect_eq "$(out_json '.write_type')" tao
	expect_eq "$(out_json '.tracks | length')" 3
	expect_eq "$(out_json '.tracks[0].mode')" mode1
	expect_eq "$(out_json '.verify.outcome')" match
	expect_eq "$(out_json '.verify.sectors')" 900
	has_log nrg "TAO track 1 closed" "TAO track 3 closed"
	sp disc rip --raw -o got.bin
	# the gaps between TAO tracks are run-out and unwritten: unreadable
	expect_exit 6
	expect_out "unreadable sectors (written as zeros): 300-451, 752-903, 1204-1205"
	# TAO: track 2 after track 1's 2 run-out blocks and a 150-sector gap
	python3 - g/layout.json g/expected.raw got.bin got.cue <<-'PY' || fail "the mixed disc read back differs"
	import json, re, sys
	tracks = json.load(open(sys.argv[1]))["tracks"]
	want, got = open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
	starts = []
	for line in open(sys.argv[4]):
	    m = re.search(r"INDEX 01 (\d+):(\d+):(\d+)", line)
	    if m:
	        a, b, c = map(int, m.groups())
	        starts.append((a * 60 + b) * 75 + c)
	assert starts == [0, 452, 904], starts
	for tr, at in zip(tracks, starts):
	    for i in range(tr["length"]):
	        w = want[(tr["start"] + i) * 2352:(tr["start"] + i + 1) * 2352]
	        g = got[(at + i) * 2352:(at + i + 1) * 2352]
	        # data: sync, header and user data (the simulator keeps no EDC/ECC)
	        n = 2352 if tr["mode"] == "audio" else 2064
	        if w[16 if n == 2064 else 0:n] != g[16 if n == 2064 else 0:n]:
	            sys.exit("track %d sector %d differs" % (tr["number"], i))
	PY
}

run_tests
