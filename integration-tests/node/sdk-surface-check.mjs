#!/usr/bin/env node
// Drives the whole MCP server surface of a stdio server with the official TypeScript SDK client,
// a client that can be asked things (sampling, elicitation, roots), and prints one JSON report.
//
//   node sdk-surface-check.mjs [options] -- <server command> [server args...]
//   node sdk-surface-check.mjs [options] --url <MCP endpoint URL>
//
// With --url the client speaks Streamable HTTP (StreamableHTTPClientTransport) to a server that is
// already running; it does not start or stop it, and at the end it terminates its session (DELETE)
// instead of closing the server's stdin. The cancellation check still works: the Python tool
// writes the marker file itself, so the server must run on this machine.
//
// The server must serve the tools, prompt and resources of
// integration-tests/src/test/resources/fixtures/surface (tandem serve --config …/surface/tandem.toml).
//
// Exit 0: the run completed (the report says what happened; the JUnit test asserts on it).
// Exit 1: could not connect/initialize, or the run broke. Exit 3: the overall deadline passed.
// Exit 64: bad usage. On 1 and 3 a partial report with "error" is still printed.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeError, emitReportAndExit, fail, msSince, parseArgv } from "./lib/common.mjs";

const USAGE =
  "node sdk-surface-check.mjs [--timeout-ms 60000] [--deadline-ms 180000] [--cancel-steps 50] " +
  "[--marker FILE] [--marker-wait-ms 3000] [--quiet-wait-ms 1000] [--barrier-ms 5000] " +
  "(-- <server command> [args...] | --url <MCP endpoint URL>)";

// parseArgv wants a server command after "--"; with --url there is none, so give it an empty one.
const argv = process.argv.slice(2);
if (!argv.includes("--")) argv.push("--", "");
const { opts, command, args } = parseArgv(
  argv,
  {
    // Streamable HTTP to this endpoint instead of spawning a stdio server.
    url: { type: "string", default: "" },
    "timeout-ms": { type: "number", default: 60_000 },
    "deadline-ms": { type: "number", default: 180_000 },
    // slow_steps(steps) that is cancelled: at ~0.1 s a step it would finish after steps/10 s.
    "cancel-steps": { type: "number", default: 50 },
    // Where the cancelled slow_steps writes "cancelled"; default: TANDEM_IT_SURFACE_MARKER, else a
    // file in a fresh directory under the system temp directory. It is left in place for the
    // caller to check (report.cancel.marker.path) and remove.
    marker: { type: "string", default: process.env.TANDEM_IT_SURFACE_MARKER ?? "" },
    // How long after the abort we watch the marker file, while the server still runs.
    "marker-wait-ms": { type: "number", default: 3_000 },
    // How long after the marker we keep listening for a (wrong) answer to the cancelled call.
    "quiet-wait-ms": { type: "number", default: 1_000 },
    // How long the concurrent phase's handlers wait for all of their requests before answering.
    "barrier-ms": { type: "number", default: 5_000 },
  },
  USAGE,
);
const url = opts.url;
if (url ? command !== "" || args.length > 0 : command === "") {
  fail(`usage: ${USAGE}\n(give either a server command after "--" or --url, not both)`, 64);
}

// The client's fixed answers, recognisable in what the tools return.
const MODEL = "tandem-it-fake-model";
const ROOTS = [
  { uri: "file:///tandem-it/root-one", name: "root one" },
  { uri: "file:///tandem-it/root-two", name: "root two" },
];
const modelAnswer = (prompt) => `fake model answers: ${prompt}`;
const userAnswer = (question) => `fake user answers: ${question}`;

const sdkVersion = JSON.parse(
  readFileSync(new URL("./node_modules/@modelcontextprotocol/sdk/package.json", import.meta.url), "utf8"),
).version;

const marker = opts.marker || join(mkdtempSync(join(tmpdir(), "tandem-surface-")), "cancel-marker");

const report = {
  client: { sdk: "@modelcontextprotocol/sdk", sdkVersion, node: process.version },
  transport: url ? "streamable-http" : "stdio",
  server: url ? { url } : { command, args },
  protocolVersion: null,
  serverVersion: null,
  capabilities: null,
  timings: {},
  tools: [],
  prompts: [],
  resources: [],
  resourceTemplates: [],
  getPrompt: null,
  readResource: { static: null, template: null },
  calls: {}, // name -> CallToolResult or {error}
  handlers: { sampling: [], elicitation: [], roots: [] }, // what the client's handlers were asked
  serverRequestsWire: [], // every server->client request as it came off the wire (raw params)
  progress: null, // slow_steps(3) with onprogress
  cancel: null, // slow_steps(cancel-steps) aborted after its first progress
  concurrent: null, // ask_host_model and ask_user calls at once
  logs: [],
  otherNotifications: [],
  clientErrors: [],
  shutdown: null,
};

const requestOptions = { timeout: opts["timeout-ms"] };

const deadline = setTimeout(() => {
  report.error = { message: `deadline of ${opts["deadline-ms"]} ms exceeded` };
  process.stderr.write(`sdk-surface-check: ${report.error.message}\n`);
  finish(3);
}, opts["deadline-ms"]);
deadline.unref();

const client = new Client(
  { name: "tandem-it-sdk-surface-check", version: "1.0.0" },
  { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } },
);
client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
  report.logs.push(n.params);
});
client.fallbackNotificationHandler = async (n) => {
  report.otherNotifications.push(n);
};
client.onerror = (err) => {
  report.clientErrors.push(err?.message ?? String(err));
};

// The concurrent phase: PAIRS ask_host_model and PAIRS ask_user calls at once (so with two
// workers, at least two of them share one worker link). Each handler holds its answer until all
// of their server->client requests are outstanding (or barrier-ms passed), then they are answered
// in the reverse order of their arrival, 100 ms apart: the answers cross, and each must still
// reach the call that asked.
const PAIRS = 2;
let phase = "sequential";
let barrier = null;
const answerOrder = [];

function newBarrier(expected) {
  let release;
  let arrived = 0;
  const done = new Promise((resolve) => {
    release = resolve;
  });
  const timer = setTimeout(() => release(false), opts["barrier-ms"]);
  return {
    /** Resolves to {allOutstanding, delayMs} once every expected request has arrived. */
    async arrive() {
      const index = arrived++;
      if (arrived === expected) {
        clearTimeout(timer);
        release(true);
      }
      const allOutstanding = await done;
      const delayMs = (expected - 1 - index) * 100;
      await sleep(delayMs);
      return { arrival: index, allOutstanding, delayMs };
    },
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const textOf = (content) => (content?.type === "text" ? content.text : JSON.stringify(content));

client.setRequestHandler(CreateMessageRequestSchema, async (request, extra) => {
  const prompt = request.params.messages.map((m) => textOf(m.content)).join("\n");
  const seen = { phase, requestId: extra.requestId, params: request.params };
  report.handlers.sampling.push(seen);
  if (phase === "concurrent") {
    Object.assign(seen, await barrier.arrive());
    answerOrder.push({ requestId: extra.requestId, method: "sampling/createMessage", prompt });
  }
  return { role: "assistant", content: { type: "text", text: modelAnswer(prompt) }, model: MODEL, stopReason: "endTurn" };
});

client.setRequestHandler(ElicitRequestSchema, async (request, extra) => {
  const seen = { phase, requestId: extra.requestId, params: request.params };
  report.handlers.elicitation.push(seen);
  if (phase === "concurrent") {
    Object.assign(seen, await barrier.arrive());
    answerOrder.push({ requestId: extra.requestId, method: "elicitation/create", message: request.params.message });
  }
  return { action: "accept", content: { answer: userAnswer(request.params.message) } };
});

client.setRequestHandler(ListRootsRequestSchema, async (request, extra) => {
  report.handlers.roots.push({ phase, requestId: extra.requestId, params: request.params ?? null });
  return { roots: ROOTS };
});

const transport = url
  ? new StreamableHTTPClientTransport(new URL(url))
  : new StdioClientTransport({
      command,
      args,
      env: { ...process.env }, // the SDK would otherwise pass only HOME, PATH, USER, ... (no PYTHONPATH)
      cwd: process.cwd(),
      stderr: "inherit", // the server's stderr goes straight to ours
    });
{
  // Over HTTP the transport needs the version for its MCP-Protocol-Version header: keep its own.
  const setProtocolVersion = transport.setProtocolVersion?.bind(transport);
  transport.setProtocolVersion = (v) => {
    report.protocolVersion = v;
    setProtocolVersion?.(v);
  };
}

let sessionClosed = false;
client.onclose = () => {
  sessionClosed = true;
};

// Wire taps (installed after connect): what we sent and what came back, with arrival times.
const sent = []; // {at, message}
const received = []; // {at, message}
const t0 = performance.now();

async function callTool(name, toolArgs, extraOptions = {}) {
  try {
    return await client.callTool({ name, arguments: toolArgs }, undefined, { ...requestOptions, ...extraOptions });
  } catch (err) {
    return { error: describeError(err) };
  }
}

/** The id of the tools/call we sent for `name` whose arguments satisfy `match`. */
function sentCallId(name, match = () => true) {
  const m = sent.find(
    ({ message }) => message.method === "tools/call" && message.params?.name === name && match(message.params.arguments ?? {}),
  );
  return m ? m.message.id : null;
}

function progressOnWire(token, fromMs = -Infinity) {
  return received
    .filter(({ at, message }) => at >= fromMs && message.method === "notifications/progress" && message.params?.progressToken === token)
    .map(({ at, message }) => ({ at, ...message.params }));
}

function responsesOnWire(id) {
  return received
    .filter(({ message }) => message.method === undefined && message.id === id)
    .map(({ at, message }) => ({ at, ...message }));
}

function readMarker() {
  return existsSync(marker) ? readFileSync(marker, "utf8") : null;
}

async function main() {
  let t = performance.now();
  try {
    await client.connect(transport, requestOptions);
  } catch (err) {
    report.error = { phase: "connect", ...describeError(err) };
    process.stderr.write(`sdk-surface-check: could not connect to ${url || command}: ${err?.message ?? err}\n`);
    finish(1);
    return;
  }
  report.timings.connectMs = msSince(t);
  report.serverVersion = client.getServerVersion() ?? null;
  report.capabilities = client.getServerCapabilities() ?? null;
  if (url) report.sessionId = transport.sessionId ?? null;

  const onmessage = transport.onmessage;
  transport.onmessage = (message, extra) => {
    received.push({ at: msSince(t0), message });
    if (message?.method !== undefined && message.id !== undefined) {
      report.serverRequestsWire.push({ id: message.id, method: message.method, params: message.params ?? null });
    }
    onmessage?.(message, extra);
  };
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    sent.push({ at: msSince(t0), message });
    return send(message, options);
  };

  const child = url ? null : transport._process; // private, but the only way to see how the server exits
  let exit = null;
  child?.once("exit", (code, signal) => {
    exit = { code, signal };
  });

  // The catalog: everything listed, then a prompt and both kinds of resource read.
  t = performance.now();
  report.tools = (await client.listTools({}, requestOptions)).tools;
  report.prompts = (await client.listPrompts({}, requestOptions)).prompts;
  report.resources = (await client.listResources({}, requestOptions)).resources;
  report.resourceTemplates = (await client.listResourceTemplates({}, requestOptions)).resourceTemplates;
  report.timings.listMs = msSince(t);
  report.getPrompt = await settle(client.getPrompt({ name: "review", arguments: { topic: "the wire format" } }, requestOptions));
  report.readResource.static = await settle(client.readResource({ uri: "surface://notes/static" }, requestOptions));
  report.readResource.template = await settle(client.readResource({ uri: "surface://greeting/ada" }, requestOptions));

  // The server asks the client, one call at a time.
  t = performance.now();
  report.calls.ask_host_model = await callTool("ask_host_model", { prompt: "what is two plus two?" });
  report.calls.ask_user = await callTool("ask_user", { question: "which colour?" });
  report.calls.list_roots = await callTool("list_roots", {});
  report.timings.askMs = msSince(t);

  // Progress: slow_steps(3) with a progress handler; the wire shows what the server sent.
  {
    const seen = [];
    const result = await callTool("slow_steps", { steps: 3 }, { onprogress: (p) => seen.push(p) });
    await new Promise((resolve) => setImmediate(resolve)); // let queued notification handlers run
    const id = sentCallId("slow_steps", (a) => a.steps === 3);
    const request = sent.find(({ message }) => message.id === id)?.message;
    const token = request?.params?._meta?.progressToken ?? null;
    report.progress = {
      requestId: id,
      progressToken: token,
      result,
      onprogress: seen,
      wire: progressOnWire(token),
      allProgressTokensOnWire: [
        ...new Set(received.filter(({ message }) => message.method === "notifications/progress").map(({ message }) => message.params?.progressToken)),
      ],
    };
  }

  // Cancellation: slow_steps(cancel-steps) aborted at its first progress notification.
  {
    const steps = opts["cancel-steps"];
    rmSync(marker, { force: true }); // a marker left by an earlier run must not count
    const ac = new AbortController();
    let abortedAt = null;
    const seen = [];
    t = performance.now();
    const pending = client
      .callTool({ name: "slow_steps", arguments: { steps, marker } }, undefined, {
        ...requestOptions,
        signal: ac.signal,
        onprogress: (p) => {
          seen.push(p);
          if (abortedAt === null) {
            abortedAt = msSince(t0);
            ac.abort(); // rejects with the signal's reason, a DOMException named AbortError
          }
        },
      })
      .then(
        (result) => ({ settledAt: msSince(t0), result }),
        (err) => ({ settledAt: msSince(t0), rejection: describeError(err) }),
      );
    const outcome = await pending;
    // Watch the marker while the server is still running: a task that was really stopped
    // writes "cancelled" at once; one that was not would write "finished" after ~steps/10 s.
    let markerContent = null;
    let markerSeenAt = null;
    const watchStart = performance.now();
    while (performance.now() - watchStart < opts["marker-wait-ms"]) {
      markerContent = readMarker();
      if (markerContent) {
        markerSeenAt = msSince(t0);
        break;
      }
      await sleep(25);
    }
    await sleep(opts["quiet-wait-ms"]); // time for a (wrong) answer to the cancelled call to show
    const id = sentCallId("slow_steps", (a) => a.marker === marker);
    const request = sent.find(({ message }) => message.id === id)?.message;
    const token = request?.params?._meta?.progressToken ?? null;
    report.cancel = {
      steps,
      requestId: id,
      progressToken: token,
      abortedAt,
      ...outcome,
      onprogress: seen,
      cancelledNotifications: sent
        .filter(({ message }) => message.method === "notifications/cancelled")
        .map(({ at, message }) => ({ at, ...message.params })),
      marker: { path: marker, content: markerContent, seenAt: markerSeenAt, msAfterAbort: markerSeenAt === null || abortedAt === null ? null : Math.round(markerSeenAt - abortedAt) },
      progressAfterAbort: abortedAt === null ? [] : progressOnWire(token, abortedAt),
      // filled in again at the end of the run, so it covers the rest of the session too
      responsesOnWire: responsesOnWire(id),
    };
    report.timings.cancelMs = msSince(t);
  }

  // Concurrency: PAIRS x (ask_host_model, ask_user) at once; the client's handlers hold their
  // answers until all the server->client requests are outstanding, then answer in reverse order.
  {
    phase = "concurrent";
    barrier = newBarrier(2 * PAIRS);
    t = performance.now();
    const calls = [];
    for (let i = 1; i <= PAIRS; i++) {
      calls.push(["ask_host_model", { prompt: `concurrent prompt A-${i}` }]);
      calls.push(["ask_user", { question: `concurrent question B-${i}` }]);
    }
    const results = await Promise.all(calls.map(([name, toolArgs]) => callTool(name, toolArgs)));
    phase = "done";
    report.concurrent = {
      wallMs: msSince(t),
      calls: calls.map(([name, toolArgs], i) => ({
        name,
        arguments: toolArgs,
        requestId: sentCallId(name, (a) => JSON.stringify(a) === JSON.stringify(toolArgs)),
        result: results[i],
      })),
      answerOrder,
    };
  }

  // After everything else: still no answer to the cancelled call?
  report.cancel.responsesOnWire = responsesOnWire(report.cancel.requestId);
  // A summary of every answer we got, to spot duplicates or strays.
  const sentIds = new Set(sent.filter(({ message }) => message.method !== undefined && message.id !== undefined).map(({ message }) => message.id));
  const answered = received.filter(({ message }) => message.method === undefined && message.id !== undefined).map(({ message }) => message.id);
  report.wire = {
    requestsSent: sentIds.size,
    responsesReceived: answered.length,
    duplicateResponseIds: [...new Set(answered.filter((id, i) => answered.indexOf(id) !== i))],
    responsesToUnknownIds: answered.filter((id) => !sentIds.has(id)),
    unansweredIds: [...sentIds].filter((id) => !answered.includes(id)),
  };

  if (sessionClosed) {
    report.error = { phase: "run", message: "the server closed the session during the run" };
  }

  t = performance.now();
  if (url) {
    // The server keeps running (the caller stops it); our session ends with DELETE.
    let terminated = null;
    try {
      await transport.terminateSession();
      terminated = transport.sessionId === undefined;
    } catch (err) {
      terminated = { error: describeError(err) };
    }
    await client.close();
    report.shutdown = { closeMs: msSince(t), terminated };
  } else {
    await client.close(); // stdin EOF, then SIGTERM after 2 s, then SIGKILL after 2 s more
    report.shutdown = { closeMs: msSince(t), exit };
  }

  if (report.error) {
    process.stderr.write(`sdk-surface-check: ${report.error.message}\n`);
    finish(1);
  } else {
    finish(0);
  }
}

/** A request's result, or {error} when it failed. */
async function settle(promise) {
  try {
    return await promise;
  } catch (err) {
    return { error: describeError(err) };
  }
}

function finish(code) {
  emitReportAndExit(report, code);
}

main().catch((err) => {
  report.error = { phase: "run", ...describeError(err) };
  process.stderr.write(`sdk-surface-check: ${err?.stack ?? err}\n`);
  finish(1);
});
