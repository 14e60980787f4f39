#!/usr/bin/env node
// Drives an MCP server with the official TypeScript SDK v2 client (@modelcontextprotocol/client)
// in one of the two MCP eras and prints one JSON report.
//
//   node sdk2-check.mjs --mode legacy|modern [options] -- <server command> [server args...]
//   node sdk2-check.mjs --mode legacy|modern [options] --url http://HOST:PORT/mcp
//
// --start-at <epoch ms>: connect at once, then wait until that wall-clock time before the first
// call, so that two runs started together (one per era, against one daemon) really overlap;
// report.timings.runStartedAt/runEndedAt (epoch ms) say when the calls began and ended.
//
// Without --url the client spawns the server and speaks stdio (StdioClientTransport); with --url
// it speaks Streamable HTTP to a running server (StreamableHTTPClientTransport) and records every
// HTTP exchange (report.http): method, the MCP headers sent, status, Mcp-Session-Id returned, and
// each JSON-RPC message read from that exchange's body or event stream, so a test can tell which
// stream a server message came on (a POST's response, or the standalone GET stream).
//
// --mode legacy: the plain 2025 connect (initialize handshake); sampling and elicitation reach
//   the client as server→client requests answered by its handlers.
// --mode modern: the client is pinned to 2026-07-28 (it probes with server/discover, then sends
//   per-request _meta); a tool that needs the host's model or user answers input_required, and
//   the client's own multi-round-trip driver fulfils it through the SAME handlers and retries.
//   Modern mode also takes requestState apart by hand (manual mode, allowInputRequired) to
//   record how forged, tampered, replayed and misplaced states are refused.
//
// Both modes call the same four Python tools (two written for each era) so a test can check
// that each one completes identically through the handlers in either era.
//
// Exit 0: the run completed (the report says what the server answered). Exit 1: could not
// connect, or the run failed. Exit 3: the deadline passed. Exit 64: bad usage. On 1 and 3 a
// partial report with "error" is still printed on stdout and the reason on stderr.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { describeError, emitReportAndExit, fail, msSince, parseArgv } from "./lib/common.mjs";

const USAGE =
  "node sdk2-check.mjs --mode legacy|modern [--timeout-ms 60000] [--deadline-ms 300000] [--start-at <epoch ms>] (-- <server command> [args...] | --url <http url>)";

// With --url there is no server command line; parseArgv insists on "--", so the URL stands in for it.
const argv = process.argv.slice(2);
const urlAt = argv.findIndex((a) => a === "--url" || a.startsWith("--url="));
if (urlAt >= 0 && (urlAt < argv.indexOf("--") || !argv.includes("--"))) {
  if (argv.includes("--")) fail(`give either --url or a server command after --, not both\nusage: ${USAGE}`, 64);
  const value = argv[urlAt].startsWith("--url=") ? argv[urlAt].slice(6) : argv[urlAt + 1];
  if (!value) fail(`option --url needs a value\nusage: ${USAGE}`, 64);
  argv.push("--", value);
}
const { opts, command, args } = parseArgv(
  argv,
  {
    mode: { type: "string", default: null },
    url: { type: "string", default: null },
    "timeout-ms": { type: "number", default: 60_000 },
    "deadline-ms": { type: "number", default: 300_000 },
    "start-at": { type: "number", default: null },
  },
  USAGE,
);
if (opts.mode !== "legacy" && opts.mode !== "modern") fail(`--mode must be legacy or modern\nusage: ${USAGE}`, 64);
const MODERN = opts.mode === "modern";
const HTTP = opts.url !== null;
if (HTTP) {
  try {
    new URL(opts.url);
  } catch {
    fail(`--url needs an absolute http(s) URL, got ${opts.url}\nusage: ${USAGE}`, 64);
  }
}
const VERSION = "2026-07-28";

// What the client's handlers answer: fixed and recognisable, so a test can find them in results.
const SAMPLED_TEXT = "SDK2-SAMPLED-ANSWER";
const SAMPLING_MODEL = "sdk2-fixed-model";
const USER_TEXT = "SDK2-USER";
const ROOT = { uri: "file:///tmp/sdk2-root", name: "sdk2-root" };

// The same four tools in both modes: the first two were written against the session era's
// server→client requests, the last two against 2026-07-28's input_required; tandem serves each
// in either era.
const INTERACTIVE_CALLS = [
  ["test_sampling", { prompt: "sdk2 prompt: say something" }],
  ["test_elicitation", { message: "sdk2 message: who are you?" }],
  ["test_input_required_result_sampling", {}],
  ["test_input_required_result_elicitation", {}],
];

const clientVersion = JSON.parse(
  readFileSync(new URL("./node_modules/@modelcontextprotocol/client/package.json", import.meta.url), "utf8"),
).version;

const report = {
  client: { sdk: "@modelcontextprotocol/client", sdkVersion: clientVersion, node: process.version },
  server: HTTP ? { url: opts.url } : { command, args },
  transport: HTTP ? "streamable-http" : "stdio",
  mode: opts.mode,
  era: null,
  protocolVersion: null,
  serverVersion: null,
  capabilities: null,
  connectDiscover: null,
  timings: {},
  discover: null,
  toolsList: null,
  calls: {},
  refusals: MODERN ? {} : null,
  sentMethods: [],
  handlerCalls: [],
  serverRequests: [],
  clientErrors: [],
  http: HTTP ? [] : null,
  shutdown: null,
};

const requestOptions = { timeout: opts["timeout-ms"] };

const deadline = setTimeout(() => {
  report.error = { message: `deadline of ${opts["deadline-ms"]} ms exceeded` };
  process.stderr.write(`sdk2-check: ${report.error.message}\n`);
  emitReportAndExit(report, 3);
}, opts["deadline-ms"]);
deadline.unref();

const client = new Client(
  { name: "tandem-it-sdk2-check", version: "1.0.0" },
  {
    capabilities: { sampling: {}, elicitation: { form: {} }, roots: {} },
    ...(MODERN ? { versionNegotiation: { mode: { pin: VERSION } } } : {}),
  },
);
client.onerror = (err) => {
  report.clientErrors.push(err?.message ?? String(err));
};

/** A value for every property of a form's schema, so any required field is filled. */
function fillForm(schema) {
  const content = {};
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    const type = prop?.type;
    if (type === "boolean") content[name] = true;
    else if (type === "number" || type === "integer") content[name] = 42;
    else content[name] = USER_TEXT;
  }
  return content;
}

function withoutMeta(params) {
  if (params === null || typeof params !== "object") return params;
  const { _meta, ...rest } = params;
  return rest;
}

client.setRequestHandler("sampling/createMessage", async (request) => {
  report.handlerCalls.push({ method: "sampling/createMessage", params: withoutMeta(request.params) });
  return { model: SAMPLING_MODEL, role: "assistant", content: { type: "text", text: SAMPLED_TEXT }, stopReason: "endTurn" };
});
client.setRequestHandler("elicitation/create", async (request) => {
  report.handlerCalls.push({ method: "elicitation/create", params: withoutMeta(request.params) });
  return { action: "accept", content: fillForm(request.params?.requestedSchema) };
});
client.setRequestHandler("roots/list", async (request) => {
  report.handlerCalls.push({ method: "roots/list", params: withoutMeta(request.params ?? {}) });
  return { roots: [ROOT] };
});

// ---- Streamable HTTP: every exchange as it went over the wire ----

const MCP_HEADERS = ["mcp-session-id", "mcp-protocol-version", "mcp-method", "mcp-name", "last-event-id", "accept"];

/** What one JSON-RPC message is, in a line: enough to tell a request from an answer, and its era. */
function brief(message) {
  if (message === null || typeof message !== "object") return { invalid: message };
  const out = {};
  if (message.id !== undefined) out.id = message.id;
  if (message.method !== undefined) out.method = message.method;
  out.kind = message.method !== undefined ? (message.id !== undefined ? "request" : "notification") : "response";
  if (message.result !== undefined) {
    if (message.result.resultType !== undefined) out.resultType = message.result.resultType;
  }
  if (message.error !== undefined) out.error = message.error;
  return out;
}

/** Reads `body` (a tee of what the SDK reads) and appends each SSE event's JSON-RPC message to `into`. */
async function readEvents(body, exchange) {
  const decoder = new TextDecoder();
  let buffer = "";
  const flush = (block) => {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5))
      .join("\n");
    const id = /(?:^|\n)id: ?(.*)/.exec(block)?.[1];
    if (id !== undefined) exchange.eventIds.push(id);
    if (!data) return;
    try {
      exchange.messages.push(brief(JSON.parse(data)));
    } catch {
      exchange.messages.push({ unparsable: data.slice(0, 200) });
    }
  };
  try {
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        flush(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
    if (buffer.trim()) flush(buffer);
    exchange.ended = "eof";
  } catch (err) {
    exchange.ended = `aborted: ${err?.name ?? err}`;
  }
}

/** fetch for the transport: the real one, recording each exchange in report.http. */
async function recordingFetch(input, init = {}) {
  const headers = new Headers(init.headers ?? undefined);
  const exchange = {
    n: report.http.length,
    method: init.method ?? "GET",
    headers: Object.fromEntries(MCP_HEADERS.filter((h) => headers.has(h)).map((h) => [h, headers.get(h)])),
    sent: null,
    status: null,
    contentType: null,
    sessionId: null,
    messages: [],
    eventIds: [],
    ended: null,
  };
  if (typeof init.body === "string") {
    try {
      const body = JSON.parse(init.body);
      exchange.sent = Array.isArray(body) ? body.map(brief) : brief(body);
    } catch {
      exchange.sent = { unparsable: init.body.slice(0, 200) };
    }
  }
  report.http.push(exchange);
  let response;
  try {
    response = await fetch(input, init);
  } catch (err) {
    exchange.ended = `fetch failed: ${err?.name ?? err}`;
    throw err;
  }
  exchange.status = response.status;
  exchange.contentType = response.headers.get("content-type");
  exchange.sessionId = response.headers.get("mcp-session-id");
  const copy = response.clone();
  if ((exchange.contentType ?? "").startsWith("text/event-stream") && copy.body) {
    readEvents(copy.body, exchange);
  } else {
    copy
      .text()
      .then((text) => {
        exchange.ended = "eof";
        if (!text) return;
        try {
          const body = JSON.parse(text);
          for (const m of Array.isArray(body) ? body : [body]) exchange.messages.push(brief(m));
        } catch {
          exchange.body = text.slice(0, 500);
        }
      })
      .catch((err) => {
        exchange.ended = `aborted: ${err?.name ?? err}`;
      });
  }
  return response;
}

const transport = HTTP
  ? new StreamableHTTPClientTransport(new URL(opts.url), { fetch: recordingFetch })
  : new StdioClientTransport({
      command,
      args,
      env: { ...process.env }, // the SDK would otherwise pass only HOME, PATH, USER, ... (no PYTHONPATH)
      cwd: process.cwd(),
      stderr: "inherit",
    });

// Every frame both ways, as the server sent it (before the SDK decodes, lifts or strips
// anything): the era of an answer is a property of the wire, not of what the SDK hands back.
const wire = [];
function summarise(frame) {
  const copy = JSON.parse(JSON.stringify(frame));
  for (const key of ["tools", "prompts", "resources", "resourceTemplates"]) {
    if (Array.isArray(copy?.result?.[key])) copy.result[key] = `[${copy.result[key].length} ${key}]`;
  }
  return copy;
}
const send = transport.send.bind(transport);
transport.send = (message, options) => {
  wire.push({ dir: "out", frame: summarise(message) });
  if (typeof message?.method === "string") report.sentMethods.push(message.method);
  return send(message, options);
};
function tapIncoming() {
  const onmessage = transport.onmessage;
  transport.onmessage = (message, extra) => {
    wire.push({ dir: "in", frame: summarise(message) });
    if (message?.method !== undefined && message?.id !== undefined) {
      report.serverRequests.push({ method: message.method, id: message.id });
    }
    onmessage?.(message, extra);
  };
}

/** Runs fn and returns {result} or {error}, plus the handler calls and wire frames it caused. */
async function observe(fn) {
  const wireFrom = wire.length;
  const httpFrom = report.http?.length ?? 0;
  const handlersFrom = report.handlerCalls.length;
  const t = performance.now();
  const out = {};
  try {
    out.result = await fn();
  } catch (err) {
    out.error = describeError(err);
  }
  out.ms = msSince(t);
  out.handlerCalls = report.handlerCalls.slice(handlersFrom);
  out.wire = wire.slice(wireFrom);
  if (HTTP) out.http = report.http.slice(httpFrom).map((x) => x.n); // indexes into report.http
  return out;
}

/** The wire answers (results or errors) to our requests among `frames`, in order. */
function answers(frames) {
  return frames.filter((w) => w.dir === "in" && w.frame.id !== undefined && w.frame.method === undefined).map((w) => w.frame);
}

const callTool = (name, toolArgs, extra = {}, options = {}) =>
  client.callTool({ name, arguments: toolArgs, ...extra }, { ...requestOptions, ...options });

/** One leg of a manual multi-round-trip: whatever the server answers, input_required included. */
const manualLeg = (name, toolArgs, extra = {}) => callTool(name, toolArgs, extra, { allowInputRequired: true });

/** `state` with one character changed, inside the signed body. */
function tamper(state) {
  const i = Math.min(5, state.length - 1);
  const c = state[i] === "A" ? "B" : "A";
  return state.slice(0, i) + c + state.slice(i + 1);
}

async function modernRefusals() {
  const tool = "test_input_required_result_elicitation";
  const answer = { user_name: { action: "accept", content: { name: USER_TEXT } } };
  const r = report.refusals;

  // Forged: a random string that tandem never issued.
  r.forged = await observe(() => manualLeg(tool, {}, { inputResponses: answer, requestState: randomBytes(24).toString("base64url") }));
  // Forged with the right shape: plausible claims, signed with a key that is not the server's.
  const claims = { h: randomBytes(12).toString("hex"), r: 0, m: "tools/call", d: "x", p: HTTP ? "http" : "stdio", e: Date.now() + 600_000 };
  const shaped = `${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${randomBytes(32).toString("base64url")}`;
  r.forgedSigned = await observe(() => manualLeg(tool, {}, { inputResponses: answer, requestState: shaped }));

  // Tampered: a genuine state with one character changed; the genuine one must still work after.
  const first = await observe(() => manualLeg(tool, {}));
  r.tamperedFirstLeg = first;
  const genuine = first.result?.requestState;
  if (typeof genuine !== "string") throw new Error(`expected input_required with a requestState, got ${JSON.stringify(first)}`);
  r.tampered = await observe(() => manualLeg(tool, {}, { inputResponses: answer, requestState: tamper(genuine) }));

  // Misplaced: the genuine state presented on a different request (other arguments).
  r.misplaced = await observe(() =>
    manualLeg("test_elicitation", { message: "not the request the state was issued for" }, { inputResponses: answer, requestState: genuine }),
  );

  r.genuineAfterRefusals = await observe(() => manualLeg(tool, {}, { inputResponses: answer, requestState: genuine }));

  // Replayed: the state of a call that has already completed.
  r.replayedAfterCompletion = await observe(() => manualLeg(tool, {}, { inputResponses: answer, requestState: genuine }));

  // Replayed mid-call: round 1's state after round 2 has been issued.
  const multi = "test_input_required_result_multi_round";
  const m1 = await observe(() => manualLeg(multi, {}));
  const s1 = m1.result?.requestState;
  const m2 = await observe(() =>
    manualLeg(multi, {}, { inputResponses: { step1: { action: "accept", content: { name: USER_TEXT } } }, requestState: s1 }),
  );
  const s2 = m2.result?.requestState;
  const replayRound1 = await observe(() =>
    manualLeg(multi, {}, { inputResponses: { step1: { action: "accept", content: { name: USER_TEXT } } }, requestState: s1 }),
  );
  const m3 = await observe(() =>
    manualLeg(multi, {}, { inputResponses: { step2: { action: "accept", content: { color: "sdk2-blue" } } }, requestState: s2 }),
  );
  r.multiRound = { round1: m1, round2: m2, replayedRound1: replayRound1, round3: m3, statesDiffer: s1 !== s2 };

  // Stale: tandem's requestState lives 10 minutes (not configurable), too long to wait for here.
  r.stale = { skipped: "requestState TTL is 10 minutes and not configurable; not exercised" };

  // An unsupported version in this request's _meta (user _meta keys win over the SDK's envelope).
  r.unsupportedVersion = await observe(() =>
    callTool("test_simple_text", {}, { _meta: { "io.modelcontextprotocol/protocolVersion": "2099-01-01" } }),
  );
}

async function main() {
  let t = performance.now();
  try {
    await client.connect(transport, requestOptions);
  } catch (err) {
    report.error = { phase: "connect", ...describeError(err) };
    process.stderr.write(`sdk2-check: could not connect to ${HTTP ? opts.url : command}: ${err?.stack ?? err}\n`);
    emitReportAndExit(report, 1);
    return;
  }
  report.timings.connectMs = msSince(t);
  tapIncoming();
  report.era = client.getProtocolEra() ?? null;
  report.protocolVersion = client.getNegotiatedProtocolVersion() ?? null;
  report.serverVersion = client.getServerVersion() ?? null;
  report.capabilities = client.getServerCapabilities() ?? null;
  report.connectDiscover = client.getDiscoverResult() ?? null;
  if (HTTP) report.sessionId = transport.sessionId ?? null;

  const child = transport._process; // private, but the only way to see how the server exits
  let exit = null;
  child?.once("exit", (code, signal) => {
    exit = { code, signal };
  });

  if (opts["start-at"] !== null) {
    const wait = opts["start-at"] - Date.now();
    report.timings.waitedForStartMs = Math.max(0, wait);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  report.timings.runStartedAt = Date.now();

  if (MODERN) {
    const d = await observe(() => client.discover(requestOptions));
    report.discover = { ...d, wireResult: answers(d.wire)[0] ?? null };
  }

  const list = await observe(() => client.listTools(undefined, { ...requestOptions, cacheMode: "bypass" }));
  report.toolsList = {
    names: list.result?.tools?.map((tool) => tool.name) ?? null,
    error: list.error ?? null,
    wireResults: answers(list.wire),
  };

  for (const [name, toolArgs] of [["test_simple_text", {}], ...INTERACTIVE_CALLS]) {
    const c = await observe(() => callTool(name, toolArgs));
    report.calls[name] = { ...c, wireAnswers: answers(c.wire) };
  }

  if (MODERN) {
    const roots = await observe(() => callTool("test_input_required_result_list_roots", {}));
    report.calls.test_input_required_result_list_roots = { ...roots, wireAnswers: answers(roots.wire) };
    await modernRefusals();
  }

  report.timings.runEndedAt = Date.now();
  t = performance.now();
  let terminated = null;
  if (HTTP && transport.sessionId !== undefined) {
    // A session-era client ends its session with DELETE (modern mode never has one).
    terminated = await observe(() => transport.terminateSession());
  }
  await client.close(); // stdio: stdin EOF, then SIGTERM, then SIGKILL; HTTP: aborts open streams
  report.shutdown = { closeMs: msSince(t), exit, terminated };
  emitReportAndExit(report, 0);
}

main().catch((err) => {
  report.error = { phase: "run", ...describeError(err) };
  process.stderr.write(`sdk2-check: ${err?.stack ?? err}\n`);
  emitReportAndExit(report, 1);
});
