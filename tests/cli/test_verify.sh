#!/bin/sh
# spindle verify: compare a virtual disc with an image.  The discs are made
# here with dd, not with spindle burn, so that verify is tested on its own.
. "$TOP_SRCDIR/tests/lib.sh"

# disc_of IMG DISC: IMG zero-padded to whole sectors, as a burn leaves it
disc_of() {
	cp "$1" "$2"
	size=$(stat -c %s "$1")
	truncate -s $(( (size + 2047) / 2048 * 2048 )) "$2"
}

# flip LBA [OFFSET]: change one byte of sector LBA of ./disc
flip() {
	off=$(( $1 * 2048 + ${2:-0} ))
	b=$(dd if=disc bs=1 skip=$off count=1 status=none | od -An -tu1 | tr -d ' ')
	printf "\\$(printf '%03o' $(( (b + 1) % 256 )))" |
		dd of=disc bs=1 seek=$off conv=notrunc status=none
}

test_verify_match() {
	mkimg img 2560 1001
	disc_of img disc
	run verify -d stdio:disc img
	expect_exit 0
	expect_out "verify: match, 2561 sectors (5243881 bytes), sha256 $(sha256 img)"
}

test_verify_match_json() {
	mkimg img 33
	disc_of img disc
	run verify --json -d stdio:disc img
	expect_exit 0
	expect_eq "$(json_get .type)" result
	expect_eq "$(json_get .command)" verify
	expect_eq "$(json_get .ok)" true
	expect_eq "$(json_get .outcome)" match
	expect_eq "$(json_get .sha256)" "$(sha256 img)"
	expect_eq "$(json_get .sectors)" 33
	expect_eq "$(json_get .bytes)" 67584
}

test_verify_corrupted_byte() {
	mkimg img 2000 5
	disc_of img disc
	flip 1234 777
	run verify -d stdio:disc img
	expect_exit 5
	expect_out "verify: mismatch"
	expect_err "the medium differs from the image in 1 sector: LBA 1234"
	run verify --json -d stdio:disc img
	expect_exit 5
	expect_eq "$(json_get .ok)" false
	expect_eq "$(json_get .outcome)" mismatch
	expect_eq "$(json_get .error.code)" mismatch
	expect_eq "$(json_get .error.lba)" 1234
	expect_eq "$(json_get '.differ[0].lba')" 1234
	expect_eq "$(json_get '.differ[0].count')" 1
	expect_eq "$(json_get '.differ | length')" 1
}

test_verify_corrupted_last_byte() {
	mkimg img 10 100
	disc_of img disc
	flip 10 99
	run verify -d stdio:disc img
	expect_exit 5
	expect_err "in 1 sector: LBA 10"
}

test_verify_ranges() {
	mkimg img 200
	disc_of img disc
	for l in 10 11 12 100; do flip $l 5; done
	run verify -d stdio:disc img
	expect_exit 5
	expect_err "the medium differs from the image in 4 sectors: LBA 10-12, 100"
}

test_verify_truncated_disc() {
	mkimg img 2560 1001
	disc_of img disc
	truncate -s $((1000 * 2048)) disc
	run verify -d stdio:disc img
	expect_exit 6
	expect_out "verify: unreadable"
	expect_err "1561 sectors of the medium could not be read: LBA 1000-2560"
	expect_err "hint: the medium is shorter than the image"
	run verify --json -d stdio:disc img
	expect_exit 6
	expect_eq "$(json_get .outcome)" unreadable
	expect_eq "$(json_get .error.code)" unreadable
	expect_eq "$(json_get '.unreadable[0].lba')" 1000
	expect_eq "$(json_get '.unreadable[0].count')" 1561
}

test_verify_padding_and_runout_ignored() {
	# garbage after the image in its last sector, and 32 KiB + 2 sectors
	# more of it (alignment, CD TAO run-out) must not matter
	mkimg img 100 333
	mkimg junk 20
	cp img disc
	cat junk >> disc
	run verify -d stdio:disc img
	expect_exit 0
	expect_out "verify: match, 101 sectors"
}

test_verify_mismatch_wins_over_unreadable() {
	mkimg img 100
	disc_of img disc
	flip 5
	truncate -s $((90 * 2048)) disc
	run verify --json -d stdio:disc img
	expect_exit 5
	expect_eq "$(json_get .outcome)" mismatch
	expect_eq "$(json_get '.differ[0].lba')" 5
	expect_eq "$(json_get '.unreadable[0].lba')" 90
	expect_eq "$(json_get '.unreadable[0].count')" 10
}

test_verify_at_lba() {
	mkimg img 20
	mkimg head 16
	cat head img > disc
	run verify --lba 16 -d stdio:disc img
	expect_exit 0
	run verify -d stdio:disc img
	expect_exit 5
	# options may follow the image
	run verify -d stdio:disc img --lba 16 --json
	expect_exit 0
	expect_eq "$(json_get .outcome)" match
}

test_verify_lba_needs_drive_and_image() {
	mkimg img 20
	run verify --lba 16 img
	expect_exit 2
	expect_err "--lba compares a disc with an image: give -d DRIVE and IMAGE"
	run verify --lba 16 -d stdio:img
	expect_exit 2
	expect_err "--lba compares a disc with an image"
}

test_verify_missing_image() {
	mkimg img 2
	disc_of img disc
	run verify -d stdio:disc nonexistent.iso
	expect_exit 1
	expect_err "cannot open image 'nonexistent.iso': No such file or directory"
}

test_verify_directory_image() {
	mkimg img 2
	disc_of img disc
	mkdir tree
	run verify -d stdio:disc tree
	expect_exit 2
	expect_err "'tree' is a directory, not an image"
}

test_verify_missing_disc() {
	mkimg img 2
	run verify -d stdio:nodisc img
	expect_exit 1
	expect_err "cannot open virtual drive 'nodisc'"
	[ ! -e nodisc ] || fail "verify created the virtual drive"
}

test_verify_bad_arguments() {
	mkimg img 2
	disc_of img disc
	run verify --lba -1 -d stdio:disc img
	expect_exit 2
	expect_err "--lba: '-1' is not a whole number"
	run verify -d stdio:disc img extra
	expect_exit 2
	expect_err "unexpected argument 'extra'"
}

test_verify_without_image_checks_md5_tags() {
	mkimg img 40
	disc_of img disc
	run verify -d stdio:disc
	expect_exit 1
	expect_err "holds no ISO 9660 file system"
	mkdir tree
	mkimg tree/f 10
	"$SPINDLE" mkiso -q tree -o tagged.iso > /dev/null || fail "mkiso"
	disc_of tagged.iso disc2
	run verify -d stdio:disc2
	expect_exit 0
	expect_out "files:           1 of 1 with MD5 match"
}

run_tests
