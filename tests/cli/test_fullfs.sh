#!/bin/sh
# Full filesystems: output or mapfile on a small tmpfs that runs out of
# space.  The error says so plainly (exit status 9), the mapfile stays
# consistent, no temporary file is left, and once space is freed the same
# command, run again in the same place, completes.  (test_rip.sh covers
# rip with both files on the full filesystem, test_burn.sh burn.)
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/cli/rip_lib.sh"

# small SIZE: a tmpfs at ./small, unmounted when the test ends however it ends
small() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	mkdir small
	mount -t tmpfs -o size="$1" tmpfs small 2> /dev/null || skip "cannot mount a tmpfs"
	trap 'umount "$PWD/small" 2> /dev/null' EXIT
}

# fill KIB: leave about KIB KiB free on ./small
fill() {
	free=$(df -k --output=avail small | tail -n 1 | tr -d ' ')
	[ "$free" -gt "$1" ] || fail "the tmpfs is already fuller than asked"
	dd if=/dev/zero of=small/filler bs=1K count=$((free - $1)) status=none 2> /dev/null
}

test_mkiso_output_on_full_filesystem() {
	small 8m
	mkdir tree
	mkimg tree/a 1000
	mkimg tree/b 1000
	run mkiso --reproducible -o ref.iso tree
	expect_exit 0
	fill 2048
	run mkiso --reproducible -o small/out.iso tree
	expect_exit 9
	expect_err "No space left on device"
	ls small > left
	grep -v '^filler$' left && fail "mkiso left files behind: $(cat left)"
	# space freed: the same command completes, with the same image
	rm small/filler
	run mkiso --reproducible -o small/out.iso tree
	expect_exit 0
	expect_same ref.iso small/out.iso
}

test_rip_mapfile_alone_on_full_filesystem() {
	small 1m
	# 180 bad areas: a mapfile of some 10 KiB once the rip is done
	mkimg src 12000
	awk 'BEGIN { for (l = 40; l < 12000; l += 64) print "bad", l, 16 }' > spec
	set -- --ecc-block 16 --test-damage="$PWD/spec" --map-interval 0
	mkdir ref
	(cd ref && "$SPINDLE_BIN" rip ../src -o out.iso "$@" -q > /dev/null 2>&1)
	[ $? -eq 6 ] || fail "reference rip failed"
	[ "$(stat -c %s ref/out.iso.map)" -gt 8192 ] || fail "the reference mapfile is too small for this test"
	# room for the first mapfile, not for a grown one next to its .tmp
	fill 8
	run rip src -o out.iso --map small/out.map "$@"
	expect_exit 9
	expect_err "No space left on device"
	ls small > left
	grep -q 'tmp' left && fail "a temporary mapfile was left: $(cat left)"
	[ -f small/out.map ] || fail "no mapfile"
	ddrescuelog -t small/out.map > /dev/null 2>&1 || fail "the mapfile on the full filesystem does not parse"
	expect_consistent src out.iso small/out.map
	rm small/filler
	run rip src -o out.iso --map small/out.map "$@"
	expect_exit 6
	expect_same ref/out.iso out.iso
	expect_same ref/out.iso.map small/out.map
}

run_tests
