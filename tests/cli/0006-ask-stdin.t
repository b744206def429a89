#!/bin/sh
# llmr-ask's prompt from its sources: piped text goes below the instruction
# (as simonw/llm does), -a attaches a file's text, white space alone is no
# prompt, and past the size cap nothing is sent.
. "$(dirname "$0")/lib.sh"
fake_start
write_config
ASK="llmr-ask -m openai/gpt-4o-mini --no-stream"
sent() { fake_last '.body.messages[-1].content'; }

printf 'The shop made 1200 EUR in March.\n' >report.txt
cat report.txt | $ASK "Summarise this" >o
is "$?" 0 "a prompt with piped text: exit 0"
got=$(sent)
like "$got" '^Summarise this$' "the instruction is sent"
like "$got" '^The shop made 1200 EUR in March\.$' "... and the piped text with it"
like "$got" '^<document source="stdin">$' "... marked as a document"
is "$(printf '%s\n' "$got" | head -1)" "Summarise this" "... below the instruction"

printf 'from stdin only\n' | $ASK >o
is "$(sent)" "from stdin only" "no operand: stdin is the prompt itself"

$ASK "no pipe" </dev/null >o
is "$(sent)" "no pipe" "an empty stdin adds nothing"

printf '# Minutes\n\nThe board met on Tuesday.\n' >minutes.md
$ASK -a minutes.md "What happened?" </dev/null >o
is "$?" 0 "-a FILE: exit 0"
like "$(sent)" '^<document source="minutes.md">$' "-a sends the file as a document"
like "$(sent)" 'The board met on Tuesday' "... with its text"
cat >page.html <<'EOF2'
<html><body><h1>Opening hours</h1><p>Open on Saturdays.</p><script>var x;</script></body></html>
EOF2
$ASK "When?" -a page.html </dev/null >o
like "$(sent)" 'Open on Saturdays' "-a extracts HTML as llmr-index does (after the prompt, too)"
unlike "$(sent)" 'var x' "... without its scripts"
DOCS=$LLMR_SRC/tests/fixtures/docs
$ASK "What is it about?" -a "$DOCS/reception.docx" </dev/null >o
is "$?" 0 "-a a .docx: exit 0"
like "$(sent)" '^<document source=".*reception\.docx">$' "... sent as a document"
is "$(sent | wc -l)" "$(llmr-index --extract "$DOCS/reception.docx" | sed -e '$a\' | wc -l | awk '{print $1 + 4}')" \
	"... with the text llmr-index --extract gives"
# A French Windows file: Latin-1, converted as llmr-index converts it.
cat "$DOCS/depot-latin1.txt" | $ASK "Résume" >o
is "$?" 0 "piped Latin-1 text: exit 0"
like "$(sent)" 'é' "... arrives as UTF-8"
is "$(sent | sed -n '/^<document/,/^<\/document>/p' | sed '1d;$d')" \
	"$(llmr-index --extract - <"$DOCS/depot-latin1.txt")" "... exactly as llmr-index converts it"
run $ASK "Describe" -a "$DOCS/image.png"
is "$status" 65 "-a a file with no extractable format: exit 65"
like "$err" '^llmr-ask: .*image\.png' "... naming the file"
run env PATH=/nonexistent "$LLMR_BUILD/bin/llmr-ask" -m openai/gpt-4o-mini --no-stream "x" -a "$DOCS/reception.docx"
is "$status" 0 "llmr-index is found beside llmr-ask, not only on PATH"
$ASK "stdin closed" <&- >o
is "$?" 0 "a closed stdin (a daemon's): exit 0"
is "$(sent)" "stdin closed" "... and the prompt alone is sent"

n=$(fake_count)
run $ASK -a missing.txt "x"
is "$status" 66 "-a on a missing file: exit 66"
like "$err" '^llmr-ask: .*missing\.txt' "... naming it"
run $ASK -a minutes.md </dev/null
is "$status" 64 "-a with no prompt: exit 64"

# White space alone is no prompt: nothing is sent.
run $ASK "   "
is "$status" 64 "a blank prompt: exit 64"
like "$err" '^llmr-ask: empty prompt$' "... 'empty prompt'"
printf ' \n\t\n' >blank.txt
run $ASK <blank.txt
is "$status" 64 "a blank prompt on stdin: exit 64"
is "$(fake_count)" "$n" "... and nothing was sent"

# The cap: 16 MiB, past it exit 65 and nothing sent.
head -c 17000000 /dev/zero | tr '\0' 'a' >big.txt
run $ASK "Summarise" <big.txt
is "$status" 65 "piped text past 16 MiB: exit 65"
like "$err" '^llmr-ask: the prompt is larger than 16 MiB$' "... says why"
is "$(fake_count)" "$n" "... and nothing was sent"
done_testing
