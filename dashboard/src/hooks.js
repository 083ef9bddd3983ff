import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError, isAbort, sleep } from './api.js';
import { backoffDelay, readEventStream } from './state/sse.js';
import { applySample, initialOverview } from './state/overview.js';
import { mergeRequests } from './state/charts.js';

/**
 * The overview stream (operators): fetch() + a reader, since EventSource cannot send the key.
 * Reconnects after a drop with backoff (from the server's `retry:` up to 15 s).
 * Returns { connection: 'connecting' | 'live' | 'reconnecting' | 'stopped', error, overview }.
 */
export function useOverviewStream(client, enabled) {
  const [overview, setOverview] = useState(initialOverview);
  const [connection, setConnection] = useState('connecting');
  const [error, setError] = useState(null);

  useEffect(() => {
    if (!client || !enabled) return undefined;
    setOverview(initialOverview());
    setError(null);
    const controller = new AbortController();
    const { signal } = controller;
    let retryBase = 1000;

    (async () => {
      let failures = 0;
      while (!signal.aborted) {
        setConnection(failures ? 'reconnecting' : 'connecting');
        try {
          const response = await client.open('GET', '/api/v1/admin/overview/stream', {
            headers: { Accept: 'text/event-stream' },
            signal,
          });
          await readEventStream(response, {
            onRetry: (ms) => (retryBase = Math.max(250, ms)),
            onEvent: (frame) => {
              if (frame.type !== 'overview') return;
              let sample;
              try {
                sample = JSON.parse(frame.data);
              } catch {
                return;
              }
              failures = 0;
              setConnection('live');
              if (sample?.error) {
                // The ingress could not read Redis this time: keep the last picture, say why.
                setError(`The server could not read the overview (${sample.error}); showing the last one.`);
                return;
              }
              setError(null);
              setOverview((s) => applySample(s, sample));
            },
          });
        } catch (err) {
          if (signal.aborted || isAbort(err)) return;
          if (err.status === 401 || err.status === 403) {
            setError(describeError(err));
            setConnection('stopped');
            return;
          }
          setError(describeError(err));
        }
        if (signal.aborted) return;
        failures++;
        setConnection('reconnecting');
        await sleep(backoffDelay(failures, retryBase), signal);
      }
    })();

    return () => controller.abort();
  }, [client, enabled]);

  return { overview, connection, error };
}

/** Calls `load(signal)` now and every `intervalMs` while mounted; returns { data, error, reload }. */
export function usePolling(load, intervalMs, deps) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let stopped = false;
    let timer = null;
    const controller = new AbortController();
    async function once() {
      try {
        const value = await loadRef.current(controller.signal);
        if (!stopped) {
          setData(value);
          setError(null);
        }
      } catch (err) {
        if (!stopped && !isAbort(err)) setError(describeError(err));
      }
      if (!stopped && intervalMs) timer = setTimeout(once, intervalMs);
    }
    once();
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
    };
  }, [...deps, tick, intervalMs]);

  return { data, error, reload: () => setTick((t) => t + 1), setData };
}

/** The recent requests list every 5 s, and the requests of the last 5 minutes merged by id. */
export function useRequestsFeed(client, enabled) {
  const [held, setHeld] = useState({});
  const { data, error } = usePolling(
    async (signal) => {
      if (!client || !enabled) return null;
      const body = await client.get('/api/v1/admin/requests?count=50', { signal });
      const list = Array.isArray(body?.requests) ? body.requests : [];
      setHeld((h) => mergeRequests(h, list, Date.now()));
      return list;
    },
    enabled ? 5000 : 0,
    [client, enabled],
  );
  return { requests: data || [], window: held, error };
}
