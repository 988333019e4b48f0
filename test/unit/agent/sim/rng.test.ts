import { describe, expect, it } from 'vitest';
import { createRng, seedFromName } from '../../../../agent/sim/rng.js';

describe('seeded rng', () => {
  it('replays the same sequence from the same seed and another from another seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA);
  });

  it('keeps next in [0, 1) and int within both bounds, reaching each', () => {
    const rng = createRng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i += 1) {
      const x = rng.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      const n = rng.int(3, 6);
      expect(n).toBeGreaterThanOrEqual(3);
      expect(n).toBeLessThanOrEqual(6);
      seen.add(n);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it('picks from a list, refuses an empty one, and never fires a chance of zero', () => {
    const rng = createRng(1);
    for (let i = 0; i < 100; i += 1) expect(['a', 'b']).toContain(rng.pick(['a', 'b']));
    expect(() => rng.pick([])).toThrow(RangeError);
    for (let i = 0; i < 100; i += 1) expect(rng.chance(0)).toBe(false);
    for (let i = 0; i < 100; i += 1) expect(rng.chance(1)).toBe(true);
  });

  it('makes pod-name-like tokens of the asked length', () => {
    const token = createRng(9).token(5);
    expect(token).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('derives a stable seed from a name', () => {
    expect(seedFromName('prod-us-1')).toBe(seedFromName('prod-us-1'));
    expect(seedFromName('prod-us-1')).not.toBe(seedFromName('prod-us-2'));
    expect(Number.isInteger(seedFromName(''))).toBe(true);
  });
});
