// Shared helpers for the integration-test client scripts.
//
// Every script is called as:  node <script>.mjs [options] -- <server command> [server args...]
// and prints exactly one JSON report object on stdout (stderr is for humans).

/**
 * Split argv into our own options (before `--`) and the server command line (after `--`).
 * `spec` maps option names (without `--`) to { type: "number" | "string" | "boolean" | "list", default }.
 * A "list" option may be given several times and collects its values.
 */
export function parseArgv(argv, spec, usage) {
  const sep = argv.indexOf("--");
  if (sep < 0 || sep === argv.length - 1) {
    fail(`usage: ${usage}\n(the MCP server command line must follow "--")`, 64);
  }
  const ours = argv.slice(0, sep);
  const server = argv.slice(sep + 1);
  const opts = {};
  for (const [name, { default: def }] of Object.entries(spec)) opts[name] = Array.isArray(def) ? [...def] : def;
  for (let i = 0; i < ours.length; i++) {
    const arg = ours[i];
    if (arg === "-h" || arg === "--help") {
      process.stderr.write(`usage: ${usage}\n`);
      process.exit(0);
    }
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !(m[1] in spec)) fail(`unknown option ${arg}\nusage: ${usage}`, 64);
    const { type } = spec[m[1]];
    let value = m[2];
    if (type === "boolean") {
      opts[m[1]] = value === undefined ? true : value !== "false";
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= ours.length) fail(`option ${arg} needs a value`, 64);
      value = ours[++i];
    }
    if (type === "number") {
      const n = Number(value);
      if (!Number.isFinite(n)) fail(`option ${arg} needs a number, got ${value}`, 64);
      opts[m[1]] = n;
    } else if (type === "list") {
      opts[m[1]].push(value);
    } else {
      opts[m[1]] = value;
    }
  }
  return { opts, command: server[0], args: server.slice(1) };
}

/** Print a message on stderr and exit with `code`. */
export function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** Write the report as one line of JSON on stdout, wait until it is flushed, then exit. */
export function emitReportAndExit(report, code) {
  const text = `${JSON.stringify(report)}\n`;
  process.stdout.write(text, () => process.exit(code));
}

/** A JSON-safe description of an error (McpError keeps its JSON-RPC code and data). */
export function describeError(err) {
  if (err === null || typeof err !== "object") return { message: String(err) };
  const out = { name: err.name, message: err.message };
  if (err.code !== undefined) out.code = err.code;
  if (err.data !== undefined) out.data = err.data;
  return out;
}

/** Milliseconds since `start` (a performance.now() value), rounded to 0.1 ms. */
export function msSince(start) {
  return Math.round((performance.now() - start) * 10) / 10;
}
