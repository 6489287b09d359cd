#!/bin/sh
# spindle mkiso at sizes ISO 9660 has limits for: more than 65,535
# directories and a file over 4 GiB.  Apart from test_mkiso.sh so that the
# suite can run these long tests beside the others.
. "$TOP_SRCDIR/tests/lib.sh"

test_many_directories() {
	# more than 65,535 directories: the ISO 9660 path table's limit.
	# 66 directories of 1,000 each (66,066 in all): libisofs adds each
	# entry to its directory by walking that directory's sorted list, so
	# 66,000 in one directory would cost 66,000^2 / 2 string compares in
	# mkiso, in the reading back and in verify, for no more coverage.
	without_memcheck
	mkdir many
	(cd many && seq 1 66 | xargs mkdir &&
	 seq 1 66000 | awk '{ printf "%d/%d\n", int(($1 - 1) / 1000) + 1, $1 }' | xargs mkdir) ||
		fail "cannot make the directories"
	echo x > many/66/66000/file.txt
	run mkiso many -o out.iso
	expect_exit 0
	n=$(xorriso -indev out.iso -find / -type d -- 2>/dev/null | grep -c "^'/[0-9]")
	expect_eq "$n" 66066 "directories in the image"
	isoinfo -R -x /66/66000/file.txt -i out.iso > got.txt 2>/dev/null
	echo x | cmp -s - got.txt || fail "isoinfo cannot read /66/66000/file.txt"
	run verify out.iso
	expect_exit 0
}

test_big_sparse_file() {
	# a 5 GiB sparse file needs ISO level 3 (multi-extent); markers at the
	# 4 GiB section boundary and at the end show the extents are in order
	without_memcheck
	mkdir big
	truncate -s 5G big/sparse.bin
	printf 'FOURGIB' | dd of=big/sparse.bin bs=1 seek=4294967293 conv=notrunc 2>/dev/null
	printf 'THE-END' | dd of=big/sparse.bin bs=1 seek=5368709113 conv=notrunc 2>/dev/null
	echo small > big/small.txt
	run mkiso big -o big.iso
	expect_exit 0
	# the zero data stays a hole in the image too
	[ "$(du -k big.iso | cut -f1)" -lt 65536 ] || fail "big.iso is not sparse"
	xorriso -indev big.iso -find /sparse.bin -exec lsdl -- 2>/dev/null > ls.txt
	grep -q " 5368709120 " ls.txt || { cat ls.txt >&2; fail "size of sparse.bin"; }
	xorriso -osirrox on -indev big.iso -extract_cut /sparse.bin 4294967293 7 m1 \
		-extract_cut /sparse.bin 5368709113 7 m2 > xo.log 2>&1 || fail "extract_cut"
	expect_eq "$(cat m1)" FOURGIB "bytes across the 4 GiB boundary"
	expect_eq "$(cat m2)" THE-END "last bytes"
	run verify --json big.iso
	expect_exit 0
	expect_eq "$(json_get .files_ok)" 2
}

run_tests
