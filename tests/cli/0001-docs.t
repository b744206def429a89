#!/bin/sh
# Every program has a man page that mandoc accepts and that documents every
# option the program takes (as git t0450 and curl test1139 check), and every
# program is in the bash, zsh and fish completions.
. "$(dirname "$0")/lib.sh"
MAN=$LLMR_SRC/man
COMP=$LLMR_SRC/completions

for prog in "$LLMR_BUILD"/bin/llmr*; do
	p=${prog##*/}
	page=$MAN/$p.1
	if [ ! -f "$page" ]; then
		fail "$p: man page man/$p.1 exists"
		continue
	fi
	pass "$p: man page exists"
	if command -v mandoc >/dev/null 2>&1; then
		is "$(mandoc -Tlint -W warning "$page" 2>&1)" "" "$p: mandoc -Tlint clean"
	else
		skip "$p: mandoc not installed"
	fi
	[ "$p" = llmr ] && continue
	missing=
	for opt in $("$prog" --list-options | cut -f1 | sed 's/=$//; s/^--//'); do
		[ "$opt" = help ] && continue
		# mdoc writes --name as "Fl \-name"; escape the dashes of the name too.
		esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
		grep -Eq "Fl (\\\\-)?\\\\-$esc( |$)|Fl [a-zA-Z] , Fl \\\\-$esc( |$)" "$page" || missing="$missing $opt"
	done
	is "$missing" "" "$p: every option is in the man page"
	for f in llmr.bash _llmr llmr.fish; do
		grep -q -- "$p" "$COMP/$f" || fail "$p is in completions/$f"
	done
done
for page in "$MAN"/*.5 "$MAN"/*.7; do
	[ -f "$page" ] || continue
	is "$(mandoc -Tlint -W warning "$page" 2>&1)" "" "${page##*/}: mandoc -Tlint clean"
done
# Every page an llmr page cites exists (llmr.conf(5) cited an llmr-bench(1)
# that was never written), and every program page lists its exit codes.
missing=
for ref in $(sed -n 's/^\.Xr \(llmr[a-z.-]*\) \([0-9]\).*/\1.\2/p' "$MAN"/* | sort -u); do
	[ -f "$MAN/$ref" ] || missing="$missing $ref"
done
is "$missing" "" "every llmr page cited exists"
for page in "$MAN"/*.1; do
	grep -q '^\.Sh EXIT STATUS' "$page" || fail "${page##*/} has an EXIT STATUS section"
done
command -v bash >/dev/null && ok_cond "bash completion loads" bash -c ". '$COMP/llmr.bash'"
# Subcommands come from the usage lines: llmr-bench's first operand.
if command -v bash >/dev/null; then
	is "$(bash -c ". '$COMP/llmr.bash'; COMP_WORDS=(llmr-bench --json pro); COMP_CWORD=2; _llmr; echo \"\${COMPREPLY[*]}\"")" \
		probe "bash completion: llmr-bench's subcommands"
	is "$(bash -c ". '$COMP/llmr.bash'; COMP_WORDS=(llmr quota r); COMP_CWORD=2; _llmr; echo \"\${COMPREPLY[*]}\"")" \
		reset "... through the dispatcher too"
fi
done_testing
