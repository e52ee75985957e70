// An MCP "server" that answers every line with text that is not JSON-RPC.
import readline from 'node:readline';
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', () => process.stdout.write('this is not JSON {{{\n'));
lines.on('close', () => process.exit(0));
