#!/usr/bin/env node
// Drives an MCP stdio server with the official TypeScript SDK v2 client (@modelcontextprotocol/client)
// in one of the two MCP eras and prints one JSON report.
//
//   node sdk2-check.mjs --mode legacy|modern [options] -- <server command> [server args...]
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
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { describeError, emitReportAndExit, fail, msSince, parseArgv } from "./lib/common.mjs";

const USAGE =
  "node sdk2-check.mjs --mode legacy|modern [--timeout-ms 60000] [--deadline-ms 300000] -- <server command> [args...]";

const { opts, command, args } = parseArgv(
  process.argv.slice(2),
  {
    mode: { type: "string", default: null },
    "timeout-ms": { type: "number", default: 60_000 },
    "deadline-ms": { type: "number", default: 300_000 },
  },
  USAGE,
);
if (opts.mode !== "legacy" && opts.mode !== "modern") fail(`--mode must be legacy or modern\nusage: ${USAGE}`, 64);
const MODERN = opts.mode === "modern";
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
  server: { command, args },
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

const transport = new StdioClientTransport({
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
  const claims = { h: randomBytes(12).toString("hex"), r: 0, m: "tools/call", d: "x", p: "stdio", e: Date.now() + 600_000 };
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
    process.stderr.write(`sdk2-check: could not connect to ${command}: ${err?.stack ?? err}\n`);
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

  const child = transport._process; // private, but the only way to see how the server exits
  let exit = null;
  child?.once("exit", (code, signal) => {
    exit = { code, signal };
  });

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

  t = performance.now();
  await client.close(); // stdin EOF, then SIGTERM, then SIGKILL
  report.shutdown = { closeMs: msSince(t), exit };
  emitReportAndExit(report, 0);
}

main().catch((err) => {
  report.error = { phase: "run", ...describeError(err) };
  process.stderr.write(`sdk2-check: ${err?.stack ?? err}\n`);
  emitReportAndExit(report, 1);
});
