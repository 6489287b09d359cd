#!/bin/sh
# replay.sh - every fuzz target, as the ordinary build makes it (with the
# main() of replay_main.c, not libFuzzer), run once over its committed
# corpus tests/fuzz/corpus/NAME in one process; under $VALGRIND when set
# (the valgrind pass: tests/run.sh runs this as its part "fuzz-corpus",
# with the part's report directory).  One "ok"/"not ok" line per target.
# Every tests/fuzz/*.c that defines LLVMFuzzerTestOneInput is a target.
set -u
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for src in "$TOP_SRCDIR"/tests/fuzz/fuzz_*.c; do
	grep -q '^int LLVMFuzzerTestOneInput *(' "$src" || continue
	name=$(basename "$src" .c)
	bin=$TOP_BUILDDIR/tests/fuzz/$name
	seeds=$TOP_SRCDIR/tests/fuzz/corpus/$name
	if [ ! -x "$bin" ]; then
		echo "not ok - corpus: $name (not built: make $name)"
		continue
	fi
	n=$(find "$seeds" -type f | wc -l)
	if [ "$n" -eq 0 ]; then
		echo "not ok - corpus: $name (no inputs in $seeds)"
		continue
	fi
	# shellcheck disable=SC2086
	if find "$seeds" -type f | sort | xargs ${VALGRIND:+$VALGRIND --log-file=$SPINDLE_REPORT_DIR/vg.%p} \
		"$bin" > "$tmp/$name.out" 2>&1 && grep -qx "$n inputs" "$tmp/$name.out"; then
		echo "ok - corpus: $name ($n inputs${VALGRIND:+ under memcheck})"
	else
		echo "not ok - corpus: $name (see the log)"
		sed 's/^/#   /' "$tmp/$name.out"
	fi
done
