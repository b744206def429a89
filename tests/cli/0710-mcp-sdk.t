#!/bin/sh
# 0710-mcp-sdk.t - llmr-search --mcp with the official MCP client: the
# @modelcontextprotocol/sdk npm package (tests/mcp/package.json pins it;
# make deps installs it) starts the server through its StdioClientTransport
# as Claude Desktop does, lists and calls the tools (validating
# structuredContent against outputSchema), lists and reads the resources,
# and gets JSON-RPC errors. tests/mcp/client.mjs prints what it saw.
. "$(dirname "$0")/lib.sh"

[ -x "$LLMR_BUILD/bin/llmr-search" ] && [ -x "$LLMR_BUILD/bin/llmr-index" ] || skip_all "build first"
command -v jq >/dev/null 2>&1 || skip_all "jq is needed (make deps)"
command -v node >/dev/null 2>&1 || skip_all "node is needed (make deps)"
node -e 'process.exit(parseInt(process.versions.node, 10) >= 18 ? 0 : 1)' 2>/dev/null ||
	skip_all "node 18 or later is needed"
MCP_DIR=$LLMR_SRC/tests/mcp
[ -f "$MCP_DIR/node_modules/@modelcontextprotocol/sdk/package.json" ] ||
	skip_all "the MCP SDK is not installed (make deps, or npm ci in tests/mcp)"
LLMR_STATE=$TEST_DIR/state.db
export LLMR_STATE

mkdir docs
printf '# Compost\n\nA la ressourcerie, le compost se fait dans le bac vert au fond de la cour.\n' >docs/compost.md
printf '# Vélos\n\nA la ressourcerie, les vélos donnés sont réparés à l atelier le mercredi.\n' >docs/velos.md
printf '# Vaisselle\n\nA la ressourcerie, la vaisselle ébréchée part au verre.\n' >docs/vaisselle.md
run llmr-index -q docs
is "$status" 0 "a small collection is indexed"

MCP_QUERY="réparation des vélos à la ressourcerie"  # all three match
MCP_QUESTION="Quand les vélos sont-ils réparés ?"
export MCP_QUERY MCP_QUESTION
# By name, through PATH, so that LLMR_VALGRIND=1 wrappers apply.
run node "$MCP_DIR/client.mjs" llmr-search --mcp
is "$status" 0 "the client ran"
[ "$status" = 0 ] || diag "$err"
q() { jq -c "$1" "$OUT"; }

is "$(q .connect.server.name)" '"llmr-search"' "the SDK client connects (initialize at its latest version)"
is "$(q .ping)" '{}' "ping"
is "$(q .tools)" '["search","ask"]' "tools/list: search and ask"
is "$(q '.search.isError // false')" false "search succeeds"
is "$(q '.search.structuredContent.hits[0].source')" "\"$(pwd -P)/docs/velos.md\"" \
	"... the expected source comes first (structured, checked against outputSchema)"
is "$(q '.search.content[0].text | split("\n")[0] | fromjson | .source')" "\"$(pwd -P)/docs/velos.md\"" \
	"... and first in the text's JSON lines"
is "$(q '.search.structuredContent.hits | length')" 2 "... k is honoured"
is "$(q .searchBad.isError)" true "an empty query is a tool error the model can read"
like "$(q '.ask.content[0].text')" "réparés à l atelier le mercredi" "ask answers from the documents"
is "$(q '.ask.structuredContent.sources[0].source')" "\"$(pwd -P)/docs/velos.md\"" "... with the source"
is "$(q '[.resources[] | .uri]')" '["llmr://collection/default"]' "resources/list: the collection"
is "$(q '.read.contents[0].text | fromjson | .documents')" 3 "resources/read: its stats"
is "$(q '.unknownMethod.code')" -32601 "an unknown method: JSON-RPC method not found"
is "$(q '.unknownTool.code')" -32602 "an unknown tool: invalid params"
is "$(q '.transportErrors // []')" '[]' "nothing but protocol messages on stdout"
is "$(q .exitCode)" 0 "the server exits 0 when the client closes its stdin"
like "$(q .stderr)" "mcp: method not found: 'llmr/nope'" "the server logs on stderr"
done_testing
