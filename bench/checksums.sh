#!/bin/sh
# bench/checksums.sh - checking an image against what others publish, in
# MB/s and CPU seconds per GB: spindle verify --sha256 against sha256sum,
# spindle verify of an implanted MD5 against checkisomd5, and spindle
# verify --checksums with a clear-signed file (GPGME) against
# gpg --verify + sha256sum -c.  The image (SIZE MiB, default 1024) is made
# here and kept in the page cache, so the figures are the tools' own cost,
# not the disk's.  RUNS (default 3) runs each, taking turns; medians.
#
#   sh bench/checksums.sh [SPINDLE]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
spindle=${1:-$top/spindle}
size=${SIZE:-1024}
runs=${RUNS:-3}
for t in checkisomd5 implantisomd5 genisoimage gpg /usr/bin/time; do
	command -v $t >/dev/null || { echo "$t is missing (setup.sh installs it)"; exit 1; }
done
w=$(mktemp -d /tmp/spindle-bench-sums-XXXXXX)
trap 'GNUPGHOME=$w/gpg gpgconf --kill all 2>/dev/null; rm -rf "$w"' EXIT
mkdir "$w/src" "$w/gpg" && chmod 700 "$w/gpg"
head -c $((size << 20)) /dev/zero | openssl enc -aes-128-ctr -nosalt \
	-K 000102030405060708090a0b0c0d0e0f -iv 0 2>/dev/null > "$w/src/data.bin"
genisoimage -quiet -r -o "$w/img.iso" "$w/src"
rm "$w/src/data.bin"
implantisomd5 "$w/img.iso" > /dev/null
(cd "$w" && sha256sum img.iso > SHA256SUMS)
GNUPGHOME=$w/gpg gpg --batch -q --passphrase '' --quick-gen-key 'Bench <b@example.org>' ed25519 sign never 2>/dev/null
GNUPGHOME=$w/gpg gpg --batch -q --armor --export > "$w/key.asc"
GNUPGHOME=$w/gpg gpg --batch -q --clearsign -o "$w/SHA256SUMS.asc" "$w/SHA256SUMS"
bytes=$(stat -c %s "$w/img.iso")
cat "$w/img.iso" > /dev/null           # into the page cache
hex=$(cut -d' ' -f1 "$w/SHA256SUMS")

run() {
	label=$1; shift
	/usr/bin/time -f "%e %U %S" -o "$w/time" "$@" > /dev/null 2>&1 || true
	awk '{ print $1, $2 + $3 }' "$w/time" >> "$w/$label.times"
}
report() {
	sort -n "$w/$1.times" | awk -v t="$2" -v b="$bytes" '{ wall[NR] = $1; cpu[NR] = $2 }
		END { m = int((NR + 1) / 2); gb = b / 1e9
		      printf "%-44s %7.0f MB/s, %5.2f CPU s/GB (median of %d)\n", t,
			     b / 1e6 / wall[m], cpu[m] / gb, NR }'
}
cat > "$w/gpg_then_sha.sh" <<EOS
GNUPGHOME=$w/gpg gpg --batch -q --verify "$w/SHA256SUMS.asc" 2>/dev/null &&
	cd "$w" && sha256sum -c --quiet SHA256SUMS
EOS
i=0
while [ $i -lt "$runs" ]; do
	run sp_sha "$spindle" verify --sha256 "$hex" "$w/img.iso"
	run sha256sum sha256sum "$w/img.iso"
	run sp_md5 "$spindle" verify "$w/img.iso"
	run checkisomd5 checkisomd5 "$w/img.iso"
	run sp_signed "$spindle" verify --checksums "$w/SHA256SUMS.asc" --keyring "$w/key.asc" "$w/img.iso"
	run gpg_sha sh "$w/gpg_then_sha.sh"
	i=$((i + 1))
done
echo "image: $bytes bytes, implanted MD5, page cache warm"
report sp_sha "spindle verify --sha256"
report sha256sum "sha256sum"
report sp_md5 "spindle verify (implanted MD5)"
report checkisomd5 "checkisomd5"
report sp_signed "spindle verify --checksums (clear-signed)"
report gpg_sha "gpg --verify + sha256sum -c"
