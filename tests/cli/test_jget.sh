#!/bin/sh
# tests/jget, which answers json_get's simple paths without starting jq
# (tests/lib.sh): the same output as jq -r, filter by filter, on JSON that
# spindle printed and on the corner cases of jq's number and null rules.
. "$TOP_SRCDIR/tests/lib.sh"

# same FILTER: jget's answer is jq's, or jget leaves it to jq (status 3)
same() {
	"$TOP_BUILDDIR/tests/jget" "$1" out > jget.txt
	rc=$?
	[ $rc -eq 3 ] && { [ -s jget.txt ] && fail "$1: status 3 after printing"; return 0; }
	[ $rc -eq 0 ] || fail "$1: jget exit status $rc"
	tail -n 1 out | jq -r "$1" > jq.txt || fail "$1: jq failed"
	cmp -s jget.txt jq.txt || fail "$1: jget '$(cat jget.txt)', jq '$(cat jq.txt)'"
	answered=$((answered + 1))
}

test_jget_is_jq() {
	answered=0
	mkimg img.iso 64
	run info --json img.iso
	expect_exit 0
	for f in . .command .ok .format .sessions .tracks[0].mode '.tracks[-1].sectors' \
		'.session_list[0]["leadout_lba"]' .missing .missing.deeper '.missing[3]' '.tracks[5]'; do
		same "$f"
	done
	printf '%s\n%s\n' '{"old":1}' '{"a":{"b":[1,-2,{"c":"x y\u00e9\n"}]},"n":null,"t":true,"f":false,"r":1.5,"i":9007199254740992,"j":9007199254740993,"e":"","k-x":{"very-slow":7}}' > out
	for f in .a.b[2].c '.a.b[-1].c' '.a.b[-3]' '.a.b[9]' .n .n.x '.n[0]' .t .f .r .i .j .e \
		'.["k-x"]["very-slow"]' '.["k-x"].x' .old .a.b.c '.a.b | length' .a '.t.x' '.a["b"][1]'; do
		same "$f"
	done
	# most of them are jget's own answers, not jq's
	[ "$answered" -ge 20 ] || fail "jget answered only $answered filters"
	printf '{"a":1}\n{"a":2}' > out
	expect_eq "$("$TOP_BUILDDIR/tests/jget" .a out)" 2 "a last line without a newline"
}

run_tests
