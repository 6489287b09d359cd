#!/bin/sh
# run.sh - the VM test bed: spindle against emulated CD/DVD drives through
# the real kernel.  For each drive kind (SPINDLE_VM_KINDS, default "scsi
# ide": virtio-SCSI and ATAPI on PIIX; "ahci" too) it boots one guest with
# drives holding a CD-sized and a DVD-sized disc (SPINDLE_VM_DISCS="cd dvd"),
# which runs guest_checks.sh for each disc (guest_main.sh); they print
# ok/not ok/skip lines.  The kinds boot in parallel.  Called by
# tests/run.sh (unless SPINDLE_NO_VM=1) and by `make check-vm`.  Work
# folders: tests/out/vm/KIND, and KIND/DISC for each disc's checks (keep
# the path free of spaces: it goes on the guest's kernel command line).
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
# the stick checks (usb): a 64 MiB USB stick and a 32 MiB virtio disk, in
# the guest of one kind (boot.sh), checked by guest_stick.sh in the turn of
# one disc
truncate -s 64M "$out/stick.img"
truncate -s 32M "$out/vdisk.img"
xz -1 -T2 --block-size=2MiB -kc "$out/disc.iso" > "$out/disc.iso.xz"
export VM_STICK="$out/stick.img" VM_VDISK="$out/vdisk.img" VM_STICK_GUEST=scsi-cd \
	VM_STICK_XZ="$out/disc.iso.xz"

# boot_kind KIND: one guest with drives of this kind for every disc.  Its
# drives, as vm_drive numbers them in the guest (boot.sh attaches them in
# this order; ide 4 and 5 are on a third channel, which sorts last):
#   0  CD, damaged: VM_BAD unreadable, VM_FLAKY fail N times
#   1  CD, the same disc undamaged
#   2  DVD, damaged
#   3  DVD, undamaged
#   4  CD, damaged (VM_BAD only) and read slowly
#   5  no medium
# guest_main.sh runs guest_checks.sh once per disc, with that disc's
# VM_<DISC>_* variables as VM_*.
boot_kind() {
	kind=$1
	w=$out/$kind
	mkdir -p "$w"
	export VM_KIND=$kind VM_DISCS="$discs"
	n=0
	set --
	for disc in $discs; do
		if [ $disc = cd ]; then
			# bad: a pair and two singles; flaky: fails four times, then reads
			export VM_CD_PROFILE=CD-ROM VM_CD_SECTORS=$cd_sectors VM_CD_ECC=1 \
				VM_CD_BAD="300 301 1000 2500" VM_CD_FLAKY="1700:4" \
				VM_CD_DAMAGED=$n VM_CD_CLEAN=$((n + 1))
			set -- "$@" -b "$VM_CD_BAD" -f "$VM_CD_FLAKY" -i "$out/disc.iso" -i "$out/disc.iso"
		else
			export VM_DVD_PROFILE=DVD-ROM VM_DVD_SECTORS=370000 VM_DVD_ECC=16 \
				VM_DVD_BAD="100 1000 1001" VM_DVD_FLAKY="2000:4" \
				VM_DVD_DAMAGED=$n VM_DVD_CLEAN=$((n + 1))
			set -- "$@" -b "$VM_DVD_BAD" -f "$VM_DVD_FLAKY" -i "$out/dvd.img" -i "$out/dvd.img"
		fi
		n=$((n + 2))
	done
	case " $discs " in *" cd "*)
		# the CD's slow drive and the empty one at 4 and 5 (on ide a
		# third channel: the damaged and clean drives stay on PIIX)
		while [ $n -lt 4 ]; do
			set -- "$@" -e
			n=$((n + 1))
		done
		export VM_CD_SLOW=$n VM_CD_EMPTY=$((n + 1))
		set -- "$@" -b "$VM_CD_BAD" -s 1000000 -i "$out/disc.iso" -e
		n=$((n + 2))
	esac
	export VM_DRIVES=$n
	start=$(date +%s)
	# -t: a hang guard; check.sh runs the other passes beside the VM,
	# which can make a guest three times slower than alone
	"$here/boot.sh" -k "$kind" -w "$w" -t 900 "$@" "$here/guest_main.sh" 2>&1 || {
		rc=$?
		# the checks have reported themselves unless the guest died
		grep -q '^not ok' "$w/guest.log" 2>/dev/null ||
			echo "not ok - vm $kind: the guest failed (status $rc; see $w)"
	}
	echo "# vm $kind ($discs): $(($(date +%s) - start)) s"
}

# one guest per drive kind, side by side (each emulates one CPU)
for kind in $kinds; do
	boot_kind "$kind" > "$out/$kind.out" &
done
wait
for kind in $kinds; do
	cat "$out/$kind.out"
done
! grep -q '^not ok' $(for kind in $kinds; do echo "$out/$kind.out"; done)
