#!/bin/sh
# boot.sh - boot a test guest with emulated CD/DVD drives and run a
# script in it, as root in the host's root filesystem (read-only over 9p),
# against the drive at /dev/srN through the real kernel.
#
#   boot.sh -k KIND -w WORK [-b "LBA ..."] [-f "LBA:N ..."] [-s BPS] -i DISC ... [-e]
#           [-t SECONDS] SCRIPT
#
#   -k  scsi (virtio-scsi scsi-cd), ide (PIIX ide-cd) or ahci (AHCI ide-cd)
#   -w  work folder, writable in the guest at the same path; gets the
#       console log, blkdebug rules, env, guest.log and guest.rc
#   -i  add a drive holding DISC (read-only); repeatable
#   -b  unreadable LBAs (2048-byte sectors) of the next -i: medium errors
#   -f  flaky LBAs of the next -i: LBA:N fails N times, then reads
#   -s  the next -i reads at most this many bytes per second
#   -e  add a drive with no medium
#   -t  time limit for the whole guest (default 240 s)
#
# Drives are attached in the order given; in the guest, vm_drive N (in
# guest_lib.sh) finds the Nth.  The script runs as root with cwd WORK and
# the variables SPINDLE, TOP_SRCDIR, TOP_BUILDDIR, PATH and every VM_*
# variable of the caller.  Prints the script's output; exits with its
# status (124 on time-out).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kind=scsi work="" bad="" flaky="" bps="" limit=240 specs=""
while getopts k:w:i:b:f:s:et: o; do
	case $o in
	k) kind=$OPTARG ;;
	w) work=$OPTARG ;;
	b) bad=$OPTARG ;;
	f) flaky=$OPTARG ;;
	s) bps=$OPTARG ;;
	i) specs="$specs$(realpath "$OPTARG")|$bad|$flaky|$bps
"
	   bad="" flaky="" bps="" ;;
	e) specs="$specs|||
" ;;
	t) limit=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] && [ -n "$work" ] && [ -n "$specs" ] ||
	{ echo "usage: boot.sh -k KIND -w WORK [-b BAD] [-f FLAKY] [-s BPS] -i DISC ... [-e] SCRIPT" >&2; exit 2; }
case $kind in scsi|ide|ahci) ;; *)
	echo "boot.sh: unknown drive kind '$kind' (scsi, ide or ahci)" >&2; exit 2 ;;
esac
script=$(realpath "$1")
work=$(realpath "$work")
set -- $("$here/mkinitramfs.sh")
kernel=$1 initrd=$2

# qemu option values escape a comma by doubling it
q() { printf '%s' "$1" | sed 's/,/,,/g'; }

# a blkdebug rule for a 2048-byte LBA (blkdebug counts 512-byte sectors)
rule() {
	printf '[inject-error]\nevent = "read_aio"\nerrno = "61"\nsector = "%s"\nonce = "%s"\n\n' \
		$(($1 * 4)) "$2"
}

# -drive for drive $n from "disc|bad|flaky|bps"
drive_opts() {
	IFS='|' read -r disc bad flaky bps <<EOS
$1
EOS
	if [ -z "$disc" ]; then
		echo "-drive if=none,id=cd$n,media=cdrom"
		return
	fi
	file="file.driver=file,file.filename=$(q "$disc")"
	if [ -n "$bad$flaky" ]; then
		conf="$work/blkdebug$n.conf"
		: > "$conf"
		for l in $bad; do rule "$l" off >> "$conf"; done
		for lf in $flaky; do
			for _ in $(seq "${lf#*:}"); do rule "${lf%:*}" on >> "$conf"; done
		done
		file="file.driver=blkdebug,file.config=$(q "$conf"),file.image.driver=file"
		file="$file,file.image.filename=$(q "$disc")"
	fi
	[ -z "$bps" ] || file="$file,throttling.bps-read=$bps"
	echo "-drive if=none,id=cd$n,media=cdrom,readonly=on,rerror=report,format=raw,$file"
}

# -device for drive $n: one virtio-scsi target, PIIX master/slave or AHCI
# port each; ide drives 4 and 5 on a third IDE channel (an ISA controller,
# pata_legacy in the guest): PIIX has only two channels of two
device_opts() {
	case $kind in
	scsi) echo "-device scsi-cd,drive=cd$n,bus=scsi0.0,scsi-id=$n" ;;
	ide) if [ $n -lt 4 ]; then
		echo "-device ide-cd,drive=cd$n,bus=ide.$((n / 2)),unit=$((n % 2))"
	     else
		[ $n -gt 4 ] || echo "-device isa-ide,id=isaide,iobase=0x1e8,iobase2=0x3ee,irq=11"
		echo "-device ide-cd,drive=cd$n,bus=isaide.0,unit=$((n - 4))"
	     fi ;;
	ahci) echo "-device ide-cd,drive=cd$n,bus=ahci0.$n" ;;
	esac
}

case $kind in
scsi) drives="-device virtio-scsi-pci,id=scsi0" ;;
ahci) drives="-device ahci,id=ahci0" ;;
ide) drives="" ;;
esac
n=0
while IFS= read -r spec; do
	[ -n "$spec" ] || continue
	drives="$drives $(drive_opts "$spec") $(device_opts)"
	n=$((n + 1))
done <<EOS
$specs
EOS

# the stick checks (usb): VM_STICK, a removable QEMU usb-storage stick on
# xHCI, and VM_VDISK, a fixed virtio disk, for the guest of the kind of
# VM_STICK_GUEST (KIND-DISC: guest_checks.sh runs the stick checks in that
# disc's turn) only
if [ -n "${VM_STICK:-}" ] && [ "${VM_STICK_GUEST%%-*}" = "${VM_KIND:-}" ]; then
	drives="$drives -device qemu-xhci,id=xhci -drive if=none,id=stick,format=raw,file=$(q "$VM_STICK")"
	drives="$drives -device usb-storage,bus=xhci.0,drive=stick,removable=on"
	drives="$drives -drive if=none,id=vdisk,format=raw,file=$(q "$VM_VDISK") -device virtio-blk-pci,drive=vdisk"
	limit=$((limit + 120))  # the stick checks' share
fi

{
	# PATH: the system's folders first: every miss on the way costs a 9p
	# round trip, and a python3 shim (pyenv) would start several shells
	guest_path=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
	for v in SPINDLE TOP_SRCDIR TOP_BUILDDIR PATH $(env | sed -n 's/^\(VM_[A-Za-z0-9_]*\)=.*/\1/p'); do
		eval "val=\${$v:-}"
		[ $v != PATH ] || val=$guest_path
		printf "export %s='%s'\n" "$v" "$(printf '%s' "$val" | sed "s/'/'\\\\''/g")"
	done
	printf "export GUEST_SCRIPT='%s' WORK='%s' TMPDIR='%s/tmp' HOME='%s' LC_ALL=C\n" \
		"$script" "$work" "$work" "$work"
} > "$work/env"
mkdir -p "$work/tmp"
rm -f "$work/guest.rc" "$work/guest.log"

rc=0
isaide=0
[ "$kind" != ide ] || [ $n -le 4 ] || isaide=1
# qboot: a firmware that starts the kernel at once (SeaBIOS otherwise)
bios=""
[ ! -f /usr/share/qemu/qboot.rom ] || bios="-bios /usr/share/qemu/qboot.rom"
# -smp 1: under TCG a second vCPU costs more CPU than it gains (every TLB
# flush of a multi-threaded guest stops both vCPUs); the checks run one
# at a time anyway.  no_timer_check: on a busy host the emulated guest's
# IO-APIC timer test can fail ("IO-APIC + timer doesn't work") and panic
# the guest at boot.  mitigations=off: the guest runs only the tests;
# cryptomgr.notests: no self-test of each crypto algorithm at boot.
# shellcheck disable=SC2086
timeout -k 5 "$limit" qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nodefaults $bios \
	-display none -serial "file:$work/console.log" -no-reboot \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 quiet no_timer_check mitigations=off cryptomgr.notests spindle.work=$work spindle.drives=$n spindle.isaide=$isaide" \
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
	-virtfs "local,path=$(q "$work"),mount_tag=work,security_model=none,multidevs=remap" \
	$drives > "$work/qemu.log" 2>&1 || rc=$?
[ -f "$work/guest.log" ] && cat "$work/guest.log"
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "boot.sh: the guest did not finish within $limit s; console:" >&2
	tail -n 20 "$work/console.log" >&2
	exit 124
fi
if [ ! -f "$work/guest.rc" ]; then
	echo "boot.sh: the guest ended without running the script (qemu status $rc):" >&2
	tail -n 20 "$work/qemu.log" "$work/console.log" >&2
	exit 1
fi
exit "$(cat "$work/guest.rc")"
