// The Playground's view of one query's event stream, as a pure reducer over SSE frames
// ({ type, data, id } from sse.js, `data` still JSON text).
//
// status: 'idle' | 'streaming' | 'done' | 'error' | 'cancelled'
// - `token` events append to `text`; a `restart` drops the partial answer (a new attempt begins);
// - every other event is kept in `events` (for the event list), in order, with a sequence number;
// - `done` ends with 'done'; `error` ends with 'error' (its code), or 'cancelled' for code
//   "cancelled". An `error` frame without an id that is retryable comes from the ingress itself
//   (not from the request's log): the request goes on, so the client resumes (`interrupted`);
// - frames whose id is not after `lastEventId` are duplicates (a replay overlapping what we hold)
//   and are ignored, so a resume never doubles the text.

export const TERMINAL = new Set(['done', 'error', 'cancelled']);

export function initialStream(fields = {}) {
  return {
    requestId: null,
    status: 'idle',
    errorCode: null,
    errorMessage: null,
    text: '',
    events: [],
    lastEventId: null,
    seq: 0,
    tokenCount: 0,
    firstTokenSeq: null,
    interrupted: false,
    ...fields,
  };
}

/** Compares two log ids `<millis>-<seq>`: -1, 0, 1, or null when either is not such an id. */
export function compareEventIds(a, b) {
  const pa = parseId(a);
  const pb = parseId(b);
  if (!pa || !pb) return null;
  if (pa[0] !== pb[0]) return pa[0] < pb[0] ? -1 : 1;
  if (pa[1] !== pb[1]) return pa[1] < pb[1] ? -1 : 1;
  return 0;
}

function parseId(id) {
  if (typeof id !== 'string') return null;
  const m = /^(\d+)-(\d+)$/.exec(id);
  if (!m) return null;
  return [BigInt(m[1]), BigInt(m[2])];
}

function parseData(data) {
  if (data == null || data === '') return {};
  try {
    return JSON.parse(data);
  } catch {
    return { raw: data };
  }
}

export function isTerminal(state) {
  return TERMINAL.has(state.status);
}

/** Status text as the page shows it: streaming, done, error: <code>, cancelled (or idle). */
export function statusText(state) {
  if (state.status === 'error') return `error: ${state.errorCode || 'unknown'}`;
  return state.status;
}

export function reduceStream(state, frame) {
  if (isTerminal(state)) return state; // nothing after the terminal event
  const id = frame.id || null;
  if (id && state.lastEventId && compareEventIds(id, state.lastEventId) !== 1) {
    return state; // replayed: already applied
  }
  const data = parseData(frame.data);
  const seq = state.seq + 1;
  const next = { ...state, seq, interrupted: false, status: 'streaming' };
  if (id) next.lastEventId = id;
  switch (frame.type) {
    case 'token': {
      next.text = state.text + (typeof data.text === 'string' ? data.text : '');
      next.tokenCount = state.tokenCount + 1;
      if (state.firstTokenSeq == null) next.firstTokenSeq = seq;
      return next;
    }
    case 'restart':
      next.text = '';
      next.events = [...state.events, { type: 'restart', id, seq, data, boundary: true }];
      return next;
    case 'done':
      next.status = 'done';
      next.events = [...state.events, { type: 'done', id, seq, data }];
      return next;
    case 'error': {
      const code = typeof data.code === 'string' ? data.code : 'unknown';
      if (!id && data.retryable === true && code !== 'request_expired') {
        // From the ingress, not the log: the request goes on; resume from lastEventId.
        next.interrupted = true;
        next.events = [...state.events, { type: 'interrupted', id, seq, data }];
        return next;
      }
      next.status = code === 'cancelled' ? 'cancelled' : 'error';
      next.errorCode = code;
      next.errorMessage = typeof data.message === 'string' ? data.message : null;
      next.events = [...state.events, { type: 'error', id, seq, data }];
      return next;
    }
    default:
      // started/queued/start, tool_start, tool_end, citations, metadata, tool_call, and names a
      // newer server may add: listed, never fatal.
      next.events = [...state.events, { type: frame.type, id, seq, data }];
      return next;
  }
}

/** A refusal before the stream began (problem+json), or a failure to reach the server. */
export function failStream(state, code, message = null) {
  return {
    ...state,
    status: code === 'cancelled' ? 'cancelled' : 'error',
    errorCode: code || 'unknown',
    errorMessage: message,
  };
}
