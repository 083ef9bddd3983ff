// Admission & limits (operator) and Keys & usage (admin).

import { useEffect, useState } from 'preact/hooks';
import { describeError } from '../api.js';
import { TableWrap, fmtDateTime, useConfirm } from '../components.jsx';
import { formatNumber } from '../state/charts.js';
import { usePolling } from '../hooks.js';

const LANES = ['interactive', 'batch'];
export const LIMIT_FIELDS = [
  ['rate_per_second', 'Rate per second'],
  ['burst', 'Burst'],
  ['rate_per_minute', 'Rate per minute'],
  ['max_streams', 'Max open streams'],
  ['daily_budget_usd', 'Daily budget (USD)'],
  ['monthly_budget_usd', 'Monthly budget (USD)'],
];

const asText = (v) => (v == null ? '' : String(v));

/** A number when the field holds one, else the text as typed (the server says what is wrong). */
function fieldValue(text) {
  const t = text.trim();
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

function Status({ id, value }) {
  return (
    <p role="status" class="notice" data-testid={id}>
      {value}
    </p>
  );
}

function Alert({ id, value }) {
  return value ? (
    <p role="alert" class="error" data-testid={id}>
      {value}
    </p>
  ) : null;
}

export function AdmissionView({ client, headingRef }) {
  const admission = usePolling((signal) => client.get('/api/v1/admin/admission', { signal }), 0, [client]);
  const limits = usePolling((signal) => client.get('/api/v1/admin/limits', { signal }), 0, [client]);

  const [depth, setDepth] = useState(null); // { interactive: '500', batch: '5000' }
  const [admStatus, setAdmStatus] = useState('');
  const [admError, setAdmError] = useState(null);
  const [admBusy, setAdmBusy] = useState(false);

  const [form, setForm] = useState(null); // field -> text
  const [limStatus, setLimStatus] = useState('');
  const [limError, setLimError] = useState(null);
  const [limBusy, setLimBusy] = useState(false);

  useEffect(() => {
    if (admission.data && depth == null) {
      setDepth(Object.fromEntries(LANES.map((l) => [l, asText(admission.data?.[l]?.max_depth)])));
    }
  }, [admission.data]);

  useEffect(() => {
    if (limits.data && form == null) {
      const d = limits.data.defaults || {};
      setForm(Object.fromEntries(LIMIT_FIELDS.map(([f]) => [f, asText(d[f])])));
    }
  }, [limits.data]);

  async function saveAdmission(e) {
    e.preventDefault();
    setAdmError(null);
    setAdmStatus('');
    const body = {};
    for (const lane of LANES) {
      const text = depth?.[lane] ?? '';
      if (text.trim() === '') continue;
      if (text.trim() !== asText(admission.data?.[lane]?.max_depth)) body[lane] = { max_depth: fieldValue(text) };
    }
    if (!Object.keys(body).length) {
      setAdmStatus('Nothing changed.');
      return;
    }
    setAdmBusy(true);
    try {
      await client.put('/api/v1/admin/admission', body);
      const fresh = await client.get('/api/v1/admin/admission');
      admission.setData(fresh);
      setDepth(Object.fromEntries(LANES.map((l) => [l, asText(fresh?.[l]?.max_depth)])));
      setAdmStatus('Saved. Every ingress applies it within a second.');
    } catch (err) {
      setAdmError(describeError(err));
    } finally {
      setAdmBusy(false);
    }
  }

  async function saveLimits(e) {
    e.preventDefault();
    setLimError(null);
    setLimStatus('');
    const d = limits.data?.defaults || {};
    const body = {};
    for (const [f] of LIMIT_FIELDS) {
      const text = form?.[f] ?? '';
      if (text.trim() === '' || text.trim() === asText(d[f])) continue;
      body[f] = fieldValue(text);
    }
    if (!Object.keys(body).length) {
      setLimStatus('Nothing changed.');
      return;
    }
    setLimBusy(true);
    try {
      const fresh = await client.put('/api/v1/admin/limits', body);
      const next = fresh && fresh.defaults ? fresh : await client.get('/api/v1/admin/limits');
      limits.setData(next);
      setForm(Object.fromEntries(LIMIT_FIELDS.map(([f]) => [f, asText(next.defaults?.[f])])));
      setLimStatus('Saved. Every ingress applies it within a second.');
    } catch (err) {
      setLimError(describeError(err));
    } finally {
      setLimBusy(false);
    }
  }

  const overrides = limits.data?.tenant_overrides && typeof limits.data.tenant_overrides === 'object' ? limits.data.tenant_overrides : {};

  return (
    <section aria-labelledby="view-title">
      <h2 id="view-title" tabIndex={-1} ref={headingRef}>Admission &amp; limits</h2>

      <section aria-labelledby="admission-title" class="panel">
        <h3 id="admission-title">Queue admission</h3>
        <p class="muted">A lane refuses new queries (429 queue_full) once this many jobs wait in it.</p>
        <Alert id="admission-load-error" value={admission.error} />
        {depth && (
          <form onSubmit={saveAdmission} data-testid="admission-form">
            <div class="fields">
              {LANES.map((lane) => (
                <div class="field" key={lane}>
                  <label for={`max-depth-${lane}`}>Max depth, {lane}</label>
                  <input
                    id={`max-depth-${lane}`}
                    type="number"
                    inputMode="numeric"
                    min="0"
                    step="1"
                    value={depth[lane]}
                    onInput={(e) => setDepth({ ...depth, [lane]: e.currentTarget.value })}
                    data-testid={`max-depth-${lane}`}
                    aria-describedby={`lane-now-${lane}`}
                  />
                  <span class="hint" id={`lane-now-${lane}`}>
                    now: lag {asText(admission.data?.[lane]?.lag) || '–'}, drain {formatNumber(admission.data?.[lane]?.drain_per_second)}/s
                  </span>
                </div>
              ))}
            </div>
            <button type="submit" class="primary" disabled={admBusy} data-testid="save-admission">
              Save admission
            </button>
            <Status id="admission-status" value={admStatus} />
            <Alert id="admission-error" value={admError} />
          </form>
        )}
      </section>

      <section aria-labelledby="limits-title" class="panel">
        <h3 id="limits-title">Default limits</h3>
        <p class="muted">For every tenant without its own values. Whole numbers; 0 means no limit.</p>
        <Alert id="limits-load-error" value={limits.error} />
        {form && (
          <form onSubmit={saveLimits} data-testid="limits-form">
            <div class="fields">
              {LIMIT_FIELDS.map(([f, label]) => (
                <div class="field" key={f}>
                  <label for={`limit-${f}`}>{label}</label>
                  <input
                    id={`limit-${f}`}
                    type="number"
                    inputMode="numeric"
                    min="0"
                    step="1"
                    value={form[f]}
                    onInput={(e) => setForm({ ...form, [f]: e.currentTarget.value })}
                    data-testid={`limit-${f}`}
                  />
                </div>
              ))}
            </div>
            <button type="submit" class="primary" disabled={limBusy} data-testid="save-limits">
              Save limits
            </button>
            <Status id="limits-status" value={limStatus} />
            <Alert id="limits-error" value={limError} />
          </form>
        )}
        <h4>Tenant overrides</h4>
        {Object.keys(overrides).length === 0 ? (
          <p class="muted">No tenant has its own values.</p>
        ) : (
          <TableWrap label="Tenant overrides">
            <table data-testid="tenant-overrides">
              <thead>
                <tr>
                  <th scope="col">Tenant</th>
                  {LIMIT_FIELDS.map(([f, label]) => (
                    <th scope="col" class="num" key={f}>{label}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {Object.entries(overrides).map(([tenant, values]) => (
                  <tr key={tenant}>
                    <th scope="row">{tenant}</th>
                    {LIMIT_FIELDS.map(([f]) => (
                      <td class="num" key={f}>{asText(values?.[f]) || '–'}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>
    </section>
  );
}

const ROLES = ['user', 'ingest', 'operator', 'admin'];

function isoDay(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

export function KeysView({ client, me, headingRef }) {
  const keys = usePolling((signal) => client.get('/api/v1/admin/keys', { signal }), 0, [client]);
  const today = Date.now();
  const from = isoDay(today - 29 * 86400000);
  const to = isoDay(today);
  const usage = usePolling((signal) => client.get(`/api/v1/usage?from=${from}&to=${to}`, { signal }), 0, [client]);
  const [dialog, ask] = useConfirm();

  const [tenant, setTenant] = useState(me?.tenant || '');
  const [name, setName] = useState('');
  const [roles, setRoles] = useState(['user']);
  const [agents, setAgents] = useState('');
  const [created, setCreated] = useState(null);
  const [createError, setCreateError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState('');

  async function create(e) {
    e.preventDefault();
    setCreateError(null);
    setCreated(null);
    const agentList = agents
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    const body = { tenant: tenant.trim(), roles, name: name.trim() };
    if (agentList.length) body.agents = agentList;
    setBusy(true);
    try {
      const r = await client.post('/api/v1/admin/keys', body);
      setCreated({ key: r?.key, id: r?.id, tenant: r?.tenant ?? body.tenant });
      setName('');
      keys.reload();
    } catch (err) {
      setCreateError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  function revoke(k) {
    ask({
      title: 'Revoke this key?',
      message: `Key ${k.id}${k.name ? ` (${k.name})` : ''} of tenant ${k.tenant} stops working on every ingress within seconds. This cannot be undone.`,
      confirmLabel: 'Confirm revoke',
      action: async () => {
        await client.del(`/api/v1/admin/keys/${encodeURIComponent(k.id)}`);
        setNotice(`Revoked ${k.id}.`);
        keys.reload();
      },
    });
  }

  function toggleRole(role) {
    setRoles((rs) => (rs.includes(role) ? rs.filter((r) => r !== role) : [...rs, role]));
  }

  const list = Array.isArray(keys.data?.keys) ? keys.data.keys : [];
  const perAgent = usage.data?.agents && typeof usage.data.agents === 'object' ? usage.data.agents : {};
  const total = usage.data?.total;

  return (
    <section aria-labelledby="view-title">
      <h2 id="view-title" tabIndex={-1} ref={headingRef}>Keys &amp; usage</h2>

      <section aria-labelledby="create-key-title" class="panel">
        <h3 id="create-key-title">Create a key</h3>
        <form onSubmit={create} data-testid="create-key-form">
          <div class="fields">
            <div class="field">
              <label for="key-tenant">Tenant</label>
              <input id="key-tenant" required value={tenant} onInput={(e) => setTenant(e.currentTarget.value)} data-testid="key-tenant" autoComplete="off" />
            </div>
            <div class="field">
              <label for="key-name">Name</label>
              <input id="key-name" value={name} onInput={(e) => setName(e.currentTarget.value)} data-testid="key-name" autoComplete="off" />
            </div>
            <div class="field">
              <label for="key-agents">Agents (comma separated, empty for all)</label>
              <input id="key-agents" value={agents} onInput={(e) => setAgents(e.currentTarget.value)} data-testid="key-agents" autoComplete="off" />
            </div>
            <fieldset class="field">
              <legend>Roles</legend>
              {ROLES.map((r) => (
                <label class="check" key={r}>
                  <input type="checkbox" checked={roles.includes(r)} onChange={() => toggleRole(r)} data-testid={`key-role-${r}`} /> {r}
                </label>
              ))}
            </fieldset>
          </div>
          <button type="submit" class="primary" disabled={busy} data-testid="create-key">
            Create key
          </button>
        </form>
        <Alert id="create-key-error" value={createError} />
        {created && (
          <div class="new-key" role="status" data-testid="new-key-panel">
            <p>
              New key for tenant {created.tenant}. Copy it now: it is shown only this once.
            </p>
            <p>
              <code class="secret" data-testid="new-key">{created.key}</code>
            </p>
            <button type="button" onClick={() => setCreated(null)}>
              I have copied it
            </button>
          </div>
        )}
      </section>

      <section aria-labelledby="keys-title" class="panel">
        <h3 id="keys-title">Keys</h3>
        <Status id="keys-status" value={notice} />
        <Alert id="keys-error" value={keys.error} />
        {list.length > 0 && (
          <TableWrap label="API keys">
            <table data-testid="keys">
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">Name</th>
                  <th scope="col">Tenant</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Agents</th>
                  <th scope="col">Created</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {list.map((k) => (
                  <tr key={k.id} data-testid={`key-${k.id}`}>
                    <th scope="row" class="mono">{k.id}</th>
                    <td>{k.name || '–'}</td>
                    <td>{k.tenant}</td>
                    <td>{Array.isArray(k.roles) && k.roles.length ? k.roles.join(', ') : '–'}</td>
                    <td>{Array.isArray(k.agents) && k.agents.length ? k.agents.join(', ') : '–'}</td>
                    <td>{fmtDateTime(k.created_ms)}</td>
                    <td>
                      {k.revoked ? (
                        <span class="badge badge-muted">revoked {k.revoked_ms ? fmtDateTime(k.revoked_ms) : ''}</span>
                      ) : (
                        <button type="button" class="danger" onClick={() => revoke(k)} data-testid={`revoke-${k.id}`}>
                          Revoke<span class="visually-hidden"> {k.id}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
      </section>

      <section aria-labelledby="usage-title" class="panel">
        <h3 id="usage-title">
          Usage of tenant {usage.data?.tenant || me?.tenant}, {from} to {to} (UTC)
        </h3>
        <Alert id="usage-error" value={usage.error} />
        {usage.data && (
          <TableWrap label="Usage per agent">
            <table data-testid="usage">
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col" class="num">Requests</th>
                  <th scope="col" class="num">Tokens in</th>
                  <th scope="col" class="num">Tokens out</th>
                  <th scope="col" class="num">Cost (USD)</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(perAgent).map(([agent, u]) => (
                  <tr key={agent}>
                    <th scope="row">{agent}</th>
                    <td class="num">{u?.requests ?? 0}</td>
                    <td class="num">{u?.tokens_in ?? 0}</td>
                    <td class="num">{u?.tokens_out ?? 0}</td>
                    <td class="num">{typeof u?.cost_usd === 'number' ? u.cost_usd.toFixed(6) : '–'}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Total</th>
                  <td class="num">{total?.requests ?? 0}</td>
                  <td class="num">{total?.tokens_in ?? 0}</td>
                  <td class="num">{total?.tokens_out ?? 0}</td>
                  <td class="num">{typeof total?.cost_usd === 'number' ? total.cost_usd.toFixed(6) : '–'}</td>
                </tr>
              </tfoot>
            </table>
          </TableWrap>
        )}
      </section>
      {dialog}
    </section>
  );
}
