// tests/mcp/client.mjs - drive an MCP server with the official TypeScript
// SDK client, as Claude Desktop would, and print what it saw as one JSON
// object on stdout for tests/cli/0710-mcp-sdk.t to check.
//
// usage: node client.mjs COMMAND [ARG...]
// The query and the question come from $MCP_QUERY and $MCP_QUESTION.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { EmptyResultSchema, LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

const [command, ...args] = process.argv.slice(2);
const out = { sdkLatest: LATEST_PROTOCOL_VERSION };
let stderr = '';

const transport = new StdioClientTransport({ command, args, env: process.env, stderr: 'pipe' });
transport.stderr?.on('data', (d) => { stderr += d; });
// Anything on the server's stdout that is not a protocol message lands here.
transport.onerror = (e) => { (out.transportErrors ??= []).push(String(e)); };
const client = new Client({ name: 'llmr-test', version: '0' });

// Every step records its result or its error, so one failure does not
// hide what the others would have shown.
async function step(name, fn) {
	try {
		out[name] = await fn();
	} catch (e) {
		out[name] = { thrown: e.constructor.name, code: e.code, message: e.message };
	}
}

await step('connect', async () => {
	await client.connect(transport);
	return { server: client.getServerVersion(), instructions: client.getInstructions() };
});
await step('ping', () => client.ping());
await step('tools', async () => (await client.listTools()).tools.map((t) => t.name));
// callTool validates structuredContent against the tool's outputSchema.
await step('search', () => client.callTool({ name: 'search', arguments: { query: process.env.MCP_QUERY, k: 2 } }));
await step('searchBad', () => client.callTool({ name: 'search', arguments: { query: '' } }));
await step('ask', () => client.callTool({ name: 'ask', arguments: { question: process.env.MCP_QUESTION } }));
await step('resources', async () => (await client.listResources()).resources);
await step('read', async () => {
	const uri = out.resources?.[0]?.uri;
	return uri ? client.readResource({ uri }) : null;
});
await step('unknownMethod', () => client.request({ method: 'llmr/nope', params: {} }, EmptyResultSchema));
await step('unknownTool', () => client.callTool({ name: 'nope', arguments: {} }));

// The child's exit status after the client closes its stdin (a private
// field of the transport: there is no public one).
const child = transport._process;
await client.close();
out.exitCode = child ? child.exitCode : null;
out.stderr = stderr;
console.log(JSON.stringify(out));
