#!/bin/sh
# guest_checks.sh - runs inside the guest (boot.sh), once per disc
# (guest_main.sh): spindle against real CD/DVD drives through the kernel's
# SG_IO, with medium errors injected by QEMU's blkdebug.  The drives, by
# their numbers for vm_drive as run.sh attaches them:
#   VM_DAMAGED  the damaged disc: VM_BAD unreadable, VM_FLAKY fail N times
#               (the checks run in order: verify, spindle rip, ddrescue,
#               xorriso; by xorriso's turn no flaky sector fails any more)
#   VM_CLEAN    the same disc, undamaged
#   VM_SLOW     (CD only) the damaged disc again with only VM_BAD, read slowly
#   VM_EMPTY    (CD only) no medium
# VM_IMAGE is the original image, VM_PROFILE the profile QEMU must report
# (CD-ROM or DVD-ROM), VM_SECTORS the disc's size, VM_ECC its ECC block,
# VM_DRIVES the number of optical drives in the guest.
. "$(dirname "$0")/guest_lib.sh"

damaged=$(vm_drive "$VM_DAMAGED")
clean=$(vm_drive "$VM_CLEAN")
slow=$([ -z "$VM_SLOW" ] || vm_drive "$VM_SLOW")
empty=$([ -z "$VM_EMPTY" ] || vm_drive "$VM_EMPTY")
image_sectors=$(($(stat -c %s "$VM_IMAGE") / 2048))
flaky_lbas=$(for f in $VM_FLAKY; do echo "${f%:*}"; done)
lines "$VM_BAD" > "$WORK/injected"
lines "$VM_BAD $flaky_lbas" > "$WORK/failing"
# what spindle must mark bad: whole ECC blocks on DVD, sectors on CD
blocks "$VM_ECC" $VM_BAD > "$WORK/expected"

c_drives() {
	run drives --json
	expect_exit 0
	json_read n '.drives | length' vendors '[.drives[].vendor] | unique | join(",")' \
		profile ".drives[] | select(.address == \"$damaged\") | .profiles[] | select(.current) | .name"
	expect_eq "$n" "$VM_DRIVES" "drives listed"
	expect_eq "$vendors" QEMU vendor
	expect_eq "$profile" "$VM_PROFILE" "loaded profile"
	run drives
	expect_exit 0
	expect_out "$damaged  QEMU QEMU"
	expect_out "$VM_PROFILE (loaded)"
}

c_info() {
	run info -d "$damaged" --json
	expect_exit 0
	json_read profile .profile_name status .status capacity .capacity_sectors \
		readable .readable_sectors tracks '.tracks | length' \
		start '.tracks[0].start_lba' sectors '.tracks[0].sectors'
	expect_eq "$profile" "$VM_PROFILE" profile
	expect_eq "$status" closed status
	expect_eq "$capacity" "$VM_SECTORS" capacity
	expect_eq "$readable" "$VM_SECTORS" "readable sectors"
	expect_eq "$tracks" 1 tracks
	expect_eq "$start" 0 "track start"
	expect_eq "$sectors" "$VM_SECTORS" "track size"
	run info -d "$damaged"
	expect_exit 0
	expect_out "$VM_PROFILE"
	expect_out "capacity:      $VM_SECTORS sectors"
}

# the first reader of the damaged drive: the flaky sectors fail too
c_verify_damaged() {
	needs verify
	run verify --json -v -d "$damaged" "$VM_IMAGE"
	expect_exit 6
	json_read outcome .outcome named '[.unreadable[] | range(.lba; .lba + .count)] | map(tostring) | join(" ")'
	expect_eq "$outcome" unreadable outcome
	for l in $named; do echo "$l"; done | sort -n > named
	expect_lbas "LBAs named unreadable" "$WORK/failing" named
	expect_err "could not be read: LBA $(ranges_text "$WORK/failing")"
	# the drive's sense data in plain words: virtio-SCSI reports a medium
	# error, QEMU's ATAPI drives "LBA out of range" for any read error
	first=$(head -n 1 "$WORK/failing")
	if [ "$VM_KIND" = scsi ]; then
		expect_err "detail: 03/11/00: unreadable sector at LBA $first (scratch or dye damage)"
	else
		expect_err "detail: 05/21/00: the drive cannot read the sector at LBA $first, although it lies inside the disc"
	fi
}

# the flaky sectors still fail some more times
c_rip_damaged() {
	needs rip
	run rip -d "$damaged" -o rip.iso --map rip.map --retries 3 --log-reads reads.log
	expect_exit 6
	lbas_from_map rip.map "$image_sectors" > bad
	expect_lbas "mapfile's bad sectors" "$WORK/expected" bad
}

c_rip_identical() {
	needs rip
	r=$WORK/c_rip_damaged
	[ -f "$r/rip.iso" ] || fail "no image from the rip"
	expect_same_except "$r/rip.iso" "$VM_IMAGE" "$WORK/expected"
}

c_rip_flaky() {
	needs rip
	r=$WORK/c_rip_damaged
	[ -f "$r/rip.map" ] || fail "no mapfile from the rip"
	for l in $flaky_lbas; do
		failed_reads_at "$r/reads.log" "$l" || fail "no read of flaky LBA $l failed"
		grep -qx "$l" "$r/bad" && fail "flaky LBA $l is marked bad"
		cmp -s -n 2048 -i $((l * 2048)) "$r/rip.iso" "$VM_IMAGE" ||
			fail "flaky LBA $l differs from the original"
	done
	return 0
}

# GNU ddrescue through the block device: exact sectors on every profile
c_ddrescue() {
	timeout 120 ddrescue -b2048 -d -r3 -s $((image_sectors * 2048)) \
		"$damaged" dd.iso dd.map > dd.log 2>&1 || { cat dd.log; fail "ddrescue failed"; }
	lbas_from_map dd.map "$image_sectors" > bad
	expect_lbas "ddrescue's bad sectors" "$WORK/injected" bad
}

# xorriso -check_media through libburn: a failed chunk is read again in
# steps of 1 sector on CD and 16 on DVD; chunks of one ECC block on DVD
c_xorriso() {
	timeout 120 xorriso -abort_on NEVER -indev "$damaged" -check_media \
		chunk_size=$((VM_ECC == 1 ? 64 : VM_ECC * 2))k max_lba=$((image_sectors - 1)) \
		-- > x.log 2>&1
	sed -n 's/^Media region : *\([0-9]*\) *, *\([0-9]*\) *, *-.*/\1 \2/p' x.log |
		while read -r start n; do seq "$start" $((start + n - 1)); done > bad
	grep -q '^Media region' x.log || { cat x.log; fail "no media regions from xorriso"; }
	expect_lbas "xorriso's bad sectors" "$WORK/expected" bad
}

c_peers_agree() {
	needs rip
	blocks "$VM_ECC" $(cat "$WORK/c_ddrescue/bad") > dd
	cmp -s dd "$WORK/c_rip_damaged/bad" || fail "spindle and ddrescue disagree"
	cmp -s "$WORK/c_xorriso/bad" "$WORK/c_rip_damaged/bad" || fail "spindle and xorriso disagree"
}

# kill -9 a rip on the slow drive mid-way (once its mapfile, saved every
# second, exists), resume it: the same image and mapfile as in one go
c_rip_resume() {
	needs rip
	"$SPINDLE" rip -d "$slow" -o r.iso --map r.map --retries 3 --map-interval 1 \
		> out1 2> err1 &
	pid=$!
	n=0
	while kill -0 $pid 2>/dev/null && [ $n -lt 120 ] && [ ! -f r.map ]; do
		sleep 0.25
		n=$((n + 1))
	done
	kill -0 $pid 2>/dev/null || { cat err1; fail "the rip ended before it could be killed"; }
	kill -KILL $pid
	wait $pid
	[ $? -eq 137 ] || fail "the rip was not killed"
	lbas_from_map r.map "$image_sectors" > left
	[ "$(wc -l < left)" -gt 100 ] || fail "the rip was killed too late to tell"
	run rip -d "$slow" -o r.iso --map r.map --retries 3
	expect_exit 6
	r=$WORK/c_rip_damaged
	cmp -s r.iso "$r/rip.iso" || fail "the resumed image differs from an uninterrupted rip's"
	grep -v '^#' r.map | sed 1d > areas.resumed
	grep -v '^#' "$r/rip.map" | sed 1d > areas.once
	cmp -s areas.resumed areas.once || fail "the resumed mapfile differs from an uninterrupted rip's"
}

c_verify_clean() {
	needs verify
	run verify -d "$clean" "$VM_IMAGE"
	expect_exit 0
	expect_out "verify: match, $image_sectors sectors"
	expect_out "$(sha256sum "$VM_IMAGE" | cut -d' ' -f1)"
}

c_rip_clean() {
	needs rip
	run rip -d "$clean" -o c.iso --map c.map
	expect_exit 0
	cmp -s c.iso "$VM_IMAGE" || fail "the rip differs from the original"
	lbas_from_map c.map "$image_sectors" > bad
	[ ! -s bad ] || fail "sectors marked bad on a clean disc"
}

c_empty_info() {
	run info -d "$empty"
	expect_exit 0
	expect_out "status:        empty"
}

c_empty_verify() {
	needs verify
	run verify -d "$empty" "$VM_IMAGE"
	expect_exit 4
	expect_err "no disc in the drive"
}

c_empty_rip() {
	needs rip
	run rip -d "$empty" -o e.iso
	expect_exit 4
	expect_err "no disc in"
	[ ! -e e.iso ] || fail "rip created an image from an empty drive"
}

# another program holds the drive (xorriso, waiting for commands)
c_busy() {
	ctl=/dev/shm/xorriso.ctl log=/dev/shm/xorriso.log  # FIFOs on 9p would block QEMU itself
	mkfifo $ctl $log
	timeout 120 xorriso -abort_on NEVER -dialog on -dev "$clean" < $ctl > $log 2>&1 &
	pid=$!
	exec 3> $ctl 4< $log
	rm $ctl $log
	# until xorriso says it has the drive, its output as it comes (no
	# polling: every process started costs ~0.1 s of emulated CPU)
	while IFS= read -r line <&4; do
		echo "$line" >> x.log
		case $line in *"Drive current"*) break ;; esac
	done
	run info -d "$clean"
	cp out info.out
	cp err info.err
	RC_INFO=$RC
	run drives --json
	echo "-end" >&3
	exec 3>&-
	cat <&4 >> x.log
	exec 4<&-
	wait $pid
	grep -q "Drive current" x.log || { cat x.log; fail "xorriso did not take the drive"; }
	expect_exit 0
	json_read drive ".drives[] | select(.address == \"$clean\") | [.busy, .vendor] | join(\" \")" \
		busy '[.drives[] | select(.busy)] | length'
	expect_eq "$drive" "true QEMU" "drives: $clean busy, vendor"
	expect_eq "$busy" 1 "busy drives"
	mv info.out out
	mv info.err err
	RC=$RC_INFO
	expect_exit 3
	expect_err "drive '$clean' is in use by another program"
}

check "spindle drives lists the QEMU drives and the $VM_PROFILE profile" c_drives
check "spindle info shows $VM_PROFILE, capacity and track" c_info
check "verify of a damaged disc exits 6 naming exactly the failing LBAs" c_verify_damaged
check "rip of a damaged disc marks exactly the injected LBAs bad (ECC block $VM_ECC)" c_rip_damaged
check "rip of a damaged disc: every other sector identical to the original" c_rip_identical
check "rip recovers the flaky sectors" c_rip_flaky
check "GNU ddrescue -b2048 -d finds exactly the injected LBAs" c_ddrescue
check "xorriso -check_media finds the injected LBAs (ECC block $VM_ECC)" c_xorriso
check "spindle rip, ddrescue and xorriso agree on the bad LBAs" c_peers_agree
check "verify of a clean disc matches the original image" c_verify_clean
check "rip of a clean disc gives the original image" c_rip_clean
if [ -n "$slow" ]; then
	check "a rip killed mid-way and resumed gives the same image and mapfile" c_rip_resume
fi
if [ -n "$empty" ]; then
	check "info on a drive with no medium says it is empty" c_empty_info
	check "verify on a drive with no medium: clear error, exit 4" c_empty_verify
	check "rip on a drive with no medium: clear error, exit 4" c_empty_rip
	check "a drive held by another program: info says so (exit 3), drives lists it as busy" c_busy
fi
# ---- files: UDF written by the guest kernel's own driver ----------------

# udf_tree DIR: what the kernel writes: nested directories, a name in
# another script, a symlink, a file small enough to live in its entry and
# files of several packets
udf_tree() {
	mkdir -p "$1/d/e" "$1/Ελληνικά"
	echo tiny > "$1/tiny.txt"
	head -c 300000 /dev/urandom > "$1/d/e/big.bin"
	head -c 150000 /dev/urandom > "$1/Ελληνικά/файл.bin"
	ln -s tiny.txt "$1/link"
}

# udf_written SPEC IMAGE: mkudffs IMAGE (SPEC media:revision), mount it with
# the kernel's UDF driver, copy udf_tree in, unmount
udf_written() {
	mkudffs --new-file --media-type="${1%%:*}" --udfrev="${1#*:}" -b 2048 \
		--label=kernel "$2" 4000 > mkudffs.log 2>&1 || { cat mkudffs.log; fail "mkudffs $1"; }
	mkdir -p mnt
	mount -t udf -o loop,rw "$2" mnt || fail "the kernel cannot mount UDF $1"
	grep -q " $PWD/mnt udf rw" /proc/mounts || { umount mnt; fail "UDF $1 mounted read-only"; }
	cp -a src/. mnt/ || { umount mnt; fail "copying onto UDF $1"; }
	umount mnt || fail "unmounting UDF $1"
}

# kernel_agrees IMAGE DIR: the kernel's UDF driver (7-Zip opens neither a
# kernel-written 1.02 nor a sparable partition) reads DIR's tree in IMAGE
kernel_agrees() {
	mount -t udf -o loop,ro "$1" mnt || fail "the kernel cannot mount $1 read-only"
	diff -r --no-dereference mnt "$2" > diff.log 2>&1
	rc=$?
	umount mnt
	[ $rc -eq 0 ] || { cat diff.log; fail "$2 differs from what the kernel reads"; }
}

# A CD-RW's UDF 2.01 (a sparable partition) written by the kernel (UDF
# 1.02 and 2.01 on other media are mkudffs' and genisoimage's in
# test_extract, 2.50 the kernel does not write): ls and extract give the
# tree the kernel reads; then a packet of big.bin is moved to the spare area
# by the sparing table, as a drive does with a worn packet, and extraction
# follows the table as the kernel does
c_udf_kernel_written() {
	udf_tree src
	for spec in cdrw:2.01; do
		rm -rf img dest
		udf_written "$spec" img
		run ls --json img /d/e/big.bin
		expect_exit 0
		json_read fs .fs lba '.files[-1].lba'
		expect_eq "$fs" udf "$spec: tree"
		run extract img -C dest
		expect_exit 0
		diff -r --no-dereference src dest > diff.log 2>&1 || { cat diff.log; fail "$spec: extract differs"; }
		kernel_agrees img dest
	done
	python3 "$TOP_SRCDIR/tests/disc/udfspare.py" img $((lba + 40)) || fail "moving the packet"
	rm -rf dest
	run extract img -C dest
	expect_exit 0
	cmp src/d/e/big.bin dest/d/e/big.bin || fail "big.bin differs after the remap"
	kernel_agrees img dest
}

# UDF 2.50 with a metadata partition (Blu-ray), which the kernel reads but
# does not write: the kernel writes a UDF 2.01 image, tests/disc/udfmeta.py
# moves its partition into a metadata file (map type 2, revision 2.50 in
# every field); spindle's extraction must be the tree the kernel reads
c_udf_250_kernel_reads() {
	udf_tree src
	udf_written hd:2.01 img
	python3 "$TOP_SRCDIR/tests/disc/udfmeta.py" img m.img || fail "udfmeta.py"
	udfinfo m.img > info.txt 2> /dev/null
	grep -qx "udfrev=2.50" info.txt || { cat info.txt; fail "not UDF 2.50"; }
	run ls --json m.img
	expect_exit 0
	expect_eq "$(json_get .fs)" udf "2.50: tree"
	run extract m.img -C dest
	expect_exit 0
	diff -r --no-dereference src dest > diff.log 2>&1 || { cat diff.log; fail "2.50: extract differs"; }
	# the kernel's reasons, should it refuse the image
	mkdir -p mnt
	mount -t udf -o loop,ro m.img mnt || { dmesg | tail -n 15; fail "the kernel cannot mount UDF 2.50"; }
	umount mnt
	kernel_agrees m.img dest
}

# a file-system check: the drive's bus adds nothing, so one boot runs it,
# the ATAPI one (the SCSI CD guest also carries the stick checks)
if [ "$VM_DISC" = cd ] && [ "$VM_KIND" = ide ]; then
	check "files: a CD-RW's UDF written by the kernel, read by ls/extract, a spared packet followed" \
		c_udf_kernel_written
	check "files: UDF 2.50 with a metadata partition, extracted as the kernel reads it" \
		c_udf_250_kernel_reads
fi

# USB sticks (usb): in the guest that has them
[ "$VM_KIND-$VM_DISC" != "${VM_STICK_GUEST:-}" ] || . "$(dirname "$0")/guest_stick.sh"
[ $failed -eq 0 ]
