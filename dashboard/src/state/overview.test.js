import { describe, expect, it } from 'vitest';
import { applySample, initialOverview, isSilent, stuckAgents, laneRows, rate, slots, trimWindow } from './overview.js';

function sample(at, { delivered = {}, refused = {}, workers = [] } = {}) {
  const lanes = {};
  for (const [lane, d] of Object.entries(delivered)) {
    lanes[lane] = { depth: 1, lag: 2, pending: 0, max_depth: 1000, drain_per_second: 3.5, delivered: d };
  }
  return { at_ms: at, lanes, workers: workers.map((name) => ({ name, heartbeat_age_ms: 100, inflight: 1, concurrency: 4 })), refused };
}

describe('rate', () => {
  it('sums delivered deltas over lanes per second', () => {
    const r = rate(sample(1000, { delivered: { interactive: 100, batch: 10 } }), sample(3000, { delivered: { interactive: 120, batch: 14 } }));
    expect(r).toMatchObject({ at_ms: 3000, throughput: 12 });
  });

  it('sums every refused counter', () => {
    const r = rate(
      sample(0, { refused: { rate_limited: 3, overloaded: 0, too_many_streams: 1 } }),
      sample(500, { refused: { rate_limited: 5, overloaded: 1, too_many_streams: 1, queue_full: 7 } }),
    );
    expect(r.refusals).toBe(6); // (2 + 1 + 0) / 0.5; queue_full has no previous value
  });

  it('ignores counters that went backwards and lanes missing before', () => {
    const r = rate(sample(0, { delivered: { interactive: 50 } }), sample(1000, { delivered: { interactive: 10, batch: 99 } }));
    expect(r.throughput).toBe(0);
  });

  it('is null when time did not advance', () => {
    expect(rate(sample(1000), sample(1000))).toBeNull();
    expect(rate(sample(2000), sample(1000))).toBeNull();
    expect(rate({}, sample(1))).toBeNull();
  });
});

describe('applySample', () => {
  it('keeps history and rates within the window', () => {
    let s = initialOverview();
    for (let t = 0; t <= 400_000; t += 1000) s = applySample(s, sample(t, { delivered: { interactive: t / 100 } }));
    expect(s.samples[0].at_ms).toBe(100_000);
    expect(s.samples.at(-1).at_ms).toBe(400_000);
    expect(s.rates.every((r) => r.at_ms >= 100_000)).toBe(true);
    expect(s.rates.at(-1).throughput).toBeCloseTo(10);
    expect(s.latest.at_ms).toBe(400_000);
  });

  it('does not append a sample that is not newer, but shows it', () => {
    let s = applySample(initialOverview(), sample(2000));
    s = applySample(s, { ...sample(2000), dead_letters: 4 });
    expect(s.samples).toHaveLength(1);
    expect(s.rates).toHaveLength(0);
    expect(s.latest.dead_letters).toBe(4);
  });

  it('records workers joining and leaving, newest first, not at the first sample', () => {
    let s = applySample(initialOverview(), sample(1000, { workers: ['worker-1', 'worker-2'] }));
    expect(s.scaleLog).toEqual([]);
    s = applySample(s, sample(2000, { workers: ['worker-1', 'worker-2', 'worker-3'] }));
    s = applySample(s, sample(3000, { workers: ['worker-2', 'worker-3'] }));
    expect(s.scaleLog.map((e) => `${e.worker} ${e.change}`)).toEqual(['worker-1 left', 'worker-3 joined']);
  });

  it('ignores junk', () => {
    const s = initialOverview();
    expect(applySample(s, null)).toBe(s);
    expect(applySample(s, 'x')).toBe(s);
  });
});

describe('lanes and workers', () => {
  it('orders interactive, batch, then others', () => {
    const rows = laneRows({ lanes: { zeta: {}, batch: { depth: 2 }, interactive: { depth: 'x' } } });
    expect(rows.map((r) => r.lane)).toEqual(['interactive', 'batch', 'zeta']);
    expect(rows[0].depth).toBeNull();
    expect(rows[1].depth).toBe(2);
    expect(laneRows(null)).toEqual([]);
  });

  it('calls a worker silent past three of its heartbeats, or 15 s when it does not say', () => {
    expect(isSilent({ heartbeat_age_ms: 15000 })).toBe(false);
    expect(isSilent({ heartbeat_age_ms: 15001 })).toBe(true);
    expect(isSilent({ heartbeat_age_ms: 7500, heartbeat_every_ms: 2500 })).toBe(false);
    expect(isSilent({ heartbeat_age_ms: 7501, heartbeat_every_ms: 2500 })).toBe(true);
    expect(isSilent({})).toBe(false);
    expect(isSilent({ heartbeat_age_ms: 10, silent: true })).toBe(true);
  });

  it('counts stuck agents, never negative', () => {
    expect(stuckAgents({ stuck: 2 })).toBe(2);
    expect(stuckAgents({ stuck: -1 })).toBe(0);
    expect(stuckAgents({})).toBe(0);
  });

  it("computes busy and free slots from the worker's own count, never negative", () => {
    expect(slots({ inflight: 3, concurrency: 4 })).toEqual({ busy: 3, free: 1 });
    expect(slots({ inflight: 1, busy: 3, concurrency: 4 })).toEqual({ busy: 3, free: 1 });
    expect(slots({ inflight: 5, concurrency: 4 })).toEqual({ busy: 5, free: 0 });
    expect(slots({})).toEqual({ busy: 0, free: 0 });
  });

  it('trimWindow keeps the boundary item', () => {
    expect(trimWindow([{ at_ms: 0 }, { at_ms: 10 }, { at_ms: 20 }], 30, 20).map((x) => x.at_ms)).toEqual([10, 20]);
  });
});
