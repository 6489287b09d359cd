#!/bin/sh
# setup.sh - install spindle's dependencies (Debian bookworm, as root), build
# it, and run the main job on a virtual drive: master an ISO, burn it to a
# stdio: drive, verify it.  --no-demo: install and build only.
set -eu
cd "$(dirname "$0")"

PACKAGES="build-essential autoconf automake pkg-config \
 libburn-dev libisofs-dev libisoburn-dev libcdio-dev libcdio-paranoia-dev \
 libssl-dev libjansson-dev libflac-dev zlib1g-dev \
 xorriso cdrskin wodim gddrescue genisoimage flac libcdio-utils jq openssl \
 isolinux syslinux-common valgrind strace clang libclang-rt-14-dev qemu-system-x86 busybox-static linux-image-amd64 kmod cpio \
 python3-minimal python3 cd-paranoia"
PACKAGES="$PACKAGES ccache time"  # speed
PACKAGES="$PACKAGES libisal-dev dvdisaster"  # ecc
PACKAGES="$PACKAGES udftools 7zip libarchive-tools"  # files: ls/extract tests (mkudffs, 7zz, bsdtar)
PACKAGES="$PACKAGES zsh bash-completion man-db debhelper lintian"  # pkg
PACKAGES="$PACKAGES chromium libxml2-utils"  # report: HTML rendered headless, xmllint
PACKAGES="$PACKAGES libgpgme-dev gnupg isomd5sum udftools"  # checksums
PACKAGES="$PACKAGES libbz2-dev liblzma-dev libzstd-dev mame-tools dmg2img daa2iso 7zip"  # containers
PACKAGES="$PACKAGES mdf2iso ccd2iso iat bchunk nrg2iso"  # formats (disc image peers)
PACKAGES="$PACKAGES python3-cryptography"  # formats: AES for the MDS v2 / MDX generator
PACKAGES="$PACKAGES libdiscid-dev python3-libdiscid flac"  # audio: disc IDs, their peer, metaflac
PACKAGES="$PACKAGES libcurl4-openssl-dev whipper sox"  # audio: online lookups (libcurl), whipper as a peer, sox deemph

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
fi

# compile through ccache (also for check.sh's other builds): a rebuild,
# or a fresh clone built before, costs little.  SPINDLE_NO_CCACHE=1: no.
if [ -d /usr/lib/ccache ] && [ -z "${SPINDLE_NO_CCACHE:-}" ]; then
	PATH=/usr/lib/ccache:$PATH
	CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=$(pwd)
	export PATH CCACHE_NOHASHDIR CCACHE_BASEDIR
fi
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	autoreconf -fi
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
	./configure ${SPINDLE_CONFIGURE_FLAGS:-}
fi
make -j"$(nproc)"

[ "${1:-}" = "--no-demo" ] && exit 0

demo=$(mktemp -d /tmp/spindle-demo-XXXXXX)
mkdir -p "$demo/tree/docs"
cp README.md NEWS COPYING "$demo/tree/docs/"
head -c 5000000 /dev/urandom > "$demo/tree/random.bin"
echo "== spindle mkiso: mastering $demo/tree"
./spindle mkiso --volid SPINDLE_DEMO -o "$demo/demo.iso" "$demo/tree"
echo "== spindle burn: writing it to the virtual drive stdio:$demo/disc.img"
./spindle burn -d "stdio:$demo/disc.img" "$demo/demo.iso"
echo "== spindle info"
./spindle info -d "stdio:$demo/disc.img"
echo "== spindle verify (against the image)"
./spindle verify -d "stdio:$demo/disc.img" "$demo/demo.iso"
echo "== spindle verify (against the disc's own MD5 tags, no image needed)"
./spindle verify -d "stdio:$demo/disc.img"
echo "demo: done; files are in $demo"
