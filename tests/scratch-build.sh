#!/bin/sh
# scratch-build.sh DIR [CONFIGURE-ARGUMENT...] [-- MAKE-TARGET...]
#
# Build a second copy of the tree in DIR with other configure arguments
# (sanitizers, fuzzing), next to the ordinary in-tree build.  An in-tree
# configured source directory refuses VPATH builds, so the sources (tracked
# files, and new files git does not ignore) are copied into DIR; the copies
# keep their modification times, so a second run rebuilds only what
# changed.  The files autoreconf made in the tree (configure, Makefile.in
# ...) are copied too, so that a scratch build does not run autoreconf
# again.  Then: autoreconf if still needed, configure if the arguments
# changed, make -jNCPUS (all, or the targets given after --).
set -eu
dir=$1
shift
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if ! git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	echo "scratch-build: $top is not a git checkout; cannot tell sources from build products" >&2
	exit 1
fi
conf=""
targets=""
seen_sep=""
for a in "$@"; do
	if [ "$a" = "--" ]; then
		seen_sep=1
	elif [ -n "$seen_sep" ]; then
		targets="$targets $a"
	else
		conf="$conf $a"
	fi
done

mkdir -p "$dir"
# files deleted in the work tree but still in the index are skipped
git ls-files -z -c -o --exclude-standard |
	tar --null -T - --ignore-failed-read -cf - 2> /dev/null | tar -xf - -C "$dir"
gen=""
for f in configure Makefile.in aclocal.m4 config.h.in build-aux; do
	[ -e "$f" ] && gen="$gen $f"
done
# shellcheck disable=SC2086
[ -z "$gen" ] || tar -cf - $gen | tar -xf - -C "$dir"
cd "$dir"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	autoreconf -fi > autoreconf.out 2>&1 || { cat autoreconf.out >&2; exit 1; }
fi
if [ ! -f Makefile ] || [ "$(cat .scratch-args 2> /dev/null)" != "$conf" ] ||
   [ configure -nt Makefile ]; then
	# arguments are plain words (no spaces inside one)
	# shellcheck disable=SC2086
	./configure -q $conf
	echo "$conf" > .scratch-args
fi
# shellcheck disable=SC2086
make -j"$(nproc 2> /dev/null || echo 2)" $targets > make.out 2>&1 || { cat make.out >&2; exit 1; }
