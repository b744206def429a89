#!/bin/sh
# 0700-mcp-wire.t - llmr-search --mcp on the wire, without any MCP client:
# raw JSON-RPC lines in, one answer a line out (nothing else on stdout),
# the handshake's version choice, both tools, the resources, and every
# JSON-RPC error (malformed JSON, unknown method, bad request, bad params,
# a message over the 1 MiB cap) without the server stopping. EOF ends it
# with 0. tests/cli/0710-mcp-sdk.t drives it with the official client.
. "$(dirname "$0")/lib.sh"

[ -x "$LLMR_BUILD/bin/llmr-search" ] && [ -x "$LLMR_BUILD/bin/llmr-index" ] || skip_all "build first"
command -v jq >/dev/null 2>&1 || skip_all "jq is needed (make deps)"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is needed (make deps)"
# By name, through PATH, so that LLMR_VALGRIND=1 wrappers apply.
SEARCH=llmr-search
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE

mkdir docs
printf '# Compost\n\nLe compost se fait dans le bac vert au fond de la cour, le lundi.\n' >docs/compost.md
printf '# Vélos\n\nLes vélos donnés sont réparés à l atelier le mercredi après-midi.\n' >docs/velos.md
run llmr-index -q docs
is "$status" 0 "a small collection is indexed"

# The answer to request ID, through jq FILTER.
reply() {
	jq -c --argjson id "$1" "select(.id == \$id) | $2" "$OUT"
}
init() {
	printf '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"%s","capabilities":{},"clientInfo":{"name":"sh","version":"0"}}}\n' "$1"
}

{
	init 2025-06-18
	echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
	echo '{"jsonrpc":"2.0","id":1,"method":"ping"}'
	echo '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
	echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"search","arguments":{"query":"compost","k":1}}}'
	echo '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"search","arguments":{"query":"compost","k":0}}}'
	echo '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"grep","arguments":{}}}'
	echo '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"ask","arguments":{"question":"Quand se fait le compost ?"}}}'
	echo '{"jsonrpc":"2.0","id":7,"method":"resources/list"}'
	echo '{"jsonrpc":"2.0","id":8,"method":"resources/read","params":{"uri":"llmr://collection/default"}}'
	echo '{"jsonrpc":"2.0","id":9,"method":"resources/read","params":{"uri":"llmr://collection/nope"}}'
	echo '{"jsonrpc":"2.0","id":10,"method":"prompts/list"}'
	echo '{"jsonrpc":"2.0","method":"notifications/whatever"}'
	echo '{"jsonrpc":"2.0","id":11,"result":{}}'
	echo '{"jsonrpc":"1.0","id":12,"method":"ping"}'
	echo '{"jsonrpc":"2.0","id":13,"method":"ping","params":[1]}'
	echo '{"jsonrpc":"2.0","id":"s-14","method":"tools/call","params":{"name":"search","arguments":{"query":"zzyzx","collection":"empty"}}}'
	echo ''
	printf '{"jsonrpc":"2.0","id":15,"method":"ping"}\r\n'
	echo '{"jsonrpc": "2.0", "id": 16, "method": '
	echo '[{"jsonrpc":"2.0","id":17,"method":"ping"}]'
	echo '{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}'
	printf '{"jsonrpc":"2.0","id":18,"method":"ping"}'
} >session.jsonl
run "$SEARCH" --mcp <session.jsonl
is "$status" 0 "EOF ends the server with 0"
is "$(wc -l <"$OUT" | tr -d ' ')" 19 "one line per request, none for notifications and responses"
is "$(jq -c 'select(.jsonrpc != "2.0" or (has("result") == has("error")))' "$OUT" 2>&1)" "" \
	"stdout holds only JSON-RPC answers"

is "$(reply 0 .result.protocolVersion)" '"2025-06-18"' "initialize answers the client's version"
is "$(reply 0 '.result.serverInfo.name')" '"llmr-search"' "... names the server"
is "$(reply 0 '.result.capabilities | keys')" '["resources","tools"]' "... offers tools and resources"
is "$(reply 1 .result)" '{}' "ping"
is "$(reply 2 '[.result.tools[].name]')" '["search","ask"]' "tools/list: search and ask"
is "$(reply 2 '.result.tools[0].inputSchema.required')" '["query"]' "... search needs a query"
is "$(reply 2 '.result.tools[0].outputSchema.required')" '["hits"]' "... and has an output schema at 2025-06-18"
is "$(reply 3 '.result.structuredContent.hits[0].source')" "\"$(pwd -P)/docs/compost.md\"" "search finds the source"
is "$(reply 3 '.result.content[0].text | fromjson | .source')" "\"$(pwd -P)/docs/compost.md\"" \
	"... and its text is the --json line"
run_direct=$("$SEARCH" --json -k 1 compost)
is "$(reply 3 '.result.content[0].text' | jq -r .)" "$run_direct" "... exactly what llmr-search --json prints"
is "$(reply 4 '.result.isError')" true "a bad k is a tool error"
like "$(reply 4 '.result.content[0].text')" "k: expected an integer from 1 to 1000" "... that says why"
is "$(reply 5 '.error.code')" -32602 "an unknown tool is invalid params"
like "$(reply 6 '.result.content[0].text')" "bac vert au fond de la cour" "ask answers offline from the index"
is "$(reply 6 '.result.structuredContent.model')" '"local/extractive"' "... with local/extractive"
is "$(reply 6 '.result.structuredContent.sources[0].source')" "\"$(pwd -P)/docs/compost.md\"" "... and its source"
is "$(reply 7 '.result.resources[0].uri')" '"llmr://collection/default"' "resources/list: the collection"
like "$(reply 7 '.result.resources[0].description')" "2 documents" "... described"
is "$(reply 8 '.result.contents[0].text | fromjson | .documents')" 2 "resources/read: the collection's stats"
is "$(reply 9 '.error.code')" -32602 "an unknown resource is invalid params"
is "$(reply 10 '.error.code')" -32601 "an unknown method is method not found"
is "$(reply 11 .)" "" "a response from the client is not answered"
is "$(reply 12 '.error.code')" -32600 "jsonrpc 1.0 is an invalid request"
is "$(reply 13 '.error.code')" -32602 "positional params are invalid params"
is "$(jq -c 'select(.id == "s-14") | .result.content[0].text' "$OUT")" \
	"\"no match in collection 'empty'\"" "string ids; no hit is said in the text"
is "$(reply 15 .result)" '{}' "a CRLF line is read"
is "$(jq -c 'select(.id == null) | .error.code' "$OUT" | tr '\n' ' ')" "-32700 -32600 -32600 " \
	"malformed JSON, a batch and an object id get errors with a null id"
is "$(reply 18 .result)" '{}' "a last line without a newline is answered"
like "$err" "mcp: method not found: 'prompts/list'" "errors are logged on stderr"

# The version: an unknown one gets the latest, an older one no structured content.
# (run reads a file, not a pipe: a pipeline would run it in a subshell.)
init 1999-01-01 >new.jsonl
run "$SEARCH" --mcp <new.jsonl
is "$(reply 0 .result.protocolVersion)" '"2025-11-25"' "an unknown version gets the latest"
{
	init 2025-03-26
	echo '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
	echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"search","arguments":{"query":"velos"}}}'
} >old.jsonl
run "$SEARCH" --mcp <old.jsonl
is "$(reply 0 .result.protocolVersion)" '"2025-03-26"' "2025-03-26 is spoken"
is "$(reply 1 '[.result.tools[] | has("outputSchema")]')" '[false,false]' "... without output schemas"
is "$(reply 2 '.result | has("structuredContent")')" false "... nor structured content"
is "$(reply 2 '.result.content[0].text | fromjson | .source')" "\"$(pwd -P)/docs/velos.md\"" "... the text is all"

# The cap: a message of exactly 1 MiB is read, one byte more is refused
# without reading it whole, and the server goes on.
python3 - <<'EOF'
cap = 1024 * 1024
head, tail = '{"jsonrpc":"2.0","id":%d,"method":"ping","params":{"pad":"', '"}}'
with open("big.jsonl", "w") as f:
    for i, size in ((1, cap), (2, cap + 1)):
        pad = size - len(head % i) - len(tail)
        f.write(head % i + "x" * pad + tail + "\n")
    f.write('{"jsonrpc":"2.0","id":3,"method":"ping"}\n')
EOF
run "$SEARCH" --mcp <big.jsonl
is "$status" 0 "oversize input: no crash"
is "$(reply 1 .result)" '{}' "a 1 MiB message is read"
is "$(jq -c 'select(.id == null) | .error' "$OUT")" \
	'{"code":-32600,"message":"invalid request: message over 1048576 bytes"}' "one byte more is refused"
is "$(reply 3 .result)" '{}' "... and the next message is answered"

# A client that stops reading: the answers outgrow the pipe, the write fails.
python3 -c 'for i in range(20000): print("{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"ping\"}" % i)' >many.jsonl
{ "$SEARCH" --mcp <many.jsonl 2>gone.err; echo $? >gone.rc; } | head -n 1 >/dev/null
# As every llmr program, and git, when the reader of stdout has gone: a
# quiet end by SIGPIPE (141), not an error.
is "$(cat gone.rc)" 141 "a client gone away: ends by SIGPIPE, as every llmr program"
is "$(cat gone.err)" "" "... quietly"

run "$SEARCH" --mcp </dev/null
is "$status:$out" "0:" "empty input: exit 0, nothing written"
run "$SEARCH" --mcp compost
is "$status" 64 "--mcp with a query is a usage error"

# ask through a provider: the route's first choice is not extractive, so
# llmr_ask answers, with the passages in the prompt.
fake_start
write_config
echo '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ask","arguments":{"question":"Quand se fait le compost ?"}}}' >ask.jsonl
run "$SEARCH" --mcp <ask.jsonl
is "$(reply 1 '.result.structuredContent.model // "none"')" '"none"' "before initialize: no structured content"
like "$(reply 1 '.result.content[0].text')" "Sources:" "ask through a provider lists its sources"
is "$(fake_last .model)" "gpt-4o-mini" "... the route's model was called"
like "$(fake_last '.body.messages | map(.content) | join(" ")')" "bac vert au fond de la cour" \
	"... with the passage in the prompt"
{
	init 2025-11-25
	echo '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ask","arguments":{"question":"compost ?","route":"nope"}}}'
} >route.jsonl
run "$SEARCH" --mcp <route.jsonl
is "$(reply 1 '.result.isError')" true "an unknown route is a tool error"
like "$(reply 1 '.result.content[0].text')" "nope" "... naming it"
done_testing
