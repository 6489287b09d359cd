#!/usr/bin/env python3
# ctrgen.py - test fixtures for spindle's compressed containers, written from
# the published layouts and independent of spindle's C code.
#
#   ctrgen.py iso OUT SECTORS [--noise]  pseudo-random 2048-byte sectors with a
#                                        CD001 descriptor at sector 16 (--noise:
#                                        all random, incompressible)
#   ctrgen.py cd DIR ISO [AUDIO_SECTORS] DIR/disc.bin + disc.cue: ISO as MODE1/2352
#                                        (sync, header, EDC, ECC P/Q) then an
#                                        audio track
#   ctrgen.py dmg OUT IMG [kinds] [--repeat]  Apple UDIF: chunks cycle through
#                                        kinds (raw,zlib,bzip2,adc,zero,ignore);
#                                        --repeat lists the first run twice
#   ctrgen.py daa OUT IMG [--lzma|--bcj] [--split N] [--gbi]  PowerISO DAA
#                                        (v1 deflate, v2 LZMA) or gBurner GBI
#   ctrgen.py chd OUT IMG zlib|zstd      MAME CHD v5 (hard disk style, 4 KiB hunks)
#   ctrgen.py chdcd OUT DIR cdzl|cdzs    MAME CHD v5 CD image of DIR/disc.bin+cue
#   A + between commands runs several in one call.
#   ctrgen.py isz OUT IMG [--bzip2] [--split N] [--password]  UltraISO ISZ
#                                        (--password only marks it protected)
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


def cmd_iso(out, n, noise=False):
    rnd = random.Random(1)
    with open(out, "wb") as f:
        for i in range(n):
            if noise:                    # incompressible
                d = rnd.randbytes(2048)
            elif i == 16:
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


# ---- Apple UDIF ----
def adc_encode(data):
    """ADC: literal runs (0x80|n-1), 2-byte codes (len 3..18, dist <= 1024),
    3-byte codes (len 4..67, dist <= 65536); greedy on 3-byte prefixes."""
    out = bytearray()
    lit = bytearray()
    last = {}
    i = 0
    n = len(data)

    def flush():
        while lit:
            k = lit[:128]
            out.append(0x80 | (len(k) - 1))
            out.extend(k)
            del lit[:128]
    while i < n:
        best_len = 0
        best_dist = 0
        if i + 3 <= n:
            j = last.get(data[i:i + 3])
            if j is not None and i - j <= 65536:
                m = 0
                while i + m < n and m < 67 and data[j + m] == data[i + m]:
                    m += 1
                best_len, best_dist = m, i - j
        if i + 3 <= n:
            last[data[i:i + 3]] = i
        if best_len >= 3 and best_dist <= 1024 and best_len <= 18:
            flush()
            d = best_dist - 1
            out.append(((best_len - 3) << 2) | (d >> 8))
            out.append(d & 0xFF)
            for k in range(1, best_len):
                if i + k + 3 <= n:
                    last[data[i + k:i + k + 3]] = i + k
            i += best_len
        elif best_len >= 4:
            flush()
            d = best_dist - 1
            out.append(0x40 | (best_len - 4))
            out += struct.pack(">H", d)
            for k in range(1, best_len):
                if i + k + 3 <= n:
                    last[data[i + k:i + k + 3]] = i + k
            i += best_len
        else:
            lit.append(data[i])
            i += 1
    flush()
    return bytes(out)


def cmd_dmg(out, img, kinds="raw,zlib,bzip2,adc,zero", repeat=False, per=64):
    import base64
    import bz2
    import zlib
    kinds = kinds.split(",")
    data = open(img, "rb").read()
    data += bytes(-len(data) % 512)
    nsec = len(data) // 512
    fork = bytearray()
    chunks = []
    codes = {"zero": 0, "raw": 1, "ignore": 2, "adc": 0x80000004,
             "zlib": 0x80000005, "bzip2": 0x80000006}
    k = 0
    for s in range(0, nsec, per):
        cnt = min(per, nsec - s)
        piece = data[s * 512:(s + cnt) * 512]
        kind = kinds[k % len(kinds)]
        k += 1
        if kind in ("zero", "ignore") and piece.strip(b"\0"):
            kind = "zlib"                # only all-zero pieces may be zero runs
        if kind == "raw":
            blob = piece
        elif kind == "zlib":
            blob = zlib.compress(piece, 6)
        elif kind == "bzip2":
            blob = bz2.compress(piece, 9)
        elif kind == "adc":
            blob = adc_encode(piece)
        else:
            blob = b""
        chunks.append((codes[kind], s, cnt, len(fork), len(blob)))
        fork += blob
    if repeat:                           # a damaged table: entry 1 repeats entry 0
        chunks[1] = chunks[0]
    chunks.append((0xFFFFFFFF, nsec, 0, len(fork), 0))
    crc = zlib.crc32(data)
    mish = b"mish" + struct.pack(">IQQQII", 1, 0, nsec, 0, 0x208, 0) + bytes(24)
    mish += struct.pack(">II", 2, 32) + struct.pack(">I", crc) + bytes(124)
    mish += struct.pack(">I", len(chunks))
    for t, sec, cnt, off, ln in chunks:
        mish += struct.pack(">IIQQQQ", t, 0, sec, cnt, off, ln)
    b64 = base64.b64encode(mish).decode()
    b64 = "\n".join("\t\t\t" + b64[i:i + 68] for i in range(0, len(b64), 68))
    plist = ('<?xml version="1.0" encoding="UTF-8"?>\n'
             '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
             '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
             '<plist version="1.0">\n<dict>\n\t<key>resource-fork</key>\n\t<dict>\n'
             '\t\t<key>blkx</key>\n\t\t<array>\n\t\t\t<dict>\n'
             '\t\t\t\t<key>Attributes</key>\n\t\t\t\t<string>0x0050</string>\n'
             '\t\t\t\t<key>CFName</key>\n\t\t\t\t<string>whole disk (Apple_HFS : 0)</string>\n'
             '\t\t\t\t<key>Data</key>\n\t\t\t\t<data>\n' + b64 + '\n\t\t\t\t</data>\n'
             '\t\t\t\t<key>ID</key>\n\t\t\t\t<string>0</string>\n'
             '\t\t\t\t<key>Name</key>\n\t\t\t\t<string>whole disk (Apple_HFS : 0)</string>\n'
             '\t\t\t</dict>\n\t\t</array>\n\t</dict>\n</dict>\n</plist>\n').encode()
    xoff = len(fork)
    koly = b"koly" + struct.pack(">III", 4, 512, 1)
    koly += struct.pack(">QQQQQ", 0, 0, len(fork), 0, 0)
    koly += struct.pack(">II", 1, 1) + bytes(range(16))
    koly += struct.pack(">II", 2, 32) + struct.pack(">I", zlib.crc32(fork)) + bytes(124)
    koly += struct.pack(">QQ", xoff, len(plist)) + bytes(120)
    koly += struct.pack(">II", 2, 32) + struct.pack(">I", zlib.crc32(struct.pack(">I", crc))) + bytes(124)
    koly += struct.pack(">IQ", 1, nsec) + bytes(12)
    assert len(koly) == 512
    with open(out, "wb") as f:
        f.write(fork + plist + koly)


# ---- PowerISO DAA ----
def daa_header(sig, toff, version, doff, csize_field, iso, total, f2):
    import zlib
    h = sig.ljust(16, b"\0") + struct.pack("<IIIIII", toff, version, doff, 1, 0, csize_field)
    h += struct.pack("<QQ", iso, total) + f2
    return h + struct.pack("<I", zlib.crc32(h))


def cmd_daa(out, img, opts):
    import lzma
    import zlib
    data = open(img, "rb").read()
    v2 = "--lzma" in opts or "--bcj" in opts
    split = int(opts[opts.index("--split") + 1]) if "--split" in opts else 0
    csize = 65536 if v2 else 0x10000
    chunks = []
    for i in range(0, len(data), csize):
        piece = data[i:i + csize]
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        z = c.compress(piece) + c.flush()
        if v2 and (i // csize) % 3 != 2:       # LZMA, with a zlib chunk now and then
            filt = [{"id": lzma.FILTER_LZMA1, "preset": 1, "dict_size": 1 << 16, "lc": 3, "lp": 0, "pb": 2}]
            if "--bcj" in opts:
                filt.insert(0, {"id": lzma.FILTER_X86})
            chunks.append((0, lzma.compress(piece, format=lzma.FORMAT_RAW, filters=filt)))
        else:
            chunks.append((1, z))
        if v2 and len(chunks[-1][1]) + 5 > csize and len(piece) == csize:
            chunks[-1] = (1, piece)      # a table length >= the chunk size: stored
    if v2:
        lbits = 17
        bits = []
        for t, blob in chunks:
            v = len(blob) - 5
            bits += [(v >> k) & 1 for k in range(lbits)] + [t & 1]
        bits += [0] * (-len(bits) % 8)
        table = bytes(sum(bits[i + k] << k for k in range(8)) for i in range(0, len(bits), 8))
        props = (2 * 5 + 0) * 9 + 3
        f2 = struct.pack("<BIBBB", 2, 0, ((lbits - 10) << 3) | 1, 1 if "--bcj" in opts else 0, props)
        f2 += struct.pack("<I", 1 << 16) + bytes(4)
        version, cfield = 0x110, ((csize >> 14) & 0xFFF) | 0x100000  # LZMA in use
    else:
        table = b"".join(struct.pack(">I", len(b))[1:2] + struct.pack(">I", len(b))[3:4] +
                         struct.pack(">I", len(b))[2:3] for _, b in chunks)
        f2 = bytes(16)
        version, cfield = 0x100, csize
    sig = b"GBI" if "--gbi" in opts else b"DAA"
    if sig == b"GBI" and v2:
        cfield |= 1 << 23                # GBI flips the bit-swap type
    desc = b""
    if split:
        desc = struct.pack("<II", 2, 16 + 101 * 5) + struct.pack("<II", split, 1) + bytes(101 * 5)
    toff = 76 + len(desc)
    doff = toff + len(table)
    stream = b"".join(b for _, b in chunks)
    def mask(table, hdr):                # gBurner scrambles its table
        if sig != b"GBI":
            return table
        key, d = hdr[72], (len(table) // 4) & 0xFF
        return bytes(((b ^ d) + key) & 0xFF for b in table)
    if not split:
        body = daa_header(sig, toff, version, doff, cfield, len(data), doff + len(stream), f2)
        open(out, "wb").write(body + desc + mask(table, body) + stream)
        return
    # split: the main file holds the first slice, parts .d00, .d01 ... the rest
    n = -(-len(stream) // split)
    slices = [stream[i * n:(i + 1) * n] for i in range(split)]
    main = daa_header(sig, toff, version, doff, cfield, len(data), 0, f2)
    open(out, "wb").write(main + desc + mask(table, main) + slices[0])
    for i in range(1, split):
        h = (sig + b" VOL").ljust(16, b"\0") + struct.pack("<I", 40) + f2
        h += struct.pack("<I", zlib.crc32(h))
        open(out[:-2] + "%02d" % (i - 1), "wb").write(h + slices[i])


# ---- UltraISO ISZ ----
def isz_mask(b):
    sig = b"IsZ!"
    return bytes(x ^ (~sig[i % 4] & 0xFF) for i, x in enumerate(b))


def cmd_isz(out, img, opts):
    import bz2
    import zlib
    data = open(img, "rb").read()
    data += bytes(-len(data) % 2048)
    bsize = 0x8000
    split = int(opts[opts.index("--split") + 1]) if "--split" in opts else 0
    chunks = []
    for k, i in enumerate(range(0, len(data), bsize)):
        piece = data[i:i + bsize]
        if not piece.strip(b"\0"):
            chunks.append((0, b""))
        elif "--bzip2" in opts and k % 2 == 0:
            chunks.append((3, bz2.compress(piece, 9)))
        elif k % 5 == 4:
            chunks.append((1, piece))
        else:
            chunks.append((2, zlib.compress(piece, 9)))
    ptr = 3
    table = b"".join(struct.pack("<I", (t << 22) | len(b))[:3] for t, b in chunks)
    stream = b"".join(b for _, b in chunks)
    nseg = split if split else 0
    hsize = 64
    toff = hsize
    soff = toff + len(table) if nseg else 0
    doff = toff + len(table) + (24 * (nseg + 1) if nseg else 0)

    def header(seg_num, segsize):
        h = b"IsZ!" + struct.pack("<BBIHIBQIIBBIIIB", hsize, 1, 0x1234, 2048, len(data) // 2048,
                                  1 if "--password" in opts else 0, segsize, len(chunks), bsize, ptr, seg_num, toff,
                                  soff, doff, 0)
        h += struct.pack("<IIII", ~zlib.crc32(data) & 0xFFFFFFFF, len(stream), 0,
                         ~zlib.crc32(stream) & 0xFFFFFFFF)
        assert len(h) == 64
        return h
    if not nseg:
        open(out, "wb").write(header(0, 0) + isz_mask(table) + stream)
        return
    # cut the chunk stream into nseg slices at arbitrary points
    per = -(-len(stream) // nseg)
    cuts = [min(len(stream), per * i) for i in range(nseg + 1)]
    segs = []
    pos = 0
    starts = []
    for t, b in chunks:
        starts.append(pos)
        pos += len(b)
    first = 0
    for s in range(nseg):
        lo, hi = cuts[s], cuts[s + 1]
        # chunks that start in [lo, hi); the last may run over into the next
        ids = [i for i in range(len(chunks)) if lo <= starts[i] < hi or
               (s == nseg - 1 and starts[i] >= lo)]
        # the carried-over tail of the previous segment is before lo
        if ids:
            last = ids[-1]
            left = max(0, starts[last] + len(chunks[last][1]) - hi) if s < nseg - 1 else 0
        else:
            left = 0
        back = segs[-1][4] if segs else 0
        data_off = doff if s == 0 else hsize
        segs.append((0, len(ids), first, data_off + back, left, lo, hi))
        first += len(ids)
    ent = b""
    files = []
    for s, (_, n, fst, coff, left, lo, hi) in enumerate(segs):
        files.append(stream[lo:hi])      # a carried-over tail leads the next file
    for s, (_, n, fst, coff, left, lo, hi) in enumerate(segs):
        size = (doff if s == 0 else hsize) + len(files[s])
        ent += struct.pack("<QIIII", size, n, fst, coff, left)
    ent += bytes(24)
    assert len(ent) == 24 * (nseg + 1)
    for s in range(nseg):
        name = out if s == 0 else out[:-2] + "%02d" % s
        with open(name, "wb") as f:
            if s == 0:
                f.write(header(0, 1) + isz_mask(table) + isz_mask(ent) + files[0])
            else:
                f.write(header(s, 1) + files[s])


# ---- MAME CHD v5, written the simple way ----
def zstd_compress(data):
    import ctypes
    z = ctypes.CDLL("libzstd.so.1")
    z.ZSTD_compressBound.restype = ctypes.c_size_t
    z.ZSTD_compress.restype = ctypes.c_size_t
    z.ZSTD_compress.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                ctypes.c_size_t, ctypes.c_int]
    cap = z.ZSTD_compressBound(ctypes.c_size_t(len(data)))
    out = ctypes.create_string_buffer(cap)
    n = z.ZSTD_compress(out, cap, data, len(data), 19)
    assert n < cap
    return out.raw[:n]


def crc16(data, crc=0xFFFF):
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def bitwriter():
    bits = []

    def put(v, n):
        bits.extend((v >> (n - 1 - i)) & 1 for i in range(n))

    def done():
        b = bits + [0] * (-len(bits) % 8)
        return bytes(sum(b[i + k] << (7 - k) for k in range(8)) for i in range(0, len(b), 8))
    return put, done


def chd_write(out, hunks, hunkbytes, unitbytes, logical, codec, meta):
    """hunks: list of (type, payload); type 0 = codec slot 0, 4 = stored.
    The map's type tree gives all 16 codes 4 bits (no RLE), every hunk
    gets a 24-bit length and its CRC-16."""
    import zlib
    put, done = bitwriter()
    for _ in range(16):
        put(4, 4)                        # code length 4 for each of 16 types
    for t, _, _ in hunks:
        put(t, 4)                        # canonical: symbol t is code t
    first = 124
    entries = b""
    off = first
    for t, payload, raw in hunks:
        crc = crc16(raw)
        if t == 0:
            put(len(payload), 24)
        put(crc, 16)
        ln = len(payload)
        entries += bytes([t]) + ln.to_bytes(3, "big") + off.to_bytes(6, "big") + crc.to_bytes(2, "big")
        off += ln
    mapdata = done()
    maphdr = struct.pack(">I", len(mapdata)) + first.to_bytes(6, "big")
    maphdr += struct.pack(">HBBBB", crc16(entries), 24, 0, 0, 0)
    data = b"".join(p for _, p, _ in hunks)
    mapoff = first + len(data)
    metaoff = mapoff + 16 + len(mapdata)
    metas = b""
    for i, (tag, text) in enumerate(meta):
        body = text.encode() + b"\0"
        nxt = 0 if i == len(meta) - 1 else metaoff + len(metas) + 16 + len(body)
        metas += tag + bytes([1]) + len(body).to_bytes(3, "big") + struct.pack(">Q", nxt) + body
    hdr = b"MComprHD" + struct.pack(">II", 124, 5) + codec + bytes(12)
    hdr += struct.pack(">QQQII", logical, mapoff, metaoff if meta else 0, hunkbytes, unitbytes)
    hdr += bytes(60)
    assert len(hdr) == 124
    open(out, "wb").write(hdr + data + maphdr + mapdata + metas)


def cmd_chd(out, img, codec):
    """A hard-disk style CHD of IMG, 4096-byte hunks, codec zlib or zstd."""
    import zlib
    data = open(img, "rb").read()
    hb = 4096
    data += bytes(-len(data) % hb)
    hunks = []
    for i in range(0, len(data), hb):
        raw = data[i:i + hb]
        if codec == "zstd":
            p = zstd_compress(raw)
        else:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            p = c.compress(raw) + c.flush()
        hunks.append((0, p, raw) if len(p) < hb else (4, raw, raw))
    meta = [(b"GDDD", "CYLS:%d,HEADS:1,SECS:2,BPS:2048" % (len(data) // 4096))]
    chd_write(out, hunks, hb, 2048, len(data), codec.encode(), meta)


def cmd_chdcd(out, d, codec):
    """A CD CHD of ctrgen's disc.bin (MODE1/2352 + audio), 8 frames a hunk,
    codec cdzs or cdzl, no subchannel; sync and ECC kept (bitmap 0)."""
    import zlib
    bin_ = open(os.path.join(d, "disc.bin"), "rb").read()
    cue = open(os.path.join(d, "disc.cue")).read()
    total = len(bin_) // 2352
    idx = [l.split()[-1] for l in cue.splitlines() if "INDEX" in l]
    mm = [tuple(int(x) for x in t.split(":")) for t in idx]
    lbas = [m * 4500 + s * 75 + f for m, s, f in mm]
    tracks = [(1, "MODE1_RAW", 0, lbas[1] if len(lbas) > 1 else total, 0)]
    if len(lbas) > 1:
        tracks.append((2, "AUDIO", lbas[1], total - lbas[1], lbas[2] - lbas[1]))
    frames = b""
    meta = []
    for num, kind, start, n, pregap in tracks:
        sect = bin_[start * 2352:(start + n) * 2352]
        if kind == "AUDIO":              # CHD keeps audio big-endian
            sw = bytearray(sect)
            sw[0::2], sw[1::2] = sect[1::2], sect[0::2]
            sect = bytes(sw)
        for i in range(n):
            frames += sect[i * 2352:(i + 1) * 2352] + bytes(96)
        frames += bytes(2448 * (-n % 4))
        meta.append((b"CHT2", "TRACK:%d TYPE:%s SUBTYPE:NONE FRAMES:%d PREGAP:%d PGTYPE:%s "
                     "PGSUB:RW POSTGAP:0" % (num, kind, n, pregap,
                                             "VAUDIO" if pregap else "MODE1")))
    hb = 8 * 2448
    logical = len(frames)
    frames += bytes(-len(frames) % hb)
    hunks = []
    for i in range(0, len(frames), hb):
        raw = frames[i:i + hb]
        base = b"".join(raw[k:k + 2352] for k in range(0, hb, 2448))
        sub = b"".join(raw[k + 2352:k + 2448] for k in range(0, hb, 2448))
        if codec == "cdzs":
            b, s_ = zstd_compress(base), zstd_compress(sub)
        else:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            b = c.compress(base) + c.flush()
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            s_ = c.compress(sub) + c.flush()
        p = b"\0" + struct.pack(">H", len(b)) + b + s_
        hunks.append((0, p, raw) if len(p) < hb else (4, raw, raw))
    chd_write(out, hunks, hb, 2448, logical, codec.encode(), meta)


def main():
    # several commands in one run (python starts slowly on a busy machine):
    #   ctrgen.py iso src.iso 160 + daa a.daa src.iso --lzma + ...
    args = sys.argv[1:]
    while args:
        n = args.index("+") if "+" in args else len(args)
        run(args[:n])
        args = args[n + 1:]


def run(a):
    if a[0] == "iso":
        cmd_iso(a[1], int(a[2]), "--noise" in a)
    elif a[0] == "cd":
        cmd_cd(a[1], a[2], int(a[3]) if len(a) > 3 else 300)
    elif a[0] == "chd":
        cmd_chd(a[1], a[2], a[3])
    elif a[0] == "chdcd":
        cmd_chdcd(a[1], a[2], a[3])
    elif a[0] == "dmg":
        cmd_dmg(a[1], a[2], *[x for x in a[3:4] if x != "--repeat"], repeat="--repeat" in a)
    elif a[0] == "daa":
        cmd_daa(a[1], a[2], a[3:])
    elif a[0] == "isz":
        cmd_isz(a[1], a[2], a[3:])
    else:
        sys.exit("ctrgen.py: unknown command " + a[0])


if __name__ == "__main__":
    main()
