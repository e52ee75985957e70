'use strict';
// Writes one scripted response: the timing ([[delay]], [[chunk_delay]], [[answer_ms]]) and the
// faults ([[status]], [[stall]], [[cut]], [[malformed]], [[split]], [[stream_error]]) that a test
// asks for. Every wait ends early when the client goes away.

// Responses whose socket we destroyed on purpose ([[cut]]): not client aborts.
const deliberatelyCut = new WeakSet();

class Delivery {
  constructor(res, random) {
    this.res = res;
    this.random = random;
    this.closed = false;
    this.wakers = new Set();
    res.on('close', () => {
      this.closed = true;
      for (const wake of this.wakers) wake();
      this.wakers.clear();
    });
  }

  // Resolves after `ms`, or at once when the client has gone.
  sleep(ms) {
    if (this.closed || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  // Resolves when the socket can take more, or the client has gone.
  drained() {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.res.off('drain', wake);
        this.wakers.delete(wake);
        resolve();
      };
      this.res.on('drain', wake);
      this.wakers.add(wake);
    });
  }

  // Writes bytes, whole or ([[split]]) in random 1..7-byte pieces, each its own write and packet.
  async write(bytes, split) {
    if (this.closed) return;
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
    if (!split) {
      if (!this.res.write(buffer)) await this.drained();
      return;
    }
    if (this.res.socket) this.res.socket.setNoDelay(true);
    for (let at = 0; at < buffer.length && !this.closed;) {
      const size = 1 + Math.floor(this.random() * 7);
      const piece = buffer.subarray(at, at + size);
      at += piece.length;
      if (!this.res.write(piece)) await this.drained();
      await this.sleep(1);  // a gap, so pieces leave as separate packets
    }
  }

  // Destroys the socket abruptly (no terminating chunk), once what was written has left: the
  // response's writes are corked until the next tick, and destroy() would drop them.
  async cut() {
    deliberatelyCut.add(this.res);
    const socket = this.res.socket;
    if (!socket) return this.res.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    if (!socket.destroyed) await new Promise((resolve) => socket.write(Buffer.alloc(0), resolve));
    socket.destroy();
  }
}

// Where a stream stops for [[stall]] / [[cut]] / [[stream_error]]: after the k-th delta frame
// (or after the first frame when there are no deltas).
function stopFrameIndex(frames, k) {
  let seen = 0;
  for (let i = 0; i < frames.length; i++) {
    if (frames[i].delta && ++seen === k) return i;
  }
  return 0;
}

// Sends a streamed reply. `frames` from the format module, `format` for the fault frames.
async function sendStream(delivery, { frames, format, directives: d, faults, headers }) {
  const deltas = frames.filter((frame) => frame.delta).length;
  const perDelta = d.answer_ms !== undefined ? d.answer_ms / Math.max(1, deltas)
      : (d.chunk_delay || 0);
  let stopAt = -1;
  let stopKind = null;
  if (faults && d.stall) {
    stopKind = 'stall';
    stopAt = stopFrameIndex(frames, 1);
  } else if (faults && d.cut) {
    stopKind = 'cut';
    stopAt = stopFrameIndex(frames, Math.max(1, Math.min(3, deltas - 1)));
  } else if (faults && d.stream_error) {
    stopKind = 'stream_error';
    stopAt = stopFrameIndex(frames, Math.max(1, Math.min(2, deltas - 1)));
  }
  const res = delivery.res;
  res.writeHead(200, Object.assign({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
  }, headers));
  res.flushHeaders();
  let deltasSent = 0;
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i];
    if (frame.delta) await delivery.sleep(perDelta);
    if (delivery.closed) return;
    await delivery.write(frame.bytes, d.split);
    if (frame.delta && ++deltasSent === 1 && faults && d.malformed) {
      await delivery.write(format.malformedFrame(), d.split);
    }
    if (i === stopAt) {
      if (stopKind === 'stall') return;  // keep the socket open until the client closes it
      if (stopKind === 'cut') return await delivery.cut();
      await delivery.write(format.streamErrorFrame(d.stream_error), d.split);
      break;
    }
  }
  if (!delivery.closed) res.end();
}

// Sends a whole JSON body, after the time the answer would have taken to stream.
async function sendBody(delivery, { status, body, directives: d, faults, deltas, headers }) {
  const answerMs = d.answer_ms !== undefined ? d.answer_ms : (d.chunk_delay || 0) * deltas;
  await delivery.sleep(answerMs);
  if (delivery.closed) return;
  const text = faults && d.malformed ? '{"id": "malformed", "choices": [' : JSON.stringify(body);
  const bytes = Buffer.from(text, 'utf8');
  const res = delivery.res;
  res.writeHead(status, Object.assign({
    'Content-Type': 'application/json',
    'Content-Length': bytes.length,
  }, headers));
  if (faults && (d.stall || d.cut)) {
    res.flushHeaders();
    await delivery.write(bytes.subarray(0, Math.floor(bytes.length / 2)), d.split);
    if (d.cut && !delivery.closed) await delivery.cut();
    return;  // stall: the rest never comes
  }
  await delivery.write(bytes, d.split);
  if (!delivery.closed) res.end();
}

module.exports = { Delivery, deliberatelyCut, sendStream, sendBody };
