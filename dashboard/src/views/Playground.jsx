// Send a query and watch its stream; cancel it; resume it after a reload of the tab.

import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError, isAbort, sleep } from '../api.js';
import { backoffDelay, readEventStream } from '../state/sse.js';
import { clearResume, loadResume, throttledSaver } from '../state/resume.js';
import { failStream, initialStream, isTerminal, reduceStream, statusText } from '../state/stream.js';

const MAX_RESUME_FAILURES = 8;

// While the page unloads (reload, navigation) its fetches fail: that is no drop to resume from,
// the next page resumes from the saved record.
let leaving = false;
window.addEventListener('pagehide', () => (leaving = true));
window.addEventListener('pageshow', () => (leaving = false));
const CANCEL_FALLBACK_MS = 10000;

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

function eventSummary(e) {
  const d = e.data || {};
  switch (e.type) {
    case 'restart':
      return `attempt ${d.attempt ?? '?'}${d.reason ? `: ${d.reason}` : ''}`;
    case 'tool_start':
      return `${d.tool ?? ''}(${d.input ?? ''})`;
    case 'tool_end':
      return `${d.tool ?? ''} → ${d.output ?? ''}`;
    case 'error':
    case 'interrupted':
      return `${d.code ?? ''}${d.message ? `: ${d.message}` : ''}`;
    default: {
      const s = JSON.stringify(d);
      return s === '{}' ? '' : s.length > 300 ? `${s.slice(0, 300)}…` : s;
    }
  }
}

export function Playground({ client, me, hidden, headingRef }) {
  const agents = (Array.isArray(me?.agents) ? me.agents : []).filter((a) => typeof a === 'string' && a && a !== '*');
  const pending = useRef(loadResume(storage()));
  const [agent, setAgent] = useState(pending.current?.agent || agents[0] || 'general');
  const [query, setQuery] = useState(pending.current?.query || '');
  const [stream, setStream] = useState(initialStream);
  const [resumeNote, setResumeNote] = useState(null);
  const [note, setNote] = useState(null);
  const [cancelling, setCancelling] = useState(false);
  const state = useRef(stream);
  const run = useRef(null); // AbortController of the stream being read
  const meta = useRef({ agent: null, query: null });
  const saver = useRef(null);
  if (!saver.current) saver.current = throttledSaver(storage());

  function update(next) {
    state.current = next;
    setStream(next);
    if (!next.requestId) return;
    if (isTerminal(next)) {
      saver.current.drop();
      clearResume(storage());
    } else {
      saver.current.save({
        requestId: next.requestId,
        lastEventId: next.lastEventId,
        text: next.text,
        agent: meta.current.agent,
        query: meta.current.query,
      });
    }
  }

  const onFrame = (frame) => update(reduceStream(state.current, frame));

  /** Resumes (GET .../events with Last-Event-ID) until the terminal event, with backoff. */
  async function follow(signal, onFirstFrame) {
    let failures = 0;
    let first = true;
    while (!signal.aborted && !leaving && !isTerminal(state.current)) {
      if (failures) await sleep(backoffDelay(failures, 1000, 10000), signal);
      if (signal.aborted || leaving) return;
      const s = state.current;
      const headers = { Accept: 'text/event-stream' };
      if (s.lastEventId) headers['Last-Event-ID'] = s.lastEventId;
      const before = s.seq;
      try {
        const response = await client.open('GET', `/api/v1/queries/${encodeURIComponent(s.requestId)}/events`, { headers, signal });
        await readEventStream(response, {
          onEvent: (f) => {
            onFrame(f);
            if (first) {
              first = false;
              onFirstFrame?.();
            }
          },
        });
      } catch (err) {
        if (signal.aborted || leaving || isAbort(err)) return;
        if (err.status === 401) return; // the App signs out
        if ([400, 403, 404, 410].includes(err.status)) {
          update(failStream(state.current, err.code, describeError(err)));
          return;
        }
      }
      failures = state.current.seq > before ? 1 : failures + 1;
      if (failures > MAX_RESUME_FAILURES && !isTerminal(state.current)) {
        update(failStream(state.current, 'stream_lost', 'The stream could not be resumed.'));
        return;
      }
    }
  }

  function begin() {
    run.current?.abort();
    const controller = new AbortController();
    run.current = controller;
    return controller.signal;
  }

  async function send(e) {
    e.preventDefault();
    if (!query.trim()) {
      setNote('Write a query first.');
      return;
    }
    setNote(null);
    setResumeNote(null);
    setCancelling(false);
    const signal = begin();
    meta.current = { agent, query };
    clearResume(storage());
    update(initialStream({ status: 'streaming' }));
    let response;
    try {
      response = await client.open('POST', '/api/v1/query', {
        body: { query, agent_type: agent },
        headers: { Accept: 'text/event-stream' },
        signal,
      });
    } catch (err) {
      if (signal.aborted || isAbort(err)) return;
      update(failStream(state.current, err.code, describeError(err)));
      return;
    }
    const id = response.headers.get('X-Request-Id');
    update({ ...state.current, requestId: id });
    try {
      if ((response.headers.get('Content-Type') || '').includes('text/event-stream')) {
        await readEventStream(response, { onEvent: onFrame });
      } else {
        await response.text(); // 202: accepted, not followed here; read its events below
      }
    } catch (err) {
      if (signal.aborted || leaving || isAbort(err)) return;
      // the connection dropped: resume below
    }
    if (isTerminal(state.current) || signal.aborted || leaving) return;
    if (!id) {
      update(failStream(state.current, 'no_request_id', 'The stream ended early and cannot be resumed.'));
      return;
    }
    await follow(signal);
  }

  async function cancel() {
    const s = state.current;
    if (!s.requestId || isTerminal(s)) return;
    setCancelling(true);
    try {
      await client.del(`/api/v1/queries/${encodeURIComponent(s.requestId)}`);
      // The stream itself ends with error "cancelled"; only if it does not:
      const id = s.requestId;
      setTimeout(() => {
        const now = state.current;
        if (now.requestId === id && !isTerminal(now)) {
          run.current?.abort();
          update(failStream(now, 'cancelled'));
        }
      }, CANCEL_FALLBACK_MS);
    } catch (err) {
      setNote(`Cancel failed: ${describeError(err)}`);
    } finally {
      setCancelling(false);
    }
  }

  // A stream that was in progress when the tab reloaded: resume it.
  useEffect(() => {
    const r = pending.current;
    pending.current = null;
    if (r) {
      const signal = begin();
      meta.current = { agent: r.agent, query: r.query };
      update(initialStream({ status: 'streaming', requestId: r.requestId, lastEventId: r.lastEventId, text: r.text }));
      setResumeNote('Resuming…');
      follow(signal, () => setResumeNote(`Resumed request ${r.requestId} after a reload.`)).then(() => {
        if (!signal.aborted) setResumeNote((n) => (n === 'Resuming…' ? `Resumed request ${r.requestId} after a reload.` : n));
      });
    }
    const flush = () => saver.current.flush();
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      // Unmounted only by a sign-out: nothing to resume (a reload never gets here; it flushes on pagehide).
      run.current?.abort();
      saver.current.drop();
      clearResume(storage());
    };
  }, []);

  const streaming = stream.status === 'streaming';
  const status = statusText(stream);

  return (
    <section aria-labelledby="playground-title" hidden={hidden} data-testid="playground">
      <h2 id="playground-title" tabIndex={-1} ref={hidden ? undefined : headingRef}>Playground</h2>
      <form onSubmit={send} class="playground-form" data-testid="query-form">
        <div class="field">
          <label for="agent">Agent</label>
          {agents.length ? (
            <select id="agent" value={agent} onChange={(e) => setAgent(e.currentTarget.value)} data-testid="agent-select">
              {agents.map((a) => (
                <option key={a} value={a}>{a}</option>
              ))}
            </select>
          ) : (
            <input id="agent" value={agent} onInput={(e) => setAgent(e.currentTarget.value)} data-testid="agent-select" />
          )}
        </div>
        <div class="field grow">
          <label for="query">Query</label>
          <textarea id="query" rows={4} value={query} onInput={(e) => setQuery(e.currentTarget.value)} data-testid="query-input" />
        </div>
        <div class="actions">
          <button type="submit" class="primary" disabled={streaming} data-testid="send">
            Send
          </button>
          <button type="button" onClick={cancel} disabled={!streaming || !stream.requestId || cancelling} data-testid="cancel">
            Cancel
          </button>
        </div>
      </form>
      {note && (
        <p role="alert" class="error" data-testid="playground-note">
          {note}
        </p>
      )}
      {resumeNote && (
        <p class="notice" data-testid="resume-notice">
          {resumeNote}
        </p>
      )}
      <div class="stream-head">
        <p role="status">
          Status:{' '}
          <span data-testid="stream-status" class={`stream-${stream.status}`}>
            {status}
          </span>
        </p>
        {stream.requestId && (
          <p>
            Request <code data-testid="request-id">{stream.requestId}</code>
          </p>
        )}
      </div>
      {stream.errorMessage && stream.status === 'error' && (
        <p class="error" data-testid="stream-error">
          {stream.errorMessage}
        </p>
      )}
      <h3>Answer</h3>
      <div
        class="answer"
        role="region"
        aria-label="Answer"
        tabIndex={0}
        data-testid="answer"
        data-token-count={stream.tokenCount}
        data-first-token-seq={stream.firstTokenSeq ?? ''}
        aria-busy={streaming ? 'true' : 'false'}
      >
        {stream.text}
      </div>
      <h3>Events</h3>
      <ol class="log events" data-testid="events" tabIndex={0} aria-label="Events of the query">
        {stream.events.map((e) => (
          <li key={e.seq} data-event={e.type} data-seq={e.seq} class={e.boundary ? 'boundary' : undefined}>
            <span class="event-type">{e.type === 'restart' ? 'restart — new attempt, answer starts over' : e.type}</span>{' '}
            <span class="mono">{eventSummary(e)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
