#!/bin/sh
# deb.sh SRCDIR WORKDIR: build the Debian package as a fresh clone would
# (a copy of the files git tracks in SRCDIR, with their working-tree
# contents), with `dpkg-buildpackage -us -uc -b`, which runs the quick
# tests; then check it: lintian reports no errors, its Depends come from
# the shared libraries, apt could install it, and spindle --help, its man
# page and bash completion work from the files it holds.  make check-deb.
# Prints "ok"/"not ok" lines and the time the build took.
set -u
src=$1
work=$2
rm -rf "$work"
mkdir -p "$work/src" "$work/root"
fails=0
ok() { echo "ok - deb: $1"; }
notok() { echo "not ok - deb: $1"; fails=$((fails + 1)); }

git -C "$src" ls-files -z | (cd "$src" && tar --null -T - -cf -) |
	tar -C "$work/src" -xf - || { notok "copy of the tree"; exit 1; }
t0=$(date +%s)
if (cd "$work/src" && dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b ($(( $(date +%s) - t0 )) s)"
else
	tail -30 "$work/build.log" | sed 's/^/#   /'
	notok "dpkg-buildpackage -us -uc -b (log: $work/build.log)"
	exit 1
fi
echo "# build took $(( $(date +%s) - t0 )) s"
grep -E '^[0-9]+ passed, [0-9]+ failed' "$work/build.log" | sed 's/^/# quick tests at build time: /'
deb=$(ls "$work"/spindle_*.deb)

lintian "$work"/*.changes > "$work/lintian.log" 2>&1
sed 's/^/#   /' "$work/lintian.log"
if grep -q '^E: ' "$work/lintian.log"; then notok "lintian: errors"; else ok "lintian: no errors"; fi

deps=$(dpkg-deb -f "$deb" Depends)
echo "# Depends: $deps"
case "$deps" in
*libburn*libc6*|*libc6*libburn*) ok "Depends from the shared libraries" ;;
*) notok "Depends lacks the shared libraries" ;;
esac
if apt-get install -s "$deb" > "$work/apt.log" 2>&1; then ok "apt could install it"
else sed 's/^/#   /' "$work/apt.log"; notok "apt install -s"; fi

root=$work/root
dpkg-deb -x "$deb" "$root"
for f in usr/bin/spindle usr/share/man/man1/spindle.1.gz \
	usr/share/bash-completion/completions/spindle \
	usr/share/zsh/vendor-completions/_spindle; do
	[ -f "$root/$f" ] && ok "holds /$f" || notok "lacks /$f"
done
"$root/usr/bin/spindle" --help | grep -q "^usage: spindle COMMAND" &&
	ok "spindle --help" || notok "spindle --help"
MANWIDTH=80 man -l "$root/usr/share/man/man1/spindle.1.gz" 2> /dev/null | grep -q "EXIT STATUS" &&
	ok "man spindle" || notok "man spindle"
got=$(bash -c '. "$0"; COMP_WORDS=(spindle ""); COMP_CWORD=1; _spindle; echo "${COMPREPLY[*]}"' \
	"$root/usr/share/bash-completion/completions/spindle")
for c in $("$root/usr/bin/spindle" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
	case " $got " in *" $c "*) ;; *) got="$got (lacks $c)" ;; esac
done
case "$got" in
*lacks*|"") notok "spindle <TAB><TAB> in bash: '$got'" ;;
*) ok "spindle <TAB><TAB> in bash: $got" ;;
esac
[ $fails -eq 0 ]
