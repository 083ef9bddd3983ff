import { describe, expect, it } from 'vitest';
import { appendScaleLog, clock, describeScale, diffWorkers, naturalCompare, scaleEvents, workerNames } from './scale.js';

describe('scale history', () => {
  it('diffs joined and left workers in natural order', () => {
    expect(diffWorkers(['worker-1', 'worker-2'], ['worker-2', 'worker-10', 'worker-3'])).toEqual({
      joined: ['worker-3', 'worker-10'],
      left: ['worker-1'],
    });
    expect(diffWorkers([], [])).toEqual({ joined: [], left: [] });
  });

  it('reads unique names and skips malformed entries', () => {
    expect(workerNames({ workers: [{ name: 'a' }, { name: 'a' }, {}, null, { name: 3 }, { name: 'b' }] })).toEqual(['a', 'b']);
    expect(workerNames({})).toEqual([]);
  });

  it('emits nothing for the first sample and stamps entries with the sample time', () => {
    const cur = { at_ms: Date.UTC(2026, 0, 1, 13, 4, 5), workers: [{ name: 'worker-3' }] };
    expect(scaleEvents(null, cur)).toEqual([]);
    // An error sample (Redis unreachable for a moment) has no worker list: nobody left, nobody joined.
    expect(scaleEvents({ at_ms: 0, workers: [{ name: 'worker-1' }] }, { error: 'redis_unavailable' })).toEqual([]);
    expect(scaleEvents({ error: 'redis_unavailable' }, { at_ms: 5, workers: [{ name: 'worker-1' }] })).toEqual([]);
    const events = scaleEvents({ at_ms: 0, workers: [{ name: 'worker-1' }] }, cur);
    expect(events).toEqual([
      { at_ms: cur.at_ms, worker: 'worker-1', change: 'left' },
      { at_ms: cur.at_ms, worker: 'worker-3', change: 'joined' },
    ]);
    expect(describeScale(events[1], true)).toBe('13:04:05 worker-3 joined');
  });

  it('keeps the log newest first and bounded', () => {
    let log = [];
    for (let i = 0; i < 60; i++) log = appendScaleLog(log, [{ at_ms: i, worker: `w${i}`, change: 'joined' }]);
    expect(log).toHaveLength(50);
    expect(log[0].worker).toBe('w59');
    expect(appendScaleLog(log, [])).toBe(log);
  });

  it('formats a clock with leading zeros', () => {
    expect(clock(Date.UTC(2026, 0, 1, 3, 7, 9), true)).toBe('03:07:09');
    expect(naturalCompare('worker-2', 'worker-10')).toBeLessThan(0);
  });
});
