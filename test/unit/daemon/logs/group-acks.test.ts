// shareOfEachBatch: one group commit told back to each of its batches.
import { describe, expect, it } from 'vitest';
import { shareOfEachBatch } from '../../../../daemon/logs/group-acks.js';

const batch = (...ids: string[]) => ({ records: ids.map((id) => ({ id })) });
const recs = (...ids: string[]) => ids.map((id) => ({ id }));

describe('shareOfEachBatch', () => {
  it('gives a stored id to the first batch that carried it and counts the other copies as duplicates', () => {
    expect(shareOfEachBatch([batch('a', 'b'), batch('b', 'c'), batch('a')], { stored: recs('a', 'b', 'c') })).toEqual([
      { stored: 2, duplicates: 0, rejected: 0 },
      { stored: 1, duplicates: 1, rejected: 0 },
      { stored: 0, duplicates: 1, rejected: 0 },
    ]);
  });

  it('counts ids already in the store as duplicates and refused ones as rejected', () => {
    expect(shareOfEachBatch([batch('old', 'x'), batch('bad', 'y')], { stored: recs('x', 'y'), rejected: recs('bad') })).toEqual([
      { stored: 1, duplicates: 1, rejected: 0 },
      { stored: 1, duplicates: 0, rejected: 1 },
    ]);
  });

  it('accounts for every record of every batch exactly once', () => {
    const batches = [batch('a', 'a', 'b'), batch(), batch('c', 'b')];
    const shares = shareOfEachBatch(batches, { stored: recs('a', 'c'), rejected: recs('b') });
    shares.forEach((s, i) => expect(s.stored + s.duplicates + s.rejected).toBe(batches[i]!.records.length));
    expect(shares.reduce((n, s) => n + s.stored, 0)).toBe(2);
  });
});
