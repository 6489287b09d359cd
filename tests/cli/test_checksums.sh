#!/bin/sh
# spindle verify against checksums that others publish: digests given on
# the command line, GNU and BSD checksum files, OpenPGP signatures over
# them, implantisomd5 MD5s (checked against checkisomd5), SUSE tagmedia
# digests, md5sum.txt inside the ISO, and truncated images.
. "$TOP_SRCDIR/tests/lib.sh"

# a small ISO 9660 image, made by genisoimage (no libisofs MD5 tags); its
# data file SECTORS long (default 200, a fifth in the memory-checking
# passes: every digest of it runs under memcheck in many runs)
make_iso() {
	mkdir -p src/sub
	mkimg src/sub/data.bin ${1:-$(scaled 200 40)} 77
	mkimg src/other.bin 30
	echo hello > src/sub/a.txt
	genisoimage -quiet -r -o img.iso src || fail "genisoimage"
}

# flip IMAGE OFFSET: change one byte
flip() {
	b=$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
	printf "$(printf '\\%03o' $(( (b + 1) % 256 )))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# a throwaway signing key in its own GnuPG home ($1), exported to $1.asc;
# made once per run of this script (in run_tests' $base), then copied
make_key() {
	k=$base/keys/$1
	if [ ! -d "$k" ]; then
		mkdir -p "$k" && chmod 700 "$k"
		GNUPGHOME=$k gpg --batch -q --passphrase '' --quick-gen-key \
			"Test $1 <$1@example.org>" ed25519 sign never 2> /dev/null || fail "gpg key"
		GNUPGHOME=$k gpg --batch -q --armor --export > "$k.asc" || fail "gpg export"
		GNUPGHOME=$k gpgconf --kill all 2> /dev/null
	fi
	mkdir -p "$1" && chmod 700 "$1"
	cp -R "$k/." "$1/" && rm -f "$1"/S.* && cp "$k.asc" "$1.asc" || fail "copying key $1"
}
# gpg_as KEYHOME ARGS...: sign with that key
gpg_as() {
	h=$1; shift
	GNUPGHOME=$PWD/$h gpg --batch -q --yes --pinentry-mode loopback --passphrase '' "$@" ||
		fail "gpg $*"
}
stop_agents() {
	for h in "$@"; do GNUPGHOME=$PWD/$h gpgconf --kill all 2> /dev/null; done
}

test_sha256_on_the_command_line() {
	make_iso
	run verify --sha256 "$(sha256 img.iso)" img.iso
	expect_exit 0
	expect_out "given digest     PASS  --sha256 (sha256)"
	run verify --json --md5 "$(md5sum img.iso | cut -d' ' -f1)" \
		--sha512 "$(sha512sum img.iso | cut -d' ' -f1)" img.iso
	expect_exit 0
	expect_eq "$(json_get '[.checks[] | select(.kind == "given") | .passed] | join(",")')" "true,true"
	expect_eq "$(json_get .checks_passed)" true
	wrong=$(sha1sum img.iso | cut -d' ' -f1 | tr 0-9a-f 1-9a-f0)
	run verify --json --sha1 "$wrong" img.iso
	expect_exit 5
	expect_eq "$(json_get .ok)" false
	expect_eq "$(json_get .error.code)" mismatch
	expect_eq "$(json_get '.checks[0].expected')" "$wrong"
	expect_eq "$(json_get '.checks[0].actual')" "$(sha1sum img.iso | cut -d' ' -f1)"
	run verify --sha256 abc img.iso
	expect_exit 2
	expect_err "not a sha256 digest"
}

test_md5_tags_checked_too_only_when_present() {
	make_iso
	# genisoimage records no libisofs tags: the published digest decides,
	# and the image is read once
	run verify --json --sha256 "$(sha256 img.iso)" img.iso
	expect_exit 0
	expect_eq "$(json_get .mode)" checksums
	# spindle mkiso records them: both are checked
	"$SPINDLE" mkiso -q src -o tagged.iso > /dev/null || fail "mkiso"
	run verify --json --sha256 "$(sha256 tagged.iso)" tagged.iso
	expect_exit 0
	expect_eq "$(json_get .mode)" md5-tags
	expect_eq "$(json_get .session)" ok
	expect_eq "$(json_get '.checks[0].passed')" true
}

test_not_an_iso() {
	# a disk image (no ISO 9660 volume): the published digest is the verdict
	mkimg disk.img 300
	run verify --json --sha256 "$(sha256 disk.img)" disk.img
	expect_exit 0
	expect_eq "$(json_get .mode)" checksums
	expect_eq "$(json_get '.checks | length')" 1
	run verify --sha256 "$(echo x | sha256sum | cut -d' ' -f1)" disk.img
	expect_exit 5
	expect_err "the given digest does not match"
	run verify -d stdio:disk.img --sha256 "$(sha256 disk.img)"
	expect_exit 1
	expect_err "holds no ISO 9660 or UDF volume"
	run verify -d stdio:disk.img --size $(stat -c %s disk.img) --sha256 "$(sha256 disk.img)"
	expect_exit 0
}

test_gnu_checksum_file() {
	make_iso
	mkimg other.iso 3
	sha256sum other.iso img.iso > SHA256SUMS
	sha256sum -b img.iso > SHA256SUMS.bin      # "HEX *img.iso"
	grep -q ' \*img.iso' SHA256SUMS.bin || fail "no binary-mode line"
	run verify --checksums SHA256SUMS img.iso
	expect_exit 0
	expect_out "checksum file    PASS  SHA256SUMS line 2 (img.iso) (sha256)"
	run verify --checksums SHA256SUMS.bin img.iso
	expect_exit 0
	# found by name, wherever the image lies
	mkdir d && cp img.iso d/
	run verify --checksums SHA256SUMS d/img.iso
	expect_exit 0
	# no line for it
	cp img.iso third.iso
	run verify --checksums SHA256SUMS third.iso
	expect_exit 1
	expect_err "'SHA256SUMS' has no line for 'third.iso'"
	# the only line is taken whatever its name
	run verify --checksums SHA256SUMS.bin third.iso
	expect_exit 0
	flip img.iso $(( $(stat -c %s img.iso) / 2 ))
	run verify --json --checksums SHA256SUMS img.iso
	expect_exit 5
	expect_eq "$(json_get '.checks[0].kind')" checksum-file
	expect_eq "$(json_get '.checks[0].passed')" false
}

test_bsd_checksum_file() {
	make_iso
	mkimg other.iso 3
	{ echo "# img.iso: $(stat -c %s img.iso) bytes"; sha256sum --tag img.iso other.iso; } > CHECKSUM
	grep -q '^SHA256 (img.iso) = ' CHECKSUM || fail "no BSD line"
	run verify --json --checksums CHECKSUM img.iso
	expect_exit 0
	expect_eq "$(json_get '.checks[0].algorithm')" sha256
	sha512sum --tag img.iso > SHA512
	md5sum --tag img.iso > MD5
	run verify --checksums SHA512 img.iso
	expect_exit 0
	expect_out "(sha512)"
	run verify --checksums MD5 img.iso
	expect_exit 0
	flip img.iso $(( $(stat -c %s img.iso) / 3 ))
	run verify --checksums SHA512 img.iso
	expect_exit 5
	expect_err "the checksum file does not match"
}

test_clear_signed_checksum_file() {
	make_iso
	make_key signer
	make_key stranger
	mkdir userhome tmp && chmod 700 userhome
	sha256sum img.iso > SHA256SUMS
	gpg_as signer --clearsign -o CHECKSUM.asc SHA256SUMS
	GNUPGHOME=$PWD/userhome TMPDIR=$PWD/tmp run verify --json --checksums CHECKSUM.asc \
		--keyring signer.asc img.iso
	expect_exit 0
	expect_eq "$(json_get '.checks[0].kind')" signature
	expect_eq "$(json_get '.checks[0].passed')" true
	expect_eq "$(json_get '.checks[1].kind')" checksum-file
	expect_eq "$(json_get '.checks[1].passed')" true
	# the user's own GnuPG home was not used, the temporary one is gone
	expect_eq "$(ls -A userhome)" ""
	expect_eq "$(ls -A tmp)" ""
	# a signed line changed after signing
	awk '/  img.iso$/ { $0 = (substr($0, 1, 1) == "0" ? "1" : "0") substr($0, 2) } { print }' \
		CHECKSUM.asc > TAMPERED.asc
	cmp -s CHECKSUM.asc TAMPERED.asc && fail "nothing was changed"
	run verify --checksums TAMPERED.asc --keyring signer.asc img.iso
	expect_exit 5
	expect_err "BAD signature"
	# signed by a key that is not in the keyring
	gpg_as stranger --clearsign -o OTHER.asc SHA256SUMS
	run verify --checksums OTHER.asc --keyring signer.asc img.iso
	expect_exit 5
	expect_err "not in the keyring"
	# not signed at all
	run verify --checksums SHA256SUMS --keyring signer.asc img.iso
	expect_exit 5
	expect_err "carries no OpenPGP signature"
	stop_agents signer stranger
}

test_detached_signature() {
	make_iso
	make_key signer
	make_key stranger
	sha256sum img.iso > SHA256SUMS
	gpg_as signer --detach-sign -o SHA256SUMS.gpg SHA256SUMS
	gpg_as stranger --detach-sign -o WRONG.gpg SHA256SUMS
	run verify --checksums SHA256SUMS --signature SHA256SUMS.gpg --keyring signer.asc img.iso
	expect_exit 0
	expect_out "signature        PASS  SHA256SUMS.gpg"
	expect_out "good signature by Test signer <signer@example.org>"
	run verify --checksums SHA256SUMS --signature WRONG.gpg --keyring signer.asc img.iso
	expect_exit 5
	expect_err "not in the keyring"
	# the checksum file changed after it was signed: refused before any
	# checksum is compared
	echo "0000000000000000000000000000000000000000000000000000000000000000  x.iso" >> SHA256SUMS
	run verify --json --checksums SHA256SUMS --signature SHA256SUMS.gpg --keyring signer.asc img.iso
	expect_exit 5
	expect_eq "$(json_get .error.code)" mismatch
	expect_eq "$(json_get .error.message | grep -c 'BAD signature')" 1
	run verify --checksums SHA256SUMS --signature SHA256SUMS.gpg img.iso
	expect_exit 2
	expect_err "give --keyring KEYRING"
	stop_agents signer stranger
}

test_implantisomd5_every_fragment() {
	make_iso 700
	implantisomd5 img.iso > /dev/null || fail "implantisomd5"
	checkisomd5 img.iso > /dev/null || fail "checkisomd5 refuses the clean image"
	run verify img.iso
	expect_exit 0
	expect_out "implanted MD5    PASS  implantisomd5 (md5)"
	expect_out "20 fragment sums also checked"
	# the same through a drive (a disc, a stick)
	run verify -d stdio:img.iso
	expect_exit 0
	expect_out "implanted MD5    PASS"
	# the hashed length: the volume less 15 sectors; 21 fragments of it
	total=$(( $(stat -c %s img.iso) - 15 * 2048 ))
	frag=$(( total / 21 ))
	# a flip in every fragment; the memory-checking passes (tests/lib.sh)
	# flip the first two, the drive's (7), a middle and the last two
	ks=$(seq 0 20)
	memcheck_pass && ks="0 1 7 10 19 20"
	# the damaged copies, bad-K.iso, made at once
	python3 - img.iso "$frag" $ks <<'PY' || fail "damaged copies"
import sys
d, frag = open(sys.argv[1], 'rb').read(), int(sys.argv[2])
for k in map(int, sys.argv[3:]):
    off = max(k * frag + frag // 2, 36864)      # past the volume descriptors
    b = bytearray(d)
    b[off] = (b[off] + 1) % 256
    open('bad-%d.iso' % k, 'wb').write(b)
PY
	for k in $ks; do
		mv bad-$k.iso bad.iso
		# the independent reading, at the first, a middle and the last
		# fragment (checkisomd5 sleeps a second after each full check)
		case $k in 0|10|20)
			checkisomd5 bad.iso > /dev/null 2>&1 &&
				fail "checkisomd5 accepts a flip in fragment $k" ;;
		esac
		if [ $k -eq 7 ]; then
			run verify -d stdio:bad.iso
			expect_exit 5
			expect_out "implanted MD5    FAIL"
		fi
		run verify --json bad.iso
		expect_exit 5
		# passed, bad_fragment and checked_bytes in one reading
		set -- $(json_get '[(.checks[] | select(.kind == "isomd5sum") | .passed, .bad_fragment),
			.checked_bytes] | map(tostring) | join(" ")') - - -
		expect_eq "$1" false "fragment $k"
		f=$2
		# caught by the sum of its fragment (or, for a flip near its
		# end, of the next: sums are taken after 32 KiB pieces), and the
		# check stopped there
		[ "$f" -ge $k ] && [ "$f" -le $(( k + 1 )) ] && [ "$f" -ge 1 ] ||
			fail "flip in fragment $k: bad_fragment $f"
		[ $k -eq 20 ] || [ "$3" -lt "$total" ] ||
			fail "flip in fragment $k: the check did not stop early"
	done
}

test_mkiso_implant_md5_accepted_by_checkisomd5() {
	mkdir src && mkimg src/data.bin 300 5 && echo hi > src/a.txt
	run mkiso --json --implant-md5 src -o img.iso
	expect_exit 0
	md5=$(json_get .implanted_md5)
	checkisomd5 img.iso > /dev/null || fail "checkisomd5 refuses mkiso --implant-md5"
	expect_eq "$(checkisomd5 --md5sumonly img.iso | sed -n 's/^img.iso: *//p')" "$md5"
	run verify img.iso
	expect_exit 0
	expect_out "implanted MD5    PASS"
	flip img.iso 400000
	checkisomd5 img.iso > /dev/null 2>&1 && fail "checkisomd5 accepts a damaged image"
	run verify img.iso
	expect_exit 5
}

test_truncated_image() {
	make_iso
	size=$(stat -c %s img.iso)
	truncate -s $(( size - 100000 )) img.iso
	run verify --json img.iso
	expect_exit 5
	expect_eq "$(json_get '.checks[] | select(.kind == "size") | .missing_bytes')" 100000
	expect_eq "$(json_get .volume_bytes)" "$size"
	run verify img.iso
	expect_exit 5
	expect_err "truncated"
	expect_err "100000 bytes"
	# UDF: the end of its partition
	truncate -s 4M udf.img
	mkudffs -b 2048 --media-type=dvdram udf.img > /dev/null 2>&1 || fail "mkudffs"
	run verify --json udf.img
	expect_exit 0
	vol=$(json_get .volume_bytes)
	[ "$vol" -gt 3145728 ] || fail "UDF volume of $vol bytes"
	truncate -s 3M udf.img
	run verify --json udf.img
	expect_exit 5
	# the end of the partition: its reserve anchor may lie past it
	vol=$(json_get .volume_bytes)
	[ "$vol" -gt 3145728 ] || fail "UDF volume of $vol bytes"
	expect_eq "$(json_get '.checks[] | select(.kind == "size") | .missing_bytes')" $(( vol - 3145728 ))
	expect_eq "$(json_get '.checks[] | select(.kind == "size") | .source')" "UDF volume descriptor"
}

test_md5sum_txt_inside_the_iso() {
	make_iso
	mkimg src/sub/more.bin 20 3
	(cd src && find . -type f ! -name md5sum.txt | sort | xargs md5sum) > md5sum.txt
	mv md5sum.txt src/
	genisoimage -quiet -r -o img.iso src || fail "genisoimage"
	run verify --json img.iso
	expect_exit 0
	expect_eq "$(json_get '.checks[] | select(.kind == "file-list") | .files')" 4
	expect_eq "$(json_get '.checks[] | select(.kind == "file-list") | .passed')" true
	l=$(xorriso -indev img.iso -find /sub/more.bin -exec report_lba -- 2>/dev/null |
		awk '/^File data lba/ { print $6; exit }')
	[ -n "$l" ] || fail "no LBA for /sub/more.bin"
	flip img.iso $(( l * 2048 + 1000 ))
	run verify --json img.iso
	expect_exit 5
	expect_eq "$(json_get '.checks[] | select(.kind == "file-list") | .files_differ | join(",")')" \
		"./sub/more.bin"
	run verify img.iso
	expect_out "differs: ./sub/more.bin"
	expect_err "1 file listed in md5sum.txt differs"
}

test_stick_read_for_the_image_length_only() {
	make_iso
	sha256sum img.iso > SHA256SUMS
	# a stick is larger than the image: what follows it is not read
	cp img.iso stick && mkimg tail 500 && cat tail >> stick
	run verify --json -d stdio:stick --checksums SHA256SUMS
	expect_exit 0
	expect_eq "$(json_get .checked_bytes)" "$(stat -c %s img.iso)"
	expect_eq "$(json_get '.checks[0].passed')" true
	# and the image, burned, compared with the disc after the published check
	run verify -d stdio:stick --sha256 "$(sha256 img.iso)" img.iso
	expect_exit 0
	expect_out "given digest     PASS"
	expect_out "verify: match"
	# a stick that holds less than the image: nothing past its end is
	# read, the digest differs and the size check says how much is missing
	cut=$(( $(stat -c %s img.iso) / 2 + 1000 ))
	head -c $cut img.iso > short
	run verify --json -d stdio:short --checksums SHA256SUMS
	expect_exit 5
	expect_eq "$(json_get '.checks[] | select(.kind == "size") | .missing_bytes')" \
		$(( $(stat -c %s img.iso) - (cut + 2047) / 2048 * 2048 ))
	expect_eq "$(json_get '.checks[] | select(.kind == "checksum-file") | .passed')" false
}

test_tagmedia_digest() {
	make_iso
	# tagmedia's rule (openSUSE/checkmedia): the first 512 bytes as
	# zeros, the application-use area (0x8373, 512 bytes) as spaces
	python3 - img.iso <<'PY' || fail "tagging"
import hashlib, sys
p = sys.argv[1]
d = bytearray(open(p, 'rb').read())
d[0:512] = bytes(512)
d[0x8373:0x8573] = b' ' * 512
tag = ('sha256sum=' + hashlib.sha256(d).hexdigest()).encode().ljust(512, b' ')
with open(p, 'r+b') as f:
    f.seek(0x8373)
    f.write(tag)
PY
	run verify --json img.iso
	expect_exit 0
	expect_eq "$(json_get '.checks[] | select(.kind == "tagmedia") | .passed')" true
	flip img.iso $(( $(stat -c %s img.iso) / 2 ))
	run verify img.iso
	expect_exit 5
	expect_out "tagmedia digest  FAIL"
}

# The same signatures through gpgv, as when GnuPG's gpg is not installed
# for GPGME to run (SPINDLE_SIG_ENGINE=gpgv makes spindle take that road)
test_signatures_through_gpgv() {
	SPINDLE_SIG_ENGINE=gpgv
	export SPINDLE_SIG_ENGINE
	(mkdir clear && cd clear && test_clear_signed_checksum_file) || fail "clear-signed, through gpgv"
	(mkdir detached && cd detached && test_detached_signature) || fail "detached, through gpgv"
	cd detached
	run verify -v --checksums SHA256SUMS --signature WRONG.gpg --keyring signer.asc img.iso
	expect_exit 5
	expect_err "not in the keyring"
	expect_err "checked with gpgv"
}

# tagmedia's partition digest (openSUSE/checkmedia): "partition=START,
# BLOCKS,HEX" over an appended partition, in 512-byte blocks
test_tagmedia_partition_digest() {
	make_iso
	iso_bytes=$(stat -c %s img.iso)
	head -c 65536 /dev/zero | openssl enc -aes-128-ctr -nosalt -K 00 -iv 01 2> /dev/null >> img.iso
	python3 - img.iso "$iso_bytes" <<'PY' || fail "tagging"
import hashlib, sys
p, iso = sys.argv[1], int(sys.argv[2])
d = bytearray(open(p, 'rb').read())
d[0:512] = bytes(512)
d[0x8373:0x8573] = b' ' * 512
start, blocks = iso // 512, 65536 // 512
part = hashlib.sha256(d[start * 512:(start + blocks) * 512]).hexdigest()
tag = ('sha256sum=%s;partition=%d,%d,%s' % (hashlib.sha256(d[:iso]).hexdigest(), start,
       blocks, part)).encode().ljust(512, b' ')
with open(p, 'r+b') as f:
    f.seek(0x8373)
    f.write(tag)
PY
	run verify --json img.iso
	expect_exit 0
	expect_eq "$(json_get '[.checks[] | select(.kind == "tagmedia") | .passed] | join(",")')" \
		"true,true" "the ISO and partition digests"
	# a byte of the partition changed: the partition digest fails, the ISO's passes
	flip img.iso $((iso_bytes + 1000))
	run verify --json img.iso
	expect_exit 5
	expect_eq "$(json_get '[.checks[] | select(.kind == "tagmedia") | .passed] | join(",")')" \
		"true,false" "after the partition changed"
	run verify img.iso
	expect_out "tagmedia partition"
}

# A UDF-only image with md5sum.txt: its UDF files are checked as an ISO's
# (genisoimage -udf, its ISO 9660 descriptors turned into a UDF-only
# volume recognition sequence, so only the UDF tree is left)
test_md5sum_txt_inside_udf_only_image() {
	make_iso
	mkimg src/sub/more.bin 20 3
	(cd src && find . -type f ! -name md5sum.txt | sort | xargs md5sum) > md5sum.txt
	mv md5sum.txt src/
	genisoimage -quiet -udf -o u.iso src 2> /dev/null || fail "genisoimage -udf"
	python3 - u.iso <<'PY' || fail "making it UDF-only"
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
for i, ident in enumerate((b"BEA01", b"NSR02", b"TEA01")):
    d[(16 + i) * 2048:(17 + i) * 2048] = b"\0" + ident + b"\1" + bytes(2041)
for s in range(19, 32):
    if d[s * 2048 + 1:s * 2048 + 6] in (b"CD001", b"BEA01", b"NSR02", b"TEA01"):
        d[s * 2048:(s + 1) * 2048] = bytes(2048)
open(sys.argv[1], 'wb').write(d)
PY
	! grep -q CD001 u.iso || fail "u.iso still has ISO 9660 descriptors"
	run verify --json u.iso
	expect_exit 0
	expect_eq "$(json_get '.checks[] | select(.kind == "file-list") | .files')" 4
	expect_eq "$(json_get '.checks[] | select(.kind == "file-list") | .passed')" true
	run ls --json u.iso /sub/more.bin
	l=$(json_get '.files[-1].lba')
	flip u.iso $(( l * 2048 + 1000 ))
	run verify --json u.iso
	expect_exit 5
	expect_eq "$(json_get '.checks[] | select(.kind == "file-list") | .files_differ | join(",")')" \
		"./sub/more.bin"
}

run_tests
