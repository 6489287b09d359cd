#!/usr/bin/env python3
# udfspare.py - do to a UDF image with a sparable partition (mkudffs
# --media-type=cdrw) what a drive does with a worn packet: copy the packet
# holding block LBA (default: the file set descriptor's) to the first spare
# packet, point the sparing tables' first entry at it, and zero the old
# place.  A reader that ignores the sparing table then reads zeros there.
#
#   udfspare.py IMAGE [LBA]
import struct
import sys

import os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udftag  # noqa: E402

img = udftag.Image(sys.argv[1])
d, B = img.d, udftag.B
u16, u32, retag, crc_itu_t = img.u16, img.u32, img.retag, udftag.crc_itu_t


vds = u32(256 * B + 20)
pstart = lvd = None
for b in range(vds, vds + 16):
    if u16(b * B) == 5 and pstart is None:
        pstart = u32(b * B + 188)
    if u16(b * B) == 6 and lvd is None:
        lvd = b * B
m = lvd + 440
assert d[m + 5:m + 28] == b"*UDF Sparable Partition", "no sparable partition map"
packet, ntab = u16(m + 40), d[m + 42]
rel = int(sys.argv[2]) - pstart if len(sys.argv) > 2 else u32(lvd + 248 + 4)
pk = rel - rel % packet
to = None
for k in range(ntab):
    t = u32(m + 48 + 4 * k) * B
    assert d[t + 17:t + 35] == b"*UDF Sparing Table", "no sparing table"
    to = u32(t + 56 + 4)                    # the first entry's spare packet
    assert crc_itu_t(d[t + 16:t + 16 + u16(t + 10)]) == u16(t + 8), "CRC"
    struct.pack_into('<I', d, t + 56, pk)   # now holds partition packet pk
    retag(t)
src = (pstart + pk) * B
d[to * B:(to + packet) * B] = d[src:src + packet * B]
d[src:src + packet * B] = bytes(packet * B)
open(sys.argv[1], 'wb').write(d)
