#!/bin/sh
# spindle burn to USB sticks and spindle drives' block devices, on loop
# devices standing in for sticks (the tests run as root).  A stand-in
# /sys (SPINDLE_TEST_SYSFS) makes a loop device look like a removable USB
# stick, with partitions, mounts and holders where a test needs them.
. "$TOP_SRCDIR/tests/lib.sh"

[ "$(id -u)" = 0 ] || { echo "# FAIL: test_stick needs root for loop devices" >&2; exit 1; }

# loopdev FILE: attach FILE; its device name in $dev, detached at exit
LOOPS=""
MNTS=""
cleanup() {
	for m in $MNTS; do umount "$m" 2> /dev/null; done
	for l in $LOOPS; do swapoff "$l" 2> /dev/null; losetup -d "$l" 2> /dev/null; done
}
trap cleanup EXIT
loopdev() {
	dev=$(losetup -f --show "$1") || fail "cannot attach a loop device to $1"
	LOOPS="$LOOPS $dev"
	trap cleanup EXIT       # each test runs in a subshell, which has its own
}

# fake_stick DEV: ./sys, in which DEV is a removable USB stick "Generic Flash Disk"
fake_stick() {
	name=$(basename "$1")
	maj=$((0x$(stat -c %t "$1"))) min=$((0x$(stat -c %T "$1")))
	blk=devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/host9/target9:0:0/9:0:0:0/block/$name
	mkdir -p "sys/$blk/device" "sys/$blk/holders" sys/class/block sys/dev/block
	echo "$maj:$min" > "sys/$blk/dev"
	echo 1 > "sys/$blk/removable"
	echo 0 > "sys/$blk/ro"
	blockdev --getsz "$1" > "sys/$blk/size"
	echo "Generic " > "sys/$blk/device/vendor"
	echo "Flash Disk" > "sys/$blk/device/model"
	ln -s "../../$blk" "sys/class/block/$name"
	ln -s "../../$blk" "sys/dev/block/$maj:$min"
	STICK_SYS=sys/$blk
	export SPINDLE_TEST_SYSFS="$PWD/sys"
}

# fake_part DEV PARTDEV: PARTDEV shows in ./sys as partition 1 of DEV
fake_part() {
	pname=$(basename "$1")p1
	maj=$((0x$(stat -c %t "$2"))) min=$((0x$(stat -c %T "$2")))
	mkdir -p "$STICK_SYS/$pname"
	: > "$STICK_SYS/$pname/partition"
	echo "$maj:$min" > "$STICK_SYS/$pname/dev"
	blockdev --getsz "$2" > "$STICK_SYS/$pname/size"
	ln -s "../../${STICK_SYS#sys/}/$pname" "sys/class/block/$pname"
	ln -s "../../${STICK_SYS#sys/}/$pname" "sys/dev/block/$maj:$min"
}

# every key of the JSON lines in ./out is named in docs/json.md
keys_documented() {
	for key in $(jq -r '[paths | .[-1] | strings] | unique | .[]' out); do
		grep -qF "\`$key\`" "$TOP_SRCDIR/docs/json.md" || fail "key '$key' is not in docs/json.md"
	done
}

test_stick_write_verify() {
	n=$(scaled 5000 2500)    # two 4 MiB blocks in every pass
	mkimg img $n 123
	truncate -s 16M stick
	loopdev stick
	fake_stick "$dev"
	run burn -d "$dev" --yes --json img
	expect_exit 0
	expect_eq "$(json_get .ok)" true
	expect_eq "$(json_get .drive)" "$dev"
	expect_eq "$(json_get .bytes)" $((n * 2048 + 123))
	expect_eq "$(json_get .sha256)" "$(sha256 img)"
	expect_eq "$(json_get .verified)" true
	expect_eq "$(json_get .compression)" none
	keys_documented
	cmp -n $((n * 2048 + 123)) img stick || fail "the stick differs from the image"
}

test_stick_needs_yes_without_tty() {
	mkimg img 100
	truncate -s 4M stick
	loopdev stick
	fake_stick "$dev"
	run burn -d "$dev" img
	expect_exit 2
	expect_err "standard input is not a terminal"
	expect_err "pass --yes"
	[ "$(tr -d '\000' < stick | wc -c)" = 0 ] || fail "something was written"
	run burn -d "$dev" --yes img
	expect_exit 0
	expect_err "verified: $dev reads back as written"
}

test_stick_compressed_streams() {
	mkimg img 1000 77
	truncate -s 8M stick
	loopdev stick
	fake_stick "$dev"
	xz -1 -T2 --block-size=512KiB -kc img > img.xz
	gzip -c img > img.gz
	zstd -q -c img > img.zst
	bzip2 -c img > img.bz2
	cat img.gz img.gz > twice.gz
	for f in xz:img.xz gzip:img.gz zstd:img.zst bzip2:img.bz2; do
		kind=${f%%:*} f=${f#*:}
		dd if=/dev/zero of=stick bs=1M count=8 conv=notrunc status=none
		run burn -d "$dev" --yes --json "$f"
		expect_exit 0
		expect_eq "$(json_get .sha256)" "$(sha256 img)" "$f sha256"
		expect_eq "$(json_get .verified)" true
		expect_eq "$(json_get .compression)" "$kind"
		cmp -n $((1000 * 2048 + 77)) img stick || fail "$f: the stick differs from the image"
	done
	# from standard input, compressed
	run_stdin img.zst burn -d "$dev" --yes --json -
	expect_exit 0
	expect_eq "$(json_get .sha256)" "$(sha256 img)"
	# two gzip members are one stream, as zcat reads them
	run burn -d "$dev" --yes --json twice.gz
	expect_exit 0
	expect_eq "$(json_get .bytes)" $((2 * (1000 * 2048 + 77)))
	# a damaged or cut stream: an error naming the file, exit 1
	head -c 200000 img.xz > cut.xz
	run burn -d "$dev" --yes cut.xz
	expect_exit 1
	expect_err "'cut.xz' is not valid xz data"
	head -c 300000 img.gz > cut.gz
	run burn -d "$dev" --yes cut.gz
	expect_exit 1
	expect_err "ends in the middle of the stream"
}

test_stick_refusals() {
	mkimg img 100
	truncate -s 4M stick
	loopdev stick
	stickdev=$dev
	# a loop device is a fixed disk: --force needed
	run burn -d "$stickdev" --yes img
	expect_exit 4
	expect_err "is a fixed disk (bus loop, not removable)"
	run burn -d "$stickdev" --yes --force img
	expect_exit 0
	# stdio: does not get around the checks; nor does mastering on the fly,
	# nor a stick beside an optical or virtual drive
	run burn -d "stdio:$stickdev" --yes img
	expect_exit 4
	expect_err "is a fixed disk"
	mkdir dir
	run burn -d "$stickdev" --yes --force dir
	expect_exit 2
	expect_err "master one first with 'spindle mkiso'"
	run burn -d stdio:disc.img -d "$stickdev" --yes --force img
	expect_exit 2
	expect_err "a stick and an optical drive cannot be written in one run"
	# too small: nothing written, even with a compressed image whose xz index says so
	mkimg big 2100
	xz -0 -kc big > big.xz
	dd if=/dev/zero of=stick bs=1M count=4 conv=notrunc status=none
	run burn -d "$stickdev" --yes --force big.xz
	expect_exit 4
	expect_err "is larger than '$stickdev' (4.0 MiB); nothing was written"
	[ "$(tr -d '\000' < stick | wc -c)" = 0 ] || fail "something was written"
	# a gzip stream does not say its size: stopped at the end of the device
	gzip -1 -kc big > big.gz
	run burn -d "$stickdev" --yes --force big.gz
	expect_exit 4
	expect_err "stopped after writing 4.0 MiB"
	# mounted (the whole device): refused even with --force, the mount named
	mkfs.ext2 -q -F stick
	mkdir mnt
	mount "$stickdev" mnt || fail "cannot mount"
	MNTS="$PWD/mnt"
	run burn -d "$stickdev" --yes --force img
	expect_exit 3
	expect_err "is in use: mounted on $PWD/mnt"
	run drives --all --json
	expect_eq "$(jq -r ".block_devices[] | select(.path == \"$stickdev\") | .mounted" out)" "$PWD/mnt"
	umount mnt
	# swap
	mkswap -q "$stickdev" > /dev/null 2>&1 || mkswap "$stickdev" > /dev/null
	swapon "$stickdev" || fail "cannot swapon"
	run burn -d "$stickdev" --yes --force img
	swapoff "$stickdev"
	expect_exit 3
	expect_err "is in use as swap"
	# not a block device, and the system disk
	run burn -d stick --yes img
	[ "$RC" -ne 0 ] || fail "a plain file named without stdio: was written"
	root=$(findmnt -no SOURCE / 2> /dev/null)
	case "$root" in
	/dev/*)
		disk=/dev/$(lsblk -no PKNAME "$root" 2> /dev/null | head -n 1)
		[ "$disk" != /dev/ ] || disk=$root
		run burn -d "$disk" --yes --force img
		expect_exit 3
		expect_err "spindle never writes to it" ;;
	esac
}

test_stick_removable_partitions_holders() {
	mkimg img 100
	truncate -s 4M stick part
	loopdev part
	partdev=$dev
	loopdev stick
	fake_stick "$dev"
	fake_part "$dev" "$partdev"
	# a removable USB stick needs no --force, and is listed without --all
	run drives --json
	expect_eq "$(jq -r ".block_devices[] | select(.path == \"$dev\") | .bus" out)" usb
	expect_eq "$(jq -r ".block_devices[] | select(.path == \"$dev\") | .model" out)" "Flash Disk"
	expect_eq "$(jq -r ".block_devices[] | select(.path == \"$dev\") | .partitions[0].name" out)" \
		"$(basename "$dev")p1"
	keys_documented
	run drives
	expect_out "$dev  Generic Flash Disk  4.0 MiB  usb, removable"
	# a partition is not a target
	run burn -d "$partdev" --yes img
	expect_exit 2
	expect_err "is a partition, not a whole device"
	expect_err "-d $dev"
	# a mounted partition: named
	mkfs.ext2 -q -F part
	mkdir mnt
	mount "$partdev" mnt || fail "cannot mount"
	MNTS="$PWD/mnt"
	run burn -d "$dev" --yes img
	expect_exit 3
	expect_err "mounted on $PWD/mnt"
	umount mnt
	# held by device-mapper
	mkdir "$STICK_SYS/holders/dm-9"
	run burn -d "$dev" --yes img
	expect_exit 3
	expect_err "is in use by dm-9 (device-mapper, RAID or LVM)"
	rmdir "$STICK_SYS/holders/dm-9"
	run burn -d "$dev" --yes img
	expect_exit 0
	# read-only
	echo 1 > "$STICK_SYS/ro"
	run burn -d "$dev" --yes img
	expect_exit 1
	expect_err "is read-only"
}

test_stick_bmap() {
	# a sparse image: data at 0-64 KiB, 1 MiB, and a short tail at 3 MiB
	mkimg part1 32
	mkimg part2 16
	dd if=part1 of=img conv=notrunc status=none
	dd if=part2 of=img bs=1M seek=1 conv=notrunc status=none
	dd if=part1 of=img bs=1M seek=3 count=1 conv=notrunc status=none
	truncate -s $((3 * 1048576 + 5000)) img
	dd if=part1 of=img bs=1 seek=$((3 * 1048576)) count=5000 conv=notrunc status=none
	bmaptool -q create img -o img.bmap 2> /dev/null || bmaptool create img -o img.bmap
	truncate -s 4M stick
	loopdev stick
	fake_stick "$dev"
	# old content 0xff where the map has no data: it must stay
	head -c 4194304 /dev/zero | tr '\000' '\377' > stick
	run burn -d "$dev" --yes --json --bmap img.bmap img
	expect_exit 0
	expect_eq "$(json_get .bmap)" true
	expect_eq "$(json_get .verified)" true
	expect_eq "$(json_get .sha256)" "$(sha256 img)"
	[ "$(json_get .bytes_written)" -lt "$(json_get .bytes)" ] || fail "unmapped blocks were written"
	cmp -n 65536 img stick || fail "first range differs"
	cmp -i 1048576 -n 32768 img stick || fail "second range differs"
	cmp -i $((3 * 1048576)) -n 5000 img stick || fail "last range differs"
	expect_eq "$(dd if=stick bs=1 skip=500000 count=1 status=none | od -An -tx1 | tr -d ' ')" ff \
		"an unmapped byte"
	# compressed image with its bmap
	xz -kc img > img.xz
	run burn -d "$dev" --yes --json --bmap img.bmap img.xz
	expect_exit 0
	expect_eq "$(json_get .verified)" true
	# an image that does not match its map: the range checksum catches it
	cp img bad
	printf 'X' | dd of=bad bs=1 seek=1048600 conv=notrunc status=none
	run burn -d "$dev" --yes --bmap img.bmap bad
	expect_exit 1
	expect_err "differs from its bmap in blocks 256-"
	# an edited bmap: its own checksum catches it
	sed 's/<MappedBlocksCount> *\([0-9]*\)/<MappedBlocksCount> 1\1/' img.bmap > edit.bmap
	run burn -d "$dev" --yes --bmap edit.bmap img
	expect_exit 1
	expect_err "bmap file:"
	# a bmap for another image size
	truncate -s 5M other
	run burn -d "$dev" --yes --bmap img.bmap other
	expect_exit 1
	expect_err "is for an image of"
}

test_stick_boot_warnings() {
	mkdir -p tree
	echo hello > tree/a.txt
	truncate -s 8M stick
	loopdev stick
	fake_stick "$dev"
	xorriso -as mkisofs -quiet -o plain.iso tree 2> /dev/null
	run burn -d "$dev" --yes --json plain.iso
	expect_exit 0
	expect_eq "$(json_get .boot)" iso-only
	expect_err "not boot"
	xorriso -as mkisofs -quiet --protective-msdos-label -o hybrid.iso tree 2> /dev/null
	run burn -d "$dev" --yes --json hybrid.iso
	expect_exit 0
	expect_eq "$(json_get .boot)" hybrid
	[ ! -s err ] || { cat err >&2; fail "a warning for a hybrid ISO"; }
	# the stick now holds an ISO 9660 file system with its MBR, as blkid sees it
	expect_eq "$(blkid -p -o value -s TYPE "$dev")" iso9660
	expect_eq "$(dd if=stick bs=1 skip=510 count=2 status=none | od -An -tx1 | tr -d ' ')" 55aa
	xorriso -as mkisofs -quiet -V CCCOMA_X64FRE_EN-US_DV9 -o win.iso tree 2> /dev/null
	run burn -d "$dev" --yes --json win.iso
	expect_exit 0
	expect_eq "$(json_get .boot)" windows
	expect_err "Windows installer ISO"
}

test_stick_sigint() {
	mkimg img 4096
	truncate -s 16M stick
	loopdev stick
	fake_stick "$dev"
	mkfifo feed
	"$SPINDLE" burn -d "$dev" --yes - < feed > out 2> err &
	pid=$!
	exec 3> feed
	# the 4 MiB head, a block's worth more, then the pipe stalls
	head -c 8388608 img >&3
	i=0
	until cmp -s -n 4194304 img stick; do
		i=$((i + 1))
		[ $i -lt 300 ] || { kill -9 $pid; fail "nothing was written"; }
		sleep 0.1
	done
	# SIGINT to the reader thread, which polls the empty pipe (valgrind
	# sends a process's signals to such a thread): its poll ends with
	# EINTR, which must lead back to the interrupt check, not on into a
	# read that would wait for the pipe forever
	tid=""
	i=0
	while [ -z "$tid" ]; do
		for t in /proc/$pid/task/*; do
			case "$(cut -d' ' -f1 "$t/syscall" 2> /dev/null)" in 7|271) tid=${t##*/} ;; esac
		done
		i=$((i + 1))
		[ $i -lt 300 ] || { kill -9 $pid; fail "no thread of the burn waits on the pipe"; }
		[ -n "$tid" ] || sleep 0.1
	done
	python3 -c 'import ctypes, sys; sys.exit(ctypes.CDLL(None).tgkill(int(sys.argv[1]), int(sys.argv[2]), 2))' \
		"$pid" "$tid" || fail "cannot send SIGINT to thread $tid"
	stop_burn ""
	expect_exit 8
	expect_err "interrupted by SIGINT after writing"
	expect_err "holds an incomplete image and is released"
	# released: the next write takes the device at once (1 MiB will do)
	head -c 1048576 img > small
	run burn -d "$dev" --yes small
	expect_exit 0
}

test_stick_usage() {
	mkimg img 10
	run burn -d stdio:img --yes img
	expect_exit 2
	expect_err "--bmap and --yes are for USB sticks"
	run burn --help
	expect_out "--bmap FILE"
	expect_out "USB sticks and SD cards"
}

run_tests
