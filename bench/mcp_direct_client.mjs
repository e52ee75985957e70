// The same measurement as mcp_tool_latency.cpp with the official TypeScript SDK client calling the
// MCP server directly: node bench/mcp_direct_client.mjs <calls> stdio <server.js> | http <url>
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [calls, transportName, target] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const transport = transportName === 'stdio'
  ? new StdioClientTransport({ command: 'node', args: [target, 'stdio'], stderr: 'ignore' })
  : new StreamableHTTPClientTransport(new URL(target));
const client = new Client({ name: 'bench', version: '1.0.0' });
await client.connect(transport);
const micros = [];
for (let i = -50; i < calls; ++i) {
  const start = process.hrtime.bigint();
  await client.callTool({ name: 'echo', arguments: { message: 'benchmark' } });
  const end = process.hrtime.bigint();
  if (i >= 0) micros.push(Number(end - start) / 1000);
}
micros.sort((a, b) => a - b);
const at = (q) => Math.round(micros[Math.floor(q * (micros.length - 1))]);
console.log(JSON.stringify({
  client: 'official TypeScript SDK (direct)', transport: transportName, calls,
  mean_us: Math.round(micros.reduce((a, b) => a + b, 0) / micros.length),
  p50_us: at(0.5), p99_us: at(0.99),
}));
await client.close();
