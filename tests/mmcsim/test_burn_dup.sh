#!/bin/sh
# Duplication: one image to several simulated drives in one spindle process.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/mmcsim/sim.sh"

test_duplicate_three_drives() {
	need_sim
	mkimg img 500
	sim --media dvd+r --disc a --media cd-r --disc b --media bd-r --disc c -- \
		"$SPINDLE" burn -d "$DEV" -d "$DEV2" -d "$DEV3" img
	expect_exit 0
	expect_err "3 of 3 drives burned and verified"
	for dev in "$DEV" "$DEV2" "$DEV3"; do expect_out "$dev: verify: match"; done
	# each disc read back by an independent reader
	for disc in a b c; do
		sim --disc "$disc" -- dd if="$DEV" of=back.$disc bs=2048 count=500
		expect_exit 0
		expect_same img back.$disc
	done
	sim --disc b -- cdrskin dev="$DEV" -toc
	expect_out "closed CD-R"
}

test_duplicate_one_failing_drive_does_not_stop_the_others() {
	need_sim
	mkimg img 300
	echo "write-error 100" > dmg
	sim --media dvd+r --disc a --media dvd+r --damage dmg --disc b --media dvd+r --disc c -- \
		"$SPINDLE" burn --json -d "$DEV" -d "$DEV2" -d "$DEV3" img
	expect_exit 7
	expect_err "$DEV2: the burn failed"
	grep '"type":"drive_result"' out > results
	expect_eq "$(jq -r 'select(.drive == "/dev/sr7") | .ok' results)" "true"
	expect_eq "$(jq -r 'select(.drive == "/dev/sr8") | .ok' results)" "false"
	expect_eq "$(jq -r 'select(.drive == "/dev/sr8") | .error.exit' results)" "7"
	expect_eq "$(jq -r 'select(.drive == "/dev/sr9") | .verify.outcome' results)" "match"
	expect_eq "$(out_json .ok)" "false"
	expect_eq "$(out_json .drives_ok)" "2"
	grep -q '"type":"progress".*"drive":"/dev/sr9"' out || fail "no per-drive progress"
	for disc in a c; do
		sim --disc $disc -- dd if="$DEV" of=back.$disc bs=2048 count=300
		expect_same img back.$disc
	done
	# the failed drive was released: it can be used again at once
	sim --disc b -- "$SPINDLE" info -d "$DEV"
	expect_exit 0
}

test_duplicate_refusals_keep_others_going() {
	need_sim
	mkimg img 100
	mkimg old 50
	sim --media dvd+r --disc full -- "$SPINDLE" burn -d "$DEV" old
	expect_exit 0
	sim --disc full --media dvd-r --disc fresh -- "$SPINDLE" burn -d "$DEV" -d "$DEV2" img
	expect_exit 4
	expect_err "$DEV: the DVD+R in drive '$DEV' is closed"
	expect_err "1 of 2 drives burned"
	expect_out "$DEV2: verify: match"
	run burn -d /dev/sr7 -d /dev/sr7 img
	expect_exit 2
	expect_err "given twice"
	run burn -d /dev/sr7 -d /dev/sr8 -
	expect_exit 2
	expect_err "needs an image file"
}

run_tests
