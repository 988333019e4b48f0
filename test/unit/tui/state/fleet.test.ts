// The fleet topic's rows through the console's reducer: patches apply only on an unbroken rev chain.
import { describe, expect, it } from 'vitest';
import { initialState } from '../../../../tui/state/app.js';
import { NOW, ROWS, apply, connectedState, makeRow } from '../helpers.js';

describe('fleet patches', () => {
  it('applies a patch whose fromRev matches the held rev', () => {
    let s = connectedState(ROWS.slice(0, 3));
    s = apply(s, {
      type: 'fleet/patch',
      rev: 2,
      fromRev: 1,
      changes: [{ op: 'upsert', row: makeRow('new-1') }, { op: 'remove', name: 'prod-eu-1' }, { op: 'upsert', row: { ...ROWS[1]!, health: 'critical' } }],
    });
    expect(s.fleet.rev).toBe(2);
    expect([...s.fleet.rows.keys()].sort()).toEqual(['new-1', 'prod-eu-2', 'prod-us-1']);
    expect(s.fleet.rows.get('prod-eu-2')?.health).toBe('critical');
    expect(s.fleet.gap).toBeNull();
  });

  it('refuses a patch after a gap and flags it until the next snapshot', () => {
    let s = connectedState(ROWS.slice(0, 3));
    const before = s.fleet.rows;
    s = apply(s, { type: 'fleet/patch', rev: 5, fromRev: 4, changes: [{ op: 'remove', name: 'prod-eu-1' }] });
    expect(s.fleet.rows).toBe(before);
    expect(s.fleet.rev).toBe(1);
    expect(s.fleet.gap).toEqual({ heldRev: 1, fromRev: 4 });
    s = apply(s, { type: 'fleet/snapshot', rev: 5, rows: ROWS });
    expect(s.fleet.gap).toBeNull();
    expect(s.fleet.rows.size).toBe(ROWS.length);
  });

  it('refuses a patch before any snapshot', () => {
    const s = apply(initialState({ now: NOW, columns: 80, rows: 24 }), { type: 'fleet/patch', rev: 2, fromRev: 1, changes: [] });
    expect(s.fleet.rev).toBeNull();
    expect(s.fleet.gap).toEqual({ heldRev: null, fromRev: 1 });
  });
});
