#!/bin/sh
# Audio rips people keep: disc IDs, CD-TEXT, FLAC tags, metadata files and
# AccurateRip results, on BIN/CUE and cdrdao TOC images made at test time
# by tests/audio/cdgen.py.  Disc IDs are checked against python3-libdiscid
# (the MusicBrainz ID and freedb ID, an independent binding of libdiscid)
# and cdgen.py's own arithmetic (AccurateRip); tags are read back with
# metaflac, dBAR files are built by cdgen.py from its own checksums.
. "$TOP_SRCDIR/tests/lib.sh"

GEN="$TOP_SRCDIR/tests/audio/cdgen.py"
. "$TOP_SRCDIR/tests/audio/audio_lib.sh"
# python3-libdiscid is a Debian package: the system's python3
PYDISCID=/usr/bin/python3

# tags FILE: the Vorbis comments of a FLAC file, as metaflac reads them
tags() { metaflac --export-tags-to=- "$1"; }

# libdiscid_ids DIR: "MBID FREEDB" of the disc, by python3-libdiscid
libdiscid_ids() {
	set -- $(python3 "$GEN" ids "$1")
	shift 3
	first=$1 last=$2 leadout=$3
	shift 3
	offs=$(echo "$@" | tr ' ' ,)
	$PYDISCID -c "import libdiscid
d = libdiscid.put($first, $last, $leadout, [$offs])
print(d.id, d.freedb_id)"
}

test_rip_audio_disc_ids_match_libdiscid() {
	for kind in htoa no-htoa mixed; do
		case $kind in
		htoa) cdgen_src "$kind" ;;
		no-htoa) cdgen_src "$kind" --no-htoa ;;
		mixed) cdgen_src "$kind" --mixed ;;
		esac
		run rip --audio --json --format wav -o "o-$kind" "$kind/disc.cue"
		expect_exit 0
		set -- $(libdiscid_ids "$kind")
		[ -n "$1" ] || fail "python3-libdiscid gave no ID for $kind"
		expect_eq "$(json_get .disc_ids.musicbrainz)" "$1" "$kind: MusicBrainz disc ID"
		expect_eq "$(json_get .disc_ids.freedb)" "$2" "$kind: freedb ID (libdiscid)"
		set -- $(python3 "$GEN" ids "$kind")
		expect_eq "$(json_get .disc_ids.freedb)" "$1" "$kind: freedb ID (cdgen)"
		expect_eq "$(json_get .disc_ids.accuraterip)" "$2" "$kind: AccurateRip ID"
		case "$(json_get .disc_ids.accuraterip_url)" in
		http://www.accuraterip.com/accuraterip/?/?/?/"$3") ;;
		*) fail "$kind: dBAR address $(json_get .disc_ids.accuraterip_url)" ;;
		esac
		grep -q "^AccurateRip ID  $2\$" "o-$kind/rip.log" || fail "$kind: the log lacks the AccurateRip ID"
		grep -q "^freedb ID       $1\$" "o-$kind/rip.log" || fail "$kind: the log lacks the freedb ID"
	done
	# the mixed-mode disc: AccurateRip counts its 3 audio tracks only
	expect_eq "${2%%-*}" 003 "audio tracks of the mixed-mode disc"
}

test_rip_audio_cdtext_cue_into_tags() {
	cdgen_src src
	python3 "$GEN" cdtext src
	run rip --audio --json -o dir src/disc.cue
	expect_exit 0
	expect_eq "$(json_get .cdtext.title)" "An Album"
	expect_eq "$(json_get .cdtext.performer)" "The Band"
	expect_eq "$(json_get .cdtext.songwriter)" "Writer X"
	expect_eq "$(json_get .mcn)" 0123456789012
	expect_eq "$(json_get .tags)" CD-TEXT
	expect_eq "$(json_get '.tracks[2].title')" "Song 2"
	expect_eq "$(json_get '.tracks[2].isrc')" GBAYE0000002
	expect_eq "$(json_get '.tracks[2].pre_emphasis')" true
	expect_eq "$(json_get '.tracks[3].pre_emphasis')" false
	mb=$(json_get .disc_ids.musicbrainz)
	ar=$(json_get .disc_ids.accuraterip)
	crc=$(json_get '.tracks[2].copy_crc32')
	v1=$(json_get '.tracks[2].accuraterip_v1')
	v2=$(json_get '.tracks[2].accuraterip_v2')
	cat > expected <<-EOF
	TITLE=Song 2
	ARTIST=Singer 2
	ALBUM=An Album
	ALBUMARTIST=The Band
	TRACKNUMBER=2
	TRACKTOTAL=4
	ISRC=GBAYE0000002
	MUSICBRAINZ_DISCID=$mb
	CDDB_DISCID=${ar##*-}
	ACCURATERIPID=$ar
	CRC32=$crc
	ACCURATERIPV1=$v1
	ACCURATERIPV2=$v2
	PRE_EMPHASIS=yes
	EOF
	tags dir/02.flac > got
	expect_same expected got
	# the hidden track before track 1 is tagged as track 0 of the album
	tags dir/00.flac > got0
	grep -qx "TITLE=Hidden track" got0 || fail "00.flac: no hidden track title"
	grep -qx "TRACKNUMBER=0" got0 || fail "00.flac: not track 0"
	grep -qx "ALBUM=An Album" got0 || fail "00.flac: no album"
	grep -q "^  title           Song 4$" dir/rip.log || fail "the log lacks track 4's title"
	grep -q "^MCN             0123456789012$" dir/rip.log || fail "the log lacks the MCN"
}

test_rip_audio_cdtext_toc_into_tags() {
	cdgen_src src --no-htoa
	python3 "$GEN" cdtext src
	run rip --audio -o dir src/disc.toc --tag "COMMENT=ripped in a test" --tag GENRE=Noise
	expect_exit 0
	tags dir/03.flac > got
	for line in "TITLE=Song 3" "TITLE=Toc Song 3" "ARTIST=Toc Singer 3" "ALBUM=Toc Album" \
		    "ALBUMARTIST=Toc Band" "COMMENT=ripped in a test" "GENRE=Noise"; do
		case "$line" in
		"TITLE=Song 3") ! grep -qx "$line" got || fail "the CUE's text on a TOC rip" ;;
		*) grep -qx "$line" got || { cat got >&2; fail "03.flac lacks '$line'"; } ;;
		esac
	done
}

test_rip_audio_metadata_file_simple() {
	cdgen_src src --no-htoa
	python3 "$GEN" cdtext src
	cat > meta.json <<-'EOF'
	{"album": "Meta Album", "artist": "Meta Artist", "date": "2001-02-03",
	 "discnumber": 1, "disctotal": 2, "genre": "Jazz",
	 "tracks": [{"title": "Eins"}, {"title": "Zwei", "artist": "Gast"},
	            {"title": "Drei", "isrc": "DEAAA0100003"}, {"title": "Vier"}]}
	EOF
	run rip --audio --json -o dir --metadata meta.json src/disc.cue
	expect_exit 0
	expect_eq "$(json_get .tags)" "metadata file meta.json"
	tags dir/02.flac > got2
	tags dir/03.flac > got3
	for line in "TITLE=Zwei" "ARTIST=Gast" "ALBUM=Meta Album" "ALBUMARTIST=Meta Artist" \
		    "DATE=2001-02-03" "DISCNUMBER=1" "DISCTOTAL=2" "GENRE=Jazz" "ISRC=GBAYE0000002"; do
		grep -qx "$line" got2 || { cat got2 >&2; fail "02.flac lacks '$line'"; }
	done
	grep -qx "ISRC=DEAAA0100003" got3 || fail "the file's ISRC does not win over the disc's"
	grep -qx "ARTIST=Meta Artist" got3 || fail "a track without artist gets the album's"
	! grep -q "Song" got2 got3 || fail "CD-TEXT leaked into tags from a metadata file"
}

test_rip_audio_metadata_musicbrainz_release() {
	cdgen_src src --no-htoa
	set -- $(libdiscid_ids src)
	mbid=$1
	cat > release.json <<-EOF
	{"id": "0f1e2d3c-aaaa-bbbb-cccc-000000000001", "title": "Box", "date": "1990",
	 "artist-credit": [{"name": "Ann", "joinphrase": " feat. "}, {"name": "Bob"}],
	 "media": [
	  {"position": 1, "discs": [{"id": "someOtherDiscId-----------"}],
	   "tracks": [{"title": "a"}, {"title": "b"}, {"title": "c"}, {"title": "d"}]},
	  {"position": 2, "discs": [{"id": "$mbid"}],
	   "tracks": [{"title": "Eins"}, {"title": "Zwei"},
	              {"title": "Drei", "recording": {"isrcs": ["USXXX9900003"]}},
	              {"title": "Vier", "artist-credit": [{"name": "Cy"}]}]}]}
	EOF
	run rip --audio -o dir --metadata release.json src/disc.cue
	expect_exit 0
	grep -q "^tags            MusicBrainz release 0f1e2d3c-aaaa-bbbb-cccc-000000000001, medium 2 (chosen by its disc ID)$" \
		dir/rip.log || fail "the log does not say which release and medium"
	tags dir/04.flac > got
	for line in "TITLE=Vier" "ARTIST=Cy" "ALBUM=Box" "ALBUMARTIST=Ann feat. Bob" "DATE=1990" \
		    "DISCNUMBER=2" "DISCTOTAL=2" "MUSICBRAINZ_DISCID=$mbid" \
		    "MUSICBRAINZ_ALBUMID=0f1e2d3c-aaaa-bbbb-cccc-000000000001"; do
		grep -qx "$line" got || { cat got >&2; fail "04.flac lacks '$line'"; }
	done
	tags dir/03.flac | grep -qx "ISRC=USXXX9900003" || fail "the recording's ISRC"
}

test_rip_audio_musicbrainz_lookup_file() {
	cdgen_src src --no-htoa
	set -- $(libdiscid_ids src)
	mbid=$1
	# what ws/2/discid/ID answers: releases; the second holds this disc
	cat > lookup.json <<-EOF
	{"releases": [
	  {"id": "r-1", "title": "Not This", "media": [{"position": 1,
	    "discs": [{"id": "elsewhere"}], "tracks": [{}, {}, {}, {}]}]},
	  {"id": "r-2", "title": "This One", "date": "2003",
	   "artist-credit": [{"name": "Dee"}],
	   "media": [{"position": 1, "discs": [{"id": "$mbid"}],
	    "tracks": [{"title": "1"}, {"title": "2"}, {"title": "3"}, {"title": "4"}]}]}]}
	EOF
	run rip --audio --musicbrainz -o dir --metadata lookup.json src/disc.cue
	expect_exit 0
	grep -q "^tags            MusicBrainz release r-2, medium 1 (chosen by its disc ID), release 2 of 2$" \
		dir/rip.log || fail "the log does not say which release"
	tags dir/02.flac | grep -qx "ALBUM=This One" || fail "tags from the wrong release"
	# no release holds the disc: an error before ripping
	sed "s/$mbid/nomatch/" lookup.json > none.json
	run rip --audio -o none --metadata none.json src/disc.cue
	expect_exit 5
	expect_err "none of its 2 releases holds disc ID $mbid"
	# fetched: the same answer from a server (local files here)
	mkdir -p mb/ws/2/discid
	cp lookup.json "mb/ws/2/discid/$mbid"
	run rip --audio --json --musicbrainz --musicbrainz-server "file://$PWD/mb/" -o net src/disc.cue
	expect_exit 0
	expect_eq "$(json_get .lookups.musicbrainz.url)" \
		"file://$PWD/mb/ws/2/discid/$mbid?inc=recordings+artist-credits+isrcs&fmt=json"
	expect_eq "$(json_get .lookups.musicbrainz.result)" ok
	expect_eq "$(json_get .lookups.accuraterip)" null
	expect_eq "$(json_get .tags)" "MusicBrainz release r-2, medium 1 (chosen by its disc ID), release 2 of 2"
	tags net/02.flac | grep -qx "ALBUM=This One" || fail "fetched: tags from the wrong release"
	tags net/03.flac | grep -qx "TITLE=3" || fail "fetched: no track title"
	grep -q "^MusicBrainz     asked file://$PWD/mb/ws/2/discid/$mbid?inc=.*: MusicBrainz release r-2" \
		net/rip.log || fail "the log does not say what was asked"
	# without network: said plainly, then CD-TEXT as usual
	run rip --audio --musicbrainz --musicbrainz-server http://127.0.0.1:1/ --format wav -o off src/disc.cue
	expect_exit 0
	expect_err "--musicbrainz: MusicBrainz cannot be reached ("
	expect_err "no network, or the server is down; the tags come from the CD-TEXT"
	# a disc the server does not know, and an answer without this disc
	rm "mb/ws/2/discid/$mbid"
	run rip --audio --musicbrainz --musicbrainz-server "file://$PWD/mb" --format wav -o unknown src/disc.cue
	expect_exit 0
	expect_err "MusicBrainz does not know this disc"
	cp none.json "mb/ws/2/discid/$mbid"
	run rip --audio --json --musicbrainz --musicbrainz-server "file://$PWD/mb" -o nodisc src/disc.cue
	expect_exit 0
	expect_eq "$(json_get .lookups.musicbrainz.result)" bad_answer
	expect_err "none of its 2 releases holds disc ID $mbid"
	tags nodisc/02.flac | grep -q "^ALBUM=" && fail "tags from a release without this disc"
	run rip --audio --musicbrainz-server "file://$PWD/mb" -o x src/disc.cue
	expect_exit 2
	expect_err "--musicbrainz-server goes with --musicbrainz"
}

test_rip_audio_cdtext_nrg_and_ccd() {
	# Nero CDTX and CloneCD [CDText], through spindle's disc model
	python3 "$TOP_SRCDIR/tests/disc/discgen.py" gen dg > /dev/null || fail "discgen"
	for img in nrg/disc.nrg ccd/disc.ccd; do
		run rip --audio --json -o "o-${img%%/*}" "dg/$img"
		expect_exit 0
		expect_eq "$(json_get .cdtext.title)" "Disc Gen" "$img: album"
		expect_eq "$(json_get '.tracks[2].title')" "Track 3" "$img: title of track 3"
		tags "o-${img%%/*}/03.flac" > got
		for line in "TITLE=Track 3" "ARTIST=Artist 3" "ALBUM=Disc Gen" \
			    "ALBUMARTIST=Spindle Tests" "ISRC=USABC2600001" "TRACKNUMBER=2" "TRACKTOTAL=2"; do
			grep -qx "$line" got || { cat got >&2; fail "$img: 03.flac lacks '$line'"; }
		done
	done
}

test_rip_audio_metadata_hostile() {
	cdgen_src src --no-htoa
	# control characters: escaped in tags and the log, and said so
	printf '{"album": "A\\u001b[2Jb", "tracks": [{"title": "x\\ny\\tz"}, {}, {}, {}]}' > ctl.json
	run rip --audio -o dir --metadata ctl.json src/disc.cue
	expect_exit 0
	expect_err 'control characters in the metadata file are written as \xHH'
	tags dir/01.flac > got
	grep -qxF 'ALBUM=A\x1b[2Jb' got || { cat got >&2; fail "the escape sequence was not escaped"; }
	grep -qxF 'TITLE=x\x0ay\x09z' got || fail "line break and tab were not escaped"
	! grep -q "$(printf '\033')" got dir/rip.log || fail "a raw ESC reached the tags or log"
	# a huge string: refused before reading anything
	python3 -c 'import json; print(json.dumps({"tracks": [{"title": "a" * 100000}, {}, {}, {}]}))' > huge.json
	run rip --audio -o huge --metadata huge.json src/disc.cue
	expect_exit 1
	expect_err "metadata file 'huge.json': tracks[0].title is 100000 bytes long; a tag holds at most 4096"
	[ ! -e huge/01.flac ] || fail "ripped despite a refused metadata file"
	# wrong track count
	echo '{"tracks": [{}, {}, {}]}' > three.json
	run rip --audio -o three --metadata three.json src/disc.cue
	expect_exit 5
	expect_err "metadata file 'three.json' lists 3 tracks, but the disc has 4 audio tracks"
	# not JSON, not an object, a title of the wrong type, a missing file
	printf '{"tracks": [' > cut.json
	run rip --audio -o cut --metadata cut.json src/disc.cue
	expect_exit 1
	expect_err "metadata file 'cut.json' is not JSON"
	echo '[1, 2]' > arr.json
	run rip --audio -o arr --metadata arr.json src/disc.cue
	expect_exit 1
	expect_err "is not a JSON object"
	echo '{"tracks": [{"title": 7}, {}, {}, {}]}' > type.json
	run rip --audio -o type --metadata type.json src/disc.cue
	expect_exit 1
	expect_err "tracks[0].title is not a string"
	run rip --audio -o none --metadata nothing.json src/disc.cue
	expect_exit 1
	expect_err "nothing.json"
	# --tag: a name with '=' missing, and with --raw
	run rip --audio -o t --tag NOEQUALS src/disc.cue
	expect_exit 2
	expect_err "--tag 'NOEQUALS' is not NAME=VALUE"
	run rip --raw -o t.bin --tag A=B src/disc.cue
	expect_exit 2
	expect_err "go with --audio"
}

test_rip_audio_accuraterip_db() {
	cdgen_src src
	# every track in the database
	python3 "$GEN" dbar src good.bin
	run rip --audio --json -o good --accuraterip-db good.bin src/disc.cue
	expect_exit 0
	expect_eq "$(json_get .accuraterip_db)" good.bin
	expect_eq "$(json_get '.tracks[0].accuraterip')" null "the hidden track"
	for i in 1 2 3 4; do
		expect_eq "$(json_get ".tracks[$i].accuraterip.v1_confidence")" 3
		expect_eq "$(json_get ".tracks[$i].accuraterip.v2_confidence")" 5
		expect_eq "$(json_get ".tracks[$i].accuraterip.result")" \
			"accurately ripped (confidence 8) [v1 3, v2 5, of 8]"
	done
	grep -q "^All 4 tracks were accurately ripped.$" good/rip.log || fail "log summary"
	tags good/03.flac | grep -qx "ACCURATERIPRESULT=accurately ripped (confidence 8) \[v1 3, v2 5, of 8\]" ||
		fail "03.flac lacks its AccurateRip result"
	# track 3 made to mismatch, track 2 absent
	python3 "$GEN" dbar src bad.bin --bad 3 --absent 2
	run rip --audio -o bad --accuraterip-db bad.bin src/disc.cue
	expect_exit 5
	expect_err "track 3 does not match the AccurateRip database (8 submissions)"
	grep -A9 "^Track  3$" bad/rip.log | grep -q "AccurateRip     NOT accurately ripped: neither checksum matches the 8 submissions" ||
		fail "the log does not say track 3 is not accurate"
	grep -A9 "^Track  2$" bad/rip.log | grep -q "AccurateRip     not in the AccurateRip database" ||
		fail "the log does not say track 2 is absent"
	grep -q "^AccurateRip: 2 of 4 tracks accurately ripped, 1 not matching, 1 not in the database.$" bad/rip.log ||
		fail "log summary of a bad rip"
	# a file for another disc: refused before reading, with the right address
	cdgen_src other --mixed
	python3 "$GEN" dbar other other.bin
	run rip --audio -o wrong --accuraterip-db other.bin src/disc.cue
	expect_exit 5
	expect_err "the AccurateRip file is for disc 003-"
	expect_err "$(python3 "$GEN" ids src | cut -d' ' -f3)"
	[ ! -e wrong/01.flac ] || fail "ripped with the database of another disc"
	# a truncated file, an empty one
	head -c 30 good.bin > cut.bin
	run rip --audio -o cut --accuraterip-db cut.bin src/disc.cue
	expect_exit 1
	expect_err "AccurateRip file 'cut.bin' ends inside the chunk at byte 0"
	: > empty.bin
	run rip --audio -o empty --accuraterip-db empty.bin src/disc.cue
	expect_exit 1
	expect_err "AccurateRip file 'empty.bin' is empty"
}

test_rip_audio_find_offset() {
	cdgen_src src
	# AccurateRip data as drives with these read offsets submitted it: the
	# image reads at offset 0, so the offset found is the submitters'
	for x in 6 -472 1300; do
		python3 "$GEN" dbar src "d$x.bin" --offset "$x"
		run rip --audio --find-offset --json --accuraterip-db "d$x.bin" src/disc.cue
		expect_exit 0
		expect_eq "$(json_get .mode)" find-offset
		expect_eq "$(json_get .offset)" "$x" "offset found from d$x.bin"
		expect_eq "$(json_get .tracks_matching)" 4
		expect_eq "$(json_get .confidence)" 12
	done
	run rip --audio --find-offset --accuraterip-db d-472.bin src/disc.cue
	expect_exit 0
	expect_out "read offset of src/disc.cue: -472 samples (4 of 4 tracks match there, confidence 12)"
	expect_out "rip with --offset -472"
	# and a rip at that offset matches the file in v1 and v2
	run rip --audio --offset -472 -o dir --accuraterip-db d-472.bin src/disc.cue
	expect_exit 0
	grep -q "^All 4 tracks were accurately ripped.$" dir/rip.log || fail "no match at the offset found"
	# beyond the search window: none, and said so
	python3 "$GEN" dbar src far.bin --offset 3000
	run rip --audio --find-offset --accuraterip-db far.bin src/disc.cue
	expect_exit 5
	expect_err "no read offset within 2940 samples either way makes a track match"
	run rip --audio --find-offset src/disc.cue
	expect_exit 2
	expect_err "--find-offset needs --audio and --accuraterip-db FILE"
}

test_rip_audio_accuraterip_other_pressing() {
	cdgen_src src
	# track 3 as pressed 30 samples earlier on the discs submitted
	python3 "$GEN" dbar src p.bin --shift 3:-30
	run rip --audio --json -o dir --accuraterip-db p.bin src/disc.cue
	expect_exit 0
	expect_eq "$(json_get '.tracks[3].accuraterip.v1_confidence')" 0
	expect_eq "$(json_get '.tracks[3].accuraterip.pressing_offset')" -30
	expect_eq "$(json_get '.tracks[3].accuraterip.pressing_confidence')" 3
	expect_eq "$(json_get '.tracks[2].accuraterip.pressing_offset')" null
	grep -A9 "^Track  3$" dir/rip.log |
		grep -q "AccurateRip     accurately ripped (confidence 3) as another pressing, -30 samples away" ||
		fail "the log does not name the other pressing"
}

# serve DIR: a local HTTP server on 127.0.0.1 for DIR; its base URL in $url
serve() {
	python3 -c 'import functools, http.server, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
open("port.tmp", "w").write(str(s.server_address[1]))
import os; os.rename("port.tmp", "port")
s.serve_forever()' "$1" > http.log 2>&1 &
	server=$!
	# stopped however the test ends (fail exits the test's subshell)
	trap 'kill "$server" 2> /dev/null' EXIT
	i=0
	while [ ! -s port ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s port ] || fail "the local HTTP server did not start: $(cat http.log)"
	url="http://127.0.0.1:$(cat port)"
}

test_rip_audio_accuraterip_online() {
	cdgen_src src --no-htoa
	python3 "$GEN" dbar src db.bin
	run rip --audio --json --accuraterip --format wav -o ids --accuraterip-server http://127.0.0.1:1 src/disc.cue
	expect_exit 0
	# without network: said plainly, and the rip goes on unchecked
	expect_err "--accuraterip: AccurateRip cannot be reached ("
	expect_err "the rip goes on unchecked"
	expect_eq "$(json_get .lookups.accuraterip.result)" offline
	expect_eq "$(json_get .accuraterip_db)" null
	grep -q "^AccurateRip db  not checked$" ids/rip.log || fail "the log claims a check"
	grep -q "^tags            none (WAV files)$" ids/rip.log || fail "WAV files are not tagged"
	# the dBAR file where AccurateRip keeps it, served over HTTP
	path=$(json_get .disc_ids.accuraterip_url | sed 's|^http://www.accuraterip.com||')
	mkdir -p "ar$(dirname "$path")"
	cp db.bin "ar$path"
	serve ar
	run rip --audio --json --accuraterip --accuraterip-server "$url" --format wav -o dir src/disc.cue
	expect_exit 0
	expect_eq "$(json_get .lookups.accuraterip.url)" "$url$path"
	expect_eq "$(json_get .lookups.accuraterip.result)" ok
	expect_eq "$(json_get .accuraterip_db)" "$url$path"
	for i in 0 1 2 3; do
		expect_eq "$(json_get ".tracks[$i].accuraterip.v1_confidence")" 3
		expect_eq "$(json_get ".tracks[$i].accuraterip.v2_confidence")" 5
	done
	grep -qx "All 4 tracks were accurately ripped." dir/rip.log || fail "not checked online"
	grep -q "GET $path HTTP" http.log || fail "the server was not asked for $path"
	# a disc AccurateRip does not know (HTTP 404), then a truncated answer
	mv "ar$path" ar/gone.bin
	run rip --audio --accuraterip --accuraterip-server "$url" --format wav -o unknown src/disc.cue
	expect_exit 0
	expect_err "AccurateRip does not know this disc (HTTP 404)"
	head -c 30 ar/gone.bin > "ar$path"
	run rip --audio --json --accuraterip --accuraterip-server "$url" --format wav -o cut src/disc.cue
	expect_exit 0
	expect_eq "$(json_get .lookups.accuraterip.result)" bad_answer
	kill "$server"
	wait "$server" 2>/dev/null
	trap - EXIT
	# a file given wins over the server
	run rip --audio --json --accuraterip --accuraterip-db db.bin --accuraterip-server http://127.0.0.1:1 \
		--format wav -o file src/disc.cue
	expect_exit 0
	expect_eq "$(json_get .lookups.accuraterip)" null
	expect_eq "$(json_get .accuraterip_db)" db.bin
}

# whipper (Debian's package) as a peer: its disc IDs from the same table of
# contents (image.table.Table) and its AccurateRip checksums of the ripped
# WAV files (program.arc, the accuraterip-checksum module).  Audio-only
# layouts: for a data track first, whipper numbers AccurateRip's second ID
# by track number, not audio track (its ID differs from the published ones).
test_rip_audio_whipper_agrees() {
	WHIPPER="/usr/bin/python3 $TOP_SRCDIR/tests/audio/whipper_peer.py"
	for kind in htoa no-htoa; do
		case $kind in
		htoa) cdgen_src "$kind" ;;
		no-htoa) cdgen_src "$kind" --no-htoa ;;
		esac
		run rip --audio --json --format wav -o "r$kind" "$kind/disc.cue"
		expect_exit 0
		set -- $($WHIPPER ids "$kind/layout.json")
		[ -n "${3:-}" ] || fail "whipper gave no IDs for $kind"
		expect_eq "$(json_get .disc_ids.accuraterip_url)" "http://www.accuraterip.com/accuraterip/$1" \
			"$kind: dBAR address (whipper)"
		expect_eq "$(json_get .disc_ids.freedb)" "$2" "$kind: freedb ID (whipper)"
		expect_eq "$(json_get .disc_ids.musicbrainz)" "$3" "$kind: MusicBrainz disc ID (whipper)"
		$WHIPPER sums "r$kind"/0[1-4].wav > whipper.sums || fail "whipper's checksums failed"
		json_get '.tracks[] | select(.track > 0) | "\(.accuraterip_v1) \(.accuraterip_v2)"' > spindle.sums
		expect_same whipper.sums spindle.sums
	done
}

run_tests
