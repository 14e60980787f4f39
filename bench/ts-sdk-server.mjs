// make bench --only http: the server an operator could run instead of tandem over Streamable HTTP,
// the official TypeScript SDK v1 (pinned in integration-tests/node/package-lock.json), written
// the way its own example (dist/esm/examples/server/simpleStreamableHttp.js) is: McpServer, an
// Express app from createMcpExpressApp, and one stateful StreamableHTTPServerTransport per
// session, on its defaults (answers on SSE). It serves the same trivial tool as tandem's bench
// config: echo(text, times=1).
//
//   node bench/ts-sdk-server.mjs [--port 0]
//
// Prints "listening on http://127.0.0.1:PORT/mcp" on stdout once it accepts connections.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'integration-tests', 'node', 'package.json'));
const { McpServer } = require('@modelcontextprotocol/sdk/server/mcp.js');
const { StreamableHTTPServerTransport } = require('@modelcontextprotocol/sdk/server/streamableHttp.js');
const { createMcpExpressApp } = require('@modelcontextprotocol/sdk/server/express.js');
const { isInitializeRequest } = require('@modelcontextprotocol/sdk/types.js');
const z = require('zod/v4');

const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 0;

function newServer() {
  const server = new McpServer({ name: 'ts-sdk-bench', version: '1.0.0' });
  server.registerTool('echo', {
    description: 'Say the text back, repeated.',
    inputSchema: { text: z.string(), times: z.number().int().optional() },
    annotations: { readOnlyHint: true, idempotentHint: true },
  }, async ({ text, times }) => ({ content: [{ type: 'text', text: Array(times ?? 1).fill(text).join(' ') }] }));
  return server;
}

const transports = new Map();
const app = createMcpExpressApp();

app.post('/mcp', async (req, res) => {
  try {
    const sessionId = req.headers['mcp-session-id'];
    let transport = sessionId ? transports.get(sessionId) : undefined;
    if (!transport) {
      if (sessionId || !isInitializeRequest(req.body)) {
        res.status(sessionId ? 404 : 400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'no such session' }, id: null });
        return;
      }
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => transports.set(id, transport),
      });
      transport.onclose = () => { if (transport.sessionId) transports.delete(transport.sessionId); };
      await newServer().connect(transport);
    }
    await transport.handleRequest(req, res, req.body);
  } catch (error) {
    console.error('error handling an MCP request:', error);
    if (!res.headersSent) res.status(500).json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null });
  }
});

const sessionRequest = async (req, res) => {
  const transport = transports.get(req.headers['mcp-session-id']);
  if (!transport) {
    res.status(400).send('no such session');
    return;
  }
  await transport.handleRequest(req, res);
};
app.get('/mcp', sessionRequest);
app.delete('/mcp', sessionRequest);

const listener = app.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${listener.address().port}/mcp`);
});
process.on('SIGTERM', () => process.exit(0));
