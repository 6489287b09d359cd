#!/usr/bin/env python3
# udf_sparable_small.py IN OUT - a UDF image with a sparable partition made
# small enough for the fuzz targets' images (under 1,024 sectors, see
# tests/fuzz/fuzz_image.h), from IN, made by mkudffs --media-type=cdrw
# (which needs >= 2,000 blocks) and tests/disc/udfspare.py (the packet of
# the file set descriptor moved to the first spare packet).  The partition
# moves down to PSTART, shrinks to PLEN blocks, and the image is cut after
# it: the first volume descriptor sequence, the first sparing table and
# the spare packets below PSTART stay where they are; the reserve sequence
# and the second table are cut off (a reader must do without them).
import struct
import sys

PSTART, PLEN = 400, 600
B = 2048
d = bytearray(open(sys.argv[1], 'rb').read())


def u16(o):
    return struct.unpack_from('<H', d, o)[0]


def u32(o):
    return struct.unpack_from('<I', d, o)[0]


def crc_itu_t(b):
    c = 0
    for x in b:
        c ^= x << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021 if c & 0x8000 else c << 1) & 0xffff
    return c


def retag(t):
    n = u16(t + 10)
    struct.pack_into('<H', d, t + 8, crc_itu_t(d[t + 16:t + 16 + n]))
    d[t + 4] = sum(d[t + i] for i in range(16) if i != 4) & 0xff


vds = u32(256 * B + 20)
pd = None
for b in range(vds, vds + 16):
    if u16(b * B) == 5:
        pd = b * B
        break
old, olen = u32(pd + 188), u32(pd + 192)
assert PSTART + PLEN < 1024 and old > PSTART, (old, olen)
used = max(b for b in range(old, old + olen) if any(d[b * B:(b + 1) * B])) + 1 - old
assert used <= PLEN, used
d[PSTART * B:(PSTART + used) * B] = d[old * B:(old + used) * B]
struct.pack_into('<II', d, pd + 188, PSTART, PLEN)
retag(pd)
d = d[:(PSTART + PLEN) * B]
open(sys.argv[2], 'wb').write(d)
