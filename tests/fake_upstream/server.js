#!/usr/bin/env node
'use strict';
// A fake OpenAI- and Anthropic-compatible upstream for tests and benchmarks: the real wire formats,
// scripted by directives in the last user message (see README.md in this folder).
//
//   node tests/fake_upstream/server.js [--port N] [--host 127.0.0.1] [--tls-cert F --tls-key F]
//                                      [--api-key K] [--exit-with-stdin]
//
// Prints exactly one line, "LISTENING <port>", on stdout when ready; everything else goes to stderr.

const fs = require('fs');
const http = require('http');
const https = require('https');
const { URL } = require('url');

const openai = require('./openai_format');
const anthropic = require('./anthropic_format');
const { buildReply } = require('./scenario');
const { DirectiveError } = require('./directives');
const { Delivery, deliberatelyCut, sendStream, sendBody } = require('./delivery');

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const MAX_LOGGED_REQUESTS = 1000;

function usage(message) {
  process.stderr.write(`fake_upstream: ${message}\nusage: server.js [--port N] [--host ADDR] ` +
      '[--tls-cert FILE --tls-key FILE] [--api-key KEY] [--exit-with-stdin]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const options = { port: 0, host: '127.0.0.1', apiKey: 'sk-fake-test-key', exitWithStdin: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--port': {
        const text = value();
        if (!/^\d+$/.test(text) || Number(text) > 65535) usage(`bad port ${text}`);
        options.port = Number(text);
        break;
      }
      case '--host': options.host = value(); break;
      case '--tls-cert': options.tlsCert = value(); break;
      case '--tls-key': options.tlsKey = value(); break;
      case '--api-key': options.apiKey = value(); break;
      case '--exit-with-stdin': options.exitWithStdin = true; break;
      default: usage(`unknown argument ${flag}`);
    }
  }
  if (!!options.tlsCert !== !!options.tlsKey) usage('--tls-cert and --tls-key go together');
  return options;
}

// Counters for GET /_stats, the request log for GET /_requests, the [[times:N]] counters.
const state = {
  requests: 0,
  byPath: {},
  clientAborts: 0,
  openConnections: 0,
  inFlight: 0,
  log: [],
  faultCounts: new Map(),
};

function reset() {
  state.requests = 0;
  state.byPath = {};
  state.clientAborts = 0;
  state.log = [];
  state.faultCounts.clear();
}

// Whether this request's faults apply: always, or with [[times:N]] only for the first N requests
// carrying the same directive-stripped text.
function faultsApply(directives, key) {
  if (directives.times === undefined) return true;
  const count = (state.faultCounts.get(key) || 0) + 1;
  state.faultCounts.set(key, count);
  return count <= directives.times;
}

function sendJson(res, status, body, headers = {}) {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  // 529 has no standard reason phrase; Anthropic's is "Overloaded".
  const reason = http.STATUS_CODES[status] || (status === 529 ? 'Overloaded' : 'Error');
  res.writeHead(status, reason, Object.assign({
    'Content-Type': 'application/json', 'Content-Length': bytes.length }, headers));
  res.end(bytes);
}

class BodyTooLarge extends Error {}
class ClientGone extends Error {}  // the client left before its request body was complete

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => reject(new ClientGone()));
    req.on('close', () => {
      if (!req.complete) reject(new ClientGone());
    });
  });
}

function route(method, pathname) {
  if (pathname === '/v1/chat/completions') return { format: openai, azure: false };
  const azure = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(pathname);
  if (azure) return { format: openai, azure: true, deployment: decodeURIComponent(azure[1]) };
  if (pathname === '/v1/messages') return { format: anthropic };
  return null;
}

// 401/400 checks, then the scripted reply.
async function handleApi(req, res, url, target, apiKey) {
  const { format } = target;
  const raw = await readBody(req);
  let body;
  try {
    body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
  } catch (e) {
    body = e;
  }
  state.log.push({ method: req.method, path: url.pathname + url.search, headers: req.headers,
    body: body instanceof Error ? raw.toString('utf8') : (body === undefined ? null : body) });
  if (state.log.length > MAX_LOGGED_REQUESTS) state.log.shift();

  const requestId = `req_${openai.randomId(24)}`;
  const idHeader = { [format.requestIdHeader]: requestId };
  const denied = format.authenticate(req.headers, apiKey, target.azure);
  if (denied) return sendJson(res, denied[0], denied[1], idHeader);
  if (target.azure && !url.searchParams.get('api-version')) {
    return sendJson(res, 404, format.errorBody(404, {
      message: 'Resource not found: the api-version query parameter is required.', code: '404' }),
    idHeader);
  }
  if (body instanceof Error || body === undefined) {
    return sendJson(res, 400, format.errorBody(400, {
      message: `We could not parse the JSON body of your request: ${body ? body.message : 'empty'}` }),
    idHeader);
  }
  const parsed = format.parseRequest(body, { azure: target.azure, deployment: target.deployment,
    headers: req.headers });
  if (parsed.error) return sendJson(res, parsed.error[0], parsed.error[1], idHeader);
  let reply;
  try {
    reply = buildReply(parsed.conversation);
  } catch (e) {
    if (!(e instanceof DirectiveError)) throw e;
    return sendJson(res, 400, format.errorBody(400, { message: `fake upstream: ${e.message}` }),
      idHeader);
  }

  const d = reply.directives;
  const faults = faultsApply(d, reply.key);
  const delivery = new Delivery(res, reply.random);
  if (faults && d.delay) await delivery.sleep(d.delay);
  if (delivery.closed) return;
  if (faults && d.status) {
    const headers = Object.assign({}, idHeader);
    const retryAfter = d.retry_after !== undefined ? d.retry_after
        : (d.status === 429 || d.status === 503 ? 1 : 0);
    if (retryAfter > 0) headers['Retry-After'] = String(retryAfter);
    return sendJson(res, d.status, format.errorBody(d.status), headers);
  }
  const request = { model: parsed.model, includeUsage: parsed.includeUsage };
  if (parsed.stream) {
    const frames = format.streamFrames(reply, request, { toolIndex0: !!d.tool_index0 });
    return sendStream(delivery, { frames, format, directives: d, faults, headers: idHeader });
  }
  return sendBody(delivery, { status: 200, body: format.completion(reply, request), directives: d,
    faults, deltas: reply.completionTokens, headers: idHeader });
}

function handleControl(req, res, url) {
  if (url.pathname === '/_stats' && req.method === 'GET') {
    return sendJson(res, 200, {
      requests: state.requests, by_path: state.byPath, open_connections: state.openConnections,
      client_aborts: state.clientAborts, in_flight: state.inFlight,
    });
  }
  if (url.pathname === '/_reset' && req.method === 'POST') {
    reset();
    return sendJson(res, 200, { ok: true });
  }
  if (url.pathname === '/_requests' && req.method === 'GET') {
    const last = url.searchParams.has('last') ? Number(url.searchParams.get('last')) : state.log.length;
    return sendJson(res, 200, Number.isInteger(last) && last > 0 ? state.log.slice(-last) : []);
  }
  return sendJson(res, 405, { error: { message: `${req.method} ${url.pathname} not allowed`,
    type: 'invalid_request_error', param: null, code: null } });
}

function onRequest(apiKey) {
  return (req, res) => {
    const url = new URL(req.url, 'http://fake-upstream');
    if (url.pathname.startsWith('/_')) {
      // Drain any body, then answer: control requests are not counted.
      req.on('data', () => {});
      req.on('end', () => handleControl(req, res, url));
      return;
    }
    state.requests++;
    state.byPath[url.pathname] = (state.byPath[url.pathname] || 0) + 1;
    state.inFlight++;
    res.on('close', () => {
      state.inFlight--;
      if (!res.writableFinished && !deliberatelyCut.has(res)) state.clientAborts++;
    });
    const target = route(req.method, url.pathname);
    if (!target) {
      req.resume();
      const format = url.pathname.startsWith('/v1/messages') ? anthropic : openai;
      return sendJson(res, 404, format.errorBody(404, {
        message: `Unknown request URL: ${req.method} ${url.pathname}.`, code: 'unknown_url' }));
    }
    if (req.method !== 'POST') {
      req.resume();
      return sendJson(res, 405, target.format.errorBody(405, {
        message: `Method ${req.method} not allowed; use POST.` }), { Allow: 'POST' });
    }
    handleApi(req, res, url, target, apiKey).catch((e) => {
      if (e instanceof ClientGone) return;
      if (e instanceof BodyTooLarge) {
        res.shouldKeepAlive = false;
        return sendJson(res, 413, target.format.errorBody(413, {
          message: `Request body larger than ${MAX_BODY_BYTES} bytes.` }), { Connection: 'close' });
      }
      process.stderr.write(`fake_upstream: ${e.stack || e}\n`);
      if (!res.headersSent) sendJson(res, 500, openai.errorBody(500, { message: String(e.message) }));
      else res.destroy();
    });
  };
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const handler = onRequest(options.apiKey);
  const serverOptions = { keepAlive: true, noDelay: true };
  const server = options.tlsCert
    ? https.createServer(Object.assign(serverOptions, {
      cert: fs.readFileSync(options.tlsCert), key: fs.readFileSync(options.tlsKey) }), handler)
    : http.createServer(serverOptions, handler);
  // Thousands of concurrent connections: no connection cap, idle keep-alive for a minute, and a
  // head deadline longer than the keep-alive one (as Node recommends).
  server.maxConnections = undefined;
  server.keepAliveTimeout = 60000;
  server.headersTimeout = 65000;
  server.requestTimeout = 300000;
  server.on('connection', (socket) => {
    state.openConnections++;
    socket.on('close', () => state.openConnections--);
  });
  server.on('tlsClientError', () => {});  // a client refusing our test cert is not our problem
  server.on('error', (e) => {
    process.stderr.write(`fake_upstream: ${e.message}\n`);
    process.exit(1);
  });
  server.listen({ port: options.port, host: options.host, backlog: 4096 }, () => {
    process.stdout.write(`LISTENING ${server.address().port}\n`);
  });
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (options.exitWithStdin) {
    // The launcher holds our stdin open; when it dies (even without running its destructors) the
    // pipe reaches end of file and we leave instead of lingering.
    process.stdin.on('data', () => {});
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
  }
}

main();
