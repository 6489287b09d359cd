#!/bin/sh
# spindle ls and spindle extract: ISO 9660 (Rock Ridge, Joliet, sessions,
# multi-extent files) and UDF trees mastered at test time, compared with
# the source tree and with 7-Zip, bsdtar and xorriso -osirrox reading the
# same image; hostile images that must write nothing outside the target.
. "$TOP_SRCDIR/tests/lib.sh"

# tree: names in many scripts, deep paths, a hard link, symlinks, a sparse file
make_tree() {
	mkdir -p src/deep/a/b/c/d/e/f/g/h "src/Ελληνικά" "src/日本語 ディレクトリ" src/empty
	printf 'hello\n' > src/a.txt
	mkimg src/deep/a/b/c/d/e/f/g/h/data.bin 40 77
	echo 'кириллица' > "src/Ελληνικά/русский файл.txt"
	echo 'עברית' > "src/日本語 ディレクトリ/עברית العربية.txt"
	echo 'spaces' > "src/with  spaces and 'quotes'.txt"
	ln src/a.txt src/hardlink.txt
	ln -s a.txt src/rel-link
	ln -s ../a.txt "src/Ελληνικά/up-link"
	truncate -s 3M src/sparse.bin
	printf 'middle' | dd of=src/sparse.bin bs=1 seek=1500000 conv=notrunc status=none
	chmod 0640 src/a.txt
	chmod 0750 src/deep/a
	touch -h -d '2001-02-03 04:05:06 UTC' src/deep/a/b/c/d/e/f/g/h/data.bin src/rel-link
	touch -d '1999-12-31 23:59:59 UTC' src/deep/a src/empty
}

# same_tree A B: same names, types, contents, symlink targets
same_tree() {
	diff -r --no-dereference "$1" "$2" > diff.log 2>&1 || { cat diff.log >&2; fail "$1 and $2 differ"; }
}

# meta DIR: mode, mtime (files and dirs; symlinks: target) of everything
meta() {
	(cd "$1" && find . -mindepth 1 ! -type l -printf '%p %m %Ts\n' && \
		find . -type l -printf '%p -> %l\n') | sort
}

test_rockridge_like_source_and_peers() {
	make_tree
	xorriso -as mkisofs -quiet -R -J -o t.iso src 2> /dev/null || fail "xorriso"
	run extract t.iso -C dest
	expect_exit 0
	same_tree src dest
	meta src > m.src
	meta dest > m.out
	diff m.src m.out >&2 || fail "modes or times differ from the source tree"
	expect_eq "$(stat -c %i dest/a.txt)" "$(stat -c %i dest/hardlink.txt)" "hard link"
	# sparse: the hole stays a hole
	[ "$(du -k dest/sparse.bin | cut -f1)" -lt 1024 ] || fail "sparse.bin is not sparse"
	mkdir z b x
	7zz x -oz t.iso > /dev/null || fail "7zz"
	bsdtar -xf t.iso -C b || fail "bsdtar"
	xorriso -osirrox on -indev t.iso -extract / x > /dev/null 2>&1 || fail "xorriso -osirrox"
	same_tree x dest
	same_tree b dest
	# 7-Zip reads the Joliet tree: contents and names, not symlinks
	for f in a.txt deep/a/b/c/d/e/f/g/h/data.bin "Ελληνικά/русский файл.txt" sparse.bin; do
		expect_same "z/$f" "dest/$f"
	done
}

test_ls_long_and_json() {
	make_tree
	xorriso -as mkisofs -quiet -R -J -o t.iso src 2> /dev/null || fail "xorriso"
	run ls t.iso
	expect_exit 0
	expect_out "-rw-r----- "
	expect_out " /Ελληνικά/русский файл.txt"
	expect_out "lrwxrwxrwx "
	expect_out "/rel-link -> a.txt"
	expect_out "2001-02-03 04:05 "
	expect_err "rockridge tree"
	# the first LBA is where xorriso put the file
	lba=$(xorriso -indev t.iso -find /a.txt -exec report_lba -- 2>/dev/null |
		awk -F, '/File data lba/ { gsub(/ /, "", $2); print $2 }')
	grep -q " $lba /a.txt\$" out || { cat out >&2; fail "LBA of a.txt is not $lba"; }
	run ls --json t.iso /deep
	expect_exit 0
	expect_eq "$(json_get '.files | length')" 10 "nodes under /deep"
	expect_eq "$(json_get '.files[-1].path')" /deep/a/b/c/d/e/f/g/h/data.bin
	expect_eq "$(json_get '.files[-1].size')" $((40 * 2048 + 77))
	expect_eq "$(json_get '.files[-1].mtime')" "$(date -d '2001-02-03 04:05:06 UTC' +%s)"
	run ls --fs joliet t.iso
	expect_exit 0
	expect_err "joliet tree"
	expect_no_out "rel-link ->"
	run ls --fs iso9660 t.iso
	expect_exit 0
	expect_out "/A.TXT"
	run ls t.iso /nonesuch
	expect_exit 1
	expect_err "'/nonesuch' is not in the image"
	run ls --fs ntfs t.iso
	expect_exit 2
}

test_named_paths_and_force() {
	make_tree
	xorriso -as mkisofs -quiet -R -o t.iso src 2> /dev/null || fail "xorriso"
	run extract t.iso /deep "Ελληνικά/русский файл.txt" -C dest
	expect_exit 0
	expect_same src/deep/a/b/c/d/e/f/g/h/data.bin dest/deep/a/b/c/d/e/f/g/h/data.bin
	expect_same "src/Ελληνικά/русский файл.txt" "dest/Ελληνικά/русский файл.txt"
	[ ! -e dest/a.txt ] || fail "a.txt was not asked for"
	echo mine > dest/deep/a/b/c/d/e/f/g/h/data.bin
	run extract t.iso /deep -C dest
	expect_exit 1
	expect_err "exists: '/deep/a/b/c/d/e/f/g/h/data.bin'"
	expect_eq "$(cat dest/deep/a/b/c/d/e/f/g/h/data.bin)" mine "kept without --force"
	run extract --force --json t.iso /deep -C dest
	expect_exit 0
	expect_same src/deep/a/b/c/d/e/f/g/h/data.bin dest/deep/a/b/c/d/e/f/g/h/data.bin
	expect_eq "$(json_get '.summary.files')" 1
	expect_eq "$(json_get '.files[-1].state')" ok
	[ -z "$(find dest -name '*.spindle-tmp')" ] || fail "a temporary file was left"
}

# A multi-extent file (ISO 9660 level 3, as files over 4 GiB are written):
# made small by joining two files' records, so that it costs nothing; the
# same code reads the 4 GiB extents of a real one (spindle mkiso of a 4.1
# GiB sparse file extracted whole, checked by hand: 35 s, 0 blocks used).
test_multi_extent_file() {
	mkdir src
	mkimg src/part1 20
	mkimg src/part2 2 500
	cat src/part1 src/part2 > want
	xorriso -as mkisofs -quiet -R -J -o m.iso src 2> /dev/null || fail "xorriso"
	python3 - <<'PY'
d = bytearray(open('m.iso', 'rb').read())
i = d.find(b'PART1.;1')
d[i - 33 + 25] |= 0x80          # the multi-extent flag: the next record goes on
i = d.find('part1'.encode('utf-16-be'))
d[i - 33 + 25] |= 0x80          # and in the Joliet tree
for a, b in ((b'PART2.;1', b'PART1.;1'), (b'NM\x0a\x01\x00part2', b'NM\x0a\x01\x00part1'),
             ('part2'.encode('utf-16-be'), 'part1'.encode('utf-16-be'))):
    assert d.count(a) == 1, a
    d = d.replace(a, b)
open('m.iso', 'wb').write(d)
PY
	run ls --json m.iso
	expect_exit 0
	expect_eq "$(json_get '.files | length')" 1
	expect_eq "$(json_get '.files[0].extents')" 2
	expect_eq "$(json_get '.files[0].size')" $((22 * 2048 + 500))
	run extract m.iso -C dest
	expect_exit 0
	expect_same want dest/part1
	mkdir z b x
	7zz x -oz m.iso > /dev/null || fail "7zz"
	bsdtar -xf m.iso -C b || fail "bsdtar"
	xorriso -osirrox on -indev m.iso -extract / x > /dev/null 2>&1 || fail "xorriso -osirrox"
	expect_same z/part1 dest/part1
	expect_same b/part1 dest/part1
	expect_same x/part1 dest/part1
}

test_sessions() {
	mkdir -p one two
	echo first > one/f1
	echo second > two/f2
	xorriso -outdev ms.iso -map one /s1 > /dev/null 2>&1 || fail "xorriso session 1"
	xorriso -dev ms.iso -map two /s2 -rm /s1/f1 > /dev/null 2>&1 || fail "xorriso session 2"
	run ls ms.iso
	expect_exit 0
	expect_out "/s2/f2"
	expect_no_out "/s1/f1"
	run ls --session 1 ms.iso
	expect_exit 0
	expect_out "/s1/f1"
	expect_no_out "/s2"
	run extract --session 1 ms.iso -C dest
	expect_exit 0
	expect_eq "$(cat dest/s1/f1)" first
	run ls --session 3 ms.iso
	expect_exit 2
	expect_err "has 2 sessions"
}

# udf_patch IMAGE OP...: change a genisoimage UDF image in place; OP is
# rename:NAME:NEW (same length), symlink:NAME (its data holds the path),
# loop:DIR (points at the root), past-end:FILE (extent and size absurd)
udf_patch() {
	python3 - "$@" <<'PY'
import struct, sys
img = sys.argv[1]
d = bytearray(open(img, 'rb').read())
def fid(name):
    n = b'\x08' + name
    i = 0
    while True:
        i = d.find(n, i)
        if i < 0: raise SystemExit('no FID ' + repr(name))
        f = i - 38 - struct.unpack_from('<H', d, i - 2)[0]
        # the FID starts 38 + L_IU bytes before its name
        for st in range(i - 38, i - 38 - 64, -1):
            if struct.unpack_from('<H', d, st)[0] == 257 and d[st + 19] == len(n):
                return st, i
        i += 1
pstart = None
for b in range(32, 300):
    if struct.unpack_from('<H', d, b * 2048)[0] == 5:
        pstart = struct.unpack_from('<I', d, b * 2048 + 188)[0]; break
def fe_of(st):
    return (pstart + struct.unpack_from('<I', d, st + 24)[0]) * 2048
for op in sys.argv[2:]:
    what, *a = op.split(':')
    if what == 'rename':
        st, i = fid(a[0].encode())
        new = a[1].encode()
        d[i + 1:i + 1 + len(new)] = new
    elif what == 'symlink':
        # NAME's entry becomes a symlink to the absolute path in its own data
        st, i = fid(a[0].encode())
        d[fe_of(st) + 27] = 12
    elif what == 'loop':
        # directory NAME's entry points at the root's entry
        st, i = fid(a[0].encode())
        fsd = None
        for b in range(pstart, pstart + 64):
            if struct.unpack_from('<H', d, b * 2048)[0] == 256:
                fsd = b; break
        root = struct.unpack_from('<I', d, fsd * 2048 + 404)[0]
        struct.pack_into('<I', d, st + 24, root)
    elif what == 'past-end':
        st, i = fid(a[0].encode())
        fe = fe_of(st)
        lea, lad = struct.unpack_from('<II', d, fe + 168)
        struct.pack_into('<I', d, fe + 176 + lea + 4, 0x7fffff00)
        struct.pack_into('<Q', d, fe + 56, 1 << 60)
open(img, 'wb').write(d)
PY
}

# UDF path components for an absolute target: root, then each name
udf_link_data() {
	printf '\002\000\000\000'
	echo "${1#/}" | tr / '\n' | while IFS= read -r p; do
		printf "\\005\\$(printf %03o $((${#p} + 1)))\\000\\000\\010%s" "$p"
	done
}

test_udf_genisoimage() {
	make_tree
	rm src/rel-link "src/Ελληνικά/up-link" src/hardlink.txt
	genisoimage -quiet -udf -R -o u.iso src 2> /dev/null || fail "genisoimage"
	run ls --fs udf u.iso
	expect_exit 0
	expect_err "udf tree"
	expect_out "/Ελληνικά/русский файл.txt"
	run extract --fs udf --json u.iso -C dest
	expect_exit 0
	expect_eq "$(json_get .fs)" udf
	same_tree src dest
	mkdir z
	7zz x -oz u.iso > /dev/null || fail "7zz"
	same_tree z dest
	expect_eq "$(stat -c %Y dest/deep/a/b/c/d/e/f/g/h/data.bin)" \
		"$(date -d '2001-02-03 04:05:06 UTC' +%s)" "UDF time"
}

test_udf_mkudffs_revisions() {
	for spec in hd:1.02 hd:2.01 dvdr:2.50 bdr:2.60; do
		rm -f v.img
		mkudffs --new-file --media-type="${spec%%:*}" --udfrev="${spec#*:}" -b 2048 \
			--label=spindle v.img 8192 > /dev/null 2>&1 || fail "mkudffs $spec"
		run ls --json v.img
		expect_exit 0
		expect_eq "$(json_get .fs)" udf "$spec"
		expect_eq "$(json_get '.files | length')" 0 "$spec"
	done
}

test_hostile_names_iso() {
	mkdir -p t
	echo x > t/ab
	echo y > t/ctrlxx
	echo z > t/ok
	xorriso -as mkisofs -quiet -R -o h.iso t 2> /dev/null || fail "xorriso"
	python3 - <<'PY'
d = bytearray(open('h.iso', 'rb').read())
for a, b in ((b'NM\x07\x01\x00ab', b'NM\x07\x01\x00..'),
             (b'NM\x0b\x01\x00ctrlxx', b'NM\x0b\x01\x00c\x01\x1b[xx')):
    assert d.count(a) == 1, a
    d = d.replace(a, b)
open('h.iso', 'wb').write(d)
PY
	mkdir cage
	run extract h.iso -C cage/dest
	expect_exit 1
	expect_err "refused: '/..'"
	expect_err "renamed: '/c\\x01\\x1b[xx'"
	[ "$(cat cage/dest/c__[xx)" = y ] || fail "the renamed file"
	[ "$(cat cage/dest/ok)" = z ] || fail "ok"
	[ -z "$(find cage -maxdepth 1 ! -name cage ! -name dest)" ] || fail "written outside out"
}

test_hostile_udf_symlink_escape() {
	mkdir -p t/esd outside
	echo planted > t/esd/planted
	udf_link_data "$PWD/outside" > t/esc
	echo fine > t/fine
	genisoimage -quiet -udf -o h.iso t 2> /dev/null || fail "genisoimage"
	udf_patch h.iso symlink:esc rename:esd:esc
	run ls --fs udf h.iso
	expect_exit 0
	expect_out "/esc -> $PWD/outside"
	expect_out "/esc/planted"
	run extract --fs udf h.iso -C dest
	expect_exit 1
	expect_err "refused: '/esc/planted'"
	[ -z "$(ls outside)" ] || fail "a file was written through the symlink"
	expect_eq "$(readlink dest/esc)" "$PWD/outside"
	expect_eq "$(cat dest/fine)" fine
}

test_hostile_udf_names_loop_past_end() {
	mkdir -p t/dir/sub
	echo a > t/dir/sub/f
	echo b > t/abcdefgh
	echo c > t/bigfile
	genisoimage -quiet -udf -o h.iso t 2> /dev/null || fail "genisoimage"
	udf_patch h.iso rename:abcdefgh:../../ev loop:sub past-end:bigfile
	run ls --fs udf h.iso
	expect_exit 0
	mkdir cage
	run extract --fs udf --json h.iso -C cage/dest
	expect_exit 6
	[ ! -e ev ] && [ ! -e cage/ev ] || fail "written outside out"
	expect_eq "$(tail -n 1 out | jq -r '.files[] | select(.path == "/../../ev") | .state')" refused
	expect_eq "$(tail -n 1 out | jq -r '.files[] | select(.path == "/bigfile") | .state')" damaged
	[ -f cage/dest/bigfile.damaged ] || fail "no .damaged note"
	[ "$(stat -c %s cage/dest/bigfile)" -le 2048 ] || fail "the absurd size was written"
}

test_full_disk() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	mkdir src small
	mkimg src/a 100
	mkimg src/b 2000
	xorriso -as mkisofs -quiet -o t.iso src 2> /dev/null || fail "xorriso"
	mount -t tmpfs -o size=2m tmpfs small 2> /dev/null || skip "cannot mount a tmpfs"
	trap 'umount "$PWD/small" 2> /dev/null' EXIT
	run extract --fs iso9660 t.iso -C small/dest
	expect_exit 9
	expect_err "No space left on device"
	expect_same src/a small/dest/A
	[ "$(ls small/dest)" = A ] || fail "left in small/dest: $(ls small/dest)"
}

# A damaged disc (--test-mode): extraction is a rescue with a mapfile that
# reads the tree, then only the blocks of the files asked for (copied,
# trimmed, scraped as rip does); the intact ones come out identical, the
# damaged one with its bad byte range in a note; far fewer reads than a rip
# of the disc.
test_damaged_disc_targeted() {
	mkdir -p tree/d
	mkimg tree/a 200
	mkimg tree/d/b 300 100
	mkimg tree/c 2000
	xorriso -as mkisofs -quiet -R -o disc.iso tree 2> /dev/null || fail "xorriso"
	run ls --json disc.iso /d/b
	b=$(json_get '.files[-1].lba')
	size=$(stat -c %s disc.iso)
	# sectors b+10 .. b+14 are bad
	printf '0 +\n0 %d +\n%d %d -\n%d %d +\n' $(((b + 10) * 2048)) $(((b + 10) * 2048)) \
		$((5 * 2048)) $(((b + 15) * 2048)) $((size - (b + 15) * 2048)) > disc.map
	run extract --json -d stdio:disc.iso --test-mode disc.map /d/b /a -C dest
	expect_exit 6
	expect_same tree/a dest/a
	[ ! -e dest/c ] || fail "c was not asked for"
	expect_eq "$(tail -n 1 out | jq -r '.files[] | select(.path == "/d/b") | .state')" damaged
	expect_eq "$(tail -n 1 out | jq -c '.files[] | select(.path == "/d/b") | .bad_bytes')" \
		'[{"offset":20480,"length":10240}]'
	grep -q '^20480 10240$' dest/d/b.damaged || fail "the .damaged note"
	cmp -n 20480 tree/d/b dest/d/b || fail "b before the damage"
	cmp -i 30720 tree/d/b dest/d/b || fail "b after the damage"
	expect_eq "$(json_get .rescue.kept)" true "rescue image kept"
	[ -f dest/.spindle-rescue.iso.map ] || fail "no mapfile kept"
	reads=$(json_get .summary.reads)
	run rip --json -d stdio:disc.iso --test-mode disc.map -o rip.iso
	rip_reads=$(json_get .reads)
	echo "# targeted extraction: $reads reads; rip of the disc: $rip_reads" >&2
	[ "$reads" -lt "$rip_reads" ] || fail "extraction read $reads times, rip $rip_reads"
	# at most one read per block of the files asked for, plus the tree's (< 40)
	[ "$reads" -le $((200 + 301 + 40)) ] || fail "$reads reads"
	# nothing outside the tree and the files was read: c's blocks are not in the map
	run ls --json disc.iso /c
	c=$(json_get '.files[-1].lba')
	awk -v c="$c" 'function hex(s,  i, v) {
			s = tolower(substr(s, 3))
			for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v }
		/^#/ { next }
		NF == 3 && ++n > 1 && $3 == "+" {
			s = hex($1) / 2048; e = s + hex($2) / 2048
			if (s < c + 2000 && e > c) bad = 1 }
		END { exit bad }' dest/.spindle-rescue.iso.map || fail "c's blocks were read"
	run extract --skip-damaged -d stdio:disc.iso --test-mode disc.map /d/b -C skip
	expect_exit 6
	[ ! -e skip/d/b ] || fail "--skip-damaged kept b"
}

# From a drive, each rescue pass reads the files asked for in path order
# (as ls lists them), not in the order of their blocks: here the image
# puts /z first on the disc and /a last, and /a and /z each have a bad
# block.  The drive's read log (--log-reads) must show, after the tree,
# the files in path order in every forwards pass and in reverse path order
# in the backwards one, and nothing but the files' blocks.  The --json
# progress events of the rescue are well-formed and end with the figures
# of the files' blocks.
test_damaged_reads_in_path_order() {
	mkdir -p o/d
	mkimg o/a 20
	mkimg o/d/b 30
	mkimg o/z 25
	printf 'o/z 300\no/d/b 200\no/a 100\n' > sort.txt
	genisoimage -quiet -R -sort sort.txt -o o.iso o 2> /dev/null || fail "genisoimage"
	run ls --json o.iso
	expect_exit 0
	json_get '.files[] | select(.kind == "file") | "\(.path) \(.lba) \(.size)"' > files.txt
	za=$(awk '$1 == "/z" { print $2 }' files.txt)
	aa=$(awk '$1 == "/a" { print $2 }' files.txt)
	[ "$za" -lt "$aa" ] || fail "the image does not put /z before /a: $(cat files.txt)"
	size=$(stat -c %s o.iso)
	# sectors za+5 and aa+5 are bad
	printf '0 +\n0 %d +\n%d 2048 -\n%d %d +\n%d 2048 -\n%d %d +\n' \
		$(((za + 5) * 2048)) $(((za + 5) * 2048)) $(((za + 6) * 2048)) $(((aa - za - 1) * 2048)) \
		$(((aa + 5) * 2048)) $(((aa + 6) * 2048)) $((size - (aa + 6) * 2048)) > o.map
	run extract --json -d stdio:o.iso --test-mode o.map --log-reads reads.log -C dest
	expect_exit 6
	expect_same o/d/b dest/d/b
	python3 - files.txt reads.log out <<'PY' || fail "read order or progress events"
import json, sys
files = [l.split() for l in open(sys.argv[1])]
files = [(p, int(a), int(a) + (int(n) + 2047) // 2048) for p, a, n in files]
def owner(lba):
    for p, s, e in files:
        if s <= lba < e:
            return p
    return None
# the read log: sections by pass, each read's LBA mapped to its file
passes, cur = [], None
for l in open(sys.argv[2]):
    if l.startswith("# ") and "s  " in l:
        cur = [l.split("s  ", 1)[1].strip(), []]
        passes.append(cur)
    elif l.startswith("0x") and cur:
        pos, size = int(l.split()[0], 16), int(l.split()[1])
        seq = cur[1]
        o = owner(pos // 2048)
        if cur[0].startswith("Finding"):
            continue
        assert o is not None and o == owner((pos + size) // 2048 - 1), (cur[0], hex(pos), size)
        if not seq or seq[-1] != o:
            seq.append(o)
order = ["/a", "/d/b", "/z"]
got = {name: seq for name, seq in passes}
print(got, file=sys.stderr)
first = got["Copying non-tried blocks... Pass 1 (forwards)"]
assert first == order, first
for name, seq in got.items():
    if name.startswith("Finding"):
        continue
    want = [p for p in (order[::-1] if "backwards" in name else order) if p in seq]
    assert seq == want, (name, seq)
assert "Trimming failed blocks... (forwards)" in got, got
# --json: events, then the result
lines = [json.loads(l) for l in open(sys.argv[3])]
ev = [e for e in lines if e["type"] == "progress" and "lba" in e]
assert lines[-1]["type"] == "result" and all(e["command"] == "extract" for e in lines)
phases = ["tree", "copying", "trimming", "scraping", "retrying", "finished"]
idx = [phases.index(e["phase"]) for e in ev]
assert idx == sorted(idx) and ev[0]["phase"] == "tree" and ev[-1]["phase"] == "finished", idx
last = ev[-1]
blocks = sum(e - s for p, s, e in files)
assert last["total_bytes"] == blocks * 2048, (last, blocks)
assert last["bad_bytes"] == 2 * 2048 and last["bad_areas"] == 2, last
assert last["rescued_bytes"] == (blocks - 2) * 2048, last
assert last["reads"] == lines[-1]["summary"]["reads"], last
for e in ev:
    for k in ("pass", "lba", "rescued_bytes", "total_bytes", "bad_bytes", "bad_areas", "reads", "failed_reads"):
        assert isinstance(e[k], int) and e[k] >= 0, (k, e)
    assert isinstance(e["rate"], (int, float))
x = [e for e in lines if e["type"] == "progress" and e["phase"] == "extracting"]
assert x and x[-1]["bytes_done"] == x[-1]["bytes_total"], x
PY
}

test_hostile_iso_extent_past_end_and_loop() {
	mkdir -p t/d/e
	echo hello > t/far
	echo x > t/d/e/x
	xorriso -as mkisofs -quiet -o h.iso t 2> /dev/null || fail "xorriso"
	python3 - <<'PY'
import struct
d = bytearray(open('h.iso', 'rb').read())
far, loop = bytearray(d), bytearray(d)
# FAR: 4 GiB - 2 KiB from a block far past the end
r = d.find(b'FAR.;1') - 33
for o, v in ((2, 0x7ffffff0), (10, 0xfffff800)):
    struct.pack_into('<I', far, r + o, v); struct.pack_into('>I', far, r + o + 4, v)
# directory E points back at the root directory's extent
root = struct.unpack_from('<I', d, 16 * 2048 + 156 + 2)[0]
e = d.find(b'\x01E') - 32
struct.pack_into('<I', loop, e + 2, root); struct.pack_into('>I', loop, e + 6, root)
open('far.iso', 'wb').write(far)
open('loop.iso', 'wb').write(loop)
PY
	mkdir cage
	run extract --json far.iso -C cage/dest
	expect_exit 6
	expect_eq "$(tail -n 1 out | jq -r '.files[] | select(.path == "/far") | .state')" damaged
	# kept at its recorded size, as a hole: no disk space spent
	[ "$(du -sk cage | cut -f1)" -lt 1024 ] || fail "the absurd size took disk space"
	expect_eq "$(cat cage/dest/d/e/x)" x
	run extract loop.iso -C cage/loop
	expect_exit 1
	expect_err "its directories loop"
	[ "$(find cage -maxdepth 1 | wc -l)" -eq 2 ] || fail "written outside dest"
}

# UDF 2.50's metadata partition (Blu-ray): no tool here writes files into
# one, so tests/disc/udfmeta.py turns a genisoimage UDF image into one:
# its partition's blocks moved after it (the old place zeroed), a metadata
# file whose extent is the moved copy, a type 2 "*UDF Metadata Partition"
# map, and the file set descriptor and every file identifier pointing into
# that map.  The tree can then be read only through the metadata file.
test_udf_250_metadata_partition() {
	mkdir -p t/d
	echo meta-one > t/d/one
	mkimg t/two 24 80
	genisoimage -quiet -udf -o g.iso t 2> /dev/null || fail "genisoimage"
	python3 "$TOP_SRCDIR/tests/disc/udfmeta.py" g.iso m.img || fail "udfmeta.py"
	run ls --fs udf --json m.img
	expect_exit 0
	expect_eq "$(json_get '.files | length')" 3
	run extract --fs udf m.img -C dest
	expect_exit 0
	same_tree t dest
	# 7-Zip, an independent reader, extracts it too, with no "Headers
	# Error" (an anchor after the last block it reads) and no "data after
	# the end of archive" (nothing else after that block): exit status 0
	7zz x -oz m.img > 7z.log 2>&1 || fail "7zz exit $?: $(grep -iE 'error|warn' 7z.log | tr '\n' ' ')"
	same_tree t z
}

# Every image format spindle reads: an ISO's sectors as the data track of a
# disc that tests/disc/discgen.py writes in each CD format (audio tracks
# after it), in the containers tests/container/ctrgen.py writes, and in
# chdman's CD and raw CHDs.  ls, extract and files read them through the
# disc model and find the same tree at the same LBAs as in the ISO.
test_every_image_format() {
	mkdir -p src/d
	echo hello > src/a.txt
	mkimg src/d/b.bin 9 77
	ln -s a.txt src/l
	ln src/a.txt src/hard.txt
	genisoimage -quiet -no-pad -R -o t.iso src 2> /dev/null || fail "genisoimage"
	python3 "$TOP_SRCDIR/tests/disc/discgen.py" gen g --data t.iso || fail "discgen.py"
	cmp g/expected.iso t.iso || fail "discgen.py did not take the ISO as track 1"
	python3 "$TOP_SRCDIR/tests/container/ctrgen.py" dmg t.dmg t.iso + daa t.daa t.iso --lzma \
		+ isz t.isz t.iso || fail "ctrgen.py"
	chdman createcd -i g/cue/disc.cue -o cd.chd > chdman.log 2>&1 || fail "chdman createcd"
	chdman createraw -i t.iso -o raw.chd -hs 2048 -us 2048 > chdman.log 2>&1 || fail "chdman createraw"
	run ls --json t.iso /d/b.bin
	lba=$(json_get '.files[-1].lba')
	# b.bin's second sector is bad
	printf '0 +\n0 %d +\n%d 2048 -\n%d %d +\n' $(((lba + 1) * 2048)) $(((lba + 1) * 2048)) \
		$(((lba + 2) * 2048)) $(((200 - lba - 2) * 2048)) > bad.map
	# one image per reader (test_formats reads their variants)
	for f in g/cue/disc.cue g/cue2/disc.cue g/toc/disc.toc g/nrg1/disc.nrg g/mds/disc.mds \
		 g/mdx/disc.mdx g/ccd/disc.ccd g/cdi/disc.cdi cd.chd raw.chd t.dmg t.daa t.isz; do
		rm -rf dest
		run extract "$f" -C dest
		[ "$RC" -eq 0 ] || { cat err >&2; fail "extract $f: exit $RC"; }
		same_tree src dest
		expect_eq "$(stat -c %i dest/a.txt)" "$(stat -c %i dest/hard.txt)" "$f: hard link"
		# the same LBAs as in the ISO: b.bin's second sector is the bad one
		run files --json --map bad.map "$f"
		expect_exit 6
		expect_eq "$(json_get '.files[0].path') $(json_get '.files[0].first_bad_lba')" \
			"/d/b.bin $((lba + 1))" "$f: files hit"
	done
	run ls g/cue/disc.cue
	expect_exit 0
	expect_err "g/cue/disc.cue (BIN/CUE): rockridge tree"
}

# invert MAP OUT: a --test-mode mapfile where what MAP calls rescued ('+')
# is bad and everything else good: a run under it that reads a block
# rescued before fails there
invert() {
	awk 'NR == 1 { print "# inverted"; print "0x0 + 1" }
	     /^#/ { next }
	     NF == 3 && ++n > 1 { print $1, $2, ($3 == "+" ? "-" : "+") }' "$1" > "$2" || fail "invert $1"
}

damaged_setup() {
	mkdir -p tree/d
	mkimg tree/a 200
	mkimg tree/d/b 300 100
	mkimg tree/c 500
	xorriso -as mkisofs -quiet -R -o disc.iso tree 2> /dev/null || fail "xorriso"
	run ls --json disc.iso /d/b
	b=$(json_get '.files[-1].lba')
	size=$(stat -c %s disc.iso)
	printf '0 +\n0 %d +\n%d %d -\n%d %d +\n' $(((b + 10) * 2048)) $(((b + 10) * 2048)) \
		$((5 * 2048)) $(((b + 15) * 2048)) $((size - (b + 15) * 2048)) > disc.map
}

# The same command again resumes from the rescue's mapfile: the blocks
# rescued the first time are not read again (they are bad now), the five
# bad ones are, and the files come out whole; the rescue image goes.
test_extract_resumes_from_mapfile() {
	damaged_setup
	run extract --json -d stdio:disc.iso --test-mode disc.map /d /a -C dest
	expect_exit 6
	[ -f dest/d/b.damaged ] || fail "no note"
	invert dest/.spindle-rescue.iso.map inv.map
	run extract --json -d stdio:disc.iso --test-mode inv.map /d /a -C dest
	expect_exit 0
	expect_eq "$(json_get .rescue.resumed)" true "resumed"
	expect_eq "$(json_get .summary.reads)" 5 "read commands of the second run"
	expect_same tree/a dest/a
	expect_same tree/d/b dest/d/b
	[ ! -e dest/d/b.damaged ] || fail "the note of the damaged copy is left"
	[ ! -e dest/.spindle-rescue.iso ] && [ ! -e dest/.spindle-rescue.iso.map ] ||
		fail "the rescue image or its map is left"
	[ "$(ls -A dest)" = "$(printf 'a\nd')" ] || fail "left in dest: $(ls -A dest)"
}

# Interrupted (SIGINT) wherever it lands, the same command resumes: under
# the inverted map of what the first run rescued, nothing rescued is read
# again, and not a byte is lost.
test_extract_interrupted_resumes() {
	damaged_setup
	printf 'good 0 %d\nslow 0 %d 20\n' $((size / 2048)) $((size / 2048)) > slow.spec
	for i in 1 2; do
		rm -rf dest
		"$SPINDLE" extract -q -d stdio:disc.iso --test-damage slow.spec /d /a -C dest \
			> /dev/null 2> err &
		pid=$!
		sleep "0.$((3 + i * 3))"
		kill -INT $pid 2> /dev/null
		wait $pid
		rc=$?
		[ "$rc" -eq 8 ] || [ "$rc" -eq 0 ] || { cat err >&2; fail "exit status $rc after SIGINT"; }
		[ "$rc" -eq 8 ] || continue
		grep -q "run the same command again" err || fail "no hint: $(cat err)"
		if [ -f dest/.spindle-rescue.iso.map ]; then
			invert dest/.spindle-rescue.iso.map inv.map
		else
			printf '0 +\n0 %d +\n' "$size" > inv.map
		fi
		run extract -d stdio:disc.iso --test-mode inv.map /d /a -C dest
		expect_exit 0
		expect_same tree/a dest/a
		expect_same tree/d/b dest/d/b
	done
}

# A sparable partition (CD-RW, DVD-RW: mkudffs --media-type=cdrw) whose
# first packet, with the file set descriptor and the root, was moved to the
# spare area by its sparing table: read through the table, and not without.
test_udf_sparing_table_remaps() {
	mkudffs --new-file --media-type=cdrw --udfrev=2.01 -b 2048 --label=spare s.img 4000 \
		> /dev/null 2>&1 || fail "mkudffs"
	python3 "$TOP_SRCDIR/tests/disc/udfspare.py" s.img || fail "moving the packet"
	run ls --json s.img
	expect_exit 0
	expect_eq "$(json_get .fs)" udf
	expect_eq "$(json_get '.files | length')" 0
}

run_tests
