// What survives a reload of the tab (sessionStorage only; never localStorage, never a URL):
// - the stream in progress: { requestId, lastEventId, text, agent, query, savedAt }, so the page
//   resumes it with Last-Event-ID and appends to `text` without duplicates;
// - the API key, only when the person ticked "Remember in this tab".
// `storage` is injected (window.sessionStorage in the page, a fake in tests); every access is
// guarded, since storage can throw (quota, disabled storage).

export const RESUME_KEY = 'agentic.dashboard.stream';
export const API_KEY_KEY = 'agentic.dashboard.key';

export function saveResume(storage, record) {
  if (!storage || !record || typeof record.requestId !== 'string' || !record.requestId) return false;
  const value = {
    requestId: record.requestId,
    lastEventId: typeof record.lastEventId === 'string' ? record.lastEventId : null,
    text: typeof record.text === 'string' ? record.text : '',
    agent: typeof record.agent === 'string' ? record.agent : null,
    query: typeof record.query === 'string' ? record.query : null,
    savedAt: typeof record.savedAt === 'number' ? record.savedAt : Date.now(),
  };
  try {
    storage.setItem(RESUME_KEY, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

export function loadResume(storage) {
  let raw;
  try {
    raw = storage?.getItem(RESUME_KEY);
  } catch {
    return null;
  }
  if (!raw) return null;
  let value;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || typeof value.requestId !== 'string' || !value.requestId) {
    return null;
  }
  // An id we would send in a header or a path must look like one.
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(value.requestId)) return null;
  const lastEventId =
    typeof value.lastEventId === 'string' && /^\d+-\d+$/.test(value.lastEventId) ? value.lastEventId : null;
  return {
    requestId: value.requestId,
    // Without a valid last id the replay starts from the beginning: the text must start empty too.
    lastEventId,
    text: lastEventId && typeof value.text === 'string' ? value.text : '',
    agent: typeof value.agent === 'string' ? value.agent : null,
    query: typeof value.query === 'string' ? value.query : null,
    savedAt: typeof value.savedAt === 'number' ? value.savedAt : 0,
  };
}

export function clearResume(storage) {
  try {
    storage?.removeItem(RESUME_KEY);
  } catch {
    /* nothing to clear */
  }
}

/**
 * Returns a function that saves at most once per `intervalMs` (the latest record wins) and a
 * flush() for page hide and the terminal event; `now` and `schedule` are injectable for tests.
 */
export function throttledSaver(storage, intervalMs = 250, { now = () => Date.now(), schedule = setTimeout, cancel = clearTimeout } = {}) {
  let pending = null;
  let timer = null;
  let lastWrite = -Infinity;
  function flush() {
    if (timer != null) {
      cancel(timer);
      timer = null;
    }
    if (pending) {
      saveResume(storage, pending);
      pending = null;
      lastWrite = now();
    }
  }
  function save(record) {
    pending = record;
    const wait = lastWrite + intervalMs - now();
    if (wait <= 0) {
      flush();
    } else if (timer == null) {
      timer = schedule(flush, wait);
    }
  }
  function drop() {
    if (timer != null) cancel(timer);
    timer = null;
    pending = null;
  }
  return { save, flush, drop };
}

export function rememberKey(storage, key) {
  try {
    storage?.setItem(API_KEY_KEY, key);
  } catch {
    /* not remembered */
  }
}

export function recallKey(storage) {
  try {
    const key = storage?.getItem(API_KEY_KEY);
    return typeof key === 'string' && key.trim() ? key : null;
  } catch {
    return null;
  }
}

export function forgetKey(storage) {
  try {
    storage?.removeItem(API_KEY_KEY);
  } catch {
    /* nothing to forget */
  }
}
