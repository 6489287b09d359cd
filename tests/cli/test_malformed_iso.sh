#!/bin/sh
# Malformed ISO images handed to the commands that read ISO 9660 structure
# (spindle files, and spindle verify without an image, which loads the tree
# to check the MD5 tags of its files): truncated
# images, directories that contain themselves, absurd sizes.  Each must
# end in bounded time with a plain error or a plain result: no crash, no
# hang, no memory checker report (the sanitizer and valgrind passes run
# this file too).
. "$TOP_SRCDIR/tests/lib.sh"

# le32 FILE OFFSET: the little-endian 32-bit number there
le32() { od -An -tu4 --endian=little -j "$2" -N4 "$1" | tr -d ' '; }
u8() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }

# put FILE OFFSET BYTE...: overwrite bytes in place
put() {
	f=$1 off=$2
	shift 2
	for b in "$@"; do
		printf "\\$(printf '%03o' "$b")"
	done | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}
# both32 FILE OFFSET VALUE: an ISO 9660 both-endian 32-bit field
both32() {
	v=$3
	put "$1" "$2" $((v & 255)) $((v >> 8 & 255)) $((v >> 16 & 255)) $((v >> 24 & 255)) \
		$((v >> 24 & 255)) $((v >> 16 & 255)) $((v >> 8 & 255)) $((v & 255))
}

# master: a plain ISO 9660 image (no Rock Ridge, no Joliet: one tree) with
# root/ d/ d/e/ and files, and a mapfile marking its second half bad
master() {
	command -v xorriso > /dev/null || skip "xorriso is not installed"
	mkdir -p tree/d/e
	mkimg tree/a 20
	mkimg tree/d/b 30
	mkimg tree/d/e/c 10
	xorriso -as mkisofs -quiet -o disc.iso tree 2> /dev/null || fail "xorriso failed"
	# the volume descriptors and directories are good, the rest bad
	size=$(stat -c %s disc.iso)
	printf '0 +\n0 %d +\n%d %d -\n' $((40 * 2048)) $((40 * 2048)) $((size - 40 * 2048)) > disc.map
	# the root directory record lies in the PVD (LBA 16) at offset 156
	ROOT=$(le32 disc.iso $((16 * 2048 + 156 + 2)))
	ROOTLEN=$(le32 disc.iso $((16 * 2048 + 156 + 10)))
}

# dirrec NAME: byte offset of the record named NAME in the root directory
dirrec() {
	off=$((ROOT * 2048)) end=$((ROOT * 2048 + ROOTLEN))
	while [ $off -lt $end ]; do
		len=$(u8 disc.iso $off)
		[ "$len" -gt 0 ] || { off=$(( (off / 2048 + 1) * 2048 )); continue; }
		nl=$(u8 disc.iso $((off + 32)))
		name=$(dd if=disc.iso bs=1 skip=$((off + 33)) count="$nl" status=none | tr -d '\000')
		case "$name" in "$1"|"$1;1"|"$(echo "$1" | tr a-z A-Z)"|"$(echo "$1" | tr a-z A-Z);1")
			echo $off; return 0 ;;
		esac
		off=$((off + len))
	done
	fail "no record '$1' in the root directory"
}

# files_survives: spindle files ends by itself, without a crash
files_survives() {
	run files --map disc.map disc.iso
	case $RC in
	0|1|6) ;;
	124) fail "spindle files hung on a malformed image" ;;
	*) cat err >&2; fail "spindle files ended with status $RC (a crash?)" ;;
	esac
	[ "$RC" -eq 6 ] || [ "$RC" -eq 0 ] || expect_err "spindle files: error:"
}

test_files_well_formed_control() {
	master
	run files --map disc.map disc.iso --json
	expect_exit 6
	expect_eq "$(json_get .files_total)" 3
	expect_eq "$(json_get '.files | length')" 3
}

test_files_truncated_image() {
	master
	for keep in 0 1 17 18 "$ROOT" $((ROOT + 1)); do
		head -c $((keep * 2048)) disc.iso > cut.iso
		run files --map disc.map cut.iso
		[ "$RC" -ne 124 ] || fail "hung on an image cut at sector $keep"
		[ "$RC" -eq 1 ] || [ "$RC" -eq 6 ] || [ "$RC" -eq 0 ] ||
			{ cat err >&2; fail "status $RC on an image cut at sector $keep"; }
	done
	# the volume descriptor set has no terminator: libisofs read on for ever
	head -c $((17 * 2048)) disc.iso > cut.iso
	run files --map disc.map cut.iso
	expect_exit 1
	expect_err "it is truncated (it ends before sector 17"
}

test_files_directory_contains_itself() {
	master
	# d's record now points at the root directory: root/d is root again
	off=$(dirrec d)
	both32 disc.iso $((off + 2)) "$ROOT"
	both32 disc.iso $((off + 10)) "$ROOTLEN"
	files_survives
	expect_exit 1
	expect_err "its directories loop"
}

test_files_directory_contains_its_parent() {
	master
	# d/e points back at d, whose records point at e, whose ...
	off=$(dirrec d)
	D=$(le32 disc.iso $((off + 2)))
	DLEN=$(le32 disc.iso $((off + 10)))
	# the first two records of d are . and ..; e is a later one
	o=$((D * 2048))
	while :; do
		len=$(u8 disc.iso $o)
		[ "$len" -gt 0 ] || fail "no e in d"
		nl=$(u8 disc.iso $((o + 32)))
		name=$(dd if=disc.iso bs=1 skip=$((o + 33)) count="$nl" status=none)
		[ "$name" = E ] || [ "$name" = e ] && break
		o=$((o + len))
	done
	both32 disc.iso $((o + 2)) "$D"
	both32 disc.iso $((o + 10)) "$DLEN"
	files_survives
	expect_exit 1
	expect_err "its directories loop"
}

test_files_absurd_file_size() {
	master
	off=$(dirrec a)
	both32 disc.iso $((off + 10)) 4294967295
	files_survives
	both32 disc.iso $((off + 2)) 4294967295
	files_survives
}

test_files_absurd_directory_size() {
	master
	# the root directory claims 4 GiB - 2 KiB
	both32 disc.iso $((16 * 2048 + 156 + 10)) 4294965248
	files_survives
	# and d claims to lie beyond the end of the image
	master
	off=$(dirrec d)
	both32 disc.iso $((off + 2)) 2000000000
	files_survives
	expect_exit 1
	expect_err "it is truncated"
}

test_files_absurd_volume_size() {
	master
	both32 disc.iso $((16 * 2048 + 80)) 4294967295
	files_survives
	both32 disc.iso $((16 * 2048 + 80)) 0
	files_survives
}

test_files_zero_length_records() {
	master
	# a record of length 0 in the middle of a sector ends that sector;
	# one that says 1 byte cannot hold its own header
	off=$(dirrec a)
	put disc.iso "$off" 1
	files_survives
	put disc.iso "$off" 255
	files_survives
}

# tagged: like master, but made by spindle mkiso, with MD5 tags
tagged() {
	mkdir -p tree/d/e
	mkimg tree/a 20
	mkimg tree/d/b 30
	mkimg tree/d/e/c 10
	run mkiso -o disc.iso tree
	expect_exit 0
	ROOT=$(le32 disc.iso $((16 * 2048 + 156 + 2)))
	ROOTLEN=$(le32 disc.iso $((16 * 2048 + 156 + 10)))
}

# verify_survives: spindle verify (tags) ends by itself, without a crash
verify_survives() {
	run verify -d stdio:disc.iso
	case $RC in
	0|1|4|5|6) ;;
	124) fail "spindle verify hung on a malformed image" ;;
	*) cat err >&2; fail "spindle verify ended with status $RC (a crash?)" ;;
	esac
}

test_verify_tags_directory_loops() {
	tagged
	run verify -d stdio:disc.iso
	expect_exit 0
	off=$(dirrec d)
	both32 disc.iso $((off + 2)) "$ROOT"
	both32 disc.iso $((off + 10)) "$ROOTLEN"
	verify_survives
	expect_exit 5
	expect_out "its directories loop"
}

test_verify_tags_truncated_and_absurd() {
	tagged
	cp disc.iso whole.iso
	for keep in 17 18 "$ROOT" $((ROOT + 1)); do
		head -c $((keep * 2048)) whole.iso > disc.iso
		# (cut before its tags, an image is "untagged": a SHA-256, status 0)
		verify_survives
	done
	cp whole.iso disc.iso
	both32 disc.iso $((16 * 2048 + 156 + 10)) 4294965248
	verify_survives
	cp whole.iso disc.iso
	both32 disc.iso $((16 * 2048 + 80)) 4294967295
	verify_survives
	cp whole.iso disc.iso
	off=$(dirrec a)
	both32 disc.iso $((off + 10)) 4294967295
	verify_survives
	[ "$RC" -ne 0 ] || fail "a file size of 4 GiB verified"
}

test_rip_clamps_absurd_volume_size() {
	master
	# the PVD claims 808,464,432 sectors ("0000" in ASCII); the file holds 24
	both32 disc.iso $((16 * 2048 + 80)) 808464432
	head -c $((24 * 2048)) disc.iso > short.iso
	run rip --json -d stdio:short.iso -o out.iso
	expect_exit 0
	expect_err "claims 808464432 sectors but 'stdio:short.iso' holds only 24"
	expect_eq "$(json_get .extent_sectors)" 24
	expect_same short.iso out.iso
}

run_tests
