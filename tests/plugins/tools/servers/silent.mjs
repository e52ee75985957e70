// An MCP "server" that reads its stdin and never answers: the client must time out, not hang.
process.stdin.on('data', () => {});
process.stdin.on('end', () => process.exit(0));
