#!/bin/sh
# mkinitramfs.sh - build the guest's initramfs: static busybox, the kernel
# modules for the emulated drives and 9p, and tests/vm/init.  Uses the
# installed Debian kernel (linux-image-amd64): /boot/vmlinuz-KVER with
# /lib/modules/KVER.  The result is cached in $SPINDLE_VM_CACHE (default
# /tmp/spindle-vm-cache), keyed by kernel version and by this script and
# init, so it is built once.  Prints "KERNEL INITRAMFS" on stdout.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${SPINDLE_VM_CACHE:-/tmp/spindle-vm-cache}
MODULES="virtio_pci virtio_scsi ata_piix ahci sr_mod sg isofs 9pnet_virtio 9p"
# the USB stick and virtio disk of the stick checks (usb)
MODULES="$MODULES xhci_pci usb_storage sd_mod virtio_blk ext4 crc32c_generic"
MODULES="$MODULES udf loop"  # files: the kernel's UDF driver writes images (guest_checks.sh c_udf_*)
# not in the list init loads at once: pata_legacy, for the third IDE channel
EXTRA_MODULES="pata_legacy"

kver=""
for d in $(ls /lib/modules 2>/dev/null | sort -V); do
	[ -f "/boot/vmlinuz-$d" ] && [ -f "/lib/modules/$d/modules.dep" ] && kver=$d
done
[ -n "$kver" ] || {
	echo "mkinitramfs: no kernel with modules in /boot and /lib/modules;" \
		"install linux-image-amd64 (./setup.sh does)" >&2
	exit 1
}
key=$(cat "$0" "$here/init" | sha256sum | cut -c1-12)
out="$cache/initramfs-$kver-$key.cpio"
if [ ! -s "$out" ]; then
	mkdir -p "$cache"
	root=$(mktemp -d "$cache/root.XXXXXX")
	trap 'rm -rf "$root"' EXIT
	mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/host" \
		"$root/lib/modules/$kver"
	cp /bin/busybox "$root/bin/busybox"
	cp "$here/init" "$root/init"
	chmod 755 "$root/init"
	# every module the list needs, dependencies included, at its own path
	for m in $MODULES $EXTRA_MODULES; do
		modprobe -S "$kver" --show-depends "$m"
	done | awk '$1 == "insmod" { print $2 }' | sort -u | while read -r ko; do
		mkdir -p "$root$(dirname "$ko")"
		# without the appended signature (strip drops it): the guest's
		# kernel then skips checking it, RSA and SHA-256 emulated per module
		strip -g -o "$root$ko" "$ko" 2> /dev/null || cp "$ko" "$root$ko"
	done
	cp "/lib/modules/$kver/modules.order" "/lib/modules/$kver/modules.builtin" \
		"/lib/modules/$kver/modules.builtin.modinfo" \
		"$root/lib/modules/$kver/"
	depmod -b "$root" "$kver"
	echo "$MODULES" > "$root/modules"
	# not compressed: the emulated guest would inflate it at a few 10 MB/s
	(cd "$root" && find . | cpio -o -H newc --quiet) > "$out.tmp"
	mv "$out.tmp" "$out"
fi
# the kernel uncompressed (an ELF with a PVH entry point): QEMU starts it
# directly, without the emulated guest decompressing 8 MB of xz each boot
kernel=/boot/vmlinuz-$kver
vmlinux="$cache/vmlinux-$kver"
if [ ! -s "$vmlinux" ] && grep -q '^CONFIG_PVH=y' "/boot/config-$kver" 2>/dev/null; then
	off=$(grep -abo "$(printf '\3757zXZ')" "$kernel" | head -n 1 | cut -d: -f1)
	[ -z "$off" ] || tail -c +$((off + 1)) "$kernel" | xz -dc --single-stream \
		> "$vmlinux.tmp" 2> /dev/null
	if [ -s "$vmlinux.tmp" ] && od -An -c -N4 "$vmlinux.tmp" | grep -q 'E   L   F'; then
		mv "$vmlinux.tmp" "$vmlinux"
	else
		rm -f "$vmlinux.tmp"
	fi
fi
[ ! -s "$vmlinux" ] || kernel=$vmlinux
echo "$kernel $out"
