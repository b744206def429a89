#!/usr/bin/env python3
"""fakeprov.py - a loopback fake of the LLM provider APIs, for llmr's CLI tests.

It replays the real captures in tests/fixtures/wire byte for byte, and lets a
test script faults, rate limits and delays through a small control API.
Python 3 standard library only.

START
    python3 tests/fake/fakeprov.py --port 0 --port-file FILE
                                   [--fixtures DIR] [--log FILE]
  Listens on 127.0.0.1 (HTTP/1.1, keep-alive, threaded). Writes the chosen
  port to FILE (atomically, by rename) once listening. Exits 0 on SIGTERM or
  SIGINT. --log FILE appends one JSON object per provider request (the same
  objects as "log" in /_fake/stats).

ROUTING: the first path segment is the family.
  /openai/v1 /groq/v1 /deepseek/v1 /mistral/v1 /openrouter/v1 /ollama/v1
      POST .../chat/completions      stream if the body has "stream": true
      POST .../embeddings            (openai-embeddings-base64.json when
                                      "encoding_format": "base64")
  /anthropic    POST /anthropic/v1/messages       stream if "stream": true
  /gemini/v1beta
      POST .../models/MODEL:generateContent
      POST .../models/MODEL:streamGenerateContent?alt=sse   (SSE)
      POST .../models/MODEL:streamGenerateContent           (JSON array)
  /ollama       POST /ollama/api/chat, /ollama/api/generate
                      (NDJSON stream unless the body has "stream": false)
                POST /ollama/api/embed
  Requests to /ollama/v1/... are family "ollama" in the log, with
  "compat": true; a script or limit with family "ollamav1" matches only them.
  Anything else (another path, or not POST) gets a logged 404.

  Default fixtures: FAMILY-chat.json / FAMILY-chat-stream.sse for openai,
  groq, deepseek, mistral, openrouter; ollama-openai-compat-chat.json (and,
  for lack of a capture, openai-chat-stream.sse) for /ollama/v1;
  anthropic-messages.json / anthropic-messages-stream.sse;
  gemini-generatecontent.json / gemini-stream.sse / gemini-stream-jsonarray.json;
  ollama-chat.json / ollama-chat-stream.jsonl, ollama-generate.json /
  ollama-generate-stream.jsonl, ollama-embed.json; openai-embeddings.json.

  Model-named fixtures: if the request's model (body "model", or the Gemini
  path) is a fixture's basename, that fixture is served. For a stream request
  NAME.sse, NAME.jsonl, NAME-stream.*, and NAME with "-stream" inserted at
  any dash (openai-chat-toolcall -> openai-chat-stream-toolcall.sse) are
  tried first, then NAME.json.

  Successful answers carry the family's captured headers (openai, groq,
  anthropic: FAMILY-headers-200.txt, minus content-length, transfer-encoding,
  content-encoding, connection, date, content-type) and the Content-Type of
  the body: text/event-stream (.sse), application/x-ndjson (.jsonl),
  application/json. Plain bodies use Content-Length (keep-alive); streams use
  chunked encoding, one chunk per SSE event or NDJSON line (the Gemini JSON
  array in four pieces; or "chunk_bytes" bytes at a time), flushed one by one.

CONTROL API (JSON over HTTP on the same port; answers {"ok": true, ...})
  POST /_fake/reset    clear scripts, limits, counters and the log.
  POST /_fake/script   one object, or an array of them:
      {"family": "openai", "model": "m", "path": "embeddings", "times": 1, ...}
    family/model/path (substring of the URL path) select requests; all are
    optional. times: how many requests it applies to (default 1, -1 forever).
    Scripts are consumed FIFO: a request takes the first matching one.
    Behaviours (combine freely where it makes sense):
      "status": N            answer N; body from "body_fixture": "NAME[.json]"
                             or "body": "text" (string) / {...} (JSON), else the
                             family's real error body for 429/529 and a
                             documented-shape error body otherwise.
      "headers": {...}       extra response headers (any status).
      "headers_fixture": "anthropic-headers-429.txt"  add a captured header set.
      "fixture": "NAME"      serve that success fixture.
      "delay_ms": N          wait before the status line.
      "hang": true           never answer; hold until the client goes away
                             (at most 120 s).
      "hang_after_bytes": N  send the status, headers and the body's first N
                             bytes, then hold as "hang" does (a stalled stream).
      "cut_after_bytes": N   send the body's first N bytes, then close (plain
                             bodies announce the full Content-Length; streams
                             end without the last chunk).
      "malformed": true      200 with broken JSON (plain: the fixture cut in
                             half; stream: the first JSON data line cut in half).
      "huge_bytes": N        200 whose body is N bytes of a JSON string that
                             never ends (streams: one "data: " line that never
                             ends).
      "stall_ms": N          pause between body pieces.
      "chunk_bytes": N       write the body N bytes at a time.
      "framing": "close"     streams: no chunked encoding, Connection: close.
      "stream_error": "NAME" 200 stream serving that error-in-stream fixture.
  POST /_fake/limit    {"family": "openai" (optional: all families together),
                        "model": "m" (optional: all models),
                        "requests": N and/or "tokens": T, "window_ms": M}
    One limit per (family, model); posting again replaces it; without
    requests and tokens (or with "clear": true) it is removed. A request must
    pass every limit that matches it.
    Sliding window: a request is admitted if fewer than N requests were
    admitted in the last M ms and the tokens of those plus its own do not
    exceed T. A request's tokens are estimated before it runs, as providers
    do: (body bytes + 3) / 4 plus its max_tokens (max_completion_tokens,
    generationConfig.maxOutputTokens, options.num_predict).
    Refused requests are NOT counted (real providers count what they admit),
    so a client that keeps retrying gets in once the window has moved.
    Admitted requests count even if a script then fails them.
    Over a limit: 429 with retry-after (whole seconds until the request would
    be admitted, rounded up, >= 1) and the family's headers with the current
    values (remaining 0 for the exhausted kind):
      openai-like: x-ratelimit-limit-/remaining-/reset-requests and -tokens,
                   resets as durations ("1s", "20ms", "1m0s"); body
                   openai-error-429-requests.json (requests) or
                   openai-error-429.json (tokens); openrouter-error-429.json
                   for openrouter;
      anthropic:   anthropic-ratelimit-requests-/tokens-limit/-remaining/
                   -reset (RFC 3339), body anthropic-error-429.json or
                   anthropic-error-429-tokens.json;
      gemini:      body gemini-error-429.json (no rate-limit headers);
      ollama:      body ollama-error.json.
    Resets are when the window is fully replenished (as OpenAI's and
    Anthropic's docs define them). On 200s of a limited family the same
    headers carry the current values, replacing the captured ones.
  POST /_fake/clock    {"advance_ms": N}: move the limits' clock forward (and the
                       reset times they report), so a test can leave a
                       60 s window without sleeping. reset sets it back.
  GET  /_fake/stats    {"requests": N, "by_status": {"200": n, ...},
                        "by_family": {"openai": n, ...}, "max_concurrent": n,
                        "in_flight": n, "log": [ENTRY...]}
    ENTRY: {"t_ms", "family", "compat", "path", "endpoint", "model", "stream",
            "status", "fault", "has_auth", "auth_header", "auth_sha256",
            "key_sha256", "headers", "body"}
    auth_sha256 is the first 12 hex digits of sha256 of the credential header
    value as sent (Authorization, x-api-key, x-goog-api-key or api-key; or the
    key= query parameter); key_sha256 the same with "Bearer " removed, i.e. of
    the key itself. "headers" holds the other request headers (lower-cased
    names; credentials and cookies left out). "body" is the request JSON (or
    the raw text when it is not JSON). "path" has any key= query value
    replaced by "REDACTED".
  "script" (only when a script applied) holds its behaviour keys.
  status is logged as the status line sent (0 for hang). "fault" names what
  the script did: status, fixture, delay, hang, cut, malformed, huge,
  stream_error, limit (null for a plain default answer).
  Unknown keys in a script are refused (400), so a typo cannot pass silently.
"""

import argparse
import hashlib
import json
import math
import os
import re
import select
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

OPENAI_LIKE = ("openai", "groq", "deepseek", "mistral", "openrouter")
FAMILIES = OPENAI_LIKE + ("anthropic", "gemini", "ollama")
HEADER_FIXTURES = {
    "openai": "openai-headers-200.txt",
    "groq": "groq-headers-200.txt",
    "anthropic": "anthropic-headers-200.txt",
}
SKIP_HEADERS = {"content-length", "transfer-encoding", "content-encoding",
                "connection", "date", "content-type", "keep-alive"}
CRED_HEADERS = ("authorization", "x-api-key", "x-goog-api-key", "api-key")
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized",
           403: "Forbidden", 404: "Not Found", 408: "Request Timeout",
           413: "Payload Too Large", 422: "Unprocessable Entity",
           429: "Too Many Requests", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable",
           504: "Gateway Timeout", 529: "Overloaded"}
MAX_BODY = 64 << 20
SCRIPT_KEYS = {"family", "model", "path", "times", "status", "headers", "headers_fixture",
               "body", "body_fixture", "fixture", "delay_ms", "hang", "hang_after_bytes",
               "cut_after_bytes", "malformed", "huge_bytes", "stall_ms", "chunk_bytes",
               "framing", "stream_error"}
HANG_MAX_S = 120.0


class State:
    def __init__(self, fixtures, logfile):
        self.fixtures = fixtures
        self.logfile = logfile
        self.lock = threading.Lock()
        self.t0 = time.monotonic()
        self.stopping = threading.Event()
        self.reset()

    def reset(self):
        self.scripts = []
        self.limits = []     # dicts: family, model (None = any), requests, window_ms, admitted
        self.log = []
        self.requests = 0
        self.by_status = {}
        self.by_family = {}
        self.offset = 0.0    # seconds added by /_fake/clock
        self.in_flight = getattr(self, "in_flight", 0)
        self.max_concurrent = self.in_flight

    def now(self):
        """The clock that limits use: monotonic, plus /_fake/clock advances."""
        return time.monotonic() + self.offset

    def wall(self):
        return time.time() + self.offset

    def fixture_path(self, name):
        p = os.path.join(self.fixtures, os.path.basename(name))
        return p if os.path.isfile(p) else None

    def read_fixture(self, name):
        p = self.fixture_path(name)
        if p is None:
            raise KeyError(name)
        with open(p, "rb") as f:
            return f.read()


STATE = None


def sha12(s):
    return hashlib.sha256(s.encode("utf-8", "surrogateescape")).hexdigest()[:12]


def go_duration(ms):
    """OpenAI-style reset durations: 20ms, 1s, 1.5s, 6m0s."""
    ms = max(0, int(math.ceil(ms)))
    if ms < 1000:
        return "%dms" % ms
    m, rest = divmod(ms, 60000)
    s = ("%.3f" % (rest / 1000.0)).rstrip("0").rstrip(".")
    return ("%dm%ss" % (m, s)) if m else ("%ss" % s)


def rfc3339(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(math.ceil(epoch)))


def content_type(name):
    if name.endswith(".sse"):
        return "text/event-stream"
    if name.endswith(".jsonl"):
        return "application/x-ndjson"
    return "application/json"


def header_lines(name):
    """(name, value) pairs from a captured header file, filtered."""
    out = []
    try:
        data = STATE.read_fixture(name).decode("utf-8", "replace")
    except KeyError:
        return out
    for line in data.splitlines():
        if line.startswith("HTTP/") or ":" not in line:
            continue
        k, v = line.split(":", 1)
        if k.strip().lower() in SKIP_HEADERS:
            continue
        out.append((k.strip(), v.strip()))
    return out


def split_pieces(body, kind, chunk_bytes):
    """Cut a body into the pieces written (and flushed) one at a time."""
    if chunk_bytes and chunk_bytes > 0:
        return [body[i:i + chunk_bytes] for i in range(0, len(body), chunk_bytes)] or [b""]
    if kind == "sse":
        pieces, i = [], 0
        while i < len(body):
            j1 = body.find(b"\n\n", i)
            j2 = body.find(b"\r\n\r\n", i)
            cands = [j + 2 for j in (j1,) if j >= 0] + [j + 4 for j in (j2,) if j >= 0]
            j = min(cands) if cands else len(body)
            pieces.append(body[i:j])
            i = j
        return pieces or [b""]
    if kind == "jsonl":
        pieces = body.splitlines(keepends=True)
        return pieces or [b""]
    if kind == "jsonarray":
        n = max(1, len(body) // 4)
        return [body[i:i + n] for i in range(0, len(body), n)] or [b""]
    return [body]


def break_stream(body, kind):
    """The first JSON line of a stream cut in half (keeping its newline)."""
    lines = body.splitlines(keepends=True)
    for idx, line in enumerate(lines):
        text = line.rstrip(b"\r\n")
        eol = line[len(text):]
        if kind == "sse":
            if not text.startswith(b"data:") or b"{" not in text:
                continue
            start = text.index(b"{")
        else:
            if not text.startswith(b"{"):
                continue
            start = 0
        half = start + max(1, (len(text) - start) // 2)
        lines[idx] = text[:half] + eol
        return b"".join(lines)
    return body[: len(body) // 2]


def error_body(family, status):
    """A body for a scripted error status that gave none."""
    fx = None
    if status == 429:
        fx = {"anthropic": "anthropic-error-429.json", "gemini": "gemini-error-429.json",
              "openrouter": "openrouter-error-429.json",
              "ollama": "ollama-error.json"}.get(family, "openai-error-429.json")
    elif status == 529 and family == "anthropic":
        fx = "anthropic-error-529-overloaded.json"
    elif family == "ollama":
        fx = "ollama-error.json"
    if fx:
        return STATE.read_fixture(fx)
    msg = "fake %d" % status
    if family == "anthropic":
        t = {400: "invalid_request_error", 401: "authentication_error",
             403: "permission_error", 404: "not_found_error",
             529: "overloaded_error"}.get(status, "api_error")
        return json.dumps({"type": "error", "error": {"type": t, "message": msg}}).encode()
    if family == "gemini":
        st = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
              404: "NOT_FOUND", 503: "UNAVAILABLE"}.get(status, "INTERNAL")
        return json.dumps({"error": {"code": status, "message": msg, "status": st}}).encode()
    t = {400: "invalid_request_error", 401: "invalid_request_error"}.get(status, "server_error")
    code = {401: "invalid_api_key"}.get(status)
    return json.dumps({"error": {"message": msg, "type": t, "param": None, "code": code}},
                      indent=4).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "fakeprov/1"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    # ---- plumbing -------------------------------------------------------

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            data = b""
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline(65537)
                if len(data) > MAX_BODY:
                    raise ValueError("body too large")
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n) if n > 0 else b""

    def send_head(self, status, headers, length=None, chunked=False, close=False):
        lines = ["HTTP/1.1 %d %s" % (status, REASONS.get(status, "Status"))]
        for k, v in headers:
            lines.append("%s: %s" % (k, v))
        if chunked:
            lines.append("Transfer-Encoding: chunked")
        elif length is not None:
            lines.append("Content-Length: %d" % length)
        if close:
            lines.append("Connection: close")
            self.close_connection = True
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def write_piece(self, data, chunked):
        if chunked:
            if not data:
                return
            self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
        else:
            self.wfile.write(data)
        self.wfile.flush()

    def abort(self):
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def json_reply(self, status, obj):
        data = (json.dumps(obj) + "\n").encode()
        self.send_head(status, [("Content-Type", "application/json")], len(data))
        self.wfile.write(data)

    def hold_then_abort(self, hold):
        """Optionally wait for the client to go away (at most HANG_MAX_S),
        then close the connection without finishing the answer."""
        deadline = time.monotonic() + HANG_MAX_S
        while hold and time.monotonic() < deadline and not STATE.stopping.is_set():
            if self.client_gone(0.2):
                break
        self.abort()

    def client_gone(self, timeout):
        try:
            r, _, _ = select.select([self.connection], [], [], timeout)
            if r:
                return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True
        return False

    # ---- dispatch -------------------------------------------------------

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        url = urlsplit(self.path)
        try:
            if url.path.startswith("/_fake/"):
                self.control(method, url.path, body)
            else:
                self.provider(method, url, body)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    # ---- control API ------------------------------------------------------

    def control(self, method, path, body):
        try:
            req = json.loads(body) if body.strip() else {}
        except ValueError as e:
            return self.json_reply(400, {"ok": False, "error": "bad JSON: %s" % e})
        st = STATE
        if path == "/_fake/reset":
            with st.lock:
                st.reset()
            return self.json_reply(200, {"ok": True})
        if path == "/_fake/script" and method == "POST":
            items = req if isinstance(req, list) else [req]
            for it in items:
                if not isinstance(it, dict):
                    return self.json_reply(400, {"ok": False, "error": "script must be an object"})
                bad = sorted(set(it) - SCRIPT_KEYS)
                if bad:
                    return self.json_reply(400, {"ok": False, "error": "unknown script keys: %s" % ", ".join(bad)})
                if not isinstance(it.get("times", 1), int) or it.get("times", 1) == 0 or it.get("times", 1) < -1:
                    return self.json_reply(400, {"ok": False, "error": "times must be -1 or a positive integer"})
                if not isinstance(it.get("headers", {}), dict):
                    return self.json_reply(400, {"ok": False, "error": "headers must be an object"})
                for k in ("body_fixture", "fixture", "stream_error", "headers_fixture"):
                    if k in it and st.fixture_path(fixture_name(it[k])) is None:
                        return self.json_reply(400, {"ok": False, "error": "no fixture %r" % it[k]})
            with st.lock:
                for it in items:
                    it = dict(it)
                    it.setdefault("times", 1)
                    st.scripts.append(it)
                n = len(st.scripts)
            return self.json_reply(200, {"ok": True, "scripts": n})
        if path == "/_fake/limit" and method == "POST":
            fam, mod = req.get("family") or None, req.get("model") or None
            with st.lock:
                st.limits = [l for l in st.limits if (l["family"], l["model"]) != (fam, mod)]
                if not req.get("clear") and (req.get("requests") or req.get("tokens")):
                    st.limits.append({"family": fam, "model": mod,
                                      "requests": int(req["requests"]) if req.get("requests") else None,
                                      "tokens": int(req["tokens"]) if req.get("tokens") else None,
                                      "window_ms": float(req.get("window_ms", 60000)),
                                      "admitted": []})
                n = len(st.limits)
            return self.json_reply(200, {"ok": True, "limits": n})
        if path == "/_fake/clock" and method == "POST":
            with st.lock:
                st.offset += float(req.get("advance_ms", 0)) / 1000.0
                off = st.offset
            return self.json_reply(200, {"ok": True, "offset_ms": int(off * 1000)})
        if path in ("/_fake/stats", "/_fake/log"):
            with st.lock:
                out = {"requests": st.requests, "by_status": dict(st.by_status),
                       "by_family": dict(st.by_family),
                       "max_concurrent": st.max_concurrent, "in_flight": st.in_flight,
                       "scripts_left": len(st.scripts), "log": list(st.log)}
            return self.json_reply(200, out)
        return self.json_reply(404, {"ok": False, "error": "no control endpoint %s" % path})

    # ---- provider side ------------------------------------------------------

    def provider(self, method, url, raw):
        st = STATE
        with st.lock:
            st.in_flight += 1
            st.max_concurrent = max(st.max_concurrent, st.in_flight)
        try:
            self.provider_inner(method, url, raw)
        finally:
            with st.lock:
                st.in_flight -= 1

    def provider_inner(self, method, url, raw):
        st = STATE
        segs = [s for s in url.path.split("/") if s]
        family = segs[0] if segs else ""
        compat = family == "ollama" and len(segs) > 1 and segs[1] == "v1"
        query = parse_qs(url.query)
        try:
            req = json.loads(raw) if raw.strip() else {}
        except ValueError:
            req = None
        jreq = req if isinstance(req, dict) else {}

        # What was asked.
        endpoint, model, stream, kind = route(family, compat, url.path, query, jreq)
        entry = {"t_ms": int((st.now() - st.t0) * 1000), "family": family,
                 "compat": compat, "path": redact_key(self.path), "endpoint": endpoint,
                 "model": model, "stream": stream, "status": None, "fault": None}
        entry.update(auth_info(self.headers, query))
        entry["headers"] = {k.lower(): v for k, v in self.headers.items()
                            if k.lower() not in CRED_HEADERS and k.lower() != "cookie"}
        entry["body"] = req if req is not None else raw.decode("utf-8", "replace")

        if family not in FAMILIES or endpoint is None or method != "POST":
            data = json.dumps({"error": {"message": "fake: no route for %s %s" % (method, url.path),
                                         "type": "invalid_request_error", "param": None,
                                         "code": None}}).encode()
            self.finish_log(entry, 404)
            self.send_head(404, [("Content-Type", "application/json")], len(data))
            self.wfile.write(data)
            return

        fam_keys = [family] + (["ollamav1"] if compat else [])
        wire = "openai" if compat else family   # whose wire format to speak
        with st.lock:
            now = st.now()
            lims = [l for l in st.limits
                    if (l["family"] is None or l["family"] in fam_keys)
                    and (l["model"] is None or l["model"] == model)]
            limited = check_limits(lims, now, request_cost(raw, jreq))
            script = None
            if limited is None:
                script = take_script(st.scripts, fam_keys, model, url.path)
            rl_headers = limit_headers(wire, lims, now) if limited is None else []

        if limited is not None:
            with st.lock:
                limit_hdrs = limit_headers(wire, lims, now)
            self.finish_log(entry, 429, "limit")
            self.send_limited(wire, limited, limit_hdrs)
            return

        sc = script or {}
        if script:
            entry["script"] = {k: v for k, v in sc.items() if k not in ("family", "model", "path", "times")}
        if sc.get("delay_ms"):
            time.sleep(float(sc["delay_ms"]) / 1000.0)

        if sc.get("hang"):
            self.finish_log(entry, 0, "hang")
            self.hold_then_abort(True)
            return

        headers = list(sc.get("headers", {}).items())
        if sc.get("headers_fixture"):
            headers = header_lines(fixture_name(sc["headers_fixture"])) + headers

        status = int(sc.get("status", 200))
        if status != 200 or "body" in sc or "body_fixture" in sc:
            if "body_fixture" in sc:
                data = st.read_fixture(fixture_name(sc["body_fixture"]))
            elif "body" in sc:
                b = sc["body"]
                data = b.encode() if isinstance(b, str) else json.dumps(b).encode()
            else:
                data = error_body(wire, status)
            self.finish_log(entry, status, "status")
            ctype = [("Content-Type", "application/json")]
            if any(k.lower() == "content-type" for k, _ in headers):
                ctype = []
            self.send_body(status, ctype + headers, data, "plain", sc)
            return

        # A success: pick the body.
        fault = None
        if sc.get("stream_error"):
            name = fixture_name(sc["stream_error"])
            fault = "stream_error"
        elif sc.get("fixture"):
            name = fixture_name(sc["fixture"])
            fault = "fixture"
        else:
            name = pick_fixture(family, compat, endpoint, model, stream, kind, jreq)
        data = st.read_fixture(name)
        bkind = body_kind(name)
        ctype = content_type(name)
        if sc.get("huge_bytes"):
            fault = "huge"
            n = int(sc["huge_bytes"])
            prefix = (b'data: {"choices":[{"delta":{"content":"' if bkind == "sse"
                      else b'{"id":"huge","choices":[{"message":{"content":"')
            data = (prefix + b"a" * max(0, n - len(prefix)))[:n]
            if bkind != "sse":
                bkind = "plain"
        elif sc.get("malformed"):
            fault = "malformed"
            data = break_stream(data, bkind) if bkind in ("sse", "jsonl") else data[: len(data) // 2]
        if sc.get("cut_after_bytes") is not None:
            fault = "cut"
        elif sc.get("hang_after_bytes") is not None:
            fault = "hang"
        elif sc.get("delay_ms") and fault is None:
            fault = "delay"

        base = [] if compat else header_lines(HEADER_FIXTURES.get(family, ""))
        base = merge_headers(base, rl_headers)
        over = {k.lower() for k, _ in headers}
        base = [(k, v) for k, v in base if k.lower() not in over]
        ctype = [] if "content-type" in over else [("Content-Type", ctype)]
        self.finish_log(entry, 200, fault)
        self.send_body(200, ctype + base + headers, data, bkind, sc)

    def send_body(self, status, headers, data, bkind, sc):
        chunk_bytes = int(sc.get("chunk_bytes") or 0)
        stall = float(sc.get("stall_ms") or 0) / 1000.0
        cut = sc.get("cut_after_bytes")
        hang = sc.get("hang_after_bytes")
        if cut is None and hang is not None:
            cut = hang
        streaming = bkind in ("sse", "jsonl", "jsonarray")
        if cut is not None:
            data_sent = data[: int(cut)]
        else:
            data_sent = data
        if streaming:
            close = sc.get("framing") == "close"
            if not any(k.lower() == "cache-control" for k, _ in headers):
                headers = headers + [("Cache-Control", "no-cache")]
            self.send_head(status, headers,
                           chunked=not close, close=close)
            pieces = split_pieces(data_sent, bkind, chunk_bytes)
            for i, p in enumerate(pieces):
                if i and stall:
                    time.sleep(stall)
                self.write_piece(p, not close)
            if cut is not None:
                return self.hold_then_abort(hang is not None)
            if not close:
                self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            return
        self.send_head(status, headers, len(data))
        pieces = split_pieces(data_sent, "plain", chunk_bytes) if chunk_bytes else [data_sent]
        for i, p in enumerate(pieces):
            if i and stall:
                time.sleep(stall)
            self.write_piece(p, False)
        if cut is not None:
            self.hold_then_abort(hang is not None)

    def send_limited(self, family, limited, limit_hdrs):
        lim, wait_ms, kind = limited
        retry = max(1, int(math.ceil(wait_ms / 1000.0)))
        hdrs = [("Content-Type", "application/json"), ("retry-after", str(retry))] + limit_hdrs
        if family == "anthropic":
            fx = "anthropic-error-429%s.json" % ("-tokens" if kind == "tokens" else "")
        elif family == "gemini":
            fx = "gemini-error-429.json"
        elif family == "ollama":
            fx = "ollama-error.json"
        elif family == "openrouter":
            fx = "openrouter-error-429.json"
        else:
            fx = "openai-error-429%s.json" % ("-requests" if kind == "requests" else "")
        data = STATE.read_fixture(fx)
        self.send_head(429, hdrs, len(data))
        self.wfile.write(data)

    def finish_log(self, entry, status, fault=None):
        st = STATE
        entry["status"] = status
        if fault:
            entry["fault"] = fault
        with st.lock:
            st.requests += 1
            st.by_status[str(status)] = st.by_status.get(str(status), 0) + 1
            st.by_family[entry["family"]] = st.by_family.get(entry["family"], 0) + 1
            st.log.append(entry)
            if st.logfile:
                with open(st.logfile, "a") as f:
                    f.write(json.dumps(entry) + "\n")


def check_limits(lims, now, cost):
    """(limit, wait_ms, "requests"|"tokens") for the limit that refuses the
    longest, or None after counting the request in each; STATE.lock held."""
    hit = None
    for lim in lims:
        w = lim["window_ms"] / 1000.0
        lim["admitted"] = [a for a in lim["admitted"] if now - a[0] < w]
        adm = lim["admitted"]
        if lim["requests"] is not None and len(adm) >= lim["requests"]:
            k = len(adm) - lim["requests"]   # this many must leave first
            wait = (adm[k][0] + w - now) * 1000.0
            if hit is None or wait > hit[1]:
                hit = (lim, wait, "requests")
        if lim["tokens"] is not None:
            used = sum(a[1] for a in adm)
            if used + cost > lim["tokens"]:
                wait = lim["window_ms"]   # the request alone is too large
                for a in adm:
                    used -= a[1]
                    if used + cost <= lim["tokens"]:
                        wait = (a[0] + w - now) * 1000.0
                        break
                if hit is None or wait > hit[1]:
                    hit = (lim, wait, "tokens")
    if hit is None:
        for lim in lims:
            lim["admitted"].append((now, cost))
    return hit


def limit_state(lim, now):
    """(requests remaining, tokens remaining, ms until fully replenished)."""
    adm = lim["admitted"]
    w = lim["window_ms"] / 1000.0
    rr = None if lim["requests"] is None else max(0, lim["requests"] - len(adm))
    tr = None if lim["tokens"] is None else max(0, lim["tokens"] - sum(a[1] for a in adm))
    full = (adm[-1][0] + w - now) * 1000.0 if adm else 0.0
    return rr, tr, max(0.0, full)


def limit_headers(wire, lims, now):
    """Rate-limit headers with the current values of the tightest request and
    token limits that apply; STATE.lock held."""
    out = []
    for kind, idx in (("requests", 0), ("tokens", 1)):
        cands = [(limit_state(l, now), l) for l in lims if l[kind] is not None]
        if not cands:
            continue
        st, lim = min(cands, key=lambda c: c[0][idx])
        remaining, reset_ms = st[idx], st[2]
        if wire == "anthropic":
            out += [("anthropic-ratelimit-%s-limit" % kind, str(lim[kind])),
                    ("anthropic-ratelimit-%s-remaining" % kind, str(remaining)),
                    ("anthropic-ratelimit-%s-reset" % kind, rfc3339(STATE.wall() + reset_ms / 1000.0))]
        elif wire in OPENAI_LIKE:
            out += [("x-ratelimit-limit-%s" % kind, str(lim[kind])),
                    ("x-ratelimit-remaining-%s" % kind, str(remaining)),
                    ("x-ratelimit-reset-%s" % kind, go_duration(reset_ms))]
    return out


def request_cost(raw, req):
    """Tokens a request counts against a token limit, estimated as providers
    do before running it: a quarter of the body's bytes plus max_tokens."""
    mt = req.get("max_tokens") or req.get("max_completion_tokens") or 0
    gc = req.get("generationConfig")
    if isinstance(gc, dict):
        mt = mt or gc.get("maxOutputTokens") or 0
    opts = req.get("options")
    if isinstance(opts, dict):
        mt = mt or opts.get("num_predict") or 0
    try:
        mt = max(0, int(mt))
    except (TypeError, ValueError):
        mt = 0
    return (len(raw) + 3) // 4 + mt


def fixture_name(n):
    """Accept a fixture name with or without its extension."""
    n = os.path.basename(str(n))
    if STATE.fixture_path(n):
        return n
    for ext in (".json", ".sse", ".jsonl", ".txt"):
        if STATE.fixture_path(n + ext):
            return n + ext
    return n


def body_kind(name):
    if name.endswith(".sse"):
        return "sse"
    if name.endswith(".jsonl"):
        return "jsonl"
    if name == "gemini-stream-jsonarray.json" or name.endswith("-jsonarray.json"):
        return "jsonarray"
    return "plain"


def redact_key(path):
    return re.sub(r"([?&]key=)[^&]*", r"\1REDACTED", path)


def merge_headers(base, over):
    names = {k.lower() for k, _ in over}
    return [(k, v) for k, v in base if k.lower() not in names] + over


def auth_info(headers, query):
    for h in CRED_HEADERS:
        v = headers.get(h)
        if v:
            key = v[7:] if v.lower().startswith("bearer ") else v
            return {"has_auth": True, "auth_header": h, "auth_sha256": sha12(v),
                    "key_sha256": sha12(key)}
    if query.get("key"):
        v = query["key"][0]
        return {"has_auth": True, "auth_header": "query:key", "auth_sha256": sha12(v),
                "key_sha256": sha12(v)}
    return {"has_auth": False, "auth_header": None, "auth_sha256": None, "key_sha256": None}


def route(family, compat, path, query, req):
    """(endpoint, model, stream, kind) for a provider request; endpoint None = 404."""
    model = req.get("model") if isinstance(req.get("model"), str) else None
    if family in OPENAI_LIKE or compat:
        if path.endswith("/chat/completions"):
            return "chat", model, req.get("stream") is True, None
        if path.endswith("/embeddings"):
            return "embeddings", model, False, None
        return None, model, False, None
    if family == "anthropic":
        if path.endswith("/v1/messages"):
            return "messages", model, req.get("stream") is True, None
        return None, model, False, None
    if family == "gemini":
        tail = path.rsplit("/models/", 1)
        if len(tail) == 2 and ":" in tail[1]:
            m, verb = tail[1].rsplit(":", 1)
            if verb == "generateContent":
                return "generateContent", m, False, None
            if verb == "streamGenerateContent":
                sse = (query.get("alt") or [""])[0] == "sse"
                return "streamGenerateContent", m, True, "sse" if sse else "jsonarray"
        return None, model, False, None
    if family == "ollama":
        for ep in ("chat", "generate"):
            if path.endswith("/api/" + ep):
                return ep, model, req.get("stream") is not False, None
        if path.endswith("/api/embed") or path.endswith("/api/embeddings"):
            return "embed", model, False, None
    return None, model, False, None


def pick_fixture(family, compat, endpoint, model, stream, kind, req):
    st = STATE
    if model and "/" not in model and model not in ("", ".", ".."):
        cands = []
        if stream and kind != "jsonarray":
            stems = [model, model + "-stream"]
            parts = model.split("-")
            for i in range(1, len(parts) + 1):
                stems.append("-".join(parts[:i] + ["stream"] + parts[i:]))
            for s in stems:
                cands += [s + ".sse", s + ".jsonl"]
        cands += [model + ".json", model + ".sse", model + ".jsonl"]
        for c in cands:
            if st.fixture_path(c) and not c.endswith(".txt"):
                return c
    if endpoint == "embeddings":
        if req.get("encoding_format") == "base64":
            return "openai-embeddings-base64.json"
        return "openai-embeddings.json"
    if compat:
        return "openai-chat-stream.sse" if stream else "ollama-openai-compat-chat.json"
    if family in OPENAI_LIKE:
        return "%s-chat-stream.sse" % family if stream else "%s-chat.json" % family
    if family == "anthropic":
        return "anthropic-messages-stream.sse" if stream else "anthropic-messages.json"
    if family == "gemini":
        if endpoint == "generateContent":
            return "gemini-generatecontent.json"
        return "gemini-stream.sse" if kind == "sse" else "gemini-stream-jsonarray.json"
    if family == "ollama":
        if endpoint == "embed":
            return "ollama-embed.json"
        return "ollama-%s-stream.jsonl" % endpoint if stream else "ollama-%s.json" % endpoint
    raise KeyError(family)


def take_script(scripts, fam_keys, model, path):
    """Pop (or count down) the first script matching; STATE.lock held."""
    for i, sc in enumerate(scripts):
        f = sc.get("family")
        if f and f not in fam_keys:
            continue
        if sc.get("model") and sc["model"] != model:
            continue
        if sc.get("path") and sc["path"] not in path:
            continue
        t = int(sc.get("times", 1))
        if t > 0:
            t -= 1
            sc["times"] = t
            if t == 0:
                del scripts[i]
        return sc
    return None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="fake LLM provider for llmr's tests")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--fixtures", default=os.path.join(here, "..", "fixtures", "wire"))
    ap.add_argument("--log")
    a = ap.parse_args()

    global STATE
    STATE = State(os.path.abspath(a.fixtures), a.log)
    srv = Server(("127.0.0.1", a.port), Handler)
    port = srv.server_address[1]

    def stop(signum, frame):
        STATE.stopping.set()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, a.port_file)
    else:
        print(port, flush=True)
    try:
        srv.serve_forever(poll_interval=0.1)
    except SystemExit:
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
