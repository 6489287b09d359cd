#!/usr/bin/awk -f
# damagemap.awk - make a GNU ddrescue mapfile describing a damaged disc, for
# --test-mode (spindle and ddrescue alike).  Deterministic for a seed.
#
#   awk -v sectors=N -v kind=dvd|bd|cd -v seed=S [-v pattern=P] -f damagemap.awk
#
# kind sets the damage granularity: dvd 16-sector ECC blocks, bd 32, cd
# single sectors.  pattern: clusters, scratch (a periodic radial scratch),
# edgerot (the outer edge decaying), sparse (scattered single blocks), or
# mixed (the default: some of each).  -v goodtail=N keeps the last N
# sectors good (ddrescue's --test-mode ends its domain at the last '+').  Prints the mapfile on stdout; the
# bad sector count goes to stderr as "bad N".
function rnd(n) { return int(rand() * n) }
function bad(b) { if (b >= 0 && b < nb) isbad[b] = 1 }
function clusters(n, maxlen,   i, s, l, j) {
	for (i = 0; i < n; i++) {
		s = rnd(nb); l = 1 + rnd(maxlen)
		for (j = 0; j < l; j++) bad(s + j)
	}
}
function scratch(   period, s, reps, w, i, j) {
	# one revolution holds `period` units; the scratch crosses `reps` of them
	period = (E == 1) ? 9 + rnd(14) : 12 + rnd(24)
	s = rnd(nb); reps = 20 + rnd(60); w = (E == 1) ? 1 + rnd(4) : 1
	for (i = 0; i < reps; i++)
		for (j = 0; j < w; j++) bad(s + i * period + j)
}
function edgerot(   from, b) {
	from = int(nb * (0.97 + rand() * 0.02))
	for (b = from; b < nb; b++) if (rand() < 0.35) bad(b)
}
function sparse(n,   i) { for (i = 0; i < n; i++) bad(rnd(nb)) }
BEGIN {
	if (sectors <= 0 || (kind != "dvd" && kind != "bd" && kind != "cd")) {
		print "usage: awk -v sectors=N -v kind=dvd|bd|cd -v seed=S -f damagemap.awk" > "/dev/stderr"
		exit 2
	}
	E = kind == "dvd" ? 16 : kind == "bd" ? 32 : 1
	nb = int((sectors + E - 1) / E)
	srand(seed + 0)
	if (pattern == "") pattern = "mixed"
	k = (E == 1) ? 16 : 1
	if (pattern == "clusters" || pattern == "mixed") clusters(3 + rnd(4), (E == 1) ? 400 : 40)
	if (pattern == "scratch" || pattern == "mixed") { scratch(); scratch() }
	if (pattern == "edgerot" || pattern == "mixed") edgerot()
	if (pattern == "sparse" || pattern == "mixed") sparse(20 + rnd(30))
	for (b = nb - int((goodtail + E - 1) / E); b < nb; b++) delete isbad[b]
	print "# Mapfile. Created by damagemap.awk (" kind ", " pattern ", seed " seed ")"
	print "0x00000000     +               1"
	total = sectors * 2048; nbad = 0
	pos = 0; cur = isbad[0] ? "-" : "+"
	for (b = 1; b <= nb; b++) {
		st = (b < nb && isbad[b]) ? "-" : "+"
		if (b == nb || st != cur) {
			end = b * E * 2048; if (end > total) end = total
			printf "0x%08X  0x%08X  %s\n", pos, end - pos, cur
			if (cur == "-") nbad += (end - pos) / 2048
			pos = end; cur = st
		}
	}
	print "bad " nbad > "/dev/stderr"
}
