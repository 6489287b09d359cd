#!/bin/sh
# Privileges and hostile paths: spindle refuses to run setuid or setgid,
# needs no root for virtual drives the user may access, and checks a
# stdio: path on the descriptor it opened (a symlink re-pointed at a
# directory or a FIFO is refused, never followed into a hang or a write).
. "$TOP_SRCDIR/tests/lib.sh"

# nobody_dir: $NB, a fresh directory owned by nobody (the test's own
# directory sits under a 0700 one), with a copy of the binary in it
nobody_dir() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch to user nobody"
	id nobody > /dev/null 2>&1 || skip "no user nobody"
	command -v setpriv > /dev/null || skip "setpriv (util-linux) missing"
	NB=$(mktemp -d /tmp/spindle-nobody-XXXXXX)
	echo "$NB" > nb.path
	chmod 755 "$NB"
	mkdir "$NB/bin" "$NB/reports" "$NB/work"
	chmod 1777 "$NB/reports"
	cp "$SPINDLE_BIN" "$NB/bin/spindle"
	chmod 755 "$NB/bin/spindle"
	chown nobody:nogroup "$NB/work"
}

# cleanup: remove $NB (each test runs in its own subshell)
cleanup() {
	[ -f nb.path ] && rm -rf "$(cat nb.path)"
	return 0
}

# collect: memory checker reports written by nobody's runs go where the
# suite looks for them (tests/run.sh)
collect() {
	for f in "$NB"/reports/*; do
		[ -s "$f" ] || continue
		if [ -n "${SPINDLE_REPORT_DIR:-}" ]; then
			cp "$f" "$SPINDLE_REPORT_DIR/nobody-$(basename "$f")"
		else
			cat "$f" >&2
			fail "memory checker report $(basename "$f")"
		fi
	done
	rm -f "$NB"/reports/*
}

# as_nobody BINARY ARGS...: run BINARY as nobody:nogroup without other
# groups, in $NB/work; exit code in $RC, output in ./out and ./err
as_nobody() {
	bin=$1
	shift
	vg=""
	# valgrind cannot run a set-ID program
	if [ -n "${SPINDLE_VALGRIND:-}" ] && [ ! -u "$bin" ] && [ ! -g "$bin" ]; then
		vg="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite"
		vg="$vg --errors-for-leak-kinds=definite --log-file=$NB/reports/vg.%p"
	fi
	# shellcheck disable=SC2086
	( cd "$NB/work" &&
	  ASAN_OPTIONS=$(echo "${ASAN_OPTIONS:-}" | sed "s|log_path=[^:]*|log_path=$NB/reports/asan|") \
	  UBSAN_OPTIONS=$(echo "${UBSAN_OPTIONS:-}" | sed "s|log_path=[^:]*|log_path=$NB/reports/ubsan|") \
	  exec setpriv --reuid=nobody --regid=nogroup --clear-groups $vg "$bin" "$@" ) \
		> out 2> err < /dev/null
	RC=$?
	collect
	return 0
}

# can_setuid DIR: the filesystem honours the set-user-ID bit
can_setuid() {
	! findmnt -no OPTIONS -T "$1" 2> /dev/null | grep -qw nosuid
}

test_refuses_setuid() {
	nobody_dir
	can_setuid "$NB" || { cleanup; skip "$NB is on a nosuid filesystem"; }
	cp "$NB/bin/spindle" "$NB/bin/spindle-suid"
	chown root:root "$NB/bin/spindle-suid"
	chmod 4755 "$NB/bin/spindle-suid"
	# the control: the same binary without the bit runs for nobody
	as_nobody "$NB/bin/spindle" --version
	expect_exit 0
	as_nobody "$NB/bin/spindle-suid" --version
	expect_exit 2
	expect_err "refusing to run setuid or setgid"
	expect_err "hint: grant access to the drive device instead"
	[ ! -s out ] || fail "printed something before refusing"
	as_nobody "$NB/bin/spindle-suid" info -d stdio:/etc/passwd
	expect_exit 2
	expect_err "refusing to run setuid"
	cleanup
}

test_refuses_setgid() {
	nobody_dir
	can_setuid "$NB" || { cleanup; skip "$NB is on a nosuid filesystem"; }
	cp "$NB/bin/spindle" "$NB/bin/spindle-sgid"
	chown root:root "$NB/bin/spindle-sgid"
	chmod 2755 "$NB/bin/spindle-sgid"
	# A set-group-ID process run by nobody is not dumpable: the sanitizer
	# runtime can read neither its options (/proc/self/environ) nor attach
	# LeakSanitizer, and dies at exit.  The plain build runs this test.
	if [ -n "${ASAN_OPTIONS:-}" ]; then
		cleanup
		skip "a sanitizer runtime cannot run set-group-ID as nobody"
	fi
	as_nobody "$NB/bin/spindle-sgid" --version
	expect_exit 2
	expect_err "refusing to run setuid or setgid"
	cleanup
}

test_nobody_uses_own_virtual_drive() {
	nobody_dir
	mkimg "$NB/work/disc" 100
	chown nobody:nogroup "$NB/work/disc"
	chmod 600 "$NB/work/disc"
	as_nobody "$NB/bin/spindle" info -d stdio:disc --json
	expect_exit 0
	expect_eq "$(json_get .readable_sectors)" 100
	expect_eq "$(json_get .ok)" true
	cleanup
}

test_nobody_denied_root_file() {
	nobody_dir
	mkimg "$NB/work/secret" 10
	chmod 600 "$NB/work/secret"
	as_nobody "$NB/bin/spindle" info -d stdio:secret
	expect_exit 1
	expect_err "cannot open virtual drive 'secret': Permission denied"
	cleanup
}

test_stdio_symlink_to_directory() {
	mkdir d
	ln -s d link
	run info -d stdio:link
	expect_exit 2
	expect_err "'link' is a directory, not a virtual drive"
}

test_stdio_symlink_to_fifo() {
	mkfifo fifo
	ln -s fifo link
	# no writer: a blocking open would wait for ever
	RC=0
	timeout 60 "$SPINDLE" info -d stdio:link > out 2> err < /dev/null || RC=$?
	[ "$RC" -ne 124 ] || fail "spindle hung opening a FIFO"
	expect_exit 2
	expect_err "'link' is a pipe; a virtual drive to read must be a file or block device"
}

# The symlink is re-pointed, atomically, between a disc image, a directory
# and a FIFO while spindle opens it again and again.  Whatever it opened,
# it must judge that object: the image's content, or a refusal; never a
# hang, a crash, or a directory taken for a disc.
test_stdio_symlink_swapped_during_open() {
	mkimg disc 100
	mkdir d
	mkfifo fifo
	ln -s disc link
	(
		i=0
		while [ ! -e stop ]; do
			for t in d fifo disc; do
				ln -sfn "$t" link.new && mv -T link.new link
			done
			i=$((i + 1))
		done
	) &
	swapper=$!
	n=0 ok=0 refused=0
	while [ $n -lt 40 ]; do
		RC=0
		timeout 60 "$SPINDLE" info -d stdio:link --json > out 2> err < /dev/null || RC=$?
		case $RC in
		0)
			[ "$(json_get .readable_sectors)" = 100 ] || { touch stop; fail "wrong content read"; }
			ok=$((ok + 1)) ;;
		2)
			grep -qE "'link' is (a directory|a pipe)" err || { touch stop; cat err >&2; fail "unexpected error"; }
			refused=$((refused + 1)) ;;
		*)
			touch stop; wait $swapper
			cat err >&2
			fail "exit status $RC (124: hang)" ;;
		esac
		n=$((n + 1))
	done
	touch stop
	wait $swapper
	echo "# $ok opened the image, $refused refused" >&2
}

run_tests
