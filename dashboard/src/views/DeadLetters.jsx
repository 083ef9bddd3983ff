import { useState } from 'preact/hooks';
import { TableWrap, fmtDateTime, useConfirm } from '../components.jsx';
import { usePolling } from '../hooks.js';

function jobText(job) {
  if (job == null) return '(no readable job)';
  if (typeof job === 'string') {
    try {
      return JSON.stringify(JSON.parse(job), null, 2);
    } catch {
      return job;
    }
  }
  return JSON.stringify(job, null, 2);
}

const path = (id) => `/api/v1/admin/dead-letters/${encodeURIComponent(id)}`;

export function DeadLettersView({ client, headingRef }) {
  const { data, error, reload } = usePolling(
    (signal) => client.get('/api/v1/admin/dead-letters?count=100', { signal }),
    5000,
    [client],
  );
  const [open, setOpen] = useState(() => new Set());
  const [removed, setRemoved] = useState(() => new Set()); // gone here even if a poll in flight still lists them
  const [notice, setNotice] = useState(null);
  const [dialog, ask] = useConfirm();

  const letters = (Array.isArray(data?.dead_letters) ? data.dead_letters : []).filter((l) => !removed.has(l.entry_id));
  const total = typeof data?.total === 'number' ? data.total : letters.length;

  function toggle(id) {
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  const drop = (id) => setRemoved((s) => new Set(s).add(id));

  function retry(l) {
    ask({
      title: 'Retry this dead letter?',
      message: `Request ${l.request_id || l.entry_id} runs again as a new request, and the letter is removed.`,
      confirmLabel: 'Confirm retry',
      action: async () => {
        const r = await client.post(`${path(l.entry_id)}/retry`);
        drop(l.entry_id);
        setNotice(`Retried ${l.entry_id} as request ${r?.id ?? '(unknown)'}.`);
        reload();
      },
    });
  }

  function remove(l) {
    ask({
      title: 'Delete this dead letter?',
      message: `Letter ${l.entry_id} is removed for good; its job does not run again.`,
      confirmLabel: 'Confirm delete',
      action: async () => {
        await client.del(path(l.entry_id));
        drop(l.entry_id);
        setNotice(`Deleted ${l.entry_id}.`);
        reload();
      },
    });
  }

  function purge() {
    ask({
      title: 'Purge all dead letters?',
      message: `Every dead letter (${total}) is removed for good.`,
      confirmLabel: 'Confirm purge',
      action: async () => {
        const r = await client.del('/api/v1/admin/dead-letters');
        setRemoved((s) => {
          const next = new Set(s);
          letters.forEach((l) => next.add(l.entry_id));
          return next;
        });
        setNotice(`Purged ${r?.purged ?? 0} dead letters.`);
        reload();
      },
    });
  }

  return (
    <section aria-labelledby="view-title">
      <h2 id="view-title" tabIndex={-1} ref={headingRef}>Dead letters</h2>
      <div class="toolbar">
        <p data-testid="dead-letter-total">
          {data ? `${total} dead letter${total === 1 ? '' : 's'}` : 'Loading…'}
        </p>
        <button type="button" onClick={reload} data-testid="dead-letters-refresh">Refresh</button>
        <button type="button" class="danger" onClick={purge} disabled={!letters.length} data-testid="purge-all">
          Purge all
        </button>
      </div>
      <p role="status" class="notice" data-testid="dead-letter-notice">{notice}</p>
      {error && <p role="alert" class="error">{error}</p>}
      {data && letters.length === 0 ? (
        <p class="muted">No dead letters.</p>
      ) : letters.length > 0 ? (
        <TableWrap label="Dead letters">
          <table data-testid="dead-letters">
            <thead>
              <tr>
                <th scope="col">Entry</th>
                <th scope="col">Request</th>
                <th scope="col">Lane</th>
                <th scope="col" class="num">Attempts</th>
                <th scope="col">Error</th>
                <th scope="col">When</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            {letters.map((l) => {
              const expanded = open.has(l.entry_id);
              const detailsId = `dl-details-${l.entry_id}`;
              return (
                <tbody key={l.entry_id} data-testid={`dead-letter-${l.entry_id}`}>
                  <tr>
                    <th scope="row">
                      <button
                        type="button"
                        class="link nowrap"
                        aria-expanded={expanded ? 'true' : 'false'}
                        aria-controls={detailsId}
                        onClick={() => toggle(l.entry_id)}
                        data-testid={`inspect-${l.entry_id}`}
                      >
                        <span aria-hidden="true">{expanded ? '▾ ' : '▸ '}</span>
                        {l.entry_id}
                      </button>
                    </th>
                    <td><code>{l.request_id || '–'}</code></td>
                    <td>{l.lane || '–'}</td>
                    <td class="num">{l.attempts ?? '–'}</td>
                    <td class="clip">{l.error || '–'}</td>
                    <td>{fmtDateTime(l.at_ms)}</td>
                    <td class="row-actions">
                      <button type="button" onClick={() => retry(l)} data-testid={`retry-${l.entry_id}`}>
                        Retry<span class="visually-hidden"> {l.entry_id}</span>
                      </button>
                      <button type="button" class="danger" onClick={() => remove(l)} data-testid={`delete-${l.entry_id}`}>
                        Delete<span class="visually-hidden"> {l.entry_id}</span>
                      </button>
                    </td>
                  </tr>
                  {expanded && (
                    <tr class="details" id={detailsId}>
                      <td colSpan={7}>
                        <dl class="kv">
                          <dt>Error</dt>
                          <dd data-testid="dead-letter-error">{l.error || '–'}</dd>
                          <dt>Attempts</dt>
                          <dd>{l.attempts ?? '–'}</dd>
                          <dt>Worker</dt>
                          <dd>{l.worker || '–'}</dd>
                        </dl>
                        <pre class="json" data-testid="dead-letter-job">{jobText(l.job)}</pre>
                      </td>
                    </tr>
                  )}
                </tbody>
              );
            })}
          </table>
        </TableWrap>
      ) : null}
      {dialog}
    </section>
  );
}
