// Chart series and their geometry, without any chart library.

import { WINDOW_MS } from './overview.js';

export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * Adds a fetched requests list to what we hold (keyed by id; the list is newest first and only the
 * latest `count`, so merging keeps what older fetches saw), keeping requests finished within the
 * window before nowMs.
 */
export function mergeRequests(held, list, nowMs, windowMs = WINDOW_MS) {
  const out = {};
  const from = nowMs - windowMs;
  for (const [id, r] of Object.entries(held || {})) {
    if (r.finished_at_ms >= from) out[id] = r;
  }
  for (const r of Array.isArray(list) ? list : []) {
    if (r && typeof r.id === 'string' && typeof r.finished_at_ms === 'number' && r.finished_at_ms >= from) {
      out[r.id] = r;
    }
  }
  return out;
}

/**
 * Median TTFT of the requests finished in each bucket of `bucketMs` ending at nowMs, over the
 * window: [{ at_ms: end of bucket, value }], buckets without a request with a TTFT left out.
 */
export function ttftSeries(requests, nowMs, { windowMs = WINDOW_MS, bucketMs = 15000 } = {}) {
  const buckets = Math.max(1, Math.ceil(windowMs / bucketMs));
  const start = nowMs - buckets * bucketMs;
  const values = Array.from({ length: buckets }, () => []);
  for (const r of Object.values(requests || {})) {
    if (typeof r?.ttft_ms !== 'number' || typeof r.finished_at_ms !== 'number') continue;
    if (r.finished_at_ms <= start || r.finished_at_ms > nowMs) continue;
    const i = Math.min(buckets - 1, Math.floor((r.finished_at_ms - start - 1) / bucketMs));
    values[i].push(r.ttft_ms);
  }
  const out = [];
  values.forEach((v, i) => {
    const m = median(v);
    if (m != null) out.push({ at_ms: start + (i + 1) * bucketMs, value: m });
  });
  return out;
}

/** The smallest 1, 2 or 5 x 10^n at least v (1 for nothing or zero). */
export function niceMax(v) {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) {
    if (m * p >= v * (1 - 1e-12)) return m * p;
  }
  return 10 * p;
}

/**
 * Maps points { at_ms, value } into an SVG box: x from t0..t1 across the plot, y from 0..yMax up
 * the plot. Returns { yMax, polyline: "x,y x,y ..." } with coordinates rounded to 0.1.
 */
export function chartGeometry(points, { t0, t1, width = 600, height = 160, left = 48, right = 8, top = 8, bottom = 24 } = {}) {
  const maxValue = points.reduce((m, p) => (p.value > m ? p.value : m), 0);
  const yMax = niceMax(maxValue);
  const span = t1 > t0 ? t1 - t0 : 1;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const round = (x) => Math.round(x * 10) / 10;
  const coords = points
    .filter((p) => p.at_ms >= t0 && p.at_ms <= t1 && Number.isFinite(p.value))
    .map((p) => {
      const x = left + ((p.at_ms - t0) / span) * plotW;
      const y = top + plotH - (Math.max(0, p.value) / yMax) * plotH;
      return `${round(x)},${round(y)}`;
    });
  return { yMax, polyline: coords.join(' '), count: coords.length, box: { width, height, left, right, top, bottom } };
}

export function formatNumber(v, digits = 1) {
  if (v == null || !Number.isFinite(v)) return '–';
  if (Math.abs(v) >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return v.toFixed(digits);
}
