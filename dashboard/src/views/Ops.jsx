// Queue, Workers and Charts: all drawn from the overview stream the App holds.

import { LineChart, TableWrap, fmtMs, fmtTime } from '../components.jsx';
import { formatNumber, ttftSeries } from '../state/charts.js';
import { WINDOW_MS, isSilent, laneRows, slots, stuckAgents } from '../state/overview.js';
import { describeScale } from '../state/scale.js';

const n = (v) => (v == null ? '–' : String(v));

function Waiting({ connection, error }) {
  return (
    <p class="muted" data-testid="overview-waiting">
      {error ? `No overview: ${error}` : connection === 'live' ? 'Waiting for data…' : 'Connecting to the overview stream…'}
    </p>
  );
}

export function QueueView({ overview, connection, error, headingRef }) {
  const sample = overview.latest;
  const lanes = laneRows(sample);
  const refused = sample?.refused && typeof sample.refused === 'object' ? sample.refused : {};
  const refusedTotal = Object.values(refused).reduce((s, v) => s + (typeof v === 'number' ? v : 0), 0);
  const workers = Array.isArray(sample?.workers) ? sample.workers : [];
  const stuck = workers.filter((w) => isSilent(w) || stuckAgents(w) > 0).length;
  return (
    <section aria-labelledby="view-title">
      <h2 id="view-title" tabIndex={-1} ref={headingRef}>Queue</h2>
      {!sample ? (
        <Waiting connection={connection} error={error} />
      ) : (
        <>
          <TableWrap label="Lanes">
            <table data-testid="lanes">
              <caption>Lanes at {fmtTime(sample.at_ms)}</caption>
              <thead>
                <tr>
                  <th scope="col">Lane</th>
                  <th scope="col" class="num">Depth</th>
                  <th scope="col" class="num">Lag</th>
                  <th scope="col" class="num">Pending</th>
                  <th scope="col" class="num">Max depth</th>
                  <th scope="col" class="num">Drain/s</th>
                  <th scope="col" class="num">Delivered</th>
                </tr>
              </thead>
              <tbody>
                {lanes.map((l) => (
                  <tr key={l.lane} data-testid={`lane-${l.lane}`}>
                    <th scope="row">{l.lane}</th>
                    <td class="num" data-col="depth">{n(l.depth)}</td>
                    <td class="num" data-col="lag">{n(l.lag)}</td>
                    <td class="num" data-col="pending">{n(l.pending)}</td>
                    <td class="num" data-col="max_depth">{n(l.max_depth)}</td>
                    <td class="num" data-col="drain_per_second">{formatNumber(l.drain_per_second)}</td>
                    <td class="num" data-col="delivered">{n(l.delivered)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <dl class="stats">
            <div>
              <dt>Workers</dt>
              <dd data-testid="queue-worker-count">
                {workers.length}
                {stuck ? <span class="badge badge-warn"> {stuck} need a look</span> : null}
              </dd>
            </div>
            <div>
              <dt>Dead letters</dt>
              <dd data-testid="queue-dead-letters">{n(sample.dead_letters)}</dd>
            </div>
            <div>
              <dt>Refused (total)</dt>
              <dd>{refusedTotal}</dd>
            </div>
          </dl>
          {Object.keys(refused).length > 0 && (
            <p class="muted">
              Refused since start:{' '}
              {Object.entries(refused)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ')}
            </p>
          )}
        </>
      )}
    </section>
  );
}

export function WorkersView({ overview, connection, error, headingRef }) {
  const sample = overview.latest;
  const workers = Array.isArray(sample?.workers) ? sample.workers : [];
  return (
    <section aria-labelledby="view-title">
      <h2 id="view-title" tabIndex={-1} ref={headingRef}>Workers</h2>
      <p>
        Workers running: <strong data-testid="worker-count">{sample ? workers.length : '–'}</strong>
      </p>
      {!sample ? (
        <Waiting connection={connection} error={error} />
      ) : workers.length === 0 ? (
        <p class="muted">No worker has a recent heartbeat.</p>
      ) : (
        <TableWrap label="Workers">
          <table data-testid="workers">
            <caption>Workers at {fmtTime(sample.at_ms)}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" class="num">Heartbeat age</th>
                <th scope="col" class="num">Slots busy</th>
                <th scope="col" class="num">Slots free</th>
                <th scope="col" class="num">Jobs done</th>
                <th scope="col" class="num">Stuck agents</th>
                <th scope="col">Version</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {workers.map((w) => {
                const s = slots(w);
                const silent = isSilent(w);
                const stuck = stuckAgents(w);
                return (
                  <tr key={w.name} data-testid={`worker-${w.name}`} class={silent || stuck ? 'row-warn' : undefined}>
                    <th scope="row">{w.name}</th>
                    <td class="num">{fmtMs(w.heartbeat_age_ms)}</td>
                    <td class="num">{s.busy}</td>
                    <td class="num">{s.free}</td>
                    <td class="num">{n(w.jobs_done)}</td>
                    <td class="num">{stuck}</td>
                    <td>{w.version || '–'}</td>
                    <td>
                      {silent ? (
                        <span class="badge badge-warn" data-testid="silent-badge">silent</span>
                      ) : stuck ? (
                        <span class="badge badge-warn" data-testid="stuck-badge">stuck agents</span>
                      ) : (
                        <span class="badge badge-ok">ok</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
      <h3>Scale history</h3>
      {overview.scaleLog.length === 0 ? (
        <p class="muted" data-testid="scale-history-empty">No worker joined or left since this page opened.</p>
      ) : (
        <ol class="log" data-testid="scale-history" tabIndex={0} aria-label="Scale history, newest first">
          {overview.scaleLog.map((e) => (
            <li key={`${e.at_ms}-${e.worker}-${e.change}`} data-change={e.change}>
              {describeScale(e)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function ChartsView({ overview, requestsWindow, headingRef }) {
  const t1 = overview.latest?.at_ms ?? Date.now();
  const t0 = t1 - WINDOW_MS;
  const throughput = overview.rates.map((r) => ({ at_ms: r.at_ms, value: r.throughput }));
  const refusals = overview.rates.map((r) => ({ at_ms: r.at_ms, value: r.refusals }));
  const ttft = ttftSeries(requestsWindow, t1, { windowMs: WINDOW_MS, bucketMs: 15000 });
  return (
    <section aria-labelledby="view-title">
      <h2 id="view-title" tabIndex={-1} ref={headingRef}>Charts</h2>
      <p class="muted">The last 5 minutes, from the overview stream (every second) and the recent requests (every 5 s).</p>
      <div class="charts">
        <LineChart title="Throughput" unit="jobs/s" points={throughput} t0={t0} t1={t1} testid="chart-throughput" />
        <LineChart title="Refusals" unit="/s" points={refusals} t0={t0} t1={t1} testid="chart-refusals" />
        <LineChart title="Median time to first token" unit="ms" points={ttft} t0={t0} t1={t1} testid="chart-ttft" digits={0} />
      </div>
    </section>
  );
}
