#!/bin/sh
# Every --json line is valid JSON, the last one is the result object, and
# every key the commands print (events, result, nested objects) is named in
# docs/json.md, so that the reference cannot fall behind the code.
. "$TOP_SRCDIR/tests/lib.sh"

DOC="$TOP_SRCDIR/docs/json.md"

# check_json COMMAND: out holds JSON Lines from spindle COMMAND --json
check_json() {
	[ -s out ] || fail "$1: no JSON output"
	# each line by itself (-R, fromjson), all in one jq: not one jq start
	# per progress line
	jq -Rr 'select((try fromjson catch null) | type != "object")' out > notobj ||
		fail "$1: jq cannot read the output"
	[ ! -s notobj ] || fail "$1: not a JSON object: $(head -n 1 notobj)"
	expect_eq "$(json_get .type)" result "$1: last line type"
	expect_eq "$(json_get .command)" "$1" "$1: result command"
	for key in $(jq -r '[paths | .[-1] | strings] | unique | .[]' out); do
		grep -qF "\`$key\`" "$DOC" || fail "$1: key '$key' is not in docs/json.md"
	done
}

make_src() {
	mkdir -p src/sub
	mkimg src/sub/data.bin 40 77
	echo hello > src/a.txt
}

test_mkiso() {
	make_src
	run mkiso --json src -o img.iso
	expect_exit 0
	check_json mkiso
	expect_eq "$(json_get .sectors)" $(( $(stat -c %s img.iso) / 2048 ))
}

test_drives() {
	run drives --json
	check_json drives
	[ "$(json_get .ok)" = true ] || expect_eq "$(json_get .error.code)" no-drive
}

test_info() {
	mkimg img.iso 100
	run info --json -d stdio:img.iso
	expect_exit 0
	check_json info
	expect_eq "$(json_get .readable_sectors)" 100
}

test_burn_and_verify() {
	mkimg img.iso 100
	run burn --json -d stdio:disc.iso img.iso
	expect_exit 0
	check_json burn
	expect_eq "$(json_get .verify.outcome)" match
	run verify --json -d stdio:disc.iso img.iso
	expect_exit 0
	check_json verify
	expect_eq "$(json_get .sha256)" "$(sha256 img.iso)"
}

test_burn_dir_md5_tags() {
	make_src
	run burn --json -d stdio:disc.iso src
	expect_exit 0
	check_json burn
	expect_eq "$(json_get .verify.mode)" md5-tags
}

test_verify_md5_tags() {
	make_src
	"$SPINDLE" mkiso -q src -o img.iso > /dev/null || fail "mkiso"
	run verify --json img.iso
	expect_exit 0
	check_json verify
	expect_eq "$(json_get .mode)" md5-tags
}

test_verify_mismatch_error() {
	mkimg img.iso 50
	mkimg disc.iso 50
	printf 'X' | dd of=disc.iso bs=1 seek=4096 conv=notrunc 2>/dev/null
	run verify --json -d stdio:disc.iso img.iso
	expect_exit 5
	check_json verify
	expect_eq "$(json_get .error.code)" mismatch
	expect_eq "$(json_get .error.lba)" 2
}

test_rip_and_files() {
	make_src
	"$SPINDLE" mkiso -q src -o img.iso > /dev/null || fail "mkiso"
	run rip --json -d stdio:img.iso -o copy.iso
	expect_exit 0
	check_json rip
	expect_same img.iso copy.iso
	run files --json --map copy.iso.map copy.iso
	expect_exit 0
	check_json files
	expect_eq "$(json_get '.files | length')" 0
}

test_audio_commands() {
	command -v python3 > /dev/null || skip "python3 is not installed"
	python3 "$TOP_SRCDIR/tests/audio/cdgen.py" gen src --mixed > /dev/null || fail "cdgen"
	run rip --audio --json --test-and-copy -o got src/disc.cue
	expect_exit 0
	check_json rip
	expect_eq "$(json_get .mode)" audio
	grep -q '"type":"progress"' out || fail "rip --audio printed no progress event"
	# with CD-TEXT and an AccurateRip file: their fields too
	python3 "$TOP_SRCDIR/tests/audio/cdgen.py" cdtext src || fail "cdgen cdtext"
	python3 "$TOP_SRCDIR/tests/audio/cdgen.py" dbar src ar.bin || fail "cdgen dbar"
	run rip --audio --json --accuraterip-db ar.bin -o got-ar src/disc.cue
	expect_exit 0
	check_json rip
	expect_eq "$(json_get '.tracks[1].accuraterip.v2_confidence')" 5
	run rip --raw --json -o raw.bin src/disc.cue
	expect_exit 0
	check_json rip
	expect_eq "$(json_get .mode)" raw
	run convert --json src/disc.cue -o data.iso
	expect_exit 0
	check_json convert
	# four 5-second tracks, long enough to burn
	python3 "$TOP_SRCDIR/tests/audio/cdgen.py" pcm src 2 0 t.raw || fail "cdgen pcm"
	python3 -c "
import wave
d = open('t.raw', 'rb').read()
w = wave.open('t.wav', 'wb'); w.setnchannels(2); w.setsampwidth(2); w.setframerate(44100)
w.writeframes((d * 8)[:2352 * 400]); w.close()"
	run burn --json --dry-run t.wav t.wav
	expect_exit 0
	check_json burn
	expect_eq "$(json_get .dry_run)" true
}

test_ecc_commands() {
	mkimg img 300
	run protect --json img -o img.ecc
	check_json protect
	garbage() { head -c 2048 /dev/zero | dd of=img bs=2048 seek="$1" conv=notrunc status=none; }
	garbage 7
	run verify --json img --ecc img.ecc
	check_json verify
	run repair --json img --ecc img.ecc
	check_json repair
	expect_eq "$(json_get .repaired)" 1
}

test_verify_published_checksums() {
	make_src
	run mkiso --json --implant-md5 src -o img.iso
	check_json mkiso
	sha256sum img.iso > SHA256SUMS
	run verify --json --checksums SHA256SUMS --md5 "$(md5sum img.iso | cut -d' ' -f1)" img.iso
	expect_exit 0
	check_json verify
	truncate -s 100000 img.iso
	run verify --json img.iso
	expect_exit 5
	check_json verify
}

test_error_object() {
	run verify --json -d stdio:missing.iso missing.iso
	expect_exit 1
	check_json verify
	expect_eq "$(json_get .error.code)" not-found
}

test_ls_and_extract() {
	mkdir -p src/d
	echo hello > src/d/a.txt
	ln -s d/a.txt src/link
	xorriso -as mkisofs -quiet -R -o t.iso src 2> /dev/null || fail "xorriso"
	run ls --json t.iso
	expect_exit 0
	check_json ls
	expect_eq "$(json_get '.files | length')" 3
	run extract --json t.iso -C dest
	expect_exit 0
	check_json extract
	expect_eq "$(json_get .summary.files)" 1
}

test_scan_and_report() {
	mkimg img 300
	printf 'bad 100 4\nslow 200 64 1\n' > spec
	run scan img --json --test-damage spec --zones 3
	expect_exit 6
	check_json scan
	printf '0 + 1\n0 0x19000 +\n0x19000 0x800 -\n' > m.map
	run report m.map -o r.svg --json
	expect_exit 0
	check_json report
}

run_tests
