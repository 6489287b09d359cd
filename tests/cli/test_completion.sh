#!/bin/sh
# Shell completion: the committed scripts are what `spindle --completion`
# generates, and bash and zsh complete commands, every option, fixed
# option values, drives and files from them.  (test_install checks the
# installed copies.)
. "$TOP_SRCDIR/tests/lib.sh"
COMP_DIR=$TOP_SRCDIR/completion
export LC_ALL=C

# complete_bash WORD...: what bash completion offers for `spindle WORD...`
# with the cursor at the end of the last word (as COMP_WORDS holds it:
# "--mode = s" for --mode=s), sorted, on one line
complete_bash() {
	bash -c '. "$0" && COMP_WORDS=("$@") && COMP_CWORD=$(($# - 1)) && _spindle &&
		printf "%s\n" "${COMPREPLY[@]}"' "${BASH_COMP:-$COMP_DIR/spindle}" spindle "$@" |
		sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}
# the option names of `spindle CMD --help`, sorted.  The --help texts are
# this test's reference data, read natively ($SPINDLE_BIN): every one of
# them runs under memcheck in test_basics (test_every_command_has_help),
# and some fifty more valgrind starts here would only repeat it.
help_opts() {
	"$SPINDLE_BIN" "$1" --help | sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z0-9-]*\).*/\2/p' | sort
}

test_scripts_in_sync() {
	for f in bash:spindle zsh:_spindle; do
		"$SPINDLE" --completion "${f%%:*}" > now || fail "--completion ${f%%:*}"
		cmp -s now "$COMP_DIR/${f#*:}" || {
			diff -u "$COMP_DIR/${f#*:}" now | head -20 >&2
			fail "completion/${f#*:} is stale: run 'make man'"
		}
	done
}

test_completion_needs_a_shell() {
	run --completion fish
	expect_exit 2
	expect_err "--completion needs a shell: bash or zsh"
	run --completion
	expect_exit 2
}

test_bash_commands() {
	want=$("$SPINDLE_BIN" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' | sort | tr '\n' ' ')
	expect_eq "$(complete_bash '')" "$(echo $want help | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" "commands"
	expect_eq "$(complete_bash b)" "blank burn"
	expect_eq "$(complete_bash -)" "--help --version"
	expect_eq "$(complete_bash help ve)" "verify"
}

# every option of every command's --help, and nothing else
test_bash_every_option() {
	"$SPINDLE_BIN" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' > cmds
	[ -s cmds ] || fail "no commands in --help"
	while read -r c; do
		help_opts "$c" | tr '\n' ' ' | sed 's/ $//' > want
		complete_bash "$c" -- > got
		expect_eq "$(cat got)" "$(cat want)" "spindle $c options"
	done < cmds
	expect_eq "$(complete_bash burn --mo)" "--mode"
	complete_bash rip - | grep -q -- ' -o ' || fail "rip: no -o"
}

# every option whose value is a fixed set (a|b|c in --help) completes to it
test_bash_fixed_values() {
	n=0
	for c in $("$SPINDLE_BIN" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
		"$SPINDLE_BIN" "$c" --help |
			sed -n 's/^  \(-[a-zA-Z], \)\{0,1\}\(--[a-z0-9-]*\) \([a-z0-9-]*|[a-z0-9|-]*\) .*/\2 \3/p' > vals
		while read -r opt words; do
			expect_eq "$(complete_bash "$c" "$opt" '')" \
				"$(echo "$words" | tr '|' '\n' | sort | tr '\n' ' ' | sed 's/ $//')" "$c $opt"
			n=$((n + 1))
		done < vals
	done
	[ "$n" -ge 2 ] || fail "only $n options with fixed values"
	expect_eq "$(complete_bash burn --mode '')" "auto sao tao"
	expect_eq "$(complete_bash burn --mode = s)" "sao"
	expect_eq "$(complete_bash rip --format w)" "wav"
	expect_eq "$(complete_bash rip --retries '')" ""
}

fake_drives() {
	mkdir -p dev sys/sr0 sys/sdb sys/sda sys/loop0
	touch dev/sr0 dev/sdb dev/sda
	echo 1 > sys/sr0/removable
	echo 1 > sys/sdb/removable
	echo 0 > sys/sda/removable
	echo 1 > sys/loop0/removable    # removable, but no device node
	_SPINDLE_DEV=$PWD/dev _SPINDLE_SYSBLOCK=$PWD/sys
	export _SPINDLE_DEV _SPINDLE_SYSBLOCK
}

test_bash_drives() {
	fake_drives
	expect_eq "$(complete_bash info -d '')" "$PWD/dev/sdb $PWD/dev/sr0 stdio:"
	expect_eq "$(complete_bash burn -d /dev/sr0 --drive '')" "$PWD/dev/sdb $PWD/dev/sr0 stdio:"
	expect_eq "$(complete_bash eject --drive = s)" "stdio:"
	mkdir vd
	touch vd/disc.img
	expect_eq "$(complete_bash info -d stdio : vd/)" "vd/disc.img"
	expect_eq "$(complete_bash info -d stdio:vd/d)" "stdio:vd/disc.img"
	# drives has no -d
	expect_eq "$(complete_bash drives -d '')" "--help --json --quiet --verbose -h -q -v"
}

test_bash_files_by_extension() {
	touch a.iso B.ISO c.txt d.cue e.map
	mkdir sub
	expect_eq "$(complete_bash verify '')" "B.ISO a.iso d.cue sub"
	expect_eq "$(complete_bash verify c)" "c.txt"
	expect_eq "$(complete_bash files --map '')" "e.map sub"
	expect_eq "$(complete_bash convert '')" "B.ISO a.iso d.cue sub"
	expect_eq "$(complete_bash convert -o '')" "B.ISO a.iso sub"
	expect_eq "$(complete_bash rip -o '')" "B.ISO a.iso sub"
	expect_eq "$(complete_bash rip -d /dev/sr0 '')" "B.ISO a.iso d.cue sub"
	expect_eq "$(complete_bash mkiso '')" "B.ISO a.iso c.txt d.cue e.map sub"
	expect_eq "$(complete_bash burn '')" "B.ISO a.iso d.cue sub"
	# commands without arguments complete options
	expect_eq "$(complete_bash eject '')" "$(complete_bash eject -)"
}

# bash-completion's own library loaded first, as in a login shell
test_bash_with_bash_completion() {
	bc=/usr/share/bash-completion/bash_completion
	[ -f "$bc" ] || fail "$bc is missing (Debian package bash-completion)"
	out=$(bash -c '. "$0"; . "$1"; complete -p spindle; COMP_WORDS=(spindle burn --mode ""); COMP_CWORD=3;
		_spindle; echo "${COMPREPLY[*]}"' "$bc" "$COMP_DIR/spindle" 2>&1)
	expect_eq "$out" "complete -F _spindle spindle
auto sao tao"
}

# zsh, in one session: each line of the file zq is a command line; zsh's
# candidates for each, a line each, are compared with the file zwant
test_zsh() {
	command -v zsh > /dev/null || fail "zsh is missing (Debian package zsh)"
	zsh -n "$COMP_DIR/_spindle" || fail "_spindle: syntax error"
	touch a.iso B.ISO c.txt d.cue
	fake_drives
	while IFS='|' read -r line want; do
		echo "$line" >> zq
		echo "$want" >> zwant
	done <<-END
	spindle b|blank burn
	spindle burn --mo|--mode
	spindle burn --mode=|auto sao tao
	spindle rip --format |flac wav
	spindle verify a|a.iso
	spindle verify B|B.ISO
	spindle verify c|c.txt
	spindle convert d|d.cue dev
	spindle info -d $PWD/dev/s|$PWD/dev/sdb $PWD/dev/sr0
	spindle info -d stdio:a|a.iso
	END
	# shellcheck disable=SC2046
	( IFS='
'; zsh -f "$TOP_SRCDIR/tests/cli/zcomplete.zsh" "$COMP_DIR" $(cat zq) ) > zgot ||
		fail "zcomplete.zsh failed"
	diff -u zwant zgot >&2 || fail "zsh completes otherwise"
}

run_tests
