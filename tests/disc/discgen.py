#!/usr/bin/env python3
# discgen.py - disc images in every format spindle reads, written from known
# sectors and the published layouts (psx-spx "CDROM disk images", cdrdao(1),
# the CDRWIN sheet syntax), independent of spindle's code.
#
#   discgen.py gen DIR [--two-sessions] [--data ISO] [--burnable] [--audio]
#   discgen.py mds-for DIR SECTORS   (DIR/mds3/disc.mds for a raw disc.mdf)
#
# DIR receives one disc in every format, and the answers:
#   expected.iso        user data of track 1 (mode 1)
#   expected.raw        every sector of the disc from LBA 0 as raw 2352 bytes
#                       (pregaps in, the gap between sessions out), with sync,
#                       header, EDC and ECC computed here (ECMA-130)
#   layout.json         tracks: number, session, mode, start, length, pregap
#   cue/disc.cue  + disc.bin            raw 2352, one file, INDEX 00, CD-TEXT
#   cue2/disc.cue + data.iso + AUDIO.BIN  two FILEs (MODE1/2048 + AUDIO), the
#                       sheet naming audio.bin in another case
#   nrg/disc.nrg        Nero v2 (NER5, CUEX, DAOX, CDTX), data as 2048
#   nrg1/disc.nrg       Nero v1 (NERO, CUES, DAOI), raw 2352 data
#   mds/disc.mds + disc.mdf    Alcohol MDS v1.5, 2448-byte sectors (subchannel)
#   mds2/disc.mds + disc.mdf   2048-byte data, 2352 audio
#   mds3/disc.mds + disc.mdf   track 1 only, raw 2352 (what mdf2iso expects)
#   mdx/disc.mdx        Daemon Tools MDX v2.1: one file, enciphered descriptor,
#                       compressed track data, CD-TEXT (tests/disc/mdxgen.py)
#   mdx2/disc.mds + disc.mdf   MDS v2.0, 2448-byte sectors (subchannel)
#   ccd/disc.ccd + disc.img + disc.sub   CloneCD
#   toc/disc.toc + disc.bin    cdrdao (audio big endian, as cdrdao(1) says)
#   cdi/disc.cdi        DiscJuggler v3.5 (v2, v3 in cdi2/, cdi3/)
#   nrgdata/, ccddata/, cdidata/, mds3/   track 1 alone (data-only discs)
#
# The disc: track 1 mode 1 (60 sectors, an ISO 9660 volume descriptor at 16),
# track 2 audio with a 150-sector pregap, track 3 audio with an ISRC;
# --two-sessions adds track 4, mode 1, in a second session.  --burnable makes
# every track 300 sectors or more (a CD track lasts 4 s); --audio makes
# track 1 audio too, with a 150-sector pregap before track 3 (an audio CD).
# --data ISO makes track 1 hold ISO's sectors (a real file system) instead.
import functools
import json
import os
import random
import struct
import sys

RAW = 2352
TITLE, PERFORMER, MCN = "Disc Gen", "Spindle Tests", "1234567890123"
ISRC3 = "USABC2600001"
SESSION_GAP = 11250  # lead-out 6750 + lead-in 4500
PREGAP1 = 150  # track 1's pregap, where a format stores it (NRG, CDI)

# ---- ECMA-130 sector parts, written from the standard's equations ----

EXP = [0] * 512
LOG = [0] * 256
x = 1
for i in range(255):
    EXP[i] = x
    LOG[x] = i
    x <<= 1
    if x & 0x100:
        x ^= 0x11D
for i in range(255, 512):
    EXP[i] = EXP[i - 255]


def gmul(a, b):
    return 0 if a == 0 or b == 0 else EXP[LOG[a] + LOG[b]]


def gdiv(a, b):
    return 0 if a == 0 else EXP[(LOG[a] - LOG[b]) % 255]


EDC_T = []
for i in range(256):
    e = i
    for _ in range(8):
        e = (e >> 1) ^ (0xD8018001 if e & 1 else 0)
    EDC_T.append(e)


def edc(b):
    e = 0
    for c in b:
        e = (e >> 8) ^ EDC_T[(e ^ c) & 0xFF]
    return e


def parity(vec, n):
    """Two parity bytes p, q ending a code word of n bytes (vec: n-2 data)
    so that sum(c_i) = 0 and sum(c_i * a^(n-1-i)) = 0."""
    s0 = s1 = 0
    for i, c in enumerate(vec):
        s0 ^= c
        s1 ^= gmul(c, EXP[(n - 1 - i) % 255])
    # p*a + q = s1, p + q = s0  ->  p*(a+1) = s0 + s1
    p = gdiv(s0 ^ s1, 3)
    return p, s0 ^ p


def ecc(sec):
    """P and Q parity over bytes 12..2247, as two byte planes of words."""
    area = sec[12:]
    for plane in (0, 1):
        for col in range(43):   # P: 43 columns of 24 words, + 2 parity words
            vec = [area[2 * (43 * m + col) + plane] for m in range(24)]
            p, q = parity(vec, 26)
            area[2 * (43 * 24 + col) + plane] = p
            area[2 * (43 * 25 + col) + plane] = q
        for d in range(26):     # Q: 26 diagonals of 43 words, + 2 parity words
            vec = [area[2 * ((44 * m + 43 * d) % 1118) + plane] for m in range(43)]
            p, q = parity(vec, 45)
            area[2 * (1118 + d) + plane] = p
            area[2 * (1118 + 26 + d) + plane] = q
    sec[12:] = area


def bcd(v):
    return (v // 10) << 4 | v % 10


def msf3(lba):
    a = lba + 150
    return a // 4500, a // 75 % 60, a % 75


@functools.lru_cache(maxsize=None)
def mode1_sector(lba, user):
    s = bytearray(RAW)
    s[1:11] = b"\xff" * 10
    m, sec, f = msf3(lba)
    s[12:16] = bytes([bcd(m), bcd(sec), bcd(f), 1])
    s[16:2064] = user
    s[2064:2068] = struct.pack("<I", edc(s[0:2064]))
    ecc(s)
    return bytes(s)


def mode2_sector(lba, user, form2):
    """Mode 2 XA: subheader twice (file 0, channel 0, submode, coding),
    form 1: 2048 bytes, EDC, ECC with a zero header; form 2: 2324, EDC."""
    s = bytearray(RAW)
    s[1:11] = b"\xff" * 10
    m, sec, f = msf3(lba)
    s[12:16] = bytes([bcd(m), bcd(sec), bcd(f), 2])
    sm = 0x20 if form2 else 0x08
    s[16:24] = bytes([0, 0, sm, 0, 0, 0, sm, 0])
    if form2:
        s[24:2348] = user
        s[2348:2352] = struct.pack("<I", edc(s[16:2348]))
        return bytes(s)
    s[24:2072] = user
    s[2072:2076] = struct.pack("<I", edc(s[16:2072]))
    hdr = s[12:16]
    s[12:16] = bytes(4)
    ecc(s)
    s[12:16] = hdr
    return bytes(s)


def gen_xa(d):
    """xa/: one MODE2/2352 track, 20 form 1 sectors (a volume descriptor at
    16) then 5 form 2; xa2336/: the same as MODE2/2336."""
    secs = [mode2_sector(l, user_data(l), False) for l in range(20)]
    secs += [mode2_sector(l, random.Random(l).randbytes(2324), True) for l in range(20, 25)]
    raw = b"".join(secs)
    write(os.path.join(d, "xa/disc.bin"), raw)
    write(os.path.join(d, "xa/disc.cue"), 'FILE "disc.bin" BINARY\n  TRACK 01 MODE2/2352\n'
          "    INDEX 01 00:00:00\n")
    write(os.path.join(d, "xa2336/disc.bin"), b"".join(x[16:] for x in secs))
    write(os.path.join(d, "xa2336/disc.cue"), 'FILE "disc.bin" BINARY\n  TRACK 01 MODE2/2336\n'
          "    INDEX 01 00:00:00\n")
    write(os.path.join(d, "expected_xa.iso"), b"".join(user_data(l) for l in range(20)))


# ---- the disc ----

DATA = None  # --data ISO: track 1's user data
N1 = 60  # track 1's length in sectors


def user_data(lba):
    if DATA is not None:
        return DATA[lba * 2048:(lba + 1) * 2048].ljust(2048, b"\0")
    if lba == 16:   # primary volume descriptor
        pvd = bytearray(2048)
        pvd[0:7] = b"\x01CD001\x01"
        pvd[8:40] = b"SPINDLE".ljust(32)
        pvd[40:72] = b"DISCGEN_VOL".ljust(32)
        return bytes(pvd)
    if lba == 17:
        return b"\xffCD001\x01" + bytes(2041)
    return random.Random(lba * 31 + 7).randbytes(2048)


def audio_data(track, i):
    return random.Random(track * 100003 + i).randbytes(RAW)


def disc(two, tiny=False, burnable=False, audio=False):
    n1, g2, n2, n3 = (20, 2, 3, 2) if tiny else (N1, 150, 100, 80)
    if burnable:
        n1, n2, n3 = 300, 300, 300
    g3 = 150 if audio else 0
    t = [dict(number=1, session=1, mode="audio" if audio else "mode1", pregap=0,
              length=n1, start=0),
         dict(number=2, session=1, mode="audio", pregap=g2, length=n2),
         dict(number=3, session=1, mode="audio", pregap=g3, length=n3, isrc=ISRC3)]
    t[1]["start"] = n1 + g2
    t[2]["start"] = t[1]["start"] + n2 + g3
    if two:
        end1 = t[2]["start"] + 80
        t.append(dict(number=4, session=2, mode="mode1", pregap=150, length=40,
                      start=end1 + SESSION_GAP + 150))
    for i, tr in enumerate(t):
        tr["title"] = "Track %d" % tr["number"]
        tr["performer"] = "Artist %d" % tr["number"]
    return t


def raw_sector(tr, lba):
    """What the disc holds at lba (pregap sectors included)."""
    i = lba - (tr["start"] - tr["pregap"])
    if tr["mode"] == "audio":
        return audio_data(tr["number"], i)
    if lba < tr["start"]:
        return mode1_sector(lba, bytes(2048))
    return mode1_sector(lba, user_data(lba))


def sectors(tr, with_gap=True):
    first = tr["start"] - (tr["pregap"] if with_gap else 0)
    return [raw_sector(tr, l) for l in range(first, tr["start"] + tr["length"])]


def msf(s):
    return "%02d:%02d:%02d" % (s // 4500, s // 75 % 60, s % 75)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, (bytes, bytearray)) else "w") as f:
        f.write(data)


# ---- CD-TEXT packs (MMC annex J): type, track, seq, block/pos, 12 bytes, CRC ----

def crc16(b):
    c = 0
    for x in b:
        c ^= x << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021 if c & 0x8000 else c << 1) & 0xFFFF
    return c ^ 0xFFFF


def cdtext_packs(tracks, disc_title, disc_perf):
    packs, seq = [], 0
    for typ, key, disc_val in ((0x80, "title", disc_title), (0x81, "performer", disc_perf)):
        text = disc_val.encode() + b"\0"
        owners = [0] * len(text)
        for tr in tracks:
            s = tr[key].encode() + b"\0"
            owners += [tr["number"]] * len(s)
            text += s
        for o in range(0, len(text), 12):
            chunk = text[o:o + 12].ljust(12, b"\0")
            # character position within the string the pack starts in
            start_owner = owners[o]
            pos = 0
            k = o - 1
            while k >= 0 and owners[k] == start_owner:
                pos += 1
                k -= 1
            body = bytes([typ, start_owner, seq, min(pos, 15)]) + chunk
            packs.append(body + struct.pack(">H", crc16(body)))
            seq += 1
    # size information (type 0x8F): charset, first/last track, pack counts
    counts = [0] * 16
    for p in packs:
        counts[p[0] - 0x80] += 1
    counts[15] = 3
    info = bytes([0, tracks[0]["number"], tracks[-1]["number"], 0]) + bytes(counts) + \
        bytes([seq + 2]) + bytes(7) + bytes([9]) + bytes(7)
    for k in range(3):
        body = bytes([0x8F, k, seq, 0]) + info[k * 12:(k + 1) * 12]
        packs.append(body + struct.pack(">H", crc16(body)))
        seq += 1
    return b"".join(packs)


# ---- formats ----

def gen_cue(d, tracks):
    lines = ["CATALOG " + MCN, 'TITLE "%s"' % TITLE, 'PERFORMER "%s"' % PERFORMER,
             'FILE "disc.bin" BINARY']
    out = bytearray()
    session = 1
    for tr in tracks:
        if tr["session"] != session:
            session = tr["session"]
            lines.append("REM SESSION %02d" % session)
        lines.append("  TRACK %02d %s" % (tr["number"], "AUDIO" if tr["mode"] == "audio"
                                           else "MODE1/2352"))
        lines.append('    TITLE "%s"' % tr["title"])
        lines.append('    PERFORMER "%s"' % tr["performer"])
        if tr.get("isrc"):
            lines.append("    ISRC " + tr["isrc"])
        pos = len(out) // RAW
        if tr["pregap"]:
            lines.append("    INDEX 00 " + msf(pos))
        lines.append("    INDEX 01 " + msf(pos + tr["pregap"]))
        for s in sectors(tr):
            out += s
    write(os.path.join(d, "cue/disc.bin"), out)
    write(os.path.join(d, "cue/disc.cue"), "\r\n".join(lines) + "\r\n")
    return out


def gen_cue2(d, tracks):
    """Two files: MODE1/2048 data, then audio; the sheet names the audio
    file in upper case, the file is lower case (a Windows-made sheet)."""
    iso = b"".join(user_data(l) for l in range(0, N1))
    aud = b"".join(b"".join(sectors(tr)) for tr in tracks[1:3])
    write(os.path.join(d, "cue2/data.iso"), iso)
    write(os.path.join(d, "cue2/audio.bin"), aud)
    lines = ['FILE "data.iso" BINARY', "  TRACK 01 MODE1/2048", "    INDEX 01 00:00:00",
             'FILE "AUDIO.BIN" BINARY', "  TRACK 02 AUDIO", "    INDEX 00 00:00:00",
             "    INDEX 01 00:02:00", "  TRACK 03 AUDIO", "    ISRC " + ISRC3,
             "    INDEX 01 " + msf(250)]
    write(os.path.join(d, "cue2/disc.cue"), "\n".join(lines) + "\n")


def cues_entries(tracks, lbas_x):
    """CUEX/CUES entries for one session's tracks."""
    ent = b""

    def one(ctl, track, index, lba):
        if lbas_x:
            return bytes([ctl, track, index, 0]) + struct.pack(">i", lba)
        m, s, f = msf3(lba)
        return bytes([ctl, track, index, 0, 0, bcd(m), bcd(s), bcd(f)])
    first = tracks[0]
    ent += one(0x41 if first["mode"] != "audio" else 0x01, 0, 0, first["start"] - 150
               if first["number"] == 1 else first["start"] - first["pregap"] - 150)
    for tr in tracks:
        ctl = 0x41 if tr["mode"] != "audio" else 0x01
        gap = PREGAP1 if tr["number"] == 1 else tr["pregap"]
        ent += one(ctl, bcd(tr["number"]), 0, tr["start"] - gap)
        ent += one(ctl, bcd(tr["number"]), 1, tr["start"])
    last = tracks[-1]
    ent += one(0x01, 0xAA, 1, last["start"] + last["length"])
    return ent


def gen_nrg(d, tracks, v2, name=None):
    """Nero DAO image: track 1 with its 150-sector pregap stored (as Nero
    writes it), data as 2048 (v2) or raw 2352 (v1)."""
    body = bytearray()
    chunks = []
    sessions = sorted(set(t["session"] for t in tracks))
    for s in sessions:
        st = [t for t in tracks if t["session"] == s]
        dao = []
        for tr in st:
            gap = PREGAP1 if tr["number"] == 1 else tr["pregap"]
            o0 = len(body)
            for l in range(tr["start"] - gap, tr["start"] + tr["length"]):
                if tr["mode"] == "audio":
                    body += audio_data(tr["number"], l - (tr["start"] - tr["pregap"])) \
                        if l >= tr["start"] - tr["pregap"] else bytes(RAW)
                elif v2:
                    body += user_data(l) if l >= tr["start"] else bytes(2048)
                else:
                    body += mode1_sector(l, user_data(l) if l >= tr["start"] else bytes(2048))
            o1 = o0 + gap * (RAW if tr["mode"] == "audio" or not v2 else 2048)
            o2 = len(body)
            size, mode = (2352, 7) if tr["mode"] == "audio" else ((2048, 0) if v2 else (2352, 5))
            isrc = (tr.get("isrc") or "").encode().ljust(12, b"\0")
            fmt = ">QQQ" if v2 else ">III"
            dao.append(isrc + struct.pack(">H", size) + bytes([mode, 0, 0, 1]) +
                       struct.pack(fmt, o0, o1, o2))
        hdr = bytes(4) + MCN.encode() + b"\0" + bytes([0, 1, st[0]["number"], st[-1]["number"]])
        daoc = hdr + b"".join(dao)
        daoc = struct.pack(">I", len(daoc) + 8) + daoc[4:]
        if len(sessions) > 1:
            chunks.append((b"SINF", struct.pack(">I", len(st))))
        chunks.append((b"CUEX" if v2 else b"CUES", cues_entries(st, v2)))
        chunks.append((b"DAOX" if v2 else b"DAOI", daoc))
    chunks.append((b"CDTX", cdtext_packs(tracks, TITLE, PERFORMER)))
    chunks.append((b"MTYP", struct.pack(">I", 1)))
    chunks.append((b"END!", b""))
    off = len(body)
    for cid, c in chunks:
        body += cid + struct.pack(">I", len(c)) + c
    body += (b"NER5" + struct.pack(">Q", off)) if v2 else (b"NERO" + struct.pack(">I", off))
    name = name or ("nrg" if v2 else "nrg1")
    write(os.path.join(d, name, "disc.nrg"), body)


# ---- subchannel: Q with positions, P-W interleaved (bit 7 = P, 6 = Q ...) ----

def q_channel(tr, lba):
    ctl = 0x4 if tr["mode"] != "audio" else 0x0
    rel = lba - tr["start"]
    index = 1 if rel >= 0 else 0
    r = abs(rel)
    m, s, f = msf3(lba)
    q = bytes([ctl << 4 | 1, bcd(tr["number"]), index, bcd(r // 4500), bcd(r // 75 % 60),
               bcd(r % 75), 0, bcd(m), bcd(s), bcd(f)])
    return q + struct.pack(">H", crc16(q))


def sub_packed(tr, lba):
    """12 bytes per channel P..W (CloneCD .sub)."""
    p = b"\xff" * 12 if lba < tr["start"] else bytes(12)
    return p + q_channel(tr, lba) + bytes(72)


def sub_interleaved(tr, lba):
    packed = sub_packed(tr, lba)
    out = bytearray(96)
    for i in range(96):
        v = 0
        for ch in range(8):
            if packed[ch * 12 + i // 8] & (0x80 >> (i % 8)):
                v |= 0x80 >> ch
        out[i] = v
    return bytes(out)


def mds_track_modes(tr, raw):
    if tr["mode"] == "audio":
        return 0xA9, 2352
    return (0xAA, 2352) if raw else (0xAA, 2048)


def gen_mds(d, tracks, sub, name=None):
    """Alcohol MDS v1.5: pregaps are not stored in the MDF (as libmirage
    reads them); sub: 2448-byte sectors with interleaved subchannel, else
    2048-byte data and 2352-byte audio."""
    mdf = bytearray()
    sessions = sorted(set(t["session"] for t in tracks))
    n_tr = len(tracks)
    head_len, sess_len, blk_len = 0x58, 0x18, 0x50
    sess_off = head_len
    blocks_off = sess_off + sess_len * len(sessions)
    n_blocks = [3 + len([t for t in tracks if t["session"] == s]) for s in sessions]
    extra_off = blocks_off + blk_len * sum(n_blocks)
    footer_off = extra_off + 8 * sum(n_blocks)
    name_off = footer_off + 16
    out = bytearray(name_off + 6)
    out[0:16] = b"MEDIA DESCRIPTOR"
    out[16:18] = bytes([1, 5])
    struct.pack_into("<HH", out, 0x12, 0, len(sessions))
    struct.pack_into("<I", out, 0x16, 2)
    struct.pack_into("<I", out, 0x50, sess_off)
    bi = 0
    for si, s in enumerate(sessions):
        st = [t for t in tracks if t["session"] == s]
        end = st[-1]["start"] + st[-1]["length"]
        struct.pack_into("<iiHBBHHII", out, sess_off + si * sess_len,
                         st[0]["start"] - st[0]["pregap"] - (150 if s == 1 else 0), end, s,
                         n_blocks[si], 3, st[0]["number"], st[-1]["number"], 0,
                         blocks_off + bi * blk_len)
        for k, point in enumerate((0xA0, 0xA1, 0xA2)):
            b = blocks_off + (bi + k) * blk_len
            out[b + 2] = 0x14
            out[b + 4] = point
            struct.pack_into("<I", out, extra_off + (bi + k) * 8, 0)
        for k, tr in enumerate(st):
            b = blocks_off + (bi + 3 + k) * blk_len
            mode, size = mds_track_modes(tr, sub or name == "mds3")
            if sub:
                size = 2448
            gap = PREGAP1 if tr["number"] == 1 else tr["pregap"]
            m, sec, f = msf3(tr["start"])
            out[b:b + 12] = bytes([mode, 8 if sub else 0,
                                   0x10 | (4 if tr["mode"] != "audio" else 0), 0,
                                   tr["number"], 0, 0, 0, 0, m, sec, f])
            struct.pack_into("<IHB", out, b + 0x0c, extra_off + (bi + 3 + k) * 8, size, 2)
            struct.pack_into("<iQII", out, b + 0x24, tr["start"], len(mdf), 1, footer_off)
            struct.pack_into("<II", out, extra_off + (bi + 3 + k) * 8, gap, tr["length"])
            for l in range(tr["start"], tr["start"] + tr["length"]):
                sec_raw = raw_sector(tr, l)
                if tr["mode"] != "audio" and not sub and name != "mds3":
                    mdf += sec_raw[16:2064]
                else:
                    mdf += sec_raw
                if sub:
                    mdf += sub_interleaved(tr, l)
        bi += n_blocks[si]
    struct.pack_into("<IB", out, footer_off, name_off, 0)
    out[name_off:name_off + 6] = b"*.mdf\0"
    name = name or ("mds" if sub else "mds2")
    write(os.path.join(d, name, "disc.mds"), out)
    write(os.path.join(d, name, "disc.mdf"), mdf)


def gen_ccd(d, tracks, name="ccd"):
    """CloneCD: IMG of raw sectors from LBA 0, sessions back to back; SUB
    with 12 bytes per channel; CCD with full-TOC entries and [TRACK N]."""
    img, sub = bytearray(), bytearray()
    sessions = sorted(set(t["session"] for t in tracks))
    packs = cdtext_packs(tracks, TITLE, PERFORMER)
    entries = []
    for s in sessions:
        st = [t for t in tracks if t["session"] == s]
        end = st[-1]["start"] + st[-1]["length"]
        ctl = 4 if st[0]["mode"] != "audio" else 0
        entries.append((s, 0xA0, ctl, st[0]["number"] * 4500 - 150))
        entries.append((s, 0xA1, ctl, st[-1]["number"] * 4500 - 150))
        entries.append((s, 0xA2, ctl, end))
        for tr in st:
            entries.append((s, tr["number"], 4 if tr["mode"] != "audio" else 0, tr["start"]))
            for l in range(tr["start"] - tr["pregap"], tr["start"] + tr["length"]):
                img += raw_sector(tr, l)
                sub += sub_packed(tr, l)
    lines = ["[CloneCD]", "Version=3", "[Disc]", "TocEntries=%d" % len(entries),
             "Sessions=%d" % len(sessions), "DataTracksScrambled=0",
             "CDTextLength=%d" % len(packs), "CATALOG=" + MCN, "[CDText]",
             "Entries=%d" % (len(packs) // 18)]
    for i in range(0, len(packs), 18):
        lines.append("Entry %d=%s" % (i // 18, " ".join("%02x" % b for b in packs[i:i + 16])))
    for s in sessions:
        lines += ["[Session %d]" % s, "PreGapMode=1", "PreGapSubC=0"]
    for i, (s, pt, ctl, plba) in enumerate(entries):
        a = plba + 150
        lines += ["[Entry %d]" % i, "Session=%d" % s, "Point=0x%02x" % pt, "ADR=0x01",
                  "Control=0x%02x" % ctl, "TrackNo=0", "AMin=0", "ASec=0", "AFrame=0",
                  "ALBA=-150", "Zero=0", "PMin=%d" % (a // 4500), "PSec=%d" % (a // 75 % 60),
                  "PFrame=%d" % (a % 75), "PLBA=%d" % plba]
    for tr in tracks:
        lines += ["[TRACK %d]" % tr["number"], "MODE=%d" % (0 if tr["mode"] == "audio" else 1)]
        if tr.get("isrc"):
            lines.append("ISRC=" + tr["isrc"])
        if tr["pregap"]:
            lines.append("INDEX 0=%d" % (tr["start"] - tr["pregap"]))
        lines.append("INDEX 1=%d" % tr["start"])
    write(os.path.join(d, name, "disc.ccd"), "\r\n".join(lines) + "\r\n")
    write(os.path.join(d, name, "disc.img"), img)
    write(os.path.join(d, name, "disc.sub"), sub)


def cdtext_block(title, performer, top):
    lm = "  LANGUAGE_MAP { 0 : EN }\n" if top else ""
    return ("CD_TEXT {\n%s  LANGUAGE 0 {\n    TITLE \"%s\"\n    PERFORMER \"%s\"\n  }\n}"
            % (lm, title, performer))


def swab(b):
    a = bytearray(b)
    a[0::2], a[1::2] = b[1::2], b[0::2]
    return bytes(a)


def gen_toc(d, tracks):
    """cdrdao: toc/ shares one raw bin (FILE with MSF start and length);
    toc2/ has MODE1 data in an ISO file and audio in a WAV file."""
    out = bytearray()
    lines = ["CD_ROM", 'CATALOG "%s"' % MCN, cdtext_block(TITLE, PERFORMER, True)]
    for tr in tracks:
        if tr["session"] != 1:
            continue
        audio = tr["mode"] == "audio"
        lines += ["", "TRACK " + ("AUDIO" if audio else "MODE1_RAW")]
        if tr.get("isrc"):
            lines.append('ISRC "%s"' % tr["isrc"])
        lines.append(cdtext_block(tr["title"], tr["performer"], False))
        pos = len(out) // RAW
        lines.append('FILE "disc.bin" %s %s' % (msf(pos), msf(tr["pregap"] + tr["length"])))
        if tr["pregap"]:
            lines.append("START " + msf(tr["pregap"]))
        for x in sectors(tr):
            # cdrdao(1): raw audio files are big endian (MSB first)
            out += swab(x) if audio else x
    write(os.path.join(d, "toc/disc.bin"), out)
    write(os.path.join(d, "toc/disc.toc"), "\n".join(lines) + "\n")
    # toc2: MODE1 (2048) data file, audio from a WAV file, pregap in the file
    iso = b"".join(user_data(l) for l in range(N1))
    pcm = b"".join(b"".join(sectors(tr)) for tr in tracks[1:3])
    wav = (b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVEfmt " +
           struct.pack("<IHHIIHH", 16, 1, 2, 44100, 176400, 4, 16) + b"data" +
           struct.pack("<I", len(pcm)) + pcm)
    write(os.path.join(d, "toc2/data.iso"), iso)
    write(os.path.join(d, "toc2/audio.wav"), wav)
    lines = ["CD_ROM", "// two files", "TRACK MODE1", 'DATAFILE "data.iso"', "",
             "TRACK AUDIO", 'AUDIOFILE "audio.wav" 0 %s' % msf(250), "START 00:02:00", "",
             "TRACK AUDIO", 'ISRC "%s"' % ISRC3, 'FILE "audio.wav" %d' % (250 * 588)]
    write(os.path.join(d, "toc2/disc.toc"), "\n".join(lines) + "\n")


def cdi_header(n_tracks, name):
    return (bytes([0xFF, 0xFF, 0, 0, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xDA, 0x0A, 0xD5,
                   n_tracks, len(name)]) + name + bytes(11) + b"\x02" + bytes(10) + b"\x80" +
            struct.pack("<IHH", 360000, 0, 0x98))


def gen_cdi(d, tracks, version, outname=None):
    """DiscJuggler: sectors from 00:00:00 (track 1's 150-sector pregap
    stored), descriptor at the end; v2 without the v3 track extension."""
    data, desc = bytearray(), bytearray()
    sessions = sorted(set(t["session"] for t in tracks))
    name = b"C:\\disc.cdi"
    raw = version != 0x80000005   # v3: data as 2048-byte sectors
    desc.append(len(sessions))
    for s in sessions:
        st = [t for t in tracks if t["session"] == s]
        desc += bytes([0, len(st)]) + bytes(7) + b"\x01" + bytes(3) + b"\xff\xff"
        for k, tr in enumerate(st):
            audio = tr["mode"] == "audio"
            gap = PREGAP1 if tr["number"] == 1 else tr["pregap"]
            first = tr["start"] - gap
            for l in range(first, tr["start"] + tr["length"]):
                if audio:
                    data += audio_data(tr["number"], l - (tr["start"] - tr["pregap"])) \
                        if l >= tr["start"] - tr["pregap"] else bytes(RAW)
                else:
                    sec = mode1_sector(l, user_data(l) if l >= tr["start"] else bytes(2048))
                    data += sec if raw else sec[16:2064]
            b = cdi_header(len(tracks), name)
            b += struct.pack("<HII", 2, gap, tr["length"])
            text = bytes([len(tr["title"])]) + tr["title"].encode() + \
                bytes([len(tr["performer"])]) + tr["performer"].encode() + bytes(16)
            b += struct.pack("<I", 1) + text
            length = gap + tr["length"]
            rmode = 2 if audio or raw else 0
            b += bytes(2) + struct.pack("<I", 0 if audio else 1) + bytes(4)
            b += struct.pack("<IIII", s - 1, tr["number"] - 1, first + 150, length)
            b += bytes(16) + struct.pack("<II", rmode, 0 if audio else 4)
            b += b"\0" + struct.pack("<I", length) + bytes(4)
            isrc = (tr.get("isrc") or "").encode()
            b += isrc.ljust(12, b"\0") + struct.pack("<I", 1 if isrc else 0)
            if version != 0x80000004:
                b += b"\0" + b"\xff" * 8 + struct.pack("<IIIII", 1, 0x80, 2, 0x10, 44100)
                b += bytes(0x2A) + b"\xff" * 4 + bytes(12)
            last = k == len(st) - 1
            b += bytes([1 if not audio else 0]) + bytes(5) + bytes([0 if last else 1, 0])
            b += struct.pack("<I", length if last else 0xFFFF0000)
            desc += b
    desc += bytes([0, 0]) + bytes(7) + b"\x01" + bytes(3) + b"\xff\xff"
    vol = b"DISCGEN_VOL"
    desc += cdi_header(len(tracks), name) + struct.pack("<I", len(data) // RAW)
    desc += bytes([len(vol)]) + vol + bytes([0, 1, 0, 0, 0, 1, 0, 0, 0])
    desc += MCN.encode() + struct.pack("<II", 1, 0) + bytes(8)
    off = len(data)
    out = data + desc
    if version == 0x80000006:
        out += struct.pack("<II", version, len(desc) + 8)
    else:
        out += struct.pack("<II", version, off)
    sub = outname or {0x80000004: "cdi2", 0x80000005: "cdi3", 0x80000006: "cdi"}[version]
    write(os.path.join(d, sub, "disc.cdi"), out)


def mdxgen():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import mdxgen as m
    return m


FORMATS = [("cue", gen_cue), ("cue2", gen_cue2),
           ("nrg", lambda d, t: gen_nrg(d, t, True)),
           ("nrg1", lambda d, t: gen_nrg(d, t, False)),
           ("mds", lambda d, t: gen_mds(d, t, True)),
           ("mds2", lambda d, t: gen_mds(d, t, False)),
           ("mds3", lambda d, t: gen_mds(d, t[:1], False, "mds3")),
           ("mdx", lambda d, t: mdxgen().gen_mdx(sys.modules[__name__], d, t, "mdx")),
           ("mdx2", lambda d, t: mdxgen().gen_mdx(sys.modules[__name__], d, t, "mdx2")),
           ("ccd", gen_ccd), ("toc", gen_toc),
           ("cdi", lambda d, t: gen_cdi(d, t, 0x80000006)),
           ("cdi2", lambda d, t: gen_cdi(d, t, 0x80000004)),
           ("cdi3", lambda d, t: gen_cdi(d, t, 0x80000005)),
           # data-only discs, for burn and verify
           ("nrgdata", lambda d, t: gen_nrg(d, t[:1], True, "nrgdata")),
           ("ccddata", lambda d, t: gen_ccd(d, t[:1], "ccddata")),
           ("cdidata", lambda d, t: gen_cdi(d, t[:1], 0x80000006, "cdidata"))]


def gen(d, two, burnable=False, audio=False):
    tracks = disc(two, burnable=burnable, audio=audio)
    os.makedirs(d, exist_ok=True)
    raw = None
    for name, fn in FORMATS:
        if two and name == "cue2":
            continue
        r = fn(d, tracks)
        if name == "cue":
            raw = r
    write(os.path.join(d, "expected.raw"), raw)
    if not two:
        gen_xa(d)
    # the same with pregaps after track 1 as silence / empty sectors, for
    # formats that do not store them (MDS)
    gapless = bytearray(raw)
    pos = 0
    for tr in tracks:
        for l in range(tr["start"] - tr["pregap"], tr["start"]):
            gapless[pos * RAW:(pos + 1) * RAW] = bytes(RAW) if tr["mode"] == "audio" \
                else mode1_sector(l, bytes(2048))
            pos += 1
        pos += tr["length"]
    write(os.path.join(d, "expected_nogap.raw"), gapless)
    write(os.path.join(d, "expected.iso"), b"".join(user_data(l) for l in range(N1)))
    with open(os.path.join(d, "layout.json"), "w") as f:
        json.dump({"tracks": tracks, "mcn": MCN, "title": TITLE,
                   "performer": PERFORMER}, f)


def seeds(d):
    """Seeds for tests/fuzz/fuzz_disc: a reader byte, then the file."""
    import tempfile
    global PREGAP1
    PREGAP1 = 2
    tracks = disc(False, tiny=True)
    with tempfile.TemporaryDirectory() as t:
        for name, fn in FORMATS:
            if name in ("cue2", "toc") or name.endswith("data") or name == "mds3":
                continue
            fn(t, tracks)
        files = [(1, "cue/disc.cue"), (2, "nrg/disc.nrg"), (2, "nrg1/disc.nrg"),
                 (3, "mds/disc.mds"), (3, "mds2/disc.mds"), (4, "ccd/disc.ccd"),
                 (6, "cdi/disc.cdi"), (6, "cdi2/disc.cdi"), (6, "cdi3/disc.cdi"),
                 (7, "mdx/disc.mdx")]
        os.makedirs(d, exist_ok=True)
        for r, f in files:
            with open(os.path.join(t, f), "rb") as src:
                body = src.read()
            # descriptors name disc.bin / *.mdf: the fuzzer's own companions
            write(os.path.join(d, f.replace("/", "_")), bytes([r]) + body)
    toc = 'CD_ROM\nTRACK MODE1_RAW\nFILE "disc.bin" 00:00:00 00:00:20\nTRACK AUDIO\n' \
          'FILE "disc.bin" 00:00:20 00:00:10\nSTART 00:00:02\n'
    write(os.path.join(d, "toc_disc.toc"), bytes([5]) + toc.encode())
    write(os.path.join(d, "iso_disc.iso"), bytes([0]) + b"".join(user_data(l) for l in range(20)))


def main():
    a = sys.argv[1:]
    if len(a) == 2 and a[0] == "seeds":
        seeds(a[1])
        return 0
    if len(a) == 3 and a[0] == "mds-for":
        # DIR SECTORS: DIR/mds3/disc.mds for one Mode 1 track of SECTORS raw
        # 2352-byte sectors in DIR/mds3/disc.mdf, which the caller supplies
        global raw_sector
        raw_sector = lambda tr, lba: b""
        n = int(a[2])
        tracks = [dict(number=1, session=1, mode="mode1", pregap=0, length=n, start=0)]
        gen_mds(a[1], tracks, False, "mds3")
        return 0
    if len(a) >= 2 and a[0] == "gen":
        if "--data" in a[2:]:
            global DATA, N1
            with open(a[a.index("--data") + 1], "rb") as f:
                DATA = f.read()
            N1 = (len(DATA) + 2047) // 2048
        gen(a[1], "--two-sessions" in a[2:], "--burnable" in a[2:], "--audio" in a[2:])
        return 0
    print(__doc__ if __doc__ else "usage: discgen.py gen DIR [--two-sessions]",
          file=sys.stderr)
    return 2


def io_paths(a):
    """(inputs, outputs) of command A, for tests/fixture_cache.py"""
    if len(a) >= 2 and a[0] in ("gen", "seeds", "mds-for"):
        inputs = [a[1]]
        if "--data" in a[2:]:
            inputs.append(a[a.index("--data") + 1])
        return inputs, [a[1]]
    return [], []


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import fixture_cache  # noqa: E402
    sys.exit(fixture_cache.run(__file__, sys.argv[1:], lambda _a: main(), *io_paths(sys.argv[1:])))
