#!/usr/bin/env node
'use strict';
// Load tool for bench/streams_in_flight.sh: opens N connections at once, each sending ONE
// streamed request (Connection: close), reads its Server-Sent Events to the end and stops; wrk
// cannot express "each connection one request, then stop". Bounded: N <= 20000, loopback only,
// every stream aborted after --timeout-ms.
//
//   through the host: a streamed chat, POST /agents/<agent>/chat with "stream": true
//     node bench/stream_load.js --port 18081 --agent bench_openai --connections 1000 \
//          --message '[[words:4]][[answer_ms:2000]] hello' [--timeout-ms 60000]
//   straight to the fake upstream, the baseline: POST /v1/chat/completions with a recorded body
//     node bench/stream_load.js --port 18090 --direct-body upstream.json --connections 1000
//
// A stream is completed when the status is 200 and it ends with the host's `done` event or the
// OpenAI `data: [DONE]`; anything else (a status, an `error` event, a reset, a timeout) is an
// error, counted by reason. Latency runs from the request's start (before connecting) to the end
// of the response. Prints one JSON object:
// {connections, completed, errors, error_reasons, latency_ms: {p50, p90, p99, max}, wall_ms}.
const fs = require('fs');
const http = require('http');

function parseArgs(argv) {
  const options = { port: 0, agent: '', connections: 0, message: '', directBody: '',
    timeoutMs: 60000 };
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${argv[i]} needs a value`);
    switch (argv[i]) {
      case '--port': options.port = Number(value); break;
      case '--agent': options.agent = value; break;
      case '--connections': options.connections = Number(value); break;
      case '--message': options.message = value; break;
      case '--direct-body': options.directBody = value; break;
      case '--timeout-ms': options.timeoutMs = Number(value); break;
      default: throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  if (!(options.port > 0 && options.port < 65536)) throw new Error('--port is required');
  if (!options.directBody && (!options.agent || !options.message)) {
    throw new Error('--agent and --message (or --direct-body) are required');
  }
  if (!(Number.isInteger(options.connections) && options.connections >= 1 &&
        options.connections <= 20000)) {
    throw new Error('--connections must be 1..20000');
  }
  if (!(options.timeoutMs >= 1000 && options.timeoutMs <= 600000)) {
    throw new Error('--timeout-ms must be 1000..600000');
  }
  return options;
}

// How a stream ended: the host's last event name, or "[DONE]" for an OpenAI stream. Only the
// response's tail is kept, so memory stays small.
function lastEvent(tail) {
  if (/^data: \[DONE\]\s*$/m.test(tail)) return 'done';
  const names = [...tail.matchAll(/^event: *(\S+)/gm)];
  return names.length ? names[names.length - 1][1] : '';
}

function oneStream(options, target) {
  const { path, headers, body } = target;
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    let tail = '';
    let settled = false;
    const finish = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, error });
    };
    const request = http.request({
      host: '127.0.0.1', port: options.port, method: 'POST', path,
      agent: false,  // a connection of its own
      headers: Object.assign({ 'Content-Type': 'application/json', 'Accept': 'text/event-stream',
        'Content-Length': body.length, 'Connection': 'close' }, headers),
    }, (response) => {
      response.setEncoding('utf8');
      response.on('data', (text) => { tail = (tail + text).slice(-4096); });
      response.on('end', () => {
        if (response.statusCode !== 200) return finish(`status ${response.statusCode}`);
        const last = lastEvent(tail);
        finish(last === 'done' ? null : `last event ${last || 'none'}`);
      });
      response.on('error', (e) => finish(e.code || e.message));
      response.on('aborted', () => finish('response aborted'));
    });
    const timer = setTimeout(() => {
      finish('timeout');
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (e) => finish(e.code || e.message));
    request.end(body);
  });
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, index)] * 10) / 10;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const target = options.directBody
    ? { path: '/v1/chat/completions', headers: { Authorization: 'Bearer sk-fake-test-key' },
      body: fs.readFileSync(options.directBody) }
    : { path: `/agents/${options.agent}/chat`, headers: {},
      body: Buffer.from(JSON.stringify({ user_id: 'bench-user', message: options.message,
        stream: true })) };
  const begin = process.hrtime.bigint();
  const results = await Promise.all(
    Array.from({ length: options.connections }, () => oneStream(options, target)));
  const wallMs = Number(process.hrtime.bigint() - begin) / 1e6;
  const reasons = {};
  const completed = results.filter((r) => !r.error).map((r) => r.ms).sort((a, b) => a - b);
  for (const r of results) if (r.error) reasons[r.error] = (reasons[r.error] || 0) + 1;
  process.stdout.write(JSON.stringify({
    connections: options.connections, completed: completed.length,
    errors: results.length - completed.length, error_reasons: reasons,
    latency_ms: { p50: percentile(completed, 50), p90: percentile(completed, 90),
      p99: percentile(completed, 99), max: percentile(completed, 100) },
    wall_ms: Math.round(wallMs) }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`stream_load: ${e.message}\n`);
  process.exit(2);
});
