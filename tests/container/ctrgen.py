#!/usr/bin/env python3
# ctrgen.py - test fixtures for spindle's compressed containers, written from
# the published layouts and independent of spindle's C code.
#
#   ctrgen.py iso OUT SECTORS            pseudo-random 2048-byte sectors with a
#                                        CD001 descriptor at sector 16
#   ctrgen.py cd DIR ISO [AUDIO_SECTORS] DIR/disc.bin + disc.cue: ISO as MODE1/2352
#                                        (sync, header, EDC, ECC P/Q) then an
#                                        audio track
#   ctrgen.py dmg OUT IMG [kinds]        Apple UDIF: chunks cycle through kinds
#                                        (raw,zlib,bzip2,adc,zero)
#   ctrgen.py daa OUT IMG [--lzma] [--split N]   PowerISO DAA (v1 header)
#   ctrgen.py isz OUT IMG [--bzip2] [--split N]  UltraISO ISZ
import os
import random
import struct
import sys

# ---- CD sectors (ECMA-130) ----
ECC_F = [0] * 256
ECC_B = [0] * 256
EDC = [0] * 256
for i in range(256):
    j = (i << 1) ^ (0x11D if i & 0x80 else 0)
    ECC_F[i] = j & 0xFF
    ECC_B[i ^ (j & 0xFF)] = i
    e = i
    for _ in range(8):
        e = (e >> 1) ^ (0xD8018001 if e & 1 else 0)
    EDC[i] = e


def edc(data):
    e = 0
    for b in data:
        e = (e >> 8) ^ EDC[(e ^ b) & 0xFF]
    return e


def ecc_part(sec, major_n, minor_n, mult, inc, dst):
    size = major_n * minor_n
    for major in range(major_n):
        idx = (major >> 1) * mult + (major & 1)
        a = b = 0
        for _ in range(minor_n):
            t = sec[12 + idx]
            idx += inc
            if idx >= size:
                idx -= size
            a ^= t
            b ^= t
            a = ECC_F[a]
        a = ECC_B[ECC_F[a] ^ b]
        sec[dst + major] = a
        sec[dst + major + major_n] = a ^ b


def bcd(n):
    return (n // 10) << 4 | n % 10


def mode1(lba, data):
    a = lba + 150
    s = bytearray(b"\x00" + b"\xff" * 10 + b"\x00")
    s += bytes([bcd(a // 4500), bcd(a // 75 % 60), bcd(a % 75), 1])
    s += data
    s += struct.pack("<I", edc(s[0:2064]))
    s += bytes(8 + 276)
    ecc_part(s, 86, 24, 2, 86, 2076)
    ecc_part(s, 52, 43, 86, 88, 2248)
    return bytes(s)


WORDS = [w.encode() for w in "the disc image holds sectors of user data and "
         "audio frames with subchannel in tracks sessions pregap index lead "
         "in out burn verify rip convert spindle".split()]


def cmd_iso(out, n):
    rnd = random.Random(1)
    with open(out, "wb") as f:
        for i in range(n):
            if i == 16:
                d = b"\x01CD001\x01" + bytes(2041)
            elif i % 7 == 3:
                d = bytes(2048)          # some zero sectors
            elif i % 7 == 5:
                d = bytes([i & 0xFF]) * 2048
            elif i % 3 == 0:
                d = rnd.randbytes(2048)
            else:                        # text-like: compressible, not trivial
                d = b" ".join(WORDS[rnd.randrange(len(WORDS))] for _ in range(500))[:2048]
                d = d.ljust(2048, b".")
            f.write(d)


def cmd_cd(d, iso, audio=300):
    data = open(iso, "rb").read()
    n = len(data) // 2048
    rnd = random.Random(2)
    with open(os.path.join(d, "disc.bin"), "wb") as f:
        for i in range(n):
            f.write(mode1(i, data[i * 2048:(i + 1) * 2048]))
        for i in range(audio):          # a quiet tone with noise: FLAC likes it
            f.write(b"".join(struct.pack("<hh", (i * 588 + k) % 200 - 100 + rnd.randrange(8),
                                         -((i * 588 + k) % 150) + rnd.randrange(8))
                             for k in range(588)))
    a = n + 150
    cue = ('FILE "disc.bin" BINARY\n  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n'
           '  TRACK 02 AUDIO\n    INDEX 00 %02d:%02d:%02d\n    INDEX 01 %02d:%02d:%02d\n'
           % (n // 4500, n // 75 % 60, n % 75, a // 4500, a // 75 % 60, a % 75))
    if audio == 0:
        cue = cue.split("  TRACK 02")[0]
    open(os.path.join(d, "disc.cue"), "w").write(cue)


def main():
    a = sys.argv[1:]
    if a[0] == "iso":
        cmd_iso(a[1], int(a[2]))
    elif a[0] == "cd":
        cmd_cd(a[1], a[2], int(a[3]) if len(a) > 3 else 300)
    else:
        sys.exit("ctrgen.py: unknown command " + a[0])


if __name__ == "__main__":
    main()
