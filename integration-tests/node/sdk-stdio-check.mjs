#!/usr/bin/env node
// Drives an MCP stdio server with the official TypeScript SDK client and prints one JSON report.
//
//   node sdk-stdio-check.mjs [options] -- <server command> [server args...]
//
// Exit 0: the client run completed (the report says what the server answered; the JUnit test
// asserts on it). Exit 1: could not connect/initialize, or the session died mid-run. Exit 3:
// the overall deadline passed. Exit 64: bad usage. On 1 and 3 a partial report with "error" is
// still printed on stdout and the reason on stderr.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { readFileSync } from "node:fs";
import { describeError, emitReportAndExit, fail, msSince, parseArgv } from "./lib/common.mjs";

const USAGE =
  "node sdk-stdio-check.mjs [--timeout-ms 60000] [--concurrency 200] [--concurrent-sleep 0.2] " +
  "[--deadline-ms 600000] [--skip-concurrent] -- <server command> [args...]";

const { opts, command, args } = parseArgv(
  process.argv.slice(2),
  {
    "timeout-ms": { type: "number", default: 60_000 },
    concurrency: { type: "number", default: 200 },
    "concurrent-sleep": { type: "number", default: 0.2 },
    "deadline-ms": { type: "number", default: 600_000 },
    "skip-concurrent": { type: "boolean", default: false },
  },
  USAGE,
);

// The sequential calls, in order. `count` is also called with a progress handler.
const CALLS = [
  ["echo", { text: "hi", times: 2 }],
  ["text_stats", { text: "one two\nthree" }],
  ["fail", { message: "boom" }],
  ["shout", { text: "hey" }],
  ["sleep", { seconds: 0.01 }],
  ["count", { n: 3 }],
];

// (the package's "exports" map sends "@modelcontextprotocol/sdk/package.json" to dist/cjs/package.json)
const sdkVersion = JSON.parse(
  readFileSync(new URL("./node_modules/@modelcontextprotocol/sdk/package.json", import.meta.url), "utf8"),
).version;

const report = {
  client: { sdk: "@modelcontextprotocol/sdk", sdkVersion, node: process.version },
  server: { command, args },
  protocolVersion: null,
  serverVersion: null,
  capabilities: null,
  instructions: null,
  timings: {},
  tools: [],
  toolsPages: 0,
  calls: {},
  progress: {},
  progressWire: {},
  concurrent: null,
  logs: [],
  otherNotifications: [],
  clientErrors: [],
  shutdown: null,
};

const requestOptions = { timeout: opts["timeout-ms"] };

const deadline = setTimeout(() => {
  report.error = { message: `deadline of ${opts["deadline-ms"]} ms exceeded` };
  process.stderr.write(`sdk-stdio-check: ${report.error.message}\n`);
  emitReportAndExit(report, 3);
}, opts["deadline-ms"]);
deadline.unref();

const client = new Client({ name: "tandem-it-sdk-stdio-check", version: "1.0.0" }, { capabilities: {} });
client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
  report.logs.push(n.params);
});
client.fallbackNotificationHandler = async (n) => {
  report.otherNotifications.push(n);
};
client.onerror = (err) => {
  report.clientErrors.push(err?.message ?? String(err));
};

const transport = new StdioClientTransport({
  command,
  args,
  env: { ...process.env }, // the SDK would otherwise pass only HOME, PATH, USER, ... (no PYTHONPATH)
  cwd: process.cwd(),
  stderr: "inherit", // the server's stderr goes straight to ours
});
// The SDK hands the negotiated version to transports that want it (HTTP); stdio does not, so catch it here.
transport.setProtocolVersion = (v) => {
  report.protocolVersion = v;
};

let sessionClosed = false;
client.onclose = () => {
  sessionClosed = true;
};

/** Calls a tool and returns its full result, or {error} when the request itself failed. */
async function call(name, toolArgs, extraOptions = {}) {
  try {
    return await client.callTool({ name, arguments: toolArgs }, undefined, { ...requestOptions, ...extraOptions });
  } catch (err) {
    return { error: describeError(err) };
  }
}

async function main() {
  let t = performance.now();
  try {
    await client.connect(transport, requestOptions);
  } catch (err) {
    report.error = { phase: "connect", ...describeError(err) };
    process.stderr.write(`sdk-stdio-check: could not connect to ${command}: ${err?.message ?? err}\n`);
    emitReportAndExit(report, 1);
    return;
  }
  report.timings.connectMs = msSince(t);
  report.serverVersion = client.getServerVersion() ?? null;
  report.capabilities = client.getServerCapabilities() ?? null;
  report.instructions = client.getInstructions() ?? null;

  // Every notifications/progress as it comes off the wire. The SDK delivers notifications to
  // handlers in a microtask but settles the response synchronously (and drops the call's progress
  // handler then), so progress that arrives in the same stdout chunk as the result never reaches
  // `onprogress` (the SDK reports it via onerror as "unknown token"). "progressWire" shows what the
  // server really sent; "progress" what the SDK delivered.
  let wireProgress = null;
  const onmessage = transport.onmessage;
  transport.onmessage = (message, extra) => {
    if (wireProgress && message?.method === "notifications/progress") wireProgress.push(message.params);
    onmessage?.(message, extra);
  };

  const child = transport._process; // private, but the only way to see how the server exits
  let exit = null;
  child?.once("exit", (code, signal) => {
    exit = { code, signal };
  });

  // tools/list, following nextCursor until exhausted.
  t = performance.now();
  let cursor;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor }, requestOptions);
    report.tools.push(...page.tools);
    report.toolsPages++;
    cursor = page.nextCursor;
    if (report.toolsPages > 1000) throw new Error("tools/list pagination does not end");
  } while (cursor !== undefined && cursor !== null);
  report.timings.listToolsMs = msSince(t);

  report.timings.callsMs = {};
  for (const [name, toolArgs] of CALLS) {
    t = performance.now();
    if (name === "count") {
      const seen = [];
      wireProgress = [];
      report.calls[name] = await call(name, toolArgs, { onprogress: (p) => seen.push(p) });
      await new Promise((resolve) => setImmediate(resolve)); // let queued notification handlers run
      report.progress[name] = seen;
      report.progressWire[name] = wireProgress;
      wireProgress = null;
    } else {
      report.calls[name] = await call(name, toolArgs);
    }
    report.timings.callsMs[name] = msSince(t);
  }

  if (!opts["skip-concurrent"]) {
    const n = opts.concurrency;
    const seconds = opts["concurrent-sleep"];
    t = performance.now();
    const single = await call("sleep", { seconds });
    const singleMs = msSince(t);
    t = performance.now();
    const results = await Promise.all(Array.from({ length: n }, () => call("sleep", { seconds })));
    const wallMs = msSince(t);
    const failures = results.filter((r) => r.error || r.isError);
    const sampleErrors = [...new Set(failures.map((r) => JSON.stringify(r.error ?? r.content)))].slice(0, 5);
    report.concurrent = {
      n,
      sleepSeconds: seconds,
      ok: n - failures.length,
      failed: failures.length,
      wallMs,
      singleMs,
      singleOk: !(single.error || single.isError),
      sampleErrors: sampleErrors.map((s) => JSON.parse(s)),
    };
  }

  if (sessionClosed) {
    report.error = { phase: "run", message: "the server closed the session during the run" };
  }

  t = performance.now();
  await client.close(); // stdin EOF, then SIGTERM after 2 s, then SIGKILL after 2 s more
  report.shutdown = { closeMs: msSince(t), exit };

  if (report.error) {
    process.stderr.write(`sdk-stdio-check: ${report.error.message}\n`);
    emitReportAndExit(report, 1);
  } else {
    emitReportAndExit(report, 0);
  }
}

main().catch((err) => {
  report.error = { phase: "run", ...describeError(err) };
  process.stderr.write(`sdk-stdio-check: ${err?.stack ?? err}\n`);
  emitReportAndExit(report, 1);
});
