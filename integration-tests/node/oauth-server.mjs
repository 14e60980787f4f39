// A real OAuth 2.1 authorization server for tandem's OAuth tests: the official TypeScript SDK's
// auth router (mcpAuthRouter: metadata, dynamic registration, authorize with PKCE, token) over its
// in-memory demo provider, issuing JWT access tokens (RS256, keys published as a JWKS) or the
// demo's opaque tokens (checked through RFC 7662 introspection). Nothing here is tandem's code.
//
//   node oauth-server.mjs [--tokens jwt|opaque]
// Prints {"issuer": "..."} once listening on 127.0.0.1 (a free port); stops when stdin closes.
// /test/* lets a test mint the tokens a real server would refuse to issue (expired, another
// audience, another issuer, a forged signature) and rotate the signing key.
import express from 'express';
import { randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { mcpAuthRouter, createOAuthMetadata } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { DemoInMemoryAuthProvider } from '@modelcontextprotocol/sdk/examples/server/demoInMemoryOAuthProvider.js';

const args = process.argv.slice(2);
const mode = args.includes('--tokens') ? args[args.indexOf('--tokens') + 1] : 'jwt';
const INTROSPECTION_CLIENT = { id: 'tandem-rs', secret: 'introspect-secret-7f3a' };

let issuer;
let current = await newKey();
const forger = await newKey(current.kid); // same kid, another key: a forged signature

async function newKey(kid = randomUUID()) {
  const { publicKey, privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, jwk };
}

async function jwt({ sub = 'demo_user', aud, iss = issuer, expIn = 3600, nbfIn, scope = 'mcp:tools', clientId = 'test-client', key = current }) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { scope, client_id: clientId };
  if (nbfIn !== undefined) claims.nbf = now + nbfIn;
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt' })
    .setIssuer(iss).setSubject(sub).setAudience(aud).setIssuedAt(now).setExpirationTime(now + expIn)
    .setJti(randomUUID())
    .sign(key.privateKey);
}

class Provider extends DemoInMemoryAuthProvider {
  async exchangeAuthorizationCode(client, code, verifier) {
    const resource = this.codes.get(code)?.params.resource?.toString();
    const issued = await super.exchangeAuthorizationCode(client, code, verifier);
    if (mode !== 'jwt') return issued;
    const data = this.tokens.get(issued.access_token);
    return { ...issued, access_token: await jwt({ aud: resource, scope: data.scopes.join(' '), clientId: client.client_id }) };
  }
}
const provider = new Provider();

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: false }));
app.get('/.well-known/oauth-authorization-server', (req, res) => {
  const metadata = createOAuthMetadata({ provider, issuerUrl: new URL(issuer), scopesSupported: ['mcp:tools', 'reports:read'] });
  res.json({ ...metadata, jwks_uri: new URL('/jwks', issuer).href, introspection_endpoint: new URL('/introspect', issuer).href });
});
app.get('/jwks', (req, res) => res.json({ keys: [current.jwk] }));
app.post('/introspect', async (req, res) => {
  const expected = 'Basic ' + Buffer.from(`${INTROSPECTION_CLIENT.id}:${INTROSPECTION_CLIENT.secret}`).toString('base64');
  if (req.headers.authorization !== expected) return res.status(401).json({ error: 'invalid_client' });
  try {
    const t = await provider.verifyAccessToken(req.body.token);
    res.json({ active: true, iss: issuer, sub: provider.tokens.get(t.token).sub ?? t.clientId, client_id: t.clientId,
      scope: t.scopes.join(' '), exp: t.expiresAt, aud: t.resource?.toString() });
  } catch {
    res.json({ active: false });
  }
});
app.post('/test/mint', async (req, res) => {
  const b = req.body;
  if (b.opaque) {
    const token = randomUUID();
    provider.tokens.set(token, { token, clientId: b.clientId ?? 'test-client', sub: b.sub, scopes: (b.scope ?? 'mcp:tools').split(' '),
      expiresAt: Date.now() + (b.expIn ?? 3600) * 1000, resource: b.aud, type: 'access' });
    return res.json({ access_token: token });
  }
  res.json({ access_token: await jwt({ ...b, key: b.forged ? forger : current }) });
});
app.post('/test/rotate', async (req, res) => {
  current = await newKey();
  res.json({ kid: current.kid });
});

// The router needs its issuer URL, which names the port: it is mounted once listening.
const server = app.listen(0, '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}/`;
  app.use(mcpAuthRouter({ provider, issuerUrl: new URL(issuer), scopesSupported: ['mcp:tools', 'reports:read'] }));
  process.stdout.write(JSON.stringify({ issuer }) + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
