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
	# mkiso, in the reading back and in verify, for no more coverage.  The
	# memory-checking passes build 6 of 100 (606) under memcheck: the
	# limit itself is the normal pass's (tests/lib.sh, scaled).
	groups=$(scaled 66 6) per=$(scaled 1000 100)
	total=$((groups + groups * per))
	in_ram
	mkdir many
	(cd many && seq 1 "$groups" | xargs mkdir &&
	 seq 1 $((groups * per)) | awk -v p="$per" '{ printf "%d/%d\n", int(($1 - 1) / p) + 1, $1 }' | xargs mkdir) ||
		fail "cannot make the directories"
	last=$groups/$((groups * per))
	echo x > "many/$last/file.txt"
	run mkiso many -o out.iso
	expect_exit 0
	n=$(xorriso -indev out.iso -find / -type d -- 2>/dev/null | grep -c "^'/[0-9]")
	expect_eq "$n" "$total" "directories in the image"
	memcheck_pass || expect_eq "$total" 66066 "directories made"
	# an independent reader (libarchive; isoinfo walks every directory
	# the same way in 3 CPU s against 0.2)
	bsdtar -xOf out.iso "$last/file.txt" > got.txt 2>/dev/null
	echo x | cmp -s - got.txt || fail "bsdtar cannot read /$last/file.txt"
	run verify out.iso
	expect_exit 0
}

test_big_sparse_file() {
	# a sparse file of 4 GiB + 64 MiB needs ISO level 3 (multi-extent);
	# markers at the 4 GiB section boundary and at the end show the extents
	# are in order (mkiso and verify hash every byte of it: no more than
	# just over the limit).  The memory-checking passes run the same with
	# MiB for GiB under memcheck (one extent): multi-extent files are the
	# normal pass's.  (Holes are made per 1 MiB read: a whole 4 MiB image
	# would be 4,160 KiB.)
	unit=1073741824 sparse_kib=65536
	if memcheck_pass; then
		unit=1048576 sparse_kib=4096
	fi
	size=$((4 * unit + unit / 16))
	in_ram
	mkdir big
	truncate -s "$size" big/sparse.bin
	printf 'FOURGIB' | dd of=big/sparse.bin bs=1 seek=$((4 * unit - 3)) conv=notrunc 2>/dev/null
	printf 'THE-END' | dd of=big/sparse.bin bs=1 seek=$((size - 7)) conv=notrunc 2>/dev/null
	echo small > big/small.txt
	run mkiso big -o big.iso
	expect_exit 0
	# the zero data stays a hole in the image too
	[ "$(du -k big.iso | cut -f1)" -lt "$sparse_kib" ] || fail "big.iso is not sparse"
	xorriso -indev big.iso -find /sparse.bin -exec lsdl -- 2>/dev/null > ls.txt
	grep -q " $size " ls.txt || { cat ls.txt >&2; fail "size of sparse.bin"; }
	xorriso -osirrox on -indev big.iso -extract_cut /sparse.bin $((4 * unit - 3)) 7 m1 \
		-extract_cut /sparse.bin $((size - 7)) 7 m2 > xo.log 2>&1 || fail "extract_cut"
	expect_eq "$(cat m1)" FOURGIB "bytes across the 4 GiB boundary"
	expect_eq "$(cat m2)" THE-END "last bytes"
	run verify --json big.iso
	expect_exit 0
	expect_eq "$(json_get .files_ok)" 2
}

run_tests
