'use strict';
// The OpenAI Chat Completions wire format (also served under Azure OpenAI's deployment paths):
// request parsing, chat.completion bodies, chat.completion.chunk streams ending in `data: [DONE]`,
// and {"error": {"message", "type", "param", "code"}} error bodies.

const crypto = require('crypto');
const { charCount } = require('./scenario');

function randomId(length) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.randomBytes(length);
  let id = '';
  for (const b of bytes) id += alphabet[b % alphabet.length];
  return id;
}

const ERRORS = {
  400: { type: 'invalid_request_error', code: null, message: 'Bad request.' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory',
    message: 'Country, region, or territory not supported' },
  404: { type: 'invalid_request_error', code: 'model_not_found',
    message: 'The model does not exist or you do not have access to it.' },
  429: { type: 'requests', code: 'rate_limit_exceeded',
    message: 'Rate limit reached for requests. Please try again in 1s.' },
  500: { type: 'server_error', code: null,
    message: 'The server had an error while processing your request. Sorry about that!' },
  503: { type: 'server_error', code: null,
    message: 'The engine is currently overloaded, please try again later.' },
};

// The error body for `status`; `message`, `type`, `param`, `code` override the defaults.
function errorBody(status, overrides = {}) {
  const base = ERRORS[status] ||
      (status >= 500 ? { type: 'server_error', code: null, message: 'The server is overloaded.' }
                     : { type: 'invalid_request_error', code: null, message: 'Bad request.' });
  return {
    error: {
      message: overrides.message || base.message,
      type: overrides.type || base.type,
      param: overrides.param === undefined ? null : overrides.param,
      code: overrides.code === undefined ? base.code : overrides.code,
    },
  };
}

// Returns null when authorised, else [status, body]. Azure also accepts its `api-key` header.
function authenticate(headers, apiKey, azure) {
  const bearer = headers.authorization;
  if (bearer === `Bearer ${apiKey}`) return null;
  if (azure && headers['api-key'] === apiKey) return null;
  if (!bearer && !(azure && headers['api-key'])) {
    return [401, errorBody(401, {
      code: azure ? '401' : null,
      message: azure
        ? 'Access denied due to missing subscription key. Make sure to include an api-key header.'
        : "You didn't provide an API key. You need to provide your API key in an Authorization " +
          'header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).',
    })];
  }
  return [401, errorBody(401, {
    code: azure ? '401' : 'invalid_api_key',
    message: azure
      ? 'Access denied due to invalid subscription key or wrong API endpoint.'
      : 'Incorrect API key provided. You can find your API key in your account settings.',
  })];
}

function contentText(content) {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.filter((part) => part && part.type === 'text' && typeof part.text === 'string')
      .map((part) => part.text).join('\n');
}

// Validates the body and returns {conversation, model, stream, includeUsage} or {error: [status, body]}.
function parseRequest(body, { azure, deployment }) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { error: [400, errorBody(400, { message: 'The request body must be a JSON object.' })] };
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return { error: [400, errorBody(400, {
      message: "Missing required parameter: 'messages'.", param: 'messages',
      code: 'missing_required_parameter' })] };
  }
  if (!azure && (typeof body.model !== 'string' || body.model === '')) {
    return { error: [400, errorBody(400, { message: 'you must provide a model parameter' })] };
  }
  let userText = '';
  let toolResult = null;
  let inputChars = 0;
  for (const message of body.messages) {
    if (!message || typeof message !== 'object') continue;
    const text = contentText(message.content);
    inputChars += charCount(text);
    for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
      inputChars += charCount(call && call.function && call.function.arguments);
    }
    if (message.role === 'user' && text !== '') userText = text;
    if (message.role === 'tool') toolResult = text;
  }
  const maxTokens = Number.isInteger(body.max_completion_tokens) ? body.max_completion_tokens
      : Number.isInteger(body.max_tokens) ? body.max_tokens : null;
  return {
    conversation: {
      userText, toolResult, inputChars, maxTokens,
      toolsOffered: Array.isArray(body.tools) && body.tools.length > 0 && body.tool_choice !== 'none',
    },
    model: typeof body.model === 'string' && body.model !== '' ? body.model : deployment,
    stream: body.stream === true,
    includeUsage: body.stream === true && !!(body.stream_options && body.stream_options.include_usage),
  };
}

function usage(reply) {
  return {
    prompt_tokens: reply.promptTokens,
    completion_tokens: reply.completionTokens,
    total_tokens: reply.promptTokens + reply.completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0,
      accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

const FINISH = { stop: 'stop', length: 'length', tool_calls: 'tool_calls' };

// Per-response identity: one completion id and timestamp for every chunk, one id per tool call.
function identity(reply) {
  return {
    id: `chatcmpl-${randomId(29)}`,
    created: Math.floor(Date.now() / 1000),
    callIds: reply.calls.map(() => `call_${randomId(24)}`),
  };
}

function completion(reply, request) {
  const who = identity(reply);
  const message = { role: 'assistant', content: reply.text === '' && reply.calls.length > 0 ? null
      : reply.text, refusal: null, annotations: [] };
  if (reply.calls.length > 0) {
    message.tool_calls = reply.calls.map((call, i) => ({
      id: who.callIds[i], type: 'function',
      function: { name: call.name, arguments: call.argumentsJson },
    }));
  }
  return {
    id: who.id, object: 'chat.completion', created: who.created, model: request.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: FINISH[reply.finish] }],
    usage: usage(reply), service_tier: 'default', system_fingerprint: 'fp_fake_upstream',
  };
}

// The stream as SSE frames: [{bytes, delta}] where `delta` marks a frame carrying content or
// tool-call arguments (what delays and faults count). `toolIndex0` sends every call with index 0.
function streamFrames(reply, request, { toolIndex0 = false } = {}) {
  const who = identity(reply);
  const chunk = (delta, finishReason = null) => {
    const body = {
      id: who.id, object: 'chat.completion.chunk', created: who.created, model: request.model,
      service_tier: 'default', system_fingerprint: 'fp_fake_upstream',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    if (request.includeUsage) body.usage = null;
    return `data: ${JSON.stringify(body)}\n\n`;
  };
  const frames = [];
  const textFirst = reply.text !== '' || reply.calls.length === 0;
  if (textFirst) {
    frames.push({ bytes: chunk({ role: 'assistant', content: '', refusal: null }), delta: false });
    for (const piece of reply.textPieces) frames.push({ bytes: chunk({ content: piece }), delta: true });
  }
  reply.calls.forEach((call, i) => {
    const index = toolIndex0 ? 0 : i;
    const head = { tool_calls: [{ index, id: who.callIds[i], type: 'function',
      function: { name: call.name, arguments: '' } }] };
    if (!textFirst && i === 0) Object.assign(head, { role: 'assistant', content: null, refusal: null });
    frames.push({ bytes: chunk(head), delta: false });
    for (const piece of call.argumentPieces) {
      frames.push({ bytes: chunk({ tool_calls: [{ index, function: { arguments: piece } }] }),
        delta: true });
    }
  });
  frames.push({ bytes: chunk({}, FINISH[reply.finish]), delta: false });
  if (request.includeUsage) {
    const body = {
      id: who.id, object: 'chat.completion.chunk', created: who.created, model: request.model,
      service_tier: 'default', system_fingerprint: 'fp_fake_upstream', choices: [],
      usage: usage(reply),
    };
    frames.push({ bytes: `data: ${JSON.stringify(body)}\n\n`, delta: false });
  }
  frames.push({ bytes: 'data: [DONE]\n\n', delta: false });
  return frames;
}

// A data line that is not valid JSON ([[malformed]]).
function malformedFrame() {
  return 'data: {"id":"chatcmpl-malformed","object":"chat.completion.chunk","choices":[{"index":0,' +
      '"delta":{"content":"unterminated\n\n';
}

// An error reported inside a 200 stream ([[stream_error]] / [[stream_error:TYPE]]).
function streamErrorFrame(type) {
  const body = errorBody(500, typeof type === 'string' ? { type } : {});
  return `data: ${JSON.stringify(body)}\n\n`;
}

module.exports = {
  name: 'openai', errorBody, authenticate, parseRequest, completion, streamFrames, malformedFrame,
  streamErrorFrame, requestIdHeader: 'x-request-id', randomId,
};
