#!/bin/sh
# RS02 augmented images (spindle protect --augment --codec rs02, verify,
# repair), checked against the installed dvdisaster 0.79.5: the images are
# byte-identical, each program repairs what the other wrote, damage at the
# limit of the code, lost CRC sectors and header copies, and refusals.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/cli/ecc_lib.sh"

test_rs02_identical_to_dvdisaster() {
	# sizes: a few sectors at 170 roots, a short last sector, a
	# redundancy chosen to fill a CD, and 64 roots
	for spec in 17:170:0 3000:20:100 2048:auto:0 5000:64:0; do
		IFS=: read -r n r extra <<-EOF
		$spec
		EOF
		mkimg s$n.iso "$n" "$extra"
		cp s$n.iso d$n.iso
		if [ "$r" = auto ]; then
			run protect s$n.iso --augment --codec rs02
			dvd -i d$n.iso -mRS02 -c
		else
			run protect s$n.iso --augment --codec rs02 --redundancy "$r"
			dvd -i d$n.iso -mRS02 -n "${r}r" -c
		fi
		expect_exit 0
		expect_same s$n.iso d$n.iso
	done
	mkimg j.iso 3000
	run protect --json j.iso --augment --codec rs02 --redundancy 32
	expect_exit 0
	expect_eq "$(json_get .method)" RS02
	expect_eq "$(json_get .augmented)" true
	expect_eq "$(json_get .roots)" 32
	expect_eq "$(json_get .layer_sectors)" 14
	expect_eq "$(json_get .ecc_sectors)" $(( $(stat -c %s j.iso) / 2048 - 3000 ))
	run verify --json j.iso
	expect_exit 0
	expect_eq "$(json_get .damaged)" 0
	dvd -i j.iso -t
	expect_eq "$(grep -c '(good)' dvd.log)" 5 "dvdisaster -t: the five checks of the header say good"
}

# erase_all IMAGE: dead-sector markers over image, header, CRC and ecc
# sectors of a 5000-sector image with 32 roots (223 data layers of 23
# sectors: header at 5000, CRC sectors 5002-5011, ecc from 5012)
erase_all() {
	for range in 100-130 4990-5011 5012-5100 5700-5720; do
		dvd --debug -i "$1" --erase $range
	done
	garbage "$1" 2000 2
}

test_rs02_repair_both_ways() {
	mkimg s.iso 5000
	run protect s.iso --augment --codec rs02 --redundancy 32
	expect_exit 0
	cp s.iso good.iso
	cp s.iso d.iso
	erase_all s.iso
	run verify --json s.iso
	expect_exit 5
	expect_eq "$(json_get .method)" RS02
	expect_eq "$(json_get .damaged)" 43
	expect_eq "$(json_get .unrepairable)" 0
	run repair --json s.iso
	expect_exit 0
	expect_eq "$(json_get .repaired)" 43
	expect_same s.iso good.iso
	# dvdisaster repairs what spindle wrote
	erase_all d.iso
	dvd -i d.iso -f
	expect_same d.iso good.iso
	# spindle repairs what dvdisaster wrote, after its random errors
	mkimg r.iso 4000 0
	dvd -i r.iso -mRS02 -n 24r -c
	cp r.iso rgood.iso
	dvd --debug -i r.iso --random-errors 20
	cmp -s r.iso rgood.iso && fail "dvdisaster --random-errors changed nothing"
	run repair r.iso
	expect_exit 0
	expect_err "repaired"
	expect_same r.iso rgood.iso
}

test_rs02_at_the_limit() {
	# 5000 sectors (1000 in the memory-checking passes), 32 roots: ecc
	# block 5 is sectors 5 + s k, s sectors per layer (23; 5)
	mkimg s.iso "$(scaled 5000 1000)"
	run protect --json s.iso --augment --codec rs02 --redundancy 32
	expect_exit 0
	s=$(json_get .layer_sectors)
	memcheck_pass || expect_eq "$s" 23 "sectors per layer"
	cp s.iso good.iso
	for k in $(seq 0 31); do garbage s.iso $(( 5 + s * k )); done
	run repair s.iso
	expect_exit 0
	expect_err "repaired 32 of 32"
	expect_same s.iso good.iso
	for k in $(seq 0 32); do garbage s.iso $(( 5 + s * k )); done
	cp s.iso bad.iso
	run repair --json s.iso
	expect_exit 6
	expect_eq "$(json_get .unrepairable)" 33
	expect_same s.iso bad.iso "nothing written to an unrepairable block"
}

test_rs02_truncated_and_headers() {
	mkimg s.iso 3000
	run protect s.iso --augment --codec rs02 --redundancy 40
	expect_exit 0
	cp s.iso good.iso
	# the end cut off (ecc sectors and header copies), the first header
	# and a CRC sector garbled
	truncate -s $(( ($(stat -c %s s.iso) / 2048 - 60) * 2048 )) s.iso
	garbage s.iso 3000 2
	garbage s.iso 3003
	run verify s.iso
	expect_exit 5
	run repair s.iso
	expect_exit 0
	expect_same s.iso good.iso
	dvd -i s.iso -t
	expect_eq "$(grep -c '(good)' dvd.log)" 5 "dvdisaster -t after the repair"
}

# Wrong sectors nobody flagged: a garbled parity sector (it has no CRC) in
# a block with damaged image sectors is found as an error at an unknown
# position (errors and erasures), in RS02, RS03 and RS01 alike.
test_errors_at_unknown_positions() {
	mkimg s.iso 5000
	run protect s.iso --augment --codec rs02 --redundancy 32
	expect_exit 0
	cp s.iso good.iso
	# block 5: image sectors 5 + 23 k, its first parity sector is 5017
	garbage s.iso 5017
	for k in $(seq 0 15); do garbage s.iso $(( 5 + 23 * k )); done
	run verify --json s.iso
	expect_exit 5
	expect_eq "$(json_get .damaged)" 16
	expect_eq "$(json_get .damaged_ecc)" 1
	run repair s.iso
	expect_exit 0
	expect_same s.iso good.iso
	# RS03 file (14 sectors per layer: ecc layer 0 from sector 16) and
	# RS01 (parity of row 3 at 4096 + 4 * 3000 + 3 * 2048 * 32)
	mkimg f.iso 3000
	cp f.iso fgood.iso
	run protect f.iso -o f.ecc
	expect_exit 0
	run protect f.iso -o f1.ecc --codec rs01
	expect_exit 0
	cp f.ecc fgood.ecc
	garbage f.iso 3
	garbage f.iso 17
	garbage f.ecc 19
	run repair f.iso --ecc f.ecc
	expect_exit 0
	expect_err "repaired 2 of 2 damaged sectors, and 1 of 1"
	expect_same f.iso fgood.iso
	expect_same f.ecc fgood.ecc
	garbage f.iso 3
	garbage f.iso 17
	printf 'Z' | dd of=f1.ecc bs=1 seek=$(( 4096 + 4 * 3000 + 3 * 2048 * 32 + 100 * 32 + 5 )) \
		conv=notrunc status=none
	run repair f.iso --ecc f1.ecc
	expect_exit 0
	expect_same f.iso fgood.iso
}

test_rs02_usage() {
	mkimg s.iso 300
	run protect s.iso -o x.ecc --codec rs02
	expect_exit 2
	expect_err "use --augment"
	run protect s.iso --augment --codec rs02 --redundancy 32 --medium cd
	expect_exit 2
	truncate -s $(( 359000 * 2048 )) big.iso
	run protect big.iso --augment --codec rs02 --medium cd
	expect_exit 4
	expect_err "leaves no room"
	run protect s.iso --augment --codec rs02
	expect_exit 0
	run protect s.iso --augment --codec rs02
	expect_exit 2
	expect_err "already carries"
	run protect s.iso --augment
	expect_exit 2
	expect_err "already carries"
}

run_tests
