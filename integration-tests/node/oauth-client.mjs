#!/usr/bin/env node
// The official TypeScript SDK client doing MCP authorization against a server, as a host would:
// connect, get 401, read the protected resource metadata its WWW-Authenticate names, discover the
// authorization server, register (RFC 7591), authorize with PKCE, exchange the code, reconnect
// with the token and call a tool. Prints one JSON report: what each step saw, the tool's answer.
//
//   node oauth-client.mjs -- <MCP endpoint URL> <tool name>
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";

const sep = process.argv.indexOf("--");
const [url, tool] = process.argv.slice(sep + 1);
const report = { url, seen: [] };

// Record every response the SDK gets, so the report shows the real flow (401, metadata, ...).
const traced = async (input, init) => {
  const res = await fetch(input, init);
  report.seen.push({ method: init?.method ?? "GET", url: String(input), status: res.status,
    wwwAuthenticate: res.headers.get("www-authenticate") ?? undefined });
  return res;
};

class InMemoryProvider {
  constructor() { this.store = {}; }
  get redirectUrl() { return "http://127.0.0.1:9/callback"; }
  get clientMetadata() {
    return { client_name: "tandem oauth IT", redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code", "refresh_token"], response_types: ["code"], token_endpoint_auth_method: "none" };
  }
  clientInformation() { return this.store.client; }
  saveClientInformation(c) { this.store.client = c; report.registeredClientId = c.client_id; }
  tokens() { return this.store.tokens; }
  saveTokens(t) { this.store.tokens = t; report.tokenScope = t.scope; }
  saveCodeVerifier(v) { this.store.verifier = v; }
  codeVerifier() { return this.store.verifier; }
  async redirectToAuthorization(authorizationUrl) {
    // The "browser": the demo provider logs its user in and redirects back at once.
    report.authorizationUrl = authorizationUrl.href;
    report.pkce = authorizationUrl.searchParams.get("code_challenge_method");
    report.resource = authorizationUrl.searchParams.get("resource");
    const res = await fetch(authorizationUrl, { redirect: "manual" });
    this.store.code = new URL(res.headers.get("location")).searchParams.get("code");
  }
}

const provider = new InMemoryProvider();
try {
  const first = new Client({ name: "oauth-it", version: "1" });
  try {
    await first.connect(new StreamableHTTPClientTransport(new URL(url), { authProvider: provider, fetch: traced }));
    report.connectedWithoutAuth = true;
  } catch (e) {
    if (!(e instanceof UnauthorizedError)) throw e;
    report.unauthorizedFirst = true;
  }
  const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider, fetch: traced });
  if (report.unauthorizedFirst) await transport.finishAuth(provider.store.code);
  const client = new Client({ name: "oauth-it", version: "1" });
  await client.connect(transport);
  const result = await client.callTool({ name: tool, arguments: {} });
  report.result = result;
  await client.close();
  console.log(JSON.stringify(report));
} catch (e) {
  report.error = String(e?.stack ?? e);
  console.log(JSON.stringify(report));
  process.exit(1);
}
