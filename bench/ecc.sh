#!/bin/sh
# bench/ecc.sh - error-correction data, spindle against dvdisaster 0.79.5 on
# the same image in one run: RS03 .ecc create (32 roots), verify, and repair
# of the same damage (ERASURES sectors overwritten, spread over the image,
# so that every ecc block has a few), RS01 create, and RS02 (augmented
# image, ROOTS roots) create, verify and repair of the same damage.  Prints wall and CPU seconds and MB/s
# of image data; checks that both .ecc files are identical and that both
# repairs give back the original image.  spindle fsyncs what it writes;
# dvdisaster does not.  A 1 GB run takes about 10 minutes, most of it
# dvdisaster's -t and -f.
#
#   SIZE_MB=1024 ERASURES=3000 sh bench/ecc.sh [SPINDLE]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
spindle=${1:-$top/spindle}
: "${SIZE_MB:=1024}" "${ERASURES:=3000}" "${ROOTS:=32}"
command -v dvdisaster >/dev/null || { echo "dvdisaster (Debian package dvdisaster) is missing"; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "/usr/bin/time (Debian package time) is missing"; exit 1; }
w=$(mktemp -d /var/tmp/spindle-bench-ecc-XXXXXX)
trap 'rm -rf "$w"' EXIT
cd "$w"
head -c $((SIZE_MB * 1024 * 1024)) /dev/zero | openssl enc -aes-128-ctr -nosalt \
	-K 000102030405060708090a0b0c0d0e0f -iv 0 2>/dev/null > img.iso
cp img.iso a.iso
cp img.iso b.iso
printf '%-34s %9s %9s %9s\n' "" "wall s" "CPU s" "MB/s"
# run LABEL CMD...: time one run and print a line
run() {
	label=$1; shift
	sync
	/usr/bin/time -f "%e %U %S" -o time "$@" > log 2>&1 || :
	tail -n 1 time | awk -v l="$label" -v mb="$SIZE_MB" '{ printf "%-34s %9.2f %9.2f %9.0f\n", l, $1, $2 + $3, mb / ($1 > 0 ? $1 : 0.01) }'
}
run "spindle protect (RS03 file)" "$spindle" protect img.iso -o s.ecc --redundancy "$ROOTS"
run "dvdisaster -c (RS03 file)" dvdisaster -i img.iso -e d.ecc -mRS03 -o file -n "$ROOTS" -c
cmp -s s.ecc d.ecc && echo "  (the two .ecc files are identical)" || echo "  WARNING: the .ecc files differ"
run "spindle protect --codec rs01" "$spindle" protect img.iso -o s1.ecc --codec rs01 --redundancy "$ROOTS"
run "dvdisaster -c (RS01 file)" dvdisaster -i img.iso -e r1.ecc -mRS01 -n "$ROOTS" -c
cmp -s s1.ecc r1.ecc && echo "  (the two RS01 files are identical)" || echo "  WARNING: the RS01 files differ"
run "spindle verify --ecc" "$spindle" verify img.iso --ecc s.ecc
run "dvdisaster -t" dvdisaster -i img.iso -e d.ecc -t
python3 - "$ERASURES" "$SIZE_MB" a.iso b.iso <<'PY'
import random, sys
n, mb = int(sys.argv[1]), int(sys.argv[2])
sectors = mb * 512
r = random.Random(7)
bad = sorted(r.sample(range(sectors), n))
for f in sys.argv[3:]:
    with open(f, "r+b") as fh:
        for s in bad:
            fh.seek(s * 2048)
            fh.write(b"G" * 2048)
PY
echo "  ($ERASURES sectors damaged, the same in both copies)"
run "spindle repair --ecc" "$spindle" repair a.iso --ecc s.ecc
cmp -s a.iso img.iso && echo "  (spindle's repair is complete)" || echo "  WARNING: spindle's repair is incomplete"
run "dvdisaster -f" dvdisaster -i b.iso -e d.ecc -f
cmp -s b.iso img.iso && echo "  (dvdisaster's repair is complete)" || echo "  WARNING: dvdisaster's repair is incomplete"
rm -f a.iso b.iso s.ecc d.ecc s1.ecc r1.ecc
cp img.iso s2.iso
cp img.iso d2.iso
run "spindle protect --codec rs02" "$spindle" protect s2.iso --augment --codec rs02 --redundancy "$ROOTS"
run "dvdisaster -c (RS02)" dvdisaster -i d2.iso -mRS02 -n "${ROOTS}r" -c
cmp -s s2.iso d2.iso && echo "  (the two RS02 images are identical)" || echo "  WARNING: the RS02 images differ"
cp s2.iso good2.iso
run "spindle verify (RS02)" "$spindle" verify s2.iso
run "dvdisaster -t (RS02)" dvdisaster -i d2.iso -t
python3 - "$ERASURES" "$SIZE_MB" s2.iso d2.iso <<'PY'
import random, sys
n, mb = int(sys.argv[1]), int(sys.argv[2])
r = random.Random(7)
bad = sorted(r.sample(range(mb * 512), n))
for f in sys.argv[3:]:
    with open(f, "r+b") as fh:
        for s in bad:
            fh.seek(s * 2048)
            fh.write(b"G" * 2048)
PY
run "spindle repair (RS02)" "$spindle" repair s2.iso
cmp -s s2.iso good2.iso && echo "  (spindle's RS02 repair is complete)" || echo "  WARNING: spindle's RS02 repair is incomplete"
run "dvdisaster -f (RS02)" dvdisaster -i d2.iso -f
cmp -s d2.iso good2.iso && echo "  (dvdisaster's RS02 repair is complete)" || echo "  WARNING: dvdisaster's RS02 repair is incomplete"
