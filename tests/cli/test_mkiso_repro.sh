#!/bin/sh
# spindle mkiso: the bytes of the image.  A fixed tree, made here with fixed
# content, modes, owners and times, is mastered with SOURCE_DATE_EPOCH and
# compared with a SHA-256 recorded when the test was written, with and
# without MD5 tags: any change to how the image is produced (such as how
# the MD5 tags are computed) that alters one byte fails here.  The tags
# themselves are checked by xorriso and by spindle verify.
#
# The tree is one directory: libisofs numbers the Rock Ridge inodes of
# directories in the order of its own node addresses, which differ between
# allocators (ASan, valgrind); files are numbered in walk order by spindle.
. "$TOP_SRCDIR/tests/lib.sh"

# Recorded with libisofs 1.5.4 before the MD5s were computed by spindle.  If libisofs itself
# changes its layout, master the tree with the old and the new build and
# record the new sums only if the old build gives the old sums.
SUM_MD5=571f8b8e8a91609d96d875525c2acb5b7e215ff957bf3dcc28e34b59724057a3
SUM_NO_MD5=90bb9ee0bcfe2176bd31971a7c1a6c82f57cf22c89315e0d4942eaf18c6d6617

make_fixed_tree() {
	mkdir src
	: > src/empty.txt
	printf 'hello\n' > src/hello.txt
	ln src/hello.txt src/hello-link.txt
	mkimg src/s2047.bin 0 2047
	mkimg src/s2048.bin 1
	mkimg src/s2049.bin 1 1
	mkimg src/piece.bin 150 5           # 300 KiB and 5 bytes: past one read
	mkimg src/Big_File.bin 3500 77      # 7 MiB: past every hashing threshold
	mkimg src/new.bin 3                 # newer than SOURCE_DATE_EPOCH: clamped
	ln -s hello.txt src/link
	chmod 0644 src/*.txt src/*.bin
	chmod 0600 src/s2048.bin
	chmod 0755 src
	i=0
	for f in src/*; do
		i=$((i + 1))
		touch -h -d "@$((1600000000 + i * 3601))" "$f"
	done
	touch -d @1800000000 src/new.bin
	touch -d @1650000000 src
	# Rock Ridge records owners; the sums are for 0:0
	if [ "$(id -u)" = 0 ]; then
		chown -h -R 0:0 src
	fi
}

# master OUT [OPTIONS]: as root, or in a user namespace whose root owns src
master() {
	o=$1
	shift
	if [ "$(id -u)" = 0 ]; then
		SOURCE_DATE_EPOCH=1700000000 "$SPINDLE" mkiso -q "$@" src -o "$o" > log 2>&1
	else
		SOURCE_DATE_EPOCH=1700000000 unshare -r "$SPINDLE" mkiso -q "$@" src -o "$o" > log 2>&1
	fi || { cat log >&2; fail "mkiso $*"; }
}

test_md5_tags_image_is_byte_identical() {
	make_fixed_tree
	master img.iso
	expect_eq "$(sha256 img.iso)" "$SUM_MD5" "SHA-256 of the image with MD5 tags"
	# the tags and the per-file sums hold, for xorriso and for spindle
	xorriso -md5 on -indev img.iso -check_md5_r sorry / -- > md5.log 2>&1 ||
		{ cat md5.log >&2; fail "xorriso -check_md5_r failed"; }
	grep -q "File contents and their MD5 checksums match" md5.log ||
		{ cat md5.log >&2; fail "no MD5 verdict from xorriso"; }
	xorriso -md5 on -indev img.iso -check_md5 sorry -- > session.log 2>&1 ||
		{ cat session.log >&2; fail "xorriso -check_md5 (session) failed"; }
	grep -q "Ok, session data match recorded md5" session.log ||
		{ cat session.log >&2; fail "no session verdict from xorriso"; }
	run verify --json img.iso
	expect_exit 0
	expect_eq "$(json_get .mode)" md5-tags
	expect_eq "$(json_get .superblock)" ok
	expect_eq "$(json_get .tree)" ok
	expect_eq "$(json_get .session)" ok
	expect_eq "$(json_get .files_ok)" 9
}

test_no_md5_image_is_byte_identical() {
	make_fixed_tree
	master img.iso --no-md5
	expect_eq "$(sha256 img.iso)" "$SUM_NO_MD5" "SHA-256 of the image without MD5 tags"
	# and it has no tags
	run verify --json img.iso
	expect_exit 0
	expect_eq "$(json_get .tags)" false
	expect_eq "$(json_get .sha256)" "$SUM_NO_MD5"
}

test_same_tree_copied_masters_the_same() {
	# a copy of the tree (other inode numbers, other order of them) gives
	# the same bytes
	make_fixed_tree
	master one.iso
	mkdir copy
	for f in $(ls -r src); do
		[ "$f" = hello-link.txt ] || cp -a "src/$f" copy/
	done
	ln copy/hello.txt copy/hello-link.txt
	chmod 0755 copy
	touch -d @1650000000 copy
	rm -rf src
	mv copy src
	master two.iso
	expect_same one.iso two.iso
}

run_tests
