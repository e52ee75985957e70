// Cross-check: the official `openai` npm SDK (tests/package.json) talks to the fake upstream as
// it would to the real API: streams with usage, tool-call deltas, its automatic retry on a 429
// with Retry-After, typed errors, the Azure client. Run by ctest; exits 77 (skipped) when
// tests/node_modules is not installed, except under CI, where that is a failure.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
if (!existsSync(join(here, '..', 'node_modules', 'openai'))) {
  const message = 'tests/node_modules/openai is missing: run `npm ci --prefix tests`';
  if (process.env.CI) {
    console.error(message);
    process.exit(1);
  }
  console.error(`${message} (skipped)`);
  process.exit(77);
}
const { default: OpenAI, AzureOpenAI } = await import('openai');

const server = spawn(process.execPath, [join(here, 'server.js'), '--port', '0'],
  { stdio: ['pipe', 'pipe', 'inherit'] });
const port = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (data) => {
    out += data;
    const match = /^LISTENING (\d+)\n/.exec(out);
    if (match) resolve(Number(match[1]));
  });
  server.on('exit', (code) => reject(new Error(`fake upstream exited with ${code}`)));
  setTimeout(() => reject(new Error('fake upstream did not start in 10 s')), 10000).unref();
});
const base = `http://127.0.0.1:${port}`;
const stats = async () => (await fetch(`${base}/_stats`)).json();
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-fake-test-key', maxRetries: 2 });
const user = (content) => [{ role: 'user', content }];
const tools = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object' } } },
];

const checks = {
  async 'a stream with include_usage ends with a usage chunk'() {
    const stream = await client.chat.completions.create({ model: 'gpt-test', stream: true,
      stream_options: { include_usage: true }, messages: user('hello sdk [[split]][[seed:7]]') });
    let text = '';
    let last;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      last = chunk;
    }
    assert.equal(text, 'Echo: hello sdk café €');
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage.completion_tokens, 5);
  },
  async 'the stream helper assembles parallel tool calls'() {
    const stream = client.chat.completions.stream({ model: 'gpt-test', tools,
      messages: user('[[tool:get_weather:{"city":"Paris"}]][[tool:get_time:{"tz":"CET"}]]') });
    const completion = await stream.finalChatCompletion();
    const calls = completion.choices[0].message.tool_calls;
    assert.equal(calls.length, 2);
    assert.equal(calls[0].function.name, 'get_weather');
    assert.deepEqual(JSON.parse(calls[0].function.arguments), { city: 'Paris' });
    assert.deepEqual(JSON.parse(calls[1].function.arguments), { tz: 'CET' });
    assert.equal(completion.choices[0].finish_reason, 'tool_calls');
  },
  async 'a non-stream completion parses'() {
    const completion = await client.chat.completions.create({ model: 'gpt-x',
      messages: user('plain') });
    assert.equal(completion.choices[0].message.content, 'Echo: plain');
    assert.equal(completion.model, 'gpt-x');
  },
  async 'the SDK retries a 429 after Retry-After and then succeeds'() {
    const before = (await stats()).requests;
    const started = Date.now();
    const completion = await client.chat.completions.create({ model: 'gpt-test',
      messages: user('[[status:429]][[times:1]] retried') });
    assert.equal(completion.choices[0].message.content, 'Echo: retried');
    assert.equal((await stats()).requests - before, 2);
    assert.ok(Date.now() - started >= 900, 'waited for Retry-After: 1');
  },
  async 'a wrong key is an AuthenticationError'() {
    const bad = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    await assert.rejects(bad.chat.completions.create({ model: 'm', messages: user('x') }),
      (e) => e instanceof OpenAI.AuthenticationError && e.status === 401 &&
        e.code === 'invalid_api_key');
  },
  async 'an error inside the stream is thrown as an APIError'() {
    const stream = await client.chat.completions.create({ model: 'm', stream: true,
      messages: user('[[stream_error]] a b c') });
    await assert.rejects(async () => {
      for await (const chunk of stream) void chunk;  // eslint-disable-line no-unused-vars
    }, (e) => e instanceof OpenAI.APIError);
  },
  async 'a malformed data line makes the stream fail'() {
    const stream = await client.chat.completions.create({ model: 'm', stream: true,
      messages: user('[[malformed]] a b') });
    await assert.rejects(async () => {
      for await (const chunk of stream) void chunk;  // eslint-disable-line no-unused-vars
    });
  },
  async 'the Azure client reaches the deployment path with its api-key header'() {
    const azure = new AzureOpenAI({ endpoint: base, apiKey: 'sk-fake-test-key',
      apiVersion: '2024-10-21', deployment: 'my-deployment', maxRetries: 0 });
    const completion = await azure.chat.completions.create({ model: 'gpt-4o',
      messages: user('azure') });
    assert.equal(completion.choices[0].message.content, 'Echo: azure');
    const [last] = await (await fetch(`${base}/_requests?last=1`)).json();
    assert.equal(last.path, '/openai/deployments/my-deployment/chat/completions?api-version=2024-10-21');
    assert.equal(last.headers['api-key'], 'sk-fake-test-key');
  },
};

let failed = 0;
for (const [name, check] of Object.entries(checks)) {
  try {
    await check();
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}\n${e.stack || e}`);
  }
}
server.kill('SIGTERM');
process.exit(failed === 0 ? 0 : 1);
