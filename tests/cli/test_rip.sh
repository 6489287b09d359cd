#!/bin/sh
# spindle rip and spindle files: rescue on generated damage, reports,
# bad inputs.  Damage comes from --test-mode maps made at test time.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/cli/rip_lib.sh"

test_rip_clean() {
	mkimg src 3000
	run rip src -o out.iso
	expect_exit 0
	expect_same src out.iso
	expect_out "rescued 100.00%"
	expect_out "sha256: $(sha256 src)"
	expect_eq "$(blocks out.iso.map)" "0 6144000 +"
	grep -q '^0x00000000  0x005DC000  +$' out.iso.map || fail "not ddrescue's block line format"
	grep -q '^0x00000000     +               1$' out.iso.map || fail "status line not finished"
	run rip -d stdio:src -o out2.iso --map m2 --json
	expect_exit 0
	expect_eq "$(json_get .ok)" true
	expect_eq "$(json_get .sha256)" "$(sha256 src)"
	expect_eq "$(json_get .rescued_bytes)" 6144000
	expect_eq "$(json_get .extent_source)" capacity
	expect_eq "$(json_get '.bad_ranges | length')" 0
	[ -f m2 ] || fail "no mapfile m2"
}

test_rip_block_device() {
	[ "$(id -u)" = 0 ] || skip "needs root for a loop device"
	mkimg src 1000
	dev=$(losetup -f --show src 2>/dev/null) || skip "no loop devices here"
	damagemap dmg.map 1000 dvd 3 sparse
	run rip "$dev" -o out.iso --ecc-block 16 --test-mode=dmg.map
	rc=$RC
	losetup -d "$dev"
	RC=$rc
	expect_exit 6
	expect_rescue src out.iso out.iso.map dmg.map
}

rip_pattern() { # KIND ECC PATTERN SEED SECTORS
	rm -f out.iso out.iso.map
	mkimg src "$5"
	damagemap dmg.map "$5" "$1" "$4" "$3"
	run rip src -o out.iso --ecc-block "$2" --test-mode=dmg.map --log-reads=reads.log --json
	expect_exit 6
	expect_eq "$(json_get .error.code)" unreadable
	expect_rescue src out.iso out.iso.map dmg.map
	bad=$(sed -n 's/^bad //p' damagemap.err)
	expect_eq "$(json_get .missing_bytes)" $((bad * 2048)) "missing bytes"
	set -- $(reads reads.log)
	expect_eq "$(json_get .failed_reads)" "$2" "failed reads in the report and the log"
}

test_rip_dvd_damage() {
	for p in clusters scratch edgerot sparse mixed; do
		rip_pattern dvd 16 $p 7 12000
	done
}

test_rip_bd_damage() {
	for p in clusters scratch edgerot sparse mixed; do
		rip_pattern bd 32 $p 11 12000
	done
}

test_rip_cd_damage() {
	for p in clusters scratch edgerot sparse mixed; do
		rip_pattern cd 1 $p 5 6000
	done
}

test_rip_one_failing_read_per_ecc_block() {
	mkimg src 2000
	# three isolated unreadable DVD ECC blocks
	printf 'bad 320 16\nbad 1024 16\nbad 1600 16\n' > spec
	run rip src -o out.iso --ecc-block 16 --test-damage=spec --log-reads=reads.log
	expect_exit 6
	set -- $(reads reads.log)
	# one read finds each block in a 64 KiB chunk, one more pins it down
	[ "$2" -le 6 ] || fail "$2 failing reads for 3 bad ECC blocks"
	expect_out "LBA 320-335 (16 sectors)"
	expect_out "LBA 1024-1039 (16 sectors)"
	expect_out "LBA 1600-1615 (16 sectors)"
}

test_rip_flaky_recovered_by_retries() {
	mkimg src 1000
	printf 'flaky 100 16 2\nflaky 700 3 1\n' > spec
	run rip src -o out.iso --ecc-block 16 --test-damage=spec --retries 0
	expect_exit 6
	expect_err "could not be read"
	# the same damage again: fresh flaky counters, and retry passes
	run rip src -o out.iso --ecc-block 16 --test-damage=spec --retries 3 --json
	expect_exit 0
	expect_eq "$(json_get .resumed)" true
	expect_same src out.iso
	expect_eq "$(json_get .sha256)" "$(sha256 src)"
}

test_rip_runout_not_damage() {
	mkimg src 500
	printf 'runout 498 2\n' > spec
	run rip src -o out.iso --test-damage=spec --retries 2 --json
	expect_exit 0
	expect_eq "$(json_get '.runout_ranges[0].lba')" 498
	expect_eq "$(json_get '.runout_ranges[0].sectors')" 2
	expect_eq "$(json_get '.bad_ranges | length')" 0
	run rip src -o out2.iso --test-damage=spec
	expect_exit 0
	expect_out "run-out sectors after a TAO track (not damage): 1"
	expect_out "LBA 498-499 (2 sectors)"
	cmp -s -n $((498 * 2048)) src out2.iso || fail "data before the run-out differs"
}

test_rip_max_area_retries() {
	mkimg src 600
	printf 'bad 100 200\n' > spec
	run rip src -o out.iso --ecc-block 1 --test-damage=spec --retries 1 \
		--max-area-retries 5 --log-reads=reads.log
	expect_exit 6
	# the retry pass gives up the 200-sector area after 5 failures
	n=$(sed -n '/Retrying/,$p' reads.log | awk '!/^#/ && NF == 4 && $4 > 0' | wc -l)
	expect_eq "$n" 5 "failing reads in the retry pass"
}

mkiso() { # DIR ISO: an ISO with files a (small), big (600 KiB), c
	mkdir -p "$1/sub"
	echo hello > "$1/a.txt"
	head -c 614400 /dev/zero | tr '\0' 'b' > "$1/sub/big.bin"
	echo world > "$1/c.txt"
	xorriso -as mkisofs -quiet -R -o "$2" "$1" 2>/dev/null || skip "xorriso cannot master"
}

lba_of() { # ISO PATH
	xorriso -indev "$1" -find "$2" -exec report_lba 2>/dev/null |
		sed -n "s/^File data lba: *0 *, *\([0-9]*\) ,.*/\1/p"
}

test_rip_iso_extent_and_files() {
	mkiso tree disc.iso
	sectors=$(($(stat -c %s disc.iso) / 2048))
	cat disc.iso > src
	head -c 1048576 /dev/urandom >> src    # a tail the ISO does not claim
	big=$(lba_of disc.iso /sub/big.bin)
	[ -n "$big" ] || fail "no LBA for big.bin"
	printf 'bad %d 16\n' $(((big + 100) / 16 * 16)) > spec
	run rip src -o out.iso --ecc-block 16 --test-damage=spec --json
	expect_exit 6
	expect_eq "$(json_get .extent_source)" iso9660
	expect_eq "$(json_get .extent_sectors)" "$sectors"
	expect_eq "$(stat -c %s out.iso)" "$(stat -c %s disc.iso)" "image size"
	expect_eq "$(json_get '.files | length')" 1
	expect_eq "$(json_get '.files[0].path')" /sub/big.bin
	expect_eq "$(json_get '.files[0].bad_sectors')" 16
	run files --map out.iso.map out.iso
	expect_exit 6
	expect_out "files hit by bad areas: 1 of 3"
	expect_out "/sub/big.bin (16 bad sectors"
	expect_no_out "a.txt"
	run files --map out.iso.map out.iso --json
	expect_eq "$(json_get '.files[0].first_bad_lba')" $(((big + 100) / 16 * 16))
	expect_exit 6
	expect_eq "$(json_get .ok)" false
	expect_eq "$(json_get .error.code)" unreadable
	expect_eq "$(json_get .error.exit)" 6
	# --whole-disc takes the tail too
	run rip src -o whole.iso --whole-disc
	expect_exit 0
	expect_same src whole.iso
}

test_rip_udf_extent() {
	mkimg src 2000
	# a bare UDF volume: recognition sequence at 16, anchor at 256 pointing
	# to a descriptor sequence at 32 whose partition runs 300..1299
	put() { printf "$2" | dd of=src bs=1 seek=$(($1)) conv=notrunc status=none; }
	put '16*2048' '\000BEA01\001'
	put '256*2048' '\002\000\002\000\004\000\000\000\000\000\000\000\000\000\000\000'
	put '256*2048+16' '\000\200\000\000\040\000\000\000'
	put '32*2048' '\005\000\002\000\007\000\000\000\000\000\000\000\000\000\000\000'
	put '32*2048+188' '\054\001\000\000\350\003\000\000'
	put '33*2048' '\010\000\002\000\012\000\000\000\000\000\000\000\000\000\000\000'
	run rip src -o out.iso --json
	expect_exit 0
	expect_eq "$(json_get .extent_source)" udf
	expect_eq "$(json_get .extent_sectors)" 1300
	cmp -s -n $((1300 * 2048)) src out.iso || fail "the image differs from the volume"
	expect_eq "$(stat -c %s out.iso)" $((1300 * 2048)) "image size"
}

test_rip_iso_tree_unreadable() {
	mkiso tree disc.iso
	root=$(od -An -tu4 -j $((16 * 2048 + 158)) -N4 disc.iso | tr -d ' ')
	printf 'bad %d 1\n' "$root" > spec
	run rip disc.iso -o out.iso --test-damage=spec --json
	expect_exit 6
	expect_eq "$(json_get .files)" null
	expect_eq "$(json_get .files_error)" "cannot read the ISO 9660 tree of 'out.iso': its directory lies in a bad area"
	expect_err "warning: cannot list the damaged files"
	expect_eq "$(json_get '.bad_ranges[0].lba')" "$root"
}

test_files_clean_and_errors() {
	mkiso tree disc.iso
	printf '0 +\n0 %d +\n' "$(stat -c %s disc.iso)" > good.map
	run files --map good.map disc.iso
	expect_exit 0
	expect_out "files hit by bad areas: 0 of 3"
	run files disc.iso
	expect_exit 2
	expect_err "give --map MAPFILE"
	run files --map missing.map disc.iso
	expect_exit 1
	expect_err "cannot open mapfile 'missing.map'"
	printf 'junk\n' > junk.map
	run files --map junk.map disc.iso
	expect_exit 1
	expect_err "not a valid mapfile"
	mkimg notiso 40
	run files --map good.map notiso
	expect_exit 1
	expect_err "cannot read the ISO 9660 tree of 'notiso'"
}

test_rip_refuses_foreign_output() {
	mkimg src 100
	echo precious > out.iso
	run rip src -o out.iso
	expect_exit 1
	expect_err "'out.iso' already exists and has no mapfile"
	expect_err "hint: "
	expect_eq "$(cat out.iso)" precious
	: > out.iso.map
	run rip src -o out.iso
	expect_exit 1
	expect_err "'out.iso' already exists and has no mapfile ('out.iso.map') with anything in it"
	expect_eq "$(cat out.iso)" precious
	run rip src -o out.iso --force
	expect_exit 0
	expect_same src out.iso
}

test_rip_mapfile_other_size() {
	mkimg src 100
	printf '0 +\n0 0x100000 -\n' > other.map
	cp other.map before.map
	run rip src -o out.iso --map other.map
	expect_exit 1
	expect_err "mapfile 'other.map' is for 1048576 bytes, but this rip is 204800 bytes"
	expect_err "hint: is it another disc's mapfile?"
	expect_same before.map other.map
	[ ! -e out.iso ] || fail "created out.iso"
	# a shorter one (ddrescue ends maps where its domain ends) is extended
	printf '0 +\n0 0x1000 -\n' > short.map
	run rip src -o out.iso --map short.map
	expect_exit 0
	expect_err "covers 4096 of 204800 bytes"
	expect_same src out.iso
}

test_rip_corrupt_mapfile() {
	mkimg src 100
	run rip src -o out.iso
	printf '0 +\n0 0x1000 +\nbroken line\n' > out.iso.map
	cp out.iso.map before.map
	cp out.iso before.iso
	run rip src -o out.iso
	expect_exit 1
	expect_err "'out.iso.map' is not a valid mapfile: mapfile line 3"
	expect_same before.map out.iso.map
	expect_same before.iso out.iso
}

test_rip_map_without_image() {
	mkimg src 100
	run rip src -o out.iso
	rm out.iso
	run rip src -o out.iso
	expect_exit 1
	expect_err "records rescued data, but 'out.iso' does not exist"
}

test_rip_unwritable_output() {
	mkimg src 100
	run rip src -o nodir/out.iso --map ok.map
	expect_exit 1
	expect_err "cannot open 'nodir/out.iso' for writing: No such file or directory"
	[ "$(id -u)" = 0 ] || skip "needs root to mount a read-only tmpfs"
	mkdir ro
	mount -t tmpfs -o ro,size=1m tmpfs ro 2>/dev/null || skip "cannot mount tmpfs"
	run rip src -o ro/out.iso --map ok2.map
	umount ro
	expect_exit 1
	expect_err "Read-only file system"
}

test_rip_disk_full() {
	[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs"
	mkimg src 2000          # 4 MB into 1 MiB
	mkdir full
	mount -t tmpfs -o size=1m tmpfs full 2>/dev/null || skip "cannot mount tmpfs"
	run rip src -o full/out.iso --map out.map
	rc=$RC
	cp full/out.iso saved.iso 2>/dev/null
	umount full
	RC=$rc
	expect_exit 9
	expect_err "No space left on device"
	expect_err "hint: free some space"
	expect_consistent src saved.iso out.map
	# with the space back, the same rip continues to the end
	run rip src -o saved.iso --map out.map
	expect_exit 0
	expect_same src saved.iso
	# the mapfile on the full filesystem too: the old one stays valid
	mount -t tmpfs -o size=1m tmpfs full || fail "cannot mount tmpfs again"
	run rip src -o full/out.iso --map-interval 0
	rc=$RC
	cp full/out.iso both.iso
	cp full/out.iso.map both.map 2>/dev/null
	ls full > left
	umount full
	RC=$rc
	expect_exit 9
	expect_err "No space left on device"
	[ -f both.map ] || fail "no mapfile left"
	grep -q tmp left && fail "a temporary file was left: $(cat left)"
	expect_consistent src both.iso both.map
	run rip src -o both.iso --map both.map
	expect_exit 0
	expect_same src both.iso
}

test_rip_usage_errors() {
	mkimg src 10
	run rip src
	expect_exit 2
	expect_err "no output: give -o OUT.iso"
	run rip -d stdio:src src -o x
	expect_exit 2
	expect_err "either -d DRIVE or SOURCE"
	run rip src -o x --map x
	expect_exit 2
	run rip src -o x --ecc-block 0
	expect_exit 2
	run rip src -o x --test-damage=nonexistent
	expect_exit 1
	expect_err "cannot open damage spec 'nonexistent'"
	echo "bad one" > spec
	run rip src -o x --test-damage=spec
	expect_exit 1
	expect_err "'spec': damage spec line 1"
	run rip missing.iso -o x
	expect_exit 1
	expect_err "cannot open virtual drive 'missing.iso'"
}

run_tests
