// A small MCP server of ours that speaks only the stateless 2026-07-28 revision (no reference
// server exists for it yet): server/discover, tools/list in pages of 2 with nextCursor,
// tools/call; every request must carry _meta["io.modelcontextprotocol/protocolVersion"], and
// initialize is refused, as the revision removed it. Usage: node stateless_server.mjs [stdio|http]
// (http: POST /mcp on PORT, JSON replies; the MCP-Protocol-Version header must match _meta).
import http from 'node:http';
import readline from 'node:readline';

const VERSION = '2026-07-28';
const tools = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'].map((name) => ({
  name,
  description: `The ${name} tool: echoes its text`,
  inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
}));

function answer(message) {
  const { id, method, params = {} } = message;
  if (id === undefined) return null;  // notifications need no answer
  const error = (code, text) => ({ jsonrpc: '2.0', id, error: { code, message: text } });
  const result = (value) => ({ jsonrpc: '2.0', id, result: { resultType: 'complete', ...value } });
  const version = params._meta?.['io.modelcontextprotocol/protocolVersion'];
  if (method === 'initialize') return error(-32601, 'initialize was removed in 2026-07-28');
  if (version !== VERSION) {
    return error(-32602, `unsupported protocol version ${version}`);
  }
  if (method === 'server/discover') {
    return result({
      supportedVersions: [VERSION],
      capabilities: { tools: {} },
      serverInfo: { name: 'stateless-test-server', version: '1.0.0' },
    });
  }
  if (method === 'tools/list') {
    const start = params.cursor ? Number(params.cursor) : 0;
    const page = tools.slice(start, start + 2);
    const next = start + 2 < tools.length ? { nextCursor: String(start + 2) } : {};
    return result({ tools: page, ...next });
  }
  if (method === 'tools/call') {
    const tool = tools.find((t) => t.name === params.name);
    if (!tool) return error(-32602, `unknown tool ${params.name}`);
    return result({ content: [{ type: 'text', text: `${params.name}: ${params.arguments?.text ?? ''}` }] });
  }
  return error(-32601, `method not found: ${method}`);
}

if (process.argv[2] === 'http') {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      const message = JSON.parse(body);
      const reply = answer(message);
      const header = req.headers['mcp-protocol-version'];
      if (reply && header !== VERSION && message.method !== 'initialize') {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: -32600, message: 'MCP-Protocol-Version header missing' } }));
        return;
      }
      if (!reply) { res.writeHead(202); res.end(); return; }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply));
    });
  });
  server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
    console.error(`listening on ${server.address().port}`);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
} else {
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const reply = answer(JSON.parse(line));
    if (reply) process.stdout.write(JSON.stringify(reply) + '\n');
  });
  lines.on('close', () => process.exit(0));
}
