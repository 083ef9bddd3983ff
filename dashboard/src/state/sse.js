// A small Server-Sent Events parser (the WHATWG "event stream" rules), fed with text chunks as they
// come off a fetch() body. EventSource cannot send an Authorization header, hence this.
//
// createSseParser({ onEvent, onRetry, onComment }) returns { push(text), end() }:
// - lines end with CRLF, LF or CR, also when the CR and the LF arrive in different chunks;
// - a blank line dispatches the frame: { type, data, id, lastEventId }, where `type` is the
//   `event:` field or "message", `data` the `data:` lines joined with "\n", `id` the frame's own
//   `id:` field (null when the frame had none: the server marks its own frames that way) and
//   `lastEventId` the last id seen on the stream so far (it carries over, as in EventSource);
// - a frame without data is not dispatched (its `id:` still counts for lastEventId);
// - `retry: <digits>` calls onRetry(ms); lines starting with ":" are comments (onComment);
// - a frame not ended by a blank line when the stream ends is dropped, as EventSource does.

export function createSseParser({ onEvent, onRetry, onComment } = {}) {
  let buffer = '';
  let skipLeadingLf = false; // the previous chunk ended with CR: a LF starting the next one is its pair
  let first = true;
  let data = [];
  let hasData = false;
  let type = '';
  let frameId = null;
  let lastEventId = '';

  function dispatch() {
    if (hasData) {
      onEvent?.({ type: type || 'message', data: data.join('\n'), id: frameId, lastEventId });
    }
    data = [];
    hasData = false;
    type = '';
    frameId = null;
  }

  function line(text) {
    if (text === '') {
      dispatch();
      return;
    }
    if (text[0] === ':') {
      onComment?.(text.slice(1).replace(/^ /, ''));
      return;
    }
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value[0] === ' ') value = value.slice(1);
    switch (field) {
      case 'data':
        data.push(value);
        hasData = true;
        break;
      case 'event':
        type = value;
        break;
      case 'id':
        if (!value.includes('\0')) {
          frameId = value;
          lastEventId = value;
        }
        break;
      case 'retry':
        if (/^\d+$/.test(value)) onRetry?.(Number(value));
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  function push(chunk) {
    if (!chunk) return;
    let text = chunk;
    if (first) {
      first = false;
      if (text[0] === '\uFEFF') text = text.slice(1);
    }
    if (skipLeadingLf) {
      skipLeadingLf = false;
      if (text[0] === '\n') text = text.slice(1);
    }
    buffer += text;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      line(buffer.slice(start, i));
      if (c === '\r') {
        if (i + 1 < buffer.length) {
          if (buffer[i + 1] === '\n') i++;
        } else {
          skipLeadingLf = true;
        }
      }
      start = i + 1;
    }
    buffer = buffer.slice(start);
  }

  function end() {
    // An unterminated last line or frame is incomplete: drop it.
    buffer = '';
    data = [];
    hasData = false;
    type = '';
    frameId = null;
  }

  return { push, end, get lastEventId() { return lastEventId; } };
}

/**
 * Reads a fetch() Response whose body is an event stream until it ends, calling onEvent for each
 * frame. Resolves when the server closes the stream; rejects on a network error or an abort.
 */
export async function readEventStream(response, { onEvent, onRetry, onComment } = {}) {
  const parser = createSseParser({ onEvent, onRetry, onComment });
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode());
  } finally {
    parser.end();
    try { reader.releaseLock(); } catch { /* already released */ }
  }
}

/** Reconnection delay after `attempt` (1, 2, ...) failures: base, 2 x base, ... capped at max. */
export function backoffDelay(attempt, base = 1000, max = 15000) {
  const n = Math.max(1, Math.floor(attempt));
  const b = base > 0 ? base : 1000;
  return Math.min(max, b * 2 ** Math.min(n - 1, 20));
}
