# audio_lib.sh - helpers of the audio tests; sourced after tests/lib.sh,
# with GEN set to tests/audio/cdgen.py.

# cdgen_src DIR [GEN-ARGS...]: `cdgen.py gen DIR GEN-ARGS`, generated once
# per test script (in the script's temporary directory, the parent of each
# test's own) and copied, not linked: tests may change their copy.
cdgen_src() {
	_d=$1
	shift
	_key=$(printf '%s' "$*" | tr -c 'a-z0-9' _)
	_cache="../.cdgen$_key"
	if [ ! -d "$_cache" ]; then
		python3 "$GEN" gen "$_cache.$$" "$@" || fail "cdgen.py gen $* failed"
		mv "$_cache.$$" "$_cache" 2> /dev/null || rm -rf "$_cache.$$"
	fi
	cp -r "$_cache" "$_d" || fail "cannot copy the generated disc"
}

# expected_pcm DIR OFFSET NUMBER OUT: cdgen.py's PCM of track NUMBER of
# DIR at OFFSET, every track computed in one run per DIR and offset
expected_pcm() {
	_p="$1/.pcm$2_"
	[ -f "${_p}00.raw" ] || python3 "$GEN" pcm "$1" all "$2" "$_p" || fail "cdgen.py pcm failed"
	cp "$_p$(printf %02d "$3").raw" "$4"
}
