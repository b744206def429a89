// tests/bench/serve-load.mjs - a small HTTP load generator for
// tests/bench/serve.sh (node's own http module, keep-alive): N POSTs of
// BODY to URL, C at a time; prints one JSON line: p50, p99 (ms), req/s.
//   node serve-load.mjs URL BODY N C [HEADER:VALUE]
import http from "node:http";

const [url, body, n, c, header] = process.argv.slice(2);
const total = Number(n), conc = Number(c);
const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
if (header) {
	const i = header.indexOf(":");
	headers[header.slice(0, i)] = header.slice(i + 1).trim();
}
const lat = [];
let sent = 0, failed = 0;

function one() {
	return new Promise((resolve) => {
		const t0 = process.hrtime.bigint();
		const req = http.request(url, { method: "POST", agent, headers }, (res) => {
			res.on("data", () => {});
			res.on("end", () => {
				if (res.statusCode !== 200) failed++;
				lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
				resolve();
			});
		});
		req.on("error", () => { failed++; resolve(); });
		req.end(body);
	});
}

async function worker() {
	while (sent < total) {
		sent++;
		await one();
	}
}

const t0 = process.hrtime.bigint();
await Promise.all(Array.from({ length: conc }, worker));
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
lat.sort((a, b) => a - b);
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
console.log(JSON.stringify({ n: lat.length, failed, p50: q(0.5), p99: q(0.99), rps: lat.length / secs }));
agent.destroy();
