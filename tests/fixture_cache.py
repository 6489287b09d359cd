# SPDX-License-Identifier: GPL-3.0-or-later
"""fixture_cache.py - run a deterministic fixture generator once per suite run.

The test scripts call the generators (tests/audio/cdgen.py,
tests/disc/discgen.py) with the same arguments many times: in several
tests of a script, in several scripts, and in each of check.sh's three
passes.  A generator's outputs depend only on its own code, its arguments
and the files it reads, so with SPINDLE_FIXTURE_CACHE set (tests/run.sh
sets it; check.sh shares one between its passes) the first run stores its
outputs and its standard output there, and a later run with the same key
copies them into place instead of computing them again.  The key is the
SHA-256 of the generator directory's *.py sources, the arguments and the
bytes of every input file or directory.  Without SPINDLE_FIXTURE_CACHE the
generator simply runs.
"""
import contextlib
import hashlib
import io
import os
import shutil
import sys


def _hash_path(h, path):
    """the bytes of PATH (a file, or a directory's files in sorted order)"""
    if os.path.isdir(path):
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                p = os.path.join(root, name)
                h.update(b"F" + os.path.relpath(p, path).encode() + b"\0")
                _hash_path(h, p)
    elif os.path.exists(path):
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    else:
        h.update(b"absent")


def _copy(src, dst):
    if os.path.isdir(dst) and not os.path.islink(dst):
        shutil.rmtree(dst)
    elif os.path.lexists(dst):
        os.unlink(dst)
    if os.path.isdir(src):
        shutil.copytree(src, dst, symlinks=True)
    else:
        shutil.copy2(src, dst)


def run(script, argv, main, inputs, outputs):
    """main(argv), or its stored outputs: INPUTS and OUTPUTS are paths
    (INPUTS None: a command whose outputs are not known, run every time)"""
    cache = os.environ.get("SPINDLE_FIXTURE_CACHE")
    if not cache or not os.path.isdir(cache) or inputs is None:
        return main(argv)
    h = hashlib.sha256()
    gendir = os.path.dirname(os.path.abspath(script))
    for name in sorted(os.listdir(gendir)):
        if name.endswith(".py"):
            h.update(name.encode() + b"\0")
            _hash_path(h, os.path.join(gendir, name))
    # the paths themselves are not part of the key: the generators write
    # the same bytes whatever their input and output files are called
    # (checked for every command they have), and callers name their
    # outputs after the process (tests/audio/audio_lib.sh)
    names = {p: "<in%d>" % i for i, p in enumerate(inputs)}
    names.update({p: "<out%d>" % i for i, p in enumerate(outputs)})
    h.update(repr([names.get(a, a) for a in argv]).encode())
    for p in inputs:
        h.update(b"I\0")
        _hash_path(h, p)
    entry = os.path.join(cache, h.hexdigest())
    if os.path.isdir(entry):
        for i, p in enumerate(outputs):
            _copy(os.path.join(entry, "out%d" % i), p)
        with open(os.path.join(entry, "stdout"), "rb") as f:
            sys.stdout.buffer.write(f.read())
        sys.stdout.flush()
        return 0
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main(argv)
    sys.stdout.write(buf.getvalue())
    sys.stdout.flush()
    if rc not in (None, 0):
        return rc
    tmp = "%s.tmp%d" % (entry, os.getpid())
    try:
        os.mkdir(tmp)
        for i, p in enumerate(outputs):
            if not os.path.lexists(p):
                raise FileNotFoundError(p)
            _copy(p, os.path.join(tmp, "out%d" % i))
        with open(os.path.join(tmp, "stdout"), "wb") as f:
            f.write(buf.getvalue().encode())
        os.rename(tmp, entry)
    except OSError:
        # another process stored the same entry first, or no room: the
        # outputs are in place either way
        shutil.rmtree(tmp, ignore_errors=True)
    return rc
