// Same-origin calls to the ingress with the API key as a Bearer token. The key lives only in the
// client object made at sign-in (and in sessionStorage when the person asked for that); it never
// goes into a URL and is never logged.

export class ApiError extends Error {
  constructor(status, problem = {}) {
    const detail = typeof problem.detail === 'string' ? problem.detail : null;
    const title = typeof problem.title === 'string' ? problem.title : null;
    super(detail || title || (status ? `HTTP ${status}` : 'Network error'));
    this.name = 'ApiError';
    this.status = status;
    this.code = typeof problem.code === 'string' ? problem.code : status ? `http_${status}` : 'network_error';
    this.detail = detail;
    this.title = title;
    this.problem = problem;
  }
}

async function problemOf(response) {
  try {
    const text = await response.text();
    const value = text ? JSON.parse(text) : {};
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

/** A message for people: the problem's detail, else its title, else the status. */
export function describeError(err) {
  if (err instanceof ApiError) {
    if (err.status === 0) return 'Cannot reach the server.';
    const text = err.detail || err.title || `HTTP ${err.status}`;
    return err.code && !text.includes(err.code) ? `${text} (${err.code})` : text;
  }
  return err?.message || String(err);
}

export function isAbort(err) {
  return err?.name === 'AbortError';
}

/**
 * createClient(key, { onUnauthorized }) -> { json, send, open }
 * - json(method, path, body?, opts?) resolves to the parsed JSON (null for 204) or throws ApiError;
 * - open(method, path, { body, headers, signal }) resolves to the raw Response of a successful call
 *   (for streams), or throws ApiError;
 * A 401 on any call also calls onUnauthorized (the key was revoked or is wrong).
 */
export function createClient(key, { onUnauthorized } = {}) {
  const auth = `Bearer ${key}`;

  async function open(method, path, { body, headers = {}, signal } = {}) {
    const h = { Authorization: auth, ...headers };
    let payload;
    if (body !== undefined) {
      h['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, { method, headers: h, body: payload, signal, cache: 'no-store', credentials: 'omit' });
    } catch (err) {
      if (isAbort(err)) throw err;
      throw new ApiError(0, {});
    }
    if (!response.ok) {
      const problem = await problemOf(response);
      const error = new ApiError(response.status, problem);
      error.headers = response.headers;
      if (response.status === 401) onUnauthorized?.(error);
      throw error;
    }
    return response;
  }

  async function json(method, path, body, { signal, headers } = {}) {
    const response = await open(method, path, { body, signal, headers: { Accept: 'application/json', ...headers } });
    if (response.status === 204) return null;
    const text = await response.text();
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch {
      throw new ApiError(response.status, { title: 'The server sent something that is not JSON' });
    }
  }

  return {
    open,
    json,
    get: (path, opts) => json('GET', path, undefined, opts),
    put: (path, body, opts) => json('PUT', path, body, opts),
    post: (path, body, opts) => json('POST', path, body, opts),
    del: (path, opts) => json('DELETE', path, undefined, opts),
  };
}

export function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
