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
import os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'disc'))
import udftag  # noqa: E402

img = udftag.Image(sys.argv[1])
d, B = img.d, udftag.B
u16, u32, retag, crc_itu_t = img.u16, img.u32, img.retag, udftag.crc_itu_t


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
