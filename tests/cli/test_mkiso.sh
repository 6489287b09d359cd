#!/bin/sh
# spindle mkiso: mastering, checked against independent readers (xorriso,
# isoinfo from genisoimage) and by extracting and comparing with the source.
. "$TOP_SRCDIR/tests/lib.sh"

# make_tree DIR: deep paths, long and Unicode names, hard links, symlinks,
# empty directories, odd permissions and old timestamps
make_tree() {
	d=$1
	mkdir -p "$d/empty" "$d/sub/inner" "$d/sub/empty2"
	p="$d/deep"
	for i in $(seq 1 40); do p="$p/level$i"; done
	mkdir -p "$p"
	echo bottom > "$p/bottom.txt"
	long=$(printf 'n%.0s' $(seq 1 200))
	echo long > "$d/$long.txt"
	echo unicode > "$d/sub/ünïcödé ✓ 日本語.txt"
	mkimg "$d/sub/data.bin" 100 123
	echo hello > "$d/sub/inner/a.txt"
	ln "$d/sub/inner/a.txt" "$d/sub/hardlink.txt"
	ln -s inner/a.txt "$d/sub/symlink"
	ln -s /nonexistent/target "$d/dangling"
	: > "$d/zero-length"
	chmod 0751 "$d/sub/inner"
	chmod 0640 "$d/sub/data.bin"
	chmod 0600 "$d/zero-length"
	touch -d '2001-02-03 04:05:06' "$d/sub/data.bin" "$d/empty"
}

# listing DIR: one line per entry: path, type, mode, mtime (not for
# symlinks, whose own times readers do not restore), size, link target
listing() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r f; do
		if [ -L "$f" ]; then
			echo "$f link $(readlink "$f")"
		else
			stat -c '%n %F %a %Y %s' "$f"
		fi
	done)
}

extract() {
	xorriso -osirrox on -hardlinks on -indev "$1" -extract / "$2" > xo.log 2>&1 ||
		{ cat xo.log >&2; fail "xorriso cannot extract $1"; }
}

test_tree_matches_source() {
	make_tree src
	run mkiso src -o out.iso --volid MYDISC
	expect_exit 0
	expect_out "wrote out.iso"
	expect_out "1 hard links"
	# independent reader 1: xorriso lists exactly the source's paths
	xorriso -indev out.iso -find / -- 2>/dev/null | sed "s/^'//; s/'$//" | grep -v '^/$' |
		LC_ALL=C sort > iso.list
	(cd src && find . -mindepth 1 | sed 's/^\.//') | LC_ALL=C sort > src.list
	cmp -s iso.list src.list || { diff src.list iso.list >&2; fail "paths differ"; }
	# and its MD5 check passes on every file
	xorriso -md5 on -indev out.iso -check_md5_r sorry / -- > md5.log 2>&1 ||
		{ cat md5.log >&2; fail "xorriso -check_md5_r failed"; }
	grep -q "File contents and their MD5 checksums match" md5.log || fail "no MD5 verdict"
	grep -q "Volume id    : 'MYDISC'" md5.log || fail "volume id"
	# independent reader 2: isoinfo sees Rock Ridge and Joliet names
	isoinfo -R -l -i out.iso > rr.txt 2>&1 || fail "isoinfo -R failed"
	grep -q "ünïcödé ✓ 日本語.txt" rr.txt || fail "Unicode name lost in Rock Ridge"
	grep -q "bottom.txt" rr.txt || fail "deep file missing"
	grep -q "symlink -> inner/a.txt" rr.txt || fail "symlink lost"
	isoinfo -J -l -i out.iso > joliet.txt 2>&1 || fail "isoinfo -J failed"
	grep -q "data.bin" joliet.txt || fail "Joliet tree missing"
	isoinfo -d -i out.iso | grep -q "Joliet with UCS level 3" || fail "no Joliet descriptor"
	# content, modes, times, symlinks byte for byte and field for field
	extract out.iso ex
	diff -r --no-dereference src ex >&2 || fail "extracted content differs"
	listing src > a.txt
	listing ex > b.txt
	cmp -s a.txt b.txt || { diff a.txt b.txt >&2; fail "metadata differs"; }
	[ "$(stat -c %i ex/sub/inner/a.txt)" = "$(stat -c %i ex/sub/hardlink.txt)" ] ||
		fail "hard link not preserved"
}

test_reproducible_with_source_date_epoch() {
	make_tree src
	SOURCE_DATE_EPOCH=1700000000 "$SPINDLE" mkiso -q src -o one.iso > /dev/null ||
		fail "first run"
	sleep 1
	cat src/sub/data.bin > /dev/null    # moves atimes on
	SOURCE_DATE_EPOCH=1700000000 "$SPINDLE" mkiso -q src -o two.iso > /dev/null ||
		fail "second run"
	expect_same one.iso two.iso
	xorriso -indev one.iso -pvd_info 2>/dev/null | grep -q "Creation Time: 2023111422132000" ||
		fail "volume date is not SOURCE_DATE_EPOCH"
	# clamped: nothing in the tree is newer than SOURCE_DATE_EPOCH
	extract one.iso ex
	[ "$(find ex -mindepth 1 ! -type l -newermt @1700000001 | wc -l)" -eq 0 ] || fail "mtime not clamped"
}

test_reproducible_option() {
	make_tree src
	run mkiso --reproducible src -o one.iso
	expect_exit 0
	sleep 1
	run mkiso --reproducible src -o two.iso
	expect_exit 0
	expect_same one.iso two.iso
	# without it, the volume times differ
	run mkiso src -o three.iso
	sleep 1
	run mkiso src -o four.iso
	cmp -s three.iso four.iso && fail "plain images should carry their own time"
	return 0
}

test_boot_el_torito() {
	[ -f /usr/lib/ISOLINUX/isolinux.bin ] || skip "isolinux not installed"
	[ -f /usr/lib/ISOLINUX/isohdpfx.bin ] || skip "isohdpfx.bin not installed"
	mkdir -p tree/isolinux tree/boot/grub
	cp /usr/lib/ISOLINUX/isolinux.bin tree/isolinux/
	head -c 1474560 /dev/zero > tree/boot/grub/efi.img
	echo "default linux" > tree/isolinux/isolinux.cfg
	run mkiso tree -o boot.iso --boot-bios /isolinux/isolinux.bin \
		--boot-efi /boot/grub/efi.img --isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin
	expect_exit 0
	xorriso -indev boot.iso -report_el_torito plain -report_system_area plain > rep.txt 2>/dev/null
	grep -q "El Torito cat path : /isolinux/boot.cat" rep.txt || { cat rep.txt >&2; fail "catalog"; }
	grep -Eq "El Torito boot img : +1 +BIOS +y +none +0x0000 +0x00 +4 " rep.txt ||
		{ cat rep.txt >&2; fail "BIOS entry"; }
	grep -Eq "El Torito boot img : +2 +UEFI +y +none " rep.txt || fail "EFI entry"
	grep -q "El Torito img path :   1  /isolinux/isolinux.bin" rep.txt || fail "BIOS path"
	grep -q "El Torito img path :   2  /boot/grub/efi.img" rep.txt || fail "EFI path"
	grep -q "El Torito img opts :   1  boot-info-table" rep.txt || fail "boot info table"
	grep -q "System area summary: MBR isohybrid" rep.txt || fail "isohybrid MBR"
	# the MBR boot code is SYSLINUX's
	cmp -n 432 boot.iso /usr/lib/ISOLINUX/isohdpfx.bin 2>/dev/null ||
		head -c 400 boot.iso | cmp -s -n 400 - /usr/lib/ISOLINUX/isohdpfx.bin ||
		fail "MBR code is not isohdpfx.bin"
	run verify boot.iso
	expect_exit 0
}

test_boot_image_missing() {
	mkdir tree
	echo x > tree/x
	run mkiso tree -o boot.iso --boot-bios /isolinux/isolinux.bin
	expect_exit 2
	expect_err "boot image '/isolinux/isolinux.bin' is not in the image"
	[ ! -e boot.iso ] || fail "an image was left behind"
	run mkiso tree -o boot.iso --isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin
	expect_exit 2
	expect_err "needs a BIOS boot image"
}

test_graft_points_and_merge() {
	mkdir -p a/common b/common manual
	echo 1 > a/common/one
	echo 2 > b/common/two
	echo m > manual/index.html
	echo f > single.txt
	run mkiso a b /docs/manual=manual /etc/renamed.txt=single.txt single.txt -o out.iso
	expect_exit 0
	xorriso -indev out.iso -find / -type f -- 2>/dev/null | LC_ALL=C sort > got.txt
	printf "%s\n" "'/common/one'" "'/common/two'" "'/docs/manual/index.html'" \
		"'/etc/renamed.txt'" "'/single.txt'" | LC_ALL=C sort > want.txt
	cmp -s got.txt want.txt || { diff want.txt got.txt >&2; fail "graft layout"; }
	isoinfo -R -x /docs/manual/index.html -i out.iso | cmp -s - manual/index.html ||
		fail "grafted content"
}

test_graft_collision_is_an_error() {
	mkdir a b
	echo 1 > a/same
	echo 2 > b/same
	run mkiso a b -o out.iso
	expect_exit 2
	expect_err "'b/same' would replace '/same'"
	[ ! -e out.iso ] || fail "an image was left behind"
}

test_bad_graft_points() {
	mkdir d
	run mkiso =d -o out.iso
	expect_exit 2
	expect_err "bad graft point '=d'"
	run mkiso /x= -o out.iso
	expect_exit 2
	expect_err "bad graft point"
	run mkiso /a/../b=d -o out.iso
	expect_exit 2
	expect_err "'..' is not allowed"
	echo f > file
	run mkiso /f=file /f/sub=d -o out.iso
	expect_exit 2
	expect_err "is a file in the image"
}

test_exclude() {
	mkdir -p src/keep src/build/obj
	echo a > src/keep/a.c
	echo o > src/keep/a.o
	echo b > src/build/obj/b.c
	echo h > src/.hidden.o
	run mkiso src -o out.iso --exclude '*.o' --exclude '*/build/obj'
	expect_exit 0
	xorriso -indev out.iso -find / -- 2>/dev/null | LC_ALL=C sort > got.txt
	grep -q "a.c" got.txt || fail "a.c missing"
	grep -q "a.o" got.txt && fail "*.o not excluded"
	grep -q "/build/obj" got.txt && fail "path pattern not excluded"
	grep -q "'/build'" got.txt || fail "/build should stay"
	# like the shell, * does not match a leading dot
	grep -q ".hidden.o" got.txt || fail ".hidden.o should stay"
}

test_nonexistent_source() {
	run mkiso no/such/dir -o out.iso
	expect_exit 1
	expect_err "cannot add 'no/such/dir': No such file or directory"
	[ ! -e out.iso ] || fail "an image was left behind"
}

test_existing_output_needs_force() {
	mkdir d
	echo x > d/x
	echo precious > out.iso
	run mkiso d -o out.iso
	expect_exit 1
	expect_err "'out.iso' already exists"
	expect_err "--force"
	expect_eq "$(cat out.iso)" precious "existing file"
	run mkiso d -o out.iso --force
	expect_exit 0
	isoinfo -d -i out.iso > /dev/null || fail "not replaced by an image"
	ls out.iso.tmp-* 2>/dev/null && fail "temporary file left behind"
	return 0
}

test_usage_errors() {
	mkdir d
	run mkiso d
	expect_exit 2
	expect_err "no output file"
	run mkiso -o out.iso
	expect_exit 2
	expect_err "no source given"
	run mkiso d -o out.iso --volid 123456789012345678901234567890123
	expect_exit 2
	expect_err "--volid"
	SOURCE_DATE_EPOCH=yesterday "$SPINDLE" mkiso d -o out.iso > out 2> err
	RC=$?
	expect_exit 2
	expect_err "SOURCE_DATE_EPOCH"
}

# unreadable files need a user that root's rights do not cover
as_nobody() {
	command -v setpriv > /dev/null || skip "setpriv missing"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

test_unreadable_file_named() {
	[ "$(id -u)" = 0 ] || skip "needs root to switch to nobody"
	# the test directory's parents are private: work where nobody can go
	pub=$(mktemp -d /tmp/spindle-nobody-XXXXXX)
	chmod 0755 "$pub"
	trap 'rm -rf "$pub"' EXIT
	mkdir -p "$pub/src/ok" "$pub/src/secret" "$pub/out"
	chmod 0777 "$pub/out"
	echo fine > "$pub/src/ok/a.txt"
	echo hidden > "$pub/src/secret/key.txt"
	chmod 0000 "$pub/src/secret/key.txt"
	cd "$pub/out" || fail "cd"
	as_nobody "$SPINDLE" mkiso ../src -o out.iso > out 2> err < /dev/null
	RC=$?
	expect_exit 1
	expect_err "cannot read file '../src/secret/key.txt': Permission denied"
	expect_err "--skip-unreadable"
	[ ! -e out.iso ] || fail "an image was left behind"
	as_nobody "$SPINDLE" mkiso ../src -o out.iso --skip-unreadable --json > out 2> err < /dev/null
	RC=$?
	expect_exit 0
	expect_err "warning: cannot read file"
	grep -q '"type":"skipped"' out || fail "no skipped event"
	expect_eq "$(json_get .skipped)" 1
	xorriso -indev out.iso -find / -- 2>/dev/null > got.txt
	grep -q "a.txt" got.txt || fail "readable file missing"
	grep -q "key.txt" got.txt && fail "unreadable file in image"
	return 0
}

test_json_result() {
	make_tree src
	run mkiso src -o out.iso --json --no-md5
	expect_exit 0
	expect_eq "$(json_get .type)" result
	expect_eq "$(json_get .command)" mkiso
	expect_eq "$(json_get .ok)" true
	expect_eq "$(json_get .md5)" false
	expect_eq "$(json_get .bytes)" "$(stat -c %s out.iso)"
	expect_eq "$(json_get .hard_links)" 1
	expect_eq "$(json_get .symlinks)" 2
	# no tags when asked for none
	xorriso -md5 on -indev out.iso -check_md5_r sorry / -- > md5.log 2>&1
	grep -q "no MD5 checksum array" md5.log || fail "MD5 tags written with --no-md5"
	return 0
}

run_tests
