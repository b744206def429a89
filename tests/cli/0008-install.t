#!/bin/sh
# make install into a DESTDIR, as a packager runs it: programs, pages and
# completions in place, bash completion loadable under every program's
# name (install once linked llmr -> llmr over the installed file), and
# make uninstall removes it all.
. "$(dirname "$0")/lib.sh"
command -v make >/dev/null || skip_all "no make"
D=$TEST_DIR/dest
# -o all: install what is built, never rebuild the tree under test.
mk() { make -s -C "$LLMR_SRC" -o all BUILD="$LLMR_BUILD" PREFIX=/usr DESTDIR="$D" "$@"; }

run mk install
is "$status" 0 "make install DESTDIR=... exits 0"
[ "$status" = 0 ] || diag "$err"
for p in llmr llmr-ask llmr-route llmr-quota llmr-cost llmr-index llmr-search; do
	ok_cond "$p installed" test -x "$D/usr/bin/$p"
done
run "$D/usr/bin/llmr-ask" --version
like "$out" '^llmr-ask [0-9]' "the installed llmr-ask runs"
ok_cond "llmr.conf(5) installed" test -f "$D/usr/share/man/man5/llmr.conf.5"
ok_cond "llmr(7) installed" test -f "$D/usr/share/man/man7/llmr.7"
ok_cond "llmr-search(1) installed" test -f "$D/usr/share/man/man1/llmr-search.1"
BC=$D/usr/share/bash-completion/completions
ok_cond "the bash completion is a file, not a link to itself" test -f "$BC/llmr" -a ! -L "$BC/llmr"
like "$(head -1 "$BC/llmr")" '^# bash completion' "... with the completion in it"
is "$(readlink "$BC/llmr-ask")" "llmr" "llmr-ask's completion is a link to it"
ok_cond "zsh completion installed" test -f "$D/usr/share/zsh/site-functions/_llmr"
ok_cond "fish completion installed" test -f "$D/usr/share/fish/vendor_completions.d/llmr.fish"
if command -v bash >/dev/null; then
	run bash -c ". '$BC/llmr-ask' && complete -p llmr-ask"
	like "$out" '_llmr llmr-ask' "bash: sourced under a program's name, it completes that program"
else
	skip "no bash"
fi

run mk uninstall
is "$status" 0 "make uninstall exits 0"
is "$(find "$D" ! -type d | sort)" "" "... and leaves no file behind"
done_testing
