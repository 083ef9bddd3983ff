import { useRef, useState } from 'preact/hooks';
import { describeError, isAbort } from '../api.js';
import { TableWrap, fmtMs, fmtTime } from '../components.jsx';

const MAX_EVENTS = 1000;

function summary(e) {
  const d = e.data;
  if (d == null) return '';
  if (e.event === 'token' && typeof d.text === 'string') return JSON.stringify(d.text);
  const s = typeof d === 'string' ? d : JSON.stringify(d);
  return s.length > 400 ? `${s.slice(0, 400)}…` : s;
}

export function RequestsView({ client, requests, error, headingRef }) {
  const [selected, setSelected] = useState(null); // { id, loading, error, events }
  const current = useRef(null);

  async function show(id) {
    current.current?.abort();
    const controller = new AbortController();
    current.current = controller;
    setSelected({ id, loading: true, error: null, events: [] });
    try {
      const body = await client.get(`/api/v1/admin/requests/${encodeURIComponent(id)}/events`, { signal: controller.signal });
      const events = Array.isArray(body?.events) ? body.events : [];
      setSelected({ id, tenant: body?.tenant, loading: false, error: null, events });
    } catch (err) {
      if (isAbort(err)) return;
      setSelected({ id, loading: false, error: describeError(err), events: [] });
    }
  }

  const shown = selected?.events.slice(0, MAX_EVENTS) || [];

  return (
    <section aria-labelledby="view-title">
      <h2 id="view-title" tabIndex={-1} ref={headingRef}>Requests</h2>
      <p class="muted">The 50 latest finished requests, refreshed every 5 seconds. Choose one to read its event log.</p>
      {error && <p role="alert" class="error">{error}</p>}
      {requests.length === 0 ? (
        <p class="muted">No finished request yet.</p>
      ) : (
        <TableWrap label="Recent requests">
          <table data-testid="requests">
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">Status</th>
                <th scope="col">Agent</th>
                <th scope="col">Tenant</th>
                <th scope="col">Lane</th>
                <th scope="col" class="num">TTFT</th>
                <th scope="col" class="num">Duration</th>
                <th scope="col">Finished</th>
              </tr>
            </thead>
            <tbody>
              {requests.map((r) => (
                <tr key={r.id} class={selected?.id === r.id ? 'selected' : undefined}>
                  <th scope="row">
                    <button
                      type="button"
                      class="link mono"
                      onClick={() => show(r.id)}
                      aria-pressed={selected?.id === r.id ? 'true' : 'false'}
                      data-testid={`request-${r.id}`}
                      title={r.id}
                    >
                      {r.id.length > 14 ? `${r.id.slice(0, 12)}…` : r.id}
                    </button>
                  </th>
                  <td>
                    <span class={`badge badge-${r.status === 'done' ? 'ok' : r.status === 'cancelled' ? 'muted' : 'warn'}`}>
                      {r.status}
                    </span>
                    {r.error_code ? <span class="muted"> {r.error_code}</span> : null}
                  </td>
                  <td>{r.agent || '–'}</td>
                  <td>{r.tenant || '–'}</td>
                  <td>{r.lane || '–'}</td>
                  <td class="num">{fmtMs(r.ttft_ms)}</td>
                  <td class="num">{fmtMs(r.duration_ms)}</td>
                  <td>{fmtTime(r.finished_at_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {selected && (
        <section aria-labelledby="events-title" class="panel" aria-busy={selected.loading ? 'true' : 'false'}>
          <h3 id="events-title">
            Events of <code>{selected.id}</code>
            {selected.tenant ? ` (tenant ${selected.tenant})` : ''}
          </h3>
          {selected.loading && <p class="muted">Loading…</p>}
          {selected.error && <p role="alert" class="error">{selected.error}</p>}
          {!selected.loading && !selected.error && (
            <>
              <ol class="log events" data-testid="request-events" tabIndex={0} aria-label={`Event log of ${selected.id}`}>
                {shown.map((e, i) =>
                  e.event === 'restart' ? (
                    <li key={e.id || i} data-event="restart" class="boundary">
                      <strong>Restart</strong>
                      {e.data?.attempt ? ` — attempt ${e.data.attempt}` : ''}
                      {e.data?.reason ? `: ${e.data.reason}` : ''}
                      <span class="muted mono"> {e.id}</span>
                    </li>
                  ) : (
                    <li key={e.id || i} data-event={e.event}>
                      <span class="event-type">{e.event}</span> <span class="mono">{summary(e)}</span>
                      <span class="muted mono"> {e.id}</span>
                    </li>
                  ),
                )}
              </ol>
              {selected.events.length > MAX_EVENTS && (
                <p class="muted">{selected.events.length - MAX_EVENTS} more events not shown.</p>
              )}
              {selected.events.length === 0 && <p class="muted">The log is empty (or expired).</p>}
            </>
          )}
        </section>
      )}
    </section>
  );
}
