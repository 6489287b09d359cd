#!/bin/sh
# spindle report, scan and --report: pictures checked against the mapfiles
# they come from (parsed SVG, a headless Chromium screenshot), scans of
# damage maps and of the simulated drive, a mapfile made by GNU ddrescue.
. "$TOP_SRCDIR/tests/lib.sh"
. "$TOP_SRCDIR/tests/mmcsim/sim.sh"

# the colours a reader of the pictures is told, by state
COLOURS='{"rescued":"#3cb44b","repaired":"#4363d8","run-out":"#9a6324","untried":"#b4b4b4",
"non-trimmed":"#ffe119","non-scraped":"#f58231","mismatch":"#911eb4","bad":"#e6194b"}'
export COLOURS
# jc FILTER: compact JSON of a field of the last line on stdout
jc() { tail -n 1 out | jq -c "$1"; }
# garbage FILE SECTOR [COUNT]: overwrite sectors with other bytes
garbage() {
	head -c $(( ${3:-1} * 2048 )) /dev/zero | tr '\0' 'G' |
		dd of="$1" bs=2048 seek="$2" conv=notrunc status=none
}

# mkmap FILE: a mapfile of 10000 sectors with one area of each status
mkmap() {
	{
		echo "# Mapfile. Created by a test"
		echo "0x00000000     +               1"
		while read -r lba n st; do
			printf '0x%08X  0x%08X  %s\n' $((lba * 2048)) $((n * 2048)) "$st"
		done <<-EOM
		0 2000 +
		2000 100 -
		2100 900 +
		3000 1 *
		3001 999 +
		4000 200 /
		4200 1800 +
		6000 1000 ?
		7000 3000 +
		EOM
	} > "$1"
}

# check_svg SVG MAPFILE R0 R1 NOMINAL: every block of the mapfile is one
# strip rectangle and one disc ring of its colour, at its place
check_svg() {
	xmllint --noout "$1" || fail "$1 is not well-formed XML"
	python3 - "$1" "$2" "$3" "$4" "$5" <<-'EOP' || fail "the picture does not match $2"
	import json, math, os, sys, xml.etree.ElementTree as ET
	svg, mapf, r0, r1, nominal = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
	colours = json.loads(os.environ["COLOURS"])
	names = {"+": "rescued", "-": "bad", "*": "non-trimmed", "/": "non-scraped", "?": "untried"}
	blocks = []
	lines = [l.split() for l in open(mapf) if l.strip() and not l.lstrip().startswith("#")]
	for f in lines[1:]:
	    blocks.append((int(f[0], 0), int(f[1], 0), names[f[2]]))
	total = sum(b[1] for b in blocks)
	ns = "{http://www.w3.org/2000/svg}"
	root = ET.parse(svg).getroot()
	rects = sorted((int(e.get("data-pos")), e) for e in root.iter(ns + "rect") if e.get("class") == "area")
	rings = sorted((int(e.get("data-pos")), e) for e in root.iter(ns + "circle") if e.get("class") == "ring")
	assert len(rects) == len(blocks), (len(rects), len(blocks))
	assert len(rings) == len(blocks), (len(rings), len(blocks))
	k = (r1 * r1 - r0 * r0) / nominal
	scale = 230 / 58.0
	for (pos, size, state), (_, r), (_, c) in zip(blocks, rects, rings):
	    for e in (r, c):
	        assert int(e.get("data-pos")) == pos and int(e.get("data-size")) == size, (pos, size)
	        assert e.get("data-state") == state, (pos, state, e.get("data-state"))
	    assert r.get("fill") == colours[state], (pos, r.get("fill"))
	    assert c.get("stroke") == colours[state], (pos, c.get("stroke"))
	    x = 40 + pos / total * 920
	    w = max(size / total * 920, 0.5)
	    assert abs(float(r.get("x")) - x) < 0.01 and abs(float(r.get("width")) - w) < 0.01, (pos, r.get("x"), x)
	    ra = math.sqrt(r0 * r0 + pos / 2048 * k) * scale
	    rb = math.sqrt(r0 * r0 + (pos + size) / 2048 * k) * scale
	    assert abs(float(c.get("r")) - (ra + rb) / 2) < 0.01, (pos, c.get("r"), (ra + rb) / 2)
	    assert abs(float(c.get("stroke-width")) - max(rb - ra, 0.8)) < 0.01, pos
	EOP
}

test_report_svg_draws_every_area() {
	mkmap m.map
	run report m.map -o r.svg
	expect_exit 0
	expect_out "report: r.svg (9 areas)"
	# 10000 sectors are guessed to be a CD: 25-58 mm, 80 minutes
	check_svg r.svg m.map 25 58 360000
	run report m.map -o d.svg --medium dvd --json
	expect_exit 0
	check_svg d.svg m.map 24 58 2295104
	expect_eq "$(json_get .states.bad)" $((100 * 2048))
	expect_eq "$(json_get .states[\"non-scraped\"])" $((200 * 2048))
	expect_eq "$(json_get .states.untried)" $((1000 * 2048))
	expect_eq "$(json_get .areas)" 9
	expect_eq "$(json_get .files)" null
}

test_report_text_map() {
	mkmap m.map
	run report m.map
	expect_exit 0
	expect_out "disc map, 10000 sectors, 10 per cell:"
	# the bad sectors 2000-2099 touch cells 204-215: row 3, columns 12-23
	row=$(sed -n 5p out)
	expect_eq "$(printf '%s' "$row" | cut -c1-11)" "      1875 " "row 3 label"
	cells=$(printf '%s' "$row" | cut -c12- | sed 's/\xe2\x96\x88/+/g')
	expect_eq "$cells" "++++++++++++XXXXXXXXXXXX++++++++++++++++++++++++++++++++++++++++" "row 3"
	expect_out "bad                 100 sectors"
	expect_out "untried            1000 sectors"
}

test_report_big_mapfile_bounded() {
	# 100,000 areas: every other 8-sector area bad
	awk 'BEGIN { print "0x0 + 1"; for (i = 0; i < 100000; i++)
		printf "0x%X 0x%X %s\n", i * 16384, 16384, i % 2 ? "-" : "+" }' > big.map
	run report big.map -o big.svg
	expect_exit 0
	xmllint --noout big.svg || fail "big.svg is not well-formed"
	size=$(stat -c %s big.svg)
	[ "$size" -lt 1000000 ] || fail "big.svg is $size bytes"
	n=$(grep -c 'class="area"' big.svg)
	[ "$n" -le 1842 ] || fail "$n strip areas for a 920-pixel strip"
	# merged below a pixel, the worst state wins: all bad
	grep 'class="area"' big.svg | grep -v 'data-state="bad"' | head -3 > notbad
	[ ! -s notbad ] || fail "merged areas not drawn bad: $(cat notbad)"
	run report big.map -o big.html
	expect_exit 0
	size=$(stat -c %s big.html)
	[ "$size" -lt 1200000 ] || fail "big.html is $size bytes"
	expect_eq "$(grep -c '<tr><td class="n"><a href="#area-' big.html)" 500 "rows of bad areas"
}

# pixels PNG < "X Y #RRGGBB LABEL" lines: every pixel has its colour (an
# 8-bit RGB or RGBA PNG, decoded once)
pixels() {
	python3 -c '
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
want = [l.split(None, 3) for l in sys.stdin if l.strip()]
last = max(int(y) for _, y, _, _ in want)
stride = w * bpp
rows, prev = [], bytearray(stride)
for row in range(last + 1):
    f = raw[row * (stride + 1)]
    line = bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
    if f == 2:
        line = bytearray((x + y) & 255 for x, y in zip(line, prev))
    elif f != 0:
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
bad = 0
for x, y, colour, label in want:
    x, y = int(x), int(y)
    got = "#%02x%02x%02x" % tuple(rows[y][x * bpp:x * bpp + 3])
    if got != colour:
        print("# %s: pixel (%d, %d) is %s, expected %s" % (label, x, y, got, colour), file=sys.stderr)
        bad += 1
sys.exit(bad > 0)
' "$1"
}

# colour STATE: its colour in the pictures (a python3 start costs more
# than the rest of a line like this)
colour() { printf '%s' "$COLOURS" | jq -r --arg k "$1" '.[$k]'; }

test_report_html_in_chromium() {
	# a DVD's worth of sectors, with areas wide enough to see on the disc
	printf '0 + 1\n' > m.map
	for a in "0 600000 +" "600000 200000 ?" "800000 200000 -" "1000000 200000 /" "1200000 800000 +"; do
		set -- $a
		printf '0x%X 0x%X %s\n' $(($1 * 2048)) $(($2 * 2048)) "$3" >> m.map
	done
	run report m.map -o r.html --medium dvd
	expect_exit 0
	# and a repair's page below it (one Chromium for both): sectors
	# 400-699 of 1001 rebuilt from error-correction data
	mkimg img 1001
	run protect img -o img.ecc --redundancy 170
	expect_exit 0
	garbage img 400 300
	run repair img --ecc img.ecc --report rep.html
	expect_exit 0
	for p in r.html rep.html; do
		grep -q '<script' $p && fail "$p has a script"
		grep -Eq '(src|href)="(https?:)?//' $p && fail "$p fetches something"
	done
	printf '<!DOCTYPE html><html><body style="margin:0">%s%s</body></html>\n' \
		'<iframe src="r.html" width="1000" height="760" style="border:0;display:block"></iframe>' \
		'<iframe src="rep.html" width="1000" height="760" style="border:0;display:block"></iframe>' > both.html
	HOME=$PWD timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--force-device-scale-factor=1 --window-size=1000,1520 --enable-logging=stderr --v=0 \
		--screenshot="$PWD/shot.png" "file://$PWD/both.html" > chromium.out 2>&1 ||
		{ cat chromium.out >&2; fail "chromium failed"; }
	[ -s shot.png ] || fail "no screenshot"
	! grep -i "CONSOLE" chromium.out || fail "console messages"
	# the strip: 40 px of page header, then the picture's strip at y 556-592;
	# the disc: centre (250, 285), 230 px for 58 mm, sector n at
	# sqrt(24^2 + n k) mm on a DVD
	for a in "300000 rescued" "700000 untried" "900000 bad" "1100000 non-scraped" "1600000 rescued"; do
		set -- $a
		want=$(colour "$2")
		r=$(awk -v n="$1" 'BEGIN { k = (58*58 - 24*24) / 2295104; printf "%d\n", int(sqrt(24*24 + n * k) * 230 / 58 + 0.5) }')
		echo "$((40 + $1 * 920 / 2000000)) $((40 + 574)) $want strip at LBA $1"
		echo "$((250 + r)) $((40 + 285)) $want disc at LBA $1, radius $r px"
		echo "250 $((40 + 285 - r)) $want disc above the centre at LBA $1"
	done > want.txt
	# the repair's strip, 760 px lower: rescued, repaired, rescued
	for a in "200 rescued" "550 repaired" "900 rescued"; do
		set -- $a
		want=$(colour "$2")
		echo "$((40 + $1 * 920 / 1001)) $((760 + 40 + 574)) $want repair strip at LBA $1"
	done >> want.txt
	pixels shot.png < want.txt || fail "the screenshot's colours differ"
}

# spec of damage for the scans: a bad ECC block, a very slow and a slower area
scan_spec() {
	printf 'bad 1024 32\nslow 2048 64 8\nslow 4096 128 2\n' > "$1"
}

test_scan_damage_map() {
	mkimg src 6000
	scan_spec spec
	run scan src --test-damage spec --json --zones 10 --report s.html
	expect_exit 6
	expect_eq "$(json_get .error.code)" unreadable
	expect_eq "$(jc .bad_ranges)" '[{"lba":1024,"sectors":32}]'
	expect_eq "$(json_get .sectors)" 6000
	expect_eq "$(json_get .read_sectors)" 5968
	expect_eq "$(jc '[.slow_areas[] | select(.class == "failed") | [.lba, .sectors]]')" '[[1024,64]]'
	expect_eq "$(jc '[.slow_areas[] | select(.class == "slower" or .class == "very-slow") | [.lba, .sectors, .class]]')" \
		'[[2048,64,"very-slow"],[4096,128,"slower"]]'
	expect_eq "$(json_get .classes.failed)" 1
	expect_eq "$(json_get '.zones | length')" 10
	expect_eq "$(json_get .zones[1].lba)" 640
	expect_eq "$(json_get .zones[1].bad_sectors)" 32
	expect_eq "$(json_get .zones[1].reads.failed)" 1
	expect_eq "$(json_get .zones[3].reads[\"very-slow\"])" 1
	grep -q 'class="slow"[^>]*data-lba="2048" data-sectors="64" data-class="very-slow"' s.html ||
		fail "the report lacks the very slow area"
	grep -q 'data-pos="2097152" data-size="65536" data-state="bad"' s.html ||
		fail "the report lacks the bad area"
	grep -q '<polyline' s.html || fail "no speed curve"
	run scan -d stdio:src --test-damage spec
	expect_exit 6
	expect_out "LBA 2048-2111 (64 sectors): very-slow"
	expect_out "LBA 1024-1055 (32 sectors)"
	expect_err "32 sectors in 1 area could not be read"
}

# The first command is timed again when it looks slow (a drive's spin-up,
# the first call's costs): a first area that is really slow stays slow.
test_scan_slow_first_area_is_still_slow() {
	mkimg src 1000
	printf 'slow 0 64 8\n' > spec
	run scan src --test-damage spec --json
	expect_exit 0
	# ("slow", 3 times the median, is what a loaded machine or a memory
	# checker makes of a normal read now and then: as in test_scan_damage_map,
	# the classes above it)
	expect_eq "$(jc '[.slow_areas[] | select(.class == "slower" or .class == "very-slow") | [.lba, .sectors, .class]]')" \
		'[[0,64,"very-slow"]]'
	expect_eq "$(json_get .read_sectors)" 1000
}

# damaged_disc: disc.iso with /a.txt and the 300-block /sub/big.bin at
# LBA $big, and spec making 4 of its blocks bad from big + 10
damaged_disc() {
	mkdir -p tree/sub
	echo hello > tree/a.txt
	head -c 614400 /dev/zero | tr '\0' 'b' > tree/sub/big.bin
	xorriso -as mkisofs -quiet -R -o disc.iso tree 2>/dev/null || fail "xorriso cannot master"
	big=$(xorriso -indev disc.iso -find /sub/big.bin -exec report_lba 2>/dev/null |
		sed -n "s/^File data lba: *0 *, *\([0-9]*\) ,.*/\1/p")
	[ -n "$big" ] || fail "no LBA for big.bin"
	printf 'bad %d 4\n' $((big + 10)) > spec
}

test_scan_files_touched() {
	damaged_disc
	run scan disc.iso --test-damage spec --json
	expect_exit 6
	expect_eq "$(jc '[.files[] | [.path, .bad_sectors]]')" '[["/sub/big.bin",4]]'
	run scan disc.iso --test-damage spec
	expect_out "/sub/big.bin (4 bad sectors from LBA $((big + 10))"
	# report MAPFILE IMAGE: the file, linked to its bad area on the map
	run rip disc.iso -o out.iso --test-damage spec
	expect_exit 6
	run report out.iso.map out.iso -o r.html --json
	expect_exit 0
	expect_eq "$(jc '[.files[] | [.path, .bad_sectors, .first_bad_lba]]')" "[[\"/sub/big.bin\",4,$((big + 10))]]"
	id=$(sed -n "s|.*<a href=\"#\(area-[0-9]*\)\">$((big + 10))-$((big + 13))</a>.*|\1|p" r.html | head -1)
	[ -n "$id" ] || fail "no link from big.bin to the map"
	grep -q "id=\"$id\"[^>]*data-pos=\"$(((big + 10) * 2048))\" data-size=\"8192\" data-state=\"bad\"" r.html ||
		fail "the link $id does not lead to the bad area"
	grep -q '<td>/sub/big.bin</td>' r.html || fail "big.bin not listed"
}

test_scan_clean_and_errors() {
	mkimg src 500
	run scan src --json
	expect_exit 0
	expect_eq "$(json_get .bad_ranges)" "[]"
	expect_eq "$(json_get .read_sectors)" 500
	expect_eq "$(json_get .classes.failed)" 0
	run scan src --report out.txt
	expect_exit 2
	expect_err "FILE.html or FILE.svg"
	run scan nosuch
	[ "$RC" -ne 0 ] || fail "scan of a missing file succeeded"
}

test_scan_simulated_drive_clock() {
	need_sim
	mkimg img 4096
	printf 'read-error 1000 3\nslow 2048 64 0.5\n' > dmg
	MMCSIM_VIRTUAL_TIME=1 sim --media dvd-rom --image img --damage dmg --disc disc -- \
		"$SPINDLE" scan -d "$DEV" --json
	expect_exit 6
	expect_eq "$(out_json .medium)" DVD-ROM
	expect_eq "$(out_json .ecc_block)" 16
	expect_eq "$(jc .bad_ranges)" '[{"lba":992,"sectors":16}]'
	# the clock is real time plus drive time: on a busy machine a stall
	# of a few ms makes a 12 ms read "slow" (3x the median), so that
	# class is left out
	expect_eq "$(jc '[.slow_areas[] | select(.class != "slow") | [.lba, .sectors, .class]]')" \
		'[[960,64,"failed"],[2048,64,"slower"]]'
	# the drive reads at 4x (5540 kB/s) in virtual time, a little less
	# with the real time between commands; the failed read cost it 3 s of
	# retries, the slow area 0.5 s per command
	out_json .median_ms_per_sector | awk '{ k = 2048 / $1; exit !(k > 4200 && k < 5600) }' ||
		fail "median speed $(out_json .median_ms_per_sector) ms per sector is not 4x"
	out_json '[.slow_areas[] | select(.class == "failed")][0].seconds' | awk '{ exit !($1 >= 3 && $1 < 4) }' ||
		fail "the failed read took $(out_json '[.slow_areas[] | select(.class == "failed")][0].seconds') s"
	out_json .elapsed | awk '{ exit !($1 >= 4) }' || fail "elapsed $(out_json .elapsed) s of drive time"
}

test_report_ddrescue_mapfile() {
	mkimg src 2000
	# ddrescue's test mode: blocks marked '-' here fail to read
	printf '0 + 1\n0x0 0x%X +\n0x%X 0x%X -\n0x%X 0x%X +\n' \
		$((500 * 2048)) $((500 * 2048)) $((37 * 2048)) $((537 * 2048)) $((1463 * 2048)) > tm.map
	ddrescue -q -b 2048 --test-mode=tm.map src out.img out.map 2> dd.err || true
	grep -q '^# Mapfile. Created by GNU ddrescue' out.map || fail "not ddrescue's mapfile: $(head -3 out.map)"
	bad=0
	for sz in $(awk '!/^#/ && n++ && $3 != "+" { print $2 }' out.map); do
		bad=$((bad + sz))
	done
	expect_eq "$bad" $((37 * 2048)) "bytes ddrescue left unrescued"
	run report out.map -o dd.svg --json
	expect_exit 0
	expect_eq "$(json_get .states.bad)" $((37 * 2048))
	expect_eq "$(json_get .states.rescued)" $((1963 * 2048))
	grep -q 'class="area"[^>]*data-pos="1024000" data-size="75776" data-state="bad"' dd.svg ||
		fail "the bad area is not drawn at LBA 500"
}

test_rip_and_verify_report() {
	mkimg src 3000
	printf 'bad 100 20\nrunout 2990 10\n' > spec
	run rip src -o out.iso --test-damage spec --report rip.svg
	expect_exit 6
	expect_out "report: rip.svg"
	xmllint --noout rip.svg || fail "rip.svg is not well-formed"
	grep -q 'class="area"[^>]*data-pos="204800" data-size="40960" data-state="bad"' rip.svg ||
		fail "no bad area at LBA 100"
	grep -q 'class="area"[^>]*data-pos="6123520" data-size="20480" data-state="run-out"' rip.svg ||
		fail "no run-out area at LBA 2990"
	run rip src -o x.iso --report x.pdf
	expect_exit 2
	cp src disc
	printf 'X' | dd of=disc bs=1 seek=$((2000 * 2048 + 5)) conv=notrunc status=none
	run verify -d stdio:disc src --report v.html
	expect_exit 5
	grep -q 'data-pos="4096000" data-size="2048" data-state="mismatch"' v.html ||
		fail "no mismatch area at LBA 2000"
	run verify src --report v.html
	expect_exit 2
}

# speeds SVG: the curve's points, "LBA SECTORS KBPS" a line
speeds() {
	sed -n 's/.*class="speed" data-source="[a-z]*" data-speeds="\([^"]*\)".*/\1/p' "$1" | tr ' :' '\n '
}

test_rip_speed_curve_simulated_clock() {
	need_sim
	mkimg img 4096
	printf 'slow 2048 64 0.5\n' > dmg
	MMCSIM_VIRTUAL_TIME=1 sim --media dvd-rom --image img --damage dmg --disc disc -- \
		"$SPINDLE" rip -d "$DEV" -o r.iso --report r.svg
	expect_exit 0
	xmllint --noout r.svg || fail "r.svg is not well-formed"
	grep -q 'class="speed" data-source="reads"' r.svg || fail "no curve from the rip's reads"
	speeds r.svg > pts
	# 4096 sectors in at most 400 bins of 11 sectors, each with a point
	expect_eq "$(wc -l < pts)" 373 "points of the curve"
	expect_eq "$(head -1 pts)" "0 11 $(awk 'NR == 1 { print $3 }' pts)" "first point"
	# in virtual time the drive reads at most at 4x DVD (5540 kB/s); the
	# slow area costs 0.5 s per 32-sector command: at most 131 kB/s.  The
	# clock is real time plus drive time, so a busy machine only slows
	# reads down: the slow area's bound and the fastest point are firm,
	# the rest is left a margin
	awk '$1 >= 2048 && $1 + $2 <= 2112 { n++; if ($3 < 40 || $3 > 131) bad = bad " " $1 ":" $3 }
	     $1 + $2 <= 1984 || $1 >= 2176 { m++; if ($3 > 5540) bad = bad " " $1 ":" $3;
		if ($3 < 1000) slow++; if ($3 > 4700) fast++ }
	     END { if (bad != "" || n < 5 || m < 350 || slow > m / 20 || fast < m / 2) {
		print "n=" n " m=" m " slow=" slow " fast=" fast bad; exit 1 } }' pts ||
		fail "the curve does not follow the virtual clock: $(awk '$1 >= 2000 && $1 < 2200' pts | tr '\n' ' ')"
}

# areas SVG: the strip's areas, "POS SIZE STATE" a line, in order
areas() {
	python3 - "$1" <<-'EOP'
	import sys, xml.etree.ElementTree as ET
	ns = "{http://www.w3.org/2000/svg}"
	a = sorted((int(e.get("data-pos")), int(e.get("data-size")), e.get("data-state"), e.get("fill"))
	           for e in ET.parse(sys.argv[1]).getroot().iter(ns + "rect") if e.get("class") == "area")
	for p, s, st, f in a:
	    print(p // 2048, s // 2048, st, f)
	EOP
}

test_repair_report() {
	mkimg img 1001
	run protect img -o img.ecc --redundancy 8
	expect_exit 0
	# 1001 sectors, 8 roots: ecc block 2 is sectors 2, 7, 12 ...; nine
	# erasures there are past its limit, sectors 500-501 of another block
	# are repaired, 502 lies in block 2 as well
	for j in 0 1 2 3 4 5 6 7 8; do garbage img $(( 2 + 5 * j )); done
	garbage img 500 3
	run repair img --ecc img.ecc --report rep.svg
	expect_exit 6
	expect_out "report: rep.svg"
	xmllint --noout rep.svg || fail "rep.svg is not well-formed"
	areas rep.svg > got
	{
		echo "0 2 rescued #3cb44b"
		for j in 0 1 2 3 4 5 6 7 8; do
			echo "$(( 2 + 5 * j )) 1 bad #e6194b"
			[ $j = 8 ] || echo "$(( 3 + 5 * j )) 4 rescued #3cb44b"
		done
		echo "43 457 rescued #3cb44b"
		echo "500 2 repaired #4363d8"
		echo "502 1 bad #e6194b"
		echo "503 498 rescued #3cb44b"
	} > want
	diff want got >&2 || fail "the repair's map differs"
	# repaired once, nothing is left to repair: the map has no repaired area
	run repair img --ecc img.ecc --report rep.html
	expect_exit 6
	grep -q 'data-state="repaired"' rep.html && fail "a second repair draws repaired sectors"
	grep -q 'data-pos="1028096" data-size="2048" data-state="bad"' rep.html ||
		fail "sector 502 is not drawn bad"
	run repair img --ecc img.ecc --report rep.png
	expect_exit 2
	expect_err "FILE.html or FILE.svg"
	# RS01 data marks its repairs too
	mkimg img1 1001
	run protect img1 -o img1.ecc --codec rs01
	expect_exit 0
	garbage img1 100 5
	run repair img1 --ecc img1.ecc --report rs01.svg --json
	expect_exit 0
	expect_eq "$(json_get .report)" rs01.svg
	areas rs01.svg > got
	printf '0 100 rescued #3cb44b\n100 5 repaired #4363d8\n105 896 rescued #3cb44b\n' > want
	diff want got >&2 || fail "the RS01 repair's map differs"
}

test_extract_report() {
	damaged_disc
	run extract -d stdio:disc.iso --test-damage spec -C x --report x.html
	expect_exit 6
	expect_out "report: x.html"
	# the file's 300 blocks were read but 4; the bad ones are linked from
	# the file to their place on the map
	id=$(sed -n "s|.*<td>/sub/big.bin</td>.*<a href=\"#\(area-[0-9]*\)\">$((big + 10))-$((big + 13))</a>.*|\1|p" x.html)
	[ -n "$id" ] || fail "big.bin is not linked to its bad blocks"
	grep -q "id=\"$id\"[^>]*data-pos=\"$(((big + 10) * 2048))\" data-size=\"8192\" data-state=\"bad\"" x.html ||
		fail "the link $id does not lead to the bad area"
	run extract -d stdio:disc.iso --test-damage spec -C y --report x.svg
	expect_exit 6
	areas x.svg > got
	at() { awk -v l="$1" '$1 <= l && l < $1 + $2 { print $3 }' got; }
	expect_eq "$(at "$big")" rescued "big.bin's first block"
	expect_eq "$(at $((big + 9)))" rescued "the block before the damage"
	grep -q "^$((big + 10)) 4 bad" got || fail "no bad area: $(cat got)"
	expect_eq "$(at $((big + 14)))" rescued "the block after the damage"
	expect_eq "$(at $((big + 299)))" rescued "big.bin's last block"
	# what was not read (system area, padding) is untried
	expect_eq "$(at 0)" untried "LBA 0"
	expect_eq "$(at $((big + 300)))" untried "the padding after the files"
	grep -q 'class="speed" data-source="reads"' x.svg || fail "no read curve"
	run extract -d stdio:disc.iso -C z --report x.txt
	expect_exit 2
	[ ! -e z ] || fail "z extracted despite the usage error"
}

# the one-screen map ends scan, rip and verify on a terminal only
test_text_map_on_a_terminal() {
	mkimg src 3000
	printf 'bad 1500 30\n' > spec
	bounded script -qec "$SPINDLE scan src --test-damage spec" /dev/null < /dev/null > tty.out 2>&1
	grep -q "disc map, 3000 sectors, 3 per cell:" tty.out || { cat tty.out >&2; fail "scan drew no map"; }
	grep -q "bad                  30 sectors" tty.out || fail "no legend of 30 bad sectors"
	# 3000 sectors in 1024 cells: bad sectors 1500-1529 in cells 512-522, row 8
	row=$(grep '^      1500 ' tty.out | tr -d '\r' | sed 's/\x1b\[[0-9;]*m//g; s/\xe2\x96\x88/+/g')
	expect_eq "$row" "      1500 XXXXXXXXXXX+++++++++++++++++++++++++++++++++++++++++++++++++++++" "row 8"
	bounded script -qec "$SPINDLE rip src -o o.iso --test-damage spec" /dev/null < /dev/null > tty.out 2>&1
	grep -q "disc map, 3000 sectors" tty.out || fail "rip drew no map"
	bounded script -qec "$SPINDLE verify -d stdio:o.iso src" /dev/null < /dev/null > tty.out 2>&1
	grep -q "mismatch             30 sectors" tty.out || fail "verify drew no map of the 30 zeroed sectors"
	run scan src --test-damage spec
	expect_exit 6
	expect_no_out "disc map"
}

test_report_errors() {
	run report nosuch.map -o r.svg
	expect_exit 1
	expect_err "does not exist"
	printf 'garbage\n' > bad.map
	run report bad.map
	[ "$RC" -ne 0 ] || fail "a malformed mapfile was drawn"
	mkmap m.map
	run report m.map -o r.png
	expect_exit 2
	expect_err "FILE.html or FILE.svg"
	run report m.map --medium floppy
	expect_exit 2
	[ ! -e r.png ] || fail "r.png written"
}

run_tests
