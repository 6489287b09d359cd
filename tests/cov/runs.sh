#!/bin/sh
# runs.sh SCRIPT.sh - the test functions of SCRIPT.sh that this pass runs,
# one a line: all of them, except in a memory-checking pass
# (SPINDLE_MEMCHECK_SET=asan or valgrind, tests/run.sh), which runs those
# tests/memcheck-set.txt gives it and every test that file does not know
# (a new one, until `make cov-select` makes the set again).
set -u
script=$(basename "$1" .sh)
grep -o '^test_[a-z0-9_]*()' "$1" | tr -d '()' |
if [ -z "${SPINDLE_MEMCHECK_SET:-}" ] || [ ! -f "$TOP_SRCDIR/tests/memcheck-set.txt" ]; then
	cat
else
	awk -v s="$script" -v p="$SPINDLE_MEMCHECK_SET" -v set="$TOP_SRCDIR/tests/memcheck-set.txt" '
		BEGIN {
			while ((getline l < set) > 0)
				if (l !~ /^#/ && split(l, a, " ") == 2)
					passes[a[1]] = "," a[2] ","
		}
		{ k = s ":" $0; if (!(k in passes) || index(passes[k], "," p ",")) print }'
fi
