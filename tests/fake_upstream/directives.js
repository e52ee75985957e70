'use strict';
// Directives: `[[name]]` or `[[name:arg]]` inside the last user message text script what the fake
// upstream does. Only known names are directives; anything else stays in the text.

const KNOWN = new Set([
  'tool', 'tool_index0', 'status', 'retry_after', 'times', 'delay', 'chunk_delay', 'answer_ms',
  'stall', 'cut', 'malformed', 'split', 'seed', 'words', 'reply', 'stream_error',
]);

class DirectiveError extends Error {}

// Index just past a balanced JSON object starting at text[from] === '{' (string-aware), or -1.
function skipJsonObject(text, from) {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function nonNegativeInt(name, arg) {
  if (arg === undefined || !/^\d+$/.test(arg)) {
    throw new DirectiveError(`[[${name}:N]] needs a non-negative integer, got ${JSON.stringify(arg)}`);
  }
  return Number(arg);
}

// Parses the directives out of `text`. Returns {text: the text without them, trimmed, d: settings}.
// Throws DirectiveError on a malformed known directive (a test author's mistake: fail loudly).
function parseDirectives(text) {
  const d = { tools: [] };
  let out = '';
  let i = 0;
  // Appends text after a removed directive without doubling the spaces around it.
  const appendAfterSeam = (segment) => {
    out += /\s$/.test(out) || out === '' ? segment.replace(/^[ \t]+/, '') : segment;
  };
  let seam = false;
  const append = (segment) => {
    if (seam) appendAfterSeam(segment);
    else out += segment;
    seam = false;
  };
  while (i < text.length) {
    const open = text.indexOf('[[', i);
    if (open < 0) break;
    const nameMatch = /^[a-z_0-9]+/.exec(text.slice(open + 2, open + 2 + 32));
    const name = nameMatch ? nameMatch[0] : '';
    if (!KNOWN.has(name)) {
      append(text.slice(i, open + 2));
      i = open + 2;
      continue;
    }
    let at = open + 2 + name.length;
    let arg;
    let toolName;
    let toolArgs;
    if (text.startsWith(':', at)) {
      at++;
      if (name === 'tool') {
        const colon = text.indexOf(':', at);
        const close = text.indexOf(']]', at);
        if (colon >= 0 && (close < 0 || colon < close)) {
          toolName = text.slice(at, colon);
          at = colon + 1;
          if (text[at] !== '{') throw new DirectiveError('[[tool:NAME:{json}]] needs a JSON object');
          const end = skipJsonObject(text, at);
          if (end < 0) throw new DirectiveError('[[tool:NAME:{json}]]: unbalanced JSON object');
          try {
            toolArgs = JSON.parse(text.slice(at, end));
          } catch (e) {
            throw new DirectiveError(`[[tool:${toolName}:...]]: invalid JSON: ${e.message}`);
          }
          at = end;
        } else {
          if (close < 0) throw new DirectiveError(`[[${name}: not closed with ]]`);
          toolName = text.slice(at, close);
          toolArgs = {};
          at = close;
        }
        if (!toolName) throw new DirectiveError('[[tool:NAME...]] needs a tool name');
      } else {
        const close = text.indexOf(']]', at);
        if (close < 0) throw new DirectiveError(`[[${name}: not closed with ]]`);
        arg = text.slice(at, close);
        at = close;
      }
    }
    if (!text.startsWith(']]', at)) throw new DirectiveError(`[[${name}...: expected ]]`);
    append(text.slice(i, open));
    seam = true;
    i = at + 2;
    apply(d, name, arg, toolName, toolArgs);
  }
  append(text.slice(i));
  return { text: out.trim(), d };
}

function apply(d, name, arg, toolName, toolArgs) {
  switch (name) {
    case 'tool':
      if (toolArgs === null || typeof toolArgs !== 'object' || Array.isArray(toolArgs)) {
        throw new DirectiveError('[[tool:NAME:{json}]]: arguments must be a JSON object');
      }
      d.tools.push({ name: toolName, args: toolArgs });
      break;
    case 'status': {
      const status = nonNegativeInt(name, arg);
      if (status < 400 || status > 599) throw new DirectiveError('[[status:N]] needs 400..599');
      d.status = status;
      break;
    }
    case 'reply':
      if (arg === undefined) throw new DirectiveError('[[reply:TEXT]] needs a text');
      d.reply = arg;
      break;
    case 'stream_error':
      d.stream_error = arg || true;
      break;
    case 'tool_index0': case 'stall': case 'cut': case 'malformed': case 'split':
      if (arg !== undefined) throw new DirectiveError(`[[${name}]] takes no argument`);
      d[name] = true;
      break;
    default:  // retry_after, times, delay, chunk_delay, answer_ms, seed, words
      d[name] = nonNegativeInt(name, arg);
  }
}

// mulberry32: a small seeded PRNG, so `[[seed:N]]` makes `[[split]]` reproducible.
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

module.exports = { parseDirectives, DirectiveError, seededRandom };
