#!/bin/sh
# spindle burn DIR: mastering on the fly into the burn, verified against the
# MD5 tags recorded in the disc.
. "$TOP_SRCDIR/tests/lib.sh"

make_src() {
	mkdir -p src/sub src/empty
	mkimg src/sub/data.bin 300 11
	echo hello > src/sub/a.txt
	ln -s sub/a.txt src/link
}

test_burn_dir_equals_mkiso() {
	make_src
	SOURCE_DATE_EPOCH=1600000000 "$SPINDLE" burn -q -d stdio:disc src --volid SAME > out 2> err
	RC=$?
	expect_exit 0
	SOURCE_DATE_EPOCH=1600000000 "$SPINDLE" mkiso -q src -o img.iso --volid SAME > /dev/null ||
		fail "mkiso"
	# the disc holds exactly the image mkiso writes: no tail lost
	expect_same img.iso disc
	expect_out "files:           2 of 2 with MD5 match"
}

test_burn_dir_json_verify() {
	make_src
	run burn --json -d stdio:disc src /extra/a.txt=src/sub/a.txt
	expect_exit 0
	expect_eq "$(json_get .mastered)" true
	expect_eq "$(json_get .verify.session)" ok
	expect_eq "$(json_get .verify.files_ok)" 3
	xorriso -indev disc -find /extra -type f -- 2>/dev/null | grep -q "'/extra/a.txt'" ||
		fail "graft point missing on disc"
	xorriso -md5 on -indev disc -check_md5_r sorry / -- > x.log 2>&1 ||
		{ cat x.log >&2; fail "xorriso finds MD5 trouble"; }
}

test_burn_dir_no_md5_skips_verify() {
	make_src
	run burn -d stdio:disc src --no-md5
	expect_exit 0
	expect_err "not verified: the image was made with --no-md5"
	isoinfo -R -l -i disc | grep -q "data.bin" || fail "disc lacks data.bin"
}

test_burn_dir_refuses_nonblank() {
	make_src
	mkimg disc 10
	cp disc before
	run burn -d stdio:disc src
	expect_exit 4
	expect_same before disc
}

test_burn_files_with_mastering_options() {
	# a mastering option makes plain files the content of a new image
	mkimg img 10
	run burn -d stdio:disc img --volid X --json
	expect_exit 0
	expect_eq "$(json_get .mastered)" true
	xorriso -indev disc -find /img -- 2>/dev/null | grep -q "'/img'" || fail "img not on disc"
	# without one, two image files are an error, not a disc of two files
	mkimg other 10
	rm -f disc2
	run burn -d stdio:disc2 img other
	expect_exit 2
	expect_err "unexpected argument 'other'"
}

test_burn_dir_missing_source() {
	mkdir d
	run burn -d stdio:disc d /a=nosuch
	expect_exit 1
	expect_err "cannot add 'nosuch': No such file or directory"
	[ ! -s disc ] || fail "something was written"
}

run_tests
