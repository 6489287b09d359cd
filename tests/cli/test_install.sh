#!/bin/sh
# make install and make uninstall into a DESTDIR: the binary, the man page
# and the completion scripts, with the version from configure.ac; bash
# completion driven from the installed script.
. "$TOP_SRCDIR/tests/lib.sh"
: "${TOP_BUILDDIR:?}"
# a make of our own, not a job of the make that runs the suite
unset MAKEFLAGS MFLAGS MAKELEVEL

version=$(sed -n 's/^AC_INIT(\[spindle\], \[\([^]]*\)\].*/\1/p' "$TOP_SRCDIR/configure.ac")

# install_to DIR: make install DESTDIR=DIR; the installed files in ./files
install_to() {
	make -s -C "$TOP_BUILDDIR" install DESTDIR="$1" > install.log 2>&1 ||
		{ sed 's/^/#   /' install.log >&2; fail "make install failed"; }
	(cd "$1" && find . -type f | sed 's|^\.||' | sort) > files
}
# installed NAME: the one installed file whose path ends in /NAME
installed() {
	f=$(grep "/$1\$" files)
	[ -n "$f" ] && [ "$(echo "$f" | wc -l)" -eq 1 ] || fail "not one installed $1: '$f'"
	echo "$PWD/root$f"
}

test_install_and_uninstall() {
	install_to "$PWD/root"
	# (the zsh directory is site-functions unless configured otherwise:
	# debian/rules gives Debian's vendor-completions)
	for f in bin/spindle share/man/man1/spindle.1 \
		share/bash-completion/completions/spindle 'share/zsh/[a-z-]*/_spindle'; do
		grep -q "/$f\$" files || { cat files >&2; fail "make install did not install $f"; }
	done
	expect_eq "$(wc -l < files)" 4 "installed files"
	cmp -s "$(installed spindle.1)" "$TOP_SRCDIR/docs/spindle.1" || fail "spindle.1 differs"
	cmp -s "$(installed completions/spindle)" "$TOP_SRCDIR/completion/spindle" ||
		fail "the bash completion differs"
	cmp -s "$(installed _spindle)" "$TOP_SRCDIR/completion/_spindle" ||
		fail "the zsh completion differs"
	make -s -C "$TOP_BUILDDIR" uninstall DESTDIR="$PWD/root" > uninstall.log 2>&1 ||
		fail "make uninstall failed"
	left=$(find root -type f)
	expect_eq "$left" "" "files left after make uninstall"
}

test_installed_binary_and_version() {
	[ -n "$version" ] || fail "no version in AC_INIT"
	install_to "$PWD/root"
	bin=$(installed bin/spindle)
	"$bin" --version > out 2> err || fail "installed spindle --version"
	expect_eq "$(head -1 out)" "spindle $version"
	"$bin" --help > out 2> err || fail "installed spindle --help"
	expect_out "usage: spindle COMMAND"
	grep -q "^\.TH SPINDLE 1 \"\" \"spindle $version\"" "$(installed spindle.1)" ||
		fail "the man page does not carry version $version"
	# debian/changelog names the same upstream version
	deb=$(sed -n '1s/^spindle (\([^)-]*\).*/\1/p' "$TOP_SRCDIR/debian/changelog")
	expect_eq "$deb" "$version" "debian/changelog's version"
}

# the installed script, sourced as bash-completion would, with compgen
test_installed_bash_completion() {
	install_to "$PWD/root"
	comp=$(installed completions/spindle)
	bin=$(installed bin/spindle)
	mkdir work && cd work || fail "mkdir"
	touch disc.iso notes.txt
	cat > drive.sh <<-'END'
	. "$1"
	shift
	complete -p spindle || exit 1
	COMP_WORDS=(spindle "$@")
	COMP_CWORD=$#
	_spindle || exit 1
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' '
	END
	# every command of the installed binary's --help, and "help"
	cmds=$({ "$bin" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'; echo help; } |
		LC_ALL=C sort | tr '\n' ' ')
	case "$cmds" in *" burn "*" verify "*) ;; *) fail "no commands in --help: '$cmds'" ;; esac
	expect_eq "$(bash drive.sh "$comp" '' | tail -1)" "$cmds"
	expect_eq "$(bash drive.sh "$comp" rip --ra | tail -1)" "--raw "
	expect_eq "$(bash drive.sh "$comp" burn --mode t | tail -1)" "tao "
	expect_eq "$(bash drive.sh "$comp" verify '' | tail -1)" "disc.iso "
	expect_eq "$(bash drive.sh "$comp" verify n | tail -1)" "notes.txt "
}

run_tests
