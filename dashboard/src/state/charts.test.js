import { describe, expect, it } from 'vitest';
import { chartGeometry, formatNumber, median, mergeRequests, niceMax, ttftSeries } from './charts.js';

describe('median', () => {
  it('handles odd, even, empty and junk', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
    expect(median([null, NaN, 'x', 7])).toBe(7);
  });
});

describe('mergeRequests', () => {
  it('merges by id and drops requests outside the window', () => {
    const now = 1_000_000;
    let held = mergeRequests({}, [{ id: 'a', finished_at_ms: now - 10, ttft_ms: 5 }, { id: 'old', finished_at_ms: now - 400_000 }], now);
    expect(Object.keys(held)).toEqual(['a']);
    held = mergeRequests(held, [{ id: 'b', finished_at_ms: now + 100, ttft_ms: 9 }, { id: 'a', finished_at_ms: now - 10, ttft_ms: 6 }], now + 100);
    expect(held.a.ttft_ms).toBe(6);
    expect(Object.keys(held).sort()).toEqual(['a', 'b']);
    held = mergeRequests(held, [], now + 300_000);
    expect(Object.keys(held)).toEqual(['b']);
    expect(mergeRequests(null, 'junk', now)).toEqual({});
  });
});

describe('ttftSeries', () => {
  it('takes the median per bucket, skipping empty buckets and requests without a TTFT', () => {
    const now = 100_000;
    const reqs = {
      a: { finished_at_ms: now, ttft_ms: 10 },
      b: { finished_at_ms: now - 1, ttft_ms: 30 },
      c: { finished_at_ms: now - 5_000, ttft_ms: 20 },
      d: { finished_at_ms: now - 10_000, ttft_ms: null },
      e: { finished_at_ms: now - 25_000, ttft_ms: 100 },
      f: { finished_at_ms: now - 31_000, ttft_ms: 999 }, // outside a 30 s window
    };
    const s = ttftSeries(reqs, now, { windowMs: 30_000, bucketMs: 10_000 });
    expect(s).toEqual([
      { at_ms: now - 20_000, value: 100 },
      { at_ms: now, value: 20 },
    ]);
  });

  it('puts a request at a bucket edge in the bucket it ends', () => {
    const s = ttftSeries({ a: { finished_at_ms: 20_000, ttft_ms: 1 } }, 30_000, { windowMs: 30_000, bucketMs: 10_000 });
    expect(s).toEqual([{ at_ms: 20_000, value: 1 }]);
  });
});

describe('niceMax and chartGeometry', () => {
  it('rounds up to 1, 2, 5 x 10^n', () => {
    expect([0, -3, 0.3, 1, 1.01, 3, 7, 10, 42, 501].map(niceMax)).toEqual([1, 1, 0.5, 1, 2, 5, 10, 10, 50, 1000]);
  });

  it('maps time to x and value to y inside the plot box', () => {
    const g = chartGeometry(
      [
        { at_ms: 0, value: 0 },
        { at_ms: 50, value: 5 },
        { at_ms: 100, value: 10 },
        { at_ms: 200, value: 1 }, // after t1: left out
      ],
      { t0: 0, t1: 100, width: 120, height: 60, left: 10, right: 10, top: 10, bottom: 10 },
    );
    expect(g.yMax).toBe(10);
    expect(g.count).toBe(3);
    expect(g.polyline).toBe('10,50 60,30 110,10');
  });

  it('survives no points and a zero time span', () => {
    const g = chartGeometry([], { t0: 5, t1: 5 });
    expect(g.polyline).toBe('');
    expect(g.yMax).toBe(1);
  });

  it('formats numbers', () => {
    expect(formatNumber(null)).toBe('–');
    expect(formatNumber(2.345)).toBe('2.3');
    expect(formatNumber(123.7)).toBe('124');
    expect(formatNumber(4)).toBe('4');
  });
});
