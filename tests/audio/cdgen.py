#!/usr/bin/env python3
# cdgen.py - test fixtures for spindle's audio work, independent of spindle.
#
#   cdgen.py gen DIR [--mixed] [--no-htoa]   DIR/disc.bin, disc.cue, layout.json
#   cdgen.py pcm DIR TRACK OFFSET OUT [prepend]
#                                            the PCM a correct rip of TRACK holds
#                                            (gaps end the previous track, or with
#                                            prepend begin their own, track 1 from
#                                            sector 0; offset in samples; silence
#                                            outside audio); TRACK "all": every
#                                            track into OUT00.raw, OUT01.raw ...
#   cdgen.py sums PCMFILE FIRST LAST         CRC32, AccurateRip v1, v2 (hex), for a
#                                            track that is the disc's first/last
#                                            audio track (0 or 1)
#   cdgen.py ids DIR                         freedb ID, AccurateRip IDs and dBAR name,
#                                            and the libdiscid arguments: first last
#                                            leadout offsets... (LBAs)
#   cdgen.py dbar DIR OUT [--bad N] [--absent N] [--offset X] [--shift N:X]
#                                            a dBAR file for the disc: a v1 chunk
#                                            (confidence 3) and a v2 chunk
#                                            (confidence 5); track N's entries wrong
#                                            or missing (confidence 0, CRC 0); all
#                                            checksums as read at offset X (a drive
#                                            with that read offset), or track N's
#                                            as if its audio sat X samples away
#   cdgen.py cdtext DIR                      add CD-TEXT (album "An Album" by "The
#                                            Band", track N "Song N" by "Singer N"),
#                                            CATALOG, ISRCs and FLAGS PRE on track 2
#                                            to DIR/disc.cue, CD_TEXT to DIR/disc.toc
#
# gen also writes DIR/disc.toc (cdrdao) for audio discs, and DIR/expected.iso
# (the data track's user data) for mixed ones.
#
# Sample content is pseudo-random and distinct per track, so that any shift,
# swap or loss of samples changes the bytes.
import json
import os
import random
import struct
import sys
import zlib

RAW = 2352
SPS = 588  # samples per sector


def msf(s):
    return "%02d:%02d:%02d" % (s // 4500, s // 75 % 60, s % 75)


def data_sector(lba, payload):
    """A mode 1 sector: sync, BCD header, user data, zeroed EDC/ECC."""
    a = lba + 150
    bcd = lambda v: (v // 10) << 4 | v % 10
    hdr = bytes([bcd(a // 4500), bcd(a // 75 % 60), bcd(a % 75), 1])
    return b"\x00" + b"\xff" * 10 + b"\x00" + hdr + payload + bytes(288)


def gen(d, mixed, htoa):
    # tracks: (number, kind, gap sectors (INDEX 00 .. 01), length from INDEX 01)
    if mixed:
        tracks = [(1, "data", 0, 100), (2, "audio", 150, 140), (3, "audio", 0, 130),
                  (4, "audio", 37, 160)]
    else:
        tracks = [(1, "audio", 33 if htoa else 0, 150), (2, "audio", 40, 170),
                  (3, "audio", 0, 120), (4, "audio", 25, 200)]
    out = bytearray()
    layout = {"tracks": [], "mixed": mixed}
    cue = ['FILE "disc.bin" BINARY']
    iso = bytearray()
    for n, kind, gap, length in tracks:
        r = random.Random(n * 7919)
        gap_start = len(out) // RAW
        cue.append("  TRACK %02d %s" % (n, "MODE1/2352" if kind == "data" else "AUDIO"))
        if gap:
            cue.append("    INDEX 00 " + msf(gap_start))
        if kind == "data":
            for i in range(gap + length):
                payload = r.randbytes(2048)
                iso += payload
                out += data_sector(gap_start + i, payload)
        else:
            # the gap holds audio too, different from the track proper
            out += r.randbytes((gap + length) * RAW)
        start = gap_start + gap
        cue.append("    INDEX 01 " + msf(start))
        layout["tracks"].append({"number": n, "audio": kind == "audio",
                                 "gap_start": gap_start, "start": start,
                                 "end": start + length})
    layout["leadout"] = len(out) // RAW
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "disc.bin"), "wb") as f:
        f.write(out)
    with open(os.path.join(d, "disc.cue"), "w") as f:
        f.write("\n".join(cue) + "\n")
    with open(os.path.join(d, "layout.json"), "w") as f:
        json.dump(layout, f)
    if mixed:
        with open(os.path.join(d, "expected.iso"), "wb") as f:
            f.write(iso)
    else:
        # the same disc as a cdrdao TOC: START marks the gaps (INDEX 00).
        # A raw audio file in a TOC is big-endian (cdrdao(1)); disc.bin is
        # the CUE sheet's little-endian BINARY, so each file item says SWAP
        toc = ["CD_DA"]
        for t in layout["tracks"]:
            length = t["end"] - t["gap_start"]
            toc.append("TRACK AUDIO")
            toc.append('FILE "disc.bin" %s %s SWAP' % (msf(t["gap_start"]), msf(length)))
            if t["start"] > t["gap_start"] and t["number"] > 1:
                toc.append("START " + msf(t["start"] - t["gap_start"]))
        with open(os.path.join(d, "disc.toc"), "w") as f:
            f.write("\n".join(toc) + "\n")


def audio_sector(layout, lsn):
    """Audio a rip reads; the gap after a data track counts as silence."""
    if lsn < 0 or lsn >= layout["leadout"]:
        return False
    prev_audio = True
    for t in layout["tracks"]:
        first = t["gap_start"] if prev_audio else t["start"]
        if first <= lsn < t["end"]:
            return t["audio"]
        prev_audio = t["audio"]
    return False


def pcm(d, number, offset, outp, prepend=False):
    layout = json.load(open(os.path.join(d, "layout.json")))
    disc = open(os.path.join(d, "disc.bin"), "rb").read()
    ts = layout["tracks"]
    i = [t["number"] for t in ts].index(number) if number else None
    if number == 0:   # hidden track one audio
        first, end = 0, ts[0]["start"]
    else:
        t = ts[i]
        first = t["start"]
        # the track runs to the next track's INDEX 01, unless that is data
        if i + 1 < len(ts) and ts[i + 1]["audio"]:
            end = ts[i + 1]["start"]
        elif i + 1 < len(ts):
            end = ts[i + 1]["gap_start"]
        else:
            end = layout["leadout"]
        if prepend:
            first = 0 if i == 0 else t["gap_start"]
            if i + 1 < len(ts) and ts[i + 1]["audio"]:
                end = ts[i + 1]["gap_start"]
    # sample by sample, but a sector's worth of samples at a time
    res = bytearray()
    s, stop = first * SPS + offset, end * SPS + offset
    while s < stop:
        lsn = s // SPS
        nxt = min(stop, (lsn + 1) * SPS)
        if audio_sector(layout, lsn):
            res += disc[s * 4:nxt * 4]
        else:
            res += bytes((nxt - s) * 4)
        s = nxt
    open(outp, "wb").write(res)


def sums(path, first, last):
    data = open(path, "rb").read()
    n = len(data) // 4
    words = struct.unpack("<%dI" % n, data[:n * 4])
    lo = 5 * SPS if first else 0
    hi = n - 5 * SPS if last else n
    v1 = v2 = 0
    for i, w in enumerate(words):
        m = i + 1
        if lo <= m <= hi:
            p = w * m
            v1 = (v1 + p) & 0xffffffff
            v2 = (v2 + (p & 0xffffffff) + (p >> 32)) & 0xffffffff
    print("%08X %08X %08X" % (zlib.crc32(data) & 0xffffffff, v1, v2))


def track_sums(d, layout, number, offset=0):
    """AccurateRip v1, v2 of a rip of an audio track at a read offset."""
    audio = [t["number"] for t in layout["tracks"] if t["audio"]]
    tmp = os.path.join(d, ".sums.raw")
    pcm(d, number, offset, tmp)
    data = open(tmp, "rb").read()
    os.unlink(tmp)
    n = len(data) // 4
    words = struct.unpack("<%dI" % n, data)
    lo = 5 * SPS if number == audio[0] else 0
    hi = n - 5 * SPS if number == audio[-1] else n
    v1 = v2 = 0
    for i, w in enumerate(words):
        m = i + 1
        if lo <= m <= hi:
            p = w * m
            v1 = (v1 + p) & 0xffffffff
            v2 = (v2 + (p & 0xffffffff) + (p >> 32)) & 0xffffffff
    return v1, v2


def disc_ids(layout):
    ts = layout["tracks"]
    lead = layout["leadout"]
    digits = lambda v: sum(int(c) for c in str(v))
    n = sum(digits((t["start"] + 150) // 75) for t in ts)
    secs = (lead + 150) // 75 - (ts[0]["start"] + 150) // 75
    freedb = (n % 255) << 24 | secs << 8 | len(ts)
    starts = [t["start"] for t in ts if t["audio"]] + [lead]
    id1 = sum(starts) & 0xffffffff
    id2 = sum(max(s, 1) * (i + 1) for i, s in enumerate(starts)) & 0xffffffff
    return freedb, id1, id2, len(starts) - 1


def ids(d):
    layout = json.load(open(os.path.join(d, "layout.json")))
    freedb, id1, id2, n = disc_ids(layout)
    name = "%03d-%08x-%08x-%08x" % (n, id1, id2, freedb)
    ts = layout["tracks"]
    print("%08x %s dBAR-%s.bin %d %d %d %s" % (freedb, name, name, ts[0]["number"],
          ts[-1]["number"], layout["leadout"] + 150,
          " ".join(str(t["start"] + 150) for t in ts)))


def dbar(d, out, bad, absent, offset, shift):
    layout = json.load(open(os.path.join(d, "layout.json")))
    freedb, id1, id2, n = disc_ids(layout)
    audio = [t["number"] for t in layout["tracks"] if t["audio"]]
    sums = [track_sums(d, layout, t, offset + shift.get(t, 0)) for t in audio]
    res = bytearray()
    for which, conf in ((0, 3), (1, 5)):
        res += struct.pack("<BIII", n, id1, id2, freedb)
        for num, s in zip(audio, sums):
            crc = s[which]
            if num == bad:
                crc ^= 0x5a5a5a5a
            c = conf
            if num == absent:
                crc, c = 0, 0
            res += struct.pack("<BII", c, crc, 0)
    open(out, "wb").write(res)


def cdtext(d):
    out = ["CATALOG 0123456789012", 'PERFORMER "The Band"', 'TITLE "An Album"',
           'SONGWRITER "Writer X"']
    for line in open(os.path.join(d, "disc.cue")).read().splitlines():
        out.append(line)
        if line.strip().startswith("TRACK") and line.strip().endswith("AUDIO"):
            n = int(line.split()[1])
            out += ['    TITLE "Song %d"' % n, '    PERFORMER "Singer %d"' % n,
                    "    ISRC GBAYE00000%02d" % n]
            if n == 2:
                out.append("    FLAGS PRE")
    open(os.path.join(d, "disc.cue"), "w").write("\n".join(out) + "\n")
    toc = os.path.join(d, "disc.toc")
    if not os.path.exists(toc):
        return
    out, n = [], 0
    for line in open(toc).read().splitlines():
        out.append(line)
        if line == "CD_DA":
            out += ["CD_TEXT {", "  LANGUAGE_MAP { 0 : EN }", "  LANGUAGE 0 {",
                    '    TITLE "Toc Album"', '    PERFORMER "Toc Band"', "  }", "}"]
        elif line == "TRACK AUDIO":
            n += 1
            out += ["CD_TEXT {", "  LANGUAGE 0 {", '    TITLE "Toc Song %d"' % n,
                    '    PERFORMER "Toc Singer %d"' % n, "  }", "}"]
    open(toc, "w").write("\n".join(out) + "\n")


def main(a):
    if a[0] == "gen":
        gen(a[1], "--mixed" in a, "--no-htoa" not in a)
    elif a[0] == "pcm":
        if a[2] == "all":   # every track: OUT00.raw, OUT01.raw ...
            layout = json.load(open(os.path.join(a[1], "layout.json")))
            for n in [0] + [t["number"] for t in layout["tracks"] if t["audio"]]:
                pcm(a[1], n, int(a[3]), "%s%02d.raw" % (a[4], n), "prepend" in a[5:])
        else:
            pcm(a[1], int(a[2]), int(a[3]), a[4], "prepend" in a[5:])
    elif a[0] == "cdtext":
        cdtext(a[1])
    elif a[0] == "ids":
        ids(a[1])
    elif a[0] == "dbar":
        bad = int(a[a.index("--bad") + 1]) if "--bad" in a else -1
        absent = int(a[a.index("--absent") + 1]) if "--absent" in a else -1
        offset = int(a[a.index("--offset") + 1]) if "--offset" in a else 0
        shift = {}
        if "--shift" in a:
            n, x = a[a.index("--shift") + 1].split(":")
            shift[int(n)] = int(x)
        dbar(a[1], a[2], bad, absent, offset, shift)
    elif a[0] == "sums":
        sums(a[1], a[2] == "1", a[3] == "1")
    else:
        sys.exit("usage: see the top of cdgen.py")


def io_paths(a):
    """(inputs, outputs) of command A, for tests/fixture_cache.py"""
    if a[0] in ("gen", "cdtext"):
        return [a[1]], [a[1]]
    if a[0] == "pcm":
        if a[2] == "all":
            return None, None
        return [a[1]], [a[4]]
    if a[0] == "dbar":
        return [a[1]], [a[2]]
    if a[0] in ("ids", "sums"):
        return [a[1]], []
    return [], []


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import fixture_cache  # noqa: E402
sys.exit(fixture_cache.run(__file__, sys.argv[1:], main, *io_paths(sys.argv[1:] or ["?"])))
