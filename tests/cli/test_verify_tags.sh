#!/bin/sh
# spindle verify without an image: an image file or a disc checked against
# its own recorded MD5 tags (spindle mkiso, xorriso -md5 on).
. "$TOP_SRCDIR/tests/lib.sh"

make_src() {
	mkdir -p src/sub src/other
	mkimg src/sub/data.bin 40 77
	mkimg src/other/second.bin 30
	echo hello > src/sub/a.txt
	ln src/sub/a.txt src/sub/link.txt
	: > src/empty.txt
}

# lba IMAGE PATH: the first data sector of PATH, as xorriso reports it
lba() {
	xorriso -indev "$1" -find "$2" -exec report_lba -- 2>/dev/null |
		awk '/^File data lba/ { print $6; exit }'
}

# flip IMAGE OFFSET: change one byte
flip() {
	b=$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
	printf "$(printf '\\%03o' $(( (b + 1) % 256 )))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

test_clean_image() {
	make_src
	"$SPINDLE" mkiso -q src -o img.iso > /dev/null || fail "mkiso"
	run verify img.iso
	expect_exit 0
	expect_out "superblock tag:  ok"
	expect_out "tree tag:        ok"
	expect_out "session tag:     ok"
	expect_out "files:           5 of 5 with MD5 match"
	run verify --json img.iso
	expect_exit 0
	expect_eq "$(json_get .ok)" true
	expect_eq "$(json_get .mode)" md5-tags
	expect_eq "$(json_get .session)" ok
	expect_eq "$(json_get .files_ok)" 5
	expect_eq "$(json_get '.damaged_files | length')" 0
}

test_disc_through_drive() {
	make_src
	"$SPINDLE" mkiso -q src -o img.iso > /dev/null || fail "mkiso"
	run verify -d stdio:img.iso
	expect_exit 0
	expect_out "files:           5 of 5 with MD5 match"
}

test_one_corrupt_byte_names_that_file() {
	make_src
	"$SPINDLE" mkiso -q src -o img.iso > /dev/null || fail "mkiso"
	l=$(lba img.iso /sub/data.bin)
	[ -n "$l" ] || fail "no LBA for /sub/data.bin"
	flip img.iso $(( l * 2048 + 5000 ))
	run verify --json img.iso
	expect_exit 5
	expect_eq "$(json_get '.damaged_files | length')" 1
	expect_eq "$(json_get '.damaged_files[0].path')" /sub/data.bin
	expect_eq "$(json_get '.damaged_files[0].state')" mismatch
	expect_eq "$(json_get .superblock)" ok
	expect_eq "$(json_get .tree)" ok
	expect_eq "$(json_get .session)" mismatch
	expect_eq "$(json_get .files_ok)" 4
	expect_eq "$(json_get .error.code)" mismatch
	run verify img.iso
	expect_exit 5
	expect_out "damaged files (1):"
	expect_out "/sub/data.bin"
	expect_no_out "second.bin"
	expect_err "1 damaged file"
	# xorriso agrees on the file
	xorriso -md5 on -indev img.iso -check_md5_r sorry / -- > x.log 2>&1
	grep -q "MD5 MISMATCH: '/sub/data.bin'" x.log || { cat x.log >&2; fail "xorriso disagrees"; }
}

test_hard_linked_file_names_both_paths() {
	make_src
	"$SPINDLE" mkiso -q src -o img.iso > /dev/null || fail "mkiso"
	l=$(lba img.iso /sub/a.txt)
	flip img.iso $(( l * 2048 ))
	run verify --json img.iso
	expect_exit 5
	expect_eq "$(json_get '[.damaged_files[].path] | sort | join(",")')" /sub/a.txt,/sub/link.txt
}

test_corrupt_superblock() {
	make_src
	"$SPINDLE" mkiso -q src -o img.iso > /dev/null || fail "mkiso"
	# the Joliet volume descriptor's volume set ID: harmless to readers
	flip img.iso $(( 17 * 2048 + 200 ))
	run verify --json img.iso
	expect_exit 5
	expect_eq "$(json_get .superblock)" mismatch
	expect_eq "$(json_get .files_ok)" 5
}

test_xorriso_md5_image() {
	make_src
	xorriso -as mkisofs -quiet -R -J --md5 -o x.iso src 2> /dev/null || fail "xorriso"
	run verify x.iso
	expect_exit 0
	expect_out "files:           5 of 5 with MD5 match"
	flip x.iso $(( $(lba x.iso /other/second.bin) * 2048 + 100 ))
	run verify --json x.iso
	expect_exit 5
	expect_eq "$(json_get '.damaged_files[0].path')" /other/second.bin
	expect_eq "$(json_get '.damaged_files | length')" 1
}

test_xorriso_multisession_file() {
	make_src
	# xorriso grows a file with a relocated superblock at LBA 0
	xorriso -md5 on -outdev ms.iso -map src/sub /sub -commit > /dev/null 2>&1 || fail "session 1"
	xorriso -md5 on -dev ms.iso -map src/other /other -commit > /dev/null 2>&1 || fail "session 2"
	run verify --json ms.iso
	expect_exit 0
	expect_eq "$(json_get .files_ok)" 4
	[ "$(json_get .session_start)" -gt 32 ] || fail "not the last session"
	# damage in the first session's file data is found through the second
	flip ms.iso $(( $(lba ms.iso /sub/data.bin) * 2048 + 7 ))
	run verify --json ms.iso
	expect_exit 5
	expect_eq "$(json_get '.damaged_files[0].path')" /sub/data.bin
	expect_eq "$(json_get .session)" ok
}

test_image_without_tags() {
	make_src
	genisoimage -quiet -R -J -o plain.iso src 2> /dev/null || fail "genisoimage"
	run verify plain.iso
	expect_exit 0
	expect_out "plain.iso has no MD5 tags"
	expect_out "$(sha256 plain.iso)"
	run verify --json plain.iso
	expect_eq "$(json_get .tags)" false
	expect_eq "$(json_get .sha256)" "$(sha256 plain.iso)"
	expect_eq "$(json_get .sha256_bytes)" "$(stat -c %s plain.iso)"
}

test_not_an_iso() {
	mkimg junk 100
	run verify junk
	expect_exit 1
	expect_err "'junk' holds no ISO 9660 file system"
	run verify no-such.iso
	expect_exit 1
	expect_err "cannot open 'no-such.iso'"
	: > empty.iso
	run verify empty.iso
	expect_exit 6
	expect_err "cannot read the volume descriptor"
}

# malformed images must give errors or verdicts, never crashes or hangs
test_malformed_images() {
	make_src
	"$SPINDLE" mkiso -q src -o img.iso > /dev/null || fail "mkiso"
	size=$(stat -c %s img.iso)
	i=0
	for how in half sbtag tree pvd-size pvd-root random-tail; do
		cp img.iso bad.iso
		case $how in
		half) truncate -s $(( size / 2 )) bad.iso ;;
		sbtag) dd if=/dev/urandom of=bad.iso bs=2048 seek=19 count=6 conv=notrunc 2>/dev/null ;;
		tree) dd if=/dev/urandom of=bad.iso bs=2048 seek=20 count=6 conv=notrunc 2>/dev/null ;;
		pvd-size) printf '\377\377\377\177' | dd of=bad.iso bs=1 seek=$(( 16 * 2048 + 80 )) conv=notrunc 2>/dev/null ;;
		pvd-root) printf '\377\377\377\177' | dd of=bad.iso bs=1 seek=$(( 16 * 2048 + 158 )) conv=notrunc 2>/dev/null ;;
		random-tail) dd if=/dev/urandom of=bad.iso bs=2048 seek=20 \
			count=$(( size / 2048 - 20 )) conv=notrunc 2>/dev/null ;;
		esac
		timeout 60 "$SPINDLE" verify --json bad.iso > out 2> err < /dev/null
		RC=$?
		[ $RC -ne 124 ] || fail "$how: verify hangs"
		[ $RC -lt 128 ] || { cat err >&2; fail "$how: verify crashed ($RC)"; }
		[ $RC -ne 0 ] || fail "$how: damage not reported"
		tail -n 1 out | jq -e '.type == "result"' > /dev/null || fail "$how: no JSON result"
		i=$((i + 1))
	done
	expect_eq "$i" 6
}

test_udf_only_image_gives_its_sha256() {
	mkudffs --new-file --media-type=hd --udfrev=1.02 -b 2048 udf102.iso 1000 > /dev/null ||
		fail "mkudffs"
	run verify --json udf102.iso
	expect_exit 0
	expect_eq "$(json_get .sha256)" "$(sha256 udf102.iso)"
	run verify udf102.iso
	expect_exit 0
	expect_out "has no MD5 tags"
}

run_tests
