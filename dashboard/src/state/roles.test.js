import { describe, expect, it } from 'vitest';
import { canSee, hasRole, pickView, viewFromHash, viewsFor } from './roles.js';

const ids = (roles) => viewsFor(roles).map((v) => v.id);

describe('roles', () => {
  it('gives user and ingest the Playground only', () => {
    expect(ids(['user'])).toEqual(['playground']);
    expect(ids(['ingest'])).toEqual(['playground']);
    expect(ids(['user', 'ingest'])).toEqual(['playground']);
  });

  it('gives operator the operations views but not keys', () => {
    expect(ids(['operator'])).toEqual(['queue', 'workers', 'dead-letters', 'requests', 'charts', 'admission', 'playground']);
    expect(canSee(['operator'], 'keys')).toBe(false);
  });

  it('gives admin everything, whatever the case', () => {
    expect(ids(['ADMIN'])).toContain('keys');
    expect(ids(['admin'])).toHaveLength(8);
    expect(hasRole(['admin'], 'operator')).toBe(true);
  });

  it('shows only the Playground for unknown, empty or malformed roles', () => {
    expect(ids([])).toEqual(['playground']);
    expect(ids(['superuser'])).toEqual(['playground']);
    expect(ids(undefined)).toEqual(['playground']);
    expect(ids([null, 42])).toEqual(['playground']);
  });

  it('picks an allowed view', () => {
    expect(pickView(['user'], 'keys')).toBe('playground');
    expect(pickView(['operator'], null)).toBe('queue');
    expect(pickView(['operator'], 'charts')).toBe('charts');
    expect(pickView(['admin'], 'keys')).toBe('keys');
  });

  it('reads the view from the hash', () => {
    expect(viewFromHash('#/workers')).toBe('workers');
    expect(viewFromHash('#dead-letters')).toBe('dead-letters');
    expect(viewFromHash('#/nope')).toBeNull();
    expect(viewFromHash('')).toBeNull();
    expect(viewFromHash('#/queue?x=1')).toBeNull();
  });
});
