#!/usr/bin/env node
// Drives an MCP server over Streamable HTTP with the official TypeScript SDK client
// (StreamableHTTPClientTransport) and prints one JSON report.
//
//   node sdk-http-check.mjs [options] -- <MCP endpoint URL>
//
// Exit 0: the run completed (the report says what the server answered; the JUnit test asserts on
// it). Exit 1: could not connect/initialize, or the run failed. Exit 3: the overall deadline
// passed. Exit 64: bad usage. On 1 and 3 a partial report with "error" is still printed.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { readFileSync } from "node:fs";
import { describeError, emitReportAndExit, msSince, parseArgv } from "./lib/common.mjs";

const USAGE = "node sdk-http-check.mjs [--timeout-ms 60000] [--concurrency 50] [--deadline-ms 300000] -- <url>";

const { opts, command: url } = parseArgv(
  process.argv.slice(2),
  {
    "timeout-ms": { type: "number", default: 60_000 },
    concurrency: { type: "number", default: 50 },
    "deadline-ms": { type: "number", default: 300_000 },
  },
  USAGE,
);

const CALLS = [
  ["echo", { text: "hi", times: 2 }],
  ["text_stats", { text: "one two\nthree" }],
  ["fail", { message: "boom" }],
  ["count", { n: 3 }],
];

const sdkVersion = JSON.parse(
  readFileSync(new URL("./node_modules/@modelcontextprotocol/sdk/package.json", import.meta.url), "utf8"),
).version;

const report = {
  client: { sdk: "@modelcontextprotocol/sdk", sdkVersion, node: process.version, transport: "StreamableHTTPClientTransport" },
  url,
  protocolVersion: null,
  sessionIdLength: null,
  serverVersion: null,
  capabilities: null,
  tools: [],
  calls: {},
  progress: {},
  progressWire: {},
  concurrent: null,
  clientErrors: [],
  terminated: null,
  afterTerminate: null,
};

const requestOptions = { timeout: opts["timeout-ms"] };

const deadline = setTimeout(() => {
  report.error = { message: `deadline of ${opts["deadline-ms"]} ms exceeded` };
  process.stderr.write(`sdk-http-check: ${report.error.message}\n`);
  emitReportAndExit(report, 3);
}, opts["deadline-ms"]);
deadline.unref();

const client = new Client({ name: "tandem-it-sdk-http-check", version: "1.0.0" }, { capabilities: {} });
client.onerror = (err) => {
  report.clientErrors.push(err?.message ?? String(err));
};
const transport = new StreamableHTTPClientTransport(new URL(url));

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
    process.stderr.write(`sdk-http-check: could not connect to ${url}: ${err?.message ?? err}\n`);
    emitReportAndExit(report, 1);
    return;
  }
  report.timings = { connectMs: msSince(t) };
  report.protocolVersion = transport.protocolVersion ?? null;
  report.sessionIdLength = transport.sessionId?.length ?? null;
  report.serverVersion = client.getServerVersion() ?? null;
  report.capabilities = client.getServerCapabilities() ?? null;

  // Every notifications/progress as it comes off the streams, whatever the SDK then delivers.
  let wireProgress = null;
  const onmessage = transport.onmessage;
  transport.onmessage = (message, extra) => {
    if (wireProgress && message?.method === "notifications/progress") wireProgress.push(message.params);
    onmessage?.(message, extra);
  };

  let cursor;
  let pages = 0;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor }, requestOptions);
    report.tools.push(...page.tools);
    cursor = page.nextCursor;
    if (++pages > 1000) throw new Error("tools/list pagination does not end");
  } while (cursor !== undefined && cursor !== null);

  for (const [name, toolArgs] of CALLS) {
    if (name === "count") {
      const seen = [];
      wireProgress = [];
      report.calls[name] = await call(name, toolArgs, { onprogress: (p) => seen.push(p) });
      await new Promise((resolve) => setImmediate(resolve));
      report.progress[name] = seen;
      report.progressWire[name] = wireProgress;
      wireProgress = null;
    } else {
      report.calls[name] = await call(name, toolArgs);
    }
  }

  const n = opts.concurrency;
  t = performance.now();
  const results = await Promise.all(Array.from({ length: n }, (_, i) => call("echo", { text: `c${i}` })));
  report.concurrent = {
    n,
    wallMs: msSince(t),
    ok: results.filter((r, i) => !r.error && !r.isError && r.content?.[0]?.text === `c${i}`).length,
  };

  await transport.terminateSession();
  report.terminated = transport.sessionId === undefined;
  // The deleted session's id is gone from the transport too, so send it by hand: 404 expected.
  try {
    await client.listTools({}, requestOptions);
    report.afterTerminate = { ok: true };
  } catch (err) {
    report.afterTerminate = describeError(err);
  }
  await client.close();
  emitReportAndExit(report, 0);
}

main().catch((err) => {
  report.error = { phase: "run", ...describeError(err) };
  process.stderr.write(`sdk-http-check: ${err?.stack ?? err}\n`);
  emitReportAndExit(report, 1);
});
