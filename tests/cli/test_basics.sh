#!/bin/sh
# Command line basics: help, version, bad commands and options, man page.
. "$TOP_SRCDIR/tests/lib.sh"

test_version() {
	run --version
	expect_exit 0
	expect_out "spindle "
}

test_main_help_lists_commands() {
	run --help
	expect_exit 0
	for c in drives info burn verify rip mkiso; do expect_out "  $c "; done
}

test_every_command_has_help() {
	fixed="drives info burn verify rip mkiso files blank format eject convert"
	for c in $fixed; do
		run "$c" --help
		expect_exit 0
		expect_out "usage: spindle $c"
		expect_out "--json"
	done
	# and every other command spindle --help lists: this is where each
	# command's --help runs under memcheck (test_completion reads them
	# natively)
	"$SPINDLE_BIN" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' > cmds
	[ "$(wc -l < cmds)" -ge 11 ] || fail "spindle --help lists $(wc -l < cmds) commands"
	for c in $(cat cmds); do
		case " $fixed " in *" $c "*) continue ;; esac
		run "$c" --help
		expect_exit 0
		expect_out "usage: spindle $c"
	done
}

test_unknown_command() {
	run frobnicate
	expect_exit 2
	expect_err "'frobnicate' is not a spindle command"
}

test_unknown_option() {
	run info --frob
	expect_exit 2
	expect_err "unknown option '--frob'"
	expect_err "hint: see 'spindle info --help'"
}

test_option_needs_value() {
	run info -d
	expect_exit 2
	expect_err "needs a value"
}

test_man_page_in_sync() {
	"$SPINDLE" --man > man.now
	cmp -s man.now "$TOP_SRCDIR/docs/spindle.1" || {
		diff -u "$TOP_SRCDIR/docs/spindle.1" man.now | head -20 >&2
		fail "docs/spindle.1 is stale: run 'make man'"
	}
	command -v man >/dev/null 2>&1 || return 0
	MANWIDTH=100 man -l "$TOP_SRCDIR/docs/spindle.1" > rendered 2>man.err || fail "man cannot render the page"
	grep -q "EXIT STATUS" rendered || fail "no EXIT STATUS section"
}

test_drives_none() {
	run drives
	expect_exit 3
	expect_err "no optical drive found"
	run drives --json
	expect_exit 3
	expect_eq "$(json_get .error.code)" "no-drive"
	expect_eq "$(json_get .ok)" "false"
}

test_info_virtual() {
	mkimg disc 100
	run info -d stdio:disc
	expect_exit 0
	expect_out "status:        closed"
	expect_out "readable:      100 sectors (204800 bytes"
	run info -d stdio:disc --json
	expect_exit 0
	expect_eq "$(json_get .readable_sectors)" 100
	expect_eq "$(json_get '.tracks[0].sectors')" 100
	expect_eq "$(json_get .status)" closed
}

test_info_missing_file() {
	run info -d stdio:nonexistent
	expect_exit 1
	expect_err "cannot open virtual drive 'nonexistent'"
	[ ! -e nonexistent ] || fail "info created the file"
}

test_info_directory() {
	mkdir d
	run info -d stdio:d
	expect_exit 2
	expect_err "'d' is a directory"
}

test_info_bad_drive() {
	run info -d /dev/nonexistent-sr9
	expect_exit 3
	expect_err "cannot use drive '/dev/nonexistent-sr9'"
}

test_info_file_without_stdio() {
	mkimg disc 1
	run info -d disc
	expect_exit 2
	expect_err "write -d stdio:disc"
}

run_tests
