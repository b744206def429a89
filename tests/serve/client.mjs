// tests/serve/client.mjs - the official openai client against llmr-ask
// --serve, for tests/cli/0920-serve-sdk.t. One command a run; prints one
// JSON object of what the SDK gave back (or the error it raised).
//   node client.mjs chat|stream|models|embed|error MODEL|concurrent N MODEL
//                   |tools MODEL [stream]
// Environment: LLMR_URL (the server's /v1), LLMR_KEY (the bearer key).
import OpenAI from "openai";

const client = new OpenAI({
	baseURL: process.env.LLMR_URL,
	apiKey: process.env.LLMR_KEY || "none",
	maxRetries: 0,
	timeout: 60000,
});
const messages = [{ role: "user", content: "hello" }];

async function streamOnce(model) {
	const stream = await client.chat.completions.create({
		model, messages, stream: true, stream_options: { include_usage: true },
	});
	let text = "", usage = null, chunks = 0, id = null, finish = null;
	for await (const chunk of stream) {
		chunks++;
		id = chunk.id;
		if (chunk.choices.length) {
			text += chunk.choices[0].delta.content || "";
			finish = chunk.choices[0].finish_reason || finish;
		}
		if (chunk.usage) usage = chunk.usage;
	}
	return { text, usage, chunks, id, finish };
}

const weatherTool = {
	type: "function",
	function: {
		name: "get_weather", description: "The weather in a city",
		parameters: { type: "object", properties: { city: { type: "string" } },
			      required: ["city"] },
	},
};

/* One turn with tools: the message as the SDK hands it over (a stream's
 * tool_calls pieces joined by index, as an agent framework does). */
async function toolTurn(model, msgs, stream) {
	const req = { model, messages: msgs, tools: [weatherTool] };
	if (!stream) {
		const r = await client.chat.completions.create(req);
		return { message: r.choices[0].message, finish: r.choices[0].finish_reason, pieces: [] };
	}
	const s = await client.chat.completions.create({ ...req, stream: true });
	const message = { role: "assistant", content: "", tool_calls: [] };
	const pieces = [];
	let finish = null;
	for await (const chunk of s) {
		const c = chunk.choices[0];
		if (!c) continue;
		finish = c.finish_reason || finish;
		message.content += c.delta.content || "";
		for (const p of c.delta.tool_calls || []) {
			pieces.push(p);
			const t = message.tool_calls[p.index] ??= { id: "", type: "function",
				function: { name: "", arguments: "" } };
			if (p.id) t.id = p.id;
			if (p.function?.name) t.function.name = p.function.name;
			t.function.arguments += p.function?.arguments || "";
		}
	}
	if (!message.tool_calls.length) delete message.tool_calls;
	if (message.tool_calls && !message.content) message.content = null;
	return { message, finish, pieces };
}

const commands = {
	/* The whole exchange: the model calls the tool, the client runs it
	 * and sends the result back, the model answers. */
	async tools(model, stream) {
		const msgs = [{ role: "user", content: "What is the weather in Tokyo?" }];
		const first = await toolTurn(model, msgs, stream === "stream");
		msgs.push(first.message);
		for (const call of first.message.tool_calls || [])
			msgs.push({ role: "tool", tool_call_id: call.id,
				    content: JSON.stringify({ city: JSON.parse(call.function.arguments).city ?? null,
							      celsius: 21 }) });
		const second = await toolTurn(model, msgs, stream === "stream");
		return { first: { finish: first.finish, content: first.message.content,
				  tool_calls: first.message.tool_calls ?? null, pieces: first.pieces.length },
			 second: { finish: second.finish, content: second.message.content } };
	},
	async chat(model) {
		const r = await client.chat.completions.create({ model, messages });
		return { object: r.object, content: r.choices[0].message.content,
			 finish: r.choices[0].finish_reason, model: r.model, usage: r.usage,
			 llmr: r.llmr };
	},
	stream: streamOnce,
	async models() {
		const ids = [];
		for await (const m of client.models.list()) ids.push(m.id);
		return { ids };
	},
	async embed() {
		const input = ["le tri du textile", "bonjour"];
		const dflt = await client.embeddings.create({ model: "llmr", input });
		const float = await client.embeddings.create({ model: "llmr", input,
							       encoding_format: "float" });
		const a = dflt.data.map((d) => Array.from(d.embedding));
		const b = float.data.map((d) => d.embedding);
		const same = a.length === b.length && a.every((v, i) => v.length === b[i].length &&
			v.every((x, j) => Math.abs(x - b[i][j]) < 1e-6));
		return { same, n: a.length, dim: a[0].length, nonzero: a[0].some((x) => x !== 0) };
	},
	async error(model) {
		try {
			await client.chat.completions.create({ model, messages });
			return { error: null };
		} catch (e) {
			return { status: e.status, type: e.type ?? e.error?.type, code: e.code,
				 message: e.message, retry_after: e.headers?.get?.("retry-after") ?? null,
				 name: e.constructor.name };
		}
	},
	async concurrent(n, model) {
		const all = await Promise.allSettled(
			Array.from({ length: Number(n) }, () => streamOnce(model)));
		const ok = all.filter((r) => r.status === "fulfilled").map((r) => r.value);
		return { ok: ok.length, answered: ok.filter((r) => r.text.length > 0 && r.finish === "stop").length,
			 ids: new Set(ok.map((r) => r.id)).size,
			 failed: all.filter((r) => r.status === "rejected").map((r) => String(r.reason)).slice(0, 3) };
	},
};

const [cmd, ...args] = process.argv.slice(2);
try {
	console.log(JSON.stringify(await commands[cmd](...args)));
} catch (e) {
	console.log(JSON.stringify({ thrown: String(e), status: e.status ?? null }));
	process.exitCode = 1;
}
