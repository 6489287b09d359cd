#!/usr/bin/env python3
# udfmeta.py IN OUT - a UDF image with a type 1 partition (genisoimage
# -udf, or mkudffs --media-type=hd and files the kernel wrote) turned into
# UDF 2.50 with a metadata partition, as on Blu-ray discs (no tool here
# writes files into one): the partition's blocks are copied after it (the
# descriptors at the old place zeroed), a metadata file whose extent is the copy is written
# after that, a type 2 "*UDF Metadata Partition" map is added, the file
# set descriptor and every file identifier point into that map, and the
# revision fields say 2.50.  The tree can then be read only through the
# metadata file.  Every descriptor changed gets its CRC and checksum
# again, so that the kernel's UDF driver reads the result too; after the
# metadata file's entry come only zeros and anchors naming their own block,
# the last block being one, so that 7-Zip reads it with no "Headers Error"
# or "data after the end of archive" (a reserve sequence the copy
# overwrote is written again in free blocks before block 256).
import struct
import sys

import os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udftag  # noqa: E402

img = udftag.Image(sys.argv[1])
d, B = img.d, udftag.B
u16, u32, retag, crc_itu_t = img.u16, img.u32, img.retag, udftag.crc_itu_t


def tag_ok(o):
    return (sum(d[o + i] for i in range(16) if i != 4) & 0xff) == d[o + 4]


REV = 0x0250
pd = lvd = None
vds_list = [u32(256 * B + 20), u32(256 * B + 28)]
for vds in vds_list:
    for b in range(vds, vds + 16):
        t = u16(b * B)
        if t == 5 and pd is None:
            pd = b * B
        if t == 6 and lvd is None:
            lvd = b * B
    if pd is not None and lvd is not None:
        break
pstart, plen, pnum = u32(pd + 188), u32(pd + 192), u16(pd + 22)
assert pstart + plen <= len(d) // B
# the partition's blocks copied after it; the metadata file maps onto the copy
need = (pstart + 2 * plen + 3) * B        # and an anchor after them
if len(d) < need:
    d += bytes(need - len(d))
d[(pstart + plen) * B:(pstart + 2 * plen) * B] = d[pstart * B:(pstart + plen) * B]
# the descriptors (file set, entries, identifiers: tags 256-266 that name
# their own block) go from the old place; file data stays, since a long_ad
# names the physical partition (the kernel writes long_ads)
for b in range(plen):
    o = (pstart + b) * B
    if 256 <= u16(o) <= 266 and tag_ok(o) and u32(o + 12) == b:
        d[o:o + B] = bytes(B)
struct.pack_into('<I', d, pd + 192, 2 * plen + 2)
retag(pd)
# the metadata mirror file's entry at partition block 2 * plen, the
# metadata file's (the same extent) after it: the metadata file's entry is
# then the last block a reader (7-Zip) reads, and 7-Zip wants nothing after
# the last block it read but zeros and anchors that name their own block
for k, ftype in ((1, 250), (0, 251)):
    fe = (pstart + 2 * plen + k) * B
    d[fe:fe + B] = bytes(B)
    struct.pack_into('<HH', d, fe, 261, 2)
    struct.pack_into('<I', d, fe + 12, 2 * plen + k)
    struct.pack_into('<HHH', d, fe + 16 + 4, 4, 0, 1)   # strategy 4, max entries 1
    d[fe + 16 + 11] = ftype
    struct.pack_into('<H', d, fe + 16 + 18, 0)              # short_ad
    struct.pack_into('<Q', d, fe + 56, plen * B)
    struct.pack_into('<Q', d, fe + 64, plen)                # logical blocks recorded
    struct.pack_into('<II', d, fe + 168, 0, 8)
    struct.pack_into('<II', d, fe + 176, plen * B, plen)
    retag(fe, 176 + 8 - 16)
# the volume recognition sequence: NSR03 (UDF 2.00 and later)
for b in range(16, 32):
    if d[b * B + 1:b * B + 6] == b'NSR02':
        d[b * B + 1:b * B + 6] = b'NSR03'
# the metadata partition map, and everything in it referring to it
mtl, nm = u32(lvd + 264), u32(lvd + 268)
m = lvd + 440 + mtl
d[m:m + 64] = bytes(64)
d[m], d[m + 1] = 2, 64
d[m + 5:m + 5 + 23] = b'*UDF Metadata Partition'
struct.pack_into('<H', d, m + 4 + 24, REV)              # its identifier suffix
struct.pack_into('<HHIIIIH', d, m + 36, 1, pnum, 2 * plen + 1, 2 * plen, 0xffffffff, 32, 1)
struct.pack_into('<II', d, lvd + 264, mtl + 64, nm + 1)
struct.pack_into('<H', d, lvd + 248 + 8, nm)            # the FSD is in map nm
struct.pack_into('<H', d, lvd + 216 + 24, REV)          # domain: UDF 2.50
retag(lvd, 440 + mtl + 64 - 16)
base = (pstart + plen) * B
for b in range(plen):
    o = base + b * B
    if u16(o) == 256 and tag_ok(o):
        struct.pack_into('<H', d, o + 400 + 8, nm)        # root ICB
        struct.pack_into('<H', d, o + 416 + 24, REV)      # domain: UDF 2.50
        retag(o)
# every file identifier's ICB (tag 257: bytes 01 01 at a 4-byte boundary,
# naming the block it is in), then the CRC of every entry again: the
# kernel writes small directories' identifiers inside their entries
o = base
while True:
    o = d.find(b'\x01\x01', o, base + plen * B - 40)
    if o < 0:
        break
    if o % 4 == 0 and tag_ok(o) and u32(o + 12) == (o - base) // B:
        struct.pack_into('<H', d, o + 28, nm)
        retag(o)
        o += (38 + u16(o + 36) + d[o + 19] + 3) & ~3
    else:
        o += 1
for b in range(plen):
    o = base + b * B
    if u16(o) in (261, 266) and tag_ok(o) and u32(o + 12) == b:
        retag(o)
# the integrity descriptor's revisions (read, write, max write)
lvid = u32(lvd + 436) * B
if u32(lvd + 432) and u16(lvid) == 9:
    n = u32(lvid + 72)
    iu = lvid + 80 + 8 * n
    struct.pack_into('<HHH', d, iu + 40, REV, REV, REV)
    retag(lvid)
# other copies of the descriptors changed (the reserve sequence)
for vds in vds_list:
    for b in range(vds, vds + 16):
        o = b * B
        if o in (pd, lvd):
            continue
        if u16(o) == 5 and u16(o + 22) == pnum:
            d[o + 16:o + B] = d[pd + 16:pd + B]
            struct.pack_into('<I', d, o + 12, b)
            retag(o)
        elif u16(o) == 6:
            d[o + 16:o + B] = d[lvd + 16:lvd + B]
            struct.pack_into('<I', d, o + 12, b)
            retag(o)
# after the metadata file's entry only anchors that name their own block
# (genisoimage pads with them) or zeros, and an anchor in the last block:
# 7-Zip reports "Headers Error" when it finds no such end anchor after the
# last block it read, and "data after the end of archive" for anything else
# there (a copy left there of the tail of the partition, the reserve
# sequence of a grown image, are zeroed)
nblocks = len(d) // B
# a reserve sequence the copy overwrote (mkudffs puts it at the end) is
# written again, from the main one, in free blocks before the anchor at 256
mlen, mloc = u32(256 * B + 16), u32(256 * B + 20)
rlen, rloc = u32(256 * B + 24), u32(256 * B + 28)
if rloc + rlen // B > pstart + plen:
    n = mlen // B
    s = next(s for s in range(32, 256 - n)
             if not any(d[s * B:(s + n) * B]) and (s + n <= mloc or s >= mloc + n))
    for k in range(n):
        o, src = (s + k) * B, (mloc + k) * B
        d[o:o + B] = d[src:src + B]
        if any(d[o:o + 16]) and tag_ok(o):
            struct.pack_into('<I', d, o + 12, s + k)
            retag(o)
    struct.pack_into('<II', d, 256 * B + 24, mlen, s)
    retag(256 * B)
anchor = d[256 * B:257 * B]
for b in range(pstart + 2 * plen + 2, nblocks):
    o = b * B
    if b == nblocks - 1 or (u16(o) == 2 and tag_ok(o) and u32(o + 12) == b):
        d[o:o + B] = anchor
        struct.pack_into('<I', d, o + 12, b)
        retag(o)
    else:
        d[o:o + B] = bytes(B)
open(sys.argv[2], 'wb').write(d)
