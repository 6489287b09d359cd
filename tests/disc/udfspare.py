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

d = bytearray(open(sys.argv[1], 'rb').read())
B = 2048


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
    # the descriptor CRC over the body, then the tag checksum (ECMA-167 7.2)
    n = u16(t + 10)
    struct.pack_into('<H', d, t + 8, crc_itu_t(d[t + 16:t + 16 + n]))
    d[t + 4] = sum(d[t + i] for i in range(16) if i != 4) & 0xff


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
