#!/bin/sh
# Error-correction data (spindle protect, repair, verify --ecc) in
# dvdisaster's RS03 format, checked against the installed dvdisaster 0.79.5:
# the files are byte-identical, each program repairs with the other's data,
# damage at the limit of the code, and refusals.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/cli/ecc_lib.sh"

test_rs03_file_identical_to_dvdisaster() {
	mkimg img 1001 100
	for n in 8 32 170; do
		run protect img -o s$n.ecc --redundancy $n
		expect_exit 0
		dvd -i img -e d$n.ecc -mRS03 -o file -n $n -c
		expect_same s$n.ecc d$n.ecc
	done
	run protect --json img -o j.ecc --redundancy high
	expect_exit 0
	expect_eq "$(json_get .roots)" 64
	expect_eq "$(json_get .sectors)" 1002
	expect_eq "$(json_get .layer_sectors)" 6
	expect_eq "$(json_get .ecc_sectors)" $(( $(stat -c %s j.ecc) / 2048 ))
}

test_rs03_one_sector_and_short_sector() {
	mkimg img 1
	run protect img -o s.ecc --redundancy 8
	expect_exit 0
	dvd -i img -e d.ecc -mRS03 -o file -n 8 -c
	expect_same s.ecc d.ecc
	# a 100-byte image (dvdisaster refuses it): round trip
	head -c 100 img > small
	cp small orig
	run protect small -o small.ecc
	expect_exit 0
	garbage small 0
	expect_eq "$(stat -c %s small)" 2048
	truncate -s 100 small
	run repair small --ecc small.ecc
	expect_exit 0
	expect_same small orig
}

test_repair_markers_and_garbage() {
	mkimg img 2000 777
	cp img orig
	run protect img -o img.ecc --threads 2
	expect_exit 0
	dvd --debug -i img --erase 10-40
	garbage img 900 3
	run verify --json img --ecc img.ecc
	expect_exit 5
	expect_eq "$(json_get .damaged)" 34
	expect_eq "$(json_get .repairable)" 34
	expect_eq "$(json_get .unrepairable)" 0
	run verify img --ecc img.ecc
	expect_err "34 damaged sectors"
	expect_err "all can be repaired"
	run repair --json img --ecc img.ecc
	expect_exit 0
	expect_eq "$(json_get .repaired)" 34
	expect_same img orig
	# the last, short sector
	printf 'XYZ' | dd of=img bs=1 seek=$(( 2000 * 2048 + 5 )) conv=notrunc status=none
	run repair img --ecc img.ecc
	expect_exit 0
	expect_err "repaired 1 of 1"
	expect_same img orig
	run verify img --ecc img.ecc
	expect_exit 0
	expect_err "all 2001 sectors are intact"
}

test_dvdisaster_repairs_spindle_ecc() {
	mkimg img 1500
	cp img orig
	run protect img -o s.ecc
	expect_exit 0
	dvd --debug -i img --erase 100-150
	garbage img 700 2
	dvd -i img -e s.ecc -f
	expect_eq "$DRC" 1 "dvdisaster -f exit status"
	expect_same img orig
}

test_spindle_repairs_dvdisaster_random_errors() {
	mkimg img 1200 5
	dvd -i img -e d.ecc -mRS03 -o file -n 32 -c
	cp img orig
	cp d.ecc d.orig
	dvd --debug -i img -e d.ecc --random-errors 28
	cmp -s img orig && fail "dvdisaster did not damage the image"
	cmp -s d.ecc d.orig && fail "dvdisaster did not damage the ecc file"
	run repair --json img --ecc d.ecc
	expect_exit 0
	[ "$(json_get .repaired_ecc)" -gt 0 ] || fail "no ecc sectors repaired"
	expect_same img orig
	expect_same d.ecc d.orig
}

# 1001 sectors with 8 roots: 246 data layers of 5 sectors; ecc block 2 is
# sectors 2, 7, 12, ...
test_damage_at_the_limit() {
	mkimg img 1001
	cp img orig
	run protect img -o img.ecc --redundancy 8
	expect_exit 0
	for j in 0 1 2 3 4 5 6 7; do garbage img $(( 2 + 5 * j )); done
	run repair img --ecc img.ecc
	expect_exit 0
	expect_err "repaired 8 of 8"
	expect_same img orig
	for j in 0 1 2 3 4 5 6 7 8; do garbage img $(( 2 + 5 * j )); done
	garbage img 500        # another block: still repaired
	cp img damaged
	run verify --json img --ecc img.ecc
	expect_exit 6
	expect_eq "$(json_get .unrepairable)" 9
	run repair --json img --ecc img.ecc
	expect_exit 6
	expect_eq "$(json_get .unrepairable)" 9
	expect_eq "$(json_get .repaired)" 1
	expect_eq "$(json_get '.unrepairable_ranges[0][0]')" 2
	# nothing of the undecodable block was written
	cmp img damaged | grep -q "byte $(( 500 * 2048 + 1 ))" || fail "sector 500 not repaired"
	dd if=img bs=2048 count=499 status=none > a
	dd if=damaged bs=2048 count=499 status=none > b
	expect_same a b
	run repair img --ecc img.ecc
	expect_err "9 sectors remain damaged: 2, 7, 12, 17, 22, 27, 32, 37, 42"
}

test_other_image_refused() {
	mkimg a 100
	mkimg b 101
	run protect a -o a.ecc
	expect_exit 0
	cp b b.orig
	run verify b --ecc a.ecc
	expect_exit 1
	expect_err "belongs to another image"
	run repair b --ecc a.ecc
	expect_exit 1
	expect_same b b.orig
	run repair a --ecc b.orig
	expect_exit 1
	expect_err "not dvdisaster error-correction data"
}

test_truncated_and_damaged_ecc() {
	mkimg img 900
	run protect img -o img.ecc
	expect_exit 0
	cp img.ecc ecc.orig
	cp img orig
	size=$(stat -c %s img.ecc)
	truncate -s $(( size / 2 )) img.ecc
	run verify --json img --ecc img.ecc
	expect_exit 5
	[ "$(json_get .damaged_ecc)" -gt 0 ] || fail "truncation not seen"
	run repair img --ecc img.ecc
	expect_exit 0
	expect_same img.ecc ecc.orig
	# CRC blocks destroyed, and image sectors whose CRCs they held
	garbage img.ecc 2 3
	garbage img 1
	garbage img 2
	run repair img --ecc img.ecc
	expect_exit 0
	expect_same img.ecc ecc.orig
	expect_same img orig
	truncate -s 1000 img.ecc
	run verify img --ecc img.ecc
	expect_exit 1
	expect_err "too short"
}

# A garbled .ecc header: an RS03 file's comes back from its CRC layer, as
# dvdisaster does it; an RS01 file's (dvdisaster gives those up) from the
# sizes of image and file, checked by the stored CRCs.  The repair writes
# it again: the files dvdisaster made are byte for byte what they were.
test_damaged_ecc_header() {
	mkimg img 900 333
	cp img orig
	dvd -i img -e d3.ecc -mRS03 -o file -n 24 -c
	dvd -i img -e d1.ecc -mRS01 -n 40 -c
	for e in d3 d1; do
		cp $e.ecc $e.orig
		garbage $e.ecc 0 2
		cp orig img
		garbage img 20 20
		run verify --json img --ecc $e.ecc
		expect_exit 5
		expect_eq "$(json_get .damaged)" 20
		expect_eq "$(json_get .damaged_ecc)" 2
		run repair img --ecc $e.ecc
		expect_exit 0
		expect_err "2 of 2 damaged sectors of the error-correction data"
		expect_same img orig
		expect_same $e.ecc $e.orig
	done
	# an RS01 header is written again only once the image is whole (its
	# MD5 sums are of the image): 41 layers of 5 sectors bad, 41 erasures
	# in each of their blocks, stay bad
	garbage d1.ecc 0 2
	cp d1.ecc d1.garbled
	garbage img 200 205
	run repair img --ecc d1.ecc
	expect_exit 6
	expect_same d1.ecc d1.garbled
	# a file whose size fits no RS01 layout for this image: refused
	cp orig img
	truncate -s -2048 d1.ecc
	run verify img --ecc d1.ecc
	expect_exit 1
	expect_err "no \"*dvdisaster*\" at byte 0"
}

# A CD-size augmented image is 700 MB, so dvdisaster's own augmentation of
# this image (dvdisaster -i img -mRS03 -o image -c, 0.79.5; 13 s here) is
# recorded as its SHA-256 rather than rerun.
AUG_SHA256=d13edb1d26b23d619ccd65b3ab4e578a8007c4b8d884e3e0f7fa7485dc8ca94c

test_augmented_identical_and_repair() {
	without_memcheck
	mkimg s.iso 1000
	run protect s.iso --augment
	expect_exit 0
	expect_err "170 roots"
	dvd --debug -i s.iso --erase 0-99
	dvd --debug -i s.iso --erase 300000-300099
	run verify --json s.iso
	expect_exit 5
	expect_eq "$(json_get .augmented)" true
	expect_eq "$(json_get .damaged)" 100
	expect_eq "$(json_get .damaged_ecc)" 100
	run repair s.iso
	expect_exit 0
	# the image as dvdisaster augments it, whole again
	expect_eq "$(sha256 s.iso)" "$AUG_SHA256" "SHA-256 of the repaired image"
	run verify s.iso
	expect_exit 0
	run protect s.iso --augment
	expect_exit 2
	expect_err "already carries"
}

test_rs01_identical_repair_both_ways() {
	mkimg img 1001 100
	cp img orig
	for n in 8 32 100; do
		run protect img -o s$n.ecc --codec rs01 --redundancy $n
		expect_exit 0
		dvd -i img -e d$n.ecc -mRS01 -n $n -c
		expect_same s$n.ecc d$n.ecc
	done
	run protect img -o x.ecc --codec rs01 --redundancy 101
	expect_exit 2
	dvd --debug -i img --erase 5-40
	garbage img 600 2
	run verify --json img --ecc s32.ecc
	expect_exit 5
	expect_eq "$(json_get .method)" RS01
	expect_eq "$(json_get .repairable)" 38
	run repair img --ecc s32.ecc
	expect_exit 0
	expect_same img orig
	# dvdisaster repairs with spindle's RS01 file
	dvd --debug -i img --erase 100-130
	dvd -i img -e s32.ecc -f
	expect_same img orig
	# at the limit: 8 roots, 247 layers of 5 sectors: block column 3
	for j in 0 1 2 3 4 5 6 7; do garbage img $(( 3 + 5 * j )); done
	run repair img --ecc s8.ecc
	expect_exit 0
	expect_same img orig
	for j in 0 1 2 3 4 5 6 7 8; do garbage img $(( 3 + 5 * j )); done
	cp img damaged
	run repair img --ecc s8.ecc
	expect_exit 6
	expect_same img damaged
}

test_usage_errors() {
	mkimg img 10
	run protect img
	expect_exit 2
	run protect img -o x.ecc --redundancy 171
	expect_exit 2
	run protect img -o x.ecc --medium cd
	expect_exit 2
	run verify --ecc x.ecc
	expect_exit 2
	run repair
	expect_exit 2
	run protect img -o x.ecc
	expect_exit 0
	run protect img -o x.ecc
	expect_exit 1
	expect_err "exists"
	run protect img -o x.ecc --force
	expect_exit 0
	run protect img -o img --force
	expect_exit 2
	expect_err "the image itself"
	truncate -s $(( 359000 * 2048 )) big
	run protect big --augment --medium cd
	expect_exit 4
	expect_err "leaves no room"
}

# small SIZE: a tmpfs at ./small (as test_fullfs.sh)
small() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	mkdir small
	mount -t tmpfs -o size="$1" tmpfs small 2> /dev/null || skip "cannot mount a tmpfs"
	trap 'umount "$PWD/small" 2> /dev/null' EXIT
}

test_repair_on_full_disk() {
	small 8m
	mkimg small/img 2000
	cp small/img orig
	run protect small/img -o img.ecc
	expect_exit 0
	truncate -s $(( 1900 * 2048 )) small/img
	free=$(df -k --output=avail small | tail -n 1 | tr -d ' ')
	dd if=/dev/zero of=small/filler bs=1K count=$((free - 8)) status=none 2> /dev/null
	run repair small/img --ecc img.ecc
	expect_exit 9
	expect_err "No space left on device"
	rm small/filler
	run repair small/img --ecc img.ecc
	expect_exit 0
	expect_same small/img orig
}

run_tests
