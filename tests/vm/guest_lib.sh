# guest_lib.sh - sourced by the guest-side check scripts.  Each check is a
# function run by `check DESCRIPTION FUNCTION` in a subshell, in a fresh
# folder under $WORK; it ends with `fail` or `skip`, or passes by returning.
# Prints one "ok", "not ok" or "skip" line per check, prefixed with
# "vm $VM_KIND $VM_DISC:".  Needs SPINDLE, WORK, VM_KIND, VM_DISC (boot.sh).
set -u

fail() { echo "# FAIL: $*" >&2; exit 1; }
skip() { echo "# SKIP: $*" >&2; exit 77; }

# clock: $now, the guest's uptime, and $cpu, its busy CPU time (under
# TCG, about what the emulation costs the host), both in 1/100 s, read
# without starting a process (each costs ~0.1 s of emulated CPU)
clock() {
	read -r now _ < /proc/uptime
	now=${now%.*}${now#*.}
	read -r _ u n sy _ _ irq sirq _ < /proc/stat
	cpu=$((u + n + sy + irq + sirq))
}

failed=0
check() {
	what=$1 fn=$2 dir=$WORK/$2
	[ ! -e "$dir" ] || rm -rf "$dir"
	mkdir -p "$dir"
	clock
	start=$now cpu0=$cpu
	( cd "$dir" && "$fn" ) > "$dir.log" 2>&1
	rc=$?
	clock
	echo "# $fn took $(((now - start) / 100)) s, $(((cpu - cpu0) / 100)).$(((cpu - cpu0) % 100 / 10)) guest CPU s" >> "$WORK/times"
	case $rc in
	0) echo "ok - vm $VM_KIND $VM_DISC: $what" ;;
	77) echo "skip - vm $VM_KIND $VM_DISC: $what ($(sed -n 's/^# SKIP: //p' "$dir.log" | head -n 1))" ;;
	*) echo "not ok - vm $VM_KIND $VM_DISC: $what"; sed 's/^/    /' "$dir.log"
	   failed=$((failed + 1)) ;;
	esac
}

# vm_drive N: the device of the Nth drive boot.sh attached (0-based), found
# by its place on the bus, which does not depend on probe order
vm_drives=$(for s in /sys/block/sr*; do
	[ ! -e "$s" ] || { cd -P "$s/device" && echo "$PWD /dev/${s##*/}"; }
done | sort | cut -d' ' -f2)
vm_drive() {
	set -- "$1" $vm_drives
	[ $# -gt $(($1 + 1)) ] || return 0
	shift $(($1 + 1))
	echo "$1"
}

# run ARGS...: run spindle (bounded), exit status in $RC, output in out, err
run() {
	timeout -k 5 120 "$SPINDLE" "$@" > out 2> err < /dev/null
	RC=$?
	return 0
}
show() { for f in out err; do echo "# $f:"; sed 's/^/#   /' "$f"; done >&2; }
expect_exit() { [ "$RC" -eq "$1" ] || { show; fail "exit status $RC, expected $1"; }; }
expect_err() { grep -qF -- "$1" err || { show; fail "stderr lacks '$1'"; }; }
expect_out() { grep -qF -- "$1" out || { show; fail "stdout lacks '$1'"; }; }
expect_eq() { [ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"; }
json_get() { tail -n 1 out | jq -r "$1"; }

# json_read VAR EXPR [VAR EXPR ...]: VAR=$(json_get EXPR) for each pair, in
# one run of jq (its start-up alone takes about a second in the emulated
# guest).  An EXPR with several values gives them joined by a literal "\n".
json_read() {
	prog="" vars=""
	while [ $# -ge 2 ]; do
		vars="$vars $1"
		prog="$prog${prog:+, }([$2] | map(if type == \"string\" then . else tojson end) | join(\"\\\\n\"))"
		shift 2
	done
	tail -n 1 out | jq -r "$prog" > json.values || { show; fail "jq cannot read the JSON output"; }
	for v in $vars; do IFS= read -r "$v" || eval "$v="; done < json.values
}

# needs COMMAND: every command the checks run exists now (they once skipped
# while it was a placeholder); kept for the checks that name it
needs() { :; }

# lbas_from_map MAPFILE SECTORS: every LBA below SECTORS in the areas not
# marked '+' (rescued) in a GNU ddrescue mapfile, one per line
lbas_from_map() {
	grep -v '^#' "$1" | sed 1d | while read -r pos size status; do
		[ "$status" = "+" ] && continue
		l=$((pos / 2048)) end=$(((pos + size) / 2048))
		[ $end -le "$2" ] || end=$2
		while [ $l -lt $end ]; do echo $l; l=$((l + 1)); done
	done
}

# blocks ECC LBA...: every LBA of the ECC blocks holding the given LBAs
blocks() {
	ecc=$1
	shift
	for l in "$@"; do seq $((l / ecc * ecc)) $((l / ecc * ecc + ecc - 1)); done | sort -n -u
}

# lines LIST: the words of LIST one per line, sorted, for comparisons
lines() { for w in $1; do echo "$w"; done | sort -n -u; }

# ranges_text FILE: sorted LBAs as spindle names them, "300-301, 1000"
ranges_text() {
	awk 'function out() { t = t (t == "" ? "" : ", ") s (e > s ? "-" e : "") }
	     NR == 1 { s = e = $1; next }
	     $1 == e + 1 { e = $1; next }
	     { out(); s = e = $1 }
	     END { if (NR) out(); print t }' "$1"
}

# failed_reads_at LOG LBA: a --log-reads LOG (GNU ddrescue's format: ipos,
# size, copied size, error size) has a failed read covering LBA
failed_reads_at() {
	grep -v '^#' "$1" | while read -r pos size copied errsize; do
		[ "$errsize" -gt 0 ] && [ $((pos)) -le $(($2 * 2048)) ] &&
			[ $((pos + size)) -gt $(($2 * 2048)) ] && echo "$pos"
	done | grep -q .
}

# expect_lbas WHAT EXPECTED_FILE GOT_FILE: the two LBA lists are equal
expect_lbas() {
	cmp -s "$2" "$3" && return 0
	echo "# $1: expected $(tr '\n' ' ' < "$2")" >&2
	echo "#     got $(tr '\n' ' ' < "$3")" >&2
	fail "$1 differ from the injected LBAs"
}

# differing_sectors A B: the 2048-byte sectors in which A and B differ
differing_sectors() {
	cmp -l "$1" "$2" 2>/dev/null | awk '{ print int(($1 - 1) / 2048) }' | uniq
}

# expect_same_except A B LBA_FILE: same size, same bytes outside those LBAs
expect_same_except() {
	[ "$(stat -c %s "$1")" = "$(stat -c %s "$2")" ] ||
		fail "$1 has $(stat -c %s "$1") bytes, $2 $(stat -c %s "$2")"
	differing_sectors "$1" "$2" | sort -n > differ
	extra=$(comm -23 differ "$3" | head -n 5 | tr '\n' ' ')
	[ -z "$extra" ] || fail "$1 differs from $2 in good sectors: $extra"
}
