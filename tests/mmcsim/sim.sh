# sim.sh - helpers for tests on the simulated recorder.  Source it after
# tests/lib.sh.  The first simulated drive is /dev/sr7 ($DEV), the next ones
# /dev/sr8, /dev/sr9 ...
#
#   test_burn_dvd() {
#       need_sim
#       sim --media dvd+r --disc d -- xorriso -outdev "$DEV" -toc
#       expect_exit 0
#       expect_out "Media current: DVD+R"
#   }
MMCSIM_RUN="$TOP_SRCDIR/tests/mmcsim/mmcsim-run"
: "${MMCSIM_LIB:=${TOP_BUILDDIR:-$TOP_SRCDIR}/tests/mmcsim/libmmcsim.so}"
# libburn polls drives in half seconds; the simulated one needs no waiting
: "${MMCSIM_SLEEP_SCALE:=0.03}"
export MMCSIM_LIB MMCSIM_SLEEP_SCALE
DEV=/dev/sr7
DEV2=/dev/sr8
DEV3=/dev/sr9

need_sim() {
	[ -f "$MMCSIM_LIB" ] || skip "libmmcsim.so not built"
}
need_tool() {
	command -v "$1" > /dev/null 2>&1 || skip "$1 not installed"
}

# sim MMCSIM-RUN-ARGS... -- COMMAND ARGS...: output in ./out ./err, $RC
sim() {
	# bounded like lib.sh's run: a hang fails the test, not the suite
	timeout -k 5 "${SPINDLE_TEST_TIMEOUT:-300}" "$MMCSIM_RUN" "$@" > out 2> err < /dev/null
	RC=$?
	return 0
}
# sp DISC SPINDLE-ARGS...: spindle on the drive holding DISC (-d added);
# under make check-valgrind $SPINDLE is already tests/run.sh's valgrind
# wrapper, whose reports fail the part
sp() {
	disc=$1 cmd=$2
	shift 2
	sim --disc "$disc" -- "$SPINDLE" "$cmd" -d "$DEV" "$@"
}
# expect_log TEXT: TEXT on stdout or stderr (xorriso splits its report)
expect_log() {
	cat out err | grep -qF -- "$1" || { cat out err | sed 's/^/#   /' >&2; fail "output lacks '$1'"; }
}
# out_json FIELD: FIELD of the last JSON line on stdout
out_json() { json_get "$1"; }
# state_get DISC KEY: a value from the disc's state header
state_get() { head -c 4096 "$1" | sed -n "s/^$2 //p"; }
# mktree DIR: a small deterministic tree
mktree() {
	mkdir -p "$1/sub"
	echo "hello from spindle" > "$1/a.txt"
	mkimg "$1/sub/b.bin" 100
}
# mkwav FILE SECTORS SEED: 16-bit stereo 44.1 kHz, distinct per SEED
mkwav() {
	python3 - "$1" "$2" "$3" <<'PY'
import random, sys, wave
r = random.Random(int(sys.argv[3]))
w = wave.open(sys.argv[1], "wb")
w.setnchannels(2); w.setsampwidth(2); w.setframerate(44100)
w.writeframes(r.randbytes(int(sys.argv[2]) * 2352))
w.close()
PY
}
