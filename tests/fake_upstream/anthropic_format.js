'use strict';
// The Anthropic Messages wire format: request validation (x-api-key, anthropic-version,
// max_tokens), message bodies with content blocks, the event stream (message_start,
// content_block_start/delta/stop, ping, message_delta, message_stop, error) and
// {"type": "error", "error": {"type", "message"}} error bodies.

const { charCount } = require('./scenario');
const { randomId } = require('./openai_format');

const ERRORS = {
  400: ['invalid_request_error', 'Invalid request.'],
  401: ['authentication_error', 'invalid x-api-key'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'The requested resource could not be found.'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'Number of requests has exceeded your rate limit. Please try again later.'],
  500: ['api_error', 'Internal server error'],
  529: ['overloaded_error', 'Overloaded'],
};

function errorBody(status, overrides = {}) {
  const [type, message] = ERRORS[status] ||
      (status >= 500 ? ['api_error', 'Internal server error'] : ['invalid_request_error', 'Invalid request.']);
  return {
    type: 'error',
    error: { type: overrides.type || type, message: overrides.message || message },
    request_id: `req_${randomId(24)}`,
  };
}

function authenticate(headers, apiKey) {
  const key = headers['x-api-key'];
  if (key === apiKey) return null;
  return [401, errorBody(401, { message: key ? 'invalid x-api-key' : 'x-api-key header is required' })];
}

// Text of a message's content: a string, or its text blocks.
function contentText(content) {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.filter((block) => block && block.type === 'text' && typeof block.text === 'string')
      .map((block) => block.text).join('\n');
}

function invalid(message) {
  return { error: [400, errorBody(400, { message })] };
}

function parseRequest(body, { headers }) {
  if (!headers['anthropic-version']) return invalid('anthropic-version: header is required');
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return invalid('The request body must be a JSON object.');
  }
  if (typeof body.model !== 'string' || body.model === '') return invalid('model: Field required');
  if (body.max_tokens === undefined) return invalid('max_tokens: Field required');
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    return invalid('max_tokens: Input should be a valid integer greater than or equal to 1');
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return invalid('messages: Field required');
  }
  let inputChars = charCount(contentText(body.system));
  let userText = '';
  let toolResult = null;
  for (const message of body.messages) {
    if (!message || typeof message !== 'object') continue;
    if (message.role !== 'user' && message.role !== 'assistant') {
      return invalid(`messages: Unexpected role "${message.role}"`);
    }
    const text = contentText(message.content);
    inputChars += charCount(text);
    for (const block of Array.isArray(message.content) ? message.content : []) {
      if (!block || typeof block !== 'object') continue;
      if (block.type === 'tool_use') inputChars += charCount(JSON.stringify(block.input || {}));
      if (block.type === 'tool_result') {
        toolResult = contentText(block.content);
        inputChars += charCount(toolResult);
      }
    }
    if (message.role === 'user' && text !== '') userText = text;
  }
  return {
    conversation: {
      userText, toolResult, inputChars, maxTokens: body.max_tokens,
      toolsOffered: Array.isArray(body.tools) && body.tools.length > 0 &&
          !(body.tool_choice && body.tool_choice.type === 'none'),
    },
    model: body.model,
    stream: body.stream === true,
  };
}

const STOP = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' };

function identity(reply) {
  return { id: `msg_${randomId(24)}`, callIds: reply.calls.map(() => `toolu_${randomId(24)}`) };
}

function usage(reply, outputTokens) {
  return { input_tokens: reply.promptTokens, cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0, output_tokens: outputTokens, service_tier: 'standard' };
}

function completion(reply, request) {
  const who = identity(reply);
  const content = [];
  if (reply.text !== '') content.push({ type: 'text', text: reply.text });
  reply.calls.forEach((call, i) => {
    content.push({ type: 'tool_use', id: who.callIds[i], name: call.name,
      input: JSON.parse(call.argumentsJson) });
  });
  return {
    id: who.id, type: 'message', role: 'assistant', model: request.model, content,
    stop_reason: STOP[reply.finish], stop_sequence: null,
    usage: usage(reply, reply.completionTokens),
  };
}

function event(type, body) {
  return `event: ${type}\ndata: ${JSON.stringify(Object.assign({ type }, body))}\n\n`;
}

function streamFrames(reply, request) {
  const who = identity(reply);
  const frames = [];
  const push = (type, body, delta = false) => frames.push({ bytes: event(type, body), delta });
  push('message_start', { message: {
    id: who.id, type: 'message', role: 'assistant', model: request.model, content: [],
    stop_reason: null, stop_sequence: null, usage: usage(reply, 1) } });
  let index = 0;
  let pinged = false;
  const ping = () => {
    if (!pinged) push('ping', {});
    pinged = true;
  };
  if (reply.text !== '') {
    push('content_block_start', { index, content_block: { type: 'text', text: '' } });
    ping();
    for (const piece of reply.textPieces) {
      push('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }, true);
    }
    push('content_block_stop', { index });
    index++;
  }
  reply.calls.forEach((call, i) => {
    push('content_block_start', { index, content_block: {
      type: 'tool_use', id: who.callIds[i], name: call.name, input: {} } });
    ping();
    push('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } });
    for (const piece of call.argumentPieces) {
      push('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } },
        true);
    }
    push('content_block_stop', { index });
    index++;
  });
  ping();
  push('message_delta', { delta: { stop_reason: STOP[reply.finish], stop_sequence: null },
    usage: { output_tokens: reply.completionTokens } });
  push('message_stop', {});
  return frames;
}

function malformedFrame() {
  return 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":' +
      '{"type":"text_delta","text":"unterminated\n\n';
}

function streamErrorFrame(type) {
  const body = errorBody(529, typeof type === 'string' ? { type } : {});
  return `event: error\ndata: ${JSON.stringify({ type: 'error', error: body.error })}\n\n`;
}

module.exports = {
  name: 'anthropic', errorBody, authenticate, parseRequest, completion, streamFrames,
  malformedFrame, streamErrorFrame, requestIdHeader: 'request-id',
};
