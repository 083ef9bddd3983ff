import { describe, expect, it } from 'vitest';
import { compareEventIds, failStream, initialStream, isTerminal, reduceStream, statusText } from './stream.js';

const frame = (type, data, id) => ({ type, data: data === undefined ? '' : JSON.stringify(data), id: id ?? null });

function run(frames, start = initialStream({ status: 'streaming', requestId: 'r1' })) {
  return frames.reduce(reduceStream, start);
}

describe('compareEventIds', () => {
  it('orders by millis then by sequence, numerically', () => {
    expect(compareEventIds('1-2', '1-10')).toBe(-1);
    expect(compareEventIds('10-0', '9-99')).toBe(1);
    expect(compareEventIds('1795761196106-0', '1795761196106-0')).toBe(0);
    expect(compareEventIds('99999999999999999999-1', '99999999999999999999-0')).toBe(1);
  });
  it('returns null for anything else', () => {
    expect(compareEventIds('abc', '1-0')).toBeNull();
    expect(compareEventIds(null, '1-0')).toBeNull();
    expect(compareEventIds('1-0-0', '1-0')).toBeNull();
  });
});

describe('reduceStream', () => {
  it('appends tokens, lists other events and ends with done', () => {
    const s = run([
      frame('queued', { lane: 'interactive' }, '1-0'),
      frame('start', { worker: 'worker-1', attempt: 1 }, '1-1'),
      frame('token', { text: 'Hel' }, '1-2'),
      frame('token', { text: 'lo' }, '1-3'),
      frame('done', { finish_reason: 'stop' }, '1-4'),
    ]);
    expect(s.text).toBe('Hello');
    expect(s.status).toBe('done');
    expect(statusText(s)).toBe('done');
    expect(s.events.map((e) => e.type)).toEqual(['queued', 'start', 'done']);
    expect(s.tokenCount).toBe(2);
    expect(s.firstTokenSeq).toBe(3);
    expect(s.firstTokenSeq).toBeLessThan(s.events.at(-1).seq);
    expect(s.lastEventId).toBe('1-4');
    expect(isTerminal(s)).toBe(true);
  });

  it('drops the partial answer at a restart and marks the boundary', () => {
    const s = run([
      frame('token', { text: 'partial ' }, '1-0'),
      frame('restart', { attempt: 2, reason: 'worker lost' }, '1-1'),
      frame('token', { text: 'whole' }, '1-2'),
    ]);
    expect(s.text).toBe('whole');
    expect(s.events).toHaveLength(1);
    expect(s.events[0]).toMatchObject({ type: 'restart', boundary: true });
    expect(s.status).toBe('streaming');
  });

  it('ignores replayed events (not after lastEventId): no duplicated text on resume', () => {
    const resumed = initialStream({ status: 'streaming', text: 'ab', lastEventId: '5-1' });
    const s = run(
      [frame('token', { text: 'a' }, '5-0'), frame('token', { text: 'b' }, '5-1'), frame('token', { text: 'c' }, '5-2')],
      resumed,
    );
    expect(s.text).toBe('abc');
    expect(s.lastEventId).toBe('5-2');
  });

  it('maps error codes: cancelled is its own status', () => {
    const c = run([frame('error', { code: 'cancelled', message: 'x' }, '1-0')]);
    expect(c.status).toBe('cancelled');
    expect(statusText(c)).toBe('cancelled');
    const e = run([frame('error', { code: 'math_unparseable', message: 'bad' }, '1-0')]);
    expect(statusText(e)).toBe('error: math_unparseable');
    expect(e.errorMessage).toBe('bad');
  });

  it('treats a retryable error without id as an interruption to resume from, not an end', () => {
    const s = run([
      frame('token', { text: 'x' }, '1-0'),
      frame('error', { code: 'redis_unavailable', retryable: true }),
    ]);
    expect(s.status).toBe('streaming');
    expect(s.interrupted).toBe(true);
    expect(s.lastEventId).toBe('1-0');
    const after = reduceStream(s, frame('token', { text: 'y' }, '1-1'));
    expect(after.interrupted).toBe(false);
    expect(after.text).toBe('xy');
  });

  it('ends for good on request_expired even without an id', () => {
    const s = run([frame('error', { code: 'request_expired', retryable: false })]);
    expect(s.status).toBe('error');
    expect(s.errorCode).toBe('request_expired');
  });

  it('ignores everything after the terminal event', () => {
    const s = run([frame('done', {}, '1-0'), frame('token', { text: 'late' }, '1-1')]);
    expect(s.text).toBe('');
    expect(s.events).toHaveLength(1);
  });

  it('keeps unknown events and survives data that is not JSON', () => {
    const s = run([{ type: 'future_thing', data: 'not json', id: '1-0' }, frame('token', { nottext: 1 }, '1-1')]);
    expect(s.events[0]).toMatchObject({ type: 'future_thing', data: { raw: 'not json' } });
    expect(s.text).toBe('');
    expect(s.status).toBe('streaming');
  });

  it('records refusals before the stream', () => {
    expect(statusText(failStream(initialStream(), 'rate_limited'))).toBe('error: rate_limited');
    expect(statusText(failStream(initialStream(), null))).toBe('error: unknown');
  });
});
