# mdxgen.py - Daemon Tools MDS v2 / MDX images for discgen.py, written
# from the layout libmirage's MDX notes publish (image-mdx.h, crypto.c,
# fragment.c; after Marisa-Chan's mdsx), independent of spindle's code:
#
#   file header   "MEDIA DESCRIPTOR" 2.x, copyright, then the offset of
#                 the descriptor's encryption header (MDS v2), or 0xffffffff
#                 and the offset and length of descriptor + salt (MDX)
#   descriptor    zlib, padded to 16 bytes, enciphered per 512 bytes with
#                 AES-256 in TrueCrypt's whitened CBC; offsets in it count
#                 the file's 18 bytes of signature and version
#   header        64 bytes of salt, then 448 enciphered bytes: CRC-32 of
#                 the key data, "TRUE", 1, 256, 0, 256 bytes of key data,
#                 compressed and inflated descriptor sizes
#   track data    sectors as they are, or in compressed groups (a zlib
#                 table of 16-bit words: 0 stored, 0x8000|b all b, else the
#                 size of raw deflate)
#
# AES comes from python3-cryptography; PBKDF2-HMAC-RIPEMD-160 from hashlib.
import hashlib
import os
import random
import struct
import zlib

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

GROUP = 4               # sectors per compression group (MDX fixture)


def edc(b):
    """ECMA-130's EDC: CRC-32 of polynomial 0x8001801B, reflected, from 0."""
    r = 0
    for x in b:
        r ^= x
        for _ in range(8):
            r = (r >> 1) ^ (0xD8018001 if r & 1 else 0)
    return r


def salt_password(salt):
    m = edc(salt) ^ 0x567372FF
    out = bytearray()
    for i in range(16):
        v = struct.unpack_from("<I", salt, 4 * i)[0]
        m = (m * 0x35E85A6D + 0x1548DCE9) & 0xFFFFFFFF
        v ^= m ^ 0xEC564717
        out += bytes(c or 0x5F for c in struct.pack("<I", v))
    return bytes(out)


def wcbc_encrypt(data, iv, key):
    """TrueCrypt's whitened CBC: C' = E(P xor prev), C = C' xor (W || W)."""
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    prev, w, out = iv[:16], iv[8:16] * 2, bytearray()
    for o in range(0, len(data), 16):
        c = enc.update(bytes(a ^ b for a, b in zip(data[o:o + 16], prev)))
        prev = c
        out += bytes(a ^ b for a, b in zip(c, w))
    return bytes(out)


def seal(desc, rnd):
    """(enciphered descriptor, 512-byte header) for descriptor bytes desc
    (without the 18-byte prefix)."""
    z = zlib.compress(desc, 9)
    padded = z + bytes(-len(z) % 16)
    key_data = rnd.randbytes(256)
    body = b"".join(wcbc_encrypt(padded[o:o + 512], key_data[:16], key_data[32:64])
                    for o in range(0, len(padded), 512))
    salt = rnd.randbytes(64)
    k = hashlib.pbkdf2_hmac("ripemd160", salt_password(salt), salt, 2000, 152)
    plain = struct.pack("<IIHHI", zlib.crc32(key_data), 0x54525545, 1, 256, 0) + key_data + \
        struct.pack("<II", len(z), len(desc)) + bytes(168)
    return body, salt + wcbc_encrypt(plain, k[:16], k[32:64])


def groups(data, size, n):
    """(stored bytes, zlib table) of n sectors of size bytes in groups."""
    words, out = [], bytearray()
    for g in range(0, n, GROUP):
        chunk = data[g * size:min(n, g + GROUP) * size]
        if chunk == bytes([chunk[0]]) * len(chunk):
            words.append(0x8000 | chunk[0])
            continue
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = c.compress(chunk) + c.flush()
        if (g // GROUP) % 2 and len(packed) < 0x8000:   # every other group
            words.append(len(packed))
            out += packed
        else:       # stored groups are whole groups, the last one too
            words.append(0)
            out += chunk if g + GROUP <= n else chunk + bytes((g + GROUP - n) * size)
    return bytes(out), zlib.compress(struct.pack("<%dH" % len(words), *words))


def gen_mdx(g, d, tracks, name, enc_data=False):
    """name "mdx": one MDX file, v2.1, compressed groups (stored, deflated
    and one-byte ones), data kept as 2048 bytes, CD-TEXT; name "mdx2": MDS
    v2.0 + MDF, raw sectors with 96-byte subchannel.  Pregaps after track 1
    are kept in both."""
    mdx = name == "mdx"
    rnd = random.Random(4242 + len(tracks))
    sessions = sorted(set(t["session"] for t in tracks))
    data = bytearray()
    base = 64 if mdx else 0
    head = 96
    sess_off = head
    n_blocks = [len([t for t in tracks if t["session"] == s]) + 1 for s in sessions]
    blocks_off = sess_off + 32 * len(sessions)
    extra_off = blocks_off + 80 * sum(n_blocks)
    footer_off = extra_off + 8 * len(tracks)
    name_off = footer_off + 32 * len(tracks)
    ct = g.cdtext_packs(tracks, g.TITLE, g.PERFORMER) if mdx else b""
    ct_off = name_off + 12
    desc = bytearray(ct_off + len(ct))
    desc[0:18] = b"MEDIA DESCRIPTOR" + bytes([2, 1 if mdx else 0])
    struct.pack_into("<HH", desc, 18, 0, len(sessions))
    struct.pack_into("<H", desc, 30, len(ct))
    struct.pack_into("<I", desc, 40, ct_off if ct else 0)
    # enc_data: claim the track data enciphered (an encryption header at 88)
    struct.pack_into("<III", desc, 80, sess_off, 0, 96 if enc_data else 0)
    desc[ct_off:ct_off + len(ct)] = ct
    desc[name_off:name_off + 12] = "*.mdf".encode("utf-16-le") + b"\0\0"
    bi = ti = 0
    for si, s in enumerate(sessions):
        st = [t for t in tracks if t["session"] == s]
        struct.pack_into("<qHBBHHIIq", desc, sess_off + 32 * si,
                         st[0]["start"] - st[0]["pregap"] - (150 if s == 1 else 0), s,
                         n_blocks[si], 1, st[0]["number"], st[-1]["number"], 0,
                         blocks_off + 80 * bi, st[-1]["start"] + st[-1]["length"])
        b = blocks_off + 80 * bi
        desc[b + 2], desc[b + 4] = 0x14, 0xA0     # a lead-in point, skipped
        bi += 1
        for tr in st:
            b = blocks_off + 80 * bi
            audio = tr["mode"] == "audio"
            keep = tr["pregap"] if tr["number"] > 1 else 0
            first = tr["start"] - keep
            n = keep + tr["length"]
            secs = bytearray()
            for l in range(first, tr["start"] + tr["length"]):
                raw = g.raw_sector(tr, l)
                secs += raw[16:2064] if mdx and not audio else raw
                if not mdx:
                    secs += g.sub_interleaved(tr, l)
            if mdx:
                mode, size = (0xA9, 2352) if audio else (0x02, 2048)
            else:
                mode, size = (0xA9 if audio else 0xAA), 2448
            m, sec, f = g.msf3(tr["start"])
            desc[b:b + 12] = bytes([mode, 0, 0x10 | (0 if audio else 4), 0, tr["number"],
                                    0, 0, 0, 0, m, sec, f])
            struct.pack_into("<IH", desc, b + 12, extra_off + 8 * ti, size)
            start_off = base + len(data)
            struct.pack_into("<IQII", desc, b + 36, tr["start"], start_off, 1,
                             footer_off + 32 * ti)
            struct.pack_into("<qq", desc, b + 56, first, 0)
            gap = g.PREGAP1 if tr["number"] == 1 else tr["pregap"]
            struct.pack_into("<II", desc, extra_off + 8 * ti, gap, tr["length"])
            fo = footer_off + 32 * ti
            if mdx:
                stored, table = groups(secs, size, n)
                struct.pack_into("<IBBHIIQQ", desc, fo, 0, 1, 0, 0, 0, GROUP, n,
                                 len(stored))
                data += stored + table
            else:
                struct.pack_into("<IBBHIIQQ", desc, fo, name_off, 0, 0, 0, 0, 0, n, 0)
                data += secs
            bi += 1
            ti += 1
    body, hdr = seal(bytes(desc[18:]), rnd)
    top = b"MEDIA DESCRIPTOR" + bytes([2, 1 if mdx else 0]) + \
        b"(C) 2000-2015 Disc Soft Ltd."[:26]
    if mdx:
        foff = 64 + len(data)
        out = top + struct.pack("<IQQ", 0xFFFFFFFF, foff, len(body) + 64) + data + body + hdr
        g.write(os.path.join(d, name, "disc.mdx"), out)
    else:
        out = top + struct.pack("<I", 48 + len(body)) + body + hdr
        g.write(os.path.join(d, name, "disc.mds"), out)
        g.write(os.path.join(d, name, "disc.mdf"), data)
