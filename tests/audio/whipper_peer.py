#!/usr/bin/python3
# whipper_peer.py - whipper's own readings, for spindle's audio tests
# (run with Debian's /usr/bin/python3, where the whipper package lives).
#
#   whipper_peer.py ids LAYOUT.json   AccurateRip dBAR path, freedb ID and
#                                     MusicBrainz disc ID of a cdgen.py disc,
#                                     from whipper's image.table.Table
#   whipper_peer.py sums WAV...       AccurateRip v1 and v2 (hex) of each
#                                     track of a disc's WAV files, by
#                                     whipper's accuraterip-checksum module
import json
import logging
import sys

logging.disable(logging.CRITICAL)


def ids(path):
    from whipper.image import table
    layout = json.load(open(path))
    t = table.Table()
    for tr in layout["tracks"]:
        track = table.Track(tr["number"], audio=tr["audio"], session=tr.get("session"))
        track.index(1, absolute=tr["start"])
        t.tracks.append(track)
    t.leadout = layout["leadout"]
    print(t.accuraterip_path(), t.getCDDBDiscId(), t.getMusicBrainzDiscId())


def sums(paths):
    from whipper.program.arc import accuraterip_checksum
    for i, p in enumerate(paths):
        v1, v2 = accuraterip_checksum(p, i + 1, len(paths))
        print("%08X %08X" % (v1, v2))


if sys.argv[1] == "ids":
    ids(sys.argv[2])
elif sys.argv[1] == "sums":
    sums(sys.argv[2:])
else:
    sys.exit("usage: see the top of whipper_peer.py")
