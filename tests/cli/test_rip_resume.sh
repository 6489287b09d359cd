#!/bin/sh
# spindle rip: resume after SIGINT, SIGTERM and SIGKILL, and GNU ddrescue interop
# both ways.  Slow sectors make kills land mid-run, but no assertion
# depends on where they land: the mapfile must match the image at every
# instant, and the finished image and mapfile must equal those of an
# uninterrupted run.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/cli/rip_lib.sh"

SECTORS=3000

# setup: $ARGS reads the damage slowly everywhere (a few seconds a run, so
# that signals land mid-run), with flaky blocks the retries fix; $FAST
# reads the same damage at full speed, for the runs no signal interrupts
# (the reference, the last resume): slowness changes no byte of the image
# or the mapfile (--map-interval 0 saves after every read)
setup() {
	in_ram
	mkimg src $SECTORS
	damagemap dmg.map $SECTORS dvd 4 sparse
	f1=$(goodlba dmg.map 400 16) f2=$(goodlba dmg.map 1500 40)
	[ "$f1" -ge 0 ] && [ "$f2" -ge 0 ] || fail "no good room for flaky sectors"
	printf 'flaky %d 16 2\nflaky %d 40 1\n' "$f1" "$f2" > fast.spec
	{ printf 'slow 0 %d 1\n' $SECTORS; cat fast.spec; } > spec
	set -- --ecc-block 16 --test-mode="$PWD/dmg.map" --retries 3 --map-interval 0
	ARGS="$* --test-damage=$PWD/spec"
	FAST="$* --test-damage=$PWD/fast.spec"
	mkdir ref
	(cd ref && "$SPINDLE" rip ../src -o out.iso $FAST -q > /dev/null 2>&1)
	[ $? -eq 6 ] || fail "reference run did not end with status 6"
	expect_rescue src ref/out.iso ref/out.iso.map dmg.map
}

# a random delay in seconds, 0.00 .. MAX/100
pause() { sleep "$(awk -v m="$1" -v s="$(od -An -N2 -tu2 /dev/urandom)" 'BEGIN { srand(s); printf "%.2f", rand() * m / 100 }')"; }

# started PID: wait until spindle PID has opened ./src, which it does after
# installing its signal handlers (slow under valgrind), or has ended
started() {
	i=0
	while [ $i -lt 600 ] && kill -0 "$1" 2>/dev/null; do
		ls -l "/proc/$1/fd" 2>/dev/null | grep -q " $PWD/src\$" && return 0
		sleep 0.05
		i=$((i + 1))
	done
}

test_rip_resume_after_sigint() {
	setup
	for sig in INT TERM INT; do
		"$SPINDLE" rip src -o out.iso $ARGS -q > out 2> err &
		pid=$!
		started $pid
		pause 150
		kill -$sig $pid 2>/dev/null
		wait $pid
		rc=$?
		case $rc in
		8) grep -q "interrupted by signal $(kill -l $sig)" err ||
		   fail "no interruption message: $(cat err)";
		   grep -q "run the same command again" err || fail "no hint" ;;
		6) ;;   # it had finished already
		*) fail "exit status $rc after SIGINT" ;;
		esac
		expect_consistent src out.iso out.iso.map
		[ ! -e out.iso.map.tmp ] || fail "a temporary mapfile was left behind"
	done
	run rip src -o out.iso $FAST
	expect_exit 6
	expect_same ref/out.iso out.iso
	expect_same ref/out.iso.map out.iso.map
}

test_rip_resume_after_sigkill() {
	setup
	for i in 1 2 3 4 5 6; do
		"$SPINDLE" rip src -o out.iso $ARGS -q > /dev/null 2>&1 &
		pid=$!
		pause 100
		kill -KILL $pid 2>/dev/null
		wait $pid
		expect_consistent src out.iso out.iso.map
	done
	run rip src -o out.iso $FAST
	expect_exit 6
	expect_same ref/out.iso out.iso
	expect_same ref/out.iso.map out.iso.map
}

test_rip_merge_second_copy() {
	mkimg src 2000
	# two copies of a disc, damaged in different places
	printf 'bad 160 64\nbad 1200 32\n' > first
	printf 'bad 800 48\nbad 1216 16\n' > second
	run rip src -o out.iso --ecc-block 16 --test-damage=first
	expect_exit 6
	run rip -d stdio:src -o out.iso --ecc-block 16 --test-damage=second --json
	expect_exit 6
	expect_eq "$(json_get .resumed)" true
	expect_eq "$(json_get '.bad_ranges | length')" 1
	expect_eq "$(json_get '.bad_ranges[0].lba')" 1216
	expect_eq "$(json_get '.bad_ranges[0].sectors')" 16
	expect_consistent src out.iso out.iso.map
}

test_rip_refuses_another_disc() {
	mkdir t1 t2
	echo one > t1/f
	echo two > t2/f
	xorriso -as mkisofs -quiet -V ONE -o one.iso t1 2>/dev/null || skip "xorriso cannot master"
	xorriso -as mkisofs -quiet -V TWO -o two.iso t2 2>/dev/null
	[ "$(stat -c %s one.iso)" = "$(stat -c %s two.iso)" ] || skip "the two ISOs differ in size"
	printf 'bad 30 4\n' > spec
	run rip one.iso -o out.iso --test-damage=spec
	expect_exit 6
	cp out.iso before.iso
	cp out.iso.map before.map
	run rip two.iso -o out.iso
	expect_exit 4
	expect_err "'out.iso' holds another disc: its volume descriptor at LBA 16 differs"
	expect_same before.iso out.iso
	expect_same before.map out.iso.map
	run rip one.iso -o out.iso
	expect_exit 0
	expect_same one.iso out.iso
}

test_rip_resume_without_volume_descriptor() {
	mkdir t
	head -c 100000 /dev/urandom > t/f
	xorriso -as mkisofs -quiet -o disc.iso t 2>/dev/null || skip "xorriso cannot master"
	cat disc.iso disc.iso > src            # the medium is larger than the ISO
	printf 'bad 40 8\n' > first
	run rip src -o out.iso --test-damage=first --json
	expect_exit 6
	expect_eq "$(json_get .extent_source)" iso9660
	# the second drive cannot read LBA 16: the mapfile knows the size
	printf 'bad 16\n' > second
	run rip src -o out.iso --test-damage=second --json
	expect_exit 0
	expect_eq "$(json_get .extent_source)" mapfile
	expect_err "cannot read the volume descriptor at LBA 16"
	expect_same disc.iso out.iso
}

test_ddrescue_continues_spindle() {
	command -v ddrescue > /dev/null || skip "ddrescue not installed"
	mkimg src $SECTORS
	damagemap dmg.map $SECTORS dvd 9 mixed 64
	printf 'slow 0 %d 1\n' $SECTORS > spec
	# stop spindle early, mid-copy
	run rip src -o out.iso --ecc-block 16 --test-mode=dmg.map --test-damage=spec --max-time 1
	expect_exit 6
	expect_err "before --max-time ran out"
	expect_out "not tried yet: "
	grep -q '^0x0*[0-9A-F]* *?' out.iso.map || fail "nothing left for ddrescue"
	ddrescue -q -b2048 --test-mode=dmg.map src out.iso out.iso.map > dd.out 2>&1 ||
		fail "ddrescue refused spindle's mapfile: $(cat dd.out)"
	expect_rescue src out.iso out.iso.map dmg.map
}

test_spindle_continues_ddrescue() {
	command -v ddrescue > /dev/null || skip "ddrescue not installed"
	mkimg src $SECTORS
	damagemap dmg.map $SECTORS bd 2 mixed
	# no scraping, so that areas are left non-scraped for spindle
	ddrescue -q -b2048 -n --test-mode=dmg.map src out.iso out.iso.map > dd.out 2>&1
	grep -q '^0x[0-9A-F]* *0x[0-9A-F]* */' out.iso.map || fail "ddrescue left nothing non-scraped"
	run rip src -o out.iso --ecc-block 32 --test-mode=dmg.map --json
	expect_exit 6
	expect_eq "$(json_get .resumed)" true
	expect_rescue src out.iso out.iso.map dmg.map
	# ddrescue with 512-byte sectors, then spindle with no damage at all
	rm -f out.iso out.iso.map
	ddrescue -q -n --test-mode=dmg.map src out.iso out.iso.map > dd.out 2>&1
	run rip src -o out.iso
	expect_exit 0
	expect_same src out.iso
}

test_log_reads_format() {
	command -v ddrescue > /dev/null || skip "ddrescue not installed"
	mkimg src 400
	damagemap dmg.map 400 cd 1 sparse
	run rip src -o out.iso --test-mode=dmg.map --log-reads=s.log
	ddrescue -q -b2048 --test-mode=dmg.map --log-reads=d.log src d.iso d.map > /dev/null 2>&1
	# one parser for both: comments, then "0xPOS SIZE COPIED ERROR"
	for f in s.log d.log; do
		awk '/^#/ || NF == 0 { next }
		     $1 !~ /^0x[0-9A-F]+$/ || NF != 4 || $2 != $3 + $4 { bad = 1 }
		     END { exit bad }' $f || fail "$f has lines of another format"
	done
	set -- $(reads s.log)
	[ "$1" -gt 0 ] && [ "$2" -gt 0 ] || fail "no reads or no failures counted"
	expect_eq "$(tr -d '\t' < s.log | grep -c '^# ')" "$(grep -c '^# ' s.log)"
}

run_tests
