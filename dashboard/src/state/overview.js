// The overview stream's samples over time: the latest one for the tables, the last five minutes
// of samples, per-second rates between consecutive samples (throughput = delivered/s summed over
// the lanes, refusals = refused.* per second), and the scale history.

import { appendScaleLog, scaleEvents } from './scale.js';

export const WINDOW_MS = 5 * 60 * 1000;
const LANE_ORDER = ['interactive', 'batch'];

export function initialOverview() {
  return { latest: null, samples: [], rates: [], scaleLog: [] };
}

function num(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The lanes of a sample as rows, interactive and batch first, then any others by name. */
export function laneRows(sample) {
  const lanes = sample && typeof sample.lanes === 'object' && sample.lanes ? sample.lanes : {};
  const names = Object.keys(lanes).sort((a, b) => {
    const ia = LANE_ORDER.indexOf(a);
    const ib = LANE_ORDER.indexOf(b);
    if (ia !== ib) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    return a.localeCompare(b);
  });
  return names.map((lane) => {
    const l = lanes[lane] || {};
    return {
      lane,
      depth: num(l.depth),
      lag: num(l.lag),
      pending: num(l.pending),
      max_depth: num(l.max_depth),
      drain_per_second: num(l.drain_per_second),
      delivered: num(l.delivered),
    };
  });
}

function sumDelivered(sample) {
  const lanes = sample?.lanes || {};
  const out = {};
  for (const [name, l] of Object.entries(lanes)) {
    const v = num(l?.delivered);
    if (v != null) out[name] = v;
  }
  return out;
}

/** Sum over keys present in both of max(0, cur - prev): a counter that went back adds nothing. */
function deltaSum(prev, cur) {
  let sum = 0;
  for (const [k, v] of Object.entries(cur)) {
    const p = num(prev[k]);
    const c = num(v);
    if (p != null && c != null && c > p) sum += c - p;
  }
  return sum;
}

/** Rates between two samples, per second of at_ms; null when time did not move forward. */
export function rate(prev, cur) {
  const t0 = num(prev?.at_ms);
  const t1 = num(cur?.at_ms);
  if (t0 == null || t1 == null || t1 <= t0) return null;
  const seconds = (t1 - t0) / 1000;
  const refusedPrev = prev.refused && typeof prev.refused === 'object' ? prev.refused : {};
  const refusedCur = cur.refused && typeof cur.refused === 'object' ? cur.refused : {};
  return {
    at_ms: t1,
    throughput: deltaSum(sumDelivered(prev), sumDelivered(cur)) / seconds,
    refusals: deltaSum(refusedPrev, refusedCur) / seconds,
  };
}

/** Keeps the items whose `at_ms` is within windowMs of nowMs. */
export function trimWindow(items, nowMs, windowMs = WINDOW_MS) {
  const from = nowMs - windowMs;
  let i = 0;
  while (i < items.length && items[i].at_ms < from) i++;
  return i === 0 ? items : items.slice(i);
}

/** The next state after a sample arrives. Samples not newer than the last one only refresh `latest`. */
export function applySample(state, sample, windowMs = WINDOW_MS) {
  if (!sample || typeof sample !== 'object') return state;
  const prev = state.latest;
  const scaleLog = appendScaleLog(state.scaleLog, scaleEvents(prev, sample));
  const at = num(sample.at_ms);
  const last = state.samples.length ? state.samples[state.samples.length - 1] : null;
  if (at == null || (last && at <= last.at_ms)) {
    return { ...state, latest: sample, scaleLog };
  }
  const r = last ? rate(last, sample) : null;
  const samples = trimWindow([...state.samples, sample], at, windowMs);
  const rates = trimWindow(r ? [...state.rates, r] : state.rates, at, windowMs);
  return { latest: sample, samples, rates, scaleLog };
}

/**
 * A worker gone silent: its heartbeat is older than three beats (heartbeat_every_ms, as the worker
 * reports it; 15 s when it does not), so it is stopped, paused or cut off from Redis.
 */
export function isSilent(worker, fallbackMs = 15000) {
  if (worker?.silent === true) return true; // its heartbeat key expired
  const every = num(worker?.heartbeat_every_ms);
  const threshold = every != null && every > 0 ? 3 * every : fallbackMs;
  return num(worker?.heartbeat_age_ms) != null && worker.heartbeat_age_ms > threshold;
}

/** Agents of a worker that did not return after their stop and still hold a slot. */
export function stuckAgents(worker) {
  return Math.max(0, num(worker?.stuck) ?? 0);
}

/**
 * Slots of a worker: busy as the worker counts them (running, stuck, or reserved for a read), else
 * its running jobs; free = concurrency - busy (never below 0).
 */
export function slots(worker) {
  const busy = Math.max(0, num(worker?.busy) ?? num(worker?.inflight) ?? 0);
  const total = Math.max(0, num(worker?.concurrency) ?? 0);
  return { busy, free: Math.max(0, total - busy) };
}
