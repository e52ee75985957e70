// An MCP server built on the official TypeScript SDK (@modelcontextprotocol/sdk, handshake era),
// for the client behaviours server-everything cannot show or let a test observe. Usage:
//   node sdk_server.mjs stdio
//   node sdk_server.mjs http      (Streamable HTTP on 127.0.0.1:$PORT/mcp, one session each)
// Tools (tools/list in pages of 2, with nextCursor):
//   echo {text}             -> "echo: <text>"
//   slow {ms}               -> waits, or stops when the client cancels (notifications/cancelled),
//                              recording the request id and reason
//   ping_client {via}       -> pings the client and says "pong" when it answered; over HTTP,
//                              via "listen" sends the ping on the GET stream, via "request" on
//                              this call's own response stream
//   add_tool {name, notify} -> adds a tool; with notify, tells the client (tools/list_changed,
//                              on the GET stream over HTTP)
// Over HTTP, for tests: GET /stats (TCP connections accepted and the MCP requests each carried,
// initializations, GETs received and GET streams open, DELETEs, cancellations), POST /expire (forgets every session: the next
// request gets a 404), and NO_LISTEN=1 in the environment answers GET with 405 (a server with no listening stream).
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  EmptyResultSchema,
  ListToolsRequestSchema,
  isInitializeRequest,
} from '@modelcontextprotocol/sdk/types.js';

const PAGE = 2;
const stats = {
  connections: 0,
  requests_per_connection: [],  // "P G D " per connection: what it carried
  initializations: 0,
  gets: 0,
  listening: 0,
  deletes: 0,
  cancelled: [],
};
const tool = (name, description) => ({
  name,
  description,
  inputSchema: { type: 'object', properties: {} },
});
const tools = [
  tool('echo', 'Echoes its text'),
  tool('slow', 'Waits ms milliseconds unless cancelled'),
  tool('ping_client', 'Pings the client'),
  tool('add_tool', 'Adds a tool'),
];

const text = (value, isError = false) => ({ content: [{ type: 'text', text: value }], isError });

function makeServer() {
  const server = new Server(
    { name: 'sdk-test-server', version: '1.0.0' },
    { capabilities: { tools: { listChanged: true } } },
  );
  server.setRequestHandler(ListToolsRequestSchema, async (request) => {
    const start = request.params?.cursor ? Number(request.params.cursor) : 0;
    const next = start + PAGE < tools.length ? { nextCursor: String(start + PAGE) } : {};
    return { tools: tools.slice(start, start + PAGE), ...next };
  });
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const args = request.params.arguments ?? {};
    switch (request.params.name) {
      case 'echo':
        return text(`echo: ${args.text ?? ''}`);
      case 'slow':
        return await new Promise((resolve) => {
          const timer = setTimeout(() => resolve(text('slow: done')), Number(args.ms ?? 30000));
          extra.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            stats.cancelled.push({ requestId: extra.requestId, reason: String(extra.signal.reason) });
            resolve(text('slow: cancelled', true));
          });
        });
      case 'ping_client':
        try {
          const options = { timeout: 3000 };
          if (args.via === 'request') {
            await extra.sendRequest({ method: 'ping' }, EmptyResultSchema, options);
          } else {
            await server.request({ method: 'ping' }, EmptyResultSchema, options);
          }
          return text('pong');
        } catch (error) {
          return text(`no pong: ${error.message}`, true);
        }
      case 'add_tool':
        tools.push(tool(String(args.name), 'Added at run time'));
        if (args.notify) await server.sendToolListChanged();
        return text(`added ${args.name}`);
      default:
        return text(`unknown tool ${request.params.name}`, true);
    }
  });
  return server;
}

if (process.argv[2] === 'http') {
  const sessions = new Map();
  const reply = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const httpServer = http.createServer(async (req, res) => {
    const path = new URL(req.url, 'http://localhost').pathname;
    if (path === '/stats') return reply(res, 200, stats);
    stats.requests_per_connection[req.socket.connectionIndex] += `${req.method[0]} `;
    if (path === '/expire') {
      const closing = [...sessions.values()];
      sessions.clear();
      for (const transport of closing) await transport.close();
      return reply(res, 200, { expired: closing.length });
    }
    if (path !== '/mcp') return reply(res, 404, { error: 'not found' });
    let body;
    if (req.method === 'POST') {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      body = JSON.parse(raw);
    }
    if (req.method === 'GET') {
      stats.gets += 1;
      if (process.env.NO_LISTEN === '1') {
        res.writeHead(405, { allow: 'POST, DELETE' });
        return res.end();
      }
      // Counted when the stream's head goes out (the SDK has registered it by then).
      const writeHead = res.writeHead.bind(res);
      res.writeHead = (status, ...rest) => {
        if (status === 200) {
          stats.listening += 1;
          res.on('close', () => { stats.listening -= 1; });
        }
        return writeHead(status, ...rest);
      };
    }
    if (req.method === 'DELETE') stats.deletes += 1;
    const id = req.headers['mcp-session-id'];
    if (id !== undefined) {
      const transport = sessions.get(id);
      if (!transport) {
        return reply(res, 404, { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } });
      }
      return transport.handleRequest(req, res, body);
    }
    if (req.method === 'POST' && isInitializeRequest(body)) {
      stats.initializations += 1;
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sessionId) => sessions.set(sessionId, transport),
        onsessionclosed: (sessionId) => sessions.delete(sessionId),
      });
      await makeServer().connect(transport);
      return transport.handleRequest(req, res, body);
    }
    return reply(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'no session' } });
  });
  httpServer.on('connection', (socket) => {
    socket.connectionIndex = stats.connections;
    stats.connections += 1;
    stats.requests_per_connection.push('');
  });
  httpServer.listen(Number(process.env.PORT || 0), '127.0.0.1');
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
} else {
  await makeServer().connect(new StdioServerTransport());
}
