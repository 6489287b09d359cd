#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""choose.py - choose the tests the memory-checking passes run.

The normal pass runs every test.  The ASan+UBSan pass runs a subset that
reaches every line and every branch direction of spindle's code that the
whole normal pass reaches (source-based coverage, clang), as cheaply as
possible: a greedy weighted set cover, each test weighted by what it costs
in that pass.  The valgrind pass, whose own finding beside ASan is reads
of uninitialised memory, runs the same kind of cover of the lines, cut at
its --budget.  Memory checkers find errors in the code a
test runs, so a second test through the same lines and branches with more
data finds nothing new; what the passes lose is repetition, not code.

    choose.py COVDIR BINARY OUT [--native DIR] [--cost PASS=DIR ...]
              [--exclude PASS=FILE ...] [--budget PASS=CPUSECONDS]
              [--always PASS=SCRIPTGLOB ...]

COVDIR holds one directory per test, SCRIPT:TEST, with the .profraw files
of the spindle processes it ran (tests/lib.sh, SPINDLE_COV_DIR).  The
costs come from an earlier run's logs (DIR/SCRIPT.log: "# TEST took N s[,
C CPU s]"); a test without a figure there gets one from a model of its
native CPU seconds (the coverage run's logs, --native) and its process
count.  --exclude names a
file of tests (SCRIPT:TEST) or whole scripts (SCRIPT) a pass cannot run
under its checker (tests/valgrind-skip.txt, tests/no-memcheck.txt).

OUT lists every test the coverage run saw, with the passes that run it
("-" for none); tests/lib.sh runs in a memory-checking pass the tests
listed for it and every test OUT does not know (a new test runs
everywhere until the set is made again: make cov-select).
"""
import fnmatch
import os
import pickle
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

PASSES = ("asan", "valgrind")


def all_features(covdir, tests, binary):
    """features() of every test, kept in COVDIR/features.pickle."""
    cache = os.path.join(covdir, "features.pickle")
    if os.path.exists(cache):
        with open(cache, "rb") as f:
            return pickle.load(f)
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(os.cpu_count() or 2) as ex:
        feats = dict(zip(tests, ex.map(lambda t: features(os.path.join(covdir, t), binary, tmp), tests)))
    with open(cache, "wb") as f:
        pickle.dump(feats, f)
    return feats


def features(testdir, binary, tmp):
    """Lines and branch directions (file:line[:block:branch]) a test reached."""
    raws = [os.path.join(testdir, f) for f in os.listdir(testdir) if f.endswith(".profraw")]
    if not raws:
        return frozenset()
    prof = os.path.join(tmp, os.path.basename(testdir) + ".profdata")
    r = subprocess.run(["llvm-profdata", "merge", "-sparse", "-o", prof] + raws,
                       capture_output=True, text=True)
    if r.returncode != 0:
        # a profile cut short by a killed process: merge what is whole
        good = [f for f in raws if subprocess.run(
            ["llvm-profdata", "show", f], capture_output=True).returncode == 0]
        if not good:
            return frozenset()
        subprocess.run(["llvm-profdata", "merge", "-sparse", "-o", prof] + good, check=True,
                       capture_output=True)
    out = subprocess.run(["llvm-cov", "export", "-format=lcov", "-instr-profile", prof, binary],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(prof)
    got = set()
    src = None
    for line in out.splitlines():
        if line.startswith("SF:"):
            src = line[3:]
            # spindle's own code only (not the tests' helpers)
            top = src.split("/build-cov/", 1)[-1]
            src = top if not top.startswith("tests/") else None
        elif src is None:
            continue
        elif line.startswith("DA:"):
            ln, count = line[3:].split(",")[:2]
            if count != "0":
                got.add(f"{src}:{ln}")
        elif line.startswith("BRDA:"):
            ln, block, branch, taken = line[5:].split(",")
            if taken not in ("0", "-"):
                got.add(f"{src}:{ln}:{block}:{branch}")
    return frozenset(got)


def costs(logdir):
    """Per-test CPU seconds of a run (DIR/SCRIPT.log: "# TEST took N s, C
    CPU s"); where a log gives only wall seconds, its script's CPU seconds
    (DIR/results.txt: "# SCRIPT took N s, C CPU s") shared out by them."""
    out = {}
    if not os.path.isdir(logdir):
        return out
    script_cpu = {}
    try:
        with open(os.path.join(logdir, "results.txt"), errors="replace") as f:
            for line in f:
                m = re.match(r"# (test_\w+) took \d+ s, ([0-9.]+) CPU s", line)
                if m:
                    script_cpu[m.group(1)] = float(m.group(2))
    except OSError:
        pass
    for name in os.listdir(logdir):
        if not name.endswith(".log"):
            continue
        script = name[:-4]
        walls = {}
        with open(os.path.join(logdir, name), errors="replace") as f:
            for line in f:
                m = re.match(r"# (test_\w+) took (\d+) s(?:, ([0-9.]+) CPU s)?", line)
                if not m:
                    continue
                t = f"{script}:{m.group(1)}"
                if m.group(3):
                    out[t] = float(m.group(3))
                else:
                    walls[t] = float(m.group(2)) + 0.5
        if walls and script in script_cpu:
            total = sum(walls.values())
            for t, w in walls.items():
                out[t] = script_cpu[script] * w / total
    return out


def model(pss, cpu, procs):
    """A pass's cost of a test from its native CPU seconds and process
    count: memcheck's start-up is ~0.4 CPU s a process, and the passes
    run a tenth of the data (SPINDLE_SCALE) at 2x (ASan) to 20x (memcheck)
    the native cost."""
    if pss == "valgrind":
        return 0.4 * procs + 2.0 * cpu
    return 0.03 * procs + 1.2 * cpu


def excluded(path):
    names = set()
    with open(path) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                names.add(line.split()[0])
    return names


def cover(cands, feats, cost, universe, budget=float("inf")):
    """Greedy weighted set cover of universe, within budget (the sum of
    the chosen tests' costs); returns the chosen tests."""
    left = set(universe)
    chosen = []
    spent = 0.0
    gain = {t: len(feats[t] & left) for t in cands}
    while left:
        # lazy greedy: the best ratio among the recomputed
        best, best_ratio = None, 0.0
        for t in sorted(cands, key=lambda t: -gain[t] / cost[t]):
            if gain[t] / cost[t] <= best_ratio:
                break
            gain[t] = len(feats[t] & left)
            ratio = gain[t] / cost[t]
            if ratio > best_ratio:
                best, best_ratio = t, ratio
        if best is None or spent + cost[best] > budget:
            break
        spent += cost[best]
        chosen.append(best)
        left -= feats[best]
        cands = [t for t in cands if t != best]
    return chosen


def main(argv):
    args, opts = [], {"cost": {}, "exclude": {}, "native": [], "budget": {}, "always": {}}
    i = 0
    while i < len(argv):
        if argv[i] == "--native":
            opts["native"].append(argv[i + 1])
            i += 2
        elif argv[i] in ("--cost", "--exclude", "--budget", "--always"):
            p, v = argv[i + 1].split("=", 1)
            opts[argv[i][2:]].setdefault(p, []).append(v)
            i += 2
        else:
            args.append(argv[i])
            i += 1
    covdir, binary, outpath = args
    tests = sorted(d for d in os.listdir(covdir) if ":" in d)
    feats = all_features(covdir, tests, binary)
    universe = frozenset().union(*feats.values())
    native = costs(opts["native"][0]) if opts["native"] else {}
    procs = {t: sum(1 for f in os.listdir(os.path.join(covdir, t)) if f.endswith(".profraw"))
             for t in tests}
    chosen, summary = {}, []
    for p in PASSES:
        c = {}
        for d in opts["cost"].get(p, []):
            c.update(costs(d))
        # a test without a measured cost in this pass: a model from the
        # coverage run (its CPU seconds and its spindle processes)
        cost = {t: max(c[t] if t in c else model(p, native.get(t, 1.0), procs[t]), 0.2)
                for t in tests}
        ex = set()
        for f in opts["exclude"].get(p, []):
            ex |= excluded(f)
        cands = [t for t in tests if feats[t] and t not in ex and t.split(":")[0] not in ex]
        # what the pass must reach: every line and branch direction
        # (asan), or every line (valgrind, whose own finding is reads of
        # uninitialised memory) as far as --budget allows
        fs = feats if p == "asan" else {t: frozenset(x for x in feats[t] if x.count(":") == 1)
                                         for t in tests}
        reach = frozenset().union(*(fs[t] for t in cands))
        pick = cover(cands, fs, cost, reach, float(opts["budget"].get(p, ["inf"])[-1]))
        # and the tests of scripts it always runs (--always: the
        # simulator's own tests, which check the simulator library)
        pick += [t for t in tests if t not in pick and t not in ex and
                 any(fnmatch.fnmatch(t.split(":")[0], g) for g in opts["always"].get(p, []))]
        chosen[p] = set(pick)
        got = frozenset().union(*(feats[t] for t in pick))
        nl = sum(1 for f in universe if f.count(":") == 1)
        rl = sum(1 for f in got if f.count(":") == 1)
        summary.append(f"# {p}: {len(pick)} of {len(tests)} tests, estimated {sum(cost[t] for t in pick):.0f} "
                       f"of {sum(cost[t] for t in tests):.0f} CPU s; they reach {rl} of {nl} lines "
                       f"({100.0 * rl / nl:.1f}%) and {len(got) - rl} of {len(universe) - nl} "
                       f"branch directions")
    with open(outpath, "w") as f:
        f.write("# memcheck-set.txt - which tests the memory-checking passes run (generated by\n"
                "# `make cov-select`, tests/cov/choose.py; do not edit).  The ASan+UBSan pass\n"
                "# runs a set of tests that reaches every line and branch direction of\n"
                "# spindle's code that the whole normal pass reaches, chosen by cost; the\n"
                "# valgrind pass (for what ASan cannot see: reads of uninitialised memory)\n"
                "# the lines it can reach within its budget, and every fuzz target's corpus.\n"
                "# A test not listed here (a new one) runs in every pass until the set is\n"
                "# made again.\n")
        for line in summary:
            f.write(line + "\n")
        for t in tests:
            ps = [p for p in PASSES if t in chosen[p]]
            f.write(f"{t} {','.join(ps) if ps else '-'}\n")
    for line in summary:
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
