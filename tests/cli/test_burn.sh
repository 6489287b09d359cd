#!/bin/sh
# spindle burn on stdio: virtual drives, through libburn's real write path.
. "$TOP_SRCDIR/tests/lib.sh"

# padded IMG DISC: DISC holds IMG, then zeros to the end of its last sector
expect_padded() {
	size=$(stat -c %s "$1")
	sectors=$(( (size + 2047) / 2048 ))
	expect_eq "$(stat -c %s "$2")" $((sectors * 2048)) "size of $2"
	cmp -s -n "$size" "$1" "$2" || fail "$2 does not start with $1"
	pad=$(( sectors * 2048 - size ))
	[ "$pad" -eq 0 ] || [ "$(tail -c "$pad" "$2" | tr -d '\000' | wc -c)" -eq 0 ] ||
		fail "padding of $2 is not zeros"
}

test_burn_one_sector() {
	mkimg img 1
	run burn -d stdio:disc img
	expect_exit 0
	expect_same img disc
	expect_out "verify: match, 1 sectors (2048 bytes), sha256 $(sha256 img)"
}

test_burn_odd_size_5mib() {
	mkimg img 2560 1001
	run burn -d stdio:disc img
	expect_exit 0
	expect_padded img disc
	expect_out "verify: match, 2561 sectors (5243881 bytes), sha256 $(sha256 img)"
}

test_burn_700mb() {
	# on tmpfs: the sparse image reads as the zero page, and the 700 MB
	# disc is written and read back without the disk (in_ram, tests/lib.sh)
	in_ram
	# sparse, with random blocks at the start, middle and end; the
	# memory-checking passes burn a tenth of it (tests/lib.sh)
	size=700000123 mid=170000 end=341000 sectors=341797
	if memcheck_pass; then
		size=70000123 mid=17000 end=34100 sectors=34180
	fi
	truncate -s "$size" img
	mkimg blk 64
	for off in 0 "$mid" "$end"; do
		dd if=blk of=img bs=2048 seek="$off" conv=notrunc status=none
	done
	run burn --json -d stdio:disc img
	expect_exit 0
	expect_eq "$(json_get .verify.outcome)" match
	expect_eq "$(json_get .verify.sha256)" "$(sha256 img)"
	expect_eq "$(json_get .verify.sectors)" "$sectors"
	expect_padded img disc
}

test_burn_stdin() {
	mkimg img 300 77
	run_stdin img burn -d stdio:disc -
	expect_exit 0
	expect_padded img disc
	expect_out "verify: match, 301 sectors (614477 bytes), sha256 $(sha256 img)"
}

test_burn_stdin_pipe_json() {
	mkimg img 1000
	cat img | "$SPINDLE" burn --json -d stdio:disc - > out 2> err
	RC=$?
	expect_exit 0
	expect_same img disc
	while read -r line; do
		echo "$line" | jq -e . > /dev/null || fail "not JSON: $line"
	done < out
	expect_eq "$(json_get .type)" result
	expect_eq "$(json_get .ok)" true
	expect_eq "$(json_get .image)" -
	expect_eq "$(json_get .bytes)" 2048000
	expect_eq "$(json_get .verify.sha256)" "$(sha256 img)"
	grep -q '"type":"progress","command":"burn","phase":"done"' out || fail "no final progress event"
}

test_burn_json_result() {
	mkimg img 10
	run burn --json -d stdio:disc img
	expect_exit 0
	expect_eq "$(wc -l < out | tr -d ' ')" "$(grep -c '"type":' out)"
	expect_eq "$(json_get .command)" burn
	expect_eq "$(json_get .drive)" stdio:disc
	expect_eq "$(json_get .bytes)" 20480
	expect_eq "$(json_get .simulate)" false
	expect_eq "$(json_get .verify.outcome)" match
	expect_eq "$(json_get '.verify.differ | length')" 0
}

test_burn_refuses_written_file() {
	mkimg old 20
	cp old disc
	mkimg img 5
	run burn -d stdio:disc img
	expect_exit 4
	expect_err "virtual drive 'disc' already holds data"
	expect_err "hint: add --force"
	expect_same old disc
	run burn --json -d stdio:disc img
	expect_exit 4
	expect_eq "$(json_get .error.code)" not-blank
	expect_same old disc
}

test_burn_force_overwrites() {
	mkimg old 40
	cp old disc
	mkimg img 5 3
	run burn --force -d stdio:disc img
	expect_exit 0
	expect_padded img disc
	expect_out "verify: match"
}

test_burn_too_big_for_filesystem() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	mkdir small
	mount -t tmpfs -o size=4m tmpfs small 2>/dev/null || skip "cannot mount a tmpfs"
	mkimg img 2560 1
	"$SPINDLE" burn --json -d stdio:small/disc img > out 2> err
	RC=$?
	ls -la small > listing
	umount small
	expect_exit 4
	expect_err "does not fit: 'small/disc' has room for"
	expect_err "hint: free space on that filesystem"
	expect_eq "$(json_get .error.code)" too-big
	grep -q ' disc$' listing && fail "a virtual drive file was left behind"
	return 0
}

test_burn_stdin_fills_filesystem() {
	# from a pipe the size is unknown beforehand: the full filesystem is
	# found while writing, and said so
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	mkdir small
	mount -t tmpfs -o size=4m tmpfs small 2>/dev/null || skip "cannot mount a tmpfs"
	mkimg img 2560 1
	cat img | "$SPINDLE" burn -d stdio:small/disc - > out 2> err
	RC=$?
	umount small
	expect_exit 9
	expect_err "the filesystem of virtual drive 'small/disc' is full"
}

test_burn_missing_image() {
	run burn -d stdio:disc nonexistent.iso
	expect_exit 1
	expect_err "cannot open image 'nonexistent.iso': No such file or directory"
	[ ! -e disc ] || fail "the virtual drive was created"
}

test_burn_directory_masters_on_the_fly() {
	mkdir tree
	echo x > tree/f
	run burn -d stdio:disc tree
	expect_exit 0
	expect_out "files:           1 of 1 with MD5 match"
}

test_burn_empty_image() {
	: > empty
	run burn -d stdio:disc empty
	expect_exit 2
	expect_err "image 'empty' is empty"
}

test_burn_empty_stdin() {
	true | "$SPINDLE" burn -d stdio:disc - > out 2> err
	RC=$?
	expect_exit 2
	expect_err "standard input is empty: there is nothing to burn"
	[ ! -e disc ] || fail "the virtual drive was created"
}

test_burn_unreadable_image() {
	mkimg img 2
	chmod 000 img
	# let the unprivileged user reach this directory: only img's mode stops it
	chmod 777 .
	chmod o+x ..
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$SPINDLE" burn -d stdio:disc img > out 2> err < /dev/null
		RC=$?
	else
		run burn -d stdio:disc img
	fi
	expect_exit 1
	expect_err "cannot open image 'img': Permission denied"
	[ ! -e disc ] || fail "the virtual drive was created"
}

test_burn_nonexistent_drive() {
	mkimg img 2
	run burn -d /dev/nonexistent-sr7 img
	expect_exit 3
	expect_err "cannot use drive '/dev/nonexistent-sr7'"
}

test_burn_without_drive() {
	# this machine has no optical drive (see test_drives_none)
	mkimg img 2
	run burn img
	expect_exit 3
	expect_err "no optical drive found"
	expect_err "hint: connect a drive, or name a virtual one with -d stdio:FILE"
}

test_burn_drive_is_directory() {
	mkimg img 2
	mkdir d
	run burn -d stdio:d img
	expect_exit 2
	expect_err "'d' is a directory, not a virtual drive"
}

test_burn_missing_argument() {
	run burn -d stdio:disc
	expect_exit 2
	expect_err "missing IMAGE"
	run burn -d stdio:disc a b
	expect_exit 2
	expect_err "unexpected argument 'b'"
}

test_burn_bad_mode() {
	mkimg img 2
	run burn --mode raw -d stdio:disc img
	expect_exit 2
	expect_err "--mode: 'raw' is not one of auto, sao, tao"
	[ ! -e disc ] || fail "the virtual drive was created"
}

test_burn_bad_speed() {
	mkimg img 2
	for s in fast -4x 0x 1.5 8xx; do
		run burn --speed "$s" -d stdio:disc img
		expect_exit 2
		expect_err "--speed: '$s' is not a speed"
	done
}

test_burn_bad_fifo() {
	mkimg img 2
	run burn --fifo 12Q -d stdio:disc img
	expect_exit 2
	expect_err "--fifo: '12Q' is not a size"
	run burn --fifo 10k -d stdio:disc img
	expect_exit 2
	expect_err "--fifo: '10k' is out of range"
	run burn --fifo 2G -d stdio:disc img
	expect_exit 2
	expect_err "--fifo: '2G' is out of range"
}

test_burn_small_fifo() {
	mkimg img 2000 5
	run burn --fifo 1M -d stdio:disc img
	expect_exit 0
	expect_padded img disc
}

test_burn_modes() {
	mkimg img 100 9
	for m in auto sao tao; do
		rm -f disc
		run burn --mode "$m" -d stdio:disc img
		expect_exit 0
		expect_padded img disc
	done
}

test_burn_sao_needs_size() {
	mkimg img 10
	cat img | "$SPINDLE" burn --mode sao -d stdio:disc - > out 2> err
	RC=$?
	expect_exit 2
	expect_err "--mode sao needs the image size in advance"
}

test_burn_simulate_writes_nothing() {
	mkimg img 50
	run burn --simulate -d stdio:disc img
	expect_exit 0
	expect_err "simulated writing"
	expect_no_out "verify:"
	[ ! -s disc ] || fail "--simulate wrote data"
}

test_burn_no_verify() {
	mkimg img 50
	run burn --json --no-verify -d stdio:disc img
	expect_exit 0
	expect_same img disc
	expect_eq "$(json_get .verify)" null
	expect_eq "$(json_get .ok)" true
}

test_burn_other_options_on_virtual() {
	mkimg img 64
	run burn --speed 8x --eject --stream-recording -d stdio:disc img
	expect_exit 0
	expect_same img disc
}

test_burn_multi_refused_on_virtual() {
	mkimg img 64
	run burn --multi -d stdio:disc img
	expect_exit 4
	expect_err "this medium cannot be left appendable (--multi)"
	[ ! -s disc ] || fail "data was written"
}

# interrupt SIGNAL: start a burn fed by a pipe that we hold open, wait until
# data has reached the virtual disc (so the burn is provably under way and
# cannot finish: its input has not ended), send SIGNAL, and expect a clean
# cancel.  No sleep decides anything: we poll for states.
interrupt() {
	mkfifo pipe
	"$SPINDLE" burn --no-verify -d stdio:disc - < pipe > out 2> err &
	pid=$!
	exec 3> pipe
	mkimg chunk 512
	cat chunk >&3
	i=0
	while [ "$(stat -c %s disc 2>/dev/null || echo 0)" -lt 1048576 ]; do
		i=$((i + 1))
		[ $i -lt 600 ] || { kill -9 $pid; fail "the burn did not start"; }
		sleep 0.1
	done
	stop_burn "$1"
}

test_burn_sigint_cancels_cleanly() {
	interrupt INT
	expect_exit 8
	expect_err "interrupted by SIGINT after"
	expect_err "the burn was cancelled"
	# the drive was released: it can be grabbed and written again
	run info -d stdio:disc
	expect_exit 0
	mkimg img 20
	run burn --force -d stdio:disc img
	expect_exit 0
	expect_same img disc
}

test_burn_sigterm_cancels_cleanly() {
	interrupt TERM
	expect_exit 8
	expect_err "interrupted by SIGTERM"
	run info -d stdio:disc
	expect_exit 0
}

test_burn_help_lists_options() {
	run burn --help
	expect_exit 0
	for o in --speed --mode --simulate --multi --eject --stream-recording \
		--fifo --force --no-verify --json; do
		expect_out "$o"
	done
}

run_tests
