#!/bin/sh
# Error-correction data on a disc: spindle burn --protect augments the
# image as it burns, with RS03 data that fills the medium (a virtual drive: a
# CD), spindle verify -d checks the disc against it, and spindle rip of the
# disc with unreadable sectors ends with the whole image, rebuilt from the
# parity as it reads, where the same damage without parity leaves the rip
# incomplete and costs far more failing reads.
. "$TOP_SRCDIR/tests/lib.sh"

test_burn_protect_verify_rip() {
	without_memcheck
	mkimg img 3000
	# augmented on the fly, into the burn: no copy of the image anywhere
	# (TMPDIR names no directory), and the disc verifies (burn's own
	# verify of what it read, then verify -d of the parity)
	TMPDIR=$PWD/none run burn --protect -d "stdio:$PWD/disc" img
	expect_exit 0
	expect_err "protected with RS03, 170 roots"
	expect_err "made as the disc was written"
	expect_out "verify: match, 359295 sectors"
	expect_eq "$(stat -c %s disc)" $(( 359295 * 2048 )) "size of the protected disc"
	cmp -s -n $(( 3000 * 2048 )) img disc || fail "the disc does not start with the image"
	[ -z "$(ls | grep spindle-protect)" ] || fail "the temporary copy was left behind"
	# unreadable sectors in the image, the CRC layer and the ecc layers
	printf 'bad 100 300\nbad 119000 20\nbad 200000 64\nbad 359000 16\n' > spec
	run rip --json disc -o out.iso --test-damage=spec --retries 0 --report rip.svg
	expect_exit 0
	# rebuilt as read: the 400 bad sectors and the untried ones around them
	# (skipped after the first failures), never read again
	rebuilt=$(json_get .repaired_from_parity)
	[ "$rebuilt" -ge 400 ] || fail "only $rebuilt sectors rebuilt from parity"
	[ "$(json_get .failed_reads)" -le 12 ] || fail "$(json_get .failed_reads) failing reads"
	# the picture shows them as repaired from parity, not as read
	xmllint --noout rip.svg || fail "rip.svg is not well-formed"
	grep -q 'data-state="repaired"' rip.svg || fail "the rip's report draws no repaired sectors"
	expect_eq "$(json_get .missing_bytes)" 0
	expect_eq "$(json_get .sha256)" "$(sha256 disc)"
	expect_same out.iso disc
	expect_eq "$(awk '/^#/ { next } !s { s = 1; next } $3 != "+"' out.iso.map | wc -l)" 0 \
		"unrescued areas left in the mapfile"
	# the same damage without parity: incomplete
	head -c $(( 3000 * 2048 )) disc > plain
	printf 'bad 100 300\n' > spec2
	run rip plain -o plain.iso --test-damage=spec2 --retries 0
	expect_exit 6
	# verify -d of the disc, damaged: its RS03 data found, the damage
	# counted, all repairable (one pass over the 700 MB disc)
	dvdisaster --debug -i disc --erase 10-40 > /dev/null 2>&1
	run verify --json -d "stdio:$PWD/disc"
	expect_exit 5
	expect_eq "$(json_get .method)" RS03
	expect_eq "$(json_get .sectors)" 3000
	expect_eq "$(json_get .damaged)" 31
	expect_eq "$(json_get .unrepairable)" 0
}

# rip_counts OUT ARGS...: rip (damage in spec) to OUT; $failed reads failed,
# $rebuilt sectors rebuilt from parity
rip_counts() {
	o=$1; shift
	run rip --json "$@" -o "$o" --test-damage=spec
	failed=$(json_get .failed_reads)
	rebuilt=$(json_get .repaired_from_parity)
}

# A rip repairs as it reads: once copying has met the damage, the missing
# sectors are rebuilt from parity (an augmented RS02 image here, RS03/RS01
# files below) and never read again, so it makes far fewer failing reads
# than the same rip reading every sector, and ends with the whole image.
test_rip_repairs_as_it_reads() {
	n=$(scaled 3000 1000)
	b=$(( n / 10 ))
	mkimg img "$n"
	cp img disc
	run protect --augment --codec rs02 --redundancy 64 disc
	expect_exit 0
	# bad: b sectors, 7 more, and 40 of the header, CRC and parity sectors
	printf 'bad 100 %d\nbad %d 7\nbad %d 40\n' $b $(( n - 500 )) $(( n + 30 )) > spec
	bad=$(( b + 47 ))
	rip_counts out.iso disc
	expect_exit 0
	with=$failed
	[ "$rebuilt" -ge $bad ] || fail "$rebuilt sectors rebuilt from parity, expected at least $bad"
	expect_same out.iso disc
	expect_eq "$(json_get .missing_bytes)" 0
	expect_eq "$(awk '/^#/ { next } !s { s = 1; next } $3 != "+"' out.iso.map | wc -l)" 0 \
		"unrescued areas left in the mapfile"
	rip_counts plain.iso disc --no-ecc
	expect_exit 6
	expect_eq "$rebuilt" 0 "rebuilt with --no-ecc"
	echo "# failing reads of the rip: $with with parity, $failed with --no-ecc"
	# the reads after the first pass are all spared: one per bad sector
	[ $(( failed - with )) -ge $b ] || fail "$with failing reads with parity, $failed without"
	# an ISO 9660 image augmented: the rip reads past the volume, to the
	# end of the parity, and rebuilds the damage from it
	mkdir tree
	head -c 3000000 img > tree/f
	run mkiso tree -o iso.iso
	expect_exit 0
	run protect --augment --codec rs02 --redundancy 32 iso.iso
	expect_exit 0
	printf 'bad 100 40\nbad %d 20\n' $(( $(stat -c %s iso.iso) / 2048 - 100 )) > spec
	rip_counts r.iso iso.iso
	expect_exit 0
	expect_eq "$(json_get .extent_source)" augmented
	expect_same r.iso iso.iso
	# a separate .ecc file, RS03 and RS01: the same, from the image alone
	printf 'bad 100 %d\nbad %d 10\n' $b $(( n - 10 )) > spec
	for codec in rs03 rs01; do
		run protect --codec $codec --redundancy 64 img -o $codec.ecc
		expect_exit 0
		rip_counts $codec.iso img --ecc $codec.ecc
		expect_exit 0
		[ "$failed" -lt 40 ] || fail "$codec: $failed failing reads with --ecc"
		[ "$rebuilt" -ge $(( b + 10 )) ] || fail "$codec: $rebuilt sectors rebuilt"
		expect_same $codec.iso img
	done
	# a finished rip that left sectors unread, run again with --ecc: they
	# are rebuilt before any read
	rip_counts again.iso img --no-ecc
	expect_exit 6
	rip_counts again.iso img --ecc rs03.ecc
	expect_exit 0
	expect_eq "$failed" 0 "failing reads of the second run"
	expect_same again.iso img
	run rip img -o txt.iso --ecc rs03.ecc --test-damage=spec
	expect_exit 0
	expect_err "sectors rebuilt from the RS03 error-correction data instead of read again"
	# the .ecc of another image rebuilds nothing, and says why
	mkimg other 50
	run protect other -o other.ecc
	run rip img -o other.iso --ecc other.ecc --test-damage=spec
	expect_exit 6
	expect_err "could not repair the image"
	run rip img -o x.iso --ecc missing.ecc
	expect_exit 2
	expect_err "cannot read 'missing.ecc'"
	run rip img -o x.iso --ecc rs03.ecc --no-ecc
	expect_exit 2
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
