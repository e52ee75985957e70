'use strict';
// What the fake model answers, independent of the wire format. Each format module turns a request
// into a `Conversation` and a `Reply` back into its own bytes.
//
// Conversation: {
//   userText:   text of the last user message that has text (directives still in it),
//   toolResult: text of the last tool result in the conversation, or null,
//   inputChars: characters (code points) of every input message, tool call and system prompt,
//   maxTokens:  the request's output limit, or null,
//   toolsOffered: the request declares tools (and does not forbid calling them) }

const crypto = require('crypto');
const { parseDirectives, seededRandom } = require('./directives');

const LOREM = ('lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ' +
  'incididunt ut labore et dolore magna aliqua').split(' ');

// Word-by-word pieces whose concatenation is exactly `text` (leading blanks go with their word).
function wordPieces(text) {
  return text.match(/\s*\S+/g) || [];
}

// Splits a tool call's JSON arguments into up to 3 pieces of at most 16 code points each — several
// chunks, as real servers send, cut anywhere (even inside strings), never inside a character.
function argumentPieces(json) {
  const chars = Array.from(json);
  const size = Math.max(1, Math.min(16, Math.ceil(chars.length / 3)));
  const pieces = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
  return pieces.length > 0 ? pieces : [''];
}

function randomSeed() {
  return crypto.randomBytes(4).readUInt32LE(0);
}

// Builds the reply. Throws DirectiveError (from the parser) on a malformed directive.
function buildReply(conversation) {
  const { text, d } = parseDirectives(conversation.userText || '');
  const reply = {
    directives: d,
    key: text,  // the per-key fault counter's key for [[times:N]]
    random: seededRandom(d.seed !== undefined ? d.seed : randomSeed()),
    textPieces: [],
    calls: [],  // [{name, argumentsJson, argumentPieces}]
    finish: 'stop',  // 'stop' | 'length' | 'tool_calls' (each format maps it to its own word)
  };

  const wantsTools = d.tools.length > 0 && conversation.toolResult === null &&
      conversation.toolsOffered;
  let answer;
  if (conversation.toolResult !== null) {
    answer = `Tool said: ${conversation.toolResult}`;
  } else if (d.reply !== undefined) {
    answer = d.reply;
  } else if (wantsTools) {
    answer = '';  // a bare tool call, no text
  } else if (d.words !== undefined) {
    answer = Array.from({ length: d.words }, (_, i) => LOREM[i % LOREM.length]).join(' ');
  } else {
    answer = text === '' ? 'Echo:' : `Echo: ${text}`;
    // Multi-byte UTF-8 characters, so split mode cuts inside characters too.
    if (d.split) answer += ' café €';
  }
  reply.textPieces = wordPieces(answer);

  if (wantsTools) {
    reply.calls = d.tools.map((tool) => {
      const argumentsJson = JSON.stringify(tool.args);
      return { name: tool.name, argumentsJson, argumentPieces: argumentPieces(argumentsJson) };
    });
    reply.finish = 'tool_calls';
  } else if (conversation.maxTokens !== null && reply.textPieces.length > conversation.maxTokens) {
    reply.textPieces = reply.textPieces.slice(0, conversation.maxTokens);
    reply.finish = 'length';
  }

  reply.promptTokens = Math.ceil(conversation.inputChars / 4);
  reply.completionTokens = reply.textPieces.length +
      reply.calls.reduce((n, call) => n + call.argumentPieces.length, 0);
  reply.text = reply.textPieces.join('');
  return reply;
}

// Code points of a string (what "characters" means for token estimates).
function charCount(value) {
  if (typeof value !== 'string') return 0;
  let n = 0;
  for (const _ of value) n++;  // eslint-disable-line no-unused-vars
  return n;
}

module.exports = { buildReply, charCount, wordPieces };
