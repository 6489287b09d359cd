#!/bin/sh
# run.sh - the VM test bed: spindle against emulated CD/DVD drives through
# the real kernel.  For each drive kind (SPINDLE_VM_KINDS, default "scsi
# ide": virtio-SCSI and ATAPI on PIIX; "ahci" too) it boots one guest with
# a CD-sized and one with a DVD-sized disc (SPINDLE_VM_DISCS="cd dvd"), each
# running guest_checks.sh, which prints ok/not ok/skip lines.  The kinds
# boot in parallel.  Called by tests/run.sh (unless SPINDLE_NO_VM=1) and by
# `make check-vm`.  Work folders: tests/out/vm/KIND-DISC (keep its path
# free of spaces: it goes on the guest's kernel command line).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${TOP_SRCDIR:=$(cd "$here/../.." && pwd)}"
: "${TOP_BUILDDIR:=$TOP_SRCDIR}"
: "${SPINDLE:=$TOP_BUILDDIR/spindle}"
export TOP_SRCDIR TOP_BUILDDIR SPINDLE
out=$TOP_BUILDDIR/tests/out/vm
kinds=${SPINDLE_VM_KINDS:-scsi ide}
discs=${SPINDLE_VM_DISCS:-cd dvd}

for tool in qemu-system-x86_64 xorriso ddrescue jq; do
	command -v $tool > /dev/null || {
		echo "not ok - vm: $tool is missing (./setup.sh installs it)"
		exit 1
	}
done
"$here/mkinitramfs.sh" > /dev/null || { echo "not ok - vm: cannot build the initramfs"; exit 1; }

rm -rf "$out"
mkdir -p "$out/tree"
# the disc: an ISO 9660 image of ~6 MiB of deterministic data
for i in 1 2 3; do
	head -c 2000000 /dev/zero | openssl enc -aes-128-ctr -nosalt \
		-K 000102030405060708090a0b0c0d0e0f -iv "$(printf '%032x' $i)" \
		2>/dev/null > "$out/tree/file$i.bin"
done
xorriso -as mkisofs -quiet -R -o "$out/disc.iso" "$out/tree" 2> "$out/mkisofs.log" ||
	{ cat "$out/mkisofs.log"; echo "not ok - vm: cannot make the test disc"; exit 1; }
# a DVD-sized disc (QEMU reports DVD-ROM above 360,000 blocks): the same
# ISO, sparse up to 370,000 blocks
cp "$out/disc.iso" "$out/dvd.img"
truncate -s $((370000 * 2048)) "$out/dvd.img"
cd_sectors=$(($(stat -c %s "$out/disc.iso") / 2048))

export VM_IMAGE="$out/disc.iso"

# boot_all KIND: one guest per disc with drives of this kind
boot_all() {
	kind=$1
	for disc in $discs; do
		w=$out/$kind-$disc
		mkdir -p "$w"
		export VM_KIND=$kind VM_DISC=$disc
		if [ $disc = cd ]; then
			# bad: a pair and two singles; flaky: fails four times, then reads
			export VM_PROFILE=CD-ROM VM_SECTORS=$cd_sectors VM_ECC=1 VM_DRIVES=4 \
				VM_BAD="300 301 1000 2500" VM_FLAKY="1700:4"
			set -- -b "$VM_BAD" -f "$VM_FLAKY" -i "$out/disc.iso" -i "$out/disc.iso" \
				-b "$VM_BAD" -s 1000000 -i "$out/disc.iso" -e
		else
			export VM_PROFILE=DVD-ROM VM_SECTORS=370000 VM_ECC=16 VM_DRIVES=2 \
				VM_BAD="100 1000 1001" VM_FLAKY="2000:4"
			set -- -b "$VM_BAD" -f "$VM_FLAKY" -i "$out/dvd.img" -i "$out/dvd.img"
		fi
		start=$(date +%s)
		# -t: a hang guard; check.sh runs the other passes beside the VM,
		# which can make a guest three times slower than alone
		"$here/boot.sh" -k "$kind" -w "$w" -t 600 "$@" "$here/guest_checks.sh" 2>&1 || {
			rc=$?
			# the checks have reported themselves unless the guest died
			grep -q '^not ok' "$w/guest.log" 2>/dev/null ||
				echo "not ok - vm $kind $disc: the guest failed (status $rc; see $w)"
		}
		echo "# vm $kind $disc: $(($(date +%s) - start)) s"
	done
}

# the guests wait on the drives and libburn's sleeps much of the time: one
# drive kind at a time would leave the CPUs half idle
for kind in $kinds; do
	boot_all "$kind" > "$out/$kind.out" &
done
wait
for kind in $kinds; do
	cat "$out/$kind.out"
done
! grep -q '^not ok' $(for kind in $kinds; do echo "$out/$kind.out"; done)
