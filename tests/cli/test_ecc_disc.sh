#!/bin/sh
# Error-correction data on a disc: spindle burn --protect augments a copy
# of the image with RS03 data that fills the medium (a virtual drive: a
# CD), spindle verify -d checks the disc against it, and spindle rip of the disc with unreadable sectors ends with the whole
# image, rebuilt from the parity, where the same damage without parity
# leaves the rip incomplete.
. "$TOP_SRCDIR/tests/lib.sh"

test_burn_protect_verify_rip() {
	without_memcheck
	mkimg img 3000
	TMPDIR=$PWD run burn --protect -d "stdio:$PWD/disc" img
	expect_exit 0
	expect_err "protected with RS03, 170 roots"
	expect_eq "$(stat -c %s disc)" $(( 359295 * 2048 )) "size of the protected disc"
	cmp -s -n $(( 3000 * 2048 )) img disc || fail "the disc does not start with the image"
	[ -z "$(ls | grep spindle-protect)" ] || fail "the temporary copy was left behind"
	run verify --json -d "stdio:$PWD/disc"
	expect_exit 0
	expect_eq "$(json_get .method)" RS03
	expect_eq "$(json_get .sectors)" 3000
	# unreadable sectors in the image, the CRC layer and the ecc layers
	printf 'bad 100 300\nbad 119000 20\nbad 200000 64\nbad 359000 16\n' > spec
	run rip --json disc -o out.iso --test-damage=spec --retries 0 --report rip.svg
	expect_exit 0
	expect_eq "$(json_get .repaired_from_parity)" 400
	# the picture shows them as repaired from parity, not as read
	xmllint --noout rip.svg || fail "rip.svg is not well-formed"
	grep -q 'data-state="repaired"' rip.svg || fail "the rip's report draws no repaired sectors"
	expect_eq "$(json_get .missing_bytes)" 0
	expect_eq "$(json_get .sha256)" "$(sha256 disc)"
	expect_same out.iso disc
	expect_eq "$(awk '/^#/ { next } !s { s = 1; next } $3 != "+"' out.iso.map | wc -l)" 0 \
		"unrescued areas left in the mapfile"
	# the same damage without parity: incomplete
	head -c $(( 359295 * 2048 )) disc > plain
	truncate -s $(( 3000 * 2048 )) plain
	printf 'bad 100 300\n' > spec2
	run rip plain -o plain.iso --test-damage=spec2 --retries 0
	expect_exit 6
	# verify -d of a damaged disc: damage counted, all repairable
	dvdisaster --debug -i disc --erase 10-40 > /dev/null 2>&1
	run verify -d "stdio:$PWD/disc"
	expect_exit 5
	expect_err "31 damaged sectors"
	expect_err "all can be repaired"
}

test_burn_protect_usage() {
	mkimg img 10
	run burn --protect -d "stdio:$PWD/disc" -d "stdio:$PWD/disc2" img
	expect_exit 2
	expect_err "--protect takes one image file and one drive"
	run_stdin img burn --protect -d "stdio:$PWD/disc" -
	expect_exit 2
}

run_tests
