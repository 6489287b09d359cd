# rip_lib.sh - helpers for the rip tests; sourced after tests/lib.sh.

DAMAGEMAP="$TOP_SRCDIR/tests/damagemap.awk"

# damagemap OUT SECTORS KIND SEED [PATTERN [GOODTAIL]]: a ddrescue
# test-mode mapfile
damagemap() {
	awk -v sectors="$2" -v kind="$3" -v seed="$4" -v pattern="${5:-mixed}" \
		-v goodtail="${6:-0}" \
		-f "$DAMAGEMAP" > "$1" 2> damagemap.err || fail "damagemap.awk failed"
}

# blocks MAPFILE: the block lines only (no comments, no status line), as
# decimal "POS SIZE STATUS"
blocks() {
	awk '/^[ \t]*#/ || NF == 0 { next } !s { s = 1; next } { print $1, $2, $3 }' "$1" |
	while read -r pos size st; do
		printf '%d %d %s\n' "$pos" "$size" "$st"
	done
}

# MAPBLOCKS: python3 code that reads the mapfile sys.argv[1] into
# blocks, a list of (pos, size, status), as blocks() does: one process
# for the whole map, not a cmp or dd per block
MAPBLOCKS='import sys
blocks, status_line = [], True
for line in open(sys.argv[1]):
    f = line.split()
    if not f or f[0].startswith("#"):
        continue
    if status_line:
        status_line = False
        continue
    blocks.append((int(f[0], 0), int(f[1], 0), f[2]))
'

# expect_consistent SRC IMAGE MAPFILE: every byte the mapfile marks '+'
# equals the source.  Holds at every instant of a rip, kills included.
expect_consistent() {
	[ -f "$3" ] || return 0
	python3 -c "$MAPBLOCKS
src, img = open(sys.argv[2], 'rb'), open(sys.argv[3], 'rb')
for pos, size, st in blocks:
    if st != '+':
        continue
    src.seek(pos)
    img.seek(pos)
    if src.read(size) != img.read(size):
        print('bad', pos, size)
        break" "$3" "$1" "$2" > inconsistent || fail "cannot compare $2 with $1 under $3"
	[ ! -s inconsistent ] || fail "$3 marks data '+' that differs from $1: $(cat inconsistent)"
}

# masked SRC DAMAGEMAP OUT: the source with the damaged sectors zeroed
masked() {
	cp "$1" "$3"
	python3 -c "$MAPBLOCKS
out = open(sys.argv[2], 'r+b')
for pos, size, st in blocks:
    if st == '-':
        out.seek(pos // 2048 * 2048)
        out.write(bytes(size // 2048 * 2048))" "$2" "$3" || fail "cannot mask $3"
}

# expect_rescue SRC IMAGE MAPFILE DAMAGEMAP: the rip got every good
# sector, marked exactly the damaged ones bad, and has the right size.
expect_rescue() {
	expect_eq "$(stat -c %s "$2")" "$(stat -c %s "$1")" "image size"
	expect_consistent "$1" "$2" "$3"
	blocks "$4" | sed 's/ -$/ bad/; s/ +$/ good/' > want.blocks
	blocks "$3" | sed 's/ [-*\/?]$/ bad/; s/ +$/ good/' > got.blocks
	cmp -s want.blocks got.blocks || {
		diff want.blocks got.blocks | head -10 >&2
		fail "the mapfile's bad areas differ from the damage"
	}
	masked "$1" "$4" want.img
	cmp -s want.img "$2" || fail "the image differs from the source outside the damage"
}

# reads LOG: "total failing" read commands of a --log-reads file
reads() {
	awk '!/^#/ && NF == 4 { n++; if ($4 > 0) f++ } END { print n + 0, f + 0 }' "$1"
}

# goodlba MAPFILE FROM N: the first LBA >= FROM, a multiple of 16, where N
# sectors are good ('+') in a damage map
goodlba() {
	blocks "$1" | awk -v from="$2" -v n="$3" '
		$3 == "+" { s = $1; e = s + $2; s = int(s / 2048); e = int(e / 2048)
			if (s < from) s = from
			s = int((s + 15) / 16) * 16
			if (s + n <= e) { print s; found = 1; exit } }
		END { if (!found) print -1 }' 2>/dev/null
}
