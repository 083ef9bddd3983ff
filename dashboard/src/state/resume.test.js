import { describe, expect, it } from 'vitest';
import {
  API_KEY_KEY,
  RESUME_KEY,
  clearResume,
  forgetKey,
  loadResume,
  recallKey,
  rememberKey,
  saveResume,
  throttledSaver,
} from './resume.js';

function fakeStorage() {
  const m = new Map();
  return {
    map: m,
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => m.set(k, String(v)),
    removeItem: (k) => m.delete(k),
  };
}

describe('resume record', () => {
  it('round-trips and never contains the API key', () => {
    const s = fakeStorage();
    expect(saveResume(s, { requestId: 'abc123', lastEventId: '10-2', text: 'so far', agent: 'general', query: 'q', key: 'agk_secret' })).toBe(true);
    expect(s.map.get(RESUME_KEY)).not.toContain('agk_secret');
    expect(loadResume(s)).toMatchObject({ requestId: 'abc123', lastEventId: '10-2', text: 'so far', agent: 'general' });
    clearResume(s);
    expect(loadResume(s)).toBeNull();
  });

  it('refuses to save without a request id', () => {
    const s = fakeStorage();
    expect(saveResume(s, { lastEventId: '1-0' })).toBe(false);
    expect(s.map.size).toBe(0);
  });

  it('returns null for garbage and unsafe ids', () => {
    const s = fakeStorage();
    s.setItem(RESUME_KEY, '{not json');
    expect(loadResume(s)).toBeNull();
    s.setItem(RESUME_KEY, JSON.stringify({ requestId: '../admin/keys' }));
    expect(loadResume(s)).toBeNull();
    s.setItem(RESUME_KEY, JSON.stringify([1, 2]));
    expect(loadResume(s)).toBeNull();
  });

  it('starts the text over when the last event id is missing or malformed', () => {
    const s = fakeStorage();
    s.setItem(RESUME_KEY, JSON.stringify({ requestId: 'r1', lastEventId: 'bogus', text: 'stale' }));
    expect(loadResume(s)).toMatchObject({ lastEventId: null, text: '' });
  });

  it('survives a storage that throws', () => {
    const broken = {
      getItem() { throw new Error('denied'); },
      setItem() { throw new Error('quota'); },
      removeItem() { throw new Error('denied'); },
    };
    expect(saveResume(broken, { requestId: 'r1' })).toBe(false);
    expect(loadResume(broken)).toBeNull();
    expect(() => clearResume(broken)).not.toThrow();
    expect(recallKey(broken)).toBeNull();
  });
});

describe('throttledSaver', () => {
  it('writes at once, then at most once per interval with the latest record', () => {
    const s = fakeStorage();
    let now = 1000;
    const timers = [];
    const saver = throttledSaver(s, 250, {
      now: () => now,
      schedule: (fn, ms) => { timers.push({ fn, ms }); return timers.length; },
      cancel: () => {},
    });
    saver.save({ requestId: 'r', lastEventId: '1-0', text: 'a' });
    expect(loadResume(s).text).toBe('a');
    now = 1100;
    saver.save({ requestId: 'r', lastEventId: '1-1', text: 'ab' });
    saver.save({ requestId: 'r', lastEventId: '1-2', text: 'abc' });
    expect(loadResume(s).text).toBe('a');
    expect(timers).toHaveLength(1);
    expect(timers[0].ms).toBe(150);
    now = 1250;
    timers[0].fn();
    expect(loadResume(s)).toMatchObject({ text: 'abc', lastEventId: '1-2' });
  });

  it('flush writes the pending record, drop forgets it', () => {
    const s = fakeStorage();
    let now = 0;
    const saver = throttledSaver(s, 1000, { now: () => now, schedule: () => 1, cancel: () => {} });
    saver.save({ requestId: 'r', lastEventId: '1-0', text: 'x' });
    saver.save({ requestId: 'r', lastEventId: '1-1', text: 'xy' });
    saver.flush();
    expect(loadResume(s).text).toBe('xy');
    saver.save({ requestId: 'r', lastEventId: '1-2', text: 'xyz' });
    saver.drop();
    saver.flush();
    expect(loadResume(s).text).toBe('xy');
  });
});

describe('remembered key', () => {
  it('stores, recalls and forgets; blank is not a key', () => {
    const s = fakeStorage();
    expect(recallKey(s)).toBeNull();
    rememberKey(s, 'agk_1_x');
    expect(s.map.get(API_KEY_KEY)).toBe('agk_1_x');
    expect(recallKey(s)).toBe('agk_1_x');
    forgetKey(s);
    expect(recallKey(s)).toBeNull();
    s.setItem(API_KEY_KEY, '   ');
    expect(recallKey(s)).toBeNull();
  });
});
