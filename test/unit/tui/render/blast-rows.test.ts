import { describe, expect, it } from 'vitest';
import { blastRows } from '../../../../tui/render/blast-rows.js';
import type { Affected } from '../../../../tui/state/calls.js';

function clusters(n: number): Affected[] {
  return Array.from({ length: n }, (_, i) => ({ cluster: `staging-${String(i + 1).padStart(2, '0')}`, affected: [`node node-1 (schedulable, ${i + 3} pods to evict)`] }));
}

describe('blastRows', () => {
  it('puts clusters with a warning first when not all fit, and counts the rest', () => {
    const blast = [...clusters(5), { cluster: 'odd-one', affected: [], warning: 'no status report yet; the objects affected are not known' }];
    const rows = blastRows(blast, 3, 60);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({ text: expect.stringMatching(/^odd-one\s+! no status report yet/), warning: true });
    expect(rows[2]?.text.trim()).toBe('… and 4 more clusters');
    for (const r of rows) expect(r.text.length).toBe(60);
  });

  it('keeps the daemon’s order when everything fits', () => {
    const rows = blastRows(clusters(3), 10, 50);
    expect(rows.map((r) => r.text.slice(0, 10))).toEqual(['staging-01', 'staging-02', 'staging-03']);
    expect(blastRows([{ cluster: 'a', affected: [] }], 5, 30)[0]?.text.trim()).toBe('a  nothing found to change');
  });
});
