# udftag.py - what the UDF image editors (udfspare.py, udfmeta.py,
# tests/fuzz/udf_sparable_small.py) share: little-endian fields of the
# image held in a bytearray, and a descriptor tag made valid again after
# its body changed (ECMA-167 7.2: the CRC-ITU-T over the body, then the
# tag checksum).
import struct

B = 2048


class Image:
    def __init__(self, path):
        with open(path, 'rb') as f:
            self.d = bytearray(f.read())

    def u16(self, o):
        return struct.unpack_from('<H', self.d, o)[0]

    def u32(self, o):
        return struct.unpack_from('<I', self.d, o)[0]

    def retag(self, t, crclen=None):
        if crclen is not None:
            struct.pack_into('<H', self.d, t + 10, crclen)
        n = self.u16(t + 10)
        struct.pack_into('<H', self.d, t + 8, crc_itu_t(self.d[t + 16:t + 16 + n]))
        self.d[t + 4] = sum(self.d[t + i] for i in range(16) if i != 4) & 0xff


def crc_itu_t(b):
    c = 0
    for x in b:
        c ^= x << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021 if c & 0x8000 else c << 1) & 0xffff
    return c
