// Small shared pieces: the confirm dialog, a table wrapper, the live indicator, a line chart.

import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './api.js';
import { chartGeometry, formatNumber } from './state/charts.js';

/**
 * useConfirm() -> [dialog, ask]. ask({ title, message, confirmLabel, action }) opens an in-page
 * modal <dialog>; Confirm runs `action` (async) and closes it, Cancel or Escape closes it; an
 * error from the action is shown in the dialog.
 */
export function useConfirm() {
  const [request, setRequest] = useState(null);
  const dialog = <ConfirmDialog request={request} onClose={() => setRequest(null)} />;
  return [dialog, (r) => setRequest(r)];
}

function ConfirmDialog({ request, onClose }) {
  const ref = useRef(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (request && !d.open) {
      setError(null);
      setBusy(false);
      d.showModal();
    } else if (!request && d.open) {
      d.close();
    }
  }, [request]);

  async function confirm() {
    if (!request || busy) return;
    setBusy(true);
    setError(null);
    try {
      await request.action();
      onClose();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog
      ref={ref}
      class="confirm"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-message"
      data-testid="confirm-dialog"
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <h2 id="confirm-title">{request?.title || 'Are you sure?'}</h2>
      <p id="confirm-message">{request?.message}</p>
      {error && (
        <p role="alert" class="error" data-testid="confirm-error">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="button" class="danger" data-testid="confirm" onClick={confirm} disabled={busy}>
          {busy ? 'Working…' : request?.confirmLabel || 'Confirm'}
        </button>
        <button type="button" data-testid="confirm-cancel" onClick={onClose} disabled={busy}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

/** A horizontally scrollable, keyboard-reachable region around a wide table. */
export function TableWrap({ label, children }) {
  return (
    <div class="table-wrap" role="region" aria-label={`${label} (table)`} tabIndex={0}>
      {children}
    </div>
  );
}

export function LiveIndicator({ connection, error }) {
  const text = connection === 'live' ? 'live' : connection === 'stopped' ? 'stopped' : connection;
  return (
    <span class={`live live-${connection}`} data-testid="live-indicator" data-state={connection} role="status" title={error || undefined}>
      <span class="dot" aria-hidden="true" />
      {text}
      {error && connection !== 'live' ? <span class="visually-hidden">: {error}</span> : null}
    </span>
  );
}

const W = 600;
const H = 200;

/** An inline SVG line chart of points { at_ms, value } between t0 and t1. */
export function LineChart({ title, points, t0, t1, unit, testid, digits = 1 }) {
  const g = chartGeometry(points, { t0, t1, width: W, height: H, left: 56, right: 12, top: 12, bottom: 30 });
  const { left, right, top, bottom } = g.box;
  const latest = points.length ? points[points.length - 1].value : null;
  const peak = points.reduce((m, p) => (p.value > m ? p.value : m), 0);
  const latestText = latest == null ? 'no data yet' : `${formatNumber(latest, digits)} ${unit}`;
  const label = `${title} over the last 5 minutes: latest ${latestText}${points.length ? `, peak ${formatNumber(peak, digits)} ${unit}` : ''}`;
  const plotBottom = H - bottom;
  const midY = top + (plotBottom - top) / 2;
  const single = g.count === 1 ? g.polyline.split(',').map(Number) : null;
  return (
    <figure class="chart" data-testid={testid}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} class="chart-svg">
        <line class="grid" x1={left} x2={W - right} y1={top} y2={top} />
        <line class="grid" x1={left} x2={W - right} y1={midY} y2={midY} />
        <line class="axis" x1={left} x2={W - right} y1={plotBottom} y2={plotBottom} />
        <line class="axis" x1={left} x2={left} y1={top} y2={plotBottom} />
        <text class="tick" x={left - 6} y={top + 5} text-anchor="end">{formatNumber(g.yMax, 2)}</text>
        <text class="tick" x={left - 6} y={midY + 5} text-anchor="end">{formatNumber(g.yMax / 2, 2)}</text>
        <text class="tick" x={left - 6} y={plotBottom + 5} text-anchor="end">0</text>
        <text class="tick" x={left} y={H - 6} text-anchor="start">−5 min</text>
        <text class="tick" x={W - right} y={H - 6} text-anchor="end">now</text>
        {g.count > 1 && <polyline class="series" points={g.polyline} />}
        {single && <circle class="series-dot" cx={single[0]} cy={single[1]} r="3" />}
      </svg>
      <figcaption>
        {title}: <strong data-testid={`${testid}-latest`}>{latestText}</strong>
      </figcaption>
    </figure>
  );
}

export function fmtMs(ms) {
  if (ms == null || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

export function fmtTime(ms) {
  if (typeof ms !== 'number') return '–';
  const d = new Date(ms);
  return d.toLocaleTimeString([], { hour12: false });
}

export function fmtDateTime(ms) {
  if (typeof ms !== 'number') return '–';
  return new Date(ms).toLocaleString([], { hour12: false });
}
