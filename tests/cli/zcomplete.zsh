#!/bin/zsh -f
# zcomplete.zsh FPATH_DIR LINE...: for each command line LINE, print one
# line: the candidates zsh's completion system offers with the cursor at
# the end of LINE (sorted, space-separated), completing with the functions
# in FPATH_DIR.  Runs one interactive zsh on a pseudo-terminal (zsh/zpty),
# types each LINE and a TAB, and records every compadd; waits for markers,
# never for a time.
zmodload zsh/zpty || exit 2
dir=$1
shift
zpty z zsh -f -i || exit 2
# only the completion system's own directories: compinit reads them all
zpty -w z "PS1='' PROMPT_EOL_MARK='' LISTMAX=10000; bindkey -e"
zpty -w z "fpath=(${(q)dir} \${(M)fpath:#*/Completion(|/Base|/Unix|/Zsh)})"
zpty -w z "autoload -Uz compinit && compinit -u -D"
# record what each compadd adds (not the calls that only filter, -O -A -D)
zpty -w z 'compadd() { builtin compadd "$@"; (( ${@[(I)-[OAD]*]} )) && return; local -a a; builtin compadd -O a "$@"; print -rl -- $a >> $ZCAP; }'
i=0
for l in "$@"; do
	i=$((i + 1))
	: > zcomplete.$i
	zpty -w z "ZCAP=${(q)PWD}/zcomplete.$i; print READY-\$((1000 + $i))"
	zpty -r z line "*READY-$((1000 + i))*" || exit 2
	zpty -w -n z "$l"$'\t'
	# clear the line with ^A^K: ^U would be the terminal's kill character
	# if it arrived before zle has the terminal
	zpty -w -n z $'\C-a\C-k'
	zpty -w z "print DONE-\$((2000 + $i))"
	zpty -r z line "*DONE-$((2000 + i))*" || exit 2
done
zpty -d z
for ((j = 1; j <= i; j++)); do
	print -r -- ${(j: :)${(ou)${(f)"$(<zcomplete.$j)"}}}
	rm -f zcomplete.$j
done
