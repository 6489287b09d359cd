#!/bin/sh
# guest_stick.sh - sourced by guest_checks.sh in the guest that boot.sh
# gave a QEMU usb-storage stick (removable, VM_STICK on the host) and a
# virtio disk (fixed, VM_VDISK): spindle burn to block devices through the
# real kernel: listing, refusals (fixed, mounted, too small, locked), a
# hybrid ISO and an .xz image written and verified and read back by the
# guest, and SIGINT in the middle of a write.

# the stick: the sd disk on the USB bus (the guest waits for it to appear)
vm_stick() {
	n=0
	while [ $n -lt 100 ]; do
		for s in /sys/block/sd*; do
			[ -e "$s" ] && readlink -f "$s" | grep -q /usb && { echo "/dev/${s##*/}"; return; }
		done
		sleep 0.1
		n=$((n + 1))
	done
}
stick=$(vm_stick)
vdisk=/dev/vda

s_listed() {
	[ -n "$stick" ] || fail "no USB stick appeared in the guest"
	run drives --json
	expect_exit 0
	json_read st ".block_devices[] | select(.path == \"$stick\") | [.bus, .removable, .fixed] | join(\" \")" \
		vd ".block_devices[] | select(.path == \"$vdisk\") | .path"
	expect_eq "$st" "usb true false" "the stick: bus, removable, fixed"
	expect_eq "$vd" "" "the virtio disk without --all"
	run drives --all --json
	expect_eq "$(json_get ".block_devices[] | select(.path == \"$vdisk\") | [.bus, .fixed] | join(\" \")")" \
		"virtio true" "the virtio disk with --all"
	run drives
	expect_out "$stick  QEMU QEMU HARDDISK  64.0 MiB  usb, removable"
}

s_refusals() {
	[ -n "$stick" ] || fail "no USB stick"
	mkdir tree
	echo hello > tree/a.txt
	xorriso -as mkisofs -quiet -o small.iso tree 2> /dev/null
	# fixed without --force, then with
	run burn -d "$vdisk" --yes small.iso
	expect_exit 4
	expect_err "is a fixed disk (bus virtio, not removable)"
	run burn -d "$vdisk" --yes --force small.iso
	expect_exit 0
	# too small: nothing written
	truncate -s 80M big.img
	run burn -d "$stick" --yes big.img
	expect_exit 4
	expect_err "is larger than '$stick' (64.0 MiB); nothing was written"
	# mounted
	mkfs.ext2 -q -F "$stick" || fail "mkfs.ext2"
	# (the mount point and the FIFO below on tmpfs: the work folder is 9p)
	m=$(mktemp -d /dev/shm/stick-XXXXXX)
	mount "$stick" "$m" || fail "cannot mount the stick"
	run burn -d "$stick" --yes small.iso
	umount "$m"
	rmdir "$m"
	expect_exit 3
	expect_err "is in use: mounted on $m"
	# another program holds the whole-device lock (as udisks or a writer would)
	# (-o: the lock stays with flock, not with its sleep, so that killing
	# flock releases it for the next check at once)
	flock -x -o "$stick" sleep 20 &
	lockpid=$!
	sleep 0.5
	run burn -d "$stick" --yes small.iso
	pkill -P $lockpid sleep
	kill $lockpid
	wait $lockpid 2> /dev/null
	expect_exit 3
	expect_err "is locked by another program"
}

s_hybrid() {
	[ -n "$stick" ] || fail "no USB stick"
	mkdir tree
	cp "$VM_IMAGE" tree/disc.iso
	xorriso -as mkisofs -quiet --protective-msdos-label -V HYBRID -o hybrid.iso tree 2> /dev/null
	run burn -d "$stick" --yes --json hybrid.iso
	expect_exit 0
	json_read boot .boot verified .verified sha .sha256
	expect_eq "$boot" hybrid
	expect_eq "$verified" true
	expect_eq "$sha" "$(sha256sum hybrid.iso | cut -d' ' -f1)"
	# the guest reads it back: ISO 9660 seen by blkid, the MBR in place
	echo 3 > /proc/sys/vm/drop_caches
	expect_eq "$(blkid -p -o value -s TYPE "$stick")" iso9660 "blkid type"
	expect_eq "$(blkid -p -o value -s LABEL "$stick")" HYBRID "blkid label"
	expect_eq "$(dd if="$stick" bs=1 skip=510 count=2 status=none | od -An -tx1 | tr -d ' ')" 55aa "MBR"
	cmp -n "$(stat -c %s hybrid.iso)" hybrid.iso "$stick" || fail "the stick differs from the ISO"
}

s_xz() {
	[ -n "$stick" ] || fail "no USB stick"
	# made by run.sh on the host: xz in the emulated guest is slow
	run burn -d "$stick" --yes --json "$VM_STICK_XZ"
	expect_exit 0
	json_read compression .compression verified .verified sha .sha256
	expect_eq "$compression" xz
	expect_eq "$verified" true
	expect_eq "$sha" "$(sha256sum "$VM_IMAGE" | cut -d' ' -f1)"
	echo 3 > /proc/sys/vm/drop_caches
	cmp -n "$(stat -c %s "$VM_IMAGE")" "$VM_IMAGE" "$stick" || fail "the stick differs from the image"
}

s_sigint() {
	[ -n "$stick" ] || fail "no USB stick"
	feed=$(mktemp -u /dev/shm/feed-XXXXXX)
	mkfifo "$feed"
	"$SPINDLE" burn -d "$stick" --yes - < "$feed" > out 2> err &
	pid=$!
	exec 3> "$feed"
	rm "$feed"
	head -c 12582912 "$VM_IMAGE" >&3
	n=0
	until cmp -s -n 4194304 "$VM_IMAGE" "$stick"; do
		n=$((n + 1))
		[ $n -lt 300 ] || { kill -9 $pid; fail "nothing was written"; }
		sleep 0.1
	done
	kill -INT $pid
	n=0
	while kill -0 $pid 2> /dev/null; do
		n=$((n + 1))
		[ $n -lt 300 ] || { kill -9 $pid; fail "the write did not stop on SIGINT"; }
		sleep 0.1
	done
	wait $pid
	RC=$?
	exec 3>&-
	expect_exit 8
	expect_err "interrupted by SIGINT after writing"
	# released: written again at once
	run burn -d "$stick" --yes "$VM_IMAGE"
	expect_exit 0
}

check "drives lists the USB stick (usb, removable) and the virtio disk only with --all" s_listed
check "burn to a stick refuses a fixed disk without --force, a too small, mounted or locked stick" s_refusals
check "a hybrid ISO written to the USB stick verifies; the guest's blkid sees ISO 9660 and the MBR" s_hybrid
check "an .xz image written to the USB stick verifies" s_xz
check "SIGINT in the middle of a stick write: exit 8, the stick released" s_sigint
