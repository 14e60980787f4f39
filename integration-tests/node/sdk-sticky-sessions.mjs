#!/usr/bin/env node
// Many sessions of the official TypeScript SDK client (Client + StreamableHTTPClientTransport)
// through one endpoint (a load balancer), each calling a tool that names the replica serving it,
// so a test can see whether every session keeps its replica and what a session whose replica died
// goes through. Driven line by line, so the test can kill a replica between phases:
//
//   node sdk-sticky-sessions.mjs [--sessions 20] [--tool env_var] [--replica-var TANDEM_IT_REPLICA]
//       [--timeout-ms 30000] -- <MCP endpoint URL>
//
// It connects the sessions one after the other (so a round-robin spreads them), prints
// {"phase":"connected",...}, then reads commands on stdin:
//   run <label> <rounds>   every session calls the tool <rounds> times (the sessions concurrently,
//                          each one call at a time); prints one JSON line for the phase
// and closes every session and exits 0 at the end of stdin.
//
// On a 404 (the SDK throws StreamableHTTPError with code 404: it does not re-initialize by itself)
// the session does what the spec tells a client to: a new Client and transport, initialize, and the
// same call again. The report says so (notFound, reinitialized) per session.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createInterface } from "node:readline";
import { describeError, parseArgv } from "./lib/common.mjs";

const USAGE =
  "node sdk-sticky-sessions.mjs [--sessions 20] [--tool env_var] [--replica-var TANDEM_IT_REPLICA] [--timeout-ms 30000] -- <url>";

const { opts, command: url } = parseArgv(
  process.argv.slice(2),
  {
    sessions: { type: "number", default: 20 },
    tool: { type: "string", default: "env_var" },
    "replica-var": { type: "string", default: "TANDEM_IT_REPLICA" },
    "timeout-ms": { type: "number", default: 30_000 },
  },
  USAGE,
);

const requestOptions = { timeout: opts["timeout-ms"] };

/** One session as the host sees it: the SDK objects, replaced on re-initialize. */
class Session {
  constructor(index) {
    this.index = index;
    this.generation = 0;
    this.resetPhase();
  }

  resetPhase() {
    this.phase = { served: [], ok: 0, notFound: 0, reinitialized: 0, errors: [] };
  }

  async connect() {
    const generation = ++this.generation;
    // Kept across phases, so an error between two phases (when a replica is killed) is reported.
    this.clientErrors = [];
    this.client = new Client({ name: `tandem-it-sticky-${this.index}`, version: "1.0.0" }, { capabilities: {} });
    // Errors off the call path (the standalone SSE stream) since this session was initialized: a
    // session whose replica is fine has none.
    this.client.onerror = (err) => {
      if (generation === this.generation) this.clientErrors.push(err?.message ?? String(err));
    };
    this.transport = new StreamableHTTPClientTransport(new URL(url));
    await this.client.connect(this.transport, requestOptions);
    this.sessionId = this.transport.sessionId;
  }

  async callOnce() {
    const result = await this.client.callTool(
      { name: opts.tool, arguments: { name: opts["replica-var"] } },
      undefined,
      requestOptions,
    );
    const text = result.content?.[0]?.text;
    if (result.isError || typeof text !== "string") throw new Error(`unexpected result ${JSON.stringify(result)}`);
    return text;
  }

  async call() {
    try {
      this.served(await this.callOnce());
    } catch (err) {
      if (!(err instanceof StreamableHTTPError) || err.code !== 404) {
        this.phase.errors.push(describeError(err));
        return;
      }
      this.phase.notFound++;
      try {
        const old = this.client;
        this.generation++; // the old session's stream errors are not this one's
        await old.close().catch(() => {});
        await this.connect();
        this.phase.reinitialized++;
        this.served(await this.callOnce());
      } catch (again) {
        this.phase.errors.push({ after404: true, ...describeError(again) });
      }
    }
  }

  served(replica) {
    this.phase.ok++;
    const runs = this.phase.served;
    if (runs.length === 0 || runs[runs.length - 1].replica !== replica) runs.push({ replica, calls: 1 });
    else runs[runs.length - 1].calls++;
  }

  report() {
    return { index: this.index, sessionId: this.sessionId, ...this.phase, clientErrors: this.clientErrors };
  }
}

function print(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

async function main() {
  const sessions = Array.from({ length: opts.sessions }, (_, i) => new Session(i));
  for (const s of sessions) await s.connect();
  print({ phase: "connected", sessions: sessions.map((s) => s.sessionId) });

  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [command, label, rounds] = line.trim().split(/\s+/);
    if (command !== "run") {
      print({ phase: "error", error: `unknown command: ${line}` });
      continue;
    }
    const t = performance.now();
    for (const s of sessions) s.resetPhase();
    await Promise.all(
      sessions.map(async (s) => {
        for (let r = 0; r < Number(rounds); r++) await s.call();
      }),
    );
    print({ phase: label, wallMs: Math.round(performance.now() - t), sessions: sessions.map((s) => s.report()) });
  }
  for (const s of sessions) {
    s.generation++;
    await s.client.close().catch(() => {});
  }
  process.exit(0);
}

main().catch((err) => {
  print({ phase: "error", error: describeError(err) });
  process.stderr.write(`sdk-sticky-sessions: ${err?.stack ?? err}\n`);
  process.exit(1);
});
